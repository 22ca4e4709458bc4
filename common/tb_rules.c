/* tb_rules: the table of case rules and the effects it names.  See tb_rules.h
 * for the order of the checks; tb_case.c runs them. */
#include "tb_rules.h"

#include "tb_error.h"

#include <stdio.h>
#include <string.h>

bool tb_rule_blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n')
            return false;
    return true;
}

int tb_rule_materials(const tb_item_t *item, const char *const *materials, size_t n,
                      bool noncore_only, uint32_t *ret_mask)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int k = tb_item_material(item, materials[i]);
        if (k < 0)
            return -TB_EMATERIAL;
        if (noncore_only && item->core[k])
            return -TB_ECORE;
        m |= 1u << k;
    }
    *ret_mask = m;
    return 0;
}

/* ---- Clock pauses (待补正, 挂起) ---- */

static int pause_open(tb_case_t *c, int64_t at)
{
    if (c->npauses == TB_CASE_PAUSES_MAX)
        return -TB_EILLEGAL;
    c->pauses[c->npauses].start_ms = at;
    c->pauses[c->npauses].end_ms = TB_PAUSE_OPEN;
    c->npauses++;
    return 0;
}

static void pause_close(tb_case_t *c, int64_t at)
{
    if (c->npauses && c->pauses[c->npauses - 1].end_ms == TB_PAUSE_OPEN)
        c->pauses[c->npauses - 1].end_ms =
            at > c->pauses[c->npauses - 1].start_ms ? at : c->pauses[c->npauses - 1].start_ms;
}

/* ---- Effects: one named function per event type ---- */

static int logged(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur;
    memset(next, 0, sizeof *next);
    strcpy(next->holder, ev->origin);
    strcpy(next->origin, ev->origin);
    snprintf(next->item, sizeof next->item, "%s", ev->item->code);
    next->have = m;
    if (ev->item->kind == TB_KIND_CONSULT || ev->item->kind == TB_KIND_HELP) {
        next->state = TB_ST_CLOSED; /* answered on the spot */
        next->closed_ms = ev->at_ms;
    } else if (tb_code_level(ev->origin) == TB_LEVEL_VILLAGE) {
        next->state = TB_ST_LOGGED;
    } else {
        next->state = TB_ST_PREREVIEW; /* walk-in registration at the window */
        next->arrived_ms = ev->at_ms;
    }
    return 0;
}

static int submitted(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->state = TB_ST_SUBMITTED;
    strcpy(next->pending, ev->target);
    return 0;
}

static int received(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)m;
    if (cur->state == TB_ST_SUBMITTED) {
        next->state = TB_ST_PREREVIEW;
        next->arrived_ms = ev->at_ms;
    } else {
        next->state = TB_ST_COUNTY;
    }
    strcpy(next->holder, ev->origin);
    next->pending[0] = '\0';
    return 0;
}

static int accepted(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->state = TB_ST_ACCEPTED;
    next->accepted_ms = ev->at_ms;
    return 0;
}

static int forwarded(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->state = TB_ST_ESCALATED;
    strcpy(next->pending, ev->target);
    return 0;
}

static int notice(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur;
    if (pause_open(next, ev->at_ms) < 0)
        return -TB_EILLEGAL;
    next->state = TB_ST_SUPPLEMENT;
    next->missing = m;
    next->noticed = true;
    return 0;
}

static int supplemented(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    next->have |= m;
    next->missing &= ~m;
    next->owed &= ~m;
    if (cur->state == TB_ST_SUPPLEMENT && next->missing == 0) {
        next->state = TB_ST_PREREVIEW; /* the clock runs again */
        pause_close(next, ev->at_ms);
    }
    return 0;
}

static int pledged(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    pause_close(next, ev->at_ms);
    next->state = TB_ST_ACCEPTED;
    next->accepted_ms = ev->at_ms;
    next->missing = 0;
    /* Only what has not been handed in: a supplement that crossed the pledge
     * on its way must not be owed again (the same result in either order at
     * every tier). */
    next->owed = m & ~cur->have;
    next->pledge_due_ms = ev->due_ms;
    return 0;
}

static int refused(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    pause_close(next, ev->at_ms);
    next->state = TB_ST_REFUSED;
    next->missing = 0;
    next->decided_ms = ev->at_ms;
    return 0;
}

static int decided(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->state = TB_ST_DECIDED;
    next->decision = (uint8_t)ev->decision;
    next->decided_ms = ev->at_ms;
    return 0;
}

static int suspended(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)m;
    if (pause_open(next, ev->at_ms) < 0)
        return -TB_EILLEGAL;
    next->resume = cur->state;
    next->state = TB_ST_SUSPENDED;
    return 0;
}

static int resumed(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)m;
    pause_close(next, ev->at_ms);
    next->state = cur->resume;
    next->resume = TB_ST_NONE;
    return 0;
}

/* 出件: back down the chain to whoever logged it, who hands it over. */
static int result(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)ev, (void)m;
    next->state = TB_ST_RESULT;
    strcpy(next->holder, cur->origin);
    return 0;
}

static int delivered(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->state = TB_ST_CLOSED;
    next->closed_ms = ev->at_ms;
    return 0;
}

static int rated(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->rating = (uint8_t)ev->rating;
    return 0;
}

/* 追评: the resident's second word, kept beside the first (the statistics
 * count the first, as GB/T 39735 does; the 追评 is the fix's rating). */
static int rating_followup(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    next->followup = (uint8_t)ev->rating;
    return 0;
}

static int withdrawn(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)m;
    pause_close(next, ev->at_ms);
    next->state = TB_ST_WITHDRAWN;
    next->pending[0] = '\0';
    next->closed_ms = ev->at_ms;
    return 0;
}

static int note(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)
{
    (void)cur, (void)ev, (void)m, (void)next;
    return 0;
}

/* Cards, 督办 and its steps are history, not state: the case stays where it
 * is (one named effect per event, as the table wants). */
#define SUPERVISION(fn)                                                                            \
    static int fn(const tb_case_t *cur, const tb_step_t *ev, uint32_t m, tb_case_t *next)          \
    {                                                                                              \
        (void)cur, (void)ev, (void)m, (void)next;                                                  \
        return 0;                                                                                  \
    }
SUPERVISION(card_raised)
SUPERVISION(card_cleared)
SUPERVISION(supervised)
SUPERVISION(supervision_reply)
SUPERVISION(urged)
SUPERVISION(circulated)
/* Complaints (tb_complaint.h keeps their own flow): history for the case. */
SUPERVISION(complained)
SUPERVISION(complaint_accepted)
SUPERVISION(complaint_declined)
SUPERVISION(complaint_assigned)
SUPERVISION(complaint_replied)
SUPERVISION(complaint_revisited)
SUPERVISION(complaint_closed)
SUPERVISION(complaint_redone)
SUPERVISION(complaint_fault)

/* ---- The table ---- */

#define VIL TB_LEVEL_BIT(TB_LEVEL_VILLAGE)
#define TWN TB_LEVEL_BIT(TB_LEVEL_TOWNSHIP)
#define CTY TB_LEVEL_BIT(TB_LEVEL_COUNTY)
#define S(x) TB_ST_BIT(TB_ST_##x)
/* The same from-states for every level. */
#define FROM(m)                                                                                    \
    {                                                                                              \
        [TB_LEVEL_COUNTY] = (m), [TB_LEVEL_TOWNSHIP] = (m), [TB_LEVEL_VILLAGE] = (m)               \
    }
/* Before a decision: what a withdrawal or a supplement may come from. */
#define OPEN                                                                                       \
    (S(LOGGED) | S(SUBMITTED) | S(PREREVIEW) | S(ACCEPTED) | S(ESCALATED) | S(COUNTY) |            \
     S(SUPPLEMENT) | S(SUSPENDED))
#define ANY (((UINT32_C(1) << TB_ST_LAST) - 1) & ~S(NONE))
#define RULE(t, fn) .type = TB_EV_##t, .effect = fn, .effect_name = #fn

static const tb_rule_t rules[TB_EV_LAST] = {
    [TB_EV_LOGGED] = {RULE(LOGGED, logged), .levels = VIL | TWN, .from = FROM(S(NONE)),
                      .who = TB_WHO_CREATOR, .fields = TB_F_LISTED | TB_F_REPLY},
    [TB_EV_SUBMITTED] = {RULE(SUBMITTED, submitted), .levels = VIL, .from = FROM(S(LOGGED)),
                         .who = TB_WHO_HOLDER, .guard = TB_GUARD_SETTLED,
                         .fields = TB_F_TARGET_TOWNSHIP},
    [TB_EV_RECEIVED] = {RULE(RECEIVED, received), .levels = TWN | CTY,
                        .from = {[TB_LEVEL_TOWNSHIP] = S(SUBMITTED) | S(ESCALATED),
                                 [TB_LEVEL_COUNTY] = S(SUBMITTED) | S(ESCALATED)},
                        .who = TB_WHO_PENDING, .guard = TB_GUARD_HANDOVER},
    [TB_EV_ACCEPTED] = {RULE(ACCEPTED, accepted), .levels = TWN, .from = FROM(S(PREREVIEW)),
                        .who = TB_WHO_HOLDER, .guard = TB_GUARD_SETTLED},
    [TB_EV_FORWARDED] = {RULE(FORWARDED, forwarded), .levels = TWN, .from = FROM(S(ACCEPTED)),
                         .who = TB_WHO_HOLDER, .item = TB_ITEM_COUNTY, .guard = TB_GUARD_SETTLED,
                         .fields = TB_F_TARGET_COUNTY},
    [TB_EV_NOTICE] = {RULE(NOTICE, notice), .levels = TWN, .from = FROM(S(PREREVIEW)),
                      .who = TB_WHO_HOLDER, .once = TB_ONCE_NOTICE, .guard = TB_GUARD_SETTLED,
                      .fields = TB_F_MATERIALS | TB_F_LISTED},
    [TB_EV_SUPPLEMENTED] = {RULE(SUPPLEMENTED, supplemented), .levels = VIL | TWN,
                            .from = FROM(OPEN), .who = TB_WHO_PARTY, .guard = TB_GUARD_TO_BRING,
                            .fields = TB_F_MATERIALS | TB_F_LISTED},
    [TB_EV_PLEDGED] = {RULE(PLEDGED, pledged), .levels = TWN,
                       .from = FROM(S(PREREVIEW) | S(SUPPLEMENT)), .who = TB_WHO_HOLDER,
                       .guard = TB_GUARD_SETTLED,
                       .fields = TB_F_MATERIALS | TB_F_LISTED | TB_F_NONCORE | TB_F_DUE,
                       .owed = TB_OWED_COVERED},
    [TB_EV_REFUSED] = {RULE(REFUSED, refused), .levels = TWN,
                       .from = FROM(S(PREREVIEW) | S(SUPPLEMENT)), .who = TB_WHO_HOLDER,
                       .guard = TB_GUARD_SETTLED, .fields = TB_F_REASON},
    /* The township decides its items once accepted; the county its own once received. */
    [TB_EV_DECIDED] = {RULE(DECIDED, decided), .levels = TWN | CTY,
                       .from = {[TB_LEVEL_TOWNSHIP] = S(ACCEPTED), [TB_LEVEL_COUNTY] = S(COUNTY)},
                       .who = TB_WHO_HOLDER, .item = TB_ITEM_OWN_LEVEL, .guard = TB_GUARD_SETTLED,
                       .fields = TB_F_DENY_REASON | TB_F_DECISION, .owed = TB_OWED_NOTHING},
    [TB_EV_SUSPENDED] = {RULE(SUSPENDED, suspended), .levels = TWN | CTY,
                         .from = FROM(S(ACCEPTED) | S(COUNTY)), .who = TB_WHO_HOLDER,
                         .guard = TB_GUARD_SETTLED, .fields = TB_F_BASIS},
    [TB_EV_RESUMED] = {RULE(RESUMED, resumed), .levels = TWN | CTY, .from = FROM(S(SUSPENDED)),
                       .who = TB_WHO_HOLDER, .guard = TB_GUARD_SETTLED},
    [TB_EV_RESULT] = {RULE(RESULT, result), .levels = TWN | CTY,
                      .from = FROM(S(DECIDED) | S(REFUSED)), .who = TB_WHO_HOLDER,
                      .guard = TB_GUARD_SETTLED},
    [TB_EV_DELIVERED] = {RULE(DELIVERED, delivered), .levels = VIL | TWN, .from = FROM(S(RESULT)),
                         .who = TB_WHO_HOLDER, .guard = TB_GUARD_SETTLED},
    [TB_EV_RATED] = {RULE(RATED, rated), .levels = VIL | TWN, .from = FROM(S(CLOSED)),
                     .who = TB_WHO_PARTY, .once = TB_ONCE_RATING, .fields = TB_F_RATING},
    /* 追评 (issue 11): once, after the first rating, taken for the resident
     * where a complaint may be filed (the origin, a window above it, the
     * county).  Any time after RATED: a 差评's rectification and its outcome
     * live at the county only, and the rule must be the same at every tier. */
    [TB_EV_RATING_FOLLOWUP] = {RULE(RATING_FOLLOWUP, rating_followup), .levels = VIL | TWN | CTY,
                               .from = FROM(S(CLOSED)), .who = TB_WHO_AREA,
                               .once = TB_ONCE_FOLLOWUP, .guard = TB_GUARD_RATED,
                               .fields = TB_F_RATING},
    [TB_EV_WITHDRAWN] = {RULE(WITHDRAWN, withdrawn), .levels = VIL | TWN, .from = FROM(OPEN),
                         .who = TB_WHO_PARTY},
    [TB_EV_NOTE] = {RULE(NOTE, note), .levels = VIL | TWN | CTY, .from = FROM(ANY),
                    .who = TB_WHO_PARTY, .fields = TB_F_REASON},
    /* Supervision (issue 11): the county watches every case of its own, in
     * any state (a card is cleared after the case moved on); the holder
     * answers a 督办 with a written reply. */
    [TB_EV_CARD_RAISED] = {RULE(CARD_RAISED, card_raised), .levels = CTY, .from = FROM(ANY),
                           .who = TB_WHO_COUNTY},
    [TB_EV_CARD_CLEARED] = {RULE(CARD_CLEARED, card_cleared), .levels = CTY, .from = FROM(ANY),
                            .who = TB_WHO_COUNTY},
    [TB_EV_SUPERVISED] = {RULE(SUPERVISED, supervised), .levels = CTY, .from = FROM(ANY),
                          .who = TB_WHO_COUNTY, .fields = TB_F_REASON},
    [TB_EV_SUPERVISION_REPLY] = {RULE(SUPERVISION_REPLY, supervision_reply), .levels = TWN | CTY,
                                 .from = FROM(ANY), .who = TB_WHO_HOLDER, .fields = TB_F_REASON},
    [TB_EV_URGED] = {RULE(URGED, urged), .levels = CTY, .from = FROM(ANY), .who = TB_WHO_COUNTY},
    [TB_EV_CIRCULATED] = {RULE(CIRCULATED, circulated), .levels = CTY, .from = FROM(ANY),
                          .who = TB_WHO_COUNTY},
    /* Complaints (issue 11): filed for a resident by the village that logged
     * the case, a window above it or the county, in any state; the county
     * runs the flow; the responsible unit (the county or a township above
     * the origin) answers.  Which step may follow which is tb_complaint.h's. */
    [TB_EV_COMPLAINED] = {RULE(COMPLAINED, complained), .levels = VIL | TWN | CTY,
                          .from = FROM(ANY), .who = TB_WHO_AREA,
                          .fields = TB_F_REASON | TB_F_COMPLAINT_KIND},
    [TB_EV_COMPLAINT_ACCEPTED] = {RULE(COMPLAINT_ACCEPTED, complaint_accepted), .levels = CTY,
                                  .from = FROM(ANY), .who = TB_WHO_COUNTY},
    [TB_EV_COMPLAINT_DECLINED] = {RULE(COMPLAINT_DECLINED, complaint_declined), .levels = CTY,
                                  .from = FROM(ANY), .who = TB_WHO_COUNTY, .fields = TB_F_REASON},
    [TB_EV_COMPLAINT_ASSIGNED] = {RULE(COMPLAINT_ASSIGNED, complaint_assigned), .levels = CTY,
                                  .from = FROM(ANY), .who = TB_WHO_COUNTY, .fields = TB_F_UNIT},
    [TB_EV_COMPLAINT_REPLIED] = {RULE(COMPLAINT_REPLIED, complaint_replied), .levels = TWN | CTY,
                                 .from = FROM(ANY), .who = TB_WHO_AREA, .fields = TB_F_REASON},
    [TB_EV_COMPLAINT_REVISITED] = {RULE(COMPLAINT_REVISITED, complaint_revisited), .levels = CTY,
                                   .from = FROM(ANY), .who = TB_WHO_COUNTY, .fields = TB_F_REASON},
    [TB_EV_COMPLAINT_CLOSED] = {RULE(COMPLAINT_CLOSED, complaint_closed), .levels = CTY,
                                .from = FROM(ANY), .who = TB_WHO_COUNTY},
    [TB_EV_COMPLAINT_REDONE] = {RULE(COMPLAINT_REDONE, complaint_redone), .levels = CTY,
                                .from = FROM(ANY), .who = TB_WHO_COUNTY, .fields = TB_F_REASON},
    [TB_EV_COMPLAINT_FAULT] = {RULE(COMPLAINT_FAULT, complaint_fault), .levels = CTY,
                               .from = FROM(ANY), .who = TB_WHO_COUNTY, .fields = TB_F_REASON},
};

const tb_rule_t *tb_rule_for(tb_event_type_t t)
{
    if ((unsigned)t >= TB_EV_LAST || !rules[t].effect)
        return NULL;
    return &rules[t];
}
