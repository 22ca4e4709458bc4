/* Unit tests for common/tb_node: the DEALER on a libuv loop.
 *
 * The test plays the broker with its own ROUTER socket bound to an ipc://
 * endpoint in a temp dir, on the same thread as the node's loop: it steps the
 * loop (UV_RUN_NOWAIT) and polls the ROUTER in turn, so what the node sees and
 * when is under the test's control.  Frames on the wire, as the broker uses
 * them: node -> broker [routing id][destination][envelope], broker -> node
 * [routing id][sender][envelope].
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "tb_test.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_node.h"
#include "tb_wire.h"

#define ME "360826100000"
#define PEER "360826000000"
#define OTHER "360826101000"

enum { MAX_SEEN = 4096 };

typedef struct {
    char dir[64], endpoint[128];
    uv_loop_t loop;
    void *zctx, *router;
    tb_node_t *node;
    /* what the handler saw */
    int nenv, ndrained, nticks;
    Tongban__V1__Kind kind[MAX_SEEN];
    uint64_t seq[MAX_SEEN];
    char sender[MAX_SEEN][TB_CODE_LEN + 1];
    char body[MAX_SEEN][32];
    bool reply; /* answer every DATA with an ACK from inside the handler */
} fix_t;

static void on_envelope(void *ctx, const tb_env_t *env)
{
    fix_t *f = ctx;
    if (f->nenv < MAX_SEEN) {
        f->kind[f->nenv] = env->kind;
        f->seq[f->nenv] = env->seq;
        snprintf(f->sender[f->nenv], TB_CODE_LEN + 1, "%s", env->sender);
        snprintf(f->body[f->nenv], 32, "%.*s", (int)(env->body.len < 31 ? env->body.len : 31),
                 env->body.data ? (const char *)env->body.data : "");
    }
    f->nenv++;
    if (f->reply && env->kind == TONGBAN__V1__KIND__KIND_DATA)
        assert_rc(
            tb_node_send(f->node, env->sender, 0, TONGBAN__V1__KIND__KIND_ACK, 0, env->seq, NULL, 0),
            0);
}

static void on_drained(void *ctx)
{
    ((fix_t *)ctx)->ndrained++;
}

static void on_tick(void *ctx)
{
    ((fix_t *)ctx)->nticks++;
}

/* The fake broker's ROUTER, bound to the fixture's endpoint. */
static int bind_router(fix_t *f)
{
    f->router = zmq_socket(f->zctx, ZMQ_ROUTER);
    int zero = 0, one = 1, hwm = 100000;
    zmq_setsockopt(f->router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(f->router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    return zmq_bind(f->router, f->endpoint);
}

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/tb-test-node-XXXXXX");
    if (!mkdtemp(f->dir) || uv_loop_init(&f->loop) < 0) {
        free(f);
        return -1;
    }
    snprintf(f->endpoint, sizeof f->endpoint, "ipc://%s/broker.sock", f->dir);
    f->zctx = zmq_ctx_new();
    if (bind_router(f) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    unsetenv("TONGBAN_HEARTBEAT_MS");
    tb_node_close(&f->node);
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the close callbacks free the node */
    int rc = uv_loop_close(&f->loop);
    zmq_close(f->router);
    zmq_ctx_term(f->zctx);
    char path[160];
    snprintf(path, sizeof path, "%s/broker.sock", f->dir);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return rc == 0 ? 0 : -1; /* every handle closed */
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Step the node's loop for about ms. */
static void pump(fix_t *f, int ms)
{
    for (int i = 0; i < ms; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        nap_ms(1);
    }
}

/* Step the loop until the handler saw n envelopes (or ms passed). */
static void pump_until_seen(fix_t *f, int n, int ms)
{
    for (int i = 0; i < ms && f->nenv < n; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        nap_ms(1);
    }
}

typedef struct {
    int n;
    size_t len[4];
    uint8_t *data[4];
} msg_t;

static void msg_free(msg_t *m)
{
    for (int i = 0; i < m->n && i < 4; i++)
        free(m->data[i]);
    memset(m, 0, sizeof *m);
}

/* One message at the ROUTER within ms, stepping the node's loop meanwhile. */
static int router_recv(fix_t *f, int ms, msg_t *ret)
{
    zmq_pollitem_t it = {f->router, 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < ms; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        if (zmq_poll(&it, 1, 1) > 0)
            break;
    }
    if (!(it.revents & ZMQ_POLLIN))
        return 0;
    memset(ret, 0, sizeof *ret);
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        assert_true(zmq_msg_recv(&m, f->router, 0) >= 0);
        if (ret->n < 4) {
            size_t n = zmq_msg_size(&m);
            ret->len[ret->n] = n;
            ret->data[ret->n] = malloc(n + 1);
            memcpy(ret->data[ret->n], zmq_msg_data(&m), n);
            ret->data[ret->n][n] = 0;
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        ret->n++;
    }
    return 1;
}

/* The next message the node sent, decoded; asserts the frames. */
static tb_env_t *router_expect(fix_t *f, const char *dest, Tongban__V1__Kind kind)
{
    msg_t m;
    if (!router_recv(f, 3000, &m))
        fail_msg("the node sent nothing (want kind %d to %s)", kind, dest);
    assert_int_equal(m.n, 3);
    assert_string_equal((char *)m.data[0], ME);
    assert_string_equal((char *)m.data[1], dest);
    tb_env_t *env = NULL;
    assert_rc(tb_env_decode(m.data[2], m.len[2], &env), 0);
    assert_string_equal(env->sender, ME);
    assert_string_equal(env->receiver, dest);
    assert_int_equal(env->kind, kind);
    msg_free(&m);
    return env;
}

/* Send frames from the fake broker to the node: [ME][stamp][bytes]. */
static void router_send_raw(fix_t *f, const char *stamp, const uint8_t *buf, size_t len)
{
    assert_true(zmq_send(f->router, ME, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, stamp, strlen(stamp), ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, buf, len, 0) >= 0);
}

/* An envelope from `sender` to `receiver`, stamped `stamp`. */
static void router_send(fix_t *f, const char *stamp, const char *sender, const char *receiver,
                        Tongban__V1__Kind kind, uint64_t seq, const char *body)
{
    uint8_t *buf;
    size_t len;
    assert_rc(tb_env_pack(sender, receiver, kind, seq, 0, (const uint8_t *)body,
                          body ? strlen(body) : 0, &buf, &len),
              0);
    router_send_raw(f, stamp, buf, len);
    free(buf);
}

/* Start the node and wait for its first heartbeat (so it is connected). */
static void start_node(fix_t *f)
{
    tb_node_handler_t h = {on_envelope, on_drained, on_tick, f};
    assert_rc(tb_node_new(&f->loop, ME, f->endpoint, &h, &f->node), 0);
    tb_env_t *env = router_expect(f, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT);
    tb_env_free(&env);
}

static void test_send_envelope(void **state)
{
    fix_t *f = *state;
    start_node(f);
    assert_rc(
        tb_node_send(f->node, PEER, 0x5eed, TONGBAN__V1__KIND__KIND_DATA, 7, 3, (const uint8_t *)"abc", 3),
        0);
    tb_env_t *env = router_expect(f, PEER, TONGBAN__V1__KIND__KIND_DATA);
    assert_int_equal(env->seq, 7);
    assert_int_equal(env->ack, 3);
    assert_int_equal(env->receiver_epoch, 0x5eed); /* the peer's store as we know it */
    assert_int_equal(env->version, TB_PROTO_VERSION);
    assert_int_equal(env->body.len, 3);
    assert_memory_equal(env->body.data, "abc", 3);
    tb_env_free(&env);
    /* The largest item fits an envelope; a body as big as a whole frame does
     * not, and is refused before the wire. */
    uint8_t *body = calloc(1, TB_MAX_FRAME);
    assert_rc(tb_node_send(f->node, PEER, 0, TONGBAN__V1__KIND__KIND_DATA, 8, 0, body, TB_MAX_BODY),
              0);
    env = router_expect(f, PEER, TONGBAN__V1__KIND__KIND_DATA);
    assert_int_equal(env->body.len, TB_MAX_BODY);
    tb_env_free(&env);
    /* Refused: counted neither as sent nor as blocked (read around the call
     * alone: the loop does not run in between, so no heartbeat, nor one that
     * found the connection not yet up, can slip into the counts). */
    tb_node_stats_t before = tb_node_stats(f->node);
    assert_true(before.sent >= 3); /* a heartbeat (one a second) and two DATA */
    assert_rc(tb_node_send(f->node, PEER, 0, TONGBAN__V1__KIND__KIND_DATA, 9, 0, body, TB_MAX_FRAME),
              -E2BIG);
    free(body);
    tb_node_stats_t st = tb_node_stats(f->node);
    assert_int_equal(st.sent, before.sent);
    assert_int_equal(st.send_blocked, before.send_blocked);
    msg_t m;
    for (int r; (r = router_recv(f, 50, &m)) > 0;) { /* nothing but heartbeats follows */
        assert_string_equal((const char *)m.data[1], TB_BROKER_CODE);
        msg_free(&m);
    }
}

/* A valid envelope is delivered with its fields, then on_drained; anything
 * not addressed to this node, not matching the stamped sender, or not an
 * envelope at all is dropped and counted, and the node goes on. */
static void test_receive_and_drop(void **state)
{
    fix_t *f = *state;
    start_node(f);
    router_send(f, PEER, PEER, ME, TONGBAN__V1__KIND__KIND_DATA, 1, "first");
    pump_until_seen(f, 1, 2000);
    assert_int_equal(f->nenv, 1);
    assert_int_equal(f->kind[0], TONGBAN__V1__KIND__KIND_DATA);
    assert_int_equal(f->seq[0], 1);
    assert_string_equal(f->sender[0], PEER);
    assert_string_equal(f->body[0], "first");
    assert_true(f->ndrained >= 1);

    router_send(f, OTHER, PEER, ME, TONGBAN__V1__KIND__KIND_DATA, 2, "sender lies");
    router_send(f, PEER, PEER, OTHER, TONGBAN__V1__KIND__KIND_DATA, 3, "not for me");
    router_send(f, PEER, PEER, ME, TONGBAN__V1__KIND__KIND_UNSPECIFIED, 4, "no kind");
    router_send(f, "3608260000", PEER, ME, TONGBAN__V1__KIND__KIND_DATA, 5, "short stamp");
    router_send_raw(f, PEER, (const uint8_t *)"\xff\xff\xff garbage", 11);
    /* one frame only, and four frames */
    assert_true(zmq_send(f->router, ME, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, PEER, TB_CODE_LEN, 0) >= 0);
    assert_true(zmq_send(f->router, ME, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, PEER, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, "x", 1, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, "y", 1, 0) >= 0);
    router_send(f, PEER, PEER, ME, TONGBAN__V1__KIND__KIND_DATA, 6, "last");
    pump_until_seen(f, 2, 2000);
    pump(f, 20);
    assert_int_equal(f->nenv, 2);
    assert_int_equal(f->seq[1], 6);
    assert_string_equal(f->body[1], "last");
    tb_node_stats_t st = tb_node_stats(f->node);
    assert_int_equal(st.dropped, 7);
    assert_int_equal(st.received, 9);
}

/* Heartbeats go to the broker every interval with the backlog; the broker's
 * answer makes it alive; on_tick runs with each. Only the broker's stamp
 * counts: a heartbeat claiming to be the broker from another node is dropped. */
static void test_heartbeat(void **state)
{
    fix_t *f = *state;
    setenv("TONGBAN_HEARTBEAT_MS", "1000", 1); /* an interval of one tick, as nodes once beat */
    start_node(f);
    assert_false(tb_node_broker_alive(f->node));
    assert_true(f->nticks >= 1);
    tb_node_set_backlog(f->node, 42);
    router_send(f, PEER, TB_BROKER_CODE, ME, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, NULL);
    pump(f, 30);
    assert_false(tb_node_broker_alive(f->node));
    assert_int_equal(tb_node_stats(f->node).dropped, 1);
    router_send(f, TB_BROKER_CODE, TB_BROKER_CODE, ME, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, NULL);
    pump_until_seen(f, 1, 2000);
    assert_true(tb_node_broker_alive(f->node));
    assert_int_equal(f->kind[0], TONGBAN__V1__KIND__KIND_HEARTBEAT);
    /* The next heartbeat, one interval later, carries the backlog. */
    tb_env_t *env = router_expect(f, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT);
    Tongban__V1__Heartbeat *hb =
        tongban__v1__heartbeat__unpack(NULL, env->body.len, env->body.data);
    assert_non_null(hb);
    assert_int_equal(hb->backlog, 42);
    assert_true(hb->sent_at_ms > TB_TIME_MIN_MS);
    tongban__v1__heartbeat__free_unpacked(hb, NULL);
    tb_env_free(&env);
    assert_true(f->nticks >= 2);
}

/* What the node sent to the broker over about ms, stepping its loop and, when
 * busy, sending DATA to PEER every 250 ms with the fake broker answering each
 * with an ACK from PEER: how many heartbeats, and the interval the last one
 * announced. */
static int count_beats(fix_t *f, int ms, bool busy, uint32_t *ret_announced)
{
    int beats = 0;
    int64_t end = tb_mono_ms() + ms, next_data = 0;
    uint64_t seq = 0;
    while (tb_mono_ms() < end) {
        if (busy && tb_mono_ms() >= next_data) {
            next_data = tb_mono_ms() + 250;
            assert_rc(tb_node_send(f->node, PEER, 0, TONGBAN__V1__KIND__KIND_DATA, ++seq, 0,
                                   (const uint8_t *)"x", 1),
                      0);
        }
        msg_t m;
        if (!router_recv(f, 10, &m))
            continue;
        assert_int_equal(m.n, 3);
        tb_env_t *env = NULL;
        assert_rc(tb_env_decode(m.data[2], m.len[2], &env), 0);
        if (env->kind == TONGBAN__V1__KIND__KIND_HEARTBEAT) {
            Tongban__V1__Heartbeat *hb =
                tongban__v1__heartbeat__unpack(NULL, env->body.len, env->body.data);
            assert_non_null(hb);
            *ret_announced = hb->interval_ms;
            tongban__v1__heartbeat__free_unpacked(hb, NULL);
            beats++;
        } else if (env->kind == TONGBAN__V1__KIND__KIND_DATA) {
            router_send(f, PEER, PEER, ME, TONGBAN__V1__KIND__KIND_ACK, 0, NULL);
        }
        tb_env_free(&env);
        msg_free(&m);
    }
    return beats;
}

/* Idle, a node beats once per its interval (TONGBAN_HEARTBEAT_MS), not once
 * per tick, and announces the interval in every heartbeat. */
static void test_heartbeat_interval(void **state)
{
    fix_t *f = *state;
    setenv("TONGBAN_HEARTBEAT_MS", "2000", 1);
    start_node(f); /* the first heartbeat, at once */
    assert_int_equal(tb_node_heartbeat_ms(f->node), 2000);
    uint32_t announced = 0;
    int beats = count_beats(f, 4600, false, &announced);
    if (beats != 2)
        fail_msg("idle over 4.6 s with a 2 s interval: %d more heartbeats (want 2)", beats);
    assert_int_equal(announced, 2000);
    assert_true(f->nticks >= 4); /* the local tick still runs every second */
}

/* A node that talks and is answered sends no heartbeat beside its first:
 * every envelope it sends is presence.  One that talks and hears nothing
 * back beats once per interval, no more. */
static void test_heartbeat_busy(void **state)
{
    fix_t *f = *state;
    setenv("TONGBAN_HEARTBEAT_MS", "2000", 1);
    start_node(f);
    uint32_t announced = 0;
    int beats = count_beats(f, 4600, true, &announced);
    if (beats != 0)
        fail_msg("busy and answered over 4.6 s: %d heartbeats (want 0)", beats);
    assert_int_equal(tb_node_stats(f->node).heartbeats, 1);
    assert_true(tb_node_broker_alive(f->node)); /* the ACKs came through the broker */
}

/* A restarted broker hears from an idle node at once, not an interval later:
 * the node beats at the first tick after each new handshake. */
static void test_heartbeat_after_reconnect(void **state)
{
    fix_t *f = *state;
    setenv("TONGBAN_HEARTBEAT_MS", "60000", 1);
    start_node(f);
    pump(f, 1200); /* a tick without a beat: the interval is a minute */
    zmq_close(f->router);
    assert_int_equal(bind_router(f), 0); /* the broker restarted */
    msg_t m;
    if (!router_recv(f, 3000, &m))
        fail_msg("no heartbeat within 3 s of the new connection (interval 60 s)");
    assert_int_equal(m.n, 3);
    assert_string_equal((char *)m.data[1], TB_BROKER_CODE);
    msg_free(&m);
    assert_int_equal(tb_node_stats(f->node).heartbeats, 2);
}

/* The interval's text and the broker's presence time for an announcement. */
static void test_heartbeat_rules(void **state)
{
    (void)state;
    int ms = -1;
    assert_rc(tb_heartbeat_ivl_parse(NULL, &ms), 0);
    assert_int_equal(ms, TB_HEARTBEAT_IVL_MS);
    assert_rc(tb_heartbeat_ivl_parse("", &ms), 0);
    assert_int_equal(ms, TB_HEARTBEAT_IVL_MS);
    assert_rc(tb_heartbeat_ivl_parse("1000", &ms), 0);
    assert_int_equal(ms, 1000);
    assert_rc(tb_heartbeat_ivl_parse("60000", &ms), 0);
    assert_int_equal(ms, 60000);
    static const char *bad[] = {
        "999", "60001", "-5000", "+5000", " 5000", "5000ms", "5e3", "x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms = -1;
        if (tb_heartbeat_ivl_parse(bad[i], &ms) != -TB_ECONFIG || ms != -1)
            fail_msg("TONGBAN_HEARTBEAT_MS=\"%s\" taken (ms %d)", bad[i], ms);
    }
    assert_int_equal(tb_presence_ttl_ms(0), 5000); /* an older node: as before */
    assert_int_equal(tb_presence_ttl_ms(10000), 30000);
    assert_int_equal(tb_presence_ttl_ms(2000), 6000);
    assert_int_equal(tb_presence_ttl_ms(1), 3000);             /* raised to 1 s */
    assert_int_equal(tb_presence_ttl_ms(4000000000u), 180000); /* lowered to 60 s */
}

/* A refused interval refuses the node, as a malformed TONGBAN_FAULT does. */
static void test_heartbeat_env_refused(void **state)
{
    fix_t *f = *state;
    setenv("TONGBAN_HEARTBEAT_MS", "500", 1);
    tb_node_handler_t h = {on_envelope, on_drained, on_tick, f};
    tb_node_t *n = (tb_node_t *)f; /* must stay untouched */
    assert_rc(tb_node_new(&f->loop, ME, f->endpoint, &h, &n), -TB_ECONFIG);
    assert_ptr_equal(n, (tb_node_t *)f);
}

/* The broker's UNREACHABLE is handed to the handler as it is (the link layer
 * decides what to do); one that claims the broker from another stamp is not. */
static void test_unreachable(void **state)
{
    fix_t *f = *state;
    start_node(f);
    Tongban__V1__Unreachable u = TONGBAN__V1__UNREACHABLE__INIT;
    u.peer = (char *)OTHER;
    uint8_t body[64];
    size_t blen = tongban__v1__unreachable__pack(&u, body);
    uint8_t *buf;
    size_t len;
    assert_rc(tb_env_pack(TB_BROKER_CODE, ME, TONGBAN__V1__KIND__KIND_UNREACHABLE, 0, 0, body, blen,
                          &buf, &len),
              0);
    router_send_raw(f, PEER, buf, len); /* forged: stamped by PEER */
    router_send_raw(f, TB_BROKER_CODE, buf, len);
    free(buf);
    pump_until_seen(f, 1, 2000);
    pump(f, 20);
    assert_int_equal(f->nenv, 1);
    assert_int_equal(f->kind[0], TONGBAN__V1__KIND__KIND_UNREACHABLE);
    assert_string_equal(f->sender[0], TB_BROKER_CODE);
    assert_int_equal(tb_node_stats(f->node).dropped, 1);
}

/* The edge-triggered ZMQ_FD: a burst far larger than one drain's budget, all
 * waiting before the loop looks, is delivered completely and in order, also
 * when the handler sends on the socket for every message (each send consumes
 * the fd's edge). */
static void burst(fix_t *f, bool reply)
{
    enum { N = 1500 };
    start_node(f);
    f->reply = reply;
    for (int i = 1; i <= N; i++)
        router_send(f, PEER, PEER, ME, TONGBAN__V1__KIND__KIND_DATA, (uint64_t)i, "burst");
    nap_ms(300); /* all of it reaches the node's queue before its loop runs */
    /* The heartbeat timer drains too, once a second: the burst must not need
     * it (that would be one budget per second), so it must all arrive before
     * the next tick. */
    int ticks = f->nticks;
    pump_until_seen(f, N, 5000);
    assert_int_equal(f->nenv, N);
    assert_int_equal(f->nticks, ticks);
    for (int i = 0; i < N; i++)
        if (f->seq[i] != (uint64_t)i + 1)
            fail_msg("message %d has seq %llu", i, (unsigned long long)f->seq[i]);
    assert_true(f->ndrained >= 2); /* the budget split it over several turns */
    if (reply) {
        int acks = 0;
        msg_t m;
        while (acks < N && router_recv(f, 2000, &m)) {
            assert_int_equal(m.n, 3);
            tb_env_t *env = NULL;
            assert_rc(tb_env_decode(m.data[2], m.len[2], &env), 0);
            if (env->kind == TONGBAN__V1__KIND__KIND_ACK)
                assert_int_equal(env->ack, (uint64_t)++acks);
            tb_env_free(&env);
            msg_free(&m);
        }
        assert_int_equal(acks, N);
    }
    assert_int_equal(tb_node_stats(f->node).dropped, 0);
}

static void test_burst_drained(void **state)
{
    burst(*state, false);
}

static void test_burst_with_sends(void **state)
{
    burst(*state, true);
}

/* Nobody listening: ZMQ_IMMEDIATE queues nothing, the send is back-pressure. */
static void test_send_without_broker(void **state)
{
    fix_t *f = *state;
    char nowhere[160];
    snprintf(nowhere, sizeof nowhere, "ipc://%s/nobody.sock", f->dir);
    tb_node_handler_t h = {on_envelope, on_drained, NULL, f};
    assert_rc(tb_node_new(&f->loop, ME, nowhere, &h, &f->node), 0);
    assert_rc(
        tb_node_send(f->node, PEER, 0, TONGBAN__V1__KIND__KIND_DATA, 1, 0, (const uint8_t *)"x", 1),
        -EAGAIN);
    pump(f, 30); /* the heartbeat timer fires and is blocked too, and nothing breaks */
    tb_node_stats_t st = tb_node_stats(f->node);
    assert_int_equal(st.sent, 0);
    assert_true(st.send_blocked >= 2);
    assert_false(tb_node_broker_alive(f->node));
}

static void test_new_refused(void **state)
{
    fix_t *f = *state;
    tb_node_handler_t h = {on_envelope, on_drained, NULL, f};
    tb_node_t *n = (tb_node_t *)f; /* must stay untouched */
    assert_rc(tb_node_new(&f->loop, "36082610000", f->endpoint, &h, &n), -TB_EINVAL_CODE);
    assert_rc(tb_node_new(&f->loop, "36082610000a", f->endpoint, &h, &n), -TB_EINVAL_CODE);
    assert_true(tb_node_new(&f->loop, ME, "nonsense://x", &h, &n) < 0);
    assert_ptr_equal(n, (tb_node_t *)f);
    tb_node_close(NULL);
}

int main(void)
{
    unsetenv("TONGBAN_FAULT");
    unsetenv("TONGBAN_HEARTBEAT_MS");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_send_envelope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_and_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_after_reconnect, setup, teardown),
        cmocka_unit_test(test_heartbeat_rules),
        cmocka_unit_test_setup_teardown(test_heartbeat_env_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_burst_drained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_burst_with_sends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_without_broker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
