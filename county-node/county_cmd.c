/* County staff commands (decide, result, suspend, resume) and the catalog.
 *
 * The county daemon holds each case's state in memory and is the only writer
 * of events, so a command does not write events itself: it checks the step
 * against the stored fold (a clear error at once, nothing written), then
 * queues it in county_commands and waits for the daemon to take it, validate
 * it again with the same state machine and record it.  If no daemon takes it
 * within the wait, the command is withdrawn, so nothing changes. */
#include "county.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_i18n.h"
#include "tb_report.h"
#include "tb_wire.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int county_command(PGconn *pg, const tb_env_ctx_t *env, const county_cmd_t *cmd,
                   char *ret_err, size_t err_size)
{
    ret_err[0] = '\0';
    const char *p1[1] = {cmd->case_id};
    PGresult *r = PQexecParams(pg, "SELECT fold FROM cases WHERE case_id = $1", 1, NULL, p1, NULL,
                               NULL, 0);
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
    int rc = tb_case_decode(PQgetvalue(r, 0, 0), &c);
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
    tb_case_t next;
    if ((rc = tb_event_check(&ev)) < 0)
        return -TB_EBADVALUE;
    if ((rc = tb_event_fold(&c, &ev, env->catalog, &next)) < 0)
        return rc;

    char type[8], decision[8];
    snprintf(type, sizeof type, "%d", cmd->type);
    snprintf(decision, sizeof decision, "%u", cmd->decision);
    const char *p[6] = {cmd->case_id, type, cmd->actor, cmd->reason, cmd->basis, decision};
    r = PQexecParams(pg,
                     "INSERT INTO county_commands(case_id, type, actor, reason, basis, decision)"
                     " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                     6, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(ret_err, err_size, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    char id[32];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *pid[1] = {id};
    for (int waited = 0;; waited += 100) {
        r = PQexecParams(pg, "SELECT status, error FROM county_commands WHERE id = $1", 1, NULL,
                         pid, NULL, NULL, 0);
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
            r = PQexecParams(pg, "DELETE FROM county_commands WHERE id = $1 AND status = 'new'", 1,
                             NULL, pid, NULL, NULL, 0);
            bool gone = PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) == 1;
            PQclear(r);
            if (gone)
                return -ETIMEDOUT;
        }
        nap_ms(100);
    }
}

int county_catalog_import(PGconn *pg, const char *path, int *ret_line)
{
    tb_catalog_t *cat = tb_catalog_new();
    if (!cat)
        return -ENOMEM;
    int rc = tb_catalog_load(cat, path, ret_line);
    tb_catalog_destroy(&cat);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char *body = calloc(1, 1024 * 1024);
    size_t n = body ? fread(body, 1, 1024 * 1024 - 1, f) : 0;
    fclose(f);
    if (!body)
        return -ENOMEM;
    body[n] = '\0';
    const char *p[2] = {path, body};
    PGresult *r = PQexecParams(
        pg, "INSERT INTO catalog_versions(source, body) VALUES ($1, $2) RETURNING version", 2,
        NULL, p, NULL, NULL, 0);
    rc = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -TB_ESTORE;
    PQclear(r);
    free(body);
    return rc;
}

int county_catalog_current(PGconn *pg, tb_catalog_t *catalog, int *ret_version)
{
    PGresult *r = PQexec(pg, "SELECT version, body FROM catalog_versions ORDER BY version DESC"
                             " LIMIT 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    int rc = 0;
    *ret_version = 0;
    if (PQntuples(r) == 1) {
        /* Parse through a temporary file so the one CSV loader is used. */
        char path[] = "/tmp/tongban-catalog.XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
            PQclear(r);
            return -errno;
        }
        fputs(PQgetvalue(r, 0, 1), f);
        fclose(f);
        int line = 0;
        rc = tb_catalog_load(catalog, path, &line);
        unlink(path);
        if (rc == 0)
            *ret_version = atoi(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return rc;
}
