/* broker: the ZeroMQ ROUTER that routes envelopes between nodes by place code.
 *
 * It never decodes what it forwards.  A node sends [destination][envelope];
 * the ROUTER prepends the connection's routing id (the node's place code);
 * the broker forwards [destination][sender][envelope] with
 * ZMQ_ROUTER_MANDATORY, moving the frames without copying.  When the
 * destination is not connected (or its presence expired) the sender gets an
 * Unreachable envelope from TB_BROKER_CODE.  Frames addressed to
 * TB_BROKER_CODE are heartbeats: they refresh the sender's presence and are
 * answered with a heartbeat.  It holds no case data: a restart loses nothing,
 * since every node keeps its outbox until acked end to end.
 */
#ifndef BROKER_H
#define BROKER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct broker broker_t;

typedef struct {
    uint64_t forwarded, unreachable, dropped, heartbeats;
} broker_stats_t;

int broker_new(const char *endpoint, broker_t **ret);
void broker_destroy(broker_t **self_p);
/* Run until *stop becomes true (checked at least every 200 ms). */
int broker_run(broker_t *self, volatile bool *stop);
broker_stats_t broker_stats(const broker_t *self);

#endif
