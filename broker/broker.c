#include "broker.h"
#include "broker_int.h"

#include "tb_error.h"
#include "tb_keys.h"
#include "tb_log.h"
#include "tb_map.h"
#include "tb_node.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* No ZMTP heartbeats here: libzmq keeps a heartbeat-timeout timer per
 * connection and re-arms it on every message received, and its I/O thread
 * cancels timers by walking all of them, so with thousands of idle nodes the
 * broker spent most of its time there.  Presence is the application's
 * heartbeat (tb_node.h); each node runs ZMTP heartbeats on its own side to
 * find a dead connection; a connection that died without a word (a node's
 * power cut, a dropped NAT mapping) is reaped by TCP keepalive: probes
 * after 60 s idle, every 10 s, 3 unanswered close it. */
static void set_common_options(broker_t *self)
{
    int one = 1, zero = 0, hwm = 100000, hs = 5000, ka_idle = 60, ka_intvl = 10, ka_cnt = 3;
    int64_t maxsize = TB_MAX_FRAME + 64;
    zmq_setsockopt(self->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(self->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize);
    zmq_setsockopt(self->sock, ZMQ_TCP_KEEPALIVE, &one, sizeof one);
    zmq_setsockopt(self->sock, ZMQ_TCP_KEEPALIVE_IDLE, &ka_idle, sizeof ka_idle);
    zmq_setsockopt(self->sock, ZMQ_TCP_KEEPALIVE_INTVL, &ka_intvl, sizeof ka_intvl);
    zmq_setsockopt(self->sock, ZMQ_TCP_KEEPALIVE_CNT, &ka_cnt, sizeof ka_cnt);
    zmq_setsockopt(self->sock, ZMQ_HANDSHAKE_IVL, &hs, sizeof hs);
}

static broker_t *alloc_broker(void)
{
    broker_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->peers = tb_map_new();
    self->zctx = zmq_ctx_new();
    self->sock = self->zctx ? zmq_socket(self->zctx, ZMQ_ROUTER) : NULL;
    if (!self->peers || !self->sock)
        broker_destroy(&self);
    return self;
}

int broker_new(const char *endpoint, broker_t **ret)
{
    broker_t *self = alloc_broker();
    if (!self)
        return -ENOMEM;
    int one = 1;
    set_common_options(self);
    /* Plain text: the routing id is the place code, and a restarted node
     * takes its route back before the old pipe is gone. */
    zmq_setsockopt(self->sock, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    if (zmq_bind(self->sock, endpoint) < 0) {
        int rc = -zmq_errno();
        broker_destroy(&self);
        return rc;
    }
    *ret = self;
    return 0;
}

int broker_bind(broker_t *self, const char *endpoint)
{
    return zmq_bind(self->sock, endpoint) < 0 ? -zmq_errno() : 0;
}

int broker_new_curve(const char *secret_key, const char *allow_path, broker_t **ret, char *why,
                     size_t whylen)
{
    if (!tb_key_valid(secret_key)) {
        snprintf(why, whylen, "not a CURVE secret key");
        return -EINVAL;
    }
    broker_t *self = alloc_broker();
    if (!self)
        return -ENOMEM;
    int rc = tb_allow_load(allow_path, &self->allow, why, whylen);
    if (rc == 0 &&
        (stat(allow_path, &self->allow_st) < 0 || !(self->allow_path = strdup(allow_path))))
        rc = -ENOMEM;
    if (rc == 0) {
        /* The ZAP handler first: a handshake finding none would be let through. */
        self->zap = zmq_socket(self->zctx, ZMQ_REP);
        int zero = 0;
        if (!self->zap || zmq_setsockopt(self->zap, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
            zmq_bind(self->zap, ZAP_ENDPOINT) < 0) {
            rc = -zmq_errno();
            snprintf(why, whylen, "ZAP handler %s: %s", ZAP_ENDPOINT, zmq_strerror(-rc));
        }
    }
    if (rc == 0) {
        /* Connections are counted from the socket's own events, so the ZAP
         * handler can refuse a handshake beyond the cap (broker_limits_t). */
        self->mon = zmq_socket(self->zctx, ZMQ_PAIR);
        int zero = 0;
        if (!self->mon || zmq_setsockopt(self->mon, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
            zmq_socket_monitor(self->sock, MON_ENDPOINT,
                               ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) < 0 ||
            zmq_connect(self->mon, MON_ENDPOINT) < 0) {
            rc = -zmq_errno();
            snprintf(why, whylen, "socket monitor: %s", zmq_strerror(-rc));
        }
    }
    if (rc == 0) {
        int one = 1;
        set_common_options(self);
        if (zmq_setsockopt(self->sock, ZMQ_CURVE_SERVER, &one, sizeof one) < 0 ||
            zmq_setsockopt(self->sock, ZMQ_CURVE_SECRETKEY, secret_key, TB_KEY_Z85_LEN) < 0 ||
            zmq_setsockopt(self->sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN)) < 0) {
            rc = -zmq_errno();
            snprintf(why, whylen, "CURVE: %s", zmq_strerror(-rc));
        }
    }
    if (rc < 0) {
        broker_destroy(&self);
        return rc;
    }
    *ret = self;
    return 0;
}

void broker_set_limits(broker_t *self, const broker_limits_t *limits)
{
    self->limits = *limits;
}

static void forget(broker_t *self, const char *place)
{
    uintptr_t v;
    if (tb_map_get(self->peers, place, &v)) {
        free((peer_t *)v);
        tb_map_del(self->peers, place);
    }
}

void broker_destroy(broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_t *self = *self_p;
    if (self->sock && self->mon) {
        /* Stop the monitor before closing what it watches, and drop what it
         * queued: events sent while the watched socket closes would otherwise
         * be left in the inproc pipe (libzmq then leaks their endpoint text). */
        zmq_socket_monitor(self->sock, NULL, 0);
        zmq_msg_t m;
        zmq_msg_init(&m);
        while (zmq_msg_recv(&m, self->mon, ZMQ_DONTWAIT) >= 0)
            ;
        zmq_msg_close(&m);
    }
    if (self->sock)
        zmq_close(self->sock);
    if (self->zap)
        zmq_close(self->zap);
    if (self->mon)
        zmq_close(self->mon);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    if (self->peers) {
        size_t pos = 0;
        const char *key;
        uintptr_t v;
        while (tb_map_next(self->peers, &pos, &key, &v))
            free((peer_t *)v);
        tb_map_destroy(&self->peers);
    }
    tb_allow_destroy(&self->allow);
    free(self->allow_path);
    free(self);
    *self_p = NULL;
}

static peer_t *peer_get(broker_t *self, const char *place)
{
    uintptr_t v;
    return tb_map_get(self->peers, place, &v) ? (peer_t *)v : NULL;
}

/* Send an envelope the broker made itself to node `to`. */
static void send_own(broker_t *self, const char *to, Tongban__V1__Kind kind, const uint8_t *body,
                     size_t len)
{
    peer_t *p = peer_get(self, to);
    if (!p)
        return;
    uint8_t *buf;
    size_t blen;
    if (tb_env_pack(TB_BROKER_CODE, to, kind, 0, 0, body, len, &buf, &blen) < 0)
        return;
    if (zmq_send(self->sock, p->rid, p->ridlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
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
    peer_t *p = peer_get(self, code);
    return p && now - p->seen < p->ttl;
}

static void sweep(broker_t *self, int64_t now)
{
    size_t pos = 0;
    const char *key;
    uintptr_t v;
    while (tb_map_next(self->peers, &pos, &key, &v)) {
        peer_t *p = (peer_t *)v;
        if (now - p->seen >= p->ttl && now >= p->banned_until) {
            tb_info("node %s gone (nothing heard for %lld ms)", key, (long long)p->ttl);
            free(p);
            tb_map_del(self->peers, key);
        }
    }
}

/* Log at most once a second per peer for what a peer can repeat at will. */
static bool may_warn(peer_t *p, int64_t now)
{
    if (p && now - p->warned_at < 1000)
        return false;
    if (p)
        p->warned_at = now;
    return true;
}

/* The sender's place: from the routing id (plain text) or from the key's
 * User-Id, checked against the allow-list in force and the routing id
 * (CURVE).  0 and ret_place, or a negative code after counting and logging. */
static int sender_place(broker_t *self, zmq_msg_t *rid, zmq_msg_t *any, char *ret_place,
                        char *ret_key)
{
    size_t n = zmq_msg_size(rid);
    const char *r = zmq_msg_data(rid);
    if (!self->allow) {
        if (n != TB_CODE_LEN)
            return -TB_EPROTO;
        memcpy(ret_place, r, TB_CODE_LEN);
        ret_place[TB_CODE_LEN] = '\0';
        ret_key[0] = '\0';
        return tb_code_valid(ret_place) ? 0 : -TB_EPROTO;
    }
    const char *uid = zmq_msg_gets(any, "User-Id");
    char place[TB_CODE_LEN + 1], bound[TB_CODE_LEN + 1];
    if (!uid || strlen(uid) != TB_CODE_LEN + 1 + TB_KEY_Z85_LEN || uid[TB_CODE_LEN] != ' ')
        return -TB_EPROTO; /* not admitted by our ZAP handler: cannot happen */
    memcpy(place, uid, TB_CODE_LEN);
    place[TB_CODE_LEN] = '\0';
    const char *key = uid + TB_CODE_LEN + 1;
    int64_t now = tb_mono_ms();
    if (!tb_allow_lookup(self->allow, key, bound) || strcmp(bound, place) != 0) {
        self->stats.revoked++;
        peer_t *p = peer_get(self, place);
        if (p && strcmp(p->key, key) == 0)
            forget(self, place);
        tb_warn("dropped a message from %s: its key %.8s… is no longer on the allow-list", place,
                key);
        return -EACCES;
    }
    if (!(n == TB_CODE_LEN || (n > TB_CODE_LEN + 1 && r[TB_CODE_LEN] == '/')) ||
        memcmp(r, place, TB_CODE_LEN) != 0 || n > RID_MAX) {
        self->stats.spoofed++;
        if (may_warn(peer_get(self, place), now))
            tb_warn("dropped a message from the key of %s: its routing id claims \"%.*s\"", place,
                    (int)(n < 20 ? n : 20), r);
        return -EACCES;
    }
    memcpy(ret_place, place, TB_CODE_LEN + 1);
    memcpy(ret_key, key, TB_KEY_Z85_LEN + 1);
    return 0;
}

/* A heartbeat's announced interval sets how long its sender stays present;
 * one that does not decode (or an older node's, announcing none) leaves
 * TB_PRESENCE_OLD_MS.  Only heartbeats are decoded: what is forwarded never is. */
static void take_interval(peer_t *p, zmq_msg_t *envelope)
{
    uint32_t announced = 0;
    tb_env_t *env = NULL;
    if (tb_env_decode(zmq_msg_data(envelope), zmq_msg_size(envelope), &env) == 0 &&
        env->kind == TONGBAN__V1__KIND__KIND_HEARTBEAT) {
        Tongban__V1__Heartbeat *hb =
            tongban__v1__heartbeat__unpack(NULL, env->body.len, env->body.data);
        if (hb)
            announced = hb->interval_ms;
        tongban__v1__heartbeat__free_unpacked(hb, NULL);
    }
    tb_env_free(&env);
    p->ttl = tb_presence_ttl_ms(announced);
}

/* Rate limit and bans: true if the message may pass. */
static bool admit(broker_t *self, peer_t *p, const char *from, int64_t now)
{
    if (now < p->banned_until) {
        self->stats.limited++;
        return false;
    }
    double rate = self->limits.rate > 0 ? self->limits.rate : 20000;
    p->tokens += (double)(now - p->tokens_at) * rate / 1000.0;
    p->tokens_at = now;
    if (p->tokens > 2 * rate)
        p->tokens = 2 * rate;
    if (p->tokens < 1) {
        self->stats.limited++;
        if (may_warn(p, now))
            tb_warn("node %s over its rate limit (%.0f messages/s): dropping", from, rate);
        return false;
    }
    p->tokens -= 1;
    return true;
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
    char from[TB_CODE_LEN + 1] = "", dest[TB_CODE_LEN + 1] = "", key[TB_KEY_Z85_LEN + 1] = "";
    int src = nf >= 2 ? sender_place(self, &f[0], &f[1], from, key) : -TB_EPROTO;
    if (n == 3 && zmq_msg_size(&f[1]) == TB_CODE_LEN)
        memcpy(dest, zmq_msg_data(&f[1]), TB_CODE_LEN);
    peer_t *p = src == 0 ? peer_get(self, from) : NULL;
    if (src == -EACCES) {
        /* spoofed or revoked: counted and logged in sender_place */
    } else if (src < 0 || !tb_code_valid(dest) || n != 3) {
        self->stats.dropped++;
        if (may_warn(p, now))
            tb_warn("dropped a malformed message (%d frames) from %s", n,
                    src == 0 ? from : "(invalid id)");
        /* n counts the routing id the ROUTER put first; the peer sent n - 1. */
        if (p && n - 1 > BROKER_MAX_FRAMES && now >= p->banned_until) {
            p->banned_until = now + BROKER_BAN_MS;
            tb_warn("node %s sent %d frames in one message: banned for %d s", from, n - 1,
                    BROKER_BAN_MS / 1000);
        }
    } else {
        if (!p) {
            if (!(p = calloc(1, sizeof *p)) || tb_map_put(self->peers, from, (uintptr_t)p) < 0) {
                free(p);
                p = NULL;
            } else {
                p->tokens_at = now;
                p->ttl = TB_PRESENCE_OLD_MS;
                p->tokens = 2.0 * (self->limits.rate > 0 ? self->limits.rate : 20000);
                tb_info("node %s connected", from);
            }
        }
        if (p && admit(self, p, from, now)) {
            /* The latest connection of the place is where it is reached. */
            p->ridlen = zmq_msg_size(&f[0]);
            memcpy(p->rid, zmq_msg_data(&f[0]), p->ridlen);
            memcpy(p->key, key, sizeof p->key);
            p->seen = now;
            peer_t *d;
            if (strcmp(dest, TB_BROKER_CODE) == 0) {
                self->stats.heartbeats++;
                take_interval(p, &f[2]);
                send_own(self, from, TONGBAN__V1__KIND__KIND_HEARTBEAT, NULL, 0);
            } else if (!present(self, dest, now) || !(d = peer_get(self, dest))) {
                send_unreachable(self, from, dest);
            } else if (zmq_send(self->sock, d->rid, d->ridlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
                /* EHOSTUNREACH (gone) or EAGAIN (its queue is full): back-pressure,
                 * the sender keeps the message. */
                send_unreachable(self, from, dest);
            } else {
                zmq_send(self->sock, from, TB_CODE_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
                zmq_msg_send(&f[2], self->sock, ZMQ_DONTWAIT);
                self->stats.forwarded++;
            }
        }
    }
    for (int i = 0; i < nf; i++)
        zmq_msg_close(&f[i]);
    return 1;
}

static long rss_mb(void)
{
    FILE *fp = fopen("/proc/self/statm", "re");
    long size = 0, rss = 0;
    if (fp) {
        if (fscanf(fp, "%ld %ld", &size, &rss) != 2)
            rss = 0;
        fclose(fp);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

int broker_run(broker_t *self, volatile bool *stop)
{
    int64_t last_rss = 0;
    while (!*stop) {
        zmq_pollitem_t items[3] = {{self->sock, 0, ZMQ_POLLIN, 0},
                                   {self->zap, 0, ZMQ_POLLIN, 0},
                                   {self->mon, 0, ZMQ_POLLIN, 0}};
        int rc = zmq_poll(items, self->zap ? 3 : 1, 200);
        if (rc < 0 && zmq_errno() != EINTR)
            return -zmq_errno();
        int64_t now = tb_mono_ms();
        if (self->mon)
            broker_count_connections(self);
        if (self->zap)
            for (int i = 0; i < BATCH && broker_zap_one(self); i++)
                ;
        for (int i = 0; i < BATCH && route_one(self, now); i++)
            ;
        if (self->limits.max_rss_mb > 0 && now - last_rss >= 100) {
            last_rss = now;
            long mb = rss_mb();
            if (mb > self->limits.max_rss_mb) {
                tb_error("resident memory %ld MB is over the limit of %d MB (a peer sending a "
                         "message that never ends?): exiting for the supervisor to restart",
                         mb, self->limits.max_rss_mb);
                return -ENOMEM;
            }
        }
        if (now - self->last_sweep >= 1000) {
            sweep(self, now);
            if (self->allow)
                broker_reload_allow(self, now);
            self->last_sweep = now;
        }
    }
    return 0;
}

broker_stats_t broker_stats(const broker_t *self)
{
    return self->stats;
}
