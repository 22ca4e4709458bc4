/* tb_webapi: the shared parts of the nodes' JSON APIs (tb_webapi.h). */
#include "tb_webapi.h"

#include "rating_indicators.h"

#include "tb_calendar.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_labels.h"
#include "tb_data.h"
#include "tb_log.h"
#include "tb_nodeauth.h"
#include "tb_report.h"
#include "tb_weblist.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int tb_web_token(char ret[TB_WEB_TOKEN_LEN + 1])
{
    unsigned char raw[TB_WEB_TOKEN_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -EIO;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(ret + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

bool tb_web_csrf(const char *token, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    const char *t = tb_http_header(req, "X-CSRF-Token");
    if (t && token[0] && strlen(t) == strlen(token) && strcmp(t, token) == 0)
        return true;
    tb_http_reply_error(resp, 403, "csrf",
                        TB_TR("页面已过期，请刷新后重试", "the page is stale: reload it"));
    return false;
}

int tb_web_str(json_t *body, const char *key, const char **ret)
{
    json_t *v = json_object_get(body, key);
    *ret = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -TB_EBADVALUE;
    *ret = json_string_value(v);
    return 0;
}

int tb_web_list(json_t *body, const char *key, char *buf, size_t size)
{
    json_t *m = json_object_get(body, key);
    buf[0] = '\0';
    if (!m || json_is_null(m))
        return 0;
    if (!json_is_array(m))
        return -TB_EBADVALUE;
    size_t i, used = 0;
    json_t *v;
    json_array_foreach(m, i, v)
    {
        const char *s = json_string_value(v);
        /* One name per element: a separator inside would split it in two
         * (strstr: the separators are multi-byte, strpbrk would match bytes). */
        if (!s || strchr(s, ',') || strstr(s, "，") || strstr(s, "、"))
            return -TB_EMATERIAL;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", s);
        if (n < 0 || (size_t)n >= size - used)
            return -TB_ETOOLONG;
        used += (size_t)n;
    }
    return 0;
}

int tb_web_entry(json_t *b, tb_entry_t *e, char *mats, size_t size)
{
    int rc;
    if ((rc = tb_web_str(b, "client", &e->client)) < 0 ||
        (rc = tb_web_str(b, "phone", &e->phone)) < 0 ||
        (rc = tb_web_str(b, "item", &e->item)) < 0 || (rc = tb_web_str(b, "note", &e->note)) < 0 ||
        (rc = tb_web_str(b, "reply", &e->reply)) < 0 ||
        (rc = tb_web_list(b, "materials", mats, size)) < 0)
        return rc;
    if (e->note && !*e->note)
        e->note = NULL;
    e->materials = mats[0] ? mats : NULL;
    return 0;
}

int tb_web_rating(json_t *b, unsigned *ret)
{
    json_t *r = json_object_get(b, "rating");
    char num[8];
    const char *rating = json_string_value(r);
    if (json_is_integer(r)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(r));
        rating = num;
    }
    return rating && tb_rating_parse(rating, ret) == 0 ? 0 : -TB_EBADVALUE;
}

int tb_web_rating_indicators(json_t *b, unsigned ret[TB_RATING_INDICATORS], tb_msg_t *msg)
{
    char num[TB_RATING_INDICATORS][24];
    const char *typed[TB_RATING_INDICATORS];
    for (int i = 0; i < TB_RATING_INDICATORS; i++) {
        json_t *v = json_object_get(b, tb_rating_indicator_keys[i]);
        typed[i] = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num[i], sizeof num[i], "%lld", (long long)json_integer_value(v));
            typed[i] = num[i];
        } else if (v && !json_is_null(v) && !json_is_string(v)) {
            typed[i] = "?"; /* given, and no level */
        }
    }
    return tb_rating_indicators_parse(typed, ret, msg);
}

void tb_webnode_changed(tb_webnode_t *w, unsigned status, const char *case_id, tb_http_resp_t *resp)
{
    if (w->kick)
        w->kick(w->arg);
    tb_http_reply_json(resp, status, json_pack("{s:s}", "case_id", case_id));
}

int tb_web_case_action(const tb_http_req_t *req, tb_http_resp_t *resp,
                       char ret_id[TB_CASEID_MAX + 1], const char **ret_action)
{
    const char *p = tb_http_param(req), *slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) > TB_CASEID_MAX) {
        tb_http_reply_error(resp, 404, "not_found", "no such action");
        return -1;
    }
    memcpy(ret_id, p, (size_t)(slash - p));
    ret_id[slash - p] = '\0';
    if (!tb_caseid_valid(ret_id)) {
        tb_http_reply_error(resp, 404, "no_case", tb_strerror(-TB_ENOCASE));
        return -1;
    }
    *ret_action = slash + 1;
    return 0;
}

void tb_web_refuse(tb_http_resp_t *resp, int rc, const char *field, const char *message)
{
    if (rc == -TB_ENOCASE) {
        tb_http_reply_error(resp, 404, "no_case", tb_strerror(rc));
        return;
    }
    if (rc == -TB_ESTORE || rc == -ENOMEM || rc == -EIO) {
        tb_http_reply_error(resp, 500, "store", tb_strerror(rc));
        return;
    }
    tb_http_reply_json(resp, 400,
                       json_pack("{s:[{s:s,s:s}]}", "errors", "field", field, "message",
                                 message ? message : tb_strerror(rc)));
}

void tb_web_items(const tb_env_ctx_t *env, tb_http_resp_t *resp)
{
    json_t *j = tb_report_items_json(env->catalog, env->catalog_version, env->calendar_version);
    if (!j)
        tb_http_reply_error(resp, 500, "nomem", tb_strerror(-ENOMEM));
    else
        tb_http_reply_json(resp, 200, j);
}

int tb_web_store(tb_env_ctx_t *env, tb_store_t **ret)
{
    int rc = tb_store_open(tb_config_get(&env->cfg, TB_CFG_DATA_DIR), env->place, ret);
    if (rc == 0 && (rc = tb_data_use_stored(env, *ret)) < 0)
        tb_store_destroy(ret);
    if (rc == 0)
        tb_store_set_rules(*ret, env->catalog, env->calendar);
    return rc;
}

const tb_webuser_t *tb_webnode_user(tb_webnode_t *w, const tb_http_req_t *req, tb_http_resp_t *resp,
                                    bool change)
{
    const tb_webuser_t *u = tb_websess_require(w->sess, req, resp);
    if (u && change && !tb_nodeauth_can_change(u->role, w->env->place)) {
        tb_http_reply_error(resp, 403, "read_only",
                            TB_TR("本账号只能查看，不能办理", "this account may only read"));
        return NULL;
    }
    return u;
}

void tb_webnode_status(tb_webnode_t *w, const tb_webuser_t *u, const char *up_key, int64_t last_ms,
                       tb_http_resp_t *resp)
{
    char at[32] = "", up_name[32];
    if (last_ms > 0)
        tb_fmt_time(last_ms, at);
    snprintf(up_name, sizeof up_name, "%s_name", up_key);
    const char *me = tb_places_name(w->env->places, w->env->place);
    const char *up = tb_places_name(w->env->places, w->env->parent);
    const char *phone = tb_config_get(&w->env->cfg, TB_CFG_SERVICE_PHONE);
    tb_http_reply_json(
        resp, 200,
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:s,s:I,s:s}", "place", w->env->place, "place_name",
                  me ? me : "", up_key, w->env->parent, up_name, up ? up : "", "agent", u->name,
                  "link_up", w->link_up ? w->link_up(w->arg) : false, "backlog",
                  (json_int_t)(w->backlog ? w->backlog(w->arg) : 0), "last_status", at,
                  "last_status_ms", (json_int_t)last_ms, "phone", phone ? phone : ""));
}

void tb_webnode_login(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_webnode_t *w = ctx;
    tb_websess_login(w->sess, req, resp);
}

void tb_webnode_logout(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_webnode_t *w = ctx;
    tb_websess_logout(w->sess, req, resp);
}

void tb_webnode_me(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_webnode_t *w = ctx;
    tb_websess_me(w->sess, req, resp);
}

void tb_webnode_items(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_webnode_t *w = ctx;
    if (tb_webnode_user(w, req, resp, false))
        tb_web_items(w->env, resp);
}

int tb_webnode_start(uv_loop_t *loop, const char *addr, tb_webnode_t *w,
                     const tb_http_route_t *routes, size_t nroutes, const tb_http_asset_t *assets,
                     size_t nassets, tb_http_t **ret)
{
    int rc = tb_web_token(w->csrf);
    if (rc < 0)
        return rc;
    w->auth.data_dir = tb_config_get(&w->env->cfg, TB_CFG_DATA_DIR);
    w->auth.place = w->env->place;
    if ((rc = tb_websess_new(tb_nodeauth_verify, &w->auth, &w->sess)) < 0)
        return rc;
    rc = tb_http_new(loop, addr, routes, nroutes, assets, nassets, w, ret);
    if (rc < 0)
        tb_websess_free(&w->sess); /* no server: nothing will stop it */
    return rc;
}

void tb_webnode_stop(tb_webnode_t *w)
{
    tb_websess_free(&w->sess);
}

void tb_web_case_list(tb_env_ctx_t *env, const char *held, bool by_due, const tb_report_opts_t *o,
                      const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_weblist_query_t q;
    if (tb_weblist_parse(req, resp, &q) < 0)
        return;
    q.held = held;
    q.by_due = by_due;
    tb_store_t *s = NULL;
    json_t *page = NULL;
    int rc = tb_web_store(env, &s);
    if (rc == 0)
        rc = tb_weblist_page(s, &q, o, tb_now_ms(), &page);
    if (rc == 0)
        tb_report_name_people(s, page);
    tb_store_destroy(&s);
    if (rc < 0)
        tb_web_refuse(resp, rc, "form", NULL);
    else
        tb_http_reply_json(resp, 200, page);
}

/* The receipt's promise (tb_web_case_open). */
static json_t *receipt_json(const tb_env_ctx_t *env, const tb_case_t *cs, const tb_item_t *it,
                            int64_t now_ms)
{
    json_t *bring = json_array();
    bool accepted = cs->accepted_ms > 0, ends = cs->state == TB_ST_CLOSED ||
                                                cs->state == TB_ST_WITHDRAWN ||
                                                cs->state == TB_ST_REFUSED;
    bool asks = it && (it->kind == TB_KIND_IMMEDIATE || it->kind == TB_KIND_PROMISED) && !ends;
    uint32_t want = accepted ? cs->owed : UINT32_MAX;
    for (size_t k = 0; asks && k < it->nmaterials; k++)
        if ((want >> k & 1) && !(cs->have >> k & 1))
            json_array_append_new(bring, json_string(it->material[k]));
    char day[TB_DAY_BUFSZ] = "";
    int64_t due;
    int32_t d;
    if (asks && env->calendar &&
        tb_calendar_due(env->calendar, accepted ? cs->accepted_ms : now_ms, it->promised_days,
                        accepted ? cs->pauses : NULL, accepted ? cs->npauses : 0, &due) == 0 &&
        due != TB_DUE_NEVER && tb_day_from_ms(due, &d) == 0)
        (void)tb_day_format(d, day, sizeof day);
    return json_pack("{s:o,s:s,s:b}", "to_bring", bring, "promised", day, "estimated", !accepted);
}

int tb_web_case_open(tb_env_ctx_t *env, const tb_webuser_t *u, const tb_report_opts_t *o,
                     const tb_http_req_t *req, tb_http_resp_t *resp, json_t **ret,
                     tb_case_t *ret_fold)
{
    const char *id = tb_http_param(req);
    if (!tb_caseid_valid(id)) {
        tb_http_reply_error(resp, 404, "no_case", tb_strerror(-TB_ENOCASE));
        return -1;
    }
    char place[TB_CODE_LEN + 1];
    snprintf(place, sizeof place, "%.12s", id);
    if (!tb_websess_scope(u, place, resp))
        return -1;
    tb_store_t *s = NULL;
    json_t *c = NULL;
    tb_case_t cs;
    char origin[TB_CODE_LEN + 1];
    int rc = tb_web_store(env, &s);
    /* A view of the case's personal data is audited before it is shown. */
    if (rc == 0)
        rc = tb_audit_add(s, u->login, "view", id, NULL);
    if (rc == 0)
        rc = tb_report_case_json(s, id, o, &c);
    if (rc == 0) {
        tb_report_name_people(s, c);
        rc = tb_store_case_get(s, id, &cs, origin);
    }
    tb_store_destroy(&s);
    if (rc < 0) {
        json_decref(c);
        tb_web_refuse(resp, rc, "form", NULL);
        return -1;
    }
    const tb_item_t *it = tb_catalog_find(env->catalog, cs.item);
    json_t *mats = json_array();
    for (size_t k = 0; it && k < it->nmaterials; k++)
        json_array_append_new(mats, json_pack("{s:s,s:b,s:b}", "name", it->material[k], "core",
                                              it->core[k], "have", (cs.have >> k) & 1));
    json_object_set_new(c, "material_list", mats);
    json_object_set_new(c, "item_level",
                        json_string(it && it->level == TB_LEVEL_COUNTY     ? "county"
                                    : it && it->level == TB_LEVEL_TOWNSHIP ? "township"
                                    : it                                   ? "village"
                                                                           : ""));
    json_object_set_new(c, "receipt", receipt_json(env, &cs, it, tb_now_ms()));
    *ret = c;
    if (ret_fold)
        *ret_fold = cs;
    return 0;
}
