/* The county's own number and id formatting (county_stmt.c), which replaced
 * snprintf on the batch's per-event paths (issue 13): every result, and every
 * cut at a short buffer, must be what snprintf wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <inttypes.h>

#include "county_int.h"

static const int64_t nums[] = {
    0,
    1,
    -1,
    9,
    10,
    -10,
    99,
    100,
    1733011200000,
    -1733011200000,
    4294967295,
    4294967296,
    999999999999999999,
    1000000000000000000,
    INT64_MAX,
    INT64_MIN,
    INT64_MIN + 1,
};

static void test_fmt_i64(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char want[24], got[24];
        int n = snprintf(want, sizeof want, "%" PRId64, nums[i]);
        memset(got, 'x', sizeof got);
        size_t len = county_fmt_i64(got, nums[i]);
        assert_string_equal(got, want);
        assert_int_equal(len, (size_t)n);
    }
    /* p_int writes through it */
    params_t p = {0};
    p_int(&p, INT64_MIN);
    p_int(&p, 42);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.v[0], "-9223372036854775808");
    assert_string_equal(p.v[1], "42");
    assert_int_equal(p.fmt[1], 0);
}

static void test_event_key(void **state)
{
    (void)state;
    const char *origins[] = {"360826101001", "", "3", "36082610100136082610100136082610"};
    const uint64_t seqs[] = {0, 1, 12345, UINT64_MAX};
    for (size_t o = 0; o < sizeof origins / sizeof origins[0]; o++)
        for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++)
            for (size_t size = 1; size <= 40; size++) {
                char want[48], got[48];
                memset(want, 'w', sizeof want);
                memset(got, 'w', sizeof got);
                snprintf(want, size, "%s/%" PRIu64, origins[o], seqs[s]);
                county_event_key(got, size, origins[o], seqs[s]);
                if (memcmp(want, got, sizeof want) != 0)
                    fail_msg("origin \"%s\" seq %" PRIu64 " size %zu: \"%s\" want \"%s\"",
                             origins[o], seqs[s], size, got, want);
            }
    char untouched[4] = "abc";
    county_event_key(untouched, 0, "360826101001", 7); /* as snprintf(.., 0, ..) */
    assert_string_equal(untouched, "abc");
}

static void test_code_of(void **state)
{
    (void)state;
    const char *ids[] = {"360826101001-20261202-000001", "360826101001", "36082610100", "", "3"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char want[TB_CODE_LEN + 1], got[TB_CODE_LEN + 1];
        snprintf(want, sizeof want, "%.12s", ids[i]);
        memset(got, 'x', sizeof got);
        county_code_of(ids[i], got);
        assert_string_equal(got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_i64),
        cmocka_unit_test(test_event_key),
        cmocka_unit_test(test_code_of),
    };
    return cmocka_run_group_tests_name("county-text", tests, NULL, NULL);
}
