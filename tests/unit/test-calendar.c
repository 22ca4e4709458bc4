/* Unit tests for common/tb_calendar: civil dates, the 2026 schedule, working
 * day arithmetic, the untrusted loader, deadlines with pauses and cards.
 *
 * Expectations are written independently of the code under test: weekdays
 * come from Sakamoto's formula rather than from tb_day_weekday(), the 2026
 * holidays from the State Council General Office's notice on the 2026
 * holiday schedule rather than from the CSV, and the dates in the tables of
 * add_workdays, due and card cases were counted by hand.
 *
 * Built with -DTB_SOURCE_DATA_DIR="/abs/path/to/data".
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tb_calendar.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define HOLIDAYS_2026 TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv"
#define HOUR INT64_C(3600000)
#define MINUTE INT64_C(60000)
#define FMT_SZ 16 /* a date, or "#" and any int32 */

/* ---- Helpers ---- */

static int32_t ymd(int y, int m, int d)
{
    int32_t day = INT32_MIN;
    assert_int_equal(tb_day_from_ymd(y, m, d, &day), 0);
    return day;
}

/* Unix ms of y-m-d hh:mm in CST, computed without the library's ms helpers. */
static int64_t cst(int y, int m, int d, int hh, int mm)
{
    return (int64_t)ymd(y, m, d) * 86400000 + (int64_t)(hh - 8) * HOUR + mm * MINUTE;
}

static const char *fmt(int32_t day, char buf[FMT_SZ])
{
    if (tb_day_format(day, buf, TB_DAY_BUFSZ) < 0)
        snprintf(buf, FMT_SZ, "#%d", (int)day);
    return buf;
}

/* Compare days as strings, so a failure prints both dates and the caller's line. */
static void assert_day_at(int32_t got, int32_t want, const char *file, int line)
{
    char g[FMT_SZ], w[FMT_SZ];
    _assert_string_equal(fmt(got, g), fmt(want, w), file, line);
}
#define assert_day(got, want) assert_day_at((got), (want), __FILE__, __LINE__)

/* Sakamoto's day-of-week: 0 = Sunday .. 6 = Saturday. */
static int sakamoto(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    y -= m < 3;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Load buf through an exactly-sized heap copy so ASan sees any over-read. */
static int load(tb_calendar_t *cal, const char *buf, size_t len, int *ret_bad_line)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    int rc = tb_calendar_load_buf(cal, copy, len, ret_bad_line);
    free(copy);
    return rc;
}

static int load_str(tb_calendar_t *cal, const char *s, int *ret_bad_line)
{
    return load(cal, s, strlen(s), ret_bad_line);
}

static int setup_2026(void **state)
{
    tb_calendar_t *cal = tb_calendar_new();
    if (!cal)
        return -1;
    int line = -1;
    if (tb_calendar_load_csv(cal, HOLIDAYS_2026, &line) != 0) {
        tb_calendar_destroy(&cal);
        return -1;
    }
    *state = cal;
    return 0;
}

static int teardown_cal(void **state)
{
    tb_calendar_t *cal = *state;
    tb_calendar_destroy(&cal);
    return 0;
}

/* ---- Civil dates ---- */

static void test_day_anchors(void **state)
{
    (void)state;
    static const struct {
        int y, m, d;
        int32_t day;
        int iso_wd;
    } t[] = {
        {1970, 1, 1, 0, 4},        {1969, 12, 31, -1, 3},         {2000, 1, 1, 10957, 6},
        {2000, 2, 29, 11016, 2},   {2000, 3, 1, 11017, 3},        {1900, 3, 1, -25508, 4},
        {1600, 2, 29, -135081, 2}, {2038, 1, 19, 24855, 2},       {2026, 1, 1, 20454, 4},
        {1, 1, 1, TB_DAY_MIN, 1},  {9999, 12, 31, TB_DAY_MAX, 5},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int32_t day = INT32_MIN;
        int y, m, d;
        assert_int_equal(tb_day_from_ymd(t[i].y, t[i].m, t[i].d, &day), 0);
        assert_int_equal(day, t[i].day);
        tb_day_to_ymd(t[i].day, &y, &m, &d);
        assert_int_equal(y, t[i].y);
        assert_int_equal(m, t[i].m);
        assert_int_equal(d, t[i].d);
        assert_int_equal(tb_day_weekday(day), t[i].iso_wd);
    }
}

/* Every day of years 1..9999: to_ymd and from_ymd are inverse, each day is
 * the calendar successor of the one before (so month lengths and leap years
 * are right), and the weekday agrees with Sakamoto's formula. */
static void test_day_round_trip_all(void **state)
{
    (void)state;
    int py = 0, pm = 12, pd = 31; /* "year 0-12-31", the day before 0001-01-01 */
    for (int32_t day = TB_DAY_MIN; day <= TB_DAY_MAX; day++) {
        int y, m, d;
        tb_day_to_ymd(day, &y, &m, &d);
        int ey = py, em = pm, ed = pd + 1;
        if (ed > mdays(py == 0 ? 2000 : py, pm)) {
            ed = 1;
            if (++em > 12) {
                em = 1;
                ey++;
            }
        }
        if (y != ey || m != em || d != ed) {
            print_error("day %d: got %04d-%02d-%02d want %04d-%02d-%02d\n", (int)day, y, m, d, ey,
                        em, ed);
            fail();
        }
        int32_t back = INT32_MIN;
        if (tb_day_from_ymd(y, m, d, &back) != 0 || back != day) {
            print_error("day %d -> %04d-%02d-%02d -> %d\n", (int)day, y, m, d, (int)back);
            fail();
        }
        int iso = sakamoto(y, m, d) == 0 ? 7 : sakamoto(y, m, d);
        if (tb_day_weekday(day) != iso) {
            print_error("day %d weekday %d want %d\n", (int)day, tb_day_weekday(day), iso);
            fail();
        }
        py = y, pm = m, pd = d;
    }
    assert_int_equal(py, 9999);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 31);
}

static void test_day_leap_years(void **state)
{
    (void)state;
    static const struct {
        int y;
        int days;
    } t[] = {{1600, 366}, {1700, 365}, {1800, 365}, {1900, 365}, {1996, 366}, {1999, 365},
             {2000, 366}, {2004, 366}, {2024, 366}, {2025, 365}, {2026, 365}, {2028, 366},
             {2100, 365}, {2400, 366}, {4, 366},    {1, 365},    {9996, 366}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int32_t a = ymd(t[i].y, 1, 1), b = INT32_MIN;
        if (t[i].y < 9999)
            b = ymd(t[i].y + 1, 1, 1);
        else
            b = ymd(9999, 12, 31) + 1;
        assert_int_equal(b - a, t[i].days);
        int32_t day = 0;
        assert_int_equal(tb_day_from_ymd(t[i].y, 2, 29, &day), t[i].days == 366 ? 0 : -EINVAL);
    }
}

static void test_day_from_ymd_rejects(void **state)
{
    (void)state;
    static const int bad[][3] = {
        {2026, 2, 29},      {2026, 2, 30}, {2025, 2, 29},   {1900, 2, 29},   {2100, 2, 29},
        {2026, 4, 31},      {2026, 6, 31}, {2026, 9, 31},   {2026, 11, 31},  {2026, 1, 32},
        {2026, 0, 1},       {2026, 13, 1}, {2026, 1, 0},    {2026, 1, -1},   {0, 1, 1},
        {-1, 1, 1},         {10000, 1, 1}, {INT_MAX, 1, 1}, {INT_MIN, 1, 1}, {2026, INT_MIN, 1},
        {2026, 1, INT_MAX},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int32_t day = 12345;
        assert_int_equal(tb_day_from_ymd(bad[i][0], bad[i][1], bad[i][2], &day), -EINVAL);
        assert_int_equal(day, 12345); /* untouched */
    }
    assert_int_equal(tb_day_from_ymd(2026, 1, 1, NULL), -EINVAL);
}

/* Outside 1..9999 to_ymd must still be defined (no overflow under UBSan) and
 * continuous; weekdays keep cycling. */
static void test_day_extremes(void **state)
{
    (void)state;
    static const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, TB_DAY_MIN - 1, -1,
                                    0,         TB_DAY_MAX,    INT32_MAX - 1};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        int32_t a = edges[i];
        int y1, m1, d1, y2, m2, d2;
        tb_day_to_ymd(a, &y1, &m1, &d1);
        tb_day_to_ymd(a + 1, &y2, &m2, &d2);
        assert_in_range(m1, 1, 12);
        assert_in_range(d1, 1, mdays(y1, m1));
        if (d1 < mdays(y1, m1)) {
            assert_int_equal(y2, y1);
            assert_int_equal(m2, m1);
            assert_int_equal(d2, d1 + 1);
        } else {
            assert_int_equal(d2, 1);
            assert_int_equal(m2, m1 == 12 ? 1 : m1 + 1);
            assert_int_equal(y2, m1 == 12 ? y1 + 1 : y1);
        }
        assert_int_equal(tb_day_weekday(a + 1), tb_day_weekday(a) % 7 + 1);
    }
    /* NULL out-pointers are allowed. */
    int y;
    tb_day_to_ymd(0, &y, NULL, NULL);
    assert_int_equal(y, 1970);
}

static void test_day_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int y, m, d;
    } good[] = {
        {"2026-02-14", 2026, 2, 14}, {"2024-02-29", 2024, 2, 29},  {"2000-02-29", 2000, 2, 29},
        {"0001-01-01", 1, 1, 1},     {"9999-12-31", 9999, 12, 31}, {"1970-01-01", 1970, 1, 1},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int32_t day = INT32_MIN;
        assert_int_equal(tb_day_parse(good[i].s, &day), 0);
        assert_int_equal(day, ymd(good[i].y, good[i].m, good[i].d));
    }

    static const char *const bad[] = {
        "",
        "2026-02-30",
        "2026-02-29",
        "2025-02-29",
        "1900-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-00-01",
        "2026-01-00",
        "2026-01-32",
        "0000-01-01",
        "2026-2-14",
        "2026-02-1",
        "26-02-14",
        "20260214",
        "2026/02/14",
        "2026.02.14",
        "2026-02-14 ",
        " 2026-02-14",
        "2026-02-14\n",
        "2026-02-14x",
        "2026-02-14T00:00",
        "+026-02-14",
        "-026-02-14",
        "2026-+2-14",
        "2026--2-14",
        "2026-02-1a",
        "2O26-02-14",
        "２０２６-02-14",
        "2026年2月14日",
        "10000-01-01",
        "2026-02-14-",
        "2026_02_14",
        "2026-0x-14",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int32_t day = 777;
        if (tb_day_parse(bad[i], &day) != -EINVAL) {
            print_error("accepted \"%s\"\n", bad[i]);
            fail();
        }
        assert_int_equal(day, 777);
    }
    int32_t day = 777;
    assert_int_equal(tb_day_parse(NULL, &day), -EINVAL);
    assert_int_equal(tb_day_parse("2026-01-01", NULL), -EINVAL);
    assert_int_equal(day, 777);

    /* An unterminated 10-byte buffer must not be read past its 11th byte
     * position: here the 11th byte is a digit, which must be rejected. */
    char eleven[11];
    memcpy(eleven, "2026-01-011", 11);
    assert_int_equal(tb_day_parse(eleven, &day), -EINVAL);
}

static void test_day_format(void **state)
{
    (void)state;
    char buf[TB_DAY_BUFSZ];
    assert_int_equal(tb_day_format(ymd(2026, 2, 14), buf, sizeof(buf)), 0);
    assert_string_equal(buf, "2026-02-14");
    assert_int_equal(tb_day_format(TB_DAY_MIN, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0001-01-01");
    assert_int_equal(tb_day_format(TB_DAY_MAX, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "9999-12-31");
    assert_int_equal(tb_day_format(TB_DAY_MIN - 1, buf, sizeof(buf)), -ERANGE);
    assert_int_equal(tb_day_format(TB_DAY_MAX + 1, buf, sizeof(buf)), -ERANGE);
    assert_int_equal(tb_day_format(INT32_MIN, buf, sizeof(buf)), -ERANGE);
    assert_int_equal(tb_day_format(0, buf, TB_DAY_BUFSZ - 1), -EINVAL);
    assert_int_equal(tb_day_format(0, NULL, TB_DAY_BUFSZ), -EINVAL);
    /* Format and parse are inverse over a stride of the domain. */
    for (int32_t d = TB_DAY_MIN; d <= TB_DAY_MAX; d += 997) {
        int32_t back = INT32_MIN;
        assert_int_equal(tb_day_format(d, buf, sizeof(buf)), 0);
        assert_int_equal(tb_day_parse(buf, &back), 0);
        assert_int_equal(back, d);
    }
}

/* ---- Instants ---- */

static void test_ms_days(void **state)
{
    (void)state;
    int32_t day = 42;
    int32_t d2026 = ymd(2026, 1, 1);

    /* 2026-01-01 00:00 CST is 2025-12-31 16:00 UTC = 1767196800000. */
    assert_int_equal(tb_day_start_ms(d2026), INT64_C(1767196800000));
    assert_int_equal(tb_day_end_ms(d2026), INT64_C(1767196800000) + 86400000 - 1);
    assert_int_equal(tb_day_from_ms(INT64_C(1767196800000), &day), 0);
    assert_int_equal(day, d2026);
    assert_int_equal(tb_day_from_ms(INT64_C(1767196800000) - 1, &day), 0);
    assert_int_equal(day, d2026 - 1);
    assert_int_equal(tb_day_from_ms(tb_day_end_ms(d2026), &day), 0);
    assert_int_equal(day, d2026);
    assert_int_equal(tb_day_from_ms(tb_day_end_ms(d2026) + 1, &day), 0);
    assert_int_equal(day, d2026 + 1);

    /* Around the epoch: 1970-01-01 00:00 UTC is 08:00 CST the same day. */
    assert_int_equal(tb_day_from_ms(0, &day), 0);
    assert_int_equal(day, 0);
    assert_int_equal(tb_day_from_ms(-1, &day), 0);
    assert_int_equal(day, 0);
    assert_int_equal(tb_day_from_ms(-8 * HOUR, &day), 0);
    assert_int_equal(day, 0);
    assert_int_equal(tb_day_from_ms(-8 * HOUR - 1, &day), 0);
    assert_int_equal(day, -1);
    assert_int_equal(tb_day_from_ms(16 * HOUR - 1, &day), 0);
    assert_int_equal(day, 0);
    assert_int_equal(tb_day_from_ms(16 * HOUR, &day), 0);
    assert_int_equal(day, 1);

    /* Every day of 2026 and its neighbours: start/end round trip. */
    for (int32_t d = d2026 - 3; d <= d2026 + 368; d++) {
        assert_int_equal(tb_day_from_ms(tb_day_start_ms(d), &day), 0);
        assert_int_equal(day, d);
        assert_int_equal(tb_day_from_ms(tb_day_end_ms(d), &day), 0);
        assert_int_equal(day, d);
        assert_int_equal(tb_day_from_ms(tb_day_start_ms(d) - 1, &day), 0);
        assert_int_equal(day, d - 1);
        assert_int_equal(tb_day_end_ms(d) + 1, tb_day_start_ms(d + 1));
        assert_int_equal(cst(2026, 1, 1, 0, 0) + (int64_t)(d - d2026) * 86400000,
                         tb_day_start_ms(d));
    }

    /* Domain edges and the int64 extremes, without overflow. */
    assert_int_equal(tb_day_from_ms(tb_day_start_ms(TB_DAY_MIN), &day), 0);
    assert_int_equal(day, TB_DAY_MIN);
    assert_int_equal(tb_day_from_ms(tb_day_end_ms(TB_DAY_MAX), &day), 0);
    assert_int_equal(day, TB_DAY_MAX);
    day = 42;
    assert_int_equal(tb_day_from_ms(tb_day_start_ms(TB_DAY_MIN) - 1, &day), -ERANGE);
    assert_int_equal(tb_day_from_ms(tb_day_end_ms(TB_DAY_MAX) + 1, &day), -ERANGE);
    assert_int_equal(tb_day_from_ms(INT64_MAX, &day), -ERANGE);
    assert_int_equal(tb_day_from_ms(INT64_MIN, &day), -ERANGE);
    assert_int_equal(tb_day_from_ms(INT64_MAX - 1, &day), -ERANGE);
    assert_int_equal(day, 42);
    assert_int_equal(tb_day_from_ms(0, NULL), -EINVAL);
    /* start/end are total over int32. */
    assert_true(tb_day_start_ms(INT32_MIN) < tb_day_end_ms(INT32_MIN));
    assert_true(tb_day_start_ms(INT32_MAX) < tb_day_end_ms(INT32_MAX));
}

/* The local day is UTC+8 whatever TZ says. */
static void test_ms_ignores_tz(void **state)
{
    (void)state;
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    static const char *const zones[] = {"America/New_York", "UTC", "Asia/Kolkata",
                                        "Pacific/Kiritimati"};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        setenv("TZ", zones[i], 1);
        tzset();
        int32_t day = 0;
        assert_int_equal(tb_day_from_ms(cst(2026, 2, 14, 0, 0), &day), 0);
        assert_day(day, ymd(2026, 2, 14));
        assert_int_equal(tb_day_from_ms(cst(2026, 2, 14, 0, 0) - 1, &day), 0);
        assert_day(day, ymd(2026, 2, 13));
        assert_int_equal(tb_day_start_ms(ymd(2026, 2, 14)), cst(2026, 2, 14, 0, 0));
    }
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

/* ---- Calendar object ---- */

static void test_new_destroy(void **state)
{
    (void)state;
    tb_calendar_destroy(NULL);
    tb_calendar_t *cal = NULL;
    tb_calendar_destroy(&cal);
    assert_null(cal);

    cal = tb_calendar_new();
    assert_non_null(cal);
    assert_int_equal(tb_calendar_size(cal), 0);
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 1, 1), NULL, NULL), -ENOENT);
    /* No overrides: plain Monday..Friday, checked over four weeks. */
    for (int32_t d = ymd(2026, 1, 1); d < ymd(2026, 1, 29); d++) {
        int y, m, dd;
        tb_day_to_ymd(d, &y, &m, &dd);
        int w = sakamoto(y, m, dd);
        assert_int_equal(tb_calendar_is_workday(cal, d), w >= 1 && w <= 5);
    }
    /* Destroy a calendar that has data. */
    int line = 0;
    assert_int_equal(tb_calendar_load_csv(cal, HOLIDAYS_2026, &line), 0);
    tb_calendar_destroy(&cal);
    assert_null(cal);
    tb_calendar_destroy(&cal);
    assert_int_equal(tb_calendar_size(NULL), 0);
}

/* ---- The 2026 schedule ---- */

/* From the State Council notice, not from the CSV. */
static const int off_2026[][2] = {
    {1, 1},  {1, 2},  {1, 3},                                                        /* 元旦 */
    {2, 15}, {2, 16}, {2, 17}, {2, 18}, {2, 19}, {2, 20}, {2, 21}, {2, 22}, {2, 23}, /* 春节 */
    {4, 4},  {4, 5},  {4, 6},                                                        /* 清明 */
    {5, 1},  {5, 2},  {5, 3},  {5, 4},  {5, 5},                                      /* 劳动 */
    {6, 19}, {6, 20}, {6, 21},                                                       /* 端午 */
    {9, 25}, {9, 26}, {9, 27},                                                       /* 中秋 */
    {10, 1}, {10, 2}, {10, 3}, {10, 4}, {10, 5}, {10, 6}, {10, 7},                   /* 国庆 */
};
static const int work_2026[][2] = {{1, 4}, {2, 14}, {2, 28}, {5, 9}, {9, 20}, {10, 10}};

static bool in_list(const int (*list)[2], size_t n, int m, int d)
{
    for (size_t i = 0; i < n; i++)
        if (list[i][0] == m && list[i][1] == d)
            return true;
    return false;
}

static bool expect_2026(int m, int d)
{
    if (in_list(off_2026, sizeof(off_2026) / sizeof(off_2026[0]), m, d))
        return false;
    if (in_list(work_2026, sizeof(work_2026) / sizeof(work_2026[0]), m, d))
        return true;
    int w = sakamoto(2026, m, d);
    return w != 0 && w != 6;
}

static void test_2026_every_day(void **state)
{
    tb_calendar_t *cal = *state;
    assert_int_equal(tb_calendar_size(cal), 39);
    int workdays = 0, days = 0;
    for (int m = 1; m <= 12; m++) {
        for (int d = 1; d <= mdays(2026, m); d++) {
            bool want = expect_2026(m, d), got = tb_calendar_is_workday(cal, ymd(2026, m, d));
            if (got != want) {
                print_error("2026-%02d-%02d: is_workday %d, want %d\n", m, d, got, want);
                fail();
            }
            workdays += want;
            days++;
        }
    }
    assert_int_equal(days, 365);
    /* 261 weekdays - 19 weekday holidays + 6 weekend make-up days. */
    assert_int_equal(workdays, 248);
    int n = 0;
    assert_int_equal(tb_calendar_workdays_between(cal, ymd(2025, 12, 31), ymd(2026, 12, 31), &n),
                     0);
    assert_int_equal(n, 248);
    /* Every listed day has an override of the right kind. */
    for (size_t i = 0; i < sizeof(off_2026) / sizeof(off_2026[0]); i++) {
        bool work = true;
        assert_int_equal(
            tb_calendar_override(cal, ymd(2026, off_2026[i][0], off_2026[i][1]), &work, NULL), 0);
        assert_false(work);
    }
    for (size_t i = 0; i < sizeof(work_2026) / sizeof(work_2026[0]); i++) {
        bool work = false;
        assert_int_equal(
            tb_calendar_override(cal, ymd(2026, work_2026[i][0], work_2026[i][1]), &work, NULL), 0);
        assert_true(work);
    }
    /* Outside 2026 only the default rule applies. */
    assert_true(tb_calendar_is_workday(cal, ymd(2027, 1, 1)));    /* Friday, no 2027 data */
    assert_false(tb_calendar_is_workday(cal, ymd(2025, 12, 28))); /* Sunday */
}

static void test_2026_spring_festival(void **state)
{
    tb_calendar_t *cal = *state;
    assert_int_equal(tb_day_weekday(ymd(2026, 2, 14)), 6);
    assert_int_equal(tb_day_weekday(ymd(2026, 2, 28)), 6);
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 2, 13)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 2, 14)));
    for (int d = 15; d <= 23; d++)
        assert_false(tb_calendar_is_workday(cal, ymd(2026, 2, d)));
    for (int d = 24; d <= 27; d++)
        assert_true(tb_calendar_is_workday(cal, ymd(2026, 2, d)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 2, 28)));
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 3, 1)));
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 2, 7))); /* ordinary Saturday */

    bool work = true;
    const char *name = NULL;
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 17), &work, &name), 0);
    assert_false(work);
    assert_string_equal(name, "春节");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 14), &work, &name), 0);
    assert_true(work);
    assert_string_equal(name, "春节");
    name = "untouched";
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 24), &work, &name), -ENOENT);
    assert_string_equal(name, "untouched");
}

static void test_2026_national_day(void **state)
{
    tb_calendar_t *cal = *state;
    assert_int_equal(tb_day_weekday(ymd(2026, 9, 20)), 7);
    assert_int_equal(tb_day_weekday(ymd(2026, 10, 10)), 6);
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 9, 20)));
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 9, 19)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 9, 24)));
    for (int d = 25; d <= 27; d++)
        assert_false(tb_calendar_is_workday(cal, ymd(2026, 9, d)));
    for (int d = 28; d <= 30; d++)
        assert_true(tb_calendar_is_workday(cal, ymd(2026, 9, d)));
    for (int d = 1; d <= 7; d++)
        assert_false(tb_calendar_is_workday(cal, ymd(2026, 10, d)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 10, 8)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 10, 9)));
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 10, 10)));
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 10, 11)));

    const char *name = NULL;
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 9, 26), NULL, &name), 0);
    assert_string_equal(name, "中秋节");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 10, 10), NULL, &name), 0);
    assert_string_equal(name, "国庆节");
}

/* ---- Working day arithmetic ---- */

static void test_add_workdays_2026(void **state)
{
    tb_calendar_t *cal = *state;
    /* Counted by hand; "+n" means n working days after the start day. */
    static const struct {
        int sm, sd, n;
        int y, m, d;
    } t[] = {
        /* clang-format off */
        {2, 13, 0,  2026, 2, 13},  /* Fri, a working day: itself */
        {2, 13, 1,  2026, 2, 14},  /* Sat 调休 */
        {2, 13, 2,  2026, 2, 24},  /* 15..23 off */
        {2, 13, 3,  2026, 2, 25},
        {2, 13, 20, 2026, 3, 19},
        {2, 14, 0,  2026, 2, 14},
        {2, 14, 1,  2026, 2, 24},
        {2, 15, 0,  2026, 2, 24},  /* off: the next working day */
        {2, 15, 1,  2026, 2, 24},
        {2, 20, 2,  2026, 2, 25},
        {2, 23, 1,  2026, 2, 24},
        {2, 24, 5,  2026, 3, 2},   /* 25, 26, 27, 28 (Sat 调休), Mar 2 */
        {2, 27, 1,  2026, 2, 28},
        {2, 28, 1,  2026, 3, 2},
        {2, 7,  0,  2026, 2, 9},   /* ordinary Saturday */
        {2, 6,  1,  2026, 2, 9},   /* Friday -> Monday */
        {1, 1,  0,  2026, 1, 4},   /* 元旦, then Sunday 调休 */
        {1, 1,  1,  2026, 1, 4},
        {1, 2,  2,  2026, 1, 5},
        {4, 3,  1,  2026, 4, 7},   /* 清明 4..6 */
        {4, 30, 1,  2026, 5, 6},   /* 劳动节 1..5 */
        {4, 30, 4,  2026, 5, 9},   /* Sat 调休 */
        {4, 30, 5,  2026, 5, 11},
        {6, 18, 1,  2026, 6, 22},  /* 端午 19..21 */
        {9, 18, 1,  2026, 9, 20},  /* Sun 调休 */
        {9, 18, 2,  2026, 9, 21},
        {9, 24, 1,  2026, 9, 28},  /* 中秋 25..27 */
        {9, 29, 1,  2026, 9, 30},
        {9, 30, 0,  2026, 9, 30},
        {9, 30, 1,  2026, 10, 8},  /* 国庆 1..7 */
        {9, 30, 2,  2026, 10, 9},
        {9, 30, 3,  2026, 10, 10}, /* Sat 调休 */
        {9, 30, 4,  2026, 10, 12},
        {10, 4, 0,  2026, 10, 8},
        {9, 24, 5,  2026, 10, 9},  /* 28, 29, 30, then 8, 9 */
        {12, 31, 1, 2027, 1, 1},   /* no 2027 data: a plain Friday */
        /* clang-format on */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int32_t got = INT32_MIN, want = ymd(t[i].y, t[i].m, t[i].d);
        int rc = tb_calendar_add_workdays(cal, ymd(2026, t[i].sm, t[i].sd), t[i].n, &got);
        if (rc != 0 || got != want) {
            char g[FMT_SZ], w[FMT_SZ];
            print_error("2026-%02d-%02d + %d: rc %d got %s, want %s\n", t[i].sm, t[i].sd, t[i].n,
                        rc, fmt(got, g), fmt(want, w));
            fail();
        }
    }
    int32_t got = INT32_MIN;
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2025, 12, 31), 1, &got), 0);
    assert_day(got, ymd(2026, 1, 4));
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2025, 12, 31), 248, &got), 0);
    assert_day(got, ymd(2026, 12, 31));
}

/* add_workdays and workdays_between agree, for every start in and around
 * 2026 and limits 0..40, and against a naive day-by-day count. */
static void test_add_between_consistent(void **state)
{
    tb_calendar_t *cal = *state;
    for (int32_t s = ymd(2025, 12, 1); s <= ymd(2026, 12, 31); s++) {
        for (int n = 0; n <= 40; n++) {
            int32_t d = INT32_MIN;
            int k = -1;
            assert_int_equal(tb_calendar_add_workdays(cal, s, n, &d), 0);
            assert_true(tb_calendar_is_workday(cal, d));
            if (n == 0) {
                assert_true(d >= s);
                for (int32_t x = s; x < d; x++)
                    assert_false(tb_calendar_is_workday(cal, x));
            } else {
                assert_true(d > s);
                assert_int_equal(tb_calendar_workdays_between(cal, s, d, &k), 0);
                assert_int_equal(k, n);
                assert_int_equal(tb_calendar_workdays_between(cal, s, d - 1, &k), 0);
                assert_int_equal(k, n - 1);
                assert_int_equal(tb_calendar_workdays_between(cal, d, s, &k), 0);
                assert_int_equal(k, -n);
            }
        }
    }
}

static void test_workdays_between(void **state)
{
    tb_calendar_t *cal = *state;
    int n = 99;
    static const struct {
        int fm, fd, tm, td, n;
    } t[] = {
        /* clang-format off */
        {2, 13, 2, 24, 2},   {2, 24, 2, 13, -2},
        {2, 13, 2, 13, 0},   {2, 14, 2, 14, 0},
        {2, 13, 2, 14, 1},   {2, 14, 2, 13, -1},
        {2, 14, 2, 23, 0},   {2, 23, 2, 14, 0},   /* all holiday */
        {2, 14, 2, 24, 1},
        {2, 13, 3, 1, 6},    {3, 1, 2, 13, -6},   /* 14, 24, 25, 26, 27, 28 */
        {9, 30, 10, 10, 3},  {10, 10, 9, 30, -3}, /* 8, 9, 10 */
        {9, 18, 9, 20, 1},   {9, 19, 9, 20, 1},   {9, 20, 9, 19, -1},
        {1, 1, 12, 31, 248}, {12, 31, 1, 1, -248}, /* Jan 1 is off: all of 2026 */
        {1, 4, 1, 5, 1},     {1, 3, 1, 4, 1},
        /* clang-format on */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(tb_calendar_workdays_between(cal, ymd(2026, t[i].fm, t[i].fd),
                                                      ymd(2026, t[i].tm, t[i].td), &n),
                         0);
        assert_int_equal(n, t[i].n);
    }
    /* Naive count over every pair in February and March. */
    for (int32_t a = ymd(2026, 2, 1); a <= ymd(2026, 3, 31); a++) {
        for (int32_t b = ymd(2026, 2, 1); b <= ymd(2026, 3, 31); b++) {
            int want = 0;
            for (int32_t x = (a < b ? a : b) + 1; x <= (a < b ? b : a); x++)
                want += tb_calendar_is_workday(cal, x);
            if (b < a)
                want = -want;
            assert_int_equal(tb_calendar_workdays_between(cal, a, b, &n), 0);
            assert_int_equal(n, want);
        }
    }
    /* Bounds. */
    int32_t a = ymd(2026, 1, 1);
    n = 99;
    assert_int_equal(tb_calendar_workdays_between(cal, a, a + TB_CALENDAR_SCAN_MAX, &n), 0);
    assert_in_range(n, 2000, 3000);
    n = 99;
    assert_int_equal(tb_calendar_workdays_between(cal, a, a + TB_CALENDAR_SCAN_MAX + 1, &n),
                     -ERANGE);
    assert_int_equal(tb_calendar_workdays_between(cal, a + TB_CALENDAR_SCAN_MAX + 1, a, &n),
                     -ERANGE);
    assert_int_equal(tb_calendar_workdays_between(cal, TB_DAY_MIN - 1, TB_DAY_MIN, &n), -EINVAL);
    assert_int_equal(tb_calendar_workdays_between(cal, TB_DAY_MAX, TB_DAY_MAX + 1, &n), -EINVAL);
    assert_int_equal(tb_calendar_workdays_between(cal, INT32_MIN, INT32_MAX, &n), -EINVAL);
    assert_int_equal(tb_calendar_workdays_between(NULL, a, a, &n), -EINVAL);
    assert_int_equal(tb_calendar_workdays_between(cal, a, a, NULL), -EINVAL);
    assert_int_equal(n, 99);
    assert_int_equal(tb_calendar_workdays_between(cal, TB_DAY_MAX - 7, TB_DAY_MAX, &n), 0);
    assert_int_equal(n, 5);
}

static void test_add_workdays_bounds(void **state)
{
    tb_calendar_t *cal = *state;
    int32_t d = 4242;
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2026, 1, 1), -1, &d), -EINVAL);
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2026, 1, 1), INT_MIN, &d), -EINVAL);
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MIN - 1, 1, &d), -EINVAL);
    assert_int_equal(tb_calendar_add_workdays(cal, INT32_MAX, 1, &d), -EINVAL);
    assert_int_equal(tb_calendar_add_workdays(NULL, 0, 1, &d), -EINVAL);
    assert_int_equal(tb_calendar_add_workdays(cal, 0, 1, NULL), -EINVAL);
    /* 9999-12-31 is a Friday: +0 is itself, +1 falls off the domain. */
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MAX, 0, &d), 0);
    assert_int_equal(d, TB_DAY_MAX);
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MAX - 1, 1, &d), 0);
    assert_int_equal(d, TB_DAY_MAX);
    d = 4242;
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MAX, 1, &d), -ERANGE);
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MAX - 2, 3, &d), -ERANGE);
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2026, 1, 1), INT_MAX, &d), -ERANGE);
    assert_int_equal(tb_calendar_add_workdays(cal, ymd(2026, 1, 1), 3000, &d), -ERANGE);
    assert_int_equal(d, 4242);
    /* The first day of the domain works (0001-01-01 is a Monday). */
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MIN, 0, &d), 0);
    assert_int_equal(d, TB_DAY_MIN);
    assert_int_equal(tb_calendar_add_workdays(cal, TB_DAY_MIN, 5, &d), 0);
    assert_int_equal(d, TB_DAY_MIN + 7);
    /* The answer may be exactly TB_CALENDAR_SCAN_MAX days away. */
    tb_calendar_t *plain = tb_calendar_new();
    assert_non_null(plain);
    int32_t s = ymd(2026, 1, 1);
    int k = 0;
    assert_int_equal(tb_calendar_workdays_between(plain, s, s + TB_CALENDAR_SCAN_MAX, &k), 0);
    /* s + 3660 is a working day? Find the k that lands on or before it. */
    assert_int_equal(tb_calendar_add_workdays(plain, s, k, &d), 0);
    assert_true(d <= s + TB_CALENDAR_SCAN_MAX && d > s + TB_CALENDAR_SCAN_MAX - 3);
    assert_int_equal(tb_calendar_add_workdays(plain, s, k + 1, &d), -ERANGE);
    tb_calendar_destroy(&plain);
}

/* A calendar whose data turns every day off for 10000 days: searches stop at
 * the cap instead of running on. */
static void test_no_workdays(void **state)
{
    (void)state;
    size_t cap = 32 + (size_t)TB_CALENDAR_MAX_OVERRIDES * 20;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t len = (size_t)snprintf(buf, cap, "date,kind,holiday\n");
    int32_t first = ymd(2000, 1, 1);
    char day[FMT_SZ];
    for (int i = 0; i < TB_CALENDAR_MAX_OVERRIDES; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s,off\n", fmt(first + i, day));

    tb_calendar_t *cal = tb_calendar_new();
    assert_non_null(cal);
    int line = -1;
    assert_int_equal(load(cal, buf, len, &line), 0);
    assert_int_equal(line, -1); /* untouched on success */
    assert_int_equal(tb_calendar_size(cal), TB_CALENDAR_MAX_OVERRIDES);

    int32_t d = 4242;
    assert_int_equal(tb_calendar_add_workdays(cal, first, 0, &d), -ERANGE);
    assert_int_equal(tb_calendar_add_workdays(cal, first, 1, &d), -ERANGE);
    assert_int_equal(tb_calendar_add_workdays(cal, first + 5000, 1, &d), -ERANGE);
    assert_int_equal(d, 4242);
    /* Near the end of the data the search finds the first day after it. */
    int32_t after = first + TB_CALENDAR_MAX_OVERRIDES;
    while (tb_day_weekday(after) > 5)
        after++;
    assert_int_equal(tb_calendar_add_workdays(cal, first + 9000, 1, &d), 0);
    assert_int_equal(d, after);
    int n = 99;
    assert_int_equal(tb_calendar_workdays_between(cal, first, first + TB_CALENDAR_SCAN_MAX, &n), 0);
    assert_int_equal(n, 0);
    int64_t due = 0;
    assert_int_equal(tb_calendar_due(cal, tb_day_start_ms(first) + HOUR, 5, NULL, 0, &due),
                     -ERANGE);
    /* Card: only "due today" can be yellow when no next working day exists. */
    assert_int_equal(tb_calendar_card(cal, tb_day_end_ms(first + 1), tb_day_start_ms(first)),
                     TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, tb_day_end_ms(first), tb_day_start_ms(first)),
                     TB_CARD_YELLOW);

    /* One row over the limit: -E2BIG at line 10002, calendar unchanged. */
    len += (size_t)snprintf(buf + len, cap - len, "%s,off\n",
                            fmt(first + TB_CALENDAR_MAX_OVERRIDES, day));
    line = -1;
    assert_int_equal(load(cal, buf, len, &line), -E2BIG);
    assert_int_equal(line, TB_CALENDAR_MAX_OVERRIDES + 2);
    assert_int_equal(tb_calendar_size(cal), TB_CALENDAR_MAX_OVERRIDES);
    tb_calendar_destroy(&cal);
    free(buf);
}

/* ---- Loader ---- */

/* What a calendar says about December 2025 .. January 2027, and its names. */
typedef struct {
    size_t size;
    bool work[430];
    char names[430][TB_CALENDAR_NAME_MAX + 2];
} snapshot_t;

static void snap(const tb_calendar_t *cal, snapshot_t *s)
{
    memset(s, 0, sizeof(*s));
    s->size = tb_calendar_size(cal);
    int32_t d0 = ymd(2025, 12, 1);
    for (int i = 0; i < 430; i++) {
        const char *name = NULL;
        s->work[i] = tb_calendar_is_workday(cal, d0 + i);
        if (tb_calendar_override(cal, d0 + i, NULL, &name) == 0)
            snprintf(s->names[i], sizeof(s->names[i]), "=%s", name);
    }
}

static void assert_unchanged(const tb_calendar_t *cal, const snapshot_t *before)
{
    snapshot_t *now = malloc(sizeof(*now));
    assert_non_null(now);
    snap(cal, now);
    assert_int_equal(now->size, before->size);
    for (int i = 0; i < 430; i++) {
        assert_int_equal(now->work[i], before->work[i]);
        assert_string_equal(now->names[i], before->names[i]);
    }
    free(now);
}

#define H "date,kind,holiday\n"

static void test_load_rejects(void **state)
{
    tb_calendar_t *cal = *state;
    static const struct {
        const char *buf;
        size_t len; /* 0: strlen */
        int line;
    } t[] = {
        {"", 0, 1},
        {"\n", 0, 1},
        {"date,kind\n2026-01-01,off\n", 0, 1},
        {"Date,kind,holiday\n", 0, 1},
        {"date,kind,holiday,\n", 0, 1},
        {"date,kind,holiday \n", 0, 1},
        {" date,kind,holiday\n", 0, 1},
        {"date;kind;holiday\n", 0, 1},
        {"\xef\xbb date,kind,holiday\n", 0, 1}, /* broken BOM */
        {"2026-01-01,off,元旦\n", 0, 1},        /* no header */
        {H "2026-02-30,off,x\n", 0, 2},
        {H "2026-1-01,off\n", 0, 2},
        {H "2026-01-01,holiday,元旦\n", 0, 2},
        {H "2026-01-01,OFF,元旦\n", 0, 2},
        {H "2026-01-01,Work\n", 0, 2},
        {H "2026-01-01,of\n", 0, 2},
        {H "2026-01-01,offf\n", 0, 2},
        {H "2026-01-01\n", 0, 2},
        {H "2026-01-01,\n", 0, 2},
        {H "2026-01-01,,元旦\n", 0, 2},
        {H ",off,元旦\n", 0, 2},
        {H "2026-01-01,off,元旦,x\n", 0, 2},
        {H "2026-01-01,off,,\n", 0, 2},
        {H " 2026-01-01,off\n", 0, 2},
        {H "2026-01-01 ,off\n", 0, 2},
        {H "2026-01-01, off\n", 0, 2},
        {H "2026-01-01,off \n", 0, 2},
        {H "\"2026-01-01\",off\n", 0, 2},
        {H "2026-01-01,off\r\r\n", 0, 2},
        {H "2026-01-01,off\r,x\n", 0, 2},
        {H "2026-01-01,off,a\tb\n", 0, 2},
        {H "2026-01-01,off,a\x7f\n", 0, 2},
        {H "2026-01-01,off,a\x1b[31m\n", 0, 2},
        {H "2026-01-01,off,\xff\n", 0, 2},
        {H "2026-01-01,off,\xc0\xaf\n", 0, 2},         /* overlong '/' */
        {H "2026-01-01,off,\xe0\x80\xaf\n", 0, 2},     /* overlong, 3 bytes */
        {H "2026-01-01,off,\xed\xa0\x80\n", 0, 2},     /* surrogate */
        {H "2026-01-01,off,\xf4\x90\x80\x80\n", 0, 2}, /* past U+10FFFF */
        {H "2026-01-01,off,\xf8\x88\x80\x80\x80\n", 0, 2},
        {H "2026-01-01,off,\xe5\x85\n", 0, 2}, /* truncated 元 */
        {H "2026-01-01,off,\xe5\x85", 0, 2},   /* truncated at end of buffer */
        {H "2026-01-01,off,\x85\n", 0, 2},     /* lone continuation */
        {H "2026-01-01,off,a\0b\n", sizeof(H) - 1 + 19, 2},
        {H "2026-01-01\0,off\n", sizeof(H) - 1 + 16, 2},
        {H "2026-01-01,off\0\n", sizeof(H) - 1 + 16, 2},
        {H "2026-01-01,off\n\n", 0, 3}, /* blank line at the end */
        {H "2026-01-01,off\n\n2026-01-02,off\n", 0, 3},
        {H "2026-01-01,off\n\r\n", 0, 3},
        {H "2026-01-01,off\n2026-01-01,work\n", 0, 3}, /* duplicate */
        {H "2026-01-01,off\n2026-01-01,off\n", 0, 3},
        {H "2026-01-02,off\n2026-01-01,off\n", 0, 3}, /* descending */
        {H "2026-01-01,off\n2026-01-02,off\n2026-01-03,off\n2025-12-31,off\n", 0, 5},
        {H "2026-01-01,off\n2026-01-02,off\n2026-01-03,off\n2026-01-04,wrk", 0, 5},
        {"date,kind,holiday\r\n2026-01-01,off\r\n2026-02-29,off\r\n", 0, 3},
    };
    snapshot_t *before = malloc(sizeof(*before));
    assert_non_null(before);
    snap(cal, before);
    assert_int_equal(before->size, 39);

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t len = t[i].len ? t[i].len : strlen(t[i].buf);
        int line = -1;
        int rc = load(cal, t[i].buf, len, &line);
        if (rc != -TB_EDATA || line != t[i].line) {
            print_error("case %zu: rc %d line %d, want %d line %d\n", i, rc, line, -TB_EDATA,
                        t[i].line);
            fail();
        }
        assert_unchanged(cal, before);
        /* ret_bad_line may be NULL. */
        assert_int_equal(load(cal, t[i].buf, len, NULL), -TB_EDATA);
    }

    /* A 65-byte name is too long; 64 bytes is fine (checked on a new one). */
    char row[200], name[TB_CALENDAR_NAME_MAX + 2];
    memset(name, 'a', TB_CALENDAR_NAME_MAX + 1);
    name[TB_CALENDAR_NAME_MAX + 1] = '\0';
    snprintf(row, sizeof(row), H "2026-01-01,off,%s", name);
    int line = -1;
    assert_int_equal(load_str(cal, row, &line), -TB_EDATA);
    assert_int_equal(line, 2);
    assert_unchanged(cal, before);

    /* Argument errors leave everything alone. */
    line = -1;
    assert_int_equal(tb_calendar_load_buf(cal, NULL, 5, &line), -EINVAL);
    assert_int_equal(tb_calendar_load_buf(NULL, H, 18, &line), -EINVAL);
    assert_int_equal(line, -1);
    assert_unchanged(cal, before);
    free(before);
}

static void test_load_accepts(void **state)
{
    (void)state;
    tb_calendar_t *cal = tb_calendar_new();
    assert_non_null(cal);
    const char *name = NULL;
    bool work = false;
    int line = -1;

    /* Header only: no overrides. */
    assert_int_equal(load_str(cal, "date,kind,holiday", &line), 0);
    assert_int_equal(tb_calendar_size(cal), 0);
    assert_int_equal(load_str(cal, H, &line), 0);
    assert_int_equal(load_str(cal, "date,kind,holiday\r\n", &line), 0);
    assert_int_equal(tb_calendar_size(cal), 0);
    assert_int_equal(line, -1);

    /* CRLF, BOM, no final newline, empty and missing names, a redundant
     * override (off on a Sunday), a make-up day (work on a Saturday). */
    assert_int_equal(load_str(cal,
                              "\xef\xbb\xbf"
                              "date,kind,holiday\r\n"
                              "2026-02-14,work,春节\r\n"
                              "2026-02-15,off,\r\n"
                              "2026-02-16,off\r\n"
                              "2026-02-17,off,Spring Festival (春节) 2026!\r\n"
                              "2026-02-18,off,元旦\xf0\x9f\x8e\x86",
                              &line),
                     0);
    assert_int_equal(tb_calendar_size(cal), 5);
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 2, 14)));
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 2, 16)));
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 14), &work, &name), 0);
    assert_true(work);
    assert_string_equal(name, "春节");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 15), &work, &name), 0);
    assert_false(work);
    assert_string_equal(name, "");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 16), NULL, &name), 0);
    assert_string_equal(name, "");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 17), NULL, &name), 0);
    assert_string_equal(name, "Spring Festival (春节) 2026!");
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 18), NULL, &name), 0);
    assert_string_equal(name, "元旦\xf0\x9f\x8e\x86");

    /* A 64-byte name (21 three-byte characters and one ASCII byte). */
    char row[200];
    snprintf(row, sizeof(row), H "2026-01-01,off,x%s",
             "春春春春春春春春春春春春春春春春春春春春春");
    assert_int_equal(strlen(strrchr(row, ',') + 1), TB_CALENDAR_NAME_MAX);
    assert_int_equal(load_str(cal, row, &line), 0);
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 1, 1), NULL, &name), 0);
    assert_int_equal(strlen(name), TB_CALENDAR_NAME_MAX);

    /* A load replaces everything loaded before. */
    assert_int_equal(tb_calendar_size(cal), 1);
    assert_int_equal(tb_calendar_override(cal, ymd(2026, 2, 14), NULL, NULL), -ENOENT);
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 2, 14)));
    assert_int_equal(load_str(cal, H, &line), 0);
    assert_int_equal(tb_calendar_size(cal), 0);
    assert_true(tb_calendar_is_workday(cal, ymd(2026, 1, 1)));

    /* Buffer pointer may be NULL when len is 0, which is malformed (no header). */
    assert_int_equal(tb_calendar_load_buf(cal, NULL, 0, &line), -TB_EDATA);
    assert_int_equal(line, 1);
    tb_calendar_destroy(&cal);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_csv(void **state)
{
    tb_calendar_t *cal = *state;
    snapshot_t *before = malloc(sizeof(*before));
    assert_non_null(before);
    snap(cal, before);
    int line = -1;

    assert_int_equal(tb_calendar_load_csv(cal, TB_SOURCE_DATA_DIR "/no-such-file.csv", &line),
                     -ENOENT);
    assert_int_equal(tb_calendar_load_csv(cal, TB_SOURCE_DATA_DIR, &line), -EISDIR);
    assert_int_equal(tb_calendar_load_csv(cal, NULL, &line), -EINVAL);
    assert_int_equal(tb_calendar_load_csv(NULL, HOLIDAYS_2026, &line), -EINVAL);
    assert_int_equal(line, -1);
    assert_unchanged(cal, before);

    char dir[] = "/tmp/test-calendar-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof(dir) + 32];
    snprintf(path, sizeof(path), "%s/cal.csv", dir);

    /* Malformed file: line number from the file. */
    const char bad[] = H "2026-01-01,off,元旦\n2026-01-02,off,元旦\n2026-01-03,of,元旦\n";
    write_file(path, bad, sizeof(bad) - 1);
    assert_int_equal(tb_calendar_load_csv(cal, path, &line), -TB_EDATA);
    assert_int_equal(line, 4);
    assert_unchanged(cal, before);

    /* Too big: one byte over the limit. */
    size_t big = (size_t)TB_CALENDAR_FILE_MAX + 1;
    char *buf = malloc(big);
    assert_non_null(buf);
    memset(buf, 'x', big);
    write_file(path, buf, big);
    line = -1;
    assert_int_equal(tb_calendar_load_csv(cal, path, &line), -EFBIG);
    assert_int_equal(line, -1);
    assert_unchanged(cal, before);
    /* At exactly the limit it is read and parsed (and this one is malformed). */
    write_file(path, buf, big - 1);
    assert_int_equal(tb_calendar_load_csv(cal, path, &line), -TB_EDATA);
    assert_int_equal(line, 1);
    free(buf);

    /* A good file in a temp dir, then the real one again. */
    const char good[] = H "2026-03-02,off,测试\n";
    write_file(path, good, sizeof(good) - 1);
    assert_int_equal(tb_calendar_load_csv(cal, path, &line), 0);
    assert_int_equal(tb_calendar_size(cal), 1);
    assert_false(tb_calendar_is_workday(cal, ymd(2026, 3, 2)));
    assert_int_equal(tb_calendar_load_csv(cal, HOLIDAYS_2026, &line), 0);
    assert_unchanged(cal, before);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    free(before);
}

/* ---- Deadlines ---- */

static void assert_due_at(const tb_calendar_t *cal, int64_t arrival, int limit, const tb_pause_t *p,
                          size_t np, int32_t want_day, const char *file, int line)
{
    int64_t due = 0;
    int rc = tb_calendar_due(cal, arrival, limit, p, np, &due);
    assert_int_equal(rc, 0);
    int32_t got = 0;
    assert_int_equal(tb_day_from_ms(due, &got), 0);
    assert_day_at(got, want_day, file, line);
    assert_int_equal(due, tb_day_end_ms(want_day));
}
#define assert_due(cal, arrival, limit, p, np, want)                                               \
    assert_due_at((cal), (arrival), (limit), (p), (np), (want), __FILE__, __LINE__)

static void test_due_plain(void **state)
{
    tb_calendar_t *cal = *state;
    /* Received Friday 2026-02-13, 2 working days: Sat 14 (调休), then Tue 24. */
    assert_due(cal, cst(2026, 2, 13, 10, 0), 2, NULL, 0, ymd(2026, 2, 24));
    assert_due(cal, cst(2026, 2, 13, 0, 0), 2, NULL, 0, ymd(2026, 2, 24));
    assert_due(cal, cst(2026, 2, 13, 23, 59) + 59999, 2, NULL, 0, ymd(2026, 2, 24));
    /* One millisecond later it is Saturday the 14th: 24th is day 1. */
    assert_due(cal, cst(2026, 2, 14, 0, 0), 2, NULL, 0, ymd(2026, 2, 25));
    int64_t due = 0;
    assert_int_equal(tb_calendar_due(cal, cst(2026, 2, 13, 10, 0), 2, NULL, 0, &due), 0);
    assert_int_equal(due, cst(2026, 2, 25, 0, 0) - 1); /* 2026-02-24 23:59:59.999 CST */
    /* 即办件 (0 days): same day if it is a working day. */
    assert_due(cal, cst(2026, 2, 13, 16, 30), 0, NULL, 0, ymd(2026, 2, 13));
    assert_due(cal, cst(2026, 2, 14, 16, 30), 0, NULL, 0, ymd(2026, 2, 14));
    assert_due(cal, cst(2026, 2, 15, 16, 30), 0, NULL, 0, ymd(2026, 2, 24));
    /* Typical 5-day 承诺件 over National Day. */
    assert_due(cal, cst(2026, 9, 28, 9, 0), 5, NULL, 0, ymd(2026, 10, 10));
    /* Early morning UTC is already the next CST day: 2026-02-13 17:00 UTC
     * is 02-14 01:00 CST. */
    assert_due(cal, cst(2026, 2, 14, 1, 0), 1, NULL, 0, ymd(2026, 2, 24));

    /* Without pauses, due == end of add_workdays(day of arrival), always. */
    for (int32_t d = ymd(2025, 12, 20); d <= ymd(2026, 12, 31); d++) {
        for (int n = 0; n <= 20; n++) {
            int32_t want = 0;
            assert_int_equal(tb_calendar_add_workdays(cal, d, n, &want), 0);
            assert_int_equal(tb_calendar_due(cal, tb_day_start_ms(d) + 12 * HOUR, n, NULL, 0, &due),
                             0);
            assert_int_equal(due, tb_day_end_ms(want));
        }
    }
}

static void test_due_pauses(void **state)
{
    tb_calendar_t *cal = *state;
    /* Received Mon 2026-03-02 09:00, 5 working days: Mar 3, 4, 5, 6, 9. */
    int64_t arr = cst(2026, 3, 2, 9, 0);
    int32_t mar9 = ymd(2026, 3, 9);
    assert_due(cal, arr, 5, NULL, 0, mar9);

    const struct {
        tb_pause_t p[3];
        size_t n;
        int32_t want;
    } t[] = {
        /* A few hours on Wed the 4th: the 4th is lost, due Tue 10th. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 4, 15, 0)}}, 1, ymd(2026, 3, 10)},
        /* Wed 10:00 .. Fri 09:00 touches 4, 5, 6: three days. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 6, 9, 0)}}, 1, ymd(2026, 3, 12)},
        /* Half-open: ending exactly at Thu 00:00 does not touch Thursday. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 5, 0, 0)}}, 1, ymd(2026, 3, 10)},
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 5, 0, 0) + 1}}, 1, ymd(2026, 3, 11)},
        /* The last millisecond of Wednesday is enough to lose Wednesday. */
        {{{cst(2026, 3, 5, 0, 0) - 1, cst(2026, 3, 5, 0, 0)}}, 1, ymd(2026, 3, 10)},
        /* Zero-length pause: touches nothing. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 4, 10, 0)}}, 1, mar9},
        /* Weekend only: no working day touched. */
        {{{cst(2026, 3, 7, 0, 0), cst(2026, 3, 9, 0, 0)}}, 1, mar9},
        /* Friday 17:00 .. Monday 08:00 touches Fri 6 and Mon 9. */
        {{{cst(2026, 3, 6, 17, 0), cst(2026, 3, 9, 8, 0)}}, 1, ymd(2026, 3, 11)},
        /* On the arrival day only: the arrival day never counts anyway. */
        {{{cst(2026, 3, 2, 10, 0), cst(2026, 3, 2, 11, 0)}}, 1, mar9},
        /* Before arrival: no effect. */
        {{{cst(2026, 2, 24, 10, 0), cst(2026, 2, 26, 11, 0)}}, 1, mar9},
        /* After the due day: no effect. */
        {{{cst(2026, 3, 10, 10, 0), cst(2026, 3, 20, 11, 0)}}, 1, mar9},
        /* On the due day itself: extends by one. */
        {{{cst(2026, 3, 9, 17, 0), cst(2026, 3, 9, 18, 0)}}, 1, ymd(2026, 3, 10)},
        /* Overlapping pauses count each day once: 4 and 5 -> two days. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 5, 12, 0)},
          {cst(2026, 3, 5, 8, 0), cst(2026, 3, 5, 18, 0)}},
         2,
         ymd(2026, 3, 11)},
        /* Same, other order, plus a duplicate. */
        {{{cst(2026, 3, 5, 8, 0), cst(2026, 3, 5, 18, 0)},
          {cst(2026, 3, 4, 10, 0), cst(2026, 3, 5, 12, 0)},
          {cst(2026, 3, 5, 8, 0), cst(2026, 3, 5, 18, 0)}},
         3,
         ymd(2026, 3, 11)},
        /* Two separate pauses: 3 and 9 -> due 11. */
        {{{cst(2026, 3, 3, 9, 0), cst(2026, 3, 3, 10, 0)},
          {cst(2026, 3, 9, 9, 0), cst(2026, 3, 9, 10, 0)}},
         2,
         ymd(2026, 3, 11)},
        /* An open pause that starts after the due day does not matter. */
        {{{cst(2026, 3, 10, 0, 0), TB_PAUSE_OPEN}}, 1, mar9},
        {{{cst(2026, 3, 12, 0, 0), INT64_MAX}}, 1, mar9},
        /* Closed pause plus an open one after the (moved) due day. */
        {{{cst(2026, 3, 4, 10, 0), cst(2026, 3, 4, 15, 0)}, {cst(2026, 3, 11, 8, 0), -1}},
         2,
         ymd(2026, 3, 10)},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int64_t due = 0;
        int rc = tb_calendar_due(cal, arr, 5, t[i].p, t[i].n, &due);
        int32_t got = INT32_MIN;
        if (rc != 0 || tb_day_from_ms(due, &got) != 0 || due != tb_day_end_ms(t[i].want)) {
            char g[FMT_SZ], w[FMT_SZ];
            print_error("pause case %zu: rc %d due %s, want %s\n", i, rc, fmt(got, g),
                        fmt(t[i].want, w));
            fail();
        }
    }

    /* Across the Spring Festival: received Thu 02-12, 3 days: 13, 14, 24. */
    assert_due(cal, cst(2026, 2, 12, 9, 0), 3, NULL, 0, ymd(2026, 2, 24));
    /* Paused 02-13 09:00 .. 02-25 09:00 touches working days 13, 14, 24, 25;
     * the holidays in between were not working days: 26, 27, 28 (Sat 调休). */
    tb_pause_t sf = {cst(2026, 2, 13, 9, 0), cst(2026, 2, 25, 9, 0)};
    assert_due(cal, cst(2026, 2, 12, 9, 0), 3, &sf, 1, ymd(2026, 2, 28));
    /* A pause inside the holiday only: nothing lost. */
    tb_pause_t hol = {cst(2026, 2, 16, 9, 0), cst(2026, 2, 20, 9, 0)};
    assert_due(cal, cst(2026, 2, 12, 9, 0), 3, &hol, 1, ymd(2026, 2, 24));

    /* 即办件 paused on its own day moves to the next working day. */
    tb_pause_t today = {cst(2026, 3, 2, 10, 0), cst(2026, 3, 2, 11, 0)};
    assert_due(cal, arr, 0, &today, 1, ymd(2026, 3, 3));
    /* Whole days: even a pause that ended before the case arrived that same
     * morning touches the day, so the day is lost. */
    tb_pause_t before = {cst(2026, 3, 2, 7, 0), cst(2026, 3, 2, 8, 0)};
    assert_due(cal, arr, 0, &before, 1, ymd(2026, 3, 3));
}

static void test_due_open_and_errors(void **state)
{
    tb_calendar_t *cal = *state;
    int64_t arr = cst(2026, 3, 2, 9, 0);
    int64_t due = 0;

    /* Still paused, begun before the due day was reached: no due time. */
    static const int open_starts[][3] = {
        {2026, 3, 4}, /* Wednesday */
        {2026, 3, 7}, /* Saturday: the days after it would be paused */
        {2026, 3, 9}, /* the due day itself */
        {2026, 3, 2}, /* the arrival day */
        {2026, 2, 1}, /* before arrival */
    };
    for (size_t i = 0; i < sizeof(open_starts) / sizeof(open_starts[0]); i++) {
        for (int k = 0; k < 2; k++) {
            tb_pause_t p = {cst(open_starts[i][0], open_starts[i][1], open_starts[i][2], 10, 0),
                            k ? INT64_MAX : TB_PAUSE_OPEN};
            due = 0;
            assert_int_equal(tb_calendar_due(cal, arr, 5, &p, 1, &due), 0);
            assert_int_equal(due, TB_DUE_NEVER);
        }
    }
    /* Open pause on the arrival day of a 即办件. */
    tb_pause_t p0 = {cst(2026, 3, 2, 15, 0), TB_PAUSE_OPEN};
    assert_int_equal(tb_calendar_due(cal, arr, 0, &p0, 1, &due), 0);
    assert_int_equal(due, TB_DUE_NEVER);
    assert_int_equal(tb_calendar_card(cal, TB_DUE_NEVER, cst(2030, 1, 1, 0, 0)), TB_CARD_NONE);

    /* Errors leave *ret_due_ms alone. */
    due = 4242;
    tb_pause_t bad = {cst(2026, 3, 4, 10, 0), cst(2026, 3, 4, 9, 0)};
    assert_int_equal(tb_calendar_due(cal, arr, 5, &bad, 1, &due), -EINVAL);
    tb_pause_t neg = {cst(2026, 3, 4, 10, 0), -2};
    assert_int_equal(tb_calendar_due(cal, arr, 5, &neg, 1, &due), -EINVAL);
    tb_pause_t far = {INT64_MIN, cst(2026, 3, 4, 9, 0)};
    assert_int_equal(tb_calendar_due(cal, arr, 5, &far, 1, &due), -EINVAL);
    tb_pause_t far_open = {INT64_MIN, TB_PAUSE_OPEN};
    assert_int_equal(tb_calendar_due(cal, arr, 5, &far_open, 1, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, arr, -1, NULL, 0, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, arr, 5, NULL, 1, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, INT64_MAX, 5, NULL, 0, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, INT64_MIN, 5, NULL, 0, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(NULL, arr, 5, NULL, 0, &due), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, arr, 5, NULL, 0, NULL), -EINVAL);
    assert_int_equal(tb_calendar_due(cal, arr, 5000, NULL, 0, &due), -ERANGE);
    tb_pause_t *many = calloc(TB_CALENDAR_PAUSES_MAX + 1, sizeof(*many));
    assert_non_null(many);
    for (size_t i = 0; i <= TB_CALENDAR_PAUSES_MAX; i++)
        many[i] = (tb_pause_t){arr, arr};
    assert_int_equal(tb_calendar_due(cal, arr, 5, many, TB_CALENDAR_PAUSES_MAX + 1, &due), -E2BIG);
    assert_int_equal(due, 4242);
    /* Exactly the maximum is fine. */
    assert_int_equal(tb_calendar_due(cal, arr, 5, many, TB_CALENDAR_PAUSES_MAX, &due), 0);
    assert_int_equal(due, tb_day_end_ms(ymd(2026, 3, 9)));
    free(many);
}

/* ---- Cards ---- */

static void test_card(void **state)
{
    tb_calendar_t *cal = *state;
    /* Due at the end of Tue 2026-02-24. */
    int64_t due = tb_day_end_ms(ymd(2026, 2, 24));
    static const struct {
        int m, d, hh, mm;
        tb_card_t card;
    } t[] = {
        {2, 12, 12, 0, TB_CARD_NONE}, /* Thu: next working day 13 */
        {2, 13, 12, 0, TB_CARD_NONE}, /* Fri: next working day Sat 14 */
        {2, 13, 23, 59, TB_CARD_NONE},
        {2, 14, 0, 0, TB_CARD_YELLOW}, /* Sat 调休: next working day is 24 */
        {2, 14, 12, 0, TB_CARD_YELLOW},
        {2, 15, 12, 0, TB_CARD_YELLOW}, /* inside the holiday */
        {2, 20, 12, 0, TB_CARD_YELLOW},
        {2, 23, 23, 59, TB_CARD_YELLOW},
        {2, 24, 0, 0, TB_CARD_YELLOW}, /* due today */
        {2, 24, 23, 59, TB_CARD_YELLOW},
        {2, 25, 0, 0, TB_CARD_RED},
        {3, 30, 0, 0, TB_CARD_RED},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int64_t now = cst(2026, t[i].m, t[i].d, t[i].hh, t[i].mm);
        if (tb_calendar_card(cal, due, now) != t[i].card) {
            print_error("now 2026-%02d-%02d %02d:%02d: card %d want %d\n", t[i].m, t[i].d, t[i].hh,
                        t[i].mm, tb_calendar_card(cal, due, now), t[i].card);
            fail();
        }
    }
    /* Exact boundaries in milliseconds. */
    assert_int_equal(tb_calendar_card(cal, due, due), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, due, due + 1), TB_CARD_RED);
    assert_int_equal(tb_calendar_card(cal, due, tb_day_start_ms(ymd(2026, 2, 14)) - 1),
                     TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, due, tb_day_start_ms(ymd(2026, 2, 14))), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, due, INT64_MAX), TB_CARD_RED);
    assert_int_equal(tb_calendar_card(cal, due, INT64_MIN), TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, INT64_MIN, 0), TB_CARD_RED);
    assert_int_equal(tb_calendar_card(cal, TB_DUE_NEVER, INT64_MAX), TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, TB_DUE_NEVER, due), TB_CARD_NONE);

    /* Ordinary week: due Monday 2026-03-09. */
    int64_t mon = tb_day_end_ms(ymd(2026, 3, 9));
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 5, 23, 59)), TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 6, 0, 0)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 7, 12, 0)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 8, 12, 0)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 9, 18, 0)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, mon, cst(2026, 3, 10, 0, 0)), TB_CARD_RED);

    /* National Day: due Thu 10-08; on 09-30 the next working day is 10-08. */
    int64_t oct8 = tb_day_end_ms(ymd(2026, 10, 8));
    assert_int_equal(tb_calendar_card(cal, oct8, cst(2026, 9, 29, 12, 0)), TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(cal, oct8, cst(2026, 9, 30, 12, 0)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, oct8, cst(2026, 10, 3, 12, 0)), TB_CARD_YELLOW);

    /* A due time in the middle of a day (not one from tb_calendar_due). */
    int64_t noon = cst(2026, 3, 9, 12, 0);
    assert_int_equal(tb_calendar_card(cal, noon, noon - 1), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, noon, noon), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, noon, noon + 1), TB_CARD_RED);

    /* Due at the end of the domain, seen from its last-but-a-few days. */
    int64_t end = tb_day_end_ms(TB_DAY_MAX);
    assert_int_equal(tb_calendar_card(cal, end, tb_day_start_ms(TB_DAY_MAX)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, end, tb_day_start_ms(TB_DAY_MAX - 1)), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, end, tb_day_start_ms(TB_DAY_MAX - 3)), TB_CARD_NONE);
    assert_int_equal(tb_calendar_card(NULL, due, due), TB_CARD_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_anchors),
        cmocka_unit_test(test_day_round_trip_all),
        cmocka_unit_test(test_day_leap_years),
        cmocka_unit_test(test_day_from_ymd_rejects),
        cmocka_unit_test(test_day_extremes),
        cmocka_unit_test(test_day_parse),
        cmocka_unit_test(test_day_format),
        cmocka_unit_test(test_ms_days),
        cmocka_unit_test(test_ms_ignores_tz),
        cmocka_unit_test(test_new_destroy),
        cmocka_unit_test_setup_teardown(test_2026_every_day, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_2026_spring_festival, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_2026_national_day, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_add_workdays_2026, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_add_between_consistent, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_workdays_between, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_add_workdays_bounds, setup_2026, teardown_cal),
        cmocka_unit_test(test_no_workdays),
        cmocka_unit_test_setup_teardown(test_load_rejects, setup_2026, teardown_cal),
        cmocka_unit_test(test_load_accepts),
        cmocka_unit_test_setup_teardown(test_load_csv, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_due_plain, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_due_pauses, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_due_open_and_errors, setup_2026, teardown_cal),
        cmocka_unit_test_setup_teardown(test_card, setup_2026, teardown_cal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
