#include "tb_case.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_parent(const char *parent, const char *child)
{
    char p[TB_CODE_LEN + 1];
    return tb_code_parent(child, p) == 0 && strcmp(p, parent) == 0;
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n')
            return false;
    return true;
}

/* Which levels may ever send which events: the first authority check. */
bool tb_event_allowed(tb_level_t level, tb_event_type_t t)
{
    switch (t) {
    case TB_EV_LOGGED:
    case TB_EV_SUPPLEMENTED:
    case TB_EV_RATED:
    case TB_EV_WITHDRAWN:
    case TB_EV_DELIVERED:
        return level == TB_LEVEL_VILLAGE || level == TB_LEVEL_TOWNSHIP;
    case TB_EV_SUBMITTED:
        return level == TB_LEVEL_VILLAGE;
    case TB_EV_NOTICE:
    case TB_EV_ACCEPTED:
    case TB_EV_PLEDGED:
    case TB_EV_REFUSED:
    case TB_EV_FORWARDED:
        return level == TB_LEVEL_TOWNSHIP;
    case TB_EV_RECEIVED:
    case TB_EV_DECIDED:
    case TB_EV_SUSPENDED:
    case TB_EV_RESUMED:
    case TB_EV_RESULT:
        return level == TB_LEVEL_TOWNSHIP || level == TB_LEVEL_COUNTY;
    case TB_EV_NOTE:
        return level != TB_LEVEL_NONE;
    default:
        return false;
    }
}

/* The materials of a step as a bit mask of the item's list. */
static int material_mask(const tb_step_t *ev, bool noncore_only, uint32_t *ret_mask)
{
    uint32_t m = 0;
    for (size_t i = 0; i < ev->nmaterials; i++) {
        int k = tb_item_material(ev->item, ev->materials[i]);
        if (k < 0)
            return -TB_EMATERIAL;
        if (noncore_only && ev->item->core[k])
            return -TB_ECORE;
        m |= 1u << k;
    }
    *ret_mask = m;
    return 0;
}

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

static int step_logged(const tb_step_t *ev, tb_case_t *next)
{
    const char *o = ev->origin ? ev->origin : "";
    tb_level_t lv = tb_code_level(o);
    /* Only the node a case id names may create it: a village, or a township window. */
    if (!ev->case_id || strncmp(ev->case_id, o, TB_CODE_LEN) != 0 ||
        ev->case_id[TB_CODE_LEN] != '-')
        return -TB_ENOTHOLDER;
    uint32_t have;
    int rc = material_mask(ev, false, &have);
    if (rc < 0)
        return rc;
    memset(next, 0, sizeof *next);
    strcpy(next->holder, o);
    strcpy(next->origin, o);
    snprintf(next->item, sizeof next->item, "%s", ev->item->code);
    next->have = have;
    next->version = 1;
    if (ev->item->kind == TB_KIND_CONSULT || ev->item->kind == TB_KIND_HELP) {
        if (blank(ev->reply))
            return -TB_ENOREASON;
        next->state = TB_ST_CLOSED; /* answered on the spot */
        next->closed_ms = ev->at_ms;
        return 0;
    }
    if (lv == TB_LEVEL_VILLAGE) {
        next->state = TB_ST_LOGGED;
    } else {
        next->state = TB_ST_PREREVIEW; /* walk-in registration at the window */
        next->arrived_ms = ev->at_ms;
    }
    return 0;
}

int tb_case_step(const tb_case_t *cur, const tb_step_t *ev, tb_case_t *ret_next)
{
    tb_case_t next = *cur;
    const char *o = ev->origin ? ev->origin : "";
    const char *t = ev->target ? ev->target : "";
    tb_level_t lv = tb_code_level(o);
    int rc;

    if (!ev->item)
        return -TB_EUNKNOWN_ITEM;
    if (!tb_event_allowed(lv, ev->type))
        return -TB_EAUTHORITY;
    if (cur->state == TB_ST_NONE) {
        if (ev->type != TB_EV_LOGGED)
            return -TB_EILLEGAL;
        if ((rc = step_logged(ev, &next)) < 0)
            return rc;
        *ret_next = next;
        return 0;
    }
    if (ev->type == TB_EV_LOGGED)
        return -TB_EILLEGAL;
    if (strcmp(cur->item, ev->item->code) != 0)
        return -TB_EUNKNOWN_ITEM; /* the caller looked up another item */

    bool holder = strcmp(o, cur->holder) == 0;
    bool party = holder || strcmp(o, cur->origin) == 0;
    bool open = cur->state != TB_ST_CLOSED && cur->state != TB_ST_WITHDRAWN &&
                cur->state != TB_ST_REFUSED && cur->state != TB_ST_RESULT &&
                cur->state != TB_ST_DECIDED;

    switch (ev->type) {
    case TB_EV_RECEIVED:
        if (cur->pending[0] == '\0')
            return -TB_EILLEGAL;
        if (strcmp(o, cur->pending) != 0)
            return -TB_ENOTHOLDER;
        if (cur->state == TB_ST_SUBMITTED) {
            next.state = TB_ST_PREREVIEW;
            next.arrived_ms = ev->at_ms;
        } else if (cur->state == TB_ST_ESCALATED) {
            next.state = TB_ST_COUNTY;
        } else {
            return -TB_EILLEGAL;
        }
        strcpy(next.holder, o);
        next.pending[0] = '\0';
        break;

    /* Additive: the holder, or the origin on the resident's behalf. */
    case TB_EV_NOTE:
        if (!party)
            return -TB_ENOTHOLDER;
        if (blank(ev->reason))
            return -TB_ENOREASON;
        break;
    case TB_EV_SUPPLEMENTED: {
        if (!party)
            return -TB_ENOTHOLDER;
        if (!open || (cur->missing | cur->owed) == 0)
            return -TB_EILLEGAL;
        if (ev->nmaterials == 0)
            return -TB_ENOMATERIAL;
        uint32_t m;
        if ((rc = material_mask(ev, false, &m)) < 0)
            return rc;
        next.have |= m;
        next.missing &= ~m;
        next.owed &= ~m;
        if (cur->state == TB_ST_SUPPLEMENT && next.missing == 0) {
            next.state = TB_ST_PREREVIEW; /* the clock runs again */
            pause_close(&next, ev->at_ms);
        }
        break;
    }
    case TB_EV_RATED:
        if (!party)
            return -TB_ENOTHOLDER;
        if (cur->state != TB_ST_CLOSED)
            return -TB_EILLEGAL;
        if (cur->rating)
            return -TB_EONCE;
        if (ev->rating < 1 || ev->rating > 5)
            return -TB_EBADVALUE;
        next.rating = (uint8_t)ev->rating;
        break;
    case TB_EV_WITHDRAWN:
        if (!party)
            return -TB_ENOTHOLDER;
        if (!open)
            return -TB_EILLEGAL;
        pause_close(&next, ev->at_ms);
        next.state = TB_ST_WITHDRAWN;
        next.pending[0] = '\0';
        next.closed_ms = ev->at_ms;
        break;

    /* Only the holder moves the case. */
    default:
        if (!holder)
            return -TB_ENOTHOLDER;
        if (cur->pending[0])
            return -TB_EILLEGAL; /* being handed over */
        switch (ev->type) {
        case TB_EV_SUBMITTED:
            if (cur->state != TB_ST_LOGGED)
                return -TB_EILLEGAL;
            if (tb_code_level(t) != TB_LEVEL_TOWNSHIP || !is_parent(t, cur->holder))
                return -TB_EAUTHORITY;
            next.state = TB_ST_SUBMITTED;
            strcpy(next.pending, t);
            break;
        case TB_EV_NOTICE: {
            if (cur->noticed)
                return -TB_EONCE; /* 一次性告知: one notice lists everything */
            if (cur->state != TB_ST_PREREVIEW)
                return -TB_EILLEGAL;
            if (ev->nmaterials == 0)
                return -TB_ENOMATERIAL;
            uint32_t m;
            if ((rc = material_mask(ev, false, &m)) < 0)
                return rc;
            if ((rc = pause_open(&next, ev->at_ms)) < 0)
                return rc;
            next.state = TB_ST_SUPPLEMENT;
            next.missing = m;
            next.noticed = true;
            break;
        }
        case TB_EV_ACCEPTED:
            if (cur->state != TB_ST_PREREVIEW)
                return -TB_EILLEGAL;
            next.state = TB_ST_ACCEPTED;
            next.accepted_ms = ev->at_ms;
            break;
        case TB_EV_PLEDGED: {
            if (cur->state != TB_ST_PREREVIEW && cur->state != TB_ST_SUPPLEMENT)
                return -TB_EILLEGAL;
            if (ev->nmaterials == 0)
                return -TB_ENOMATERIAL;
            uint32_t m;
            if ((rc = material_mask(ev, true, &m)) < 0)
                return rc;
            if (cur->missing & ~m)
                return -TB_EOWED; /* a missing material the pledge does not cover */
            if (ev->due_ms <= ev->at_ms)
                return -TB_EBADVALUE;
            pause_close(&next, ev->at_ms);
            next.state = TB_ST_ACCEPTED;
            next.accepted_ms = ev->at_ms;
            next.missing = 0;
            /* Only what has not been handed in: a supplement that crossed the
             * pledge on its way must not be owed again (the same result in
             * either order at every tier). */
            next.owed = m & ~cur->have;
            next.pledge_due_ms = ev->due_ms;
            break;
        }
        case TB_EV_REFUSED:
            if (cur->state != TB_ST_PREREVIEW && cur->state != TB_ST_SUPPLEMENT)
                return -TB_EILLEGAL;
            if (blank(ev->reason))
                return -TB_ENOREASON;
            pause_close(&next, ev->at_ms);
            next.state = TB_ST_REFUSED;
            next.missing = 0;
            next.decided_ms = ev->at_ms;
            break;
        case TB_EV_FORWARDED:
            if (ev->item->level != TB_LEVEL_COUNTY)
                return -TB_EAUTHORITY; /* township items are decided at the township */
            if (cur->state != TB_ST_ACCEPTED)
                return -TB_EILLEGAL;
            if (tb_code_level(t) != TB_LEVEL_COUNTY || !is_parent(t, cur->holder))
                return -TB_EAUTHORITY;
            next.state = TB_ST_ESCALATED;
            strcpy(next.pending, t);
            break;
        case TB_EV_DECIDED:
            if (ev->item->level != lv)
                return -TB_EAUTHORITY; /* e.g. a township deciding a county item */
            if (cur->state != (lv == TB_LEVEL_COUNTY ? TB_ST_COUNTY : TB_ST_ACCEPTED))
                return -TB_EILLEGAL;
            if (ev->decision != TB_DECISION_GRANT && ev->decision != TB_DECISION_DENY)
                return -TB_EBADVALUE;
            if (ev->decision == TB_DECISION_DENY && blank(ev->reason))
                return -TB_ENOREASON;
            if (cur->owed || cur->missing)
                return -TB_EOWED;
            next.state = TB_ST_DECIDED;
            next.decision = (uint8_t)ev->decision;
            next.decided_ms = ev->at_ms;
            break;
        case TB_EV_SUSPENDED:
            if (cur->state != TB_ST_ACCEPTED && cur->state != TB_ST_COUNTY)
                return -TB_EILLEGAL;
            if (blank(ev->basis))
                return -TB_ENOREASON;
            if (!tb_basis_valid(ev->basis))
                return -TB_EBADVALUE;
            if ((rc = pause_open(&next, ev->at_ms)) < 0)
                return rc;
            next.resume = cur->state;
            next.state = TB_ST_SUSPENDED;
            break;
        case TB_EV_RESUMED:
            if (cur->state != TB_ST_SUSPENDED)
                return -TB_EILLEGAL;
            pause_close(&next, ev->at_ms);
            next.state = cur->resume;
            next.resume = TB_ST_NONE;
            break;
        case TB_EV_RESULT:
            if (cur->state != TB_ST_DECIDED && cur->state != TB_ST_REFUSED)
                return -TB_EILLEGAL;
            /* 出件: back down the chain to whoever logged it, who hands it over. */
            next.state = TB_ST_RESULT;
            strcpy(next.holder, cur->origin);
            break;
        case TB_EV_DELIVERED:
            if (cur->state != TB_ST_RESULT)
                return -TB_EILLEGAL;
            next.state = TB_ST_CLOSED;
            next.closed_ms = ev->at_ms;
            break;
        default:
            return -TB_EILLEGAL;
        }
    }
    next.version = cur->version + 1;
    *ret_next = next;
    return 0;
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

void tb_case_encode(const tb_case_t *c, char buf[TB_CASE_TEXT_MAX])
{
    int n =
        snprintf(buf, TB_CASE_TEXT_MAX,
                 "1 %d %s %s %u %s %s %d %u %u %u %d %u %u %lld %lld %lld %lld %lld %u",
                 (int)c->state, c->holder[0] ? c->holder : "-", c->pending[0] ? c->pending : "-",
                 c->version, c->origin[0] ? c->origin : "-", c->item[0] ? c->item : "-",
                 (int)c->resume, c->have, c->missing, c->owed, c->noticed, c->rating, c->decision,
                 (long long)c->arrived_ms, (long long)c->accepted_ms, (long long)c->pledge_due_ms,
                 (long long)c->decided_ms, (long long)c->closed_ms, c->npauses);
    for (uint32_t i = 0; i < c->npauses && n > 0 && n < TB_CASE_TEXT_MAX; i++)
        n += snprintf(buf + n, (size_t)(TB_CASE_TEXT_MAX - n), " %lld %lld",
                      (long long)c->pauses[i].start_ms, (long long)c->pauses[i].end_ms);
}

static int take_word(const char **p, char *out, size_t size)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    size_t n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    if (n == 0 || n >= size)
        return -TB_EDATA;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = s + n;
    return 0;
}

static int take_ll(const char **p, long long lo, long long hi, long long *ret)
{
    char w[32], *end;
    if (take_word(p, w, sizeof w) < 0)
        return -TB_EDATA;
    errno = 0;
    long long v = strtoll(w, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -TB_EDATA;
    *ret = v;
    return 0;
}

int tb_case_decode(const char *text, tb_case_t *ret_case)
{
    tb_case_t c = {0};
    long long v[19];
    const char *p = text ? text : "";
    char holder[16], pending[16], origin[16], item[16];
    static const long long lo[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                           hi[] = {1,          TB_ST_LAST - 1,
                                   UINT32_MAX, TB_ST_LAST - 1,
                                   UINT32_MAX, UINT32_MAX,
                                   UINT32_MAX, 1,
                                   5,          2,
                                   INT64_MAX,  INT64_MAX,
                                   INT64_MAX,  INT64_MAX,
                                   INT64_MAX,  TB_CASE_PAUSES_MAX};
    /* version, state, holder, pending, version, origin, item, resume, ... */
    if (take_ll(&p, 1, 1, &v[0]) < 0 || take_ll(&p, 0, TB_ST_LAST - 1, &v[1]) < 0 ||
        take_word(&p, holder, sizeof holder) < 0 || take_word(&p, pending, sizeof pending) < 0 ||
        take_ll(&p, 0, UINT32_MAX, &v[2]) < 0 || take_word(&p, origin, sizeof origin) < 0 ||
        take_word(&p, item, sizeof item) < 0)
        return -TB_EDATA;
    for (int i = 3; i < 16; i++)
        if (take_ll(&p, lo[i], hi[i], &v[i]) < 0)
            return -TB_EDATA;
    c.state = (tb_state_t)v[1];
    c.version = (uint32_t)v[2];
    c.resume = (tb_state_t)v[3];
    c.have = (uint32_t)v[4];
    c.missing = (uint32_t)v[5];
    c.owed = (uint32_t)v[6];
    c.noticed = v[7] != 0;
    c.rating = (uint8_t)v[8];
    c.decision = (uint8_t)v[9];
    c.arrived_ms = v[10];
    c.accepted_ms = v[11];
    c.pledge_due_ms = v[12];
    c.decided_ms = v[13];
    c.closed_ms = v[14];
    c.npauses = (uint32_t)v[15];
    for (uint32_t i = 0; i < c.npauses; i++) {
        long long s, e;
        if (take_ll(&p, 0, INT64_MAX, &s) < 0 || take_ll(&p, -1, INT64_MAX, &e) < 0)
            return -TB_EDATA;
        c.pauses[i].start_ms = s;
        c.pauses[i].end_ms = e;
    }
    while (*p == ' ')
        p++;
    if (*p)
        return -TB_EDATA;
    const char *codes[] = {holder, pending, origin};
    char *dst[] = {c.holder, c.pending, c.origin};
    for (int i = 0; i < 3; i++) {
        if (strcmp(codes[i], "-") == 0)
            continue;
        if (!tb_code_valid(codes[i]))
            return -TB_EDATA;
        strcpy(dst[i], codes[i]);
    }
    if (strcmp(item, "-") != 0)
        strcpy(c.item, item);
    *ret_case = c;
    return 0;
}

static const char *rating_zh[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
static const char *rating_en[] = {
    "", "very dissatisfied", "dissatisfied", "basically satisfied", "satisfied", "very satisfied"};

const char *tb_rating_label(unsigned rating)
{
    if (rating < 1 || rating > 5)
        return "";
    return TB_TR(rating_zh[rating], rating_en[rating]);
}

int tb_rating_parse(const char *s, unsigned *ret_rating)
{
    if (!s)
        return -TB_EBADVALUE;
    for (unsigned i = 1; i <= 5; i++) {
        char d[2] = {(char)('0' + i), 0};
        if (!strcmp(s, d) || !strcmp(s, rating_zh[i]) || !strcmp(s, rating_en[i])) {
            *ret_rating = i;
            return 0;
        }
    }
    return -TB_EBADVALUE;
}

static const struct {
    const char *name, *zh, *en;
} bases[] = {{"survey", "现场勘查", "site survey"},
             {"hearing", "听证", "hearing"},
             {"notice", "公告公示", "public notice"},
             {"appraisal", "检验检测鉴定", "inspection or appraisal"}};

bool tb_basis_valid(const char *basis)
{
    for (size_t i = 0; basis && i < sizeof bases / sizeof bases[0]; i++)
        if (strcmp(basis, bases[i].name) == 0)
            return true;
    return false;
}

const char *tb_basis_label(const char *basis)
{
    for (size_t i = 0; basis && i < sizeof bases / sizeof bases[0]; i++)
        if (strcmp(basis, bases[i].name) == 0)
            return TB_TR(bases[i].zh, bases[i].en);
    return basis ? basis : "";
}

static const char *state_names[TB_ST_LAST] = {
    "none",       "logged",  "submitted", "prereview", "accepted", "escalated", "county",
    "supplement", "refused", "decided",   "suspended", "result",   "closed",    "withdrawn"};

const char *tb_state_name(tb_state_t s)
{
    return (unsigned)s < TB_ST_LAST ? state_names[s] : "invalid";
}

tb_state_t tb_state_from_name(const char *name)
{
    for (int i = 0; i < TB_ST_LAST; i++)
        if (name && strcmp(name, state_names[i]) == 0)
            return (tb_state_t)i;
    return TB_ST_NONE;
}

const char *tb_state_label(tb_state_t s)
{
    switch (s) {
    case TB_ST_LOGGED:
        return TB_TR("已登记", "logged");
    case TB_ST_SUBMITTED:
        return TB_TR("已报送乡镇", "submitted to township");
    case TB_ST_PREREVIEW:
        return TB_TR("乡镇预审中", "pre-review at township");
    case TB_ST_ACCEPTED:
        return TB_TR("已受理", "accepted");
    case TB_ST_ESCALATED:
        return TB_TR("已上报县级", "escalated to county");
    case TB_ST_COUNTY:
        return TB_TR("县级办理中", "in progress at county");
    case TB_ST_SUPPLEMENT:
        return TB_TR("待补正", "awaiting materials");
    case TB_ST_REFUSED:
        return TB_TR("不予受理", "refused");
    case TB_ST_DECIDED:
        return TB_TR("已决定", "decided");
    case TB_ST_SUSPENDED:
        return TB_TR("挂起", "suspended");
    case TB_ST_RESULT:
        return TB_TR("已出件待送达", "result ready for delivery");
    case TB_ST_CLOSED:
        return TB_TR("已办结", "closed");
    case TB_ST_WITHDRAWN:
        return TB_TR("已撤回", "withdrawn");
    default:
        return TB_TR("未知", "unknown");
    }
}

static const char *event_names[TB_EV_LAST] = {
    "none",         "logged",  "submitted", "received", "accepted",  "forwarded", "notice",
    "supplemented", "pledged", "refused",   "decided",  "suspended", "resumed",   "result",
    "delivered",    "rated",   "withdrawn", "note",     "rejected"};

const char *tb_event_name(tb_event_type_t t)
{
    return (unsigned)t < TB_EV_LAST ? event_names[t] : "invalid";
}

tb_event_type_t tb_event_from_name(const char *name)
{
    for (int i = 1; i < TB_EV_LAST; i++)
        if (name && strcmp(name, event_names[i]) == 0)
            return (tb_event_type_t)i;
    return TB_EV_NONE;
}

const char *tb_event_label(tb_event_type_t t)
{
    switch (t) {
    case TB_EV_LOGGED:
        return TB_TR("登记", "logged");
    case TB_EV_SUBMITTED:
        return TB_TR("报送", "submitted");
    case TB_EV_RECEIVED:
        return TB_TR("签收", "received");
    case TB_EV_ACCEPTED:
        return TB_TR("受理", "accepted");
    case TB_EV_FORWARDED:
        return TB_TR("上报", "forwarded");
    case TB_EV_NOTICE:
        return TB_TR("一次性告知", "supplement notice");
    case TB_EV_SUPPLEMENTED:
        return TB_TR("补正", "supplemented");
    case TB_EV_PLEDGED:
        return TB_TR("容缺受理", "accepted with pledge");
    case TB_EV_REFUSED:
        return TB_TR("不予受理", "refused");
    case TB_EV_DECIDED:
        return TB_TR("决定", "decided");
    case TB_EV_SUSPENDED:
        return TB_TR("挂起", "suspended");
    case TB_EV_RESUMED:
        return TB_TR("恢复办理", "resumed");
    case TB_EV_RESULT:
        return TB_TR("出件", "result issued");
    case TB_EV_DELIVERED:
        return TB_TR("送达", "delivered");
    case TB_EV_RATED:
        return TB_TR("好差评", "rated");
    case TB_EV_WITHDRAWN:
        return TB_TR("撤回", "withdrawn");
    case TB_EV_NOTE:
        return TB_TR("备注", "note");
    case TB_EV_REJECTED:
        return TB_TR("县级驳回", "rejected by county");
    default:
        return TB_TR("未知", "unknown");
    }
}

int tb_cst_yyyymmdd(int64_t at_ms)
{
    /* Days since the epoch in UTC+8, then civil date (Howard Hinnant's algorithm). */
    int64_t secs = (at_ms >= 0 ? at_ms : at_ms - 999) / 1000 + 8 * 3600; /* floor */
    int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (int)(y * 10000 + m * 100 + d);
}

int tb_caseid_format(const char *origin, int64_t at_ms, uint32_t seq, char ret_id[TB_CASEID_MAX])
{
    if (!tb_code_valid(origin) || seq == 0)
        return -TB_EINVAL_CODE;
    snprintf(ret_id, TB_CASEID_MAX, "%s-%08d-%04u", origin, tb_cst_yyyymmdd(at_ms), seq);
    return 0;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool tb_caseid_valid(const char *id)
{
    if (!id)
        return false;
    size_t len = strlen(id);
    /* 12 digits, '-', 8 digits, '-', 4 to 10 digits */
    if (len < 26 || len > 32 || !digits(id, 12) || id[12] != '-' || !digits(id + 13, 8) ||
        id[21] != '-' || !digits(id + 22, len - 22))
        return false;
    int month = (id[17] - '0') * 10 + (id[18] - '0');
    int day = (id[19] - '0') * 10 + (id[20] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool tb_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

int tb_check_text(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len > max)
        return -TB_ETOOLONG;
    if (!tb_utf8_valid(text, len))
        return -TB_EDECODE;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t')
            return -TB_EDECODE;
    return 0;
}

int tb_check_name(const char *name)
{
    if (!name)
        return -TB_EBADNAME;
    size_t len = strlen(name);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
        if (name[i] != ' ' && name[i] != '\t')
            blank = false;
    if (blank || len > 64 || tb_check_text(name, 64) < 0 || strchr(name, '\n'))
        return -TB_EBADNAME;
    return 0;
}

int tb_check_phone(const char *phone)
{
    if (!phone)
        return -TB_EBADPHONE;
    size_t len = strlen(phone);
    /* Mobile: 11 digits, 1[3-9]xxxxxxxxx. */
    if (len == 11 && digits(phone, 11) && phone[0] == '1' && phone[1] >= '3')
        return 0;
    /* Landline: 0 + area code (2-3 digits) + optional '-' + 7-8 digits. */
    if (len >= 10 && len <= 13 && phone[0] == '0') {
        const char *dash = strchr(phone, '-');
        if (dash) {
            size_t area = (size_t)(dash - phone);
            size_t local = len - area - 1;
            if (area >= 3 && area <= 4 && digits(phone, area) && local >= 7 && local <= 8 &&
                digits(dash + 1, local))
                return 0;
        } else if (digits(phone, len) && len >= 10 && len <= 12) {
            return 0;
        }
    }
    return -TB_EBADPHONE;
}
