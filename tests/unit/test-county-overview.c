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
 * holiday, a day after it) and three scopes (the county, a township, a village).  240 more
 * cases from Dec 29 2025 to Jan 4 2026 put the turn of the year and the New Year holiday in.
 *
 * The statistics (/api/stats, county_stats_run: by the county, a township or a village from
 * the same sums) are compared with stats_sql over the cases (county_stats_run_cases) on the
 * same stores, after the same changes: stats_same. */
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
#include "county_stats_int.h"
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
    " FROM generate_series(1, 3240) AS g"
    " CROSS JOIN LATERAL (SELECT CASE WHEN g <= 3000 THEN timestamptz '2026-08-20 00:00+08'"
    "   + g * interval '37 minutes' ELSE timestamptz '2025-12-29 00:00+08'"
    "   + (g - 3000) * interval '37 minutes' END + (g % 3) * interval '1 second' AS t,"
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
    " FROM cases WHERE client_name = '王五' AND stat_due_at IS NOT NULL AND right(case_id, 2) < "
    "'40';";

/* The overview as on_overview made it before county_stats_overview (county_web.c at b36980a). */
static json_t *run(PGconn *pg, const tb_env_ctx_t *env, const char *sc, int64_t now_ms,
                   int32_t from, int32_t to, county_by_t by, county_period_t period)
{
    county_stats_query_t q = {from, to, by, period, {0}, now_ms};
    memcpy(q.scope, sc, TB_CODE_LEN + 1);
    json_t *st = NULL;
    assert_rc(county_stats_run_cases(pg, env, &q, &st), 0);
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

/* The overview (from migration 024's sums) against the four queries over the cases, as JSON,
 * for several "now"s and scopes; fails on the first difference.  How many comparisons had
 * every kind of figure in them (not a comparison of nothing). */
static int same_everywhere(PGconn *pg, const tb_env_ctx_t *env, const char *what)
{
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
            json_t *want = old_overview(pg, env, scopes[j], now), *got = NULL;
            assert_rc(county_stats_overview(pg, env, scopes[j], now, &got), 0);
            char *a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
            char *b = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
            if (strcmp(a, b) != 0)
                fail_msg("%s, now %s, scope %s:\nfrom the cases: %s\nfrom the sums: %s", what,
                         nows[i], scopes[j], a, b);
            if (json_integer_value(json_object_get(json_object_get(got, "month"), "accepted")) >
                    0 &&
                json_array_size(json_object_get(got, "trend")) >= 20 &&
                json_integer_value(json_object_get(json_object_get(got, "open"), "overdue")) > 0 &&
                json_integer_value(json_object_get(json_object_get(got, "month"), "cards")) > 0 &&
                json_integer_value(json_object_get(json_object_get(got, "today"), "entrust")) > 0)
                nonzero++;
            print_message("# %s: %s %s: %zu bytes, the same\n", what, nows[i], scopes[j],
                          strlen(b));
            free(a);
            free(b);
            json_decref(want);
            json_decref(got);
        }
    }
    return nonzero;
}

/* Where two results of county_stats_run differ, for the failure's message: the first row
 * (or the total) and measure with different values. */
static void first_diff(const json_t *want, const json_t *got, char *buf, size_t len)
{
    const json_t *wr = json_object_get(want, "rows"), *gr = json_object_get(got, "rows");
    snprintf(buf, len, "rows: %zu from the cases, %zu from the sums", json_array_size(wr),
             json_array_size(gr));
    if (json_array_size(wr) != json_array_size(gr))
        return;
    for (size_t i = 0; i <= json_array_size(wr); i++) {
        const json_t *a =
            i < json_array_size(wr) ? json_array_get(wr, i) : json_object_get(want, "total");
        const json_t *b =
            i < json_array_size(gr) ? json_array_get(gr, i) : json_object_get(got, "total");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)a, key, v)
        {
            if (json_equal(v, json_object_get(b, key)))
                continue;
            char *x = json_dumps(v, JSON_ENCODE_ANY),
                 *y = json_dumps(json_object_get(b, key), JSON_ENCODE_ANY);
            snprintf(buf, len, "%s %s %s: %s from the cases, %s from the sums",
                     i < json_array_size(wr) ? "row" : "total",
                     json_string_value(json_object_get(a, "unit"))
                         ? json_string_value(json_object_get(a, "unit"))
                         : "",
                     key, x ? x : "?", y ? y : "?");
            free(x);
            free(y);
            return;
        }
    }
}

/* Every figure of county_stats_run (/api/stats, the report, the 月度通报: from the per-day
 * sums by the county, a township or a village) against stats_sql run over the cases
 * (county_stats_run_cases), as JSON: each by (county, township, village) x period (none,
 * month, day) x scope (the county, two townships, a village) x range (a year and more, the
 * turn of the year, from mid-September to mid-October, the National Day alone, the day of
 * the make-up Saturday), each range with its own "now" for the cases overdue while open.
 * Fails on the first difference.  The counts that were non-zero in some comparison are
 * added to seen (an object of their names); how many comparisons had accepted cases. */
static int stats_same(PGconn *pg, const tb_env_ctx_t *env, const char *what, json_t *seen)
{
    static const struct {
        const char *from, *to, *now;
    } ranges[] = {
        {"2025-12-01", "2026-11-30", "2026-10-20 10:00:00"},
        {"2025-12-31", "2026-01-02", "2026-01-01 12:00:00"},
        {"2026-09-17", "2026-10-16", "2026-10-12 08:00:00"},
        {"2026-10-01", "2026-10-01", "2026-11-20 10:00:00"},
        {"2026-10-10", "2026-10-10", "2026-09-30 23:59:59"},
    };
    static const char *const scopes[] = {COUNTY, "360826102000", TOWNSHIP, VILLAGE};
    int nonzero = 0;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        county_stats_query_t q = {0};
        assert_rc(tb_day_parse(ranges[i].from, &q.from_day), 0);
        assert_rc(tb_day_parse(ranges[i].to, &q.to_day), 0);
        q.now_ms = china_ms(ranges[i].now);
        for (size_t j = 0; j < sizeof scopes / sizeof scopes[0]; j++) {
            memcpy(q.scope, scopes[j], TB_CODE_LEN + 1);
            for (int by = COUNTY_BY_COUNTY; by <= COUNTY_BY_VILLAGE; by++) {
                for (int per = COUNTY_PERIOD_NONE; per <= COUNTY_PERIOD_DAY; per++) {
                    q.by = (county_by_t)by;
                    q.period = (county_period_t)per;
                    json_t *want = NULL, *got = NULL;
                    assert_rc(county_stats_run_cases(pg, env, &q, &want), 0);
                    assert_rc(county_stats_run(pg, env, &q, &got), 0);
                    char *a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
                    char *b = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
                    if (strcmp(a, b) != 0) {
                        char d[512];
                        first_diff(want, got, d, sizeof d);
                        fail_msg("%s, %s..%s (now %s), scope %s, by %d, period %d: %s", what,
                                 ranges[i].from, ranges[i].to, ranges[i].now, scopes[j], by, per,
                                 d);
                    }
                    json_t *tot = json_object_get(got, "total");
                    const char *key;
                    json_t *v;
                    json_object_foreach(tot, key, v)
                    {
                        if (json_is_integer(v) && json_integer_value(v) > 0)
                            json_object_set_new(seen, key, json_true());
                    }
                    if (json_integer_value(json_object_get(tot, "accepted")) > 0)
                        nonzero++;
                    free(a);
                    free(b);
                    json_decref(want);
                    json_decref(got);
                }
            }
        }
    }
    print_message("# %s: /api/stats from the sums equals stats_sql in %zu x 36 queries (%d with"
                  " accepted cases)\n",
                  what, sizeof ranges / sizeof ranges[0], nonzero);
    return nonzero;
}

/* Every count of the figures was non-zero in some comparison of stats_same. */
static void seen_all(json_t *seen)
{
    /* Space-separated: the names of the counts. */
    static const char counts[] =
        "entrust consult help accepted closed on_time early immediate"
        " promised_closed overdue open rated satisfied bad cards"
        " cards_yellow cards_red complaints complaints_closed"
        " complaints_declined complaints_redone complaints_fault followups";
    char name[32];
    int n = 0;
    for (const char *at = counts; sscanf(at, "%31s%n", name, &n) == 1; at += n)
        if (!json_object_get(seen, name))
            fail_msg("%s was 0 in every comparison: nothing compared", name);
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
    assert_true(same_everywhere(pg, &env, "the store") >= 12);
    json_t *seen = json_object();
    assert_true(stats_same(pg, &env, "the store", seen) >= 100);
    json_decref(seen);
    tb_cli_env_fini(&env);
    PQfinish(pg);
}

/* The store of the first test, made the same way. */
static void build_store(PGconn *pg)
{
    const char *src = getenv("TB_SOURCE");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/integration/stats-national-day-2026.sql", src);
    exec_ok(pg, slurp(path));
    exec_ok(pg, generated_sql);
    exec_ok(pg, "ANALYZE");
}

static void load_env(tb_env_ctx_t *env)
{
    memset(env, 0, sizeof *env);
    setenv("TONGBAN_PLACE", COUNTY, 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    setenv("TONGBAN_DB", conninfo, 1);
    tb_config_init(&env->cfg);
    assert_rc(tb_cli_load(env, TB_LEVEL_COUNTY, NULL), 0);
}

static long long count_of(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%.200s: %s", sql, PQerrorMessage(pg));
    long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* What changes a case after the day it was logged, as the county's writers change it: late
 * 受理 (single-row and multi-row statements, so the trigger of migration 009 sets
 * stat_accepted_at days later), late completions with ratings and 追评, refusals and
 * withdrawals of cases in pre-review, a deadline moved (county_refresh_due's statement),
 * pauses, a case whose logging time moved across midnight, a case removed,
 * rectifications struck by an approved appeal, revisited, rectified and removed, complaint
 * events of every outcome (and one not folded), cases of every kind and state inserted
 * (those not accepted summed by migration 027's path), some with complaints stored first,
 * some with complaints filed in the same transaction, steps between states of one class and
 * across classes (migration 030).  After each, the sums' overview equals the four queries over
 * the cases and the sums equal the sums rebuilt from the cases; after the last, /api/stats
 * from the sums equals the statement over the cases in every range. */
static const char *const changes[] = {
    /* late 受理, one case at a time (the record path) */
    "UPDATE cases SET state = 'accepted', updated_at = accept_time + interval '3 days 2 hours',"
    " due_at = accept_time + interval '12 days', version = version + 1"
    " WHERE case_id = (SELECT min(case_id) FROM cases WHERE state = 'prereview'"
    " AND client_name = '王五')",
    /* late 受理 of many at once (the bulk path), across midnights and the holiday */
    "UPDATE cases SET state = 'accepted', updated_at = accept_time + (1 + length(case_id) % 4)"
    " * interval '19 hours', due_at = accept_time + interval '9 days', version = version + 1"
    " WHERE state = 'prereview' AND client_name = '王五' AND right(case_id, 1) IN ('2', '5')",
    /* late completions, some after their deadline, rated, some with 追评 */
    "UPDATE cases SET state = 'closed', completion_time = updated_at + (right(case_id, 1)::int)"
    " * interval '2 days', due_at = NULL, rating = right(case_id, 1)::int % 6,"
    " followup = CASE WHEN right(case_id, 1) IN ('3', '6') THEN 2 ELSE 0 END,"
    " version = version + 1 WHERE state = 'accepted' AND client_name = '王五'"
    " AND right(case_id, 2) < '50'",
    /* refusals and withdrawals in pre-review */
    "UPDATE cases SET state = CASE WHEN right(case_id, 1) < '5' THEN 'refused' ELSE 'withdrawn'"
    " END, version = version + 1 WHERE state = 'prereview' AND client_name = '王五'"
    " AND right(case_id, 1) IN ('0', '7', '8')",
    /* deadlines recounted (a calendar's refresh writes due_at; the trigger keeps stat_due_at) */
    "UPDATE cases SET due_at = due_at + interval '2 days' WHERE state = 'accepted'"
    " AND client_name = '王五' AND right(case_id, 1) IN ('1', '4')",
    /* paused and resumed */
    "UPDATE cases SET paused = NOT paused WHERE state = 'accepted' AND client_name = '王五'"
    " AND right(case_id, 1) = '9'",
    /* a logging time moved across midnight, and a case removed */
    "UPDATE cases SET accept_time = accept_time + interval '9 hours'"
    " WHERE case_id = (SELECT max(case_id) FROM cases WHERE client_name = '王五'"
    " AND state = 'closed')",
    "DELETE FROM cases WHERE case_id = (SELECT min(case_id) FROM cases WHERE state = 'closed'"
    " AND client_name = '王五' AND rating = 5)",
    /* rectifications (opened by migration 012's trigger for a 差评): two removed, one
     * written again, an approved appeal, revisited, rectified */
    "DELETE FROM rectifications WHERE case_id IN (SELECT case_id FROM rectifications"
    " ORDER BY case_id LIMIT 2)",
    "INSERT INTO rectifications(case_id, rating, comment, channel, named, rated_at, owner)"
    " SELECT case_id, rating, '差', 'village', true, completion_time, holder FROM cases"
    " WHERE state = 'closed' AND rating BETWEEN 1 AND 2 AND client_name = '王五'"
    " AND completion_time > '2026-01-01'"
    " ON CONFLICT (case_id) DO NOTHING",
    "UPDATE rectifications SET appeal = 'approved' WHERE right(case_id, 1) IN ('5', '6')",
    "UPDATE rectifications SET revisited_at = rated_at + interval '1 day',"
    " rectified_at = CASE WHEN right(case_id, 1) = '8' THEN rated_at + interval '2 days' END"
    " WHERE revisited_at IS NULL AND right(case_id, 1) IN ('2', '8', '9')",
    /* complaints of every outcome, and one the rules refused (not folded: not counted) */
    "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at,"
    " target, reason, via, folded, body)"
    " SELECT '360826000000', 5000 + row_number() OVER (ORDER BY case_id, t), case_id, t,"
    " 'complaint', '张代办', accept_time + interval '5 days', '', '', '360826000000',"
    " t <> 38 OR right(case_id, 1) <> '3', '' FROM cases"
    " CROSS JOIN unnest(ARRAY[30, 31, 32, 36, 37, 38]) t"
    " WHERE client_name = '王五' AND right(case_id, 2) IN ('13', '42', '77')",
    /* a case whose 差评's rectification and complaints were stored before its row (a
     * restore, a replay): counted when the row comes, several rows in one statement */
    "INSERT INTO rectifications(case_id, rating, comment, channel, named, rated_at, owner,"
    " revisited_at, rectified_at)"
    " SELECT case_id || 'r', rating, '慢', 'village', true, completion_time, holder,"
    " completion_time, CASE WHEN right(case_id, 1) < '5' THEN completion_time END FROM cases"
    " WHERE state = 'closed' AND rating BETWEEN 1 AND 2 AND client_name = '王五'"
    " AND right(case_id, 2) BETWEEN '20' AND '59'",
    "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at,"
    " target, reason, via, folded, body)"
    " SELECT '360826000000', 9000 + row_number() OVER (ORDER BY case_id, t), case_id || 'r', t,"
    " 'complaint', '张代办', accept_time + interval '5 days', '', '', '360826000000', true, ''"
    " FROM cases CROSS JOIN unnest(ARRAY[30, 32, 36, 37, 38]) t"
    " WHERE state = 'closed' AND rating BETWEEN 1 AND 2 AND client_name = '王五'"
    " AND right(case_id, 2) BETWEEN '20' AND '39'",
    "INSERT INTO cases SELECT (jsonb_populate_record(c, jsonb_build_object('case_id',"
    " c.case_id || 'r'))).* FROM cases c WHERE state = 'closed' AND rating BETWEEN 1 AND 2"
    " AND client_name = '王五' AND right(case_id, 2) BETWEEN '20' AND '59'",
    /* cases of every kind and state, most not accepted (migration 027 sums those straight
     * from the inserted rows), some with complaints stored before their rows: one statement
     * of accepted and not accepted rows */
    "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at,"
    " target, reason, via, folded, body)"
    " SELECT '360826000000', 20000 + row_number() OVER (ORDER BY case_id, t), case_id || 'u',"
    " t, 'complaint', '张代办', accept_time + interval '1 day', '', '', '360826000000',"
    " t <> 36 OR right(case_id, 1) <> '4', '' FROM cases"
    " CROSS JOIN unnest(ARRAY[30, 32, 36, 37, 38]) t WHERE right(case_id, 2) BETWEEN '60' AND '69'",
    "INSERT INTO cases SELECT (jsonb_populate_record(c, jsonb_build_object('case_id',"
    " c.case_id || 'u'))).* FROM cases c WHERE right(case_id, 2) BETWEEN '60' AND '79'",
    /* steps within one class of state, which no figure tells apart (migration 030 passes
     * none of them to the sums): between open states, accepted or not, and from refused
     * to withdrawn; with one step across classes in the same statement (a decided case
     * withdrawn), which must move its figures */
    "UPDATE cases SET state = CASE state WHEN 'prereview' THEN 'received'"
    " WHEN 'accepted' THEN 'decided' WHEN 'refused' THEN 'withdrawn'"
    " WHEN 'decided' THEN 'withdrawn' END, version = version + 1"
    " WHERE client_name = '王五' AND state IN ('prereview', 'accepted', 'refused', 'decided')"
    " AND right(case_id, 1) IN ('1', '6')",
    /* a batch that files complaints for cases it logs, the events first (the county's batch
     * order: bulk_events, then bulk_new_case), one transaction; not accepted and accepted */
    "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at,"
    " target, reason, via, folded, body)"
    " SELECT '360826000000', 30000 + row_number() OVER (ORDER BY case_id, t), case_id || 'b',"
    " t, 'complaint', '张代办', accept_time + interval '2 hours', '', '', '360826000000',"
    " true, '' FROM cases CROSS JOIN unnest(ARRAY[30, 32, 36, 37, 38]) t"
    " WHERE right(case_id, 2) BETWEEN '80' AND '84';"
    "INSERT INTO cases SELECT (jsonb_populate_record(c, jsonb_build_object('case_id',"
    " c.case_id || 'b'))).* FROM cases c WHERE right(case_id, 2) BETWEEN '80' AND '89'",
    /* many cases removed at once */
    "DELETE FROM cases WHERE client_name = '王五' AND right(case_id, 2) IN ('21', '37', '64')",
};

/* The plans PostgreSQL compiled with JIT among those auto_explain sends the client, but for
 * the statement the test ran itself (top: a change scans tables the settings disable). */
typedef struct {
    int n;
    const char *top;
} jit_seen_t;

static void note_jit(void *arg, const char *message)
{
    jit_seen_t *seen = arg;
    const char *q = strstr(message, "Query Text: ");
    if (!strstr(message, "\nJIT:") ||
        (q && seen->top && strncmp(q + 12, seen->top, strlen(seen->top)) == 0))
        return;
    seen->n++;
    fprintf(stderr, "# compiled: %.300s\n", message);
}

/* The sums as the changes' triggers left them equal the sums rebuilt from the cases
 * (case_day_sums_rebuild, in a transaction rolled back); a row of nothing but zeros counts as
 * no row.  What the triggers did to the sums, checked in one statement: the /api/stats
 * comparison over every range (stats_same, seconds) is made after the last change. */
static void sums_as_rebuilt(PGconn *pg, const char *what)
{
    static const char diff[] =
        "SELECT count(*), coalesce(min(x::text), '') FROM ("
        " (SELECT to_jsonb(k) x FROM kept_day k EXCEPT SELECT to_jsonb(s) FROM case_day_sums s)"
        " UNION ALL (SELECT to_jsonb(s) FROM case_day_sums s EXCEPT SELECT to_jsonb(k) FROM kept_day k)"
        " UNION ALL (SELECT to_jsonb(k) FROM kept_open k EXCEPT SELECT to_jsonb(s) FROM case_open_sums s)"
        " UNION ALL (SELECT to_jsonb(s) FROM case_open_sums s EXCEPT SELECT to_jsonb(k) FROM kept_open k)"
        ") d WHERE EXISTS (SELECT 1 FROM jsonb_each(x - 'day' - 'origin') e WHERE e.value <> '0')";
    exec_ok(pg, "BEGIN");
    exec_ok(pg, "CREATE TEMP TABLE kept_day ON COMMIT DROP AS SELECT * FROM case_day_sums");
    exec_ok(pg, "CREATE TEMP TABLE kept_open ON COMMIT DROP AS SELECT * FROM case_open_sums");
    exec_ok(pg, "SELECT case_day_sums_rebuild()");
    PGresult *r = PQexec(pg, diff);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", what, PQerrorMessage(pg));
    if (strcmp(PQgetvalue(r, 0, 0), "0") != 0)
        fail_msg("%s: %s sum row(s) differ from the sums rebuilt from the cases, e.g. %.300s",
                 what, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    PQclear(r);
    r = PQexec(pg, "SELECT (SELECT count(*) FROM kept_day), (SELECT count(*) FROM kept_open)");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    print_message("# %s: the sums are the sums rebuilt from the cases (%s day rows, %s villages)\n",
                  what, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    assert_true(atoi(PQgetvalue(r, 0, 0)) > 100);
    PQclear(r);
    exec_ok(pg, "ROLLBACK");
}

static void follow_changes(const char *settings)
{
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    build_store(pg);
    jit_seen_t jit = {0, NULL};
    PQsetNoticeProcessor(pg, note_jit, &jit);
    exec_ok(pg, "LOAD 'auto_explain'");
    tb_env_ctx_t env;
    load_env(&env);
    json_t *seen = json_object();
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        exec_ok(pg, settings); /* for the change only: the comparisons scan */
        jit.top = changes[i];
        PGresult *r = PQexec(pg, changes[i]);
        jit.top = NULL;
        if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdTuples(r), "0") == 0)
            fail_msg("%.200s: %s (%s rows)", changes[i], PQerrorMessage(pg), PQcmdTuples(r));
        PQclear(r);
        exec_ok(pg, "RESET ALL");
        char what[64];
        snprintf(what, sizeof what, "after change %zu", i + 1);
        /* the overview after every change, at every now and scope; the sums too */
        assert_true(same_everywhere(pg, &env, what) >= 8);
        sums_as_rebuilt(pg, what);
    }
    assert_true(stats_same(pg, &env, "after the last change", seen) >= 100);
    /* No statement of the changes or their triggers was compiled (migration 025: the
     * settings' disable_cost made PostgreSQL compile the sums' statements, a second each). */
    if (jit.n)
        fail_msg("%d trigger statement(s) compiled with JIT", jit.n);
    seen_all(seen);
    json_decref(seen);
    tb_cli_env_fini(&env);
    PQfinish(pg);
}

static void test_sums_follow_late_changes(void **state)
{
    (void)state;
    follow_changes("RESET ALL");
}

/* The same changes on a connection planned as the county's batch connection is
 * (county_stmt.c: no hash or merge joins, no sequential scans), its first statement one row,
 * so the triggers' plans are made under those settings and for that size (migration 025), and
 * none of them is compiled with JIT. */
static void test_sums_follow_changes_as_the_batch_plans(void **state)
{
    (void)state;
    follow_changes("SET enable_hashjoin = off; SET enable_mergejoin = off;"
                   " SET enable_seqscan = off; SET auto_explain.log_min_duration = 0;"
                   " SET auto_explain.log_nested_statements = on; SET client_min_messages = log");
}

/* A calendar change (a holiday calendar imported: the working days of cases already closed
 * move): the overview stores the new calendar, rebuilds every sum and equals the four
 * queries counted with it.  And the sums are what it reads: a sum changed by hand shows. */
static void test_sums_follow_the_calendar(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    build_store(pg);
    tb_env_ctx_t env;
    load_env(&env);
    assert_true(same_everywhere(pg, &env, "the shipped calendar") >= 12);
    PGresult *r = PQexec(pg, "SELECT fp FROM stat_calendar");
    assert_int_equal(PQntuples(r), 1);
    char *fp0 = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    static const char cal[] = "date,kind,holiday\n2026-09-28,off,测试\n2026-10-08,off,测试\n"
                              "2026-10-10,off,测试\n2026-10-18,work,测试\n";
    int bad = 0;
    assert_rc(tb_calendar_load_buf(env.calendar, cal, strlen(cal), &bad), 0);
    long long wd0 = count_of(pg, "SELECT sum(workdays) FROM case_day_sums");
    assert_true(same_everywhere(pg, &env, "another calendar") >= 12);
    json_t *seen = json_object();
    assert_true(stats_same(pg, &env, "another calendar", seen) >= 100);
    long long wd1 = count_of(pg, "SELECT sum(workdays) FROM case_day_sums");
    if (wd0 == wd1)
        fail_msg("the working days did not move with the calendar: %lld", wd0);
    r = PQexec(pg, "SELECT fp FROM stat_calendar");
    if (strcmp(fp0, PQgetvalue(r, 0, 0)) == 0)
        fail_msg("the calendar's fingerprint did not change: %s", fp0);
    PQclear(r);
    free(fp0);
    /* A catalog imported: NB001 promises 6 days, not 10; JS001 becomes a 承诺件 of 3 days;
     * SF001 (generated, not in the catalog) stays unknown. */
    const char *src = getenv("TB_SOURCE");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/catalog.csv", src);
    char *csv = strdup(slurp(path)), *at;
    assert_non_null(at = strstr(csv, "promised,10,20"));
    memcpy(at, "promised,06,20", 14);
    assert_non_null(at = strstr(csv, "JS001"));
    assert_non_null(at = strstr(at, "immediate,0,0"));
    memcpy(at, "promised1,3,9", 13);
    memmove(at + 8, at + 9, strlen(at + 9) + 1); /* "promised,3,9" */
    assert_rc(tb_catalog_load_buf(env.catalog, csv, strlen(csv), &bad), 0);
    free(csv);
    assert_true(same_everywhere(pg, &env, "another catalog") >= 12);
    assert_true(stats_same(pg, &env, "another catalog", seen) >= 100);
    json_decref(seen);
    assert_true(count_of(pg, "SELECT promised FROM stat_items WHERE code = 'JS001'") == 3);
    /* The sums are read: one changed by hand makes the overview differ from the cases. */
    exec_ok(pg, "UPDATE case_day_sums SET entrust = entrust + 1 WHERE day = '2026-10-09'"
                " AND origin = '360826100001'");
    int64_t now = china_ms("2026-10-10 12:00:00");
    json_t *want = old_overview(pg, &env, COUNTY, now), *got = NULL;
    assert_rc(county_stats_overview(pg, &env, COUNTY, now, &got), 0);
    json_int_t w = json_integer_value(json_object_get(json_object_get(want, "month"), "entrust"));
    json_int_t g = json_integer_value(json_object_get(json_object_get(got, "month"), "entrust"));
    if (g != w + 1)
        fail_msg("the month's entrust: %lld from the sums, %lld from the cases", (long long)g,
                 (long long)w);
    json_decref(want);
    json_decref(got);
    /* And so are they by /api/stats: October by township, from the sums and from the cases. */
    county_stats_query_t q = {0, 0, COUNTY_BY_TOWNSHIP, COUNTY_PERIOD_MONTH, COUNTY, now};
    assert_rc(tb_day_parse("2026-10-01", &q.from_day), 0);
    assert_rc(tb_day_parse("2026-10-31", &q.to_day), 0);
    assert_rc(county_stats_run_cases(pg, &env, &q, &want), 0);
    assert_rc(county_stats_run(pg, &env, &q, &got), 0);
    w = json_integer_value(json_object_get(json_object_get(want, "total"), "entrust"));
    g = json_integer_value(json_object_get(json_object_get(got, "total"), "entrust"));
    if (g != w + 1)
        fail_msg("October's entrust by township: %lld from the sums, %lld from the cases",
                 (long long)g, (long long)w);
    json_decref(want);
    json_decref(got);
    tb_cli_env_fini(&env);
    PQfinish(pg);
}

/* A store migrated to 023 with cases in it (the sums' triggers not there yet when they were
 * written): migration 024 builds the sums from them (and 025 after it replaces triggers). */
extern const char *const county_migrations[];
extern const size_t county_migration_count;

static void test_migration_backfills(void **state)
{
    (void)state;
    PGconn *pg = tb_test_county_store(conninfo);
    assert_non_null(pg);
    exec_ok(pg, "DROP TRIGGER cases_day_sums_ins ON cases; DROP TRIGGER cases_day_sums_upd ON"
                " cases; DROP TRIGGER cases_day_sums_del ON cases;"
                " DROP TRIGGER rectifications_day_sums ON rectifications;"
                " DROP TRIGGER case_events_day_sums ON case_events; DROP TABLE case_day_sums;"
                " DROP TABLE case_open_sums; DROP TABLE stat_calendar;"
                " DROP INDEX cases_not_due; DROP TYPE case_day_row_w CASCADE; DROP TYPE case_day_row");
    build_store(pg);
    size_t m024 = county_migration_count;
    for (size_t v = 0; v < county_migration_count; v++)
        if (strstr(county_migrations[v], "CREATE TABLE IF NOT EXISTS case_day_sums"))
            m024 = v;
    assert_true(m024 < county_migration_count);
    /* 024 and every migration after it (025's triggers) */
    exec_ok(pg, "BEGIN");
    for (size_t v = m024; v < county_migration_count; v++)
        exec_ok(pg, county_migrations[v]);
    exec_ok(pg, "COMMIT");
    assert_true(count_of(pg, "SELECT sum(n) FROM case_day_sums") ==
                count_of(pg, "SELECT count(*) FROM cases"));
    tb_env_ctx_t env;
    load_env(&env);
    assert_true(same_everywhere(pg, &env, "backfilled") >= 12);
    json_t *seen = json_object();
    assert_true(stats_same(pg, &env, "backfilled", seen) >= 100);
    json_decref(seen);
    tb_cli_env_fini(&env);
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
        cmocka_unit_test(test_sums_follow_late_changes),
        cmocka_unit_test(test_sums_follow_changes_as_the_batch_plans),
        cmocka_unit_test(test_sums_follow_the_calendar),
        cmocka_unit_test(test_migration_backfills),
    };
    return cmocka_run_group_tests_name("county-overview", tests, NULL, NULL) ? 1 : 0;
}
