#include "tb_sqlink.h"

#include "tb_error.h"
#include "tb_linkeng.h"
#include "tb_log.h"

#include <errno.h>
#include <signal.h>
#include "tb_signal.h"
#include <stdlib.h>
#include <string.h>

enum { WINDOW = 256, POLL_MS = 100 };

/* The SQLite backend of the link engine (tb_linkeng.h): the node's store
 * behind tb_linkeng_store_t, tb_node as the wire, tb_mono_ms as the clock.
 * What the engine notes is logged here, as the daemon's own voice. */
struct tb_sqlink {
    tb_store_t *store;
    tb_node_t *node;
    tb_sqlink_app_t app;
    tb_linkeng_t *eng;
    uv_timer_t timer;
};

static int st_begin(void *st)
{
    return tb_store_begin(((tb_sqlink_t *)st)->store);
}

static int st_commit(void *st)
{
    return tb_store_commit(((tb_sqlink_t *)st)->store);
}

static void st_rollback(void *st)
{
    tb_store_rollback(((tb_sqlink_t *)st)->store);
}

static int st_cursor_get(void *st, const char *peer, uint64_t *ret_cursor)
{
    return tb_store_cursor_get(((tb_sqlink_t *)st)->store, peer, ret_cursor);
}

static int st_cursor_set(void *st, const char *peer, uint64_t seq)
{
    return tb_store_cursor_set(((tb_sqlink_t *)st)->store, peer, seq);
}

static int st_ack(void *st, const char *peer, uint64_t ack)
{
    return tb_store_ack(((tb_sqlink_t *)st)->store, peer, ack);
}

/* A message that arrives in order but does not decode is quarantined and
 * counts as applied, so one bad message never blocks a link. */
static int st_apply(void *st, const char *peer, uint64_t seq, const uint8_t *body, size_t len)
{
    tb_sqlink_t *self = st;
    tb_item_msg_t *item = NULL;
    int rc = tb_item_decode(body, len, &item);
    if (rc < 0) {
        tb_error("link %s seq %llu: %s; quarantined", peer, (unsigned long long)seq,
                 tb_strerror(rc));
        return tb_store_quarantine(self->store, peer, seq, body, len, tb_strerror(rc));
    }
    rc = self->app.apply(self->app.ctx, peer, item, body, len);
    tb_item_free(&item);
    return rc;
}

static int st_heads(void *st, tb_linkeng_head_fn fn, void *arg)
{
    sqlite3 *db = tb_store_db(((tb_sqlink_t *)st)->store);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT peer, last, acked FROM link_out", -1, &q, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        fn(arg, (const char *)sqlite3_column_text(q, 0), (uint64_t)sqlite3_column_int64(q, 1),
           (uint64_t)sqlite3_column_int64(q, 2));
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : -TB_ESTORE;
}

static int st_read(void *st, const char *peer, uint64_t from, uint64_t to, tb_linkeng_emit_fn emit,
                   void *arg)
{
    tb_sqlink_t *self = st;
    for (uint64_t seq = from; seq <= to; seq++) {
        uint8_t *buf;
        size_t len;
        int rc = tb_store_outbox_get(self->store, peer, seq, &buf, &len);
        if (rc < 0)
            return rc;
        rc = emit(arg, seq, buf, len);
        free(buf);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const tb_linkeng_store_t sqlite_store = {
    st_begin,      st_commit, st_rollback, st_cursor_get, st_apply,
    st_cursor_set, st_ack,    st_heads,    st_read,
};

static int net_send(void *ctx, const char *dest, Tongban__V1__Kind kind, uint64_t seq, uint64_t ack,
                    const uint8_t *body, size_t len)
{
    return tb_node_send(((tb_sqlink_t *)ctx)->node, dest, kind, seq, ack, body, len);
}

static int64_t net_now(void *ctx)
{
    (void)ctx;
    return tb_mono_ms();
}

static void net_note(void *ctx, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc)
{
    (void)ctx;
    unsigned long long s = (unsigned long long)seq;
    switch (what) {
    case TB_LINKENG_APPLY_FAILED:
        tb_error("link %s seq %llu: apply failed: %s", peer, s, tb_strerror(rc));
        break;
    case TB_LINKENG_ROLLED_BACK:
        tb_warn("batch rolled back; peers will retransmit");
        break;
    case TB_LINKENG_ACK_BEYOND:
        tb_warn("peer %s acked %llu, beyond our last: ignored", peer, s);
        break;
    case TB_LINKENG_UNREACHABLE:
        tb_debug("peer %s not connected; holding its outbox", peer);
        break;
    case TB_LINKENG_READ_FAILED:
        tb_warn("outbox %s seq %llu: %s", peer, s, tb_strerror(rc));
        break;
    case TB_LINKENG_SEND_FAILED:
        /* Back-pressure (EAGAIN, EHOSTUNREACH): the outbox keeps it and the
         * timer tries again.  Anything else is a bug worth shouting. */
        if (rc != -EAGAIN && rc != -EHOSTUNREACH)
            tb_error("link %s seq %llu cannot be sent: %s", peer, s, tb_strerror(rc));
        break;
    }
}

static void set_backlog(tb_sqlink_t *self)
{
    tb_node_set_backlog(self->node, tb_linkeng_backlog(self->eng));
}

static void on_envelope(void *ctx, const tb_env_t *env)
{
    tb_linkeng_on_envelope(((tb_sqlink_t *)ctx)->eng, env);
}

void tb_sqlink_flush(tb_sqlink_t *self)
{
    tb_linkeng_flush(self->eng);
    set_backlog(self);
}

static void on_drained(void *ctx)
{
    tb_sqlink_t *self = ctx;
    tb_linkeng_drained(self->eng);
    set_backlog(self);
}

static void on_timer(uv_timer_t *t)
{
    tb_sqlink_flush(t->data);
}

int tb_sqlink_new(uv_loop_t *loop, tb_store_t *store, const char *endpoint,
                  const tb_sqlink_app_t *app, tb_sqlink_t **ret)
{
    tb_sqlink_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->store = store;
    self->app = *app;
    /* A command holding the write lock must not stall this loop for the
     * store's 5 s: give up after 250 ms; the batch rolls back, the peers
     * resend, and the next turn tries again. */
    sqlite3_busy_timeout(tb_store_db(store), 250);
    tb_node_handler_t h = {on_envelope, on_drained, NULL, self};
    int rc = tb_node_new_curve(loop, tb_store_place(store), endpoint, app->curve, &h, &self->node);
    if (rc < 0) {
        free(self);
        return rc;
    }
    tb_linkeng_env_t env = {net_send, net_now, net_note, tb_node_fault(self->node), self, WINDOW};
    if ((rc = tb_linkeng_new(&sqlite_store, self, &env, &self->eng)) < 0) {
        tb_node_close(&self->node);
        free(self);
        return rc;
    }
    set_backlog(self);
    uv_timer_init(loop, &self->timer);
    self->timer.data = self;
    uv_timer_start(&self->timer, on_timer, POLL_MS, POLL_MS);
    *ret = self;
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

void tb_sqlink_close(tb_sqlink_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_sqlink_t *self = *self_p;
    *self_p = NULL;
    tb_linkeng_destroy(&self->eng); /* rolls back a batch still open */
    tb_node_close(&self->node);
    uv_close((uv_handle_t *)&self->timer, on_timer_closed);
}

uint64_t tb_sqlink_backlog(tb_sqlink_t *self)
{
    return tb_linkeng_backlog(self->eng);
}

typedef struct {
    tb_sqlink_t *link;
    uv_signal_t sigint, sigterm;
} serve_t;

static void on_signal(uv_signal_t *h, int sig)
{
    serve_t *s = h->data;
    tb_info("signal %d: stopping", sig);
    tb_sqlink_close(&s->link);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
}

int tb_sqlink_serve(tb_store_t *store, const char *endpoint, const tb_sqlink_app_t *app)
{
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc < 0)
        return rc;
    serve_t s = {0};
    rc = tb_sqlink_new(&loop, store, endpoint, app, &s.link);
    if (rc < 0) {
        uv_loop_close(&loop);
        return rc;
    }
    uint64_t backlog = 0;
    tb_store_backlog(store, &backlog);
    tb_info("node %s serving via %s; backlog %llu message(s) waiting in outboxes",
            tb_store_place(store), endpoint, (unsigned long long)backlog);
    uv_signal_init(&loop, &s.sigint);
    uv_signal_init(&loop, &s.sigterm);
    s.sigint.data = s.sigterm.data = &s;
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    tb_signal_release();
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&loop);
    if (rc < 0)
        tb_warn("loop closed with handles still open: %s", uv_strerror(rc));
    tb_info("stopped");
    return 0;
}
