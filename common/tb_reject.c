#include "tb_reject.h"

#include "tb_caseid.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_place.h"

#include <stdio.h>
#include <string.h>

tb_reject_code_t tb_reject_code(int err)
{
    switch (err < 0 ? -err : err) {
    case TB_EINVAL_CODE:
    case TB_EUNKNOWN_PLACE:
        return TONGBAN__V1__REJECT_CODE__REJECT_WRONG_TARGET;
    case TB_EBADNAME:
    case TB_ETOOLONG:
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT;
    case TB_EBADPHONE:
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE;
    case TB_EUNKNOWN_ITEM:
        return TONGBAN__V1__REJECT_CODE__REJECT_UNKNOWN_ITEM;
    case TB_EILLEGAL:
    case TB_ENOCASE:
        return TONGBAN__V1__REJECT_CODE__REJECT_OUT_OF_STATE;
    case TB_ENOTHOLDER:
        return TONGBAN__V1__REJECT_CODE__REJECT_NOT_HOLDER;
    case TB_EAUTHORITY:
        return TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED;
    case TB_ENOREASON:
        return TONGBAN__V1__REJECT_CODE__REJECT_NO_REASON;
    case TB_EMATERIAL:
    case TB_ECORE:
    case TB_ENOMATERIAL:
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_MATERIAL;
    case TB_EONCE:
        return TONGBAN__V1__REJECT_CODE__REJECT_ONCE_ONLY;
    case TB_EBADVALUE:
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_VALUE;
    case TB_EOWED:
        return TONGBAN__V1__REJECT_CODE__REJECT_MATERIALS_OWED;
    default:
        return TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED;
    }
}

tb_reject_code_t tb_reject_code_event(int err, const tb_event_msg_t *ev)
{
    char parent[TB_CODE_LEN + 1] = "";
    if ((err == -TB_EAUTHORITY || err == TB_EAUTHORITY) &&
        (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED ||
         ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED) &&
        (tb_code_parent(ev->origin_node, parent) < 0 || !ev->target ||
         strcmp(ev->target, parent) != 0))
        return TONGBAN__V1__REJECT_CODE__REJECT_WRONG_TARGET;
    return tb_reject_code(err);
}

static bool time_ok(int64_t ms, bool zero_ok)
{
    return (zero_ok && ms == 0) || (ms >= TB_TIME_MIN_MS && ms < TB_TIME_MAX_MS);
}

static bool text_bad(const char *s, size_t max)
{
    return s && tb_check_text(s, max) < 0;
}

/* The rules of tb_event_check, each named; kept in its order so the first
 * rule broken is the one reported. */
tb_reject_code_t tb_reject_check_code(const tb_event_msg_t *ev)
{
    if (tb_event_check(ev) == 0)
        return TONGBAN__V1__REJECT_CODE__REJECT_UNSPECIFIED;
    bool rejected = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    if (!tb_code_valid(ev->origin_node) || ev->origin_seq == 0)
        return TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED;
    if (!tb_caseid_valid(ev->case_id) && !(rejected && ev->case_id && !ev->case_id[0]))
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_CASE_ID;
    if (!time_ok(ev->at_ms, false) || !time_ok(ev->due_ms, true))
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_TIME;
    const Tongban__V1__LedgerRecord *l = ev->ledger;
    if (l && (!time_ok(l->accept_time_ms, false) || !time_ok(l->completion_time_ms, true)))
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_TIME;
    if (l && tb_check_phone(l->client_phone) < 0)
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE;
    if (ev->target && ev->target[0] && !tb_code_valid(ev->target))
        return TONGBAN__V1__REJECT_CODE__REJECT_WRONG_TARGET;
    if (text_bad(ev->actor, TB_MAX_FIELD) || text_bad(ev->reason, TB_MAX_NOTE) ||
        text_bad(ev->comment, TB_MAX_NOTE) || text_bad(ev->basis, 32))
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT;
    if (l && (tb_check_name(l->client_name) < 0 || text_bad(l->agent, TB_MAX_FIELD) ||
              text_bad(l->note, TB_MAX_NOTE) || text_bad(l->result, TB_MAX_NOTE)))
        return TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT;
    return TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED;
}

const char *tb_reject_text(tb_reject_code_t code)
{
    switch (code) {
    case TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED:
        return TB_TR("格式不符", "malformed");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_CASE_ID:
        return TB_TR("办件编号格式不符", "bad case id");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_TIME:
        return TB_TR("时间不符（须为 2000—2100 年间的毫秒时间）", "bad time");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE:
        return TB_TR("电话号码格式不符", "bad phone number");
    case TONGBAN__V1__REJECT_CODE__REJECT_UNKNOWN_ITEM:
        return TB_TR("事项不在目录中", "unknown service item");
    case TONGBAN__V1__REJECT_CODE__REJECT_WRONG_TARGET:
        return TB_TR("报送对象不符", "wrong target");
    case TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED:
        return TB_TR("无权发送", "not entitled");
    case TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID:
        return TB_TR("事件编号已用于其他内容", "event id reused for other content");
    case TONGBAN__V1__REJECT_CODE__REJECT_OUT_OF_STATE:
        return TB_TR("办件当前状态不允许此操作", "not allowed in the case's state");
    case TONGBAN__V1__REJECT_CODE__REJECT_TOO_MANY:
        return TB_TR("退回过多", "too many refusals");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT:
        return TB_TR("文字含不允许的字符或过长", "bad text");
    case TONGBAN__V1__REJECT_CODE__REJECT_NOT_HOLDER:
        return TB_TR("非当前经办方", "not the holder");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_MATERIAL:
        return TB_TR("材料不符", "bad material");
    case TONGBAN__V1__REJECT_CODE__REJECT_NO_REASON:
        return TB_TR("缺少理由", "reason missing");
    case TONGBAN__V1__REJECT_CODE__REJECT_BAD_VALUE:
        return TB_TR("取值超出范围", "value out of range");
    case TONGBAN__V1__REJECT_CODE__REJECT_ONCE_ONLY:
        return TB_TR("只能进行一次", "once only");
    case TONGBAN__V1__REJECT_CODE__REJECT_MATERIALS_OWED:
        return TB_TR("尚欠材料", "materials still owed");
    default:
        return TB_TR("未说明", "unspecified");
    }
}

int tb_reject_answer(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                     tb_reject_code_t code, const char *why)
{
    if (len > TB_MAX_BODY)
        return 0;
    tb_item_msg_t *bad = tongban__v1__item__unpack(NULL, len, body);
    if (!bad)
        return 0;
    const tb_event_msg_t *e = bad->item_case == TONGBAN__V1__ITEM__ITEM_EVENT ? bad->event : NULL;
    if (!e || !tb_code_valid(e->origin_node) || e->origin_seq == 0 ||
        e->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED) { /* never answer an answer */
        tongban__v1__item__free_unpacked(bad, NULL);
        return 0;
    }
    char reason[TB_MAX_NOTE], digest[TB_DIGEST_HEX];
    if (why && *why)
        snprintf(reason, sizeof reason, "%s：%s", tb_reject_text(code), why);
    else
        snprintf(reason, sizeof reason, "%s", tb_reject_text(code));
    tb_digest_hex(body, len, digest);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = tb_caseid_valid(e->case_id) ? e->case_id : (char *)"";
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    ev.actor = (char *)"";
    ev.reason = reason;
    ev.rejected_origin = e->origin_node;
    ev.rejected_seq = e->origin_seq;
    ev.reject_code = code;
    ev.rejected_digest = digest;
    const char *peers[] = {peer, NULL};
    int rc = tb_store_emit(store, &ev, peers);
    tongban__v1__item__free_unpacked(bad, NULL);
    return rc < 0 ? rc : 1;
}

int tb_reject_consumed(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                       uint64_t *ret_last, uint64_t *ret_seq)
{
    if (len > TB_MAX_BODY)
        return 0;
    tb_item_msg_t *bad = tongban__v1__item__unpack(NULL, len, body);
    if (!bad)
        return 0;
    const tb_event_msg_t *e = bad->item_case == TONGBAN__V1__ITEM__ITEM_EVENT ? bad->event : NULL;
    uint64_t seq = e && e->origin_node && strcmp(e->origin_node, peer) == 0 ? e->origin_seq : 0;
    tongban__v1__item__free_unpacked(bad, NULL);
    if (seq == 0)
        return 0;
    uint64_t last = 0;
    int rc = tb_store_origin_last(store, peer, &last);
    if (rc == 0 && seq > last)
        rc = tb_store_origin_consumed(store, peer, seq);
    if (rc < 0)
        return rc;
    *ret_last = last;
    *ret_seq = seq;
    return 1;
}
