/* tb_linkeng_batch: the link engine's side of an asynchronous backend (the
 * county's): the batch being assembled and in flight, its cursors and stored
 * acks, and what changes when it committed or was lost (tb_linkeng.h). */
#include "tb_linkeng_int.h"

#include <assert.h>
#include <errno.h>

int tb_linkeng_batch_take(tb_linkeng_t *self, const char *peer, uint64_t seq)
{
    assert(self->store.async);
    peer_t *p = tb_linkeng_peer_get(self, peer);
    if (!p || !p->has_cursor || seq > p->cursor || seq <= p->cursor_done)
        return -EINVAL;
    if (!self->batch_open) {
        self->batch_open = true;
        for (size_t i = 0; i < self->npeers; i++)
            self->peers[i].cursor_batch = self->peers[i].cursor_done;
    }
    if (seq > p->cursor_batch)
        p->cursor_batch = seq;
    return 0;
}

int tb_linkeng_batch_write(tb_linkeng_t *self)
{
    assert(self->store.async);
    if (!self->batch_open) {
        self->batch_open = true;
        for (size_t i = 0; i < self->npeers; i++)
            self->peers[i].cursor_batch = self->peers[i].cursor_done;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (p->has_cursor && p->cursor_batch > p->cursor_done)
            rc = self->store.cursor_set(self->st, p->code, p->cursor_batch);
        if (rc == 0)
            rc = tb_linkeng_ack_store(self, p);
    }
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
        if (rc < 0) {
            /* Lost: what was accepted is gone with the backend's queue. */
            p->cursor = p->cursor_done;
            p->need_ack = false;
        } else if (self->batch_open) {
            if (p->cursor_batch > p->cursor_done) {
                p->cursor_done = p->cursor_batch;
                p->need_ack = true;
            }
            if (p->ack_batch > p->ack_stored)
                p->ack_stored = p->ack_batch; /* the outbox is pruned up to here */
        }
        p->cursor_batch = p->cursor_done;
        p->ack_batch = 0;
    }
    self->batch_open = false;
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
