/* Unit tests for the case state machine (common/tb_case): every (state, event,
 * role) combination, legal or not, for a township item and a county item; the
 * bad-input rules with their exact codes; deadlines with pauses; the stored
 * text form of a case.
 *
 * The legal table below is written from the lifecycle in issue 3 and
 * DESIGN.md, not from the code: every combination it does not list must fail
 * and leave the output untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tb_calendar.h"
#include "tb_case.h"
#include "tb_catalog.h"
#include "tb_error.h"

#define V "360826100001"  /* the village that logged the case */
#define V2 "360826100002" /* another village of the same township */
#define T "360826100000"  /* its township */
#define T2 "360826101000" /* another township */
#define C "360826000000"  /* the county */
#define CASE V "-20260302-0001"

enum { R_V, R_V2, R_T, R_T2, R_C, NROLES };
static const char *roles[NROLES] = {V, V2, T, T2, C};
static const char *role_names[NROLES] = {"village", "other village", "township", "other township",
                                         "county"};

static tb_catalog_t *cat;
static tb_calendar_t *cal;

/* Mon 2026-03-02 09:00 CST plus hours. */
static int64_t at(int hours)
{
    return INT64_C(1772413200000) + (int64_t)hours * 3600000;
}

typedef struct {
    tb_event_type_t type;
    int role;
} ev_t;

/* A valid payload for each event type; target from the role. */
static tb_step_t step_for(const tb_item_t *item, tb_event_type_t type, int role, int64_t when)
{
    static const char *noncore_yb[] = {"银行卡复印件"};
    static const char *noncore_ld[] = {"近期免冠照片"};
    tb_step_t s = {0};
    s.type = type;
    s.case_id = CASE;
    s.origin = roles[role];
    s.at_ms = when;
    s.item = item;
    if (type == TB_EV_SUBMITTED)
        s.target = T;
    if (type == TB_EV_FORWARDED)
        s.target = C;
    if (type == TB_EV_NOTICE || type == TB_EV_SUPPLEMENTED || type == TB_EV_PLEDGED) {
        s.materials = strcmp(item->code, "YB003") == 0 ? noncore_yb : noncore_ld;
        s.nmaterials = 1;
    }
    s.reason = "材料不齐";
    s.basis = "survey";
    s.rating = 5;
    s.decision = TB_DECISION_GRANT;
    s.due_ms = when + 3 * 86400000LL;
    s.reply = "已答复";
    s.complaint_kind = "complaint";
    if (type == TB_EV_COMPLAINT_ASSIGNED)
        s.target = T;
    return s;
}

static int fold(tb_case_t *c, const tb_item_t *item, tb_event_type_t type, int role, int64_t when)
{
    tb_step_t s = step_for(item, type, role, when);
    tb_case_t next;
    int rc = tb_case_step(c, &s, &next);
    if (rc == 0)
        *c = next;
    return rc;
}

/* Build a case in a named state by a legal path. */
static tb_case_t reach(const char *item_code, tb_state_t want)
{
    const tb_item_t *item = tb_catalog_find(cat, item_code);
    assert_non_null(item);
    static const struct {
        tb_state_t state;
        ev_t path[10];
    } paths[] = {
        {TB_ST_LOGGED, {{TB_EV_LOGGED, R_V}}},
        {TB_ST_SUBMITTED, {{TB_EV_LOGGED, R_V}, {TB_EV_SUBMITTED, R_V}}},
        {TB_ST_PREREVIEW, {{TB_EV_LOGGED, R_V}, {TB_EV_SUBMITTED, R_V}, {TB_EV_RECEIVED, R_T}}},
        {TB_ST_SUPPLEMENT,
         {{TB_EV_LOGGED, R_V}, {TB_EV_SUBMITTED, R_V}, {TB_EV_RECEIVED, R_T}, {TB_EV_NOTICE, R_T}}},
        {TB_ST_ACCEPTED,
         {{TB_EV_LOGGED, R_V},
          {TB_EV_SUBMITTED, R_V},
          {TB_EV_RECEIVED, R_T},
          {TB_EV_ACCEPTED, R_T}}},
        {TB_ST_REFUSED,
         {{TB_EV_LOGGED, R_V},
          {TB_EV_SUBMITTED, R_V},
          {TB_EV_RECEIVED, R_T},
          {TB_EV_REFUSED, R_T}}},
        {TB_ST_SUSPENDED,
         {{TB_EV_LOGGED, R_V},
          {TB_EV_SUBMITTED, R_V},
          {TB_EV_RECEIVED, R_T},
          {TB_EV_ACCEPTED, R_T},
          {TB_EV_SUSPENDED, R_T}}},
        {TB_ST_ESCALATED,
         {{TB_EV_LOGGED, R_V},
          {TB_EV_SUBMITTED, R_V},
          {TB_EV_RECEIVED, R_T},
          {TB_EV_ACCEPTED, R_T},
          {TB_EV_FORWARDED, R_T}}},
        {TB_ST_COUNTY,
         {{TB_EV_LOGGED, R_V},
          {TB_EV_SUBMITTED, R_V},
          {TB_EV_RECEIVED, R_T},
          {TB_EV_ACCEPTED, R_T},
          {TB_EV_FORWARDED, R_T},
          {TB_EV_RECEIVED, R_C}}},
        {TB_ST_WITHDRAWN, {{TB_EV_LOGGED, R_V}, {TB_EV_WITHDRAWN, R_V}}},
    };
    tb_case_t c = {0};
    bool county = item->level == TB_LEVEL_COUNTY;
    tb_state_t base = want;
    if (want == TB_ST_DECIDED || want == TB_ST_RESULT || want == TB_ST_CLOSED)
        base = county ? TB_ST_COUNTY : TB_ST_ACCEPTED;
    int h = 0;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (paths[i].state != base)
            continue;
        for (size_t k = 0; k < 10 && paths[i].path[k].type; k++)
            assert_int_equal(fold(&c, item, paths[i].path[k].type, paths[i].path[k].role, at(h++)),
                             0);
    }
    int decider = county ? R_C : R_T;
    if (want == TB_ST_DECIDED || want == TB_ST_RESULT || want == TB_ST_CLOSED)
        assert_int_equal(fold(&c, item, TB_EV_DECIDED, decider, at(h++)), 0);
    if (want == TB_ST_RESULT || want == TB_ST_CLOSED)
        assert_int_equal(fold(&c, item, TB_EV_RESULT, decider, at(h++)), 0);
    if (want == TB_ST_CLOSED)
        assert_int_equal(fold(&c, item, TB_EV_DELIVERED, R_V, at(h++)), 0);
    assert_int_equal(c.state, want);
    return c;
}

/* The legal steps: (item level, state, event, role) -> next state.  level 0: both items. */
typedef struct {
    int level;
    tb_state_t from;
    tb_event_type_t ev;
    int role;
    tb_state_t to;
} legal_t;

#define TW TB_LEVEL_TOWNSHIP
#define CO TB_LEVEL_COUNTY
static const legal_t legal[] = {
    {0, TB_ST_LOGGED, TB_EV_SUBMITTED, R_V, TB_ST_SUBMITTED},
    {0, TB_ST_LOGGED, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_LOGGED, TB_EV_NOTE, R_V, TB_ST_LOGGED},
    {0, TB_ST_SUBMITTED, TB_EV_RECEIVED, R_T, TB_ST_PREREVIEW},
    {0, TB_ST_SUBMITTED, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_SUBMITTED, TB_EV_NOTE, R_V, TB_ST_SUBMITTED},
    {0, TB_ST_PREREVIEW, TB_EV_NOTICE, R_T, TB_ST_SUPPLEMENT},
    {0, TB_ST_PREREVIEW, TB_EV_ACCEPTED, R_T, TB_ST_ACCEPTED},
    {0, TB_ST_PREREVIEW, TB_EV_PLEDGED, R_T, TB_ST_ACCEPTED},
    {0, TB_ST_PREREVIEW, TB_EV_REFUSED, R_T, TB_ST_REFUSED},
    {0, TB_ST_PREREVIEW, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_PREREVIEW, TB_EV_WITHDRAWN, R_T, TB_ST_WITHDRAWN},
    {0, TB_ST_PREREVIEW, TB_EV_NOTE, R_V, TB_ST_PREREVIEW},
    {0, TB_ST_PREREVIEW, TB_EV_NOTE, R_T, TB_ST_PREREVIEW},
    {0, TB_ST_SUPPLEMENT, TB_EV_SUPPLEMENTED, R_V, TB_ST_PREREVIEW},
    {0, TB_ST_SUPPLEMENT, TB_EV_SUPPLEMENTED, R_T, TB_ST_PREREVIEW},
    {0, TB_ST_SUPPLEMENT, TB_EV_PLEDGED, R_T, TB_ST_ACCEPTED},
    {0, TB_ST_SUPPLEMENT, TB_EV_REFUSED, R_T, TB_ST_REFUSED},
    {0, TB_ST_SUPPLEMENT, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_SUPPLEMENT, TB_EV_WITHDRAWN, R_T, TB_ST_WITHDRAWN},
    {0, TB_ST_SUPPLEMENT, TB_EV_NOTE, R_V, TB_ST_SUPPLEMENT},
    {0, TB_ST_SUPPLEMENT, TB_EV_NOTE, R_T, TB_ST_SUPPLEMENT},
    {TW, TB_ST_ACCEPTED, TB_EV_DECIDED, R_T, TB_ST_DECIDED},
    {CO, TB_ST_ACCEPTED, TB_EV_FORWARDED, R_T, TB_ST_ESCALATED},
    {0, TB_ST_ACCEPTED, TB_EV_SUSPENDED, R_T, TB_ST_SUSPENDED},
    {0, TB_ST_ACCEPTED, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_ACCEPTED, TB_EV_WITHDRAWN, R_T, TB_ST_WITHDRAWN},
    {0, TB_ST_ACCEPTED, TB_EV_NOTE, R_V, TB_ST_ACCEPTED},
    {0, TB_ST_ACCEPTED, TB_EV_NOTE, R_T, TB_ST_ACCEPTED},
    {0, TB_ST_SUSPENDED, TB_EV_RESUMED, R_T, TB_ST_ACCEPTED},
    {0, TB_ST_SUSPENDED, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {0, TB_ST_SUSPENDED, TB_EV_WITHDRAWN, R_T, TB_ST_WITHDRAWN},
    {0, TB_ST_SUSPENDED, TB_EV_NOTE, R_V, TB_ST_SUSPENDED},
    {0, TB_ST_SUSPENDED, TB_EV_NOTE, R_T, TB_ST_SUSPENDED},
    {0, TB_ST_REFUSED, TB_EV_RESULT, R_T, TB_ST_RESULT},
    {0, TB_ST_REFUSED, TB_EV_NOTE, R_V, TB_ST_REFUSED},
    {0, TB_ST_REFUSED, TB_EV_NOTE, R_T, TB_ST_REFUSED},
    {TW, TB_ST_DECIDED, TB_EV_RESULT, R_T, TB_ST_RESULT},
    {TW, TB_ST_DECIDED, TB_EV_NOTE, R_V, TB_ST_DECIDED},
    {TW, TB_ST_DECIDED, TB_EV_NOTE, R_T, TB_ST_DECIDED},
    {CO, TB_ST_ESCALATED, TB_EV_RECEIVED, R_C, TB_ST_COUNTY},
    {CO, TB_ST_ESCALATED, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {CO, TB_ST_ESCALATED, TB_EV_WITHDRAWN, R_T, TB_ST_WITHDRAWN},
    {CO, TB_ST_ESCALATED, TB_EV_NOTE, R_V, TB_ST_ESCALATED},
    {CO, TB_ST_ESCALATED, TB_EV_NOTE, R_T, TB_ST_ESCALATED},
    {CO, TB_ST_COUNTY, TB_EV_DECIDED, R_C, TB_ST_DECIDED},
    {CO, TB_ST_COUNTY, TB_EV_SUSPENDED, R_C, TB_ST_SUSPENDED},
    {CO, TB_ST_COUNTY, TB_EV_WITHDRAWN, R_V, TB_ST_WITHDRAWN},
    {CO, TB_ST_COUNTY, TB_EV_NOTE, R_V, TB_ST_COUNTY},
    {CO, TB_ST_COUNTY, TB_EV_NOTE, R_C, TB_ST_COUNTY},
    {CO, TB_ST_DECIDED, TB_EV_RESULT, R_C, TB_ST_RESULT},
    {CO, TB_ST_DECIDED, TB_EV_NOTE, R_V, TB_ST_DECIDED},
    {CO, TB_ST_DECIDED, TB_EV_NOTE, R_C, TB_ST_DECIDED},
    {0, TB_ST_RESULT, TB_EV_DELIVERED, R_V, TB_ST_CLOSED},
    {0, TB_ST_RESULT, TB_EV_NOTE, R_V, TB_ST_RESULT},
    {0, TB_ST_CLOSED, TB_EV_RATED, R_V, TB_ST_CLOSED},
    {0, TB_ST_CLOSED, TB_EV_NOTE, R_V, TB_ST_CLOSED},
    {0, TB_ST_WITHDRAWN, TB_EV_NOTE, R_V, TB_ST_WITHDRAWN},
};

/* Supervision (issue 11), legal in every state and kept out of legal[] to
 * keep it short: the county's own events (cards, 督办, 催办, 通报) on a case
 * of its county, and the reply (反馈) by the holder when the holder is a
 * township or the county.  None changes the state. */
static bool supervision_legal(const tb_case_t *c, tb_event_type_t t, int r)
{
    /* Complaints: filed by the origin, a window above it or the county;
     * answered by a township above the origin or the county; the rest the
     * county's (tb_complaint.h says which step follows which). */
    if (t == TB_EV_COMPLAINED)
        return r == R_V || r == R_T || r == R_C || strcmp(roles[r], c->holder) == 0;
    if (t == TB_EV_COMPLAINT_REPLIED)
        return r == R_T || r == R_C || (r == R_T2 && strcmp(roles[r], c->holder) == 0);
    if (t > TB_EV_COMPLAINED && t <= TB_EV_COMPLAINT_FAULT)
        return r == R_C;
    if (t < TB_EV_CARD_RAISED || t > TB_EV_CIRCULATED)
        return false;
    if (t == TB_EV_SUPERVISION_REPLY)
        return (r == R_T || r == R_C) && strcmp(roles[r], c->holder) == 0;
    return r == R_C;
}

/* Which rows of legal[] a matrix has exercised. */
static bool legal_hit[sizeof legal / sizeof legal[0]];

static void check_matrix(const char *item_code, int level, const tb_state_t *states, size_t n,
                         int *ret_legal, int *ret_illegal)
{
    const tb_item_t *item = tb_catalog_find(cat, item_code);
    for (size_t si = 0; si < n; si++) {
        tb_case_t c = reach(item_code, states[si]);
        for (int t = TB_EV_LOGGED; t < TB_EV_LAST; t++) {
            for (int r = 0; r < NROLES; r++) {
                const legal_t *want = NULL;
                size_t row = 0;
                for (size_t k = 0; k < sizeof legal / sizeof legal[0]; k++)
                    if (legal[k].from == states[si] && legal[k].ev == (tb_event_type_t)t &&
                        legal[k].role == r && (legal[k].level == 0 || legal[k].level == level)) {
                        want = &legal[k];
                        row = k;
                    }
                legal_t sup = {level, states[si], (tb_event_type_t)t, r, states[si]};
                bool sup_legal = !want && supervision_legal(&c, (tb_event_type_t)t, r);
                if (sup_legal)
                    want = &sup;
                tb_step_t s = step_for(item, (tb_event_type_t)t, r, at(100));
                tb_case_t next, sentinel;
                memset(&next, 0xA5, sizeof next);
                sentinel = next;
                int rc = tb_case_step(&c, &s, &next);
                if (want) {
                    if (rc != 0 || next.state != want->to)
                        fail_msg("%s: %s + %s by %s: want %s, got rc %d state %s", item_code,
                                 tb_state_name(states[si]), tb_event_name((tb_event_type_t)t),
                                 role_names[r], tb_state_name(want->to), rc,
                                 rc == 0 ? tb_state_name(next.state) : "-");
                    assert_int_equal(next.version, c.version + 1);
                    if (sup_legal) /* and nothing else of the case changed */
                        assert_int_equal(next.state, c.state);
                    else
                        legal_hit[row] = true;
                    (*ret_legal)++;
                } else {
                    if (rc >= 0)
                        fail_msg("%s: %s + %s by %s: should be refused, went to %s", item_code,
                                 tb_state_name(states[si]), tb_event_name((tb_event_type_t)t),
                                 role_names[r], tb_state_name(next.state));
                    assert_memory_equal(&next, &sentinel, sizeof next);
                    (*ret_illegal)++;
                }
            }
        }
    }
}

static void test_matrix(void **state)
{
    (void)state;
    static const tb_state_t tw[] = {TB_ST_LOGGED,     TB_ST_SUBMITTED, TB_ST_PREREVIEW,
                                    TB_ST_SUPPLEMENT, TB_ST_ACCEPTED,  TB_ST_REFUSED,
                                    TB_ST_SUSPENDED,  TB_ST_DECIDED,   TB_ST_RESULT,
                                    TB_ST_CLOSED,     TB_ST_WITHDRAWN};
    static const tb_state_t co[] = {TB_ST_ACCEPTED, TB_ST_ESCALATED, TB_ST_COUNTY,
                                    TB_ST_DECIDED,  TB_ST_RESULT,    TB_ST_CLOSED};
    int ok = 0, bad = 0;
    check_matrix("LD001", TW, tw, sizeof tw / sizeof tw[0], &ok, &bad);
    check_matrix("YB003", CO, co, sizeof co / sizeof co[0], &ok, &bad);
    /* Every legal row was exercised at least once. */
    print_message("# %d legal and %d illegal (state, event, role) combinations checked\n", ok, bad);
    for (size_t k = 0; k < sizeof legal / sizeof legal[0]; k++)
        if (!legal_hit[k])
            fail_msg("legal row %zu (%s + %s by %s) was never exercised", k,
                     tb_state_name(legal[k].from), tb_event_name(legal[k].ev),
                     role_names[legal[k].role]);
    assert_true(bad > 900);
}

/* A county-level case suspended at the county resumes to the county. */
static void test_county_suspend_resume(void **state)
{
    (void)state;
    const tb_item_t *item = tb_catalog_find(cat, "YB003");
    tb_case_t c = reach("YB003", TB_ST_COUNTY);
    assert_int_equal(fold(&c, item, TB_EV_SUSPENDED, R_C, at(50)), 0);
    assert_int_equal(c.state, TB_ST_SUSPENDED);
    assert_int_equal(fold(&c, item, TB_EV_RESUMED, R_T, at(51)), -TB_ENOTHOLDER);
    assert_int_equal(fold(&c, item, TB_EV_RESUMED, R_C, at(52)), 0);
    assert_int_equal(c.state, TB_ST_COUNTY);
}

/* The rules named in the "bad input", each with its code. */
static void test_rules(void **state)
{
    (void)state;
    const tb_item_t *ld = tb_catalog_find(cat, "LD001"), *yb = tb_catalog_find(cat, "YB003");
    tb_case_t next;

    /* A village deciding; a township deciding a county item; the county deciding a township item.
     */
    tb_case_t c = reach("LD001", TB_ST_LOGGED);
    tb_step_t s = step_for(ld, TB_EV_DECIDED, R_V, at(10));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EAUTHORITY);
    c = reach("YB003", TB_ST_ACCEPTED);
    s = step_for(yb, TB_EV_DECIDED, R_T, at(10));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EAUTHORITY);
    /* Escalating a township item. */
    c = reach("LD001", TB_ST_ACCEPTED);
    s = step_for(ld, TB_EV_FORWARDED, R_T, at(10));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EAUTHORITY);
    /* Acting on another's case. */
    s = step_for(ld, TB_EV_DECIDED, R_T2, at(10));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOTHOLDER);
    s = step_for(ld, TB_EV_NOTE, R_V2, at(10));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOTHOLDER);
    /* Denial and refusal need a reason; a suspension a basis from the list. */
    s = step_for(ld, TB_EV_DECIDED, R_T, at(10));
    s.decision = TB_DECISION_DENY;
    s.reason = "  ";
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOREASON);
    s.reason = "不符合条件";
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    assert_int_equal(next.decision, TB_DECISION_DENY);
    s.decision = 7;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EBADVALUE);
    s = step_for(ld, TB_EV_SUSPENDED, R_T, at(10));
    s.basis = "";
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOREASON);
    s.basis = "lunch";
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EBADVALUE);
    c = reach("LD001", TB_ST_PREREVIEW);
    s = step_for(ld, TB_EV_REFUSED, R_T, at(10));
    s.reason = NULL;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOREASON);
    /* Materials: not in the list; 容缺 on a core material; none named. */
    static const char *bogus[] = {"结婚证"}, *core[] = {"居民身份证"};
    s = step_for(ld, TB_EV_NOTICE, R_T, at(10));
    s.materials = bogus;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EMATERIAL);
    s.nmaterials = 0;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ENOMATERIAL);
    s = step_for(ld, TB_EV_PLEDGED, R_T, at(10));
    s.materials = core;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_ECORE);
    s = step_for(ld, TB_EV_PLEDGED, R_T, at(10));
    s.due_ms = at(9);
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EBADVALUE);
    /* One notice only (一次性告知); a pledge must cover every missing material. */
    s = step_for(ld, TB_EV_NOTICE, R_T, at(10));
    s.materials = core;
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    c = next;
    s = step_for(ld, TB_EV_PLEDGED, R_T, at(11));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EOWED);
    s = step_for(ld, TB_EV_SUPPLEMENTED, R_V, at(12));
    s.materials = core;
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    c = next;
    assert_int_equal(c.state, TB_ST_PREREVIEW);
    s = step_for(ld, TB_EV_NOTICE, R_T, at(13));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EONCE);
    /* 容缺: owed materials block the decision until they come. */
    s = step_for(ld, TB_EV_PLEDGED, R_T, at(14));
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    c = next;
    assert_int_equal(c.owed, 1u << 2);
    s = step_for(ld, TB_EV_DECIDED, R_T, at(15));
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EOWED);
    s = step_for(ld, TB_EV_SUPPLEMENTED, R_V, at(16));
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    c = next;
    assert_int_equal(c.owed, 0);
    assert_int_equal(c.state, TB_ST_ACCEPTED);
    /* One rating only (一事一评), on the five-level scale. */
    c = reach("LD001", TB_ST_CLOSED);
    s = step_for(ld, TB_EV_RATED, R_V, at(20));
    s.rating = 6;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EBADVALUE);
    s.rating = 0;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EBADVALUE);
    s.rating = 2;
    assert_int_equal(tb_case_step(&c, &s, &next), 0);
    c = next;
    assert_int_equal(tb_case_step(&c, &s, &next), -TB_EONCE);
    /* Unknown item. */
    tb_case_t none = {0};
    s = step_for(ld, TB_EV_LOGGED, R_V, at(0));
    s.item = NULL;
    assert_int_equal(tb_case_step(&none, &s, &next), -TB_EUNKNOWN_ITEM);
    /* Only the node the case id names may create it; the county never logs. */
    s = step_for(ld, TB_EV_LOGGED, R_V2, at(0));
    assert_int_equal(tb_case_step(&none, &s, &next), -TB_ENOTHOLDER);
    s = step_for(ld, TB_EV_LOGGED, R_C, at(0));
    assert_int_equal(tb_case_step(&none, &s, &next), -TB_EAUTHORITY);
    /* A rejection is never a step of the machine. */
    c = reach("LD001", TB_ST_ACCEPTED);
    s = step_for(ld, TB_EV_REJECTED, R_C, at(20));
    assert_true(tb_case_step(&c, &s, &next) < 0);
}

static void test_walkin_and_consult(void **state)
{
    (void)state;
    const tb_item_t *ld = tb_catalog_find(cat, "LD001"), *zx = tb_catalog_find(cat, "ZX001");
    tb_case_t none = {0}, next;
    tb_step_t s = step_for(ld, TB_EV_LOGGED, R_T, at(0));
    s.case_id = T "-20260302-0001";
    assert_int_equal(tb_case_step(&none, &s, &next), 0);
    assert_int_equal(next.state, TB_ST_PREREVIEW);
    assert_string_equal(next.holder, T);
    assert_int_equal(next.arrived_ms, at(0));
    /* A consultation is answered on the spot, and needs its reply. */
    s = step_for(zx, TB_EV_LOGGED, R_V, at(0));
    assert_int_equal(tb_case_step(&none, &s, &next), 0);
    assert_int_equal(next.state, TB_ST_CLOSED);
    s.reply = "";
    assert_int_equal(tb_case_step(&none, &s, &next), -TB_ENOREASON);
    /* A material handed in at logging must be one of the item's. */
    static const char *bogus[] = {"护照"};
    s = step_for(ld, TB_EV_LOGGED, R_V, at(0));
    s.materials = bogus;
    s.nmaterials = 1;
    assert_int_equal(tb_case_step(&none, &s, &next), -TB_EMATERIAL);
}

/* Deadlines: pre-review 2 working days from arrival, promised days from 受理, pauses skipped. */
static void test_due(void **state)
{
    (void)state;
    const tb_item_t *ld = tb_catalog_find(cat, "LD001"); /* promised 3, legal 5 */
    tb_case_t c = reach("LD001", TB_ST_PREREVIEW);       /* arrived Mon 2026-03-02 */
    int64_t due, legal;
    int32_t d;
    assert_int_equal(tb_case_due(&c, ld, cal, &due, &legal), 0);
    assert_int_equal(tb_day_from_ms(due, &d), 0);
    char buf[TB_DAY_BUFSZ];
    tb_day_format(d, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-04");
    /* A supplement notice stops the clock. */
    assert_int_equal(fold(&c, ld, TB_EV_NOTICE, R_T, at(3)), 0);
    assert_int_equal(tb_case_due(&c, ld, cal, &due, NULL), 0);
    assert_true(due == TB_DUE_NEVER);
    /* Supplemented on Thu 03-05: Mon 03-02 .. Thu 03-05 touched by the pause, so
     * the two days are Fri 03-06 and Mon 03-09. */
    assert_int_equal(fold(&c, ld, TB_EV_SUPPLEMENTED, R_V, at(72)), 0);
    assert_int_equal(tb_case_due(&c, ld, cal, &due, NULL), 0);
    tb_day_from_ms(due, &d);
    tb_day_format(d, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-09");
    /* Accepted Thu 03-05 10:00 -> promised 3 working days: Fri, Mon, Tue 03-10; legal 5: 03-12. */
    assert_int_equal(fold(&c, ld, TB_EV_ACCEPTED, R_T, at(73)), 0);
    assert_int_equal(tb_case_due(&c, ld, cal, &due, &legal), 0);
    tb_day_from_ms(due, &d);
    tb_day_format(d, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-10");
    tb_day_from_ms(legal, &d);
    tb_day_format(d, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-12");
    /* Suspended on Fri 03-06 (survey) until Mon 03-09 noon: Fri and Mon don't count. */
    assert_int_equal(fold(&c, ld, TB_EV_SUSPENDED, R_T, at(96)), 0);
    assert_true(tb_case_due(&c, ld, cal, &due, NULL) == 0 && due == TB_DUE_NEVER);
    assert_int_equal(fold(&c, ld, TB_EV_RESUMED, R_T, at(171)), 0);
    assert_int_equal(tb_case_due(&c, ld, cal, &due, NULL), 0);
    tb_day_from_ms(due, &d);
    tb_day_format(d, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-12");
    /* Yellow the day before, red after. */
    assert_int_equal(tb_calendar_card(cal, due, due - 86400000), TB_CARD_YELLOW);
    assert_int_equal(tb_calendar_card(cal, due, due + 1), TB_CARD_RED);
    /* No clock after the decision. */
    assert_int_equal(fold(&c, ld, TB_EV_DECIDED, R_T, at(180)), 0);
    assert_int_equal(tb_case_due(&c, ld, cal, &due, NULL), 0);
    assert_int_equal(due, 0);
}

/* A case accepted in the Spring Festival week: the promised days skip the holiday. */
static void test_due_spring_festival(void **state)
{
    (void)state;
    const tb_item_t *hj = tb_catalog_find(cat, "HJ002"); /* county, promised 3 */
    tb_case_t c = {0};
    c.state = TB_ST_COUNTY;
    int32_t day;
    tb_day_from_ymd(2026, 2, 13, &day); /* Fri; 02-14 Sat is a make-up workday */
    c.accepted_ms = tb_day_start_ms(day) + 10 * 3600000LL;
    int64_t due;
    assert_int_equal(tb_case_due(&c, hj, cal, &due, NULL), 0);
    int32_t d;
    tb_day_from_ms(due, &d);
    char buf[TB_DAY_BUFSZ];
    tb_day_format(d, buf, sizeof buf);
    /* 02-14 (调休) is day 1, 02-15..02-23 off, 02-24 day 2, 02-25 day 3. */
    assert_string_equal(buf, "2026-02-25");
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    tb_case_t c = reach("YB003", TB_ST_COUNTY), d;
    const tb_item_t *yb = tb_catalog_find(cat, "YB003");
    assert_int_equal(fold(&c, yb, TB_EV_SUSPENDED, R_C, at(30)), 0);
    char buf[TB_CASE_TEXT_MAX];
    tb_case_text_encode(&c, buf);
    assert_int_equal(tb_case_text_decode(buf, &d), 0);
    char again[TB_CASE_TEXT_MAX];
    tb_case_text_encode(&d, again);
    assert_string_equal(buf, again);
    assert_int_equal(d.state, TB_ST_SUSPENDED);
    assert_int_equal(d.resume, TB_ST_COUNTY);
    assert_string_equal(d.holder, C);
    assert_string_equal(d.pending, "");
    assert_string_equal(d.origin, V);
    assert_string_equal(d.item, "YB003");
    assert_int_equal(d.npauses, 1);
    assert_true(d.pauses[0].start_ms == at(30) && d.pauses[0].end_ms == TB_PAUSE_OPEN);
    /* Garbage never decodes into a case. */
    static const char *bad[] = {"",
                                "2 1 - - 0 - - 0 0 0 0 0 0 0 0 0 0 0 0 0",
                                "1 99",
                                "1 1 - - 0 - - 0 0 0 0 0 0 0 0 0 0 0 0 9",
                                "1 1 abc - 0 - - 0 0 0 0 0 0 0 0 0 0 0 0 0",
                                NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(tb_case_text_decode(bad[i], &d), -TB_EDATA);
    assert_int_equal(tb_case_text_decode(NULL, &d), -TB_EDATA);
}

static void test_ratings(void **state)
{
    (void)state;
    unsigned r;
    assert_int_equal(tb_rating_parse("非常满意", &r), 0);
    assert_int_equal(r, 5);
    assert_int_equal(tb_rating_parse("基本满意", &r), 0);
    assert_int_equal(r, 3);
    assert_int_equal(tb_rating_parse("1", &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(tb_rating_parse("6", &r), -TB_EBADVALUE);
    assert_int_equal(tb_rating_parse("满意吧", &r), -TB_EBADVALUE);
}

/* "What may this role do next" derived from the table (tb_case_next_steps)
 * is exactly the legal rows above, state by state and role by role; and for
 * every combination the fold refuses, it refuses with the code of the first
 * rule of the table the step breaks (tb_case_check): the same mistake, the
 * same message. */
static void check_next_steps(const char *item_code, int level, const tb_state_t *states, size_t n,
                             int *ret_legal, int *ret_illegal)
{
    const tb_item_t *item = tb_catalog_find(cat, item_code);
    for (size_t si = 0; si < n; si++) {
        tb_case_t c = reach(item_code, states[si]);
        for (int r = 0; r < NROLES; r++) {
            uint32_t want = 0;
            for (size_t k = 0; k < sizeof legal / sizeof legal[0]; k++)
                if (legal[k].from == states[si] && legal[k].role == r &&
                    (legal[k].level == 0 || legal[k].level == level))
                    want |= UINT32_C(1) << legal[k].ev;
            for (int t = TB_EV_CARD_RAISED; t <= TB_EV_CIRCULATED; t++)
                if (supervision_legal(&c, (tb_event_type_t)t, r))
                    want |= UINT32_C(1) << t;
            uint32_t got = tb_case_next_steps(&c, item, roles[r]);
            if (got != want)
                for (int t = TB_EV_LOGGED; t < TB_EV_COMPLAINED; t++)
                    if (((got ^ want) >> t) & 1)
                        fail_msg("%s: %s + %s by %s: the table says %s, the legal rows %s",
                                 item_code, tb_state_name(states[si]),
                                 tb_event_name((tb_event_type_t)t), role_names[r],
                                 (got >> t) & 1 ? "legal" : "illegal",
                                 (want >> t) & 1 ? "legal" : "illegal");
            for (int t = TB_EV_NONE; t <= TB_EV_LAST; t++) {
                tb_step_t s = step_for(item, (tb_event_type_t)t, r, at(100));
                tb_case_t next;
                int rc = tb_case_step(&c, &s, &next);
                int check = tb_case_check(&c, item, roles[r], (tb_event_type_t)t);
                if (rc != check)
                    fail_msg("%s: %s + %s by %s: the fold says %s, the table %s", item_code,
                             tb_state_name(states[si]), tb_event_name((tb_event_type_t)t),
                             role_names[r], rc ? tb_strerror(rc) : "ok",
                             check ? tb_strerror(check) : "ok");
                if (rc == 0)
                    (*ret_legal)++;
                else
                    (*ret_illegal)++;
            }
        }
    }
}

static void test_next_steps_from_table(void **state)
{
    (void)state;
    static const tb_state_t tw[] = {TB_ST_LOGGED,     TB_ST_SUBMITTED, TB_ST_PREREVIEW,
                                    TB_ST_SUPPLEMENT, TB_ST_ACCEPTED,  TB_ST_REFUSED,
                                    TB_ST_SUSPENDED,  TB_ST_DECIDED,   TB_ST_RESULT,
                                    TB_ST_CLOSED,     TB_ST_WITHDRAWN};
    static const tb_state_t co[] = {TB_ST_ACCEPTED, TB_ST_ESCALATED, TB_ST_COUNTY,
                                    TB_ST_DECIDED,  TB_ST_RESULT,    TB_ST_CLOSED};
    int ok = 0, bad = 0;
    check_next_steps("LD001", TW, tw, sizeof tw / sizeof tw[0], &ok, &bad);
    check_next_steps("YB003", CO, co, sizeof co / sizeof co[0], &ok, &bad);
    print_message("# %d legal and %d refused steps: the table and the fold agree\n", ok, bad);
    /* every legal row, as in test_matrix (67), and supervision: 5 county
     * events in each of the 17 states, and the reply where a township or the
     * county holds the case (6 township-item states, 4 county-item ones);
     * complaints in each of the 17 states: filed by the village, its
     * township or the county (3), answered by the township or the county
     * (2), the county's 7 other steps */
    assert_int_equal(ok, 67 + 5 * 17 + 6 + 4 + (3 + 2 + 7) * 17);
}

static int setup(void **state)
{
    (void)state;
    cat = tb_catalog_new();
    cal = tb_calendar_new();
    int line = 0;
    if (tb_catalog_load(cat, TB_SOURCE_DATA_DIR "/catalog.csv", &line) < 0 ||
        tb_calendar_load_csv(cal, TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv", &line) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tb_catalog_destroy(&cat);
    tb_calendar_destroy(&cal);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_county_suspend_resume),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_walkin_and_consult),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_due_spring_festival),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_ratings),
        cmocka_unit_test(test_next_steps_from_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
