/* county_stats: the county's figures (county_stats.h says what; README "Statistics" defines them).
 * By the county, a township or a village the figures are added up from migration 024's per-day
 * sums (sums_sql); by item or agent, and for the cases behind a number, one fixed statement
 * over the cases does the work (stats_sql, list_sql). The catalog in force (codes, kinds, promised
 * days) and the calendar in force (working days as running counts from a start day: working days
 * between two days are a difference, the same calendar as the deadlines) come as parameters, and so
 * do the grouping and period, picked from a fixed list (CASE in the SQL): no request text reaches
 * SQL. */
#include "county_stats_int.h"

#include "tb_calendar.h"
#include "tb_catalog.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_log.h" /* tb_now_ms only: nothing here logs */
#include "tb_place.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const county_stats_by_names[] = {"county", "township", "village", "item", "agent"};
static const char *const period_names[] = {"none", "month", "day"};

int county_stats_parse(const tb_env_ctx_t *env, const char *from, const char *to, const char *by,
                       const char *period, const char *scope, county_stats_query_t *ret,
                       const char **ret_msg)
{
    county_stats_query_t q = {0};
    if (!from || !to) {
        *ret_msg = TB_TR("须填写起止日期（YYYY-MM-DD）", "from and to are required (YYYY-MM-DD)");
        return -EINVAL;
    }
    if (tb_day_parse(from, &q.from_day) < 0 || tb_day_parse(to, &q.to_day) < 0) {
        *ret_msg =
            TB_TR("起止日期须写作 YYYY-MM-DD", "from and to must be dates written YYYY-MM-DD");
        return -EINVAL;
    }
    if (q.to_day < q.from_day) {
        *ret_msg =
            TB_TR("日期范围颠倒：起始日期晚于截止日期", "the range is reversed: from is after to");
        return -EINVAL;
    }
    if (q.to_day - q.from_day + 1 > COUNTY_STATS_MAX_DAYS) {
        *ret_msg = TB_TR("日期范围过长：一次最多 732 天",
                         "the range is too long: at most 732 days at once");
        return -EINVAL;
    }
    q.by = COUNTY_BY_COUNTY;
    if (by) {
        size_t i = 0;
        while (i < sizeof county_stats_by_names / sizeof county_stats_by_names[0] &&
               strcmp(by, county_stats_by_names[i]))
            i++;
        if (i == sizeof county_stats_by_names / sizeof county_stats_by_names[0]) {
            *ret_msg = TB_TR("分组（by）须为 county、township、village、item、agent 之一",
                             "by must be one of county, township, village, item, agent");
            return -EINVAL;
        }
        q.by = (county_by_t)i;
    }
    q.period = COUNTY_PERIOD_NONE;
    if (period) {
        size_t i = 0;
        while (i < sizeof period_names / sizeof period_names[0] && strcmp(period, period_names[i]))
            i++;
        if (i == sizeof period_names / sizeof period_names[0]) {
            *ret_msg = TB_TR("期间（period）须为 none、month、day 之一",
                             "period must be one of none, month, day");
            return -EINVAL;
        }
        q.period = (county_period_t)i;
    }
    if (!scope)
        scope = env->place;
    if (!tb_code_valid(scope)) {
        *ret_msg = TB_TR("地点（scope）须为 12 位地点代码", "scope must be a 12-digit place code");
        return -EINVAL;
    }
    if (strncmp(scope, env->place, 6) != 0 || tb_places_check(env->places, scope) < 0) {
        *ret_msg = TB_TR("所选地点不是本县的地点", "scope is not a known place of this county");
        return -EINVAL;
    }
    memcpy(q.scope, scope, TB_CODE_LEN + 1);
    q.now_ms = tb_now_ms();
    *ret = q;
    return 0;
}

/* ---- the statement ---------------------------------------------------------------------- */

/* The cases of the query with what the figures need, one row each.
 * $1 from, $2 to (days), $3 the scope as a LIKE pattern, $4 now (unix ms),
 * $5..$7 the catalog (codes, kinds, promised days; newline-separated),
 * $8 the calendar's first day, $9 its working days as running counts (an int[]
 * literal: element n is the number of working days among days 1..n, day 1 being $8),
 * $10 by, $11 period, $12 the county's code. */
#define CASES_CTE                                                                                  \
    "WITH items AS (SELECT * FROM unnest(string_to_array($5, E'\\n'),"                             \
    "  string_to_array($6, E'\\n'), string_to_array($7, E'\\n')::int[]) AS i(code, kind, "         \
    "promised)),"                                                                                  \
    " cal AS (SELECT $9::int[] AS w), now AS (SELECT to_timestamp($4::bigint / 1000.0) AS t),"     \
    " c AS (SELECT c.case_id, c.origin, c.agent, c.item_code, c.client_name, c.state, c.holder,"   \
    "  c.accept_time,"                                                                             \
    "  CASE $10 WHEN 'township' THEN substr(c.origin, 1, 9) || '000' WHEN 'village' THEN c.origin" \
    "   WHEN 'item' THEN c.item_code WHEN 'agent' THEN c.agent ELSE $12 END AS unit,"              \
    "  CASE $11 WHEN 'month' THEN date_trunc('month', c.accept_time AT TIME ZONE 'Asia/Shanghai')" \
    "   WHEN 'day' THEN date_trunc('day', c.accept_time AT TIME ZONE 'Asia/Shanghai') END AS "     \
    "period,"                                                                                      \
    "  coalesce(i.kind, '') AS kind, i.promised, c.paused, c.rating,"                              \
    "  c.stat_accepted_at IS NOT NULL AND coalesce(i.kind, '') NOT IN ('consult', 'help') AS acc," \
    "  c.state = 'closed' AS closed, now.t AS now_t, c.completion_time AS done, c.stat_due_at AS " \
    "due,"                                                                                         \
    "  cal.w[(c.completion_time AT TIME ZONE 'Asia/Shanghai')::date - $8::date + 1]"               \
    "  - cal.w[(c.stat_accepted_at AT TIME ZONE 'Asia/Shanghai')::date - $8::date + 1] AS wd,"     \
    "  (c.completion_time AT TIME ZONE 'Asia/Shanghai')::date AS done_day,"                        \
    "  (c.stat_due_at AT TIME ZONE 'Asia/Shanghai')::date AS due_day"                              \
    "  , coalesce(rq.appeal = 'approved', false) AS struck,"                                       \
    "  rq.revisited_at IS NOT NULL AS revisited, rq.rectified_at IS NOT NULL AS rectified,"        \
    "  c.followup, coalesce(k.filed, 0) AS cp_filed, coalesce(k.declined, 0) AS cp_declined,"      \
    "  coalesce(k.closed, 0) AS cp_closed, coalesce(k.redone, 0) AS cp_redone,"                    \
    "  coalesce(k.faults, 0) AS cp_faults"                                                         \
    "  FROM cases c LEFT JOIN items i ON i.code = c.item_code CROSS JOIN cal CROSS JOIN now"       \
    "  LEFT JOIN rectifications rq ON rq.case_id = c.case_id"                                      \
    "  LEFT JOIN case_complaint_counts k ON k.case_id = c.case_id"                                 \
    "  WHERE c.accept_time >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')"                  \
    "  AND c.accept_time < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')"               \
    "  AND c.origin LIKE $3),"                                                                     \
    " m AS (SELECT *,"                                                                             \
    "  kind NOT IN ('consult', 'help') AS entrust, kind = 'consult' AS consult,"                   \
    "  kind = 'help' AS help, acc AS accepted, acc AND closed AS closed_,"                         \
    "  acc AND closed AND done <= due AS on_time,"                                                 \
    "  acc AND closed AND done_day < due_day AS early,"                                            \
    "  acc AND kind = 'immediate' AS immediate,"                                                   \
    "  acc AND ((done IS NOT NULL AND done > due) OR (done IS NULL AND NOT paused"                 \
    "   AND state NOT IN ('withdrawn', 'refused') AND due < now_t))"                               \
    "   AS overdue,"                                                                               \
    "  acc AND done IS NULL AND NOT paused AND state NOT IN ('withdrawn', 'refused')"              \
    "   AND due < now_t AS overdue_open,"                                                          \
    "  kind NOT IN ('consult', 'help') AND state NOT IN ('closed', 'withdrawn', 'refused')"        \
    "   AS open,"                                                                                  \
    "  acc AND closed AND rating > 0 AND NOT struck AS rated,"                                     \
    "  acc AND closed AND rating >= 3 AND NOT struck AS satisfied,"                                \
    "  acc AND closed AND rating BETWEEN 1 AND 2 AND NOT struck AS bad,"                           \
    "  acc AND closed AND rating > 0 AND followup > 0 AND NOT struck AS followed,"                 \
    "  acc AND closed AND rating > 0 AND followup >= 3 AND NOT struck AS followed_ok FROM c)"

/* A row's period as text: "2026-10", "2026-10-01" or "". */
#define PERIOD_TEXT                                                                                \
    "coalesce(to_char(period, CASE $11 WHEN 'month' THEN 'YYYY-MM' ELSE 'YYYY-MM-DD' END), '')"

static const char stats_sql[] = CASES_CTE
    " SELECT unit, " PERIOD_TEXT ","
    " count(*) FILTER (WHERE entrust), count(*) FILTER (WHERE consult),"
    " count(*) FILTER (WHERE help), count(*) FILTER (WHERE accepted),"
    " count(*) FILTER (WHERE closed_), count(*) FILTER (WHERE closed_ AND due IS NOT NULL),"
    " count(*) FILTER (WHERE on_time), count(*) FILTER (WHERE early),"
    " count(*) FILTER (WHERE immediate),"
    " count(*) FILTER (WHERE closed_ AND kind = 'promised' AND promised > 0 AND wd IS NOT NULL),"
    " coalesce(sum(wd) FILTER (WHERE closed_ AND kind = 'promised' AND promised > 0), 0),"
    " coalesce(sum(promised) FILTER (WHERE closed_ AND kind = 'promised' AND promised > 0"
    "  AND wd IS NOT NULL), 0),"
    " count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE open),"
    " count(*) FILTER (WHERE rated), count(*) FILTER (WHERE satisfied),"
    " count(*) FILTER (WHERE bad),"
    " count(*) FILTER (WHERE bad AND rectified), count(*) FILTER (WHERE bad AND revisited),"
    " sum(cp_filed), sum(cp_declined), sum(cp_closed), sum(cp_redone), sum(cp_faults),"
    " count(*) FILTER (WHERE followed), count(*) FILTER (WHERE followed_ok)"
    " FROM m GROUP BY unit, period";

/* The same figures by unit and period from migration 024's per-day sums (case_day_sums: every
 * figure of stats_sql that does not depend on the moment, by China-time logging day and
 * village, counted with the catalog and calendar that county_stats_calendar_sync made them
 * count with): a month is the sum of its days, a township the sum of its villages.  The one
 * figure of the moment, overdue while open (its deadline before now), is the sums' watch
 * (migration 026: the cases accepted, not done, not paused, not withdrawn or refused, with a
 * deadline) less those of them not yet due, counted from the partial index cases_not_due
 * (the cases accepted lately: a few thousand where the whole watch of a year is ~100,000).  A (unit, period) is a row
 * when it has a case logged (n), as stats_sql's GROUP BY makes one.
 * $1 from, $2 to (days), $3 the scope as a LIKE pattern, $4 now (unix ms), $5..$7 the
 * catalog (as stats_sql), $8 by (county|township|village), $9 the county's code,
 * $10 period (none|month|day). */
static const char sums_sql[] =
    "WITH items AS (SELECT * FROM unnest(string_to_array($5, E'\\n'),"
    "  string_to_array($6, E'\\n'), string_to_array($7, E'\\n')::int[]) AS i(code, kind, "
    "promised)),"
    " s AS (SELECT CASE $8 WHEN 'township' THEN substr(origin, 1, 9) || '000'"
    "   WHEN 'village' THEN origin ELSE $9 END AS unit,"
    "  CASE $10 WHEN 'month' THEN date_trunc('month', day::timestamp)"
    "   WHEN 'day' THEN day::timestamp ELSE timestamp '2000-01-01' END AS p,"
    "  sum(n) AS n, sum(entrust) AS entrust, sum(consult) AS consult, sum(help) AS help,"
    "  sum(accepted) AS accepted, sum(closed) AS closed, sum(closed_due) AS closed_due,"
    "  sum(on_time) AS on_time, sum(early) AS early, sum(immediate) AS immediate,"
    "  sum(promised_closed) AS promised_closed, sum(workdays) AS workdays,"
    "  sum(promised_sum) AS promised_sum, sum(late_done) AS late_done, sum(open) AS open,"
    "  sum(rated) AS rated, sum(satisfied) AS satisfied, sum(bad) AS bad,"
    "  sum(bad_rect) AS bad_rect, sum(bad_rev) AS bad_rev, sum(cp_filed) AS cp_filed,"
    "  sum(cp_declined) AS cp_declined, sum(cp_closed) AS cp_closed,"
    "  sum(cp_redone) AS cp_redone, sum(cp_faults) AS cp_faults, sum(followed) AS followed,"
    "  sum(followed_ok) AS followed_ok, sum(watch) AS watch"
    "  FROM case_day_sums WHERE day BETWEEN $1::date AND $2::date AND origin LIKE $3"
    "  GROUP BY 1, 2),"
    " od AS (SELECT CASE $8 WHEN 'township' THEN substr(c.origin, 1, 9) || '000'"
    "   WHEN 'village' THEN c.origin ELSE $9 END AS unit,"
    "  CASE $10 WHEN 'month' THEN date_trunc('month', c.accept_time AT TIME ZONE"
    "   'Asia/Shanghai') WHEN 'day' THEN date_trunc('day', c.accept_time AT TIME ZONE"
    "   'Asia/Shanghai') ELSE timestamp '2000-01-01' END AS p, count(*) AS not_due"
    "  FROM cases c LEFT JOIN items i ON i.code = c.item_code"
    "  WHERE c.stat_accepted_at IS NOT NULL AND c.completion_time IS NULL AND NOT c.paused"
    "  AND c.state NOT IN ('withdrawn', 'refused')"
    "  AND c.accept_time >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    "  AND c.accept_time < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')"
    "  AND c.origin LIKE $3 AND c.stat_due_at >= to_timestamp($4::bigint / 1000.0)"
    "  AND coalesce(i.kind, '') NOT IN ('consult', 'help') GROUP BY 1, 2)"
    " SELECT s.unit, CASE $10 WHEN 'none' THEN '' ELSE to_char(s.p, CASE $10 WHEN 'month'"
    "  THEN 'YYYY-MM' ELSE 'YYYY-MM-DD' END) END,"
    " entrust, consult, help, accepted, closed, closed_due, on_time, early, immediate,"
    " promised_closed, workdays, promised_sum, late_done + watch - coalesce(od.not_due, 0), open, "
    "rated,"
    " satisfied, bad, bad_rect, bad_rev, cp_filed, cp_declined, cp_closed, cp_redone,"
    " cp_faults, followed, followed_ok"
    " FROM s LEFT JOIN od ON od.unit = s.unit AND od.p = s.p WHERE s.n > 0";

/* 亮牌: the cards raised from `from` to `to` (China-time days of raised_at), by the unit
 * holding the case when the card was raised (cards.holder; the case's item; the person
 * responsible then, or the holder when none), in the scope's subtree; every level and kind.
 * $1 from, $2 to, $3 the scope as a LIKE pattern, $4 by, $5 period, $6 the county's code. */
static const char cards_raised_sql[] =
    "SELECT u, coalesce(to_char(date_trunc(CASE $5 WHEN 'month' THEN 'month' ELSE 'day' END,"
    "  d AT TIME ZONE 'Asia/Shanghai'), CASE $5 WHEN 'month' THEN 'YYYY-MM'"
    "  WHEN 'day' THEN 'YYYY-MM-DD' END), ''), sum(y)::bigint, sum(r)::bigint"
    " FROM (SELECT CASE $4 WHEN 'township' THEN substr(k.holder, 1, 9) || '000' WHEN 'village'"
    "  THEN k.holder WHEN 'item' THEN coalesce(c.item_code, '') WHEN 'agent' THEN"
    "  coalesce(nullif(k.responsible, ''), k.holder) ELSE $6 END AS u,"
    /* the China day of raised_at (UTC+8, no summer time since 1991) by arithmetic: per card,
     * the time zone's rules and to_char were two thirds of the statement (200,000 cards:
     * 117 -> 49 ms); they now run once per unit and day.  No period: no day (the planner
     * folds the CASE away, as it folded the NULL format before). */
    "  CASE WHEN $5 <> 'none' THEN date_bin('1 day', k.raised_at, '2000-01-01 00:00+08') END AS d,"
    "  count(*) FILTER (WHERE k.level = 'yellow') AS y, count(*) FILTER (WHERE k.level = 'red') AS r"
    " FROM cards k LEFT JOIN cases c ON c.case_id = k.case_id"
    " WHERE k.raised_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " AND k.raised_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " AND k.holder LIKE $3 GROUP BY 1, 2) g GROUP BY 1, 2";

/* The counts one may list, in the order of the columns above (after unit and period). */
const char *const county_stats_measures[] = {
    "entrust", "consult",      "help",    "accepted",   "closed",   "on_time",
    "early",   "immediate",    "overdue", "open",       "rated",    "satisfied",
    "bad",     "overdue_open", "all",     "complained", "followed", NULL};

static const char list_sql[] = CASES_CTE
    " SELECT case_id, origin, agent, item_code, client_name, state, holder,"
    " to_char(accept_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
    " coalesce(to_char(due AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), ''),"
    " coalesce(to_char(done AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), ''), rating"
    " FROM m WHERE ($14 = '' OR unit = $14) AND ($15 = '' OR " PERIOD_TEXT " = $15) AND CASE $13"
    "  WHEN 'entrust' THEN entrust WHEN 'consult' THEN consult WHEN 'help' THEN help"
    "  WHEN 'accepted' THEN accepted WHEN 'closed' THEN closed_ WHEN 'on_time' THEN on_time"
    "  WHEN 'early' THEN early WHEN 'immediate' THEN immediate WHEN 'overdue' THEN overdue"
    "  WHEN 'overdue_open' THEN overdue_open"
    "  WHEN 'open' THEN open WHEN 'rated' THEN rated WHEN 'satisfied' THEN satisfied"
    "  WHEN 'bad' THEN bad WHEN 'complained' THEN cp_filed > 0 WHEN 'followed' THEN followed"
    "  ELSE true END"
    " ORDER BY accept_time, case_id LIMIT $16";

#define CAL_DAYS 3661 /* the calendar passed: from the day before `from`, ten years */

void county_stats_params_free(county_stats_params_t *p)
{
    for (size_t i = 0; i < sizeof p->own / sizeof p->own[0]; i++)
        free(p->own[i]);
}

/* Append s and a separator to a growing string. */
static int append(char **buf, size_t *len, size_t *cap, const char *s, bool sep)
{
    size_t n = strlen(s) + 1;
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 1024) + n;
        char *b = realloc(*buf, nc);
        if (!b)
            return -ENOMEM;
        *buf = b;
        *cap = nc;
    }
    if (sep && *len)
        (*buf)[(*len)++] = '\n';
    memcpy(*buf + *len, s, n);
    *len += n - 1;
    return 0;
}

int county_stats_params_fill(county_stats_params_t *p, const tb_env_ctx_t *env,
                             const county_stats_query_t *q)
{
    memset(p, 0, sizeof *p);
    if (tb_day_format(q->from_day, p->from, sizeof p->from) < 0 ||
        tb_day_format(q->to_day, p->to, sizeof p->to) < 0 ||
        tb_day_format(q->from_day - 1, p->cal0, sizeof p->cal0) < 0)
        return -EINVAL;
    snprintf(p->now, sizeof p->now, "%" PRId64, q->now_ms);
    /* The subtree of a place: a county's codes share 6 digits, a township's 9. */
    tb_level_t lv = tb_code_level(q->scope);
    size_t keep = lv == TB_LEVEL_COUNTY ? 6 : lv == TB_LEVEL_TOWNSHIP ? 9 : TB_CODE_LEN;
    memcpy(p->like, q->scope, keep);
    p->like[keep] = keep < TB_CODE_LEN ? '%' : 0;
    p->like[keep + 1] = 0;
    size_t len[3] = {0}, cap[3] = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < tb_catalog_count(env->catalog); i++) {
        const tb_item_t *it = tb_catalog_item(env->catalog, i);
        const char *kind = it->kind == TB_KIND_IMMEDIATE  ? "immediate"
                           : it->kind == TB_KIND_PROMISED ? "promised"
                           : it->kind == TB_KIND_CONSULT  ? "consult"
                                                          : "help";
        char days[16];
        snprintf(days, sizeof days, "%d", it->promised_days);
        if ((rc = append(&p->own[0], &len[0], &cap[0], it->code, true)) == 0 &&
            (rc = append(&p->own[1], &len[1], &cap[1], kind, true)) == 0)
            rc = append(&p->own[2], &len[2], &cap[2], days, true);
    }
    /* Each running count has at most 4 digits and a comma; with the braces. */
    if (rc == 0 && !(p->own[3] = malloc(CAL_DAYS * 5 + 3)))
        rc = -ENOMEM;
    if (rc < 0) {
        county_stats_params_free(p);
        return rc;
    }
    /* Summed here rather than by a window over substr() in the statement,
     * which walked the string once per day (measured: 150-600 ms a query). */
    size_t at = 0;
    int workdays = 0;
    p->own[3][at++] = '{';
    for (int i = 0; i < CAL_DAYS; i++) {
        workdays += tb_calendar_is_workday(env->calendar, q->from_day - 1 + i) ? 1 : 0;
        at += (size_t)snprintf(p->own[3] + at, CAL_DAYS * 5 + 3 - at, i ? ",%d" : "%d", workdays);
    }
    p->own[3][at++] = '}';
    p->own[3][at] = 0;
    const char *none = "";
    p->v[0] = p->from;
    p->v[1] = p->to;
    p->v[2] = p->like;
    p->v[3] = p->now;
    p->v[4] = p->own[0] ? p->own[0] : none;
    p->v[5] = p->own[1] ? p->own[1] : none;
    p->v[6] = p->own[2] ? p->own[2] : none;
    p->v[7] = p->cal0;
    p->v[8] = p->own[3];
    p->v[9] = county_stats_by_names[q->by];
    p->v[10] = period_names[q->period];
    p->v[11] = env->place;
    return 0;
}

/* The two statements of the figures (the cases', the cards raised') in one snapshot:
 * 0 with both results, or -TB_ESTORE / -ENOMEM / -EINVAL. */
int county_stats_query(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                       bool from_sums, PGresult **ret_r, PGresult **ret_k)
{
    county_stats_params_t p;
    int rc = county_stats_params_fill(&p, env, q);
    if (rc < 0)
        return rc;
    /* Enough memory for the grouping to be a hash table rather than a sort
     * of every case spilled to disk (measured: 5 s against 1 s on a million
     * cases); for this statement only (set_config(..., true) ends with the
     * transaction).  Both statements see the same snapshot. */
    PGresult *r = PQexec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                             " SELECT set_config('work_mem', '64MB', true)");
    bool began = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (from_sums) {
        const char *by = county_stats_by_names[q->by], *per = period_names[q->period];
        const char *sv[10] = {p.from, p.to,   p.like, p.now,      p.v[4],
                              p.v[5], p.v[6], by,     env->place, per};
        r = PQexecParams(pg, sums_sql, 10, NULL, sv, NULL, NULL, 0);
    } else {
        r = PQexecParams(pg, stats_sql, 12, NULL, p.v, NULL, NULL, 0);
    }
    const char *kv[6] = {
        p.from, p.to, p.like, county_stats_by_names[q->by], period_names[q->period], env->place};
    PGresult *k = PQexecParams(pg, cards_raised_sql, 6, NULL, kv, NULL, NULL, 0);
    county_stats_params_free(&p);
    bool good = PQresultStatus(r) == PGRES_TUPLES_OK && PQresultStatus(k) == PGRES_TUPLES_OK;
    if (began)
        PQclear(PQexec(pg, good ? "COMMIT" : "ROLLBACK"));
    if (!good) {
        PQclear(r);
        PQclear(k);
        return -TB_ESTORE;
    }
    *ret_r = r;
    *ret_k = k;
    return 0;
}

typedef struct {
    json_t *rows;
    const tb_env_ctx_t *env;
    county_by_t by;
    long long tot[NCOUNTS];
} run_ctx_t;

static int run_row(void *ctx, const char *unit, const char *period, const long long v[NCOUNTS])
{
    run_ctx_t *x = ctx;
    return county_stats_add_row(x->rows, x->env, x->by, unit, period, v, x->tot);
}

/* The figures of q from the per-day sums (from_sums: by the county, a township or a village,
 * the units the sums can be added up to) or from the cases. */
static int run(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q, bool from_sums,
               json_t **ret)
{
    char from[TB_DAY_BUFSZ], to[TB_DAY_BUFSZ];
    if (tb_day_format(q->from_day, from, sizeof from) < 0 ||
        tb_day_format(q->to_day, to, sizeof to) < 0)
        return -EINVAL;
    PGresult *r, *k;
    int rc = from_sums ? county_stats_calendar_sync(pg, env) : 0;
    if (rc == 0)
        rc = county_stats_query(pg, env, q, from_sums, &r, &k);
    if (rc < 0)
        return rc;
    const char *sname = tb_places_name(env->places, q->scope);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "from", from, "to", to, "by",
                          county_stats_by_names[q->by], "period", period_names[q->period], "scope",
                          q->scope, "scope_name", sname ? sname : q->scope, "rows");
    /* The total is the sum of the rows (every column is a count or a sum),
     * added here rather than by GROUPING SETS, which makes PostgreSQL sort
     * the million rows instead of hashing them. */
    run_ctx_t x = {json_object_get(o, "rows"), env, q->by, {0}};
    json_t *total = NULL;
    rc = !o ? -ENOMEM : county_stats_each_row(r, k, run_row, &x);
    if (rc == 0 && !(total = county_stats_figures(x.tot)))
        rc = -ENOMEM;
    PQclear(r);
    PQclear(k);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "total", total);
    county_stats_sort_rows(x.rows);
    *ret = o;
    return 0;
}

/* By the county, a township or a village (the dashboard's tables, the 月度通报, a report):
 * a sum over the per-day sums' rows (a year of a county's 322 villages is ~117,000 of them)
 * instead of stats_sql's ~26 figures evaluated for each of a year's ~1,000,000 cases (3.5 s).
 * By item or agent, which the sums do not keep: from the cases. */
int county_stats_run(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                     json_t **ret)
{
    return run(pg, env, q, q->by <= COUNTY_BY_VILLAGE, ret);
}

int county_stats_run_cases(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                           json_t **ret)
{
    return run(pg, env, q, false, ret);
}

int county_stats_list(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                      const char *measure, const char *unit, const char *period, json_t **ret)
{
    size_t i = 0;
    while (county_stats_measures[i] && strcmp(county_stats_measures[i], measure))
        i++;
    if (!county_stats_measures[i])
        return -EINVAL;
    county_stats_params_t p;
    int rc = county_stats_params_fill(&p, env, q);
    if (rc < 0)
        return rc;
    snprintf(p.limit, sizeof p.limit, "%d", COUNTY_STATS_LIST_MAX + 1);
    p.v[12] = measure;
    p.v[13] = unit ? unit : "";
    p.v[14] = period ? period : "";
    p.v[15] = p.limit;
    PGresult *r = PQexecParams(pg, list_sql, 16, NULL, p.v, NULL, NULL, 0);
    county_stats_params_free(&p);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json_array();
    int n = PQntuples(r);
    for (int k = 0; k < n && k < COUNTY_STATS_LIST_MAX; k++) {
        char *name = tb_text_safe(PQgetvalue(r, k, 4), TB_SAFE_MASK);
        const tb_item_t *it = tb_catalog_find(env->catalog, PQgetvalue(r, k, 3));
        const char *oname = tb_places_name(env->places, PQgetvalue(r, k, 1));
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
                           "case_id", PQgetvalue(r, k, 0), "origin", PQgetvalue(r, k, 1),
                           "origin_name", oname ? oname : PQgetvalue(r, k, 1), "agent",
                           PQgetvalue(r, k, 2), "item_code", PQgetvalue(r, k, 3), "item_name",
                           it ? it->name : PQgetvalue(r, k, 3), "client_name", name ? name : "",
                           "state", PQgetvalue(r, k, 5), "accept_time", PQgetvalue(r, k, 7), "due",
                           PQgetvalue(r, k, 8), "done", PQgetvalue(r, k, 9), "rating",
                           atoi(PQgetvalue(r, k, 10))));
        free(name);
    }
    PQclear(r);
    *ret = json_pack("{s:o, s:b}", "cases", arr, "truncated", n > COUNTY_STATS_LIST_MAX);
    return *ret ? 0 : -ENOMEM;
}
