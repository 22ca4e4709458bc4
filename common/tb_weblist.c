/* tb_weblist: the screens' case lists in SQL (tb_weblist.h says what and why). */
#include "tb_weblist.h"

#include "tb_calendar.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_place.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the request's parameters ------------------------------------------------------------ */

static void field_error(json_t *errs, const char *field, const char *message)
{
    json_array_append_new(errs, json_pack("{s:s,s:s}", "field", field, "message", message));
}

/* A whole number 1..max written in plain digits ("" or absent: dflt). */
static bool read_count(const char *s, unsigned dflt, unsigned max, unsigned *ret)
{
    if (!s || !*s) {
        *ret = dflt;
        return true;
    }
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || p - s >= 9)
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < 1 || v > max)
        return false;
    *ret = (unsigned)v;
    return true;
}

/* A day "YYYY-MM-DD" as the first millisecond of it (after: of the next day). */
static bool read_day(const char *s, bool after, int64_t *ret)
{
    int32_t day;
    *ret = 0;
    if (!s || !*s)
        return true;
    if (tb_day_parse(s, &day) < 0)
        return false;
    *ret = tb_day_start_ms(after ? day + 1 : day);
    return true;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int tb_weblist_parse(const tb_http_req_t *req, tb_http_resp_t *resp, tb_weblist_query_t *ret)
{
    static const char *const filters[] = {"", "open", "due", "overdue", "closed"};
    tb_weblist_query_t q = {.page = 1, .per = TB_WEBLIST_PER};
    json_t *errs = json_array();
    const char *f = tb_http_query(req, "filter");
    size_t k = 0;
    if (nonempty(f))
        for (k = 1; k < sizeof filters / sizeof filters[0] && strcmp(f, filters[k]); k++)
            ;
    if (k == sizeof filters / sizeof filters[0])
        field_error(errs, "filter",
                    TB_TR("筛选只能是 open、due、overdue 或 closed",
                          "filter is one of open, due, overdue, closed"));
    else
        q.filter = (tb_weblist_filter_t)k;
    q.item = nonempty(tb_http_query(req, "item"));
    if (q.item && strlen(q.item) > 64)
        field_error(errs, "item", tb_strerror(-TB_EUNKNOWN_ITEM));
    q.village = nonempty(tb_http_query(req, "village"));
    if (q.village && !tb_code_valid(q.village))
        field_error(errs, "village",
                    TB_TR("村（社区）编码为12位数字", "a village code is 12 digits"));
    q.q = nonempty(tb_http_query(req, "q"));
    if (q.q && strlen(q.q) > 64)
        field_error(errs, "q", TB_TR("搜索内容不超过64个字符", "search for 64 characters at most"));
    const char *day_msg =
        TB_TR("日期格式为 年-月-日（如 2026-03-20）", "a date is YYYY-MM-DD (e.g. 2026-03-20)");
    bool from_ok = read_day(tb_http_query(req, "from"), false, &q.from_ms);
    bool to_ok = read_day(tb_http_query(req, "to"), true, &q.to_ms);
    if (!from_ok)
        field_error(errs, "from", day_msg);
    if (!to_ok)
        field_error(errs, "to", day_msg);
    if (from_ok && to_ok && q.from_ms && q.to_ms && q.to_ms <= q.from_ms)
        field_error(errs, "to",
                    TB_TR("结束日期不能早于开始日期", "the end date is before the start date"));
    if (!read_count(tb_http_query(req, "page"), 1, TB_WEBLIST_PAGE_MAX, &q.page))
        field_error(
            errs, "page",
            TB_TR("页码须为 1 到 100000 之间的整数", "page is a whole number from 1 to 100000"));
    if (!read_count(tb_http_query(req, "per"), TB_WEBLIST_PER, TB_WEBLIST_PER_MAX, &q.per))
        field_error(
            errs, "per",
            TB_TR("每页条数须为 1 到 200 之间的整数", "per is a whole number from 1 to 200"));
    if (!errs || json_array_size(errs)) {
        tb_http_reply_json(resp, 400, json_pack("{s:o}", "errors", errs ? errs : json_array()));
        return -1;
    }
    json_decref(errs);
    *ret = q;
    return 0;
}

/* ---- the statements ---------------------------------------------------------------------- */

/* ?1 held, ?2 item, ?3 village, ?4 search, ?5 from, ?6 to, ?7 filter,
 * ?8 now (red before it), ?9 the end of the yellow window; ?10 limit, ?11 offset. */
#define OPEN_ " state NOT IN ('closed', 'withdrawn')"
#define CLOCK_ " paused = 0 AND due_ms > 0"
#define WHERE_                                                                                     \
    " WHERE (?1 IS NULL OR holder = ?1 OR pending = ?1)"                                           \
    " AND (?2 IS NULL OR item_code = ?2)"                                                          \
    " AND (?3 IS NULL OR substr(case_id, 1, length(?3)) = ?3)"                                     \
    " AND (?4 IS NULL OR instr(case_id, ?4) > 0 OR instr(client_name, ?4) > 0)"                    \
    " AND (?5 = 0 OR accept_time_ms >= ?5) AND (?6 = 0 OR accept_time_ms < ?6)"                    \
    " AND CASE ?7 WHEN 1 THEN" OPEN_ " WHEN 2 THEN" OPEN_ " AND" CLOCK_                            \
    " AND due_ms >= ?8 AND due_ms < ?9 WHEN 3 THEN" OPEN_ " AND" CLOCK_ " AND due_ms < ?8"         \
    " WHEN 4 THEN NOT (" OPEN_ ") ELSE 1 END"
/* The page's ids first (so the columns' subqueries run for them only), then their rows. */
#define PAGE_(order)                                                                               \
    "WITH page(id, n) AS MATERIALIZED (SELECT case_id, row_number() OVER (ORDER BY " order ")"     \
    " FROM cases" WHERE_ " ORDER BY " order " LIMIT ?10 OFFSET ?11)"                               \
    " SELECT " TB_REPORT_CASE_COLS " FROM page JOIN cases ON cases.case_id = page.id"              \
    " ORDER BY page.n"

static const char sql_count[] = "SELECT count(*) FROM cases" WHERE_;
static const char sql_by_due[] = PAGE_("(paused <> 0 OR due_ms <= 0), due_ms, case_id");
static const char sql_newest[] = PAGE_("accept_time_ms DESC, case_id DESC");
static const char sql_month[] =
    "SELECT client_name, client_phone, agent, item_code, accept_time_ms, completion_time_ms,"
    " result, case_id FROM cases WHERE accept_time_ms >= ?1 AND accept_time_ms < ?2"
    " ORDER BY accept_time_ms, case_id";
static const char sql_counts[] =
    "SELECT substr(case_id, 1, 12), count(*), total(" CLOCK_ " AND due_ms < ?1),"
    " total(" CLOCK_ " AND due_ms >= ?1 AND due_ms < ?2) FROM cases WHERE" OPEN_ " GROUP BY 1";

/* Red before now; yellow from now to the end of the next working day (tb_calendar_card). */
static void card_window(const tb_calendar_t *cal, int64_t now_ms, int64_t *ret_red,
                        int64_t *ret_yellow_end)
{
    int32_t today, next;
    *ret_red = *ret_yellow_end = 0; /* no calendar: no cards (tb_card_name) */
    if (!cal || tb_day_from_ms(now_ms, &today) < 0)
        return;
    if (tb_calendar_add_workdays(cal, today, 1, &next) < 0)
        next = today;
    *ret_red = now_ms;
    *ret_yellow_end = tb_day_start_ms(next + 1);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_query(sqlite3_stmt *st, const tb_weblist_query_t *q, int64_t red,
                       int64_t yellow_end)
{
    bind_text(st, 1, q->held);
    bind_text(st, 2, q->item);
    bind_text(st, 3, q->village);
    bind_text(st, 4, q->q);
    sqlite3_bind_int64(st, 5, q->from_ms);
    sqlite3_bind_int64(st, 6, q->to_ms);
    sqlite3_bind_int(st, 7, (int)q->filter);
    sqlite3_bind_int64(st, 8, red);
    sqlite3_bind_int64(st, 9, yellow_end);
}

int tb_weblist_page(tb_store_t *store, const tb_weblist_query_t *q, const tb_report_opts_t *o,
                    int64_t now_ms, json_t **ret)
{
    sqlite3 *db = tb_store_db(store);
    sqlite3_stmt *st;
    int64_t red, yellow_end, total = 0;
    card_window(o->calendar, now_ms, &red, &yellow_end);
    if (sqlite3_prepare_v2(db, sql_count, -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    bind_query(st, q, red, yellow_end);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return -TB_ESTORE;
    if (sqlite3_prepare_v2(db, q->by_due ? sql_by_due : sql_newest, -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    bind_query(st, q, red, yellow_end);
    sqlite3_bind_int(st, 10, (int)q->per);
    sqlite3_bind_int64(st, 11, (int64_t)(q->page - 1) * q->per);
    json_t *cases = json_array();
    while (cases && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *j = tb_report_case_row(st, o);
        if (!j || json_array_append_new(cases, j) < 0) {
            json_decref(cases);
            cases = NULL;
        }
    }
    sqlite3_finalize(st);
    if (!cases)
        return -ENOMEM;
    if (rc != SQLITE_DONE) {
        json_decref(cases);
        return -TB_ESTORE;
    }
    json_t *page = json_pack("{s:o,s:I,s:i,s:i,s:I}", "cases", cases, "total", (json_int_t)total,
                             "page", (int)q->page, "per", (int)q->per, "pages",
                             (json_int_t)((total + q->per - 1) / q->per));
    if (!page)
        return -ENOMEM;
    *ret = page;
    return 0;
}

/* Stored text as a listing shows it (tb_report.c's jtext). */
static json_t *safe(const char *t, bool mask)
{
    char *v = tb_text_safe(t ? t : "", mask ? TB_SAFE_MASK : 0);
    json_t *j = v ? json_string(v) : NULL;
    free(v);
    return j;
}

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int tb_weblist_month(tb_store_t *store, int64_t from_ms, int64_t to_ms, const tb_report_opts_t *o,
                     json_t **ret)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tb_store_db(store), sql_month, -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    json_t *rows = json_array();
    int rc = SQLITE_DONE;
    while (rows && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char phone[32], at[32], done[32];
        const char *p = text(st, 1) ? text(st, 1) : "";
        if (o->mask_phone)
            tb_mask_phone(p, phone);
        else
            snprintf(phone, sizeof phone, "%s", p);
        const char *code = text(st, 3);
        const tb_item_t *it = code ? tb_catalog_find(o->catalog, code) : NULL;
        tb_fmt_time(sqlite3_column_int64(st, 4), at);
        tb_fmt_time(sqlite3_column_int64(st, 5), done);
        bool m = o->mask_phone;
        const char *item = it ? it->name : code ? code : "";
        json_t *row = json_pack("{s:o,s:o,s:o,s:s,s:s,s:s,s:o,s:s}", "client_name",
                                safe(text(st, 0), m), "client_phone", safe(phone, m), "agent",
                                safe(text(st, 2), m), "item_name", item, "accept_time", at,
                                "completion_time", done, "result", safe(text(st, 6), m),
                                "case_id", text(st, 7));
        if (!row || json_array_append_new(rows, row) < 0) {
            json_decref(rows);
            rows = NULL;
        }
    }
    sqlite3_finalize(st);
    if (!rows)
        return -ENOMEM;
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return -TB_ESTORE;
    }
    *ret = rows;
    return 0;
}

int tb_weblist_counts(tb_store_t *store, const tb_calendar_t *cal, int64_t now_ms, json_t **ret)
{
    sqlite3_stmt *st;
    int64_t red, yellow_end;
    card_window(cal, now_ms, &red, &yellow_end);
    if (sqlite3_prepare_v2(tb_store_db(store), sql_counts, -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_int64(st, 1, red);
    sqlite3_bind_int64(st, 2, yellow_end);
    json_t *out = json_object();
    int rc = SQLITE_DONE;
    while (out && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *place = (const char *)sqlite3_column_text(st, 0);
        if (place && json_object_set_new(out, place,
                                         json_pack("[I,I,I]", sqlite3_column_int64(st, 1),
                                                   (json_int_t)sqlite3_column_double(st, 2),
                                                   (json_int_t)sqlite3_column_double(st, 3))) < 0) {
            json_decref(out);
            out = NULL;
        }
    }
    sqlite3_finalize(st);
    if (!out)
        return -ENOMEM;
    if (rc != SQLITE_DONE) {
        json_decref(out);
        return -TB_ESTORE;
    }
    *ret = out;
    return 0;
}
