/* Allocation failure in the county's cache and batch paths, against a
 * throwaway PostgreSQL (tests/unit/county-pg.sh passes its conninfo).
 *
 * Links county-core-hooks: the county's rooms built with -DTB_TEST_HOOKS,
 * whose allocation seam (county_int.h) fails the N-th allocation.  The county
 * runs in this process on its own loop (county_init, county_pg_open), with no
 * broker behind its node; the test plays the link by putting messages in the
 * pending batch as county_on_envelope would.
 *
 *   load     the N-th allocation of loading the state fails, for every N until
 *            the load succeeds: each failure is -ENOMEM, the connection is
 *            closed, and the next open loads everything (the cache equals the
 *            store);
 *   batch    a batch (a new case, an illegal event answered with REJECTED,
 *            the status update, cursors) whose N-th allocation fails, for
 *            every N until a batch succeeds: each failure is reported (the
 *            connection given up, "out of memory" the reason), the store
 *            holds all of the batch or none of it, and after reconnecting the
 *            cache equals the store (a committed case is never missing from
 *            memory) and the unacknowledged outbox in memory equals the
 *            table's;
 *   reuse    the poll handle of a connection just given up is not reused
 *            before its close callback ran (county_pg_open says -EAGAIN);
 *   uv       a libuv start that fails stops the county with its error;
 *   overlap  (no allocation failure) two batches in flight, the older failing
 *            at the server: the newer, which the server runs as a
 *            transaction of its own after the older's Sync, fails at its first
 *            statement (42704, no data error) and none of it commits; after
 *            the reconnect everything is stored once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_test.h"

#include "county_int.h"
#include "tb_test_county.h"

#ifndef TB_TEST_HOOKS
#error "test-county-alloc needs the county built with -DTB_TEST_HOOKS (county-core-hooks)"
#endif

static const char *conninfo;
static char tmpdir[64];

typedef struct {
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    PGconn *pg; /* the test's own connection, to look at the store */
} fixture_t;

static long long sql_int(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static int setup(void **state)
{
    PGconn *pg = tb_test_county_store(conninfo);
    if (!pg)
        return -1;
    fixture_t *f = calloc(1, sizeof *f);
    if (!f) {
        PQfinish(pg);
        return -1;
    }
    if (tb_test_county_init(&f->c, &f->loop, &f->env, tmpdir, conninfo) < 0) {
        PQfinish(pg);
        return -1;
    }
    f->pg = pg;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    county_test_alloc_fail_at(0);
    tb_test_county_fini(&f->c, &f->loop, &f->env);
    PQfinish(f->pg);
    free(f);
    return 0;
}

/* Let the close callbacks of a connection given up run, then connect again. */
static void reopen(fixture_t *f)
{
    uv_timer_stop(&f->c.reconnect);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_false(f->c.pg_poll_closing);
    assert_rc(county_pg_open(&f->c), 0);
}

/* The cache equals the store: every case, at its version and state, and no other. */
static void assert_cache_is_store(fixture_t *f)
{
    assert_non_null(f->c.cases);
    assert_int_equal(tb_map_size(f->c.overlay), 0);
    PGresult *r = PQexec(f->pg, "SELECT case_id, version, state FROM cases");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(tb_map_size(f->c.cases), (size_t)PQntuples(r));
    for (int i = 0; i < PQntuples(r); i++) {
        const tb_case_t *c = county_case_lookup(&f->c, PQgetvalue(r, i, 0));
        if (!c)
            fail_msg("case %s is stored but not in memory", PQgetvalue(r, i, 0));
        assert_int_equal(c->version, atoi(PQgetvalue(r, i, 1)));
        assert_string_equal(tb_state_name(c->state), PQgetvalue(r, i, 2));
    }
    PQclear(r);
    /* The unacknowledged outbox: what memory holds is the table's (no spill here). */
    long long rows = sql_int(f->pg, "SELECT count(*) FROM outbox WHERE peer = '" TOWNSHIP "'");
    /* The link: its committed cursor and last sent seq, as stored. */
    long long cursor = sql_int(f->pg, "SELECT coalesce(max(cursor), 0) FROM link_in"
                                      " WHERE peer = '" TOWNSHIP "'");
    long long last = sql_int(f->pg, "SELECT coalesce(max(last), 0) FROM link_out"
                                    " WHERE peer = '" TOWNSHIP "'");
    size_t held = 0;
    bool spilled = false;
    uint64_t cursor_done = 0, sent_last = 0;
    for (size_t i = 0; i < f->c.npeers; i++)
        if (strcmp(f->c.peers[i].code, TOWNSHIP) == 0) {
            held = f->c.peers[i].queue.n;
            spilled = f->c.peers[i].spilled;
            cursor_done = f->c.peers[i].cursor_in; /* until the engine asks */
        }
    tb_linkeng_peer_t e = {0};
    if (tb_linkeng_peer(f->c.eng, TOWNSHIP, &e) == 0) {
        if (e.has_cursor)
            cursor_done = e.committed;
        sent_last = e.last;
    }
    assert_int_equal(cursor_done, (uint64_t)cursor);
    assert_int_equal(sent_last, (uint64_t)last);
    if (spilled)
        assert_true(held < (size_t)rows); /* the rest is read back by a later batch */
    else
        assert_int_equal(held, (size_t)rows);
}

static void link_accept(fixture_t *f, uint64_t seq, const uint8_t *buf, size_t len)
{
    tb_test_county_accept(&f->c, seq, buf, len);
}

static void test_load(void **state)
{
    fixture_t *f = *state;
    /* Something to load: a committed case, its link cursor, its outbox rows. */
    assert_rc(county_pg_open(&f->c), 0);
    uint8_t *a, *b;
    size_t alen, blen;
    tb_test_logged(1, 1, &a, &alen);
    tb_test_logged(2, 1, &b, &blen);
    link_accept(f, 1, a, alen);
    link_accept(f, 2, b, blen);
    free(a);
    free(b);
    county_batch_start(&f->c);
    while (f->c.in_flight && f->c.pg)
        uv_run(&f->loop, UV_RUN_ONCE);
    assert_non_null(f->c.pg);
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM cases"), 1);
    assert_cache_is_store(f);
    county_pg_close(&f->c);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    int rc = -ENOMEM;
    long n;
    for (n = 1; rc == -ENOMEM && n < 10000; n++) {
        county_test_alloc_fail_at(n);
        rc = county_pg_open(&f->c);
        county_test_alloc_fail_at(0);
        if (rc == -ENOMEM) {
            assert_null(f->c.pg);
            assert_false(f->c.pg_polling);
        }
    }
    assert_rc(rc, 0);
    print_message("# load: %ld allocation(s) failed one at a time, each -ENOMEM\n", n - 2);
    assert_cache_is_store(f);
}

typedef struct {
    long long events, cases, outbox, cursor;
} counts_t;

static counts_t counts(fixture_t *f)
{
    counts_t c = {
        sql_int(f->pg, "SELECT count(*) FROM case_events"),
        sql_int(f->pg, "SELECT count(*) FROM cases"),
        sql_int(f->pg, "SELECT count(*) FROM outbox"),
        sql_int(f->pg, "SELECT coalesce(max(cursor), 0) FROM link_in"),
    };
    return c;
}

static void test_batch(void **state)
{
    fixture_t *f = *state;
    assert_rc(county_pg_open(&f->c), 0);
    /* One batch: a new case (LOGGED), the same case logged again under the
     * next seq (illegal: stored unfolded and answered with REJECTED), the
     * status update of the new case. */
    const counts_t step = {3, 1, 2, 2};
    int n = 1;        /* the case of this round */
    uint64_t seq = 1; /* its first link (and village) seq */
    long failures = 0, committed_failures = 0, absorbed = 0;
    bool done = false;
    for (long at = 1; !done && at < 10000; at++) {
        counts_t before = counts(f);
        uint8_t *a, *b;
        size_t alen, blen;
        tb_test_logged(seq, n, &a, &alen);
        tb_test_logged(seq + 1, n, &b, &blen);
        link_accept(f, seq, a, alen);
        link_accept(f, seq + 1, b, blen);
        free(a);
        free(b);
        county_test_alloc_fail_at(at);
        county_batch_start(&f->c);
        while (f->c.in_flight && f->c.pg)
            uv_run(&f->loop, UV_RUN_ONCE);
        bool failed = county_test_alloc_count() >= at;
        county_test_alloc_fail_at(0);
        counts_t after = counts(f);
        /* All of the batch or none of it. */
        bool none = after.events == before.events && after.cases == before.cases &&
                    after.outbox == before.outbox && after.cursor == before.cursor;
        bool all = after.events == before.events + step.events &&
                   after.cases == before.cases + step.cases &&
                   after.outbox == before.outbox + step.outbox &&
                   after.cursor == (long long)seq + 1;
        if (!none && !all)
            fail_msg("allocation %ld: half a batch stored: events %lld -> %lld, cases %lld -> "
                     "%lld, outbox %lld -> %lld, cursor %lld -> %lld",
                     at, before.events, after.events, before.cases, after.cases, before.outbox,
                     after.outbox, before.cursor, after.cursor);
        if (!failed) {
            assert_true(all);
            assert_non_null(f->c.pg);
            done = true;
        } else if (f->c.pg) {
            /* Absorbed on purpose: only an outbox row that finds no room in
             * memory after the commit; it stays in the table (spilled) and the
             * next batch reads it back (checked below: memory holds the
             * table's outbox again). */
            assert_true(all);
            absorbed++;
        } else {
            /* Reported: the connection given up for want of memory. */
            failures++;
            if (!strstr(f->c.lost_why, tb_strerror(-ENOMEM)) &&
                !strstr(f->c.lost_why, "out of memory"))
                fail_msg("allocation %ld failed, given up for: %s", at, f->c.lost_why);
            committed_failures += all;
            assert_int_equal(f->c.pending.n, 0);
            reopen(f);
        }
        assert_cache_is_store(f);
        if (all) {
            n++;
            seq += 2;
        }
    }
    assert_true(done);
    print_message("# batch: %ld failure(s) reported (%ld after the commit), %ld absorbed\n",
                  failures, committed_failures, absorbed);
    assert_true(failures >= 3);
    assert_true(committed_failures > 0);
}

static void test_reuse(void **state)
{
    fixture_t *f = *state;
    assert_rc(county_pg_open(&f->c), 0);
    county_pg_lost(&f->c, "test");
    assert_true(f->c.pg_poll_closing);
    assert_rc(county_pg_open(&f->c), -EAGAIN);
    assert_null(f->c.pg);
    reopen(f);
}

/* A libuv call that fails is checked: a timer that cannot start (here: its
 * handle is already closing) is a clear error that stops the county with
 * that error (county_serve returns it), not ignored. */
static void test_uv_failure(void **state)
{
    fixture_t *f = *state;
    county_shutdown(&f->c);
    assert_rc(county_start_reconnect(&f->c), UV_EINVAL);
    assert_rc(f->c.fatal, UV_EINVAL);
    assert_true(f->c.stopping);
}

/* 2n walk-ins accepted from the township, the older batch (cases 1..n)
 * started after the nth: the newer's n wait for county_batch_start. */
static void accept_two(fixture_t *f, int n)
{
    for (int s = 1; s <= 2 * n; s++) {
        uint8_t *buf;
        size_t len;
        tb_test_logged((uint64_t)s, s, &buf, &len);
        link_accept(f, (uint64_t)s, buf, len);
        free(buf);
        if (s == n)
            county_batch_start(&f->c);
    }
}

/* Two batches in flight against PostgreSQL, the older failing at the server
 * (the poison hook's 22012 on its first case).  The test reads every result
 * of both itself before looking at the store: the county would give the
 * connection up at the older's failure, and whether the server had run the
 * newer by then would be a race.  Without the newer's first statement
 * (batch_after) its 32 cases would be committed here. */
static void test_overlap(void **state)
{
    fixture_t *f = *state;
    assert_rc(county_pg_open(&f->c), 0);
    const int n = COUNTY_OVERLAP_MIN;
    setenv("TONGBAN_TEST_POISON_CASE", VILLAGE "-20261122-0001", 1);
    accept_two(f, n);
    unsetenv("TONGBAN_TEST_POISON_CASE");
    county_batch_start(&f->c); /* the newer, while the older is in flight */
    assert_true(f->c.older.on);
    PGconn *pg = f->c.pg;
    assert_rc(PQsetnonblocking(pg, 0), 0);
    assert_rc(PQflush(pg), 0);
    int syncs = 0;
    char older_state[6] = "", newer_state[6] = "";
    while (syncs < 2) {
        PGresult *r = PQgetResult(pg);
        if (!r)
            continue; /* the end of one statement's results */
        const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        char *to = syncs ? newer_state : older_state;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC)
            syncs++;
        else if (PQresultStatus(r) == PGRES_FATAL_ERROR && !to[0])
            snprintf(to, 6, "%s", st ? st : "?");
        PQclear(r);
    }
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM cases"), 0);
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM case_events"), 0);
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM link_in"), 0);
    assert_string_equal(older_state, "22012");
    assert_string_equal(newer_state, "42704"); /* not class 22 or 23: no poison search */
    /* The county gives the connection up; the township resends; all once. */
    county_pg_lost(&f->c, "test: both batches' results were read by the test");
    reopen(f);
    accept_two(f, n);
    county_batch_start(&f->c);
    assert_true(f->c.older.on);
    while (f->c.in_flight && f->c.pg)
        uv_run(&f->loop, UV_RUN_ONCE);
    assert_non_null(f->c.pg);
    assert_int_equal(f->c.batches, 2);
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM cases"), 2 * n);
    assert_int_equal(sql_int(f->pg, "SELECT count(*) FROM case_events"), 2 * n);
    assert_int_equal(sql_int(f->pg, "SELECT cursor FROM link_in"), 2 * n);
    assert_int_equal(sql_int(f->pg, "SELECT value FROM counters WHERE name = 'batch'"), 2);
    assert_cache_is_store(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test-county-alloc CONNINFO (tests/unit/county-pg.sh runs it)\n");
        return 1;
    }
    conninfo = argv[1];
    strcpy(tmpdir, "/tmp/tb-test-county-alloc-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uv_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("county-alloc", tests, NULL, NULL);
    rmdir(tmpdir);
    return failed ? 1 : 0;
}
