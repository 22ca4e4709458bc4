#include "broker.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_map.h"
#include "tb_node.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* A node not heard from for this long is absent (heartbeats come every second). */
enum { PRESENCE_TTL_MS = 5 * TB_HEARTBEAT_MS, BATCH = 512 };

struct broker {
    void *zctx, *sock;
    tb_map_t *presence; /* place code -> monotonic ms last seen */
    broker_stats_t stats;
    int64_t last_sweep;
};

int broker_new(const char *endpoint, broker_t **ret)
{
    broker_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->presence = tb_map_new();
    self->zctx = zmq_ctx_new();
    self->sock = self->zctx ? zmq_socket(self->zctx, ZMQ_ROUTER) : NULL;
    int rc = 0;
    if (!self->presence || !self->sock) {
        rc = -ENOMEM;
    } else {
        int one = 1, zero = 0, hwm = 100000, hb = 2000, hbt = 6000;
        int64_t maxsize = TB_MAX_FRAME + 64;
        zmq_setsockopt(self->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
        /* A restarted node reconnects with the same id before the old pipe is
         * gone.  Handover lets it in; once CURVE lands, the id is bound to the
         * key's place code by ZAP so no key can take over another's route. */
        zmq_setsockopt(self->sock, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
        zmq_setsockopt(self->sock, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
        zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize);
        zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
        zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
        if (zmq_bind(self->sock, endpoint) < 0)
            rc = -zmq_errno();
    }
    if (rc < 0) {
        broker_destroy(&self);
        return rc;
    }
    *ret = self;
    return 0;
}

void broker_destroy(broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_t *self = *self_p;
    if (self->sock)
        zmq_close(self->sock);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    tb_map_destroy(&self->presence);
    free(self);
    *self_p = NULL;
}

/* Send an envelope the broker made itself to node `to`. */
static void send_own(broker_t *self, const char *to, Tongban__V1__Kind kind, const uint8_t *body,
                     size_t len)
{
    uint8_t *buf;
    size_t blen;
    if (tb_env_pack(TB_BROKER_CODE, to, kind, 0, 0, body, len, &buf, &blen) < 0)
        return;
    if (zmq_send(self->sock, to, TB_CODE_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
        zmq_send(self->sock, TB_BROKER_CODE, TB_CODE_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send(self->sock, buf, blen, ZMQ_DONTWAIT);
    }
    free(buf);
}

static void send_unreachable(broker_t *self, const char *to, const char *peer)
{
    Tongban__V1__Unreachable u = TONGBAN__V1__UNREACHABLE__INIT;
    u.peer = (char *)peer;
    uint8_t body[64];
    size_t len = tongban__v1__unreachable__pack(&u, body);
    self->stats.unreachable++;
    send_own(self, to, TONGBAN__V1__KIND__KIND_UNREACHABLE, body, len);
}

static bool present(broker_t *self, const char *code, int64_t now)
{
    uintptr_t seen;
    return tb_map_get(self->presence, code, &seen) && now - (int64_t)seen < PRESENCE_TTL_MS;
}

static void sweep(broker_t *self, int64_t now)
{
    size_t pos = 0;
    const char *key;
    uintptr_t seen;
    while (tb_map_next(self->presence, &pos, &key, &seen)) {
        if (now - (int64_t)seen >= PRESENCE_TTL_MS) {
            tb_info("node %s gone (no heartbeat for %d ms)", key, PRESENCE_TTL_MS);
            tb_map_del(self->presence, key);
        }
    }
}

/* Handle one message; 0 if none was waiting. */
static int route_one(broker_t *self, int64_t now)
{
    zmq_msg_t f[3], extra;
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t *m = n < 3 ? &f[n] : &extra;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, self->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < n && i < 3; i++)
                zmq_msg_close(&f[i]);
            return 0;
        }
        more = zmq_msg_more(m);
        if (n >= 3)
            zmq_msg_close(&extra);
        n++;
    }
    int nf = n < 3 ? n : 3;
    char from[TB_CODE_LEN + 1] = "", dest[TB_CODE_LEN + 1] = "";
    if (zmq_msg_size(&f[0]) == TB_CODE_LEN)
        memcpy(from, zmq_msg_data(&f[0]), TB_CODE_LEN);
    if (n == 3 && zmq_msg_size(&f[1]) == TB_CODE_LEN)
        memcpy(dest, zmq_msg_data(&f[1]), TB_CODE_LEN);
    if (!tb_code_valid(from) || !tb_code_valid(dest) || n != 3) {
        self->stats.dropped++;
        tb_warn("dropped a malformed message (%d frames) from %s", n,
                tb_code_valid(from) ? from : "(invalid id)");
    } else {
        uintptr_t seen;
        if (!tb_map_get(self->presence, from, &seen))
            tb_info("node %s connected", from);
        tb_map_put(self->presence, from, (uintptr_t)now);
        if (strcmp(dest, TB_BROKER_CODE) == 0) {
            self->stats.heartbeats++;
            send_own(self, from, TONGBAN__V1__KIND__KIND_HEARTBEAT, NULL, 0);
        } else if (!present(self, dest, now)) {
            send_unreachable(self, from, dest);
        } else if (zmq_msg_send(&f[1], self->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
            /* EHOSTUNREACH (gone) or EAGAIN (its queue is full): back-pressure, the
             * sender keeps the message. */
            send_unreachable(self, from, dest);
        } else {
            zmq_msg_send(&f[0], self->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_msg_send(&f[2], self->sock, ZMQ_DONTWAIT);
            self->stats.forwarded++;
        }
    }
    for (int i = 0; i < nf; i++)
        zmq_msg_close(&f[i]);
    return 1;
}

int broker_run(broker_t *self, volatile bool *stop)
{
    while (!*stop) {
        zmq_pollitem_t item = {self->sock, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, 200);
        if (rc < 0 && zmq_errno() != EINTR)
            return -zmq_errno();
        int64_t now = tb_mono_ms();
        for (int i = 0; i < BATCH && route_one(self, now); i++)
            ;
        if (now - self->last_sweep >= 1000) {
            sweep(self, now);
            self->last_sweep = now;
        }
    }
    return 0;
}

broker_stats_t broker_stats(const broker_t *self)
{
    return self->stats;
}
