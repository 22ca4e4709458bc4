/* tb_complaint.c: the complaint flow's rules (see the header). */
#include "tb_complaint.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT(s) (1u << (s))

/* Per step: the states it may follow. */
static unsigned from_states(tb_event_type_t t)
{
    switch (t) {
    case TB_EV_COMPLAINED:
        return BIT(TB_CP_NONE) | BIT(TB_CP_DECLINED) | BIT(TB_CP_CLOSED);
    case TB_EV_COMPLAINT_ACCEPTED:
    case TB_EV_COMPLAINT_DECLINED:
        return BIT(TB_CP_FILED);
    case TB_EV_COMPLAINT_ASSIGNED:
        return BIT(TB_CP_ACCEPTED) | BIT(TB_CP_ASSIGNED);
    case TB_EV_COMPLAINT_REPLIED:
        return BIT(TB_CP_ASSIGNED);
    case TB_EV_COMPLAINT_REVISITED:
        return BIT(TB_CP_REPLIED);
    case TB_EV_COMPLAINT_CLOSED:
    case TB_EV_COMPLAINT_REDONE:
        return BIT(TB_CP_REVISITED);
    case TB_EV_COMPLAINT_FAULT:
        return (BIT(TB_CP_LAST) - 1) & ~BIT(TB_CP_NONE);
    default:
        return 0;
    }
}

bool tb_complaint_event(int t)
{
    return t >= TB_EV_COMPLAINED && t <= TB_EV_COMPLAINT_FAULT;
}

int tb_complaint_wire_check(const tb_event_msg_t *ev)
{
    const char *kind = ev->complaint_kind ? ev->complaint_kind : "";
    bool filed = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED;
    if (filed != (kind[0] != '\0') ||
        (filed && strcmp(kind, "complaint") != 0 && strcmp(kind, "consult") != 0))
        return -TB_EPROTO;
    bool card = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED && ev->card_kind &&
                strcmp(ev->card_kind, "complaint") == 0;
    bool need = card || (tb_complaint_event((int)ev->type) && !filed &&
                         ev->type != TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED);
    bool may = need || ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED;
    if ((need && ev->complaint_id == 0) || (!may && ev->complaint_id != 0))
        return -TB_EPROTO;
    return 0;
}

int tb_complaint_check(const tb_complaint_t *c, tb_event_type_t t, const char *from)
{
    if (!(from_states(t) & BIT(c->state)))
        return -TB_EILLEGAL;
    if (t == TB_EV_COMPLAINT_REPLIED && (!from || strcmp(from, c->unit) != 0))
        return -TB_ENOTHOLDER; /* only the unit it was assigned to answers */
    return 0;
}

int tb_complaint_apply(tb_complaint_t *c, const tb_event_msg_t *ev, uint64_t row_id)
{
    tb_event_type_t t = (tb_event_type_t)ev->type;
    if (!tb_complaint_event((int)t))
        return 0;
    if (ev->complaint_id && c->id && ev->complaint_id != c->id && t != TB_EV_COMPLAINED)
        return -TB_EILLEGAL; /* a step of another (older) complaint */
    int rc = tb_complaint_check(c, t, ev->origin_node);
    if (rc < 0)
        return rc;
    tb_complaint_t n = *c;
    switch (t) {
    case TB_EV_COMPLAINED:
        memset(&n, 0, sizeof n);
        n.id = row_id;
        n.state = TB_CP_FILED;
        n.consult = ev->complaint_kind && strcmp(ev->complaint_kind, "consult") == 0;
        snprintf(n.filed_by, sizeof n.filed_by, "%s", ev->origin_node ? ev->origin_node : "");
        n.filed_ms = n.clock_ms = ev->at_ms;
        break;
    case TB_EV_COMPLAINT_ACCEPTED:
        n.state = TB_CP_ACCEPTED;
        n.clock_ms = ev->at_ms;
        break;
    case TB_EV_COMPLAINT_DECLINED:
        n.state = TB_CP_DECLINED;
        n.closed_ms = ev->at_ms;
        break;
    case TB_EV_COMPLAINT_ASSIGNED:
        n.state = TB_CP_ASSIGNED;
        snprintf(n.unit, sizeof n.unit, "%s", ev->target ? ev->target : "");
        break;
    case TB_EV_COMPLAINT_REPLIED:
        n.state = TB_CP_REPLIED;
        n.clock_ms = ev->at_ms;
        break;
    case TB_EV_COMPLAINT_REVISITED:
        n.state = TB_CP_REVISITED;
        break;
    case TB_EV_COMPLAINT_CLOSED:
        n.state = TB_CP_CLOSED;
        n.closed_ms = ev->at_ms;
        break;
    case TB_EV_COMPLAINT_REDONE:
        n.state = TB_CP_ASSIGNED;
        n.clock_ms = ev->at_ms;
        n.redos++;
        break;
    default: /* FAULT */
        n.faults++;
        break;
    }
    if (!n.id && ev->complaint_id)
        n.id = ev->complaint_id;
    *c = n;
    return 0;
}

int tb_complaint_due(const tb_complaint_t *c, const tb_calendar_t *cal, const tb_limits_t *lim,
                     int64_t *ret_due_ms)
{
    int days;
    switch (c->state) {
    case TB_CP_FILED:
        days = lim->complaint_accept_days;
        break;
    case TB_CP_ACCEPTED:
    case TB_CP_ASSIGNED:
        days = c->consult ? lim->consult_days : lim->complaint_days;
        break;
    case TB_CP_REPLIED:
        days = lim->revisit_days;
        break;
    default:
        *ret_due_ms = 0;
        return 0;
    }
    return tb_calendar_due(cal, c->clock_ms, days, NULL, 0, ret_due_ms);
}

bool tb_complaint_open(const tb_complaint_t *c)
{
    return c->state != TB_CP_NONE && c->state != TB_CP_DECLINED && c->state != TB_CP_CLOSED;
}

static const char *const names[TB_CP_LAST] = {"",         "filed",   "accepted",  "declined",
                                              "assigned", "replied", "revisited", "closed"};

const char *tb_complaint_state_name(tb_cp_state_t s)
{
    return (unsigned)s < TB_CP_LAST ? names[s] : "";
}

tb_cp_state_t tb_complaint_state_from_name(const char *name)
{
    for (int i = 1; i < TB_CP_LAST; i++)
        if (name && strcmp(name, names[i]) == 0)
            return (tb_cp_state_t)i;
    return TB_CP_NONE;
}

const char *tb_complaint_state_label(tb_cp_state_t s)
{
    switch (s) {
    case TB_CP_FILED:
        return TB_TR("待受理", "to accept");
    case TB_CP_ACCEPTED:
        return TB_TR("已受理待流转", "accepted");
    case TB_CP_DECLINED:
        return TB_TR("不予受理", "declined");
    case TB_CP_ASSIGNED:
        return TB_TR("办理中", "being handled");
    case TB_CP_REPLIED:
        return TB_TR("已反馈待回访", "answered");
    case TB_CP_REVISITED:
        return TB_TR("已回访", "revisited");
    case TB_CP_CLOSED:
        return TB_TR("已办结", "closed");
    default:
        return "";
    }
}

const char *tb_complaint_kind_word(const char *k)
{
    if (!k || !strcmp(k, "投诉") || !strcmp(k, "complaint"))
        return "complaint";
    if (!strcmp(k, "咨询") || !strcmp(k, "求助") || !strcmp(k, "咨询/求助") ||
        !strcmp(k, "consult"))
        return "consult";
    return NULL;
}

const char *tb_complaint_kind_label(bool consult)
{
    return consult ? TB_TR("咨询/求助", "consultation") : TB_TR("投诉", "complaint");
}

int tb_complaint_text(char **slot, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        return -ENOMEM;
    free(*slot);
    *slot = d;
    return 0;
}
