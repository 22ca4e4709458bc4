/* tb_linkeng_int.h: what tb_linkeng.c and tb_linkeng_batch.c share (private
 * to the engine: its peers, its state, two helpers). */
#ifndef TB_LINKENG_INT_H
#define TB_LINKENG_INT_H

#include "tb_linkeng.h"

#include "tb_place.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char code[TB_CODE_LEN + 1];
    tb_link_tx_t tx;
    bool has_tx;
    uint64_t cursor;      /* last applied seq from this peer (committed or in the open batch) */
    uint64_t cursor_done; /* last committed */
    bool has_cursor;
    bool has_epoch;    /* epoch below was read from the store (or set in the open batch) */
    uint64_t epoch;    /* the peer's current store epoch (0: none known) */
    uint64_t replayed; /* the last retired epoch seen (and told) from this peer */
    bool resetting;    /* async: a new epoch's reset is queued; nothing in or out until the
                        * backend makes the engine anew over the reset link */
    bool need_ack;
    int64_t ack_due_ms; /* need_ack: the ack leaves by then (env.ack_delay_ms) */
    uint64_t ack_sent;  /* the cursor last sent to the peer (in an ack or a data) */
    uint64_t ack_stored; /* tx.acked as last stored */
    uint64_t ack_batch;  /* tx.acked as the batch (open, or in flight) stores it */
    uint64_t ack_first;  /* async, two batches in flight: tx.acked as the older stores it */
    int64_t hold_ms;     /* env.hold_ms for this peer (0: none) */
    bool holding;        /* new data waits since held_since (env.hold_ms) */
    int64_t held_since;
    /* asynchronous backends */
    uint64_t cursor_batch; /* the cursor the batch being assembled or in flight writes */
    uint64_t cursor_first; /* two batches in flight: the cursor the older writes */
} peer_t;

/* ACK_LAZY_MS: how long a synchronous backend may hold a peer's ack unstored
 * when no batch comes to carry it (TB_LINKENG_ACK_LAZY_MS). */
enum { MAX_DELAYED = 64, DELAY_MS = 1000, ACK_LAZY_MS = TB_LINKENG_ACK_LAZY_MS };

enum { ACK_EVERY = TB_LINKENG_ACK_EVERY };

/* An envelope the fault hook holds back (test builds: reordering). */
typedef struct {
    char dest[TB_CODE_LEN + 1];
    Tongban__V1__Kind kind;
    uint64_t dest_epoch, seq, ack;
    uint8_t *body;
    size_t len;
} delayed_t;

struct tb_linkeng {
    tb_linkeng_store_t store;
    void *st;
    tb_linkeng_env_t env;
    peer_t *peers;
    size_t npeers, cap;
    bool in_tx;
    int failed; /* the open batch hit an error (its code): roll it back */
    uint64_t backlog;
    bool batch_open; /* async: a batch is assembled or in flight */
    bool batch_written; /* async: the newest batch's cursors and acks are written */
    bool two;           /* async: two batches in flight (the older's in *_first) */
    bool acks_due;   /* sync: an ack received is not stored yet (since acks_since) */
    int64_t acks_since;
    delayed_t delayed[MAX_DELAYED];
    int ndelayed;
    int64_t delayed_since;
};

/* env.send to p, naming p's store epoch, through the fault hook (drop, dup,
 * delay) when a test build has one active (tb_linkeng_send.c). */
int tb_linkeng_send(tb_linkeng_t *self, peer_t *p, Tongban__V1__Kind kind, uint64_t seq,
                    uint64_t ack, const uint8_t *body, size_t len);
/* Send what the fault hook held back, after what went since (reordered). */
void tb_linkeng_release_delayed(tb_linkeng_t *self);
/* The engine's clock (env.now_ms). */
int64_t tb_linkeng_now(tb_linkeng_t *self);
/* The peer of code, added when new; NULL when out of memory. */
peer_t *tb_linkeng_peer_get(tb_linkeng_t *self, const char *code);
/* p's acks received since they were last stored, into the open batch (noted
 * in ack_batch, ack_stored when it commits): 0, or the store's error. */
int tb_linkeng_ack_store(tb_linkeng_t *self, peer_t *p);

#endif
