/* Unit tests for the broker (broker/broker.c, broker-core linked directly).
 *
 * The broker runs broker_run() in a thread of this process, bound to an ipc://
 * endpoint in a temp dir; the test speaks to it through plain DEALER sockets,
 * as any ZeroMQ client would: [destination][envelope] in, [sender][envelope]
 * out.  Its counters are read only after the thread has stopped.
 */
#include <errno.h>
#include <pthread.h>
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

#include "broker.h"
#include "tb_node.h"
#include "tb_wire.h"

#define TOWN_A "360826100000"
#define TOWN_B "360826101000"
#define COUNTY "360826000000"
#define NOBODY "360826102000"

typedef struct {
    char dir[64], endpoint[128];
    broker_t *broker;
    pthread_t thread;
    volatile bool stop;
    bool running;
    int run_rc;
    broker_stats_t stats; /* read after the thread stopped */
    void *zctx;
    void *socks[8]; /* closed by teardown, so a failed test cannot hang zmq_ctx_term */
} fix_t;

static void *run_broker(void *arg)
{
    fix_t *f = arg;
    f->run_rc = broker_run(f->broker, &f->stop);
    return NULL;
}

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/tb-test-broker-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->endpoint, sizeof f->endpoint, "ipc://%s/broker.sock", f->dir);
    if (broker_new(f->endpoint, &f->broker) < 0 ||
        pthread_create(&f->thread, NULL, run_broker, f) != 0) {
        broker_destroy(&f->broker);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    f->running = true;
    f->zctx = zmq_ctx_new();
    *state = f;
    return 0;
}

/* Stop the broker thread and keep its counters for the test to read. */
static void stop_broker(fix_t *f)
{
    if (!f->running)
        return;
    f->stop = true;
    pthread_join(f->thread, NULL);
    f->running = false;
    f->stats = broker_stats(f->broker);
}

static int teardown(void **state)
{
    fix_t *f = *state;
    stop_broker(f);
    broker_destroy(&f->broker);
    for (int i = 0; i < 8; i++)
        if (f->socks[i])
            zmq_close(f->socks[i]);
    zmq_ctx_term(f->zctx);
    char path[160];
    snprintf(path, sizeof path, "%s/broker.sock", f->dir);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* A DEALER with routing id `id` (any bytes), connected to the broker. */
static void *node(fix_t *f, const char *id)
{
    void *s = zmq_socket(f->zctx, ZMQ_DEALER);
    assert_non_null(s);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    assert_int_equal(zmq_connect(s, f->endpoint), 0);
    for (int i = 0; i < 8; i++)
        if (!f->socks[i]) {
            f->socks[i] = s;
            return s;
        }
    fail_msg("too many sockets");
    return NULL;
}

static void close_node(fix_t *f, void *s)
{
    for (int i = 0; i < 8; i++)
        if (f->socks[i] == s)
            f->socks[i] = NULL;
    zmq_close(s);
}

/* Send frames (NULL-terminated list of strings). */
static void send_frames(void *s, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    const char *cur = first;
    while (cur) {
        const char *next = va_arg(ap, const char *);
        assert_true(zmq_send(s, cur, strlen(cur), next ? ZMQ_SNDMORE : 0) >= 0);
        cur = next;
    }
    va_end(ap);
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

/* Receive one multipart message within ms: 1, or 0 if none came. */
static int recv_msg(void *s, int ms, msg_t *ret)
{
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, ms) <= 0)
        return 0;
    memset(ret, 0, sizeof *ret);
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        assert_true(zmq_msg_recv(&m, s, 0) >= 0);
        if (ret->n < 4) {
            ret->len[ret->n] = zmq_msg_size(&m);
            ret->data[ret->n] = malloc(zmq_msg_size(&m) + 1);
            memcpy(ret->data[ret->n], zmq_msg_data(&m), zmq_msg_size(&m));
            ret->data[ret->n][zmq_msg_size(&m)] = 0;
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        ret->n++;
    }
    return 1;
}

/* Expect one message [sender][envelope from the broker of `kind` to `to`];
 * hand back the decoded envelope. */
static tb_env_t *expect_from_broker(void *s, const char *to, Tongban__V1__Kind kind)
{
    msg_t m;
    if (!recv_msg(s, 2000, &m))
        fail_msg("nothing from the broker for %s (want kind %d)", to, kind);
    assert_int_equal(m.n, 2);
    assert_string_equal((char *)m.data[0], TB_BROKER_CODE);
    tb_env_t *env = NULL;
    assert_rc(tb_env_decode(m.data[1], m.len[1], &env), 0);
    assert_string_equal(env->sender, TB_BROKER_CODE);
    assert_string_equal(env->receiver, to);
    assert_int_equal(env->kind, kind);
    msg_free(&m);
    return env;
}

/* Make `id` present: a heartbeat to the broker, answered. */
static void hello(void *s, const char *id)
{
    send_frames(s, TB_BROKER_CODE, "hb", NULL);
    tb_env_t *env = expect_from_broker(s, id, TONGBAN__V1__KIND__KIND_HEARTBEAT);
    tb_env_free(&env);
}

static void expect_nothing(void *s, int ms)
{
    msg_t m;
    if (recv_msg(s, ms, &m)) {
        print_error("unexpected message of %d frame(s), first '%s'\n", m.n, (char *)m.data[0]);
        msg_free(&m);
        fail();
    }
}

/* Expect [sender][payload] exactly. */
static void expect_routed(void *s, const char *sender, const char *payload)
{
    msg_t m;
    if (!recv_msg(s, 2000, &m))
        fail_msg("nothing routed (want '%s' from %s)", payload, sender);
    assert_int_equal(m.n, 2);
    assert_string_equal((char *)m.data[0], sender);
    assert_int_equal(m.len[1], strlen(payload));
    assert_memory_equal(m.data[1], payload, strlen(payload));
    msg_free(&m);
}

/* Routing follows the destination frame, and only to it; the payload is moved
 * untouched (the broker never decodes it: here it is not even an envelope). */
static void test_route_by_destination(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B), *c = node(f, COUNTY);
    hello(a, TOWN_A);
    hello(b, TOWN_B);
    hello(c, COUNTY);
    send_frames(a, TOWN_B, "to b", NULL);
    send_frames(a, COUNTY, "to county", NULL);
    send_frames(c, TOWN_A, "down to a", NULL);
    expect_routed(b, TOWN_A, "to b");
    expect_routed(c, TOWN_A, "to county");
    expect_routed(a, COUNTY, "down to a");
    expect_nothing(a, 100);
    expect_nothing(b, 10);
    expect_nothing(c, 10);
    /* The empty payload and a full-size frame both go through unchanged. */
    send_frames(b, TOWN_A, "", NULL);
    expect_routed(a, TOWN_B, "");
    size_t big = TB_MAX_FRAME;
    char *payload = malloc(big + 1);
    memset(payload, 'x', big);
    payload[big] = 0;
    send_frames(a, COUNTY, payload, NULL);
    expect_routed(c, TOWN_A, payload);
    free(payload);
    close_node(f, a);
    close_node(f, b);
    close_node(f, c);
    stop_broker(f);
    assert_int_equal(f->run_rc, 0);
    assert_int_equal(f->stats.forwarded, 5);
    assert_int_equal(f->stats.heartbeats, 3);
    assert_int_equal(f->stats.unreachable, 0);
    assert_int_equal(f->stats.dropped, 0);
}

/* The sender frame is the connection's routing id, whatever the envelope
 * claims: the receiver compares the two (tb_node drops a mismatch). */
static void test_sender_stamped(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B);
    hello(a, TOWN_A);
    hello(b, TOWN_B);
    uint8_t *buf;
    size_t len;
    assert_rc(tb_env_pack(COUNTY, TOWN_B, TONGBAN__V1__KIND__KIND_DATA, 1, 0, (const uint8_t *)"x",
                          1, &buf, &len),
              0);
    assert_true(zmq_send(a, TOWN_B, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(a, buf, len, 0) >= 0);
    msg_t m;
    assert_int_equal(recv_msg(b, 2000, &m), 1);
    assert_int_equal(m.n, 2);
    assert_string_equal((char *)m.data[0], TOWN_A); /* not the COUNTY it claims */
    assert_int_equal(m.len[1], len);
    assert_memory_equal(m.data[1], buf, len);
    msg_free(&m);
    free(buf);
    close_node(f, a);
    close_node(f, b);
}

/* A destination that never connected, one connected but silent (not yet
 * present), and one that has gone: the sender hears UNREACHABLE naming it,
 * from the broker, and nothing reaches anyone else. */
static void test_unreachable(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B);
    hello(a, TOWN_A);

    send_frames(a, NOBODY, "lost?", NULL);
    tb_env_t *env = expect_from_broker(a, TOWN_A, TONGBAN__V1__KIND__KIND_UNREACHABLE);
    Tongban__V1__Unreachable *u =
        tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
    assert_non_null(u);
    assert_string_equal(u->peer, NOBODY);
    tongban__v1__unreachable__free_unpacked(u, NULL);
    tb_env_free(&env);

    /* b is connected but has said nothing: not present yet. */
    send_frames(a, TOWN_B, "too early", NULL);
    env = expect_from_broker(a, TOWN_A, TONGBAN__V1__KIND__KIND_UNREACHABLE);
    tb_env_free(&env);
    expect_nothing(b, 100);

    /* Once b speaks, the same send goes through. */
    hello(b, TOWN_B);
    send_frames(a, TOWN_B, "now", NULL);
    expect_routed(b, TOWN_A, "now");

    /* b goes away: the ROUTER (mandatory) refuses at once, the sender hears so. */
    close_node(f, b);
    bool heard = false;
    for (int i = 0; i < 50 && !heard; i++) {
        send_frames(a, TOWN_B, "after close", NULL);
        msg_t m;
        if (recv_msg(a, 100, &m)) {
            tb_env_t *e = NULL;
            assert_int_equal(m.n, 2);
            assert_string_equal((char *)m.data[0], TB_BROKER_CODE);
            assert_rc(tb_env_decode(m.data[1], m.len[1], &e), 0);
            assert_int_equal(e->kind, TONGBAN__V1__KIND__KIND_UNREACHABLE);
            tb_env_free(&e);
            msg_free(&m);
            heard = true;
        }
    }
    assert_true(heard);
    close_node(f, a);
    stop_broker(f);
    assert_true(f->stats.unreachable >= 3);
    assert_int_equal(f->stats.dropped, 0);
}

/* Malformed messages are dropped and counted, and the broker goes on serving:
 * a lone frame, a destination frame of the wrong length or not a code, an
 * extra frame, a sender whose routing id is not a place code. */
static void test_malformed_dropped(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B), *bad = node(f, "not-a-code");
    hello(a, TOWN_A);
    hello(b, TOWN_B);
    send_frames(a, "only one frame", NULL);
    send_frames(a, "36082610100", "destination one digit short", NULL);
    send_frames(a, "3608261010000", "destination one digit long", NULL);
    send_frames(a, "36082610100x", "destination not digits", NULL);
    send_frames(a, TOWN_B, "payload", "an extra frame", NULL);
    send_frames(bad, TOWN_B, "from an id that is no code", NULL);
    send_frames(bad, TB_BROKER_CODE, "hb", NULL);
    /* ... and it still serves, in order, after all of them. */
    send_frames(a, TOWN_B, "still served", NULL);
    expect_routed(b, TOWN_A, "still served");
    expect_nothing(b, 100);
    expect_nothing(a, 10);
    expect_nothing(bad, 10);
    close_node(f, a);
    close_node(f, b);
    close_node(f, bad);
    stop_broker(f);
    assert_int_equal(f->stats.dropped, 7);
    assert_int_equal(f->stats.forwarded, 1);
    assert_int_equal(f->stats.heartbeats, 2);
    assert_int_equal(f->stats.unreachable, 0);
}

/* Presence expires: a node that stays connected but sends no heartbeat for
 * five intervals (5 s) is absent, and the sender hears UNREACHABLE; at 3 s it
 * is still present. */
static void test_presence_expires(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B);
    hello(b, TOWN_B);
    struct timespec ts = {3, 0};
    nanosleep(&ts, NULL);
    hello(a, TOWN_A);
    send_frames(a, TOWN_B, "at 3 s", NULL);
    expect_routed(b, TOWN_A, "at 3 s");
    ts = (struct timespec){3, 500 * 1000000L};
    nanosleep(&ts, NULL);
    send_frames(a, TOWN_B, "at 6.5 s", NULL);
    tb_env_t *env = expect_from_broker(a, TOWN_A, TONGBAN__V1__KIND__KIND_UNREACHABLE);
    tb_env_free(&env);
    expect_nothing(b, 100);
    close_node(f, a);
    close_node(f, b);
}

/* A real Heartbeat envelope from `id`, announcing interval_ms (0: none, as
 * an older node sends), answered by the broker. */
static void beat(void *s, const char *id, uint32_t interval_ms)
{
    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    hb.sent_at_ms = TB_TIME_MIN_MS + 1;
    hb.interval_ms = interval_ms;
    uint8_t body[64], *buf;
    size_t blen = tongban__v1__heartbeat__pack(&hb, body), len;
    assert_rc(tb_env_pack(id, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, body, blen,
                          &buf, &len),
              0);
    assert_true(zmq_send(s, TB_BROKER_CODE, TB_CODE_LEN, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(s, buf, len, 0) >= 0);
    free(buf);
    tb_env_t *env = expect_from_broker(s, id, TONGBAN__V1__KIND__KIND_HEARTBEAT);
    tb_env_free(&env);
}

static void nap_until(const struct timespec *t0, long ms)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = ms - ((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
    if (left > 0) {
        struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Presence follows the interval a heartbeat announces: 3 intervals.  TOWN_A
 * announces 2 s (present for 6 s), NOBODY is an older node announcing none
 * (5 s, as before).  At 5.5 s A is reached and the older one is not; at 6.5 s
 * A is gone too. */
static void test_presence_follows_interval(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *old = node(f, NOBODY), *b = node(f, TOWN_B);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    beat(a, TOWN_A, 2000);
    beat(old, NOBODY, 0);
    nap_until(&t0, 5500);
    hello(b, TOWN_B);
    send_frames(b, TOWN_A, "at 5.5 s", NULL);
    expect_routed(a, TOWN_B, "at 5.5 s");
    send_frames(b, NOBODY, "at 5.5 s", NULL);
    tb_env_t *env = expect_from_broker(b, TOWN_B, TONGBAN__V1__KIND__KIND_UNREACHABLE);
    tb_env_free(&env);
    expect_nothing(old, 50);
    nap_until(&t0, 6500);
    send_frames(b, TOWN_A, "at 6.5 s", NULL);
    env = expect_from_broker(b, TOWN_B, TONGBAN__V1__KIND__KIND_UNREACHABLE);
    tb_env_free(&env);
    expect_nothing(a, 100);
    close_node(f, a);
    close_node(f, old);
    close_node(f, b);
}

/* Any message is presence: a node that announced 2 s and then only sends
 * DATA (no heartbeat) stays present past 3 intervals from its heartbeat. */
static void test_presence_by_data(void **state)
{
    fix_t *f = *state;
    void *a = node(f, TOWN_A), *b = node(f, TOWN_B);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    beat(a, TOWN_A, 2000);
    beat(b, TOWN_B, 2000);
    for (int i = 1; i <= 4; i++) {
        nap_until(&t0, 1900L * i);
        send_frames(a, TOWN_B, "data", NULL); /* a talks: present */
        expect_routed(b, TOWN_A, "data");
        send_frames(b, TOWN_A, "ack", NULL); /* b talks too */
        expect_routed(a, TOWN_B, "ack");
    }
    close_node(f, a);
    close_node(f, b);
    stop_broker(f);
    assert_int_equal(f->stats.heartbeats, 2);
    assert_int_equal(f->stats.unreachable, 0);
}

static void test_bind_refused(void **state)
{
    (void)state;
    broker_t *br = NULL;
    int rc = broker_new("nonsense://here", &br);
    assert_true(rc < 0);
    assert_null(br);
    broker_destroy(&br); /* NULL is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_route_by_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sender_stamped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presence_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presence_follows_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presence_by_data, setup, teardown),
        cmocka_unit_test(test_bind_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
