/* tb_supervise.c: cards and supervision orders as pure functions (see the header). */
#include "tb_supervise.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static const struct {
    const char *name;
    size_t off;
    int def;
} limits[] = {
    {"yellow_days", offsetof(tb_limits_t, yellow_days), 1},
    {"prereview_days", offsetof(tb_limits_t, prereview_days), 2},
    {"reply_days", offsetof(tb_limits_t, reply_days), 3},
    {"urge_days", offsetof(tb_limits_t, urge_days), 1},
    {"circulate_days", offsetof(tb_limits_t, circulate_days), 5},
    {"revisit_days", offsetof(tb_limits_t, revisit_days), 1},
    {"rectify_days", offsetof(tb_limits_t, rectify_days), 15},
    {"complaint_accept_days", offsetof(tb_limits_t, complaint_accept_days), 5},
    {"complaint_days", offsetof(tb_limits_t, complaint_days), 13},
    {"consult_days", offsetof(tb_limits_t, consult_days), 3},
};
#define NLIMITS (sizeof limits / sizeof limits[0])

static int *slot(tb_limits_t *self, size_t i)
{
    return (int *)((char *)self + limits[i].off);
}

void tb_limits_default(tb_limits_t *ret)
{
    for (size_t i = 0; i < NLIMITS; i++)
        *slot(ret, i) = limits[i].def;
}

int tb_limits_set(tb_limits_t *self, const char *name, int value)
{
    if (!self || !name)
        return -EINVAL;
    for (size_t i = 0; i < NLIMITS; i++)
        if (!strcmp(limits[i].name, name)) {
            if (value < 1 || value > TB_LIMIT_MAX)
                return -ERANGE;
            *slot(self, i) = value;
            return 0;
        }
    return -ENOENT;
}

const char *tb_limits_name(const tb_limits_t *self, int i, int *ret_value)
{
    if (i < 0 || (size_t)i >= NLIMITS)
        return NULL;
    if (ret_value)
        *ret_value = *slot((tb_limits_t *)self, (size_t)i);
    return limits[i].name;
}

const char *tb_cardkind_name(tb_cardkind_t k)
{
    switch (k) {
    case TB_CARDKIND_DEADLINE:
        return "deadline";
    case TB_CARDKIND_PREREVIEW:
        return "prereview";
    case TB_CARDKIND_REVISIT:
        return "revisit";
    default:
        return "";
    }
}

const char *tb_cardlevel_name(tb_card_t level)
{
    return level == TB_CARD_RED ? "red" : level == TB_CARD_YELLOW ? "yellow" : "";
}

const char *tb_sup_stage_name(tb_sup_stage_t s)
{
    return s == TB_SUP_CIRCULATE ? "circulate" : s == TB_SUP_URGE ? "urge" : "waiting";
}

/* Yellow on day d: the due day is not after the k-th working day after d. */
static int yellow_on(const tb_calendar_t *cal, int32_t d, int32_t due_day, int k, bool *ret)
{
    int32_t lim;
    int rc = tb_calendar_add_workdays(cal, d, k, &lim);
    if (rc < 0)
        return rc;
    *ret = due_day <= lim;
    return 0;
}

int tb_card_at(const tb_calendar_t *cal, int64_t due_ms, int yellow_days, int64_t now_ms,
               tb_card_t *ret_level, int64_t *ret_next_ms)
{
    if (!cal || !ret_level || !ret_next_ms || yellow_days < 0)
        return -EINVAL;
    if (due_ms == TB_DUE_NEVER) {
        *ret_level = TB_CARD_NONE;
        *ret_next_ms = INT64_MAX;
        return 0;
    }
    if (now_ms > due_ms) {
        *ret_level = TB_CARD_RED;
        *ret_next_ms = INT64_MAX;
        return 0;
    }
    int32_t today, due_day;
    int rc = tb_day_from_ms(now_ms, &today);
    if (rc == 0)
        rc = tb_day_from_ms(due_ms, &due_day);
    if (rc < 0)
        return rc;
    bool y;
    if ((rc = yellow_on(cal, today, due_day, yellow_days, &y)) < 0)
        return rc;
    if (y) {
        *ret_level = TB_CARD_YELLOW;
        *ret_next_ms = due_ms + 1;
        return 0;
    }
    /* Not yet yellow: the first day it is.  Whether a day is yellow only
     * grows with the day (add_workdays is monotone), so walk back from the
     * due day while the day before is still yellow; the walk is at most
     * yellow_days working days and the holidays between them. */
    int32_t d = due_day;
    for (int steps = 0; d - 1 > today; steps++) {
        if (steps > TB_CALENDAR_SCAN_MAX)
            return -ERANGE;
        if ((rc = yellow_on(cal, d - 1, due_day, yellow_days, &y)) < 0)
            return rc;
        if (!y)
            break;
        d--;
    }
    *ret_level = TB_CARD_NONE;
    *ret_next_ms = tb_day_start_ms(d);
    return 0;
}

int tb_case_card(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                 const tb_limits_t *lim, int64_t now_ms, tb_case_card_t *ret)
{
    if (!c || !cal || !lim || !ret)
        return -EINVAL;
    int64_t start;
    int days;
    tb_cardkind_t kind;
    switch (c->state) {
    case TB_ST_PREREVIEW:
    case TB_ST_SUPPLEMENT:
        kind = TB_CARDKIND_PREREVIEW;
        start = c->arrived_ms;
        days = lim->prereview_days;
        break;
    case TB_ST_ACCEPTED:
    case TB_ST_ESCALATED:
    case TB_ST_COUNTY:
    case TB_ST_SUSPENDED:
        if (!item)
            return -TB_EUNKNOWN_ITEM;
        kind = TB_CARDKIND_DEADLINE;
        start = c->accepted_ms;
        days = item->kind == TB_KIND_PROMISED ? item->promised_days : 0;
        break;
    default:
        *ret = (tb_case_card_t){.kind = TB_CARDKIND_NONE, .next_ms = INT64_MAX};
        return 0;
    }
    /* Only pauses after the clock started count against it (as tb_case_due). */
    tb_pause_t p[TB_CASE_PAUSES_MAX];
    size_t n = 0;
    for (uint32_t i = 0; i < c->npauses && i < TB_CASE_PAUSES_MAX; i++)
        if (c->pauses[i].end_ms == TB_PAUSE_OPEN || c->pauses[i].end_ms > start) {
            p[n] = c->pauses[i];
            if (p[n].start_ms < start)
                p[n].start_ms = start;
            n++;
        }
    int64_t due, next;
    tb_card_t level;
    int rc = tb_calendar_due(cal, start, days, p, n, &due);
    if (rc == 0)
        rc = tb_card_at(cal, due, lim->yellow_days, now_ms, &level, &next);
    if (rc < 0)
        return rc;
    /* A 即办件 (limit 0) is due the day it is accepted: yellow from its first
     * minute would warn of nothing, so it only ever turns red. */
    if (days == 0 && level == TB_CARD_YELLOW) {
        level = TB_CARD_NONE;
        next = due + 1;
    }
    *ret = (tb_case_card_t){.kind = kind, .level = level, .due_ms = due, .next_ms = next};
    return 0;
}

int tb_sup_stage(const tb_calendar_t *cal, const tb_limits_t *lim, int64_t due_ms, int64_t now_ms,
                 tb_sup_stage_t *ret_stage, int64_t *ret_next_ms)
{
    if (!cal || !lim || !ret_stage || !ret_next_ms)
        return -EINVAL;
    int32_t due_day, urge_day, circ_day;
    int rc = tb_day_from_ms(due_ms, &due_day);
    if (rc == 0)
        rc = tb_calendar_add_workdays(cal, due_day, lim->urge_days, &urge_day);
    if (rc == 0)
        rc = tb_calendar_add_workdays(cal, due_day, lim->circulate_days, &circ_day);
    if (rc < 0)
        return rc;
    int64_t urge = tb_day_start_ms(urge_day), circ = tb_day_start_ms(circ_day);
    if (now_ms >= circ) {
        *ret_stage = TB_SUP_CIRCULATE;
        *ret_next_ms = INT64_MAX;
    } else if (now_ms >= urge) {
        *ret_stage = TB_SUP_URGE;
        *ret_next_ms = circ;
    } else {
        *ret_stage = TB_SUP_WAITING;
        *ret_next_ms = urge < circ ? urge : circ;
    }
    return 0;
}
