/* tb_store_order.c: the order a case's events are folded in, and the refold
 * (tb_store_int.h says which part of the store is where).
 *
 * One order (issue 9): every tier folds a case's events in the county's
 * order.  The county names the events it folded, with their positions, in
 * each StatusUpdate (proto StatusUpdate.folded); tb_store_county_status keeps
 * those positions in case_order.  A case's order is then:
 *
 *   1. its confirmed events: those at positions 1..M, M the longest run of
 *      positions from 1 whose events this store holds, by position;
 *   2. every other event (our own not confirmed yet, one from above the
 *      county has not folded yet, one beyond a gap), in the order this store
 *      recorded them (rowid).
 *
 * The projection in cases is always the fold of the case's events in that
 * order.  A new event without a position goes last in it, so recording it
 * folds it on top (tb_store_apply, as before); anything that changes the
 * order refolds the case from its first event: a confirmation that puts
 * events in another order (or fills a gap), an event that arrives after its
 * position, a REJECTED of one of its events.  Each event is folded under
 * the catalog version it was checked under when it was recorded
 * (events.catalog_version): the catalog in force, else that version's body
 * kept in data_versions, else (version 0) the shipped file.
 *
 * What the row knows of its order, so that a status update need not read the
 * events: tb_store_known.c. */
#include "tb_store_int.h"

#include "tb_error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t rowid, pos; /* pos: the county's position, 0 when none is known */
    char origin[TB_CODE_LEN + 1]; /* the event's id ("" when longer: matches no id) */
    uint64_t seq;
    uint8_t *body;
    size_t len;
    bool rejected, folded;
    uint32_t catalog_version;
    bool confirmed; /* pos in 1..M (ord_t) */
    int64_t key;    /* pos when confirmed, else rowid */
} ord_row_t;

typedef struct {
    ord_row_t *v;
    size_t n;
    int64_t confirmed; /* M: positions 1..M are held here */
} ord_t;

static void ord_free(ord_t *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].body);
    free(o->v);
    memset(o, 0, sizeof *o);
}

static int by_pos(const void *a, const void *b)
{
    const ord_row_t *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Fold order: the confirmed ones (pos 1..M) by position, then the rest by
 * rowid; order_load puts each row's place in key. */
static int by_key(const void *a, const void *b)
{
    const ord_row_t *x = a, *y = b;
    if (x->confirmed != y->confirmed)
        return x->confirmed ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* o's rows (each with its pos) into fold order. */
static void order_sort(ord_t *o)
{
    /* M: sort by position to find the run 1..M, then into fold order. */
    o->confirmed = 0;
    if (o->n) /* o->v is NULL for a case with no event: qsort wants an array */
        qsort(o->v, o->n, sizeof *o->v, by_pos);
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].pos == o->confirmed + 1)
            o->confirmed++;
    for (size_t i = 0; i < o->n; i++) {
        o->v[i].confirmed = o->v[i].pos >= 1 && o->v[i].pos <= o->confirmed;
        o->v[i].key = o->v[i].confirmed ? o->v[i].pos : o->v[i].rowid;
    }
    if (o->n)
        qsort(o->v, o->n, sizeof *o->v, by_key);
}

/* The events of case_id (but REJECTED verdicts, which are not steps of the
 * case) in fold order; with their bodies when bodies is set. */
static int order_load(tb_store_t *self, const char *case_id, bool bodies, ord_t *ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT e.rowid, coalesce((SELECT min(o.pos) FROM case_order o"
                           " WHERE o.case_id = e.case_id AND o.origin_node = e.origin_node"
                           " AND o.origin_seq = e.origin_seq), 0),"
                           " CASE WHEN ?3 THEN e.body END, e.rejected <> '',"
                           " e.folded, e.catalog_version, e.origin_node, e.origin_seq FROM events e"
                           " WHERE e.case_id = ?1 AND e.type <> ?2 ORDER BY e.rowid",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, TB_EV_REJECTED);
    sqlite3_bind_int(st, 3, bodies); /* a status update's check reads no body */
    ord_t o = {0};
    size_t cap = 0;
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (o.n == cap) {
            size_t ncap = cap ? 2 * cap : 32;
            ord_row_t *v = realloc(o.v, ncap * sizeof *v);
            if (!v) {
                rc = -ENOMEM;
                break;
            }
            o.v = v;
            cap = ncap;
        }
        ord_row_t *r = &o.v[o.n];
        memset(r, 0, sizeof *r);
        r->rowid = sqlite3_column_int64(st, 0);
        r->pos = sqlite3_column_int64(st, 1);
        r->rejected = sqlite3_column_int(st, 3) != 0;
        r->folded = sqlite3_column_int(st, 4) != 0;
        r->catalog_version = (uint32_t)sqlite3_column_int64(st, 5);
        const char *origin = (const char *)sqlite3_column_text(st, 6);
        if (origin && strlen(origin) <= TB_CODE_LEN)
            memcpy(r->origin, origin, strlen(origin) + 1);
        r->seq = (uint64_t)sqlite3_column_int64(st, 7);
        if (bodies) {
            r->len = (size_t)sqlite3_column_bytes(st, 2);
            if (!(r->body = malloc(r->len ? r->len : 1))) {
                rc = -ENOMEM;
                break;
            }
            if (r->len)
                memcpy(r->body, sqlite3_column_blob(st, 2), r->len);
        }
        o.n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "case order");
    tb_store_done(self, st);
    if (rc < 0) {
        ord_free(&o);
        return rc;
    }
    order_sort(&o);
    *ret = o;
    return 0;
}

/* The catalogs of the versions a refold meets, each loaded once. */
typedef struct {
    uint32_t version[8];
    tb_catalog_t *catalog[8];
    size_t n;
} catalogs_t;

static void catalogs_free(catalogs_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        tb_catalog_destroy(&c->catalog[i]);
    c->n = 0;
}

/* The catalog of version v: the one in force, a version kept in
 * data_versions, or the shipped file for 0.  One this store cannot find
 * (a store older than the versions it holds) is the catalog in force. */
static const tb_catalog_t *catalog_of(tb_store_t *self, uint32_t v, catalogs_t *c)
{
    uint32_t now = self->catalog_version ? *self->catalog_version : 0;
    if (v == now || !self->catalog)
        return self->catalog;
    for (size_t i = 0; i < c->n; i++)
        if (c->version[i] == v)
            return c->catalog[i];
    if (c->n == sizeof c->version / sizeof c->version[0])
        return self->catalog;
    tb_catalog_t *cat = tb_catalog_new();
    int rc = cat ? -ENOENT : -ENOMEM, line;
    if (cat && v == 0 && self->shipped_catalog) {
        rc = tb_catalog_load(cat, self->shipped_catalog, &line);
    } else if (cat && v > 0) {
        sqlite3_stmt *st;
        if ((rc = tb_store_stmt(self,
                                "SELECT body FROM data_versions WHERE kind = 'catalog'"
                                " AND version = ?1",
                                &st)) == 0) {
            sqlite3_bind_int64(st, 1, v);
            rc = sqlite3_step(st) == SQLITE_ROW
                     ? tb_catalog_load_buf(cat, sqlite3_column_blob(st, 0),
                                           (size_t)sqlite3_column_bytes(st, 0), &line)
                     : -ENOENT;
            tb_store_done(self, st);
        }
    }
    if (rc < 0) {
        tb_catalog_destroy(&cat);
        return self->catalog;
    }
    c->version[c->n] = v;
    c->catalog[c->n++] = cat;
    return cat;
}

/* Fold case_id again from all its events in fold order, leaving out those
 * the county refused, each under its own catalog version.  Each event's
 * folded flag is set to what this fold says: events that built on a refused
 * one drop out, and events that did not fold on top of it (or in the order
 * this store had) now do. */
int tb_store_refold(tb_store_t *self, const char *case_id, int64_t at_ms)
{
    ord_t o;
    int rc = order_load(self, case_id, true, &o);
    if (rc < 0)
        return rc;
    tb_case_t c = {0};
    catalogs_t cats = {0};
    /* The rating's comment is not in the fold (tb_projection.h): it is the
     * comment of the last RATED event that still folds, "" if none does. */
    char *comment = NULL;
    for (size_t i = 0; rc == 0 && i < o.n; i++) {
        ord_row_t *r = &o.v[i];
        int fold = -TB_EILLEGAL;
        if (!r->rejected) {
            tb_item_msg_t *item = NULL;
            tb_case_t next;
            fold = tb_item_decode(r->body, r->len, &item);
            if (fold == 0)
                fold = item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT
                           ? tb_event_fold(&c, item->event,
                                           catalog_of(self, r->catalog_version, &cats), &next)
                           : -TB_EPROTO;
            if (fold == 0 && item->event->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED) {
                free(comment);
                const char *text = item->event->comment ? item->event->comment : "";
                if (!(comment = strdup(text)))
                    rc = -ENOMEM;
            }
            tb_item_free(&item);
            if (fold == 0)
                c = next;
        }
        if (rc == 0 && (fold == 0) != r->folded) {
            sqlite3_stmt *st;
            if ((rc = tb_store_stmt(self, "UPDATE events SET folded = ?2 WHERE rowid = ?1", &st)) ==
                0) {
                sqlite3_bind_int64(st, 1, r->rowid);
                sqlite3_bind_int(st, 2, fold == 0);
                rc = tb_store_run(self, st);
            }
        }
    }
    catalogs_free(&cats);
    ord_free(&o);
    sqlite3_stmt *st;
    if (rc == 0 &&
        (rc = tb_store_stmt(self, "UPDATE cases SET rating_comment = ?2 WHERE case_id = ?1",
                            &st)) == 0) {
        sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, comment ? comment : "", -1, SQLITE_TRANSIENT);
        rc = tb_store_run(self, st);
    }
    free(comment);
    return rc < 0 ? rc : tb_store_project_fold(self, case_id, &c, at_ms);
}

/* Whether two loads put the same events in the same order. */
static bool same_order(const ord_t *a, const ord_t *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].rowid != b->v[i].rowid)
            return false;
    return true;
}

/* One INSERT OR REPLACE into case_order for n rows (1..POS_ROWS): a status
 * update names a case's events folded in one county batch, most often two
 * or three; until edge18 a statement each. */
enum { POS_ROWS = 4 };
#define POS_INSERT "INSERT OR REPLACE INTO case_order(case_id, pos, origin_node, origin_seq) VALUES"
static const char *const pos_sql[POS_ROWS + 1] = {
    NULL,
    POS_INSERT "(?1, ?2, ?3, ?4)",
    POS_INSERT "(?1, ?2, ?3, ?4), (?1, ?5, ?6, ?7)",
    POS_INSERT "(?1, ?2, ?3, ?4), (?1, ?5, ?6, ?7), (?1, ?8, ?9, ?10)",
    POS_INSERT "(?1, ?2, ?3, ?4), (?1, ?5, ?6, ?7), (?1, ?8, ?9, ?10), (?1, ?11, ?12, ?13)",
};

typedef struct {
    int64_t pos;
    char origin[TB_CODE_LEN + 1];
    uint64_t seq;
} pos_row_t;

/* Write rows[0..n) of case_id's positions (n <= POS_ROWS: keep_positions
 * writes a full rows[] before it takes another) in one statement, in order
 * (a later row for the same position replaces an earlier one, as one
 * statement each did). */
static int positions_write(tb_store_t *self, const char *case_id, const pos_row_t *rows, size_t n)
{
    if (n == 0)
        return 0;
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, pos_sql[n], &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, (int)(2 + 3 * i), rows[i].pos);
        sqlite3_bind_text(st, (int)(3 + 3 * i), rows[i].origin, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, (int)(4 + 3 * i), (sqlite3_int64)rows[i].seq);
    }
    return tb_store_run(self, st);
}

/* The positions a StatusUpdate names: the k ids hold version-k+1..version.
 * With now (the case's events in fold order, before), written only where
 * now does not show them already, and now's rows given them (*ret_exact
 * false when now cannot say what the order becomes: an event here loses
 * the position it was placed by, so its place depends on rows not loaded). */
static int keep_positions(tb_store_t *self, const Tongban__V1__StatusUpdate *s, ord_t *now,
                          bool *ret_exact)
{
    pos_row_t rows[POS_ROWS];
    size_t nrows = 0;
    int rc = 0;
    bool exact = true;
    for (size_t i = 0; rc == 0 && i < s->n_folded; i++) {
        char origin[TB_CODE_LEN + 1];
        uint64_t seq;
        if (tb_event_id_parse(s->folded[i], origin, &seq) < 0)
            return -TB_EPROTO; /* tb_item_decode refused it already */
        int64_t pos = (int64_t)(s->version - s->n_folded + 1 + i);
        ord_row_t *mine = NULL;
        for (size_t k = 0; k < now->n; k++) {
            ord_row_t *r = &now->v[k];
            if (r->seq == seq && strcmp(r->origin, origin) == 0)
                mine = r;
            else if (r->pos == pos)
                exact = false; /* replaced: its next position is not loaded */
        }
        if (mine && mine->pos == pos)
            continue; /* its row is there: min(pos) is this very one */
        if (mine && (mine->pos == 0 || pos < mine->pos))
            mine->pos = pos; /* its min(pos) with this row */
        if (nrows == POS_ROWS) {
            rc = positions_write(self, s->case_id, rows, nrows);
            nrows = 0;
        }
        rows[nrows].pos = pos;
        memcpy(rows[nrows].origin, origin, sizeof origin);
        rows[nrows++].seq = seq;
    }
    if (rc == 0)
        rc = positions_write(self, s->case_id, rows, nrows);
    if (rc == 0)
        *ret_exact = exact;
    return rc;
}

/* All of s's positions, none held before (tb_store_extends_order), POS_ROWS a
 * statement. */
static int positions_all(tb_store_t *self, const Tongban__V1__StatusUpdate *s)
{
    pos_row_t rows[POS_ROWS];
    size_t nrows = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_folded; i++) {
        if (nrows == POS_ROWS) {
            rc = positions_write(self, s->case_id, rows, nrows);
            nrows = 0;
        }
        if (tb_event_id_parse(s->folded[i], rows[nrows].origin, &rows[nrows].seq) < 0)
            return -TB_EPROTO; /* tb_item_decode refused it already */
        rows[nrows++].pos = (int64_t)(s->version - s->n_folded + 1 + i);
    }
    return rc < 0 ? rc : positions_write(self, s->case_id, rows, nrows);
}

/* What the row can know of the order o (the case's events in fold order,
 * after a status update's positions were written): the confirmed ones are
 * the positions 1..M and no other is held (the highest position kept for
 * the case is M), the rest have none.  Written into ret (m -1: it cannot). */
static int order_known(tb_store_t *self, const char *case_id, const ord_t *o, row_order_t *ret)
{
    ret->m = -1;
    ret->tail[0] = '\0';
    sqlite3_stmt *st;
    int rc =
        tb_store_stmt(self, "SELECT coalesce(max(pos), 0) FROM case_order WHERE case_id = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    int64_t top = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        top = sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "case order top");
    tb_store_done(self, st);
    if (rc < 0 || top != o->confirmed)
        return rc;
    for (size_t i = 0; i < o->n; i++) {
        const ord_row_t *r = &o->v[i];
        if (r->confirmed)
            continue;
        if (r->pos != 0 || !r->origin[0] ||
            !tb_store_order_add(ret->tail, sizeof ret->tail, r->origin, r->seq)) {
            ret->tail[0] = '\0';
            return 0;
        }
    }
    ret->m = o->confirmed;
    return 0;
}

/* The county's state (when newer) and what the row knows of its order (known
 * false: leave it as it is). */
static int county_state_write(tb_store_t *self, const Tongban__V1__StatusUpdate *s, bool known,
                              int64_t m, const char *tail)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "UPDATE cases SET county_state = CASE WHEN county_version < ?3"
                           " THEN ?2 ELSE county_state END,"
                           " county_version = max(county_version, ?3),"
                           " order_m = CASE WHEN ?4 THEN ?5 ELSE order_m END,"
                           " order_tail = CASE WHEN ?4 THEN ?6 ELSE order_tail END"
                           " WHERE case_id = ?1",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, s->case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, (int)s->version);
    sqlite3_bind_int(st, 4, known);
    if (known && m >= 0) {
        sqlite3_bind_int64(st, 5, m);
        sqlite3_bind_text(st, 6, tail, -1, SQLITE_TRANSIENT);
    } /* else NULL and NULL: not known */
    return tb_store_run(self, st);
}

int tb_store_county_status(tb_store_t *self, const Tongban__V1__StatusUpdate *s)
{
    row_order_t r;
    int rc = tb_store_row_order_read(self, s->case_id, &r);
    if (rc < 0 || !r.found)
        return rc; /* not a case of ours */
    if (s->n_folded == 0 || s->n_folded > s->version)
        return county_state_write(self, s, false, 0, NULL);
    /* The common case (every case relayed in bulk): the update places the
     * events this store recorded next, in the order it recorded them, so
     * the order does not change: the positions are written and the row
     * knows them, without reading the case's events (until 2026-12-02 every
     * update read them: a fifth of a township's CPU in the end to end drain,
     * a third of a village's, bench/RESULTS.md edge20). */
    const char *rest;
    if (tb_store_extends_order(&r, s, &rest)) {
        row_order_t next;
        snprintf(next.tail, sizeof next.tail, "%s", rest);
        if ((rc = positions_all(self, s)) < 0)
            return rc;
        return county_state_write(self, s, true, (int64_t)s->version, next.tail);
    }
    /* The confirmation refolds the case only when it changes the order: the
     * order after is the one before with the new positions, worked out here
     * (until 2026-12-01 the case's events were read again after the write, a
     * second read per status update); read again only when it cannot be. */
    ord_t before, after = {0};
    if ((rc = order_load(self, s->case_id, false, &before)) < 0)
        return rc;
    if (before.n && !(after.v = malloc(before.n * sizeof *after.v)))
        rc = -ENOMEM;
    if (rc == 0) {
        if (before.n)
            memcpy(after.v, before.v, before.n * sizeof *after.v); /* no bodies: nothing owned */
        after.n = before.n;
        bool exact = true;
        rc = keep_positions(self, s, &after, &exact);
        if (rc == 0 && !exact) {
            ord_free(&after);
            rc = order_load(self, s->case_id, false, &after);
        } else if (rc == 0) {
            order_sort(&after);
        }
    }
    if (rc == 0 && !same_order(&before, &after))
        rc = tb_store_refold(self, s->case_id, s->at_ms);
    /* What the row knows from here on (the next update may take the common
     * case), with the county's state. */
    if (rc == 0 && (rc = order_known(self, s->case_id, &after, &r)) == 0)
        rc = county_state_write(self, s, true, r.m, r.tail);
    ord_free(&after);
    ord_free(&before);
    return rc;
}
