/* The county's accounts: the rules (pure) and the PostgreSQL store.
 *
 * Why one statement per change: a data-modifying WITH inserts or updates the
 * account and appends the audit row together, so there is no window in which
 * an account changed without its audit row, and no transaction to leave open
 * on an error path.  An explicit BEGIN/COMMIT pair was the alternative; it
 * needs a ROLLBACK on every failure path for no gain here.
 *
 * The rate limit is stored (login_failures), not kept in memory: `account
 * check` is a short-lived process, and the screens' sign-in will be several
 * processes; a guesser restarting them must not reset the count.  A login
 * past the limit is refused before its hash is even computed, so the
 * Argon2id cost is not a lever for load either. */
#include "county_accounts.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_signin.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *zh, *en;
} acct_errors[COUNTY_EACCT_LAST - COUNTY_EACCT_BASE] = {
    [COUNTY_EROLE -
     COUNTY_EACCT_BASE] = {"未知角色（可用：supervisor 县级督办、backoffice "
                           "县级后台、window 乡镇窗口、agent 村代办员、auditor 审计）",
                           "unknown role (supervisor, backoffice, window, agent, "
                           "auditor)"},
    [COUNTY_ESCOPE - COUNTY_EACCT_BASE] = {"范围不是本县的区划（本县、本县的乡镇或村）",
                                           "the scope is not a place of this county (the county, "
                                           "one of its townships or villages)"},
    [COUNTY_EROLESCOPE - COUNTY_EACCT_BASE] = {"角色与范围的层级不符（县级督办、县级后台：县；乡镇"
                                               "窗口：乡镇；村代办员：村；审计：县或乡镇）",
                                               "the role does not fit the scope's level "
                                               "(supervisor, backoffice: the county; window: a "
                                               "township; agent: a village; auditor: the county "
                                               "or a township)"},
    [COUNTY_ELOGIN - COUNTY_EACCT_BASE] = {"登录名须为 1 至 32 个小写字母、数字或 . _ -，"
                                           "以字母或数字开头",
                                           "a login is 1 to 32 of a-z, 0-9, '.', '_', '-', "
                                           "starting with a letter or digit"},
    [COUNTY_EDUPLOGIN - COUNTY_EACCT_BASE] = {"登录名已存在", "the login already exists"},
    [COUNTY_ENOACCOUNT - COUNTY_EACCT_BASE] = {"没有这个登录名", "no such login"},
    [COUNTY_EWEAKPW - COUNTY_EACCT_BASE] = {"密码太弱：至少 8 个字符，不能全是数字（最长 256 "
                                            "字节，不含控制字符）",
                                            "the password is too weak: at least 8 characters, "
                                            "not only digits (at most 256 bytes, no control "
                                            "characters)"},
    [COUNTY_EBADPW - COUNTY_EACCT_BASE] = {"登录名或密码错误", "wrong login or password"},
    [COUNTY_EDISABLED - COUNTY_EACCT_BASE] = {"账号已停用", "the account is disabled"},
    [COUNTY_ELOCKED - COUNTY_EACCT_BASE] = {"失败次数过多，请 15 分钟后再试",
                                            "too many failed attempts; try again in 15 minutes"},
};

const char *county_account_strerror(int err)
{
    int e = err < 0 ? -err : err;
    if (e > COUNTY_EACCT_BASE && e < COUNTY_EACCT_LAST)
        return TB_TR(acct_errors[e - COUNTY_EACCT_BASE].zh, acct_errors[e - COUNTY_EACCT_BASE].en);
    return tb_strerror(err);
}

static const struct {
    const char *name, *zh, *en;
} roles[] = {
    [COUNTY_ROLE_SUPERVISOR] = {"supervisor", "县级督办", "county supervisor"},
    [COUNTY_ROLE_BACKOFFICE] = {"backoffice", "县级后台", "county back office"},
    [COUNTY_ROLE_WINDOW] = {"window", "乡镇窗口", "township window staff"},
    [COUNTY_ROLE_AGENT] = {"agent", "村代办员", "village agent"},
    [COUNTY_ROLE_AUDITOR] = {"auditor", "审计", "auditor (read-only)"},
};
#define NROLES ((int)(sizeof roles / sizeof roles[0]))

int county_role_parse(const char *name, county_role_t *ret_role)
{
    for (int r = 1; name && r < NROLES; r++)
        if (!strcmp(name, roles[r].name)) {
            *ret_role = (county_role_t)r;
            return 0;
        }
    return -COUNTY_EROLE;
}

const char *county_role_name(county_role_t role)
{
    return role > 0 && (int)role < NROLES ? roles[role].name : NULL;
}

const char *county_role_label(county_role_t role)
{
    return role > 0 && (int)role < NROLES ? TB_TR(roles[role].zh, roles[role].en) : NULL;
}

int county_role_fits(county_role_t role, tb_level_t level)
{
    bool fits = false;
    switch (role) {
    case COUNTY_ROLE_SUPERVISOR:
    case COUNTY_ROLE_BACKOFFICE:
        fits = level == TB_LEVEL_COUNTY;
        break;
    case COUNTY_ROLE_WINDOW:
        fits = level == TB_LEVEL_TOWNSHIP;
        break;
    case COUNTY_ROLE_AGENT:
        fits = level == TB_LEVEL_VILLAGE;
        break;
    case COUNTY_ROLE_AUDITOR:
        fits = level == TB_LEVEL_COUNTY || level == TB_LEVEL_TOWNSHIP;
        break;
    case COUNTY_ROLE_NONE:
        break;
    }
    return fits ? 0 : -COUNTY_EROLESCOPE;
}

bool county_in_scope(const char *scope, const char *place)
{
    if (!scope || !place || !tb_code_valid(scope) || !tb_code_valid(place))
        return false;
    char up[TB_CODE_LEN + 1];
    snprintf(up, sizeof up, "%s", place);
    /* Walk up from the place: a village's parent is its township, whose parent is the county. */
    for (int i = 0; i < 3; i++) {
        char p[TB_CODE_LEN + 1];
        if (strcmp(up, scope) == 0)
            return true;
        if (tb_code_level(up) == TB_LEVEL_COUNTY || tb_code_parent(up, p) < 0)
            return false;
        memcpy(up, p, sizeof up);
    }
    return false;
}

int county_scope_check(const tb_places_t *places, const char *county, const char *scope)
{
    if (!scope || !tb_code_valid(scope) || tb_places_check(places, scope) < 0)
        return -COUNTY_ESCOPE;
    return county_in_scope(county, scope) ? 0 : -COUNTY_ESCOPE;
}

int county_login_check(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 1 || n > 32)
        return -COUNTY_ELOGIN;
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return -COUNTY_ELOGIN;
    }
    return 0;
}

int county_password_check(const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n > COUNTY_PW_MAX || !tb_utf8_valid(password, n))
        return -COUNTY_EWEAKPW;
    size_t chars = 0;
    bool digits = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c < 0x20 || c == 0x7f)
            return -COUNTY_EWEAKPW;
        if ((c & 0xc0) != 0x80)
            chars++;
        if (c < '0' || c > '9')
            digits = false;
    }
    return chars >= COUNTY_PW_MIN && !digits ? 0 : -COUNTY_EWEAKPW;
}

int county_password_hash(const char *password, char ret_hash[COUNTY_HASH_MAX])
{
    char out[crypto_pwhash_STRBYTES];
    _Static_assert(crypto_pwhash_STRBYTES <= COUNTY_HASH_MAX, "COUNTY_HASH_MAX too small");
    if (sodium_init() < 0)
        return -ENOMEM;
    /* crypto_pwhash_str is Argon2id in libsodium >= 1.0.15; its only failure is memory. */
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return -ENOMEM;
    memcpy(ret_hash, out, sizeof out);
    return 0;
}

int county_password_verify(const char *hash, const char *password)
{
    if (sodium_init() < 0)
        return -ENOMEM;
    if (!hash || !password || strncmp(hash, "$argon2id$", 10) != 0 ||
        strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return -COUNTY_EBADPW;
    int rc = tb_signin_check(hash, password);
    return rc == -TB_EAUTH ? -COUNTY_EBADPW : rc;
}

/* Run a statement that writes; the number of rows it reports, or -TB_ESTORE. */
static int exec_rows(PGconn *pg, const char *sql, int n, const char *const *p)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
    int rows = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK
                   ? atoi(PQcmdTuples(r))
                   : -TB_ESTORE;
    PQclear(r);
    return rows;
}

int county_account_add(PGconn *pg, const tb_env_ctx_t *env, const county_account_t *acct,
                       const char *by)
{
    int rc;
    if ((rc = county_login_check(acct->login)) < 0)
        return rc;
    if (!county_role_name(acct->role))
        return -COUNTY_EROLE;
    if ((rc = county_scope_check(env->places, env->place, acct->scope)) < 0)
        return rc;
    if ((rc = county_role_fits(acct->role, tb_code_level(acct->scope))) < 0)
        return rc;
    if (!acct->name || tb_check_name(acct->name) < 0)
        return -TB_EBADNAME;
    if ((rc = county_password_check(acct->password)) < 0)
        return rc;
    char hash[COUNTY_HASH_MAX];
    if ((rc = county_password_hash(acct->password, hash)) < 0)
        return rc;
    const char *p[6] = {acct->login, acct->name, county_role_name(acct->role),
                        acct->scope, hash,       by};
    rc = exec_rows(pg,
                   "WITH a AS (INSERT INTO accounts(login, name, role, scope, pw_hash)"
                   " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (login) DO NOTHING"
                   " RETURNING login, role, scope)"
                   " INSERT INTO account_audit(actor, login, action, detail)"
                   " SELECT $6, login, 'add', role || ' ' || scope FROM a",
                   6, p);
    sodium_memzero(hash, sizeof hash);
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : -COUNTY_EDUPLOGIN;
}

int county_account_set_enabled(PGconn *pg, const char *login, bool enabled, const char *by)
{
    const char *p[4] = {login, enabled ? "true" : "false", by, enabled ? "enable" : "disable"};
    int rc = exec_rows(pg,
                       "WITH a AS (UPDATE accounts SET enabled = $2::boolean, changed_at = now(),"
                       " version = nextval('account_version') WHERE login = $1 RETURNING login)"
                       " INSERT INTO account_audit(actor, login, action)"
                       " SELECT $3, login, $4 FROM a",
                       4, p);
    return rc < 0 ? rc : rc == 1 ? 0 : -COUNTY_ENOACCOUNT;
}

int county_account_passwd(PGconn *pg, const char *login, const char *password, const char *by)
{
    int rc = county_password_check(password);
    if (rc < 0)
        return rc;
    char hash[COUNTY_HASH_MAX];
    if ((rc = county_password_hash(password, hash)) < 0)
        return rc;
    const char *p[3] = {login, hash, by};
    rc = exec_rows(pg,
                   "WITH a AS (UPDATE accounts SET pw_hash = $2, changed_at = now(),"
                   " version = nextval('account_version') WHERE login = $1 RETURNING login),"
                   " f AS (DELETE FROM login_failures WHERE login IN (SELECT login FROM a))"
                   " INSERT INTO account_audit(actor, login, action)"
                   " SELECT $3, login, 'passwd' FROM a",
                   3, p);
    sodium_memzero(hash, sizeof hash);
    return rc < 0 ? rc : rc == 1 ? 0 : -COUNTY_ENOACCOUNT;
}

int county_account_verify(PGconn *pg, const char *login, const char *password)
{
    /* Not a login anyone can have: refused, and nothing stored for it; its
     * answer costs the dummy's verification all the same (tb_signin.h). */
    if (county_login_check(login) < 0 || !password) {
        int rc = tb_signin_check(NULL, password);
        return rc == -TB_EAUTH ? -COUNTY_EBADPW : rc;
    }
    char max[16], window[16];
    snprintf(max, sizeof max, "%d", COUNTY_FAIL_MAX);
    snprintf(window, sizeof window, "%d", COUNTY_FAIL_WINDOW);
    const char *p[2] = {login, window};
    PGresult *r = PQexecParams(pg,
                               "SELECT count(*) FROM login_failures WHERE login = $1"
                               " AND at > now() - make_interval(mins => $2::integer)",
                               2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return -TB_ESTORE;
    }
    long failures = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (failures >= COUNTY_FAIL_MAX)
        return -COUNTY_ELOCKED;
    r = PQexecParams(pg, "SELECT pw_hash, enabled FROM accounts WHERE login = $1", 1, NULL, p, NULL,
                     NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    int rc = -COUNTY_EBADPW;
    bool enabled = false;
    if (PQntuples(r) == 1) {
        rc = county_password_verify(PQgetvalue(r, 0, 0), password);
        enabled = !strcmp(PQgetvalue(r, 0, 1), "t");
    } else {
        /* An unknown login costs the same Argon2id verification as a wrong
         * password (against the dummy hash: tb_signin.h), so the time of the
         * answer does not tell which logins exist. */
        rc = tb_signin_check(NULL, password);
        if (rc == -TB_EAUTH)
            rc = -COUNTY_EBADPW;
    }
    PQclear(r);
    if (rc == -COUNTY_EBADPW) {
        if (exec_rows(pg, "INSERT INTO login_failures(login) VALUES ($1)", 1, p) < 0)
            return -TB_ESTORE;
        return rc;
    }
    if (rc < 0)
        return rc;
    if (!enabled)
        return -COUNTY_EDISABLED;
    return exec_rows(pg, "DELETE FROM login_failures WHERE login = $1", 1, p) < 0 ? -TB_ESTORE : 0;
}

int county_account_signin(PGconn *pg, const char *login, const char *password,
                          county_user_t *ret_user)
{
    int rc = county_account_verify(pg, login, password);
    if (rc < 0)
        return rc;
    const char *p[1] = {login};
    PGresult *r = PQexecParams(pg, "SELECT name, role, scope FROM accounts WHERE login = $1", 1,
                               NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return -TB_ESTORE;
    }
    county_user_t u = {0};
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.name, sizeof u.name, "%s", PQgetvalue(r, 0, 0));
    snprintf(u.role, sizeof u.role, "%s", PQgetvalue(r, 0, 1));
    snprintf(u.scope, sizeof u.scope, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    *ret_user = u;
    return 0;
}

int county_account_audit_signin(PGconn *pg, const char *login, const char *step,
                                const char *case_id)
{
    const char *p[3] = {login, step, case_id};
    return exec_rows(pg,
                     "INSERT INTO account_audit(actor, login, action, detail, case_id)"
                     " VALUES ($1, $1, 'signin', $2, $3)",
                     3, p) == 1
               ? 0
               : -TB_ESTORE;
}

int county_account_list(PGconn *pg, const tb_env_ctx_t *env, bool json, FILE *out)
{
    PGresult *r =
        PQexec(pg, "SELECT login, name, role, scope, enabled,"
                   " to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
                   " to_char(changed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
                   " version FROM accounts ORDER BY login");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json ? json_array() : NULL;
    int rc = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        county_role_t role = COUNTY_ROLE_NONE;
        county_role_parse(PQgetvalue(r, i, 2), &role);
        const char *scope = PQgetvalue(r, i, 3), *place = tb_places_name(env->places, scope);
        bool enabled = !strcmp(PQgetvalue(r, i, 4), "t");
        if (json) {
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:I}", "login", PQgetvalue(r, i, 0),
                          "name", PQgetvalue(r, i, 1), "role", PQgetvalue(r, i, 2), "scope", scope,
                          "enabled", enabled, "created", PQgetvalue(r, i, 5), "changed",
                          PQgetvalue(r, i, 6), "version", (json_int_t)atoll(PQgetvalue(r, i, 7)));
            if (!o || json_array_append_new(arr, o) < 0) {
                rc = -ENOMEM;
                break;
            }
        } else
            fprintf(out, "%-16s %s  %s  %s %s  %s  %s %s  v%s\n", PQgetvalue(r, i, 0),
                    PQgetvalue(r, i, 1), role ? county_role_label(role) : PQgetvalue(r, i, 2),
                    scope, place ? place : "",
                    enabled ? TB_TR("启用", "enabled") : TB_TR("停用", "disabled"),
                    TB_TR("修改于", "changed"), PQgetvalue(r, i, 6), PQgetvalue(r, i, 7));
    }
    if (!json && rc == 0)
        fprintf(out, TB_TR("共 %d 个账号\n", "%d account(s)\n"), PQntuples(r));
    PQclear(r);
    if (json && rc == 0) {
        char *txt = json_dumps(arr, JSON_INDENT(2));
        if (!txt)
            rc = -ENOMEM;
        else {
            fprintf(out, "%s\n", txt);
            free(txt);
        }
    }
    json_decref(arr);
    return rc;
}
