/* Unit tests for common/tb_case: the state machine (every legal step, every
 * illegal (state, event) pair, wrong origins), case ids in China Standard
 * Time, the checks on what a person types (names, phones, UTF-8), and the
 * range of every number of the fold's text form (tb_casecodec).
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
#include "tongban_store.pb-c.h"

#define VILLAGE "360826100001"
#define VILLAGE2 "360826100002"  /* same township */
#define VILLAGE_B "360826102001" /* another township's village */
#define TOWNSHIP "360826100000"
#define TOWNSHIP2 "360826102000"
#define COUNTY "360826000000"
#define COUNTY2 "360827000000"
#define CASE_ID VILLAGE "-20261122-0001"

/* The state machine itself is tested exhaustively in test-case-lifecycle.c. */

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

/* ---- The fold as text, the form of old stores (tb_casecodec) ---- */

/* Every number of the text form at its bounds, written from what each field
 * means (not from the decoder's table): the last value in range decodes, one
 * past it does not.  The decoder once kept two arrays of bounds that
 * disagreed in length; this pins each field's range one by one. */
static void test_codec_ranges(void **state)
{
    (void)state;
    /* Words of "1 state holder pending version origin item resume have missing
     * owed noticed rating decision arrived accepted pledge_due decided closed
     * npauses": index, lowest and highest value. */
    static const struct {
        int word;
        const char *name;
        long long lo, hi;
    } f[] = {
        {0, "format", 1, 1},
        {1, "state", 0, 13},
        {4, "version", 0, 4294967295LL},
        {7, "resume", 0, 13},
        {8, "have", 0, 4294967295LL},
        {9, "missing", 0, 4294967295LL},
        {10, "owed", 0, 4294967295LL},
        {11, "noticed", 0, 1},
        {12, "rating", 0, 5},
        {13, "decision", 0, 2},
        {14, "arrived", 0, INT64_MAX},
        {15, "accepted", 0, INT64_MAX},
        {16, "pledge_due", 0, INT64_MAX},
        {17, "decided", 0, INT64_MAX},
        {18, "closed", 0, INT64_MAX},
    };
    static const char *words[20] = {"1", "3", "-", "-", "2", VILLAGE, "LD001", "0", "0", "0",
                                    "0", "0", "0", "0", "0", "0",     "0",     "0", "0", "0"};
    assert_int_equal(TB_ST_LAST - 1, 13);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        for (int k = 0; k < 4; k++) {
            /* k: 0 lo, 1 hi, 2 lo - 1, 3 hi + 1 (as text, so INT64_MAX + 1 overflows) */
            char num[40], text[TB_CASE_TEXT_MAX] = "";
            if (k == 0 || k == 1)
                snprintf(num, sizeof num, "%lld", k == 0 ? f[i].lo : f[i].hi);
            else if (k == 2)
                snprintf(num, sizeof num, "%lld", f[i].lo - 1);
            else if (f[i].hi == INT64_MAX)
                snprintf(num, sizeof num, "9223372036854775808");
            else
                snprintf(num, sizeof num, "%lld", f[i].hi + 1);
            for (int w = 0; w < 20; w++) {
                strcat(text, w ? " " : "");
                strcat(text, w == f[i].word ? num : words[w]);
            }
            tb_case_t c;
            int rc = tb_case_text_decode(text, &c);
            int want = k < 2 ? 0 : -TB_EDATA;
            if (rc != want)
                print_error("%s = %s: \"%s\"\n", f[i].name, num, text);
            assert_rc(rc, want);
        }
    }
    /* npauses: 0 to TB_CASE_PAUSES_MAX, each followed by its pairs. */
    for (int n = 0; n <= TB_CASE_PAUSES_MAX + 1; n++) {
        char text[TB_CASE_TEXT_MAX + 64] = "1 3 - - 2 " VILLAGE " LD001 0 0 0 0 0 0 0 0 0 0 0 0";
        snprintf(text + strlen(text), 8, " %d", n);
        for (int p = 0; p < n; p++)
            strcat(text, " 1772413200000 -1");
        tb_case_t c;
        int rc = tb_case_text_decode(text, &c);
        assert_rc(rc, n <= TB_CASE_PAUSES_MAX ? 0 : -TB_EDATA);
        if (rc == 0) {
            assert_int_equal(c.npauses, n);
            /* What decodes encodes to the same text. */
            char again[TB_CASE_TEXT_MAX];
            tb_case_text_encode(&c, again);
            assert_string_equal(again, text);
        }
    }
}

/* ---- The fold as stored (tb_case_pack, tb_case_unpack) ---- */

/* A fold with every field set: what a store writes for a busy case. */
static tb_case_t full_case(void)
{
    tb_case_t c = {0};
    c.state = TB_ST_SUSPENDED;
    strcpy(c.holder, TOWNSHIP);
    strcpy(c.pending, VILLAGE);
    c.version = 9;
    strcpy(c.origin, VILLAGE);
    strcpy(c.item, "YB003");
    c.resume = TB_ST_ACCEPTED;
    c.have = 5, c.missing = 2, c.owed = 16;
    c.noticed = true;
    c.rating = 4;
    c.decision = TB_DECISION_DENY;
    c.arrived_ms = 1772413200000, c.accepted_ms = 1772413300000;
    c.pledge_due_ms = 1772413400000, c.decided_ms = 1772413500000, c.closed_ms = 1772413600000;
    c.npauses = 2;
    c.pauses[0].start_ms = 1772413310000, c.pauses[0].end_ms = 1772413320000;
    c.pauses[1].start_ms = 1772413330000, c.pauses[1].end_ms = TB_PAUSE_OPEN;
    return c;
}

static void assert_same_fold(const tb_case_t *a, const tb_case_t *b)
{
    assert_int_equal(a->state, b->state);
    assert_string_equal(a->holder, b->holder);
    assert_string_equal(a->pending, b->pending);
    assert_int_equal(a->version, b->version);
    assert_string_equal(a->origin, b->origin);
    assert_string_equal(a->item, b->item);
    assert_int_equal(a->resume, b->resume);
    assert_int_equal(a->have, b->have);
    assert_int_equal(a->missing, b->missing);
    assert_int_equal(a->owed, b->owed);
    assert_int_equal(a->noticed, b->noticed);
    assert_int_equal(a->rating, b->rating);
    assert_int_equal(a->decision, b->decision);
    assert_int_equal(a->arrived_ms, b->arrived_ms);
    assert_int_equal(a->accepted_ms, b->accepted_ms);
    assert_int_equal(a->pledge_due_ms, b->pledge_due_ms);
    assert_int_equal(a->decided_ms, b->decided_ms);
    assert_int_equal(a->closed_ms, b->closed_ms);
    assert_int_equal(a->npauses, b->npauses);
    for (uint32_t i = 0; i < a->npauses; i++) {
        assert_int_equal(a->pauses[i].start_ms, b->pauses[i].start_ms);
        assert_int_equal(a->pauses[i].end_ms, b->pauses[i].end_ms);
    }
}

/* Every field of the fold comes back, and the largest fold fits the bound. */
static void test_pack_roundtrip(void **state)
{
    (void)state;
    tb_case_t c = full_case(), d;
    uint8_t buf[TB_CASE_PACKED_MAX];
    size_t n = tb_case_pack(&c, buf);
    assert_rc(tb_case_unpack(buf, n, &d), 0);
    assert_same_fold(&c, &d);
    /* The largest: 12-digit codes, a 15-byte item, every number at its
     * widest, every pause. */
    tb_case_t big = c;
    strcpy(big.item, "YB0030000000000");
    big.version = big.have = big.missing = big.owed = UINT32_MAX;
    big.state = big.resume = TB_ST_LAST - 1;
    big.rating = 5;
    big.arrived_ms = big.accepted_ms = big.pledge_due_ms = big.decided_ms = big.closed_ms =
        INT64_MAX;
    big.npauses = TB_CASE_PAUSES_MAX;
    for (int i = 0; i < TB_CASE_PAUSES_MAX; i++)
        big.pauses[i].start_ms = big.pauses[i].end_ms = INT64_MAX;
    n = tb_case_pack(&big, buf);
    assert_true(n <= TB_CASE_PACKED_MAX);
    assert_rc(tb_case_unpack(buf, n, &d), 0);
    assert_same_fold(&big, &d);
    /* A fresh case packs to nothing, and nothing is a fresh case. */
    tb_case_t fresh = {0};
    assert_int_equal(tb_case_pack(&fresh, buf), 0);
    memset(&d, 0xA5, sizeof d);
    assert_rc(tb_case_unpack(buf, 0, &d), 0);
    assert_same_fold(&fresh, &d);
}

/* Each bound of the stored fold, written from what each field means: the
 * last value in range decodes, one past it does not, and a refusal leaves
 * the output alone. */
static void test_unpack_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t lo, hi;    /* the last good values; lo - 1 and hi + 1 are refused */
        bool below, above; /* whether lo - 1, hi + 1 can be written at all */
    } f[] = {
        {"state", 0, TB_ST_LAST - 1, true, true},
        {"resume", 0, TB_ST_LAST - 1, true, true},
        {"rating", 0, 5, false, true},
        {"decision", 0, 2, false, true},
        {"arrived", 0, INT64_MAX, true, false},
        {"accepted", 0, INT64_MAX, true, false},
        {"pledge_due", 0, INT64_MAX, true, false},
        {"decided", 0, INT64_MAX, true, false},
        {"closed", 0, INT64_MAX, true, false},
        {"npauses", 0, TB_CASE_PAUSES_MAX, false, true},
        {"pause start", 0, INT64_MAX, true, false},
        {"pause end", -1, INT64_MAX, true, false},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        for (int k = 0; k < 4; k++) {
            if ((k == 2 && !f[i].below) || (k == 3 && !f[i].above))
                continue;
            int64_t v = k == 0 ? f[i].lo : k == 1 ? f[i].hi : k == 2 ? f[i].lo - 1 : f[i].hi + 1;
            Tongban__Store__V1__Pause p[TB_CASE_PAUSES_MAX + 1], *pp[TB_CASE_PAUSES_MAX + 1];
            for (int j = 0; j <= TB_CASE_PAUSES_MAX; j++) {
                tongban__store__v1__pause__init(&p[j]);
                p[j].start_ms = 5, p[j].end_ms = 6;
                pp[j] = &p[j];
            }
            Tongban__Store__V1__CaseFold m = TONGBAN__STORE__V1__CASE_FOLD__INIT;
            m.holder = (char *)TOWNSHIP;
            m.origin = (char *)VILLAGE;
            m.item = (char *)"YB003";
            m.pauses = pp;
            m.n_pauses = 1;
            switch (i) {
            case 0:
                m.state = (Tongban__Store__V1__CaseState)v;
                break;
            case 1:
                m.resume = (Tongban__Store__V1__CaseState)v;
                break;
            case 2:
                m.rating = (uint32_t)v;
                break;
            case 3:
                m.decision = (uint32_t)v;
                break;
            case 4:
                m.arrived_ms = v;
                break;
            case 5:
                m.accepted_ms = v;
                break;
            case 6:
                m.pledge_due_ms = v;
                break;
            case 7:
                m.decided_ms = v;
                break;
            case 8:
                m.closed_ms = v;
                break;
            case 9:
                m.n_pauses = (size_t)v;
                break;
            case 10:
                p[0].start_ms = v;
                break;
            case 11:
                p[0].end_ms = v;
                break;
            }
            uint8_t buf[1024];
            assert_true(tongban__store__v1__case_fold__get_packed_size(&m) <= sizeof buf);
            size_t n = tongban__store__v1__case_fold__pack(&m, buf);
            tb_case_t c, sentinel;
            memset(&c, 0xA5, sizeof c);
            sentinel = c;
            int rc = tb_case_unpack(buf, n, &c);
            int want = k < 2 ? 0 : -TB_EDATA;
            if (rc != want)
                print_error("%s = %lld\n", f[i].name, (long long)v);
            assert_rc(rc, want);
            if (rc < 0)
                assert_memory_equal(&c, &sentinel, sizeof c);
        }
    }
    /* The strings: codes empty or valid, the item under 16 bytes. */
    static const struct {
        int field; /* 0 holder, 1 pending, 2 origin, 3 item */
        const char *value;
        int want;
    } s[] = {
        {0, "", 0},       {0, "36082610000", -TB_EDATA}, {0, "3608261000000", -TB_EDATA},
        {1, TOWNSHIP, 0}, {1, "abc", -TB_EDATA},         {2, "36082610000x", -TB_EDATA},
        {3, "", 0},       {3, "YB0030000000000", 0},     {3, "YB00300000000000", -TB_EDATA},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        Tongban__Store__V1__CaseFold m = TONGBAN__STORE__V1__CASE_FOLD__INIT;
        char **field[] = {&m.holder, &m.pending, &m.origin, &m.item};
        *field[s[i].field] = (char *)s[i].value;
        uint8_t buf[256];
        size_t n = tongban__store__v1__case_fold__pack(&m, buf);
        tb_case_t c;
        int rc = tb_case_unpack(buf, n, &c);
        if (rc != s[i].want)
            print_error("string %d = \"%s\"\n", s[i].field, s[i].value);
        assert_rc(rc, s[i].want);
    }
}

/* What is not a fold of this program: an unknown field (a newer program's),
 * also inside a pause; a field of the wrong wire type; cut short; the text
 * form of old stores. */
static void test_unpack_foreign(void **state)
{
    (void)state;
    tb_case_t c = full_case(), d;
    uint8_t buf[TB_CASE_PACKED_MAX + 16];
    size_t n = tb_case_pack(&c, buf);
    assert_rc(tb_case_unpack(buf, n - 1, &d), -TB_EDATA);
    memcpy(buf + n, "\x98\x06\x01", 3); /* field 99 = 1 */
    assert_rc(tb_case_unpack(buf, n + 3, &d), -TB_EDATA);
    memcpy(buf + n, "\x0a\x01\x00", 3); /* field 1 (state) as bytes */
    assert_rc(tb_case_unpack(buf, n + 3, &d), -TB_EDATA);
    c.npauses = 0;
    n = tb_case_pack(&c, buf);
    memcpy(buf + n, "\x9a\x01\x04\x08\x01\x10\x02", 7); /* a pause {1, 2} by hand */
    assert_rc(tb_case_unpack(buf, n + 7, &d), 0);
    assert_int_equal(d.npauses, 1);
    assert_int_equal(d.pauses[0].end_ms, 2);
    memcpy(buf + n, "\x9a\x01\x06\x08\x01\x10\x02\x18\x01", 9); /* with field 3 = 1 */
    assert_rc(tb_case_unpack(buf, n + 9, &d), -TB_EDATA);
    char text[TB_CASE_TEXT_MAX];
    tb_case_text_encode(&c, text);
    assert_rc(tb_case_unpack((const uint8_t *)text, strlen(text), &d), -TB_EDATA);
    assert_rc(tb_case_unpack(NULL, 1, &d), -TB_EDATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caseid_format),  cmocka_unit_test(test_cst_day_before_epoch),
        cmocka_unit_test(test_caseid_valid),   cmocka_unit_test(test_check_phone),
        cmocka_unit_test(test_check_name),     cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_check_text),     cmocka_unit_test(test_codec_ranges),
        cmocka_unit_test(test_pack_roundtrip), cmocka_unit_test(test_unpack_bounds),
        cmocka_unit_test(test_unpack_foreign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
