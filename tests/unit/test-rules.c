/* Unit tests for common/tb_rules: the case rules as a table, and the one
 * order in which tb_case_step checks them.
 *
 * The order test is built from the table, not from a list of cases: for
 * every event type it makes one legal step (a case in the row's first
 * from-state, the right sender, a valid payload), then breaks one rule at a
 * time and every pair of rules that touch different parts of the step.  A
 * step that breaks two rules must get the message of the one that comes
 * first in the order of tb_rules.h, whatever the event: the same mistake,
 * the same message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tb_test.h"
#include "tb_test_catalog.h"

#include "tb_case.h"
#include "tb_catalog.h"
#include "tb_error.h"
#include "tb_rules.h"

#define V "360826100001"  /* the village that logged the case */
#define V2 "360826100002" /* another village of the same township */
#define T "360826100000"  /* its township */
#define T2 "360826101000" /* another township of the county */
#define C "360826000000"  /* the county */
#define C2 "360827000000" /* another county */
#define AT INT64_C(1772413200000)

/* ---- The table itself ---- */

static void test_table_rows(void **state)
{
    (void)state;
    for (int t = TB_EV_LOGGED; t < TB_EV_LAST; t++) {
        const tb_rule_t *r = tb_rule_for((tb_event_type_t)t);
        if (t == TB_EV_REJECTED || (t > TB_EV_CIRCULATED && t < TB_EV_COMPLAINED) ||
            (t > TB_EV_COMPLAINT_FAULT && t < TB_EV_RATING_FOLLOWUP)) {
            assert_null(r); /* the county's verdict, never a step; numbers left unused */
            continue;
        }
        if (!r)
            fail_msg("no rule for %s", tb_event_name((tb_event_type_t)t));
        assert_int_equal(r->type, t);
        assert_non_null(r->effect);
        /* Each effect is named for its event. */
        assert_string_equal(r->effect_name, tb_event_name((tb_event_type_t)t));
        assert_true(r->levels != 0);
        assert_true(r->who >= TB_WHO_CREATOR && r->who <= TB_WHO_AREA);
        /* Only LOGGED makes a case, and makes it from nothing. */
        for (int lv = TB_LEVEL_COUNTY; lv <= TB_LEVEL_VILLAGE; lv++) {
            if (!(r->levels & TB_LEVEL_BIT(lv)))
                continue;
            assert_true(r->from[lv] != 0);
            bool creates = r->from[lv] & TB_ST_BIT(TB_ST_NONE);
            assert_int_equal(creates, t == TB_EV_LOGGED);
            if (creates)
                assert_int_equal(r->from[lv], TB_ST_BIT(TB_ST_NONE));
        }
        for (int lv = TB_LEVEL_NONE; lv <= TB_LEVEL_VILLAGE; lv++)
            assert_int_equal(tb_event_allowed((tb_level_t)lv, (tb_event_type_t)t),
                             lv != TB_LEVEL_NONE && (r->levels & TB_LEVEL_BIT(lv)) != 0);
    }
    assert_null(tb_rule_for(TB_EV_NONE));
    assert_null(tb_rule_for(TB_EV_LAST));
    assert_null(tb_rule_for((tb_event_type_t)-1));
    assert_false(tb_event_allowed(TB_LEVEL_COUNTY, TB_EV_REJECTED));
    assert_false(tb_event_allowed((tb_level_t)7, TB_EV_NOTE));
}

/* ---- One legal step per row, and its mistakes ---- */

typedef struct {
    const tb_rule_t *rule;
    tb_level_t level; /* the sender's */
    tb_case_t c;
    tb_step_t s;
    char case_id[TB_CASEID_MAX];
    const char *materials[1];
} base_t;

static const char *node_of(tb_level_t lv)
{
    return lv == TB_LEVEL_VILLAGE ? V : lv == TB_LEVEL_TOWNSHIP ? T : C;
}

static int material_index(const tb_item_t *item, bool core)
{
    for (size_t i = 0; i < item->nmaterials; i++)
        if (item->core[i] == core)
            return (int)i;
    return -1;
}

static uint32_t lowest_bit(uint32_t m)
{
    for (uint32_t i = 0; i < 32; i++)
        if (m & (UINT32_C(1) << i))
            return i;
    return 0;
}

/* A legal step of type t built from its row alone. */
static void make_base(tb_event_type_t t, base_t *b)
{
    memset(b, 0, sizeof *b);
    const tb_rule_t *r = tb_rule_for(t);
    assert_non_null(r);
    b->rule = r;
    /* The sender: a township if it may send it, else a village, else the county. */
    b->level = (r->levels & TB_LEVEL_BIT(TB_LEVEL_TOWNSHIP))  ? TB_LEVEL_TOWNSHIP
               : (r->levels & TB_LEVEL_BIT(TB_LEVEL_VILLAGE)) ? TB_LEVEL_VILLAGE
                                                              : TB_LEVEL_COUNTY;
    if (t == TB_EV_SUBMITTED)
        b->level = TB_LEVEL_VILLAGE;
    const char *o = node_of(b->level);
    /* The item: one the item rule allows. */
    const char *code = "LD001";
    if (r->item == TB_ITEM_COUNTY || (r->item == TB_ITEM_OWN_LEVEL && b->level == TB_LEVEL_COUNTY))
        code = "YB003";
    const tb_item_t *item = tb_catalog_find(cat, code);
    assert_non_null(item);

    tb_case_t *c = &b->c;
    c->state = (tb_state_t)lowest_bit(r->from[b->level]);
    if (c->state != TB_ST_NONE) {
        strcpy(c->item, code);
        strcpy(c->origin, V);
        strcpy(c->holder, o);
        c->version = 3;
        if (r->who == TB_WHO_PENDING) { /* a handover to the sender under way */
            strcpy(c->holder, V);
            strcpy(c->pending, o);
        }
        if (r->guard == TB_GUARD_TO_BRING)
            c->missing = 1u << material_index(item, false);
        if (c->state == TB_ST_SUSPENDED)
            c->resume = TB_ST_ACCEPTED;
        if (r->guard == TB_GUARD_RATED)
            c->rating = 1; /* a 追评 follows the first rating */
    }

    tb_step_t *s = &b->s;
    s->type = t;
    snprintf(b->case_id, sizeof b->case_id, "%s-20260302-0001", o);
    s->case_id = b->case_id;
    s->origin = o;
    s->at_ms = AT;
    s->item = item;
    if (r->fields & TB_F_TARGET_TOWNSHIP)
        s->target = T;
    if (r->fields & TB_F_TARGET_COUNTY)
        s->target = C;
    if (r->fields & TB_F_UNIT)
        s->target = T;
    s->complaint_kind = "complaint";
    b->materials[0] = item->material[material_index(item, false)];
    s->materials = b->materials;
    s->nmaterials = 1;
    s->reason = "理由";
    s->basis = "survey";
    s->reply = "已答复";
    s->rating = 5;
    s->decision = TB_DECISION_GRANT;
    s->due_ms = AT + 86400000;
}

/* The mistakes, in the order the checks run.  Each touches some parts of the
 * step; two mistakes are combined only if they touch different parts. */
enum { P_ITEM = 1, P_SENDER = 2, P_STATE = 4, P_FLAGS = 8, P_PAYLOAD = 16, P_OWED = 32 };

typedef struct {
    const char *name;
    unsigned parts;
    /* Break the rule in b; the code it must give, or 0 when the row has no such rule. */
    int (*apply)(base_t *b);
} mistake_t;

static int m_item(base_t *b)
{
    b->s.item = NULL;
    return -TB_EUNKNOWN_ITEM;
}

static int m_level(base_t *b)
{
    static const char *other[] = {[TB_LEVEL_COUNTY] = "360829000000",
                                  [TB_LEVEL_TOWNSHIP] = "360826109000",
                                  [TB_LEVEL_VILLAGE] = "360826109001"};
    for (int lv = TB_LEVEL_COUNTY; lv <= TB_LEVEL_VILLAGE; lv++)
        if (!(b->rule->levels & TB_LEVEL_BIT(lv))) {
            b->s.origin = other[lv];
            return -TB_EAUTHORITY;
        }
    return 0;
}

static int m_exists(base_t *b)
{
    if (b->c.state == TB_ST_NONE) {
        /* A case of that id already there. */
        b->c.state = TB_ST_LOGGED;
        strcpy(b->c.item, b->s.item ? b->s.item->code : "LD001");
        strcpy(b->c.holder, b->s.origin);
        strcpy(b->c.origin, b->s.origin);
    } else {
        b->c.state = TB_ST_NONE;
    }
    return -TB_EILLEGAL;
}

static int m_who(base_t *b)
{
    if (b->rule->who == TB_WHO_CREATOR) {
        b->s.case_id = V2 "-20260302-0001"; /* an id another node minted */
        return -TB_ENOTHOLDER;
    }
    /* A node of the same level that is neither holder, origin nor target. */
    b->s.origin = b->level == TB_LEVEL_VILLAGE ? V2 : b->level == TB_LEVEL_TOWNSHIP ? T2 : C2;
    return -TB_ENOTHOLDER;
}

static int m_item_rule(base_t *b)
{
    if (b->rule->item == TB_ITEM_ANY)
        return 0;
    /* An item of another level than the rule wants (the case's own item). */
    const char *code = b->s.item && b->s.item->level == TB_LEVEL_COUNTY ? "LD001" : "YB003";
    b->s.item = tb_catalog_find(cat, code);
    if (b->c.state != TB_ST_NONE)
        strcpy(b->c.item, code);
    b->materials[0] = b->s.item->material[material_index(b->s.item, false)];
    return -TB_EAUTHORITY;
}

static int m_once(base_t *b)
{
    if (b->rule->once == TB_ONCE_NOTICE)
        b->c.noticed = true;
    else if (b->rule->once == TB_ONCE_RATING)
        b->c.rating = 3;
    else if (b->rule->once == TB_ONCE_FOLLOWUP)
        b->c.followup = 4;
    else
        return 0;
    return -TB_EONCE;
}

static int m_from(base_t *b)
{
    uint32_t from = b->rule->from[b->level];
    if (from & TB_ST_BIT(TB_ST_NONE))
        return 0; /* LOGGED: m_exists */
    for (int st = TB_ST_NONE + 1; st < TB_ST_LAST; st++)
        if (!(from & TB_ST_BIT(st))) {
            b->c.state = (tb_state_t)st;
            return -TB_EILLEGAL;
        }
    return 0; /* NOTE: any state */
}

/* The guard of the from-state that the base case can break by itself: a 追评
 * before the first rating. */
static int m_guard(base_t *b)
{
    if (b->rule->guard != TB_GUARD_RATED)
        return 0;
    b->c.rating = 0;
    return -TB_EILLEGAL;
}

static int m_field(base_t *b)
{
    unsigned f = b->rule->fields;
    if (f & (TB_F_TARGET_TOWNSHIP | TB_F_TARGET_COUNTY)) {
        b->s.target = (f & TB_F_TARGET_TOWNSHIP) ? T2 : C2; /* not its own */
        return -TB_EAUTHORITY;
    }
    if (f & TB_F_MATERIALS) {
        b->s.nmaterials = 0;
        return -TB_ENOMATERIAL;
    }
    if (f & TB_F_LISTED) {
        static const char *bogus[] = {"结婚证"};
        b->s.materials = bogus;
        return -TB_EMATERIAL;
    }
    if (f & (TB_F_REASON | TB_F_BASIS)) {
        b->s.reason = b->s.basis = "  ";
        return -TB_ENOREASON;
    }
    if (f & TB_F_DENY_REASON) {
        b->s.decision = TB_DECISION_DENY;
        b->s.reason = NULL;
        return -TB_ENOREASON;
    }
    if (f & TB_F_RATING) {
        b->s.rating = 6;
        return -TB_EBADVALUE;
    }
    return 0;
}

static int m_owed(base_t *b)
{
    if (b->rule->owed == TB_OWED_NOTHING) {
        b->c.owed = 1;
        return -TB_EOWED;
    }
    if (b->rule->owed == TB_OWED_COVERED) {
        b->c.missing = 1u << 0; /* a core material: the pledge cannot cover it */
        return -TB_EOWED;
    }
    return 0;
}

static const mistake_t mistakes[] = {
    {"unknown item", P_ITEM, m_item},          {"sender's level", P_SENDER, m_level},
    {"case exists or not", P_STATE, m_exists}, {"not holder/origin/target", P_SENDER, m_who},
    {"item's level", P_ITEM, m_item_rule},     {"once only", P_FLAGS, m_once},
    {"from-state", P_STATE, m_from},           {"first rating first", P_STATE, m_guard},
    {"a field", P_PAYLOAD, m_field},           {"materials owed", P_OWED, m_owed},
};
#define NMISTAKES (sizeof mistakes / sizeof mistakes[0])

static int run(const base_t *b, tb_case_t *ret_next)
{
    return tb_case_step(&b->c, &b->s, ret_next);
}

static void test_fixed_order(void **state)
{
    (void)state;
    int singles = 0, pairs = 0;
    for (int t = TB_EV_LOGGED; t < TB_EV_LAST; t++) {
        if (!tb_rule_for((tb_event_type_t)t))
            continue;
        base_t b;
        make_base((tb_event_type_t)t, &b);
        tb_case_t next;
        int rc = run(&b, &next);
        if (rc != 0)
            fail_msg("%s: the step built from its row is refused: %s",
                     tb_event_name((tb_event_type_t)t), tb_strerror(rc));
        for (size_t i = 0; i < NMISTAKES; i++) {
            base_t one;
            make_base((tb_event_type_t)t, &one);
            int want = mistakes[i].apply(&one);
            if (!want)
                continue;
            tb_case_t sentinel;
            memset(&next, 0xA5, sizeof next);
            sentinel = next;
            rc = run(&one, &next);
            if (rc != want)
                fail_msg("%s with %s: got %s, want %s", tb_event_name((tb_event_type_t)t),
                         mistakes[i].name, rc ? tb_strerror(rc) : "ok", tb_strerror(want));
            assert_memory_equal(&next, &sentinel, sizeof next);
            singles++;
            for (size_t j = i + 1; j < NMISTAKES; j++) {
                if (mistakes[i].parts & mistakes[j].parts)
                    continue;
                base_t two;
                make_base((tb_event_type_t)t, &two);
                int first = mistakes[i].apply(&two);
                if (!mistakes[j].apply(&two))
                    continue;
                rc = run(&two, &next);
                if (rc != first)
                    fail_msg("%s with %s and %s: got %s, want %s (the earlier rule)",
                             tb_event_name((tb_event_type_t)t), mistakes[i].name, mistakes[j].name,
                             rc ? tb_strerror(rc) : "ok", tb_strerror(first));
                pairs++;
            }
        }
    }
    print_message("# %d single and %d double mistakes checked\n", singles, pairs);
    assert_true(singles > 50 && pairs > 150);
}

/* What a node may do next, from the table: a few cases by hand (the whole
 * lifecycle is compared with the legal rows in test-case-lifecycle.c). */
static void test_next_steps(void **state)
{
    (void)state;
    const tb_item_t *ld = tb_catalog_find(cat, "LD001");
    tb_case_t none = {0};
#define BIT(t) (UINT32_C(1) << TB_EV_##t)
    assert_int_equal(tb_case_next_steps(&none, ld, V), BIT(LOGGED));
    assert_int_equal(tb_case_next_steps(&none, ld, T), BIT(LOGGED));
    assert_int_equal(tb_case_next_steps(&none, ld, C), 0);
    assert_int_equal(tb_case_next_steps(&none, NULL, V), 0);
    assert_rc(tb_case_check(&none, NULL, V, TB_EV_LOGGED), -TB_EUNKNOWN_ITEM);
    assert_rc(tb_case_check(&none, ld, C, TB_EV_LOGGED), -TB_EAUTHORITY);
    assert_rc(tb_case_check(&none, ld, V, TB_EV_NOTE), -TB_EILLEGAL);

    tb_case_t c = {.state = TB_ST_LOGGED, .holder = V, .origin = V, .item = "LD001"};
    assert_int_equal(tb_case_next_steps(&c, ld, V), BIT(SUBMITTED) | BIT(WITHDRAWN) | BIT(NOTE));
    assert_int_equal(tb_case_next_steps(&c, ld, V2), 0);
    assert_rc(tb_case_check(&c, ld, T, TB_EV_ACCEPTED), -TB_ENOTHOLDER);
    /* Submitted: the township confirms; the village may still add or withdraw. */
    strcpy(c.pending, T);
    c.state = TB_ST_SUBMITTED;
    assert_int_equal(tb_case_next_steps(&c, ld, T), BIT(RECEIVED));
    assert_int_equal(tb_case_next_steps(&c, ld, T2), 0);
    assert_int_equal(tb_case_next_steps(&c, ld, V), BIT(WITHDRAWN) | BIT(NOTE));
    /* In supplement with a core material missing: no pledge can cover it. */
    tb_case_t s = {.state = TB_ST_SUPPLEMENT,
                   .holder = T,
                   .origin = V,
                   .item = "LD001",
                   .noticed = true,
                   .missing = 1u << 0};
    assert_int_equal(tb_case_next_steps(&s, ld, T), BIT(SUPPLEMENTED) | BIT(REFUSED) |
                                                        BIT(WITHDRAWN) | BIT(NOTE) |
                                                        BIT(SUPERVISION_REPLY));
    assert_rc(tb_case_check(&s, ld, T, TB_EV_PLEDGED), -TB_EOWED);
    s.missing = 1u << 2; /* the photo, non-core */
    assert_true(tb_case_next_steps(&s, ld, T) & BIT(PLEDGED));
    assert_rc(tb_case_check(&s, ld, T, TB_EV_NOTICE), -TB_EONCE);
    /* A step on another item than the case's. */
    assert_rc(tb_case_check(&s, tb_catalog_find(cat, "YB003"), T, TB_EV_NOTE), -TB_EUNKNOWN_ITEM);
#undef BIT
}

/* The three messages the fixed order changed (found by running the old
 * event-major switch and the table side by side over 7.2 million random
 * steps): each step breaks two rules, and now gets the earlier one's. */
static void test_changed_messages(void **state)
{
    (void)state;
    const tb_item_t *yb = tb_catalog_find(cat, "YB003");
    static const char *photo[] = {"银行卡复印件"};
    tb_case_t esc = {.state = TB_ST_ESCALATED,
                     .holder = T,
                     .pending = C,
                     .origin = V,
                     .item = "YB003",
                     .noticed = true};
    tb_step_t s = {.type = TB_EV_DECIDED,
                   .case_id = V "-20260302-0001",
                   .origin = T,
                   .at_ms = AT,
                   .item = yb,
                   .decision = TB_DECISION_GRANT};
    tb_case_t next;
    /* A township deciding a county item while handing it over: was "state". */
    assert_rc(tb_case_step(&esc, &s, &next), -TB_EAUTHORITY);
    /* A second notice while handing it over: was "state". */
    s.type = TB_EV_NOTICE;
    s.materials = photo;
    s.nmaterials = 1;
    assert_rc(tb_case_step(&esc, &s, &next), -TB_EONCE);
    /* A pledge due in the past that leaves a core material missing: was "owed". */
    tb_case_t sup = {.state = TB_ST_SUPPLEMENT,
                     .holder = T,
                     .origin = V,
                     .item = "YB003",
                     .noticed = true,
                     .missing = 1u << 0};
    s.type = TB_EV_PLEDGED;
    s.due_ms = AT - 1;
    assert_rc(tb_case_step(&sup, &s, &next), -TB_EBADVALUE);
    s.due_ms = AT + 1;
    assert_rc(tb_case_step(&sup, &s, &next), -TB_EOWED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_fixed_order),
        cmocka_unit_test(test_next_steps),
        cmocka_unit_test(test_changed_messages),
    };
    return cmocka_run_group_tests(tests, catalog_setup, catalog_teardown);
}
