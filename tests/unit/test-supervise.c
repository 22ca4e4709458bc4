/* Unit tests for common/tb_supervise: cards raised at the working-day
 * boundary (to the millisecond, around the 2026 National Day holiday and its
 * 调休 make-up days), paused clocks, cards gone when the case moves, the
 * limits as data, and 催办/通报 timing of a supervision order.
 *
 * The dates were counted by hand from the State Council's 2026 schedule
 * (data/holidays-cn-2026.csv): 09-25..27 off (中秋), Sun 09-20 worked,
 * 10-01..07 off (国庆), Sat 10-10 worked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tb_supervise.h"

#define HOLIDAYS_2026 TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv"
#define HOUR INT64_C(3600000)

static tb_calendar_t *cal;

static int setup(void **state)
{
    (void)state;
    cal = tb_calendar_new();
    assert_non_null(cal);
    assert_int_equal(tb_calendar_load_csv(cal, HOLIDAYS_2026, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tb_calendar_destroy(&cal);
    return 0;
}

/* Unix ms of 2026-m-d hh:00 CST, without the library's helpers. */
static int64_t at(int m, int d, int hh)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t days = 20454 /* 2026-01-01 */ + before[m - 1] + d - 1;
    return days * 86400000 + (hh - 8) * HOUR;
}

static int64_t start_of(int m, int d)
{
    return at(m, d, 0);
}

static int64_t end_of(int m, int d)
{
    return at(m, d, 24) - 1;
}

static char *show(int64_t ms, char buf[32])
{
    if (ms == INT64_MAX)
        strcpy(buf, "never");
    else
        tb_fmt_time(ms, buf), snprintf(buf + strlen(buf), 32 - strlen(buf), "+%03d",
                                       (int)(((ms % 60000) + 60000) % 60000));
    return buf;
}

#define assert_ms(got, want)                                                                       \
    do {                                                                                           \
        char g_[32], w_[32];                                                                       \
        if ((got) != (want)) {                                                                     \
            print_error("%s is %s, want %s\n", #got, show(got, g_), show(want, w_));               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* The card of due at now, and its next change. */
static void card(int64_t due, int64_t now, tb_card_t want, int64_t want_next)
{
    tb_card_t level = 99;
    int64_t next = 0;
    assert_int_equal(tb_card_at(cal, due, 1, now, &level, &next), 0);
    assert_string_equal(tb_cardlevel_name(level), tb_cardlevel_name(want));
    assert_ms(next, want_next);
}

/* Every boundary both ways: the millisecond before and the one it changes. */
static void test_boundaries_national_day(void **state)
{
    (void)state;
    /* Due Fri 10-09 (accepted Wed 09-30, 2 working days: 10-08, 10-09).  On
     * the holiday's last day 10-07 the next working day is 10-08: not yet. */
    int64_t due = end_of(10, 9);
    card(due, at(9, 30, 12), TB_CARD_NONE, start_of(10, 8));
    card(due, start_of(10, 8) - 1, TB_CARD_NONE, start_of(10, 8));
    card(due, start_of(10, 8), TB_CARD_YELLOW, due + 1);
    card(due, due, TB_CARD_YELLOW, due + 1);
    card(due, due + 1, TB_CARD_RED, INT64_MAX);

    /* Due on the make-up Saturday 10-10: yellow from Fri 10-09, red on Sunday. */
    due = end_of(10, 10);
    card(due, at(10, 8, 9), TB_CARD_NONE, start_of(10, 9));
    card(due, start_of(10, 9) - 1, TB_CARD_NONE, start_of(10, 9));
    card(due, start_of(10, 9), TB_CARD_YELLOW, due + 1);
    card(due, start_of(10, 11), TB_CARD_RED, INT64_MAX);

    /* Due Thu 10-08, the first working day after the holiday: yellow from
     * Wed 09-30 (its next working day is 10-08), all through the holiday. */
    due = end_of(10, 8);
    card(due, at(9, 29, 17), TB_CARD_NONE, start_of(9, 30));
    card(due, start_of(9, 30), TB_CARD_YELLOW, due + 1);
    card(due, at(10, 4, 12), TB_CARD_YELLOW, due + 1);

    /* A paused clock has no card and no boundary. */
    card(TB_DUE_NEVER, at(10, 4, 12), TB_CARD_NONE, INT64_MAX);
}

/* A wider yellow threshold (limits are data): two working days before. */
static void test_yellow_days(void **state)
{
    (void)state;
    tb_card_t level;
    int64_t next;
    /* Due Mon 10-12: 2 working days before is Fri 10-09 (10-10, 10-12). */
    assert_int_equal(tb_card_at(cal, end_of(10, 12), 2, at(10, 8, 9), &level, &next), 0);
    assert_int_equal(level, TB_CARD_NONE);
    assert_ms(next, start_of(10, 9));
    assert_int_equal(tb_card_at(cal, end_of(10, 12), 2, start_of(10, 9), &level, &next), 0);
    assert_int_equal(level, TB_CARD_YELLOW);
    assert_int_equal(tb_card_at(cal, end_of(10, 12), 1, start_of(10, 9), &level, &next), 0);
    assert_int_equal(level, TB_CARD_NONE);
    assert_ms(next, start_of(10, 10));
    assert_int_equal(tb_card_at(cal, end_of(10, 12), -1, start_of(10, 9), &level, &next), -EINVAL);
}

static tb_item_t item2 = {
    .code = "T2", .kind = TB_KIND_PROMISED, .promised_days = 3, .legal_days = 10};

static void case_card(const tb_case_t *c, const tb_limits_t *lim, int64_t now,
                      tb_cardkind_t want_kind, tb_card_t want, int64_t want_due)
{
    tb_case_card_t cc;
    assert_int_equal(tb_case_card(c, &item2, cal, lim, now, &cc), 0);
    assert_string_equal(tb_cardkind_name(cc.kind), tb_cardkind_name(want_kind));
    assert_string_equal(tb_cardlevel_name(cc.level), tb_cardlevel_name(want));
    assert_ms(cc.due_ms, want_due);
}

static void test_case_cards(void **state)
{
    (void)state;
    tb_limits_t lim;
    tb_limits_default(&lim);
    /* Pre-review: arrived Wed 09-30 09:00, 2 working days -> due Fri 10-09. */
    tb_case_t c = {.state = TB_ST_PREREVIEW, .arrived_ms = at(9, 30, 9)};
    case_card(&c, &lim, at(10, 9, 8), TB_CARDKIND_PREREVIEW, TB_CARD_YELLOW, end_of(10, 9));
    case_card(&c, &lim, start_of(10, 10), TB_CARDKIND_PREREVIEW, TB_CARD_RED, end_of(10, 9));
    /* The step limit is data: 3 days -> the make-up Saturday 10-10. */
    assert_int_equal(tb_limits_set(&lim, "prereview_days", 3), 0);
    case_card(&c, &lim, start_of(10, 10), TB_CARDKIND_PREREVIEW, TB_CARD_YELLOW, end_of(10, 10));
    tb_limits_default(&lim);

    /* Accepted Mon 09-28 10:00, 3 days: 09-29, 09-30, 10-08. */
    c = (tb_case_t){
        .state = TB_ST_ACCEPTED, .arrived_ms = at(9, 28, 9), .accepted_ms = at(9, 28, 10)};
    case_card(&c, &lim, at(9, 29, 12), TB_CARDKIND_DEADLINE, TB_CARD_NONE, end_of(10, 8));
    case_card(&c, &lim, start_of(10, 9), TB_CARDKIND_DEADLINE, TB_CARD_RED, end_of(10, 8));

    /* Suspended 09-29 10:00 .. 10-09 09:00: the pause touches 09-29, 09-30,
     * 10-08, 10-09; the days that count are 10-10 (调休), 10-12, 10-13. */
    c.npauses = 1;
    c.pauses[0] = (tb_pause_t){at(9, 29, 10), at(10, 9, 9)};
    case_card(&c, &lim, start_of(10, 9), TB_CARDKIND_DEADLINE, TB_CARD_NONE, end_of(10, 13));
    case_card(&c, &lim, start_of(10, 12), TB_CARDKIND_DEADLINE, TB_CARD_YELLOW, end_of(10, 13));
    /* Still suspended (open pause): no card at all, however late. */
    c.state = TB_ST_SUSPENDED;
    c.pauses[0].end_ms = TB_PAUSE_OPEN;
    case_card(&c, &lim, at(11, 30, 12), TB_CARDKIND_DEADLINE, TB_CARD_NONE, TB_DUE_NEVER);

    /* Moved out of the condition: decided, refused, closed have no card. */
    c.npauses = 0;
    const tb_state_t gone[] = {TB_ST_DECIDED, TB_ST_REFUSED,   TB_ST_RESULT,
                               TB_ST_CLOSED,  TB_ST_WITHDRAWN, TB_ST_LOGGED};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        c.state = gone[i];
        case_card(&c, &lim, at(11, 30, 12), TB_CARDKIND_NONE, TB_CARD_NONE, 0);
    }
    /* An immediate item (即办件) accepted on the make-up Saturday 10-10 is
     * due that day: never yellow, red from Sunday 00:00. */
    static tb_item_t now_item = {.code = "I0", .kind = TB_KIND_IMMEDIATE};
    c = (tb_case_t){
        .state = TB_ST_ACCEPTED, .arrived_ms = at(10, 10, 9), .accepted_ms = at(10, 10, 10)};
    tb_case_card_t ci;
    assert_int_equal(tb_case_card(&c, &now_item, cal, &lim, at(10, 10, 11), &ci), 0);
    assert_string_equal(tb_cardlevel_name(ci.level), "");
    assert_ms(ci.due_ms, end_of(10, 10));
    assert_ms(ci.next_ms, start_of(10, 11));
    assert_int_equal(tb_case_card(&c, &now_item, cal, &lim, start_of(10, 11), &ci), 0);
    assert_string_equal(tb_cardlevel_name(ci.level), "red");
    /* A promised limit needs the item. */
    c.state = TB_ST_ACCEPTED;
    tb_case_card_t cc;
    assert_int_equal(tb_case_card(&c, NULL, cal, &lim, at(10, 1, 0), &cc), -TB_EUNKNOWN_ITEM);
}

static void stage(const tb_limits_t *lim, int64_t due, int64_t now, tb_sup_stage_t want,
                  int64_t want_next)
{
    tb_sup_stage_t s = 99;
    int64_t next = 0;
    assert_int_equal(tb_sup_stage(cal, lim, due, now, &s, &next), 0);
    assert_string_equal(tb_sup_stage_name(s), tb_sup_stage_name(want));
    assert_ms(next, want_next);
}

/* An order due Wed 09-30: 催办 on the next working day, Thu 10-08; 通报 five
 * working days after the due day (10-08, 10-09, 10-10, 10-12, 10-13). */
static void test_supervision_timing(void **state)
{
    (void)state;
    tb_limits_t lim;
    tb_limits_default(&lim);
    int64_t due = end_of(9, 30);
    stage(&lim, due, at(9, 30, 12), TB_SUP_WAITING, start_of(10, 8));
    stage(&lim, due, start_of(10, 8) - 1, TB_SUP_WAITING, start_of(10, 8));
    stage(&lim, due, start_of(10, 8), TB_SUP_URGE, start_of(10, 13));
    stage(&lim, due, start_of(10, 13) - 1, TB_SUP_URGE, start_of(10, 13));
    stage(&lim, due, start_of(10, 13), TB_SUP_CIRCULATE, INT64_MAX);
    /* The periods are data. */
    assert_int_equal(tb_limits_set(&lim, "circulate_days", 2), 0);
    stage(&lim, due, start_of(10, 8), TB_SUP_URGE, start_of(10, 9));
}

static void test_limits(void **state)
{
    (void)state;
    tb_limits_t lim;
    tb_limits_default(&lim);
    const char *want[] = {"yellow_days",  "prereview_days",        "reply_days",
                          "urge_days",    "circulate_days",        "revisit_days",
                          "rectify_days", "complaint_accept_days", "complaint_days",
                          "consult_days"};
    const int def[] = {1, 2, 3, 1, 5, 1, 15, 5, 13, 3};
    int v, i = 0;
    for (const char *n; (n = tb_limits_name(&lim, i, &v)); i++) {
        assert_string_equal(n, want[i]);
        assert_int_equal(v, def[i]);
    }
    assert_int_equal(i, 10);
    assert_int_equal(tb_limits_set(&lim, "nope", 1), -ENOENT);
    assert_int_equal(tb_limits_set(&lim, "urge_days", 0), -ERANGE);
    assert_int_equal(tb_limits_set(&lim, "urge_days", TB_LIMIT_MAX + 1), -ERANGE);
    assert_int_equal(lim.urge_days, 1);
    assert_int_equal(tb_limits_set(&lim, "urge_days", TB_LIMIT_MAX), 0);
    assert_int_equal(lim.urge_days, TB_LIMIT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries_national_day),
        cmocka_unit_test(test_yellow_days),
        cmocka_unit_test(test_case_cards),
        cmocka_unit_test(test_supervision_timing),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
