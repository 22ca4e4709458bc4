/* tb_sqlink: durable links of a node whose store is SQLite (village, township).
 *
 * It owns the node's broker connection (tb_node) and is the SQLite backend of
 * the link engine (tb_linkeng: the protocol, written once), which runs over
 * the store's outboxes and cursors:
 *  - receiving: messages from each peer are applied strictly in order; every
 *    message drained in one loop turn is applied in ONE transaction together
 *    with the new cursors, and only after COMMIT are acks sent;
 *  - sending: every 100 ms (and right after each batch) it reads the outboxes'
 *    heads (commands a person types append to them from other processes),
 *    sends what is due, and retransmits go-back-N until acked.
 * A message that arrives in order but does not decode or validate is kept in
 * the quarantine table and skipped, so one bad message never blocks a link.
 */
#ifndef TB_SQLINK_H
#define TB_SQLINK_H

#include "tb_node.h"
#include "tb_store.h"

typedef struct tb_sqlink tb_sqlink_t;

typedef struct {
    /* Apply one in-order item from peer inside the open transaction.  Return 0,
     * or a negative code to abort the whole batch (store failure: retried later). */
    int (*apply)(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                 size_t len);
    void *ctx;
    const tb_curve_t *curve; /* CurveZMQ keys (tb_node_new_curve); NULL: plain text */
} tb_sqlink_app_t;

int tb_sqlink_new(uv_loop_t *loop, tb_store_t *store, const char *endpoint,
                  const tb_sqlink_app_t *app, tb_sqlink_t **ret);
void tb_sqlink_close(tb_sqlink_t **self_p);

/* Send what is due now (after the caller queued something). */
void tb_sqlink_flush(tb_sqlink_t *self);

/* Messages waiting in all outboxes. */
uint64_t tb_sqlink_backlog(tb_sqlink_t *self);

/* Run a node on a fresh loop until SIGINT or SIGTERM: log the backlog at start,
 * finish the current batch, close the store's link cleanly.  0 or negative. */
int tb_sqlink_serve(tb_store_t *store, const char *endpoint, const tb_sqlink_app_t *app);
#endif
