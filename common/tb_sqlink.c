#include "tb_sqlink.h"

#include "tb_error.h"
#include "tb_link.h"
#include "tb_log.h"

#include <errno.h>
#include <signal.h>
#include "tb_signal.h"
#include <stdlib.h>
#include <string.h>

enum { WINDOW = 256, POLL_MS = 100 };

typedef struct {
    char code[TB_CODE_LEN + 1];
    tb_link_tx_t tx;
    bool has_tx;
    uint64_t cursor;      /* last applied seq from this peer (committed or in the open batch) */
    uint64_t cursor_done; /* last committed */
    bool has_cursor;
    bool need_ack;
} peer_t;

struct tb_sqlink {
    tb_store_t *store;
    tb_node_t *node;
    tb_sqlink_app_t app;
    uv_timer_t timer;
    peer_t *peers;
    size_t npeers, cap;
    bool in_tx;
    bool failed; /* the open batch hit an error: roll it back */
    uint64_t backlog;
};

static peer_t *peer_get(tb_sqlink_t *self, const char *code)
{
    for (size_t i = 0; i < self->npeers; i++)
        if (strcmp(self->peers[i].code, code) == 0)
            return &self->peers[i];
    if (self->npeers == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 8;
        peer_t *v = realloc(self->peers, cap * sizeof(peer_t));
        if (!v)
            return NULL;
        self->peers = v;
        self->cap = cap;
    }
    peer_t *p = &self->peers[self->npeers++];
    memset(p, 0, sizeof *p);
    strcpy(p->code, code);
    return p;
}

static int open_tx(tb_sqlink_t *self)
{
    if (self->in_tx)
        return 0;
    int rc = tb_store_begin(self->store);
    if (rc == 0)
        self->in_tx = true;
    return rc;
}

static void on_data(tb_sqlink_t *self, peer_t *p, const tb_env_t *env)
{
    if (!p->has_cursor) {
        if (tb_store_cursor_get(self->store, p->code, &p->cursor) < 0)
            return;
        p->cursor_done = p->cursor;
        p->has_cursor = true;
    }
    tb_link_rx_t k = tb_link_rx_classify(p->cursor, env->seq);
    p->need_ack = true;
    if (k != TB_LINK_NEXT)
        return; /* duplicate: re-ack; gap: dropped, the sender goes back */
    if (open_tx(self) < 0) {
        self->failed = true;
        return;
    }
    tb_item_msg_t *item = NULL;
    int rc = tb_item_decode(env->body.data, env->body.len, &item);
    if (rc < 0) {
        tb_error("link %s seq %llu: %s; quarantined", p->code, (unsigned long long)env->seq,
                 tb_strerror(rc));
        rc = tb_store_quarantine(self->store, p->code, env->seq, env->body.data, env->body.len,
                                 tb_strerror(rc));
    } else {
        rc = self->app.apply(self->app.ctx, p->code, item, env->body.data, env->body.len);
        tb_item_free(&item);
    }
    if (rc == 0)
        rc = tb_store_cursor_set(self->store, p->code, env->seq);
    if (rc < 0) {
        tb_error("link %s seq %llu: apply failed: %s", p->code, (unsigned long long)env->seq,
                 tb_strerror(rc));
        self->failed = true;
        return;
    }
    p->cursor = env->seq;
}

static void on_envelope(void *ctx, const tb_env_t *env)
{
    tb_sqlink_t *self = ctx;
    if (self->failed)
        return; /* the batch is lost anyway; the senders will retransmit */
    if (env->kind == TONGBAN__V1__KIND__KIND_UNREACHABLE &&
        strcmp(env->sender, TB_BROKER_CODE) == 0) { /* only the broker may say so */
        Tongban__V1__Unreachable *u =
            tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
        if (u && tb_code_valid(u->peer)) {
            peer_t *p = peer_get(self, u->peer);
            if (p && p->has_tx)
                tb_link_tx_unreachable(&p->tx, tb_mono_ms());
            tb_debug("peer %s not connected; holding its outbox", u->peer);
        }
        if (u)
            tongban__v1__unreachable__free_unpacked(u, NULL);
        return;
    }
    if (strcmp(env->sender, TB_BROKER_CODE) == 0)
        return; /* broker heartbeat */
    peer_t *p = peer_get(self, env->sender);
    if (!p)
        return;
    if (env->ack && p->has_tx) {
        int adv = tb_link_tx_on_ack(&p->tx, env->ack, tb_mono_ms());
        if (adv < 0)
            tb_warn("peer %s acked %llu, beyond our last %llu: ignored", p->code,
                    (unsigned long long)env->ack, (unsigned long long)p->tx.last);
        else if (adv > 0 && (open_tx(self) < 0 || tb_store_ack(self->store, p->code, env->ack) < 0))
            self->failed = true;
    }
    if (env->kind == TONGBAN__V1__KIND__KIND_DATA)
        on_data(self, p, env);
}

static void refresh_peers(tb_sqlink_t *self)
{
    sqlite3 *db = tb_store_db(self->store);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT peer, last, acked FROM link_out", -1, &st, NULL) !=
        SQLITE_OK)
        return;
    uint64_t backlog = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        uint64_t last = (uint64_t)sqlite3_column_int64(st, 1);
        uint64_t acked = (uint64_t)sqlite3_column_int64(st, 2);
        if (!tb_code_valid(code))
            continue;
        peer_t *p = peer_get(self, code);
        if (!p)
            break;
        if (!p->has_tx) {
            tb_link_tx_init(&p->tx, last, acked, tb_mono_ms());
            p->has_tx = true;
        } else {
            tb_link_tx_appended(&p->tx, last);
        }
        backlog += last - p->tx.acked;
    }
    sqlite3_finalize(st);
    self->backlog = backlog;
    tb_node_set_backlog(self->node, backlog);
}

void tb_sqlink_flush(tb_sqlink_t *self)
{
    if (self->in_tx)
        return;
    refresh_peers(self);
    int64_t now = tb_mono_ms();
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        uint64_t from, to;
        if (!p->has_tx || !tb_link_tx_due(&p->tx, now, WINDOW, &from, &to))
            continue;
        uint64_t seq;
        for (seq = from; seq <= to; seq++) {
            uint8_t *buf;
            size_t len;
            int rc = tb_store_outbox_get(self->store, p->code, seq, &buf, &len);
            if (rc < 0) {
                tb_warn("outbox %s seq %llu: %s", p->code, (unsigned long long)seq,
                        tb_strerror(rc));
                break;
            }
            rc = tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_DATA, seq,
                              p->has_cursor ? p->cursor_done : 0, buf, len);
            free(buf);
            if (rc < 0) {
                /* Back-pressure (EAGAIN, EHOSTUNREACH): the outbox keeps it and
                 * the timer tries again.  Anything else is a bug worth shouting. */
                if (rc != -EAGAIN && rc != -EHOSTUNREACH)
                    tb_error("link %s seq %llu cannot be sent: %s", p->code,
                             (unsigned long long)seq, tb_strerror(rc));
                break;
            }
            p->need_ack = false;
        }
        if (seq > from)
            tb_link_tx_sent(&p->tx, seq - 1);
    }
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (p->need_ack && p->has_cursor &&
            tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_ACK, 0, p->cursor_done, NULL,
                         0) == 0)
            p->need_ack = false;
    }
}

static void on_drained(void *ctx)
{
    tb_sqlink_t *self = ctx;
    if (self->in_tx) {
        int rc = self->failed ? -TB_ESTORE : tb_store_commit(self->store);
        self->in_tx = false;
        if (rc < 0) {
            tb_store_rollback(self->store);
            self->failed = true;
        } else {
            tb_fault_committed(tb_node_fault(self->node));
        }
    }
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (self->failed) {
            /* Forget the batch: cursors and acks are re-read from the store. */
            p->cursor = p->cursor_done;
            p->need_ack = false;
            p->has_tx = false;
        } else {
            p->cursor_done = p->cursor;
        }
    }
    if (self->failed)
        tb_warn("batch rolled back; peers will retransmit");
    self->failed = false;
    tb_sqlink_flush(self);
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
    int rc = tb_node_new(loop, tb_store_place(store), endpoint, &h, &self->node);
    if (rc < 0) {
        free(self);
        return rc;
    }
    uv_timer_init(loop, &self->timer);
    self->timer.data = self;
    uv_timer_start(&self->timer, on_timer, POLL_MS, POLL_MS);
    refresh_peers(self);
    *ret = self;
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    tb_sqlink_t *self = h->data;
    free(self->peers);
    free(self);
}

void tb_sqlink_close(tb_sqlink_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_sqlink_t *self = *self_p;
    *self_p = NULL;
    if (self->in_tx)
        tb_store_rollback(self->store);
    tb_node_close(&self->node);
    uv_close((uv_handle_t *)&self->timer, on_timer_closed);
}

uint64_t tb_sqlink_backlog(tb_sqlink_t *self)
{
    return self->backlog;
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
