/* tb_linkeng: the link engine (tb_linkeng.h says what and why).
 *
 * This is tb_sqlink's delivery loop as it was, with every store call behind
 * tb_linkeng_store_t and every clock and wire call behind tb_linkeng_env_t, so
 * the order of operations the fault suite relies on is kept: a batch is one
 * transaction (opened by the first message or ack that writes), the cursors go
 * in with the effects, a failed batch forgets its cursors and re-reads the
 * send side from the store, and no ack leaves before commit() returned.
 * An asynchronous backend (store.async) keeps a third cursor per peer, the
 * batch in flight's, and tells the engine when that batch committed
 * (tb_linkeng_batch.c). */
#include "tb_linkeng_int.h"

#include "tb_error.h"
#include "tb_node.h" /* TB_BROKER_CODE */
#include "tb_place.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t tb_linkeng_now(tb_linkeng_t *self)
{
    return self->env.now_ms(self->env.ctx);
}

static void note(tb_linkeng_t *self, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc)
{
    if (self->env.note)
        self->env.note(self->env.ctx, what, peer, seq, rc);
}

peer_t *tb_linkeng_peer_get(tb_linkeng_t *self, const char *code)
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
    if (self->env.hold_ms && !self->store.async)
        p->hold_ms = self->env.hold_ms(self->env.ctx, code);
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

/* A synchronous backend: the acks received since the last store of them, into
 * the open batch.  An ack is not written in a transaction of its own as it
 * comes (until 2026-12-01 it was: under a trickle every message cost its
 * sender a second commit, an fsync, for its ack, and a township one for each
 * village's ack of a status update).  A stored ack only prunes the outbox: one
 * lost with a crash means the peer gets those messages again and, its cursor
 * past them, re-acks them without applying; so an ack waits for the next
 * batch of this node, or at most ACK_LAZY_MS (tb_linkeng_flush). */
static int write_acks(tb_linkeng_t *self)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->npeers; i++)
        rc = tb_linkeng_ack_store(self, &self->peers[i]);
    return rc;
}

int tb_linkeng_ack_store(tb_linkeng_t *self, peer_t *p)
{
    if (!p->has_tx || p->tx.acked <= p->ack_stored || p->tx.acked <= p->ack_first)
        return 0; /* stored, or in the older of two batches in flight */
    int rc = self->store.ack(self->st, p->code, p->tx.acked);
    if (rc == 0)
        p->ack_batch = p->tx.acked;
    return rc;
}

/* The cursor of peer as the store has it, once. */
static int load_cursor(tb_linkeng_t *self, peer_t *p)
{
    if (p->has_cursor)
        return 0;
    int rc = self->store.cursor_get(self->st, p->code, &p->cursor);
    if (rc < 0)
        return rc;
    p->cursor_done = p->cursor;
    p->has_cursor = true;
    return 0;
}

/* The end of a hold that began at since: the next multiple of hold_ms on
 * the clock, so that the holds of many peers (a township's villages) end in
 * the same turn, one read of the outbox heads for all; at most hold_ms. */
static int64_t hold_end(const peer_t *p, int64_t since)
{
    return (since / p->hold_ms + 1) * p->hold_ms;
}

/* An ack to p is wanted by due (or earlier, if one was wanted sooner). */
static void want_ack(peer_t *p, int64_t due)
{
    if (!p->need_ack || due < p->ack_due_ms)
        p->ack_due_ms = due;
    p->need_ack = true;
}

static void on_data(tb_linkeng_t *self, peer_t *p, const tb_env_t *env)
{
    if (load_cursor(self, p) < 0)
        return;
    tb_link_rx_t k = tb_link_rx_classify(p->cursor, env->seq);
    if (self->store.async) {
        /* Accept into the backend's pending batch; acks wait for its commit. */
        if (k == TB_LINK_DUP && env->seq <= p->cursor_done)
            p->need_ack = true; /* committed already: re-ack */
        if (k == TB_LINK_NEXT &&
            self->store.apply(self->st, p->code, env->seq, env->body.data, env->body.len) == 0)
            p->cursor = env->seq; /* else not accepted now: the peer resends */
        return;
    }
    /* An ack for new data may wait env.ack_delay_ms for a data of ours to
     * carry it (a status update going back down, the next event going up):
     * one message, one turn at each end and at the broker fewer per event.
     * A duplicate or a gap is answered at once: the sender is going back. */
    int64_t now = tb_linkeng_now(self);
    int64_t due = now + (k == TB_LINK_NEXT ? self->env.ack_delay_ms : 0);
    /* A peer whose data we hold: the ack on the holds' clock (hold_end), so
     * that it and the data held leave together, in one turn for all. */
    if (k == TB_LINK_NEXT && p->hold_ms > 0 && self->env.ack_delay_ms > 0)
        due = hold_end(p, now);
    want_ack(p, due);
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

/* env.on_epoch, when the daemon gave one: p's epoch is still the old one. */
static void tell_epoch(tb_linkeng_t *self, const peer_t *p, uint64_t e, bool replay)
{
    if (self->env.on_epoch)
        self->env.on_epoch(self->env.ctx, p->code, p->epoch, e, replay);
}

/* The envelope carries the sender's epoch e (non-zero): 0 to go on with it,
 * or negative to drop it whole (a retired epoch, or the store failed: the
 * sender retransmits).  A new epoch from a peer we knew under another one
 * resets the link in the open batch (tb_linkeng_store_t.epoch_set): the
 * receive cursor to 0, the send side re-read from the renumbered outbox
 * after the commit; a peer's first epoch is only recorded. */
static int check_epoch(tb_linkeng_t *self, peer_t *p, uint64_t e)
{
    int rc;
    if (!p->has_epoch) {
        if ((rc = self->store.epoch_get(self->st, p->code, &p->epoch)) < 0)
            return rc;
        p->has_epoch = true;
    }
    if (p->resetting)
        return -EAGAIN; /* the peer resends once the reset committed */
    if (p->epoch == e)
        return 0;
    if (p->replayed == e)
        return -TB_EPROTO; /* told already */
    bool reset = p->epoch != 0;
    if (reset) {
        int retired = 0;
        if ((rc = self->store.epoch_retired(self->st, p->code, e, &retired)) < 0)
            return rc;
        if (retired) {
            p->replayed = e;
            tell_epoch(self, p, e, true);
            return -TB_EPROTO;
        }
        if ((rc = load_cursor(self, p)) < 0)
            return rc;
    }
    if (self->store.async) {
        /* The backend puts the epoch (and the reset) in its next batch.  A
         * reset cannot share that batch with the new store's messages (its
         * cursor goes to 0 after the old store's last ones are applied), so
         * this peer is left alone until the backend, after the commit, makes
         * the engine anew over the reset link; the peer retransmits. */
        if ((rc = self->store.epoch_set(self->st, p->code, e, reset)) < 0)
            return rc;
        if (reset) {
            p->resetting = true;
            tell_epoch(self, p, e, false);
            return -EAGAIN;
        }
        p->epoch = e;
        return 0;
    }
    /* The renumbering keeps what the old store never acknowledged: its acks
     * received so far are stored first. */
    if ((rc = open_tx(self)) < 0 ||
        (reset && p->has_tx && p->tx.acked > p->ack_stored &&
         (rc = self->store.ack(self->st, p->code, p->tx.acked)) < 0) ||
        (rc = self->store.epoch_set(self->st, p->code, e, reset)) < 0) {
        fail(self, rc);
        return rc;
    }
    if (reset) {
        p->cursor = 0;       /* committed as 0 with the batch (drained) */
        p->has_tx = false;   /* re-read from the renumbered outbox after it */
        p->need_ack = false; /* nothing of the new store applied yet */
        tell_epoch(self, p, e, false);
    }
    p->epoch = e;
    return 0;
}

/* p sent to the store ours replaced, not knowing yet (Envelope.receiver_epoch):
 * its ack counts that store's messages (taken, it would delete ours of the
 * same seqs unsent) and its seq follows that store's numbering; neither is
 * taken.  An ack of ours goes at once: it carries our epoch, on which p
 * resets the link and renumbers what it had for the old store. */
static void for_old_store(tb_linkeng_t *self, peer_t *p, uint64_t seq)
{
    note(self, TB_LINKENG_FOR_OLD_STORE, p->code, seq, 0);
    if (load_cursor(self, p) < 0)
        return;
    want_ack(p, tb_linkeng_now(self));
}

static void on_unreachable(tb_linkeng_t *self, const tb_env_t *env)
{
    Tongban__V1__Unreachable *u =
        tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
    if (u && tb_code_valid(u->peer)) {
        peer_t *p = tb_linkeng_peer_get(self, u->peer);
        if (p && p->has_tx)
            tb_link_tx_unreachable(&p->tx, tb_linkeng_now(self));
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
    if (self->env.accept_peer && !self->env.accept_peer(self->env.ctx, env->sender)) {
        note(self, TB_LINKENG_PEER_REFUSED, env->sender, env->seq, 0);
        return;
    }
    peer_t *p = tb_linkeng_peer_get(self, env->sender);
    if (!p)
        return;
    if (env->epoch && self->store.epoch_get && check_epoch(self, p, env->epoch) < 0)
        return;
    if (env->receiver_epoch && self->env.epoch && env->receiver_epoch != self->env.epoch) {
        for_old_store(self, p, env->seq);
        return;
    }
    if (env->ack && p->has_tx) {
        int adv = tb_link_tx_on_ack(&p->tx, env->ack, tb_linkeng_now(self));
        if (adv < 0) {
            note(self, TB_LINKENG_ACK_BEYOND, p->code, env->ack, adv);
        } else if (adv > 0 && !self->store.async && !self->acks_due) {
            /* Stored with the next batch, or alone after ACK_LAZY_MS (write_acks). */
            self->acks_due = true;
            self->acks_since = tb_linkeng_now(self);
        }
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
    peer_t *p = tb_linkeng_peer_get(h->self, code);
    if (!p) {
        h->nomem = true;
        return;
    }
    if (!p->has_tx) {
        tb_link_tx_init(&p->tx, last, acked, tb_linkeng_now(h->self));
        p->has_tx = true;
        p->ack_stored = acked;
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
    int rc = tb_linkeng_send(e->self, p, TONGBAN__V1__KIND__KIND_DATA, seq,
                             p->has_cursor ? p->cursor_done : 0, body, len);
    if (rc < 0) {
        note(e->self, TB_LINKENG_SEND_FAILED, p->code, seq, rc);
        e->pushed_back = true;
        return rc;
    }
    p->need_ack = false; /* the data carried the ack */
    p->ack_sent = p->has_cursor ? p->cursor_done : 0;
    e->sent = seq;
    e->expect = seq + 1;
    return 0;
}

/* An ack to p is due now: its delay is over, or ACK_EVERY messages wait for it. */
static bool ack_due(const peer_t *p, int64_t t)
{
    return p->need_ack && p->has_cursor && !p->resetting &&
           (p->ack_due_ms <= t || p->cursor_done - p->ack_sent >= ACK_EVERY);
}

/* New data to p waits (env.hold_ms) while nothing to p is in flight, the
 * hold is not over and no ack to p is due.  Only new data: a retransmit,
 * or more behind data in flight, goes as before. */
static bool held(peer_t *p, int64_t t)
{
    const tb_link_tx_t *tx = &p->tx;
    if (p->hold_ms <= 0 || tx->sent != tx->acked || tx->sent >= tx->last ||
        t < tx->blocked_until_ms) {
        p->holding = false;
        return false;
    }
    if (!p->holding) {
        p->holding = true;
        p->held_since = t;
    }
    return t < hold_end(p, p->held_since) && !ack_due(p, t);
}

void tb_linkeng_flush(tb_linkeng_t *self)
{
    if (self->in_tx)
        return;
    int64_t t = tb_linkeng_now(self);
    if (self->acks_due && t - self->acks_since >= ACK_LAZY_MS) {
        /* No batch came to carry them: a transaction for the acks alone
         * (drained writes and commits them, then flushes again). */
        if (open_tx(self) == 0) {
            tb_linkeng_drained(self);
            return;
        }
        self->acks_since = t; /* the store is busy: later */
    }
    if (self->ndelayed && t - self->delayed_since >= DELAY_MS)
        tb_linkeng_release_delayed(self);
    if (!self->store.async)
        refresh_peers(self); /* an asynchronous backend tells (tb_linkeng_appended) */
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        uint64_t from, to;
        if (!p->has_tx || p->resetting || held(p, t) ||
            !tb_link_tx_due(&p->tx, t, self->env.window, &from, &to))
            continue;
        emit_t e = {self, p, from, from - 1, false};
        int rc = self->store.read(self->st, p->code, from, to, on_emit, &e);
        if (rc == 0 && e.expect <= to)
            rc = -TB_ESTORE; /* the range ended early: a hole in the outbox */
        if (rc < 0 && !e.pushed_back && rc != -EAGAIN) /* -EAGAIN: not in memory yet */
            note(self, TB_LINKENG_READ_FAILED, p->code, e.expect, rc);
        if (e.sent >= from) {
            tb_link_tx_sent(&p->tx, e.sent);
            p->holding = false;
        }
    }
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (ack_due(p, t) && tb_linkeng_send(self, p, TONGBAN__V1__KIND__KIND_ACK, 0,
                                             p->cursor_done, NULL, 0) == 0) {
            p->need_ack = false;
            p->ack_sent = p->cursor_done;
        }
    }
}

int tb_linkeng_drained(tb_linkeng_t *self)
{
    if (self->store.async) {
        tb_linkeng_flush(self); /* the backend commits when it likes */
        return 0;
    }
    if (self->in_tx) {
        int rc = self->failed ? self->failed : write_acks(self);
        if (rc == 0)
            rc = self->store.commit(self->st);
        self->in_tx = false;
        if (rc < 0) {
            self->store.rollback(self->st);
            fail(self, rc);
        } else if (self->env.fault) {
            tb_fault_committed(self->env.fault); /* test hook: die between commit and acks */
        }
    }
    int rc = self->failed;
    self->acks_due = false;
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (rc) {
            /* Forget the batch: cursors and acks are re-read from the store. */
            p->cursor = p->cursor_done;
            p->need_ack = false;
            p->has_tx = false;
            p->has_epoch = false; /* an epoch set in the batch is undone too */
        } else {
            p->cursor_done = p->cursor;
            if (p->ack_batch > p->ack_stored)
                p->ack_stored = p->ack_batch;
            self->acks_due |= p->has_tx && p->tx.acked > p->ack_stored;
        }
        p->ack_batch = 0;
    }
    if (rc)
        note(self, TB_LINKENG_ROLLED_BACK, "", 0, rc);
    self->failed = 0;
    tb_linkeng_flush(self);
    return rc;
}

int tb_linkeng_peer(const tb_linkeng_t *self, const char *peer, tb_linkeng_peer_t *ret)
{
    for (size_t i = 0; i < self->npeers; i++) {
        const peer_t *p = &self->peers[i];
        if (strcmp(p->code, peer) != 0)
            continue;
        *ret = (tb_linkeng_peer_t){p->has_cursor, p->cursor, p->cursor_done,
                                   p->has_tx ? p->tx.last : 0, p->has_tx ? p->tx.acked : 0};
        return 0;
    }
    return -ENOENT;
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
        int64_t w = !p->has_tx    ? -1
                    : p->holding ? (hold_end(p, p->held_since) > t ? hold_end(p, p->held_since) - t : 0)
                                 : tb_link_tx_wait_ms(&p->tx, t);
        if (w >= 0 && (best < 0 || w < best))
            best = w;
        if (p->need_ack && p->has_cursor) {
            int64_t a = p->ack_due_ms > t ? p->ack_due_ms - t : 0;
            if (best < 0 || a < best)
                best = a;
        }
    }
    if (self->acks_due) {
        int64_t w = self->acks_since + ACK_LAZY_MS - t;
        if (w < 0)
            w = 0;
        if (best < 0 || w < best)
            best = w;
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
    else if (self->acks_due && open_tx(self) == 0) {
        /* A clean stop stores the acks it holds (else resent after the start). */
        if (write_acks(self) < 0 || self->store.commit(self->st) < 0)
            self->store.rollback(self->st);
    }
    for (int i = 0; i < self->ndelayed; i++)
        free(self->delayed[i].body);
    free(self->peers);
    free(self);
}
