/* tb_webapi: what every node's JSON API does the same way, on top of tb_http:
 * the session's CSRF token, reading the members of a JSON body, a case's
 * "ID/ACTION" path, and the answer to a refusal.  Library code: answers
 * requests, logs nothing. */
#ifndef TB_WEBAPI_H
#define TB_WEBAPI_H

#include "tb_case.h"
#include "tb_caseid.h"
#include "tb_cli.h"
#include "tb_edge.h"
#include "tb_http.h"
#include "tb_nodeauth.h"
#include "tb_report.h"
#include "tb_store.h"
#include "tb_websession.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TB_WEB_TOKEN_LEN 64 /* hex digits */

/* A village's or a township's screens (village_web, township_web): what the
 * daemon gives them, and the sign-in they keep. */
typedef struct {
    tb_env_ctx_t *env; /* the daemon's: config, catalog and calendar in force */
    /* What the daemon knows of its link (NULL: unknown). */
    bool (*link_up)(void *arg);
    uint64_t (*backlog)(void *arg);
    void (*kick)(void *arg); /* something was queued: send now */
    void *arg;
    char csrf[TB_WEB_TOKEN_LEN + 1];
    /* Sign-in (tb_websession) with the accounts the county distributed here
     * (tb_nodeauth): made by tb_webnode_start, freed by tb_webnode_stop. */
    tb_nodeauth_t auth;
    tb_websess_t *sess;
} tb_webnode_t;

/* Serve a node's routes and assets on addr with its sign-in; w (the routes'
 * context) must outlive the server.  0 or a negative code. */
int tb_webnode_start(uv_loop_t *loop, const char *addr, tb_webnode_t *w,
                     const tb_http_route_t *routes, size_t nroutes, const tb_http_asset_t *assets,
                     size_t nassets, tb_http_t **ret);
/* Free what tb_webnode_start made besides the server (after tb_http_close). */
void tb_webnode_stop(tb_webnode_t *w);
/* GET /api/status: place, the node above (as up_key and up_key + "_name"),
 * the signed-in person's name, link up, backlog, when the last status came
 * from above (last_ms, 0: never) and the service phone. */
void tb_webnode_status(tb_webnode_t *w, const tb_webuser_t *u, const char *up_key, int64_t last_ms,
                       tb_http_resp_t *resp);
/* The routes every such node has, with a tb_webnode_t as their context:
 * POST /api/login, POST /api/logout, GET /api/me, GET /api/items. */
void tb_webnode_login(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void tb_webnode_logout(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void tb_webnode_me(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
void tb_webnode_items(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);
#define TB_WEBNODE_ROUTES                                                                          \
    {"POST", "/api/login", tb_webnode_login, true},                                                \
        {"POST", "/api/logout", tb_webnode_logout, false},                                         \
        {"GET", "/api/me", tb_webnode_me, false},                                                  \
    {                                                                                              \
        "GET", "/api/items", tb_webnode_items, false                                               \
    }

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

/* The fields of a new case as `log` and `register` take them: client, phone,
 * item, note (empty: none), reply, materials[] (joined into mats).  Strings
 * borrowed from body; agent left to the caller.  0 or as tb_web_str/list. */
int tb_web_entry(json_t *body, tb_entry_t *e, char *mats, size_t size);
/* A step's "rating": 1..5 as a number or text, or a Chinese label.  0 or -TB_EBADVALUE
 * (missing or not a level: the screens say TB_WEB_NO_LEVEL). */
int tb_web_rating(json_t *body, unsigned *ret);
#define TB_WEB_NO_LEVEL                                                                            \
    TB_TR("请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意",                          \
          "choose a rating level: very satisfied, satisfied, basically satisfied, dissatisfied "   \
          "or very dissatisfied")
/* GB/T 39735's four indicators of a rating from the body ("overall",
 * "efficiency", "skill", "attitude": a level 1..5 as a number or a string,
 * absent or "" for none) into ret[4], checked as the command line checks
 * them (rating_indicators.h): 0, or -TB_EBADVALUE with the words in msg. */
int tb_web_rating_indicators(json_t *body, unsigned ret[4], tb_msg_t *msg);
/* After a change: the daemon is told to send at once, and the case id answered. */
void tb_webnode_changed(tb_webnode_t *w, unsigned status, const char *case_id,
                        tb_http_resp_t *resp);

/* The parameter of a "/api/cases/ID/ACTION" route: 0 with the id and a
 * pointer to the action, or -1 after answering 404. */
int tb_web_case_action(const tb_http_req_t *req, tb_http_resp_t *resp,
                       char ret_id[TB_CASEID_MAX + 1], const char **ret_action);

/* The answer to a refused request: 404 for an unknown case, 500 for a store
 * failure, else 400 {"errors": [{"field": field, "message": message or
 * tb_strerror(rc)}]}. */
void tb_web_refuse(tb_http_resp_t *resp, int rc, const char *field, const char *message);

/* The node's store as a command opens it (its own SQLite connection), with
 * the catalog and calendar in force and their rules.  0 or a negative code. */
int tb_web_store(tb_env_ctx_t *env, tb_store_t **ret);

/* The signed-in person (NULL after answering 401; or 403 when change is
 * asked and the role may not change cases here). */
const tb_webuser_t *tb_webnode_user(tb_webnode_t *w, const tb_http_req_t *req, tb_http_resp_t *resp,
                                    bool change);

/* GET a list of cases (tb_weblist.h: the ledger, the inbox): the request's
 * filters and page read, the page answered.  held and by_due as there. */
void tb_web_case_list(tb_env_ctx_t *env, const char *held, bool by_due, const tb_report_opts_t *o,
                      const tb_http_req_t *req, tb_http_resp_t *resp);

/* GET /api/cases/ID at a village or township: the case as `show --json`
 * (tb_report_case_json) with what its page and receipt need besides:
 *   material_list [{name, core, have}]  the item's materials, handed in or not
 *   item_level    "village", "township", "county"
 *   receipt {to_bring: [...], promised: "YYYY-MM-DD" or "", estimated}
 *     to_bring: before acceptance the item's materials not handed in; after,
 *     those still owed (容缺); promised: the item's promised working days
 *     counted by the calendar in force from acceptance, or, before it, from
 *     today (estimated, 预计); "" where no promise holds (consultations,
 *     closed, refused, withdrawn, a stopped clock).
 * The id is checked (404), the account's scope (403), and the view is put in
 * the node's audit first.  0 with the JSON and the fold (ret_fold may be
 * NULL), or -1 after answering. */
int tb_web_case_open(tb_env_ctx_t *env, const tb_webuser_t *u, const tb_report_opts_t *o,
                     const tb_http_req_t *req, tb_http_resp_t *resp, json_t **ret,
                     tb_case_t *ret_fold);

/* GET /api/items at any node: the catalog in force (as `items --json`). */
void tb_web_items(const tb_env_ctx_t *env, tb_http_resp_t *resp);

#endif
