/* county_overview: the dashboard's overview (county_stats_overview, county_stats.h): today,
 * this week, this month by unit and the 30 days' trend folded from the figures by unit and
 * day of migration 024's per-day sums (county_stats.c, sums_sql), with the figures of now:
 * the open cases (from the sums' open counts, as county_stats_open counts them from the
 * cases) and the open cards (county_stats_cards). */
#include "county_stats_int.h"

#include "tb_calendar.h"
#include "tb_error.h"
#include "tb_place.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the sums' calendar and catalog ------------------------------------------------------ */

/* What the per-day sums are counted with (migration 024's stat_calendar and stat_items): the
 * running counts of working days from 2000-01-01 to 2099-12-31 and the catalog's codes,
 * kinds and promised days, with a fingerprint of both (FNV-1a over the days' working flags
 * and the catalog's three lists).  Any case the dashboard shows has its days there;
 * stats_sql's own calendar (CAL_DAYS from the day before `from`) gives the same differences. */
#define SUMS_CAL_FIRST "2000-01-01"
#define SUMS_CAL_DAYS 36525

int county_stats_calendar_sync(PGconn *pg, const tb_env_ctx_t *env)
{
    int32_t first;
    if (tb_day_parse(SUMS_CAL_FIRST, &first) < 0)
        return -EINVAL;
    county_stats_query_t q = {0};
    memcpy(q.scope, env->place, TB_CODE_LEN + 1);
    q.from_day = q.to_day = first + 1;
    county_stats_params_t p;
    int rc = county_stats_params_fill(&p, env, &q);
    if (rc < 0)
        return rc;
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < SUMS_CAL_DAYS; i++) {
        h ^= tb_calendar_is_workday(env->calendar, first + i) ? 1u : 0u;
        h *= 1099511628211ULL;
    }
    for (int k = 4; k <= 6; k++) {
        for (const unsigned char *c = (const unsigned char *)p.v[k]; *c; c++) {
            h ^= *c;
            h *= 1099511628211ULL;
        }
        h ^= 0x100; /* the lists' ends */
        h *= 1099511628211ULL;
    }
    char fp[32];
    snprintf(fp, sizeof fp, "%016" PRIx64, h);
    const char *v1[1] = {fp};
    PGresult *r = PQexecParams(pg, "SELECT 1 FROM stat_calendar WHERE fp = $1", 1, NULL, v1, NULL,
                               NULL, 0);
    int st = PQresultStatus(r), n = PQntuples(r);
    PQclear(r);
    if (st != PGRES_TUPLES_OK || n == 1) {
        county_stats_params_free(&p);
        return st != PGRES_TUPLES_OK ? -TB_ESTORE : 0;
    }
    /* Another calendar or catalog (or none yet): every sum again, once (seconds at 1 M). */
    char *w = malloc((size_t)SUMS_CAL_DAYS * 7 + 3);
    if (!w) {
        county_stats_params_free(&p);
        return -ENOMEM;
    }
    size_t at = 0;
    int workdays = 0;
    w[at++] = '{';
    for (int i = 0; i < SUMS_CAL_DAYS; i++) {
        workdays += tb_calendar_is_workday(env->calendar, first + i) ? 1 : 0;
        at += (size_t)snprintf(w + at, (size_t)SUMS_CAL_DAYS * 7 + 3 - at, i ? ",%d" : "%d",
                               workdays);
    }
    w[at++] = '}';
    w[at] = 0;
    const char *v6[6] = {SUMS_CAL_FIRST, w, p.v[4], p.v[5], p.v[6], fp};
    r = PQexecParams(pg, "SELECT stat_calendar_set($1::date, $2::int[], $3, $4, $5, $6)", 6, NULL,
                     v6, NULL, NULL, 0);
    free(w);
    county_stats_params_free(&p);
    st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_TUPLES_OK ? 0 : -TB_ESTORE;
}

/* ---- the figures now ------------------------------------------------------------------- */

/* The cards open now in the scope (cards of migration 008: one open card
 * per case at most), by level.  $1 the scope as a LIKE pattern on the case
 * id, which begins with its origin's code. */
static const char cards_sql[] =
    "SELECT count(*) FILTER (WHERE level = 'yellow'), count(*) FILTER (WHERE level = 'red')"
    " FROM cards WHERE cleared_at IS NULL AND case_id LIKE $1";

int county_stats_cards(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                       json_t **ret)
{
    county_stats_params_t p;
    int rc = county_stats_params_fill(&p, env, q);
    if (rc < 0)
        return rc;
    const char *v[1] = {p.like};
    PGresult *r = PQexecParams(pg, cards_sql, 1, NULL, v, NULL, NULL, 0);
    county_stats_params_free(&p);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return -TB_ESTORE;
    }
    *ret = json_pack("{s:I, s:I}", "yellow", (json_int_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10),
                     "red", (json_int_t)strtoll(PQgetvalue(r, 0, 1), NULL, 10));
    PQclear(r);
    return *ret ? 0 : -ENOMEM;
}

/* Open cases and those of them past their deadline now, per unit one level
 * down, counted from the cases: what the overview shows live, as the tests'
 * reference for open_sums_sql (the overview's).  Not limited to a range of
 * logging days (a case logged three years ago and still open counts).  It
 * reads every case: migration 027 dropped the partial index of the open cases
 * (023's cases_open_now), which no other statement read and every case
 * logged wrote.
 * $1 scope LIKE pattern, $2 now (unix ms), $3/$4 catalog codes and kinds,
 * $5 by (township|village). */
static const char open_sql[] =
    "WITH items AS (SELECT * FROM unnest(string_to_array($3, E'\\n'),"
    "  string_to_array($4, E'\\n')) AS i(code, kind))"
    " SELECT CASE $5 WHEN 'township' THEN substr(c.origin, 1, 9) || '000' ELSE c.origin END,"
    " count(*), count(*) FILTER (WHERE c.stat_accepted_at IS NOT NULL AND NOT c.paused"
    "  AND c.completion_time IS NULL AND c.stat_due_at < to_timestamp($2::bigint / 1000.0))"
    " FROM cases c LEFT JOIN items i ON i.code = c.item_code"
    " WHERE c.state NOT IN ('closed', 'withdrawn', 'refused') AND c.origin LIKE $1"
    " AND coalesce(i.kind, '') NOT IN ('consult', 'help') GROUP BY 1 ORDER BY 1";

/* The same figures from migration 024's counts: the open cases by village from
 * case_open_sums, those of them past their deadline now its watch (migration 026: accepted,
 * not done, not paused, with a deadline) less those not yet due, from the partial index
 * cases_not_due (the cases accepted lately) instead of every watched one.  $1..$5 as
 * open_sql. */
static const char open_sums_sql[] =
    "WITH items AS (SELECT * FROM unnest(string_to_array($3, E'\\n'),"
    "  string_to_array($4, E'\\n')) AS i(code, kind)),"
    " od AS (SELECT c.origin, count(*) AS n FROM cases c LEFT JOIN items i ON i.code = c.item_code"
    "  WHERE c.stat_accepted_at IS NOT NULL AND c.completion_time IS NULL AND NOT c.paused"
    "  AND c.state NOT IN ('withdrawn', 'refused') AND c.state <> 'closed' AND c.origin LIKE $1"
    "  AND c.stat_due_at >= to_timestamp($2::bigint / 1000.0)"
    "  AND coalesce(i.kind, '') NOT IN ('consult', 'help') GROUP BY 1)"
    " SELECT CASE $5 WHEN 'township' THEN substr(origin, 1, 9) || '000' ELSE origin END,"
    " sum(open), sum(watch) - sum(n) FROM (SELECT origin, open, watch, 0 AS n"
    "  FROM case_open_sums WHERE origin LIKE $1 UNION ALL SELECT origin, 0, 0, n FROM od) u"
    " GROUP BY 1 HAVING sum(open) > 0 ORDER BY 1";

static int open_run(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                    bool from_sums, json_t **ret)
{
    county_stats_params_t p;
    int rc = county_stats_params_fill(&p, env, q);
    if (rc < 0)
        return rc;
    const char *v[5] = {p.like, p.now, p.v[4], p.v[5], county_stats_by_names[q->by]};
    PGresult *r =
        PQexecParams(pg, from_sums ? open_sums_sql : open_sql, 5, NULL, v, NULL, NULL, 0);
    county_stats_params_free(&p);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *rows = json_array();
    long long open = 0, late = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long o = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        long long l = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        open += o;
        late += l;
        json_array_append_new(rows,
                              json_pack("{s:s, s:s, s:I, s:I}", "unit", PQgetvalue(r, i, 0), "name",
                                        county_stats_unit_name(env, q->by, PQgetvalue(r, i, 0)),
                                        "open", (json_int_t)o, "overdue", (json_int_t)l));
    }
    PQclear(r);
    *ret = json_pack("{s:o, s:{s:I, s:I}}", "rows", rows, "total", "open", (json_int_t)open,
                     "overdue", (json_int_t)late);
    return *ret ? 0 : -ENOMEM;
}

int county_stats_open(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                      json_t **ret)
{
    return open_run(pg, env, q, false, ret);
}

/* ---- the overview ----------------------------------------------------------------------- */

/* Sums by one key (a unit, or a day), in the order first met. */
typedef struct {
    char *key;
    long long v[NCOUNTS];
} sum_t;

typedef struct {
    sum_t *at;
    size_t n, cap;
} sums_t;

static int sums_add(sums_t *s, const char *key, const long long v[NCOUNTS])
{
    size_t i = 0;
    while (i < s->n && strcmp(s->at[i].key, key))
        i++;
    if (i == s->n) {
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 32;
            sum_t *a = realloc(s->at, nc * sizeof *a);
            if (!a)
                return -ENOMEM;
            s->at = a;
            s->cap = nc;
        }
        sum_t *e = &s->at[s->n];
        memset(e, 0, sizeof *e);
        if (!(e->key = strdup(key)))
            return -ENOMEM;
        s->n++;
    }
    for (int k = 0; k < NCOUNTS; k++)
        s->at[i].v[k] += v[k];
    return 0;
}

static void sums_free(sums_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->at[i].key);
    free(s->at);
}

/* The overview's four ranges, folded from one query by unit and day: the first day of each
 * (YYYY-MM-DD: such days compare as text in their order). */
typedef struct {
    char today[TB_DAY_BUFSZ], week[TB_DAY_BUFSZ], month[TB_DAY_BUFSZ], trend[TB_DAY_BUFSZ];
    long long t[NCOUNTS], wk[NCOUNTS], mo[NCOUNTS];
    sums_t units; /* the month's, by unit */
    sums_t days;  /* the trend's, by day */
} fold_t;

static void add_to(long long tot[NCOUNTS], const long long v[NCOUNTS])
{
    for (int k = 0; k < NCOUNTS; k++)
        tot[k] += v[k];
}

static int fold_row(void *ctx, const char *unit, const char *day, const long long v[NCOUNTS])
{
    fold_t *f = ctx;
    int rc = 0;
    if (strcmp(day, f->today) == 0)
        add_to(f->t, v);
    if (strcmp(day, f->week) >= 0)
        add_to(f->wk, v);
    if (strcmp(day, f->month) >= 0) {
        add_to(f->mo, v);
        rc = sums_add(&f->units, unit, v);
    }
    if (rc == 0 && strcmp(day, f->trend) >= 0)
        rc = sums_add(&f->days, day, v);
    return rc;
}

/* The month's rows (by unit, no period) or the trend's (the county's code by day), as
 * county_stats_run gives them: sorted. */
static json_t *fold_rows(const tb_env_ctx_t *env, county_by_t by, const sums_t *s, bool by_day)
{
    json_t *rows = json_array();
    long long tot[NCOUNTS] = {0};
    for (size_t i = 0; rows && i < s->n; i++) {
        if (county_stats_add_row(rows, env, by_day ? COUNTY_BY_COUNTY : by,
                                 by_day ? env->place : s->at[i].key, by_day ? s->at[i].key : "",
                                 s->at[i].v, tot) < 0) {
            json_decref(rows);
            return NULL;
        }
    }
    if (rows)
        county_stats_sort_rows(rows);
    return rows;
}

int county_stats_overview(PGconn *pg, const tb_env_ctx_t *env, const char *scope, int64_t now_ms,
                          json_t **ret)
{
    int32_t today;
    if (tb_day_from_ms(now_ms, &today) < 0)
        return -ERANGE;
    int y, m, d;
    tb_day_to_ymd(today, &y, &m, &d);
    int32_t week = today - (tb_day_weekday(today) - 1), month = today - (d - 1), trend = today - 29;
    int32_t first = trend < month ? trend : month;
    first = week < first ? week : first;
    /* One level down from the place asked about: a county's townships, a township's villages. */
    county_by_t down =
        tb_code_level(scope) == TB_LEVEL_COUNTY ? COUNTY_BY_TOWNSHIP : COUNTY_BY_VILLAGE;
    fold_t f = {0};
    if (tb_day_format(today, f.today, sizeof f.today) < 0 ||
        tb_day_format(week, f.week, sizeof f.week) < 0 ||
        tb_day_format(month, f.month, sizeof f.month) < 0 ||
        tb_day_format(trend, f.trend, sizeof f.trend) < 0)
        return -EINVAL;
    /* Today, this week, this month by unit and the 30 days' trend were four statements over
     * the same days (the month's and the trend's each read ~80,000 of a busy county's
     * cases); every figure is a count or a sum, so one statement by unit and day from the
     * first of those days, folded here, gives the same numbers in one read.  That statement
     * still read every case of those days and evaluated ~26 figures per case (dash14: 0.5-1.4 s
     * at 1 M cases); it now reads the per-day sums the writers keep (~10,000 rows), counted
     * with the catalog and calendar in force (the sync below rebuilds them if another is). */
    county_stats_query_t q = {first, today, down, COUNTY_PERIOD_DAY, {0}, now_ms};
    snprintf(q.scope, sizeof q.scope, "%s", scope);
    PGresult *r, *k;
    int rc = county_stats_calendar_sync(pg, env);
    if (rc == 0)
        rc = county_stats_query(pg, env, &q, true, &r, &k);
    if (rc < 0)
        return rc;
    rc = county_stats_each_row(r, k, fold_row, &f);
    PQclear(r);
    PQclear(k);
    json_t *op = NULL, *cards = NULL, *units = NULL, *days = NULL, *o = NULL;
    if (rc == 0 && (!(units = fold_rows(env, down, &f.units, false)) ||
                    !(days = fold_rows(env, down, &f.days, true))))
        rc = -ENOMEM;
    sums_free(&f.units);
    sums_free(&f.days);
    q.by = down;
    q.period = COUNTY_PERIOD_NONE;
    if (rc == 0 && (rc = open_run(pg, env, &q, true, &op)) == 0)
        rc = county_stats_cards(pg, env, &q, &cards);
    const char *sn = tb_places_name(env->places, scope);
    if (rc == 0)
        o = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:O, s:O, s:O, s:O, s:O, s:s, s:s, s:s, "
                      "s:s}",
                      "scope", scope, "scope_name", sn ? sn : scope, "now_ms", (json_int_t)now_ms,
                      "today", county_stats_figures(f.t), "week", county_stats_figures(f.wk),
                      "month", county_stats_figures(f.mo), "units", units, "open",
                      json_object_get(op, "total"), "open_units", json_object_get(op, "rows"),
                      "trend", days, "cards", cards, "by", county_stats_by_names[down],
                      "month_from", f.month, "week_from", f.week, "today_day", f.today);
    json_decref(units);
    json_decref(days);
    json_decref(op);
    json_decref(cards);
    if (rc == 0 && !o)
        rc = -ENOMEM;
    if (rc < 0)
        return rc;
    *ret = o;
    return 0;
}
