/* tb_complaint_web: the complaints (投诉, issue 11) a village's or a
 * township's store holds, as its screens and JSON API show them.
 *
 * A node keeps no complaint table: the complaint events of its cases
 * (EventType 30..38) came down the links with everything else, and each
 * case's complaint is folded back from them here with the same rules every
 * CLI checks a step against (tb_complaint.h), as tb_complaint_local does
 * for one case.  Deadlines are counted with the calendar in force and the
 * default limits (tb_limits_default): the county owns the limits and does
 * not send them down, so a county that changed them may show another day.
 * Library code: no I/O but the store, logs nothing. */
#ifndef TB_COMPLAINT_WEB_H
#define TB_COMPLAINT_WEB_H

#include "tb_act.h"
#include "tb_http.h"
#include "tb_place.h"
#include "tb_store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *place;         /* this node: "mine" is a complaint assigned to it, to answer */
    const tb_places_t *places; /* names of the filer and the unit */
    const tb_calendar_t *cal;  /* deadlines (NULL: none shown) */
    const char *state;         /* NULL or "": open ones; "all"; or a state name (tb_complaint.h) */
    const char *case_id;       /* NULL: every case; else that case's complaint only */
    bool mask;                 /* listings mask numbers inside free text (tb_text_safe) */
    int64_t now_ms;
} tb_complaint_query_t;

/* The newest complaint of each case in the store that matches q: open ones
 * first, soonest deadline first (none last), then the others newest first.
 * Each: {case_id, id, kind, kind_label, state, state_label, text, reply,
 * filed_by, filed_by_name, filed_at, unit, unit_name, due, due_ms,
 * overdue, mine, client_name, item_code}.  0 and the array, -EINVAL (an
 * unknown state name), -TB_ESTORE, -ENOMEM. */
int tb_complaint_list_json(tb_store_t *store, const tb_complaint_query_t *q, json_t **ret);

/* A complaint step's JSON body as `complain [--kind K] --text T` and
 * `complaint-reply --text T` take it: "text" into a->reason, "kind"
 * (COMPLAINED only; 投诉, 咨询, 求助, complaint, consult; absent: 投诉) into
 * a->complaint_kind; strings borrowed from body.  0, or -TB_EBADVALUE with
 * the words in *ret_why and the field they are about in *ret_field ("text",
 * "kind": a member that is not text, an unknown kind). */
int tb_web_complaint(json_t *body, tb_act_t *a, const char **ret_why, const char **ret_field);

/* Answer a step the store refused with the command line's words
 * (tb_act_explain_step, as one line): 400 on field, or as tb_web_refuse. */
void tb_web_refuse_step(tb_http_resp_t *resp, int rc, const char *field, tb_store_t *store,
                        const tb_catalog_t *catalog, tb_event_type_t t, const char *case_id);

#endif
