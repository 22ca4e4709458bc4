/* test-complaint: the complaint flow's rules (common/tb_complaint.h): which
 * step follows which, who answers, the wire rules of its fields, and its
 * clocks in working days around National Day 2026 and its 调休 Saturday. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tb_complaint.h"
#include "tb_error.h"

#define HOLIDAYS_2026 TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv"
#define HOUR INT64_C(3600000)
#define V "360826100001"
#define T "360826100000"
#define T2 "360826101000"
#define C "360826000000"

static tb_calendar_t *cal;

static int setup(void **state)
{
    (void)state;
    cal = tb_calendar_new();
    assert_non_null(cal);
    assert_int_equal(tb_calendar_load_csv(cal, HOLIDAYS_2026, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tb_calendar_destroy(&cal);
    return 0;
}

/* Unix ms of 2026-m-d hh:00 CST, without the library's helpers. */
static int64_t at(int m, int d, int hh)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t days = 20454 /* 2026-01-01 */ + before[m - 1] + d - 1;
    return days * 86400000 + (hh - 8) * HOUR;
}

static int64_t end_of(int m, int d)
{
    return at(m, d, 24) - 1;
}

static int step(tb_complaint_t *c, tb_event_type_t t, const char *from, const char *target,
                int64_t when)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.type = (Tongban__V1__EventType)t;
    ev.origin_node = (char *)from;
    ev.target = (char *)(target ? target : "");
    ev.at_ms = when;
    ev.complaint_kind = t == TB_EV_COMPLAINED ? "complaint" : "";
    ev.complaint_id = t == TB_EV_COMPLAINED ? 0 : 7;
    return tb_complaint_apply(c, &ev, 7);
}

static void test_flow(void **state)
{
    (void)state;
    tb_complaint_t c = {0};
    assert_int_equal(step(&c, TB_EV_COMPLAINED, V, NULL, at(9, 28, 10)), 0);
    assert_int_equal(c.state, TB_CP_FILED);
    assert_int_equal(c.id, 7);
    assert_string_equal(c.filed_by, V);
    assert_true(tb_complaint_open(&c));
    /* One open complaint per case. */
    assert_int_equal(step(&c, TB_EV_COMPLAINED, T, NULL, at(9, 28, 11)), -TB_EILLEGAL);
    /* Nothing before 受理 but the decision (and 问责). */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ASSIGNED, C, T, at(9, 28, 11)), -TB_EILLEGAL);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REPLIED, T, NULL, at(9, 28, 11)), -TB_EILLEGAL);
    assert_int_equal(c.state, TB_CP_FILED);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ACCEPTED, C, NULL, at(10, 9, 9)), 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ACCEPTED, C, NULL, at(10, 9, 9)), -TB_EILLEGAL);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ASSIGNED, C, T2, at(10, 9, 10)), 0);
    /* Assigned again before any reply: to the right township. */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ASSIGNED, C, T, at(10, 9, 10)), 0);
    assert_string_equal(c.unit, T);
    /* Only the unit answers. */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REPLIED, T2, NULL, at(10, 9, 11)), -TB_ENOTHOLDER);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_CLOSED, C, NULL, at(10, 9, 11)), -TB_EILLEGAL);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REPLIED, T, NULL, at(10, 9, 15)), 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REDONE, C, NULL, at(10, 9, 16)), -TB_EILLEGAL);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REVISITED, C, NULL, at(10, 10, 9)), 0);
    /* Still dissatisfied: back to the same unit, a new clock. */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REDONE, C, NULL, at(10, 10, 10)), 0);
    assert_int_equal(c.state, TB_CP_ASSIGNED);
    assert_int_equal(c.redos, 1);
    assert_int_equal(c.clock_ms, at(10, 10, 10));
    assert_int_equal(step(&c, TB_EV_COMPLAINT_FAULT, C, T, at(10, 10, 11)), 0);
    assert_int_equal(c.faults, 1);
    assert_int_equal(c.state, TB_CP_ASSIGNED);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REPLIED, T, NULL, at(10, 12, 9)), 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REVISITED, C, NULL, at(10, 13, 9)), 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_CLOSED, C, NULL, at(10, 13, 10)), 0);
    assert_false(tb_complaint_open(&c));
    assert_int_equal(c.closed_ms, at(10, 13, 10));
    /* A step of another complaint is not this one's. */
    tb_complaint_t before = c;
    assert_int_equal(step(&c, TB_EV_COMPLAINT_FAULT, C, NULL, at(10, 13, 11)), 0);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_FAULT;
    ev.origin_node = C;
    ev.complaint_id = 8;
    c = before;
    assert_int_equal(tb_complaint_apply(&c, &ev, 0), -TB_EILLEGAL);
    assert_memory_equal(&c, &before, sizeof c);
    /* Closed: a new complaint may be filed; declined ones end too. */
    assert_int_equal(step(&c, TB_EV_COMPLAINED, T, NULL, at(10, 14, 9)), 0);
    assert_int_equal(c.redos, 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINT_DECLINED, C, NULL, at(10, 14, 10)), 0);
    assert_int_equal(c.state, TB_CP_DECLINED);
    assert_false(tb_complaint_open(&c));
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REVISITED, C, NULL, at(10, 14, 11)), -TB_EILLEGAL);
    assert_int_equal(step(&c, TB_EV_COMPLAINED, V, NULL, at(10, 15, 9)), 0);
    /* Other events do not touch it. */
    before = c;
    assert_int_equal(step(&c, TB_EV_NOTE, V, NULL, at(10, 15, 10)), 0);
    assert_memory_equal(&c, &before, sizeof c);
}

/* 受理 within 5 working days of filing, handling 13 (咨询 3) from 受理, 回访
 * 1 from the 反馈: counted from the next day, National Day off, Sat 10-10 a
 * working day. */
static void test_due(void **state)
{
    (void)state;
    tb_limits_t lim;
    tb_limits_default(&lim);
    tb_complaint_t c = {0};
    int64_t due;
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, 0);
    assert_int_equal(step(&c, TB_EV_COMPLAINED, V, NULL, at(9, 28, 10)), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 10)); /* 9-29, 9-30, 10-8, 10-9, 10-10 */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ACCEPTED, C, NULL, at(10, 9, 9)), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 27)); /* 10-10, 10-12..16, 10-19..23, 10-26, 10-27 */
    c.consult = true;
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 13)); /* 10-10, 10-12, 10-13 */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_ASSIGNED, C, T, at(10, 9, 10)), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 13)); /* the clock runs from 受理 */
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REPLIED, T, NULL, at(10, 9, 15)), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 10)); /* 回访: the working day after */
    /* The limits are data. */
    assert_int_equal(tb_limits_set(&lim, "revisit_days", 2), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, end_of(10, 12));
    assert_int_equal(step(&c, TB_EV_COMPLAINT_REVISITED, C, NULL, at(10, 10, 9)), 0);
    assert_int_equal(tb_complaint_due(&c, cal, &lim, &due), 0);
    assert_int_equal(due, 0);
}

static void test_wire(void **state)
{
    (void)state;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED;
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO); /* no kind */
    ev.complaint_kind = "praise";
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO);
    ev.complaint_kind = "consult";
    assert_int_equal(tb_complaint_wire_check(&ev), 0);
    ev.complaint_id = 3;
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO); /* the county numbers it */
    ev.complaint_id = 0;
    ev.complaint_kind = "";
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_ACCEPTED;
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO); /* names no complaint */
    ev.complaint_id = 3;
    assert_int_equal(tb_complaint_wire_check(&ev), 0);
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_NOTE;
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO);
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED;
    assert_int_equal(tb_complaint_wire_check(&ev), 0);
    ev.complaint_id = 0;
    assert_int_equal(tb_complaint_wire_check(&ev), 0);
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED;
    ev.card_kind = "complaint";
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO);
    ev.complaint_id = 3;
    assert_int_equal(tb_complaint_wire_check(&ev), 0);
    ev.card_kind = "deadline";
    assert_int_equal(tb_complaint_wire_check(&ev), -TB_EPROTO);
}

static void test_names(void **state)
{
    (void)state;
    for (int s = TB_CP_FILED; s < TB_CP_LAST; s++) {
        assert_int_equal(tb_complaint_state_from_name(tb_complaint_state_name((tb_cp_state_t)s)),
                         s);
        assert_true(tb_complaint_state_label((tb_cp_state_t)s)[0] != '\0');
    }
    assert_int_equal(tb_complaint_state_from_name("nope"), TB_CP_NONE);
    assert_int_equal(tb_complaint_state_from_name(NULL), TB_CP_NONE);
    assert_true(tb_complaint_event(TB_EV_COMPLAINED));
    assert_true(tb_complaint_event(TB_EV_COMPLAINT_FAULT));
    assert_false(tb_complaint_event(TB_EV_CIRCULATED));
    assert_false(tb_complaint_event(TB_EV_LAST));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_wire),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
