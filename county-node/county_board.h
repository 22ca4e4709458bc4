/* county_board: the dashboard's card board and its ratings and
 * rectifications view (issue 11), the JSON behind them:
 *
 *   GET /api/board[?scope&township&level&kind]   open cards at risk (yellow) and
 *       overdue (red) in the account's scope, most working days overdue first;
 *       filters: a township's code, yellow|red, deadline|prereview|revisit
 *   GET /api/ratings[?scope&open=1]    the 差评 rectifications whose owner is in
 *       the scope (county_rating_json), newest first, with their revisit card
 *   POST /api/ratings/CASE/STEP {text, outcome, kind, rating, verdict}
 *       a staff step (revisit, rectify, followup, appeal, review) as `ratings`:
 *       supervisor or backoffice with the owner in scope; a review only by a
 *       supervisor of the county; 400 bad input, 404 none, 409 not now
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

/* county_rating_cli.c's staff steps, shared by `ratings` and the API.
 * What a step carries (text, and per step: outcome, kind, rating, verdict). */
typedef struct {
    const char *text, *outcome, *kind, *rating;
    bool approve, refuse;
} county_rating_args_t;
/* Check what step ("revisit", "rectify", "followup", "appeal", "review")
 * carries before the store is asked: 0 with the stored word (outcome, kind
 * or verdict) and the rating, or -EINVAL with the reason in why. */
int county_rating_check(const char *step, const county_rating_args_t *a, const char **ret_word,
                        unsigned *ret_n, char *why, size_t size);
/* Take the step on case_id's rectification, guarded and audited in one
 * statement: 0, or -ENOENT (no rectification), -TB_EILLEGAL (not now: the
 * loop's order, once only), -EINVAL (an unknown step), -TB_ESTORE; why says it. */
int county_rating_step(PGconn *pg, const char *step, const char *case_id, const char *text,
                       const char *actor, const char *word, unsigned n, char *why, size_t size);
/* The 追评 ("followup") is not a row step: the county records the resident's
 * RATING_FOLLOWUP (EventType 40) as its own event, through the daemon like
 * every staff step (county_command), and the rectification's 追评 is written
 * from that event (migration 018).  Any rated case of the county, once.  0,
 * -TB_ENOCASE, the rule broken (-TB_EILLEGAL not rated yet, -TB_EONCE a
 * second one), -ETIMEDOUT (no daemon took it), -TB_ESTORE; why says it. */
int county_rating_followup(PGconn *pg, const tb_env_ctx_t *env, const char *case_id,
                           const char *text, const char *actor, unsigned n, char *why, size_t size);
/* An enabled supervisor account whose scope is the county: who may review an appeal. */
bool county_rating_reviewer(PGconn *pg, const char *login, const char *county);

void county_board_on_step(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void county_board_on_board(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void county_board_on_ratings(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);

#endif
