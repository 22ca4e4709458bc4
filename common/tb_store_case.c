/* tb_store_case.c: events and the cases projection of the store
 * (tb_store_int.h says which part of the store is where). */
#include "tb_store_int.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_projection.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The case in the columns state, holder, pending, version, origin, fold,
 * item_code of st's row, from column at on. */
static void case_of_row(sqlite3_stmt *st, int at, tb_case_t *ret_case)
{
    tb_case_t c = {0};
    const void *fold = sqlite3_column_blob(st, at + 5);
    int len = sqlite3_column_bytes(st, at + 5);
    if (len <= 0 || tb_case_unpack(fold, (size_t)len, &c) < 0) {
        /* A row from before the lifecycle (schema 1): what it has. */
        memset(&c, 0, sizeof c);
        c.state = tb_state_from_name((const char *)sqlite3_column_text(st, at));
        snprintf(c.holder, sizeof c.holder, "%s", (const char *)sqlite3_column_text(st, at + 1));
        snprintf(c.pending, sizeof c.pending, "%s", (const char *)sqlite3_column_text(st, at + 2));
        c.version = (uint32_t)sqlite3_column_int(st, at + 3);
        snprintf(c.origin, sizeof c.origin, "%s", (const char *)sqlite3_column_text(st, at + 4));
        snprintf(c.item, sizeof c.item, "%s", (const char *)sqlite3_column_text(st, at + 6));
    }
    *ret_case = c;
}

int tb_store_case_get(tb_store_t *self, const char *case_id, tb_case_t *ret_case,
                      char ret_origin[TB_CODE_LEN + 1])
{
    sqlite3_stmt *st;
    int rc =
        tb_store_stmt(self,
                      "SELECT state, holder, pending, version, origin, fold, item_code FROM cases"
                      " WHERE case_id = ?1",
                      &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        case_of_row(st, 0, ret_case);
        if (ret_origin)
            snprintf(ret_origin, TB_CODE_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 4));
        rc = 0;
    } else {
        rc = s == SQLITE_DONE ? -TB_ENOCASE : tb_store_sql_err(self, "case get");
    }
    tb_store_done(self, st);
    return rc;
}

/* What tb_store_apply reads before it writes, in one statement: ev's case
 * (*ret_case zeroed when there is none) and whether the county's order
 * places ev already (*ret_placed: a row of case_order names it, among ev's
 * case's positions: the key's prefix, since edge migration 14 no index by
 * event id).  Until
 * 2026-12-01 two statements, and a third asking whether ev was recorded
 * (now the insert says so, tb_store_apply). */
static int case_and_position(tb_store_t *self, const tb_event_msg_t *ev, tb_case_t *ret_case,
                             bool *ret_placed)
{
    sqlite3_stmt *st;
    int rc;
    if (self->proj.pending && strcmp(self->proj.case_id, ev->case_id) == 0) {
        /* The case folded last in this transaction, not written yet: its
         * fold is here; only whether the county placed ev is read. */
        if ((rc = tb_store_stmt_keep(self,
                                     "SELECT EXISTS(SELECT 1 FROM case_order WHERE case_id = ?1"
                                     " AND origin_node = ?2 AND origin_seq = ?3)",
                                     &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, ev->case_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ev->origin_node, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->origin_seq);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *ret_case = self->proj.c;
            *ret_placed = sqlite3_column_int(st, 0) != 0;
        } else {
            rc = tb_store_sql_err(self, "position");
        }
        tb_store_done(self, st);
        return rc;
    }
    /* Another case's row, or none pending: the pending row (of another
     * case) is not read here, so it stays pending. */
    rc = tb_store_stmt_keep(
        self,
        "SELECT c.state, c.holder, c.pending, c.version, c.origin, c.fold, c.item_code,"
        " c.case_id IS NOT NULL, EXISTS(SELECT 1 FROM case_order"
        " WHERE case_id = ?1 AND origin_node = ?2 AND origin_seq = ?3)"
        " FROM (SELECT 1) LEFT JOIN cases c ON c.case_id = ?1",
        &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, ev->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ev->origin_node, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->origin_seq);
    if (sqlite3_step(st) == SQLITE_ROW) {
        tb_case_t c = {0};
        if (sqlite3_column_int(st, 7))
            case_of_row(st, 0, &c);
        *ret_case = c;
        *ret_placed = sqlite3_column_int(st, 8) != 0;
    } else {
        rc = tb_store_sql_err(self, "case and position");
    }
    tb_store_done(self, st);
    return rc;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* The columns of the cases row that follow the fold: ?2..?15 (?1 the case). */
#define FOLD_SET                                                                                   \
    "state = ?2, holder = ?3, pending = ?4, version = ?5,"                                         \
    " updated_ms = ?6, fold = ?7, due_ms = ?8, legal_due_ms = ?9, to_bring = ?10,"                 \
    " rating = ?11, decision = ?12,"                                                               \
    " completion_time_ms = CASE WHEN ?13 > 0 THEN ?13 ELSE NULL END, paused = ?14,"                \
    " followup = ?15"

/* Compile sql (a statement with FOLD_SET's parameters) and bind case_id and
 * tb_project of c to them.  Bound without copies: case_id and self->row
 * (the projection) stay as they are until the caller's step, which follows
 * at once with no other statement asked for.  The statement is asked for
 * first: tb_store_stmt may write the pending row through this very function
 * (tb_store_proj_flush), which fills self->row with that row. */
static int fold_stmt(tb_store_t *self, const char *sql, const char *case_id, const tb_case_t *c,
                     int64_t at_ms, sqlite3_stmt **ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, sql, &st);
    if (rc < 0)
        return rc;
    const tb_item_t *item = self->catalog ? tb_catalog_find(self->catalog, c->item) : NULL;
    tb_projection_t *row = &self->row;
    tb_project(c, item, self->calendar, row);
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tb_state_name(row->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, row->holder, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->pending, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, row->version);
    sqlite3_bind_int64(st, 6, at_ms);
    sqlite3_bind_blob(st, 7, row->fold, (int)row->fold_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, row->due_ms);
    sqlite3_bind_int64(st, 9, row->legal_due_ms);
    sqlite3_bind_text(st, 10, row->to_bring, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, row->rating);
    sqlite3_bind_int(st, 12, row->decision);
    sqlite3_bind_int64(st, 13, row->completion_ms);
    sqlite3_bind_int(st, 14, row->paused);
    sqlite3_bind_int(st, 15, row->followup);
    *ret = st;
    return 0;
}

int tb_store_project_fold(tb_store_t *self, const char *case_id, const tb_case_t *c, int64_t at_ms)
{
    sqlite3_stmt *st;
    int rc = fold_stmt(self, "UPDATE cases SET " FOLD_SET " WHERE case_id = ?1", case_id, c, at_ms,
                       &st);
    return rc < 0 ? rc : tb_store_run(self, st);
}

/* What the row knows of its order (tb_store_order.c) after the events
 * folded into it: ?24 their ids, appended to order_tail; ?23 set when the
 * row no longer knows (both NULL then).  A row that did not know still does
 * not. */
#define ORDER_ADD                                                                                  \
    ", order_m = CASE WHEN ?23 THEN NULL ELSE order_m END,"                                        \
    " order_tail = CASE WHEN ?23 OR order_m IS NULL THEN NULL WHEN ?24 = '' THEN order_tail"       \
    " WHEN order_tail = '' THEN ?24 ELSE order_tail || ' ' || ?24 END"

static void order_bind(sqlite3_stmt *st, const char *tail_add, bool lost)
{
    sqlite3_bind_int(st, 23, lost);
    sqlite3_bind_text(st, 24, tail_add, -1, SQLITE_STATIC); /* the caller's, past the step */
}

/* tb_store_project_fold, and the ids of the events folded into the row
 * added to its order_tail (lost: the row no longer knows its order). */
static int project_events(tb_store_t *self, const char *case_id, const tb_case_t *c, int64_t at_ms,
                          const char *tail_add, bool lost)
{
    sqlite3_stmt *st;
    int rc = fold_stmt(self, "UPDATE cases SET " FOLD_SET ORDER_ADD " WHERE case_id = ?1", case_id,
                       c, at_ms, &st);
    if (rc < 0)
        return rc;
    order_bind(st, tail_add, lost);
    return tb_store_run(self, st);
}

#define LOGGED_INSERT                                                                              \
    "INSERT INTO cases(case_id, origin, client_name, client_phone, agent,"                         \
    " item_code, note, accept_time_ms, result, state, holder, pending,"                            \
    " version, updated_ms, fold, due_ms, legal_due_ms, to_bring, rating,"                          \
    " decision, completion_time_ms, paused, followup, order_m, order_tail)"                        \
    " VALUES(?1, substr(?1, 1, 12), ?16, ?17, ?18, ?19, ?20, ?21, ?22,"                            \
    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"                                              \
    " CASE WHEN ?13 > 0 THEN ?13 ELSE NULL END, ?14, ?15,"                                         \
    " CASE WHEN ?23 THEN NULL ELSE 0 END, CASE WHEN ?23 THEN NULL ELSE ?24 END)"                   \
    " ON CONFLICT(case_id) DO UPDATE SET " FOLD_SET ORDER_ADD

/* The ledger's row and its fold in one statement (until 2026-12-01 an
 * insert, then the update every event makes); a row there already keeps
 * its ledger and takes the fold.  l: client_name, client_phone, agent,
 * item_code, note, result. */
static int logged_insert(tb_store_t *self, const char *case_id, const tb_case_t *c, int64_t at_ms,
                         const char *const l[6], int64_t accept_time_ms, const char *tail_add,
                         bool lost)
{
    sqlite3_stmt *st;
    int rc = fold_stmt(self, LOGGED_INSERT, case_id, c, at_ms, &st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(st, 16 + i, nz(l[i]), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 21, accept_time_ms);
    sqlite3_bind_text(st, 22, nz(l[5]), -1, SQLITE_STATIC);
    order_bind(st, tail_add, lost);
    return tb_store_run(self, st);
}

/* Free the pending row's ledger copies (one allocation, ledger[0]'s) and
 * mark it as having none. */
static void ledger_free(tb_store_proj_t *p)
{
    free(p->ledger[0]);
    memset(p->ledger, 0, sizeof p->ledger);
    p->logged = false;
}

/* Copy the six ledger strings (NULL as "") into one allocation. */
static int ledger_copy(tb_store_proj_t *p, const char *const ledger[6])
{
    size_t len[6], total = 0;
    for (int i = 0; i < 6; i++)
        total += (len[i] = strlen(nz(ledger[i]))) + 1;
    char *buf = malloc(total);
    if (!buf)
        return -ENOMEM;
    for (int i = 0; i < 6; i++) {
        memcpy(buf, nz(ledger[i]), len[i] + 1);
        p->ledger[i] = buf;
        buf += len[i] + 1;
    }
    return 0;
}

void tb_store_tx_forget(tb_store_t *self)
{
    tb_store_proj_t *p = &self->proj;
    ledger_free(p);
    memset(p, 0, sizeof *p);
    self->proj_failed = 0;
    self->noriginlast = 0;
    self->noutlast = 0;
    memset(&self->counter, 0, sizeof self->counter);
    self->restore_pending = 0;
}

int tb_store_proj_flush(tb_store_t *self)
{
    tb_store_proj_t *p = &self->proj;
    if (!p->pending)
        return 0;
    p->pending = false; /* first: the statements below pass tb_store_stmt */
    int rc = p->logged
                 ? logged_insert(self, p->case_id, &p->c, p->at_ms, (const char *const *)p->ledger,
                                 p->accept_time_ms, p->tail_add, p->order_lost)
                 : project_events(self, p->case_id, &p->c, p->at_ms, p->tail_add, p->order_lost);
    ledger_free(p);
    p->tail_add[0] = '\0';
    p->order_lost = false;
    return rc;
}

/* next as ev's case's row: kept pending inside a transaction (tb_store_proj_t),
 * written at once outside one.  placed: the county had placed ev before it
 * came (the case is folded again: its row no longer knows its order). */
static int project_keep(tb_store_t *self, const tb_event_msg_t *ev, const tb_case_t *next,
                        bool placed)
{
    tb_store_proj_t *p = &self->proj;
    bool logged = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    const Tongban__V1__LedgerRecord *l = ev->ledger;
    const char *ledger[6] = {NULL};
    if (logged)
        ledger[0] = l->client_name, ledger[1] = l->client_phone, ledger[2] = l->agent,
        ledger[3] = l->item_code, ledger[4] = l->note, ledger[5] = l->result;
    if (sqlite3_get_autocommit(self->db) || strlen(ev->case_id) >= sizeof p->case_id) {
        char id[TB_STORE_TAIL_ADD] = "";
        bool lost = placed || !tb_store_order_add(id, sizeof id, ev->origin_node, ev->origin_seq);
        return logged ? logged_insert(self, ev->case_id, next, ev->at_ms, ledger, l->accept_time_ms,
                                      id, lost)
                      : project_events(self, ev->case_id, next, ev->at_ms, id, lost);
    }
    int rc;
    /* Another case's row, or a second LOGGED on this one: the pending one
     * goes in first. */
    if (p->pending && (logged || strcmp(p->case_id, ev->case_id) != 0) &&
        (rc = tb_store_proj_flush(self)) < 0)
        return rc;
    if (placed ||
        !tb_store_order_add(p->tail_add, sizeof p->tail_add, ev->origin_node, ev->origin_seq))
        p->order_lost = true;
    if (logged) {
        if ((rc = ledger_copy(p, ledger)) < 0)
            return rc;
        p->logged = true;
        p->accept_time_ms = l->accept_time_ms;
    }
    if (!p->pending)
        memcpy(p->case_id, ev->case_id, strlen(ev->case_id) + 1);
    p->c = *next;
    p->at_ms = ev->at_ms;
    p->pending = true;
    return 0;
}

static int project(tb_store_t *self, const tb_event_msg_t *ev, const tb_case_t *next, bool placed)
{
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED ||
        ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP) {
        sqlite3_stmt *st;
        int rc;
        if ((rc = tb_store_stmt(self,
                                ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED
                                    ? "UPDATE cases SET rating_comment = ?2 WHERE case_id = ?1"
                                    : "UPDATE cases SET followup_comment = ?2 WHERE case_id = ?1",
                                &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, ev->case_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, nz(ev->comment), -1, SQLITE_TRANSIENT);
        if ((rc = tb_store_run(self, st)) < 0)
            return rc;
    }
    return project_keep(self, ev, next, placed);
}

static int apply_rejection(tb_store_t *self, const tb_event_msg_t *ev)
{
    /* A REJECTED that names the refused bytes (issue 9) refuses only those:
     * when our id was reused for other content (a forgery, a lost store),
     * the refused copy is not the event we keep, which stands. */
    if (ev->rejected_digest && ev->rejected_digest[0]) {
        char stored[TB_DIGEST_HEX];
        int d = tb_store_event_digest(self, ev->rejected_origin, ev->rejected_seq, stored);
        if (d == -ENOENT || (d == 0 && strcmp(stored, ev->rejected_digest) != 0))
            return 0;
        if (d < 0)
            return d;
    }
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "UPDATE events SET folded = 0, rejected = ?3"
                           " WHERE origin_node = ?1 AND origin_seq = ?2 AND case_id = ?4",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, ev->rejected_origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->rejected_seq);
    sqlite3_bind_text(st, 3, nz(ev->reason), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, ev->case_id, -1, SQLITE_TRANSIENT);
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    tb_case_t c;
    rc = tb_store_case_get(self, ev->case_id, &c, NULL);
    if (rc == -TB_ENOCASE)
        return 0; /* we never had the case */
    return rc < 0 ? rc : tb_store_refold(self, ev->case_id, ev->at_ms);
}

/* Whether (origin, seq) is recorded: 0 no, 1 with these very bytes, 2 with
 * other bytes (the same id reused for other content). */
static int event_exists(tb_store_t *self, const char *origin, uint64_t seq, const uint8_t *body,
                        size_t len)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt_keep(
        self, "SELECT body = ?3 FROM events WHERE origin_node = ?1 AND origin_seq = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    rc = s == SQLITE_ROW    ? (sqlite3_column_int(st, 0) ? 1 : 2)
         : s == SQLITE_DONE ? 0
                            : tb_store_sql_err(self, "exists");
    tb_store_done(self, st);
    return rc;
}

int tb_store_event_digest(tb_store_t *self, const char *origin, uint64_t seq,
                          char ret_hex[TB_DIGEST_HEX])
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(
        self, "SELECT body FROM events WHERE origin_node = ?1 AND origin_seq = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        tb_digest_hex(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), ret_hex);
    else
        rc = s == SQLITE_DONE ? -ENOENT : tb_store_sql_err(self, "digest");
    tb_store_done(self, st);
    return rc;
}

int tb_store_apply(tb_store_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                   bool record_illegal, int *ret_fold)
{
    bool rejection = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    tb_case_t cur = {0}, next;
    bool placed = false;
    int rc = case_and_position(self, ev, &cur, &placed);
    if (rc < 0)
        return rc;
    int fold;
    char parent[TB_CODE_LEN + 1] = "";
    if (rejection) {
        /* A verdict on an event, not a step of the case: our own county's
         * (the first six digits are the county), our township's (the node
         * above a village answers what it could not apply), or our own. */
        tb_code_parent(self->place, parent);
        fold = (tb_code_level(ev->origin_node) == TB_LEVEL_COUNTY &&
                strncmp(ev->origin_node, self->place, 6) == 0) ||
                       strcmp(ev->origin_node, parent) == 0 ||
                       strcmp(ev->origin_node, self->place) == 0
                   ? 0
                   : -TB_EAUTHORITY;
    } else {
        fold = tb_event_fold(&cur, ev, self->catalog, &next);
    }
    if (fold < 0 && !record_illegal) {
        /* One recorded already says so first (1 or 2), as before. */
        rc = event_exists(self, ev->origin_node, ev->origin_seq, body, len);
        if (rc == 0 && ret_fold)
            *ret_fold = fold;
        return rc != 0 ? rc : fold;
    }

    char detail[1024];
    tb_event_detail(ev, detail, sizeof detail);
    sqlite3_stmt *st;
    /* The id recorded already (a resend, our own id reused): nothing is
     * written, and event_exists says whether with these bytes. */
    rc = tb_store_stmt_keep(
        self,
        "INSERT INTO events(origin_node, origin_seq, case_id, type, actor, at_ms, target,"
        " reason, body, recorded_ms, folded, detail, catalog_version)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"
        " ON CONFLICT(origin_node, origin_seq) DO NOTHING",
        &st);
    if (rc < 0)
        return rc;
    /* SQLITE_STATIC: every value outlives the step (tb_store_run unbinds). */
    sqlite3_bind_text(st, 1, ev->origin_node, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->origin_seq);
    sqlite3_bind_text(st, 3, ev->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, ev->type);
    sqlite3_bind_text(st, 5, nz(ev->actor), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, ev->at_ms);
    sqlite3_bind_text(st, 7, nz(ev->target), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, nz(ev->reason), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, body, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, tb_now_ms());
    sqlite3_bind_int(st, 11, fold == 0);
    sqlite3_bind_text(st, 12, detail, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, self->catalog_version ? *self->catalog_version : 0);
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    if (sqlite3_changes(self->db) == 0) {
        rc = event_exists(self, ev->origin_node, ev->origin_seq, body, len);
        return rc != 0 ? rc : -TB_ESTORE; /* 0: not there, yet the insert did nothing */
    }
    tb_store_originlast_saw(self, ev->origin_node, ev->origin_seq);
    if (ret_fold)
        *ret_fold = fold;
    if (rejection)
        return fold < 0 ? 0 : apply_rejection(self, ev);
    /* One order (tb_store_order.c): an event the county has placed already
     * (its confirmation came first) may belong before events folded here:
     * the case is folded again in order.  Any other goes last: on top. */
    if (fold == 0 && (rc = project(self, ev, &next, placed)) < 0)
        return rc;
    return placed ? tb_store_refold(self, ev->case_id, ev->at_ms) : 0;
}

int tb_store_refresh_due(tb_store_t *self)
{
    /* Deadlines depend on the calendar: recompute every open case's. */
    sqlite3_stmt *st;
    int rc = tb_store_stmt(
        self, "SELECT case_id, fold, updated_ms FROM cases WHERE length(fold) > 0", &st);
    if (rc < 0)
        return rc;
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        tb_case_t c;
        if (tb_case_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &c) ==
            0)
            rc = tb_store_project_fold(self, (const char *)sqlite3_column_text(st, 0), &c,
                                       sqlite3_column_int64(st, 2));
    }
    tb_store_done(self, st);
    return rc;
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
    return rc > 0 ? -TB_ESTORE : rc; /* 1 or 2: our own new id taken already */
}
