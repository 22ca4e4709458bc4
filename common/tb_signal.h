/* tb_signal: a daemon told to stop while it is still starting stops cleanly.
 *
 * A daemon installs its SIGINT/SIGTERM handlers on its loop only after it has
 * read its configuration, places, catalog and store, which takes a while on a
 * busy machine; a SIGTERM in that window used to kill it with the default
 * action (exit 143) instead of a clean stop.  `serve` holds both signals from
 * its first line (blocked: they stay pending) and releases them once the loop's
 * handlers are in place, so a stop that came early is acted on at once.
 * Threads started in between (libzmq's I/O threads) inherit the blocked mask,
 * so the signals are always taken by the loop's thread. */
#ifndef TB_SIGNAL_H
#define TB_SIGNAL_H

/* Block SIGINT and SIGTERM in the calling thread (call first in main). */
void tb_signal_hold(void);

/* Unblock them: a pending one is delivered now, to the handlers in place. */
void tb_signal_release(void);

#endif
