#include "tb_log.h"

#include "tb_edge.h"
#include "tb_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_name = "tongban";
static int log_min = -1;

#ifdef TB_TEST_HOOKS
static void test_clock_check(void);
#endif

void tb_log_init(const char *name)
{
    log_name = name;
#ifdef TB_TEST_HOOKS
    test_clock_check();
#endif
}

void tb_log(tb_log_level_t level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (log_min < 0) {
        const char *v = getenv("TONGBAN_DEBUG");
        log_min = (v && *v && strcmp(v, "0") != 0) ? TB_LOG_DEBUG : TB_LOG_INFO;
    }
    if ((int)level < log_min)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char line[1024];
    int n = snprintf(line, sizeof line,
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, log_name, names[level]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* One write per line, so lines of several processes sharing a file do not interleave. */
    fprintf(stderr, "%s\n", line);
}

/* ---- Test hook: the injected wall clock (TONGBAN_TEST_CLOCK) ----
 *
 * All of the hook is here, so that a build without test hooks (meson
 * -Dtest_hooks=false, the default: TB_TEST_HOOKS undefined) drops it in one
 * place: no getenv, no variable name in the binary, the real clock only.  Why a file re-read at
 * every call, not a fixed instant in the variable: the deadline tests must move time while the
 * daemons run (a case received by the township daemon on one day, its notice the next, the
 * supplement a week later, the card seen the day before it is due), and the
 * daemons stamp events themselves (签收 RECEIVED, the county's staff steps).
 * A fixed instant per process would need a restart per step and would not
 * cover events a daemon makes.  And the clock runs on from what the file
 * says: a clock frozen at one millisecond gives every event of a step the
 * same time, and a case's history (ordered by time) loses its order; no real
 * clock does that.  The cost, one open and read per call, is paid
 * only when the hook is on; off, it is one branch on a cached flag. */
#ifdef TB_TEST_HOOKS
static int test_clock_on = -1; /* -1: not looked at yet; 0: off; 1: on */
static const char *test_clock_path;

/* Never returns: a test that set a bad clock must fail loudly, not run on
 * the real date (that is exactly what the hook exists to prevent). */
__attribute__((noreturn)) static void test_clock_fail(const char *what, const char *got)
{
    tb_log(TB_LOG_ERROR,
           "TONGBAN_TEST_CLOCK=%s: %s%s%s (the test clock file must hold unix milliseconds, "
           "digits only, between 2000-01-01 and 2100-01-01)",
           test_clock_path, what, got ? ": " : "", got ? got : "");
    fflush(stdout);
    _exit(TB_TEST_CLOCK_EXIT);
}

static int64_t test_clock_read(void)
{
    char buf[32], shown[sizeof buf];
    int fd = open(test_clock_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        test_clock_fail("cannot open", strerror(errno));
    struct stat st;
    ssize_t n = fstat(fd, &st) < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        test_clock_fail("cannot read", strerror(err));
    buf[n] = 0;
    size_t len = (size_t)n;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    for (size_t i = 0; i <= len; i++) /* what we show of it: printable ASCII only */
        shown[i] = i == len ? 0 : (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
    if (len == 0 || len > 13)
        test_clock_fail("malformed", len == 0 ? "empty" : shown);
    int64_t ms = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            test_clock_fail("malformed", shown);
        ms = ms * 10 + (buf[i] - '0');
    }
    if (ms < TB_TIME_MIN_MS || ms >= TB_TIME_MAX_MS)
        test_clock_fail("out of range", shown);
    /* The clock runs on from the instant written, at real speed, so events
     * made one after another still get distinct times in order. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t since = ((int64_t)ts.tv_sec - st.st_mtim.tv_sec) * 1000 +
                    (ts.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
    return ms + (since > 0 ? since : 0);
}

static void test_clock_check(void)
{
    if (test_clock_on < 0) {
        test_clock_path = getenv("TONGBAN_TEST_CLOCK");
        test_clock_on = test_clock_path && *test_clock_path;
    }
    if (test_clock_on)
        (void)test_clock_read();
}

#endif /* TB_TEST_HOOKS */

int64_t tb_now_ms(void)
{
#ifdef TB_TEST_HOOKS
    if (test_clock_on < 0)
        test_clock_check();
    if (test_clock_on)
        return test_clock_read();
#endif
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tb_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tb_log_peer(struct tb_ratelimit *rl, const char *peer)
{
    unsigned held = 0;
    int write = tb_ratelimit(rl, peer, tb_now_ms(), &held);
    if (held)
        tb_warn("%u more lines about %s in the last minute (not logged one by one)", held, peer);
    return write;
}
