/* tb_calendar: working days, holidays with make-up workdays, deadlines.
 *
 * The overrides are a sorted array searched by bisection.  A hash was
 * considered and rejected: the official schedule has about forty rows a year,
 * the array is built once per load and never mutated, and sorted order makes
 * "strictly ascending" a one-comparison check while parsing.
 *
 * Everything that scans days does it one day at a time with a hard cap
 * (TB_CALENDAR_SCAN_MAX).  Cleverer counting (whole weeks at once, then the
 * overrides in range) was rejected for now: limits are tens of days, and the
 * simple loop is obviously right, which matters more for a deadline.
 */
#include "tb_calendar.h"

#include "tb_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int32_t day;
    bool work;
    uint32_t name_off; /* into names, NUL-terminated */
} override_t;

struct tb_calendar {
    override_t *ov; /* sorted by day, strictly ascending */
    size_t n;
    char *names; /* pool of NUL-terminated names */
};

/* ---- Civil dates ----
 *
 * Howard Hinnant's days_from_civil / civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html): the year is shifted
 * to start on March 1 so the leap day is the last day of the year, and split
 * into 400-year eras of 146097 days.  Arithmetic is in int64_t so that every
 * int32_t day converts without overflow. */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

int tb_day_from_ymd(int y, int m, int d, int32_t *ret_day)
{
    if (!ret_day || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -EINVAL;
    *ret_day = (int32_t)days_from_civil(y, m, d);
    return 0;
}

void tb_day_to_ymd(int32_t day, int *ret_y, int *ret_m, int *ret_d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    /* |day| < 2^31 gives |year| < 6 million: fits an int. */
    if (ret_y)
        *ret_y = (int)(yoe + era * 400 + (m <= 2));
    if (ret_m)
        *ret_m = m;
    if (ret_d)
        *ret_d = d;
}

int tb_day_weekday(int32_t day)
{
    /* Day 0 was a Thursday (ISO 4); the modulo is made non-negative. */
    int64_t r = ((int64_t)day + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}

static bool day_in_domain(int32_t day)
{
    return day >= TB_DAY_MIN && day <= TB_DAY_MAX;
}

static bool digits(const char *s, size_t n, int *ret_val)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        /* Not isdigit(): that depends on the locale. */
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *ret_val = v;
    return true;
}

/* Exactly "YYYY-MM-DD" in s[0..len), no NUL needed. */
static int day_parse_n(const char *s, size_t len, int32_t *ret_day)
{
    int y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -EINVAL;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return -EINVAL;
    return tb_day_from_ymd(y, m, d, ret_day);
}

int tb_day_parse(const char *s, int32_t *ret_day)
{
    if (!s || !ret_day)
        return -EINVAL;
    /* strnlen: never read past the 11th byte of a long or unterminated input. */
    return day_parse_n(s, strnlen(s, 11), ret_day);
}

int tb_day_format(int32_t day, char *buf, size_t size)
{
    int y, m, d;
    if (!buf || size < TB_DAY_BUFSZ)
        return -EINVAL;
    if (!day_in_domain(day))
        return -ERANGE;
    tb_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* ---- Instants ---- */

int tb_day_from_ms(int64_t ms, int32_t *ret_day)
{
    if (!ret_day)
        return -EINVAL;
    /* floor((ms + offset) / day) without overflowing near INT64_MAX. */
    int64_t q = ms / TB_MS_PER_DAY;
    int64_t r = ms % TB_MS_PER_DAY;
    if (r < 0) {
        r += TB_MS_PER_DAY;
        q--;
    }
    if (r + TB_CST_OFFSET_MS >= TB_MS_PER_DAY)
        q++;
    if (q < TB_DAY_MIN || q > TB_DAY_MAX)
        return -ERANGE;
    *ret_day = (int32_t)q;
    return 0;
}

int64_t tb_day_start_ms(int32_t day)
{
    return (int64_t)day * TB_MS_PER_DAY - TB_CST_OFFSET_MS;
}

int64_t tb_day_end_ms(int32_t day)
{
    return tb_day_start_ms(day) + TB_MS_PER_DAY - 1;
}

/* ---- Calendar object ---- */

tb_calendar_t *tb_calendar_new(void)
{
    return calloc(1, sizeof(tb_calendar_t));
}

void tb_calendar_destroy(tb_calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_calendar_t *self = *self_p;
    free(self->ov);
    free(self->names);
    free(self);
    *self_p = NULL;
}

size_t tb_calendar_size(const tb_calendar_t *self)
{
    return self ? self->n : 0;
}

static const override_t *find(const tb_calendar_t *self, int32_t day)
{
    size_t lo = 0, hi = self->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->ov[mid].day < day)
            lo = mid + 1;
        else if (self->ov[mid].day > day)
            hi = mid;
        else
            return &self->ov[mid];
    }
    return NULL;
}

int tb_calendar_override(const tb_calendar_t *self, int32_t day, bool *ret_work,
                         const char **ret_name)
{
    if (!self)
        return -EINVAL;
    const override_t *o = find(self, day);
    if (!o)
        return -ENOENT;
    if (ret_work)
        *ret_work = o->work;
    if (ret_name)
        *ret_name = self->names + o->name_off;
    return 0;
}

bool tb_calendar_is_workday(const tb_calendar_t *self, int32_t day)
{
    const override_t *o = self ? find(self, day) : NULL;
    if (o)
        return o->work;
    return tb_day_weekday(day) <= 5;
}

/* ---- Loader ----
 *
 * The input will come over the network, so every byte is checked and the
 * parser never reads outside buf[0..len): lines are (pointer, length) pairs,
 * nothing relies on a NUL.  The temporary arrays are sized from a bounded
 * count of the lines up front, so there is no realloc path to get wrong. */

static const char header[] = "date,kind,holiday";

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF), no
 * C0 controls, no DEL, no comma. */
static bool name_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || c == ',')
                return false;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* Parse one data line (no line terminator) into *o, copying the name to
 * names + *names_len.  Returns false if malformed. */
static bool parse_row(const char *s, size_t n, override_t *o, char *names, size_t *names_len)
{
    const char *c1 = memchr(s, ',', n);
    if (!c1)
        return false;
    if (day_parse_n(s, (size_t)(c1 - s), &o->day) < 0)
        return false;

    const char *kind = c1 + 1;
    size_t rest = n - (size_t)(kind - s);
    const char *c2 = memchr(kind, ',', rest);
    size_t kind_len = c2 ? (size_t)(c2 - kind) : rest;
    if (kind_len == 3 && memcmp(kind, "off", 3) == 0)
        o->work = false;
    else if (kind_len == 4 && memcmp(kind, "work", 4) == 0)
        o->work = true;
    else
        return false;

    const char *name = c2 ? c2 + 1 : s + n;
    size_t name_len = (size_t)(s + n - name);
    if (name_len > TB_CALENDAR_NAME_MAX || !name_ok((const unsigned char *)name, name_len))
        return false;
    o->name_off = (uint32_t)*names_len;
    memcpy(names + *names_len, name, name_len);
    names[*names_len + name_len] = '\0';
    *names_len += name_len + 1;
    return true;
}

int tb_calendar_load_buf(tb_calendar_t *self, const char *buf, size_t len, int *ret_bad_line)
{
    if (!self || (!buf && len > 0))
        return -EINVAL;
    if (!buf)
        buf = ""; /* len is 0; even NULL + 0 is undefined */

    /* Lines in buf, counted only as far as the limit can use. */
    size_t lines = 1;
    for (const char *p = buf, *end = buf + len; lines <= TB_CALENDAR_MAX_OVERRIDES; lines++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p)
            break;
        p++;
    }
    size_t cap = lines < TB_CALENDAR_MAX_OVERRIDES ? lines : TB_CALENDAR_MAX_OVERRIDES;
    override_t *ov = calloc(cap, sizeof(*ov));
    char *names = malloc(cap * (TB_CALENDAR_NAME_MAX + 1));
    if (!ov || !names) {
        free(ov);
        free(names);
        return -ENOMEM;
    }

    size_t n = 0, names_len = 0;
    int line = 0, err = 0;
    size_t pos = 0;
    while (pos < len || line == 0) {
        line++;
        const char *s = buf + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t slen = nl ? (size_t)(nl - s) : len - pos;
        pos += slen + (nl ? 1 : 0);
        if (slen > 0 && s[slen - 1] == '\r')
            slen--;

        if (line == 1) {
            if (slen >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
                s += 3;
                slen -= 3;
            }
            if (slen != sizeof(header) - 1 || memcmp(s, header, slen) != 0) {
                err = -TB_EDATA;
                break;
            }
            continue;
        }
        if (n == TB_CALENDAR_MAX_OVERRIDES) {
            err = -E2BIG;
            break;
        }
        if (!parse_row(s, slen, &ov[n], names, &names_len) ||
            (n > 0 && ov[n].day <= ov[n - 1].day)) {
            err = -TB_EDATA;
            break;
        }
        n++;
    }

    if (err < 0) {
        free(ov);
        free(names);
        if (ret_bad_line)
            *ret_bad_line = line;
        return err;
    }
    free(self->ov);
    free(self->names);
    self->ov = ov;
    self->names = names;
    self->n = n;
    return 0;
}

int tb_calendar_load_csv(tb_calendar_t *self, const char *path, int *ret_bad_line)
{
    if (!self || !path)
        return -EINVAL;
    char *buf;
    size_t len;
    int err = tb_read_file(path, TB_CALENDAR_FILE_MAX, &buf, &len);
    if (err < 0)
        return err;
    err = tb_calendar_load_buf(self, buf, len, ret_bad_line);
    free(buf);
    return err;
}

/* ---- Counting ---- */

/* Whether any pause touches day.  The pauses were validated by the caller. */
static bool paused(const tb_pause_t *pauses, size_t n_pauses, int32_t day)
{
    int64_t ds = tb_day_start_ms(day), de = tb_day_end_ms(day);
    for (size_t i = 0; i < n_pauses; i++) {
        const tb_pause_t *p = &pauses[i];
        bool open = p->end_ms == TB_PAUSE_OPEN || p->end_ms == INT64_MAX;
        /* A non-empty [start, end) overlaps the day [ds, de]. */
        if (p->start_ms <= de && (open || (p->end_ms > ds && p->end_ms > p->start_ms)))
            return true;
    }
    return false;
}

/* The core of add_workdays and due: the n-th counted day after start (or the
 * first counted day from start on, for n == 0), where a day counts if it is a
 * working day that no pause touches.  If open_day is not INT32_MAX, reaching
 * it means the clock stopped: returns 1 and leaves *ret_day alone. */
static int scan(const tb_calendar_t *self, int32_t start, int n, const tb_pause_t *pauses,
                size_t n_pauses, int32_t open_day, int32_t *ret_day)
{
    int left = n == 0 ? 1 : n;
    for (int32_t i = n == 0 ? 0 : 1; i <= TB_CALENDAR_SCAN_MAX; i++) {
        int32_t d = start + i; /* start is in the domain: no overflow */
        if (d > TB_DAY_MAX)
            return -ERANGE;
        if (d >= open_day)
            return 1;
        if (tb_calendar_is_workday(self, d) && !paused(pauses, n_pauses, d) && --left == 0) {
            *ret_day = d;
            return 0;
        }
    }
    return -ERANGE;
}

int tb_calendar_add_workdays(const tb_calendar_t *self, int32_t start_day, int n, int32_t *ret_day)
{
    if (!self || !ret_day || n < 0 || !day_in_domain(start_day))
        return -EINVAL;
    return scan(self, start_day, n, NULL, 0, INT32_MAX, ret_day);
}

int tb_calendar_workdays_between(const tb_calendar_t *self, int32_t from_day, int32_t to_day,
                                 int *ret_n)
{
    if (!self || !ret_n || !day_in_domain(from_day) || !day_in_domain(to_day))
        return -EINVAL;
    int32_t lo = from_day < to_day ? from_day : to_day;
    int32_t hi = from_day < to_day ? to_day : from_day;
    if (hi - lo > TB_CALENDAR_SCAN_MAX)
        return -ERANGE;
    int count = 0;
    for (int32_t d = lo + 1; d <= hi; d++)
        count += tb_calendar_is_workday(self, d);
    *ret_n = from_day <= to_day ? count : -count;
    return 0;
}

int tb_calendar_due(const tb_calendar_t *self, int64_t arrival_ms, int limit_days,
                    const tb_pause_t *pauses, size_t n_pauses, int64_t *ret_due_ms)
{
    int32_t arrival_day, open_day = INT32_MAX, d;
    if (!self || !ret_due_ms || limit_days < 0 || (!pauses && n_pauses > 0))
        return -EINVAL;
    if (n_pauses > TB_CALENDAR_PAUSES_MAX)
        return -E2BIG;
    if (tb_day_from_ms(arrival_ms, &arrival_day) < 0)
        return -EINVAL;
    for (size_t i = 0; i < n_pauses; i++) {
        const tb_pause_t *p = &pauses[i];
        bool open = p->end_ms == TB_PAUSE_OPEN || p->end_ms == INT64_MAX;
        if (tb_day_from_ms(p->start_ms, &d) < 0)
            return -EINVAL;
        if (open) {
            if (d < open_day)
                open_day = d;
        } else if (p->end_ms < p->start_ms || tb_day_from_ms(p->end_ms, &d) < 0) {
            return -EINVAL;
        }
    }
    /* An open pause that began before the arrival day stops the clock from
     * the start; scan() only looks at days after it (or at it, for 0). */
    if (open_day <= arrival_day) {
        *ret_due_ms = TB_DUE_NEVER;
        return 0;
    }
    int r = scan(self, arrival_day, limit_days, pauses, n_pauses, open_day, &d);
    if (r < 0)
        return r;
    *ret_due_ms = r == 1 ? TB_DUE_NEVER : tb_day_end_ms(d);
    return 0;
}

tb_card_t tb_calendar_card(const tb_calendar_t *self, int64_t due_ms, int64_t now_ms)
{
    int32_t due_day, today, next;
    if (now_ms > due_ms)
        return TB_CARD_RED;
    if (!self || tb_day_from_ms(due_ms, &due_day) < 0 || tb_day_from_ms(now_ms, &today) < 0)
        return TB_CARD_NONE;
    if (due_day <= today)
        return TB_CARD_YELLOW;
    if (tb_calendar_add_workdays(self, today, 1, &next) == 0 && due_day <= next)
        return TB_CARD_YELLOW;
    return TB_CARD_NONE;
}

void tb_fmt_time(int64_t ms, char buf[32])
{
    if (ms <= 0) {
        strcpy(buf, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
}
