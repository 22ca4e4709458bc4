/* Unit tests for common/tb_link: the sender's window, acks, go-back-N with
 * doubling backoff, the unreachable hold, the timer hint, the receiver's
 * classification, and a simulation of 1000 messages over a channel that
 * loses, duplicates and reorders, driven by the test's own fixed-seed PRNG
 * and simulated time (no clock, no sleeping: the run is the same every time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "tb_error.h"
#include "tb_link.h"

/* Expect tb_link_tx_due to answer [from, to]; then mark them sent. */
static void expect_due_at(tb_link_tx_t *tx, int64_t now, uint32_t window, uint64_t from,
                          uint64_t to, const char *file, int line)
{
    uint64_t f = 0, t = 0;
    bool due = tb_link_tx_due(tx, now, window, &f, &t);
    if (!due)
        print_error("nothing due at %lld, want [%llu, %llu]\n", (long long)now,
                    (unsigned long long)from, (unsigned long long)to);
    _assert_true(due, "tb_link_tx_due", file, line);
    _assert_int_equal(f, from, file, line);
    _assert_int_equal(t, to, file, line);
    tb_link_tx_sent(tx, t);
}
#define expect_due(tx, now, window, from, to)                                                      \
    expect_due_at((tx), (now), (window), (from), (to), __FILE__, __LINE__)

static void expect_idle_at(tb_link_tx_t *tx, int64_t now, uint32_t window, const char *file,
                           int line)
{
    uint64_t f = 77, t = 88;
    bool due = tb_link_tx_due(tx, now, window, &f, &t);
    if (due)
        print_error("[%llu, %llu] due at %lld, want nothing\n", (unsigned long long)f,
                    (unsigned long long)t, (long long)now);
    _assert_true(!due, "!tb_link_tx_due", file, line);
    _assert_int_equal(f, 77, file, line); /* out-parameters untouched */
    _assert_int_equal(t, 88, file, line);
}
#define expect_idle(tx, now, window) expect_idle_at((tx), (now), (window), __FILE__, __LINE__)

/* ---- Sender ---- */

static void test_init(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 10, 4, 1000);
    assert_int_equal(tx.last, 10);
    assert_int_equal(tx.acked, 4);
    assert_int_equal(tx.sent, 4);
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MIN_MS);
    /* Restart after a crash: resume from the stored ack. */
    expect_due(&tx, 1000, 100, 5, 10);

    /* A stored ack above last (corrupt store) is clamped. */
    tb_link_tx_init(&tx, 3, 9, 0);
    assert_int_equal(tx.acked, 3);
    assert_int_equal(tx.sent, 3);
    expect_idle(&tx, 0, 8);
}

static void test_window(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 0, 0, 0);
    expect_idle(&tx, 0, 4); /* nothing assigned */
    assert_int_equal(tb_link_tx_wait_ms(&tx, 0), -1);

    tb_link_tx_appended(&tx, 10);
    assert_int_equal(tx.last, 10);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 0), 0);
    expect_due(&tx, 0, 4, 1, 4);
    expect_idle(&tx, 1, 4); /* window full */
    expect_idle(&tx, 499, 4);

    /* Partial send: the caller sent only up to 2, the rest follows. */
    tb_link_tx_init(&tx, 10, 0, 0);
    uint64_t f, t;
    assert_true(tb_link_tx_due(&tx, 0, 4, &f, &t));
    tb_link_tx_sent(&tx, 2);
    expect_due(&tx, 1, 4, 3, 4);
    /* tb_link_tx_sent never moves backwards. */
    tb_link_tx_sent(&tx, 1);
    assert_int_equal(tx.sent, 4);

    /* appended never lowers last. */
    tb_link_tx_appended(&tx, 5);
    assert_int_equal(tx.last, 10);
    tb_link_tx_appended(&tx, 12);
    assert_int_equal(tx.last, 12);

    /* The window is counted from the ack, and clamped by last. */
    assert_rc(tb_link_tx_on_ack(&tx, 3, 100), 1);
    expect_due(&tx, 100, 4, 5, 7);
    expect_idle(&tx, 100, 4);
    assert_rc(tb_link_tx_on_ack(&tx, 7, 200), 1);
    expect_due(&tx, 200, 4, 8, 11);
    assert_rc(tb_link_tx_on_ack(&tx, 11, 300), 1);
    expect_due(&tx, 300, 4, 12, 12);
    expect_idle(&tx, 300, 4);
    assert_rc(tb_link_tx_on_ack(&tx, 12, 400), 1);
    expect_idle(&tx, 400, 4);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 400), -1);

    /* Window 1: stop-and-wait. */
    tb_link_tx_init(&tx, 3, 0, 0);
    expect_due(&tx, 0, 1, 1, 1);
    expect_idle(&tx, 0, 1);
    assert_rc(tb_link_tx_on_ack(&tx, 1, 10), 1);
    expect_due(&tx, 10, 1, 2, 2);
}

static void test_ack(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 10, 0, 0);
    expect_due(&tx, 0, 8, 1, 8);

    /* Let two timeouts pass so the backoff has grown. */
    expect_due(&tx, 500, 8, 1, 8);
    expect_due(&tx, 1500, 8, 1, 8);
    assert_int_equal(tx.backoff_ms, 2000);

    /* Progress: ack advances, backoff resets, the clock restarts. */
    assert_rc(tb_link_tx_on_ack(&tx, 3, 1600), 1);
    assert_int_equal(tx.acked, 3);
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MIN_MS);
    assert_int_equal(tx.progress_ms, 1600);
    assert_int_equal(tx.sent, 8);

    /* Old and repeated acks change nothing. */
    tb_link_tx_t before = tx;
    assert_rc(tb_link_tx_on_ack(&tx, 3, 1700), 0);
    assert_rc(tb_link_tx_on_ack(&tx, 2, 1700), 0);
    assert_rc(tb_link_tx_on_ack(&tx, 0, 1700), 0);
    assert_memory_equal(&tx, &before, sizeof tx);

    /* An ack beyond anything assigned is a protocol error and is ignored. */
    assert_rc(tb_link_tx_on_ack(&tx, 11, 1700), -TB_EPROTO);
    assert_rc(tb_link_tx_on_ack(&tx, UINT64_MAX, 1700), -TB_EPROTO);
    assert_memory_equal(&tx, &before, sizeof tx);
    /* ... and exactly last is fine. */
    assert_rc(tb_link_tx_on_ack(&tx, 10, 1800), 1);
    assert_int_equal(tx.acked, 10);
    assert_int_equal(tx.sent, 10);

    /* An ack beyond what this round sent (the round was rewound by a timeout,
     * then an ack for the earlier round arrived) moves sent up with it. */
    tb_link_tx_init(&tx, 10, 0, 0);
    expect_due(&tx, 0, 8, 1, 8);
    expect_due(&tx, 500, 2, 1, 2); /* timed out: rewound, resent only 1..2 */
    assert_rc(tb_link_tx_on_ack(&tx, 6, 600), 1);
    assert_int_equal(tx.sent, 6);
    expect_due(&tx, 600, 8, 7, 10);
}

static void test_backoff(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 5, 0, 0);
    expect_due(&tx, 0, 16, 1, 5);

    /* No ack ever: each round waits for the current backoff, then goes back
     * to ack + 1 and doubles it, up to the cap. */
    int64_t now = 0, backoff = TB_LINK_BACKOFF_MIN_MS;
    int rounds = 0;
    while (rounds < 12) {
        assert_int_equal(tb_link_tx_wait_ms(&tx, now), backoff);
        expect_idle(&tx, now + backoff - 1, 16);
        assert_int_equal(tb_link_tx_wait_ms(&tx, now + backoff - 1), 1);
        assert_int_equal(tb_link_tx_wait_ms(&tx, now + backoff), 0);
        now += backoff;
        expect_due(&tx, now, 16, 1, 5);
        backoff = backoff * 2 > TB_LINK_BACKOFF_MAX_MS ? TB_LINK_BACKOFF_MAX_MS : backoff * 2;
        assert_int_equal(tx.backoff_ms, backoff);
        rounds++;
    }
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MAX_MS);
    /* 500 1000 2000 4000 8000 16000 30000 ... */
    assert_int_equal(now, 500 + 1000 + 2000 + 4000 + 8000 + 16000 + 6 * 30000);

    /* A late timer is fine: the go-back happens once, not once per missed period. */
    expect_due(&tx, now + 10 * TB_LINK_BACKOFF_MAX_MS, 16, 1, 5);
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MAX_MS);
    expect_idle(&tx, now + 10 * TB_LINK_BACKOFF_MAX_MS, 16);

    /* Progress after the go-back resets the backoff; only the unacked part is resent. */
    now += 10 * TB_LINK_BACKOFF_MAX_MS;
    assert_rc(tb_link_tx_on_ack(&tx, 2, now + 5), 1);
    expect_idle(&tx, now + 5 + TB_LINK_BACKOFF_MIN_MS - 1, 16);
    expect_due(&tx, now + 5 + TB_LINK_BACKOFF_MIN_MS, 16, 3, 5);
    assert_int_equal(tx.backoff_ms, 2 * TB_LINK_BACKOFF_MIN_MS);
}

static void test_unreachable(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 10, 0, 0);
    expect_due(&tx, 0, 4, 1, 4);
    assert_rc(tb_link_tx_on_ack(&tx, 2, 100), 1);
    expect_due(&tx, 100, 4, 5, 6);

    /* The broker says the peer is gone: hold for the backoff, then rewind to ack + 1. */
    tb_link_tx_unreachable(&tx, 200);
    assert_int_equal(tx.sent, 2);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 200), TB_LINK_BACKOFF_MIN_MS);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 699), 1);
    expect_idle(&tx, 200, 4);
    expect_idle(&tx, 699, 4);
    tb_link_tx_appended(&tx, 20); /* new messages do not lift the hold */
    expect_idle(&tx, 650, 4);
    expect_due(&tx, 700, 4, 3, 6);

    /* Unreachable again without progress: the hold doubles. */
    tb_link_tx_unreachable(&tx, 800);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 800), 2 * TB_LINK_BACKOFF_MIN_MS);
    expect_idle(&tx, 1799, 4);
    expect_due(&tx, 1800, 4, 3, 6);
    tb_link_tx_unreachable(&tx, 1900);
    expect_idle(&tx, 3899, 4);
    expect_due(&tx, 3900, 4, 3, 6);

    /* The hold grows up to the cap and no further. */
    int64_t now = 4000;
    for (int i = 0; i < 10; i++) {
        tb_link_tx_unreachable(&tx, now);
        int64_t hold = tb_link_tx_wait_ms(&tx, now);
        assert_true(hold <= TB_LINK_BACKOFF_MAX_MS);
        expect_idle(&tx, now + hold - 1, 4);
        now += hold;
        expect_due(&tx, now, 4, 3, 6);
    }
    tb_link_tx_unreachable(&tx, now);
    assert_int_equal(tb_link_tx_wait_ms(&tx, now), TB_LINK_BACKOFF_MAX_MS);

    /* An ack (the peer came back) lifts the hold and resets the backoff at once. */
    assert_rc(tb_link_tx_on_ack(&tx, 4, now + 1), 1);
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MIN_MS);
    expect_due(&tx, now + 1, 4, 5, 8);
}

/* The broker answers UNREACHABLE once per envelope it could not route
 * (broker/broker.c, send_unreachable for each message), so one round of
 * `window` sends to an absent peer yields `window` calls here, at about the
 * same time.  They are one event: the hold should be the current backoff and
 * the backoff should double once, not once per message.  Today each call
 * doubles the backoff and pushes the hold out, so a round of 4 holds 4 s and a
 * round of 32 jumps straight to the 30 s cap.  (Fails until tb_link.c ignores
 * an unreachable that arrives while already holding.) */
static void test_unreachable_burst(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 10, 0, 0);
    expect_due(&tx, 0, 4, 1, 4);
    for (int i = 0; i < 4; i++)
        tb_link_tx_unreachable(&tx, 10);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 10), TB_LINK_BACKOFF_MIN_MS);
    assert_int_equal(tx.backoff_ms, 2 * TB_LINK_BACKOFF_MIN_MS);
    expect_due(&tx, 10 + TB_LINK_BACKOFF_MIN_MS, 4, 1, 4);
}

static void test_wait_ms(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 0, 0, 1000);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1000), -1); /* nothing to send: no timer */
    tb_link_tx_appended(&tx, 1);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1000), 0); /* send now */
    expect_due(&tx, 1000, 8, 1, 1);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1000), TB_LINK_BACKOFF_MIN_MS);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1200), TB_LINK_BACKOFF_MIN_MS - 200);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1500), 0);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 99999), 0); /* overdue: never negative */
    assert_rc(tb_link_tx_on_ack(&tx, 1, 1600), 1);
    assert_int_equal(tb_link_tx_wait_ms(&tx, 1600), -1);

    /* wait_ms agrees with due: when it says 0, due answers true. */
    tb_link_tx_appended(&tx, 3);
    expect_due(&tx, 1700, 8, 2, 3);
    int64_t w = tb_link_tx_wait_ms(&tx, 1700);
    expect_idle(&tx, 1700 + w - 1, 8);
    expect_due(&tx, 1700 + w, 8, 2, 3);
}

/* The timeout follows the round trips: a receiver that acks 2 s after each
 * sending is not sent its window again every 500 ms; once its acks are quick
 * again the timeout comes back down to the floor; an ack that may answer a
 * resending is not taken as a round trip (Karn). */
static void test_rto(void **state)
{
    (void)state;
    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 0, 0, 0);
    int64_t now = 0;
    /* A slow receiver: each message acked 400 ms after it went (under the floor). */
    for (uint64_t s = 1; s <= 4; s++) {
        tb_link_tx_appended(&tx, s);
        expect_due(&tx, now, 8, s, s);
        now += 400;
        assert_rc(tb_link_tx_on_ack(&tx, s, now), 1);
    }
    assert_int_equal(tx.srtt_ms, 400);
    /* RFC 6298: 3 x the first sample, then srtt + 4 x a deviation shrinking to 0 */
    assert_int_equal(tx.rto_ms, 400 + 4 * tx.rttvar_ms);
    assert_true(tx.rto_ms < 1200);
    /* Slower: 2000 ms a round trip.  The timeout grows past it. */
    for (uint64_t s = 5; s <= 12; s++) {
        tb_link_tx_appended(&tx, s);
        expect_due(&tx, now, 8, s, s);
        /* Not gone back at the old floor: nothing due 500 ms later. */
        expect_idle(&tx, now + TB_LINK_BACKOFF_MIN_MS, 8);
        now += 2000;
        assert_rc(tb_link_tx_on_ack(&tx, s, now), 1);
    }
    assert_true(tx.srtt_ms > 1000); /* 2000 - 1600 x (7/8)^8 */
    assert_true(tx.rto_ms > 2000);
    assert_int_equal(tx.backoff_ms, tx.rto_ms);
    /* A message never acked is still sent again, after the learned timeout. */
    tb_link_tx_appended(&tx, 13);
    expect_due(&tx, now, 8, 13, 13);
    expect_idle(&tx, now + tx.rto_ms - 1, 8);
    int64_t rto = tx.rto_ms;
    expect_due(&tx, now + rto, 8, 13, 13);
    assert_int_equal(tx.backoff_ms,
                     rto * 2 > TB_LINK_BACKOFF_MAX_MS ? TB_LINK_BACKOFF_MAX_MS : rto * 2);
    /* Its ack may answer either sending: no sample (Karn), the timeout stays. */
    now += rto + 5;
    assert_rc(tb_link_tx_on_ack(&tx, 13, now), 1);
    assert_int_equal(tx.rto_ms, rto);
    assert_int_equal(tx.backoff_ms, rto);
    /* Quick acks again: the timeout comes back down to the floor. */
    for (uint64_t s = 14; s <= 60; s++) {
        tb_link_tx_appended(&tx, s);
        expect_due(&tx, now, 8, s, s);
        now += 10;
        assert_rc(tb_link_tx_on_ack(&tx, s, now), 1);
    }
    assert_int_equal(tx.rto_ms, TB_LINK_BACKOFF_MIN_MS);
    assert_int_equal(tx.backoff_ms, TB_LINK_BACKOFF_MIN_MS);
    /* A range in flight is timed by its last message: an ack below it is no sample. */
    tb_link_tx_appended(&tx, 64);
    expect_due(&tx, now, 8, 61, 64);
    int64_t srtt = tx.srtt_ms;
    assert_rc(tb_link_tx_on_ack(&tx, 62, now + 3000), 1);
    assert_int_equal(tx.srtt_ms, srtt);
    assert_rc(tb_link_tx_on_ack(&tx, 64, now + 3000), 1);
    assert_true(tx.srtt_ms > srtt);
}

/* ---- Receiver ---- */

static void test_rx_classify(void **state)
{
    (void)state;
    static const struct {
        uint64_t cursor, seq;
        tb_link_rx_t want;
    } t[] = {
        {0, 0, TB_LINK_DUP},
        {0, 1, TB_LINK_NEXT},
        {0, 2, TB_LINK_GAP},
        {0, UINT64_MAX, TB_LINK_GAP},
        {1, 0, TB_LINK_DUP},
        {1, 1, TB_LINK_DUP},
        {1, 2, TB_LINK_NEXT},
        {1, 3, TB_LINK_GAP},
        {41, 40, TB_LINK_DUP},
        {41, 41, TB_LINK_DUP},
        {41, 42, TB_LINK_NEXT},
        {41, 43, TB_LINK_GAP},
        {UINT64_C(1) << 40, (UINT64_C(1) << 40) + 1, TB_LINK_NEXT},
        {UINT64_C(1) << 40, (UINT64_C(1) << 40) + 2, TB_LINK_GAP},
        {UINT64_C(1) << 40, 1, TB_LINK_DUP},
        {UINT64_MAX - 1, UINT64_MAX, TB_LINK_NEXT},
        {UINT64_MAX - 1, UINT64_MAX - 1, TB_LINK_DUP},
        {UINT64_MAX - 2, UINT64_MAX, TB_LINK_GAP},
        {UINT64_MAX, UINT64_MAX, TB_LINK_DUP},
        {UINT64_MAX, 0, TB_LINK_DUP}, /* cursor + 1 wraps: must not look like NEXT */
        {UINT64_MAX, 1, TB_LINK_DUP},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_link_rx_t got = tb_link_rx_classify(t[i].cursor, t[i].seq);
        if (got != t[i].want)
            print_error("case %zu: cursor %llu seq %llu\n", i, (unsigned long long)t[i].cursor,
                        (unsigned long long)t[i].seq);
        assert_int_equal(got, t[i].want);
    }
}

/* ---- Simulation ---- */

#define SIM_N 1000
#define SIM_WINDOW 32
#define SIM_TICK_MS 10
#define SIM_MAX_STEPS 30000 /* 300 s simulated; the fixed seed needs about 118 s */
#define SIM_MAX_FLIGHT 65536
#ifndef SIM_SEED
#define SIM_SEED 0x9E3779B97F4A7C15ULL
#endif
#ifndef SIM_LOSS_PCT
#define SIM_LOSS_PCT 10
#endif

typedef struct {
    uint64_t x;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    /* xorshift64 (Marsaglia 2003). */
    r->x ^= r->x << 13;
    r->x ^= r->x >> 7;
    r->x ^= r->x << 17;
    return r->x;
}

/* True with probability pct percent. */
static bool rng_pct(rng_t *r, unsigned pct)
{
    return rng_next(r) % 100 < pct;
}

typedef struct {
    int64_t at;     /* delivery time */
    uint64_t order; /* put order, to break ties */
    bool is_ack;    /* receiver -> sender */
    uint64_t num;   /* seq (data) or cumulative ack */
} msg_t;

typedef struct {
    msg_t v[SIM_MAX_FLIGHT];
    size_t n;
    rng_t rng;
    uint64_t order, lost, duplicated, delayed;
} channel_t;

/* Lose SIM_LOSS_PCT%, duplicate 10%; delay 5 ms, and one message in ten is held
 * back up to 100 ms more, so later ones overtake it.  Messages due at the same
 * time leave in the order they were put (a stream transport keeps order; what
 * reorders is a reconnect or a retransmission racing an original). */
static void channel_put(channel_t *c, int64_t now, bool is_ack, uint64_t num)
{
    if (rng_pct(&c->rng, SIM_LOSS_PCT)) {
        c->lost++;
        return;
    }
    int copies = rng_pct(&c->rng, 10) ? 2 : 1;
    c->duplicated += (uint64_t)(copies - 1);
    for (int i = 0; i < copies; i++) {
        int64_t delay = 5;
        if (rng_pct(&c->rng, 10)) {
            delay += 1 + (int64_t)(rng_next(&c->rng) % 100);
            c->delayed++;
        }
        assert_true(c->n < SIM_MAX_FLIGHT);
        c->v[c->n++] = (msg_t){now + delay, c->order++, is_ack, num};
    }
}

/* Take the earliest message due by now (ties: first put, first out). */
static bool channel_take(channel_t *c, int64_t now, msg_t *ret)
{
    size_t best = c->n;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].at <= now &&
            (best == c->n || c->v[i].at < c->v[best].at ||
             (c->v[i].at == c->v[best].at && c->v[i].order < c->v[best].order)))
            best = i;
    if (best == c->n)
        return false;
    *ret = c->v[best];
    c->v[best] = c->v[--c->n];
    return true;
}

static void test_simulation(void **state)
{
    (void)state;
    static channel_t ch; /* large: keep it off the stack */
    memset(&ch, 0, sizeof ch);
    ch.rng.x = SIM_SEED;

    tb_link_tx_t tx;
    tb_link_tx_init(&tx, 0, 0, 0);
    uint64_t cursor = 0;
    static unsigned applied[SIM_N + 1];
    memset(applied, 0, sizeof applied);
    uint64_t order_errors = 0, sent_msgs = 0, unreachables = 0, max_sent = 0;

    int64_t now = 0;
    int step = 0;
    for (; step < SIM_MAX_STEPS && tx.acked < SIM_N; step++) {
        now = (int64_t)step * SIM_TICK_MS;

        /* The store assigns new messages in bursts, as commands log cases. */
        if (tx.last < SIM_N && rng_pct(&ch.rng, 30)) {
            uint64_t last = tx.last + 1 + rng_next(&ch.rng) % 8;
            tb_link_tx_appended(&tx, last > SIM_N ? SIM_N : last);
        }
        uint64_t from, to;
        if (tb_link_tx_due(&tx, now, SIM_WINDOW, &from, &to)) {
            assert_true(from >= tx.acked + 1);
            assert_true(to <= tx.last);
            assert_true(to <= tx.acked + SIM_WINDOW);
            /* Now and then the peer is absent for a round: the broker drops the
             * round and says so.  (The broker answers once per message; the
             * simulation reports it once per round, see test_unreachable_burst.) */
            bool absent = rng_pct(&ch.rng, 3);
            for (uint64_t s = from; s <= to && !absent; s++)
                channel_put(&ch, now, false, s);
            sent_msgs += to - from + 1;
            if (to > max_sent)
                max_sent = to;
            tb_link_tx_sent(&tx, to);
            if (absent) {
                tb_link_tx_unreachable(&tx, now);
                unreachables++;
            }
        } else {
            /* wait_ms must not promise a send that due refuses, nor say "never"
             * while something is unacked. */
            int64_t w = tb_link_tx_wait_ms(&tx, now);
            if (tx.acked < tx.last)
                assert_true(w >= 0);
        }

        msg_t m;
        while (channel_take(&ch, now, &m)) {
            if (m.is_ack) {
                int rc = tb_link_tx_on_ack(&tx, m.num, now);
                assert_true(rc == 0 || rc == 1);
                continue;
            }
            switch (tb_link_rx_classify(cursor, m.num)) {
            case TB_LINK_NEXT:
                if (m.num != cursor + 1)
                    order_errors++;
                assert_true(m.num <= SIM_N);
                applied[m.num]++;
                cursor = m.num;
                break;
            case TB_LINK_DUP:
                assert_true(m.num <= cursor);
                break;
            case TB_LINK_GAP:
                assert_true(m.num > cursor + 1);
                break;
            }
            /* Cumulative ack for everything applied, also for dups and gaps. */
            channel_put(&ch, now, true, cursor);
        }
    }

    print_message("simulation: %d steps (%lld ms), %llu sent for %d, %llu lost, %llu duplicated, "
                  "%llu delayed, %llu unreachable\n",
                  step, (long long)now, (unsigned long long)sent_msgs, SIM_N,
                  (unsigned long long)ch.lost, (unsigned long long)ch.duplicated,
                  (unsigned long long)ch.delayed, (unsigned long long)unreachables);
    assert_int_equal(tx.acked, SIM_N);
    assert_true(step < SIM_MAX_STEPS);
    assert_int_equal(cursor, SIM_N);
    assert_int_equal(order_errors, 0);
    assert_int_equal(max_sent, SIM_N);
    for (int s = 1; s <= SIM_N; s++) {
        if (applied[s] != 1)
            print_error("seq %d applied %u times\n", s, applied[s]);
        assert_int_equal(applied[s], 1);
    }
    /* Everything done: no timer needed. */
    assert_int_equal(tb_link_tx_wait_ms(&tx, now), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_wait_ms),
        cmocka_unit_test(test_rto),
        cmocka_unit_test(test_unreachable_burst),
        cmocka_unit_test(test_rx_classify),
        cmocka_unit_test(test_simulation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
