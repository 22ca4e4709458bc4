/* county_board: the dashboard's card board and its ratings and
 * rectifications view (issue 11), the JSON behind them:
 *
 *   GET /api/board[?scope&township&level&kind]   open cards at risk (yellow) and
 *       overdue (red) in the account's scope, most working days overdue first;
 *       filters: a township's code, yellow|red, deadline|prereview|revisit
 *   GET /api/ratings[?scope&open=1]    the 差评 rectifications whose owner is in
 *       the scope (county_rating_json), newest first, with their revisit card
 *
 * Bad filters: 400 with a JSON error; outside the scope 403.  The handlers
 * use county_web.c's sign-in, scope and connection (declared here, defined
 * there): one request → one query → one answer, on the dashboard's thread. */
#ifndef COUNTY_BOARD_H
#define COUNTY_BOARD_H

#include "county_web.h"

#include "tb_http.h"
#include "tb_websession.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* county_web.c's: the signed-in supervisor (NULL after answering), the
 * place asked about (NULL after answering), the connection (NULL after a
 * 503), a failed query answered 500, and the dashboard's catalog and calendar. */
const tb_webuser_t *county_web_who(county_web_t *w, const tb_http_req_t *req, tb_http_resp_t *resp);
const char *county_web_scope(county_web_t *w, const tb_webuser_t *s, const tb_http_req_t *req,
                             tb_http_resp_t *resp);
PGconn *county_web_db(county_web_t *w, tb_http_resp_t *resp);
void county_web_failed(county_web_t *w, tb_http_resp_t *resp);
const tb_env_ctx_t *county_web_env(const county_web_t *w);

/* county_rating_cli.c's: the rectifications as JSON (one case, or all whose
 * owner starts with owner; open: not rectified, or an appeal pending), newest
 * first; NULL when the query failed. */
json_t *county_rating_json(PGconn *pg, const char *case_id, const char *owner, bool open);

void county_board_on_board(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void county_board_on_ratings(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);

#endif
