/* Unit tests for common/tb_input: what free text may hold (every refused
 * class of character, both ways at its boundaries), the sentence that names
 * the field and the character (Chinese and English), the safe form of
 * stored text for output, and the masking of phone and ID numbers in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"

#include <cmocka.h>

static void test_faults(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned flags;
        tb_text_fault_t fault;
        uint32_t cp;
        size_t at;
    } t[] = {
        {"李四", 0, TB_TEXT_OK, 0, 0},
        {"", 0, TB_TEXT_OK, 0, 0},
        {"", TB_TEXT_REQUIRED, TB_TEXT_EMPTY, 0, 0},
        {" \t", TB_TEXT_REQUIRED | TB_TEXT_MULTILINE, TB_TEXT_EMPTY, 0, 0},
        {"\xe3\x80\x80", TB_TEXT_REQUIRED, TB_TEXT_EMPTY, 0, 0}, /* U+3000 only */
        {"多行\n备注\t可以", TB_TEXT_MULTILINE, TB_TEXT_OK, 0, 0},
        {"李\n四", 0, TB_TEXT_NEWLINE, '\n', 2},
        {"李四\t", 0, TB_TEXT_NEWLINE, '\t', 3},
        {"a\xe2\x80\xa8"
         "b",
         TB_TEXT_MULTILINE, TB_TEXT_NEWLINE, 0x2028, 2},
        {"a\rb", TB_TEXT_MULTILINE, TB_TEXT_CONTROL, '\r', 2},
        {"\x1b[31m", TB_TEXT_MULTILINE, TB_TEXT_CONTROL, 0x1B, 1},
        {"a\x7f", 0, TB_TEXT_CONTROL, 0x7F, 2},
        {"a~", 0, TB_TEXT_OK, 0, 0}, /* U+007E: the last printable ASCII */
        {"决定\xc2\x9b"
         "2J",
         0, TB_TEXT_C1, 0x9B, 3},
        {"\xc2\x80", 0, TB_TEXT_C1, 0x80, 1},
        {"\xc2\x9f", 0, TB_TEXT_C1, 0x9F, 1},
        {"\xc2\xa0x", 0, TB_TEXT_OK, 0, 0}, /* U+00A0: just past C1 */
        {"准予\xe2\x80\xae"
         "予准",
         0, TB_TEXT_BIDI, 0x202E, 3},
        {"\xe2\x80\xaa", 0, TB_TEXT_BIDI, 0x202A, 1},
        {"\xe2\x81\xa6", 0, TB_TEXT_BIDI, 0x2066, 1},
        {"\xe2\x81\xa9", 0, TB_TEXT_BIDI, 0x2069, 1},
        {"\xe2\x80\xa9", 0, TB_TEXT_NEWLINE, 0x2029, 1},
        {"\xe2\x80\xaf", 0, TB_TEXT_OK, 0, 0}, /* U+202F: just past the overrides */
        {"\xe2\x81\xaa", 0, TB_TEXT_OK, 0, 0}, /* U+206A: just past the isolates */
        {"a\xe2\x80\x8f"
         "b",
         0, TB_TEXT_OK, 0, 0},                        /* U+200F RLM: a mark, allowed */
        {"\xe2\x80\x8b", 0, TB_TEXT_INVISIBLE, 0, 0}, /* ZWSP */
        {"\xe2\x80\x8b \xef\xbb\xbf", TB_TEXT_REQUIRED, TB_TEXT_INVISIBLE, 0, 0},
        {"李\xe2\x80\x8d", 0, TB_TEXT_OK, 0, 0}, /* a joiner next to text is text */
        {"a\xff", 0, TB_TEXT_UTF8, 0xFF, 2},
        {"\xc0\x80", 0, TB_TEXT_UTF8, 0xC0, 1},
        {"\xed\xa0\x80", 0, TB_TEXT_UTF8, 0xED, 1}, /* a surrogate */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_text_problem_t p;
        tb_text_fault_t f = tb_text_inspect(t[i].text, 100, t[i].flags, &p);
        if (f != t[i].fault || p.cp != t[i].cp || p.at != t[i].at)
            print_error("case %zu: fault %d cp U+%04X at %zu, want %d U+%04X at %zu\n", i, f,
                        (unsigned)p.cp, p.at, t[i].fault, (unsigned)t[i].cp, t[i].at);
        assert_int_equal(f, t[i].fault);
        assert_int_equal(p.fault, f);
        assert_int_equal(p.cp, t[i].cp);
        assert_int_equal(p.at, t[i].at);
    }
    tb_text_problem_t p;
    assert_int_equal(tb_text_inspect("abcd", 3, 0, &p), TB_TEXT_TOOLONG);
    assert_int_equal(tb_text_inspect("abc", 3, 0, &p), TB_TEXT_OK);
    assert_int_equal(tb_text_inspect(NULL, 3, 0, &p), TB_TEXT_OK);
    assert_int_equal(tb_text_inspect(NULL, 3, TB_TEXT_REQUIRED, &p), TB_TEXT_EMPTY);
}

/* The old entry points keep their codes, and now refuse the new classes. */
static void test_checks(void **state)
{
    (void)state;
    assert_rc(tb_check_text("多行\n备注", 100), 0);
    assert_rc(tb_check_text("a\xc2\x9b", 100), -TB_EDECODE);
    assert_rc(tb_check_text("a\xe2\x80\xae", 100), -TB_EDECODE);
    assert_rc(tb_check_text("a\x7f", 100), -TB_EDECODE);
    assert_rc(tb_check_text("\xe2\x80\x8b", 100), -TB_EDECODE);
    assert_rc(tb_check_text("abcd", 3), -TB_ETOOLONG);
    assert_rc(tb_check_line("a b", 100), 0);
    assert_rc(tb_check_line("a\nb", 100), -TB_EDECODE);
    assert_rc(tb_check_name("李\xe2\x80\xae四"), -TB_EBADNAME);
    assert_rc(tb_check_name("\xe2\x80\x8b"), -TB_EBADNAME);
    assert_rc(tb_check_name("李\xc2\x9b"), -TB_EBADNAME);
    assert_rc(tb_check_name("李\t四"), -TB_EBADNAME);
    assert_rc(tb_check_name("欧阳 娜娜"), 0);
}

static void test_describe(void **state)
{
    (void)state;
    char buf[300];
    tb_lang_set_en(false);
    assert_rc(tb_text_check_field("备注", "准予\xe2\x80\xae", 100, 0, buf, sizeof buf),
              -TB_EDECODE);
    assert_string_equal(buf, "备注含双向文字控制符 U+202E（第 3 个字符），它会改变文字的显示顺序");
    assert_rc(tb_text_check_field("理由", "a\xc2\x9b", 100, 0, buf, sizeof buf), -TB_EDECODE);
    assert_string_equal(buf, "理由含 C1 控制字符 U+009B（第 2 个字符）");
    assert_rc(tb_text_check_field("群众姓名", "李\n四", 64, 0, buf, sizeof buf), -TB_EDECODE);
    assert_string_equal(buf, "群众姓名须为一行，不能含换行符或制表符 U+000A（第 2 个字符）");
    assert_rc(tb_text_check_field("群众姓名", " ", 64, TB_TEXT_REQUIRED, buf, sizeof buf),
              -TB_EBADNAME);
    assert_string_equal(buf, "群众姓名不能为空");
    assert_rc(tb_text_check_field("备注", "\xe2\x80\x8b", 100, 0, buf, sizeof buf), -TB_EDECODE);
    assert_string_equal(buf, "备注只有零宽字符，看起来是空的");
    assert_rc(tb_text_check_field("备注", "abcd", 3, 0, buf, sizeof buf), -TB_ETOOLONG);
    assert_string_equal(buf, "备注过长（最多 3 字节）");
    assert_rc(tb_text_check_field("备注", "张\xff", 100, 0, buf, sizeof buf), -TB_EDECODE);
    assert_string_equal(buf, "备注不是有效的 UTF-8 文字（第 2 个字符处是字节 0xFF）");
    assert_rc(tb_text_check_field("备注", "a\x7f", 100, 0, buf, sizeof buf), -TB_EDECODE);
    assert_string_equal(buf, "备注含控制字符 U+007F（第 2 个字符）");
    tb_lang_set_en(true);
    assert_rc(tb_text_check_field("the note", "a\x1b", 100, TB_TEXT_MULTILINE, buf, sizeof buf),
              -TB_EDECODE);
    assert_string_equal(buf, "the note has the control character U+001B (character 2)");
    assert_rc(tb_text_check_field("the reason", "\xe2\x81\xa7x", 100, 0, buf, sizeof buf),
              -TB_EDECODE);
    assert_string_equal(buf, "the reason has the bidirectional control U+2067 (character 1), "
                             "which reorders what is shown");
    /* A short buffer is cut, never overrun. */
    char small[8];
    assert_rc(tb_text_check_field("the note", "a\x1b", 100, 0, small, sizeof small), -TB_EDECODE);
    assert_string_equal(small, "the not");
    assert_rc(tb_text_check_field("x", "fine", 100, 0, buf, sizeof buf), 0);
}

static void check_safe(const char *in, unsigned flags, const char *want)
{
    char *got = tb_text_safe(in, flags);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        print_error("tb_text_safe(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
    assert_string_equal(got, want);
    free(got);
}

static void test_safe(void **state)
{
    (void)state;
    check_safe(NULL, 0, "");
    check_safe("户口簿带来了", 0, "户口簿带来了");
    check_safe("一\n二\t三", 0, "一\\n二\\t三");
    check_safe("a\x1b[2Jb", 0, "a<U+001B>[2Jb");
    check_safe("a\x7f", 0, "a<U+007F>");
    check_safe("a\xc2\x9b"
               "2J",
               0, "a<U+009B>2J");
    check_safe("准予\xe2\x80\xae"
               "予准",
               0, "准予<U+202E>予准");
    check_safe("\xe2\x81\xa6x\xe2\x81\xa9", 0, "<U+2066>x<U+2069>");
    check_safe("a\xe2\x80\xa8"
               "b",
               0, "a<U+2028>b");
    check_safe("bad\xff\xfe", 0, "bad<0xFF><0xFE>");
    check_safe("cut\xe6\x9d", 0, "cut<0xE6><0x9D>");
    /* Masking: a mobile, an 18-digit ID (and one ending in X), each alone. */
    check_safe("电话13800138000", TB_SAFE_MASK, "电话138****8000");
    check_safe("13800138000", 0, "13800138000");
    check_safe("身份证360826199001011234，已核", TB_SAFE_MASK, "身份证360826********1234，已核");
    check_safe("36082619900101123X", TB_SAFE_MASK, "360826********123X");
    check_safe("id 36082619900101123x.", TB_SAFE_MASK, "id 360826********123x.");
    /* Not a mobile or an ID: other lengths and prefixes stay, and so do
     * digits that run on (a 12-digit place code, a 19-digit number). */
    check_safe("360826100001", TB_SAFE_MASK, "360826100001");
    check_safe("1234567890123456789", TB_SAFE_MASK, "1234567890123456789");
    check_safe("12800138000", TB_SAFE_MASK, "12800138000");
    check_safe("138001380001", TB_SAFE_MASK, "138001380001");
    check_safe("2138001380000", TB_SAFE_MASK, "2138001380000");
    check_safe("两个 13800138000 和 13900139000", TB_SAFE_MASK, "两个 138****8000 和 139****9000");
    check_safe("\n13800138000\x1b", TB_SAFE_MASK, "\\n138****8000<U+001B>");
}

static void test_mask_phone(void **state)
{
    (void)state;
    char buf[32];
    tb_mask_phone("13800138000", buf);
    assert_string_equal(buf, "138****8000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults),     cmocka_unit_test(test_checks),
        cmocka_unit_test(test_describe),   cmocka_unit_test(test_safe),
        cmocka_unit_test(test_mask_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
