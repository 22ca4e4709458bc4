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
 * target: broker >= 0.8x).  Not a test: run it by hand (bench/README.md). */
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

static void *dealer(void *ctx, const char *endpoint, const char *id)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int hwm = 100000, zero = 0;
    zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
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
    double t0 = now_s(), deadline = t0 + 120;
    while (done < total && now_s() < deadline) {
        for (int i = 0; i < pairs; i++) {
            while (sent[i] < messages && sent[i] - got[i] < WINDOW) {
                if (zmq_send(snd[i], rid[i], 12, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
                    break;
                zmq_send(snd[i], payload, size, 0);
                sent[i]++;
            }
            zmq_msg_t m;
            zmq_msg_init(&m);
            while (zmq_msg_recv(&m, rcv[i], ZMQ_DONTWAIT) >= 0) {
                if (!zmq_msg_more(&m)) {
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

static pid_t spawn(const char *path, const char *a1, const char *a2, const char *a3)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(path, path, a1, a2, a3, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static volatile sig_atomic_t bare_stop;

static void on_term(int sig)
{
    (void)sig;
    bare_stop = 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--bare-router") == 0) {
        signal(SIGTERM, on_term);
        void *ctx = zmq_ctx_new();
        bare_t b = {ctx, argv[2], false};
        pthread_t th;
        pthread_create(&th, NULL, bare_router, &b);
        while (!bare_stop)
            usleep(50000);
        b.stop = true;
        pthread_join(th, NULL);
        zmq_ctx_term(ctx);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench-broker BROKER_BINARY [MESSAGES] [SIZE] [PAIRS]\n");
        return 2;
    }
    long messages = argc > 2 ? atol(argv[2]) : 200000;
    size_t size = argc > 3 ? (size_t)atol(argv[3]) : 300;
    int pairs = argc > 4 ? atoi(argv[4]) : 4;
    if (pairs < 1 || pairs > 64 || messages < 1 || size < 1 || size > 65000)
        return 2;
    char bare_ep[64], broker_ep[64];
    snprintf(bare_ep, sizeof bare_ep, "ipc:///tmp/bench-bare-%d", getpid());
    snprintf(broker_ep, sizeof broker_ep, "ipc:///tmp/bench-broker-%d", getpid());

    pid_t pid = spawn(argv[1], "serve", "--broker", broker_ep);
    pid_t bare_pid = spawn("/proc/self/exe", "--bare-router", bare_ep, NULL);
    void *ctx = zmq_ctx_new();
    usleep(300000);

    printf("%ld messages x %d pairs, %zu bytes each, window %d\n", messages, pairs, size, WINDOW);
    /* Alternate, best of three each, so both see the same machine state. */
    double best_bare = 0, best_broker = 0;
    for (int round = 0; round < 3; round++) {
        double a = run(ctx, bare_ep, false, messages, size, pairs);
        double b = run(ctx, broker_ep, true, messages, size, pairs);
        printf("round %d: bare ROUTER %.0f msg/s, tongban-broker %.0f msg/s\n", round + 1, a, b);
        if (a > best_bare)
            best_bare = a;
        if (b > best_broker)
            best_broker = b;
    }
    printf("best: bare ROUTER %.0f msg/s, tongban-broker %.0f msg/s, ratio %.2f\n", best_bare,
           best_broker, best_bare > 0 ? best_broker / best_bare : 0);
    zmq_ctx_term(ctx);
    kill(pid, SIGTERM);
    kill(bare_pid, SIGTERM);
    waitpid(pid, NULL, 0);
    waitpid(bare_pid, NULL, 0);
    return best_broker > 0 && best_bare > 0 ? 0 : 1;
}
