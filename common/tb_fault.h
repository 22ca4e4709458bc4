/* tb_fault: fault injection for the test suites, off unless TONGBAN_FAULT is set.
 *
 * TONGBAN_FAULT is a comma-separated list of key=value:
 *   seed=N        PRNG seed (printed by the tests so a failure can be replayed)
 *   drop=P        drop an outgoing DATA or ACK envelope with probability P (0..1)
 *   dup=P         send it twice
 *   delay=P       hold it back and send it after later ones (reordering, delay)
 *   crash_after_commit=N
 *                 SIGKILL ourselves right after the N-th committed batch, before
 *                 its acks are sent: the window between commit and ack
 * Heartbeats are never touched.  Both hooks live in the link engine
 * (tb_linkeng.c): drop/dup/delay in its one send path, crash_after_commit at
 * its commit point, for the SQLite nodes and the county alike, so every
 * daemon with a store can be killed between a commit and its acks.  tb_node
 * only parses TONGBAN_FAULT (tb_node_fault).  The broker stores nothing and
 * has no commit point.
 *
 * Only in a build with test hooks (meson -Dtest_hooks=true, which defines
 * TB_TEST_HOOKS): without them tb_fault.c is not built, TONGBAN_FAULT is never
 * read and the calls below are inline no-ops (always inactive, always PASS), so
 * a release binary holds neither the code nor the variable's name. */
#ifndef TB_FAULT_H
#define TB_FAULT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool active;
    uint64_t state;
    double drop, dup, delay;
    long crash_after_commit;
    long commits;
} tb_fault_t;

typedef enum { TB_FAULT_PASS, TB_FAULT_DROP, TB_FAULT_DUP, TB_FAULT_DELAY } tb_fault_action_t;

#ifdef TB_TEST_HOOKS
/* Parse TONGBAN_FAULT (absent or empty: inactive).  -EINVAL on a malformed value. */
int tb_fault_from_env(tb_fault_t *f);
int tb_fault_parse(tb_fault_t *f, const char *spec);

tb_fault_action_t tb_fault_roll(tb_fault_t *f);

/* A batch committed: kill the process if this is the configured one. */
void tb_fault_committed(tb_fault_t *f);
#else
static inline int tb_fault_from_env(tb_fault_t *f)
{
    *f = (tb_fault_t){0};
    return 0;
}

static inline tb_fault_action_t tb_fault_roll(tb_fault_t *f)
{
    (void)f;
    return TB_FAULT_PASS;
}

static inline void tb_fault_committed(tb_fault_t *f)
{
    (void)f;
}
#endif

#endif
