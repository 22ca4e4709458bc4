/* bench-broker: tongban-broker against a bare libzmq ROUTER forwarder, side by side.
 *
 *   bench-broker BROKER_BINARY [MESSAGES] [SIZE] [PAIRS]
 *
 * Both routers get the same traffic: PAIRS sender DEALERs each send MESSAGES
 * frames of SIZE bytes to their own receiver DEALER as [dest][payload], with a
 * window of 1000 in flight per pair so neither router is flooded past its
 * high-water mark.  Both run as processes of their own.  The baseline
 * (this program with --bare-router) forwards [id][dest][payload] to
 * [dest][id][payload] with ROUTER_MANDATORY and nothing else: what the
 * broker would cost if it did no presence tracking and no validation.  The
 * result is messages per second through each and their ratio (ROADMAP
 * target: broker >= 0.8x).  Not a test: run it by hand (bench/README.md).
 *
 * Three contenders, the same traffic, alternating: the bare ROUTER; the
 * broker's own routing in plain text (this program with --plain-broker,
 * broker-core's broker_new); and BROKER_BINARY, which speaks only CurveZMQ:
 * the bench makes a key directory with the broker's key pair, one key pair
 * per DEALER and the allow-list, and every DEALER connects with its key.
 * The fourth is the bare ROUTER again with CURVE (the broker's key pair, no
 * ZAP handler): the baseline of the CURVE broker, so that ratio is the
 * broker's own cost, not CURVE's.
 *
 *   bench-broker --against ENDPOINT KEYDIR [MESSAGES] [SIZE] [PAIRS]
 *
 * The same CURVE traffic through a broker already running at ENDPOINT with
 * the key directory KEYDIR (a province's city broker holding its idle fleet,
 * bench/run.sh): the pairs' key pairs are added to KEYDIR's allow-list, which
 * the broker re-reads, and the best of three runs is printed as
 * "against: N msg/s". */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "tb_keys.h"

#define BROKER_CODE "000000000000"
#define WINDOW 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the baseline: a bare ROUTER forwarder in a thread ---- */

typedef struct {
    void *ctx;
    const char *endpoint;
    const char *keydir; /* CURVE with the broker's key pair; NULL: plain text */
    volatile bool stop;
} bare_t;

static void *bare_router(void *arg)
{
    bare_t *b = arg;
    void *r = zmq_socket(b->ctx, ZMQ_ROUTER);
    int one = 1, hwm = 100000, zero = 0;
    zmq_setsockopt(r, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(r, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(r, ZMQ_LINGER, &zero, sizeof zero);
    if (b->keydir) { /* no ZAP handler: every client key is admitted */
        char pub[TB_KEY_Z85_LEN + 1], sec[TB_KEY_Z85_LEN + 1], why[600];
        if (tb_keys_read_pair(b->keydir, "broker", pub, sec, why, sizeof why) < 0) {
            fprintf(stderr, "%s\n", why);
            exit(1);
        }
        zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, sec, TB_KEY_Z85_LEN);
    }
    zmq_bind(r, b->endpoint);
    while (!b->stop) {
        zmq_pollitem_t it = {r, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0)
            continue;
        for (int k = 0; k < 512; k++) {
            zmq_msg_t f[3];
            int n = 0, more = 1;
            while (more && n < 3) {
                zmq_msg_init(&f[n]);
                if (zmq_msg_recv(&f[n], r, ZMQ_DONTWAIT) < 0) {
                    zmq_msg_close(&f[n]);
                    break;
                }
                more = zmq_msg_more(&f[n]);
                n++;
            }
            if (n == 0)
                break;
            if (n == 3 && zmq_msg_send(&f[1], r, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
                zmq_msg_send(&f[0], r, ZMQ_SNDMORE | ZMQ_DONTWAIT);
                zmq_msg_send(&f[2], r, ZMQ_DONTWAIT);
            }
            for (int i = 0; i < n; i++)
                zmq_msg_close(&f[i]);
        }
    }
    zmq_close(r);
    return NULL;
}

/* ---- the traffic ---- */

static const char *keydir; /* NULL: plain text */
static bool bare_ids;      /* routing ids are the bare codes (the bare ROUTER routes on them) */

static void *dealer(void *ctx, const char *endpoint, const char *id)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int hwm = 100000, zero = 0;
    if (keydir && !bare_ids) {
        /* As the nodes do under CURVE: "<place>/<suffix>", fresh for every
         * connection (the broker runs without HANDOVER, so a bare code would
         * collide with the previous round's connection not yet gone). */
        static unsigned serial;
        char rid[64];
        int n = snprintf(rid, sizeof rid, "%s/%u", id, ++serial);
        zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, (size_t)n);
    } else {
        zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    }
    if (keydir) {
        tb_curve_t c;
        char why[600];
        if (tb_keys_load_node(keydir, id, &c, why, sizeof why) < 0) {
            fprintf(stderr, "%s\n", why);
            exit(1);
        }
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, c.broker_pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, c.pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, c.sec, TB_KEY_Z85_LEN);
    }
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect(s, endpoint);
    return s;
}

/* Send `messages` per pair and wait for all of them at the receivers.
 * Returns messages per second, or -1 when some were lost (timeout). */
static double run(void *ctx, const char *endpoint, bool broker, long messages, size_t size,
                  int pairs)
{
    void *snd[64], *rcv[64];
    char sid[64][24], rid[64][24];
    for (int i = 0; i < pairs; i++) { /* pairs <= 64: always 12 digits */
        snprintf(sid[i], sizeof sid[i], "3608261%05d", i + 1);
        snprintf(rid[i], sizeof rid[i], "3608262%05d", i + 1);
        snd[i] = dealer(ctx, endpoint, sid[i]);
        rcv[i] = dealer(ctx, endpoint, rid[i]);
    }
    usleep(300000); /* connections up */
    if (broker) {
        /* The broker routes only to nodes it has heard from. */
        for (int i = 0; i < pairs; i++) {
            zmq_send(rcv[i], BROKER_CODE, 12, ZMQ_SNDMORE);
            zmq_send(rcv[i], "hb", 2, 0);
            zmq_send(snd[i], BROKER_CODE, 12, ZMQ_SNDMORE);
            zmq_send(snd[i], "hb", 2, 0);
        }
        usleep(200000);
        for (int i = 0; i < pairs; i++) { /* drop the heartbeat answers */
            char buf[256];
            while (zmq_recv(rcv[i], buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                ;
            while (zmq_recv(snd[i], buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                ;
        }
    }
    char *payload = calloc(1, size);
    long sent[64] = {0}, got[64] = {0};
    long total = messages * pairs, done = 0;
    double t0 = now_s(), deadline = t0 + 120, next_beat = t0 + 1;
    while (done < total && now_s() < deadline) {
        /* The broker forgets a node silent for 5 s: a long run (a loaded
         * machine, CURVE) must heartbeat like a node does. */
        if (broker && now_s() >= next_beat) {
            for (int i = 0; i < pairs; i++) {
                zmq_send(rcv[i], BROKER_CODE, 12, ZMQ_SNDMORE | ZMQ_DONTWAIT);
                zmq_send(rcv[i], "hb", 2, ZMQ_DONTWAIT);
            }
            next_beat = now_s() + 1;
        }
        for (int i = 0; i < pairs; i++) {
            while (sent[i] < messages && sent[i] - got[i] < WINDOW) {
                if (zmq_send(snd[i], rid[i], 12, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
                    break;
                zmq_send(snd[i], payload, size, 0);
                sent[i]++;
            }
            zmq_msg_t m;
            zmq_msg_init(&m);
            bool first = true, from_broker = false;
            while (zmq_msg_recv(&m, rcv[i], ZMQ_DONTWAIT) >= 0) {
                if (first)
                    from_broker =
                        zmq_msg_size(&m) == 12 && !memcmp(zmq_msg_data(&m), BROKER_CODE, 12);
                first = !zmq_msg_more(&m);
                if (first && !from_broker) { /* a heartbeat answer is not traffic */
                    got[i]++;
                    done++;
                }
            }
            zmq_msg_close(&m);
        }
    }
    double secs = now_s() - t0;
    free(payload);
    for (int i = 0; i < pairs; i++) {
        zmq_close(snd[i]);
        zmq_close(rcv[i]);
    }
    return done == total ? total / secs : -1;
}

static pid_t spawn(const char *path, const char *a1, const char *a2, const char *a3, const char *a4,
                   const char *a5)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(path, path, a1, a2, a3, a4, a5, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static volatile sig_atomic_t bare_stop;

static volatile bool plain_stop;

static void on_term(int sig)
{
    (void)sig;
    bare_stop = 1;
    plain_stop = true;
}

/* Key pairs for the pairs' DEALERs in dir, bound on dir's allow-list (read
 * from and written back to the file when it exists). */
static int pair_keys(const char *dir, int pairs)
{
    char why[600], pub[TB_KEY_Z85_LEN + 1], path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, TB_ALLOW_FILE);
    tb_allow_t *allow = NULL;
    if (access(path, F_OK) == 0 ? tb_allow_load(path, &allow, why, sizeof why) < 0
                                : !(allow = tb_allow_new())) {
        fprintf(stderr, "keys: %s\n", why);
        return -1;
    }
    for (int i = 0; i < pairs; i++) {
        for (int side = 1; side <= 2; side++) {
            char id[24];
            snprintf(id, sizeof id, "360826%d%05d", side, i + 1);
            if (tb_keys_generate(dir, id, pub, why, sizeof why) < 0 ||
                tb_allow_add(allow, id, pub) < 0) {
                fprintf(stderr, "keys: %s\n", why);
                tb_allow_destroy(&allow);
                return -1;
            }
        }
    }
    int rc = tb_allow_save(allow, path);
    tb_allow_destroy(&allow);
    return rc;
}

static int against(int argc, char **argv)
{
    long messages = argc > 4 ? atol(argv[4]) : 100000;
    size_t size = argc > 5 ? (size_t)atol(argv[5]) : 300;
    int pairs = argc > 6 ? atoi(argv[6]) : 4;
    if (pairs < 1 || pairs > 64 || messages < 1 || size < 1 || size > 65000)
        return 2;
    if (pair_keys(argv[3], pairs) < 0)
        return 1;
    sleep(2); /* the broker re-reads its allow-list about once a second */
    keydir = argv[3];
    void *ctx = zmq_ctx_new();
    double best = 0;
    for (int round = 0; round < 3; round++) {
        double r = run(ctx, argv[2], true, messages, size, pairs);
        if (r > best)
            best = r;
    }
    zmq_ctx_term(ctx);
    printf("against: %.0f msg/s\n", best);
    return best > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "--bare-router") == 0) {
        signal(SIGTERM, on_term);
        void *ctx = zmq_ctx_new();
        bare_t b = {ctx, argv[2], argc == 4 ? argv[3] : NULL, false};
        pthread_t th;
        pthread_create(&th, NULL, bare_router, &b);
        while (!bare_stop)
            usleep(50000);
        b.stop = true;
        pthread_join(th, NULL);
        zmq_ctx_term(ctx);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--plain-broker") == 0) {
        signal(SIGTERM, on_term);
        broker_t *br;
        if (broker_new(argv[2], &br) < 0)
            return 1;
        broker_limits_t unlimited = {1000000000, 0, 0}; /* the bench floods on purpose */
        broker_set_limits(br, &unlimited);
        broker_run(br, &plain_stop); /* checks plain_stop every 200 ms */
        broker_destroy(&br);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "--against") == 0)
        return against(argc, argv);
    if (argc < 2) {
        fprintf(stderr,
                "usage: bench-broker BROKER_BINARY [MESSAGES] [SIZE] [PAIRS]\n"
                "       bench-broker --against ENDPOINT KEYDIR [MESSAGES] [SIZE] [PAIRS]\n");
        return 2;
    }
    long messages = argc > 2 ? atol(argv[2]) : 200000;
    size_t size = argc > 3 ? (size_t)atol(argv[3]) : 300;
    int pairs = argc > 4 ? atoi(argv[4]) : 4;
    if (pairs < 1 || pairs > 64 || messages < 1 || size < 1 || size > 65000)
        return 2;
    char bare_ep[64], barec_ep[64], plain_ep[64], broker_ep[64], dir[64] = "/tmp/bench-keys-XXXXXX";
    snprintf(bare_ep, sizeof bare_ep, "ipc:///tmp/bench-bare-%d", getpid());
    snprintf(barec_ep, sizeof barec_ep, "ipc:///tmp/bench-barec-%d", getpid());
    snprintf(plain_ep, sizeof plain_ep, "ipc:///tmp/bench-plain-%d", getpid());
    snprintf(broker_ep, sizeof broker_ep, "ipc:///tmp/bench-broker-%d", getpid());

    /* Keys: the broker's, one per DEALER, and the allow-list binding them. */
    char why[600], pub[TB_KEY_Z85_LEN + 1];
    if (!mkdtemp(dir) || tb_keys_generate(dir, "broker", pub, why, sizeof why) < 0 ||
        pair_keys(dir, pairs) < 0) {
        fprintf(stderr, "keys: %s\n", why);
        return 1;
    }

    setenv("TONGBAN_BROKER_RATE", "10000000", 1); /* the bench floods on purpose */
    pid_t pid = spawn(argv[1], "serve", "--broker", broker_ep, "--keys", dir);
    pid_t plain_pid = spawn("/proc/self/exe", "--plain-broker", plain_ep, NULL, NULL, NULL);
    pid_t bare_pid = spawn("/proc/self/exe", "--bare-router", bare_ep, NULL, NULL, NULL);
    pid_t barec_pid = spawn("/proc/self/exe", "--bare-router", barec_ep, dir, NULL, NULL);
    void *ctx = zmq_ctx_new();
    usleep(300000);

    printf("%ld messages x %d pairs, %zu bytes each, window %d\n", messages, pairs, size, WINDOW);
    /* Alternate, best of three each, so all see the same machine state. */
    double best_bare = 0, best_barec = 0, best_plain = 0, best_curve = 0;
    for (int round = 0; round < 3; round++) {
        keydir = NULL;
        double a = run(ctx, bare_ep, false, messages, size, pairs);
        double b = run(ctx, plain_ep, true, messages, size, pairs);
        keydir = dir;
        bare_ids = true;
        double d = run(ctx, barec_ep, false, messages, size, pairs);
        bare_ids = false;
        double c = run(ctx, broker_ep, true, messages, size, pairs);
        printf("round %d: bare ROUTER %.0f msg/s, broker plain text %.0f msg/s, bare ROUTER "
               "CURVE %.0f msg/s, tongban-broker (CURVE) %.0f msg/s\n",
               round + 1, a, b, d, c);
        if (a > best_bare)
            best_bare = a;
        if (b > best_plain)
            best_plain = b;
        if (d > best_barec)
            best_barec = d;
        if (c > best_curve)
            best_curve = c;
    }
    printf("best: bare ROUTER %.0f msg/s, broker plain text %.0f msg/s (%.2fx bare), "
           "bare ROUTER CURVE %.0f msg/s, tongban-broker CURVE %.0f msg/s (%.2fx bare ROUTER "
           "CURVE, %.2fx plain text)\n",
           best_bare, best_plain, best_bare > 0 ? best_plain / best_bare : 0, best_barec,
           best_curve, best_barec > 0 ? best_curve / best_barec : 0,
           best_plain > 0 ? best_curve / best_plain : 0);
    zmq_ctx_term(ctx);
    kill(pid, SIGTERM);
    kill(plain_pid, SIGTERM);
    kill(bare_pid, SIGTERM);
    kill(barec_pid, SIGTERM);
    waitpid(barec_pid, NULL, 0);
    waitpid(pid, NULL, 0);
    waitpid(plain_pid, NULL, 0);
    waitpid(bare_pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return best_curve > 0 && best_plain > 0 && best_bare > 0 && best_barec > 0 ? 0 : 1;
}
