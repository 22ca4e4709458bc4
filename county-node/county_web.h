/* county_web: the supervisors' dashboard and its JSON API (issue 11), served
 * by `tongban-county serve` on the `http` address (default 127.0.0.1:8400,
 * "off": none).
 *
 * Its own thread, its own libuv loop and its own PostgreSQL connection.  Why
 * a thread rather than async libpq on the county's loop: tb_http answers a
 * request inside its handler (no deferred responses), a statistics query
 * over a million cases takes a few hundred milliseconds, and a sign-in
 * computes Argon2id (64 MiB, ~0.1 s); on the county's loop either would
 * stall ingest.  On a thread of its own with a blocking connection, the
 * county's loop never waits for the dashboard, and the dashboard's code
 * stays plain request → query → answer.  The thread shares nothing mutable
 * with the loop: it keeps its own copy of the catalog and calendar in force
 * (re-read from the store), and the place data, which never changes after
 * start, is borrowed.
 *
 *   POST /api/login   {login, password}  → a session cookie (HttpOnly, SameSite=Strict)
 *   POST /api/logout
 *   GET  /api/session                    who is signed in, role, scope, CSRF token
 *   GET  /api/overview[?scope=]          today / week / month, open, on-time rate,
 *                                        per township (this month), trend (30 days)
 *   GET  /api/stats?from&to[&by&period&scope&format=csv]   county_stats_run
 *   GET  /api/cases?from&to&measure[&by&unit&period&at&scope]   the cases behind a number
 *   GET  /api/case/ID                    one case's timeline across tiers (audited as a view)
 *   GET  /api/bulletin?month=YYYY-MM     月度通报
 *   GET  /api/board, /api/ratings        the card board and 好差评 (county_board.h)
 *   GET  /api/complaints[?scope&township&state]   the complaints board and outcomes (投诉)
 * Roles: supervisor, backoffice, auditor (read-only here anyway), each
 * limited to the subtree of its scope.  Bad input: 400 {"error": {"code",
 * "message"}}; not signed in 401; outside the scope 403.
 */
#ifndef COUNTY_WEB_H
#define COUNTY_WEB_H

#include "tb_cli.h"

typedef struct county_web county_web_t;

/* Start serving on addr in a thread of its own, with its own connection to
 * conninfo; env is borrowed (its places and config; it must outlive the
 * server).  Returns once the address is bound: 0, or a negative errno
 * (-EADDRINUSE, -EINVAL for a malformed address, ...) with nothing left
 * running. */
int county_web_start(const tb_env_ctx_t *env, const char *conninfo, const char *addr,
                     county_web_t **ret);
/* Stop the thread and free everything; accepts NULL. */
void county_web_stop(county_web_t **self_p);

#endif
