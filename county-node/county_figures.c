/* county_figures: the county's figures (county_stats.c computes them) as a
 * table, as CSV, and the 月度通报 (monthly bulletin) built from one query. */
#include "county_stats.h"

#include "tb_calendar.h"
#include "tb_i18n.h"
#include "tb_place.h"

#include <errno.h>
#include <string.h>

/* ---- output ----------------------------------------------------------------------------- */

static const struct {
    const char *key, *zh, *en;
    bool is_rate;
} cols[] = {
    {"entrust", "代办", "Entrusted", false},
    {"consult", "咨询", "Consultations", false},
    {"help", "帮扶", "Help", false},
    {"accepted", "受理数", "Taken", false},
    {"closed", "办结数", "Closed", false},
    {"close_rate", "办结率", "Close rate", true},
    {"on_time_rate", "按时办结率", "On-time rate", true},
    {"early_rate", "提前办结率", "Early rate", true},
    {"immediate_rate", "即办率", "Same-day rate", true},
    {"avg_workdays", "承诺件平均办结工作日", "Avg working days (promised items)", false},
    {"avg_promised_days", "平均承诺工作日", "Avg promised working days", false},
    {"speedup_rate", "提速率", "Speed-up rate", true},
    {"overdue", "超期数", "Overdue", false},
    {"open", "在办数", "Open", false},
    {"cards", "亮牌数", "Cards", false},
    {"cards_yellow", "黄牌", "Yellow cards", false},
    {"cards_red", "红牌", "Red cards", false},
    {"rating_rate", "评议率", "Rating rate", true},
    {"satisfied_rate", "满意率", "Satisfied rate", true},
    {"bad_rate", "差评率", "Bad rating rate", true},
    {"rectify_rate", "差评整改率", "Bad ratings fixed", true},
    {"revisit_rate", "回访率", "Revisit rate", true},
    {"complaints", "投诉数", "Complaints", false},
    {"complaints_closed", "投诉办结", "Complaints closed", false},
    {"complaints_declined", "投诉不予受理", "Complaints declined", false},
    {"complaints_open", "投诉办理中", "Complaints open", false},
    {"complaints_redone", "投诉重办次数", "Complaints redone", false},
    {"complaints_fault", "问责数", "Faults found", false},
    {"followups", "追评数", "Follow-up ratings", false},
    {"followup_satisfied_rate", "追评满意率", "Follow-up satisfied rate", true},
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* A value as CSV or table text: integers as they are, reals with 4 decimals
 * (CSV) or as a percentage (table), null as "" (CSV) or "—" (table). */
static void value(FILE *out, const json_t *v, bool is_rate, bool csv)
{
    if (json_is_integer(v))
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v) && csv)
        fprintf(out, "%.4f", json_real_value(v));
    else if (json_is_real(v) && is_rate)
        fprintf(out, "%.1f%%", 100.0 * json_real_value(v));
    else if (json_is_real(v))
        fprintf(out, "%.2f", json_real_value(v));
    else if (!csv)
        fputs("—", out);
}

/* A CSV field: quoted, quotes doubled; a leading = + - @ is neutralised
 * (a spreadsheet would run it as a formula). */
static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int county_stats_csv(const json_t *stats, bool people, FILE *out)
{
    if (people) { /* the BOM: a spreadsheet then reads the Chinese as UTF-8 */
        fputs("\xEF\xBB\xBF", out);
        fputs(TB_TR("单位代码,单位,时段", "Unit code,Unit,Period"), out);
    } else {
        fputs("unit,name,period", out);
    }
    for (size_t k = 0; k < NCOLS; k++)
        fprintf(out, ",%s", !people ? cols[k].key : TB_TR(cols[k].zh, cols[k].en));
    fputs("\r\n", out);
    size_t i;
    json_t *row;
    json_t *rows = json_object_get(stats, "rows");
    for (i = 0; i <= json_array_size(rows); i++) {
        row = i < json_array_size(rows) ? json_array_get(rows, i) : json_object_get(stats, "total");
        if (!row)
            break;
        bool total = i == json_array_size(rows);
        csv_field(out, total ? (people ? "" : "total")
                             : json_string_value(json_object_get(row, "unit")));
        fputc(',', out);
        csv_field(out, total ? (people ? TB_TR("合计", "Total") : "合计")
                             : json_string_value(json_object_get(row, "name")));
        fputc(',', out);
        csv_field(out, total ? "" : json_string_value(json_object_get(row, "period")));
        for (size_t k = 0; k < NCOLS; k++) {
            fputc(',', out);
            value(out, json_object_get(row, cols[k].key), cols[k].is_rate, true);
        }
        fputs("\r\n", out);
    }
    return ferror(out) ? -EIO : 0;
}

int county_stats_print(const json_t *stats, FILE *out)
{
    fprintf(out, "%s %s — %s（%s）\n", json_string_value(json_object_get(stats, "scope_name")),
            json_string_value(json_object_get(stats, "from")),
            json_string_value(json_object_get(stats, "to")),
            json_string_value(json_object_get(stats, "by")));
    json_t *rows = json_object_get(stats, "rows");
    for (size_t i = 0; i <= json_array_size(rows); i++) {
        json_t *row =
            i < json_array_size(rows) ? json_array_get(rows, i) : json_object_get(stats, "total");
        if (!row)
            break;
        if (i == json_array_size(rows))
            fputs("合计", out);
        else
            fprintf(out, "%s %s", json_string_value(json_object_get(row, "name")),
                    json_string_value(json_object_get(row, "period")));
        fputc('\n', out);
        for (size_t k = 0; k < NCOLS; k++) {
            fprintf(out, "  %s ", cols[k].zh);
            value(out, json_object_get(row, cols[k].key), cols[k].is_rate, false);
            fputc(k % 6 == 5 || k == NCOLS - 1 ? '\n' : ';', out);
        }
    }
    return ferror(out) ? -EIO : 0;
}

/* ---- 月度通报 ------------------------------------------------------------------------------ */

int county_stats_bulletin(PGconn *pg, const tb_env_ctx_t *env, const char *month, int64_t now_ms,
                          json_t **ret, const char **ret_msg)
{
    char first[TB_DAY_BUFSZ];
    int y, m, d;
    int32_t from, to;
    if (!month || strlen(month) != 7 || month[4] != '-' ||
        snprintf(first, sizeof first, "%s-01", month) != 10 || tb_day_parse(first, &from) < 0) {
        *ret_msg = TB_TR("月份须写作 YYYY-MM", "month must be written YYYY-MM");
        return -EINVAL;
    }
    tb_day_to_ymd(from, &y, &m, &d);
    if (tb_day_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, &to) < 0) {
        *ret_msg = TB_TR("月份须写作 YYYY-MM", "month must be written YYYY-MM");
        return -EINVAL;
    }
    county_stats_query_t q = {from, to - 1, COUNTY_BY_TOWNSHIP, COUNTY_PERIOD_NONE, {0}, now_ms};
    memcpy(q.scope, env->place, TB_CODE_LEN + 1);
    json_t *st;
    int rc = county_stats_run(pg, env, &q, &st);
    if (rc < 0)
        return rc;
    /* Every township of the county, with or without business this month. */
    json_t *units = json_array(), *idle = json_array();
    json_t *rows = json_object_get(st, "rows");
    const char *code;
    for (size_t i = 0; (code = tb_places_child(env->places, env->place, i)); i++) {
        json_t *found = NULL, *row;
        size_t k;
        json_array_foreach(rows, k, row)
        {
            if (!strcmp(json_string_value(json_object_get(row, "unit")), code))
                found = row;
        }
        if (found && json_integer_value(json_object_get(found, "accepted")) > 0)
            json_array_append(units, found);
        else
            json_array_append_new(idle, json_pack("{s:s, s:s}", "unit", code, "name",
                                                  tb_places_name(env->places, code)));
    }
    /* Top and bottom by on-time rate, then by closed count: units with a rate only. */
    json_t *ranked = json_array();
    size_t k;
    json_t *row;
    json_array_foreach(units, k, row)
    {
        if (json_is_real(json_object_get(row, "on_time_rate")))
            json_array_append(ranked, row);
    }
    size_t n = json_array_size(ranked);
    for (size_t a = 1; a < n; a++) /* insertion sort: a county has a few dozen townships */
        for (size_t b = a; b > 0; b--) {
            json_t *x = json_array_get(ranked, b - 1), *yv = json_array_get(ranked, b);
            double rx = json_real_value(json_object_get(x, "on_time_rate"));
            double ry = json_real_value(json_object_get(yv, "on_time_rate"));
            json_int_t cx = json_integer_value(json_object_get(x, "closed"));
            json_int_t cy = json_integer_value(json_object_get(yv, "closed"));
            if (rx > ry || (rx == ry && cx >= cy))
                break;
            json_incref(x);
            json_array_set(ranked, b - 1, yv);
            json_array_set_new(ranked, b, x);
        }
    json_t *top = json_array(), *bottom = json_array();
    for (size_t a = 0; a < n && a < 3; a++)
        json_array_append(top, json_array_get(ranked, a));
    for (size_t a = 0; a < n && a < 3; a++)
        json_array_append(bottom, json_array_get(ranked, n - 1 - a));
    json_decref(ranked);
    *ret = json_pack("{s:s, s:s, s:O, s:o, s:o, s:o, s:o}", "month", month, "county",
                     tb_places_name(env->places, env->place), "total", json_object_get(st, "total"),
                     "townships", units, "top", top, "bottom", bottom, "idle", idle);
    json_decref(st);
    return *ret ? 0 : -ENOMEM;
}
