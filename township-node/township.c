#include "township.h"

#include "tb_accountlist.h"
#include "tb_data.h"
#include "tb_edge.h"
#include "tb_error.h"
#include "tb_log.h"
#include "tb_reject.h"
#include "tb_restore.h"
#include "tb_sign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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
           strcmp(parent, t->env->place) == 0;
}

/* Who hears of a step on a case: the county, and the case's village if it is
 * one of ours (a walk-in case has none).  village is the storage for it. */
static void case_peers(const township_t *t, const char *case_id, char village[TB_CODE_LEN + 1],
                       const char *peers[3])
{
    case_village(case_id, village);
    peers[0] = t->env->parent;
    peers[1] = my_village(t, village) ? village : NULL;
    peers[2] = NULL;
}

/* Every log line a village or the county can cause goes through here: at
 * most TB_RATELIMIT_LINES a minute per peer (tb_log_peer). */
static tb_ratelimit_t lines; /* one node per process */

/* A village's events come here, every one, in order: event seq after last
 * (the highest recorded or consumed) is a gap when it skips ids: an alarm,
 * at most TB_RATELIMIT_LINES lines a minute per village. */
static void gap_alarm(const char *peer, uint64_t last, uint64_t seq)
{
    if (seq <= last + 1 || !tb_log_peer(&lines, peer))
        return;
    tb_error("village %s: event %" PRIu64 " follows %" PRIu64 ": events %" PRIu64 "..%" PRIu64
             " never came",
             peer, seq, last, last + 1, seq - 1);
}

/* A village's own event refused here came all the same: consumed, so its
 * next event is no gap (tb_reject_consumed); a gap before it is an alarm. */
static int consumed(township_t *t, const char *peer, const uint8_t *body, size_t len)
{
    uint64_t last = 0, seq = 0;
    int rc = my_village(t, peer) ? tb_reject_consumed(t->store, peer, body, len, &last, &seq) : 0;
    if (rc == 1)
        gap_alarm(peer, last, seq);
    return rc < 0 ? rc : 0;
}

/* Keep aside and count what peer was not entitled to send; one log line naming
 * the peer and why.  With a code (a village's event), the event's origin is
 * answered with REJECTED through peer (township_answer.c). */
static int refuse_code(township_t *t, const char *peer, const uint8_t *body, size_t len,
                       const char *why, tb_reject_code_t code)
{
    uint64_t n = 0;
    int rc = tb_edge_refuse(t->store, peer, body, len, why, &n);
    if (rc < 0 || (rc = consumed(t, peer, body, len)) < 0)
        return rc;
    const char *answered = "";
    if (code && (rc = township_answer(t, peer, body, len, code, why, &answered)) < 0)
        return rc;
    if (tb_log_peer(&lines, peer))
        tb_warn("message from %s refused: %s (%" PRIu64 " refused from %s)%s", peer, why, n, peer,
                answered);
    return 0;
}

static int refuse(township_t *t, const char *peer, const uint8_t *body, size_t len, const char *why)
{
    return refuse_code(t, peer, body, len, why, TONGBAN__V1__REJECT_CODE__REJECT_UNSPECIFIED);
}

int township_undecodable(void *ctx, const char *peer, uint64_t seq, const uint8_t *body, size_t len,
                         int rc)
{
    township_t *t = ctx;
    (void)seq;
    if (!my_village(t, peer))
        return 0; /* the county's items are its own to fix; a stranger gets nothing */
    tb_item_msg_t *raw = len <= TB_MAX_BODY ? tongban__v1__item__unpack(NULL, len, body) : NULL;
    tb_reject_code_t code = TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED;
    if (raw && raw->item_case == TONGBAN__V1__ITEM__ITEM_EVENT)
        code = tb_reject_check_code(raw->event);
    if (raw)
        tongban__v1__item__free_unpacked(raw, NULL);
    if (!code)
        code = TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED;
    /* Counted with the other refusals (sqlink has quarantined it). */
    char counter[64];
    uint64_t n;
    snprintf(counter, sizeof counter, "refused %s", peer);
    int a = tb_store_counter_next(t->store, counter, &n);
    if (a < 0 || (a = consumed(t, peer, body, len)) < 0)
        return a;
    const char *answered = "";
    if ((a = township_answer(t, peer, body, len, code, tb_strerror(rc), &answered)) < 0)
        return a;
    if (tb_log_peer(&lines, peer))
        tb_warn("message from %s refused: %s (%s)%s", peer, tb_reject_text(code), tb_strerror(rc),
                answered);
    return 0;
}

static int from_village(township_t *t, const char *peer, const tb_item_msg_t *item,
                        const uint8_t *body, size_t len)
{
    /* Status updates and data versions come from the county only. */
    if (item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT)
        return refuse(t, peer, body, len,
                      item->item_case == TONGBAN__V1__ITEM__ITEM_STATUS ||
                              item->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES
                          ? "a status update from a village"
                          : "a data version from a village");
    const tb_event_msg_t *ev = item->event;
    /* A village speaks only for itself, and only of the cases it logged. */
    if (strcmp(ev->origin_node, peer) != 0)
        return refuse_code(t, peer, body, len, "a village relayed another node's event",
                           TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED);
    if (strncmp(ev->case_id, peer, TB_CODE_LEN) != 0)
        return refuse_code(t, peer, body, len, "a village's event on a case it did not log",
                           TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED);
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED)
        return refuse(t, peer, body, len, "a REJECTED from a village");
    uint64_t last = 0;
    int rc = tb_store_origin_last(t->store, peer, &last);
    if (rc < 0)
        return rc;
    if (ev->origin_seq > last + 1 && !township_restoring(t))
        gap_alarm(peer, last, ev->origin_seq); /* (restoring: the answer brings the ids) */
    int fold = 0;
    rc = tb_store_apply(t->store, ev, body, len, true, &fold);
    if (rc == 2) {
        char stored[TB_DIGEST_HEX], got[TB_DIGEST_HEX];
        tb_edge_conflict(t->store, ev, body, len, stored, got);
        if (tb_log_peer(&lines, peer))
            tb_error("village %s: event %s/%" PRIu64
                     " came again with other content (stored sha256 "
                     "%s, new sha256 %s): the new one refused",
                     peer, ev->origin_node, ev->origin_seq, stored, got);
        return refuse_code(t, peer, body, len, "an event id reused for other content",
                           TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID);
    }
    if (rc != 0)
        return rc < 0 ? rc : 0; /* 1: seen before, already relayed */
    if (fold < 0 && tb_log_peer(&lines, peer))
        tb_warn("event %s/%llu on %s does not fold here (%s); relayed for the county to judge",
                ev->origin_node, (unsigned long long)ev->origin_seq, ev->case_id,
                tb_strerror(fold));
    if ((rc = tb_store_enqueue(t->store, t->env->parent, body, len, NULL)) < 0)
        return rc;
    /* Confirmed at once; while our own store is being restored, once the
     * answer is in (township_restored: our ids wait for its high-water mark). */
    if (fold == 0 && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED &&
        strcmp(ev->target, t->env->place) == 0 && !township_restoring(t)) {
        tb_event_msg_t rcv = TONGBAN__V1__CASE_EVENT__INIT;
        rcv.case_id = ev->case_id;
        rcv.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
        rcv.actor = (char *)"";
        char village[TB_CODE_LEN + 1];
        const char *peers[3];
        case_peers(t, ev->case_id, village, peers);
        rc = tb_store_emit(t->store, &rcv, peers);
    }
    return rc;
}

/* The county's statuses of a batch (applied): each on its own to its case's
 * village, as a single status came, the order kept (a village applies what
 * a township of any version relays). */
static int relay_statuses(township_t *t, const Tongban__V1__StatusList *l)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n_updates; i++) {
        char village[TB_CODE_LEN + 1];
        case_village(l->updates[i]->case_id, village);
        if (!my_village(t, village))
            continue; /* a walk-in case: no village */
        /* A fresh update of the fields we know: protobuf-c would pack the
         * unknown fields it kept, and not always as they came (fuzz-item.c). */
        const Tongban__V1__StatusUpdate *u = l->updates[i];
        Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
        st.case_id = u->case_id;
        st.state = u->state;
        st.holder = u->holder;
        st.version = u->version;
        st.at_ms = u->at_ms;
        st.state_code = u->state_code;
        st.n_folded = u->n_folded;
        st.folded = u->folded;
        tb_item_msg_t one = TONGBAN__V1__ITEM__INIT;
        one.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
        one.status = &st;
        uint8_t *buf;
        size_t n;
        if ((rc = tb_pack_item(&one, &buf, &n)) == 0) {
            rc = tb_store_enqueue(t->store, village, buf, n, NULL);
            free(buf);
        }
    }
    return rc;
}

/* What the county sends is applied as at a village (tb_edge_from_above) and,
 * when new here, passed down.  A catalog or calendar version goes (in the
 * same transaction, so exactly once) to every village of this township the
 * place data knows, whether or not it has ever spoken: the link keeps it
 * until the village comes (township_relay_data).  A rejection goes to the node whose event it
 * refused (one of our villages, or us); anything else to the village the
 * case belongs to. */
static int from_county(township_t *t, const tb_item_msg_t *item, const uint8_t *body, size_t len)
{
    int fold = 0;
    /* Accounts: our own list is taken below; a village's is checked (the
     * county's signature) and relayed to that village alone, unchanged. */
    char scope[TB_CODE_LEN + 1];
    bool accounts = item->item_case == TONGBAN__V1__ITEM__ITEM_DATA &&
                    tb_accountlist_kind(item->data->kind, scope);
    if (accounts && strcmp(scope, t->env->place) != 0) {
        if (!my_village(t, scope) || tb_places_check(t->env->places, scope) != 0)
            return refuse(t, t->env->parent, body, len, "accounts of a place not ours");
        if (!t->env->data_pk_set || tb_sign_check(t->env->data_pk, item->data) < 0) {
            char why[128];
            snprintf(why, sizeof why, "%s version %u without a valid county signature",
                     item->data->kind, (unsigned)item->data->version);
            return refuse(t, t->env->parent, body, len, why);
        }
        /* Kept with its signature, every version in order (a village takes
         * only the next one), so that a village restored later gets its
         * list at once (tb_restore_answer); 1: had it already. */
        int rc = tb_store_data_put(t->store, item->data->kind, item->data->version,
                                   item->data->body.data, item->data->body.len);
        if (rc == 0)
            rc = tb_store_data_sign(t->store, item->data->kind, item->data->version,
                                    item->data->signature.data, item->data->signature.len);
        return rc < 0 ? rc : tb_store_enqueue(t->store, scope, body, len, NULL);
    }
    /* Restoring our own store: an event that came before its case's history
     * is taken again in the answer's order (tb_restore_replace). */
    int rc = item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT
                 ? tb_restore_replace(t->store, item->event, body, len)
                 : 0;
    if (rc < 0)
        return rc;
    rc = tb_edge_from_above(t->env, t->store, item, body, len, &fold);
    if (rc == 2 && item->item_case == TONGBAN__V1__ITEM__ITEM_DATA && township_restoring(t)) {
        /* A version the old store's link still held, ahead of the chain the
         * answer brings from version 1: consumed, the answer has it too. */
        tb_info("%s version %u before the restore's chain: taken from the answer", item->data->kind,
                (unsigned)item->data->version);
        return 0;
    }
    if (rc == 3) {
        char why[128];
        snprintf(why, sizeof why, "%s version %u without a valid county signature%s",
                 item->data->kind, (unsigned)item->data->version,
                 t->env->data_pk_set ? "" : " (no county.sign.pub pinned in the keys directory)");
        return refuse(t, t->env->parent, body, len, why);
    }
    if (rc == 2 && item->item_case == TONGBAN__V1__ITEM__ITEM_DATA) {
        uint32_t cur = 0;
        if ((rc = tb_data_current(t->store, item->data->kind, &cur)) < 0)
            return rc;
        char why[128];
        snprintf(why, sizeof why, "%s version %u is not the next one (%u)", item->data->kind,
                 (unsigned)item->data->version, (unsigned)cur + 1);
        return refuse(t, t->env->parent, body, len, why);
    }
    if (rc == 2) {
        char stored[TB_DIGEST_HEX], got[TB_DIGEST_HEX];
        tb_edge_conflict(t->store, item->event, body, len, stored, got);
        if (tb_log_peer(&lines, t->env->parent))
            tb_error("county %s: event %s/%" PRIu64 " came again with other content (stored sha256 "
                     "%s, new sha256 %s): the new one refused",
                     t->env->parent, item->event->origin_node, item->event->origin_seq, stored,
                     got);
        return refuse(t, t->env->parent, body, len, "an event id reused for other content");
    }
    if (rc != 0)
        return rc < 0 ? rc : 0; /* 1: seen before or not newer, passed down when it came */
    if (accounts) {
        tb_info("%s version %u in force", item->data->kind, (unsigned)item->data->version);
        return 0;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA) {
        tb_info("%s version %u in force; relaying it to our villages", item->data->kind,
                (unsigned)item->data->version);
        return township_relay_data(t, NULL);
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES)
        return relay_statuses(t, item->statuses);
    if (fold < 0 && tb_log_peer(&lines, t->env->parent))
        tb_warn("county event %s/%llu does not fold here: %s", item->event->origin_node,
                (unsigned long long)item->event->origin_seq, tb_strerror(fold));
    char village[TB_CODE_LEN + 1];
    case_village(tb_edge_case_id(item), village);
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT &&
        item->event->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED &&
        my_village(t, item->event->rejected_origin))
        memcpy(village, item->event->rejected_origin, TB_CODE_LEN + 1);
    if (my_village(t, village))
        rc = tb_store_enqueue(t->store, village, body, len, NULL);
    return rc;
}

int township_relay_data(township_t *t, unsigned *ret_villages)
{
    const char *v;
    unsigned villages = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && (v = tb_places_child(t->env->places, t->env->place, i)); i++) {
        unsigned queued = 0;
        if (tb_code_level(v) == TB_LEVEL_VILLAGE)
            rc = tb_store_data_relay(t->store, v, &queued);
        villages += queued > 0;
    }
    if (rc == 0 && ret_villages)
        *ret_villages = villages;
    return rc;
}

int township_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                   size_t len)
{
    township_t *t = ctx;
    /* A village whose store was lost asks for it back (township_restore.c). */
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST && my_village(t, peer) &&
        tb_places_check(t->env->places, peer) == 0 &&
        strcmp(item->restore_request->node, peer) == 0) {
        int rc = township_restore(t, peer);
        return rc == -EALREADY ? refuse(t, peer, body, len, "restore asked again by the same store")
                               : rc;
    }
    /* ... and the county answers ours (township_restore.c). */
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER &&
        strcmp(peer, t->env->parent) == 0) {
        int rc = township_restored(t, item->restore_answer);
        return rc == -EINVAL ? refuse(t, peer, body, len, "a restore answer nobody asked for") : rc;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST ||
        item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER)
        return refuse(t, peer, body, len, "a restore item not for us to take");
    if (strcmp(peer, t->env->parent) == 0)
        return from_county(t, item, body, len);
    if (my_village(t, peer) && tb_places_check(t->env->places, peer) == 0)
        return from_village(t, peer, item, body, len);
    return refuse(t, peer, body, len, "neither our county nor one of our villages");
}

int township_act(township_t *t, tb_act_t *a)
{
    if (!tb_caseid_valid(a->case_id))
        return -TB_ENOCASE;
    char village[TB_CODE_LEN + 1];
    const char *peers[3];
    case_peers(t, a->case_id, village, peers);
    if (a->type == TB_EV_FORWARDED)
        a->target = t->env->parent;
    if (a->type != TB_EV_DECIDED || a->decision != TB_DECISION_GRANT)
        return tb_act(t->store, a, peers);
    /* 马上办: an immediate item is decided and its result issued in one go. */
    tb_case_t c;
    int rc = tb_store_case_get(t->store, a->case_id, &c, NULL);
    if (rc < 0)
        return rc;
    const tb_item_t *item = tb_catalog_find(t->env->catalog, c.item);
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
