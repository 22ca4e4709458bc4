/* tb_linkeng_send: the link engine's one way out (tb_linkeng_int.h): every
 * envelope names the receiver's store epoch as this node knows it (proto
 * Envelope.receiver_epoch), and goes through the fault hook of test builds. */
#include "tb_linkeng_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Send what the fault hook held back, after what went since (reordered). */
void tb_linkeng_release_delayed(tb_linkeng_t *self)
{
    for (int i = 0; i < self->ndelayed; i++) {
        delayed_t *d = &self->delayed[i];
        self->env.send(self->env.ctx, d->dest, d->dest_epoch, d->kind, d->seq, d->ack, d->body,
                       d->len);
        free(d->body);
    }
    self->ndelayed = 0;
}

/* The epoch of p's store as ours knows it, for Envelope.receiver_epoch: read
 * once (0 while the store cannot say: the receiver then checks nothing). */
static uint64_t peer_epoch(tb_linkeng_t *self, peer_t *p)
{
    if (!p->has_epoch && self->store.epoch_get &&
        self->store.epoch_get(self->st, p->code, &p->epoch) == 0)
        p->has_epoch = true;
    return p->has_epoch ? p->epoch : 0;
}

/* The engine's one way out: env.send to p, through the fault hook (drop,
 * dup, delay) when the test build has one active. */
int tb_linkeng_send(tb_linkeng_t *self, peer_t *p, Tongban__V1__Kind kind, uint64_t seq,
                    uint64_t ack, const uint8_t *body, size_t len)
{
    const char *dest = p->code;
    uint64_t dest_epoch = peer_epoch(self, p);
    tb_fault_action_t act = self->env.fault ? tb_fault_roll(self->env.fault) : TB_FAULT_PASS;
    switch (act) {
    case TB_FAULT_DROP:
        return 0; /* "sent", and lost on the way */
    case TB_FAULT_DELAY: {
        if (self->ndelayed == MAX_DELAYED)
            tb_linkeng_release_delayed(self);
        delayed_t *d = &self->delayed[self->ndelayed];
        d->body = malloc(len ? len : 1);
        if (!d->body)
            return 0; /* lost on the way */
        if (len)
            memcpy(d->body, body, len);
        snprintf(d->dest, sizeof d->dest, "%s", dest);
        d->kind = kind;
        d->dest_epoch = dest_epoch;
        d->seq = seq;
        d->ack = ack;
        d->len = len;
        if (self->ndelayed++ == 0)
            self->delayed_since = tb_linkeng_now(self);
        return 0;
    }
    case TB_FAULT_DUP:
        self->env.send(self->env.ctx, dest, dest_epoch, kind, seq, ack, body, len);
        break;
    case TB_FAULT_PASS:
        break;
    }
    return self->env.send(self->env.ctx, dest, dest_epoch, kind, seq, ack, body, len);
}
