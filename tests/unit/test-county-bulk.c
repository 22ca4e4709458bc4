/* A case's steps folded into one row per batch (county-node/county_bulk.c,
 * issue 13), against a throwaway PostgreSQL (tests/unit/county-pg.sh passes
 * its conninfo).
 *
 * One walk-in case's whole life at the township window (LOGGED, ACCEPTED,
 * an ACCEPTED again: out of state, stored unfolded and answered with the
 * county's REJECTED, DECIDED, RESULT, DELIVERED, RATED 差评 with a comment,
 * a NOTE after it)
 * is fed to the county in-process, into an empty store each time, cut into
 * batches in several ways: every step its own batch (each row statement of
 * the old path: one case-row write per step, migration 009's trigger on
 * each), all in one batch (one INSERT), the case created alone and the rest
 * in one batch (one UPDATE after it), and two cuts in between.  Every way
 * must leave the same case row (every column: the projection, the fold, the
 * statistics columns stat_accepted_at and stat_due_at), the same events and
 * the same rectification (migration 012's trigger on the rating).
 *
 * A batch's receive cursors and acks (issue 13): one statement each for all
 * townships, one row per township (the greatest of what came), and an ack
 * deletes exactly the outbox rows it newly covers; their numbers are compared as
 * numbers, every digit kept.
 *
 * The batch connection's plans (issue 13): bulk_case's generic plan, made
 * on an empty store, reaches cases by its index, not by a scan of the
 * table that stays cached while the table grows; and cases_due, which no
 * query reads, is gone (migration 022).
 *
 * A supervisor's rectification step (county_rating_step: the CLI's and the
 * dashboard's) while a batch holds the case: the step waits for the case row
 * before it takes the rectification's, in the order a batch takes them, so
 * the two never deadlock (before, PostgreSQL aborted one after
 * deadlock_timeout: the supervisor read "not recorded"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "tb_test.h"

#include "county_board.h"
#include "county_int.h"
#include "tb_calendar.h"
#include "tb_caseid.h"
#include "tb_log.h"
#include "tb_test_county.h"

enum { STEPS = 8 };

static const char *conninfo;
static char tmpdir[64];
static int64_t base_ms; /* the case's first step, the same in every run */

/* Step i (0-based) of the life, as link and origin seq i + 1. */
static void life_step(int i, uint8_t **ret_buf, size_t *ret_len)
{
    static const Tongban__V1__EventType life[STEPS] = {
        TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED,   TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED,
        TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED,
        TONGBAN__V1__EVENT_TYPE__EVENT_RESULT,   TONGBAN__V1__EVENT_TYPE__EVENT_DELIVERED,
        TONGBAN__V1__EVENT_TYPE__EVENT_RATED,    TONGBAN__V1__EVENT_TYPE__EVENT_NOTE};
    char id[TB_CASEID_MAX];
    assert_rc(tb_caseid_format(TOWNSHIP, base_ms, 1, id), 0);
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)"张三";
    l.client_phone = (char *)"13800138000";
    l.agent = (char *)"窗口";
    l.item_code = (char *)"YB001"; /* the township's: the window decides */
    l.note = (char *)"";
    l.result = (char *)"";
    l.accept_time_ms = base_ms;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)TOWNSHIP;
    ev.origin_seq = (uint64_t)i + 1;
    ev.case_id = id;
    ev.type = life[i];
    ev.actor = (char *)"窗口";
    ev.at_ms = base_ms + i * 60000;
    if (i == 0)
        ev.ledger = &l;
    if (ev.type == TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED)
        ev.decision = TONGBAN__V1__DECISION__DECISION_GRANT;
    if (ev.type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED) {
        ev.rating = 2;
        ev.comment = (char *)"等了太久";
    }
    if (ev.type == TONGBAN__V1__EVENT_TYPE__EVENT_NOTE)
        ev.reason = (char *)"已电话致歉"; /* projected after the rating: its comment stays */
    assert_rc(tb_event_check(&ev), 0);
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    assert_rc(tb_pack_item(&item, ret_buf, ret_len), 0);
}

/* One query's rows, one line each, into out (empty when none). */
static void dump(PGconn *pg, const char *sql, char *out, size_t size)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < PQntuples(r); i++)
        at += (size_t)snprintf(out + at, at < size ? size - at : 0, "%s\n", PQgetvalue(r, i, 0));
    assert_true(at < size);
    PQclear(r);
}

enum { DUMP = 16384 };

typedef struct {
    char cases[DUMP], events[DUMP], own[DUMP], rect[DUMP];
} store_t;

/* The life in batches of cut[0], cut[1], ... steps (summing to STEPS), into
 * an empty store: what the store holds after. */
static void run(const int *cut, store_t *out)
{
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    memset(&env, 0, sizeof env); /* the catalog version in force: 0, the shipped file */
    memset(&c, 0, sizeof c);
    assert_rc(tb_test_county_init(&c, &loop, &env, tmpdir, conninfo), 0);
    assert_rc(county_pg_open(&c), 0);
    int step = 0;
    for (const int *n = cut; step < STEPS; n++) {
        for (int i = 0; i < *n; i++, step++) {
            uint8_t *buf;
            size_t len;
            life_step(step, &buf, &len);
            tb_test_county_accept(&c, (uint64_t)step + 1, buf, len);
            free(buf);
        }
        uint64_t batches = c.batches;
        county_batch_start(&c);
        while (c.in_flight && c.pg)
            uv_run(&loop, UV_RUN_ONCE);
        if (!c.pg || c.batches != batches + 1)
            fail_msg("the batch of steps %d..%d did not commit: %s", step - *n + 1, step,
                     c.lost_why);
    }
    /* Every column of the case's row; the township's events as stored; the
     * county's own (a REJECTED: its time and body are the moment's); the
     * rectification the 差评 opened. */
    dump(pg, "SELECT row_to_json(c)::text FROM cases c", out->cases, DUMP);
    dump(pg,
         "SELECT concat_ws(' ', origin_node, origin_seq, case_id, type, type_name, actor, at,"
         " target, reason, via, folded, digest, detail, rejected, catalog_version)"
         " FROM case_events WHERE origin_node <> '" COUNTY "' ORDER BY id",
         out->events, DUMP);
    dump(pg,
         "SELECT concat_ws(' ', case_id, type_name, folded, reason) FROM case_events"
         " WHERE origin_node = '" COUNTY "' ORDER BY id",
         out->own, DUMP);
    dump(pg,
         "SELECT concat_ws(' ', case_id, rating, comment, channel, named, rated_at, owner)"
         " FROM rectifications",
         out->rect, DUMP);
    county_pg_close(&c);
    tb_test_county_fini(&c, &loop, &env);
    PQfinish(pg);
}

static void test_fold_equals_steps(void **state)
{
    (void)state;
    static const int cuts[][STEPS] = {
        {1, 1, 1, 1, 1, 1, 1, 1}, /* the old path: every step its own batch */
        {8},                      /* one INSERT (the 差评 an UPDATE after it) */
        {1, 7},                   /* one UPDATE, the 差评 and the note in it */
        {2, 6},
        {4, 4},
        {6, 2},
    };
    static store_t want, got;
    run(cuts[0], &want);
    /* The reference itself is the life: closed with its statistics, the
     * illegal step refused, the 差评's rectification open. */
    assert_non_null(strstr(want.cases, "\"state\":\"closed\""));
    assert_null(strstr(want.cases, "\"stat_accepted_at\":null"));
    assert_null(strstr(want.cases, "\"stat_due_at\":null"));
    assert_non_null(strstr(want.own, " rejected "));
    assert_non_null(strstr(want.rect, "等了太久"));
    for (size_t k = 1; k < sizeof cuts / sizeof cuts[0]; k++) {
        run(cuts[k], &got);
        print_message("# batches of %d %d %d ...: case row, events, rectification\n", cuts[k][0],
                      cuts[k][1], cuts[k][2]);
        assert_string_equal(got.cases, want.cases);
        assert_string_equal(got.events, want.events);
        assert_string_equal(got.own, want.own);
        assert_string_equal(got.rect, want.rect);
    }
}

static void exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* Statement name of the batch with (peer, n) as its parameters. */
static void send_peer(county_t *c, const char *name, const char *peer, int64_t n)
{
    params_t p = {0};
    p_text(&p, peer);
    p_int(&p, n);
    assert_rc(county_stmt_send(c, name, &p), 0);
}

/* The batch's Sync sent and its results read by hand: how many statements ran. */
static int batch_sync(county_t *c)
{
    assert_rc(county_stmt_sync(c), 0);
    PGconn *bp = c->pg;
    assert_int_equal(PQsetnonblocking(bp, 0), 0);
    assert_int_equal(PQflush(bp), 0);
    int statements = 0;
    for (;;) {
        PGresult *r = PQgetResult(bp);
        if (!r)
            continue; /* the end of one statement's results */
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_SYNC)
            fail_msg("batch: %s", PQresultErrorMessage(r));
        statements += st == PGRES_COMMAND_OK;
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            return statements;
    }
}

/* The cursors and acks of two townships in one batch, several of each per
 * township as the rows came: what the store holds after its Sync. */
static void test_cursors_and_acks(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    /* TOWNSHIP acknowledged 2 of 10 before, the other none of 5. */
    exec_ok(pg, "INSERT INTO link_out(peer, last, acked) VALUES ('" TOWNSHIP "', 10, 2),"
                " ('360826102000', 5, 0);"
                "INSERT INTO outbox(peer, seq, body) SELECT '" TOWNSHIP "', s, '\\x01'"
                " FROM generate_series(3, 10) s;"
                "INSERT INTO outbox(peer, seq, body) SELECT '360826102000', s, '\\x01'"
                " FROM generate_series(1, 5) s;"
                "INSERT INTO link_in(peer, cursor) VALUES ('360826102000', 7)");
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    memset(&env, 0, sizeof env); /* the catalog version in force: 0, the shipped file */
    memset(&c, 0, sizeof c);
    assert_rc(tb_test_county_init(&c, &loop, &env, tmpdir, conninfo), 0);
    assert_rc(county_pg_open(&c), 0);
    send_peer(&c, "cursor", TOWNSHIP, 4);
    send_peer(&c, "ack", TOWNSHIP, 6);
    send_peer(&c, "cursor", "360826102000", 9);
    send_peer(&c, "ack", "360826102000", 5);
    send_peer(&c, "cursor", TOWNSHIP, 9);
    send_peer(&c, "ack", TOWNSHIP, 4); /* older than the 6 before it: no effect */
    assert_int_equal(batch_sync(&c), 2); /* bulk_cursor, bulk_ack */
    char got[512];
    dump(pg, "SELECT peer || ' ' || cursor FROM link_in ORDER BY peer", got, sizeof got);
    assert_string_equal(got, TOWNSHIP " 9\n360826102000 9\n");
    dump(pg, "SELECT peer || ' ' || last || ' ' || acked FROM link_out ORDER BY peer", got,
         sizeof got);
    assert_string_equal(got, TOWNSHIP " 10 6\n360826102000 5 5\n");
    dump(pg, "SELECT peer || ' ' || string_agg(seq::text, ',' ORDER BY seq) FROM outbox"
             " GROUP BY peer ORDER BY peer",
         got, sizeof got);
    assert_string_equal(got, TOWNSHIP " 7,8,9,10\n");
    county_pg_close(&c);
    tb_test_county_fini(&c, &loop, &env);
    PQfinish(pg);
}

/* The bulk rows' numbers are read back as numbers, not as text (county_bulk.c's
 * num): 10 is greater than 9, and a cursor past 2^53 (beyond a double) and
 * INT64_MAX keep every digit; a smaller one that came later does not win. */
static void test_cursor_numbers(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    memset(&env, 0, sizeof env);
    memset(&c, 0, sizeof c);
    assert_rc(tb_test_county_init(&c, &loop, &env, tmpdir, conninfo), 0);
    assert_rc(county_pg_open(&c), 0);
    send_peer(&c, "cursor", TOWNSHIP, 9);
    send_peer(&c, "cursor", TOWNSHIP, 10);
    send_peer(&c, "cursor", "360826102000", INT64_MAX);
    send_peer(&c, "cursor", "360826102000", 5000000000);
    send_peer(&c, "cursor", "360826103000", 9007199254740993);
    assert_int_equal(batch_sync(&c), 1); /* bulk_cursor */
    char got[512];
    dump(pg, "SELECT peer || ' ' || cursor FROM link_in ORDER BY peer", got, sizeof got);
    assert_string_equal(got, TOWNSHIP " 10\n360826102000 9223372036854775807\n"
                             "360826103000 9007199254740993\n");
    county_pg_close(&c);
    tb_test_county_fini(&c, &loop, &env);
    PQfinish(pg);
}

/* One statement on the county's batch connection (in pipeline mode), its
 * rows as one text. */
static void batch_query(county_t *c, const char *sql, char *out, size_t size)
{
    PGconn *bp = c->pg;
    assert_int_equal(PQsetnonblocking(bp, 0), 0);
    assert_int_equal(PQsendQueryParams(bp, sql, 0, NULL, NULL, NULL, NULL, 0), 1);
    assert_int_equal(PQpipelineSync(bp), 1);
    assert_int_equal(PQflush(bp), 0);
    size_t at = 0;
    out[0] = '\0';
    for (;;) {
        PGresult *r = PQgetResult(bp);
        if (!r)
            continue;
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_SYNC)
            fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        for (int i = 0; st == PGRES_TUPLES_OK && i < PQntuples(r); i++)
            at += (size_t)snprintf(out + at, at < size ? size - at : 0, "%s\n",
                                   PQgetvalue(r, i, 0));
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
    }
    assert_true(at < size);
}

static void test_batch_plans(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    memset(&env, 0, sizeof env); /* the catalog version in force: 0, the shipped file */
    memset(&c, 0, sizeof c);
    assert_rc(tb_test_county_init(&c, &loop, &env, tmpdir, conninfo), 0);
    assert_rc(county_pg_open(&c), 0);
    char plan[4096];
    batch_query(&c, "SET plan_cache_mode = force_generic_plan", plan, sizeof plan);
    batch_query(&c,
                "EXPLAIN EXECUTE bulk_case('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',"
                " '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
                plan, sizeof plan);
    print_message("# bulk_case's generic plan on an empty store:\n%s", plan);
    assert_non_null(strstr(plan, "Index Scan using cases_pkey"));
    assert_null(strstr(plan, "Seq Scan on cases"));
    char idx[1024];
    dump(pg, "SELECT indexname FROM pg_indexes WHERE tablename = 'cases' ORDER BY 1", idx,
         sizeof idx);
    /* cases_not_due: the watched cases not yet due, for overdue while open (migration 026,
     * which dropped 024's cases_overdue_watch); 027 dropped 023's cases_open_now (the open
     * cases now come from case_open_sums); 028 dropped 001's cases_holder (a restore takes the
     * cases a township holds from the cache). */
    assert_string_equal(idx, "cases_accept_time\ncases_not_due\ncases_pkey\n");
    county_pg_close(&c);
    tb_test_county_fini(&c, &loop, &env);
    PQfinish(pg);
}

typedef struct {
    const char *case_id;
    int rc;
    char why[512];
} step_t;

static void *revisit(void *arg)
{
    step_t *st = arg;
    PGconn *pg = PQconnectdb(conninfo);
    st->rc = PQstatus(pg) == CONNECTION_OK
                 ? county_rating_step(pg, "revisit", st->case_id, "已回访", "zhao.sup", NULL, 0,
                                      st->why, sizeof st->why)
                 : -1;
    PQfinish(pg);
    return NULL;
}

/* A batch holds the case row (A: locked, as its UPDATE of the case does), a
 * supervisor's revisit starts, then the batch writes the rectification (as
 * migration 012's trigger on a rating does) and commits: both succeed. */
static void test_rating_step_waits(void **state)
{
    (void)state;
    static const int all[STEPS] = {8};
    static store_t life;
    run(all, &life); /* the case closed with its 差评: the rectification open */
    PGconn *a = PQconnectdb(conninfo), *watch = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(a), CONNECTION_OK);
    assert_int_equal(PQstatus(watch), CONNECTION_OK);
    PGresult *r = PQexec(a, "SELECT case_id FROM rectifications");
    assert_int_equal(PQntuples(r), 1);
    step_t st = {.case_id = strdup(PQgetvalue(r, 0, 0)), .rc = 1};
    PQclear(r);
    exec_ok(a, "BEGIN");
    const char *p[1] = {st.case_id};
    r = PQexecParams(a, "SELECT 1 FROM cases WHERE case_id = $1 FOR UPDATE", 1, NULL, p, NULL,
                     NULL, 0);
    assert_int_equal(PQntuples(r), 1);
    PQclear(r);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, revisit, &st), 0);
    /* The step is waiting for a lock (not by time: by what PostgreSQL says). */
    for (int waiting = 0; !waiting;) {
        r = PQexec(watch, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                          " AND query LIKE '%UPDATE rectifications%'");
        waiting = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!waiting)
            usleep(10000);
    }
    r = PQexecParams(a, "UPDATE rectifications SET owner = owner WHERE case_id = $1", 1, NULL, p,
                     NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("the batch's write of the rectification: %s", PQerrorMessage(a));
    PQclear(r);
    exec_ok(a, "COMMIT");
    assert_int_equal(pthread_join(t, NULL), 0);
    if (st.rc != 0)
        fail_msg("the revisit beside the batch: %d %s", st.rc, st.why);
    r = PQexec(a, "SELECT count(*) FROM rectifications WHERE revisited_at IS NOT NULL");
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    free((char *)st.case_id);
    PQfinish(watch);
    PQfinish(a);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test-county-bulk CONNINFO (tests/unit/county-pg.sh runs it)\n");
        return 1;
    }
    conninfo = argv[1];
    /* An hour ago, but on today's date in Beijing: a case logged yesterday
     * and not yet accepted is yellow today (tb_case_card), so when the test
     * ran in the hour after Beijing's midnight the batches of one step raised
     * and cleared a card the one batch never saw (versions 10 and 7). */
    int64_t now = tb_now_ms();
    int32_t today, then;
    base_ms = (now - 3600000) / 1000 * 1000;
    if (tb_day_from_ms(now, &today) < 0 || tb_day_from_ms(base_ms, &then) < 0)
        return 1;
    if (then != today)
        base_ms = tb_day_start_ms(today);
    strcpy(tmpdir, "/tmp/tb-test-county-bulk-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_equals_steps),
        cmocka_unit_test(test_cursors_and_acks),
        cmocka_unit_test(test_cursor_numbers),
        cmocka_unit_test(test_batch_plans),
        cmocka_unit_test(test_rating_step_waits),
    };
    int failed = cmocka_run_group_tests_name("county-bulk", tests, NULL, NULL);
    rmdir(tmpdir);
    return failed ? 1 : 0;
}
