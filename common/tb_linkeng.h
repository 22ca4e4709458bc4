/* tb_linkeng: the exactly-once link engine, over a storage backend.
 *
 * What every node with a store does on its links, written once: per peer the
 * receive cursor (applied, committed) and the send side (tb_link: sequencing,
 * window, go-back-N retransmit with backoff, cumulative acks), presence (the
 * broker's UNREACHABLE holds a peer's outbox; only the broker may say so),
 * one transaction per batch of messages drained in a loop turn with the new
 * cursors in it, acks only after that transaction committed, and the
 * crash_after_commit fault hook between the commit and its acks.  Since
 * 2026-12-01 a synchronous backend stores the acks it received with its next
 * batch (TB_LINKENG_ACK_LAZY_MS) and, with env.ack_delay_ms, lets an ack for
 * new data wait for a data of its own to carry it: under a trickle every
 * message used to cost a commit for its ack and an ack envelope of its own.
 *
 * The engine never knows SQL, sockets or the time of day: it reaches its
 * store through tb_linkeng_store_t (like redis's ae.c over its aeApi*
 * backends), the network through a send function and the time through a
 * clock, all in tb_linkeng_env_t; so the unit test drives it with a fake
 * store, a fake wire and a fake clock.  The SQLite nodes' backend is
 * tb_sqlink.c.  Outboxes grow outside the engine (the application appends
 * inside its own transactions, from other processes too); a synchronous
 * backend's heads() is read on every flush, an asynchronous one tells.
 *
 * Two kinds of backend.  A synchronous one (tb_sqlink.c, SQLite) opens one
 * transaction per loop turn: apply() writes the effect, the engine adds the
 * cursors and acks and commits in tb_linkeng_drained().  An asynchronous one
 * (store->async, the county's PostgreSQL pipeline, county-node/county_link.c)
 * commits later and keeps accepting meanwhile:
 *  - apply() only ACCEPTS the message (into the backend's pending queue, no
 *    write); a negative return means "not now" (queue full, no database):
 *    the cursor does not move and the peer resends;
 *  - per peer three cursors: accepted (apply returned 0), in the batch being
 *    committed, committed.  The backend assembles a batch when it likes: it
 *    names each accepted message it takes (tb_linkeng_batch_take), then
 *    tb_linkeng_batch_write() adds the new cursors (cursor_set) and the acks
 *    received since the last batch (ack) to that batch's statements;
 *  - when the backend learns the outcome it calls tb_linkeng_committed(rc):
 *    0 fires the commit hook, makes the batch's cursors committed and sends
 *    the acks; negative (lost) puts every accepted cursor back to committed;
 *  - outbox growth is told, not polled: after a commit the backend calls
 *    tb_linkeng_appended() per new head (heads() is read once, at new);
 *  - read() may answer -EAGAIN for a range it does not hold in memory yet
 *    (it schedules a read-back): "try later", nothing is noted.
 * A synchronous backend never calls the batch functions.
 *
 * Test hooks (with env->fault, only in a -Dtest_hooks=true build): the
 * drop/dup/delay of outgoing DATA and ACK envelopes happens here, in the
 * engine's one send path, for every link; crash_after_commit fires between a
 * commit and its acks, for both kinds of backend.
 *
 * Library code: it returns errors and logs nothing; what a daemon may want
 * to log is handed to env->note.
 */
#ifndef TB_LINKENG_H
#define TB_LINKENG_H

#include "tb_fault.h"
#include "tb_link.h"
#include "tb_wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tb_linkeng tb_linkeng_t;

/* A synchronous backend stores a peer's ack with its next batch, or in a
 * transaction of its own at most this long after it came (tb_linkeng.c,
 * write_acks): a stored ack only prunes the outbox. */
enum { TB_LINKENG_ACK_LAZY_MS = 1000 };

/* A delayed ack (ack_delay_ms below) leaves at once when this many messages
 * are unacknowledged: a sender in full flow must not wait for its window. */
enum { TB_LINKENG_ACK_EVERY = 64 };

/* heads(): called once per outbox: its peer, the last seq assigned, the ack stored. */
typedef void (*tb_linkeng_head_fn)(void *arg, const char *peer, uint64_t last, uint64_t acked);
/* read(): called per message of the range, in seq order; a negative return
 * stops the read (the wire pushed back) and is what read() returns. */
typedef int (*tb_linkeng_emit_fn)(void *arg, uint64_t seq, const uint8_t *body, size_t len);

/* The storage interface.  Every function returns 0 or a negative code.
 * begin() opens the batch's transaction; apply(), cursor_set() and ack() run
 * inside it; commit() ends it (on failure the engine calls rollback()). */
typedef struct {
    int (*begin)(void *st);
    int (*commit)(void *st);
    void (*rollback)(void *st);
    /* The committed receive cursor of peer (0 for a peer never heard from). */
    int (*cursor_get)(void *st, const char *peer, uint64_t *ret_cursor);
    /* Apply the in-order message seq from peer (the effect). */
    int (*apply)(void *st, const char *peer, uint64_t seq, const uint8_t *body, size_t len);
    /* Store peer's cursor in the effect's transaction. */
    int (*cursor_set)(void *st, const char *peer, uint64_t seq);
    /* Record peer's cumulative ack (the outbox up to it may go). */
    int (*ack)(void *st, const char *peer, uint64_t ack);
    /* Report every outbox's head through fn. */
    int (*heads)(void *st, tb_linkeng_head_fn fn, void *arg);
    /* Read the outbox to peer, seqs from..to, through emit. */
    int (*read)(void *st, const char *peer, uint64_t from, uint64_t to, tb_linkeng_emit_fn emit,
                void *arg);
    /* Optional (NULL: the backend keeps no epochs and none is checked).
     * Link epochs (proto Envelope.epoch): epoch_get
     * gives peer's current epoch (0: none known yet); epoch_retired whether
     * epoch is one peer had before its current one (*ret 1) or not (0);
     * epoch_set, in the batch's transaction, makes epoch peer's current one
     * and retires the one before, and with reset also puts the receive cursor
     * of peer back to 0 and renumbers the outbox to peer: what peer never
     * acknowledged stays, as seqs 1.. in the same order, acked 0.
     * An asynchronous backend answers epoch_get and epoch_retired from memory
     * and puts epoch_set in its next batch, after the batch's cursors; after a
     * reset the engine drops everything from and to that peer (the peer
     * retransmits) until the backend, once that batch committed, makes a new
     * engine over the reset link. */
    int (*epoch_get)(void *st, const char *peer, uint64_t *ret_epoch);
    int (*epoch_retired)(void *st, const char *peer, uint64_t epoch, int *ret);
    int (*epoch_set)(void *st, const char *peer, uint64_t epoch, bool reset);
    /* An asynchronous backend (see above): begin, commit and rollback are
     * never called (may be NULL); apply accepts; the batch functions below. */
    bool async;
} tb_linkeng_store_t;

/* What the engine may tell a daemon (to log, or to count). */
typedef enum {
    TB_LINKENG_APPLY_FAILED, /* apply or cursor_set failed (rc): the batch rolls back */
    TB_LINKENG_ROLLED_BACK,  /* a batch was rolled back; the peers retransmit */
    TB_LINKENG_ACK_BEYOND,   /* peer acked seq, beyond what we assigned: ignored */
    TB_LINKENG_UNREACHABLE,  /* the broker said peer is not connected: its outbox waits */
    TB_LINKENG_READ_FAILED,  /* reading peer's outbox at seq failed (rc) */
    TB_LINKENG_SEND_FAILED,  /* sending to peer failed with rc (-EAGAIN: back-pressure) */
    TB_LINKENG_PEER_REFUSED, /* env->accept_peer said no: the envelope was dropped */
    TB_LINKENG_FOR_OLD_STORE, /* peer sent seq (0: no data) to the store ours replaced: dropped */
} tb_linkeng_note_t;

typedef struct {
    /* The wire: as tb_node_send (0, -EAGAIN / -EHOSTUNREACH, or another error). */
    int (*send)(void *ctx, const char *dest, uint64_t dest_epoch, Tongban__V1__Kind kind,
                uint64_t seq, uint64_t ack, const uint8_t *body, size_t len);
    /* This node's store epoch (what tb_node_set_epoch was given; 0: none).  An
     * envelope whose receiver_epoch names another is dropped whole and
     * answered with an ack (proto Envelope.receiver_epoch). */
    uint64_t epoch;
    /* The monotonic clock, in milliseconds (retransmit and backoff timers). */
    int64_t (*now_ms)(void *ctx);
    /* Optional: what happened, for the daemon to log. */
    void (*note)(void *ctx, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc);
    /* Optional: the fault-injection state whose crash_after_commit fires at commit. */
    tb_fault_t *fault;
    void *ctx;
    /* Messages in flight past the ack per peer. */
    uint32_t window;
    /* A synchronous backend: how long an ack for new data may wait for a
     * data of ours to the same peer to carry it (0: sent at the end of the
     * turn).  Below the peer's retransmit timeout (TB_LINK_BACKOFF_MIN_MS);
     * sent at once when TB_LINKENG_ACK_EVERY messages are unacknowledged, and
     * for a duplicate or a gap. */
    int64_t ack_delay_ms;
    /* Optional, a synchronous backend: how long new data to peer may wait for
     * more to go with it, when nothing to peer is in flight (0: sent at the
     * end of the turn).  A hold ends at the next multiple of hold_ms on the
     * clock (the holds of many peers end in one turn), and so does an ack
     * for new data from such a peer (when ack_delay_ms is set); the data
     * leaves earlier when an ack to peer falls due (it carries it).  A township holds what it sends a village so that the
     * RECEIVED it confirms a case with and the county's status update that
     * follows go down in one turn: one transaction, one wake and one ack at
     * the village instead of two (2026-12-01, issue 13). */
    int64_t (*hold_ms)(void *ctx, const char *peer);
    /* Optional: may this node exchange data with peer (not the broker)?  An
     * envelope from a peer refused is dropped whole (noted). */
    bool (*accept_peer)(void *ctx, const char *peer);
    /* Optional: peer's epoch changed from old_epoch to new_epoch.  replay
     * false: a known peer came back with a new store; its link was reset in
     * the open batch (once per new epoch, unless that batch rolls back).
     * replay true: an envelope carried new_epoch, which peer had before
     * old_epoch: dropped whole (told once per peer and replayed epoch). */
    void (*on_epoch)(void *ctx, const char *peer, uint64_t old_epoch, uint64_t new_epoch,
                     bool replay);
} tb_linkeng_env_t;

/* The engine over store (st) and env; both are copied, st and env->ctx are
 * borrowed.  It reads the outboxes' heads once.  0 or -ENOMEM. */
int tb_linkeng_new(const tb_linkeng_store_t *store, void *st, const tb_linkeng_env_t *env,
                   tb_linkeng_t **ret);
/* Roll back a batch still open, free everything; accepts NULL. */
void tb_linkeng_destroy(tb_linkeng_t **self_p);

/* A validated envelope for this node (DATA, ACK, HEARTBEAT or UNREACHABLE). */
void tb_linkeng_on_envelope(tb_linkeng_t *self, const tb_env_t *env);
/* The loop turn's messages are in: commit the batch (or roll it back), fire
 * the commit hook, then flush (acks go out only now).  Returns 0, or the
 * negative code of a batch that was rolled back. */
int tb_linkeng_drained(tb_linkeng_t *self);
/* Re-read the outboxes' heads, send what is due, send pending acks.  Does
 * nothing while a batch is open. */
void tb_linkeng_flush(tb_linkeng_t *self);
/* ---- asynchronous backends only (store->async) ---- */

/* The message seq of peer, accepted earlier, is in the batch being assembled
 * (call in seq order per peer).  -EINVAL if it was never accepted. */
int tb_linkeng_batch_take(tb_linkeng_t *self, const char *peer, uint64_t seq);
/* Add the batch's cursors (store cursor_set) and the acks received since the
 * last batch (store ack) to the batch: 0 or the store's negative code.  The
 * batch is then in flight until tb_linkeng_committed.  A take or a write
 * after it begins the next batch while that one is in flight (at most two:
 * else -EBUSY): its cursors and acks follow the older's, which the backend
 * must guarantee commits first and alone can commit without the newer. */
int tb_linkeng_batch_write(tb_linkeng_t *self);
/* True when acks were received that no batch has stored yet. */
bool tb_linkeng_batch_due(const tb_linkeng_t *self);
/* The batch in flight committed (rc 0: commit hook, cursors, acks out) or was
 * lost (rc < 0: every accepted cursor back to the committed one).  With two in
 * flight, rc 0 is the older's commit (the newer stays in flight), rc < 0 loses
 * both. */
void tb_linkeng_committed(tb_linkeng_t *self, int rc);
/* The outbox to peer now ends at seq last (committed): 0 or -ENOMEM. */
int tb_linkeng_appended(tb_linkeng_t *self, const char *peer, uint64_t last);

/* What the engine holds for one peer (tests, the county's checks). */
typedef struct {
    bool has_cursor;              /* the receive cursors below were read from the store */
    uint64_t accepted, committed; /* receive cursors */
    uint64_t last, acked;         /* send side: last seq assigned, acked by the peer */
} tb_linkeng_peer_t;
/* 0 and *ret, or -ENOENT for a peer the engine does not know. */
int tb_linkeng_peer(const tb_linkeng_t *self, const char *peer, tb_linkeng_peer_t *ret);

/* Messages not yet acknowledged in all outboxes (as of the last flush). */
uint64_t tb_linkeng_backlog(const tb_linkeng_t *self);
/* Milliseconds until a flush could send something without new input, or -1. */
int64_t tb_linkeng_wait_ms(const tb_linkeng_t *self);

#endif
