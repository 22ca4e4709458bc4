/* county_stats_int.h: what county_stats.c shares with county_overview.c (the
 * overview folds the figures of county_stats.c's statement by unit and day).
 * Not for other modules: county_stats.h is the interface. */
#ifndef COUNTY_STATS_INT_H
#define COUNTY_STATS_INT_H

#include "county_stats.h"

#include "tb_calendar.h"
#include "tb_place.h"

#define NSQL 26    /* the sums of a row of stats_sql, after unit and period */
#define NCOUNTS 28 /* and the cards raised (cards_sql): yellow, red */

/* The parameters every statement of the figures takes (county_stats.c's header comment on
 * CASES_CTE says which is which): 12 strings, some allocated. */
typedef struct {
    const char *v[16];
    char *own[6];
    char from[TB_DAY_BUFSZ], to[TB_DAY_BUFSZ], cal0[TB_DAY_BUFSZ], now[24], like[TB_CODE_LEN + 2];
    char limit[16];
} county_stats_params_t;

/* Fill p for q: 0, or -EINVAL (a day out of range) / -ENOMEM; free with
 * county_stats_params_free. */
int county_stats_params_fill(county_stats_params_t *p, const tb_env_ctx_t *env,
                             const county_stats_query_t *q);
void county_stats_params_free(county_stats_params_t *p);

/* A unit's name for people: a place's, an item's; an agent is their own name. */
const char *county_stats_unit_name(const tb_env_ctx_t *env, county_by_t by, const char *unit);

/* The names of county_by_t, in its order ("county", "township", ...). */
extern const char *const county_stats_by_names[];

/* The sums of a row (or of the total) as the measures. */
json_t *county_stats_figures(const long long v[NCOUNTS]);

/* Rows by unit, then period (byte order: codes and dates sort as they read). */
void county_stats_sort_rows(json_t *rows);

/* One row of the figures into rows, its sums added to tot. */
int county_stats_add_row(json_t *rows, const tb_env_ctx_t *env, county_by_t by, const char *unit,
                         const char *period, const long long v[NCOUNTS], long long tot[NCOUNTS]);

/* What is done with each (unit, period) of the figures: 0 or a negative code, which stops. */
typedef int (*county_stats_row_fn)(void *ctx, const char *unit, const char *period,
                                   const long long v[NCOUNTS]);

/* Each (unit, period) of the figures to fn: those of the cases' statement (r) with the cards
 * raised of the same unit and period (k), then the units and periods with cards only. */
int county_stats_each_row(const PGresult *r, const PGresult *k, county_stats_row_fn fn, void *ctx);

/* The two statements of the figures (the cases', the cards raised') in one snapshot:
 * 0 with both results, or -TB_ESTORE / -ENOMEM / -EINVAL.  from_sums: the cases' figures
 * from migration 024's per-day sums (by township, village or county, any period; the same
 * numbers once county_stats_calendar_sync has run), not from the cases. */
int county_stats_query(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                       bool from_sums, PGresult **ret_r, PGresult **ret_k);

/* county_stats_run always from the cases (stats_sql), whatever the unit: what the per-day
 * sums must equal (tests/unit/test-county-overview.c compares the two). */
int county_stats_run_cases(PGconn *pg, const tb_env_ctx_t *env, const county_stats_query_t *q,
                           json_t **ret);

/* Make migration 024's per-day sums count working days with env's calendar in force: nothing
 * when they already do (a fingerprint compared), else the calendar stored and every sum
 * rebuilt.  0, -TB_ESTORE, -ENOMEM. */
int county_stats_calendar_sync(PGconn *pg, const tb_env_ctx_t *env);

#endif
