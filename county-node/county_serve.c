/* county_serve.c: the loop.  One libuv loop carries the broker socket
 * (tb_node), the PostgreSQL connection (county_pg.c), a 100 ms timer that
 * starts batches, flushes the links and every third tick takes staff
 * commands and data versions (county_intake.c), the reconnect timer, and
 * SIGINT/SIGTERM, which let the batch in flight finish (at most 10 s) before
 * everything closes and the loop ends.
 *
 * Every uv_*_init and uv_*_start result is checked: a handle that cannot be
 * set up is a clear error and a clean exit (every handle already initialised
 * is closed, the loop runs until they are, county_serve returns the error). */
#include "county_int.h"
#include "county_restore.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <signal.h>
#include "tb_signal.h"
#include <stdio.h>

enum {
    H_RECONNECT = 1 << 0,
    H_SEND = 1 << 1,
    H_STOP = 1 << 2,
    H_SIGINT = 1 << 3,
    H_SIGTERM = 1 << 4,
};

static void on_reconnect(uv_timer_t *t)
{
    county_t *self = t->data;
    if (self->pg || self->stopping)
        return;
    if (county_pg_open(self) == 0) {
        uv_timer_stop(t);
        county_batch_start(self);
    }
}

/* A libuv call failed where the county cannot go on: say so, stop. */
static void fatal(county_t *self, const char *what, int rc)
{
    tb_error("%s: %s; stopping", what, uv_strerror(rc));
    if (self->fatal == 0)
        self->fatal = rc;
    self->stopping = true;
    county_shutdown(self);
}

int county_start_reconnect(county_t *self)
{
    int rc =
        uv_timer_start(&self->reconnect, on_reconnect, COUNTY_RECONNECT_MS, COUNTY_RECONNECT_MS);
    if (rc < 0)
        fatal(self, "cannot start the reconnect timer", rc);
    return rc;
}

static void on_drained(void *ctx)
{
    county_t *self = ctx;
    county_batch_start(self);
    county_link_flush(self);
}

static void on_dropped(void *ctx, int frames, int rc, const char *peer, const char *why)
{
    if (county_may_log(ctx, peer))
        tb_warn("dropped a message from %s (%d frames): %s (%s)", peer, frames, why,
                tb_strerror(rc));
}

static void on_send_timer(uv_timer_t *t)
{
    county_t *self = t->data;
    /* The intake: at once when a NOTIFY came or while the plain connection
     * is not made yet, else every intake_ticks (the slow safety poll). */
    bool intake = ++self->ticks % self->intake_ticks == 0 || self->intake_wake || !self->cmd_pg;
    if (intake && !self->in_flight) {
        self->intake_wake = false;
        county_poll_commands(self);
        county_poll_data(self);
        county_cards_poll(self);
        county_notify_drain(self);
    } else if (self->sup_check && !self->in_flight) {
        county_cards_poll(self); /* the card timer asked for the 督办 orders */
        county_notify_drain(self);
    }
    if (!self->in_flight)
        county_restore_poll(self); /* the next chunk of a township's restore */
    county_batch_start(self);      /* persists acks even when nothing arrives */
    county_link_flush(self);
}

void county_shutdown(county_t *self)
{
    if (self->closed)
        return;
    self->closed = true;
    tb_info("stopped after %" PRIu64 " batch(es) (%" PRIu64 " started beside another in flight), %" PRIu64
            " event(s)",
            self->batches, self->overlapped, self->events);
    tb_node_close(&self->node);
    if (self->handles & H_RECONNECT)
        uv_close((uv_handle_t *)&self->reconnect, NULL);
    if (self->handles & H_SEND)
        uv_close((uv_handle_t *)&self->send_timer, NULL);
    if (self->handles & H_STOP)
        uv_close((uv_handle_t *)&self->stop_timer, NULL);
    if (self->handles & H_SIGINT)
        uv_close((uv_handle_t *)&self->sigint, NULL);
    if (self->handles & H_SIGTERM)
        uv_close((uv_handle_t *)&self->sigterm, NULL);
    self->handles = 0;
    county_cards_close(self);
    county_notify_stop(self);
    county_pg_close(self);
}

static void on_stop_timer(uv_timer_t *t)
{
    county_t *self = t->data;
    tb_warn(
        "the batch in flight did not finish in time; it is not acknowledged and will be resent");
    county_shutdown(self);
}

static void on_signal(uv_signal_t *h, int sig)
{
    county_t *self = h->data;
    if (self->stopping)
        return;
    self->stopping = true; /* no new batch starts */
    if (!self->in_flight) {
        tb_info("signal %d: stopping", sig);
        county_shutdown(self);
        return;
    }
    /* Finish the batch in flight and send its acks first (county_batch_finish
     * calls county_shutdown); give it at most 10 s. */
    tb_info("signal %d: stopping after the batch in flight", sig);
    int rc = uv_timer_start(&self->stop_timer, on_stop_timer, 10000, 0);
    if (rc < 0)
        fatal(self, "cannot start the stop timer", rc);
}

int county_init(county_t *self, uv_loop_t *loop, tb_env_ctx_t *env, const char *conninfo,
                const tb_curve_t *curve)
{
    memset(self, 0, sizeof *self);
    self->loop = loop;
    self->env = env;
    self->place = env->place;
    self->max_queue = COUNTY_MAX_QUEUE_DEFAULT;
    self->overlap_min = COUNTY_OVERLAP_MIN;
    self->intake_ticks = COUNTY_INTAKE_SAFETY_TICKS;
#ifdef TB_TEST_HOOKS
    /* A test proves the wake-up by NOTIFY by making the safety poll too slow to matter. */
    const char *it = getenv("TONGBAN_TEST_INTAKE_TICKS");
    if (it && atoi(it) > 0)
        self->intake_ticks = (unsigned)atoi(it);
    /* The fault tests send a trickle: with a lower threshold their kill -9
     * schedules hit two batches in flight too. */
    const char *om = getenv("TONGBAN_TEST_OVERLAP_MIN");
    if (om && atoi(om) > 0)
        self->overlap_min = (size_t)atoi(om);
#endif
    self->reloading = -1;
    const char *mq = getenv("TONGBAN_COUNTY_MAX_QUEUE");
    if (mq && atoi(mq) > 0)
        self->max_queue = (size_t)atoi(mq);
    self->conninfo = strdup(conninfo);
    if (!self->conninfo)
        return -ENOMEM;
    tb_node_handler_t h = {county_on_envelope, on_drained, NULL, self};
    int rc = tb_node_new_curve(loop, env->place, tb_config_get(&env->cfg, TB_CFG_BROKER), curve, &h,
                               &self->node);
    if (rc < 0)
        return rc;
    tb_node_on_dropped(self->node, on_dropped);
    struct {
        uv_timer_t *t;
        unsigned bit;
    } timers[] = {
        {&self->reconnect, H_RECONNECT}, {&self->send_timer, H_SEND}, {&self->stop_timer, H_STOP}};
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
        if ((rc = uv_timer_init(loop, timers[i].t)) < 0)
            return rc;
        timers[i].t->data = self;
        self->handles |= timers[i].bit;
    }
    return county_cards_init(self); /* the card timer (county_cards.c) */
}

void county_fini(county_t *self)
{
    county_link_reset(self);
    county_cache_free(self);
    msgs_free(&self->pending);
    msgs_free(&self->inflight);
    msgs_free(&self->out_new);
    msgs_free(&self->older.msgs);
    msgs_free(&self->older.out_new);
    county_bulk_free(self);
    county_arena_free(&self->decode);
    county_folded_free(self);
    county_cmds_clear(self);
    free(self->cmds);
    self->cmds = NULL;
    county_data_clear(self);
    county_cards_free(self);
    county_reuse_free(self);
    county_restore_free(self);
    county_notify_stop(self); /* a county that never ran its loop */
    PQfinish(self->cmd_pg);
    self->cmd_pg = NULL;
    free(self->conninfo);
    self->conninfo = NULL;
}

/* Signals, the send timer, the connection: 0 or the libuv error (then the
 * county is already shutting down, see fatal). */
static int start(county_t *self)
{
    int rc = uv_signal_init(self->loop, &self->sigint);
    if (rc == 0) {
        self->sigint.data = self;
        self->handles |= H_SIGINT;
        rc = uv_signal_init(self->loop, &self->sigterm);
    }
    if (rc == 0) {
        self->sigterm.data = self;
        self->handles |= H_SIGTERM;
        rc = uv_signal_start(&self->sigint, on_signal, SIGINT);
    }
    if (rc == 0)
        rc = uv_signal_start(&self->sigterm, on_signal, SIGTERM);
    if (rc < 0) {
        fatal(self, "cannot watch SIGINT and SIGTERM", rc);
        return rc;
    }
    tb_signal_release(); /* held since main (tb_signal.h): a stop while starting lands here */
    rc = uv_timer_start(&self->send_timer, on_send_timer, COUNTY_SEND_POLL_MS, COUNTY_SEND_POLL_MS);
    if (rc < 0) {
        fatal(self, "cannot start the send timer", rc);
        return rc;
    }
    if (county_pg_open(self) < 0)
        return county_start_reconnect(self); /* fatal itself on failure */
    return 0;
}

int county_serve(tb_env_ctx_t *env, const char *conninfo, const tb_curve_t *curve)
{
    county_t self;
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc < 0)
        return rc;
    rc = county_init(&self, &loop, env, conninfo, curve);
    if (rc < 0) {
        tb_error("cannot start the county node: %s", tb_strerror(rc));
        county_shutdown(&self);
    } else if ((rc = start(&self)) == 0) {
        tb_info("county %s serving via %s", env->place, tb_config_get(&env->cfg, TB_CFG_BROKER));
    }
    uv_run(&loop, UV_RUN_DEFAULT); /* until every handle is closed: nothing calls uv_stop */
    county_fini(&self);
    int closed = uv_loop_close(&loop);
    if (closed < 0)
        tb_error("the loop did not close: %s", uv_strerror(closed));
    tb_info("stopped");
    if (rc == 0)
        rc = self.fatal;
    return rc;
}
