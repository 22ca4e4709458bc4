/* County staff commands (decide, result, suspend, resume) and the catalog.
 *
 * The county daemon holds each case's state in memory and is the only writer
 * of events, so a command does not write events itself: it checks the step
 * against the stored fold (a clear error at once, nothing written), then
 * queues it in county_commands and waits for the daemon to take it, validate
 * it again with the same state machine and record it.  If no daemon takes it
 * within the wait, the command is withdrawn, so nothing changes.
 *
 * Exactly once (issue 9, migration 020): before, a connection that dropped
 * after the INSERT made the command report a store error although the row
 * stayed and the daemon applied it; the person typed it again and it ran
 * twice.  Now the row carries a key chosen before the INSERT, and a lost
 * connection is made again and the same statement repeated: the INSERT
 * finds its own row by the key, the wait goes on and reports what the
 * daemon did. */
#include "county.h"
#include "county_complaint.h"

#include "tb_error.h"
#include "tb_file.h"
#include "tb_log.h"
#include "tb_i18n.h"
#include "tb_report.h"
#include "tb_wire.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int county_cmd_key(char ret_key[COUNTY_CMD_KEY_LEN])
{
    uint8_t b[16];
    for (size_t got = 0; got < sizeof b;) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0 && errno != EINTR)
            return -errno;
        got += n > 0 ? (size_t)n : 0;
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(ret_key + 2 * i, 3, "%02x", b[i]);
    return 0;
}

enum { CMD_RECONNECTS = 30 }; /* a dropped connection made again, 200 ms apart */

/* A statement of the command line's; when the connection was lost (the
 * server ended it, a network fault) it is made again (PQreset) and the
 * statement repeated: each statement below may run twice (the INSERT finds
 * its row by the key). */
static PGresult *exec_again(PGconn *pg, const char *sql, int n, const char *const *v)
{
    for (int tries = 0;; tries++) {
        PGresult *r = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK || PQstatus(pg) != CONNECTION_BAD ||
            tries == CMD_RECONNECTS)
            return r;
        PQclear(r);
        nap_ms(200);
        PQreset(pg);
    }
}

int county_command(PGconn *pg, const tb_env_ctx_t *env, const county_cmd_t *cmd, char *ret_err,
                   size_t err_size)
{
    char key[COUNTY_CMD_KEY_LEN];
    int rc = county_cmd_key(key);
    return rc < 0 ? rc : county_command_keyed(pg, env, cmd, key, ret_err, err_size);
}

int county_command_keyed(PGconn *pg, const tb_env_ctx_t *env, const county_cmd_t *cmd,
                         const char *key, char *ret_err, size_t err_size)
{
    ret_err[0] = '\0';
    const char *p1[1] = {cmd->case_id};
    PGresult *r =
        PQexecParams(pg, "SELECT fold FROM cases WHERE case_id = $1", 1, NULL, p1, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(ret_err, err_size, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return -TB_ENOCASE;
    }
    tb_case_t c;
    int rc = PQgetlength(r, 0, 0) > 0 ? tb_case_unpack((const uint8_t *)PQgetvalue(r, 0, 0),
                                                       (size_t)PQgetlength(r, 0, 0), &c)
                                      : -TB_EDATA;
    PQclear(r);
    if (rc < 0)
        return -TB_EILLEGAL; /* a case from before the lifecycle */
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)env->place;
    ev.origin_seq = 1;
    ev.case_id = (char *)cmd->case_id;
    ev.type = (Tongban__V1__EventType)cmd->type;
    ev.actor = (char *)cmd->actor;
    ev.reason = (char *)cmd->reason;
    ev.basis = (char *)cmd->basis;
    ev.decision = (Tongban__V1__Decision)cmd->decision;
    ev.at_ms = tb_now_ms();
    ev.due_ms = cmd->due_ms;
    ev.card_id = cmd->type == TB_EV_SUPERVISED ? 1 : 0; /* the daemon numbers the order */
    county_complaint_fill(&ev, cmd->type, cmd->basis, cmd->card_id);
    county_followup_fill(&ev, cmd->rating);
    tb_case_t next;
    if ((rc = tb_event_check(&ev)) < 0)
        return -TB_EBADVALUE;
    if ((rc = tb_event_fold(&c, &ev, env->catalog, &next)) < 0)
        return rc;

    char type[8], decision[8], due[24], card[24], rating[8];
    snprintf(type, sizeof type, "%d", cmd->type);
    snprintf(rating, sizeof rating, "%u", cmd->rating);
    snprintf(decision, sizeof decision, "%u", cmd->decision);
    snprintf(due, sizeof due, "%lld", (long long)cmd->due_ms);
    snprintf(card, sizeof card, "%lld", (long long)cmd->card_id);
    const char *p[10] = {cmd->case_id, type, cmd->actor, cmd->reason, cmd->basis,
                         decision,     due,  card,       key,         rating};
    /* The row it made, or (the INSERT again after a lost connection) the row
     * its first INSERT made. */
    r = exec_again(pg,
                   "WITH ins AS (INSERT INTO county_commands(case_id, type, actor, reason, basis,"
                   " decision, due_ms, card_id, idem_key, rating) VALUES ($1, $2, $3, $4, $5, $6,"
                   " $7, $8, $9, $10) ON CONFLICT (idem_key) DO NOTHING RETURNING id)"
                   " SELECT id FROM ins UNION ALL"
                   " SELECT id FROM county_commands WHERE idem_key = $9",
                   10, p);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
        snprintf(ret_err, err_size, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    char id[32];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *pid[1] = {id};
    bool withdrawn = false; /* the DELETE below ran, its answer maybe lost with the connection */
    for (int waited = 0;; waited += 100) {
        r = exec_again(pg, "SELECT status, error FROM county_commands WHERE id = $1", 1, pid);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0 && withdrawn) {
            PQclear(r);
            return -ETIMEDOUT;
        }
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            PQclear(r);
            return -TB_ESTORE;
        }
        char status[16];
        snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, 0));
        if (!strcmp(status, "done")) {
            PQclear(r);
            return 0;
        }
        if (!strcmp(status, "refused")) {
            snprintf(ret_err, err_size, "%s", PQgetvalue(r, 0, 1));
            PQclear(r);
            return -TB_EILLEGAL;
        }
        PQclear(r);
        if (waited >= cmd->wait_ms && !strcmp(status, "new")) {
            withdrawn = true;
            r = exec_again(pg, "DELETE FROM county_commands WHERE id = $1 AND status = 'new'", 1,
                           pid);
            bool gone = PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) == 1;
            PQclear(r);
            if (gone)
                return -ETIMEDOUT;
        }
        nap_ms(100);
    }
}

/* The statements per kind of data, written out (STYLE: no SQL built by concatenation). */
static const char *sql_insert(const char *kind)
{
    return strcmp(kind, TB_DATA_CATALOG) == 0
               ? "INSERT INTO catalog_versions(source, body) VALUES ($1, $2) RETURNING version"
               : "INSERT INTO calendar_versions(source, body) VALUES ($1, $2) RETURNING version";
}

static const char *sql_newest(const char *kind)
{
    return strcmp(kind, TB_DATA_CATALOG) == 0
               ? "SELECT version, body FROM catalog_versions ORDER BY version DESC LIMIT 1"
               : "SELECT version, body FROM calendar_versions ORDER BY version DESC LIMIT 1";
}

int county_data_import(PGconn *pg, const char *kind, const char *path, int *ret_line)
{
    if (strcmp(kind, TB_DATA_CATALOG) != 0 && strcmp(kind, TB_DATA_CALENDAR) != 0)
        return -EINVAL;
    /* It travels whole in one link message: no bigger than TB_MAX_BODY once packed. */
    char *body;
    size_t n;
    int rc = tb_read_file(path, TB_MAX_BODY, &body, &n);
    if (rc < 0)
        return rc;
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)kind;
    dv.version = 1;
    dv.body.data = (uint8_t *)body;
    dv.body.len = n;
    uint8_t sig[64] = {0}; /* the signature it will carry counts in its size */
    dv.signature.data = sig;
    dv.signature.len = sizeof sig;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    if (tongban__v1__item__get_packed_size(&item) > TB_MAX_BODY - 16) {
        free(body);
        return -EFBIG;
    }
    if (strlen(body) != n) {
        *ret_line = 1;
        free(body);
        return -TB_EDATA; /* a NUL byte: not text */
    }
    if (strcmp(kind, TB_DATA_CATALOG) == 0) {
        tb_catalog_t *cat = tb_catalog_new();
        rc = cat ? tb_catalog_load_buf(cat, body, n, ret_line) : -ENOMEM;
        tb_catalog_destroy(&cat);
    } else {
        tb_calendar_t *cal = tb_calendar_new();
        rc = cal ? tb_calendar_load_buf(cal, body, n, ret_line) : -ENOMEM;
        tb_calendar_destroy(&cal);
    }
    if (rc < 0) {
        free(body);
        return rc;
    }
    const char *p[2] = {path, body};
    PGresult *r = PQexecParams(pg, sql_insert(kind), 2, NULL, p, NULL, NULL, 0);
    rc = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -TB_ESTORE;
    PQclear(r);
    free(body);
    return rc;
}

int county_catalog_import(PGconn *pg, const char *path, int *ret_line)
{
    return county_data_import(pg, TB_DATA_CATALOG, path, ret_line);
}

int county_data_current(PGconn *pg, tb_env_ctx_t *env)
{
    static const char *const kinds[] = {TB_DATA_CATALOG, TB_DATA_CALENDAR};
    for (size_t i = 0; i < 2; i++) {
        PGresult *r = PQexec(pg, sql_newest(kinds[i]));
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            PQclear(r);
            return -TB_ESTORE;
        }
        int rc = 0, line = 0;
        if (PQntuples(r) == 1) {
            const char *body = PQgetvalue(r, 0, 1);
            uint32_t version = (uint32_t)strtoul(PQgetvalue(r, 0, 0), NULL, 10);
            if (i == 0 && (rc = tb_catalog_load_buf(env->catalog, body, strlen(body), &line)) == 0)
                env->catalog_version = version;
            if (i == 1 &&
                (rc = tb_calendar_load_buf(env->calendar, body, strlen(body), &line)) == 0)
                env->calendar_version = version;
        }
        PQclear(r);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int county_print_refused(PGconn *pg, bool json, FILE *out)
{
    PGresult *r =
        PQexec(pg, "SELECT peer, count(*), (array_agg(why ORDER BY at DESC))[1],"
                   " to_char(max(at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"
                   " FROM quarantine GROUP BY peer ORDER BY peer");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    int rc = 0;
    json_t *arr = json ? json_array() : NULL;
    if (json && !arr)
        rc = -ENOMEM;
    if (!json && PQntuples(r) == 0)
        fputs(TB_TR("没有被拒收的消息\n", "no message refused\n"), out);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        if (!json) {
            fprintf(out, TB_TR("%s  拒收 %s 条  最近 %s：%s\n", "%s  %s refused  last %s: %s\n"),
                    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 3),
                    PQgetvalue(r, i, 2));
            continue;
        }
        json_t *o = json_pack("{s:s, s:I, s:s, s:s}", "peer", PQgetvalue(r, i, 0), "refused",
                              (json_int_t)strtoll(PQgetvalue(r, i, 1), NULL, 10), "last_why",
                              PQgetvalue(r, i, 2), "last_at", PQgetvalue(r, i, 3));
        if (!o || json_array_append_new(arr, o) < 0)
            rc = -ENOMEM;
    }
    PQclear(r);
    if (rc == 0 && json && json_dumpf(arr, out, JSON_INDENT(2)) == 0)
        fputc('\n', out);
    json_decref(arr);
    return rc;
}
