/* tb_store_link.c: the durable link's tables of the store, and its counters
 * (tb_store_int.h says which part of the store is where). */
#include "tb_store_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tb_store_counter_next(tb_store_t *self, const char *name, uint64_t *ret_value)
{
    tb_store_counter_t *k = &self->counter;
    bool tx = !sqlite3_get_autocommit(self->db);
    if (tx && k->known && strcmp(k->name, name) == 0) {
        *ret_value = ++k->value;
        k->dirty = true;
        return 0;
    }
    int rc = tb_store_counter_flush(self);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st;
    if ((rc = tb_store_stmt_keep(self,
                                 "INSERT INTO counters(name, value) VALUES(?1, 1) "
                                 "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                                 &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    uint64_t value = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        value = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "counter");
    tb_store_done(self, st);
    if (rc < 0)
        return rc;
    if (tx && strlen(name) < sizeof k->name) {
        memcpy(k->name, name, strlen(name) + 1);
        k->value = value;
        k->known = true;
    }
    *ret_value = value;
    return 0;
}

int tb_store_counter_flush(tb_store_t *self)
{
    tb_store_counter_t *k = &self->counter;
    bool dirty = k->dirty;
    k->known = k->dirty = false;
    if (!dirty)
        return 0;
    sqlite3_stmt *st;
    int rc = tb_store_stmt_keep(self, "UPDATE counters SET value = max(value, ?2) WHERE name = ?1",
                                &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)k->value);
    return tb_store_run(self, st);
}

/* The slot of peer's last seq in the open transaction, or NULL: none yet
 * (make: a free slot for it, NULL when full or the name too long). */
static tb_store_outlast_t *outlast(tb_store_t *self, const char *peer, bool make)
{
    for (int i = 0; i < self->noutlast; i++)
        if (strcmp(self->outlast[i].peer, peer) == 0)
            return &self->outlast[i];
    if (!make || self->noutlast == TB_STORE_OUTLAST || strlen(peer) > TB_CODE_LEN)
        return NULL;
    tb_store_outlast_t *o = &self->outlast[self->noutlast++];
    memset(o, 0, sizeof *o);
    memcpy(o->peer, peer, strlen(peer) + 1);
    return o;
}

int tb_store_out_flush(tb_store_t *self)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < self->noutlast; i++) {
        tb_store_outlast_t *o = &self->outlast[i];
        if (!o->dirty)
            continue;
        sqlite3_stmt *st;
        if ((rc = tb_store_stmt_keep(self, "UPDATE link_out SET last = ?2 WHERE peer = ?1", &st)) <
            0)
            break;
        sqlite3_bind_text(st, 1, o->peer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)o->last);
        if ((rc = tb_store_run(self, st)) == 0)
            o->dirty = false;
    }
    return rc;
}

int tb_store_enqueue(tb_store_t *self, const char *peer, const uint8_t *body, size_t len,
                     uint64_t *ret_seq)
{
    /* Inside a transaction the row is bumped once and the rest counted here
     * (tb_store_outlast_t); outside one (autocommit) every time. */
    bool tx = !sqlite3_get_autocommit(self->db);
    tb_store_outlast_t *o = tx ? outlast(self, peer, false) : NULL;
    uint64_t seq = 0;
    sqlite3_stmt *st;
    int rc;
    if (o) {
        seq = o->last + 1;
    } else {
        if ((rc = tb_store_stmt_keep(self,
                                     "INSERT INTO link_out(peer, last, acked) VALUES(?1, 1, 0) "
                                "ON CONFLICT(peer) DO UPDATE SET last = last + 1 RETURNING last",
                                &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            seq = (uint64_t)sqlite3_column_int64(st, 0);
        else
            rc = tb_store_sql_err(self, "link_out");
        tb_store_done(self, st);
        if (rc < 0)
            return rc;
    }
    if ((rc = tb_store_stmt_keep(self, "INSERT INTO outbox(peer, seq, body) VALUES(?1, ?2, ?3)",
                                 &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC); /* both outlive the step */
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_STATIC);
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    if (o) {
        o->last = seq;
        o->dirty = true;
    } else if (tx && (o = outlast(self, peer, true))) {
        o->last = seq; /* link_out holds it already */
    }
    if (ret_seq)
        *ret_seq = seq;
    return 0;
}

int tb_store_cursor_get(tb_store_t *self, const char *peer, uint64_t *ret_cursor)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, "SELECT cursor FROM link_in WHERE peer = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *ret_cursor = (uint64_t)sqlite3_column_int64(st, 0);
    else if (s == SQLITE_DONE)
        *ret_cursor = 0;
    else
        rc = tb_store_sql_err(self, "cursor");
    tb_store_done(self, st);
    return rc;
}

int tb_store_cursor_set(tb_store_t *self, const char *peer, uint64_t cursor)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt_keep(self,
                                "INSERT INTO link_in(peer, cursor) VALUES(?1, ?2) "
                                "ON CONFLICT(peer) DO UPDATE SET cursor = excluded.cursor",
                                &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)cursor);
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    /* The cursor moved: we heard from peer now (tb_store_heard). */
    if ((rc = tb_store_stmt_keep(self,
                                 "INSERT INTO link_heard(peer, at_ms) VALUES(?1, ?2) "
                                 "ON CONFLICT(peer) DO UPDATE SET at_ms = excluded.at_ms",
                                 &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tb_now_ms());
    return tb_store_run(self, st);
}

int tb_store_heard(tb_store_t *self, const char *peer, int64_t *ret_ms)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt_keep(self,
                                peer ? "SELECT coalesce(max(at_ms), 0) FROM link_heard"
                                       " WHERE peer = ?1"
                                     : "SELECT coalesce(max(at_ms), 0) FROM link_heard",
                                &st);
    if (rc < 0)
        return rc;
    if (peer)
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *ret_ms = sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "heard");
    tb_store_done(self, st);
    return rc;
}

int tb_store_out_get(tb_store_t *self, const char *peer, uint64_t *ret_last, uint64_t *ret_acked)
{
    sqlite3_stmt *st;
    int rc = tb_store_out_flush(self);
    if (rc == 0)
        rc = tb_store_stmt(self, "SELECT last, acked FROM link_out WHERE peer = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *ret_last = (uint64_t)sqlite3_column_int64(st, 0);
        *ret_acked = (uint64_t)sqlite3_column_int64(st, 1);
    } else if (s == SQLITE_DONE) {
        *ret_last = *ret_acked = 0;
    } else {
        rc = tb_store_sql_err(self, "link_out get");
    }
    tb_store_done(self, st);
    return rc;
}

int tb_store_out_heads(tb_store_t *self,
                       void (*fn)(void *arg, const char *peer, uint64_t last, uint64_t acked),
                       void *arg)
{
    sqlite3_stmt *st;
    int rc = tb_store_out_flush(self);
    if (rc == 0)
        rc = tb_store_stmt(self, "SELECT peer, last, acked FROM link_out", &st);
    if (rc < 0)
        return rc;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, (const char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
           (uint64_t)sqlite3_column_int64(st, 2));
    rc = s == SQLITE_DONE ? 0 : tb_store_sql_err(self, "outbox heads");
    tb_store_done(self, st);
    return rc;
}

int tb_store_ack(tb_store_t *self, const char *peer, uint64_t ack)
{
    sqlite3_stmt *st;
    int rc;
    if ((rc = tb_store_stmt(self, "UPDATE link_out SET acked = ?2 WHERE peer = ?1 AND acked < ?2",
                            &st)) == 0) {
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ack);
        rc = tb_store_run(self, st);
    }
    if (rc == 0 &&
        (rc = tb_store_stmt(self, "DELETE FROM outbox WHERE peer = ?1 AND seq <= ?2", &st)) == 0) {
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ack);
        rc = tb_store_run(self, st);
    }
    return rc;
}

void tb_digest_hex(const void *buf, size_t len, char ret_hex[TB_DIGEST_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, buf, len);
    sodium_bin2hex(ret_hex, TB_DIGEST_HEX, h, sizeof h);
}

int tb_store_quarantine(tb_store_t *self, const char *peer, uint64_t seq, const uint8_t *body,
                        size_t len, const char *why)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(
        self, "SELECT count(*), coalesce(sum(length(body)), 0) FROM quarantine WHERE peer = ?1",
        &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    int64_t rows = 0, bytes = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        rows = sqlite3_column_int64(st, 0);
        bytes = sqlite3_column_int64(st, 1);
    } else {
        rc = tb_store_sql_err(self, "quarantine size");
    }
    tb_store_done(self, st);
    if (rc < 0)
        return rc;
    /* Beyond the bound: a prefix, and the length and digest of the whole. */
    char note[512];
    if (rows >= TB_QUARANTINE_ROWS || bytes + (int64_t)len > TB_QUARANTINE_BYTES) {
        char hex[TB_DIGEST_HEX];
        tb_digest_hex(body, len, hex);
        snprintf(note, sizeof note, "%.300s [%zu bytes, sha256 %s; first %d kept]", why, len, hex,
                 TB_QUARANTINE_PREFIX);
        why = note;
        if (len > TB_QUARANTINE_PREFIX)
            len = TB_QUARANTINE_PREFIX;
    }
    if ((rc = tb_store_stmt(self,
                            "INSERT INTO quarantine(peer, seq, body, why, at_ms)"
                            " VALUES(?1, ?2, ?3, ?4, ?5)",
                            &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, tb_now_ms());
    return tb_store_run(self, st);
}

int tb_store_outbox_get(tb_store_t *self, const char *peer, uint64_t seq, uint8_t **ret_buf,
                        size_t *ret_len)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, "SELECT body FROM outbox WHERE peer = ?1 AND seq = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            rc = -ENOMEM;
        } else {
            if (len)
                memcpy(buf, sqlite3_column_blob(st, 0), len);
            *ret_buf = buf;
            *ret_len = len;
        }
    } else {
        rc = s == SQLITE_DONE ? -ENOENT : tb_store_sql_err(self, "outbox get");
    }
    tb_store_done(self, st);
    return rc;
}

int tb_store_outbox_each(tb_store_t *self, const char *peer, uint64_t from, uint64_t to,
                         int (*fn)(void *arg, uint64_t seq, const uint8_t *body, size_t len),
                         void *arg)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT seq, body FROM outbox WHERE peer = ?1 AND seq BETWEEN ?2 AND ?3"
                           " ORDER BY seq",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
    int s = SQLITE_DONE;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *body = sqlite3_column_blob(st, 1); /* NULL when empty */
        rc = fn(arg, (uint64_t)sqlite3_column_int64(st, 0), body ? body : (const uint8_t *)"",
                (size_t)sqlite3_column_bytes(st, 1));
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "outbox each");
    tb_store_done(self, st);
    return rc;
}

int tb_store_backlog(tb_store_t *self, uint64_t *ret_n)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, "SELECT count(*) FROM outbox", &st);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *ret_n = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "backlog");
    tb_store_done(self, st);
    return rc;
}

/* One 64-bit value from sql with peer (?1) and x (?2) bound: *ret, or 0 for no row. */
static int one_u64(tb_store_t *self, const char *sql, const char *peer, uint64_t x, uint64_t *ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, sql, &st);
    if (rc < 0)
        return rc;
    if (peer)
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)x);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *ret = (uint64_t)sqlite3_column_int64(st, 0);
    else if (s == SQLITE_DONE)
        *ret = 0;
    else
        rc = tb_store_sql_err(self, "epoch");
    tb_store_done(self, st);
    return rc;
}

int tb_store_epoch(tb_store_t *self, uint64_t *ret_epoch)
{
    uint64_t e = 0;
    int rc = one_u64(self, "SELECT epoch FROM store_epoch LIMIT 1", NULL, 0, &e);
    if (rc == 0 && e == 0)
        rc = -TB_ESTORE;
    if (rc == 0)
        *ret_epoch = e;
    return rc;
}

int tb_store_peer_epoch_get(tb_store_t *self, const char *peer, uint64_t *ret_epoch)
{
    return one_u64(self, "SELECT epoch FROM link_epoch WHERE peer = ?1", peer, 0, ret_epoch);
}

int tb_store_peer_epoch_retired(tb_store_t *self, const char *peer, uint64_t epoch, int *ret)
{
    uint64_t n = 0;
    int rc = one_u64(self, "SELECT count(*) FROM link_epoch_old WHERE peer = ?1 AND epoch = ?2",
                     peer, epoch, &n);
    if (rc == 0)
        *ret = n > 0;
    return rc;
}

/* Run sql with peer (?1) and x (?2) bound. */
static int run_u64(tb_store_t *self, const char *sql, const char *peer, uint64_t x)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, sql, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)x);
    return tb_store_run(self, st);
}

int tb_store_peer_epoch_set(tb_store_t *self, const char *peer, uint64_t epoch, bool reset)
{
    static const char *const retire =
        "INSERT OR IGNORE INTO link_epoch_old(peer, epoch, retired_ms)"
        " SELECT peer, epoch, ?2 FROM link_epoch WHERE peer = ?1";
    static const char *const set = "INSERT INTO link_epoch(peer, epoch) VALUES(?1, ?2)"
                                   " ON CONFLICT(peer) DO UPDATE SET epoch = excluded.epoch";
    /* The outbox keeps what the old store never acknowledged, as 1..: moved
     * through negative seqs so no row meets another's key on the way. */
    static const char *const renumber[] = {
        "UPDATE link_in SET cursor = 0 WHERE peer = ?1",
        ("UPDATE outbox SET seq = -(seq - (SELECT acked FROM link_out WHERE peer = ?1))"
         " WHERE peer = ?1"),
        "UPDATE outbox SET seq = -seq WHERE peer = ?1 AND seq < 0",
        "UPDATE link_out SET last = last - acked, acked = 0 WHERE peer = ?1",
    };
    int rc = tb_store_out_flush(self);
    self->noutlast = 0; /* a reset renumbers link_out.last */
    if (rc == 0)
        rc = run_u64(self, retire, peer, (uint64_t)tb_now_ms());
    if (rc == 0)
        rc = run_u64(self, set, peer, epoch);
    for (size_t i = 0; reset && rc == 0 && i < sizeof renumber / sizeof renumber[0]; i++)
        rc = run_u64(self, renumber[i], peer, 0);
    return rc;
}

/* ---- an origin's newest event id (the township's gap alarm), kept per transaction ---- */

/* origin's slot among the transaction's known last ids, or NULL. */
static tb_store_originlast_t *originlast(tb_store_t *self, const char *origin)
{
    for (int i = 0; i < self->noriginlast; i++)
        if (strcmp(self->originlast[i].origin, origin) == 0)
            return &self->originlast[i];
    return NULL;
}

void tb_store_originlast_saw(tb_store_t *self, const char *origin, uint64_t seq)
{
    tb_store_originlast_t *o = originlast(self, origin);
    if (o && seq > o->last)
        o->last = seq;
}

int tb_store_origin_last(tb_store_t *self, const char *origin, uint64_t *ret_seq)
{
    /* Inside a transaction, read once per origin, then kept up to date by
     * every insert and consumption (tb_store_originlast_saw). */
    bool tx = !sqlite3_get_autocommit(self->db);
    tb_store_originlast_t *o = tx ? originlast(self, origin) : NULL;
    if (o) {
        *ret_seq = o->last;
        return 0;
    }
    sqlite3_stmt *st;
    int rc = tb_store_stmt_keep(self,
                           "SELECT max((SELECT coalesce(max(origin_seq), 0) FROM events"
                           " WHERE origin_node = ?1), coalesce((SELECT value FROM counters"
                           " WHERE name = 'consumed ' || ?1), 0))",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    uint64_t last = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        last = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "origin last");
    tb_store_done(self, st);
    if (rc < 0)
        return rc;
    if (tx && self->noriginlast < TB_STORE_ORIGINLAST && strlen(origin) <= TB_CODE_LEN) {
        o = &self->originlast[self->noriginlast++];
        memcpy(o->origin, origin, strlen(origin) + 1);
        o->last = last;
    }
    *ret_seq = last;
    return 0;
}

int tb_store_origin_consumed(tb_store_t *self, const char *origin, uint64_t seq)
{
    sqlite3_stmt *st;
    tb_store_originlast_saw(self, origin, seq);
    int rc = tb_store_stmt_keep(self,
                           "INSERT INTO counters(name, value) VALUES('consumed ' || ?1, ?2)"
                           " ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    return tb_store_run(self, st);
}
