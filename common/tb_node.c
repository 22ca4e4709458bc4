#include "tb_node.h"

#include "tb_config.h"
#include "tb_error.h"
#include "tb_fault.h"
#include "tb_log.h" /* the clocks only: this library logs nothing */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

enum { DRAIN_BUDGET = 256 };

struct tb_node {
    uv_loop_t *loop;
    void *zctx, *sock;
    void *mon; /* the socket's monitor: a handshake with the broker succeeded */
    uv_poll_t poll;
    uv_idle_t idle;
    uv_timer_t timer;
    int open_handles;
    char place[TB_CODE_LEN + 1];
    tb_node_handler_t h;
    int64_t heard_ms; /* a valid envelope last came through the broker */
    int64_t sent_ms;  /* an envelope was last sent (any kind) */
    int64_t beat_ms;  /* a heartbeat was last sent */
    int hb_ms;        /* the heartbeat interval (TONGBAN_HEARTBEAT_MS) */
    bool greet;       /* a new connection: beat at this tick */
    uint64_t backlog;
    uint64_t epoch; /* the store's epoch, in every envelope sent (0: none) */
    tb_node_stats_t stats;
    bool draining;
    tb_fault_t fault; /* test hook: TONGBAN_FAULT, applied by the link engine */
    tb_node_dropped_fn on_dropped;
};

static void drain(tb_node_t *self);
static void on_idle(uv_idle_t *h);

static bool readable(tb_node_t *self)
{
    int events = 0;
    size_t len = sizeof events;
    if (zmq_getsockopt(self->sock, ZMQ_EVENTS, &events, &len) < 0)
        return false;
    return (events & ZMQ_POLLIN) != 0;
}

/* Receive one multipart message: [sender][envelope].  Returns 1 if one was
 * handled (or dropped), 0 if none was waiting. */
static int recv_one(tb_node_t *self)
{
    zmq_msg_t frames[2];
    int n = 0, more = 1;
    zmq_msg_t extra;
    while (more) {
        zmq_msg_t *m = n < 2 ? &frames[n] : &extra;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, self->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < n && i < 2; i++)
                zmq_msg_close(&frames[i]);
            return 0;
        }
        more = zmq_msg_more(m);
        if (n >= 2)
            zmq_msg_close(&extra);
        n++;
    }
    self->stats.received++;
    int rc = 0;
    tb_env_t *env = NULL;
    char sender[TB_CODE_LEN + 1] = "";
    const char *why = "not two frames ([sender][envelope])";
    if (n >= 1 && zmq_msg_size(&frames[0]) == TB_CODE_LEN)
        memcpy(sender, zmq_msg_data(&frames[0]), TB_CODE_LEN);
    if (n != 2) {
        rc = -TB_EPROTO;
    } else {
        rc = tb_env_decode(zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]), &env);
        if (rc < 0)
            why = tb_env_why(zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]));
        else if (strcmp(env->sender, sender) != 0)
            why = "envelope sender is not the connection's place", rc = -TB_EPROTO;
        else if (strcmp(env->receiver, self->place) != 0)
            why = "envelope receiver is not this node", rc = -TB_EPROTO;
        /* The socket's one connection is the broker's: whatever arrives
         * valid came through it (only the broker stamps its own code). */
        if (rc == 0)
            self->heard_ms = tb_mono_ms();
    }
    if (rc < 0) {
        self->stats.dropped++;
        if (self->on_dropped)
            self->on_dropped(self->h.ctx, n, rc, tb_code_valid(sender) ? sender : "?", why);
    } else {
        self->h.on_envelope(self->h.ctx, env);
    }
    tb_env_free(&env);
    for (int i = 0; i < n && i < 2; i++)
        zmq_msg_close(&frames[i]);
    return 1;
}

static void drain(tb_node_t *self)
{
    if (self->draining || !self->sock)
        return; /* a send from inside a handler: the outer drain goes on */
    self->draining = true;
    int budget = DRAIN_BUDGET;
    int got = 0;
    bool more = false;
    while (budget-- > 0 && (more = readable(self))) {
        if (recv_one(self) == 0)
            break;
        got++;
    }
    self->draining = false;
    /* ZMQ_EVENTS just said nothing waits, and nothing ran since: asking again
     * cost a poll of libzmq's mailbox (and getpid) on every empty turn, and
     * each send is followed by one (send_raw). */
    if (!got && !more)
        return;
    if (self->h.on_drained)
        self->h.on_drained(self->h.ctx);
    /* Anything left (budget spent, or sends in on_drained consumed the edge)? */
    if (readable(self))
        uv_idle_start(&self->idle, on_idle);
}

static void on_idle(uv_idle_t *h)
{
    tb_node_t *self = h->data;
    uv_idle_stop(h);
    drain(self);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    drain(h->data);
}

int64_t tb_presence_ttl_ms(uint32_t announced_ms)
{
    if (announced_ms == 0)
        return TB_PRESENCE_OLD_MS;
    int64_t ms = announced_ms < TB_HEARTBEAT_MIN_MS   ? TB_HEARTBEAT_MIN_MS
                 : announced_ms > TB_HEARTBEAT_MAX_MS ? TB_HEARTBEAT_MAX_MS
                                                      : announced_ms;
    return TB_PRESENCE_FACTOR * ms;
}

int tb_heartbeat_ivl_parse(const char *text, int *ret_ms)
{
    long v = TB_HEARTBEAT_IVL_MS;
    if (text && *text &&
        tb_config_parse_int(text, TB_HEARTBEAT_MIN_MS, TB_HEARTBEAT_MAX_MS, &v) < 0)
        return -TB_ECONFIG;
    *ret_ms = (int)v;
    return 0;
}

/* Presence costs one heartbeat per interval at idle and none while the node
 * talks: any envelope it sends refreshes its presence at the broker.  It
 * also beats when nothing came back for an interval (a busy sender that
 * nobody answers still learns that the broker is there), but never twice in
 * one interval.  Half a tick of slack, so a tick landing a moment early does
 * not put the beat off by a whole tick. */
static void maybe_beat(tb_node_t *self)
{
    int64_t now = tb_mono_ms(), due = self->hb_ms - TB_TICK_MS / 2;
    bool quiet = self->greet || !self->sent_ms || now - self->sent_ms >= due;
    bool deaf = !self->heard_ms || now - self->heard_ms >= due;
    if (!(quiet || deaf) || (!self->greet && self->beat_ms && now - self->beat_ms < due))
        return;
    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    hb.sent_at_ms = tb_now_ms();
    hb.backlog = self->backlog;
    hb.epoch = self->epoch;
    hb.interval_ms = (uint32_t)self->hb_ms;
    uint8_t buf[64];
    size_t len = tongban__v1__heartbeat__pack(&hb, buf);
    if (tb_node_send(self, TB_BROKER_CODE, 0, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, buf, len) ==
        0) {
        self->beat_ms = now;
        self->greet = false;
        self->stats.heartbeats++;
    }
}

/* A broker that restarted knows an idle node only from its next message:
 * beat at the first tick after every handshake, not an interval later. */
static void read_monitor(tb_node_t *self)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (self->mon && zmq_msg_recv(&m, self->mon, ZMQ_DONTWAIT) >= 0)
        self->greet = true; /* an event is two frames; either says it */
    zmq_msg_close(&m);
}

static void on_timer(uv_timer_t *h)
{
    tb_node_t *self = h->data;
    read_monitor(self);
    maybe_beat(self);
    if (self->h.on_tick)
        self->h.on_tick(self->h.ctx);
    drain(self);
}

/* The routing id under CURVE: the place code, then '/' and 16 random hex
 * digits, fresh for every process.  The broker checks the code part against
 * the place its allow-list binds to the key, and runs without
 * ZMQ_ROUTER_HANDOVER: the random part lets a restarted node in beside a
 * connection of its earlier self the broker has not yet seen die, and nobody
 * else can guess it to collide with the live one. */
static int curve_routing_id(const char *place, char *ret, size_t len)
{
    uint8_t rnd[8];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, rnd, sizeof rnd);
    close(fd);
    if (n != (ssize_t)sizeof rnd)
        return -EIO;
    int off = snprintf(ret, len, "%s/", place);
    for (size_t i = 0; i < sizeof rnd; i++)
        off += snprintf(ret + off, len - (size_t)off, "%02x", rnd[i]);
    return off;
}

/* The monitor is stopped before the socket it watches closes and what it
 * queued is read away: events left in the inproc pipe would leak their
 * endpoint text (libzmq). */
static void close_sockets(tb_node_t *self)
{
    if (self->mon) {
        zmq_socket_monitor(self->sock, NULL, 0);
        read_monitor(self);
        zmq_close(self->mon);
        self->mon = NULL;
    }
    zmq_close(self->sock);
    self->sock = NULL;
    zmq_ctx_term(self->zctx);
    self->zctx = NULL;
}

int tb_node_new(uv_loop_t *loop, const char *place, const char *endpoint,
                const tb_node_handler_t *handler, tb_node_t **ret_node)
{
    return tb_node_new_curve(loop, place, endpoint, NULL, handler, ret_node);
}

int tb_node_new_curve(uv_loop_t *loop, const char *place, const char *endpoint,
                      const tb_curve_t *curve, const tb_node_handler_t *handler,
                      tb_node_t **ret_node)
{
    if (!tb_code_valid(place))
        return -TB_EINVAL_CODE;
    tb_node_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    if (tb_fault_from_env(&self->fault) < 0 ||
        tb_heartbeat_ivl_parse(getenv("TONGBAN_HEARTBEAT_MS"), &self->hb_ms) < 0) {
        free(self);
        return -TB_ECONFIG;
    }
    self->loop = loop;
    strcpy(self->place, place);
    self->h = *handler;
    self->zctx = zmq_ctx_new();
    self->sock = self->zctx ? zmq_socket(self->zctx, ZMQ_DEALER) : NULL;
    if (!self->sock) {
        int e = -zmq_errno();
        if (self->zctx)
            zmq_ctx_term(self->zctx);
        free(self);
        return e;
    }
    /* ZMTP heartbeats stay on here (one connection: cheap), at the interval
     * or every 2 s if shorter, to find a dead connection and reconnect; the
     * broker sets none (broker.c). */
    int zero = 0, one = 1, hwm = 10000, ivl = 100, ivl_max = 5000;
    int hb = self->hb_ms > 2000 ? self->hb_ms : 2000, hbt = 3 * hb;
    int64_t maxsize = TB_MAX_FRAME + 64;
    int rc = 0;
    if (curve) {
        char rid[TB_CODE_LEN + 1 + 16 + 1];
        int ridlen = curve_routing_id(place, rid, sizeof rid);
        if (ridlen < 0)
            rc = ridlen;
        else if (zmq_setsockopt(self->sock, ZMQ_ROUTING_ID, rid, (size_t)ridlen) < 0 ||
                 zmq_setsockopt(self->sock, ZMQ_CURVE_SERVERKEY, curve->broker_pub,
                                TB_KEY_Z85_LEN) < 0 ||
                 zmq_setsockopt(self->sock, ZMQ_CURVE_PUBLICKEY, curve->pub, TB_KEY_Z85_LEN) < 0 ||
                 zmq_setsockopt(self->sock, ZMQ_CURVE_SECRETKEY, curve->sec, TB_KEY_Z85_LEN) < 0)
            rc = -zmq_errno();
    } else {
        zmq_setsockopt(self->sock, ZMQ_ROUTING_ID, place, TB_CODE_LEN);
    }
    zmq_setsockopt(self->sock, ZMQ_LINGER, &zero, sizeof zero);  /* the outbox keeps everything */
    zmq_setsockopt(self->sock, ZMQ_IMMEDIATE, &one, sizeof one); /* no queueing while down */
    zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize);
    zmq_setsockopt(self->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(self->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
    zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
    char mon_ep[64];
    snprintf(mon_ep, sizeof mon_ep, "inproc://tb-node-monitor-%p", (void *)self);
    if (rc == 0 && (zmq_socket_monitor(self->sock, mon_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) < 0 ||
                    !(self->mon = zmq_socket(self->zctx, ZMQ_PAIR)) ||
                    zmq_setsockopt(self->mon, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
                    zmq_connect(self->mon, mon_ep) < 0))
        rc = -zmq_errno();
    if (rc == 0 && zmq_connect(self->sock, endpoint) < 0)
        rc = -zmq_errno();
    int fd = -1;
    size_t fdlen = sizeof fd;
    if (rc == 0 && zmq_getsockopt(self->sock, ZMQ_FD, &fd, &fdlen) < 0)
        rc = -zmq_errno();
    if (rc == 0)
        rc = uv_poll_init(loop, &self->poll, fd);
    if (rc < 0) {
        close_sockets(self);
        free(self);
        return rc;
    }
    /* Handles made in this order (poll, idle, timer); open_handles counts
     * them, so a failure half way closes exactly those made. */
    self->poll.data = self->idle.data = self->timer.data = self;
    self->open_handles = 1;
    if ((rc = uv_idle_init(loop, &self->idle)) == 0 && ++self->open_handles &&
        (rc = uv_timer_init(loop, &self->timer)) == 0 && ++self->open_handles &&
        (rc = uv_poll_start(&self->poll, UV_READABLE, on_poll)) == 0)
        rc = uv_timer_start(&self->timer, on_timer, 10, TB_TICK_MS);
    if (rc < 0) {
        tb_node_close(&self); /* freed once the loop ran the close callbacks */
        return rc;
    }
    *ret_node = self;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    tb_node_t *self = h->data;
    if (--self->open_handles == 0)
        free(self);
}

void tb_node_close(tb_node_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_node_t *self = *self_p;
    *self_p = NULL;
    int made = self->open_handles; /* poll, then idle, then timer */
    uv_close((uv_handle_t *)&self->poll, on_closed);
    if (made >= 2)
        uv_close((uv_handle_t *)&self->idle, on_closed);
    if (made >= 3)
        uv_close((uv_handle_t *)&self->timer, on_closed);
    close_sockets(self);
}

static int send_raw(tb_node_t *self, const char *dest, const uint8_t *buf, size_t len)
{
    int rc = 0;
    if (zmq_send(self->sock, dest, strlen(dest), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(self->sock, buf, len, ZMQ_DONTWAIT) < 0) {
        rc = -zmq_errno();
        self->stats.send_blocked++;
    } else {
        self->stats.sent++;
        self->sent_ms = tb_mono_ms();
    }
    /* The send may have consumed the fd's edge: look for input on the next turn. */
    if (!self->draining)
        uv_idle_start(&self->idle, on_idle);
    return rc;
}

int tb_node_send(tb_node_t *self, const char *dest, uint64_t dest_epoch, Tongban__V1__Kind kind,
                 uint64_t seq, uint64_t ack, const uint8_t *body, size_t len)
{
    if (!self->sock)
        return -ESHUTDOWN;
    uint8_t *buf;
    size_t blen;
    int rc = tb_env_pack_epoch(self->place, dest, kind, seq, ack, self->epoch, dest_epoch, body, len,
                               &buf, &blen);
    if (rc < 0)
        return rc;
    rc = send_raw(self, dest, buf, blen);
    free(buf);
    return rc;
}

void tb_node_on_dropped(tb_node_t *self, tb_node_dropped_fn fn)
{
    self->on_dropped = fn;
}

tb_fault_t *tb_node_fault(tb_node_t *self)
{
    return &self->fault;
}

void tb_node_set_epoch(tb_node_t *self, uint64_t epoch)
{
    self->epoch = epoch;
}

void tb_node_set_backlog(tb_node_t *self, uint64_t backlog)
{
    self->backlog = backlog;
}

bool tb_node_broker_alive(const tb_node_t *self)
{
    return self->heard_ms &&
           tb_mono_ms() - self->heard_ms < (int64_t)TB_PRESENCE_FACTOR * self->hb_ms;
}

int tb_node_heartbeat_ms(const tb_node_t *self)
{
    return self->hb_ms;
}

tb_node_stats_t tb_node_stats(const tb_node_t *self)
{
    return self->stats;
}
