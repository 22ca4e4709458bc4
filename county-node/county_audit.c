/* The audit: who changed which account (written by county_accounts.c in the
 * same statement as the change) and who viewed which case's personal data.
 *
 * Both tables are append-only in the database (triggers in
 * sql/005_accounts.sql refuse UPDATE, DELETE and TRUNCATE), so neither this
 * code nor anyone with a psql prompt on the county's role can rewrite them;
 * only a superuser dropping the triggers could, which is outside what an
 * application can defend. */
#include "county_accounts.h"

#include "county.h"

#include "tb_calendar.h"
#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void county_audit_os_actor(char *buf, size_t n)
{
    struct passwd pw, *res = NULL;
    char tmp[1024];
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &res) == 0 && res && res->pw_name[0])
        snprintf(buf, n, "os:%s", res->pw_name);
    else
        snprintf(buf, n, "os:uid %lu", (unsigned long)uid);
}

int county_audit_view(PGconn *pg, const char *who, const char *case_id, const char *what)
{
    const char *p[3] = {who, case_id, what};
    PGresult *r =
        PQexecParams(pg, "SELECT audit_record_view($1, $2, $3)", 3, NULL, p, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -TB_ESTORE;
    PQclear(r);
    return rc;
}

static int exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -TB_ESTORE;
    PQclear(r);
    return rc;
}

int county_audit_show(PGconn *pg, const tb_env_ctx_t *env, const char *who, const char *case_id,
                      bool json)
{
    /* Recorded before a line is printed, so a failing audit shows nothing;
     * rolled back when there is no such case.  What remains: a COMMIT that
     * fails after the case was printed (reported, exit 1). */
    int rc = exec_ok(pg, "BEGIN");
    if (rc < 0)
        return rc;
    rc = county_audit_view(pg, who, case_id, "show");
    if (rc == 0)
        rc = county_print_case(pg, env, case_id, json);
    int end = exec_ok(pg, rc == 0 ? "COMMIT" : "ROLLBACK");
    return rc < 0 ? rc : end;
}

int county_audit_print(PGconn *pg, const county_audit_query_t *q, bool json, FILE *out)
{
    if (q->since) {
        int y, m, d, end = 0;
        int32_t day;
        if (strlen(q->since) != 10 || sscanf(q->since, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 ||
            end != 10 || tb_day_from_ymd(y, m, d, &day) < 0)
            return -EINVAL;
    }
    const char *p[3] = {q->case_id, q->login, q->since};
    /* One list from both tables, oldest first; a case filter leaves the views
     * of the case and the command line's sign-ins for a step on it
     * (account_audit.case_id, migration 021). */
    PGresult *r = PQexecParams(
        pg,
        "SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), actor, action,"
        " target, detail FROM ("
        " SELECT at, 1 AS k, id, actor, action, login AS target,"
        " concat_ws(' ', nullif(detail, ''), case_id) AS detail, case_id FROM account_audit"
        " UNION ALL SELECT at, 2, id, actor, 'view', case_id, what, case_id FROM view_audit) x"
        " WHERE ($1::text IS NULL OR case_id = $1)"
        " AND ($2::text IS NULL OR actor = $2 OR (k = 1 AND target = $2))"
        " AND ($3::date IS NULL OR at >= ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai'))"
        " ORDER BY at, k, id",
        3, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json ? json_array() : NULL;
    int rc = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        if (json) {
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", PQgetvalue(r, i, 0), "actor",
                                  PQgetvalue(r, i, 1), "action", PQgetvalue(r, i, 2), "target",
                                  PQgetvalue(r, i, 3), "detail", PQgetvalue(r, i, 4));
            if (!o || json_array_append_new(arr, o) < 0) {
                rc = -ENOMEM;
                break;
            }
        } else
            fprintf(out, "%s  %s  %s  %s  %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
    }
    if (!json && rc == 0)
        fprintf(out, TB_TR("共 %d 条\n", "%d record(s)\n"), PQntuples(r));
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
