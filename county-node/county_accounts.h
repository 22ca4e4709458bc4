/* county_accounts: the people who use tongban, owned by the county (issue 8).
 *
 * An account is a login, the person's name, one role, a place subtree it acts
 * in (the county, a township or a village of this county), enabled or not,
 * and an Argon2id hash of its password (libsodium crypto_pwhash_str with the
 * interactive limits).  The password itself is never stored, logged or
 * printed; it comes in from the terminal or stdin, never argv or the
 * environment (county-node/account_cli.c).
 *
 * The rules (role names, which role fits which level of place, what a weak
 * password is) are pure functions, tested without a database.  The store is
 * PostgreSQL (sql/005_accounts.sql); every change is one statement that also
 * appends its row to account_audit, so a change without its audit row cannot
 * be committed.  Each change takes the next number of the account_version
 * sequence: the nodes will be sent every account newer than what they have,
 * the way the catalog travels.
 *
 * Library code: returns 0 or a negative code (-COUNTY_E* below, -TB_E*,
 * -errno) and prints nothing but the listings it is asked for, to the stream
 * it is given. */
#ifndef COUNTY_ACCOUNTS_H
#define COUNTY_ACCOUNTS_H

#include "tb_cli.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum {
    COUNTY_ROLE_NONE = 0,
    COUNTY_ROLE_SUPERVISOR, /* 县级督办: the county */
    COUNTY_ROLE_BACKOFFICE, /* 县级后台: the county */
    COUNTY_ROLE_WINDOW,     /* 乡镇窗口: a township */
    COUNTY_ROLE_AGENT,      /* 村代办员: a village */
    COUNTY_ROLE_AUDITOR,    /* 审计 (read-only): the county or a township */
} county_role_t;

/* The accounts' own refusals, beside tb_error.h's (county_account_strerror names both). */
enum {
    COUNTY_EACCT_BASE = 20000,
    COUNTY_EROLE,      /* not one of the role names */
    COUNTY_ESCOPE,     /* not a place of this county */
    COUNTY_EROLESCOPE, /* the role does not work at that level of place */
    COUNTY_ELOGIN,     /* a login must be 1..32 of a-z 0-9 . _ -, starting a-z or 0-9 */
    COUNTY_EDUPLOGIN,  /* the login exists */
    COUNTY_ENOACCOUNT, /* no such login */
    COUNTY_EWEAKPW,    /* shorter than 8 characters, or only digits */
    COUNTY_EBADPW,     /* wrong login or password */
    COUNTY_EDISABLED,  /* right password, disabled account */
    COUNTY_ELOCKED,    /* too many failures lately: not even checked */
    COUNTY_EACCT_LAST
};

#define COUNTY_PW_MIN 8       /* characters (UTF-8 code points) */
#define COUNTY_PW_MAX 256     /* bytes: longer input is refused, not cut */
#define COUNTY_HASH_MAX 128   /* crypto_pwhash_STRBYTES */
#define COUNTY_FAIL_MAX 5     /* failures within the window that lock a login */
#define COUNTY_FAIL_WINDOW 15 /* minutes */

/* Borrowed, static text for -COUNTY_E* (else tb_strerror's), zh or en. */
const char *county_account_strerror(int err);

/* "supervisor", "backoffice", "window", "agent", "auditor": 0 or -COUNTY_EROLE. */
int county_role_parse(const char *name, county_role_t *ret_role);
/* The role's name above, and its label for people (zh or en); NULL for no role. */
const char *county_role_name(county_role_t role);
const char *county_role_label(county_role_t role);
/* 0 if the role works at places of this level, else -COUNTY_EROLESCOPE. */
int county_role_fits(county_role_t role, tb_level_t level);
/* 0 if scope is a known place in the county `county` (itself, one of its
 * townships or villages), else -COUNTY_ESCOPE. */
int county_scope_check(const tb_places_t *places, const char *county, const char *scope);
/* 0, or -COUNTY_ELOGIN. */
int county_login_check(const char *login);
/* 0, or -COUNTY_EWEAKPW (fewer than 8 characters, only digits, longer than
 * COUNTY_PW_MAX bytes, not UTF-8 or with control characters). */
int county_password_check(const char *password);

/* Argon2id hash of password into ret_hash (COUNTY_HASH_MAX bytes): 0, or
 * -ENOMEM (libsodium could not get the memory).  Never fails on content. */
int county_password_hash(const char *password, char ret_hash[COUNTY_HASH_MAX]);
/* 0 if password matches hash, else -COUNTY_EBADPW (also for a malformed hash). */
int county_password_verify(const char *hash, const char *password);

/* A new account.  by: who makes the change (a login, or "os:USER"). */
typedef struct {
    const char *login, *name, *scope, *password;
    county_role_t role;
} county_account_t;

/* Check everything, then insert the account and its audit row in one
 * statement: 0, -COUNTY_E* or -TB_EBADNAME (nothing written), -TB_ESTORE. */
int county_account_add(PGconn *pg, const tb_env_ctx_t *env, const county_account_t *acct,
                       const char *by);
/* Enable or disable: 0, -COUNTY_ENOACCOUNT, -TB_ESTORE.  Setting the state
 * it already has is a change all the same (audited, new version). */
int county_account_set_enabled(PGconn *pg, const char *login, bool enabled, const char *by);
/* New password: 0, -COUNTY_EWEAKPW, -COUNTY_ENOACCOUNT, -TB_ESTORE; clears the login's failures. */
int county_account_passwd(PGconn *pg, const char *login, const char *password, const char *by);
/* Sign-in check: 0 if the login exists, is enabled and the password is
 * right.  -COUNTY_ELOCKED without looking at the password once the login
 * had COUNTY_FAIL_MAX failures in the last COUNTY_FAIL_WINDOW minutes;
 * -COUNTY_EBADPW (unknown login or wrong password: a failure is stored);
 * -COUNTY_EDISABLED; -TB_ESTORE.  Success clears the login's failures. */
int county_account_verify(PGconn *pg, const char *login, const char *password);
/* Who signed in: what the dashboard's and the command line's sign-ins know of
 * an account (the same sizes as tb_webuser_t, which the dashboard fills from it). */
typedef struct {
    char login[33], name[65], role[16], scope[TB_CODE_LEN + 1];
} county_user_t;
/* county_account_verify, then the account's name, role and scope into
 * *ret_user (written only on success): 0 or verify's codes. */
int county_account_signin(PGconn *pg, const char *login, const char *password,
                          county_user_t *ret_user);
/* Record in the audit that login signed in on the command line for step
 * (e.g. "decide") on case_id (NULL: none, a county-wide step): 0 or -TB_ESTORE. */
int county_account_audit_signin(PGconn *pg, const char *login, const char *step,
                                const char *case_id);
/* True when place lies in scope's subtree (the place itself, or below it). */
bool county_in_scope(const char *scope, const char *place);

/* The command line's sign-in for a county step (county_signin.c).  step is
 * the command as typed ("decide", "complaint accept", "ratings review",
 * "limits set", ...); case_id the case it changes, or NULL for a step on
 * the whole county.  The login from env's config (--login, TONGBAN_LOGIN),
 * the password from tb_signin_password (in, prompt_fd); then
 * county_account_signin (Argon2id, one verification for an unknown login as
 * for a wrong one, the lockout shared with the dashboard), the role the step
 * needs (county_step_roles), the case inside the account's scope, and the
 * sign-in in the audit.  0 with *ret_user; refused: -EACCES (no login, or
 * the role does not fit), -COUNTY_EBADPW, -COUNTY_EDISABLED,
 * -COUNTY_ELOCKED, -COUNTY_ESCOPE, a password source's code; -TB_ESTORE,
 * -ENOMEM; the words (Chinese first, naming the problem) in ret_msg. */
int county_signin(PGconn *pg, const tb_env_ctx_t *env, FILE *in, int prompt_fd, const char *step,
                  const char *case_id, county_user_t *ret_user, tb_msg_t *ret_msg);
/* The roles that may take step, as a bit set of 1u << county_role_t; 0 for
 * a step nobody signs in for (unknown). */
unsigned county_step_roles(const char *step);

/* Every account (never the hash) as a table or JSON, to out. */
int county_account_list(PGconn *pg, const tb_env_ctx_t *env, bool json, FILE *out);

/* The audit (county_audit.c). */
/* Record that `who` viewed case_id's personal data by `what` ("show", ...): 0 or -TB_ESTORE. */
int county_audit_view(PGconn *pg, const char *who, const char *case_id, const char *what);
/* The audit rows, oldest first, to out; each filter may be NULL: case_id (views
 * of that case), login (rows by that actor or about that account), since
 * (YYYY-MM-DD, China time).  0, -EINVAL (since malformed), -TB_ESTORE. */
/* `show`: in one transaction, record the view, then print the case
 * (county_print_case); a view that cannot be recorded is not shown.  0,
 * -TB_ENOCASE (nothing recorded), -TB_ESTORE. */
int county_audit_show(PGconn *pg, const tb_env_ctx_t *env, const char *who, const char *case_id,
                      bool json);
typedef struct {
    const char *case_id, *login, *since;
} county_audit_query_t;
/* Who runs a command at the county's machine without signing in: "os:USER"
 * (the effective user), into buf.  Always succeeds ("os:uid N" without a name). */
void county_audit_os_actor(char *buf, size_t n);

/* `tongban-county account ...` and `tongban-county audit ...`: the exit
 * status.  In the executable (account_cli.c), not in county-core. */
int county_account_main(int argc, char **argv);
int county_audit_print(PGconn *pg, const county_audit_query_t *q, bool json, FILE *out);

#endif
