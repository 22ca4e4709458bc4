#include "tb_case.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <stdio.h>
#include <string.h>

static bool is_parent(const char *parent, const char *child)
{
    char p[TB_CODE_LEN + 1];
    return tb_code_parent(child, p) == 0 && strcmp(p, parent) == 0;
}

int tb_case_step(const tb_case_t *cur, const tb_step_t *ev, tb_case_t *ret_next)
{
    tb_case_t next = *cur;
    const char *o = ev->origin ? ev->origin : "";
    const char *t = ev->target ? ev->target : "";

    if (cur->state == TB_ST_NONE) {
        if (ev->type != TB_EV_LOGGED)
            return -TB_EILLEGAL;
        /* Only the village a case id names may create it. */
        if (tb_code_level(o) != TB_LEVEL_VILLAGE || !ev->case_id ||
            strncmp(ev->case_id, o, TB_CODE_LEN) != 0 || ev->case_id[TB_CODE_LEN] != '-')
            return -TB_ENOTHOLDER;
        next.state = TB_ST_LOGGED;
        strcpy(next.holder, o);
        next.pending[0] = '\0';
        next.version = 1;
        *ret_next = next;
        return 0;
    }

    if (ev->type == TB_EV_RECEIVED) {
        if (cur->pending[0] == '\0')
            return -TB_EILLEGAL;
        if (strcmp(o, cur->pending) != 0)
            return -TB_ENOTHOLDER;
        if (cur->state == TB_ST_SUBMITTED)
            next.state = TB_ST_PREREVIEW;
        else if (cur->state == TB_ST_ESCALATED)
            next.state = TB_ST_COUNTY;
        else
            return -TB_EILLEGAL;
        strcpy(next.holder, o);
        next.pending[0] = '\0';
    } else {
        if (strcmp(o, cur->holder) != 0)
            return -TB_ENOTHOLDER;
        switch (ev->type) {
        case TB_EV_SUBMITTED:
            if (cur->state != TB_ST_LOGGED || tb_code_level(t) != TB_LEVEL_TOWNSHIP ||
                !is_parent(t, cur->holder))
                return -TB_EILLEGAL;
            next.state = TB_ST_SUBMITTED;
            strcpy(next.pending, t);
            break;
        case TB_EV_ACCEPTED:
            if (cur->state != TB_ST_PREREVIEW)
                return -TB_EILLEGAL;
            next.state = TB_ST_ACCEPTED;
            break;
        case TB_EV_FORWARDED:
            if (cur->state != TB_ST_ACCEPTED || tb_code_level(t) != TB_LEVEL_COUNTY ||
                !is_parent(t, cur->holder))
                return -TB_EILLEGAL;
            next.state = TB_ST_ESCALATED;
            strcpy(next.pending, t);
            break;
        default:
            return -TB_EILLEGAL;
        }
    }
    next.version = cur->version + 1;
    *ret_next = next;
    return 0;
}

static const char *state_names[TB_ST_LAST] = {"none",      "logged",   "submitted", "prereview",
                                              "accepted",  "escalated", "county"};

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
    default:
        return TB_TR("未知", "unknown");
    }
}

static const char *event_names[TB_EV_LAST] = {"none",     "logged",   "submitted",
                                              "received", "accepted", "forwarded"};

const char *tb_event_name(tb_event_type_t t)
{
    return (unsigned)t < TB_EV_LAST ? event_names[t] : "invalid";
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
