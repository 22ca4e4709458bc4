/* tb_linkeng_batch: the link engine's side of an asynchronous backend (the
 * county's): the batch being assembled and in flight, its cursors and stored
 * acks, and what changes when it committed or was lost (tb_linkeng.h). */
#include "tb_linkeng_int.h"

#include <assert.h>
#include <errno.h>

/* A batch begins (its first take or its write): every cursor starts from the
 * committed one, or, while one batch is in flight, from that batch's, which
 * becomes the older of two. */
static int batch_begin(tb_linkeng_t *self)
{
    if (self->batch_open && !self->batch_written)
        return 0; /* it began already */
    if (self->two)
        return -EBUSY; /* at most two in flight */
    self->two = self->batch_open;
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (self->two) {
            p->cursor_first = p->cursor_batch;
            p->ack_first = p->ack_batch;
            p->ack_batch = 0;
        } else {
            p->cursor_batch = p->cursor_done;
        }
    }
    self->batch_open = true;
    self->batch_written = false;
    return 0;
}

int tb_linkeng_batch_take(tb_linkeng_t *self, const char *peer, uint64_t seq)
{
    assert(self->store.async);
    peer_t *p = tb_linkeng_peer_get(self, peer);
    if (!p || !p->has_cursor || seq > p->cursor || seq <= p->cursor_done)
        return -EINVAL;
    int rc = batch_begin(self);
    if (rc < 0)
        return rc;
    if (seq > p->cursor_batch)
        p->cursor_batch = seq;
    return 0;
}

int tb_linkeng_batch_write(tb_linkeng_t *self)
{
    assert(self->store.async);
    int rc = batch_begin(self);
    for (size_t i = 0; rc == 0 && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        uint64_t base = self->two ? p->cursor_first : p->cursor_done;
        if (p->has_cursor && p->cursor_batch > base)
            rc = self->store.cursor_set(self->st, p->code, p->cursor_batch);
        if (rc == 0)
            rc = tb_linkeng_ack_store(self, p);
    }
    if (rc == 0)
        self->batch_written = true;
    return rc;
}

bool tb_linkeng_batch_due(const tb_linkeng_t *self)
{
    for (size_t i = 0; i < self->npeers; i++)
        if (self->peers[i].has_tx && self->peers[i].tx.acked > self->peers[i].ack_stored)
            return true;
    return false;
}

void tb_linkeng_committed(tb_linkeng_t *self, int rc)
{
    assert(self->store.async);
    if (rc == 0 && self->batch_open && self->env.fault)
        tb_fault_committed(self->env.fault); /* test hook: die between commit and acks */
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        /* What committed: the older of two, or the one in flight. */
        uint64_t cursor = self->two ? p->cursor_first : p->cursor_batch;
        uint64_t ack = self->two ? p->ack_first : p->ack_batch;
        if (rc < 0) {
            /* Lost: what was accepted is gone with the backend's queue (the
             * newer of two is lost with the older). */
            p->cursor = p->cursor_done;
            p->need_ack = false;
        } else if (self->batch_open) {
            if (cursor > p->cursor_done) {
                p->cursor_done = cursor;
                p->need_ack = true;
            }
            if (ack > p->ack_stored)
                p->ack_stored = ack; /* the outbox is pruned up to here */
        }
        p->cursor_first = p->ack_first = 0;
        if (rc < 0 || !self->two) {
            p->cursor_batch = p->cursor_done;
            p->ack_batch = 0;
        }
    }
    self->batch_open = self->two && rc == 0; /* the newer is still in flight */
    self->batch_written = self->batch_open;
    self->two = false;
    if (rc == 0)
        tb_linkeng_flush(self);
}

int tb_linkeng_appended(tb_linkeng_t *self, const char *peer, uint64_t last)
{
    peer_t *p = tb_linkeng_peer_get(self, peer);
    if (!p)
        return -ENOMEM;
    if (!p->has_tx) {
        tb_link_tx_init(&p->tx, 0, 0, tb_linkeng_now(self));
        p->has_tx = true;
    }
    tb_link_tx_appended(&p->tx, last);
    return 0;
}
