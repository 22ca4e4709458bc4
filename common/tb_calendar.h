/* tb_calendar: working days, holidays with make-up workdays (调休), deadlines.
 *
 * Pure domain logic: no I/O except tb_calendar_load_csv(), no globals, no
 * logging, no dependence on the TZ environment variable.
 *
 * Days.  A day is a civil (proleptic Gregorian) date held as int32_t days since
 * 1970-01-01 (day 0 is a Thursday).  The functions that take or make dates
 * work in the domain TB_DAY_MIN (0001-01-01) .. TB_DAY_MAX (9999-12-31).
 *
 * Time.  Instants are unix milliseconds (int64_t).  The local day of an
 * instant is its date in China Standard Time, UTC+8 all year round (China has
 * had no DST since 1991); the offset is a constant, never read from TZ.
 *
 * Working days.  By default Monday..Friday are working days and Saturday and
 * Sunday are not.  The calendar holds overrides loaded from data: "off" marks a
 * day that is not worked (a holiday, even on a weekday), "work" marks a day that
 * is worked (a make-up workday, even on a weekend).  The county distributes
 * the calendar as data; see tb_calendar_load_buf() for the format.
 *
 * Deadlines (期限从次日起算).  A case received on day D with a limit of N
 * working days is due at the end of the N-th working day after D: D itself
 * never counts, even if it is a working day and the case arrived at 08:00.
 * A limit of 0 (即办件, same day) is due at the end of D if D is a working day,
 * otherwise at the end of the next working day.  "The end of a day" is its last
 * millisecond, 23:59:59.999 CST, so a case is overdue exactly when
 * now_ms > due_ms.  Paused intervals (补正, 公告, 鉴定...) are handled by
 * tb_calendar_due().
 *
 * Bounds.  No function scans more than TB_CALENDAR_SCAN_MAX (3660, about ten
 * years) consecutive days; a calendar with no working days in that window, or a
 * request that needs a longer one, gives -ERANGE instead of looping.
 */
#ifndef TB_CALENDAR_H
#define TB_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb_error.h"

#define TB_DAY_MIN (-719162) /* 0001-01-01 */
#define TB_DAY_MAX 2932896   /* 9999-12-31 */
#define TB_DAY_BUFSZ 11      /* "YYYY-MM-DD" and its NUL */

#define TB_MS_PER_DAY INT64_C(86400000)
#define TB_CST_OFFSET_MS INT64_C(28800000) /* UTC+8 */

#define TB_CALENDAR_MAX_OVERRIDES 10000
#define TB_CALENDAR_NAME_MAX 64            /* bytes of UTF-8 in a holiday name */
#define TB_CALENDAR_FILE_MAX (1024 * 1024) /* bytes, for tb_calendar_load_csv() */
#define TB_CALENDAR_SCAN_MAX 3660          /* days */
#define TB_CALENDAR_PAUSES_MAX 1024

/* ---- Civil dates (pure, no calendar needed) ---- */

/* The day of y-m-d.  -EINVAL unless 1 <= y <= 9999 and m-d is a real date of
 * that year (2026-02-30 and 2025-02-29 are rejected, 2024-02-29 is not). */
int tb_day_from_ymd(int y, int m, int d, int32_t *ret_day);

/* The civil date of day.  Total: defined for every int32_t value (years far
 * outside 1..9999 come out as they are, possibly zero or negative). */
void tb_day_to_ymd(int32_t day, int *ret_y, int *ret_m, int *ret_d);

/* ISO weekday of day: 1 = Monday .. 7 = Sunday.  Total. */
int tb_day_weekday(int32_t day);

/* Strictly "YYYY-MM-DD": exactly ten ASCII characters then NUL, four-digit
 * year 0001..9999, two-digit month and day, a real date.  No spaces, signs or
 * other separators.  -EINVAL otherwise (also for s == NULL). */
int tb_day_parse(const char *s, int32_t *ret_day);

/* Write "YYYY-MM-DD" and a NUL into buf.  -EINVAL if buf is NULL or size is
 * below TB_DAY_BUFSZ, -ERANGE if day is outside TB_DAY_MIN..TB_DAY_MAX. */
int tb_day_format(int32_t day, char *buf, size_t size);

/* ---- Instants and local (CST) days ---- */

/* The CST day containing ms.  -ERANGE if it is outside TB_DAY_MIN..TB_DAY_MAX. */
int tb_day_from_ms(int64_t ms, int32_t *ret_day);

/* First millisecond of day (00:00:00.000 CST).  Total for every int32_t. */
int64_t tb_day_start_ms(int32_t day);

/* Last millisecond of day (23:59:59.999 CST).  Total for every int32_t. */
int64_t tb_day_end_ms(int32_t day);

/* ---- The calendar ---- */

typedef struct tb_calendar tb_calendar_t;

/* A new calendar with no overrides (plain Monday..Friday); NULL on OOM. */
tb_calendar_t *tb_calendar_new(void);

/* Free *self_p and set it to NULL.  Accepts NULL and *self_p == NULL. */
void tb_calendar_destroy(tb_calendar_t **self_p);

/* Replace all overrides with those in buf[0..len), which is untrusted.
 *
 * Format: UTF-8 text, lines end in LF or CRLF, the last line may lack one.
 * Line 1 is the header "date,kind,holiday" (a leading UTF-8 BOM is allowed).
 * Every further line is "YYYY-MM-DD,off,NAME" or "YYYY-MM-DD,work,NAME", where
 * NAME is optional (",off" and ",off," both mean no name), at most
 * TB_CALENDAR_NAME_MAX bytes of valid UTF-8 without control characters or
 * commas.  There is no quoting and no trimming.  Dates must be strictly
 * ascending, which also rules out a day listed twice.  Blank lines are
 * malformed.  A redundant override ("off" on a Sunday) is allowed: the
 * official schedule lists whole holiday periods, weekends included.
 *
 * Returns 0, or:
 *   -TB_EDATA  a malformed line; its 1-based number goes to *ret_bad_line
 *   -E2BIG     more than TB_CALENDAR_MAX_OVERRIDES rows; *ret_bad_line is
 *              the first row over the limit
 *   -EINVAL    self is NULL, or buf is NULL while len > 0
 *   -ENOMEM
 * ret_bad_line may be NULL, and is written only with -TB_EDATA and -E2BIG.
 * On any error the calendar is unchanged: the data is parsed into a temporary
 * set that replaces the old one only when the whole input is good. */
int tb_calendar_load_buf(tb_calendar_t *self, const char *buf, size_t len, int *ret_bad_line);

/* tb_calendar_load_buf() on the contents of the file at path.  Also -errno
 * from opening or reading it, and -EFBIG if it is over TB_CALENDAR_FILE_MAX
 * bytes.  The calendar is unchanged on any error. */
int tb_calendar_load_csv(tb_calendar_t *self, const char *path, int *ret_bad_line);

/* Number of overrides loaded. */
size_t tb_calendar_size(const tb_calendar_t *self);

/* 0 if day has an override, -ENOENT if not.  *ret_work is true for "work",
 * false for "off"; *ret_name is the holiday name, borrowed from the calendar
 * and valid until the next successful load or destroy ("" if the row had
 * none).  Either ret_ pointer may be NULL. */
int tb_calendar_override(const tb_calendar_t *self, int32_t day, bool *ret_work,
                         const char **ret_name);

/* Whether day is a working day: its override if it has one, else Mon..Fri. */
bool tb_calendar_is_workday(const tb_calendar_t *self, int32_t day);

/* The n-th working day after start_day (start_day itself does not count), for
 * n >= 1; for n == 0, start_day if it is a working day, else the next working
 * day.  So a case received on day D with a limit of N working days is due at
 * the end of tb_calendar_add_workdays(cal, D, N).
 * Example (2026): received Fri 02-13, N = 2 -> Sat 02-14 (调休, worked) is
 * day 1, 02-15..02-23 are off, so Tue 02-24 is day 2 and the due day.
 * -EINVAL if n < 0, start_day is outside the day domain or a pointer is NULL;
 * -ERANGE if the answer lies more than TB_CALENDAR_SCAN_MAX days after
 * start_day or past TB_DAY_MAX. */
int tb_calendar_add_workdays(const tb_calendar_t *self, int32_t start_day, int n, int32_t *ret_day);

/* The number of working days in the half-open range (from_day, to_day]: how
 * many working days of a limit have been used up on to_day by a case received
 * on from_day.  Negative when to_day < from_day: minus the number in
 * (to_day, from_day], so that between(a, b) == -between(b, a).  0 when equal.
 * -EINVAL for days outside the domain or NULL pointers, -ERANGE if
 * |to_day - from_day| > TB_CALENDAR_SCAN_MAX. */
int tb_calendar_workdays_between(const tb_calendar_t *self, int32_t from_day, int32_t to_day,
                                 int *ret_n);

/* A pause of the clock, the half-open interval [start_ms, end_ms).  end_ms is
 * TB_PAUSE_OPEN (-1) or INT64_MAX while the case is still paused. */
typedef struct {
    int64_t start_ms;
    int64_t end_ms;
} tb_pause_t;

#define TB_PAUSE_OPEN INT64_C(-1)

/* Returned as the due time of a case whose clock is stopped by an open pause. */
#define TB_DUE_NEVER INT64_MAX

/* The due time of a case that arrived at arrival_ms with a limit of
 * limit_days working days (>= 0), given its pauses (any order; they may
 * overlap; pauses may be NULL when n_pauses is 0).
 *
 * Rule: the count works in whole working days, as for add_workdays (D, the
 * arrival day, never counts when limit_days >= 1).  A working day that any
 * pause touches, even for one millisecond, does not count either: the pause
 * moves the due day later by the number of working days it touched, rounded
 * up to whole days.  Pauses that begin after the due day has been reached do
 * not matter (an overdue case stays overdue).  The result is the last
 * millisecond of the due day, or TB_DUE_NEVER if an open pause began before
 * the due day was reached (the clock is stopped; ask again when it resumes).
 *
 * -EINVAL for limit_days < 0, NULL pointers, an instant outside the day
 * domain, or a pause with end_ms < start_ms (other than TB_PAUSE_OPEN); -E2BIG
 * for more than TB_CALENDAR_PAUSES_MAX pauses; -ERANGE as for add_workdays. */
int tb_calendar_due(const tb_calendar_t *self, int64_t arrival_ms, int limit_days,
                    const tb_pause_t *pauses, size_t n_pauses, int64_t *ret_due_ms);

typedef enum {
    TB_CARD_NONE = 0,
    TB_CARD_YELLOW, /* due today, or on the next working day after today */
    TB_CARD_RED,    /* overdue: now_ms > due_ms */
} tb_card_t;

/* The warning card of a case due at due_ms, seen at now_ms:
 *   RED     if now_ms > due_ms;
 *   YELLOW  else if the CST day of due_ms is today (the CST day of now_ms) or
 *           is not after the first working day after today: on Friday, a
 *           case due on Monday is yellow; on Saturday too;
 *   NONE    otherwise, including due_ms == TB_DUE_NEVER and instants outside
 *           the day domain. */
tb_card_t tb_calendar_card(const tb_calendar_t *self, int64_t due_ms, int64_t now_ms);

/* "2026-11-22 14:30" in China Standard Time; "-" for ms <= 0. */
void tb_fmt_time(int64_t ms, char buf[32]);

#endif
