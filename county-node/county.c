#include "county.h"

#include "tb_case.h"
#include "tb_error.h"
#include "tb_link.h"
#include "tb_log.h"
#include "tb_map.h"
#include "tb_node.h"
#include "tb_wire.h"

#include <errno.h>
#include <inttypes.h>

/* Unacked messages per township kept in memory; the rest stay in the outbox
 * table until the township catches up (a township away for a week must not
 * grow the county's memory).  TONGBAN_COUNTY_MAX_QUEUE lowers it so the tests
 * exercise the spill-and-reload path. */
#define MAX_QUEUE_DEFAULT 4096
#include <signal.h>
#include "tb_signal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const county_migrations[];
extern const size_t county_migration_count;

enum {
    WINDOW = 256,        /* unacked messages in flight per township */
    MAX_PENDING = 20000, /* messages accepted for the next batch; beyond: senders retransmit */
    MAX_PARAMS = 24,
    RECONNECT_MS = 1000,
    SEND_POLL_MS = 100,
};

/* ---- a message kept in memory ---------------------------------------------------------- */

typedef struct {
    char peer[TB_CODE_LEN + 1];
    uint64_t seq;
    uint8_t *buf;
    size_t len;
} msg_t;

typedef struct {
    msg_t *v;
    size_t n, cap;
} msgs_t;

static int msgs_push(msgs_t *m, const char *peer, uint64_t seq, const uint8_t *buf, size_t len)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        msg_t *v = realloc(m->v, cap * sizeof(msg_t));
        if (!v)
            return -ENOMEM;
        m->v = v;
        m->cap = cap;
    }
    msg_t *x = &m->v[m->n];
    x->buf = malloc(len ? len : 1);
    if (!x->buf)
        return -ENOMEM;
    memcpy(x->buf, buf, len);
    x->len = len;
    x->seq = seq;
    snprintf(x->peer, sizeof x->peer, "%s", peer);
    m->n++;
    return 0;
}

static void msgs_clear(msgs_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].buf);
    m->n = 0;
}

static void msgs_free(msgs_t *m)
{
    msgs_clear(m);
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- a staff command (decide, result, suspend, resume) ----------------------------------- */

typedef struct {
    int64_t id;
    char case_id[TB_CASEID_MAX];
    int type;
    unsigned decision;
    char *actor, *reason, *basis;
} cmd_t;

static void cmd_free(cmd_t *c)
{
    free(c->actor);
    free(c->reason);
    free(c->basis);
}

/* ---- a catalog or calendar version to queue to a township (see poll_data) -------------- */

typedef struct {
    char peer[TB_CODE_LEN + 1];
    char kind[16];
    uint32_t version;
    char *body;
    size_t len;
} data_t;

/* ---- per-township link state ----------------------------------------------------------- */

typedef struct {
    char code[TB_CODE_LEN + 1];
    uint64_t cursor;      /* last seq accepted (committed, in flight or pending) */
    uint64_t cursor_done; /* last seq committed */
    bool need_ack;
    tb_link_tx_t tx;
    msgs_t queue;          /* our unacked messages to it, seq ascending (a prefix: see spilled) */
    bool spilled;          /* the outbox table holds messages after the queue's tail */
    uint64_t ack_stored;   /* tx.acked as last written to link_out */
    uint64_t ack_batch;    /* tx.acked as the batch in flight writes it */
    uint64_t cursor_batch; /* the cursor the batch in flight writes */
} peer_t;

struct county {
    uv_loop_t *loop;
    tb_env_ctx_t *env;
    const char *place;
    char *conninfo;
    PGconn *pg;
    uv_poll_t pg_poll;
    bool pg_polling, pg_writing;
    uv_timer_t reconnect, send_timer, stop_timer;
    uv_signal_t sigint, sigterm;
    tb_node_t *node;
    bool stopping;

    tb_map_t *cases; /* case id -> tb_case_t *, committed state */
    peer_t *peers;
    size_t npeers, cap;
    uint64_t event_seq; /* last origin_seq the county minted (committed) */

    msgs_t pending;  /* accepted, waiting for the next batch */
    msgs_t inflight; /* in the batch being committed */
    bool in_flight, batch_failed;
    char batch_sqlstate[6]; /* of the first statement that failed */
    /* After a batch failed on its data, the next `careful` messages go one per
     * batch; a message that fails alone is the poison and is quarantined. */
    size_t careful;
    char poison_peer[TB_CODE_LEN + 1];
    uint64_t poison_seq;
    char poison_why[256];
    ssize_t reloading; /* index of the township whose spilled outbox the batch reads, or -1 */
    int nulls;
    char batch_err[256];
    /* what the in-flight batch will make true when it commits */
    tb_map_t *overlay; /* case id -> tb_case_t * */
    msgs_t out_new;    /* new outbox rows */
    uint64_t batch_event_seq;
    uint64_t batches, events;
    size_t max_queue;
    /* A new calendar is in force: the next batch recounts every case's
     * deadline (refresh_due); cleared when that batch commits. */
    bool due_refresh, due_in_batch;
    const char *test_poison; /* TONGBAN_TEST_POISON_CASE: see apply_msg */
    /* Staff commands (county_commands) taken for the next batch; see poll_commands(). */
    PGconn *cmd_pg;
    cmd_t *cmds;
    size_t ncmds, cmds_cap;
    unsigned ticks;
    /* Catalog and calendar versions to queue in the next batch; see poll_data(). */
    data_t *data;
    size_t ndata;
};

/* ---- statements ------------------------------------------------------------------------ */

typedef struct {
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS], fmt[MAX_PARAMS];
    char num[MAX_PARAMS][24];
    int n;
} params_t;

static void p_text(params_t *p, const char *s)
{
    p->v[p->n] = s ? s : "";
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_int(params_t *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%" PRId64, x);
    p_text(p, p->num[p->n]);
}

static void p_bytes(params_t *p, const uint8_t *b, size_t len)
{
    p->v[p->n] = (const char *)b;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static const struct {
    const char *name, *sql;
} stmts[] = {
    {"ins_logged",
     "WITH ins AS (INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name,"
     " actor, at, target, reason, via, folded, body) VALUES ($1, $2, $3, $4, $5, $6,"
     " to_timestamp($7::bigint / 1000.0), $8, $9, $10, $11::boolean, $12)"
     " ON CONFLICT (origin_node, origin_seq) DO NOTHING RETURNING case_id)"
     " INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
     " accept_time, state, holder, pending, version, updated_at)"
     " SELECT case_id, $13, $14, $15, $16, $17, $18, to_timestamp($19::bigint / 1000.0), $20, $21,"
     " $22, $23, to_timestamp($7::bigint / 1000.0) FROM ins WHERE $11::boolean"
     " ON CONFLICT (case_id) DO NOTHING"},
    {"ins_event",
     "WITH ins AS (INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name,"
     " actor, at, target, reason, via, folded, body) VALUES ($1, $2, $3, $4, $5, $6,"
     " to_timestamp($7::bigint / 1000.0), $8, $9, $10, $11::boolean, $12)"
     " ON CONFLICT (origin_node, origin_seq) DO NOTHING RETURNING case_id)"
     " UPDATE cases SET state = $13, holder = $14, pending = $15, version = $16,"
     " updated_at = to_timestamp($7::bigint / 1000.0)"
     " WHERE case_id IN (SELECT case_id FROM ins) AND $11::boolean"},
    {"outbox", "INSERT INTO outbox(peer, seq, body) VALUES ($1, $2, $3)"},
    {"link_out", "INSERT INTO link_out(peer, last, acked) VALUES ($1, $2, 0)"
                 " ON CONFLICT (peer) DO UPDATE SET last = GREATEST(link_out.last, EXCLUDED.last)"},
    {"cursor", "INSERT INTO link_in(peer, cursor) VALUES ($1, $2)"
               " ON CONFLICT (peer) DO UPDATE SET cursor = EXCLUDED.cursor"},
    {"counter", "INSERT INTO counters(name, value) VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"},
    {"ack", "WITH d AS (DELETE FROM outbox WHERE peer = $1 AND seq <= $2)"
            " UPDATE link_out SET acked = $2 WHERE peer = $1 AND acked < $2"},
    {"quarantine", "INSERT INTO quarantine(peer, seq, body, why) VALUES ($1, $2, $3, $4)"},
    {"test_poison", "SELECT 1 / 0"},
    {"due", "UPDATE cases SET due_at = CASE WHEN $2::bigint > 0 THEN to_timestamp($2::bigint / "
            "1000.0) END,"
            " legal_due_at = CASE WHEN $3::bigint > 0 THEN to_timestamp($3::bigint / 1000.0) END,"
            " paused = $4::boolean WHERE case_id = $1"},
    {"reload", "SELECT seq, body FROM outbox WHERE peer = $1 AND seq > $2 AND seq <= $4"
               " ORDER BY seq LIMIT $3"},
    /* The lifecycle part of the projection (migration 002), after ins_logged/ins_event. */
    {"proj",
     "UPDATE cases SET fold = $2,"
     " due_at = CASE WHEN $3::bigint > 0 THEN to_timestamp($3::bigint / 1000.0) END,"
     " legal_due_at = CASE WHEN $4::bigint > 0 THEN to_timestamp($4::bigint / 1000.0) END,"
     " paused = $5::boolean, to_bring = $6, rating = $7, decision = $8,"
     " rating_comment = CASE WHEN $9::boolean THEN $10 ELSE rating_comment END,"
     " result = CASE WHEN $11 <> '' THEN $11 ELSE result END,"
     " completion_time = CASE WHEN $12::bigint > 0 THEN to_timestamp($12::bigint / 1000.0) END"
     " WHERE case_id = $1"},
    {"detail", "UPDATE case_events SET detail = $3, rejected = $4 WHERE origin_node = $1 AND "
               "origin_seq = $2"},
    {"cmd_done",
     "UPDATE county_commands SET status = $2, error = $3, done_at = now() WHERE id = $1"},
    {"data_sent", "INSERT INTO data_sent(peer, kind, version) VALUES ($1, $2, $3)"
                  " ON CONFLICT (peer, kind) DO UPDATE SET version = EXCLUDED.version"},
};

static int send_stmt(county_t *self, const char *name, params_t *p)
{
    if (!PQsendQueryPrepared(self->pg, name, p->n, p->v, p->len, p->fmt, 0)) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", PQerrorMessage(self->pg));
        self->batch_failed = true;
        return -TB_ESTORE;
    }
    return 0;
}

/* ---- peers ----------------------------------------------------------------------------- */

static peer_t *peer_get(county_t *self, const char *code)
{
    if (!tb_code_valid(code))
        return NULL; /* also what the database hands back is checked */
    for (size_t i = 0; i < self->npeers; i++)
        if (strcmp(self->peers[i].code, code) == 0)
            return &self->peers[i];
    if (self->npeers == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        peer_t *v = realloc(self->peers, cap * sizeof(peer_t));
        if (!v)
            return NULL;
        self->peers = v;
        self->cap = cap;
    }
    peer_t *p = &self->peers[self->npeers++];
    memset(p, 0, sizeof *p);
    strcpy(p->code, code);
    tb_link_tx_init(&p->tx, 0, 0, tb_mono_ms());
    return p;
}

static bool my_township(county_t *self, const char *code)
{
    char parent[TB_CODE_LEN + 1];
    return tb_code_level(code) == TB_LEVEL_TOWNSHIP && tb_code_parent(code, parent) == 0 &&
           strcmp(parent, self->place) == 0 && tb_places_check(self->env->places, code) == 0;
}

/* ---- state: load everything from the database ----------------------------------------- */

static void free_cases(tb_map_t **m)
{
    if (!*m)
        return;
    size_t pos = 0;
    uintptr_t v;
    while (tb_map_next(*m, &pos, NULL, &v))
        free((void *)v);
    tb_map_destroy(m);
}

static void reset_state(county_t *self)
{
    free_cases(&self->cases);
    free_cases(&self->overlay);
    for (size_t i = 0; i < self->npeers; i++)
        msgs_free(&self->peers[i].queue);
    free(self->peers);
    self->peers = NULL;
    self->npeers = self->cap = 0;
    msgs_clear(&self->pending);
    msgs_clear(&self->inflight);
    msgs_clear(&self->out_new);
    self->in_flight = false;
}

static PGresult *query(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_error("load: %s", PQerrorMessage(pg));
        PQclear(r);
        return NULL;
    }
    return r;
}

static int load_state(county_t *self)
{
    reset_state(self);
    self->cases = tb_map_new();
    self->overlay = tb_map_new();
    if (!self->cases || !self->overlay)
        return -ENOMEM;
    PGresult *r =
        query(self->pg, "SELECT case_id, state, holder, pending, version, fold, origin, item_code"
                        " FROM cases");
    if (!r)
        return -TB_ESTORE;
    for (int i = 0; i < PQntuples(r); i++) {
        tb_case_t *c = calloc(1, sizeof *c);
        if (!c) {
            PQclear(r);
            return -ENOMEM;
        }
        if (tb_case_decode(PQgetvalue(r, i, 5), c) < 0) {
            /* A row from before the lifecycle (schema 1): what it has. */
            memset(c, 0, sizeof *c);
            c->state = tb_state_from_name(PQgetvalue(r, i, 1));
            snprintf(c->holder, sizeof c->holder, "%s", PQgetvalue(r, i, 2));
            snprintf(c->pending, sizeof c->pending, "%s", PQgetvalue(r, i, 3));
            c->version = (uint32_t)strtoul(PQgetvalue(r, i, 4), NULL, 10);
            snprintf(c->origin, sizeof c->origin, "%s", PQgetvalue(r, i, 6));
            snprintf(c->item, sizeof c->item, "%s", PQgetvalue(r, i, 7));
        }
        tb_map_put(self->cases, PQgetvalue(r, i, 0), (uintptr_t)c);
    }
    PQclear(r);
    if (!(r = query(self->pg, "SELECT peer, cursor FROM link_in")))
        return -TB_ESTORE;
    for (int i = 0; i < PQntuples(r); i++) {
        peer_t *p = peer_get(self, PQgetvalue(r, i, 0));
        if (p)
            p->cursor = p->cursor_done = strtoull(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    if (!(r = query(self->pg, "SELECT peer, last, acked FROM link_out")))
        return -TB_ESTORE;
    for (int i = 0; i < PQntuples(r); i++) {
        peer_t *p = peer_get(self, PQgetvalue(r, i, 0));
        if (!p)
            continue;
        uint64_t acked = strtoull(PQgetvalue(r, i, 2), NULL, 10);
        tb_link_tx_init(&p->tx, strtoull(PQgetvalue(r, i, 1), NULL, 10), acked, tb_mono_ms());
        p->ack_stored = acked;
    }
    PQclear(r);
    /* Binary results for the bodies. */
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", self->max_queue + 1);
    const char *lp[1] = {limit};
    r = PQexecParams(self->pg,
                     "SELECT peer, seq, body, n FROM (SELECT peer, seq, body,"
                     " row_number() OVER (PARTITION BY peer ORDER BY seq) AS n FROM outbox) o"
                     " WHERE n <= $1::bigint ORDER BY peer, seq",
                     1, NULL, lp, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_error("load outbox: %s", PQerrorMessage(self->pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        char peer[TB_CODE_LEN + 1];
        snprintf(peer, sizeof peer, "%.*s", PQgetlength(r, i, 0), PQgetvalue(r, i, 0));
        uint64_t seq = 0;
        const unsigned char *s = (const unsigned char *)PQgetvalue(r, i, 1);
        for (int k = 0; k < 8; k++)
            seq = (seq << 8) | s[k];
        peer_t *p = peer_get(self, peer);
        if (p && p->queue.n == self->max_queue)
            p->spilled = true;
        else if (p && msgs_push(&p->queue, peer, seq, (const uint8_t *)PQgetvalue(r, i, 2),
                                (size_t)PQgetlength(r, i, 2)) < 0) {
            PQclear(r);
            return -ENOMEM; /* a gap in the queue would stall the link */
        }
    }
    PQclear(r);
    if (!(r = query(self->pg, "SELECT value FROM counters WHERE name = 'event'")))
        return -TB_ESTORE;
    self->event_seq = PQntuples(r) ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    uint64_t backlog = 0;
    for (size_t i = 0; i < self->npeers; i++)
        backlog += self->peers[i].queue.n;
    tb_info("state loaded: %zu case(s), %zu link(s), %" PRIu64 " message(s) waiting in the outbox",
            tb_map_size(self->cases), self->npeers, backlog);
    tb_node_set_backlog(self->node, backlog);
    return 0;
}

/* ---- the database connection ---------------------------------------------------------- */

static void pg_close(county_t *self);
static void shutdown_now(county_t *self);
static void on_pg_io(uv_poll_t *h, int status, int events);
static void start_batch(county_t *self);

int county_migrate(PGconn *pg, const char **ret_err)
{
    static char err[512];
    err[0] = '\0';
    PGresult *r = PQexec(pg, "SET client_min_messages = warning;"
                             "SELECT pg_advisory_lock(826000);"
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version integer PRIMARY KEY,"
                             " applied_at timestamptz NOT NULL DEFAULT now())");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    for (size_t v = 1; ok && v <= county_migration_count; v++) {
        char version[24];
        snprintf(version, sizeof version, "%zu", v);
        const char *param[1] = {version};
        r = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE version = $1::integer", 1, NULL,
                         param, NULL, NULL, 0);
        bool done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok || done)
            continue;
        r = PQexec(pg, "BEGIN");
        PQclear(r);
        r = PQexec(pg, county_migrations[v - 1]);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            r = PQexecParams(pg, "INSERT INTO schema_migrations(version) VALUES ($1::integer)", 1,
                             NULL, param, NULL, NULL, 0);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
        }
        if (!ok)
            snprintf(err, sizeof err, "migration %zu: %s", v, PQerrorMessage(pg));
        r = PQexec(pg, ok ? "COMMIT" : "ROLLBACK");
        PQclear(r);
    }
    if (!ok && !err[0])
        snprintf(err, sizeof err, "%s", PQerrorMessage(pg));
    r = PQexec(pg, "SELECT pg_advisory_unlock(826000)");
    PQclear(r);
    if (!ok && ret_err)
        *ret_err = err;
    return ok ? 0 : -TB_ESTORE;
}

static int pg_open(county_t *self)
{
    /* Bounded waits: the loop also carries the broker link.  The operator's
     * connection string comes last and wins. */
    static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "dbname",
                                       NULL};
    const char *vals[] = {"5", "1", "10", self->conninfo, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        tb_warn("PostgreSQL not reachable: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return -TB_ESTORE;
    }
    self->pg = pg;
    /* Acks follow commits: never let a server default of synchronous_commit=off
     * turn an acknowledged batch into a lost one. */
    PGresult *set = PQexec(pg, "SET synchronous_commit = on; SET statement_timeout = '60s'");
    int rc = PQresultStatus(set) == PGRES_COMMAND_OK ? 0 : -TB_ESTORE;
    PQclear(set);
    const char *err = PQerrorMessage(pg);
    if (rc == 0)
        rc = county_migrate(pg, &err);
    if (rc < 0)
        tb_error("schema migration failed: %s", err);
    for (size_t i = 0; rc == 0 && i < sizeof stmts / sizeof stmts[0]; i++) {
        PGresult *r = PQprepare(pg, stmts[i].name, stmts[i].sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            tb_error("prepare %s: %s", stmts[i].name, PQerrorMessage(pg));
            rc = -TB_ESTORE;
        }
        PQclear(r);
    }
    if (rc == 0)
        rc = load_state(self);
    if (rc == 0 && (PQsetnonblocking(pg, 1) != 0 || PQenterPipelineMode(pg) != 1))
        rc = -TB_ESTORE;
    if (rc == 0 && uv_poll_init(self->loop, &self->pg_poll, PQsocket(pg)) < 0)
        rc = -TB_ESTORE;
    if (rc < 0) {
        PQfinish(pg);
        self->pg = NULL;
        return rc;
    }
    self->pg_poll.data = self;
    self->pg_polling = true;
    self->pg_writing = false;
    uv_poll_start(&self->pg_poll, UV_READABLE, on_pg_io);
    tb_info("connected to PostgreSQL");
    return 0;
}

static void on_reconnect(uv_timer_t *t)
{
    county_t *self = t->data;
    if (self->pg || self->stopping)
        return;
    if (pg_open(self) == 0) {
        uv_timer_stop(t);
        start_batch(self);
    }
}

static void on_poll_closed(uv_handle_t *h)
{
    (void)h;
}

static void pg_close(county_t *self)
{
    if (self->pg_polling) {
        uv_close((uv_handle_t *)&self->pg_poll, on_poll_closed);
        self->pg_polling = false;
    }
    if (self->pg) {
        PQfinish(self->pg);
        self->pg = NULL;
    }
}

/* The database failed: forget everything not committed, reconnect, reload. */
static void pg_lost(county_t *self, const char *why)
{
    tb_error("PostgreSQL failed (%s); reconnecting, unacknowledged messages will be resent", why);
    pg_close(self);
    self->in_flight = false;
    self->reloading = -1;
    msgs_clear(&self->inflight);
    msgs_clear(&self->pending);
    for (size_t i = 0; i < self->ncmds; i++)
        cmd_free(&self->cmds[i]);
    self->ncmds = 0; /* still 'taken' in the table: put back to 'new' on reconnect */
    if (self->cmd_pg) {
        PQfinish(self->cmd_pg);
        self->cmd_pg = NULL;
    }
    for (size_t i = 0; i < self->npeers; i++) {
        self->peers[i].cursor = self->peers[i].cursor_done;
        self->peers[i].need_ack = false;
    }
    if (self->stopping)
        shutdown_now(self); /* the batch in flight is lost: not acknowledged, resent later */
    else
        uv_timer_start(&self->reconnect, on_reconnect, RECONNECT_MS, RECONNECT_MS);
}

static void pg_want_write(county_t *self, bool on)
{
    if (self->pg_polling && on != self->pg_writing) {
        self->pg_writing = on;
        uv_poll_start(&self->pg_poll, UV_READABLE | (on ? UV_WRITABLE : 0), on_pg_io);
    }
}

/* ---- building a batch ------------------------------------------------------------------ */

static tb_case_t *case_lookup(county_t *self, const char *case_id)
{
    uintptr_t v;
    if (tb_map_get(self->overlay, case_id, &v) || tb_map_get(self->cases, case_id, &v))
        return (tb_case_t *)v;
    return NULL;
}

static int overlay_put(county_t *self, const char *case_id, const tb_case_t *c)
{
    uintptr_t v;
    tb_case_t *x;
    if (tb_map_get(self->overlay, case_id, &v)) {
        x = (tb_case_t *)v;
    } else {
        x = malloc(sizeof *x);
        if (!x || tb_map_put(self->overlay, case_id, (uintptr_t)x) < 0) {
            free(x);
            return -ENOMEM;
        }
    }
    *x = *c;
    return 0;
}

static int queue_out(county_t *self, const char *peer, const uint8_t *buf, size_t len)
{
    peer_t *p = peer_get(self, peer);
    if (!p)
        return -ENOMEM;
    /* seqs of this batch follow the committed last and the batch's earlier rows */
    uint64_t seq = p->tx.last + 1;
    for (size_t i = 0; i < self->out_new.n; i++)
        if (strcmp(self->out_new.v[i].peer, peer) == 0)
            seq = self->out_new.v[i].seq + 1;
    int rc = msgs_push(&self->out_new, peer, seq, buf, len);
    if (rc < 0)
        return rc;
    params_t a = {0};
    p_text(&a, peer);
    p_int(&a, (int64_t)seq);
    p_bytes(&a, buf, len);
    if ((rc = send_stmt(self, "outbox", &a)) < 0)
        return rc;
    params_t b = {0};
    p_text(&b, peer);
    p_int(&b, (int64_t)seq);
    return send_stmt(self, "link_out", &b);
}

/* The lifecycle columns of the projection: the fold and what it implies. */
static int project(county_t *self, const tb_event_msg_t *ev, const tb_case_t *c)
{
    const tb_item_t *item = tb_catalog_find(self->env->catalog, c->item);
    int64_t due = 0, legal = 0;
    if (tb_case_due(c, item, self->env->calendar, &due, &legal) < 0)
        due = legal = 0;
    bool paused = due == TB_DUE_NEVER;
    char fold[TB_CASE_TEXT_MAX], bring[1024];
    tb_case_encode(c, fold);
    tb_case_to_bring(c, item, bring, sizeof bring);
    bool rated = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED;
    const char *reply = ev->ledger && ev->ledger->result ? ev->ledger->result : "";
    params_t p = {0};
    p_text(&p, ev->case_id);
    p_text(&p, fold);
    p_int(&p, paused ? 0 : due);
    p_int(&p, paused ? 0 : legal);
    p_text(&p, paused ? "true" : "false");
    p_text(&p, bring);
    p_int(&p, c->rating);
    p_int(&p, c->decision);
    p_text(&p, rated ? "true" : "false");
    p_text(&p, rated ? ev->comment : "");
    p_text(&p, reply);
    p_int(&p, c->closed_ms ? c->closed_ms : c->decided_ms);
    return send_stmt(self, "proj", &p);
}

/* Record one event (folded or not) and fold it into the overlay. */
static int record_event(county_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                        const char *via, int *ret_fold)
{
    tb_case_t none = {0}, next;
    tb_case_t *cur = case_lookup(self, ev->case_id);
    int fold;
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED) {
        /* Our own verdict on an event: recorded, the case unchanged. */
        fold = strcmp(ev->origin_node, self->place) == 0 ? 0 : -TB_EAUTHORITY;
        next = cur ? *cur : none;
    } else {
        fold = tb_event_fold(cur ? cur : &none, ev, self->env->catalog, &next);
    }
    /* (apply_msg has checked that the sender may speak for the origin.) */
    if (fold < 0)
        tb_warn("event %s/%" PRIu64 " on %s via %s breaks the rules (%s): stored, not applied",
                ev->origin_node, ev->origin_seq, ev->case_id, via, tb_strerror(fold));
    bool logged = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    params_t p = {0};
    p_text(&p, ev->origin_node);
    p_int(&p, (int64_t)ev->origin_seq);
    p_text(&p, ev->case_id);
    p_int(&p, ev->type);
    p_text(&p, tb_event_name((tb_event_type_t)ev->type));
    p_text(&p, ev->actor);
    p_int(&p, ev->at_ms);
    p_text(&p, ev->target);
    p_text(&p, ev->reason);
    p_text(&p, via);
    p_text(&p, fold == 0 ? "true" : "false");
    p_bytes(&p, body, len);
    char origin[TB_CODE_LEN + 1]; /* must outlive the send below */
    if (logged) {
        const Tongban__V1__LedgerRecord *l = ev->ledger;
        snprintf(origin, sizeof origin, "%.12s", ev->case_id);
        p_text(&p, origin);
        p_text(&p, l->client_name);
        p_text(&p, l->client_phone);
        p_text(&p, l->agent);
        p_text(&p, l->item_code);
        p_text(&p, l->note);
        p_int(&p, l->accept_time_ms);
    }
    p_text(&p, tb_state_name(fold == 0 ? next.state : TB_ST_NONE));
    p_text(&p, fold == 0 ? next.holder : "");
    p_text(&p, fold == 0 ? next.pending : "");
    p_int(&p, fold == 0 ? next.version : 0);
    int rc = send_stmt(self, logged ? "ins_logged" : "ins_event", &p);
    bool rejection = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    if (rc == 0 && fold == 0 && !rejection)
        rc = project(self, ev, &next);
    if (rc == 0 && fold == 0 && !rejection)
        rc = overlay_put(self, ev->case_id, &next);
    char detail[1024];
    tb_event_detail(ev, detail, sizeof detail);
    if (rc == 0 && (detail[0] || fold < 0)) {
        params_t d = {0};
        p_text(&d, ev->origin_node);
        p_int(&d, (int64_t)ev->origin_seq);
        p_text(&d, detail);
        p_text(&d, fold < 0 ? tb_strerror(fold) : "");
        rc = send_stmt(self, "detail", &d);
    }
    *ret_fold = fold;
    self->events++;
    return rc;
}

/* Mint one of the county's own events (origin, seq and time filled in here),
 * record it in this batch and queue it to township `to`. */
static int emit_own(county_t *self, tb_event_msg_t *ev, const char *to)
{
    ev->origin_node = (char *)self->place;
    ev->origin_seq = ++self->batch_event_seq;
    ev->at_ms = tb_now_ms();
    if (!ev->actor)
        ev->actor = (char *)"";
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = ev;
    uint8_t *buf;
    size_t len;
    int rc = tb_pack_item(&item, &buf, &len);
    if (rc < 0)
        return rc;
    int fold;
    rc = record_event(self, ev, buf, len, self->place, &fold);
    if (rc == 0)
        rc = queue_out(self, to, buf, len);
    free(buf);
    return rc;
}

/* The county confirms a case forwarded to it (签收), and tells the township. */
static int county_receive(county_t *self, const char *case_id, const char *township)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = (char *)case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
    return emit_own(self, &ev, township);
}

/* An event broke the rules: tell the node that made it, through the township
 * it came by, so its local view corrects itself (REJECTED names the event and
 * the rule).  The event itself stays stored with folded = false. */
static int county_reject(county_t *self, const tb_event_msg_t *bad, int why, const char *via)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = bad->case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    ev.reason = (char *)tb_strerror(why);
    ev.rejected_origin = bad->origin_node;
    ev.rejected_seq = bad->origin_seq;
    return emit_own(self, &ev, via);
}

/* Tell the township of each changed case what the county now holds. */
static int status_updates(county_t *self)
{
    size_t pos = 0;
    const char *case_id;
    uintptr_t v;
    while (tb_map_next(self->overlay, &pos, &case_id, &v)) {
        const tb_case_t *c = (const tb_case_t *)v;
        char village[TB_CODE_LEN + 1], township[TB_CODE_LEN + 1];
        snprintf(village, sizeof village, "%.12s", case_id);
        if (tb_code_level(village) == TB_LEVEL_TOWNSHIP)
            memcpy(township, village, sizeof township); /* a walk-in case */
        else if (tb_code_parent(village, township) < 0)
            continue;
        Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
        st.case_id = (char *)case_id;
        st.state = (char *)tb_state_name(c->state);
        st.holder = (char *)c->holder;
        st.version = c->version;
        st.at_ms = tb_now_ms();
        tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
        item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
        item.status = &st;
        uint8_t *buf;
        size_t len;
        int rc = tb_pack_item(&item, &buf, &len);
        if (rc == 0)
            rc = queue_out(self, township, buf, len);
        free(buf);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Keep a message we cannot use in the quarantine table; the link moves on. */
static int quarantine(county_t *self, const msg_t *m, const char *why)
{
    tb_error("link %s seq %" PRIu64 ": %s; quarantined", m->peer, m->seq, why);
    params_t p = {0};
    p_text(&p, m->peer);
    p_int(&p, (int64_t)m->seq);
    p_bytes(&p, m->buf, m->len);
    p_text(&p, why);
    return send_stmt(self, "quarantine", &p);
}

static int apply_msg(county_t *self, const msg_t *m)
{
    if (self->poison_seq && m->seq == self->poison_seq && strcmp(m->peer, self->poison_peer) == 0) {
        self->poison_seq = 0;
        return quarantine(self, m, self->poison_why);
    }
    tb_item_msg_t *item = NULL;
    int rc = tb_item_decode(m->buf, m->len, &item);
    const char *why = NULL;
    char parent[TB_CODE_LEN + 1] = "";
    if (rc < 0)
        why = tb_strerror(rc);
    else if (item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT)
        why = "townships send events only";
    else if (tb_code_parent(item->event->origin_node, parent),
             strcmp(item->event->origin_node, m->peer) != 0 && strcmp(parent, m->peer) != 0)
        /* A township speaks for itself and its own villages only.  Such an event
         * is not stored under the id it claims, so it cannot take a real one. */
        why = "event of a node outside the sender's township";
    if (why) {
        tb_item_free(&item);
        return quarantine(self, m, why);
    }
    const tb_event_msg_t *ev = item->event;
    int fold = -1;
    if (self->test_poison && strcmp(ev->case_id, self->test_poison) == 0) {
        /* Test hook (TONGBAN_TEST_POISON_CASE): a statement that fails on its
         * data, as a row PostgreSQL refuses would. */
        params_t z = {0};
        rc = send_stmt(self, "test_poison", &z);
    }
    rc = rc < 0 ? rc : record_event(self, ev, m->buf, m->len, m->peer, &fold);
    if (rc == 0 && fold < 0 && strcmp(ev->origin_node, self->place) != 0)
        rc = county_reject(self, ev, fold, m->peer);
    bool folded = fold == 0;
    if (rc == 0 && folded && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED &&
        strcmp(ev->target, self->place) == 0)
        rc = county_receive(self, ev->case_id, m->peer);
    tb_item_free(&item);
    return rc;
}

/* A staff command: the same machine decides; the event is minted and sent
 * down to the township of the case, and the command marked in the same batch. */
static int apply_cmd(county_t *self, const cmd_t *c)
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
    tb_case_t next;
    tb_case_t *cur = case_lookup(self, c->case_id);
    int fold = tb_event_check(&ev);
    if (fold == 0)
        fold = cur ? tb_event_fold(cur, &ev, self->env->catalog, &next) : -TB_ENOCASE;
    params_t p = {0};
    p_int(&p, c->id);
    if (fold < 0) {
        p_text(&p, "refused");
        p_text(&p, tb_strerror(fold));
        tb_info("command %" PRId64 " on %s refused: %s", c->id, c->case_id, tb_strerror(fold));
        return send_stmt(self, "cmd_done", &p);
    }
    char origin[TB_CODE_LEN + 1], town[TB_CODE_LEN + 1];
    snprintf(origin, sizeof origin, "%.12s", c->case_id);
    if (tb_code_level(origin) != TB_LEVEL_VILLAGE || tb_code_parent(origin, town) < 0)
        memcpy(town, origin, sizeof town); /* a walk-in case: the township is the origin */
    int rc = emit_own(self, &ev, town);
    p_text(&p, "done");
    p_text(&p, "");
    return rc < 0 ? rc : send_stmt(self, "cmd_done", &p);
}

/* A catalog or calendar version to a township, with the record that it was
 * queued, in the batch: so exactly once, and again to no one. */
static int apply_data(county_t *self, const data_t *d)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)d->kind;
    dv.version = d->version;
    dv.body.data = (uint8_t *)d->body;
    dv.body.len = d->len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    uint8_t *buf;
    size_t len;
    int rc = tb_pack_item(&item, &buf, &len);
    if (rc < 0) {
        tb_error("%s version %u cannot be sent: %s", d->kind, (unsigned)d->version,
                 tb_strerror(rc));
        return 0; /* import refuses what does not fit: nothing to do but say so */
    }
    rc = queue_out(self, d->peer, buf, len);
    free(buf);
    params_t p = {0};
    p_text(&p, d->peer);
    p_text(&p, d->kind);
    p_int(&p, d->version);
    if (rc == 0)
        rc = send_stmt(self, "data_sent", &p);
    if (rc == 0)
        tb_info("%s version %u queued to %s", d->kind, (unsigned)d->version, d->peer);
    return rc;
}

static void data_clear(county_t *self)
{
    for (size_t i = 0; i < self->ndata; i++)
        free(self->data[i].body);
    free(self->data);
    self->data = NULL;
    self->ndata = 0;
}

/* The newest catalog and calendar: in force here when newer than what the
 * county uses, and queued (next batch) to every township with a link whose
 * data_sent row is behind.  On the commands' plain connection, between
 * batches only, so data_sent is never read while a batch writing it is in
 * flight. */
static void poll_data(county_t *self)
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
        if (!my_township(self, self->peers[i].code))
            continue;
        if (n > 1)
            arr[n++] = ',';
        memcpy(arr + n, self->peers[i].code, TB_CODE_LEN);
        n += TB_CODE_LEN;
    }
    arr[n++] = '}';
    arr[n] = '\0';
    const char *p[1] = {arr};
    r = PQexecParams(self->cmd_pg,
                     "WITH d AS ((SELECT 'catalog' AS kind, version, body FROM catalog_versions"
                     " ORDER BY version DESC LIMIT 1) UNION ALL (SELECT 'calendar', version,"
                     " body FROM calendar_versions ORDER BY version DESC LIMIT 1))"
                     " SELECT t.peer, d.kind, d.version, d.body"
                     " FROM d CROSS JOIN unnest($1::text[]) AS t(peer)"
                     " LEFT JOIN data_sent s ON s.peer = t.peer AND s.kind = d.kind"
                     " WHERE s.version IS NULL OR s.version < d.version ORDER BY t.peer, d.kind",
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
static void poll_commands(county_t *self)
{
    if (!self->pg || self->stopping || self->ncmds)
        return;
    if (!self->cmd_pg) {
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
            return;
        }
    }
    PGresult *r = PQexec(self->cmd_pg,
                         "UPDATE county_commands SET status = 'taken' WHERE id IN"
                         " (SELECT id FROM county_commands WHERE status = 'new' ORDER BY id"
                         " LIMIT 100) RETURNING id, case_id, type, actor, reason, basis, decision");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("commands: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
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
        if (!c->actor || !c->reason || !c->basis) {
            cmd_free(c);
            continue; /* stays 'taken' until the next reconnect */
        }
        self->ncmds++;
    }
    PQclear(r);
}

/* Every case's deadline again, on the calendar now in force. */
static int refresh_due(county_t *self)
{
    size_t pos = 0;
    const char *case_id;
    uintptr_t v;
    int rc = 0;
    while (rc == 0 && tb_map_next(self->cases, &pos, &case_id, &v)) {
        /* A case this batch changed has its new deadline from project(). */
        if (tb_map_get(self->overlay, case_id, NULL))
            continue;
        const tb_case_t *c = (const tb_case_t *)v;
        const tb_item_t *item = tb_catalog_find(self->env->catalog, c->item);
        int64_t due = 0, legal = 0;
        if (tb_case_due(c, item, self->env->calendar, &due, &legal) < 0)
            continue;
        bool paused = due == TB_DUE_NEVER;
        params_t p = {0};
        p_text(&p, case_id);
        p_int(&p, paused ? 0 : due);
        p_int(&p, paused ? 0 : legal);
        p_text(&p, paused ? "true" : "false");
        rc = send_stmt(self, "due", &p);
    }
    return rc;
}

static void start_batch(county_t *self)
{
    if (self->in_flight || !self->pg || self->stopping)
        return;
    bool acks = false;
    ssize_t reload = -1;
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        acks |= p->tx.acked > p->ack_stored;
        if (reload < 0 && p->spilled && p->queue.n < self->max_queue / 2 + 1)
            reload = (ssize_t)i;
    }
    if (self->pending.n == 0 && !acks && reload < 0 && self->ncmds == 0 && self->ndata == 0 &&
        !self->due_refresh)
        return;
    msgs_clear(&self->inflight);
    if (self->careful && self->pending.n > 1) {
        /* One message alone, to find the one that makes batches fail. */
        msg_t *first = &self->pending.v[0];
        if (msgs_push(&self->inflight, first->peer, first->seq, first->buf, first->len) < 0)
            return;
        free(first->buf);
        memmove(self->pending.v, self->pending.v + 1, (self->pending.n - 1) * sizeof(msg_t));
        self->pending.n--;
    } else {
        /* Swap: what was pending is now in flight. */
        msgs_t t = self->inflight;
        self->inflight = self->pending;
        self->pending = t;
    }
    self->in_flight = true;
    self->batch_failed = false;
    self->batch_err[0] = '\0';
    self->batch_sqlstate[0] = '\0';
    self->nulls = 0;
    self->batch_event_seq = self->event_seq;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->inflight.n; i++)
        rc = apply_msg(self, &self->inflight.v[i]);
    for (size_t i = 0; i < self->ncmds; i++) {
        if (rc == 0)
            rc = apply_cmd(self, &self->cmds[i]);
        cmd_free(&self->cmds[i]);
    }
    self->ncmds = 0;
    for (size_t i = 0; rc == 0 && i < self->ndata; i++)
        rc = apply_data(self, &self->data[i]);
    data_clear(self); /* not committed: data_sent still says so, the next poll finds them */
    if (rc == 0)
        rc = status_updates(self);
    self->due_in_batch = self->due_refresh;
    if (rc == 0 && self->due_in_batch)
        rc = refresh_due(self);
    for (size_t i = 0; rc == 0 && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        params_t a = {0}, b = {0};
        p_text(&a, p->code);
        p_text(&b, p->code);
        p->cursor_batch = p->cursor_done;
        for (size_t k = 0; k < self->inflight.n; k++)
            if (strcmp(self->inflight.v[k].peer, p->code) == 0 &&
                self->inflight.v[k].seq > p->cursor_batch)
                p->cursor_batch = self->inflight.v[k].seq;
        if (p->cursor_batch != p->cursor_done) {
            p_int(&a, (int64_t)p->cursor_batch);
            rc = send_stmt(self, "cursor", &a);
        }
        p->ack_batch = p->tx.acked;
        if (rc == 0 && p->ack_batch > p->ack_stored) {
            p_int(&b, (int64_t)p->ack_batch);
            rc = send_stmt(self, "ack", &b);
        }
    }
    self->reloading = reload;
    if (rc == 0 && reload >= 0) {
        peer_t *r = &self->peers[reload];
        params_t a = {0};
        p_text(&a, r->code);
        p_int(&a, (int64_t)(r->queue.n ? r->queue.v[r->queue.n - 1].seq : r->tx.acked));
        p_int(&a, (int64_t)(self->max_queue - r->queue.n));
        /* Only what earlier batches committed: this batch's rows join the queue
         * in finish_batch. */
        p_int(&a, (int64_t)r->tx.last);
        if (!PQsendQueryPrepared(self->pg, "reload", a.n, a.v, a.len, a.fmt, 1))
            rc = -TB_ESTORE;
    }
    if (rc == 0 && self->batch_event_seq != self->event_seq) {
        params_t a = {0};
        p_text(&a, "event");
        p_int(&a, (int64_t)self->batch_event_seq);
        rc = send_stmt(self, "counter", &a);
    }
    if (rc == 0 && PQpipelineSync(self->pg) != 1)
        rc = -TB_ESTORE;
    if (rc < 0) {
        pg_lost(self, PQerrorMessage(self->pg));
        return;
    }
    int f = PQflush(self->pg);
    if (f < 0)
        pg_lost(self, PQerrorMessage(self->pg));
    else
        pg_want_write(self, f == 1);
}

static void flush_links(county_t *self);

static void finish_batch(county_t *self)
{
    self->in_flight = false;
    if (self->batch_failed) {
        /* The transaction rolled back: drop what it would have made true; the
         * townships resend, and reloading keeps memory equal to the store.
         * When the data was at fault (SQLSTATE class 22 or 23) and not the
         * server, find the message that did it: one per batch from now on,
         * and one that fails alone is quarantined when it comes again, so
         * it cannot hold its link back for ever. */
        tb_error("batch of %zu message(s) rolled back: %s", self->inflight.n, self->batch_err);
        bool data_error = strncmp(self->batch_sqlstate, "22", 2) == 0 ||
                          strncmp(self->batch_sqlstate, "23", 2) == 0;
        if (data_error && self->inflight.n == 1 && self->careful) {
            snprintf(self->poison_peer, sizeof self->poison_peer, "%s", self->inflight.v[0].peer);
            self->poison_seq = self->inflight.v[0].seq;
            snprintf(self->poison_why, sizeof self->poison_why, "the store refused it: %.200s",
                     self->batch_err);
        } else if (data_error && self->careful < self->inflight.n) {
            self->careful = self->inflight.n;
        }
        pg_lost(self, "batch failed");
        return;
    }
    if (self->careful && self->inflight.n)
        self->careful--;
    if (self->due_in_batch) {
        self->due_refresh = self->due_in_batch = false;
        tb_info("deadlines recounted on calendar version %u",
                (unsigned)self->env->calendar_version);
    }
    /* Committed: make it true in memory, then acknowledge. */
    tb_fault_committed(tb_node_fault(self->node));
    size_t pos = 0;
    const char *case_id;
    uintptr_t v;
    while (tb_map_next(self->overlay, &pos, &case_id, &v)) {
        uintptr_t old;
        if (tb_map_get(self->cases, case_id, &old))
            free((void *)old);
        tb_map_put(self->cases, case_id, v);
    }
    tb_map_destroy(&self->overlay);
    self->overlay = tb_map_new();
    if (!self->overlay) {
        pg_lost(self, "out of memory");
        return;
    }
    self->event_seq = self->batch_event_seq;
    for (size_t i = 0; i < self->out_new.n; i++) {
        msg_t *m = &self->out_new.v[i];
        peer_t *p = peer_get(self, m->peer);
        if (!p)
            continue;
        tb_link_tx_appended(&p->tx, m->seq);
        if (p->spilled || p->queue.n >= self->max_queue ||
            msgs_push(&p->queue, m->peer, m->seq, m->buf, m->len) < 0)
            p->spilled = true;
    }
    msgs_clear(&self->out_new);
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (p->cursor_batch > p->cursor_done)
            p->need_ack = true;
        /* cursor may have run ahead into the pending batch: commit only what was in flight */
        if (p->cursor_batch > p->cursor_done)
            p->cursor_done = p->cursor_batch;
        if (p->ack_stored < p->ack_batch)
            p->ack_stored = p->ack_batch; /* the outbox is pruned up to here */
    }
    self->batches++;
    msgs_clear(&self->inflight);
    flush_links(self);
    if (self->stopping) {
        shutdown_now(self);
        return;
    }
    start_batch(self);
}

/* Rows of the "reload" statement (binary): the next part of a spilled outbox. */
static void reload_rows(county_t *self, peer_t *p, const PGresult *r)
{
    (void)self;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)PQgetvalue(r, i, 0);
        uint64_t seq = 0;
        for (int k = 0; k < 8 && PQgetlength(r, i, 0) == 8; k++)
            seq = (seq << 8) | s[k];
        if (p->queue.n && seq <= p->queue.v[p->queue.n - 1].seq)
            continue;
        if (msgs_push(&p->queue, p->code, seq, (const uint8_t *)PQgetvalue(r, i, 1),
                      (size_t)PQgetlength(r, i, 1)) < 0)
            return;
    }
    p->spilled = p->queue.n && p->queue.v[p->queue.n - 1].seq < p->tx.last;
    tb_debug("outbox to %s: read back %d message(s) from the table%s", p->code, n,
             p->spilled ? ", more waiting" : "");
}

static void on_pg_io(uv_poll_t *h, int status, int events)
{
    county_t *self = h->data;
    if (!self->pg)
        return;
    if (status < 0) {
        pg_lost(self, uv_strerror(status));
        return;
    }
    if (events & UV_WRITABLE) {
        int f = PQflush(self->pg);
        if (f < 0) {
            pg_lost(self, PQerrorMessage(self->pg));
            return;
        }
        pg_want_write(self, f == 1);
    }
    if (!(events & UV_READABLE))
        return;
    if (!PQconsumeInput(self->pg)) {
        pg_lost(self, PQerrorMessage(self->pg));
        return;
    }
    int nulls = 0;
    while (self->pg && !PQisBusy(self->pg)) {
        PGresult *r = PQgetResult(self->pg);
        if (!r) {
            /* One NULL ends each query's results; two in a row: nothing more yet. */
            if (++nulls > 1)
                break;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK && self->reloading >= 0) {
            reload_rows(self, &self->peers[self->reloading], r);
            self->reloading = -1;
        }
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            if (self->in_flight)
                finish_batch(self);
            continue;
        }
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (!self->batch_failed)
                snprintf(self->batch_sqlstate, sizeof self->batch_sqlstate, "%s",
                         state ? state : "");
            if (!self->batch_failed)
                snprintf(self->batch_err, sizeof self->batch_err, "%s",
                         st == PGRES_PIPELINE_ABORTED ? "pipeline aborted"
                                                      : PQresultErrorMessage(r));
            self->batch_failed = true;
        }
        PQclear(r);
    }
    if (self->pg && PQstatus(self->pg) == CONNECTION_BAD)
        pg_lost(self, "connection lost");
}

/* ---- the links ------------------------------------------------------------------------- */

static void flush_links(county_t *self)
{
    int64_t now = tb_mono_ms();
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        /* Prune what the township acknowledged. */
        size_t drop = 0;
        while (drop < p->queue.n && p->queue.v[drop].seq <= p->tx.acked)
            free(p->queue.v[drop++].buf);
        if (drop) {
            memmove(p->queue.v, p->queue.v + drop, (p->queue.n - drop) * sizeof(msg_t));
            p->queue.n -= drop;
        }
        uint64_t from, to;
        if (tb_link_tx_due(&p->tx, now, WINDOW, &from, &to)) {
            uint64_t sent = from - 1;
            for (size_t k = 0; k < p->queue.n; k++) {
                msg_t *m = &p->queue.v[k];
                if (m->seq < from || m->seq > to)
                    continue;
                if (tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_DATA, m->seq,
                                 p->cursor_done, m->buf, m->len) < 0)
                    break;
                sent = m->seq;
                p->need_ack = false;
            }
            if (sent >= from)
                tb_link_tx_sent(&p->tx, sent);
        }
        if (p->need_ack && tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_ACK, 0,
                                        p->cursor_done, NULL, 0) == 0)
            p->need_ack = false;
    }
}

static void on_envelope(void *ctx, const tb_env_t *env)
{
    county_t *self = ctx;
    if (env->kind == TONGBAN__V1__KIND__KIND_UNREACHABLE &&
        strcmp(env->sender, TB_BROKER_CODE) == 0) {
        Tongban__V1__Unreachable *u =
            tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
        if (u && tb_code_valid(u->peer)) {
            for (size_t i = 0; i < self->npeers; i++)
                if (strcmp(self->peers[i].code, u->peer) == 0)
                    tb_link_tx_unreachable(&self->peers[i].tx, tb_mono_ms());
        }
        if (u)
            tongban__v1__unreachable__free_unpacked(u, NULL);
        return;
    }
    if (strcmp(env->sender, TB_BROKER_CODE) == 0)
        return;
    if (!my_township(self, env->sender)) {
        tb_warn("message from %s, not one of our townships: dropped", env->sender);
        return;
    }
    peer_t *p = peer_get(self, env->sender);
    if (!p)
        return;
    if (env->ack && tb_link_tx_on_ack(&p->tx, env->ack, tb_mono_ms()) < 0)
        tb_warn("township %s acked %" PRIu64 " beyond our last %" PRIu64 ": ignored", p->code,
                env->ack, p->tx.last);
    if (env->kind != TONGBAN__V1__KIND__KIND_DATA)
        return;
    switch (tb_link_rx_classify(p->cursor, env->seq)) {
    case TB_LINK_DUP:
        if (env->seq <= p->cursor_done)
            p->need_ack = true;
        break;
    case TB_LINK_GAP:
        break;
    case TB_LINK_NEXT:
        if (!self->pg || self->pending.n >= MAX_PENDING)
            break; /* not accepted: the township keeps it and resends */
        if (msgs_push(&self->pending, p->code, env->seq, env->body.data, env->body.len) == 0)
            p->cursor = env->seq;
        break;
    }
}

static void on_drained(void *ctx)
{
    county_t *self = ctx;
    start_batch(self);
    flush_links(self);
}

static void on_send_timer(uv_timer_t *t)
{
    county_t *self = t->data;
    if (++self->ticks % 3 == 0 && !self->in_flight) {
        poll_commands(self);
        poll_data(self);
    }
    start_batch(self); /* persists acks even when nothing arrives */
    flush_links(self);
}

/* Close everything; the loop ends when the handles are closed. */
static void shutdown_now(county_t *self)
{
    if (!self->node)
        return;
    tb_info("stopped after %" PRIu64 " batch(es), %" PRIu64 " event(s)", self->batches,
            self->events);
    tb_node_close(&self->node);
    uv_close((uv_handle_t *)&self->reconnect, NULL);
    uv_close((uv_handle_t *)&self->send_timer, NULL);
    uv_close((uv_handle_t *)&self->stop_timer, NULL);
    uv_close((uv_handle_t *)&self->sigint, NULL);
    uv_close((uv_handle_t *)&self->sigterm, NULL);
    pg_close(self);
}

static void on_stop_timer(uv_timer_t *t)
{
    county_t *self = t->data;
    tb_warn(
        "the batch in flight did not finish in time; it is not acknowledged and will be resent");
    shutdown_now(self);
}

static void on_signal(uv_signal_t *h, int sig)
{
    county_t *self = h->data;
    if (self->stopping)
        return;
    self->stopping = true; /* no new batch starts */
    if (!self->in_flight) {
        tb_info("signal %d: stopping", sig);
        shutdown_now(self);
        return;
    }
    /* Finish the batch in flight and send its acks first (finish_batch calls
     * shutdown_now); give it at most 10 s. */
    tb_info("signal %d: stopping after the batch in flight", sig);
    uv_timer_start(&self->stop_timer, on_stop_timer, 10000, 0);
}

int county_serve(tb_env_ctx_t *env, const char *conninfo)
{
    county_t self = {0};
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc < 0)
        return rc;
    self.loop = &loop;
    self.env = env;
    self.place = env->place;
    self.conninfo = strdup(conninfo);
    self.max_queue = MAX_QUEUE_DEFAULT;
    self.reloading = -1;
    self.test_poison = getenv("TONGBAN_TEST_POISON_CASE");
    const char *mq = getenv("TONGBAN_COUNTY_MAX_QUEUE");
    if (mq && atoi(mq) > 0)
        self.max_queue = (size_t)atoi(mq);
    tb_node_handler_t h = {on_envelope, on_drained, NULL, &self};
    if (!self.conninfo ||
        (rc = tb_node_new(&loop, env->place, tb_config_get(&env->cfg, TB_CFG_BROKER), &h,
                          &self.node)) < 0) {
        free(self.conninfo);
        uv_loop_close(&loop);
        return rc < 0 ? rc : -ENOMEM;
    }
    uv_timer_init(&loop, &self.reconnect);
    uv_timer_init(&loop, &self.send_timer);
    uv_timer_init(&loop, &self.stop_timer);
    self.reconnect.data = self.send_timer.data = self.stop_timer.data = &self;
    uv_signal_init(&loop, &self.sigint);
    uv_signal_init(&loop, &self.sigterm);
    self.sigint.data = self.sigterm.data = &self;
    uv_signal_start(&self.sigint, on_signal, SIGINT);
    uv_signal_start(&self.sigterm, on_signal, SIGTERM);
    tb_signal_release();
    uv_timer_start(&self.send_timer, on_send_timer, SEND_POLL_MS, SEND_POLL_MS);
    if (pg_open(&self) < 0)
        uv_timer_start(&self.reconnect, on_reconnect, RECONNECT_MS, RECONNECT_MS);
    tb_info("county %s serving via %s", env->place, tb_config_get(&env->cfg, TB_CFG_BROKER));
    uv_run(&loop, UV_RUN_DEFAULT);
    reset_state(&self);
    tb_map_destroy(&self.cases);
    tb_map_destroy(&self.overlay);
    msgs_free(&self.pending);
    msgs_free(&self.inflight);
    msgs_free(&self.out_new);
    for (size_t i = 0; i < self.ncmds; i++)
        cmd_free(&self.cmds[i]);
    free(self.cmds);
    data_clear(&self);
    PQfinish(self.cmd_pg);
    free(self.conninfo);
    uv_loop_close(&loop);
    tb_info("stopped");
    return 0;
}
