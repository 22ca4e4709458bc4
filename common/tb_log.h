/* tb_log: one line per event on stderr, English, with time, level and daemon name.
 * Only daemons and commands log; library code returns errors instead. */
#ifndef TB_LOG_H
#define TB_LOG_H

#include <stdint.h>

/* The exit status of a process whose TONGBAN_TEST_CLOCK is malformed (as for
 * any other bad setting). */
#define TB_TEST_CLOCK_EXIT 2

typedef enum { TB_LOG_DEBUG, TB_LOG_INFO, TB_LOG_WARN, TB_LOG_ERROR } tb_log_level_t;

/* Name the process in every log line.  Also checks the wall-clock test hook
 * (TONGBAN_TEST_CLOCK, below) once, so that every daemon and command refuses
 * a malformed one before it does anything. */
void tb_log_init(const char *name);
void tb_log(tb_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line a remote peer can cause (a refusal, a drop, an alarm): whether to
 * write it now.  At most TB_RATELIMIT_LINES a minute per peer (rl, a
 * tb_ratelimit_t of tb_edge.h, one per daemon); when a new minute starts for
 * a peer whose lines were held back, one WARN line says how many, first. */
struct tb_ratelimit;
int tb_log_peer(struct tb_ratelimit *rl, const char *peer);

#define tb_info(...) tb_log(TB_LOG_INFO, __VA_ARGS__)
#define tb_warn(...) tb_log(TB_LOG_WARN, __VA_ARGS__)
#define tb_error(...) tb_log(TB_LOG_ERROR, __VA_ARGS__)
#define tb_debug(...) tb_log(TB_LOG_DEBUG, __VA_ARGS__)

/* Wall clock in unix milliseconds: the one source of "now" for every event
 * time, case id date, deadline and card, in every daemon and command.
 *
 * Test hook (like TONGBAN_FAULT; absent or empty: off, and the real clock is
 * used; only in a build with -Dtest_hooks=true, else always the real clock).
 * TONGBAN_TEST_CLOCK=FILE sets the clock from FILE: it holds unix milliseconds as decimal digits,
 * optionally followed by one newline, between 2000-01-01 and 2100-01-01 (the times the wire
 * accepts), and "now" is that instant plus the real time elapsed since FILE was last modified: the
 * clock starts where the test put it and runs on at real speed, so a test that sets 10:00 stays on
 * that day.  FILE is read again at every call, so a test moves time while daemons run by replacing
 * the file (write a temporary file, then rename it over FILE: a reader never sees half a number).
 * A missing, unreadable or malformed FILE is never ignored: the process writes one line naming
 * TONGBAN_TEST_CLOCK, the file and what is wrong to stderr and exits with TB_TEST_CLOCK_EXIT at
 * once; there is no sane time to go on with. tb_log_init() does this check at start. Log lines keep
 * the real time, so a log still shows how the run went while the test clock jumps. */
int64_t tb_now_ms(void);

/* A monotonic clock in milliseconds for timers (retransmit, heartbeat,
 * backoff): always the real one, never the test clock. */
int64_t tb_mono_ms(void);

#endif
