/* township_complaint.c: the window's complaints (投诉, issue 11): the list
 * and one complaint with its steps (township_web.h has the routes). */
#include "tb_complaint.h"
#include "tb_complaint_web.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h" /* tb_now_ms */
#include "township_web.h"

#include <errno.h>
#include <string.h>

static tb_complaint_query_t query(township_web_t *w, const char *state, const char *case_id,
                                  bool mask)
{
    tb_complaint_query_t q = {w->env->place, w->env->places, w->env->calendar, state,
                              case_id,       mask,           tb_now_ms()};
    return q;
}

static int list(township_web_t *w, const tb_complaint_query_t *q, json_t **ret)
{
    tb_store_t *s = NULL;
    int rc = tb_web_store(w->env, &s);
    if (rc == 0)
        rc = tb_complaint_list_json(s, q, ret);
    tb_store_destroy(&s);
    return rc;
}

void township_complaints(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    if (!tb_webnode_user(w, req, resp, false))
        return;
    tb_complaint_query_t q = query(w, tb_http_query(req, "state"), NULL, true);
    json_t *l = NULL;
    int rc = list(w, &q, &l);
    if (rc == -EINVAL) {
        tb_web_refuse(resp, -TB_EBADVALUE, "state",
                      TB_TR("状态应为 all（全部）或 filed、accepted、declined、assigned、replied、"
                            "revisited、closed 之一；不填为未办结的",
                            "state is all, or one of filed, accepted, declined, assigned, replied, "
                            "revisited, closed; none: the open ones"));
        return;
    }
    if (rc < 0) {
        tb_web_refuse(resp, rc, "form", NULL);
        return;
    }
    tb_http_reply_json(resp, 200,
                       json_pack("{s:o, s:I}", "complaints", l, "now_ms", (json_int_t)q.now_ms));
}

void township_complaint(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    township_web_t *w = ctx;
    const tb_webuser_t *u = tb_webnode_user(w, req, resp, false);
    tb_report_opts_t o = {w->env->places, w->env->catalog, true, false, w->env->calendar};
    json_t *c = NULL;
    if (!u || tb_web_case_open(w->env, u, &o, req, resp, &c, NULL) < 0)
        return; /* its id, scope and audit as the case's own page */
    const char *id = json_string_value(json_object_get(c, "case_id"));
    tb_complaint_query_t q = query(w, "all", id, false);
    json_t *l = NULL;
    int rc = list(w, &q, &l);
    if (rc < 0 || json_array_size(l) == 0) {
        json_decref(c);
        json_decref(l);
        if (rc < 0)
            tb_web_refuse(resp, rc, "form", NULL);
        else
            tb_http_reply_error(resp, 404, "no_complaint",
                                TB_TR("该办件没有投诉", "this case has no complaint"));
        return;
    }
    /* Its steps: the case's history, the complaint events only. */
    json_t *steps = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(c, "history"), i, e)
    {
        const char *ev = json_string_value(json_object_get(e, "event"));
        if (ev && strncmp(ev, "complain", 8) == 0)
            json_array_append(steps, e);
    }
    json_t *out =
        json_pack("{s:O, s:O, s:O, s:O, s:o}", "complaint", json_array_get(l, 0), "client_phone",
                  json_object_get(c, "client_phone"), "item_name", json_object_get(c, "item_name"),
                  "case_state_label", json_object_get(c, "state_label"), "steps", steps);
    json_decref(l);
    json_decref(c);
    tb_http_reply_json(resp, 200, out);
}

void township_complaint_case(township_web_t *w, const char *case_id, json_t *c, json_t *steps)
{
    tb_complaint_query_t q = query(w, "all", case_id, false);
    json_t *l = NULL;
    if (list(w, &q, &l) < 0)
        return; /* the case's page without it; the list says what failed */
    json_t *cp = json_array_get(l, 0);
    const char *state = json_string_value(json_object_get(cp, "state"));
    if (!cp || !strcmp(state, "declined") || !strcmp(state, "closed"))
        json_array_append_new(steps, json_string("complain"));
    if (cp && json_is_true(json_object_get(cp, "mine")))
        json_array_append_new(steps, json_string("complaint-reply"));
    if (cp)
        json_object_set(c, "complaint", cp);
    json_decref(l);
}
