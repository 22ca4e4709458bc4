/* tb_nodeauth: sign-in with the distributed accounts, and the audit (tb_nodeauth.h). */
#include "tb_nodeauth.h"

#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_log.h"
#include "tb_place.h"
#include "tb_signin.h"
#include "tb_store_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tb_audit_add(tb_store_t *store, const char *login, const char *what, const char *case_id,
                 const char *detail)
{
    sqlite3_stmt *st;
    int rc = tb_store_prep(store,
                           "INSERT INTO audit(at_ms, login, what, case_id, detail)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, tb_now_ms());
    sqlite3_bind_text(st, 2, login ? login : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, what, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, case_id ? case_id : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tb_store_sql_err(store, "audit");
    sqlite3_finalize(st);
    return rc;
}

static int failures(tb_store_t *store, const char *login, int64_t *ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_prep(store,
                           "SELECT count(*) FROM audit WHERE login = ?1 AND at_ms > ?2"
                           " AND what IN ('login-failed', 'login-locked')",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, tb_now_ms() - TB_NODEAUTH_WINDOW_MS);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : tb_store_sql_err(store, "audit");
    if (rc == 0)
        *ret = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

bool tb_nodeauth_can_change(const char *role, const char *place)
{
    tb_level_t lv = tb_code_level(place);
    return (lv == TB_LEVEL_VILLAGE && strcmp(role, "agent") == 0) ||
           (lv == TB_LEVEL_TOWNSHIP && strcmp(role, "window") == 0);
}

static bool role_fits(const char *role, const char *place)
{
    return tb_nodeauth_can_change(role, place) || strcmp(role, "supervisor") == 0 ||
           strcmp(role, "auditor") == 0;
}

int tb_nodeauth_verify(void *ctx, const char *login, const char *password, tb_webuser_t *ret)
{
    const tb_nodeauth_t *a = ctx;
    tb_store_t *store = NULL;
    int rc = tb_store_open(a->data_dir, a->place, &store);
    if (rc < 0)
        return rc;
    int64_t n = 0;
    if ((rc = failures(store, login, &n)) < 0)
        goto out;
    if (n >= TB_NODEAUTH_FAIL_MAX) {
        rc = tb_audit_add(store, login, "login-locked", NULL, NULL);
        rc = rc < 0 ? rc : -TB_ELOCKED;
        goto out;
    }
    char kind[40];
    snprintf(kind, sizeof kind, TB_DATA_ACCOUNTS "%s", a->place);
    char *body = NULL;
    size_t len = 0;
    uint32_t version;
    tb_account_t acc;
    const char *why = NULL;
    rc = tb_store_data_newest(store, kind, &version, &body, &len);
    if (rc == -ENOENT)
        why = "no accounts here yet";
    else if (rc < 0)
        goto out;
    else if ((rc = tb_accountlist_find(body, len, login, &acc)) == -ENOENT)
        why = "unknown login";
    else if (rc < 0)
        why = "the account list does not parse";
    /* One Argon2id verification whatever the login (the dummy's when there is
     * no hash: tb_signin.h), so the time of the answer tells nothing. */
    int pw = tb_signin_check(why ? NULL : acc.pw_hash, password);
    free(body);
    if (pw == -ENOMEM) {
        rc = pw;
        goto out;
    }
    if (!why && !acc.enabled)
        why = "disabled";
    else if (!why && pw < 0)
        why = "wrong password";
    else if (!why && !tb_web_in_scope(acc.scope, a->place))
        why = "scope outside this node";
    else if (!why && !role_fits(acc.role, a->place))
        why = "role does not fit this node";
    sodium_memzero(acc.pw_hash, sizeof acc.pw_hash);
    if (why) {
        rc = tb_audit_add(store, login, "login-failed", NULL, why);
        rc = rc < 0 ? rc : -TB_EAUTH;
        goto out;
    }
    memset(ret, 0, sizeof *ret);
    snprintf(ret->login, sizeof ret->login, "%s", acc.login);
    snprintf(ret->name, sizeof ret->name, "%s", acc.name);
    snprintf(ret->role, sizeof ret->role, "%s", acc.role);
    snprintf(ret->scope, sizeof ret->scope, "%s", acc.scope);
    rc = tb_audit_add(store, login, "login", NULL, acc.role);
out:
    tb_store_destroy(&store);
    return rc;
}

int tb_audit_json(tb_store_t *store, const char *login, const char *case_id, json_t **ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_prep(store,
                           "SELECT at_ms, login, what, case_id, detail FROM audit"
                           " WHERE (?1 IS NULL OR login = ?1) AND (?2 IS NULL OR case_id = ?2)"
                           " ORDER BY id",
                           &st);
    if (rc < 0)
        return rc;
    if (login)
        sqlite3_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
    if (case_id)
        sqlite3_bind_text(st, 2, case_id, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    int s;
    while (arr && (s = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s}", "at_ms",
                                             (json_int_t)sqlite3_column_int64(st, 0), "login",
                                             (const char *)sqlite3_column_text(st, 1), "what",
                                             (const char *)sqlite3_column_text(st, 2), "case_id",
                                             (const char *)sqlite3_column_text(st, 3), "detail",
                                             (const char *)sqlite3_column_text(st, 4)));
    sqlite3_finalize(st);
    if (!arr)
        return -ENOMEM;
    *ret = arr;
    return 0;
}
