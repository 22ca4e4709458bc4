/* tb_case: the engine of the case rules.  Every event goes through the same
 * checks in the same order (tb_rules.h), reading its row of the table in
 * tb_rules.c; the row's effect writes the next case. */
#include "tb_case.h"

#include "tb_error.h"
#include "tb_rules.h"

#include <stdio.h>
#include <string.h>

bool tb_event_allowed(tb_level_t level, tb_event_type_t t)
{
    const tb_rule_t *r = tb_rule_for(t);
    return r && (unsigned)level <= TB_LEVEL_VILLAGE && level != TB_LEVEL_NONE &&
           (r->levels & TB_LEVEL_BIT(level));
}

static bool is_parent(const char *parent, const char *child)
{
    char p[TB_CODE_LEN + 1];
    return tb_code_parent(child, p) == 0 && strcmp(p, parent) == 0;
}

/* Checks 1 to 7: what depends only on the case, its item and the sender.
 * case_id: the step's, for the creator check; NULL to assume the node mints it. */
static int check_case(const tb_case_t *cur, const tb_item_t *item, const char *o, tb_event_type_t t,
                      const char *case_id, bool have_id)
{
    const tb_rule_t *r = tb_rule_for(t);
    tb_level_t lv = tb_code_level(o);

    /* 1. item */
    if (!item)
        return -TB_EUNKNOWN_ITEM;
    /* 2. level */
    if (!tb_event_allowed(lv, t))
        return -TB_EAUTHORITY;
    /* 3. exists */
    bool creates = r->from[lv] & TB_ST_BIT(TB_ST_NONE);
    if (creates != (cur->state == TB_ST_NONE))
        return -TB_EILLEGAL;
    if (!creates && strcmp(cur->item, item->code) != 0)
        return -TB_EUNKNOWN_ITEM; /* the caller looked up another item */
    /* 4. who */
    switch (r->who) {
    case TB_WHO_CREATOR:
        /* Only the node a case id names may create it: a village, or a township window. */
        if (have_id &&
            (!case_id || strncmp(case_id, o, TB_CODE_LEN) != 0 || case_id[TB_CODE_LEN] != '-'))
            return -TB_ENOTHOLDER;
        break;
    case TB_WHO_HOLDER:
        if (strcmp(o, cur->holder) != 0)
            return -TB_ENOTHOLDER;
        break;
    case TB_WHO_PARTY:
        if (strcmp(o, cur->holder) != 0 && strcmp(o, cur->origin) != 0)
            return -TB_ENOTHOLDER;
        break;
    case TB_WHO_COUNTY:
        /* The case's own county: the first six digits of its origin. */
        if (strncmp(o, cur->origin, 6) != 0)
            return -TB_ENOTHOLDER;
        break;
    case TB_WHO_AREA:
        /* The holder, the origin, or a place above the origin: its township
         * (the first nine digits) or its county (the first six). */
        if (strcmp(o, cur->holder) != 0 && strcmp(o, cur->origin) != 0 &&
            !(lv == TB_LEVEL_TOWNSHIP && strncmp(o, cur->origin, 9) == 0) &&
            !(lv == TB_LEVEL_COUNTY && strncmp(o, cur->origin, 6) == 0))
            return -TB_ENOTHOLDER;
        break;
    case TB_WHO_PENDING:
        /* With no handover under way there is nobody to confirm: a matter of state (7). */
        if (cur->pending[0] && strcmp(o, cur->pending) != 0)
            return -TB_ENOTHOLDER;
        break;
    }
    /* 5. item rule */
    if (r->item == TB_ITEM_COUNTY && item->level != TB_LEVEL_COUNTY)
        return -TB_EAUTHORITY; /* township items are decided at the township */
    if (r->item == TB_ITEM_OWN_LEVEL && item->level != lv)
        return -TB_EAUTHORITY; /* e.g. a township deciding a county item */
    /* 6. once */
    if ((r->once == TB_ONCE_NOTICE && cur->noticed) || (r->once == TB_ONCE_RATING && cur->rating) ||
        (r->once == TB_ONCE_FOLLOWUP && cur->followup))
        return -TB_EONCE; /* 一次性告知: one notice lists everything; 一事一评; one 追评 */
    /* 7. from-state, and its guard */
    if (!(r->from[lv] & TB_ST_BIT(cur->state)))
        return -TB_EILLEGAL;
    switch (r->guard) {
    case TB_GUARD_NONE:
        break;
    case TB_GUARD_SETTLED:
        if (cur->pending[0])
            return -TB_EILLEGAL; /* being handed over */
        break;
    case TB_GUARD_HANDOVER:
        if (!cur->pending[0])
            return -TB_EILLEGAL;
        break;
    case TB_GUARD_TO_BRING:
        if ((cur->missing | cur->owed) == 0)
            return -TB_EILLEGAL;
        break;
    case TB_GUARD_RATED:
        if (!cur->rating)
            return -TB_EILLEGAL; /* a 追评 follows the first rating */
        break;
    }
    return 0;
}

/* 8. What the step carries, in the order of tb_rules.h. */
static int check_fields(const tb_rule_t *r, const tb_case_t *cur, const tb_step_t *ev,
                        uint32_t *ret_mask)
{
    unsigned f = r->fields;
    const char *t = ev->target;
    if ((f & TB_F_TARGET_TOWNSHIP) &&
        (tb_code_level(t) != TB_LEVEL_TOWNSHIP || !is_parent(t, cur->holder)))
        return -TB_EAUTHORITY;
    if ((f & TB_F_TARGET_COUNTY) &&
        (tb_code_level(t) != TB_LEVEL_COUNTY || !is_parent(t, cur->holder)))
        return -TB_EAUTHORITY;
    if ((f & TB_F_UNIT) &&
        !(tb_code_level(t) == TB_LEVEL_COUNTY && strncmp(t, cur->origin, 6) == 0) &&
        !(tb_code_level(t) == TB_LEVEL_TOWNSHIP && strncmp(t, cur->origin, 6) == 0))
        return -TB_EAUTHORITY; /* a complaint goes to the county or one of its townships */
    if ((f & TB_F_MATERIALS) && ev->nmaterials == 0)
        return -TB_ENOMATERIAL;
    uint32_t m = 0;
    if (f & TB_F_LISTED) {
        int rc = tb_rule_materials(ev->item, ev->materials, ev->nmaterials, f & TB_F_NONCORE, &m);
        if (rc < 0)
            return rc;
    }
    bool answered = ev->item->kind == TB_KIND_CONSULT || ev->item->kind == TB_KIND_HELP;
    if (((f & TB_F_REASON) && tb_rule_blank(ev->reason)) ||
        ((f & TB_F_DENY_REASON) && ev->decision == TB_DECISION_DENY && tb_rule_blank(ev->reason)) ||
        ((f & TB_F_REPLY) && answered && tb_rule_blank(ev->reply)) ||
        ((f & TB_F_BASIS) && tb_rule_blank(ev->basis)))
        return -TB_ENOREASON;
    if (((f & TB_F_DECISION) && ev->decision != TB_DECISION_GRANT &&
         ev->decision != TB_DECISION_DENY) ||
        ((f & TB_F_BASIS) && !tb_basis_valid(ev->basis)) ||
        ((f & TB_F_RATING) && (ev->rating < 1 || ev->rating > 5)) ||
        ((f & TB_F_DUE) && ev->due_ms <= ev->at_ms) ||
        ((f & TB_F_COMPLAINT_KIND) &&
         (!ev->complaint_kind || (strcmp(ev->complaint_kind, "complaint") != 0 &&
                                  strcmp(ev->complaint_kind, "consult") != 0))))
        return -TB_EBADVALUE;
    *ret_mask = m;
    return 0;
}

/* 9. Owed materials.  mask: the step's materials. */
static int check_owed(const tb_rule_t *r, const tb_case_t *cur, uint32_t mask)
{
    if (r->owed == TB_OWED_NOTHING && (cur->owed || cur->missing))
        return -TB_EOWED;
    if (r->owed == TB_OWED_COVERED && (cur->missing & ~mask))
        return -TB_EOWED; /* a missing material the pledge does not cover */
    return 0;
}

int tb_case_step(const tb_case_t *cur, const tb_step_t *ev, tb_case_t *ret_next)
{
    tb_step_t s = *ev;
    s.origin = ev->origin ? ev->origin : "";
    s.target = ev->target ? ev->target : "";
    int rc = check_case(cur, s.item, s.origin, s.type, s.case_id, true);
    if (rc < 0)
        return rc;
    const tb_rule_t *r = tb_rule_for(s.type);
    uint32_t mask;
    if ((rc = check_fields(r, cur, &s, &mask)) < 0 || (rc = check_owed(r, cur, mask)) < 0)
        return rc;
    /* 10. effect */
    tb_case_t next = *cur;
    if ((rc = r->effect(cur, &s, mask, &next)) < 0)
        return rc;
    next.version = cur->state == TB_ST_NONE ? 1 : cur->version + 1;
    *ret_next = next;
    return 0;
}

int tb_case_check(const tb_case_t *c, const tb_item_t *item, const char *node, tb_event_type_t t)
{
    const char *o = node ? node : "";
    int rc = check_case(c, item, o, t, NULL, false);
    if (rc < 0)
        return rc;
    const tb_rule_t *r = tb_rule_for(t);
    /* A pledge can cover what is missing only if none of it is core. */
    uint32_t noncore = 0;
    for (size_t i = 0; i < item->nmaterials && i < 32; i++)
        if (!item->core[i])
            noncore |= 1u << i;
    return check_owed(r, c, noncore);
}

uint32_t tb_case_next_steps(const tb_case_t *c, const tb_item_t *item, const char *node)
{
    uint32_t m = 0;
    for (int t = TB_EV_NONE + 1; t < TB_EV_COMPLAINED; t++)
        if (tb_case_check(c, item, node, (tb_event_type_t)t) == 0)
            m |= UINT32_C(1) << t;
    return m;
}

int tb_case_due(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                int64_t *ret_due_ms, int64_t *ret_legal_ms)
{
    int64_t start;
    int promised, legal;
    switch (c->state) {
    case TB_ST_PREREVIEW:
    case TB_ST_SUPPLEMENT:
        start = c->arrived_ms;
        promised = legal = TB_PREREVIEW_DAYS;
        break;
    case TB_ST_ACCEPTED:
    case TB_ST_ESCALATED:
    case TB_ST_COUNTY:
    case TB_ST_SUSPENDED:
        if (!item)
            return -TB_EUNKNOWN_ITEM;
        start = c->accepted_ms;
        promised = item->kind == TB_KIND_PROMISED ? item->promised_days : 0;
        legal = item->kind == TB_KIND_PROMISED ? item->legal_days : 0;
        break;
    default:
        *ret_due_ms = 0;
        if (ret_legal_ms)
            *ret_legal_ms = 0;
        return 0;
    }
    /* Only pauses after the clock started count against it. */
    tb_pause_t p[TB_CASE_PAUSES_MAX];
    size_t n = 0;
    for (uint32_t i = 0; i < c->npauses && i < TB_CASE_PAUSES_MAX; i++)
        if (c->pauses[i].end_ms == TB_PAUSE_OPEN || c->pauses[i].end_ms > start) {
            p[n] = c->pauses[i];
            if (p[n].start_ms < start)
                p[n].start_ms = start;
            n++;
        }
    int64_t due, lg;
    int rc = tb_calendar_due(cal, start, promised, p, n, &due);
    if (rc == 0)
        rc = tb_calendar_due(cal, start, legal, p, n, &lg);
    if (rc < 0)
        return rc;
    *ret_due_ms = due;
    if (ret_legal_ms)
        *ret_legal_ms = lg;
    return 0;
}

void tb_case_to_bring(const tb_case_t *c, const tb_item_t *item, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    uint32_t m = c->missing | c->owed;
    for (size_t i = 0; item && i < item->nmaterials && i < 32; i++) {
        if (!(m & (1u << i)))
            continue;
        int n = snprintf(buf + len, size - len, "%s%s", len ? "、" : "", item->material[i]);
        if (n < 0 || (size_t)n >= size - len)
            break;
        len += (size_t)n;
    }
}
