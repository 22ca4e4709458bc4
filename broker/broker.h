/* broker: the ZeroMQ ROUTER that routes envelopes between nodes by place code.
 *
 * It never decodes what it forwards.  A node sends [destination][envelope];
 * the ROUTER prepends the connection's routing id; the broker forwards
 * [destination's routing id][sender code][envelope] with
 * ZMQ_ROUTER_MANDATORY, moving the envelope without copying.  When the
 * destination is not connected (or its presence expired) the sender gets an
 * Unreachable envelope from TB_BROKER_CODE.  Frames addressed to
 * TB_BROKER_CODE are heartbeats: they refresh the sender's presence and are
 * answered with a heartbeat.  It holds no case data: a restart loses nothing,
 * since every node keeps its outbox until acked end to end.
 *
 * Who the sender is:
 *  - broker_new(): plain text, for tests and the bench.  The routing id is
 *    the place code; ZMQ_ROUTER_HANDOVER lets a restarted node take it back.
 *  - broker_new_curve(): the deployment.  A CURVE server with a ZAP handler
 *    (RFC 27, domain "tongban", served on inproc://zeromq.zap.01 in the
 *    broker's own loop) that admits only keys on the allow-list and returns
 *    as User-Id "<place> <key>": the place the allow-list binds to the key.
 *    libzmq 4.3.4 gives the ZAP handler the server's own routing id, not the
 *    client's, so the client's claim is checked on every message instead: the
 *    routing id must be the place, or the place, '/' and a suffix; the key
 *    must still be bound to that place in the allow-list in force (re-read
 *    within a second of a change), so a revoked key stops at its next message.
 *    Routes are kept per place (the routing id last seen with that place's
 *    key), never taken from a client's claim, and HANDOVER is off: no key can
 *    take another node's route.
 *
 * Hardening (both modes): a message of more than BROKER_MAX_FRAMES frames
 * gets its sender banned for BROKER_BAN_MS; each place has a token bucket
 * (rate messages/s, burst twice that) and what exceeds it is dropped (the
 * sender's outbox retransmits); frames are bounded by ZMQ_MAXMSGSIZE; an
 * unfinished handshake is cut after 5 s; and since libzmq buffers a multipart
 * message that never ends where the broker cannot see it, broker_run()
 * returns -ENOMEM when the process's resident memory exceeds max_rss_mb, for
 * the supervisor to restart it (nothing is lost in a restart).
 */
#ifndef BROKER_H
#define BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct broker broker_t;

enum { BROKER_MAX_FRAMES = 16, BROKER_BAN_MS = 10000 };

typedef struct {
    uint64_t forwarded, unreachable, dropped, heartbeats;
    uint64_t refused;  /* ZAP: a key not on the allow-list */
    uint64_t spoofed;  /* a routing id that is not the key's place */
    uint64_t revoked;  /* a message under a key no longer allowed */
    uint64_t limited;  /* over the rate limit, or from a banned peer */
    uint64_t reloaded; /* allow-list reloads that took effect */
    uint64_t capped;   /* ZAP: a handshake over the connection cap */
} broker_stats_t;

typedef struct {
    int rate;       /* messages per second per place; 0: 20000 */
    int max_rss_mb; /* 0: no memory watchdog */
    long max_conn;  /* CURVE: connections at once; a handshake beyond is refused; 0: no cap */
} broker_limits_t;

int broker_new(const char *endpoint, broker_t **ret);
/* secret_key: the broker's Z85 secret key; allow_path: the allow-list file,
 * which must exist and parse (why gets the reason otherwise). */
int broker_new_curve(const char *secret_key, const char *allow_path, broker_t **ret, char *why,
                     size_t whylen);
/* Bind a broker made by broker_new_curve: 0 or -errno. */
int broker_bind(broker_t *self, const char *endpoint);
void broker_set_limits(broker_t *self, const broker_limits_t *limits);
void broker_destroy(broker_t **self_p);
/* Run until *stop becomes true (checked at least every 200 ms).  -ENOMEM
 * when the memory watchdog fired. */
int broker_run(broker_t *self, volatile bool *stop);
broker_stats_t broker_stats(const broker_t *self);

#endif
