/* tb_webapi: what every node's JSON API does the same way, on top of tb_http:
 * the session's CSRF token, reading the members of a JSON body, a case's
 * "ID/ACTION" path, and the answer to a refusal.  Library code: answers
 * requests, logs nothing. */
#ifndef TB_WEBAPI_H
#define TB_WEBAPI_H

#include "tb_caseid.h"
#include "tb_cli.h"
#include "tb_http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TB_WEB_TOKEN_LEN 64 /* hex digits */

/* A new session token (TB_WEB_TOKEN_LEN hex digits from getrandom).  0 or -EIO. */
int tb_web_token(char ret[TB_WEB_TOKEN_LEN + 1]);
/* True when the request carries token in X-CSRF-Token; otherwise answers
 * 403 ("the page is stale: reload it") and returns false. */
bool tb_web_csrf(const char *token, const tb_http_req_t *req, tb_http_resp_t *resp);

/* A string member into *ret (NULL when absent or null); another type: -TB_EBADVALUE. */
int tb_web_str(json_t *body, const char *key, const char **ret);
/* A list of names (["a", "b"]) joined as "a,b" for tb_act_split: "" when
 * absent; -TB_EBADVALUE (not a list), -TB_EMATERIAL (an element that is not
 * text or holds a separator ',', '，', '、'), -TB_ETOOLONG. */
int tb_web_list(json_t *body, const char *key, char *buf, size_t size);

/* The parameter of a "/api/cases/ID/ACTION" route: 0 with the id and a
 * pointer to the action, or -1 after answering 404. */
int tb_web_case_action(const tb_http_req_t *req, tb_http_resp_t *resp,
                       char ret_id[TB_CASEID_MAX + 1], const char **ret_action);

/* The answer to a refused request: 404 for an unknown case, 500 for a store
 * failure, else 400 {"errors": [{"field": field, "message": message or
 * tb_strerror(rc)}]}. */
void tb_web_refuse(tb_http_resp_t *resp, int rc, const char *field, const char *message);

/* GET /api/items at any node: the catalog in force (as `items --json`). */
void tb_web_items(const tb_env_ctx_t *env, tb_http_resp_t *resp);

#endif
