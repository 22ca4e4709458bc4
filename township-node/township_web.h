/* township_web: the township window's screens and their JSON API, served by
 * `tongban-township serve` on its own loop (tb_http), like village_web.
 *
 * The API is the command line's other face: the same checks (tb_edge,
 * tb_act via township_act), the same words (tb_edge_explain_entry,
 * tb_act_explain).  Each request opens the store as a command would; after a
 * change the daemon is told to send at once.
 *
 *   POST /api/login {login, password}, POST /api/logout, GET /api/me: sign-in
 *                                (tb_websession.h) with the accounts the county sent here
 *   GET  /api/status             place, county, link up, backlog, last status from the county
 *   GET  /api/items              the catalog in force (as `items --json`)
 *   GET  /api/inbox?filter=&village=&item=&q=&from=&to=&page=&per=   cases held or being
 *                                handed here, by deadline (as `inbox`), a page at a time:
 *                                {cases, total, page, per, pages} (tb_weblist.h)
 *   GET  /api/cases/ID           one case with its history, its item's materials, the
 *                                receipt (tb_webapi.h: tb_web_case_open) and "steps": the
 *                                steps the case's state allows here (tb_rules)
 *   POST /api/cases              walk-in registration: {client, phone, item, materials[],
 *                                note, reply}
 *   POST /api/cases/ID/ACTION    notice {missing[]}, supplement {materials[]}, accept {},
 *                                pledge {pledge[], due}, refuse {reason}, decide {decision:
 *                                grant|deny, reason}, forward {}, suspend {basis, reason},
 *                                resume {}, result {}, deliver {}, rate {rating, comment},
 *                                withdraw {reason}, note {reason}
 *   GET  /api/villages           this township's villages: last heard, cursor, open,
 *                                overdue, due soon (counted in SQL)
 *   GET  /api/complaints?state=  the complaints on this township's cases, open first by
 *                                deadline; "mine": assigned here, to answer (issue 11)
 *   GET  /api/complaints/ID      one case's complaint with its steps
 *   POST /api/cases/ID/complain {kind, text}, .../complaint-reply {text}: as the CLI
 * Every route but login needs a signed-in person (401): a window of
 * this township changes cases and is their actor (its login), an auditor
 * only reads (403 read_only); every change carries the session's CSRF token
 * (403); a case outside the account's scope is 403; every view of a case is
 * audited first.  Refusals: 400 {"errors": [{"field", "message"}]}, 404
 * unknown case or action.
 */
#ifndef TOWNSHIP_WEB_H
#define TOWNSHIP_WEB_H

#include "tb_cli.h"
#include "tb_http.h"
#include "tb_webapi.h"

#include <stdbool.h>
#include <stdint.h>

/* What the daemon gives the screens (tb_webapi.h: env, link_up, backlog,
 * kick, arg; the sign-in they keep). */
typedef tb_webnode_t township_web_t;

/* Serve the screens on addr; w must outlive the server. */
int township_web_start(uv_loop_t *loop, const char *addr, township_web_t *w, tb_http_t **ret);
/* Free what township_web_start made besides the server (after tb_http_close). */
void township_web_stop(township_web_t *w);

/* The complaints (township_complaint.c): GET /api/complaints and
 * GET /api/complaints/CASE; and for a case's page, its complaint as
 * "complaint" and the complaint steps it allows here appended to steps. */
void township_complaints(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void township_complaint(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void township_complaint_case(township_web_t *w, const char *case_id, json_t *c, json_t *steps);

#endif
