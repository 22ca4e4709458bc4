/* Shared by the unit tests: cmocka plus an assertion for our int return codes
 * that prints both codes and their meaning. Include after <cmocka.h>'s needs
 * (stdarg.h, stddef.h, stdint.h, setjmp.h). */
#ifndef TB_TEST_H
#define TB_TEST_H

#include <cmocka.h>

#include "tb_error.h"

static inline void assert_rc_at(int got, int want, const char *expr, const char *file, int line)
{
    if (got != want)
        print_error("%s: got %d (%s), want %d (%s)\n", expr, got, got < 0 ? tb_strerror(got) : "-",
                    want, want < 0 ? tb_strerror(want) : "-");
    _assert_int_equal(cast_to_largest_integral_type(got), cast_to_largest_integral_type(want), file,
                      line);
}
#define assert_rc(got, want) assert_rc_at((got), (want), #got, __FILE__, __LINE__)

#endif
