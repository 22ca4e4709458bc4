/* county_pg.c: the PostgreSQL connection of the batches.
 *
 * Opened with a blocking connect (bounded by connect_timeout), migrated,
 * prepared and read into memory (county_load), then switched to non-blocking
 * pipeline mode and polled with uv_poll on PQsocket: readable always,
 * writable only while PQflush has more to send.  Any failure gives the
 * connection up (county_pg_lost): everything not committed is forgotten and
 * reloaded after reconnecting every second, so memory never runs ahead of the
 * store.
 *
 * pg_poll is embedded in county_t and reused by the next connection, which
 * libuv allows only after the close callback of the previous one ran:
 * pg_poll_closing is set by uv_close and cleared by that callback, and
 * county_pg_open waits (returns -EAGAIN, the reconnect timer retries) while
 * it is set. */
#include "county_int.h"
#include "county_stats_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

static void on_pg_io(uv_poll_t *h, int status, int events);

/* One row of `cases` into the cache. */
static int load_case(county_t *self, const PGresult *r, int i)
{
    tb_case_t *c = county_malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    memset(c, 0, sizeof *c);
    int rc = county_fold_read(r, i, 5, c);
    if (rc == -ENOMEM) {
        free(c);
        return rc;
    }
    if (rc < 0) {
        /* A row from before the lifecycle (schema 1): what it has. */
        memset(c, 0, sizeof *c);
        c->state = tb_state_from_name(PQgetvalue(r, i, 1));
        snprintf(c->holder, sizeof c->holder, "%s", PQgetvalue(r, i, 2));
        snprintf(c->pending, sizeof c->pending, "%s", PQgetvalue(r, i, 3));
        c->version = (uint32_t)strtoul(PQgetvalue(r, i, 4), NULL, 10);
        snprintf(c->origin, sizeof c->origin, "%s", PQgetvalue(r, i, 6));
        snprintf(c->item, sizeof c->item, "%s", PQgetvalue(r, i, 7));
    }
    return county_cache_load(self, PQgetvalue(r, i, 0), c);
}

/* Everything memory holds, from the database: cases, links, the counter. */
static int county_load(county_t *self)
{
    county_link_reset(self);
    msgs_clear(&self->inflight);
    msgs_clear(&self->out_new);
    self->in_flight = false;
    int rc = county_cache_new(self);
    if (rc < 0)
        return rc;
    PGresult *r = county_query(
        self->pg, "SELECT case_id, state, holder, pending, version, fold, origin, item_code"
                  " FROM cases");
    if (!r)
        return -TB_ESTORE;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = load_case(self, r, i); /* a case missing from memory would be refused its next step */
    PQclear(r);
    if (rc < 0)
        return rc;
    if ((rc = county_link_load(self)) < 0 || (rc = county_reuse_load(self)) < 0)
        return rc;
    if (!(r = county_query(self->pg, "SELECT value FROM counters WHERE name = 'event'")))
        return -TB_ESTORE;
    self->event_seq = PQntuples(r) ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    /* The batch marks go on from the stored one: a mark not committed is
     * never equal to it (county_batch.c). */
    if (!(r = county_query(self->pg, "SELECT value FROM counters WHERE name = 'batch'")))
        return -TB_ESTORE;
    self->mark = PQntuples(r) ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    self->mark_in_batch = 0;
    PQclear(r);
    if ((rc = county_cards_load(self)) < 0)
        return rc;
    uint64_t backlog = 0;
    for (size_t i = 0; i < self->npeers; i++)
        backlog += self->peers[i].queue.n;
    tb_info("state loaded: %zu case(s), %zu link(s), %" PRIu64 " message(s) waiting in the outbox",
            tb_map_size(self->cases), self->npeers, backlog);
    tb_node_set_backlog(self->node, backlog);
    return 0;
}

int county_pg_open(county_t *self)
{
    if (self->pg_poll_closing)
        return -EAGAIN; /* the last connection's poll handle is not closed yet */
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
    self->catver_conn = -1; /* a new session: its batches set the catalog version again */
    /* Acks follow commits: never let a server default of synchronous_commit=off
     * turn an acknowledged batch into a lost one. */
    PGresult *set = PQexec(pg, "SET synchronous_commit = on; SET statement_timeout = '60s'");
    int rc = PQresultStatus(set) == PGRES_COMMAND_OK ? 0 : -TB_ESTORE;
    PQclear(set);
    const char *err = PQerrorMessage(pg);
    if (rc == 0)
        rc = county_migrate(pg, &err);
    if (rc == 0 && (rc = county_fold_from_text(pg)) < 0)
        err = PQerrorMessage(pg);
    if (rc < 0)
        tb_error("schema migration failed: %s", err);
    /* The per-day sums counted with this catalog and calendar (migration 024): here rather
     * than at the dashboard's first overview, so the writers' triggers count with them from
     * the first batch.  A rebuild (another catalog or calendar, a store just migrated) reads
     * every case: no statement timeout for it.  Not fatal: the overview tries again. */
    if (rc == 0) {
        PQclear(PQexec(pg, "SET statement_timeout = 0"));
        int64_t t0 = tb_now_ms();
        int sr = county_stats_calendar_sync(pg, self->env);
        if (sr < 0)
            tb_warn("the statistics' per-day sums: %s", PQerrorMessage(pg));
        else if (tb_now_ms() - t0 > 1000)
            tb_info("the statistics' per-day sums counted again in %" PRId64 " ms",
                    tb_now_ms() - t0);
        set = PQexec(pg, "SET statement_timeout = '60s'");
        rc = PQresultStatus(set) == PGRES_COMMAND_OK ? 0 : -TB_ESTORE;
        PQclear(set);
    }
    if (rc == 0)
        rc = county_epoch_load(self);
    if (rc == 0)
        rc = county_stmt_prepare(pg);
    if (rc == 0 && (rc = county_load(self)) < 0)
        tb_error("cannot load the state: %s", tb_strerror(rc));
    if (rc == 0)
        rc = county_stmt_plan_batches(pg);
    if (rc == 0 && (PQsetnonblocking(pg, 1) != 0 || PQenterPipelineMode(pg) != 1)) {
        tb_error("pipeline mode: %s", PQerrorMessage(pg));
        rc = -TB_ESTORE;
    }
    int fd = rc == 0 ? PQsocket(pg) : -1;
    if (rc == 0 && fd < 0)
        rc = -TB_ESTORE;
    int uv = rc == 0 ? uv_poll_init(self->loop, &self->pg_poll, fd) : 0;
    if (uv == 0 && rc == 0) {
        self->pg_poll.data = self;
        self->pg_polling = true;
        self->pg_writing = false;
        uv = uv_poll_start(&self->pg_poll, UV_READABLE, on_pg_io);
    }
    if (uv < 0) {
        tb_error("cannot poll the PostgreSQL socket: %s", uv_strerror(uv));
        rc = -TB_ESTORE;
    }
    if (rc < 0) {
        county_pg_close(self);
        return rc;
    }
    tb_info("connected to PostgreSQL");
    return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
    county_t *self = h->data;
    self->pg_poll_closing = false;
}

void county_pg_close(county_t *self)
{
    if (self->pg_polling) {
        self->pg_poll_closing = true;
        uv_close((uv_handle_t *)&self->pg_poll, on_poll_closed);
        self->pg_polling = false;
    }
    if (self->pg) {
        PQfinish(self->pg);
        self->pg = NULL;
    }
}

static void pg_drop(county_t *self, const char *why)
{
    snprintf(self->lost_why, sizeof self->lost_why, "%s", why);
    county_pg_close(self);
    self->in_flight = false;
    self->reloading = -1;
    self->epoch_reset_in_batch = false;
    msgs_clear(&self->inflight);
    msgs_clear(&self->pending);
    msgs_clear(&self->out_new);
    county_overlay_drop(self);
    county_older_drop(self);
    self->mark_in_batch = 0;
    county_cards_lost(self);
    county_intake_lost(self);
    county_link_lost(self);
    if (self->stopping)
        county_shutdown(self); /* the batch in flight is lost: not acknowledged, resent later */
    else
        county_start_reconnect(self);
}

void county_pg_lost(county_t *self, const char *why)
{
    tb_error("PostgreSQL failed (%s); reconnecting, unacknowledged messages will be resent", why);
    pg_drop(self, why);
}

/* Everything in memory is made again from the store by the reconnect path,
 * the one every failure takes (tested by the fault suite), rather than by a
 * second loader that would have to run beside a pipeline. */
void county_pg_reload(county_t *self, const char *why)
{
    tb_info("%s; reloading the state, unacknowledged messages will be resent", why);
    pg_drop(self, why);
}

int county_pg_want_write(county_t *self, bool on)
{
    if (self->pg_polling && on != self->pg_writing) {
        int rc = uv_poll_start(&self->pg_poll, UV_READABLE | (on ? UV_WRITABLE : 0), on_pg_io);
        if (rc < 0) {
            county_pg_lost(self, uv_strerror(rc));
            return rc;
        }
        self->pg_writing = on;
    }
    return 0;
}

int county_pg_flush(county_t *self)
{
    int f = PQflush(self->pg);
    if (f < 0) {
        county_pg_lost(self, PQerrorMessage(self->pg));
        return -TB_ESTORE;
    }
    return county_pg_want_write(self, f == 1);
}

static void on_pg_io(uv_poll_t *h, int status, int events)
{
    county_t *self = h->data;
    if (!self->pg)
        return;
    if (status < 0) {
        county_pg_lost(self, uv_strerror(status));
        return;
    }
    if ((events & UV_WRITABLE) && county_pg_flush(self) < 0)
        return;
    if (!(events & UV_READABLE))
        return;
    if (!PQconsumeInput(self->pg)) {
        county_pg_lost(self, PQerrorMessage(self->pg));
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
        if (st == PGRES_TUPLES_OK && self->reloading >= 0)
            county_link_reload_rows(self, r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            if (self->in_flight)
                county_batch_finish(self);
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
        county_pg_lost(self, "connection lost");
}
