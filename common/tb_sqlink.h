/* tb_sqlink: durable links of a node whose store is SQLite (village, township).
 *
 * It owns the node's broker connection (tb_node) and is the SQLite backend of
 * the link engine (tb_linkeng: the protocol, written once), which runs over
 * the store's outboxes and cursors:
 *  - receiving: messages from each peer are applied strictly in order; every
 *    message drained in one loop turn is applied in ONE transaction together
 *    with the new cursors, and only after COMMIT are acks sent;
 *  - sending: right after each batch, when a command woke it (tb_sqlink_wake),
 *    every 100 ms while anything is unacknowledged, and every 5 s as a safety
 *    poll, it reads the outboxes' heads (commands a person types append to
 *    them from other processes), sends what is due, and retransmits go-back-N
 *    until acked.  The wake is a UNIX datagram socket beside the store
 *    (<place>.db-wake); a node that cannot bind it polls every 100 ms.
 * A message that arrives in order but does not decode or validate is kept in
 * the quarantine table and skipped, so one bad message never blocks a link.
 *
 * Library code: it logs nothing.  What a daemon may want to log reaches
 * app->note; tb_sqlink_note_text words it, once for every daemon.
 */
#ifndef TB_SQLINK_H
#define TB_SQLINK_H

#include "tb_linkeng.h"
#include "tb_log.h"
#include "tb_node.h"
#include "tb_store.h"

typedef struct tb_sqlink tb_sqlink_t;

/* Messages in flight past the ack, per peer.  256 until 2026-12-01 (issue 13): under the
 * whole county's trickle a township's link to the county acks about once a
 * second (the county commits in batches, on a loaded machine), so 256 a
 * round capped a big township (30 villages) at ~200 messages/s, about what
 * it makes, and a queue of 20,000 messages built in its outboxes (the
 * latency run's p50 of 6-30 s).  The receiver takes at most 256 a loop turn
 * (tb_node's drain budget, one transaction each), so a window of 4 such
 * turns keeps it busy while the acks of the first come back. */
enum { TB_SQLINK_WINDOW = 1024 };

/* How long an ack for new data waits for a data of ours to carry it
 * (tb_linkeng_env_t.ack_delay_ms).  Under a trickle each case's event goes
 * up and its status update comes back down a few ms to a few tens of ms
 * later: the status carries the township's ack of the event, the next
 * event up a township's ack of the county's status, instead of an ack of
 * their own (2026-12-01, issue 13).  Well below the 500 ms retransmit floor.
 * A township only: traffic passes it both ways all the time.  A village's
 * next message up comes seconds later, so its ack would only wait, and then
 * cost a timer turn of its own (measured: the villages' CPU per case did not
 * fall while they delayed theirs). */
enum { TB_SQLINK_ACK_DELAY_MS = 100 };
/* The ack delay of a node at place: TB_SQLINK_ACK_DELAY_MS for a township, else 0. */
int64_t tb_sqlink_ack_delay_ms(const char *place);
/* How long new data from the node at place to peer may wait for more
 * (tb_linkeng_env_t.hold_ms): TB_SQLINK_ACK_DELAY_MS from a township to a
 * village, else 0.  Under a trickle a township sends a village two messages a
 * case a few ms apart, its RECEIVED and the county's status update after it;
 * held, both go down in one turn, with the township's ack of the case's events
 * (which waits as long), and the village applies them in one transaction
 * and acks them once.  Nothing going up waits: the log -> county latency is
 * unchanged. */
int64_t tb_sqlink_hold_ms(const char *place, const char *peer);

/* What the link tells the daemon (to log). */
typedef enum {
    TB_SQLINK_ENGINE,       /* the link engine noted `what` (peer, seq, rc) */
    TB_SQLINK_QUARANTINED,  /* peer's message seq does not decode (rc): quarantined, skipped */
    TB_SQLINK_DROPPED,      /* tb_node dropped an invalid envelope (seq: its frames, rc) */
    TB_SQLINK_SERVING,      /* tb_sqlink_serve started (peer: our place, detail: the broker
                               endpoint, seq: messages waiting in the outboxes) */
    TB_SQLINK_SIGNAL,       /* tb_sqlink_serve got signal rc: stopping */
    TB_SQLINK_STOPPED,      /* tb_sqlink_serve's loop ended (rc: uv_loop_close's result) */
    TB_SQLINK_EPOCH_RESET,  /* peer came back with a new store: its link was reset
                               (detail: "old <hex> new <hex>") */
    TB_SQLINK_EPOCH_REPLAY, /* peer sent with an epoch it had before: dropped (detail as above) */
    TB_SQLINK_HELD,         /* seq notes a peer caused were held back in the last minute: of
                               what a remote peer can cause (a drop, a quarantine, a refused
                               message, an ack beyond our last, a replay), the link tells at
                               most TB_RATELIMIT_LINES a minute per peer, then this, once */
} tb_sqlink_event_t;

typedef struct {
    tb_sqlink_event_t event;
    tb_linkeng_note_t what; /* TB_SQLINK_ENGINE only */
    const char *peer;       /* or "" */
    const char *detail;     /* or "" */
    uint64_t seq;
    int rc;
} tb_sqlink_note_t;

/* The log line for a note: its level and text in buf, or -1 when there is
 * nothing worth a line (back-pressure, for one).  Pure: logs nothing. */
int tb_sqlink_note_text(const tb_sqlink_note_t *n, char *buf, size_t cap);

typedef struct {
    /* Apply one in-order item from peer inside the open transaction.  Return 0,
     * or a negative code to abort the whole batch (store failure: retried later). */
    int (*apply)(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                 size_t len);
    void *ctx;
    /* Optional: what happened, for the daemon to log (ctx as above). */
    void (*note)(void *ctx, const tb_sqlink_note_t *note);
    /* Optional, for tb_sqlink_serve: the loop and the link exist: start what
     * else the daemon serves on the loop (its screens).  A negative return
     * ends serve with that code. */
    int (*started)(void *ctx, uv_loop_t *loop, tb_sqlink_t *link);
    /* Optional: serve is stopping: close what started() opened. */
    void (*stopping)(void *ctx);
    const tb_curve_t *curve; /* CurveZMQ keys (tb_node_new_curve); NULL: plain text */
    /* Optional: peer's message seq did not decode or validate (rc) and is now in
     * the quarantine, inside the same transaction: the daemon may answer it
     * (tb_reject_answer).  0, or negative to abort the batch as apply. */
    int (*undecodable)(void *ctx, const char *peer, uint64_t seq, const uint8_t *body, size_t len,
                       int rc);
} tb_sqlink_app_t;

int tb_sqlink_new(uv_loop_t *loop, tb_store_t *store, const char *endpoint,
                  const tb_sqlink_app_t *app, tb_sqlink_t **ret);
void tb_sqlink_close(tb_sqlink_t **self_p);

/* The link's next timer turn, in ms: wait_ms is the engine's next deadline
 * (tb_linkeng_wait_ms: -1 none, 0 due now), woken whether commands can wake
 * the node (its wake socket is bound), fault whether fault injection is on. */
uint64_t tb_sqlink_turn_ms(bool woken, bool fault, int64_t wait_ms);
/* Whether the link's timer (active, due in due_in ms) is started anew at
 * want (tb_sqlink_turn_ms): when it would fire later, and, when want is the
 * engine's own next deadline (exact: woken and no fault injection), also when
 * it would fire earlier.  A turn at a deadline that went away (the
 * retransmit timeout of data since acknowledged: one per message a village
 * or a township sends) found nothing to do and read the outbox heads for it
 * (until 2026-12-02).  A poll (not exact) is never pushed later: restarted
 * at every turn it would never come. */
bool tb_sqlink_rearm(bool active, uint64_t due_in, uint64_t want, bool exact);

/* Send what is due now (after the caller queued something). */
void tb_sqlink_flush(tb_sqlink_t *self);

/* A command committed to store: wake its serving node (if one runs) to send
 * now.  0, or negative (-ENOENT or -ECONNREFUSED: no node serving; the
 * caller ignores it, the node's safety poll finds the work anyway). */
int tb_sqlink_wake(tb_store_t *store);

/* Messages waiting in all outboxes. */
uint64_t tb_sqlink_backlog(tb_sqlink_t *self);

/* True if the broker answered a heartbeat lately (the way up is open). */
bool tb_sqlink_up(const tb_sqlink_t *self);

/* Run a node on a fresh loop until SIGINT or SIGTERM: log the backlog at start,
 * finish the current batch, close the store's link cleanly.  0 or negative. */
int tb_sqlink_serve(tb_store_t *store, const char *endpoint, const tb_sqlink_app_t *app);
#endif
