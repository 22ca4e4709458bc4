/* county_intake.c: work that does not come over the link: staff commands
 * (county_commands rows written by `tongban-county decide ...`) and newer
 * catalog and calendar versions (catalog_versions, calendar_versions), both
 * taken on a second, plain connection between batches and applied by the
 * next batch (county_apply_cmd, county_apply_data). */
#include "tb_sign.h"
#include "county_complaint.h"
#include "county_int.h"
#include "county_restore.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

static void cmd_free(cmd_t *c)
{
    free(c->actor);
    free(c->reason);
    free(c->basis);
}

void county_cmds_clear(county_t *self)
{
    for (size_t i = 0; i < self->ncmds; i++)
        cmd_free(&self->cmds[i]);
    self->ncmds = 0;
}

void county_intake_lost(county_t *self)
{
    county_cmds_clear(self); /* still 'taken' in the table: put back to 'new' on reconnect */
    if (self->cmd_pg) {
        county_notify_stop(self);
        PQfinish(self->cmd_pg);
        self->cmd_pg = NULL;
    }
}

/* A staff command: the same machine decides; the event is minted and sent
 * down to the township of the case, and the command marked in the same batch. */
int county_apply_cmd(county_t *self, const cmd_t *c)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)self->place; /* checked before emit_own numbers it */
    ev.origin_seq = self->batch_event_seq + 1;
    ev.case_id = (char *)c->case_id;
    ev.type = (Tongban__V1__EventType)c->type;
    ev.actor = c->actor;
    ev.reason = c->reason;
    ev.basis = c->basis;
    ev.decision = (Tongban__V1__Decision)c->decision;
    ev.at_ms = tb_now_ms();
    ev.due_ms = c->due_ms;
    if (c->type == TB_EV_SUPERVISED)
        ev.card_id = ev.origin_seq;                            /* the order's id is its event's */
    county_complaint_fill(&ev, c->type, c->basis, c->card_id); /* complaints: their fields */
    county_followup_fill(&ev, c->rating);                      /* 追评: its level and words */
    tb_case_t next;
    const tb_case_t *cur = county_case_lookup(self, c->case_id);
    int fold = tb_event_check(&ev);
    if (fold == 0)
        fold = cur ? tb_event_fold(cur, &ev, self->env->catalog, &next) : -TB_ENOCASE;
    /* Two staff typing the same complaint step at once both pass the CLI's
     * check: the flow as this batch has it lets the first through. */
    int turn = fold == 0 ? county_complaint_turn(self, &ev) : 0;
    if (turn < 0 && turn != -TB_EILLEGAL && turn != -TB_ENOTHOLDER)
        return turn;
    fold = turn < 0 ? turn : fold;
    params_t p = {0};
    p_int(&p, c->id);
    if (fold < 0) {
        p_text(&p, "refused");
        p_text(&p, turn < 0 ? county_complaint_why(&ev, turn) : tb_strerror(fold));
        p_int(&p, c->taken_by);
        tb_info("command %" PRId64 " on %s refused: %s", c->id, c->case_id, tb_strerror(fold));
        return county_stmt_send(self, "cmd_done", &p);
    }
    char origin[TB_CODE_LEN + 1], town[TB_CODE_LEN + 1];
    snprintf(origin, sizeof origin, "%.12s", c->case_id);
    if (tb_code_level(origin) != TB_LEVEL_VILLAGE || tb_code_parent(origin, town) < 0)
        memcpy(town, origin, sizeof town); /* a walk-in case: the township is the origin */
    char holder[TB_CODE_LEN + 1];
    memcpy(holder, cur->holder, sizeof holder); /* before the emit replaces it in the overlay */
    int rc = county_emit_own(self, &ev, town);
    if (rc == 0 && c->type == TB_EV_SUPERVISED)
        rc = county_sup_issued(self, &ev, c->card_id, holder); /* county_cards.c */
    p_text(&p, "done");
    p_text(&p, "");
    p_int(&p, c->taken_by);
    return rc < 0 ? rc : county_stmt_send(self, "cmd_done", &p);
}

/* The Item carrying a data version, signed with the county's key (unsigned,
 * with an error line, when the county has none: every node refuses it). */
int county_data_pack(county_t *self, const char *kind, uint32_t version, const char *body,
                     size_t len, uint8_t **ret_buf, size_t *ret_len)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)kind;
    dv.version = version;
    dv.body.data = (uint8_t *)body;
    dv.body.len = len;
    unsigned char sig[TB_SIGN_BYTES];
    if (self->env->data_sk_set &&
        tb_sign_data(self->env->data_sk, kind, version, (const uint8_t *)body, len, sig) == 0) {
        dv.signature.data = sig;
        dv.signature.len = sizeof sig;
    } else {
        tb_error("%s version %u goes unsigned (no county signing key): every node will refuse it",
                 kind, (unsigned)version);
    }
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    return tb_pack_item(&item, ret_buf, ret_len);
}

/* A catalog or calendar version to a township, with the record that it was
 * queued, in the batch: so exactly once, and again to no one. */
int county_apply_data(county_t *self, const data_t *d)
{
    uint8_t *buf;
    size_t len;
    int rc = county_data_pack(self, d->kind, d->version, d->body, d->len, &buf, &len);
    if (rc < 0) {
        tb_error("%s version %u cannot be sent: %s", d->kind, (unsigned)d->version,
                 tb_strerror(rc));
        return 0; /* import refuses what does not fit: nothing to do but say so */
    }
    rc = county_link_queue(self, d->peer, buf, len);
    free(buf);
    params_t p = {0};
    p_text(&p, d->peer);
    p_text(&p, d->kind);
    p_int(&p, d->version);
    if (rc == 0)
        rc = county_stmt_send(self, "data_sent", &p);
    if (rc == 0)
        tb_info("%s version %u queued to %s", d->kind, (unsigned)d->version, d->peer);
    return rc;
}

void county_data_clear(county_t *self)
{
    for (size_t i = 0; i < self->ndata; i++)
        free(self->data[i].body);
    free(self->data);
    self->data = NULL;
    self->ndata = 0;
}

/* The newest catalog and calendar: in force here when newer than what the
 * county uses; and to every township with a link whose data_sent row is
 * behind, the next version of each kind it has not been sent (queued with the
 * next batch; the next poll sends the one after): a node takes only the next
 * version (tb_data_receive), so none is skipped.  On the commands' plain connection, between
 * batches only, so data_sent is never read while a batch writing it is in
 * flight. */
void county_poll_data(county_t *self)
{
    if (!self->pg || !self->cmd_pg || self->stopping || self->ndata || self->in_flight)
        return;
    PGresult *r = PQexec(self->cmd_pg, "SELECT (SELECT max(version) FROM catalog_versions),"
                                       " (SELECT max(version) FROM calendar_versions)");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
        ((uint32_t)strtoul(PQgetvalue(r, 0, 0), NULL, 10) > self->env->catalog_version ||
         (uint32_t)strtoul(PQgetvalue(r, 0, 1), NULL, 10) > self->env->calendar_version)) {
        uint32_t calendar_before = self->env->calendar_version;
        uint32_t catalog_before = self->env->catalog_version;
        int rc = county_data_current(self->cmd_pg, self->env);
        /* Limits come from the catalog, working days from the calendar. */
        if (rc == 0 && (self->env->calendar_version != calendar_before ||
                        self->env->catalog_version != catalog_before))
            self->due_refresh = true;
        if (rc < 0)
            tb_error("cannot use the newest catalog or calendar: %s", tb_strerror(rc));
        else
            tb_info("in force: catalog version %u, calendar version %u",
                    (unsigned)self->env->catalog_version, (unsigned)self->env->calendar_version);
    }
    PQclear(r);
    /* {code,code,...} of the townships we have a link with */
    char *arr = malloc(self->npeers * (TB_CODE_LEN + 1) + 3);
    if (!arr)
        return;
    size_t n = 0;
    arr[n++] = '{';
    for (size_t i = 0; i < self->npeers; i++) {
        if (!county_my_township(self, self->peers[i].code))
            continue;
        if (n > 1)
            arr[n++] = ',';
        memcpy(arr + n, self->peers[i].code, TB_CODE_LEN);
        n += TB_CODE_LEN;
    }
    arr[n++] = '}';
    arr[n] = '\0';
    const char *p[1] = {arr};
    county_snapshot_accounts(self, self->cmd_pg);
    /* Account snapshots go to the township of their scope (its own and its villages'). */
    r = PQexecParams(
        self->cmd_pg,
        "WITH d AS (SELECT 'catalog' AS kind, version, body FROM catalog_versions"
        " UNION ALL SELECT 'calendar', version, body FROM calendar_versions"
        " UNION ALL SELECT 'accounts/' || scope, version, body FROM account_snapshots)"
        " SELECT DISTINCT ON (t.peer, d.kind) t.peer, d.kind, d.version, d.body"
        " FROM d CROSS JOIN unnest($1::text[]) AS t(peer)"
        " LEFT JOIN data_sent s ON s.peer = t.peer AND s.kind = d.kind"
        " WHERE (s.version IS NULL OR s.version < d.version)"
        "   AND (d.kind NOT LIKE 'accounts/%' OR substr(d.kind, 10, 9) = left(t.peer, 9))"
        " ORDER BY t.peer, d.kind, d.version",
        1, NULL, p, NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("data versions: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
        return;
    }
    int rows = PQntuples(r);
    self->data = rows ? calloc((size_t)rows, sizeof *self->data) : NULL;
    for (int i = 0; self->data && i < rows; i++) {
        data_t *d = &self->data[self->ndata];
        snprintf(d->peer, sizeof d->peer, "%s", PQgetvalue(r, i, 0));
        snprintf(d->kind, sizeof d->kind, "%s", PQgetvalue(r, i, 1));
        d->version = (uint32_t)strtoul(PQgetvalue(r, i, 2), NULL, 10);
        d->len = (size_t)PQgetlength(r, i, 3);
        d->body = malloc(d->len + 1);
        if (!d->body)
            break;
        memcpy(d->body, PQgetvalue(r, i, 3), d->len + 1);
        self->ndata++;
    }
    if (self->data && !self->ndata) {
        free(self->data);
        self->data = NULL;
    }
    PQclear(r);
}

/* Take new staff commands for the next batch.  A second, plain connection
 * keeps this off the pipeline; a local query every few hundred ms.  Commands
 * taken but not committed (a failed batch, a crash) go back to 'new' when the
 * connection is made again. */
int county_cmd_connect(county_t *self)
{
    if (self->cmd_pg)
        return 0;
    self->cmd_pg = PQconnectdb(self->conninfo);
    PGresult *r = PQstatus(self->cmd_pg) == CONNECTION_OK
                      ? PQexec(self->cmd_pg, "UPDATE county_commands SET status = 'new'"
                                             " WHERE status = 'taken'")
                      : NULL;
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        PQfinish(self->cmd_pg);
        self->cmd_pg = NULL;
        return -TB_ESTORE;
    }
    county_notify_start(self); /* wake-ups by NOTIFY from now on */
    return 0;
}

void county_poll_commands(county_t *self)
{
    if (!self->pg || self->stopping || self->ncmds || county_cmd_connect(self) < 0)
        return;
    /* Each take under a new number (taken_by): the batch marks a command
     * done only while it is still taken under that number (migration 020).
     * The rows a connection given up took went back to 'new' when this one
     * was made: a batch of that connection still running at the server can
     * no longer mark them once they are taken again, so it rolls back. */
    PGresult *r = PQexec(self->cmd_pg,
                         "UPDATE county_commands SET status = 'taken',"
                         " taken_by = nextval('county_command_take') WHERE id IN"
                         " (SELECT id FROM county_commands WHERE status = 'new' ORDER BY id"
                         " LIMIT 100) RETURNING id, case_id, type, actor, reason, basis, decision,"
                         " due_ms, card_id, taken_by, rating");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("commands: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
        county_notify_stop(self);
        PQfinish(self->cmd_pg);
        self->cmd_pg = NULL;
        return;
    }
    int n = PQntuples(r);
    if (n > 0 && (size_t)n > self->cmds_cap) {
        cmd_t *v = realloc(self->cmds, (size_t)n * sizeof *v);
        if (!v) {
            PQclear(r);
            return;
        }
        self->cmds = v;
        self->cmds_cap = (size_t)n;
    }
    for (int i = 0; i < n; i++) {
        cmd_t *c = &self->cmds[self->ncmds];
        memset(c, 0, sizeof *c);
        c->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        snprintf(c->case_id, sizeof c->case_id, "%s", PQgetvalue(r, i, 1));
        c->type = atoi(PQgetvalue(r, i, 2));
        c->actor = strdup(PQgetvalue(r, i, 3));
        c->reason = strdup(PQgetvalue(r, i, 4));
        c->basis = strdup(PQgetvalue(r, i, 5));
        c->decision = (unsigned)atoi(PQgetvalue(r, i, 6));
        c->due_ms = strtoll(PQgetvalue(r, i, 7), NULL, 10);
        c->card_id = strtoll(PQgetvalue(r, i, 8), NULL, 10);
        c->taken_by = strtoll(PQgetvalue(r, i, 9), NULL, 10);
        c->rating = (unsigned)atoi(PQgetvalue(r, i, 10));
        if (!c->actor || !c->reason || !c->basis) {
            cmd_free(c);
            continue; /* stays 'taken' until the next reconnect */
        }
        self->ncmds++;
    }
    PQclear(r);
}
