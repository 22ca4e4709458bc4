/* Unit tests of the test hooks themselves, in a build with them (meson
 * -Dtest_hooks=true; in a build without them tests/unit/meson.build registers
 * a test of this name that fails saying so): fault injection (tb_fault,
 * TONGBAN_FAULT) parses its settings, refuses malformed ones and does what
 * they say; the injected wall clock (TONGBAN_TEST_CLOCK) sets tb_now_ms().
 * That the hooks are absent from a release build is checked by tests/run.sh
 * (strings on the release binaries). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tb_test.h"

#include "tb_fault.h"
#include "tb_log.h"

#ifndef TB_TEST_HOOKS
#error "test-hooks is built only with -Dtest_hooks=true (tests/unit/meson.build)"
#endif

static void fault_parse(void **state)
{
    (void)state;
    tb_fault_t f;
    assert_rc(tb_fault_parse(&f, ""), 0);
    assert_false(f.active);
    assert_int_equal(tb_fault_roll(&f), TB_FAULT_PASS);
    assert_rc(tb_fault_parse(&f, "seed=7,drop=1,crash_after_commit=3"), 0);
    assert_true(f.active);
    assert_int_equal(f.crash_after_commit, 3);
    for (int i = 0; i < 100; i++)
        assert_int_equal(tb_fault_roll(&f), TB_FAULT_DROP);
    assert_rc(tb_fault_parse(&f, "seed=7,drop=0,dup=0,delay=1"), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(tb_fault_roll(&f), TB_FAULT_DELAY);
    assert_rc(tb_fault_parse(&f, "drop=2"), -EINVAL);
    assert_rc(tb_fault_parse(&f, "drop"), -EINVAL);
    assert_rc(tb_fault_parse(&f, "lose=0.5"), -EINVAL);
    assert_rc(tb_fault_parse(&f, "drop=-0.1"), -EINVAL);
}

/* Half the envelopes dropped, over many rolls, with the same seed the same way. */
static void fault_rates(void **state)
{
    (void)state;
    tb_fault_t a, b;
    assert_rc(tb_fault_parse(&a, "seed=42,drop=0.5"), 0);
    assert_rc(tb_fault_parse(&b, "seed=42,drop=0.5"), 0);
    int drops = 0;
    for (int i = 0; i < 10000; i++) {
        tb_fault_action_t x = tb_fault_roll(&a);
        assert_int_equal(x, tb_fault_roll(&b));
        drops += x == TB_FAULT_DROP;
    }
    assert_in_range(drops, 4500, 5500);
}

static void fault_from_env(void **state)
{
    (void)state;
    tb_fault_t f;
    setenv("TONGBAN_FAULT", "dup=1", 1);
    assert_rc(tb_fault_from_env(&f), 0);
    assert_true(f.active);
    assert_int_equal(tb_fault_roll(&f), TB_FAULT_DUP);
    setenv("TONGBAN_FAULT", "dup=yes", 1);
    assert_rc(tb_fault_from_env(&f), -EINVAL);
    unsetenv("TONGBAN_FAULT");
    assert_rc(tb_fault_from_env(&f), 0);
    assert_false(f.active);
}

/* The clock starts at the instant in the file (2026-09-28 10:00 CST) and
 * runs on at real speed. */
static void test_clock(void **state)
{
    (void)state;
    const int64_t at = 1790560800000LL;
    char path[] = "/tmp/tb-test-clock-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "%lld\n", (long long)at);
    fclose(f);
    setenv("TONGBAN_TEST_CLOCK", path, 1);
    tb_log_init("test-hooks");
    int64_t now = tb_now_ms();
    unlink(path);
    assert_in_range(now, at, at + 60000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault_parse),
        cmocka_unit_test(fault_rates),
        cmocka_unit_test(fault_from_env),
        cmocka_unit_test(test_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
