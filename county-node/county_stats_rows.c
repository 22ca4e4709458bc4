/* county_stats_rows: the figures' rows as the county answers them (county_stats.h): a unit's
 * name, the measures and rates made from a row's sums, the rows joined with the cards raised,
 * added up and sorted.  Where the sums come from (the cases, the per-day sums) is
 * county_stats.c's. */
#include "county_stats_int.h"

#include "tb_catalog.h"
#include "tb_place.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *county_stats_unit_name(const tb_env_ctx_t *env, county_by_t by, const char *unit)
{
    if (by == COUNTY_BY_ITEM) {
        const tb_item_t *it = tb_catalog_find(env->catalog, unit);
        return it ? it->name : unit;
    }
    if (by == COUNTY_BY_AGENT)
        return unit;
    const char *n = tb_places_name(env->places, unit);
    return n ? n : unit;
}

static json_t *rate(long long num, long long den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

/* The sums of a row (or of the total) as the measures. */
json_t *county_stats_figures(const long long v[NCOUNTS])
{
    long long entrust = v[0], consult = v[1], help = v[2], accepted = v[3], closed = v[4],
              closed_due = v[5], on_time = v[6], early = v[7], immediate = v[8], pc = v[9],
              wd_sum = v[10], promised_sum = v[11], overdue = v[12], open = v[13], rated = v[14],
              satisfied = v[15], bad = v[16], rectified = v[17], revisited = v[18],
              yellow = v[NSQL], red = v[NSQL + 1];
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:I, s:o, s:I, s:o}", "entrust",
                          (json_int_t)entrust, "consult", (json_int_t)consult, "help",
                          (json_int_t)help, "accepted", (json_int_t)accepted, "closed",
                          (json_int_t)closed, "close_rate", rate(closed, accepted), "on_time",
                          (json_int_t)on_time, "on_time_rate", rate(on_time, closed_due), "early",
                          (json_int_t)early, "early_rate", rate(early, closed_due), "immediate",
                          (json_int_t)immediate, "immediate_rate", rate(immediate, accepted));
    if (!o)
        return NULL;
    json_t *more = json_pack(
        "{s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
        "s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
        "promised_closed", (json_int_t)pc, "avg_workdays", rate(wd_sum, pc), "avg_promised_days",
        rate(promised_sum, pc), "speedup_rate",
        promised_sum > 0 ? json_real(1.0 - (double)wd_sum / (double)promised_sum) : json_null(),
        "overdue", (json_int_t)overdue, "open", (json_int_t)open, "rated", (json_int_t)rated,
        "rating_rate", rate(rated, closed), "satisfied_rate", rate(satisfied, rated), "bad_rate",
        rate(bad, rated), "satisfied", (json_int_t)satisfied, "bad", (json_int_t)bad, "cards",
        (json_int_t)(yellow + red), "cards_yellow", (json_int_t)yellow, "cards_red",
        (json_int_t)red, "rectify_rate", rate(rectified, bad), "revisit_rate", rate(revisited, bad),
        /* Complaints of the row's cases by outcome (v[19..23]: filed, declined,
         * closed, 重办 steps, 问责 records), and the 追评 (v[24..25]). */
        "complaints", (json_int_t)v[19], "complaints_open", (json_int_t)(v[19] - v[20] - v[21]),
        "complaints_closed", (json_int_t)v[21], "complaints_declined", (json_int_t)v[20],
        "complaints_redone", (json_int_t)v[22], "complaints_fault", (json_int_t)v[23], "followups",
        (json_int_t)v[24], "followup_satisfied_rate", rate(v[25], v[24]));
    if (!more) {
        json_decref(o);
        return NULL;
    }
    json_object_update(o, more);
    json_decref(more);
    return o;
}

static int row_cmp(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(x, "unit")),
                   json_string_value(json_object_get(y, "unit")));
    return c ? c
             : strcmp(json_string_value(json_object_get(x, "period")),
                      json_string_value(json_object_get(y, "period")));
}

/* Rows by unit, then period (byte order: codes and dates sort as they read). */
void county_stats_sort_rows(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return; /* unsorted, not wrong */
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(rows, i));
    qsort(v, n, sizeof *v, row_cmp);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, v[i]);
    free(v);
}

/* One row of the figures into rows, its sums added to tot. */
int county_stats_add_row(json_t *rows, const tb_env_ctx_t *env, county_by_t by, const char *unit,
                         const char *period, const long long v[NCOUNTS], long long tot[NCOUNTS])
{
    for (int k = 0; k < NCOUNTS; k++)
        tot[k] += v[k];
    json_t *m = county_stats_figures(v);
    if (!m)
        return -ENOMEM;
    json_object_set_new(m, "unit", json_string(unit));
    json_object_set_new(m, "name", json_string(county_stats_unit_name(env, by, unit)));
    json_object_set_new(m, "period", json_string(period));
    return json_array_append_new(rows, m) < 0 ? -ENOMEM : 0;
}

/* Each (unit, period) of the figures to fn: those of stats_sql (r) with the cards raised of
 * the same unit and period (k), then the units and periods with cards only. */
int county_stats_each_row(const PGresult *r, const PGresult *k, county_stats_row_fn fn, void *ctx)
{
    int nk = PQntuples(k), rc = 0;
    bool *used = calloc((size_t)nk + 1, sizeof *used);
    if (!used)
        return -ENOMEM;
    for (int i = 0; rc == 0 && i < PQntuples(r) + nk; i++) {
        long long v[NCOUNTS] = {0};
        const PGresult *src = i < PQntuples(r) ? r : k;
        int row = i < PQntuples(r) ? i : i - PQntuples(r);
        if (src == k && used[row])
            continue;
        for (int c = 0; src == r && c < NSQL; c++)
            v[c] = strtoll(PQgetvalue(r, row, 2 + c), NULL, 10);
        for (int j = src == r ? 0 : row; j < nk; j++) {
            if (strcmp(PQgetvalue(k, j, 0), PQgetvalue(src, row, 0)) ||
                strcmp(PQgetvalue(k, j, 1), PQgetvalue(src, row, 1)))
                continue;
            used[j] = true;
            v[NSQL] = strtoll(PQgetvalue(k, j, 2), NULL, 10);
            v[NSQL + 1] = strtoll(PQgetvalue(k, j, 3), NULL, 10);
            break;
        }
        rc = fn(ctx, PQgetvalue(src, row, 0), PQgetvalue(src, row, 1), v);
    }
    free(used);
    return rc;
}
