/* tb_complaint_web.c: a node's complaints folded back from its store (see the header). */
#include "tb_complaint_web.h"

#include "tb_complaint.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_webapi.h"
#include "tb_wire.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char case_id[TB_CASEID_MAX];
    tb_complaint_t c;
    char *text, *reply; /* the complaint in the resident's words; the newest 反馈 */
} row_t;

typedef struct {
    row_t *v;
    size_t n, cap;
} rows_t;

static void rows_free(rows_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].text);
        free(l->v[i].reply);
    }
    free(l->v);
}

/* One folded complaint event of case_id (events come by case, then as
 * recorded): a COMPLAINED that follows opens the case's newest complaint. */
static int take(rows_t *l, const char *case_id, const tb_event_msg_t *ev)
{
    row_t *last = l->n && strcmp(l->v[l->n - 1].case_id, case_id) == 0 ? &l->v[l->n - 1] : NULL;
    tb_complaint_t c = last ? last->c : (tb_complaint_t){0};
    if (tb_complaint_apply(&c, ev, 0) < 0)
        return 0; /* out of turn: in the case's history only */
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED) {
        if (!last) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                row_t *v = realloc(l->v, cap * sizeof *v);
                if (!v)
                    return -ENOMEM;
                l->v = v;
                l->cap = cap;
            }
            last = &l->v[l->n++];
            memset(last, 0, sizeof *last);
            snprintf(last->case_id, sizeof last->case_id, "%s", case_id);
        }
        free(last->reply);
        last->reply = NULL;
        last->c = c; /* the newest complaint of the case replaces an older, closed one */
        return tb_complaint_text(&last->text, ev->reason);
    }
    last->c = c;
    return ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED
               ? tb_complaint_text(&last->reply, ev->reason)
               : 0;
}

static int read_rows(tb_store_t *store, const char *case_id, rows_t *l)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tb_store_db(store),
                           "SELECT case_id, body FROM events WHERE type BETWEEN ?1 AND ?2"
                           " AND folded = 1 AND (?3 IS NULL OR case_id = ?3)"
                           " ORDER BY case_id, rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_int(st, 1, TB_EV_COMPLAINED);
    sqlite3_bind_int(st, 2, TB_EV_COMPLAINT_FAULT);
    if (case_id)
        sqlite3_bind_text(st, 3, case_id, -1, SQLITE_TRANSIENT);
    int rc = 0, s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        tb_item_msg_t *item = NULL;
        if (tb_item_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                           &item) == 0 &&
            item->event)
            rc = take(l, (const char *)sqlite3_column_text(st, 0), item->event);
        tb_item_free(&item);
    }
    sqlite3_finalize(st);
    return rc < 0 ? rc : s == SQLITE_DONE ? 0 : -TB_ESTORE;
}

static json_t *text_json(const char *s, bool mask)
{
    char *safe = tb_text_safe(s ? s : "", mask ? TB_SAFE_MASK : 0);
    json_t *j = safe ? json_string(safe) : NULL;
    free(safe);
    return j ? j : json_string("");
}

static const char *name_of(const tb_places_t *places, const char *code)
{
    const char *n = code[0] && places ? tb_places_name(places, code) : NULL;
    return n ? n : code;
}

/* The case's resident and item, as the case row has them. */
static void case_fields(tb_store_t *store, const char *case_id, bool mask, json_t *j)
{
    sqlite3_stmt *st;
    const char *client = "", *item = "";
    if (sqlite3_prepare_v2(tb_store_db(store),
                           "SELECT client_name, item_code FROM cases WHERE case_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        st = NULL;
    if (st) {
        sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            client = (const char *)sqlite3_column_text(st, 0);
            item = (const char *)sqlite3_column_text(st, 1);
        }
    }
    json_object_set_new(j, "client_name", text_json(client, mask));
    json_object_set_new(j, "item_code", text_json(item, false));
    sqlite3_finalize(st);
}

static json_t *row_json(tb_store_t *store, const row_t *r, const tb_complaint_query_t *q,
                        const tb_limits_t *lim)
{
    const tb_complaint_t *c = &r->c;
    int64_t due = 0;
    if (!q->cal || tb_complaint_due(c, q->cal, lim, &due) < 0)
        due = 0;
    char at[32], d[32] = "";
    tb_fmt_time(c->filed_ms, at);
    if (due)
        tb_fmt_time(due, d);
    bool mine = tb_complaint_check(c, TB_EV_COMPLAINT_REPLIED, q->place) == 0;
    json_t *j = json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b}",
        "case_id", r->case_id, "id", (json_int_t)c->id, "kind",
        c->consult ? "consult" : "complaint", "kind_label", tb_complaint_kind_label(c->consult),
        "state", tb_complaint_state_name(c->state), "state_label",
        tb_complaint_state_label(c->state), "text", text_json(r->text, q->mask), "reply",
        text_json(r->reply, q->mask), "filed_by", c->filed_by, "filed_by_name",
        name_of(q->places, c->filed_by), "filed_at", at, "unit", c->unit, "unit_name",
        name_of(q->places, c->unit), "due", d, "due_ms", (json_int_t)due, "overdue",
        due && q->now_ms > due, "mine", mine);
    if (j)
        case_fields(store, r->case_id, q->mask, j);
    return j;
}

/* Open ones by deadline (none last), then the others newest first. */
static int by_due(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    bool xo = json_integer_value(json_object_get(x, "due_ms")) > 0;
    bool yo = json_integer_value(json_object_get(y, "due_ms")) > 0;
    if (xo != yo)
        return xo ? -1 : 1;
    json_int_t dx = json_integer_value(json_object_get(x, xo ? "due_ms" : "filed_ms"));
    json_int_t dy = json_integer_value(json_object_get(y, yo ? "due_ms" : "filed_ms"));
    if (dx != dy)
        return xo ? (dx < dy ? -1 : 1) : (dx > dy ? -1 : 1);
    return strcmp(json_string_value(json_object_get(x, "case_id")),
                  json_string_value(json_object_get(y, "case_id")));
}

int tb_complaint_list_json(tb_store_t *store, const tb_complaint_query_t *q, json_t **ret)
{
    bool all = q->state && strcmp(q->state, "all") == 0;
    tb_cp_state_t want = TB_CP_NONE;
    if (q->state && q->state[0] && !all &&
        (want = tb_complaint_state_from_name(q->state)) == TB_CP_NONE)
        return -EINVAL;
    rows_t l = {0};
    int rc = read_rows(store, q->case_id, &l);
    tb_limits_t lim;
    tb_limits_default(&lim);
    json_t **v = rc == 0 && l.n ? calloc(l.n, sizeof *v) : NULL;
    if (rc == 0 && l.n && !v)
        rc = -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const tb_complaint_t *c = &l.v[i].c;
        if (!all && (want ? c->state != want : !tb_complaint_open(c)))
            continue;
        if (!(v[n] = row_json(store, &l.v[i], q, &lim)))
            rc = -ENOMEM;
        else
            json_object_set_new(v[n++], "filed_ms", json_integer(c->filed_ms));
    }
    rows_free(&l);
    json_t *out = rc == 0 ? json_array() : NULL;
    if (rc == 0 && !out)
        rc = -ENOMEM;
    if (n > 1)
        qsort(v, n, sizeof *v, by_due);
    for (size_t i = 0; i < n; i++) {
        if (!out)
            json_decref(v[i]);
        else if (json_array_append_new(out, v[i]) < 0)
            rc = -ENOMEM;
    }
    free(v);
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    *ret = out;
    return 0;
}

void tb_web_refuse_step(tb_http_resp_t *resp, int rc, const char *field, tb_store_t *store,
                        const tb_catalog_t *catalog, tb_event_type_t t, const char *case_id)
{
    tb_msg_t msg;
    tb_act_explain_step(store, catalog, t, case_id, rc, &msg);
    size_t n = strlen(msg.text); /* one message, not a terminal's lines */
    while (n && msg.text[n - 1] == '\n')
        msg.text[--n] = '\0';
    tb_web_refuse(resp, rc, field, msg.text[0] ? msg.text : NULL);
}

int tb_web_complaint(json_t *body, tb_act_t *a, const char **ret_why, const char **ret_field)
{
    json_t *t = json_object_get(body, "text"), *k = json_object_get(body, "kind");
    *ret_why = NULL;
    *ret_field = t && !json_is_string(t) && !json_is_null(t) ? "text" : "kind";
    if ((t && !json_is_string(t) && !json_is_null(t)) ||
        (k && !json_is_string(k) && !json_is_null(k))) {
        *ret_why = TB_TR("投诉内容和类别须为文字", "the text and the kind are text");
        return -TB_EBADVALUE;
    }
    a->reason = json_string_value(t); /* NULL or "": the step's rule refuses it, in its words */
    a->complaint_kind = a->type == TB_EV_COMPLAINED ? json_string_value(k) : NULL;
    if (a->complaint_kind && !*a->complaint_kind)
        a->complaint_kind = NULL;
    if (a->complaint_kind && !tb_complaint_kind_word(a->complaint_kind)) {
        *ret_why = TB_TR("类别应为 投诉 或 咨询", "the kind is complaint or consult");
        return -TB_EBADVALUE;
    }
    return 0;
}
