#include "tb_wire.h"

#include "tb_case.h"
#include "tb_error.h"
#include "tb_place.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int check_str(const char *s, size_t max)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (len > max || !tb_utf8_valid(s, len))
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
        rc = (env->seq >= 1 && env->body.len > 0) ? 0 : -TB_EPROTO;
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
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
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

int tb_event_check(const tb_event_msg_t *ev)
{
    if (!tb_code_valid(ev->origin_node) || ev->origin_seq == 0 || !tb_caseid_valid(ev->case_id))
        return -TB_EPROTO;
    if (ev->type <= TONGBAN__V1__EVENT_TYPE__EVENT_UNSPECIFIED || ev->type >= (int)TB_EV_LAST)
        return -TB_EPROTO;
    if (check_str(ev->actor, TB_MAX_FIELD) < 0 || check_str(ev->reason, TB_MAX_NOTE) < 0)
        return -TB_EPROTO;
    if (ev->target && ev->target[0] && !tb_code_valid(ev->target))
        return -TB_EPROTO;
    bool handover = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED ||
                    ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED;
    if (handover != (ev->target && ev->target[0]))
        return -TB_EPROTO;
    const Tongban__V1__LedgerRecord *l = ev->ledger;
    if ((ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED) != (l != NULL))
        return -TB_EPROTO;
    if (l) {
        if (tb_check_name(l->client_name) < 0 || tb_check_phone(l->client_phone) < 0 ||
            check_str(l->agent, TB_MAX_FIELD) < 0 || check_str(l->item_code, 16) < 0 ||
            !l->item_code[0] || check_str(l->note, TB_MAX_NOTE) < 0 ||
            check_str(l->result, TB_MAX_NOTE) < 0)
            return -TB_EPROTO;
    }
    return 0;
}

int tb_item_decode(const uint8_t *buf, size_t len, tb_item_msg_t **ret_item)
{
    tb_item_msg_t *item = tongban__v1__item__unpack(NULL, len, buf);
    if (!item)
        return -TB_EDECODE;
    int rc = -TB_EPROTO;
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT) {
        rc = tb_event_check(item->event);
    } else if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUS) {
        const Tongban__V1__StatusUpdate *s = item->status;
        rc = (tb_caseid_valid(s->case_id) && tb_state_from_name(s->state) != TB_ST_NONE &&
              tb_code_valid(s->holder))
                 ? 0
                 : -TB_EPROTO;
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
    if (len > TB_MAX_FRAME - 256)
        return -E2BIG;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    tongban__v1__item__pack(item, buf);
    *ret_buf = buf;
    *ret_len = len;
    return 0;
}
