/* tb_log: one line per event on stderr, English, with time, level and daemon name.
 * Only daemons and commands log; library code returns errors instead. */
#ifndef TB_LOG_H
#define TB_LOG_H

#include <stdint.h>

typedef enum { TB_LOG_DEBUG, TB_LOG_INFO, TB_LOG_WARN, TB_LOG_ERROR } tb_log_level_t;

void tb_log_init(const char *name);
void tb_log(tb_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define tb_info(...) tb_log(TB_LOG_INFO, __VA_ARGS__)
#define tb_warn(...) tb_log(TB_LOG_WARN, __VA_ARGS__)
#define tb_error(...) tb_log(TB_LOG_ERROR, __VA_ARGS__)
#define tb_debug(...) tb_log(TB_LOG_DEBUG, __VA_ARGS__)

/* Wall clock in unix milliseconds, and a monotonic clock in milliseconds. */
int64_t tb_now_ms(void);
int64_t tb_mono_ms(void);

#endif
