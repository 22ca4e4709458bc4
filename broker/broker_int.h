/* broker_int: the broker's own state, shared by broker.c (routing) and
 * broker_curve.c (the CURVE side: the ZAP handler, the connection count and
 * the allow-list's reload).  Not for use outside broker/. */
#ifndef BROKER_INT_H
#define BROKER_INT_H

#include "broker.h"

#include "tb_keys.h"
#include "tb_map.h"
#include "tb_node.h"

#include <stdint.h>
#include <sys/stat.h>

enum { BATCH = 512, RID_MAX = 64 };

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "tongban"
#define MON_ENDPOINT "inproc://tongban-broker-monitor"

/* What the broker knows about one place: where to send to it, and its limits. */
typedef struct {
    uint8_t rid[RID_MAX];
    size_t ridlen;
    char key[TB_KEY_Z85_LEN + 1]; /* CURVE: the key it connected with */
    int64_t seen, banned_until, tokens_at, warned_at;
    int64_t ttl; /* present this long after seen: tb_presence_ttl_ms() of its announced interval */
    double tokens;
} peer_t;

struct broker {
    void *zctx, *sock, *zap;
    void *mon;           /* CURVE: the socket's monitor (connections accepted and gone) */
    long conns;          /* connections open now, handshaking ones included */
    uint64_t capped_new; /* refused over the cap since the last warning */
    int64_t capped_warned;
    tb_map_t *peers; /* place code -> peer_t * */
    broker_stats_t stats;
    int64_t last_sweep;
    broker_limits_t limits;
    /* CURVE only */
    tb_allow_t *allow;
    char *allow_path;
    struct stat allow_st; /* of the file last read, good or bad */
};

/* broker_curve.c */
void broker_count_connections(broker_t *self);
int broker_zap_one(broker_t *self);
void broker_reload_allow(broker_t *self, int64_t now);

#endif
