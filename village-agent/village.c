#include "village.h"

#include "tb_error.h"
#include "tb_log.h"

#include <stdio.h>
#include <string.h>

int village_check_entry(const tb_env_ctx_t *env, const village_entry_t *e)
{
    int rc;
    if ((rc = tb_check_name(e->client)) < 0 || (rc = tb_check_phone(e->phone)) < 0)
        return rc;
    if (!e->item || !tb_catalog_find(env->catalog, e->item))
        return -TB_EUNKNOWN_ITEM;
    if (e->note && (rc = tb_check_text(e->note, TB_MAX_NOTE)) < 0)
        return rc;
    if (e->reply && (rc = tb_check_text(e->reply, TB_MAX_NOTE)) < 0)
        return rc;
    if (!e->agent || (rc = tb_check_text(e->agent, 64)) < 0 || !*e->agent)
        return rc < 0 ? rc : -TB_ECONFIG;
    return 0;
}

int village_log(const tb_env_ctx_t *env, tb_store_t *store, const village_entry_t *e,
                char ret_id[TB_CASEID_MAX])
{
    int rc = village_check_entry(env, e);
    if (rc < 0)
        return rc;
    const tb_item_t *item = tb_catalog_find(env->catalog, e->item);
    int64_t now = tb_now_ms();
    char counter[32], id[TB_CASEID_MAX];
    snprintf(counter, sizeof counter, "case-%08d", tb_cst_yyyymmdd(now));
    if ((rc = tb_store_begin(store)) < 0)
        return rc;
    uint64_t seq;
    if ((rc = tb_store_counter_next(store, counter, &seq)) < 0 ||
        (rc = tb_caseid_format(env->place, now, (uint32_t)seq, id)) < 0)
        goto fail;

    Tongban__V1__LedgerRecord ledger = TONGBAN__V1__LEDGER_RECORD__INIT;
    ledger.client_name = (char *)e->client;
    ledger.client_phone = (char *)e->phone;
    ledger.agent = (char *)e->agent;
    ledger.item_code = (char *)e->item;
    ledger.note = (char *)(e->note ? e->note : "");
    ledger.accept_time_ms = now;
    ledger.result = (char *)(e->reply ? e->reply : "");
    char mbuf[2048], *names[TB_ITEM_MATERIALS_MAX];
    int n = tb_act_split(e->materials, mbuf, sizeof mbuf, names);
    if (n < 0) {
        rc = n;
        goto fail;
    }
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.materials = names;
    ev.n_materials = (size_t)n;
    ev.case_id = id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = (char *)e->agent;
    ev.at_ms = now;
    ev.ledger = &ledger;
    const char *peers[] = {env->parent, NULL};
    if ((rc = tb_store_emit(store, &ev, peers)) < 0)
        goto fail;
    if (item->level != TB_LEVEL_VILLAGE && item->kind != TB_KIND_CONSULT &&
        item->kind != TB_KIND_HELP) {
        /* The agent hands the case on to the township at once (报送). */
        tb_event_msg_t sub = TONGBAN__V1__CASE_EVENT__INIT;
        sub.case_id = id;
        sub.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
        sub.actor = (char *)e->agent;
        sub.at_ms = now;
        sub.target = (char *)env->parent;
        if ((rc = tb_store_emit(store, &sub, peers)) < 0)
            goto fail;
    }
    if ((rc = tb_store_commit(store)) < 0)
        return rc;
    memcpy(ret_id, id, TB_CASEID_MAX);
    return 0;
fail:
    tb_store_rollback(store);
    return rc;
}

int village_act(const tb_env_ctx_t *env, tb_store_t *store, tb_act_t *a)
{
    const char *peers[] = {env->parent, NULL};
    return tb_act(store, a, peers);
}

int village_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                  size_t len)
{
    village_node_t *v = ctx;
    tb_store_t *store = v->store;
    if (strcmp(peer, v->env->parent) != 0) {
        /* Everything a village is told comes through its own township. */
        tb_warn("item from %s, not our township %s: ignored", peer, v->env->parent);
        return 0;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA) {
        int rc = tb_data_receive(v->env, store, item->data);
        if (rc == 0)
            tb_info("%s version %u in force", item->data->kind, (unsigned)item->data->version);
        return rc < 0 ? rc : 0;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUS) {
        if (strncmp(item->status->case_id, tb_store_place(store), TB_CODE_LEN) != 0)
            return 0; /* not one of ours: nothing to update */
        return tb_store_county_status(store, item->status);
    }
    const tb_event_msg_t *ev = item->event;
    if (strncmp(ev->case_id, tb_store_place(store), TB_CODE_LEN) != 0) {
        tb_warn("event %s/%llu is for case %s, not ours: ignored", ev->origin_node,
                (unsigned long long)ev->origin_seq, ev->case_id);
        return 0;
    }
    int fold = 0;
    int rc = tb_store_apply(store, ev, body, len, true, &fold);
    if (rc == 0 && fold < 0)
        tb_warn("event %s/%llu on %s does not fold here: %s", ev->origin_node,
                (unsigned long long)ev->origin_seq, ev->case_id, tb_strerror(fold));
    return rc < 0 ? rc : 0;
}
