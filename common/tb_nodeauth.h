/* tb_nodeauth: sign-in at a township or village with the accounts the county
 * distributed to it (tb_accountlist, kind "accounts/<place>"), and the node's
 * append-only audit (SQLite table audit: triggers refuse UPDATE and DELETE).
 *
 * A sign-in succeeds when the login is in the node's newest account list,
 * enabled, its Argon2id hash verifies (crypto_pwhash_str_verify), its scope
 * contains this node and its role fits the node: "agent" at a village,
 * "window" at a township (they change cases); "supervisor" and "auditor"
 * anywhere (read-only: tb_nodeauth_can_change).  Every failure is audited
 * (what "login-failed", the reason in detail); after TB_NODEAUTH_FAIL_MAX
 * failures of a login within TB_NODEAUTH_WINDOW_MS every attempt is
 * -TB_ELOCKED (audited "login-locked") without its password being checked
 * (unknown logins count too).  An unknown login, or a node with no list yet,
 * costs one Argon2id verification as a wrong password does (the dummy hash of
 * tb_signin.h).  The command line signs in through this same function
 * (tb_signin_cli.h).  Library code: logs nothing.
 */
#ifndef TB_NODEAUTH_H
#define TB_NODEAUTH_H

#include "tb_store.h"
#include "tb_websession.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TB_NODEAUTH_FAIL_MAX 5
#define TB_NODEAUTH_WINDOW_MS (15 * 60 * 1000LL)

typedef struct {
    const char *data_dir; /* the node's store: opened per sign-in */
    const char *place;
} tb_nodeauth_t;

/* A tb_websess_verify_fn; ctx is a tb_nodeauth_t. */
int tb_nodeauth_verify(void *ctx, const char *login, const char *password, tb_webuser_t *ret);
/* True when role may change cases at a node of place's level. */
bool tb_nodeauth_can_change(const char *role, const char *place);

/* Append one audit row (what: "login", "login-failed", "login-locked",
 * "view", ...). 0 or a store error. */
int tb_audit_add(tb_store_t *store, const char *login, const char *what, const char *case_id,
                 const char *detail);
/* The audit, oldest first, optionally only of a login or a case (NULL: all):
 * [{"at_ms","login","what","case_id","detail"}], into *ret.  0 or negative. */
int tb_audit_json(tb_store_t *store, const char *login, const char *case_id, json_t **ret);

#endif
