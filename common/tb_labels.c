#include "tb_labels.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <string.h>

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

static const char *event_names[TB_EV_LAST] = {"none",
                                              "logged",
                                              "submitted",
                                              "received",
                                              "accepted",
                                              "forwarded",
                                              "notice",
                                              "supplemented",
                                              "pledged",
                                              "refused",
                                              "decided",
                                              "suspended",
                                              "resumed",
                                              "result",
                                              "delivered",
                                              "rated",
                                              "withdrawn",
                                              "note",
                                              "rejected",
                                              "card_raised",
                                              "card_cleared",
                                              "supervised",
                                              "supervision_reply",
                                              "urged",
                                              "circulated",
                                              "",
                                              "",
                                              "",
                                              "",
                                              "",
                                              "complained",
                                              "complaint_accepted",
                                              "complaint_declined",
                                              "complaint_assigned",
                                              "complaint_replied",
                                              "complaint_revisited",
                                              "complaint_closed",
                                              "complaint_redone",
                                              "complaint_fault",
                                              "",
                                              "rating_followup"};

const char *tb_event_name(tb_event_type_t t)
{
    return (unsigned)t < TB_EV_LAST ? event_names[t] : "invalid";
}

tb_event_type_t tb_event_from_name(const char *name)
{
    for (int i = 1; i < TB_EV_LAST; i++)
        if (name && event_names[i][0] && strcmp(name, event_names[i]) == 0)
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
    case TB_EV_CARD_RAISED:
        return TB_TR("亮牌", "card raised");
    case TB_EV_CARD_CLEARED:
        return TB_TR("撤牌", "card cleared");
    case TB_EV_SUPERVISED:
        return TB_TR("督办", "supervision order");
    case TB_EV_SUPERVISION_REPLY:
        return TB_TR("督办反馈", "supervision reply");
    case TB_EV_URGED:
        return TB_TR("催办", "urged");
    case TB_EV_CIRCULATED:
        return TB_TR("通报", "circulated");
    case TB_EV_COMPLAINED:
        return TB_TR("投诉登记", "complaint filed");
    case TB_EV_COMPLAINT_ACCEPTED:
        return TB_TR("投诉受理", "complaint accepted");
    case TB_EV_COMPLAINT_DECLINED:
        return TB_TR("投诉不予受理", "complaint declined");
    case TB_EV_COMPLAINT_ASSIGNED:
        return TB_TR("投诉流转", "complaint assigned");
    case TB_EV_COMPLAINT_REPLIED:
        return TB_TR("投诉反馈", "complaint answered");
    case TB_EV_COMPLAINT_REVISITED:
        return TB_TR("投诉回访", "complainant revisited");
    case TB_EV_COMPLAINT_CLOSED:
        return TB_TR("投诉办结", "complaint closed");
    case TB_EV_COMPLAINT_REDONE:
        return TB_TR("投诉重办", "complaint redone");
    case TB_EV_COMPLAINT_FAULT:
        return TB_TR("问责", "fault recorded");
    case TB_EV_RATING_FOLLOWUP:
        return TB_TR("追评", "follow-up rating");
    default:
        return TB_TR("未知", "unknown");
    }
}
