/* bench-latency: the load of issue 13's latency figure, offered in-process.
 *
 *   bench-latency WORKDIR RATE SECONDS VILLAGE...
 *
 * Logs cases at RATE per second for SECONDS, spread at random over the
 * villages, exactly as `tongban-village log` does (tb_edge_log on the
 * village's own store in WORKDIR/<village>, then tb_sqlink_wake to wake the
 * village's running daemon), but from one process holding every store open,
 * so the generator costs a transaction, not a process start (a CLI process
 * is ~4 ms of a core: on 2 cores the CLI cannot offer 1,000/s).  Sixteen
 * threads (a log waits mostly on its commit), each with its own villages, keep to a shared
 * schedule; a thread that falls behind logs at once (the achieved rate is printed).  The latency
 * itself is measured at the county (commit time minus the event's time) by bench/run.sh.  Prints
 * one line:
 *
 *   latency-load offered=R achieved=A logged=N failed=F seconds=S cpu_us=C ctxsw=W
 *
 * (C: the generator's own CPU per case logged, in us, opening the stores included;
 * W: its context switches per case, all threads.)
 *
 * Not a test: performance is measured, never asserted (bench/README.md). */
#include "tb_cli.h"
#include "tb_edge.h"
#include "tb_error.h"
#include "tb_place.h"
#include "tb_sqlink.h"
#include "tb_store.h"

#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { THREADS = 16 };

typedef struct {
    tb_env_ctx_t env; /* the shared env, with this village's place and parent */
    tb_store_t *store;
} village_t;

static village_t *villages;
static int nvillages;
static double rate, seconds, t0;
static atomic_long logged, failed;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *generate(void *arg)
{
    int k = (int)(intptr_t)arg;
    unsigned seed = (unsigned)k * 2654435761u;
    /* Thread k takes every THREADS-th slot of the common schedule. */
    for (long slot = k;; slot += THREADS) {
        double at = t0 + (double)slot / rate;
        if (at - t0 >= seconds)
            break;
        double wait = at - now_s();
        if (wait > 0)
            nanosleep(&(struct timespec){(time_t)wait, (long)((wait - (time_t)wait) * 1e9)}, NULL);
        /* Villages k, k + THREADS, ...: no two threads share a store. */
        int per = (nvillages - k + THREADS - 1) / THREADS;
        if (per <= 0)
            break;
        village_t *v = &villages[k + THREADS * (int)(rand_r(&seed) % (unsigned)per)];
        tb_entry_t e = {
            .client = "压测", .phone = "13800138000", .item = "LD001", .agent = "测试员"};
        char id[TB_CASEID_MAX];
        if (tb_edge_log(&v->env, v->store, &e, id) == 0) {
            atomic_fetch_add(&logged, 1);
            tb_sqlink_wake(v->store);
        } else {
            atomic_fetch_add(&failed, 1);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench-latency WORKDIR RATE SECONDS VILLAGE...\n");
        return 2;
    }
    rate = atof(argv[2]);
    seconds = atof(argv[3]);
    nvillages = argc - 4;
    if (rate <= 0 || seconds <= 0)
        return 2;
    setenv("TONGBAN_PLACE", argv[4], 1);
    tb_env_ctx_t env;
    tb_msg_t msg = {0};
    tb_config_init(&env.cfg);
    if (tb_cli_load(&env, TB_LEVEL_VILLAGE, &msg) < 0) {
        fprintf(stderr, "bench-latency: %s\n", msg.text);
        return 1;
    }
    villages = calloc((size_t)nvillages, sizeof *villages);
    if (!villages)
        return 1;
    for (int i = 0; i < nvillages; i++) {
        village_t *v = &villages[i];
        char dir[4096];
        v->env = env;
        v->env.place = argv[4 + i];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], argv[4 + i]);
        int rc = tb_code_parent(v->env.place, v->env.parent);
        if (rc == 0)
            rc = tb_store_open(dir, v->env.place, &v->store);
        if (rc < 0) {
            fprintf(stderr, "bench-latency: %s: %s\n", dir, tb_strerror(rc));
            return 1;
        }
        tb_store_set_rules(v->store, env.catalog, env.calendar);
    }
    pthread_t th[THREADS];
    t0 = now_s() + 0.1;
    for (int k = 0; k < THREADS; k++)
        pthread_create(&th[k], NULL, generate, (void *)(intptr_t)k);
    for (int k = 0; k < THREADS; k++)
        pthread_join(th[k], NULL);
    double secs = now_s() - t0;
    /* The generator's own CPU per case (the "village log" itself: user + system, all threads). */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    long n = atomic_load(&logged);
    double wakes = (double)(ru.ru_nvcsw + ru.ru_nivcsw);
    printf("latency-load offered=%.0f achieved=%.0f logged=%ld failed=%ld seconds=%.1f"
           " cpu_us=%.1f ctxsw=%.1f\n",
           rate, (double)n / secs, n, atomic_load(&failed), secs, n ? cpu / (double)n : 0.0,
           n ? wakes / (double)n : 0.0);
    for (int i = 0; i < nvillages; i++)
        tb_store_destroy(&villages[i].store);
    free(villages);
    tb_cli_env_fini(&env);
    return atomic_load(&failed) ? 1 : 0;
}
