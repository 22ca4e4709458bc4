/* county_stats: the county's figures (issue 11, "Statistics"), SQL over the
 * authoritative store, for the `report` command and the dashboard's API.
 *
 * Every figure is over the cases logged (the ledger's 受理时间, accept_time,
 * as a day in China time) from `from` to `to`, within a place's subtree,
 * grouped by one unit (the county, township, village, item or agent) and
 * optionally by month or day.  The definitions are in county-node/README.md
 * ("Statistics").  The catalog (item kinds and promised days) and the
 * calendar in force (working days) are passed to the one statement as
 * parameters: the SQL is fixed text, never built from input.
 *
 * Library code: returns errors, logs nothing.
 */
#ifndef COUNTY_STATS_H
#define COUNTY_STATS_H

#include "tb_cli.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define COUNTY_STATS_MAX_DAYS 732  /* the longest range asked for at once (two years) */
#define COUNTY_STATS_LIST_MAX 1000 /* cases in one list behind a number */

typedef enum {
    COUNTY_BY_COUNTY = 0,
    COUNTY_BY_TOWNSHIP,
    COUNTY_BY_VILLAGE,
    COUNTY_BY_ITEM,
    COUNTY_BY_AGENT,
} county_by_t;

typedef enum { COUNTY_PERIOD_NONE = 0, COUNTY_PERIOD_MONTH, COUNTY_PERIOD_DAY } county_period_t;

typedef struct {
    int32_t from_day, to_day; /* tb_calendar days, both included */
    county_by_t by;
    county_period_t period;
    char scope[TB_CODE_LEN + 1]; /* a place of this county: its subtree only */
    int64_t now_ms;              /* "now" for the open cases' deadlines */
} county_stats_query_t;

/* Check the words of a request (from the command line or the API's query
 * string; NULL: absent) into *ret: from and to YYYY-MM-DD, not reversed, at
 * most COUNTY_STATS_MAX_DAYS; by county|township|village|item|agent (NULL:
 * county); period none|month|day (NULL: none); scope a known place of the
 * county (NULL: the county).  0, or -EINVAL with a sentence for the person in
 * *ret_msg (static text). */
int county_stats_parse(const tb_env_ctx_t *env, const char *from, const char *to, const char *by,
                       const char *period, const char *scope, county_stats_query_t *ret,
                       const char **ret_msg);

/* The figures as JSON into *ret:
 *   {"from", "to", "by", "period", "scope", "scope_name",
 *    "rows": [{"unit", "name", "period", <measures>}...], "total": {<measures>}}
 * Measures: counts (integers) and rates (0..1, or null when nothing to divide
 * by).  complaints* count the complaints about the row's cases by outcome
 * (README "Statistics"); followups and followup_satisfied_rate the 追评 of
 * its rated cases (the rates above count the first rating only).  cards, cards_yellow
 * and cards_red (亮牌) count the cards raised in the range (not the cases
 * logged in it) by the unit holding the case when each was raised; a unit and
 * period with cards but no case logged is a row of its own.  By the county, a township or a
 * village the figures are added up from migration 024's per-day sums (after
 * county_stats_calendar_sync), by item or agent counted from the cases: the same numbers.
 * 0, -TB_ESTORE (the statement failed), -ENOMEM. */
int county_stats_run(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                     json_t **ret);

/* The cases behind one number: measure is one of county_stats_measures
 * (counts), unit a value of the query's `by` ("" or NULL: every unit),
 * period as in the rows ("" or NULL: every period).  {"cases": [...],
 * "truncated": bool}.  0, -EINVAL (unknown measure), -TB_ESTORE, -ENOMEM. */
int county_stats_list(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                      const char *measure, const char *unit, const char *period, json_t **ret);

/* The cards open now in q's scope (the dates of q are not used):
 * {"yellow": n, "red": m}.  0, -TB_ESTORE, -ENOMEM. */
int county_stats_cards(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                       json_t **ret);

/* Open cases (代办 not closed, withdrawn or refused, whenever logged) and
 * those of them past their deadline now, by q->by (township or village; the
 * dates of q are not used): {"rows": [{"unit", "name", "open", "overdue"}],
 * "total": {"open", "overdue"}}.  0, -TB_ESTORE, -ENOMEM. */
int county_stats_open(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                      json_t **ret);

/* The dashboard's overview of scope at now_ms (its China-time day "today"), by the units one
 * level down (a county's townships, else villages):
 *   {"scope", "scope_name", "now_ms", "by", "today_day", "week_from", "month_from",
 *    "today", "week", "month": {<measures>} (the totals of county_stats_run from today,
 *    this week's Monday and the month's first day to today), "units": the month's rows by
 *    unit, "trend": the rows by day of the 30 days to today (unit: the county's code),
 *    "open", "open_units": county_stats_open's total and rows, "cards": county_stats_cards}.
 * The same figures as those calls, from one statement.  0, -ERANGE (the clock),
 * -TB_ESTORE, -ENOMEM. */
int county_stats_overview(PGconn *pg, const tb_env_ctx_t *env, const char *scope, int64_t now_ms,
                          json_t **ret);

/* The names of the counts one may list, NULL-terminated. */
extern const char *const county_stats_measures[];

/* The result of county_stats_run as CSV (header, one line per row, then the
 * total), or as a table for people.  The CSV's header is the JSON's keys
 * ("unit,name,period,entrust,...": the command line's --csv, for scripts), or
 * with people the columns' names in the request's language after a UTF-8 BOM
 * (the screen's download, opened in a spreadsheet: 单位代码,单位,时段,代办,...;
 * the total's code empty). */
int county_stats_csv(const json_t *stats, bool people, FILE *out);
int county_stats_print(const json_t *stats, FILE *out);

/* 月度通报: the month "YYYY-MM" as JSON {"month", "total", "townships":
 * [...], "top", "bottom", "idle": [units with no business]}.  0, -EINVAL
 * (a bad month, *ret_msg says why), -TB_ESTORE, -ENOMEM. */
int county_stats_bulletin(PGconn *pg, const tb_env_ctx_t *env, const char *month, int64_t now_ms,
                          json_t **ret, const char **ret_msg);

#endif
