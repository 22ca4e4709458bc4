/* The county's store of schema 3 (cases.fold as text, tb_case_text_encode)
 * migrated to schema 4 (cases.fold as tb_case_pack, bytea): migration 004
 * and county_fold_from_text (county-node/county_record.c) on a throwaway
 * PostgreSQL (county-pg.sh starts it and passes its connection string).
 *
 * The old store is made as the SQLite test makes one (test-projection.c):
 * migrated to the newest schema, then put back to schema 3 with a case
 * whose fold is the text that code wrote.  Then the county opens it as
 * county_pg_open does (migrate, re-encode): the case reads back the same
 * (county_fold_read, as the state load reads it) and a staff step is judged
 * against it (county_command, which reads the stored fold on its own
 * connection).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "county_int.h"
#include "tb_case.h"
#include "tb_error.h"

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define CASE_OK VILLAGE "-20260302-0001"
#define CASE_BAD VILLAGE "-20260302-0002"

static const char *conninfo;

static PGconn *pg_conn(void)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", conninfo, PQerrorMessage(pg));
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}

static void sql_exec(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

static long long sql_int(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* A case the county holds, on a county item, with one closed pause. */
static tb_case_t county_case(void)
{
    tb_case_t c = {0};
    c.state = TB_ST_COUNTY;
    strcpy(c.holder, COUNTY);
    c.version = 8;
    strcpy(c.origin, VILLAGE);
    strcpy(c.item, "YB003");
    c.have = 31;
    c.arrived_ms = INT64_C(1772413200000);
    c.accepted_ms = INT64_C(1772416800000);
    c.npauses = 1;
    c.pauses[0].start_ms = INT64_C(1772420400000);
    c.pauses[0].end_ms = INT64_C(1772424000000);
    return c;
}

static void insert_case(PGconn *pg, const char *case_id, const char *fold_text)
{
    const char *p[2] = {case_id, fold_text};
    PGresult *r = PQexecParams(
        pg,
        "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
        " accept_time, state, holder, pending, version, updated_at, fold)"
        " VALUES ($1, substr($1, 1, 12), '李四', '13800138000', '王五', 'YB003', '', now(),"
        " 'county', '" COUNTY "', '', 8, now(), $2)",
        2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("insert %s: %s", case_id, PQerrorMessage(pg));
    PQclear(r);
}

static void test_old_fold(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    sql_exec(pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    const char *err = NULL;
    assert_rc(county_migrate(pg, &err), 0);
    long long versions = sql_int(pg, "SELECT count(*) FROM schema_migrations");
    assert_true(versions >= 4);

    /* Back to schema 3, with two cases in the text form: one good, one not. */
    sql_exec(pg, "ALTER TABLE cases DROP COLUMN fold;"
                 " ALTER TABLE cases RENAME COLUMN fold_text TO fold;"
                 " DELETE FROM schema_migrations WHERE version >= 4");
    tb_case_t c = county_case();
    char text[TB_CASE_TEXT_MAX];
    tb_case_text_encode(&c, text);
    insert_case(pg, CASE_OK, text);
    insert_case(pg, CASE_BAD, "1 99 garbage");

    /* What county_pg_open does: migrate, then re-encode. */
    assert_rc(county_migrate(pg, &err), 0);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM schema_migrations"), versions);
    assert_rc(county_fold_from_text(pg), 0);
    assert_int_equal(
        sql_int(pg, "SELECT count(*) FROM cases WHERE case_id = '" CASE_OK "' AND fold_text = ''"),
        1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM cases WHERE case_id = '" CASE_BAD
                                 "' AND fold_text = '1 99 garbage' AND length(fold) = 0"),
                     1);
    /* Again: nothing left to do, nothing changes. */
    assert_rc(county_fold_from_text(pg), 0);

    /* The fold reads back as it was (as the state load reads it), and is
     * the bytes tb_case_pack makes. */
    PGresult *r = PQexec(pg, "SELECT case_id, fold FROM cases ORDER BY case_id");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 2);
    tb_case_t d;
    assert_rc(county_fold_read(r, 0, 1, &d), 0);
    uint8_t want[TB_CASE_PACKED_MAX], got[TB_CASE_PACKED_MAX];
    size_t nw = tb_case_pack(&c, want), ng = tb_case_pack(&d, got);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, nw);
    assert_rc(county_fold_read(r, 1, 1, &d), -TB_EDATA); /* schema-1 fallback at load */
    PQclear(r);

    /* A staff step is judged against the stored fold: RESUMED on a case in
     * the county's hands (not suspended) breaks the rules; a decision gets
     * past the rules and waits for a daemon (none here: it times out). */
    tb_env_ctx_t env = {0};
    env.place = COUNTY;
    env.catalog = tb_catalog_new();
    int line;
    assert_rc(tb_catalog_load(env.catalog, TB_SOURCE_DATA_DIR "/catalog.csv", &line), 0);
    county_cmd_t cmd = {.case_id = CASE_OK,
                        .actor = "赵六",
                        .reason = "",
                        .basis = "",
                        .type = TB_EV_RESUMED,
                        .decision = 0,
                        .wait_ms = 0};
    char msg[256];
    assert_rc(county_command(pg, &env, &cmd, msg, sizeof msg), -TB_EILLEGAL);
    cmd.type = TB_EV_DECIDED;
    cmd.decision = TB_DECISION_GRANT;
    assert_rc(county_command(pg, &env, &cmd, msg, sizeof msg), -ETIMEDOUT);
    /* Exactly once (migration 020): the same command again under its key (its
     * first INSERT committed, the daemon applied it, the answer was lost with
     * the connection) finds its row and reports it, and adds none. */
    PQclear(PQexec(pg, "INSERT INTO county_commands(case_id, type, actor, status, idem_key)"
                       " VALUES ('" CASE_OK "', 5, '赵六', 'done', 'k-lost')"));
    assert_rc(county_command_keyed(pg, &env, &cmd, "k-lost", msg, sizeof msg), 0);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM county_commands"), 1);
    char key[COUNTY_CMD_KEY_LEN], other[COUNTY_CMD_KEY_LEN];
    assert_rc(county_cmd_key(key), 0);
    assert_rc(county_cmd_key(other), 0);
    assert_int_equal(strlen(key), 32);
    assert_string_not_equal(key, other);
    cmd.case_id = CASE_BAD; /* read as a case from before the lifecycle */
    assert_rc(county_command(pg, &env, &cmd, msg, sizeof msg), -TB_EILLEGAL);

    tb_catalog_destroy(&env.catalog);
    PQfinish(pg);
}

int main(int argc, char **argv)
{
    conninfo = argc > 1 ? argv[1] : NULL;
    if (!conninfo) {
        fprintf(stderr, "usage: %s CONNINFO (county-pg.sh passes it)\n", argv[0]);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
