/* tb_websession: who is signed in at a node's screens.  Library code:
 * answers requests, logs nothing (the node's verify function audits).
 *
 * Sessions live in memory only (a restart signs everybody out):
 *   - at most TB_WEBSESS_MAX at once; a sign-in when full drops the session
 *     used least recently;
 *   - a session ends after TB_WEBSESS_IDLE_S without a request, and
 *     TB_WEBSESS_ABS_S after its sign-in whatever its use;
 *   - the session cookie is 256 random bits (getrandom) in hex, HttpOnly,
 *     SameSite=Strict, Path=/ (no Secure: the screens are served over plain
 *     HTTP on the node's own machine or LAN); the CSRF token is another 256
 *     random bits, given in the body of /api/login and /api/me only; both
 *     are compared in constant time (sodium_memcmp);
 *   - every failed sign-in (401 or 423) counts against the client's address:
 *     after TB_WEBSESS_FAIL_MAX failures within TB_WEBSESS_FAIL_WINDOW_S of
 *     the first one, that address gets 429 without its password being
 *     checked until the window has passed.  Locking an account after repeated
 *     failures (423) is the verify function's business (it owns the accounts).
 */
#ifndef TB_WEBSESSION_H
#define TB_WEBSESSION_H

#include "tb_http.h"

#include <stdbool.h>
#include <stdint.h>

#define TB_WEB_LOGIN_MAX 32
#define TB_WEB_PASSWORD_MAX 256 /* longer: 400 (the hash would only cost time) */

#define TB_WEBSESS_MAX 256
#define TB_WEBSESS_IDLE_S (30 * 60)
#define TB_WEBSESS_ABS_S (12 * 3600)
#define TB_WEBSESS_FAIL_MAX 10 /* above the accounts' own lockout (5), so 423 shows first */
#define TB_WEBSESS_FAIL_WINDOW_S (5 * 60)
#define TB_WEBSESS_ADDRS 256 /* addresses whose failures are remembered */

typedef struct {
    char login[TB_WEB_LOGIN_MAX + 1];
    char name[65];  /* UTF-8 display name */
    char role[16];  /* "supervisor" "backoffice" "window" "agent" "auditor" */
    char scope[13]; /* the 12-digit place code whose subtree the account may see */
} tb_webuser_t;

/* Check a login and password: 0 (ret filled), -TB_EAUTH (unknown login or wrong password),
 * -TB_ELOCKED (too many failures), another negative code (store failure).  The node's
 * function audits failures itself. */
typedef int (*tb_websess_verify_fn)(void *ctx, const char *login, const char *password,
                                    tb_webuser_t *ret);
typedef struct tb_websess tb_websess_t;
/* 0 or -ENOMEM.  Makes the dummy hash of tb_signin.h, so no sign-in pays for it. */
int tb_websess_new(tb_websess_verify_fn verify, void *ctx, tb_websess_t **ret);
void tb_websess_free(tb_websess_t **self_p);

/* Route handlers (call them from the node's own route functions; the login
 * route may or may not be declared json_body):
 * POST /api/login {"login","password"} → 200 {"login","name","role","scope","csrf"} and
 *   Set-Cookie tb_session=<random 256-bit hex>; HttpOnly; SameSite=Strict; Path=/
 *   401 wrong login/password (one message for both), 423 locked, 429 too many attempts
 *   from this session/address (rate limit), 400 malformed body, 500 store failure.
 * POST /api/logout → 204 and the cookie cleared;  GET /api/me → 200 as login, or 401. */
void tb_websess_login(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp);
void tb_websess_logout(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp);
void tb_websess_me(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp);
/* In any other API handler: the signed-in person, or NULL after answering 401
 * {"error":{"code":"unauthenticated",...}}.  For every method but GET/HEAD it also
 * checks X-CSRF-Token against the session's token (403 otherwise).  The
 * pointer is valid until the handler returns. */
const tb_webuser_t *tb_websess_require(tb_websess_t *self, const tb_http_req_t *req,
                                       tb_http_resp_t *resp);
/* True when user's scope contains place (a place code in its subtree); otherwise
 * answers 403 {"error":{"code":"forbidden",...}} and returns false. */
bool tb_websess_scope(const tb_webuser_t *user, const char *place, tb_http_resp_t *resp);

/* ---- additions ---- */
/* True when place is scope or inside its subtree (county ⊃ township ⊃
 * village, by the codes' shape); false for a malformed code. */
bool tb_web_in_scope(const char *scope, const char *place);
/* Sign out every session of login (an account disabled or changed). */
void tb_websess_drop(tb_websess_t *self, const char *login);
/* The number of live sessions. */
unsigned tb_websess_count(tb_websess_t *self);
/* Tests: the clock in seconds (default: CLOCK_MONOTONIC). */
void tb_websess_set_clock(tb_websess_t *self, uint64_t (*now)(void));

#endif
