#include "township.h"

#include "tb_error.h"
#include "tb_log.h"

#include <stdio.h>
#include <string.h>

/* The village a case belongs to: case ids start with their origin's code. */
static void case_village(const char *case_id, char ret[TB_CODE_LEN + 1])
{
    memcpy(ret, case_id, TB_CODE_LEN);
    ret[TB_CODE_LEN] = '\0';
}

static bool my_village(const township_t *t, const char *code)
{
    char parent[TB_CODE_LEN + 1];
    return tb_code_level(code) == TB_LEVEL_VILLAGE && tb_code_parent(code, parent) == 0 &&
           strcmp(parent, t->place) == 0;
}

static int emit(township_t *t, tb_event_msg_t *ev)
{
    char village[TB_CODE_LEN + 1];
    case_village(ev->case_id, village);
    const char *peers[] = {t->county, my_village(t, village) ? village : NULL, NULL};
    return tb_store_emit(t->store, ev, peers);
}

static int from_village(township_t *t, const char *peer, const tb_item_msg_t *item,
                        const uint8_t *body, size_t len)
{
    if (item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT) {
        tb_warn("village %s sent a status update or data version: ignored", peer);
        return 0;
    }
    const tb_event_msg_t *ev = item->event;
    if (strcmp(ev->origin_node, peer) != 0) {
        /* A village speaks only for itself. */
        tb_warn("village %s relayed event %s/%llu: refused", peer, ev->origin_node,
                (unsigned long long)ev->origin_seq);
        return tb_store_quarantine(t->store, peer, 0, body, len, "village relayed a foreign event");
    }
    int fold = 0;
    int rc = tb_store_apply(t->store, ev, body, len, true, &fold);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* 1: seen before, already relayed */
    if (fold < 0)
        tb_warn("event %s/%llu on %s does not fold here (%s); relayed for the county to judge",
                ev->origin_node, (unsigned long long)ev->origin_seq, ev->case_id,
                tb_strerror(fold));
    if ((rc = tb_store_enqueue(t->store, t->county, body, len, NULL)) < 0)
        return rc;
    if (fold == 0 && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED &&
        strcmp(ev->target, t->place) == 0) {
        tb_event_msg_t rcv = TONGBAN__V1__CASE_EVENT__INIT;
        rcv.case_id = ev->case_id;
        rcv.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
        rcv.actor = (char *)"";
        rc = emit(t, &rcv);
    }
    return rc;
}

/* A catalog or calendar version from the county: in force here when newer
 * than ours, and relayed (in the same transaction, so exactly once) to every
 * village of this township the place data knows, whether or not it has ever
 * spoken: the link keeps it until the village comes. */
static int data_from_county(township_t *t, const tb_item_msg_t *item, const uint8_t *body,
                            size_t len)
{
    int rc = tb_data_receive(t->env, t->store, item->data);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* not newer: relayed when it was */
    tb_info("%s version %u in force; relaying it to our villages", item->data->kind,
            (unsigned)item->data->version);
    const char *v;
    for (size_t i = 0; rc == 0 && (v = tb_places_child(t->places, t->place, i)); i++)
        if (tb_code_level(v) == TB_LEVEL_VILLAGE)
            rc = tb_store_enqueue(t->store, v, body, len, NULL);
    return rc;
}

static int from_county(township_t *t, const tb_item_msg_t *item, const uint8_t *body, size_t len)
{
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA)
        return data_from_county(t, item, body, len);
    const char *case_id = item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT ? item->event->case_id
                                                                           : item->status->case_id;
    char village[TB_CODE_LEN + 1];
    case_village(case_id, village);
    int rc;
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUS) {
        rc = tb_store_county_status(t->store, item->status);
    } else {
        int fold = 0;
        rc = tb_store_apply(t->store, item->event, body, len, true, &fold);
        if (rc == 1)
            return 0;
        if (rc == 0 && fold < 0)
            tb_warn("county event %s/%llu does not fold here: %s", item->event->origin_node,
                    (unsigned long long)item->event->origin_seq, tb_strerror(fold));
    }
    /* A rejection goes to the node whose event it refused (one of our villages,
     * or us); anything else to the village the case belongs to. */
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT &&
        item->event->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED &&
        my_village(t, item->event->rejected_origin))
        memcpy(village, item->event->rejected_origin, TB_CODE_LEN + 1);
    if (rc == 0 && my_village(t, village))
        rc = tb_store_enqueue(t->store, village, body, len, NULL);
    return rc;
}

int township_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                   size_t len)
{
    township_t *t = ctx;
    if (strcmp(peer, t->county) == 0)
        return from_county(t, item, body, len);
    if (my_village(t, peer) && tb_places_check(t->places, peer) == 0)
        return from_village(t, peer, item, body, len);
    tb_warn("message from %s, which is neither our county nor one of our villages: kept aside",
            peer);
    return tb_store_quarantine(t->store, peer, 0, body, len, "not a neighbour");
}

static int step(township_t *t, const char *case_id, Tongban__V1__EventType type, const char *target,
                const char *actor)
{
    int rc = tb_store_begin(t->store);
    if (rc < 0)
        return rc;
    tb_case_t c;
    if ((rc = tb_store_case_get(t->store, case_id, &c, NULL)) == 0) {
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = (char *)case_id;
        ev.type = type;
        ev.actor = (char *)(actor ? actor : "");
        ev.target = (char *)(target ? target : "");
        rc = emit(t, &ev);
    }
    if (rc < 0) {
        tb_store_rollback(t->store);
        return rc;
    }
    return tb_store_commit(t->store);
}

int township_act(township_t *t, tb_act_t *a)
{
    char village[TB_CODE_LEN + 1];
    if (!tb_caseid_valid(a->case_id))
        return -TB_ENOCASE;
    case_village(a->case_id, village);
    const char *peers[] = {t->county, my_village(t, village) ? village : NULL, NULL};
    if (a->type == TB_EV_FORWARDED)
        a->target = t->county;
    if (a->type != TB_EV_DECIDED || a->decision != TB_DECISION_GRANT)
        return tb_act(t->store, a, peers);
    /* 马上办: an immediate item is decided and its result issued in one go. */
    tb_case_t c;
    int rc = tb_store_case_get(t->store, a->case_id, &c, NULL);
    if (rc < 0)
        return rc;
    const tb_item_t *item = tb_catalog_find(t->catalog, c.item);
    if (!item || item->kind != TB_KIND_IMMEDIATE)
        return tb_act(t->store, a, peers);
    if ((rc = tb_store_begin(t->store)) < 0)
        return rc;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = (char *)a->case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED;
    ev.decision = TONGBAN__V1__DECISION__DECISION_GRANT;
    ev.actor = (char *)(a->actor ? a->actor : "");
    ev.reason = (char *)(a->reason ? a->reason : "");
    rc = tb_store_emit(t->store, &ev, peers);
    if (rc == 0) {
        tb_event_msg_t res = TONGBAN__V1__CASE_EVENT__INIT;
        res.case_id = (char *)a->case_id;
        res.type = TONGBAN__V1__EVENT_TYPE__EVENT_RESULT;
        res.actor = ev.actor;
        rc = tb_store_emit(t->store, &res, peers);
    }
    if (rc < 0) {
        tb_store_rollback(t->store);
        return rc;
    }
    return tb_store_commit(t->store);
}

int township_register(township_t *t, const township_walkin_t *w, char ret_id[TB_CASEID_MAX])
{
    int rc;
    if ((rc = tb_check_name(w->client)) < 0 || (rc = tb_check_phone(w->phone)) < 0)
        return rc;
    if (!w->item || !tb_catalog_find(t->catalog, w->item))
        return -TB_EUNKNOWN_ITEM;
    if ((w->note && (rc = tb_check_text(w->note, TB_MAX_NOTE)) < 0) ||
        (w->reply && (rc = tb_check_text(w->reply, TB_MAX_NOTE)) < 0) ||
        (w->agent && (rc = tb_check_text(w->agent, 64)) < 0))
        return rc;
    char mbuf[2048], *names[TB_ITEM_MATERIALS_MAX];
    int n = tb_act_split(w->materials, mbuf, sizeof mbuf, names);
    if (n < 0)
        return n;
    int64_t now = tb_now_ms();
    char counter[32], id[TB_CASEID_MAX];
    snprintf(counter, sizeof counter, "case-%08d", tb_cst_yyyymmdd(now));
    if ((rc = tb_store_begin(t->store)) < 0)
        return rc;
    uint64_t seq;
    if ((rc = tb_store_counter_next(t->store, counter, &seq)) == 0 &&
        (rc = tb_caseid_format(t->place, now, (uint32_t)seq, id)) == 0) {
        Tongban__V1__LedgerRecord ledger = TONGBAN__V1__LEDGER_RECORD__INIT;
        ledger.client_name = (char *)w->client;
        ledger.client_phone = (char *)w->phone;
        ledger.agent = (char *)(w->agent ? w->agent : "");
        ledger.item_code = (char *)w->item;
        ledger.note = (char *)(w->note ? w->note : "");
        ledger.result = (char *)(w->reply ? w->reply : "");
        ledger.accept_time_ms = now;
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = id;
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
        ev.actor = ledger.agent;
        ev.at_ms = now;
        ev.ledger = &ledger;
        ev.materials = names;
        ev.n_materials = (size_t)n;
        const char *peers[] = {t->county, NULL};
        rc = tb_store_emit(t->store, &ev, peers);
    }
    if (rc < 0) {
        tb_store_rollback(t->store);
        return rc;
    }
    if ((rc = tb_store_commit(t->store)) < 0)
        return rc;
    memcpy(ret_id, id, TB_CASEID_MAX);
    return 0;
}

int township_accept(township_t *t, const char *case_id, const char *actor)
{
    return step(t, case_id, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, NULL, actor);
}

int township_forward(township_t *t, const char *case_id, const char *actor)
{
    return step(t, case_id, TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED, t->county, actor);
}
