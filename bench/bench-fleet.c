/* bench-fleet: many idle nodes on one broker (issue 13's "province" figure).
 *
 *   bench-fleet --make-keys KEYDIR PREFIX COUNT
 *   bench-fleet ENDPOINT PREFIX COUNT SECONDS KEYDIR
 *
 * CurveZMQ as the nodes do: --make-keys gives every node of the fleet its own
 * key pair (KEYDIR/fleet-PREFIX.keys: "code public secret" a line), puts each
 * on KEYDIR's allow-list bound to its code, and makes the broker's key pair
 * if KEYDIR has none: start the broker with --keys KEYDIR after it.  Then
 * each DEALER connects with its key pair, the broker's public key and the
 * routing id "<code>/fleet".
 *
 * Holds COUNT DEALER sockets, each with its own routing id (PREFIX, 4 to 8
 * digits, followed by a running number to 12 digits), with the same socket
 * options as a node (tb_node.c: ZMTP heartbeats at the heartbeat interval,
 * at least 2 s, timeout three of them; reconnect 100 ms to 5 s, no queueing
 * while down), connected to the broker at ENDPOINT.  Like an idle node, each
 * sends a HEARTBEAT envelope announcing its interval to the broker once per
 * heartbeat interval (TONGBAN_HEARTBEAT_MS as the nodes read it, default
 * TB_HEARTBEAT_IVL_MS), the fleet spread over the interval one tick
 * (TB_TICK_MS) at a time, and reads the broker's answers every tick.  After
 * SECONDS it prints one line:
 *
 *   fleet sockets=N connected=K beats=B answers=A cpu_s=C
 *
 * (answers: the broker's heartbeats received; cpu_s: this generator's own CPU
 * time, user + system, over the SECONDS, to report next to the broker's).
 * The SECONDS start once every socket is in: it connects at most 128 at a
 * time and says on stderr "fleet connected=K of N in T s" when done (or after
 * 300 s).  TB_FLEET_STYLE=old makes it beat as nodes did before the interval
 * was announced: every tick, no interval, ZMTP heartbeats 2 s / 6 s.  The harness reads the
 * broker's CPU and RSS from /proc.  Raise the fd limit first (two fds per
 * socket: the connection and the socket's mailbox).  Not a test
 * (bench/README.md). */
#include "tb_keys.h"
#include "tb_node.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int beat(void *sock, const char *code, uint32_t announce)
{
    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    hb.interval_ms = announce;
    uint8_t body[64], *buf;
    size_t blen = tongban__v1__heartbeat__pack(&hb, body), len;
    if (tb_env_pack(code, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, body, blen, &buf,
                    &len) < 0)
        return -1;
    int rc = 0;
    if (zmq_send(sock, TB_BROKER_CODE, 12, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(sock, buf, len, ZMQ_DONTWAIT) < 0)
        rc = -1;
    free(buf);
    return rc;
}

/* The i-th code of the fleet: PREFIX then the running number to 12 digits. */
static int fleet_code(const char *prefix, long i, char code[13])
{
    int width = 12 - (int)strlen(prefix);
    char num[24];
    snprintf(num, sizeof num, "%012ld", i + 1);
    if (strlen(num) != 12 || strspn(num, "0") < (size_t)(12 - width)) {
        fprintf(stderr, "COUNT does not fit after PREFIX %s\n", prefix);
        return -1;
    }
    memcpy(code, prefix, strlen(prefix));
    memcpy(code + strlen(prefix), num + 12 - width, (size_t)width + 1);
    return 0;
}

static int make_keys(const char *dir, const char *prefix, long count)
{
    char why[600], pub[TB_KEY_Z85_LEN + 1], path[4200];
    int rc = tb_keys_generate(dir, TB_BROKER_KEY_NAME, pub, why, sizeof why);
    if (rc < 0 && rc != -EEXIST) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, TB_ALLOW_FILE);
    tb_allow_t *allow = NULL;
    if (access(path, R_OK) < 0 ? !(allow = tb_allow_new())
                               : tb_allow_load(path, &allow, why, sizeof why) < 0) {
        fprintf(stderr, "allow-list %s: %s\n", path, why);
        return 1;
    }
    char kpath[4200];
    snprintf(kpath, sizeof kpath, "%s/fleet-%s.keys", dir, prefix);
    FILE *f = fopen(kpath, "w");
    if (!f) {
        perror(kpath);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        char code[13], kpub[41], ksec[41];
        if (fleet_code(prefix, i, code) < 0 || zmq_curve_keypair(kpub, ksec) < 0 ||
            tb_allow_add(allow, code, kpub) < 0) {
            fprintf(stderr, "key %ld of %s failed\n", i, prefix);
            return 1;
        }
        fprintf(f, "%s %s %s\n", code, kpub, ksec);
    }
    rc = fclose(f) != 0 || tb_allow_save(allow, path) < 0;
    tb_allow_destroy(&allow);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "--make-keys") && strlen(argv[3]) >= 4 &&
        strlen(argv[3]) <= 8)
        return make_keys(argv[2], argv[3], strtol(argv[4], NULL, 10));
    if (argc != 6 || strlen(argv[2]) < 4 || strlen(argv[2]) > 8) {
        fprintf(stderr,
                "usage: %s --make-keys KEYDIR PREFIX(4-8 digits) COUNT\n"
                "       %s ENDPOINT PREFIX COUNT SECONDS KEYDIR\n",
                argv[0], argv[0]);
        return 2;
    }
    const char *endpoint = argv[1], *prefix = argv[2], *keydir = argv[5];
    long count = strtol(argv[3], NULL, 10);
    int hb_ms;
    if (tb_heartbeat_ivl_parse(getenv("TONGBAN_HEARTBEAT_MS"), &hb_ms) < 0) {
        fprintf(stderr, "TONGBAN_HEARTBEAT_MS: want %d..%d ms\n", TB_HEARTBEAT_MIN_MS,
                TB_HEARTBEAT_MAX_MS);
        return 2;
    }
    /* TB_FLEET_STYLE=old: nodes as they were before the heartbeat interval
     * (a heartbeat every tick announcing none, ZMTP heartbeats 2 s / 6 s). */
    const char *style = getenv("TB_FLEET_STYLE");
    bool old = style && !strcmp(style, "old");
    if (old)
        hb_ms = TB_TICK_MS;
    uint32_t announce = old ? 0 : (uint32_t)hb_ms;
    double secs = strtod(argv[4], NULL);
    char why[600], bpub[TB_KEY_Z85_LEN + 1], path[4200];
    snprintf(path, sizeof path, "%s/broker.pub", keydir);
    if (tb_keys_read_pub(path, bpub, why, sizeof why) < 0) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    snprintf(path, sizeof path, "%s/fleet-%s.keys", keydir, prefix);
    FILE *kf = fopen(path, "r");
    if (!kf) {
        perror(path);
        return 1;
    }
    void *ctx = zmq_ctx_new();
    int max_sockets = (int)count + 16;
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, max_sockets);
    void **socks = calloc((size_t)count, sizeof *socks);
    char(*codes)[13] = calloc((size_t)count, sizeof *codes);
    if (!socks || !codes)
        return 1;
    int zero = 0, one = 1, ivl = 100, ivl_max = 5000;
    int hb = hb_ms > 2000 ? hb_ms : 2000, hbt = 3 * hb;
    for (long i = 0; i < count; i++) {
        char kpub[41], ksec[41], rid[24];
        if (fscanf(kf, "%12s %40s %40s", codes[i], kpub, ksec) != 3) {
            fprintf(stderr, "%s: fewer than %ld keys (run --make-keys)\n", path, count);
            return 2;
        }
        void *s = zmq_socket(ctx, ZMQ_DEALER);
        if (!s) {
            fprintf(stderr, "socket %ld: %s\n", i, zmq_strerror(zmq_errno()));
            return 1;
        }
        int ridlen = snprintf(rid, sizeof rid, "%s/fleet", codes[i]);
        zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, (size_t)ridlen);
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, bpub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kpub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, ksec, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof one);
        zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
        zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
        zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
        zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
        socks[i] = s;
    }
    fclose(kf);
    uint64_t beats = 0, answers = 0;
    /* Connect at most RAMP handshakes at a time: all of them at once make
     * every CURVE handshake of a loaded machine outlast the broker's 5 s
     * handshake limit, cut and retried, and the fleet never gets in.  A
     * socket is in once a heartbeat can be sent (ZMQ_IMMEDIATE). */
    enum { RAMP = 128 };
    double t_connect = now_s(), give_up = t_connect + 300;
    long in = 0, started = 0;
    bool *up = calloc((size_t)count, sizeof *up);
    if (!up)
        return 1;
    while (in < count && now_s() < give_up) {
        for (; started < count && started - in < RAMP; started++)
            if (zmq_connect(socks[started], endpoint) < 0) {
                fprintf(stderr, "connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
                return 1;
            }
        for (long i = 0; i < started; i++)
            if (!up[i] && beat(socks[i], codes[i], announce) == 0)
                up[i] = true, in++, beats++;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    free(up);
    fprintf(stderr, "fleet connected=%ld of %ld in %.1f s\n", in, count, now_s() - t_connect);
    fflush(stderr);
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    double end = now_s() + secs, next = now_s();
    long slots = hb_ms / TB_TICK_MS, tick = 0;
    while (now_s() < end) {
        /* Each socket beats once an interval, the fleet spread over the
         * interval's ticks as nodes started at different times would be. */
        for (long i = 0; i < count; i++) {
            if (i % slots == tick % slots)
                beats += beat(socks[i], codes[i], announce) == 0;
            zmq_msg_t m;
            zmq_msg_init(&m);
            while (zmq_msg_recv(&m, socks[i], ZMQ_DONTWAIT) >= 0)
                answers += !zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        tick++;
        next += TB_TICK_MS / 1000.0;
        double wait = next - now_s();
        if (wait > 0) {
            struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                 (double)(ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    printf("fleet sockets=%ld connected=%ld beats=%" PRIu64 " answers=%" PRIu64 " cpu_s=%.2f\n",
           count, in, beats, answers, cpu);
    for (long i = 0; i < count; i++)
        zmq_close(socks[i]);
    free(socks);
    free(codes);
    zmq_ctx_term(ctx);
    return 0;
}
