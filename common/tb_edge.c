#include "tb_edge.h"

#include "tb_act.h"
#include "tb_data.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_log.h" /* tb_now_ms, the clock and its test hook; nothing here logs */

#include <stdio.h>
#include <string.h>

int tb_edge_explain_entry(const tb_env_ctx_t *env, const tb_entry_t *e, char *buf, size_t n)
{
    /* One line: the name and the agent; a note and a reply may run over lines. */
    const struct {
        const char *zh, *en, *text;
        size_t max;
        unsigned flags;
    } fields[] = {
        {"群众姓名", "the client's name", e->client, 64, TB_TEXT_REQUIRED},
        {"备注", "the note", e->note, TB_MAX_NOTE, TB_TEXT_MULTILINE},
        {"答复", "the reply", e->reply, TB_MAX_NOTE, TB_TEXT_MULTILINE},
        {"经办人姓名", "the agent's name", e->agent, 64, TB_TEXT_REQUIRED},
    };
    int rc;
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i == 1 && (rc = tb_check_phone(e->phone)) < 0)
            return rc;
        if (i == 1 && (!e->item || !tb_catalog_find(env->catalog, e->item)))
            return -TB_EUNKNOWN_ITEM;
        if (!fields[i].text && !(fields[i].flags & TB_TEXT_REQUIRED))
            continue;
        if ((rc = tb_text_check_field(TB_TR(fields[i].zh, fields[i].en), fields[i].text,
                                      fields[i].max, fields[i].flags, buf, n)) < 0) {
            /* A client's name is a name, whatever is wrong with it; no agent is configuration. */
            if (i == 0)
                return -TB_EBADNAME;
            if (i == 3 && (!e->agent || !*e->agent))
                return -TB_ECONFIG;
            return rc == -TB_EBADNAME ? -TB_EDECODE : rc;
        }
    }
    return 0;
}

int tb_edge_check_entry(const tb_env_ctx_t *env, const tb_entry_t *e)
{
    char why[400];
    return tb_edge_explain_entry(env, e, why, sizeof why);
}

/* Whether the node logging a case hands it on to its township at once. */
static bool hands_on(const tb_env_ctx_t *env, const tb_item_t *item)
{
    return tb_code_level(env->place) == TB_LEVEL_VILLAGE && item->level != TB_LEVEL_VILLAGE &&
           item->kind != TB_KIND_CONSULT && item->kind != TB_KIND_HELP;
}

/* The events of a new case, inside the transaction; writes the id it minted. */
static int log_events(const tb_env_ctx_t *env, tb_store_t *store, const tb_entry_t *e,
                      char **materials, size_t n_materials, char id[TB_CASEID_MAX])
{
    int64_t now = tb_now_ms();
    char counter[32];
    snprintf(counter, sizeof counter, "case-%08d", tb_cst_yyyymmdd(now));
    uint64_t seq;
    int rc;
    if ((rc = tb_store_counter_next(store, counter, &seq)) < 0 ||
        (rc = tb_caseid_format(env->place, now, (uint32_t)seq, id)) < 0)
        return rc;

    Tongban__V1__LedgerRecord ledger = TONGBAN__V1__LEDGER_RECORD__INIT;
    ledger.client_name = (char *)e->client;
    ledger.client_phone = (char *)e->phone;
    ledger.agent = (char *)e->agent;
    ledger.item_code = (char *)e->item;
    ledger.note = (char *)(e->note ? e->note : "");
    ledger.accept_time_ms = now;
    ledger.result = (char *)(e->reply ? e->reply : "");
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = (char *)e->agent;
    ev.at_ms = now;
    ev.ledger = &ledger;
    ev.materials = materials;
    ev.n_materials = n_materials;
    const char *peers[] = {env->parent, NULL};
    if ((rc = tb_store_emit(store, &ev, peers)) < 0)
        return rc;
    if (!hands_on(env, tb_catalog_find(env->catalog, e->item)))
        return 0;
    tb_event_msg_t sub = TONGBAN__V1__CASE_EVENT__INIT;
    sub.case_id = id;
    sub.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    sub.actor = (char *)e->agent;
    sub.at_ms = now;
    sub.target = (char *)env->parent;
    return tb_store_emit(store, &sub, peers);
}

int tb_edge_log(const tb_env_ctx_t *env, tb_store_t *store, const tb_entry_t *e,
                char ret_id[TB_CASEID_MAX])
{
    int rc = tb_edge_check_entry(env, e);
    if (rc < 0)
        return rc;
    char mbuf[2048], *names[TB_ITEM_MATERIALS_MAX];
    int n = tb_act_split(e->materials, mbuf, sizeof mbuf, names);
    if (n < 0)
        return n;
    if ((rc = tb_store_begin(store)) < 0)
        return rc;
    char id[TB_CASEID_MAX];
    if ((rc = log_events(env, store, e, names, (size_t)n, id)) < 0) {
        tb_store_rollback(store);
        return rc;
    }
    if ((rc = tb_store_commit(store)) < 0)
        return rc;
    memcpy(ret_id, id, TB_CASEID_MAX);
    return 0;
}

const char *tb_edge_case_id(const tb_item_msg_t *item)
{
    switch (item->item_case) {
    case TONGBAN__V1__ITEM__ITEM_EVENT:
        return item->event->case_id;
    case TONGBAN__V1__ITEM__ITEM_STATUS:
        return item->status->case_id;
    default:
        return NULL;
    }
}

int tb_edge_refuse(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                   const char *why, uint64_t *ret_count)
{
    char counter[64];
    snprintf(counter, sizeof counter, "refused %s", peer);
    uint64_t n;
    int rc = tb_store_quarantine(store, peer, 0, body, len, why);
    if (rc < 0 || (rc = tb_store_counter_next(store, counter, &n)) < 0)
        return rc;
    if (ret_count)
        *ret_count = n;
    return 0;
}

int tb_ratelimit(tb_ratelimit_t *rl, const char *peer, int64_t now_ms, unsigned *ret_dropped)
{
    return tb_ratelimit_n(rl, peer, now_ms, TB_RATELIMIT_LINES, ret_dropped);
}

int tb_ratelimit_n(tb_ratelimit_t *rl, const char *peer, int64_t now_ms, unsigned max,
                   unsigned *ret_dropped)
{
    size_t i, oldest = 0;
    for (i = 0; i < TB_RATELIMIT_PEERS; i++) {
        if (strcmp(rl->slot[i].peer, peer) == 0)
            break;
        if (rl->slot[i].seen_ms < rl->slot[oldest].seen_ms)
            oldest = i;
    }
    if (i == TB_RATELIMIT_PEERS) {
        i = oldest;
        memset(&rl->slot[i], 0, sizeof rl->slot[i]);
        snprintf(rl->slot[i].peer, sizeof rl->slot[i].peer, "%s", peer);
        rl->slot[i].start_ms = now_ms;
    }
    *ret_dropped = 0;
    rl->slot[i].seen_ms = now_ms;
    if (now_ms - rl->slot[i].start_ms >= 60000) {
        *ret_dropped = rl->slot[i].dropped;
        rl->slot[i].start_ms = now_ms;
        rl->slot[i].lines = rl->slot[i].dropped = 0;
    }
    if (rl->slot[i].lines >= max) {
        rl->slot[i].dropped++;
        return 0;
    }
    rl->slot[i].lines++;
    return 1;
}

void tb_edge_conflict(tb_store_t *store, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                      char stored[TB_DIGEST_HEX], char got[TB_DIGEST_HEX])
{
    if (tb_store_event_digest(store, ev->origin_node, ev->origin_seq, stored) < 0)
        snprintf(stored, TB_DIGEST_HEX, "?");
    tb_digest_hex(body, len, got);
}

int tb_edge_from_above(tb_env_ctx_t *env, tb_store_t *store, const tb_item_msg_t *item,
                       const uint8_t *body, size_t len, int *ret_fold)
{
    int rc, fold = 0;
    switch (item->item_case) {
    case TONGBAN__V1__ITEM__ITEM_DATA:
        rc = tb_data_receive(env, store, item->data);
        break;
    case TONGBAN__V1__ITEM__ITEM_STATUS:
        rc = tb_store_county_status(store, item->status);
        break;
    case TONGBAN__V1__ITEM__ITEM_STATUSES: /* in order, in the caller's transaction */
        rc = 0;
        for (size_t i = 0; rc == 0 && i < item->statuses->n_updates; i++)
            rc = tb_store_county_status(store, item->statuses->updates[i]);
        break;
    default:
        rc = tb_store_apply(store, item->event, body, len, true, &fold);
        break;
    }
    if (rc == 0 && ret_fold)
        *ret_fold = fold;
    return rc;
}
