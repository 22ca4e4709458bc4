/* tb_linkeng: the link engine (tb_linkeng.h says what and why).
 *
 * This is tb_sqlink's delivery loop as it was, with every store call behind
 * tb_linkeng_store_t and every clock and wire call behind tb_linkeng_env_t, so
 * the order of operations the fault suite relies on is kept: a batch is one
 * transaction (opened by the first message or ack that writes), the cursors go
 * in with the effects, a failed batch forgets its cursors and re-reads the
 * send side from the store, and no ack leaves before commit() returned. */
#include "tb_linkeng.h"

#include "tb_error.h"
#include "tb_node.h" /* TB_BROKER_CODE */
#include "tb_place.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char code[TB_CODE_LEN + 1];
    tb_link_tx_t tx;
    bool has_tx;
    uint64_t cursor;      /* last applied seq from this peer (committed or in the open batch) */
    uint64_t cursor_done; /* last committed */
    bool has_cursor;
    bool need_ack;
} peer_t;

struct tb_linkeng {
    tb_linkeng_store_t store;
    void *st;
    tb_linkeng_env_t env;
    peer_t *peers;
    size_t npeers, cap;
    bool in_tx;
    int failed; /* the open batch hit an error (its code): roll it back */
    uint64_t backlog;
};

static int64_t now(tb_linkeng_t *self)
{
    return self->env.now_ms(self->env.ctx);
}

static void note(tb_linkeng_t *self, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc)
{
    if (self->env.note)
        self->env.note(self->env.ctx, what, peer, seq, rc);
}

static peer_t *peer_get(tb_linkeng_t *self, const char *code)
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

static int open_tx(tb_linkeng_t *self)
{
    if (self->in_tx)
        return 0;
    int rc = self->store.begin(self->st);
    if (rc == 0)
        self->in_tx = true;
    return rc;
}

static void fail(tb_linkeng_t *self, int rc)
{
    if (!self->failed)
        self->failed = rc < 0 ? rc : -TB_ESTORE;
}

static void on_data(tb_linkeng_t *self, peer_t *p, const tb_env_t *env)
{
    if (!p->has_cursor) {
        if (self->store.cursor_get(self->st, p->code, &p->cursor) < 0)
            return;
        p->cursor_done = p->cursor;
        p->has_cursor = true;
    }
    tb_link_rx_t k = tb_link_rx_classify(p->cursor, env->seq);
    p->need_ack = true;
    if (k != TB_LINK_NEXT)
        return; /* duplicate: re-ack; gap: dropped, the sender goes back */
    int rc = open_tx(self);
    if (rc < 0) {
        fail(self, rc);
        return;
    }
    rc = self->store.apply(self->st, p->code, env->seq, env->body.data, env->body.len);
    if (rc == 0)
        rc = self->store.cursor_set(self->st, p->code, env->seq);
    if (rc < 0) {
        note(self, TB_LINKENG_APPLY_FAILED, p->code, env->seq, rc);
        fail(self, rc);
        return;
    }
    p->cursor = env->seq;
}

static void on_unreachable(tb_linkeng_t *self, const tb_env_t *env)
{
    Tongban__V1__Unreachable *u =
        tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
    if (u && tb_code_valid(u->peer)) {
        peer_t *p = peer_get(self, u->peer);
        if (p && p->has_tx)
            tb_link_tx_unreachable(&p->tx, now(self));
        note(self, TB_LINKENG_UNREACHABLE, u->peer, 0, 0);
    }
    if (u)
        tongban__v1__unreachable__free_unpacked(u, NULL);
}

void tb_linkeng_on_envelope(tb_linkeng_t *self, const tb_env_t *env)
{
    if (self->failed)
        return; /* the batch is lost anyway; the senders will retransmit */
    bool from_broker = strcmp(env->sender, TB_BROKER_CODE) == 0;
    if (env->kind == TONGBAN__V1__KIND__KIND_UNREACHABLE && from_broker) {
        on_unreachable(self, env); /* only the broker may say so */
        return;
    }
    if (from_broker)
        return; /* broker heartbeat */
    peer_t *p = peer_get(self, env->sender);
    if (!p)
        return;
    if (env->ack && p->has_tx) {
        int adv = tb_link_tx_on_ack(&p->tx, env->ack, now(self));
        int rc = 0;
        if (adv < 0)
            note(self, TB_LINKENG_ACK_BEYOND, p->code, env->ack, adv);
        else if (adv > 0 && ((rc = open_tx(self)) < 0 ||
                             (rc = self->store.ack(self->st, p->code, env->ack)) < 0))
            fail(self, rc);
    }
    if (env->kind == TONGBAN__V1__KIND__KIND_DATA)
        on_data(self, p, env);
}

typedef struct {
    tb_linkeng_t *self;
    uint64_t backlog;
    bool nomem;
} heads_t;

static void on_head(void *arg, const char *code, uint64_t last, uint64_t acked)
{
    heads_t *h = arg;
    if (h->nomem || !tb_code_valid(code))
        return;
    peer_t *p = peer_get(h->self, code);
    if (!p) {
        h->nomem = true;
        return;
    }
    if (!p->has_tx) {
        tb_link_tx_init(&p->tx, last, acked, now(h->self));
        p->has_tx = true;
    } else {
        tb_link_tx_appended(&p->tx, last);
    }
    h->backlog += last - p->tx.acked;
}

static void refresh_peers(tb_linkeng_t *self)
{
    heads_t h = {self, 0, false};
    if (self->store.heads(self->st, on_head, &h) < 0)
        return;
    self->backlog = h.backlog;
}

typedef struct {
    tb_linkeng_t *self;
    peer_t *p;
    uint64_t expect;  /* the next seq the range should hold */
    uint64_t sent;    /* the last seq sent */
    bool pushed_back; /* the wire refused one: not a read failure */
} emit_t;

static int on_emit(void *arg, uint64_t seq, const uint8_t *body, size_t len)
{
    emit_t *e = arg;
    peer_t *p = e->p;
    if (seq != e->expect)
        return -TB_ESTORE; /* a hole in the outbox: send nothing past it */
    int rc = e->self->env.send(e->self->env.ctx, p->code, TONGBAN__V1__KIND__KIND_DATA, seq,
                               p->has_cursor ? p->cursor_done : 0, body, len);
    if (rc < 0) {
        note(e->self, TB_LINKENG_SEND_FAILED, p->code, seq, rc);
        e->pushed_back = true;
        return rc;
    }
    p->need_ack = false; /* the data carried the ack */
    e->sent = seq;
    e->expect = seq + 1;
    return 0;
}

void tb_linkeng_flush(tb_linkeng_t *self)
{
    if (self->in_tx)
        return;
    refresh_peers(self);
    int64_t t = now(self);
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        uint64_t from, to;
        if (!p->has_tx || !tb_link_tx_due(&p->tx, t, self->env.window, &from, &to))
            continue;
        emit_t e = {self, p, from, from - 1, false};
        int rc = self->store.read(self->st, p->code, from, to, on_emit, &e);
        if (rc == 0 && e.expect <= to)
            rc = -TB_ESTORE; /* the range ended early: a hole in the outbox */
        if (rc < 0 && !e.pushed_back)
            note(self, TB_LINKENG_READ_FAILED, p->code, e.expect, rc);
        if (e.sent >= from)
            tb_link_tx_sent(&p->tx, e.sent);
    }
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (p->need_ack && p->has_cursor &&
            self->env.send(self->env.ctx, p->code, TONGBAN__V1__KIND__KIND_ACK, 0, p->cursor_done,
                           NULL, 0) == 0)
            p->need_ack = false;
    }
}

int tb_linkeng_drained(tb_linkeng_t *self)
{
    if (self->in_tx) {
        int rc = self->failed ? self->failed : self->store.commit(self->st);
        self->in_tx = false;
        if (rc < 0) {
            self->store.rollback(self->st);
            fail(self, rc);
        } else if (self->env.fault) {
            tb_fault_committed(self->env.fault); /* test hook: die between commit and acks */
        }
    }
    int rc = self->failed;
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (rc) {
            /* Forget the batch: cursors and acks are re-read from the store. */
            p->cursor = p->cursor_done;
            p->need_ack = false;
            p->has_tx = false;
        } else {
            p->cursor_done = p->cursor;
        }
    }
    if (rc)
        note(self, TB_LINKENG_ROLLED_BACK, "", 0, rc);
    self->failed = 0;
    tb_linkeng_flush(self);
    return rc;
}

uint64_t tb_linkeng_backlog(const tb_linkeng_t *self)
{
    return self->backlog;
}

int64_t tb_linkeng_wait_ms(const tb_linkeng_t *self)
{
    int64_t best = -1;
    int64_t t = self->env.now_ms(self->env.ctx);
    for (size_t i = 0; i < self->npeers; i++) {
        const peer_t *p = &self->peers[i];
        int64_t w = p->has_tx ? tb_link_tx_wait_ms(&p->tx, t) : -1;
        if (w >= 0 && (best < 0 || w < best))
            best = w;
        if (p->need_ack && p->has_cursor)
            best = 0;
    }
    return best;
}

int tb_linkeng_new(const tb_linkeng_store_t *store, void *st, const tb_linkeng_env_t *env,
                   tb_linkeng_t **ret)
{
    tb_linkeng_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->store = *store;
    self->st = st;
    self->env = *env;
    refresh_peers(self);
    *ret = self;
    return 0;
}

void tb_linkeng_destroy(tb_linkeng_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_linkeng_t *self = *self_p;
    *self_p = NULL;
    if (self->in_tx)
        self->store.rollback(self->st);
    free(self->peers);
    free(self);
}
