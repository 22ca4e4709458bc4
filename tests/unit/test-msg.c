/* Unit tests for common/tb_msg: the words library code hands its caller
 * instead of printing them.  Appending, clearing, NULL, and a message longer
 * than the buffer cut at its end but never inside a UTF-8 character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tb_test.h"

#include "tb_msg.h"

static void test_add(void **state)
{
    (void)state;
    tb_msg_t m;
    memset(m.text, 'x', sizeof m.text);
    tb_msg_clear(&m);
    assert_string_equal(m.text, "");
    tb_msg_add(&m, "错误：%s\n", "甲");
    tb_msg_add(&m, "  %d %s\n", 7, "乙");
    assert_string_equal(m.text, "错误：甲\n  7 乙\n");
    tb_msg_clear(&m);
    assert_string_equal(m.text, "");
    /* NULL: nothing, and no crash. */
    tb_msg_clear(NULL);
    tb_msg_add(NULL, "%s", "ignored");
}

/* Filled to the end: the text stops at a character's boundary. */
static void test_cut(void **state)
{
    (void)state;
    static tb_msg_t m;
    for (size_t lead = 0; lead < 4; lead++) {
        tb_msg_clear(&m);
        for (size_t i = 0; i < lead; i++)
            tb_msg_add(&m, "a");
        for (size_t i = 0; i < TB_MSG_MAX; i++)
            tb_msg_add(&m, "字"); /* 3 bytes */
        size_t n = strlen(m.text);
        assert_true(n <= TB_MSG_MAX - 1);
        assert_true(n + 3 > TB_MSG_MAX - 1); /* no room for one more */
        assert_int_equal((n - lead) % 3, 0); /* whole characters only */
        if (n > lead)
            assert_memory_equal(m.text + n - 3, "字", 3);
    }
    /* One call that does not fit. */
    char big[TB_MSG_MAX + 16];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tb_msg_clear(&m);
    tb_msg_add(&m, "%s", big);
    assert_int_equal(strlen(m.text), TB_MSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
