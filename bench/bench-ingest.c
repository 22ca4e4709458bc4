/* bench-ingest: the county's durable ingest, fed by simulated townships
 * through the real broker (issue 13's "county durable ingest" figure).
 *
 *   bench-ingest ENDPOINT COUNTY EVENTS TOWNSHIP...
 *
 * One process holds one DEALER per township, connected to the broker at
 * ENDPOINT with CurveZMQ as a real township does: its own key pair from the
 * key directory in TONGBAN_KEYS (<code>.key, broker.pub; the harness's keys
 * are on the broker's allow-list) and the routing id "<code>/bench".  Each township sends EVENTS
 * walk-in cases (one LOGGED event each, origin the township, origin_seq and
 * link seq 1..EVENTS) to COUNTY as DATA envelopes and counts the county's
 * cumulative ACKs: an ACK means the batch holding the event committed in
 * PostgreSQL (validated, folded, recorded).  Each township sends and acks
 * as a real township's link engine does (common/tb_linkeng.c over
 * common/tb_link.h, which this program calls): go-back-N after the learned
 * timeout (at least TB_LINK_BACKOFF_MIN_MS) without ack progress, doubled at
 * each go-back up to TB_LINK_BACKOFF_MAX_MS; the county's DATA (a status
 * update a case) acked by the next envelope going up, or by an ACK of its
 * own TB_SQLINK_ACK_DELAY_MS after it came, at once after
 * TB_LINKENG_ACK_EVERY unacknowledged, or for a duplicate or a gap.  Until
 * 2026-12-03 every status was acked at once by an ACK of its own: a message
 * more per event through the broker (CURVE both ways) and the county, which
 * a township does not send (measured: 41-44k events/s against 37-39k).
 *
 * One difference: the window, 256 past the ack (TB_BENCH_WINDOW), where a
 * township's is TB_SQLINK_WINDOW (1,024).  26 townships x 1,024 sent at once
 * is ~0.6 s of the county's work, more than the 500 ms a township waits
 * before its first round trip is timed: every township went back and sent
 * its window again (17,000-28,000 of 52,000 events resent), so the figure
 * measured the go-back more than the ingest (bench/RESULTS.md, 2026-12-03).
 * `resent` counts the events sent more than once.  Prints one line:
 *
 *   ingest events=N seconds=S events_per_s=R resent=K
 *
 * timed from the first send to the last ACK.  The baseline (COPY of the same
 * rows) is run by bench/run.sh.
 *
 * With TB_BENCH_LIFECYCLE=1 (the year's replay) every case is a whole life
 * at the township window, one event per link seq: LOGGED, ACCEPTED, DECIDED
 * (准予), RESULT, DELIVERED, RATED (EVENTS is still the number of events per
 * township), the cases spread evenly over the year before yesterday, a
 * township-level item (YB001) so the township decides it.  Not a test: performance is measured,
 * never asserted (bench/README.md). */
#include "tb_caseid.h"
#include "tb_keys.h"
#include "tb_link.h"
#include "tb_linkeng.h"
#include "tb_sqlink.h" /* TB_SQLINK_ACK_DELAY_MS */
#include "tb_wire.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

enum { WINDOW = 256, MAX_TOWNS = 64 }; /* WINDOW: TB_BENCH_WINDOW's default (above) */

typedef struct {
    const char *code;
    void *sock;
    tb_link_tx_t tx; /* the send side, as the link engine keeps it */
    uint64_t high;   /* the highest seq ever sent */
    uint64_t rx_cursor;
    uint64_t ack_sent;  /* the rx_cursor the last envelope sent carried */
    int64_t ack_due_ms; /* when an ack of rx_cursor must leave (0: none owed) */
    uint64_t resent;
} town_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms(void)
{
    return (int64_t)(now_s() * 1000);
}

static int send_env(town_t *t, const char *county, Tongban__V1__Kind kind, uint64_t seq,
                    const uint8_t *body, size_t len)
{
    uint8_t *buf;
    size_t n;
    int rc = tb_env_pack(t->code, county, kind, seq, t->rx_cursor, body, len, &buf, &n);
    if (rc < 0)
        return rc;
    if (zmq_send(t->sock, county, strlen(county), ZMQ_SNDMORE) < 0 ||
        zmq_send(t->sock, buf, n, 0) < 0)
        rc = -1;
    if (kind != TONGBAN__V1__KIND__KIND_HEARTBEAT) { /* (a heartbeat stops at the broker) */
        t->ack_sent = t->rx_cursor;                  /* the envelope carries the ack */
        t->ack_due_ms = 0;
    }
    free(buf);
    return rc;
}

enum { LIFE = 6 }; /* events of one case's life in the replay */
static bool lifecycle;
static uint64_t ncases; /* per township, in the replay */

/* The event of link seq at township t, packed as an item: the LOGGED event
 * of walk-in case seq, or in the replay step (seq - 1) % LIFE of case
 * (seq - 1) / LIFE + 1. */
static int send_case(town_t *t, const char *county, uint64_t seq, int64_t at_ms)
{
    char id[TB_CASEID_MAX], client[32];
    uint64_t number = seq;
    int step = 0;
    if (lifecycle) {
        number = (seq - 1) / LIFE + 1;
        step = (int)((seq - 1) % LIFE);
        /* Case k of n on day k * 365 / n of the year, its steps minutes apart. */
        at_ms -= (int64_t)(ncases - number) * 365 * 86400000 / (int64_t)(ncases ? ncases : 1);
        at_ms += step * 60000;
    }
    if (tb_caseid_format(t->code, at_ms - step * 60000, (uint32_t)number, id) < 0)
        return -1;
    snprintf(client, sizeof client, "客户%" PRIu64, number);
    Tongban__V1__LedgerRecord ledger = TONGBAN__V1__LEDGER_RECORD__INIT;
    ledger.client_name = client;
    ledger.client_phone = "13800138000";
    ledger.agent = "窗口";
    ledger.item_code = lifecycle ? "YB001" : "YB003";
    ledger.note = "";
    ledger.result = "";
    ledger.accept_time_ms = at_ms;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)t->code;
    ev.origin_seq = seq;
    ev.case_id = id;
    static const Tongban__V1__EventType life[LIFE] = {
        TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED,    TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED,
        TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED,   TONGBAN__V1__EVENT_TYPE__EVENT_RESULT,
        TONGBAN__V1__EVENT_TYPE__EVENT_DELIVERED, TONGBAN__V1__EVENT_TYPE__EVENT_RATED};
    ev.type = life[step];
    ev.actor = "窗口";
    ev.at_ms = at_ms;
    if (step == 0)
        ev.ledger = &ledger;
    if (ev.type == TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED)
        ev.decision = TONGBAN__V1__DECISION__DECISION_GRANT;
    if (ev.type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED) {
        ev.rating = 5;
        ev.comment = "";
    }
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    uint8_t *body;
    size_t len;
    if (tb_event_check(&ev) < 0 || tb_pack_item(&item, &body, &len) < 0)
        return -1;
    int rc = send_env(t, county, TONGBAN__V1__KIND__KIND_DATA, seq, body, len);
    free(body);
    return rc;
}

/* Read what waits on t's socket: ACKs advance t->acked, DATA is acked. */
static int drain(town_t *t, const char *county)
{
    for (;;) {
        zmq_msg_t from, env;
        zmq_msg_init(&from);
        zmq_msg_init(&env);
        if (zmq_msg_recv(&from, t->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&from);
            zmq_msg_close(&env);
            return 0;
        }
        int more = zmq_msg_more(&from);
        if (more && zmq_msg_recv(&env, t->sock, 0) >= 0) {
            tb_env_t *e;
            if (tb_env_decode(zmq_msg_data(&env), zmq_msg_size(&env), &e) == 0) {
                if (e->ack <= t->high)
                    tb_link_tx_on_ack(&t->tx, e->ack, now_ms());
                if (e->kind == TONGBAN__V1__KIND__KIND_DATA && e->seq == t->rx_cursor + 1) {
                    t->rx_cursor = e->seq;
                    if (!t->ack_due_ms)
                        t->ack_due_ms = now_ms() + TB_SQLINK_ACK_DELAY_MS;
                } else if (e->kind == TONGBAN__V1__KIND__KIND_DATA) {
                    t->ack_due_ms = now_ms(); /* a duplicate or a gap: at once */
                }
                if (t->ack_due_ms && (t->ack_due_ms <= now_ms() ||
                                      t->rx_cursor - t->ack_sent >= TB_LINKENG_ACK_EVERY))
                    send_env(t, county, TONGBAN__V1__KIND__KIND_ACK, 0, NULL, 0);
                tb_env_free(&e);
            }
        }
        zmq_msg_close(&from);
        zmq_msg_close(&env);
    }
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc - 4 > MAX_TOWNS) {
        fprintf(stderr, "usage: %s ENDPOINT COUNTY EVENTS TOWNSHIP... (at most %d)\n", argv[0],
                MAX_TOWNS);
        return 2;
    }
    const char *endpoint = argv[1], *county = argv[2], *keydir = getenv("TONGBAN_KEYS");
    uint64_t n = strtoull(argv[3], NULL, 10);
    const char *win_env = getenv("TB_BENCH_WINDOW");
    uint32_t window = WINDOW;
    if (win_env && *win_env) {
        unsigned long w = strtoul(win_env, NULL, 10);
        if (w < 1 || w > 65536) {
            fprintf(stderr, "TB_BENCH_WINDOW: messages past the ack, 1..65536\n");
            return 2;
        }
        window = (uint32_t)w;
    }
    if (!keydir || !*keydir) {
        fprintf(stderr, "TONGBAN_KEYS: the key directory (every township's key, broker.pub)\n");
        return 2;
    }
    int ntowns = argc - 4;
    const char *life_env = getenv("TB_BENCH_LIFECYCLE");
    lifecycle = life_env && strcmp(life_env, "1") == 0;
    if (lifecycle && (n == 0 || n % LIFE)) {
        fprintf(stderr, "TB_BENCH_LIFECYCLE=1: EVENTS must be a multiple of %d\n", LIFE);
        return 2;
    }
    ncases = lifecycle ? n / LIFE : n;
    void *ctx = zmq_ctx_new();
    town_t towns[MAX_TOWNS];
    zmq_pollitem_t items[MAX_TOWNS];
    for (int i = 0; i < ntowns; i++) {
        town_t *t = &towns[i];
        memset(t, 0, sizeof *t);
        t->code = argv[4 + i];
        if (!tb_code_valid(t->code)) {
            fprintf(stderr, "not a place code: %s\n", t->code);
            return 2;
        }
        tb_curve_t c;
        char why[600], rid[TB_CODE_LEN + 8];
        if (tb_keys_load_node(keydir, t->code, &c, why, sizeof why) < 0) {
            fprintf(stderr, "%s\n", why);
            return 1;
        }
        int ridlen = snprintf(rid, sizeof rid, "%s/bench", t->code);
        t->sock = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(t->sock, ZMQ_ROUTING_ID, rid, (size_t)ridlen);
        zmq_setsockopt(t->sock, ZMQ_CURVE_SERVERKEY, c.broker_pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(t->sock, ZMQ_CURVE_PUBLICKEY, c.pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(t->sock, ZMQ_CURVE_SECRETKEY, c.sec, TB_KEY_Z85_LEN);
        if (zmq_connect(t->sock, endpoint) < 0) {
            fprintf(stderr, "connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
            return 1;
        }
        items[i] = (zmq_pollitem_t){t->sock, 0, ZMQ_POLLIN, 0};
        /* Be seen by the broker before the clock starts. */
        send_env(t, "000000000000", TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, NULL, 0);
    }
    struct timespec pause = {0, 500 * 1000 * 1000};
    nanosleep(&pause, NULL);
    /* The year's replay ends yesterday noon, China time.  Walk-in cases are
     * logged now: a case logged yesterday is past its pre-review deadline
     * today, and the county's card timer would raise a yellow card on each
     * (supervision work, not ingest, in the figure). */
    int64_t at_ms = lifecycle ? ((int64_t)time(NULL) / 86400 - 1) * 86400000 + 4 * 3600000
                              : (int64_t)time(NULL) * 1000;
    double t0 = now_s(), last_beat = t0;
    for (int i = 0; i < ntowns; i++)
        tb_link_tx_init(&towns[i].tx, n, 0, now_ms()); /* the whole outbox is there */
    for (;;) {
        int done = 0;
        int64_t wait = 100;
        for (int i = 0; i < ntowns; i++) {
            town_t *t = &towns[i];
            uint64_t from, to;
            if (tb_link_tx_due(&t->tx, now_ms(), window, &from, &to)) {
                for (uint64_t seq = from; seq <= to; seq++)
                    if (send_case(t, county, seq, at_ms) < 0) {
                        fprintf(stderr, "%s: send failed at %" PRIu64 "\n", t->code, seq);
                        return 1;
                    }
                tb_link_tx_sent(&t->tx, to);
                if (from <= t->high) /* a go-back: these went out before */
                    t->resent += (to < t->high ? to : t->high) - from + 1;
                if (to > t->high)
                    t->high = to;
            }
            done += t->tx.acked == n;
            if (t->ack_due_ms && t->ack_due_ms <= now_ms())
                send_env(t, county, TONGBAN__V1__KIND__KIND_ACK, 0, NULL, 0);
            int64_t w = tb_link_tx_wait_ms(&t->tx, now_ms());
            if (w >= 0 && w < wait)
                wait = w;
            if (t->ack_due_ms && t->ack_due_ms - now_ms() < wait)
                wait = t->ack_due_ms - now_ms();
        }
        if (done == ntowns)
            break;
        if (now_s() - last_beat > 1.0) {
            for (int i = 0; i < ntowns; i++)
                send_env(&towns[i], "000000000000", TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, NULL, 0);
            last_beat = now_s();
        }
        if (now_s() - t0 > 600) {
            fprintf(stderr, "gave up after 600 s\n");
            return 1;
        }
        zmq_poll(items, ntowns, (long)wait);
        for (int i = 0; i < ntowns; i++)
            drain(&towns[i], county);
    }
    double secs = now_s() - t0;
    uint64_t resent = 0;
    for (int i = 0; i < ntowns; i++)
        resent += towns[i].resent;
    printf("ingest events=%" PRIu64 " seconds=%.3f events_per_s=%.0f resent=%" PRIu64 "\n",
           n * (uint64_t)ntowns, secs, (double)(n * (uint64_t)ntowns) / secs, resent);
    for (int i = 0; i < ntowns; i++)
        zmq_close(towns[i].sock);
    zmq_ctx_term(ctx);
    return 0;
}
