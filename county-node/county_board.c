/* county_board: the card board and the ratings view (county_board.h). */
#include "county_board.h"

#include "county_accounts.h"

#include "tb_calendar.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h" /* tb_now_ms */
#include "tb_place.h"
#include "tb_webapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A scope's subtree as a LIKE prefix: a county's codes share 6 digits, a township's 9. */
static void subtree(const char *scope, char like[TB_CODE_LEN + 2])
{
    tb_level_t lv = tb_code_level(scope);
    size_t keep = lv == TB_LEVEL_COUNTY ? 6 : lv == TB_LEVEL_TOWNSHIP ? 9 : TB_CODE_LEN;
    memcpy(like, scope, keep);
    like[keep] = keep < TB_CODE_LEN ? '%' : '\0';
    like[keep + 1] = '\0';
}

static bool one_of(const char *v, const char *const *set)
{
    if (!v || !*v)
        return true;
    for (; *set; set++)
        if (!strcmp(v, *set))
            return true;
    return false;
}

static const char board_sql[] =
    "SELECT k.id, k.case_id, k.level, k.kind,"
    " (extract(epoch FROM k.raised_at) * 1000)::bigint, (extract(epoch FROM k.due_at) * "
    "1000)::bigint,"
    " k.holder, k.responsible, c.origin, substr(c.origin, 1, 9) || '000', c.item_code, c.state,"
    " c.client_name"
    " FROM cards k JOIN cases c USING (case_id)"
    " WHERE k.cleared_at IS NULL AND c.origin LIKE $1"
    " AND ($2 = '' OR substr(c.origin, 1, 9) || '000' = $2) AND ($3 = '' OR k.level = $3)"
    " AND ($4 = '' OR k.kind = $4) ORDER BY k.due_at, k.id LIMIT 2000";

/* Working days a card's deadline is past (0: not yet, or the calendar cannot say). */
static int days_overdue(const tb_calendar_t *cal, int64_t due_ms, int64_t now_ms)
{
    int32_t due_day, today;
    int n = 0;
    if (now_ms <= due_ms || tb_day_from_ms(due_ms, &due_day) < 0 ||
        tb_day_from_ms(now_ms, &today) < 0 ||
        tb_calendar_workdays_between(cal, due_day, today, &n) < 0)
        return 0;
    return n > 0 ? n : 0;
}

static int by_overdue(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t dx = json_integer_value(json_object_get(x, "days_overdue")),
               dy = json_integer_value(json_object_get(y, "days_overdue"));
    if (dx != dy)
        return dx > dy ? -1 : 1;
    json_int_t ux = json_integer_value(json_object_get(x, "due_ms")),
               uy = json_integer_value(json_object_get(y, "due_ms"));
    return ux < uy ? -1 : ux > uy;
}

void county_board_on_board(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    const char *sc = s ? county_web_scope(w, s, req, resp) : NULL;
    if (!sc)
        return;
    const tb_env_ctx_t *env = county_web_env(w);
    const char *town = tb_http_query(req, "township"), *level = tb_http_query(req, "level"),
               *kind = tb_http_query(req, "kind");
    static const char *const levels[] = {"yellow", "red", NULL};
    static const char *const kinds[] = {"deadline", "prereview", "revisit", "complaint", NULL};
    if (!one_of(level, levels) || !one_of(kind, kinds)) {
        tb_http_reply_error(
            resp, 400, "query",
            TB_TR("牌（level）须为 yellow 或 red；类别（kind）须为 "
                  "deadline、prereview、revisit、complaint 之一",
                  "level is yellow or red; kind is deadline, prereview, revisit or complaint"));
        return;
    }
    if (town && *town &&
        (!tb_code_valid(town) || tb_code_level(town) != TB_LEVEL_TOWNSHIP ||
         tb_places_check(env->places, town) < 0 || strncmp(town, env->place, 6) != 0)) {
        tb_http_reply_error(
            resp, 400, "township",
            TB_TR("所选乡镇不是本县的乡镇", "township is not a township of this county"));
        return;
    }
    if (town && *town && !tb_web_in_scope(sc, town) && !tb_web_in_scope(town, sc)) {
        tb_http_reply_error(
            resp, 403, "scope",
            TB_TR("该乡镇超出本账号的辖区", "that township is outside your account's scope"));
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    char like[TB_CODE_LEN + 2];
    subtree(sc, like);
    const char *p[4] = {like, town ? town : "", level ? level : "", kind ? kind : ""};
    PGresult *r = PQexecParams(pg, board_sql, 4, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        county_web_failed(w, resp);
        return;
    }
    int64_t now = tb_now_ms();
    int n = PQntuples(r);
    json_t **rows = calloc((size_t)n + 1, sizeof *rows);
    json_t *cards = json_array();
    bool ok = rows && cards;
    for (int i = 0; ok && i < n; i++) {
        int64_t due = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        const char *tn = tb_places_name(env->places, PQgetvalue(r, i, 9));
        const char *on = tb_places_name(env->places, PQgetvalue(r, i, 8));
        const char *hn = tb_places_name(env->places, PQgetvalue(r, i, 6));
        const tb_item_t *it = tb_catalog_find(env->catalog, PQgetvalue(r, i, 10));
        rows[i] = json_pack(
            "{sI ss ss ss sI sI ss ss ss ss ss ss ss ss sI}", "id",
            (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "case_id", PQgetvalue(r, i, 1),
            "level", PQgetvalue(r, i, 2), "kind", PQgetvalue(r, i, 3), "raised_ms",
            (json_int_t)strtoll(PQgetvalue(r, i, 4), NULL, 10), "due_ms", (json_int_t)due, "holder",
            PQgetvalue(r, i, 6), "responsible", PQgetvalue(r, i, 7), "origin", PQgetvalue(r, i, 8),
            "origin_name", on ? on : PQgetvalue(r, i, 8), "township", PQgetvalue(r, i, 9),
            "township_name", tn ? tn : PQgetvalue(r, i, 9), "item_name",
            it ? it->name : PQgetvalue(r, i, 10), "state", PQgetvalue(r, i, 11), "days_overdue",
            (json_int_t)days_overdue(env->calendar, due, now));
        ok =
            rows[i] != NULL && json_object_set_new(rows[i], "holder_name",
                                                   json_string(hn ? hn : PQgetvalue(r, i, 6))) == 0;
    }
    PQclear(r);
    if (ok) {
        qsort(rows, (size_t)n, sizeof *rows, by_overdue);
        for (int i = 0; i < n; i++)
            json_array_append_new(cards, rows[i]);
    } else {
        for (int i = 0; rows && i < n; i++)
            json_decref(rows[i]);
    }
    free(rows);
    json_t *o =
        ok ? json_pack("{s:s, s:I, s:o}", "scope", sc, "now_ms", (json_int_t)now, "cards", cards)
           : NULL;
    if (!o) {
        if (!ok)
            json_decref(cards);
        tb_http_reply_error(resp, 500, "memory", TB_TR("内存不足", "out of memory"));
        return;
    }
    tb_http_reply_json(resp, 200, o);
}

void county_board_on_ratings(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    const char *sc = s ? county_web_scope(w, s, req, resp) : NULL;
    if (!sc)
        return;
    const char *open = tb_http_query(req, "open");
    if (open && strcmp(open, "0") && strcmp(open, "1") && *open) {
        tb_http_reply_error(resp, 400, "open", TB_TR("open 须为 0 或 1", "open is 0 or 1"));
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    char like[TB_CODE_LEN + 2];
    subtree(sc, like);
    like[strcspn(like, "%")] = '\0'; /* county_rating_json takes a prefix */
    json_t *list = county_rating_json(pg, NULL, like, open && !strcmp(open, "1"));
    if (!list) {
        county_web_failed(w, resp);
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *owner = json_string_value(json_object_get(x, "owner"));
        const char *on = owner ? tb_places_name(county_web_env(w)->places, owner) : NULL;
        json_object_set_new(x, "owner_name", json_string(on ? on : owner ? owner : ""));
    }
    json_t *o = json_pack("{s:s, s:o}", "scope", sc, "ratings", list);
    if (!o) {
        tb_http_reply_error(resp, 500, "memory", TB_TR("内存不足", "out of memory"));
        return;
    }
    tb_http_reply_json(resp, 200, o);
}

/* POST /api/ratings/CASE/STEP: a staff step, checked as `ratings` checks it. */
void county_board_on_step(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    if (!s)
        return;
    char id[TB_CASEID_MAX + 1];
    const char *step;
    if (tb_web_case_action(req, resp, id, &step) < 0)
        return;
    county_role_t role = COUNTY_ROLE_NONE;
    (void)county_role_parse(s->role, &role);
    bool review = !strcmp(step, "review");
    if (role == COUNTY_ROLE_AUDITOR || (review && role != COUNTY_ROLE_SUPERVISOR)) {
        tb_http_reply_error(
            resp, 403, "role",
            review ? TB_TR("申诉复核须由县级督办账号作出",
                           "an appeal is reviewed by a county supervisor's account")
                   : TB_TR("审计账号只读，不能办理差评整改",
                           "an auditor's account only reads: it cannot work on bad ratings"));
        return;
    }
    json_t *body = tb_http_json_body(req);
    const char *verdict = NULL;
    county_rating_args_t a = {0};
    if (tb_web_str(body, "text", &a.text) < 0 || tb_web_str(body, "outcome", &a.outcome) < 0 ||
        tb_web_str(body, "kind", &a.kind) < 0 || tb_web_str(body, "rating", &a.rating) < 0 ||
        tb_web_str(body, "verdict", &verdict) < 0 ||
        (verdict && strcmp(verdict, "approve") && strcmp(verdict, "refuse"))) {
        tb_http_reply_error(
            resp, 400, "body",
            TB_TR("text、outcome、kind、rating 须为文字；verdict 须为 approve 或 refuse",
                  "text, outcome, kind, rating are strings; verdict approve or refuse"));
        return;
    }
    a.approve = verdict && !strcmp(verdict, "approve");
    a.refuse = verdict && !strcmp(verdict, "refuse");
    const char *word = NULL;
    unsigned n = 0;
    char why[512];
    if (strcmp(step, "revisit") && strcmp(step, "rectify") && strcmp(step, "followup") &&
        strcmp(step, "appeal") && !review) {
        tb_http_reply_error(resp, 404, "not_found", TB_TR("没有这个办理步骤", "no such step"));
        return;
    }
    if (county_rating_check(step, &a, &word, &n, why, sizeof why) < 0) {
        tb_http_reply_error(resp, 400, "input", why);
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    /* The owner must be in the account's scope (a review: the county's supervisor). */
    json_t *row = county_rating_json(pg, id, "", false);
    const char *owner = json_string_value(json_object_get(json_array_get(row, 0), "owner"));
    int rc = 0;
    if (!row)
        county_web_failed(w, resp);
    else if (!owner)
        tb_http_reply_error(resp, 404, "no_rectification",
                            TB_TR("该办件没有差评整改", "this case has no bad rating to fix"));
    else if (!tb_web_in_scope(s->scope, owner) ||
             (review && !county_rating_reviewer(pg, s->login, county_web_env(w)->place)))
        tb_http_reply_error(
            resp, 403, "scope",
            TB_TR("该差评的责任单位不在本账号范围内",
                  "the bad rating's responsible unit is outside your account's scope"));
    else if ((rc = !strcmp(step, "followup")
                       ? county_rating_followup(pg, county_web_env(w), id, a.text, s->login, n, why,
                                                sizeof why)
                       : county_rating_step(pg, step, id, a.text ? a.text : "", s->login, word, n,
                                            why, sizeof why)) < 0)
        tb_http_reply_error(resp, rc == -TB_ESTORE ? 500 : rc == -ENOENT ? 404 : 409, "step", why);
    else {
        json_decref(row);
        row = county_rating_json(pg, id, "", false);
        if (row)
            tb_http_reply_json(resp, 200, json_incref(json_array_get(row, 0)));
        else
            county_web_failed(w, resp);
    }
    json_decref(row);
}
