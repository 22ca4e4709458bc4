#include "tb_report.h"

#include "tb_accountlist.h"
#include "tb_case.h"
#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_log.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int cp_width(uint32_t c)
{
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

void tb_print_col(FILE *out, const char *s, int width)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c = *p;
        int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        c &= n == 0 ? 0x7F : n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07;
        p++;
        for (int k = 0; k < n && (*p & 0xC0) == 0x80; k++, p++)
            c = (c << 6) | (*p & 0x3F);
        w += cp_width(c);
    }
    fputs(s, out);
    for (; w < width; w++)
        fputc(' ', out);
    fputc(' ', out);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* Stored text as it may be shown: what a person typed, from this store or
 * another node's, is escaped always (tb_text_safe: no control, C1 or bidi
 * character ever reaches a terminal or a JSON consumer), and phone and ID
 * numbers inside it are masked when the listing masks. */
static json_t *jtext(const char *s, const tb_report_opts_t *o)
{
    char *safe = tb_text_safe(s, o->mask_phone ? TB_SAFE_MASK : 0);
    json_t *j = safe ? json_string(safe) : NULL;
    free(safe);
    return j;
}

static const char *place_name(const tb_report_opts_t *o, const char *code)
{
    const char *n = code[0] ? tb_places_name(o->places, code) : NULL;
    return n ? n : code;
}

static const char *item_name(const tb_report_opts_t *o, const char *code)
{
    const tb_item_t *it = tb_catalog_find(o->catalog, code);
    return it ? it->name : code;
}

#define CASE_COLS TB_REPORT_CASE_COLS

const char *tb_card_name(const tb_calendar_t *cal, int64_t due_ms, int64_t now_ms)
{
    if (due_ms < 0)
        return "paused";
    if (due_ms == 0 || !cal)
        return "";
    switch (tb_calendar_card(cal, due_ms, now_ms)) {
    case TB_CARD_YELLOW:
        return "yellow";
    case TB_CARD_RED:
        return "red";
    default:
        return "";
    }
}

const char *tb_card_label(const char *name)
{
    if (!strcmp(name, "yellow"))
        return TB_TR("【黄牌：一个工作日内到期】", "[YELLOW: due within a working day]");
    if (!strcmp(name, "red"))
        return TB_TR("【红牌：已超期】", "[RED: overdue]");
    if (!strcmp(name, "paused"))
        return TB_TR("（计时暂停）", "(clock paused)");
    return "";
}

json_t *tb_report_case_row(sqlite3_stmt *st, const tb_report_opts_t *o)
{
    char phone[32], at[32], upd[32], due[32], legal[32], done[32];
    if (o->mask_phone)
        tb_mask_phone(col(st, 2), phone);
    else
        snprintf(phone, sizeof phone, "%s", col(st, 2));
    tb_fmt_time(sqlite3_column_int64(st, 6), at);
    tb_fmt_time(sqlite3_column_int64(st, 11), upd);
    int64_t due_ms = sqlite3_column_int64(st, 14), legal_ms = sqlite3_column_int64(st, 15);
    tb_fmt_time(due_ms, due);
    tb_fmt_time(legal_ms, legal);
    tb_fmt_time(sqlite3_column_int64(st, 21), done);
    bool paused = sqlite3_column_int(st, 22) != 0;
    tb_state_t s = tb_state_from_name(col(st, 7));
    tb_state_t cs = tb_state_from_name(col(st, 12));
    int rating = sqlite3_column_int(st, 17), decision = sqlite3_column_int(st, 19);
    json_t *j = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s,"
        " s:s?, s:i}",
        "case_id", jtext(col(st, 0), o), "client_name", jtext(col(st, 1), o), "client_phone",
        jtext(phone, o), "agent", jtext(col(st, 3), o), "item_code", jtext(col(st, 4), o),
        "item_name", item_name(o, col(st, 4)), "note", jtext(col(st, 5), o), "accept_time", at,
        "accept_time_ms", (json_int_t)sqlite3_column_int64(st, 6), "state", col(st, 7),
        "state_label", tb_state_label(s), "holder", col(st, 8), "holder_name",
        place_name(o, col(st, 8)), "pending", col(st, 9), "updated", upd, "version",
        sqlite3_column_int(st, 10), "county_state_label",
        sqlite3_column_int(st, 13) ? tb_state_label(cs) : "", "county_state",
        sqlite3_column_int(st, 13) ? col(st, 12) : NULL, "county_version",
        sqlite3_column_int(st, 13));
    const char *card = tb_card_name(o->calendar, paused ? -1 : due_ms, tb_now_ms());
    /* The county's card (issue 11): the newest CARD_RAISED/CARD_CLEARED the
     * county sent down; a raised card's reason is its level. */
    const char *cc = col(st, 23);
    cc = !strcmp(cc, "red") || !strcmp(cc, "yellow") ? cc : "";
    json_object_update_new(j, json_pack("{s:s, s:s}", "county_card", cc, "county_card_label",
                                        !strcmp(cc, "red") ? TB_TR("【县级红牌】", "[county: RED]")
                                        : !strcmp(cc, "yellow")
                                            ? TB_TR("【县级黄牌】", "[county: YELLOW]")
                                            : ""));
    json_object_update_new(
        j, json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:o, s:i, s:s, s:o, s:s, s:o, s:s}", "due",
                     paused ? "paused" : due, "due_ms", (json_int_t)due_ms, "legal_due",
                     paused ? "paused" : legal, "legal_due_ms", (json_int_t)legal_ms, "card", card,
                     "card_label", tb_card_label(card), "to_bring", jtext(col(st, 16), o), "rating",
                     rating, "rating_label", tb_rating_label((unsigned)rating), "rating_comment",
                     jtext(col(st, 18), o), "decision",
                     decision == 1   ? "grant"
                     : decision == 2 ? "deny"
                                     : "",
                     "result", jtext(col(st, 20), o), "completion_time", done));
    /* 被退回: an event of this case was answered with REJECTED (issue 9); the
     * reason given for the earliest refused event (the root: events built on
     * it are refused after it, often for that), to correct and resend. */
    const char *returned = col(st, 24);
    json_object_update_new(j, json_pack("{s:b, s:o}", "returned", *returned != 0, "returned_reason",
                                        jtext(returned, o)));
    /* 追评 (issue 11): its words only beside a level (a refold may drop it). */
    int followup = sqlite3_column_int(st, 25);
    json_object_update_new(j, json_pack("{s:i, s:s, s:o}", "followup", followup, "followup_label",
                                        followup ? tb_rating_label((unsigned)followup) : "",
                                        "followup_comment", jtext(followup ? col(st, 26) : "", o)));
    return j;
}

static int print_json(json_t *j, FILE *out)
{
    if (!j)
        return -TB_ESTORE;
    int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(j);
    return rc == 0 ? 0 : -EIO;
}

void tb_print_header(FILE *out)
{
    tb_print_row(out, TB_TR("办件编号", "case id"), TB_TR("群众", "client"), TB_TR("电话", "phone"),
                 TB_TR("事项", "item"), TB_TR("受理时间", "accepted at"));
    fprintf(out, "%s\n", TB_TR("状态（经办方）", "status (holder)"));
}

void tb_print_row(FILE *out, const char *id, const char *client, const char *phone,
                  const char *item, const char *at)
{
    tb_print_col(out, id, 27);
    tb_print_col(out, client, 8);
    tb_print_col(out, phone, 13);
    tb_print_col(out, item, 24);
    tb_print_col(out, at, 16);
}

json_t *tb_report_cases_json(tb_store_t *store, const char *held, const tb_report_opts_t *o)
{
    sqlite3_stmt *st;
    const char *sql = held ? "SELECT " CASE_COLS " FROM cases WHERE holder = ?1 OR pending = ?1"
                             " ORDER BY accept_time_ms, case_id"
                           : "SELECT " CASE_COLS " FROM cases ORDER BY accept_time_ms, case_id";
    if (sqlite3_prepare_v2(tb_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    if (held)
        sqlite3_bind_text(st, 1, held, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    int rc;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *j = tb_report_case_row(st, o);
        if (!j || json_array_append_new(arr, j) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr && rc != SQLITE_DONE) {
        json_decref(arr);
        arr = NULL;
    }
    sqlite3_finalize(st);
    return arr;
}

int tb_report_cases(tb_store_t *store, const char *held, const tb_report_opts_t *o, FILE *out)
{
    json_t *arr = tb_report_cases_json(store, held, o);
    if (!arr)
        return -TB_ESTORE;
    if (o->json)
        return print_json(arr, out);
    tb_print_header(out);
    size_t i;
    json_t *j;
    json_array_foreach(arr, i, j)
    {
        const char *county = json_string_value(json_object_get(j, "county_state_label"));
        const char *pending = json_string_value(json_object_get(j, "pending"));
        tb_print_row(out, json_string_value(json_object_get(j, "case_id")),
                     json_string_value(json_object_get(j, "client_name")),
                     json_string_value(json_object_get(j, "client_phone")),
                     json_string_value(json_object_get(j, "item_name")),
                     json_string_value(json_object_get(j, "accept_time")));
        const char *due = json_string_value(json_object_get(j, "due"));
        const char *bring = json_string_value(json_object_get(j, "to_bring"));
        fprintf(out, TB_TR("%s（%s）%s%s", "%s (%s)%s%s"),
                json_string_value(json_object_get(j, "state_label")),
                pending && *pending ? place_name(o, pending)
                                    : json_string_value(json_object_get(j, "holder_name")),
                county && *county ? TB_TR("  县库：", "  county: ") : "", county ? county : "");
        if (due && strcmp(due, "-") != 0)
            fprintf(out, TB_TR("  期限：%s%s", "  due: %s%s"), strcmp(due, "paused") ? due : "",
                    json_string_value(json_object_get(j, "card_label")));
        if (bring && *bring)
            fprintf(out, TB_TR("  需补：%s", "  to bring: %s"), bring);
        fputs(json_string_value(json_object_get(j, "county_card_label")), out);
        const char *back = json_string_value(json_object_get(j, "returned_reason"));
        if (back && *back)
            fprintf(out, TB_TR("  被退回：%s", "  returned: %s"), back);
        fputc('\n', out);
    }
    fprintf(out, TB_TR("共 %d 件\n", "%d case(s)\n"), (int)json_array_size(arr));
    json_decref(arr);
    return 0;
}

int tb_report_case_json(tb_store_t *store, const char *case_id, const tb_report_opts_t *o,
                        json_t **ret)
{
    sqlite3 *db = tb_store_db(store);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT " CASE_COLS " FROM cases WHERE case_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return -TB_ENOCASE;
    }
    json_t *c = tb_report_case_row(st, o);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT origin_node, origin_seq, type, actor, at_ms, target, reason,"
                           " folded, detail, rejected FROM events WHERE case_id = ?1"
                           " ORDER BY at_ms, origin_node, origin_seq",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(c);
        return -TB_ESTORE;
    }
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    json_t *hist = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        char at[32];
        tb_fmt_time(sqlite3_column_int64(st, 4), at);
        tb_event_type_t t = (tb_event_type_t)sqlite3_column_int(st, 2);
        json_array_append_new(
            hist,
            json_pack("{s:o, s:I, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:b, s:o, s:o}", "origin",
                      jtext(col(st, 0), o), "origin_seq", (json_int_t)sqlite3_column_int64(st, 1),
                      "event", tb_event_name(t), "label", tb_event_label(t), "where",
                      jtext(place_name(o, col(st, 0)), o), "actor", jtext(col(st, 3), o), "at", at,
                      "target", jtext(col(st, 5), o), "reason", jtext(col(st, 6), o), "folded",
                      sqlite3_column_int(st, 7), "detail", jtext(col(st, 8), o), "rejected",
                      jtext(col(st, 9), o)));
    }
    sqlite3_finalize(st);
    json_object_set_new(c, "history", hist);
    *ret = c;
    return 0;
}

/* ---- the people's names (tb_report_name_people) ---- */

/* The account lists read for one answer: a village's, its township's; rarely more. */
typedef struct {
    tb_store_t *store;
    struct {
        char code[TB_CODE_LEN + 1];
        char *body; /* NULL: this place has no list here */
        size_t len;
    } list[4];
    size_t n;
} names_t;

/* The name login has in place code's list, else NULL. */
static const char *name_in(names_t *nm, const char *code, const char *login, tb_account_t *a)
{
    size_t k = 0;
    while (k < nm->n && strcmp(nm->list[k].code, code))
        k++;
    if (k == nm->n) {
        if (k == sizeof nm->list / sizeof nm->list[0])
            return NULL; /* more places than one answer shows: logins */
        char kind[sizeof TB_DATA_ACCOUNTS + TB_CODE_LEN];
        snprintf(kind, sizeof kind, "%s%s", TB_DATA_ACCOUNTS, code);
        snprintf(nm->list[k].code, sizeof nm->list[k].code, "%s", code);
        nm->list[k].body = NULL;
        if (tb_store_data_newest(nm->store, kind, NULL, &nm->list[k].body, &nm->list[k].len) < 0)
            nm->list[k].body = NULL;
        nm->n++;
    }
    if (!nm->list[k].body ||
        tb_accountlist_find(nm->list[k].body, nm->list[k].len, login, a) < 0 || !a->name[0])
        return NULL;
    return a->name;
}

/* obj[key_name] = the name of obj[key_login] in the list of the place whose code
 * starts obj[key_place]. */
static void name_one(names_t *nm, json_t *obj, const char *key_login, const char *key_place,
                     const char *key_name)
{
    const char *login = json_string_value(json_object_get(obj, key_login));
    const char *place = json_string_value(json_object_get(obj, key_place));
    if (!login)
        return;
    char code[TB_CODE_LEN + 1] = "";
    if (place && strlen(place) >= TB_CODE_LEN)
        snprintf(code, sizeof code, "%.*s", TB_CODE_LEN, place);
    tb_account_t a;
    const char *name = code[0] && login[0] ? name_in(nm, code, login, &a) : NULL;
    if (!name && code[0] && login[0] && tb_code_level(code) == TB_LEVEL_VILLAGE) {
        memcpy(code + 9, "000", 4); /* a township's list holds its villages' people too */
        name = name_in(nm, code, login, &a);
    }
    json_object_set_new(obj, key_name, json_string(name ? name : login));
}

static void name_all(names_t *nm, json_t *v)
{
    size_t i;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) name_all(nm, x);
        return;
    }
    if (!json_is_object(v))
        return;
    name_all(nm, json_object_get(v, "cases"));
    name_one(nm, v, "agent", "case_id", "agent_name");
    json_array_foreach(json_object_get(v, "history"), i, x) name_one(nm, x, "actor", "origin",
                                                                      "actor_name");
}

void tb_report_name_people(tb_store_t *store, json_t *v)
{
    names_t nm = {.store = store};
    name_all(&nm, v);
    for (size_t k = 0; k < nm.n; k++)
        free(nm.list[k].body);
}

int tb_report_case(tb_store_t *store, const char *case_id, const tb_report_opts_t *o, FILE *out)
{
    json_t *c;
    int rc = tb_report_case_json(store, case_id, o, &c);
    if (rc < 0)
        return rc;
    if (o->json)
        return print_json(c, out);
    fprintf(out, "%s  %s\n", TB_TR("办件编号：", "case id:  "),
            json_string_value(json_object_get(c, "case_id")));
    fprintf(out, "%s  %s  %s\n", TB_TR("群众：    ", "client:   "),
            json_string_value(json_object_get(c, "client_name")),
            json_string_value(json_object_get(c, "client_phone")));
    fprintf(out, "%s  %s %s\n", TB_TR("事项：    ", "item:     "),
            json_string_value(json_object_get(c, "item_code")),
            json_string_value(json_object_get(c, "item_name")));
    fprintf(out, "%s  %s\n", TB_TR("代办员：  ", "agent:    "),
            json_string_value(json_object_get(c, "agent")));
    fprintf(out, "%s  %s\n", TB_TR("受理时间：", "taken at: "),
            json_string_value(json_object_get(c, "accept_time")));
    fprintf(out, TB_TR("%s  %s（%s）\n", "%s  %s (%s)\n"), TB_TR("当前状态：", "status:   "),
            json_string_value(json_object_get(c, "state_label")),
            json_string_value(json_object_get(c, "holder_name")));
    const char *note = json_string_value(json_object_get(c, "note"));
    if (note && *note)
        fprintf(out, "%s  %s\n", TB_TR("备注：    ", "note:     "), note);
    const char *due = json_string_value(json_object_get(c, "due"));
    if (due && strcmp(due, "-") != 0)
        fprintf(out, TB_TR("%s  %s（法定 %s）%s\n", "%s  %s (legal %s)%s\n"),
                TB_TR("办理期限：", "due:      "),
                strcmp(due, "paused") ? due : TB_TR("计时暂停", "clock paused"),
                json_string_value(json_object_get(c, "legal_due")),
                json_string_value(json_object_get(c, "card_label")));
    const char *bring = json_string_value(json_object_get(c, "to_bring"));
    if (bring && *bring)
        fprintf(out, "%s  %s\n", TB_TR("需补材料：", "to bring: "), bring);
    const char *result = json_string_value(json_object_get(c, "result"));
    if (result && *result)
        fprintf(out, "%s  %s\n", TB_TR("答复：    ", "reply:    "), result);
    if (json_integer_value(json_object_get(c, "rating")))
        fprintf(out, "%s  %s %s\n", TB_TR("评价：    ", "rating:   "),
                json_string_value(json_object_get(c, "rating_label")),
                json_string_value(json_object_get(c, "rating_comment")));
    if (json_integer_value(json_object_get(c, "followup")))
        fprintf(out, "%s  %s %s\n", TB_TR("追评：    ", "follow-up:"),
                json_string_value(json_object_get(c, "followup_label")),
                json_string_value(json_object_get(c, "followup_comment")));
    fprintf(out, "%s\n", TB_TR("办理过程：", "history:"));
    size_t i;
    json_t *e, *hist = json_object_get(c, "history");
    json_array_foreach(hist, i, e)
    {
        const char *detail = json_string_value(json_object_get(e, "detail"));
        const char *reason = json_string_value(json_object_get(e, "reason"));
        const char *rejected = json_string_value(json_object_get(e, "rejected"));
        fprintf(out, "  %s  ", json_string_value(json_object_get(e, "at")));
        tb_print_col(out, json_string_value(json_object_get(e, "label")), 10);
        fprintf(out, "%s  %s", json_string_value(json_object_get(e, "where")),
                json_string_value(json_object_get(e, "actor")));
        if (detail && *detail)
            fprintf(out, "  %s", detail);
        if (reason && *reason)
            fprintf(out, TB_TR("  理由：%s", "  reason: %s"), reason);
        if (!json_is_true(json_object_get(e, "folded")))
            fprintf(out, "%s", TB_TR("（未生效）", " (not applied)"));
        if (rejected && *rejected)
            fprintf(out, TB_TR("（县级驳回：%s）", " (rejected by the county: %s)"), rejected);
        fputc('\n', out);
    }
    json_decref(c);
    return 0;
}

static const char *const lv_zh[] = {"", "县级", "乡镇", "村级"}, *const lv_en[] = {"", "county",
                                                                                   "township",
                                                                                   "village"};
static const char *const k_zh[] = {"", "即办件", "承诺件", "咨询", "帮扶"}, *const k_en[] = {
                                                                                "", "immediate",
                                                                                "promised",
                                                                                "consultation",
                                                                                "help"};

json_t *tb_report_items_json(const tb_catalog_t *catalog, uint32_t catalog_version,
                             uint32_t calendar_version)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr; i++) {
        const tb_item_t *it = tb_catalog_item(catalog, i);
        if (!it)
            break;
        json_t *mats = json_array();
        for (size_t k = 0; mats && k < it->nmaterials; k++)
            json_array_append_new(
                mats, json_pack("{s:s, s:b}", "name", it->material[k], "core", it->core[k]));
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:o?}", "code",
                              it->code, "name", it->name, "level", lv_en[it->level], "level_label",
                              TB_TR(lv_zh[it->level], lv_en[it->level]), "kind", k_en[it->kind],
                              "kind_label", TB_TR(k_zh[it->kind], k_en[it->kind]), "promised_days",
                              it->promised_days, "legal_days", it->legal_days, "materials",
                              it->materials, "material_list", mats);
        if (!j || !mats || json_array_append_new(arr, j) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr ? json_pack("{s:I, s:I, s:o}", "catalog_version", (json_int_t)catalog_version,
                           "calendar_version", (json_int_t)calendar_version, "items", arr)
               : NULL;
}

int tb_report_items(const tb_catalog_t *catalog, uint32_t catalog_version,
                    uint32_t calendar_version, bool json, FILE *out)
{
    if (json)
        return print_json(tb_report_items_json(catalog, catalog_version, calendar_version), out);
    fprintf(out,
            TB_TR("事项目录第 %u 版%s，节假日日历第 %u 版%s\n",
                  "catalog version %u%s, holiday calendar version %u%s\n"),
            (unsigned)catalog_version, catalog_version ? "" : TB_TR("（随附）", " (shipped)"),
            (unsigned)calendar_version, calendar_version ? "" : TB_TR("（随附）", " (shipped)"));
    for (size_t i = 0;; i++) {
        const tb_item_t *it = tb_catalog_item(catalog, i);
        if (!it)
            break;
        /* Level and kind padded in terminal columns (printf's widths count
         * bytes, so neither "county"/"township" nor 咨询/即办件 lined up). */
        fprintf(out, "%-6s  ", it->code);
        tb_print_col(out, TB_TR(lv_zh[it->level], lv_en[it->level]), TB_TR(4, 8));
        fputc(' ', out);
        tb_print_col(out, TB_TR(k_zh[it->kind], k_en[it->kind]), TB_TR(6, 12));
        fprintf(out, " %s", it->name);
        if (it->kind == TB_KIND_PROMISED)
            fprintf(out,
                    TB_TR("（承诺%d个工作日，法定%d个）", " (promised %d working days, legal %d)"),
                    it->promised_days, it->legal_days);
        fputc('\n', out);
        for (size_t k = 0; k < it->nmaterials; k++)
            fprintf(out, "        %s%s\n", it->material[k],
                    it->core[k] ? TB_TR("（核心）", " (core)")
                                : TB_TR("（非核心，可容缺）", " (non-core, may be owed)"));
    }
    return 0;
}
