/* The dashboard's overview from one statement (county_stats_overview, issue 13) against the
 * way it was made before: four range queries (county_stats_run for today, this week, this
 * month by unit and the 30 days' trend by day) with county_stats_open and county_stats_cards,
 * packed as county_web.c's on_overview packed them.  On a throwaway PostgreSQL
 * (tests/unit/county-pg.sh passes its conninfo), migrated to the newest schema.
 *
 * The store: the statistics scenario of tests/integration/stats-national-day-2026.sql (its
 * cards, complaints, 差评 and rectification, a case of another county) and 3,000 generated
 * cases of four villages, a township's window and 桥头镇, one every 37 minutes from Aug 20 to
 * Nov 5 2026 (so every China-time midnight, week and month boundary of those months has
 * cases on both sides, the National Day holiday and its make-up Saturday included), of
 * every kind (承诺件, 即办件, consultation, help request), in every state, open and past due
 * or not, paused, closed on time, early or late, rated, with rectifications (revisited,
 * rectified, an approved appeal) and cards raised and cleared.  The overview is compared, as
 * JSON, for several "now"s (a month's first and last day, a Monday's midnight, a Sunday, the
 * holiday, a day after it) and three scopes (the county, a township, a village). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "county_int.h"
#include "county_stats.h"
#include "tb_calendar.h"
#include "tb_place.h"
#include "tb_test_county.h"

static const char *conninfo;

static void exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%.200s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(n < sizeof buf - 1);
    buf[n] = 0;
    return buf;
}

/* The generated cases (see the header), their rectifications and cards. */
static const char generated_sql[] =
    "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
    "  accept_time, state, holder, pending, version, updated_at, stat_accepted_at, stat_due_at,"
    "  due_at, completion_time, rating, followup, paused)"
    " SELECT o.code || '-' || to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'"
    "  || lpad(g::text, 5, '0'), o.code, '王五', '13800000000', 'agent' || (g % 7),"
    "  (ARRAY['NB001', 'JS001', 'ZX001', 'BF001', 'YB003', 'SF001'])[1 + g % 6], '', t,"
    "  st, substr(o.code, 1, 9) || '000', '', 2, t,"
    "  CASE WHEN st NOT IN ('prereview', 'refused', 'withdrawn') OR g % 11 = 0"
    "   THEN t + (g % 5) * interval '7 hours' END,"
    "  CASE WHEN st NOT IN ('prereview', 'refused') THEN t + (1 + g % 19) * interval '1 day' END,"
    "  CASE WHEN st IN ('accepted', 'suspended') THEN t + (1 + g % 19) * interval '1 day' END,"
    "  CASE WHEN st = 'closed' THEN t + (g % 23) * interval '1 day' + (g % 3) * interval '5 h' END,"
    "  CASE WHEN st = 'closed' THEN g % 6 ELSE 0 END,"
    "  CASE WHEN st = 'closed' AND g % 4 = 0 THEN 1 + g % 5 ELSE 0 END,"
    "  st = 'suspended' OR (st = 'accepted' AND g % 13 = 0)"
    " FROM generate_series(1, 3000) AS g"
    " CROSS JOIN LATERAL (SELECT timestamptz '2026-08-20 00:00+08' + g * interval '37 minutes'"
    "   + (g % 3) * interval '1 second' AS t,"
    "  (ARRAY['closed', 'closed', 'closed', 'accepted', 'prereview', 'refused', 'withdrawn',"
    "   'suspended', 'closed', 'accepted', 'decided'])[1 + g % 11] AS st) tt"
    " JOIN (SELECT * FROM unnest(ARRAY['360826100001', '360826100002', '360826100000',"
    "   '360826102001', '360826101001', '360826103001']) WITH ORDINALITY AS o(code, i)) o"
    "  ON o.i = 1 + g % 6;"
    "INSERT INTO rectifications(case_id, rating, comment, channel, named, rated_at, owner,"
    "  revisited_at, rectified_at, appeal)"
    " SELECT case_id, rating, '慢', 'village', true, completion_time, holder,"
    "  CASE WHEN version % 2 = 0 AND length(case_id) % 2 = 0 THEN completion_time END,"
    "  CASE WHEN right(case_id, 1) IN ('1', '4', '7') THEN completion_time END,"
    "  CASE WHEN right(case_id, 1) = '3' THEN 'approved' ELSE 'none' END"
    " FROM cases WHERE state = 'closed' AND rating BETWEEN 1 AND 2 AND client_name = '王五'"
    " ON CONFLICT (case_id) DO UPDATE SET revisited_at = excluded.revisited_at,"
    "  rectified_at = excluded.rectified_at, appeal = excluded.appeal;"
    "INSERT INTO cards(id, case_id, level, kind, raised_at, due_at, holder, responsible,"
    "  cleared_at, cleared_why)"
    " SELECT 10000 + row_number() OVER (ORDER BY case_id), case_id,"
    "  CASE WHEN right(case_id, 1) < '5' THEN 'yellow' ELSE 'red' END, 'deadline',"
    "  stat_due_at - interval '13 hours', stat_due_at, holder,"
    "  CASE WHEN right(case_id, 1) = '2' THEN 'agent1' ELSE '' END,"
    "  CASE WHEN state = 'closed' THEN completion_time END,"
    "  CASE WHEN state = 'closed' THEN 'closed' END"
    " FROM cases WHERE client_name = '王五' AND stat_due_at IS NOT NULL AND right(case_id, 2) < '40';";

/* The overview as on_overview made it before county_stats_overview (county_web.c at b36980a). */
static json_t *run(PGconn *pg, const tb_env_ctx_t *env, const char *sc, int64_t now_ms,
                   int32_t from, int32_t to, county_by_t by, county_period_t period)
{
    county_stats_query_t q = {from, to, by, period, {0}, now_ms};
    memcpy(q.scope, sc, TB_CODE_LEN + 1);
    json_t *st = NULL;
    assert_rc(county_stats_run(pg, env, &q, &st), 0);
    return st;
}

static json_t *old_overview(PGconn *pg, const tb_env_ctx_t *env, const char *sc, int64_t now_ms)
{
    int32_t today;
    assert_rc(tb_day_from_ms(now_ms, &today), 0);
    int y, m, d;
    tb_day_to_ymd(today, &y, &m, &d);
    int32_t week = today - (tb_day_weekday(today) - 1), month = today - (d - 1);
    county_by_t down =
        tb_code_level(sc) == TB_LEVEL_COUNTY ? COUNTY_BY_TOWNSHIP : COUNTY_BY_VILLAGE;
    json_t *t = run(pg, env, sc, now_ms, today, today, COUNTY_BY_COUNTY, COUNTY_PERIOD_NONE);
    json_t *wk = run(pg, env, sc, now_ms, week, today, COUNTY_BY_COUNTY, COUNTY_PERIOD_NONE);
    json_t *mo = run(pg, env, sc, now_ms, month, today, down, COUNTY_PERIOD_NONE);
    json_t *tr = run(pg, env, sc, now_ms, today - 29, today, COUNTY_BY_COUNTY, COUNTY_PERIOD_DAY);
    json_t *op = NULL, *cards = NULL;
    county_stats_query_t q = {today, today, down, COUNTY_PERIOD_NONE, {0}, now_ms};
    memcpy(q.scope, sc, TB_CODE_LEN + 1);
    assert_rc(county_stats_open(pg, env, &q, &op), 0);
    assert_rc(county_stats_cards(pg, env, &q, &cards), 0);
    const char *sn = tb_places_name(env->places, sc);
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o}", "scope", sc, "scope_name",
        sn ? sn : sc, "now_ms", (json_int_t)now_ms, "today", json_object_get(t, "total"), "week",
        json_object_get(wk, "total"), "month", json_object_get(mo, "total"), "units",
        json_object_get(mo, "rows"), "open", json_object_get(op, "total"), "open_units",
        json_object_get(op, "rows"), "trend", json_object_get(tr, "rows"), "cards", cards);
    assert_non_null(o);
    json_object_set_new(o, "by", json_string(down == COUNTY_BY_TOWNSHIP ? "township" : "village"));
    json_object_set(o, "month_from", json_object_get(mo, "from"));
    json_object_set(o, "week_from", json_object_get(wk, "from"));
    json_object_set(o, "today_day", json_object_get(t, "from"));
    json_decref(t);
    json_decref(wk);
    json_decref(mo);
    json_decref(tr);
    json_decref(op);
    return o;
}

/* now: a China-time instant "YYYY-MM-DD HH:MM:SS" as unix ms. */
static int64_t china_ms(const char *now)
{
    int y, mo, d, h, mi, s;
    assert_int_equal(sscanf(now, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6);
    char day[16];
    snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, d);
    int32_t n;
    assert_rc(tb_day_parse(day, &n), 0);
    /* tb_calendar days count from 1970-01-01; China is UTC+8 all year. */
    return ((int64_t)n * 86400 + h * 3600 + mi * 60 + s - 8 * 3600) * 1000;
}

static void test_overview_equals_four_queries(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    const char *src = getenv("TB_SOURCE");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/integration/stats-national-day-2026.sql", src);
    exec_ok(pg, slurp(path));
    exec_ok(pg, generated_sql);
    exec_ok(pg, "ANALYZE");
    tb_env_ctx_t env;
    memset(&env, 0, sizeof env);
    /* The county's environment only (config, places, the shipped catalog and calendar). */
    setenv("TONGBAN_PLACE", COUNTY, 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    setenv("TONGBAN_DB", conninfo, 1);
    tb_config_init(&env.cfg);
    assert_rc(tb_cli_load(&env, TB_LEVEL_COUNTY, NULL), 0);
    static const char *const nows[] = {
        "2026-10-01 00:00:00", /* Thursday, the holiday's and the month's first second */
        "2026-09-30 23:59:59", /* the month's last second (Wednesday) */
        "2026-10-08 09:30:00", /* the first working day after the holiday */
        "2026-10-10 12:00:00", /* the make-up Saturday */
        "2026-11-01 08:00:00", /* Sunday, a month's first day: the week began in October */
        "2026-11-02 00:00:00", /* Monday's midnight: the week begins after the month */
        "2026-10-31 23:59:59", /* Saturday, the month's last second (F's red card) */
        "2026-11-20 10:00:00", /* after the cases: the trend's first days only */
    };
    static const char *const scopes[] = {COUNTY, "360826102000", TOWNSHIP, VILLAGE};
    int nonzero = 0;
    for (size_t i = 0; i < sizeof nows / sizeof nows[0]; i++) {
        for (size_t j = 0; j < sizeof scopes / sizeof scopes[0]; j++) {
            int64_t now = china_ms(nows[i]);
            json_t *want = old_overview(pg, &env, scopes[j], now), *got = NULL;
            assert_rc(county_stats_overview(pg, &env, scopes[j], now, &got), 0);
            char *a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
            char *b = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
            if (strcmp(a, b) != 0)
                fail_msg("now %s, scope %s:\nfour queries: %s\none statement: %s", nows[i],
                         scopes[j], a, b);
            /* Not a comparison of nothing: the figures are there. */
            if (json_integer_value(json_object_get(json_object_get(got, "month"), "accepted")) >
                    0 &&
                json_array_size(json_object_get(got, "trend")) >= 20 &&
                json_integer_value(json_object_get(json_object_get(got, "open"), "overdue")) > 0 &&
                json_integer_value(json_object_get(json_object_get(got, "month"), "cards")) > 0 &&
                json_integer_value(json_object_get(json_object_get(got, "today"), "entrust")) > 0)
                nonzero++;
            print_message("# %s %s: %zu bytes, the same\n", nows[i], scopes[j], strlen(b));
            free(a);
            free(b);
            json_decref(want);
            json_decref(got);
        }
    }
    assert_true(nonzero >= 12);
    tb_cli_env_fini(&env);
    PQfinish(pg);
}

/* The open cases now are counted from the index alone (migration 023's cases_open_now
 * carries every column county_stats_open reads): with the heap made the expensive way,
 * PostgreSQL's plan for the statement is an index-only scan of it. */
static void test_open_now_from_the_index(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    exec_ok(pg, generated_sql);
    exec_ok(pg, "VACUUM ANALYZE cases");
    exec_ok(pg, "SET enable_seqscan = off; SET enable_bitmapscan = off;"
                " SET enable_indexscan = off");
    PGresult *r = PQexec(pg, "EXPLAIN SELECT substr(c.origin, 1, 9), count(*),"
                             " count(*) FILTER (WHERE c.stat_accepted_at IS NOT NULL AND NOT"
                             " c.paused AND c.completion_time IS NULL AND c.stat_due_at < now())"
                             " FROM cases c WHERE c.state NOT IN ('closed', 'withdrawn',"
                             " 'refused') AND c.origin LIKE '360826%' AND c.item_code <> ''"
                             " GROUP BY 1");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    bool only = false;
    for (int i = 0; i < PQntuples(r); i++)
        only = only || strstr(PQgetvalue(r, i, 0), "Index Only Scan using cases_open_now");
    if (!only)
        fail_msg("not an index-only scan of cases_open_now: %s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(pg);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test-county-overview CONNINFO (tests/unit/county-pg.sh runs it)\n");
        return 1;
    }
    conninfo = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overview_equals_four_queries),
        cmocka_unit_test(test_open_now_from_the_index),
    };
    return cmocka_run_group_tests_name("county-overview", tests, NULL, NULL) ? 1 : 0;
}
