/* township_web: the township window's screens (township_web.h says what and why). */
#include "township_web.h"

#include "rating_cli.h"
#include "tb_complaint.h"
#include "tb_complaint_web.h"
#include "tb_data.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_labels.h"
#include "tb_log.h"
#include "tb_report.h"
#include "tb_webapi.h"
#include "tb_weblist.h"
#include "township.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tb_http_asset_t township_assets[];
extern const size_t township_assets_count;

/* ---- helpers ----------------------------------------------------------------------------- */

static tb_report_opts_t report_opts(township_web_t *w)
{
    tb_report_opts_t o = {w->env->places, w->env->catalog, true, true, w->env->calendar};
    return o;
}

/* The field a refusal is about, for the form to show it next to the field. */
static const char *field_of(int rc, tb_event_type_t type)
{
    if (tb_complaint_event(type)) /* 投诉: its text, or the form (out of turn) */
        return rc == -TB_EBADVALUE || rc == -TB_ENOREASON || rc == -TB_ETOOLONG || rc == -TB_EDECODE
                   ? "text"
                   : "form";
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
        return type == TB_EV_NOTICE ? "missing" : type == TB_EV_PLEDGED ? "pledge" : "materials";
    case TB_ENOREASON:
        return type == TB_EV_NONE ? "reply" : type == TB_EV_SUSPENDED ? "basis" : "reason";
    case TB_EBADVALUE:
        return tb_rating_step(type)      ? "rating"
               : type == TB_EV_SUSPENDED ? "basis"
               : type == TB_EV_PLEDGED   ? "due"
                                         : "decision";
    default:
        return "form";
    }
}

static void refuse_msg(tb_http_resp_t *resp, int rc, tb_event_type_t type, const char *message)
{
    tb_web_refuse(resp, rc, field_of(rc, type), message);
}

/* While our own store is restored from the county, no step and no
 * registration: our event ids wait for its high-water mark.  True: refused. */
static bool restoring(township_web_t *w, tb_store_t *s, tb_http_resp_t *resp)
{
    township_t t = {w->env, s};
    if (!township_restoring(&t))
        return false;
    tb_web_refuse(resp, -EBUSY, NULL, township_restoring_why());
    return true;
}

/* When origin's messages last reached us (0: never, or the store failed). */
static int64_t last_from(tb_store_t *s, const char *origin)
{
    int64_t last = 0;
    return tb_store_heard(s, origin, &last) == 0 ? last : 0;
}

/* ---- handlers ---------------------------------------------------------------------------- */

static const tb_webuser_t *signed_in(township_web_t *w, const tb_http_req_t *req,
                                     tb_http_resp_t *resp, bool change)
{
    return tb_webnode_user(w, req, resp, change);
}

static void on_status(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, false);
    if (!u)
        return;
    tb_store_t *s = NULL;
    int64_t last = 0;
    if (tb_web_store(w->env, &s) == 0) {
        last = last_from(s, w->env->parent); /* the county's status and steps */
        tb_store_destroy(&s);
    }
    tb_webnode_status(w, u, "county", last, resp);
}

/* The inbox: what this township holds or is being handed, sooner deadline
 * first, a page at a time (tb_weblist.h). */
static void on_inbox(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    if (!signed_in(w, req, resp, false))
        return;
    tb_report_opts_t o = report_opts(w);
    tb_web_case_list(w->env, w->env->place, true, &o, req, resp);
}

/* The villages: each one's open, overdue and due-soon counts (one GROUP BY),
 * its cursor and when it was last heard from. */
static void on_villages(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    if (!signed_in(w, req, resp, false))
        return;
    tb_store_t *s = NULL;
    json_t *counts = NULL;
    int rc = tb_web_store(w->env, &s);
    if (rc == 0)
        rc = tb_weblist_counts(s, w->env->calendar, tb_now_ms(), &counts);
    if (rc < 0) {
        tb_store_destroy(&s);
        refuse_msg(resp, rc, TB_EV_NONE, NULL);
        return;
    }
    json_t *out = json_array();
    const char *v;
    for (size_t i = 0; (v = tb_places_child(w->env->places, w->env->place, i)); i++) {
        json_t *n = json_object_get(counts, v);
        uint64_t cursor = 0;
        (void)tb_store_cursor_get(s, v, &cursor);
        int64_t last = last_from(s, v);
        char at[32] = "";
        if (last > 0)
            tb_fmt_time(last, at);
        const char *name = tb_places_name(w->env->places, v);
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "place", v, "name",
                                        name ? name : "", "last_heard", at, "last_heard_ms",
                                        (json_int_t)last, "cursor", (json_int_t)cursor, "open",
                                        json_integer_value(json_array_get(n, 0)), "overdue",
                                        json_integer_value(json_array_get(n, 1)), "due_soon",
                                        json_integer_value(json_array_get(n, 2))));
    }
    json_decref(counts);
    tb_store_destroy(&s);
    tb_http_reply_json(resp, 200, json_pack("{s:o}", "villages", out));
}

static void register_case(township_web_t *w, const tb_webuser_t *u, const tb_http_req_t *req,
                          tb_http_resp_t *resp)
{
    char mats[2048];
    tb_entry_t e = {0};
    int rc = tb_web_entry(tb_http_json_body(req), &e, mats, sizeof mats);
    if (rc < 0) {
        refuse_msg(resp, rc, TB_EV_NONE, NULL);
        return;
    }
    e.agent = u->login; /* the signed-in person, not a free-text agent */
    char why[400];
    if ((rc = tb_edge_explain_entry(w->env, &e, why, sizeof why)) < 0) {
        refuse_msg(resp, rc, TB_EV_NONE, why[0] ? why : NULL);
        return;
    }
    tb_store_t *s = NULL;
    char id[TB_CASEID_MAX];
    if ((rc = tb_web_store(w->env, &s)) == 0 && restoring(w, s, resp)) {
        tb_store_destroy(&s);
        return;
    }
    if (rc < 0 || (rc = tb_edge_log(w->env, s, &e, id)) < 0) {
        tb_store_destroy(&s);
        refuse_msg(resp, rc, TB_EV_NONE,
                   rc == -TB_ENOREASON ? TB_TR("咨询和帮扶必须登记答复（--reply）",
                                               "a consultation or help request needs its reply "
                                               "(--reply)")
                                       : NULL);
        return;
    }
    tb_store_destroy(&s);
    tb_webnode_changed(w, 201, id, resp);
}

static const struct {
    const char *name;
    tb_event_type_t type;
} actions[] = {
    /* clang-format off */
    {"notice", TB_EV_NOTICE},      {"supplement", TB_EV_SUPPLEMENTED},
    {"accept", TB_EV_ACCEPTED},    {"pledge", TB_EV_PLEDGED},
    {"refuse", TB_EV_REFUSED},     {"decide", TB_EV_DECIDED},
    {"forward", TB_EV_FORWARDED},  {"suspend", TB_EV_SUSPENDED},
    {"resume", TB_EV_RESUMED},     {"result", TB_EV_RESULT},
    {"deliver", TB_EV_DELIVERED},  {"rate", TB_EV_RATED},
    {"withdraw", TB_EV_WITHDRAWN}, {"note", TB_EV_NOTE},
    {"followup", TB_EV_RATING_FOLLOWUP}, /* 追评: {rating, comment, indicators} as rate */
    {"reply", TB_EV_SUPERVISION_REPLY}, /* issue 11, 督办反馈: reason holds the text */
    {"complain", TB_EV_COMPLAINED},     /* 投诉 at the window: {kind, text} */
    {"complaint-reply", TB_EV_COMPLAINT_REPLIED}, /* 反馈 a complaint assigned here: {text} */
    /* clang-format on */
};
#define NACTIONS (sizeof actions / sizeof actions[0])

/* The fields of a step, as the command line's options give them. */
static int read_step(json_t *b, tb_act_t *a, char *mats, size_t size, tb_msg_t *msg,
                     const char **ret_why, const char **ret_field)
{
    int rc;
    *ret_why = NULL;
    if (tb_complaint_event(a->type)) /* as complain/complaint-reply --kind --text */
        return tb_web_complaint(b, a, ret_why, ret_field);
    if ((rc = tb_web_str(b, "reason", &a->reason)) < 0 ||
        (rc = tb_web_str(b, "comment", &a->comment)) < 0 ||
        (rc = tb_web_str(b, "basis", &a->basis)) < 0)
        return rc;
    const char *list = a->type == TB_EV_NOTICE    ? "missing"
                       : a->type == TB_EV_PLEDGED ? "pledge"
                                                  : "materials";
    if ((rc = tb_web_list(b, list, mats, size)) < 0)
        return rc;
    a->materials = mats[0] ? mats : NULL;
    if (a->reason && !*a->reason)
        a->reason = NULL;
    if (a->basis && !*a->basis)
        a->basis = NULL;
    if (a->type == TB_EV_PLEDGED) {
        const char *due = NULL;
        if (tb_web_str(b, "due", &due) < 0 || !due || tb_act_parse_due(due, &a->due_ms) < 0) {
            *ret_why = TB_TR("容缺受理必须给出补交期限 年-月-日（如 2026-03-20）",
                             "a pledge needs its due date: YYYY-MM-DD (e.g. 2026-03-20)");
            return -TB_EBADVALUE;
        }
    }
    if (a->type == TB_EV_DECIDED) {
        const char *d = NULL;
        (void)tb_web_str(b, "decision", &d);
        if (!d || (strcmp(d, "grant") && strcmp(d, "deny"))) {
            *ret_why = TB_TR("请选择准予或不予许可（不予许可须写明理由）",
                             "choose grant or deny (a denial needs its reason)");
            return -TB_EBADVALUE;
        }
        a->decision = !strcmp(d, "grant") ? TB_DECISION_GRANT : TB_DECISION_DENY;
    }
    if (tb_rating_step(a->type) && tb_web_rating(b, &a->rating) < 0) {
        *ret_why = TB_WEB_NO_LEVEL;
        return -TB_EBADVALUE;
    }
    if (tb_rating_step(a->type) && tb_web_rating_indicators(b, a->indicators, msg) < 0) {
        *ret_why = msg->text;
        return -TB_EBADVALUE;
    }
    return 0;
}

static void act(township_web_t *w, const tb_webuser_t *u, const char *id, const char *name,
                const tb_http_req_t *req, tb_http_resp_t *resp)
{
    size_t k;
    for (k = 0; k < NACTIONS; k++)
        if (!strcmp(actions[k].name, name))
            break;
    if (k == NACTIONS) {
        tb_http_reply_error(resp, 404, "not_found", "no such action");
        return;
    }
    char mats[2048];
    tb_act_t a = {.type = actions[k].type, .case_id = id, .actor = u->login};
    const char *why, *field = NULL;
    tb_msg_t m;
    tb_msg_clear(&m);
    int rc = read_step(tb_http_json_body(req), &a, mats, sizeof mats, &m, &why, &field);
    if (rc < 0) {
        if (field)
            tb_web_refuse(resp, rc, field, why);
        else
            refuse_msg(resp, rc, a.type, why);
        return;
    }
    tb_store_t *s = NULL;
    if ((rc = tb_web_store(w->env, &s)) < 0) {
        refuse_msg(resp, rc, a.type, NULL);
        return;
    }
    if (restoring(w, s, resp)) {
        tb_store_destroy(&s);
        return;
    }
    township_t t = {w->env, s};
    if ((rc = township_act(&t, &a)) < 0) {
        tb_web_refuse_step(resp, rc, field_of(rc, a.type), s, w->env->catalog, a.type, id);
        tb_store_destroy(&s);
        return;
    }
    tb_store_destroy(&s);
    tb_webnode_changed(w, 200, id, resp);
}

static void on_case_get(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, false);
    tb_report_opts_t o = report_opts(w);
    o.mask_phone = false; /* the one-case view, as `show` */
    json_t *c;
    tb_case_t cs;
    if (!u || tb_web_case_open(w->env, u, &o, req, resp, &c, &cs) < 0)
        return;
    /* What the case's state allows here: the rules table, asked for every step. */
    const tb_item_t *it = tb_catalog_find(w->env->catalog, cs.item);
    uint32_t mask = it ? tb_case_next_steps(&cs, it, w->env->place) : 0;
    json_t *steps = json_array();
    for (size_t k = 0; k < NACTIONS; k++) {
        tb_event_type_t t = actions[k].type;
        /* The mask has 32 bits: a step above them (追评, 40) is asked alone. */
        bool may = t < 32 ? (mask & (UINT32_C(1) << t)) != 0
                          : it && tb_case_check(&cs, it, w->env->place, t) == 0;
        if (!tb_complaint_event(t) && may)
            json_array_append_new(steps, json_string(actions[k].name));
    }
    township_complaint_case(w, json_string_value(json_object_get(c, "case_id")), c,
                            steps); /* its complaint's steps (issue 11) */
    json_object_set_new(c, "steps", steps);
    tb_http_reply_json(resp, 200, c);
}

static void on_case_post(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, true);
    if (!u)
        return;
    char id[TB_CASEID_MAX + 1];
    const char *action;
    if (tb_web_case_action(req, resp, id, &action) == 0)
        act(w, u, id, action, req, resp);
}

static void on_register(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    const tb_webuser_t *u = signed_in(w, req, resp, true);
    if (u)
        register_case(w, u, req, resp);
}

static const tb_http_route_t routes[] = {
    TB_WEBNODE_ROUTES,
    {"GET", "/api/status", on_status, false},
    {"GET", "/api/inbox", on_inbox, false},
    {"POST", "/api/cases", on_register, true},
    {"GET", "/api/cases/*", on_case_get, false},
    {"POST", "/api/cases/*", on_case_post, true},
    {"GET", "/api/villages", on_villages, false},
    {"GET", "/api/complaints", township_complaints, false},
    {"GET", "/api/complaints/*", township_complaint, false},
};

int township_web_start(uv_loop_t *loop, const char *addr, township_web_t *w, tb_http_t **ret)
{
    return tb_webnode_start(loop, addr, w, routes, sizeof routes / sizeof routes[0],
                            township_assets, township_assets_count, ret);
}

void township_web_stop(township_web_t *w)
{
    tb_webnode_stop(w);
}
