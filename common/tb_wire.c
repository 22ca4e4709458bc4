#include "tb_wire.h"

#include "rating_indicators.h"
#include "tb_accountlist.h"

#include "tb_calendar.h"
#include "tb_case.h"
#include "tb_complaint.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_place.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_str(const char *s, size_t max)
{
    if (!s)
        return 0;
    /* What a person typed, as tb_input checks it at the keyboard: so every
     * tier refuses the control, C1 and bidi characters a command refuses. */
    if (tb_check_text(s, max) < 0)
        return -TB_EPROTO;
    return 0;
}

int tb_env_decode(const uint8_t *buf, size_t len, tb_env_t **ret_env)
{
    if (len > TB_MAX_FRAME)
        return -TB_EPROTO;
    tb_env_t *env = tongban__v1__envelope__unpack(NULL, len, buf);
    if (!env)
        return -TB_EDECODE;
    int rc = 0;
    if (env->version != TB_PROTO_VERSION || !tb_code_valid(env->sender) ||
        !tb_code_valid(env->receiver))
        rc = -TB_EPROTO;
    else if (env->kind == TONGBAN__V1__KIND__KIND_DATA)
        /* The body must fit again in a relay's envelope: bounded like tb_pack_item's. */
        rc = (env->seq >= 1 && env->body.len > 0 && env->body.len <= TB_MAX_BODY) ? 0 : -TB_EPROTO;
    else if (env->kind == TONGBAN__V1__KIND__KIND_ACK ||
             env->kind == TONGBAN__V1__KIND__KIND_HEARTBEAT ||
             env->kind == TONGBAN__V1__KIND__KIND_UNREACHABLE)
        rc = env->seq == 0 ? 0 : -TB_EPROTO;
    else
        rc = -TB_EPROTO;
    if (rc < 0) {
        tongban__v1__envelope__free_unpacked(env, NULL);
        return rc;
    }
    *ret_env = env;
    return 0;
}

const char *tb_env_why(const uint8_t *buf, size_t len)
{
    if (len > TB_MAX_FRAME)
        return "envelope over 65,536 bytes";
    tb_env_t *env = tongban__v1__envelope__unpack(NULL, len, buf);
    if (!env)
        return "not an Envelope (does not decode)";
    const char *why = "";
    bool data = env->kind == TONGBAN__V1__KIND__KIND_DATA;
    if (env->version != TB_PROTO_VERSION)
        why = "envelope version is not 1";
    else if (!tb_code_valid(env->sender) || !tb_code_valid(env->receiver))
        why = "sender or receiver is not a 12-digit place code";
    else if (data && env->seq == 0)
        why = "DATA with seq 0";
    else if (data && (env->body.len == 0 || env->body.len > TB_MAX_BODY))
        why = "DATA body empty or over 65,280 bytes";
    else if (!data && env->kind != TONGBAN__V1__KIND__KIND_ACK &&
             env->kind != TONGBAN__V1__KIND__KIND_HEARTBEAT &&
             env->kind != TONGBAN__V1__KIND__KIND_UNREACHABLE)
        why = "unknown envelope kind";
    else if (!data && env->seq != 0)
        why = "seq not 0 on an ACK, HEARTBEAT or UNREACHABLE";
    tongban__v1__envelope__free_unpacked(env, NULL);
    return why;
}

void tb_env_free(tb_env_t **env_p)
{
    if (env_p && *env_p) {
        tongban__v1__envelope__free_unpacked(*env_p, NULL);
        *env_p = NULL;
    }
}

int tb_env_pack(const char *sender, const char *receiver, Tongban__V1__Kind kind, uint64_t seq,
                uint64_t ack, const uint8_t *body, size_t body_len, uint8_t **ret_buf,
                size_t *ret_len)
{
    return tb_env_pack_epoch(sender, receiver, kind, seq, ack, 0, 0, body, body_len, ret_buf,
                             ret_len);
}

int tb_env_pack_epoch(const char *sender, const char *receiver, Tongban__V1__Kind kind,
                      uint64_t seq, uint64_t ack, uint64_t epoch, uint64_t receiver_epoch,
                      const uint8_t *body, size_t body_len, uint8_t **ret_buf, size_t *ret_len)
{
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
    env.epoch = epoch;
    env.receiver_epoch = receiver_epoch;
    env.takes = TB_TAKES;
    env.version = TB_PROTO_VERSION;
    env.sender = (char *)sender;
    env.receiver = (char *)receiver;
    env.seq = seq;
    env.ack = ack;
    env.kind = kind;
    env.body.data = (uint8_t *)body;
    env.body.len = body_len;
    size_t len = tongban__v1__envelope__get_packed_size(&env);
    if (len > TB_MAX_FRAME)
        return -E2BIG;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    tongban__v1__envelope__pack(&env, buf);
    *ret_buf = buf;
    *ret_len = len;
    return 0;
}

/* A time a case can carry: after 2000-01-01 and before 2100-01-01 (unix ms).
 * Outside it the county's PostgreSQL timestamps would refuse the row, and one
 * such row would hold its whole link back: refuse it at the first hop. */
static bool time_ok(int64_t ms, bool zero_ok)
{
    return (zero_ok && ms == 0) || (ms >= TB_TIME_MIN_MS && ms < TB_TIME_MAX_MS);
}

int tb_event_check(const tb_event_msg_t *ev)
{
    /* A REJECTED answering an event whose case id was malformed names no case. */
    bool rejected = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    /* A reject code this contract does not know (a value protobuf-c keeps but
     * cannot send back the same) is refused like any malformed field. */
    if (!protobuf_c_enum_descriptor_get_value(&tongban__v1__reject_code__descriptor,
                                              (int)ev->reject_code))
        return -TB_EPROTO;
    if (!tb_code_valid(ev->origin_node) || ev->origin_seq == 0 ||
        (!tb_caseid_valid(ev->case_id) && !(rejected && ev->case_id && !ev->case_id[0])))
        return -TB_EPROTO;
    if (!time_ok(ev->at_ms, false) || !time_ok(ev->due_ms, true))
        return -TB_EPROTO;
    if (ev->type <= TONGBAN__V1__EVENT_TYPE__EVENT_UNSPECIFIED || ev->type >= (int)TB_EV_LAST ||
        !protobuf_c_enum_descriptor_get_value(&tongban__v1__event_type__descriptor, (int)ev->type))
        return -TB_EPROTO;
    if (check_str(ev->actor, TB_MAX_FIELD) < 0 || check_str(ev->reason, TB_MAX_NOTE) < 0)
        return -TB_EPROTO;
    if (ev->target && ev->target[0] && !tb_code_valid(ev->target))
        return -TB_EPROTO;
    bool handover = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED ||
                    ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED ||
                    ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_ASSIGNED;
    bool may_target = handover || ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_FAULT;
    if ((ev->target && ev->target[0]) ? !may_target : handover)
        return -TB_EPROTO;
    if (tb_complaint_wire_check(ev) < 0 || tb_rating_indicators_check(ev) < 0)
        return -TB_EPROTO;
    if (ev->n_materials > TB_ITEM_MATERIALS_MAX || check_str(ev->basis, 32) < 0 ||
        check_str(ev->comment, TB_MAX_NOTE) < 0 || ev->rating > 5 ||
        (ev->decision != TONGBAN__V1__DECISION__DECISION_UNSPECIFIED &&
         ev->decision != TONGBAN__V1__DECISION__DECISION_GRANT &&
         ev->decision != TONGBAN__V1__DECISION__DECISION_DENY))
        return -TB_EPROTO;
    for (size_t i = 0; i < ev->n_materials; i++)
        if (!ev->materials[i] || !ev->materials[i][0] ||
            check_str(ev->materials[i], TB_MATERIAL_NAME_MAX) < 0)
            return -TB_EPROTO;
    /* Supervision: every such event names its card or order; a raised card
     * says its level and kind; no other event carries them. */
    bool sup = ev->type >= TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED &&
               ev->type <= TONGBAN__V1__EVENT_TYPE__EVENT_CIRCULATED;
    bool raised = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED;
    const char *lvl = ev->card_level ? ev->card_level : "",
               *kind = ev->card_kind ? ev->card_kind : "";
    if (sup != (ev->card_id != 0) ||
        (raised ? (strcmp(lvl, "yellow") && strcmp(lvl, "red")) ||
                      (strcmp(kind, "deadline") && strcmp(kind, "prereview") &&
                       strcmp(kind, "revisit") && strcmp(kind, "complaint"))
                : lvl[0] || kind[0]))
        return -TB_EPROTO;
    if (rejected != (ev->rejected_origin && ev->rejected_origin[0]) ||
        (rejected && (!tb_code_valid(ev->rejected_origin) || ev->rejected_seq == 0 || !ev->reason ||
                      !ev->reason[0]))) /* the stored reason marks it */
        return -TB_EPROTO;
    const Tongban__V1__LedgerRecord *l = ev->ledger;
    if ((ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED) != (l != NULL))
        return -TB_EPROTO;
    if (l) {
        if (tb_check_name(l->client_name) < 0 || tb_check_phone(l->client_phone) < 0 ||
            check_str(l->agent, TB_MAX_FIELD) < 0 || check_str(l->item_code, 16) < 0 ||
            !l->item_code[0] || check_str(l->note, TB_MAX_NOTE) < 0 ||
            check_str(l->result, TB_MAX_NOTE) < 0 || !time_ok(l->accept_time_ms, false) ||
            !time_ok(l->completion_time_ms, true))
            return -TB_EPROTO;
    }
    return 0;
}

int tb_event_fold(const tb_case_t *cur, const tb_event_msg_t *ev, const tb_catalog_t *catalog,
                  tb_case_t *ret_next)
{
    const char *code = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED && ev->ledger
                           ? ev->ledger->item_code
                           : cur->item;
    tb_step_t step = {
        .type = (tb_event_type_t)ev->type,
        .case_id = ev->case_id,
        .origin = ev->origin_node,
        .target = ev->target,
        .at_ms = ev->at_ms,
        .item = catalog ? tb_catalog_find(catalog, code) : NULL,
        .materials = (const char *const *)ev->materials,
        .nmaterials = ev->n_materials,
        .reason = ev->reason,
        .basis = ev->basis,
        .reply = ev->ledger ? ev->ledger->result : NULL,
        .complaint_kind = ev->complaint_kind,
        .due_ms = ev->due_ms,
        .rating = ev->rating,
        .decision = (unsigned)ev->decision,
    };
    return tb_case_step(cur, &step, ret_next);
}

/* One line of what an event says beyond its type, for the history. */
void tb_event_detail(const tb_event_msg_t *ev, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ev->n_materials && len < size; i++) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? "、" : "", ev->materials[i]);
        if (n < 0)
            return;
        len += (size_t)n;
    }
    if (len >= size)
        return;
    if (ev->basis && ev->basis[0])
        len += (size_t)snprintf(buf + len, size - len, "%s", tb_basis_label(ev->basis));
    else if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED)
        len += (size_t)snprintf(buf + len, size - len, "%s",
                                ev->decision == TONGBAN__V1__DECISION__DECISION_GRANT
                                    ? TB_TR("准予", "granted")
                                    : TB_TR("不予许可", "denied"));
    else if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED ||
             ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP) {
        char ind[256];
        tb_rating_indicators_text(ev, ind, sizeof ind);
        len += (size_t)snprintf(buf + len, size - len, "%s%s", tb_rating_label(ev->rating), ind);
    } else if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED && ev->ledger &&
               ev->ledger->result && ev->ledger->result[0])
        len += (size_t)snprintf(buf + len, size - len, "%s", ev->ledger->result);
    if (len < size && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_PLEDGED) {
        char due[32];
        tb_fmt_time(ev->due_ms, due);
        snprintf(buf + len, size - len, TB_TR("，%s前补齐", ", due %s"), due);
    }
}

int tb_data_check(const Tongban__V1__DataVersion *dv)
{
    if (!dv || !dv->kind || dv->version < 1 || dv->body.len > TB_MAX_BODY ||
        (dv->body.len && !dv->body.data))
        return -TB_EPROTO;
    int rc = -TB_EPROTO, line = 0;
    char scope[13];
    if (strcmp(dv->kind, TB_DATA_CATALOG) == 0) {
        tb_catalog_t *c = tb_catalog_new();
        if (!c)
            return -ENOMEM;
        rc = tb_catalog_load_buf(c, (const char *)dv->body.data, dv->body.len, &line);
        tb_catalog_destroy(&c);
    } else if (strcmp(dv->kind, TB_DATA_CALENDAR) == 0) {
        tb_calendar_t *c = tb_calendar_new();
        if (!c)
            return -ENOMEM;
        rc = tb_calendar_load_buf(c, (const char *)dv->body.data, dv->body.len, &line);
        tb_calendar_destroy(&c);
    } else if (tb_accountlist_kind(dv->kind, scope)) {
        rc = tb_accountlist_check((const char *)dv->body.data, dv->body.len, scope, &line);
    }
    return rc == -ENOMEM ? rc : rc < 0 ? -TB_EPROTO : 0;
}

int tb_event_id_parse(const char *s, char ret_origin[TB_CODE_LEN + 1], uint64_t *ret_seq)
{
    char origin[TB_CODE_LEN + 1];
    if (!s || strlen(s) < TB_CODE_LEN + 2 || s[TB_CODE_LEN] != '/')
        return -TB_EPROTO;
    memcpy(origin, s, TB_CODE_LEN);
    origin[TB_CODE_LEN] = '\0';
    const char *d = s + TB_CODE_LEN + 1;
    uint64_t seq = 0;
    if (!tb_code_valid(origin) || *d == '0' || strlen(d) > 20)
        return -TB_EPROTO;
    for (; *d; d++) {
        if (*d < '0' || *d > '9' || seq > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
            return -TB_EPROTO;
        seq = seq * 10 + (uint64_t)(*d - '0');
    }
    memcpy(ret_origin, origin, sizeof origin);
    *ret_seq = seq;
    return 0;
}

/* StatusUpdate.folded: at most TB_FOLDED_MAX ids, no more than the events
 * folded (version), each well formed. */
static int folded_check(const Tongban__V1__StatusUpdate *s)
{
    if (s->n_folded > TB_FOLDED_MAX || s->n_folded > s->version)
        return -TB_EPROTO;
    for (size_t i = 0; i < s->n_folded; i++) {
        char origin[TB_CODE_LEN + 1];
        uint64_t seq;
        if (tb_event_id_parse(s->folded[i], origin, &seq) < 0)
            return -TB_EPROTO;
    }
    return 0;
}

/* A StatusUpdate: a case id, a state (state_code, when given, names the
 * same one), the holder's place code, its folded ids. */
static int status_check(const Tongban__V1__StatusUpdate *s)
{
    return (tb_caseid_valid(s->case_id) && tb_state_from_name(s->state) != TB_ST_NONE &&
            tb_code_valid(s->holder) &&
            (s->state_code == 0 || (int)s->state_code == (int)tb_state_from_name(s->state)))
               ? folded_check(s)
               : -TB_EPROTO;
}

int tb_item_decode(const uint8_t *buf, size_t len, tb_item_msg_t **ret_item)
{
    /* What tb_pack_item() would refuse to make (and no envelope can carry). */
    if (len > TB_MAX_BODY)
        return -TB_EPROTO;
    tb_item_msg_t *item = tongban__v1__item__unpack(NULL, len, buf);
    if (!item)
        return -TB_EDECODE;
    int rc = -TB_EPROTO;
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT) {
        rc = tb_event_check(item->event);
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUS) {
        rc = status_check(item->status);
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES) {
        const Tongban__V1__StatusList *l = item->statuses;
        rc = l->n_updates >= 1 && l->n_updates <= TB_STATUS_LIST_MAX ? 0 : -TB_EPROTO;
        for (size_t i = 0; rc == 0 && i < l->n_updates; i++)
            rc = status_check(l->updates[i]);
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA) {
        rc = tb_data_check(item->data);
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST) {
        rc = tb_code_valid(item->restore_request->node) ? 0 : -TB_EPROTO;
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER) {
        const Tongban__V1__RestoreAnswer *a = item->restore_answer;
        rc = tb_code_valid(a->node) ? 0 : -TB_EPROTO;
        for (size_t i = 0; rc == 0 && i < a->n_lost; i++)
            if (a->lost[i] == 0 || a->lost[i] >= a->origin_seq)
                rc = -TB_EPROTO; /* lost ids lie below the high-water mark */
    }
    if (rc < 0) {
        tongban__v1__item__free_unpacked(item, NULL);
        return rc;
    }
    *ret_item = item;
    return 0;
}

void tb_item_free(tb_item_msg_t **item_p)
{
    if (item_p && *item_p) {
        tongban__v1__item__free_unpacked(*item_p, NULL);
        *item_p = NULL;
    }
}

int tb_pack_item(const tb_item_msg_t *item, uint8_t **ret_buf, size_t *ret_len)
{
    size_t len = tongban__v1__item__get_packed_size(item);
    if (len > TB_MAX_BODY)
        return -E2BIG;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    tongban__v1__item__pack(item, buf);
    *ret_buf = buf;
    *ret_len = len;
    return 0;
}
