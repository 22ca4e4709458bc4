/* Unit tests for common/tb_case: the state machine (every legal step, every
 * illegal (state, event) pair, wrong origins), case ids in China Standard
 * Time, and the checks on what a person types (names, phones, UTF-8).
 *
 * Expected dates come from timegm(), not from the library's own civil-date
 * code; the legal steps are written out from the diagram in tb_case.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tb_test.h"

#include "tb_case.h"
#include "tb_error.h"

#define VILLAGE "360826100001"
#define VILLAGE2 "360826100002"  /* same township */
#define VILLAGE_B "360826102001" /* another township's village */
#define TOWNSHIP "360826100000"
#define TOWNSHIP2 "360826102000"
#define COUNTY "360826000000"
#define COUNTY2 "360827000000"
#define CASE_ID VILLAGE "-20261122-0001"


/* ---- State machine ---- */

typedef struct {
    tb_event_type_t type;
    const char *origin, *target;
    tb_state_t state; /* after the step */
    const char *holder, *pending;
} legal_t;

/* The one legal path, in order: each row is legal from the state the previous row left. */
static const legal_t path[] = {
    {TB_EV_LOGGED, VILLAGE, NULL, TB_ST_LOGGED, VILLAGE, ""},
    {TB_EV_SUBMITTED, VILLAGE, TOWNSHIP, TB_ST_SUBMITTED, VILLAGE, TOWNSHIP},
    {TB_EV_RECEIVED, TOWNSHIP, NULL, TB_ST_PREREVIEW, TOWNSHIP, ""},
    {TB_EV_ACCEPTED, TOWNSHIP, NULL, TB_ST_ACCEPTED, TOWNSHIP, ""},
    {TB_EV_FORWARDED, TOWNSHIP, COUNTY, TB_ST_ESCALATED, TOWNSHIP, COUNTY},
    {TB_EV_RECEIVED, COUNTY, NULL, TB_ST_COUNTY, COUNTY, ""},
};
#define NPATH (sizeof path / sizeof path[0])

static int step(const tb_case_t *cur, tb_event_type_t type, const char *origin, const char *target,
                tb_case_t *ret_next)
{
    tb_step_t ev = {type, CASE_ID, origin, target};
    return tb_case_step(cur, &ev, ret_next);
}

/* The case after the first n steps of the legal path. */
static tb_case_t case_after(size_t n)
{
    tb_case_t c = {0};
    for (size_t i = 0; i < n; i++) {
        tb_case_t next;
        assert_rc(step(&c, path[i].type, path[i].origin, path[i].target, &next), 0);
        c = next;
    }
    return c;
}

/* The case in a given state (reached along the legal path). */
static tb_case_t case_in(tb_state_t s)
{
    for (size_t n = 0; n <= NPATH; n++) {
        tb_case_t c = case_after(n);
        if (c.state == s)
            return c;
    }
    fail_msg("state %d not on the path", (int)s);
    return (tb_case_t){0};
}

static void test_legal_path(void **state)
{
    (void)state;
    tb_case_t cur = {0};
    assert_int_equal(cur.state, TB_ST_NONE);
    for (size_t i = 0; i < NPATH; i++) {
        tb_case_t next;
        memset(&next, 0x5a, sizeof next);
        assert_rc(step(&cur, path[i].type, path[i].origin, path[i].target, &next), 0);
        assert_string_equal(tb_state_name(next.state), tb_state_name(path[i].state));
        assert_string_equal(next.holder, path[i].holder);
        assert_string_equal(next.pending, path[i].pending);
        assert_int_equal(next.version, cur.version + 1);
        assert_int_equal(next.version, i + 1);
        cur = next;
    }
    assert_int_equal(cur.state, TB_ST_COUNTY);
    assert_int_equal(cur.version, 6);
}

static void test_fold_does_not_touch_input(void **state)
{
    (void)state;
    /* cur and ret_next may be the same object: the input is read before writing. */
    tb_case_t c = case_after(1);
    assert_rc(step(&c, TB_EV_SUBMITTED, VILLAGE, TOWNSHIP, &c), 0);
    assert_int_equal(c.state, TB_ST_SUBMITTED);
    assert_int_equal(c.version, 2);
    assert_string_equal(c.pending, TOWNSHIP);
}

static bool is_legal(tb_state_t s, int t)
{
    for (size_t i = 0; i < NPATH; i++) {
        tb_state_t from = i == 0 ? TB_ST_NONE : path[i - 1].state;
        if (from == s && (int)path[i].type == t)
            return true;
    }
    return false;
}

static void test_illegal_pairs(void **state)
{
    (void)state;
    int checked = 0;
    for (int s = TB_ST_NONE; s < TB_ST_LAST; s++) {
        tb_case_t cur = case_in((tb_state_t)s);
        for (int t = TB_EV_NONE; t <= TB_EV_LAST + 1; t++) {
            if (is_legal((tb_state_t)s, t))
                continue;
            /* The rightful actor, so only the state can be at fault: the
             * pending node for RECEIVED, else the holder (the village whose
             * code the case id bears when there is no case yet). */
            const char *origin = cur.holder[0] ? cur.holder : VILLAGE;
            if (t == TB_EV_RECEIVED && cur.pending[0])
                origin = cur.pending;
            const char *target = t == TB_EV_SUBMITTED   ? TOWNSHIP
                                 : t == TB_EV_FORWARDED ? COUNTY
                                                        : NULL;
            tb_case_t next, sentinel;
            memset(&next, 0x5a, sizeof next);
            sentinel = next;
            int rc = step(&cur, (tb_event_type_t)t, origin, target, &next);
            if (rc != -TB_EILLEGAL)
                print_error("state %s, event %s (%d) by %s\n", tb_state_name((tb_state_t)s),
                            tb_event_name((tb_event_type_t)t), t, origin);
            assert_rc(rc, -TB_EILLEGAL);
            assert_memory_equal(&next, &sentinel, sizeof next); /* untouched on failure */
            checked++;
        }
    }
    /* 7 states x 8 event values (0..7: none, the five types, two out of range),
     * minus the 6 legal pairs. */
    assert_int_equal(checked, 7 * 8 - 6);
}

static void test_wrong_origin(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        tb_state_t from;
        tb_event_type_t type;
        const char *origin, *target;
    } t[] = {
        {"township not named as target receives", TB_ST_SUBMITTED, TB_EV_RECEIVED, TOWNSHIP2, NULL},
        {"the submitting village receives", TB_ST_SUBMITTED, TB_EV_RECEIVED, VILLAGE, NULL},
        {"the county receives a submission", TB_ST_SUBMITTED, TB_EV_RECEIVED, COUNTY, NULL},
        {"another county receives", TB_ST_ESCALATED, TB_EV_RECEIVED, COUNTY2, NULL},
        {"the forwarding township receives", TB_ST_ESCALATED, TB_EV_RECEIVED, TOWNSHIP, NULL},
        {"receive with no origin", TB_ST_SUBMITTED, TB_EV_RECEIVED, NULL, NULL},
        {"village accepts", TB_ST_PREREVIEW, TB_EV_ACCEPTED, VILLAGE, NULL},
        {"other township accepts", TB_ST_PREREVIEW, TB_EV_ACCEPTED, TOWNSHIP2, NULL},
        {"county accepts before it holds", TB_ST_PREREVIEW, TB_EV_ACCEPTED, COUNTY, NULL},
        {"township submits the village's case", TB_ST_LOGGED, TB_EV_SUBMITTED, TOWNSHIP, TOWNSHIP},
        {"other village submits", TB_ST_LOGGED, TB_EV_SUBMITTED, VILLAGE2, TOWNSHIP},
        {"village forwards", TB_ST_ACCEPTED, TB_EV_FORWARDED, VILLAGE, COUNTY},
        {"submit with no origin", TB_ST_LOGGED, TB_EV_SUBMITTED, NULL, TOWNSHIP},
        {"LOGGED by another village", TB_ST_NONE, TB_EV_LOGGED, VILLAGE2, NULL},
        {"LOGGED by a village of another township", TB_ST_NONE, TB_EV_LOGGED, VILLAGE_B, NULL},
        {"LOGGED by the township", TB_ST_NONE, TB_EV_LOGGED, TOWNSHIP, NULL},
        {"LOGGED by the county", TB_ST_NONE, TB_EV_LOGGED, COUNTY, NULL},
        {"LOGGED with no origin", TB_ST_NONE, TB_EV_LOGGED, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_case_t cur = case_in(t[i].from), next, sentinel;
        memset(&next, 0x5a, sizeof next);
        sentinel = next;
        int rc = step(&cur, t[i].type, t[i].origin, t[i].target, &next);
        if (rc != -TB_ENOTHOLDER)
            print_error("case %zu: %s\n", i, t[i].what);
        assert_rc(rc, -TB_ENOTHOLDER);
        assert_memory_equal(&next, &sentinel, sizeof next);
    }

    /* LOGGED: only the village a case id names may create it, and the id must
     * carry that code followed by '-'. */
    tb_case_t none = {0}, next;
    static const char *const bad_ids[] = {
        VILLAGE2 "-20261122-0001",
        TOWNSHIP "-20261122-0001",
        VILLAGE "20261122-0001",
        "",
        "36082610000",
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        tb_step_t ev = {TB_EV_LOGGED, bad_ids[i], VILLAGE, NULL};
        int rc = tb_case_step(&none, &ev, &next);
        if (rc != -TB_ENOTHOLDER)
            print_error("case id \"%s\"\n", bad_ids[i]);
        assert_rc(rc, -TB_ENOTHOLDER);
    }
    tb_step_t no_id = {TB_EV_LOGGED, NULL, VILLAGE, NULL};
    assert_rc(tb_case_step(&none, &no_id, &next), -TB_ENOTHOLDER);
}

/* A handover to the wrong node: the holder may move the case, but not there.
 * tb_case.h documents -TB_ENOTHOLDER as "origin may not move the case" and
 * -TB_EILLEGAL as "the state does not allow it"; the code answers
 * -TB_EILLEGAL for a wrong target (tb_case.c, the SUBMITTED and FORWARDED
 * branches).  The brief for these tests asked for -TB_ENOTHOLDER; this test
 * pins today's documented behaviour and the report raises the question. */
static void test_wrong_target(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        tb_state_t from;
        tb_event_type_t type;
        const char *target;
    } t[] = {
        {"SUBMITTED to a township not the village's parent", TB_ST_LOGGED, TB_EV_SUBMITTED,
         TOWNSHIP2},
        {"SUBMITTED to the county", TB_ST_LOGGED, TB_EV_SUBMITTED, COUNTY},
        {"SUBMITTED to a village", TB_ST_LOGGED, TB_EV_SUBMITTED, VILLAGE2},
        {"SUBMITTED to nobody", TB_ST_LOGGED, TB_EV_SUBMITTED, NULL},
        {"SUBMITTED to a malformed code", TB_ST_LOGGED, TB_EV_SUBMITTED, "36082610000"},
        {"FORWARDED to a county not the parent", TB_ST_ACCEPTED, TB_EV_FORWARDED, COUNTY2},
        {"FORWARDED to a township", TB_ST_ACCEPTED, TB_EV_FORWARDED, TOWNSHIP2},
        {"FORWARDED to nobody", TB_ST_ACCEPTED, TB_EV_FORWARDED, ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_case_t cur = case_in(t[i].from), next;
        int rc = step(&cur, t[i].type, cur.holder, t[i].target, &next);
        if (rc != -TB_EILLEGAL)
            print_error("case %zu: %s\n", i, t[i].what);
        assert_rc(rc, -TB_EILLEGAL);
    }
}

static void test_names(void **state)
{
    (void)state;
    static const char *const states[] = {"none",     "logged",    "submitted", "prereview",
                                         "accepted", "escalated", "county"};
    for (int s = 0; s < TB_ST_LAST; s++) {
        assert_string_equal(tb_state_name((tb_state_t)s), states[s]);
        assert_int_equal(tb_state_from_name(states[s]), s);
        assert_non_null(tb_state_label((tb_state_t)s));
    }
    assert_string_equal(tb_state_name(TB_ST_LAST), "invalid");
    assert_string_equal(tb_state_name((tb_state_t)-1), "invalid");
    assert_int_equal(tb_state_from_name("closed"), TB_ST_NONE);
    assert_int_equal(tb_state_from_name(""), TB_ST_NONE);
    assert_int_equal(tb_state_from_name(NULL), TB_ST_NONE);
    static const char *const events[] = {"none",     "logged",   "submitted",
                                         "received", "accepted", "forwarded"};
    for (int t = 0; t < TB_EV_LAST; t++)
        assert_string_equal(tb_event_name((tb_event_type_t)t), events[t]);
    assert_string_equal(tb_event_name(TB_EV_LAST), "invalid");
}

/* ---- Case ids ---- */

static int64_t utc_ms(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000;
}

static void test_caseid_format(void **state)
{
    (void)state;
    char id[TB_CASEID_MAX];

    /* 16:00 UTC is midnight in China: the day turns over. */
    int64_t midnight = utc_ms(2026, 11, 21, 16, 0, 0);
    assert_rc(tb_caseid_format(VILLAGE, midnight, 1, id), 0);
    assert_string_equal(id, VILLAGE "-20261122-0001");
    assert_rc(tb_caseid_format(VILLAGE, midnight - 1, 1, id), 0);
    assert_string_equal(id, VILLAGE "-20261121-0001");
    assert_int_equal(tb_cst_yyyymmdd(midnight), 20261122);
    assert_int_equal(tb_cst_yyyymmdd(midnight - 1), 20261121);

    /* Year and month ends, leap day, the epoch. */
    assert_int_equal(tb_cst_yyyymmdd(utc_ms(2026, 12, 31, 16, 0, 0)), 20270101);
    assert_int_equal(tb_cst_yyyymmdd(utc_ms(2026, 12, 31, 15, 59, 59)), 20261231);
    assert_int_equal(tb_cst_yyyymmdd(utc_ms(2028, 2, 28, 16, 0, 0)), 20280229);
    assert_int_equal(tb_cst_yyyymmdd(utc_ms(2026, 2, 28, 16, 0, 0)), 20260301);
    assert_int_equal(tb_cst_yyyymmdd(0), 19700101);
    assert_int_equal(tb_cst_yyyymmdd(-8 * 3600 * 1000), 19700101);
    assert_int_equal(tb_cst_yyyymmdd(-8 * 3600 * 1000 - 1000), 19691231);

    /* Sequence: at least 4 digits, growing past them. */
    assert_rc(tb_caseid_format(VILLAGE, midnight, 9999, id), 0);
    assert_string_equal(id, VILLAGE "-20261122-9999");
    assert_rc(tb_caseid_format(VILLAGE, midnight, 12345, id), 0);
    assert_string_equal(id, VILLAGE "-20261122-12345");
    assert_rc(tb_caseid_format(VILLAGE, midnight, UINT32_MAX, id), 0);
    assert_string_equal(id, VILLAGE "-20261122-4294967295");
    assert_true(tb_caseid_valid(id));

    /* Errors leave the buffer alone. */
    memcpy(id, "untouched", 10);
    assert_rc(tb_caseid_format(VILLAGE, midnight, 0, id), -TB_EINVAL_CODE);
    assert_rc(tb_caseid_format("36082610000", midnight, 1, id), -TB_EINVAL_CODE);
    assert_rc(tb_caseid_format("36082610000x", midnight, 1, id), -TB_EINVAL_CODE);
    assert_rc(tb_caseid_format(NULL, midnight, 1, id), -TB_EINVAL_CODE);
    assert_string_equal(id, "untouched");

    /* Every formatted id is valid. */
    for (uint32_t seq = 1; seq < 100000; seq = seq * 3 + 1) {
        assert_rc(tb_caseid_format(VILLAGE, midnight + (int64_t)seq * 86400000, seq, id), 0);
        assert_true(tb_caseid_valid(id));
    }
}

/* The last millisecond before a CST midnight before 1970: at_ms / 1000
 * truncates toward zero, so -28800001 ms becomes -28800 s (1970-01-01 00:00
 * CST) instead of -28801 s (1969-12-31 23:59:59).  Only pre-1970 times are
 * affected, and only in their last second before midnight. */
static void test_cst_day_before_epoch(void **state)
{
    (void)state;
    assert_int_equal(tb_cst_yyyymmdd(-8 * 3600 * 1000 - 1), 19691231);
    assert_int_equal(tb_cst_yyyymmdd(utc_ms(1969, 7, 20, 16, 0, 0) - 1), 19690720);
}

static void test_caseid_valid(void **state)
{
    (void)state;
    static const char *const good[] = {
        VILLAGE "-20261122-0001",  VILLAGE "-20261231-9999",  VILLAGE "-20260101-0000000001",
        VILLAGE "-20260131-12345", TOWNSHIP "-20261122-0001",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!tb_caseid_valid(good[i]))
            print_error("\"%s\" should be valid\n", good[i]);
        assert_true(tb_caseid_valid(good[i]));
    }
    static const char *const bad[] = {
        "",
        VILLAGE,
        VILLAGE "-20261122-",
        VILLAGE "-20261122-001",         /* seq 3 digits: 25 chars */
        VILLAGE "-20261122-00000000001", /* seq 11 digits: 33 chars */
        "36082610000-20261122-0001",     /* code 11 digits */
        "3608261000011-20261122-0001",   /* code 13 digits */
        "36082610000a-20261122-0001",    /* letter in the code */
        VILLAGE "-2026112a-0001",        /* letter in the date */
        VILLAGE "-20261122-000a",        /* letter in the seq */
        VILLAGE "-20261122-0001x",
        VILLAGE "-20261322-0001", /* month 13 */
        VILLAGE "-20260022-0001", /* month 00 */
        VILLAGE "-20261100-0001", /* day 00 */
        VILLAGE "-20261132-0001", /* day 32 */
        VILLAGE "_20261122-0001",
        VILLAGE "-20261122_0001",
        VILLAGE "-2026-11-22-0001",
        VILLAGE "--20261122-0001",
        " " VILLAGE "-20261122-0001",
        VILLAGE "-20261122-0001 ",
        VILLAGE "-20261122--001",
        VILLAGE "-20261122-+001",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (tb_caseid_valid(bad[i]))
            print_error("\"%s\" should be invalid\n", bad[i]);
        assert_false(tb_caseid_valid(bad[i]));
    }
    assert_false(tb_caseid_valid(NULL));
}

/* ---- What a person types ---- */

static void test_check_phone(void **state)
{
    (void)state;
    static const char *const good[] = {
        "13800138000",  "19912345678", "15000000000",   "0796-5321234", "07965321234",
        "010-12345678", "01012345678", "0796-53212345", "0796532123",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int rc = tb_check_phone(good[i]);
        if (rc != 0)
            print_error("\"%s\"\n", good[i]);
        assert_rc(rc, 0);
    }
    static const char *const bad[] = {
        "",
        "12345678901",
        "1380013800",
        "138001380000",
        "0796-532",
        "abc",
        "1380013800a",
        "13800 138000",
        "+8613800138000",
        "0796-532123a",
        "0796--5321234",
        "07-965321234",
        "079653-21234",
        "0796-",
        "-5321234",
        "23800138000",
        "10800138000",
        "11800138000",
        "0796-123456789",
        "0123456789012",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = tb_check_phone(bad[i]);
        if (rc != -TB_EBADPHONE)
            print_error("\"%s\"\n", bad[i]);
        assert_rc(rc, -TB_EBADPHONE);
    }
    assert_rc(tb_check_phone(NULL), -TB_EBADPHONE);
}

static void test_check_name(void **state)
{
    (void)state;
    assert_rc(tb_check_name("李四"), 0);
    assert_rc(tb_check_name("Li Si"), 0);
    assert_rc(tb_check_name("欧阳 娜娜"), 0);
    char name[80];
    memset(name, 'a', 64);
    name[64] = '\0';
    assert_rc(tb_check_name(name), 0); /* 64 bytes: the limit */
    memset(name, 'a', 65);
    name[65] = '\0';
    assert_rc(tb_check_name(name), -TB_EBADNAME);
    /* 21 CJK characters = 63 bytes fit, 22 = 66 bytes do not. */
    name[0] = '\0';
    for (int i = 0; i < 21; i++)
        strcat(name, "张");
    assert_int_equal(strlen(name), 63);
    assert_rc(tb_check_name(name), 0);
    strcat(name, "张");
    assert_rc(tb_check_name(name), -TB_EBADNAME);

    static const char *const bad[] = {
        "",
        " ",
        "   ",
        "\t",
        " \t ",
        "李\n四",
        "李四\n",
        "\xe6\x9d",
        "\xff",
        "李\xc0\x80四",
        ("a\x01"
         "b"),
        "\r",
        "李\r四",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = tb_check_name(bad[i]);
        if (rc != -TB_EBADNAME)
            print_error("name case %zu\n", i);
        assert_rc(rc, -TB_EBADNAME);
    }
    assert_rc(tb_check_name(NULL), -TB_EBADNAME);
}

static void test_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        bool ok;
    } t[] = {
        {"", 0, true},
        {"abc", 3, true},
        {"a\0b", 3, true},
        {"\x7f", 1, true},
        {"\xc2\x80", 2, true},     /* U+0080, smallest 2-byte */
        {"\xdf\xbf", 2, true},     /* U+07FF */
        {"\xe0\xa0\x80", 3, true}, /* U+0800, smallest 3-byte */
        {"李四", 6, true},
        {"\xed\x9f\xbf", 3, true},     /* U+D7FF, just below the surrogates */
        {"\xee\x80\x80", 3, true},     /* U+E000, just above */
        {"\xef\xbf\xbf", 3, true},     /* U+FFFF */
        {"\xf0\x90\x80\x80", 4, true}, /* U+10000, smallest 4-byte */
        {"\xf0\x9f\x98\x80", 4, true}, /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 4, true}, /* U+10FFFF, the last */
        /* Overlongs. */
        {"\xc0\x80", 2, false},
        {"\xc0\xaf", 2, false},
        {"\xc1\xbf", 2, false},
        {"\xe0\x80\x80", 3, false},
        {"\xe0\x9f\xbf", 3, false},
        {"\xf0\x80\x80\x80", 4, false},
        {"\xf0\x8f\xbf\xbf", 4, false},
        /* Surrogates. */
        {"\xed\xa0\x80", 3, false}, /* U+D800 */
        {"\xed\xaf\xbf", 3, false},
        {"\xed\xb0\x80", 3, false},
        {"\xed\xbf\xbf", 3, false},             /* U+DFFF */
        {"\xed\xa0\xbd\xed\xb8\x80", 6, false}, /* CESU-8 pair */
        /* Beyond U+10FFFF. */
        {"\xf4\x90\x80\x80", 4, false},
        {"\xf5\x80\x80\x80", 4, false},
        {"\xf7\xbf\xbf\xbf", 4, false},
        {"\xf8\x88\x80\x80\x80", 5, false},
        {"\xfc\x84\x80\x80\x80\x80", 6, false},
        {"\xfe", 1, false},
        {"\xff", 1, false},
        /* Truncated sequences, at the end and in the middle. */
        {"\xc3", 1, false},
        {"\xe6\x9d", 2, false},
        {"\xf0\x9f\x98", 3, false},
        {"a\xf0\x9f\x98", 4, false},
        {"\xe6\x9d"
         "a",
         3, false},
        {"李四", 5, false}, /* len cuts the last character */
        {"李四", 4, false},
        /* Stray or wrong continuation bytes. */
        {"\x80", 1, false},
        {"\xbf", 1, false},
        {"a\x80"
         "b",
         3, false},
        {"\xc3\x28", 2, false},
        {"\xe2\x28\xa1", 3, false},
        {"\xe2\x82\x28", 3, false},
        {"\xf0\x28\x8c\xbc", 4, false},
        {"\xc3\xa9\xa9", 3, false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        /* Through an exactly-sized heap copy, so ASan catches a read past len. */
        char *copy = malloc(t[i].len ? t[i].len : 1);
        assert_non_null(copy);
        memcpy(copy, t[i].s, t[i].len);
        bool got = tb_utf8_valid(copy, t[i].len);
        free(copy);
        if (got != t[i].ok)
            print_error("case %zu: want %s\n", i, t[i].ok ? "valid" : "invalid");
        assert_int_equal(got, t[i].ok);
    }
}

static void test_check_text(void **state)
{
    (void)state;
    assert_rc(tb_check_text("", 0), 0);
    assert_rc(tb_check_text("多行\n备注\t可以", 100), 0);
    assert_rc(tb_check_text("abcd", 3), -TB_ETOOLONG);
    assert_rc(tb_check_text("abc", 3), 0);
    assert_rc(tb_check_text("\xff", 10), -TB_EDECODE);
    assert_rc(tb_check_text("a\x1b[31m", 10), -TB_EDECODE); /* terminal escapes */
    assert_rc(tb_check_text("a\rb", 10), -TB_EDECODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal_path),    cmocka_unit_test(test_fold_does_not_touch_input),
        cmocka_unit_test(test_illegal_pairs), cmocka_unit_test(test_wrong_origin),
        cmocka_unit_test(test_wrong_target),  cmocka_unit_test(test_names),
        cmocka_unit_test(test_caseid_format), cmocka_unit_test(test_cst_day_before_epoch),
        cmocka_unit_test(test_caseid_valid),  cmocka_unit_test(test_check_phone),
        cmocka_unit_test(test_check_name),    cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_check_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
