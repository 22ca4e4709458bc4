/* village_web: the village agent's screens and their JSON API, served by
 * `tongban-village serve` on its own loop (tb_http).
 *
 * The API is the command line's other face: the same checks (tb_edge, tb_act,
 * village_log, village_act), the same words.  Each request opens the store as
 * a command would (its own SQLite connection), so the web and the terminal
 * write the same way; after a change the daemon is told to send at once.
 *
 *   POST /api/login {login, password}, POST /api/logout, GET /api/me: sign-in
 *                                (tb_websession.h) with the accounts the county sent here
 *   GET  /api/status             place, township, link up, backlog, last status from above
 *   GET  /api/items              the catalog in force (as `items --json`)
 *   GET  /api/cases?filter=&item=&q=&from=&to=&page=&per=   the ledger, newest first, a
 *                                page at a time: {cases, total, page, per, pages}
 *                                (tb_weblist.h: filter open, due, overdue, closed)
 *   GET  /api/cases/ID           one case with its history (as `show --json`), its item's
 *                                material_list and the receipt's to_bring and promised
 *                                date (tb_webapi.h: tb_web_case_open)
 *   POST /api/cases              log: {client, phone, item, materials[], note, reply}
 *   POST /api/cases/ID/ACTION    supplement {materials[]}, deliver {}, rate {rating, comment},
 *                                withdraw {reason}, note {reason}
 *   GET  /api/ledger?month=YYYY-MM   the monthly ledger (client, contact, agent, item,
 *                                accept time, completion time, result)
 * Every route but login needs a signed-in person (401 otherwise): an agent of
 * this village changes cases and is their actor (its login); the CSRF token
 * from /api/login or /api/me goes with every change (X-CSRF-Token, 403
 * otherwise); a case outside the account's scope is 403; every view of a
 * case (its personal data) is in the node's audit first.
 * Refusals: 400 {"errors": [{"field", "message"}]}, 404 unknown case.
 */
#ifndef VILLAGE_WEB_H
#define VILLAGE_WEB_H

#include "tb_cli.h"
#include "tb_http.h"
#include "tb_webapi.h"

#include <stdbool.h>
#include <stdint.h>

/* What the daemon gives the screens (tb_webapi.h: env, link_up, backlog,
 * kick, arg; the sign-in they keep). */
typedef tb_webnode_t village_web_t;

/* Serve the screens on addr; w must outlive the server. */
int village_web_start(uv_loop_t *loop, const char *addr, village_web_t *w, tb_http_t **ret);
/* Free what village_web_start made besides the server (after tb_http_close). */
void village_web_stop(village_web_t *w);

#endif
