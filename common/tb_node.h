/* tb_node: a node's connection to the broker, on the daemon's libuv loop.
 *
 * One DEALER socket whose routing id is the node's place code, connected to
 * the broker.  The socket's ZMQ_FD is edge-triggered and consumed by every
 * zmq_send, zmq_recv and ZMQ_EVENTS read, so the poll callback, and every
 * send, drains until ZMQ_EVENTS has no POLLIN, at most `budget` messages per
 * loop turn; leftovers are drained from an idle handle on the next turn.
 *
 * Frames: node -> broker [destination code][envelope];
 *         broker -> node [sender code, stamped by the broker][envelope].
 * Every envelope is decoded and validated here; one whose sender field is not
 * the stamped sender, or whose receiver is not this node, is dropped (counted,
 * and told to the daemon through tb_node_on_dropped: this library logs nothing).
 * Socket set-up lives in tb_node_new_curve() alone.
 */
#ifndef TB_NODE_H
#define TB_NODE_H

#include "tb_fault.h"
#include "tb_keys.h"
#include "tb_place.h"
#include "tb_wire.h"

#include <stdint.h>
#include <uv.h>

#define TB_BROKER_CODE "000000000000" /* the broker's own address on the wire */

/* Presence (proto/README.md section 3).  The node's own tick (retransmits,
 * outboxes) runs every TB_TICK_MS and costs no network.  A HEARTBEAT goes to
 * the broker only when the node has sent nothing for its heartbeat interval,
 * or heard nothing through the broker for that long, at most one per
 * interval, and at the first tick after each new handshake with the broker
 * (a restarted broker knows the node at once); it announces the interval
 * (Heartbeat.interval_ms), and the broker
 * keeps the node present for TB_PRESENCE_FACTOR intervals after each message
 * from it.  The interval is TB_HEARTBEAT_IVL_MS unless TONGBAN_HEARTBEAT_MS
 * names another within TB_HEARTBEAT_MIN_MS..TB_HEARTBEAT_MAX_MS (tests shorten
 * it); a node announcing none is an older one beating every second, present
 * for TB_PRESENCE_OLD_MS. */
#define TB_TICK_MS 1000
#define TB_HEARTBEAT_IVL_MS 10000
#define TB_HEARTBEAT_MIN_MS 1000
#define TB_HEARTBEAT_MAX_MS 60000
#define TB_PRESENCE_FACTOR 3
#define TB_PRESENCE_OLD_MS 5000

/* How long the broker keeps a node present after a message from it, for the
 * interval it announced (0: none announced).  Pure. */
int64_t tb_presence_ttl_ms(uint32_t announced_ms);
/* The heartbeat interval named by text (TONGBAN_HEARTBEAT_MS; NULL or "": the
 * default): 0 and ret_ms, or -TB_ECONFIG when it is not a whole number of ms
 * within TB_HEARTBEAT_MIN_MS..TB_HEARTBEAT_MAX_MS. */
int tb_heartbeat_ivl_parse(const char *text, int *ret_ms);

typedef struct tb_node tb_node_t;

typedef struct {
    /* A validated envelope for this node (DATA, ACK, HEARTBEAT or UNREACHABLE). */
    void (*on_envelope)(void *ctx, const tb_env_t *env);
    /* The drain ended for this loop turn: commit batches, send acks. */
    void (*on_drained)(void *ctx);
    /* The local tick (once per TB_TICK_MS): retransmit, poll outboxes. */
    void (*on_tick)(void *ctx);
    void *ctx;
} tb_node_handler_t;

int tb_node_new(uv_loop_t *loop, const char *place, const char *endpoint,
                const tb_node_handler_t *handler, tb_node_t **ret_node);
/* The same over CurveZMQ: curve holds this node's key pair and the pinned
 * broker key; the routing id becomes "<place>/<16 random hex digits>" (the
 * broker binds the place part to the key).  curve NULL: plain text, routing
 * id the place code (tests that play the broker themselves). */
int tb_node_new_curve(uv_loop_t *loop, const char *place, const char *endpoint,
                      const tb_curve_t *curve, const tb_node_handler_t *handler,
                      tb_node_t **ret_node);
/* Close the handles; the node is freed once the loop has run their close callbacks. */
void tb_node_close(tb_node_t **self_p);

/* Send an envelope to dest, whose store epoch we know as dest_epoch (0: none;
 * proto Envelope.receiver_epoch).  0, or -EAGAIN / -EHOSTUNREACH
 * (back-pressure: the caller keeps the message and tries later), or another
 * negative code. */
int tb_node_send(tb_node_t *self, const char *dest, uint64_t dest_epoch, Tongban__V1__Kind kind,
                 uint64_t seq, uint64_t ack, const uint8_t *body, size_t len);

/* An envelope was dropped (frames received, rc): for the daemon to log,
 * naming peer (the sender frame the broker stamped, "?" when it is not a
 * place code) and why (the rule broken, tb_env_why).  Called with the
 * handler's ctx. */
typedef void (*tb_node_dropped_fn)(void *ctx, int frames, int rc, const char *peer,
                                   const char *why);
void tb_node_on_dropped(tb_node_t *self, tb_node_dropped_fn fn);

/* The fault-injection state parsed from TONGBAN_FAULT (tests; inactive unless
 * set).  The link engine applies it (tb_linkeng.h); tb_node_send does not. */
tb_fault_t *tb_node_fault(tb_node_t *self);

/* The store's epoch, carried in every envelope and heartbeat from now on
 * (proto Envelope.epoch; 0, the default: none). */
void tb_node_set_epoch(tb_node_t *self, uint64_t epoch);

/* Backlog reported in heartbeats. */
void tb_node_set_backlog(tb_node_t *self, uint64_t backlog);

/* True if anything came through the broker (its heartbeat answers, a peer's
 * envelopes, its UNREACHABLE) within the last TB_PRESENCE_FACTOR heartbeat
 * intervals. */
bool tb_node_broker_alive(const tb_node_t *self);

/* The heartbeat interval in force (TONGBAN_HEARTBEAT_MS or the default). */
int tb_node_heartbeat_ms(const tb_node_t *self);

/* Counters for logs and tests (heartbeats: those sent, counted in sent too). */
typedef struct {
    uint64_t received, dropped, sent, send_blocked, heartbeats;
} tb_node_stats_t;
tb_node_stats_t tb_node_stats(const tb_node_t *self);

#endif
