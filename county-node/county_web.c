/* county_web: the supervisors' dashboard (county_web.h says what and why a thread). */
#include "county_web.h"
#include "county_board.h"

#include "county.h"
#include "county_accounts.h"
#include "county_complaint.h"
#include "county_stats.h"

#include "tb_calendar.h"
#include "tb_catalog.h"
#include "tb_caseid.h"
#include "tb_error.h"
#include "tb_http.h"
#include "tb_i18n.h"
#include "tb_log.h" /* tb_now_ms */
#include "tb_place.h"
#include "tb_webapi.h"
#include "tb_websession.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

extern const tb_http_asset_t county_assets[];
extern const size_t county_assets_count;

#define DATA_REFRESH_MS 10000 /* the catalog and calendar in force */

struct county_web {
    const tb_env_ctx_t *main_env; /* the daemon's: config and places (read only) */
    tb_env_ctx_t env;             /* ours: places borrowed, our own catalog and calendar */
    char *conninfo;
    PGconn *pg;
    int64_t data_at; /* when the catalog and calendar were last re-read */
    uv_loop_t loop;
    uv_async_t stop;
    uv_thread_t thread;
    tb_http_t *http;
    tb_websess_t *sessions; /* tb_websession: cookies, CSRF, idle and absolute expiry */
};

/* ---- the store ------------------------------------------------------------------------- */

/* Our connection, made again if it was lost; NULL (and a 503 answered) when
 * PostgreSQL cannot be reached. */
PGconn *county_web_db(county_web_t *w, tb_http_resp_t *resp)
{
    if (w->pg && PQstatus(w->pg) != CONNECTION_OK) {
        PQfinish(w->pg);
        w->pg = NULL;
    }
    if (!w->pg) {
        w->pg = PQconnectdb(w->conninfo);
        if (PQstatus(w->pg) != CONNECTION_OK) {
            PQfinish(w->pg);
            w->pg = NULL;
            tb_http_reply_error(
                resp, 503, "store",
                TB_TR("无法连接县级数据库", "the county's database cannot be reached"));
            return NULL;
        }
        w->data_at = 0;
    }
    int64_t now = tb_now_ms();
    if (now - w->data_at > DATA_REFRESH_MS && county_data_current(w->pg, &w->env) == 0)
        w->data_at = now;
    return w->pg;
}

void county_web_failed(county_web_t *w, tb_http_resp_t *resp)
{
    tb_http_reply_error(resp, 500, "store",
                        TB_TR("查询失败，请重试", "the query failed; try again"));
    if (w->pg && PQstatus(w->pg) != CONNECTION_OK) {
        PQfinish(w->pg);
        w->pg = NULL;
    }
}

const tb_env_ctx_t *county_web_env(const county_web_t *w)
{
    return &w->env;
}

/* ---- sessions (common/tb_websession) ------------------------------------------------------ */

/* tb_websession's check of a login: the county's accounts (county_accounts.c:
 * Argon2id, the stored rate limit and lock).  Runs on this thread with our
 * connection. */
static int verify(void *ctx, const char *login, const char *password, tb_webuser_t *ret)
{
    county_web_t *w = ctx;
    if (w->pg && PQstatus(w->pg) != CONNECTION_OK) {
        PQfinish(w->pg);
        w->pg = NULL;
    }
    if (!w->pg && PQstatus(w->pg = PQconnectdb(w->conninfo)) != CONNECTION_OK) {
        PQfinish(w->pg);
        w->pg = NULL;
        return -TB_ESTORE;
    }
    county_user_t a;
    int rc = county_account_signin(w->pg, login, password, &a);
    if (rc == -COUNTY_ELOCKED)
        return -TB_ELOCKED;
    if (rc == -COUNTY_EBADPW || rc == -COUNTY_EDISABLED || rc == -COUNTY_ENOACCOUNT)
        return -TB_EAUTH;
    if (rc < 0)
        return -TB_ESTORE;
    tb_webuser_t u = {0};
    snprintf(u.login, sizeof u.login, "%s", a.login);
    snprintf(u.name, sizeof u.name, "%s", a.name);
    snprintf(u.role, sizeof u.role, "%s", a.role);
    snprintf(u.scope, sizeof u.scope, "%s", a.scope);
    *ret = u;
    return 0;
}

/* The signed-in person, if the dashboard is theirs: NULL after answering 401
 * (not signed in), 403 (a change without the CSRF token, or a township's or
 * village's account: theirs are that node's screens). */
const tb_webuser_t *county_web_who(county_web_t *w, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    const tb_webuser_t *u = tb_websess_require(w->sessions, req, resp);
    if (!u)
        return NULL;
    county_role_t role;
    if (county_role_parse(u->role, &role) < 0 ||
        (role != COUNTY_ROLE_SUPERVISOR && role != COUNTY_ROLE_BACKOFFICE &&
         role != COUNTY_ROLE_AUDITOR)) {
        tb_http_reply_error(
            resp, 403, "role",
            TB_TR("本账号属于乡镇或村，请在该节点的页面办理",
                  "this account works at a township or village: use that node's screens"));
        return NULL;
    }
    return u;
}

/* ---- scope ----------------------------------------------------------------------------- */

/* The place a request asks about (?scope=, else the account's): NULL after
 * answering 400 (malformed, unknown) or 403 (outside the account's scope). */
const char *county_web_scope(county_web_t *w, const tb_webuser_t *s, const tb_http_req_t *req,
                             tb_http_resp_t *resp)
{
    const char *sc = tb_http_query(req, "scope");
    if (!sc || !*sc)
        return s->scope;
    if (!tb_code_valid(sc) || strncmp(sc, w->env.place, 6) != 0 ||
        tb_places_check(w->env.places, sc) < 0) {
        tb_http_reply_error(
            resp, 400, "scope",
            TB_TR("所选地点不是本县的地点", "scope is not a known place of this county"));
        return NULL;
    }
    if (!tb_web_in_scope(s->scope, sc)) {
        tb_http_reply_error(
            resp, 403, "scope",
            TB_TR("该地点超出本账号的辖区", "that place is outside your account's scope"));
        return NULL;
    }
    return sc;
}

/* The statistics query of a request: NULL after answering 400/403. */
static bool stats_query(county_web_t *w, const tb_webuser_t *s, const tb_http_req_t *req,
                        tb_http_resp_t *resp, county_stats_query_t *ret)
{
    const char *sc = county_web_scope(w, s, req, resp);
    if (!sc)
        return false;
    const char *msg = NULL;
    if (county_stats_parse(&w->env, tb_http_query(req, "from"), tb_http_query(req, "to"),
                           tb_http_query(req, "by"), tb_http_query(req, "period"), sc, ret,
                           &msg) < 0) {
        tb_http_reply_error(resp, 400, "query", msg);
        return false;
    }
    return true;
}

/* ---- handlers -------------------------------------------------------------------------- */

static void on_login(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    tb_websess_login(w->sessions, req, resp);
}

static void on_me(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    tb_websess_me(w->sessions, req, resp);
}

/* Signing out is a change: it carries the CSRF token like any other. */
static void on_logout(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    if (tb_websess_require(w->sessions, req, resp))
        tb_websess_logout(w->sessions, req, resp);
}

/* Who is signed in, for the page's header: labels and the place's name. */
static void on_session(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    if (!s)
        return;
    county_role_t role = COUNTY_ROLE_NONE;
    county_role_parse(s->role, &role);
    const char *sn = tb_places_name(w->env.places, s->scope);
    tb_http_reply_json(resp, 200,
                       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "login", s->login, "name",
                                 s->name, "role", s->role, "role_label", county_role_label(role),
                                 "scope", s->scope, "scope_name", sn ? sn : "", "county",
                                 w->env.place));
}

static void on_stats(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    county_stats_query_t q;
    if (!s || !stats_query(w, s, req, resp, &q))
        return;
    const char *format = tb_http_query(req, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "json")) {
        tb_http_reply_error(resp, 400, "format",
                            TB_TR("导出格式须为 csv 或 json", "format must be csv or json"));
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    json_t *st;
    if (!pg)
        return;
    if (county_stats_run(pg, &w->env, &q, &st) < 0) {
        county_web_failed(w, resp);
        return;
    }
    if (!format || !strcmp(format, "json")) {
        tb_http_reply_json(resp, 200, st);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = f ? county_stats_csv(st, true, f) : -ENOMEM;
    if (f && fclose(f) != 0)
        rc = -EIO;
    if (rc == 0) {
        char disp[128];
        snprintf(disp, sizeof disp, "attachment; filename=\"tongban-%s-%s-%s.csv\"",
                 json_string_value(json_object_get(st, "scope")),
                 json_string_value(json_object_get(st, "from")),
                 json_string_value(json_object_get(st, "to")));
        tb_http_reply_header(resp, "Content-Disposition", disp);
        tb_http_reply_bytes(resp, 200, "text/csv; charset=utf-8", buf, len);
    } else {
        tb_http_reply_error(resp, 500, "csv", TB_TR("无法生成 CSV", "cannot write the CSV"));
    }
    free(buf);
    json_decref(st);
}

static void on_cases(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    county_stats_query_t q;
    if (!s || !stats_query(w, s, req, resp, &q))
        return;
    const char *measure = tb_http_query(req, "measure");
    const char *unit = tb_http_query(req, "unit"), *at = tb_http_query(req, "at");
    if (!measure)
        measure = "all";
    if ((unit && strlen(unit) > 64) || (at && strlen(at) > 10)) {
        tb_http_reply_error(resp, 400, "query",
                            TB_TR("单位（unit）或期间（at）过长", "unit or at is too long"));
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    json_t *list;
    int rc = county_stats_list(pg, &w->env, &q, measure, unit, at, &list);
    if (rc == -EINVAL)
        tb_http_reply_error(
            resp, 400, "measure",
            TB_TR("所选统计项（measure）不能列出办件", "measure is not one of the counts"));
    else if (rc < 0)
        county_web_failed(w, resp);
    else
        tb_http_reply_json(resp, 200, list);
}

static void on_case(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    if (!s)
        return;
    const char *id = tb_http_param(req);
    if (tb_cli_case_check(id, NULL) < 0) {
        tb_http_reply_error(resp, 400, "case", TB_TR("不是办件编号", "not a case id"));
        return;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    const char *p[1] = {id};
    PGresult *r =
        PQexecParams(pg,
                     "SELECT origin, item_code, state, holder, agent,"
                     " to_char(accept_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
                     " coalesce(to_char(coalesce(due_at, stat_due_at) AT TIME ZONE 'Asia/Shanghai',"
                     " 'YYYY-MM-DD HH24:MI'), ''), paused, rating FROM cases WHERE case_id = $1",
                     1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        county_web_failed(w, resp);
        return;
    }
    if (PQntuples(r) == 0 || !tb_web_in_scope(s->scope, PQgetvalue(r, 0, 0))) {
        /* Outside the scope reads as unknown: no hint that the case exists. */
        PQclear(r);
        tb_http_reply_error(resp, 404, "case",
                            TB_TR("本账号辖区内没有该办件", "no such case in your scope"));
        return;
    }
    const tb_item_t *it = tb_catalog_find(w->env.catalog, PQgetvalue(r, 0, 1));
    const char *on = tb_places_name(w->env.places, PQgetvalue(r, 0, 0));
    const char *hn = tb_places_name(w->env.places, PQgetvalue(r, 0, 3));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i}", "case_id", id,
                  "origin", PQgetvalue(r, 0, 0), "origin_name", on ? on : "", "item_code",
                  PQgetvalue(r, 0, 1), "item_name", it ? it->name : PQgetvalue(r, 0, 1), "state",
                  PQgetvalue(r, 0, 2), "holder", PQgetvalue(r, 0, 3), "holder_name", hn ? hn : "",
                  "accept_time", PQgetvalue(r, 0, 5), "due", PQgetvalue(r, 0, 6), "paused",
                  PQgetvalue(r, 0, 7)[0] == 't', "rating", atoi(PQgetvalue(r, 0, 8)));
    PQclear(r);
    /* The view is recorded before anything is shown: no record, no view. */
    json_t *hist = NULL;
    int rc = o ? county_audit_view(pg, s->login, id, "dashboard") : -ENOMEM;
    if (rc == 0 && (rc = county_case_json(pg, &w->env, id, &hist)) == -TB_ENOCASE)
        rc = (hist = json_array()) ? 0 : -ENOMEM; /* a projection row without events */
    if (rc < 0) {
        json_decref(o);
        county_web_failed(w, resp);
        return;
    }
    json_object_set_new(o, "history", hist);
    tb_http_reply_json(resp, 200, o);
}

static void on_bulletin(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    if (!s)
        return;
    if (strcmp(s->scope, w->env.place)) {
        tb_http_reply_error(resp, 403, "scope",
                            TB_TR("月度通报是全县的，须由全县范围的账号查看",
                                  "the monthly bulletin is the whole county's"));
        return;
    }
    char cur[TB_DAY_BUFSZ] = "";
    const char *month = tb_http_query(req, "month");
    int32_t today;
    if (!month && tb_day_from_ms(tb_now_ms(), &today) == 0 &&
        tb_day_format(today, cur, sizeof cur) == 0) {
        cur[7] = 0;
        month = cur;
    }
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    json_t *b;
    const char *msg = NULL;
    int rc = county_stats_bulletin(pg, &w->env, month, tb_now_ms(), &b, &msg);
    if (rc == -EINVAL)
        tb_http_reply_error(resp, 400, "month", msg);
    else if (rc < 0)
        county_web_failed(w, resp);
    else
        tb_http_reply_json(resp, 200, b);
}

/* The complaints board (issue 11): county_complaints_api in the asked scope. */
static void on_complaints(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    const char *sc = s ? county_web_scope(w, s, req, resp) : NULL;
    PGconn *pg = sc ? county_web_db(w, resp) : NULL;
    if (!pg)
        return;
    json_t *o;
    const char *msg = NULL;
    int rc = county_complaints_api(pg, &w->env, sc, tb_http_query(req, "township"),
                                   tb_http_query(req, "state"), &o, &msg);
    if (rc == -EINVAL)
        tb_http_reply_error(resp, 400, "query", msg);
    else if (rc < 0)
        county_web_failed(w, resp);
    else
        tb_http_reply_json(resp, 200, o);
}

/* The overview: today, this week, this month by unit, the 30 days' trend, open and overdue
 * now, the cards open now (county_stats_overview). */
static void on_overview(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    county_web_t *w = ctx;
    const tb_webuser_t *s = county_web_who(w, req, resp);
    const char *sc = s ? county_web_scope(w, s, req, resp) : NULL;
    if (!sc)
        return;
    PGconn *pg = county_web_db(w, resp);
    if (!pg)
        return;
    json_t *o;
    int rc = county_stats_overview(pg, &w->env, sc, tb_now_ms(), &o);
    if (rc == -ERANGE)
        tb_http_reply_error(resp, 500, "clock",
                            TB_TR("系统时钟超出范围", "the clock is out of range"));
    else if (rc < 0)
        county_web_failed(w, resp);
    else
        tb_http_reply_json(resp, 200, o);
}

static const tb_http_route_t routes[] = {
    {"POST", "/api/login", on_login, true},
    {"POST", "/api/logout", on_logout, false},
    {"GET", "/api/me", on_me, false},
    {"GET", "/api/session", on_session, false},
    {"GET", "/api/overview", on_overview, false},
    {"GET", "/api/stats", on_stats, false},
    {"GET", "/api/cases", on_cases, false},
    {"GET", "/api/case/*", on_case, false},
    {"GET", "/api/bulletin", on_bulletin, false},
    {"GET", "/api/board", county_board_on_board, false},     /* county_board.c */
    {"GET", "/api/ratings", county_board_on_ratings, false}, /* county_board.c */
    {"POST", "/api/ratings/*", county_board_on_step, true},  /* county_board.c */
    {"GET", "/api/complaints", on_complaints, false},
};

/* ---- the thread ------------------------------------------------------------------------ */

static void on_stop(uv_async_t *a)
{
    county_web_t *w = a->data;
    tb_http_close(&w->http);
    uv_close((uv_handle_t *)&w->stop, NULL);
}

static void run_thread(void *arg)
{
    county_web_t *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
}

static void web_free(county_web_t *w)
{
    tb_websess_free(&w->sessions);
    PQfinish(w->pg);
    tb_catalog_destroy(&w->env.catalog);
    tb_calendar_destroy(&w->env.calendar);
    free(w->conninfo);
    free(w);
}

int county_web_start(const tb_env_ctx_t *env, const char *conninfo, const char *addr,
                     county_web_t **ret)
{
    county_web_t *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->main_env = env;
    w->env.places = env->places;
    w->env.place = env->place;
    w->env.catalog = tb_catalog_new();
    w->env.calendar = tb_calendar_new();
    w->conninfo = strdup(conninfo);
    if (!w->env.catalog || !w->env.calendar || !w->conninfo ||
        tb_websess_new(verify, w, &w->sessions) < 0) {
        web_free(w);
        return -ENOMEM;
    }
    /* What the daemon started with (the shipped files, or the newest
     * imported: county_data_current re-reads those at the first request). */
    char path[4200];
    const char *share = tb_config_get(&env->cfg, TB_CFG_SHARE_DIR);
    int rc, line;
    snprintf(path, sizeof path, "%s/catalog.csv", share);
    if ((rc = tb_catalog_load(w->env.catalog, path, &line)) == 0) {
        snprintf(path, sizeof path, "%s/holidays-cn-2026.csv", share);
        rc = tb_calendar_load_csv(w->env.calendar, path, &line);
    }
    if (rc < 0 || (rc = uv_loop_init(&w->loop)) < 0) {
        web_free(w);
        return rc;
    }
    rc = tb_http_new(&w->loop, addr, routes, sizeof routes / sizeof routes[0], county_assets,
                     county_assets_count, w, &w->http);
    if (rc == 0 && (rc = uv_async_init(&w->loop, &w->stop, on_stop)) < 0)
        tb_http_close(&w->http);
    if (rc == 0) {
        w->stop.data = w;
        if ((rc = uv_thread_create(&w->thread, run_thread, w)) < 0) {
            tb_http_close(&w->http);
            uv_close((uv_handle_t *)&w->stop, NULL);
        }
    }
    if (rc < 0) {
        uv_run(&w->loop, UV_RUN_DEFAULT); /* the close callbacks */
        uv_loop_close(&w->loop);
        web_free(w);
        return rc;
    }
    *ret = w;
    return 0;
}

void county_web_stop(county_web_t **self_p)
{
    county_web_t *w = self_p ? *self_p : NULL;
    if (!w)
        return;
    uv_async_send(&w->stop);
    uv_thread_join(&w->thread);
    uv_loop_close(&w->loop);
    web_free(w);
    *self_p = NULL;
}
