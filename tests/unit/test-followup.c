/* The resident's 追评 (RATING_FOLLOWUP, issue 11): once per case, only
 * after the first rating, from the village that logged the case, a window
 * above it or the county; the same answer at every tier (each runs this
 * fold), through the wire as through the table; kept in the stored fold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rating_indicators.h"
#include "tb_case.h"
#include "tb_catalog.h"
#include "tb_error.h"
#include "tb_test.h"
#include "tb_test_catalog.h"
#include "tb_wire.h"

#define V "360826100001"  /* the village that logged the case */
#define V2 "360826100002" /* another village of the same township */
#define T "360826100000"  /* its township */
#define T2 "360826101000" /* another township of the county */
#define C "360826000000"  /* the county */
#define CASE V "-20260928-0001"
#define AT INT64_C(1790000000000)

static const char *const tiers[] = {V, T, C};

/* A village case delivered: closed, held by the village, not rated yet. */
static tb_case_t closed_case(void)
{
    tb_case_t c = {0};
    c.state = TB_ST_CLOSED;
    strcpy(c.holder, V);
    strcpy(c.origin, V);
    strcpy(c.item, "LD001");
    c.version = 9;
    c.closed_ms = AT - 1000;
    return c;
}

/* The event as a node sends it, folded as every tier folds what it takes off a link. */
static int fold(const tb_case_t *c, const char *from, Tongban__V1__EventType type, unsigned rating,
                tb_case_t *ret)
{
    Tongban__V1__CaseEvent ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)from;
    ev.origin_seq = 11;
    ev.case_id = CASE;
    ev.type = type;
    ev.actor = "张代办";
    ev.at_ms = AT;
    ev.rating = rating;
    ev.comment = "整改后满意";
    int rc = tb_event_check(&ev);
    return rc < 0 ? rc : tb_event_fold(c, &ev, cat, ret);
}

static void test_before_rated(void **state)
{
    (void)state;
    tb_case_t c = closed_case(), next;
    for (size_t i = 0; i < 3; i++) {
        assert_rc(fold(&c, tiers[i], TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 4, &next),
                  -TB_EILLEGAL);
        assert_rc(tb_case_check(&c, tb_catalog_find(cat, "LD001"), tiers[i], TB_EV_RATING_FOLLOWUP),
                  -TB_EILLEGAL);
    }
    /* Nor before the case is closed, rated or not. */
    c.state = TB_ST_RESULT;
    c.rating = 0;
    assert_rc(fold(&c, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 4, &next), -TB_EILLEGAL);
}

/* After a 差评 (no outcome needed: the rectification lives at the county
 * only) and after a good rating alike: taken once, at every tier. */
static void test_after_rated_once(void **state)
{
    (void)state;
    for (unsigned first = 1; first <= 5; first += 4) {
        tb_case_t c = closed_case(), rated, next, again;
        assert_rc(fold(&c, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATED, first, &rated), 0);
        assert_int_equal(rated.rating, first);
        for (size_t i = 0; i < 3; i++) {
            assert_rc(
                fold(&rated, tiers[i], TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 4, &next),
                0);
            assert_int_equal(next.followup, 4);
            assert_int_equal(next.rating, first); /* the first rating stays what it was */
            assert_int_equal(next.state, TB_ST_CLOSED);
            assert_int_equal(next.version, rated.version + 1);
            /* A second one, from anyone, is refused as a once-only step. */
            for (size_t j = 0; j < 3; j++)
                assert_rc(fold(&next, tiers[j], TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 5,
                               &again),
                          -TB_EONCE);
            /* ... and the first rating is still one only. */
            assert_rc(fold(&next, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATED, 5, &again), -TB_EONCE);
        }
    }
}

static void test_who_and_value(void **state)
{
    (void)state;
    tb_case_t c = closed_case(), rated, next;
    assert_rc(fold(&c, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATED, 2, &rated), 0);
    /* Another village, another township: not theirs. */
    assert_rc(fold(&rated, V2, TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 4, &next),
              -TB_ENOTHOLDER);
    assert_rc(fold(&rated, T2, TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 4, &next),
              -TB_ENOTHOLDER);
    /* A level is required, one of the five. */
    assert_rc(fold(&rated, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 0, &next),
              -TB_EBADVALUE);
    assert_rc(fold(&rated, V, TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP, 6, &next),
              -TB_EPROTO); /* out of range on the wire already */
}

/* The four indicators as on RATED: all or none. */
static void test_indicators(void **state)
{
    (void)state;
    Tongban__V1__CaseEvent ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = V;
    ev.origin_seq = 3;
    ev.case_id = CASE;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP;
    ev.actor = "";
    ev.at_ms = AT;
    ev.rating = 4;
    unsigned four[TB_RATING_INDICATORS] = {4, 4, 5, 3};
    tb_rating_indicators_set(&ev, four);
    assert_rc(tb_event_check(&ev), 0);
    char text[256];
    tb_event_detail(&ev, text, sizeof text);
    assert_non_null(strstr(text, "满意"));
    assert_non_null(strstr(text, "服务态度"));
    ev.rating_attitude = 0;
    assert_rc(tb_event_check(&ev), -TB_EPROTO);
}

/* The stored fold keeps the 追评 (the SQLite and PostgreSQL stores hold it). */
static void test_pack(void **state)
{
    (void)state;
    tb_case_t c = closed_case(), back;
    c.rating = 1;
    c.followup = 5;
    uint8_t buf[TB_CASE_PACKED_MAX];
    size_t n = tb_case_pack(&c, buf);
    assert_rc(tb_case_unpack(buf, n, &back), 0);
    assert_int_equal(back.followup, 5);
    assert_int_equal(back.rating, 1);
    assert_string_equal(tb_event_name(TB_EV_RATING_FOLLOWUP), "rating_followup");
    assert_int_equal(tb_event_from_name("rating_followup"), TB_EV_RATING_FOLLOWUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_rated),  cmocka_unit_test(test_after_rated_once),
        cmocka_unit_test(test_who_and_value), cmocka_unit_test(test_indicators),
        cmocka_unit_test(test_pack),
    };
    return cmocka_run_group_tests(tests, catalog_setup, catalog_teardown);
}
