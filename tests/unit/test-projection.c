/* Unit tests for common/tb_projection (the row a store keeps for a case) and
 * for the SQLite store's use of it (common/tb_store_case.c).
 *
 * One walk of a county item through every state it can reach (and the
 * refused and withdrawn ends), written from the lifecycle in tb_case.h: after
 * each event the row is checked against what the state means (which clock
 * runs, whether it is paused, what is still to bring, when the case was
 * completed), and the SQLite store's row of the same case against the
 * projection of the same fold, column by column.  The county's row is
 * checked by the integration tests that compare every tier's view
 * (test-lifecycle, test-deadlines, tests/fault/county.sh).
 *
 * Then an old store: a store whose fold is the text form and whose paused
 * clocks are -1 deadlines (schema 3) opens, migrates to schema 4 and reads
 * the same cases.
 *
 * Built with -DTB_SOURCE_DATA_DIR="/abs/path/to/data".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_error.h"
#include "tb_projection.h"
#include "tb_store.h"
#include "tb_wire.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define V "360826100001" /* the village that logs the case; the store's place */
#define T "360826100000" /* its township */
#define C "360826000000" /* the county */
#define CASE_A V "-20260302-0001"
#define CASE_B V "-20260302-0002"

static tb_catalog_t *cat;
static tb_calendar_t *cal;

/* Mon 2026-03-02 09:00 CST plus hours. */
static int64_t at(int hours)
{
    return INT64_C(1772413200000) + (int64_t)hours * 3600000;
}

/* What the row of a case in each state says about its clocks. */
typedef enum {
    CLOCK_NONE,      /* no clock runs: paused false, no deadlines */
    CLOCK_PREREVIEW, /* the pre-review clock: 2 working days, the same for both */
    CLOCK_ITEM,      /* the item's promised and legal limits (10 and 20 days for YB003) */
    CLOCK_PAUSED,    /* a clock runs but is stopped: paused true, no deadlines */
} clock_t_;

/* One step of the walk: the event, who sends it, and what follows. */
typedef struct {
    tb_event_type_t type;
    const char *origin;
    const char *target;
    tb_state_t state; /* the state after it */
    clock_t_ clock;
    const char *to_bring;
    int completed; /* 0: no completion time; else the hour of the event that completed it */
} walk_t;

static const walk_t walk[] = {
    {TB_EV_LOGGED, V, NULL, TB_ST_LOGGED, CLOCK_NONE, "", 0},
    {TB_EV_SUBMITTED, V, T, TB_ST_SUBMITTED, CLOCK_NONE, "", 0},
    {TB_EV_RECEIVED, T, NULL, TB_ST_PREREVIEW, CLOCK_PREREVIEW, "", 0},
    {TB_EV_NOTICE, T, NULL, TB_ST_SUPPLEMENT, CLOCK_PAUSED, "银行卡复印件", 0},
    {TB_EV_SUPPLEMENTED, V, NULL, TB_ST_PREREVIEW, CLOCK_PREREVIEW, "", 0},
    {TB_EV_ACCEPTED, T, NULL, TB_ST_ACCEPTED, CLOCK_ITEM, "", 0},
    {TB_EV_SUSPENDED, T, NULL, TB_ST_SUSPENDED, CLOCK_PAUSED, "", 0},
    {TB_EV_RESUMED, T, NULL, TB_ST_ACCEPTED, CLOCK_ITEM, "", 0},
    {TB_EV_FORWARDED, T, C, TB_ST_ESCALATED, CLOCK_ITEM, "", 0},
    {TB_EV_RECEIVED, C, NULL, TB_ST_COUNTY, CLOCK_ITEM, "", 0},
    {TB_EV_SUSPENDED, C, NULL, TB_ST_SUSPENDED, CLOCK_PAUSED, "", 0},
    {TB_EV_RESUMED, C, NULL, TB_ST_COUNTY, CLOCK_ITEM, "", 0},
    {TB_EV_DECIDED, C, NULL, TB_ST_DECIDED, CLOCK_NONE, "", 12},
    {TB_EV_RESULT, C, NULL, TB_ST_RESULT, CLOCK_NONE, "", 12},
    {TB_EV_DELIVERED, V, NULL, TB_ST_CLOSED, CLOCK_NONE, "", 14},
    {TB_EV_RATED, V, NULL, TB_ST_CLOSED, CLOCK_NONE, "", 14},
};
#define NWALK (sizeof walk / sizeof walk[0])

/* The event message of a step, as a node would send it.  Storage for the
 * strings it points to lives in *buf. */
typedef struct {
    Tongban__V1__LedgerRecord ledger;
    char *materials[1];
    tb_event_msg_t ev;
} msg_t;

static void make_msg(msg_t *m, const char *case_id, tb_event_type_t type, const char *origin,
                     const char *target, int64_t when)
{
    static uint64_t seq;
    memset(m, 0, sizeof *m);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)origin;
    ev.origin_seq = ++seq;
    ev.case_id = (char *)case_id;
    ev.type = (Tongban__V1__EventType)type;
    ev.actor = "王五";
    ev.at_ms = when;
    ev.target = (char *)(target ? target : "");
    ev.reason = "材料不齐";
    ev.basis = "survey";
    ev.rating = 5;
    ev.comment = "好";
    ev.decision = TONGBAN__V1__DECISION__DECISION_GRANT;
    if (type == TB_EV_NOTICE || type == TB_EV_SUPPLEMENTED) {
        m->materials[0] = "银行卡复印件";
        ev.materials = m->materials;
        ev.n_materials = 1;
    }
    if (type == TB_EV_LOGGED) {
        Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
        l.client_name = "李四";
        l.client_phone = "13800138000";
        l.agent = "王五";
        l.item_code = "YB003";
        l.accept_time_ms = when;
        m->ledger = l;
        ev.ledger = &m->ledger;
    }
    m->ev = ev;
}

/* The fields of two folds are the same (their stored bytes are). */
static void assert_same_case(const tb_case_t *a, const tb_case_t *b)
{
    uint8_t x[TB_CASE_PACKED_MAX], y[TB_CASE_PACKED_MAX];
    size_t nx = tb_case_pack(a, x), ny = tb_case_pack(b, y);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
}

/* The row of case c says what its state means (w), and its fold is c. */
static void check_row(const tb_projection_t *r, const tb_case_t *c, const walk_t *w, int hour)
{
    const tb_item_t *item = tb_catalog_find(cat, "YB003");
    if (r->state != w->state)
        print_error("after %s at hour %d: state %s, want %s\n", tb_event_name(w->type), hour,
                    tb_state_name(r->state), tb_state_name(w->state));
    assert_int_equal(r->state, w->state);
    assert_string_equal(r->holder, c->holder);
    assert_string_equal(r->pending, c->pending);
    assert_int_equal(r->version, c->version);
    tb_case_t back;
    assert_rc(tb_case_unpack(r->fold, r->fold_len, &back), 0);
    assert_same_case(&back, c);
    assert_string_equal(r->to_bring, w->to_bring);
    assert_int_equal(r->rating, w->type == TB_EV_RATED ? 5 : 0);
    assert_int_equal(r->decision, w->completed ? TB_DECISION_GRANT : 0);
    assert_int_equal(r->completion_ms, w->completed ? at(w->completed) : 0);
    switch (w->clock) {
    case CLOCK_NONE:
        assert_false(r->paused);
        assert_int_equal(r->due_ms, 0);
        assert_int_equal(r->legal_due_ms, 0);
        break;
    case CLOCK_PAUSED:
        assert_true(r->paused);
        assert_int_equal(r->due_ms, 0);
        assert_int_equal(r->legal_due_ms, 0);
        break;
    case CLOCK_PREREVIEW:
    case CLOCK_ITEM: {
        int64_t due, legal;
        assert_rc(tb_case_due(c, item, cal, &due, &legal), 0);
        assert_false(r->paused);
        assert_true(r->due_ms > at(hour) && r->due_ms != TB_DUE_NEVER);
        assert_int_equal(r->due_ms, due);
        assert_int_equal(r->legal_due_ms, legal);
        if (w->clock == CLOCK_PREREVIEW)
            assert_int_equal(r->legal_due_ms, r->due_ms);
        else
            assert_true(r->legal_due_ms > r->due_ms); /* 20 working days against 10 */
        break;
    }
    }
}

/* The whole walk through the pure fold and projection. */
static void test_every_state(void **state)
{
    (void)state;
    tb_case_t c = {0};
    for (size_t i = 0; i < NWALK; i++) {
        msg_t m;
        make_msg(&m, CASE_A, walk[i].type, walk[i].origin, walk[i].target, at((int)i));
        tb_case_t next;
        int rc = tb_event_fold(&c, &m.ev, cat, &next);
        if (rc != 0)
            print_error("step %zu (%s): %s\n", i, tb_event_name(walk[i].type), tb_strerror(rc));
        assert_rc(rc, 0);
        c = next;
        tb_projection_t r;
        memset(&r, 0x5A, sizeof r);
        tb_project(&c, tb_catalog_find(cat, "YB003"), cal, &r);
        check_row(&r, &c, &walk[i], (int)i);
    }
}

/* The other ends: refused (no clock, no completion) and withdrawn (办结). */
static void test_refused_withdrawn(void **state)
{
    (void)state;
    const tb_item_t *item = tb_catalog_find(cat, "YB003");
    static const struct {
        tb_event_type_t type;
        const char *origin, *target;
    } refused[] = {{TB_EV_LOGGED, V, NULL},
                   {TB_EV_SUBMITTED, V, T},
                   {TB_EV_RECEIVED, T, NULL},
                   {TB_EV_REFUSED, T, NULL}},
      withdrawn[] = {{TB_EV_LOGGED, V, NULL}, {TB_EV_WITHDRAWN, V, NULL}};
    tb_case_t c = {0}, next;
    for (size_t i = 0; i < 4; i++) {
        msg_t m;
        make_msg(&m, CASE_A, refused[i].type, refused[i].origin, refused[i].target, at((int)i));
        assert_rc(tb_event_fold(&c, &m.ev, cat, &next), 0);
        c = next;
    }
    tb_projection_t r;
    tb_project(&c, item, cal, &r);
    assert_int_equal(r.state, TB_ST_REFUSED);
    assert_false(r.paused);
    assert_int_equal(r.due_ms, 0);
    assert_int_equal(r.legal_due_ms, 0);
    assert_int_equal(r.completion_ms, c.closed_ms ? c.closed_ms : c.decided_ms);
    memset(&c, 0, sizeof c);
    for (size_t i = 0; i < 2; i++) {
        msg_t m;
        make_msg(&m, CASE_A, withdrawn[i].type, withdrawn[i].origin, withdrawn[i].target,
                 at((int)i));
        assert_rc(tb_event_fold(&c, &m.ev, cat, &next), 0);
        c = next;
    }
    tb_project(&c, item, cal, &r);
    assert_int_equal(r.state, TB_ST_WITHDRAWN);
    assert_int_equal(r.completion_ms, at(1));
    assert_false(r.paused);
}

/* What the projection cannot count: no calendar, an item the catalog does
 * not know.  No deadline, and not paused, even while suspended (the
 * county's and the nodes' old code agreed here; tb_projection.h). */
static void test_cannot_count(void **state)
{
    (void)state;
    tb_case_t c = {0}, next;
    for (size_t i = 0; i < 7; i++) { /* up to the first SUSPENDED */
        msg_t m;
        make_msg(&m, CASE_A, walk[i].type, walk[i].origin, walk[i].target, at((int)i));
        assert_rc(tb_event_fold(&c, &m.ev, cat, &next), 0);
        c = next;
    }
    assert_int_equal(c.state, TB_ST_SUSPENDED);
    const tb_item_t *item = tb_catalog_find(cat, "YB003");
    tb_projection_t r;
    tb_project(&c, item, cal, &r);
    assert_true(r.paused);
    tb_project(&c, item, NULL, &r);
    assert_false(r.paused);
    assert_int_equal(r.due_ms, 0);
    assert_int_equal(r.legal_due_ms, 0);
    tb_project(&c, NULL, cal, &r);
    assert_false(r.paused);
    assert_int_equal(r.due_ms, 0);
    /* Resumed: the clock counts again, later than before by the pause. */
    tb_projection_t before;
    tb_case_t accepted = {0};
    for (size_t i = 0; i < 6; i++) {
        msg_t m;
        make_msg(&m, CASE_A, walk[i].type, walk[i].origin, walk[i].target, at((int)i));
        assert_rc(tb_event_fold(&accepted, &m.ev, cat, &next), 0);
        accepted = next;
    }
    tb_project(&accepted, item, cal, &before);
    msg_t m;
    make_msg(&m, CASE_A, TB_EV_RESUMED, T, NULL, at(6 + 72)); /* three days later */
    assert_rc(tb_event_fold(&c, &m.ev, cat, &next), 0);
    tb_project(&next, item, cal, &r);
    assert_false(r.paused);
    assert_true(r.due_ms > before.due_ms);
    assert_true(r.legal_due_ms > before.legal_due_ms);
}

/* ---- The SQLite store keeps the projection ---- */

typedef struct {
    char dir[64];
    tb_store_t *store;
} fix_t;

static int store_setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/tb-test-projection-XXXXXX");
    if (!mkdtemp(f->dir) || tb_store_open(f->dir, V, &f->store) < 0) {
        free(f);
        return -1;
    }
    tb_store_set_rules(f->store, cat, cal);
    *state = f;
    return 0;
}

static int store_teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->store);
    static const char *const suffix[] = {".db", ".db-wal", ".db-shm", ".db-journal"};
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s%s", f->dir, V, suffix[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void apply(tb_store_t *s, const char *case_id, tb_event_type_t type, const char *origin,
                  const char *target, int hour)
{
    msg_t m;
    make_msg(&m, case_id, type, origin, target, at(hour));
    int fold = 1;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, &m.ev, (const uint8_t *)"x", 1, false, &fold), 0);
    assert_rc(fold, 0);
    assert_rc(tb_store_commit(s), 0);
}

/* The store's row of case_id equals tb_project of its stored fold, column by
 * column, in the store's mapping (tb_projection.h): 0 deadlines while none
 * or paused, NULL completion when none. */
static void assert_store_row(tb_store_t *s, const char *case_id, tb_projection_t *ret_row)
{
    tb_case_t c;
    assert_rc(tb_store_case_get(s, case_id, &c, NULL), 0);
    tb_projection_t r;
    tb_project(&c, tb_catalog_find(cat, c.item), cal, &r);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(tb_store_db(s),
                                        "SELECT state, holder, pending, version, fold, due_ms,"
                                        " legal_due_ms, paused, to_bring, rating, decision,"
                                        " completion_time_ms, typeof(fold) FROM cases"
                                        " WHERE case_id = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), tb_state_name(r.state));
    assert_string_equal((const char *)sqlite3_column_text(st, 1), r.holder);
    assert_string_equal((const char *)sqlite3_column_text(st, 2), r.pending);
    assert_int_equal(sqlite3_column_int64(st, 3), r.version);
    assert_string_equal((const char *)sqlite3_column_text(st, 12), "blob");
    assert_int_equal(sqlite3_column_bytes(st, 4), r.fold_len);
    assert_memory_equal(sqlite3_column_blob(st, 4), r.fold, r.fold_len);
    assert_int_equal(sqlite3_column_int64(st, 5), r.due_ms);
    assert_int_equal(sqlite3_column_int64(st, 6), r.legal_due_ms);
    assert_int_equal(sqlite3_column_int(st, 7), r.paused);
    assert_string_equal((const char *)sqlite3_column_text(st, 8), r.to_bring);
    assert_int_equal(sqlite3_column_int(st, 9), r.rating);
    assert_int_equal(sqlite3_column_int(st, 10), r.decision);
    if (r.completion_ms)
        assert_int_equal(sqlite3_column_int64(st, 11), r.completion_ms);
    else
        assert_int_equal(sqlite3_column_type(st, 11), SQLITE_NULL);
    sqlite3_finalize(st);
    if (ret_row)
        *ret_row = r;
}

/* The walk through the store: after every event the row is the projection
 * of the fold, and the fold is the one the pure walk reaches. */
static void test_store_row(void **state)
{
    fix_t *f = *state;
    tb_case_t pure = {0};
    for (size_t i = 0; i < NWALK; i++) {
        apply(f->store, CASE_A, walk[i].type, walk[i].origin, walk[i].target, (int)i);
        msg_t m;
        make_msg(&m, CASE_A, walk[i].type, walk[i].origin, walk[i].target, at((int)i));
        tb_case_t next;
        assert_rc(tb_event_fold(&pure, &m.ev, cat, &next), 0);
        pure = next;
        tb_projection_t r;
        assert_store_row(f->store, CASE_A, &r);
        check_row(&r, &pure, &walk[i], (int)i);
        /* Deadlines again on the same calendar: the same row. */
        assert_rc(tb_store_begin(f->store), 0);
        assert_rc(tb_store_refresh_due(f->store), 0);
        assert_rc(tb_store_commit(f->store), 0);
        assert_store_row(f->store, CASE_A, NULL);
    }
}

/* ---- A store of schema 3 (the fold as text, -1 while paused) ---- */

static void exec_ok(tb_store_t *s, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(tb_store_db(s), sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    assert_int_equal(rc, SQLITE_OK);
}

/* Two cases, one suspended (paused) and one accepted, written back into the
 * schema of version 3 as that code wrote them: the column fold held
 * tb_case_text_encode(), there was no paused column, and a paused clock
 * was a deadline of -1.  Opening the store migrates it: the same cases
 * read back, the same rows, the text gone; and the cases go on. */
static void test_old_store(void **state)
{
    fix_t *f = *state;
    for (int i = 0; i < 7; i++) /* CASE_A up to the first SUSPENDED */
        apply(f->store, CASE_A, walk[i].type, walk[i].origin, walk[i].target, i);
    for (int i = 0; i < 6; i++) /* CASE_B up to ACCEPTED */
        apply(f->store, CASE_B, walk[i].type, walk[i].origin, walk[i].target, i);
    tb_case_t a, b;
    tb_projection_t ra, rb;
    assert_rc(tb_store_case_get(f->store, CASE_A, &a, NULL), 0);
    assert_rc(tb_store_case_get(f->store, CASE_B, &b, NULL), 0);
    assert_store_row(f->store, CASE_A, &ra);
    assert_store_row(f->store, CASE_B, &rb);
    assert_true(ra.paused);
    assert_false(rb.paused);

    /* Back to schema 3. */
    exec_ok(f->store,
            "BEGIN; ALTER TABLE cases DROP COLUMN fold;"
            " ALTER TABLE cases RENAME COLUMN fold_text TO fold;"
            " UPDATE cases SET due_ms = -1, legal_due_ms = -1 WHERE paused;"
            " ALTER TABLE cases DROP COLUMN paused; ALTER TABLE cases DROP COLUMN followup;"
            " ALTER TABLE cases DROP COLUMN followup_comment; PRAGMA user_version = 3; COMMIT");
    const tb_case_t *cases[] = {&a, &b};
    const char *ids[] = {CASE_A, CASE_B};
    for (int i = 0; i < 2; i++) {
        char text[TB_CASE_TEXT_MAX], sql[TB_CASE_TEXT_MAX + 128];
        tb_case_text_encode(cases[i], text);
        snprintf(sql, sizeof sql, "UPDATE cases SET fold = '%s' WHERE case_id = '%s'", text,
                 ids[i]);
        exec_ok(f->store, sql);
    }
    assert_int_equal(sql_int(f->store, "SELECT due_ms FROM cases WHERE case_id = '" CASE_A "'"),
                     -1);
    tb_store_destroy(&f->store);

    assert_rc(tb_store_open(f->dir, V, &f->store), 0);
    tb_store_set_rules(f->store, cat, cal);
    /* + signatures + list indexes + data_relayed + one order + 追评 + link_heard + order state */
    assert_int_equal(sql_int(f->store, "PRAGMA user_version"), 14);
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM cases WHERE fold_text <> ''"), 0);
    tb_case_t a2, b2;
    assert_rc(tb_store_case_get(f->store, CASE_A, &a2, NULL), 0);
    assert_rc(tb_store_case_get(f->store, CASE_B, &b2, NULL), 0);
    assert_same_case(&a2, &a);
    assert_same_case(&b2, &b);
    /* The rows are what the projection says, -1 become paused. */
    tb_projection_t ra2, rb2;
    assert_store_row(f->store, CASE_A, &ra2);
    assert_store_row(f->store, CASE_B, &rb2);
    assert_true(ra2.paused);
    assert_int_equal(sql_int(f->store, "SELECT due_ms FROM cases WHERE case_id = '" CASE_A "'"), 0);
    assert_int_equal(rb2.due_ms, rb.due_ms);
    /* And the cases go on. */
    apply(f->store, CASE_A, TB_EV_RESUMED, T, NULL, 7);
    apply(f->store, CASE_B, TB_EV_SUSPENDED, T, NULL, 7);
    assert_store_row(f->store, CASE_A, &ra2);
    assert_store_row(f->store, CASE_B, &rb2);
    assert_false(ra2.paused);
    assert_true(rb2.paused);
}

/* A text that does not decode is left where it is: the case reads as a row
 * from before the lifecycle, as before issue 7. */
static void test_old_store_bad_text(void **state)
{
    fix_t *f = *state;
    for (int i = 0; i < 3; i++)
        apply(f->store, CASE_A, walk[i].type, walk[i].origin, walk[i].target, i);
    exec_ok(f->store,
            "BEGIN; ALTER TABLE cases DROP COLUMN fold;"
            " ALTER TABLE cases RENAME COLUMN fold_text TO fold;"
            " ALTER TABLE cases DROP COLUMN paused; ALTER TABLE cases DROP COLUMN followup;"
            " ALTER TABLE cases DROP COLUMN followup_comment; PRAGMA user_version = 3;"
            " UPDATE cases SET fold = '1 99 garbage'; COMMIT");
    tb_store_destroy(&f->store);
    assert_rc(tb_store_open(f->dir, V, &f->store), 0);
    tb_store_set_rules(f->store, cat, cal);
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM cases WHERE fold_text = '1 99 garbage'"
                                       " AND length(fold) = 0"),
                     1);
    tb_case_t c;
    assert_rc(tb_store_case_get(f->store, CASE_A, &c, NULL), 0);
    assert_int_equal(c.state, TB_ST_PREREVIEW);
    assert_string_equal(c.holder, T);
    assert_int_equal(c.version, 3);
    assert_int_equal(c.arrived_ms, 0); /* what a schema-1 row has */
}

static int setup(void **state)
{
    (void)state;
    int line;
    cat = tb_catalog_new();
    cal = tb_calendar_new();
    if (!cat || !cal || tb_catalog_load(cat, TB_SOURCE_DATA_DIR "/catalog.csv", &line) < 0 ||
        tb_calendar_load_csv(cal, TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv", &line) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tb_catalog_destroy(&cat);
    tb_calendar_destroy(&cal);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state),
        cmocka_unit_test(test_refused_withdrawn),
        cmocka_unit_test(test_cannot_count),
        cmocka_unit_test_setup_teardown(test_store_row, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_old_store, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_old_store_bad_text, store_setup, store_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
