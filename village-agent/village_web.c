/* village_web: the village agent's screens (village_web.h says what and why). */
#include "village_web.h"

#include "rating_cli.h"
#include "tb_complaint.h"
#include "tb_complaint_web.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_labels.h"
#include "tb_log.h"
#include "tb_report.h"
#include "tb_webapi.h"
#include "tb_weblist.h"
#include "village.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tb_http_asset_t village_assets[];
extern const size_t village_assets_count;

/* ---- helpers ----------------------------------------------------------------------------- */

static tb_report_opts_t report_opts(village_web_t *w)
{
    tb_report_opts_t o = {w->env->places, w->env->catalog, true, false, w->env->calendar};
    return o;
}

/* The field a refusal is about, for the form to show it next to the field. */
static const char *field_of(int rc)
{
    switch (-rc) {
    case TB_EBADNAME:
        return "client";
    case TB_EBADPHONE:
        return "phone";
    case TB_EUNKNOWN_ITEM:
        return "item";
    case TB_EMATERIAL:
    case TB_ECORE:
    case TB_ENOMATERIAL:
    case TB_EOWED:
        return "materials";
    case TB_ENOREASON:
        return "reply";
    case TB_EBADVALUE:
        return "rating";
    default:
        return "form";
    }
}

static void refuse(tb_http_resp_t *resp, int rc)
{
    tb_web_refuse(resp, rc, field_of(rc), NULL);
}

static const tb_webuser_t *signed_in(village_web_t *w, const tb_http_req_t *req,
                                     tb_http_resp_t *resp, bool change)
{
    return tb_webnode_user(w, req, resp, change);
}

/* ---- handlers ---------------------------------------------------------------------------- */

static void on_status(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, false);
    if (!u)
        return;
    tb_store_t *s = NULL;
    int64_t last = 0;
    if (tb_web_store(w->env, &s) == 0) {
        if (tb_store_heard(s, NULL, &last) < 0) /* our township is our only peer */
            last = 0;
        tb_store_destroy(&s);
    }
    tb_webnode_status(w, u, "township", last, resp);
}

/* The ledger: every case of this store, newest first, a page at a time (tb_weblist.h). */
static void on_cases(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    if (!signed_in(w, req, resp, false))
        return;
    tb_report_opts_t o = report_opts(w);
    tb_web_case_list(w->env, NULL, false, &o, req, resp);
}

static void log_case(village_web_t *w, const tb_webuser_t *u, const tb_http_req_t *req,
                     tb_http_resp_t *resp)
{
    char mats[2048];
    village_entry_t e = {0};
    int rc = tb_web_entry(tb_http_json_body(req), &e, mats, sizeof mats);
    if (rc < 0) {
        refuse(resp, rc);
        return;
    }
    e.materials = mats; /* "" is none, as on the command line */
    e.agent = u->login; /* the signed-in person, not a free-text agent */
    tb_store_t *s = NULL;
    char id[TB_CASEID_MAX];
    if ((rc = tb_web_store(w->env, &s)) < 0 || (rc = village_log(w->env, s, &e, id)) < 0) {
        tb_store_destroy(&s);
        refuse(resp, rc);
        return;
    }
    tb_store_destroy(&s);
    tb_webnode_changed(w, 201, id, resp);
}

static const struct {
    const char *name;
    tb_event_type_t type;
} actions[] = {
    {"supplement", TB_EV_SUPPLEMENTED},
    {"deliver", TB_EV_DELIVERED},
    {"rate", TB_EV_RATED},
    {"followup", TB_EV_RATING_FOLLOWUP}, /* 追评: {rating, comment, indicators} as rate */
    {"withdraw", TB_EV_WITHDRAWN},
    {"note", TB_EV_NOTE},
    {"complain", TB_EV_COMPLAINED}, /* 投诉 for a resident: {kind, text} (issue 11) */
};

/* A complaint filed from the screen: the checks and the words of `complain`. */
static void complain(village_web_t *w, tb_act_t *a, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    const char *why, *field;
    int rc = tb_web_complaint(tb_http_json_body(req), a, &why, &field);
    if (rc < 0) {
        tb_web_refuse(resp, rc, field, why);
        return;
    }
    tb_store_t *s = NULL;
    if ((rc = tb_web_store(w->env, &s)) < 0) {
        refuse(resp, rc);
        return;
    }
    if ((rc = village_act(w->env, s, a)) < 0) {
        tb_web_refuse_step(resp, rc, rc == -TB_EILLEGAL || rc == -TB_ENOCASE ? "form" : "text", s,
                           w->env->catalog, a->type, a->case_id);
        tb_store_destroy(&s);
        return;
    }
    tb_store_destroy(&s);
    tb_webnode_changed(w, 200, a->case_id, resp);
}

static void act(village_web_t *w, const tb_webuser_t *u, const char *id, const char *name,
                const tb_http_req_t *req, tb_http_resp_t *resp)
{
    size_t k;
    for (k = 0; k < sizeof actions / sizeof actions[0]; k++)
        if (!strcmp(actions[k].name, name))
            break;
    if (k == sizeof actions / sizeof actions[0]) {
        tb_http_reply_error(resp, 404, "not_found", "no such action");
        return;
    }
    json_t *b = tb_http_json_body(req);
    char mats[2048];
    tb_act_t a = {.type = actions[k].type, .case_id = id, .actor = u->login};
    if (a.type == TB_EV_COMPLAINED) {
        complain(w, &a, req, resp);
        return;
    }
    int rc;
    if ((rc = tb_web_str(b, "reason", &a.reason)) < 0 ||
        (rc = tb_web_str(b, "comment", &a.comment)) < 0 ||
        (rc = tb_web_list(b, "materials", mats, sizeof mats)) < 0) {
        refuse(resp, rc);
        return;
    }
    a.materials = mats[0] ? mats : NULL;
    if (tb_rating_step(a.type) && tb_web_rating(b, &a.rating) < 0) {
        tb_web_refuse(resp, -TB_EBADVALUE, "rating", TB_WEB_NO_LEVEL);
        return;
    }
    tb_msg_t m;
    tb_msg_clear(&m);
    if (tb_rating_step(a.type) && tb_web_rating_indicators(b, a.indicators, &m) < 0) {
        tb_web_refuse(resp, -TB_EBADVALUE, "indicators", m.text);
        return;
    }
    tb_store_t *s = NULL;
    if ((rc = tb_web_store(w->env, &s)) < 0 || (rc = village_act(w->env, s, &a)) < 0) {
        tb_store_destroy(&s);
        refuse(resp, rc);
        return;
    }
    tb_store_destroy(&s);
    tb_webnode_changed(w, 200, id, resp);
}

static void on_case_get(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, false);
    tb_report_opts_t o = report_opts(w);
    json_t *c;
    if (u && tb_web_case_open(w->env, u, &o, req, resp, &c, NULL) == 0)
        tb_http_reply_json(resp, 200, c);
}

static void on_case_post(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, true);
    if (!u)
        return;
    char id[TB_CASEID_MAX + 1];
    const char *action;
    if (tb_web_case_action(req, resp, id, &action) == 0)
        act(w, u, id, action, req, resp);
}

static void on_log(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, true);
    if (u)
        log_case(w, u, req, resp);
}

static void on_ledger(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    village_web_t *w = ctx;
    if (!signed_in(w, req, resp, false))
        return;
    const char *m = tb_http_query(req, "month");
    int y, mo;
    char tail;
    if (!m || !*m) { /* this month, in China Standard Time like every date we show */
        int ymd = tb_cst_yyyymmdd(tb_now_ms());
        y = ymd / 10000;
        mo = ymd / 100 % 100;
    } else if (sscanf(m, "%4d-%2d%c", &y, &mo, &tail) != 2 || y < 2000 || y > 2099 || mo < 1 ||
               mo > 12) {
        tb_http_reply_error(resp, 400, "month",
                            TB_TR("月份格式为 YYYY-MM", "month must be YYYY-MM"));
        return;
    }
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%04d-%02d", y, mo);
    int32_t first, next;
    (void)tb_day_from_ymd(y, mo, 1, &first); /* y and mo checked above */
    (void)tb_day_from_ymd(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1, &next);
    /* The month's cases in SQL, oldest first, all on one printable page. */
    tb_store_t *s = NULL;
    json_t *rows = NULL;
    tb_report_opts_t o = report_opts(w);
    int rc = tb_web_store(w->env, &s);
    if (rc == 0)
        rc = tb_weblist_month(s, tb_day_start_ms(first), tb_day_start_ms(next), &o, &rows);
    if (rc == 0)
        tb_report_name_people(s, rows);
    tb_store_destroy(&s);
    if (rc < 0) {
        refuse(resp, rc);
        return;
    }
    const char *me = tb_places_name(w->env->places, w->env->place);
    tb_http_reply_json(
        resp, 200,
        json_pack("{s:s,s:s,s:o}", "month", prefix, "place_name", me ? me : "", "rows", rows));
}

static const tb_http_route_t routes[] = {
    TB_WEBNODE_ROUTES,
    {"GET", "/api/status", on_status, false},
    {"GET", "/api/cases", on_cases, false},
    {"POST", "/api/cases", on_log, true},
    {"GET", "/api/cases/*", on_case_get, false},
    {"POST", "/api/cases/*", on_case_post, true},
    {"GET", "/api/ledger", on_ledger, false},
};

int village_web_start(uv_loop_t *loop, const char *addr, village_web_t *w, tb_http_t **ret)
{
    return tb_webnode_start(loop, addr, w, routes, sizeof routes / sizeof routes[0], village_assets,
                            village_assets_count, ret);
}

void village_web_stop(village_web_t *w)
{
    tb_webnode_stop(w);
}
