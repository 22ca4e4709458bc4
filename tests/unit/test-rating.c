/* test-rating: the rating as GB/T 39735 has it (common/rating_indicators.h):
 * the four offline indicators typed at a village or a window (all four or
 * none, each a level by number or name, the Chinese words of a refusal),
 * their rule on the wire, and their line in the history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rating_indicators.h"
#include "tb_error.h"
#include "tb_test.h"
#include "tb_wire.h"

static void test_parse(void **state)
{
    (void)state;
    unsigned v[TB_RATING_INDICATORS] = {9, 9, 9, 9};
    tb_msg_t m;
    const char *none[TB_RATING_INDICATORS] = {NULL, "", NULL, ""};
    tb_msg_clear(&m);
    assert_rc(tb_rating_indicators_parse(none, v, &m), 0);
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        assert_int_equal(v[i], 0); /* none given: zeros, compatible with a plain rating */
    const char *four[TB_RATING_INDICATORS] = {"5", "不满意", "3", "非常不满意"};
    assert_rc(tb_rating_indicators_parse(four, v, &m), 0);
    assert_int_equal(v[0], 5);
    assert_int_equal(v[1], 2);
    assert_int_equal(v[2], 3);
    assert_int_equal(v[3], 1);

    /* Three of four: refused, the output untouched, the words say why. */
    const char *three[TB_RATING_INDICATORS] = {"4", "4", "", "4"};
    tb_msg_clear(&m);
    assert_rc(tb_rating_indicators_parse(three, v, &m), -TB_EBADVALUE);
    assert_int_equal(v[0], 5);
    assert_non_null(strstr(
        m.text, "四项评价指标（整体满意度、服务效率、服务水平、服务态度）须全部填写或全部不填"));
    const char *bad[][TB_RATING_INDICATORS] = {
        {"4", "4", "4", "6"}, {"0", "4", "4", "4"}, {"4", "快", "4", "4"}, {"4", "4", "4 ", "4"}};
    const char *named[] = {"服务态度", "整体满意度", "服务效率", "服务水平"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        tb_msg_clear(&m);
        assert_rc(tb_rating_indicators_parse(bad[k], v, &m), -TB_EBADVALUE);
        assert_non_null(strstr(m.text, named[k]));
        assert_non_null(strstr(m.text, "须为 1..5"));
    }
}

/* A RATED event as a village sends it. */
static void rated(Tongban__V1__CaseEvent *ev)
{
    Tongban__V1__CaseEvent init = TONGBAN__V1__CASE_EVENT__INIT;
    *ev = init;
    ev->origin_node = "360826100001";
    ev->origin_seq = 7;
    ev->case_id = "360826100001-20260928-0001";
    ev->type = TONGBAN__V1__EVENT_TYPE__EVENT_RATED;
    ev->actor = "张代办";
    ev->at_ms = INT64_C(1790000000000);
    ev->rating = 4;
    ev->comment = "很快";
}

static void test_wire(void **state)
{
    (void)state;
    Tongban__V1__CaseEvent ev;
    rated(&ev);
    assert_rc(tb_event_check(&ev), 0); /* no indicators: as before */
    const unsigned four[TB_RATING_INDICATORS] = {5, 4, 4, 3};
    tb_rating_indicators_set(&ev, four);
    assert_rc(tb_rating_indicators_check(&ev), 0);
    assert_rc(tb_event_check(&ev), 0);
    unsigned back[TB_RATING_INDICATORS];
    tb_rating_indicators_get(&ev, back);
    assert_memory_equal(back, four, sizeof back);

    ev.rating_skill = 0; /* three of four */
    assert_rc(tb_rating_indicators_check(&ev), -TB_EPROTO);
    assert_rc(tb_event_check(&ev), -TB_EPROTO);
    ev.rating_skill = 6; /* out of range */
    assert_rc(tb_event_check(&ev), -TB_EPROTO);

    /* Only a RATED carries them. */
    rated(&ev);
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_NOTE;
    ev.reason = "x";
    ev.rating = 0;
    assert_rc(tb_rating_indicators_check(&ev), 0);
    tb_rating_indicators_set(&ev, four);
    assert_rc(tb_rating_indicators_check(&ev), -TB_EPROTO);
}

static void test_text(void **state)
{
    (void)state;
    Tongban__V1__CaseEvent ev;
    rated(&ev);
    char buf[256];
    tb_rating_indicators_text(&ev, buf, sizeof buf);
    assert_string_equal(buf, "");
    const unsigned four[TB_RATING_INDICATORS] = {5, 4, 3, 1};
    tb_rating_indicators_set(&ev, four);
    tb_rating_indicators_text(&ev, buf, sizeof buf);
    assert_string_equal(
        buf, "（整体满意度 非常满意、服务效率 满意、服务水平 基本满意、服务态度 非常不满意）");
    char detail[256];
    tb_event_detail(&ev, detail, sizeof detail);
    assert_string_equal(
        detail,
        "满意（整体满意度 非常满意、服务效率 满意、服务水平 基本满意、服务态度 非常不满意）");
    char small[8];
    tb_rating_indicators_text(&ev, small, sizeof small); /* cut, never overrun */
    assert_true(strlen(small) < sizeof small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_wire),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
