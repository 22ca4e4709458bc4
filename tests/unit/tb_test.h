/* Shared by the unit tests: cmocka plus an assertion for our int return codes
 * that prints both codes and their meaning. Include after <cmocka.h>'s needs
 * (stdarg.h, stddef.h, stdint.h, setjmp.h). */
#ifndef TB_TEST_H
#define TB_TEST_H

#include <cmocka.h>

#include "tb_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void assert_rc_at(int got, int want, const char *expr, const char *file, int line)
{
    if (got != want)
        print_error("%s: got %d (%s), want %d (%s)\n", expr, got, got < 0 ? tb_strerror(got) : "-",
                    want, want < 0 ? tb_strerror(want) : "-");
    _assert_int_equal(cast_to_largest_integral_type(got), cast_to_largest_integral_type(want), file,
                      line);
}
#define assert_rc(got, want) assert_rc_at((got), (want), #got, __FILE__, __LINE__)

/* ---- Capturing stderr ---- */

/* One capture at a time per test program (these are per translation unit). */
static FILE *cap_file;
static int cap_saved = -1;

static inline void capture_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(2);
    assert_true(cap_saved >= 0);
    assert_int_equal(dup2(fileno(cap_file), 2), 2);
}

/* What was written to stderr since capture_start (the caller frees it). */
static inline char *capture_end(void)
{
    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    cap_saved = -1;
    long n = ftell(cap_file);
    char *buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    assert_non_null(buf);
    rewind(cap_file);
    if (n > 0)
        assert_int_equal(fread(buf, 1, (size_t)n, cap_file), (size_t)n);
    fclose(cap_file);
    cap_file = NULL;
    return buf;
}

#define assert_captured(want)                                                                      \
    do {                                                                                           \
        char *got_ = capture_end();                                                                \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

#endif
