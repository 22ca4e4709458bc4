#include "tb_store.h"

#include "tb_error.h"
#include "tb_cli.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_projection.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tb_store {
    sqlite3 *db;
    char place[TB_CODE_LEN + 1];
    const tb_catalog_t *catalog;   /* borrowed: the items the fold needs */
    const tb_calendar_t *calendar; /* borrowed: for the deadlines; NULL: none computed */
};

void tb_store_set_rules(tb_store_t *self, const tb_catalog_t *catalog,
                        const tb_calendar_t *calendar)
{
    self->catalog = catalog;
    self->calendar = calendar;
}

/* Versioned migrations: schema version N is reached by running migrations[N-1]. */
static const char *const migrations[] = {
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE events("
    "  origin_node TEXT NOT NULL, origin_seq INTEGER NOT NULL, case_id TEXT NOT NULL,"
    "  type INTEGER NOT NULL, actor TEXT NOT NULL, at_ms INTEGER NOT NULL,"
    "  target TEXT NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL,"
    "  recorded_ms INTEGER NOT NULL, folded INTEGER NOT NULL,"
    "  PRIMARY KEY(origin_node, origin_seq));"
    "CREATE INDEX events_case ON events(case_id);"
    "CREATE TABLE cases("
    "  case_id TEXT PRIMARY KEY, origin TEXT NOT NULL,"
    "  client_name TEXT NOT NULL, client_phone TEXT NOT NULL, agent TEXT NOT NULL,"
    "  item_code TEXT NOT NULL, note TEXT NOT NULL, accept_time_ms INTEGER NOT NULL,"
    "  completion_time_ms INTEGER, result TEXT,"
    "  state TEXT NOT NULL, holder TEXT NOT NULL, pending TEXT NOT NULL,"
    "  version INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    "  county_state TEXT, county_version INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE link_out(peer TEXT PRIMARY KEY, last INTEGER NOT NULL, acked INTEGER NOT NULL);"
    "CREATE TABLE outbox(peer TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  PRIMARY KEY(peer, seq)) WITHOUT ROWID;"
    "CREATE TABLE link_in(peer TEXT PRIMARY KEY, cursor INTEGER NOT NULL);"
    "CREATE TABLE quarantine(peer TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  why TEXT NOT NULL, at_ms INTEGER NOT NULL);",
    /* 2: the lifecycle.  fold is tb_case_encode() of the whole fold; due_ms and
     * legal_due_ms the deadlines it implies (0: no clock runs); to_bring what
     * the resident must still bring; rejected the county's reason for refusing
     * one of our events (the event then stays recorded with folded = 0). */
    "ALTER TABLE cases ADD COLUMN fold TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN due_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN legal_due_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN to_bring TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN decision INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN rejected TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN detail TEXT NOT NULL DEFAULT '';",
    /* 3: data the county distributes (proto DataVersion): every version of the
     * catalog and the calendar this node received; the newest is in force. */
    "CREATE TABLE data_versions(kind TEXT NOT NULL, version INTEGER NOT NULL,"
    "  body BLOB NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY(kind, version));",
    /* 4 (issue 7): the row is tb_project()'s.  fold is tb_case_pack() of the
     * fold (a protobuf message); the text form before it moves to fold_text,
     * which fold_from_text() below re-encodes and empties in the same
     * transaction.  "Paused" is a column of its own, as at the county, and
     * the deadlines are 0 while paused (they were -1). */
    "ALTER TABLE cases RENAME COLUMN fold TO fold_text;"
    "ALTER TABLE cases ADD COLUMN fold BLOB NOT NULL DEFAULT x'';"
    "ALTER TABLE cases ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;"
    "UPDATE cases SET paused = 1, due_ms = 0, legal_due_ms = 0"
    "  WHERE due_ms < 0 OR legal_due_ms < 0;",
};
#define FOLD_PB_VERSION 4 /* the schema version with fold as tb_case_pack() */

static int sql_err(tb_store_t *self, const char *what)
{
    tb_debug("sqlite %s: %s (extended %d, errno %d)", what, sqlite3_errmsg(self->db),
             sqlite3_extended_errcode(self->db), sqlite3_system_errno(self->db));
    int code = sqlite3_errcode(self->db) & 0xff;
    int sys = sqlite3_system_errno(self->db);
    /* A full disk shows as SQLITE_FULL, or as a failed or short write
     * (SQLITE_IOERR_WRITE, errno ENOSPC/EFBIG/EDQUOT or 0). */
    if (code == SQLITE_FULL || sqlite3_extended_errcode(self->db) == SQLITE_IOERR_WRITE ||
        (code == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)))
        return -ENOSPC;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return -EBUSY;
    if (code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN)
        return -EACCES;
    return -TB_ESTORE;
}

static int exec(tb_store_t *self, const char *sql)
{
    if (sqlite3_exec(self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_err(self, sql);
    return 0;
}

static int prep(tb_store_t *self, const char *sql, sqlite3_stmt **ret)
{
    /* Compiled on every call: a few microseconds against an fsync per commit.
     * A statement cache is the next step if profiles ever show it. */
    if (sqlite3_prepare_v2(self->db, sql, -1, ret, NULL) != SQLITE_OK)
        return sql_err(self, sql);
    return 0;
}

/* Migration 4's second half: each fold in the text form (a store written
 * before issue 7) re-encoded as tb_case_pack(), the text emptied.  A text
 * that does not decode stays where it is, and the case reads as a row from
 * before the lifecycle (tb_store_case_get), as it did before. */
static int fold_from_text(tb_store_t *self)
{
    sqlite3_stmt *sel, *up;
    int rc = prep(self, "SELECT case_id, fold_text FROM cases WHERE fold_text <> ''", &sel);
    if (rc < 0)
        return rc;
    if ((rc = prep(self, "UPDATE cases SET fold = ?2, fold_text = '' WHERE case_id = ?1", &up)) <
        0) {
        sqlite3_finalize(sel);
        return rc;
    }
    int s;
    while (rc == 0 && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        tb_case_t c;
        if (tb_case_text_decode((const char *)sqlite3_column_text(sel, 1), &c) < 0)
            continue;
        uint8_t fold[TB_CASE_PACKED_MAX];
        size_t len = tb_case_pack(&c, fold);
        sqlite3_bind_text(up, 1, (const char *)sqlite3_column_text(sel, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(up, 2, fold, (int)len, SQLITE_TRANSIENT);
        if (sqlite3_step(up) != SQLITE_DONE)
            rc = sql_err(self, "fold from text");
        sqlite3_reset(up);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = sql_err(self, "fold from text");
    sqlite3_finalize(up);
    sqlite3_finalize(sel);
    return rc;
}

static int migrate(tb_store_t *self)
{
    /* Under the write lock, so that a daemon and a command opening a new store
     * at the same moment do not both create the schema. */
    int rc = tb_store_begin(self);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st;
    if ((rc = prep(self, "PRAGMA user_version", &st)) < 0) {
        tb_store_rollback(self);
        return rc;
    }
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    int want = (int)(sizeof migrations / sizeof migrations[0]);
    if (version < 0 || version > want)
        rc = -TB_ESTORE; /* a newer program made this store */
    for (int v = version; rc == 0 && v < want; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if ((rc = exec(self, migrations[v])) == 0 && v + 1 == FOLD_PB_VERSION)
            rc = fold_from_text(self);
        if (rc == 0)
            rc = exec(self, pragma);
    }
    if (rc < 0) {
        tb_store_rollback(self);
        return rc;
    }
    return tb_store_commit(self);
}

int tb_store_open(const char *dir, const char *place, tb_store_t **ret_store)
{
    if (!tb_code_valid(place))
        return -TB_EINVAL_CODE;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.db", dir, place) >= sizeof path)
        return -ENAMETOOLONG;
    tb_store_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    strcpy(self->place, place);
    int rc;
    if (sqlite3_open_v2(path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = self->db ? sql_err(self, "open") : -ENOMEM;
        tb_store_destroy(&self);
        return rc;
    }
    sqlite3_busy_timeout(self->db, 5000);
    if ((rc = exec(self, "PRAGMA journal_mode=WAL")) < 0 ||
        (rc = exec(self, "PRAGMA synchronous=FULL")) < 0 || (rc = migrate(self)) < 0) {
        tb_store_destroy(&self);
        return rc;
    }
    *ret_store = self;
    return 0;
}

void tb_store_destroy(tb_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_store_t *self = *self_p;
    if (self->db)
        sqlite3_close_v2(self->db);
    free(self);
    *self_p = NULL;
}

sqlite3 *tb_store_db(tb_store_t *self)
{
    return self->db;
}

const char *tb_store_place(const tb_store_t *self)
{
    return self->place;
}

int tb_store_begin(tb_store_t *self)
{
    return exec(self, "BEGIN IMMEDIATE");
}

int tb_store_commit(tb_store_t *self)
{
    int rc = exec(self, "COMMIT");
    if (rc < 0)
        tb_store_rollback(self);
    return rc;
}

void tb_store_rollback(tb_store_t *self)
{
    if (!sqlite3_get_autocommit(self->db))
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step a statement that returns no rows, then finalize it. */
static int run(tb_store_t *self, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_err(self, sqlite3_sql(st));
    sqlite3_finalize(st);
    return rc;
}

int tb_store_counter_next(tb_store_t *self, const char *name, uint64_t *ret_value)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "INSERT INTO counters(name, value) VALUES(?1, 1) "
                  "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *ret_value = (uint64_t)sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = sql_err(self, "counter");
    }
    sqlite3_finalize(st);
    return rc;
}

int tb_store_case_get(tb_store_t *self, const char *case_id, tb_case_t *ret_case,
                      char ret_origin[TB_CODE_LEN + 1])
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "SELECT state, holder, pending, version, origin, fold, item_code FROM cases"
                  " WHERE case_id = ?1",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        tb_case_t c = {0};
        const void *fold = sqlite3_column_blob(st, 5);
        int len = sqlite3_column_bytes(st, 5);
        if (len <= 0 || tb_case_unpack(fold, (size_t)len, &c) < 0) {
            /* A row from before the lifecycle (schema 1): what it has. */
            memset(&c, 0, sizeof c);
            c.state = tb_state_from_name((const char *)sqlite3_column_text(st, 0));
            snprintf(c.holder, sizeof c.holder, "%s", (const char *)sqlite3_column_text(st, 1));
            snprintf(c.pending, sizeof c.pending, "%s", (const char *)sqlite3_column_text(st, 2));
            c.version = (uint32_t)sqlite3_column_int(st, 3);
            snprintf(c.origin, sizeof c.origin, "%s", (const char *)sqlite3_column_text(st, 4));
            snprintf(c.item, sizeof c.item, "%s", (const char *)sqlite3_column_text(st, 6));
        }
        *ret_case = c;
        if (ret_origin)
            snprintf(ret_origin, TB_CODE_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 4));
        rc = 0;
    } else {
        rc = s == SQLITE_DONE ? -TB_ENOCASE : sql_err(self, "case get");
    }
    sqlite3_finalize(st);
    return rc;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Write a case's row (tb_project) into cases. */
static int project_fold(tb_store_t *self, const char *case_id, const tb_case_t *c, int64_t at_ms)
{
    const tb_item_t *item = self->catalog ? tb_catalog_find(self->catalog, c->item) : NULL;
    tb_projection_t row;
    tb_project(c, item, self->calendar, &row);
    sqlite3_stmt *st;
    int rc = prep(self,
                  "UPDATE cases SET state = ?2, holder = ?3, pending = ?4, version = ?5,"
                  " updated_ms = ?6, fold = ?7, due_ms = ?8, legal_due_ms = ?9, to_bring = ?10,"
                  " rating = ?11, decision = ?12,"
                  " completion_time_ms = CASE WHEN ?13 > 0 THEN ?13 ELSE NULL END, paused = ?14"
                  " WHERE case_id = ?1",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, tb_state_name(row.state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, row.holder, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, row.pending, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, row.version);
    sqlite3_bind_int64(st, 6, at_ms);
    sqlite3_bind_blob(st, 7, row.fold, (int)row.fold_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, row.due_ms);
    sqlite3_bind_int64(st, 9, row.legal_due_ms);
    sqlite3_bind_text(st, 10, row.to_bring, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 11, row.rating);
    sqlite3_bind_int(st, 12, row.decision);
    sqlite3_bind_int64(st, 13, row.completion_ms);
    sqlite3_bind_int(st, 14, row.paused);
    return run(self, st);
}

static int project(tb_store_t *self, const tb_event_msg_t *ev, const tb_case_t *next)
{
    sqlite3_stmt *st;
    int rc;
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED) {
        const Tongban__V1__LedgerRecord *l = ev->ledger;
        rc = prep(self,
                  "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code,"
                  " note, accept_time_ms, result, state, holder, pending, version, updated_ms)"
                  " VALUES(?1, substr(?1, 1, 12), ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', '', '', 0, ?7)"
                  " ON CONFLICT(case_id) DO NOTHING",
                  &st);
        if (rc < 0)
            return rc;
        sqlite3_bind_text(st, 1, ev->case_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, nz(l->client_name), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, nz(l->client_phone), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, nz(l->agent), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, nz(l->item_code), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, nz(l->note), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 7, l->accept_time_ms);
        sqlite3_bind_text(st, 8, nz(l->result), -1, SQLITE_TRANSIENT);
        if ((rc = run(self, st)) < 0)
            return rc;
    } else if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED) {
        if ((rc = prep(self, "UPDATE cases SET rating_comment = ?2 WHERE case_id = ?1", &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, ev->case_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, nz(ev->comment), -1, SQLITE_TRANSIENT);
        if ((rc = run(self, st)) < 0)
            return rc;
    }
    return project_fold(self, ev->case_id, next, ev->at_ms);
}

/* The county refused one of our events: fold the case again from all its
 * events in the order they were recorded, leaving out those the county
 * refused, so the local view matches the county's.  Each event's folded flag
 * is set to what this fold says: events that built on the refused one drop
 * out, and events from above that did not fold on top of it now do. */
static int refold(tb_store_t *self, const char *case_id, int64_t at_ms)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "SELECT rowid, body, rejected <> '', folded FROM events WHERE case_id = ?1"
                  " AND type <> ?2 ORDER BY rowid",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, TB_EV_REJECTED);
    tb_case_t c = {0};
    struct {
        int64_t rowid;
        int folded;
    } flip[512];
    size_t nflip = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int fold = -TB_EILLEGAL;
        if (!sqlite3_column_int(st, 2)) {
            tb_item_msg_t *item = NULL;
            tb_case_t next;
            fold = tb_item_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                                  &item);
            if (fold == 0)
                fold = item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT
                           ? tb_event_fold(&c, item->event, self->catalog, &next)
                           : -TB_EPROTO;
            tb_item_free(&item);
            if (fold == 0)
                c = next;
        }
        if ((fold == 0) != (sqlite3_column_int(st, 3) != 0) &&
            nflip < sizeof flip / sizeof flip[0]) {
            flip[nflip].rowid = sqlite3_column_int64(st, 0);
            flip[nflip++].folded = fold == 0;
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return sql_err(self, "refold");
    for (size_t i = 0; i < nflip; i++) {
        if ((rc = prep(self, "UPDATE events SET folded = ?2 WHERE rowid = ?1", &st)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, flip[i].rowid);
        sqlite3_bind_int(st, 2, flip[i].folded);
        if ((rc = run(self, st)) < 0)
            return rc;
    }
    return project_fold(self, case_id, &c, at_ms);
}

static int apply_rejection(tb_store_t *self, const tb_event_msg_t *ev)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "UPDATE events SET folded = 0, rejected = ?3"
                  " WHERE origin_node = ?1 AND origin_seq = ?2 AND case_id = ?4",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, ev->rejected_origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->rejected_seq);
    sqlite3_bind_text(st, 3, nz(ev->reason), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, ev->case_id, -1, SQLITE_TRANSIENT);
    if ((rc = run(self, st)) < 0)
        return rc;
    tb_case_t c;
    rc = tb_store_case_get(self, ev->case_id, &c, NULL);
    if (rc == -TB_ENOCASE)
        return 0; /* we never had the case */
    return rc < 0 ? rc : refold(self, ev->case_id, ev->at_ms);
}

static int event_exists(tb_store_t *self, const char *origin, uint64_t seq)
{
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT 1 FROM events WHERE origin_node = ?1 AND origin_seq = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    int s = sqlite3_step(st);
    rc = s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : sql_err(self, "exists");
    sqlite3_finalize(st);
    return rc;
}

int tb_store_apply(tb_store_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                   bool record_illegal, int *ret_fold)
{
    int rc = event_exists(self, ev->origin_node, ev->origin_seq);
    if (rc != 0)
        return rc;
    bool rejection = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    tb_case_t cur = {0}, next;
    rc = tb_store_case_get(self, ev->case_id, &cur, NULL);
    if (rc < 0 && rc != -TB_ENOCASE)
        return rc;
    int fold;
    if (rejection) /* the county's verdict on an event, not a step of the case */
        /* ... and only our own county's (the first six digits are the county). */
        fold = tb_code_level(ev->origin_node) == TB_LEVEL_COUNTY &&
                       strncmp(ev->origin_node, self->place, 6) == 0
                   ? 0
                   : -TB_EAUTHORITY;
    else
        fold = tb_event_fold(&cur, ev, self->catalog, &next);
    if (ret_fold)
        *ret_fold = fold;
    if (fold < 0 && !record_illegal)
        return fold;

    char detail[1024];
    tb_event_detail(ev, detail, sizeof detail);
    sqlite3_stmt *st;
    rc = prep(self,
              "INSERT INTO events(origin_node, origin_seq, case_id, type, actor, at_ms, target,"
              " reason, body, recorded_ms, folded, detail)"
              " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
              &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, ev->origin_node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->origin_seq);
    sqlite3_bind_text(st, 3, ev->case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, ev->type);
    sqlite3_bind_text(st, 5, nz(ev->actor), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, ev->at_ms);
    sqlite3_bind_text(st, 7, nz(ev->target), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, nz(ev->reason), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 9, body, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, tb_now_ms());
    sqlite3_bind_int(st, 11, fold == 0);
    sqlite3_bind_text(st, 12, detail, -1, SQLITE_TRANSIENT);
    if ((rc = run(self, st)) < 0)
        return rc;
    if (fold < 0)
        return 0;
    return rejection ? apply_rejection(self, ev) : project(self, ev, &next);
}

int tb_store_refresh_due(tb_store_t *self)
{
    /* Deadlines depend on the calendar: recompute every open case's. */
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT case_id, fold, updated_ms FROM cases WHERE length(fold) > 0", &st);
    if (rc < 0)
        return rc;
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        tb_case_t c;
        if (tb_case_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &c) ==
            0)
            rc = project_fold(self, (const char *)sqlite3_column_text(st, 0), &c,
                              sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    return rc;
}

int tb_store_enqueue(tb_store_t *self, const char *peer, const uint8_t *body, size_t len,
                     uint64_t *ret_seq)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "INSERT INTO link_out(peer, last, acked) VALUES(?1, 1, 0) "
                  "ON CONFLICT(peer) DO UPDATE SET last = last + 1 RETURNING last",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    uint64_t seq = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        seq = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = sql_err(self, "link_out");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = prep(self, "INSERT INTO outbox(peer, seq, body) VALUES(?1, ?2, ?3)", &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_TRANSIENT);
    if ((rc = run(self, st)) < 0)
        return rc;
    if (ret_seq)
        *ret_seq = seq;
    return 0;
}

int tb_store_emit(tb_store_t *self, tb_event_msg_t *ev, const char *const *peers)
{
    uint64_t seq;
    int rc = tb_store_counter_next(self, "event", &seq);
    if (rc < 0)
        return rc;
    ev->origin_node = self->place;
    ev->origin_seq = seq;
    if (!ev->at_ms)
        ev->at_ms = tb_now_ms();
    if ((rc = tb_event_check(ev)) < 0)
        return rc;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = ev;
    uint8_t *buf;
    size_t len;
    if ((rc = tb_pack_item(&item, &buf, &len)) < 0)
        return rc;
    rc = tb_store_apply(self, ev, buf, len, false, NULL);
    for (size_t i = 0; rc == 0 && peers && peers[i]; i++)
        rc = tb_store_enqueue(self, peers[i], buf, len, NULL);
    free(buf);
    return rc == 1 ? -TB_ESTORE : rc;
}

int tb_store_county_status(tb_store_t *self, const Tongban__V1__StatusUpdate *s)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "UPDATE cases SET county_state = ?2, county_version = ?3"
                  " WHERE case_id = ?1 AND county_version < ?3",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, s->case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, (int)s->version);
    return run(self, st);
}

int tb_store_cursor_get(tb_store_t *self, const char *peer, uint64_t *ret_cursor)
{
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT cursor FROM link_in WHERE peer = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *ret_cursor = (uint64_t)sqlite3_column_int64(st, 0);
    else if (s == SQLITE_DONE)
        *ret_cursor = 0;
    else
        rc = sql_err(self, "cursor");
    sqlite3_finalize(st);
    return rc;
}

int tb_store_cursor_set(tb_store_t *self, const char *peer, uint64_t cursor)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "INSERT INTO link_in(peer, cursor) VALUES(?1, ?2) "
                  "ON CONFLICT(peer) DO UPDATE SET cursor = excluded.cursor",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)cursor);
    return run(self, st);
}

int tb_store_out_get(tb_store_t *self, const char *peer, uint64_t *ret_last, uint64_t *ret_acked)
{
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT last, acked FROM link_out WHERE peer = ?1", &st);
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
        rc = sql_err(self, "link_out get");
    }
    sqlite3_finalize(st);
    return rc;
}

int tb_store_ack(tb_store_t *self, const char *peer, uint64_t ack)
{
    sqlite3_stmt *st;
    int rc;
    if ((rc = prep(self, "UPDATE link_out SET acked = ?2 WHERE peer = ?1 AND acked < ?2", &st)) ==
        0) {
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ack);
        rc = run(self, st);
    }
    if (rc == 0 &&
        (rc = prep(self, "DELETE FROM outbox WHERE peer = ?1 AND seq <= ?2", &st)) == 0) {
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ack);
        rc = run(self, st);
    }
    return rc;
}

int tb_store_quarantine(tb_store_t *self, const char *peer, uint64_t seq, const uint8_t *body,
                        size_t len, const char *why)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "INSERT INTO quarantine(peer, seq, body, why, at_ms)"
                  " VALUES(?1, ?2, ?3, ?4, ?5)",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, tb_now_ms());
    return run(self, st);
}

int tb_store_outbox_get(tb_store_t *self, const char *peer, uint64_t seq, uint8_t **ret_buf,
                        size_t *ret_len)
{
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT body FROM outbox WHERE peer = ?1 AND seq = ?2", &st);
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
        rc = s == SQLITE_DONE ? -ENOENT : sql_err(self, "outbox get");
    }
    sqlite3_finalize(st);
    return rc;
}

int tb_store_backlog(tb_store_t *self, uint64_t *ret_n)
{
    sqlite3_stmt *st;
    int rc = prep(self, "SELECT count(*) FROM outbox", &st);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *ret_n = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = sql_err(self, "backlog");
    sqlite3_finalize(st);
    return rc;
}

int tb_store_data_newest(tb_store_t *self, const char *kind, uint32_t *ret_version, char **ret_body,
                         size_t *ret_len)
{
    sqlite3_stmt *st;
    int rc = prep(self,
                  "SELECT version, body FROM data_versions WHERE kind = ?1"
                  " ORDER BY version DESC LIMIT 1",
                  &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        const void *b = sqlite3_column_blob(st, 1);
        char *body = malloc(len + 1);
        if (!body) {
            rc = -ENOMEM;
        } else {
            if (len)
                memcpy(body, b, len);
            body[len] = '\0';
            if (ret_version)
                *ret_version = (uint32_t)sqlite3_column_int64(st, 0);
            if (ret_body)
                *ret_body = body;
            else
                free(body);
            if (ret_len)
                *ret_len = len;
        }
    } else {
        rc = s == SQLITE_DONE ? -ENOENT : sql_err(self, "data_versions");
    }
    sqlite3_finalize(st);
    return rc;
}

int tb_store_data_put(tb_store_t *self, const char *kind, uint32_t version, const uint8_t *body,
                      size_t len)
{
    uint32_t have = 0;
    int rc = tb_store_data_newest(self, kind, &have, NULL, NULL);
    if (rc < 0 && rc != -ENOENT)
        return rc;
    if (rc == 0 && version <= have)
        return 1;
    sqlite3_stmt *st;
    if ((rc = prep(self,
                   "INSERT INTO data_versions(kind, version, body, received_ms)"
                   " VALUES(?1, ?2, ?3, ?4)",
                   &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)version);
    sqlite3_bind_blob(st, 3, len ? (const void *)body : "", (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)tb_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_err(self, "data_versions");
    sqlite3_finalize(st);
    return rc;
}
