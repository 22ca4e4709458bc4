/* fuzz-item: tb_item_decode() on untrusted bytes, the link items (case events,
 * status updates alone and in lists, and the county's catalog and calendar
 * versions) carried in DATA envelopes.
 *
 * Besides "no crash, no leak", an item that decodes must survive a round
 * trip: its fields, copied into a fresh message as tb_store_emit() and the
 * county build theirs, go through tb_pack_item() and decode again to an equal
 * item (compared field by field), which still passes tb_event_check(); and
 * packing that gives the same bytes (the encoding is canonical).
 *
 * A fresh message, not the decoded one: protobuf-c would pack the unknown
 * fields it kept, including a field number 0 it accepted as "80 00" but
 * rejects as "00" (see fuzz-heartbeat.c).  No code path re-packs a decoded
 * item today; if one ever relays items, it must build a fresh one too. */
#include "fuzz.h"
#include "tb_wire.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool same_str(const char *a, const char *b)
{
    /* Absent proto3 strings come back as "", which is what we compare. */
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool same_list(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!same_str(a[i], b[i]))
            return false;
    return true;
}

static bool same_ledger(const Tongban__V1__LedgerRecord *a, const Tongban__V1__LedgerRecord *b)
{
    if (!a || !b)
        return a == b;
    return same_str(a->client_name, b->client_name) && same_str(a->client_phone, b->client_phone) &&
           same_str(a->agent, b->agent) && same_str(a->item_code, b->item_code) &&
           same_str(a->note, b->note) && a->accept_time_ms == b->accept_time_ms &&
           a->completion_time_ms == b->completion_time_ms && same_str(a->result, b->result);
}

static bool same_event(const Tongban__V1__CaseEvent *a, const Tongban__V1__CaseEvent *b)
{
    return same_str(a->origin_node, b->origin_node) && a->origin_seq == b->origin_seq &&
           same_str(a->case_id, b->case_id) && a->type == b->type && same_str(a->actor, b->actor) &&
           a->at_ms == b->at_ms && same_str(a->target, b->target) &&
           same_ledger(a->ledger, b->ledger) && same_str(a->reason, b->reason) &&
           same_list(a->materials, a->n_materials, b->materials, b->n_materials) &&
           same_str(a->basis, b->basis) && a->due_ms == b->due_ms && a->rating == b->rating &&
           same_str(a->comment, b->comment) && a->decision == b->decision &&
           same_str(a->rejected_origin, b->rejected_origin) && a->rejected_seq == b->rejected_seq &&
           a->card_id == b->card_id && same_str(a->card_level, b->card_level) &&
           same_str(a->card_kind, b->card_kind) && a->reject_code == b->reject_code &&
           same_str(a->rejected_digest, b->rejected_digest) &&
           same_str(a->complaint_kind, b->complaint_kind) && a->complaint_id == b->complaint_id &&
           a->rating_overall == b->rating_overall && a->rating_efficiency == b->rating_efficiency &&
           a->rating_skill == b->rating_skill && a->rating_attitude == b->rating_attitude;
}

static bool same_status(const Tongban__V1__StatusUpdate *a, const Tongban__V1__StatusUpdate *b)
{
    return same_str(a->case_id, b->case_id) && same_str(a->state, b->state) &&
           same_str(a->holder, b->holder) && a->version == b->version && a->at_ms == b->at_ms &&
           a->state_code == b->state_code;
}

static bool same_bytes(ProtobufCBinaryData a, ProtobufCBinaryData b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

static bool same_answer(const Tongban__V1__RestoreAnswer *a, const Tongban__V1__RestoreAnswer *b)
{
    if (!same_str(a->node, b->node) || a->origin_seq != b->origin_seq || a->events != b->events ||
        a->cases != b->cases || a->n_lost != b->n_lost ||
        a->catalog_version != b->catalog_version || a->calendar_version != b->calendar_version)
        return false;
    for (size_t i = 0; i < a->n_lost; i++)
        if (a->lost[i] != b->lost[i])
            return false;
    return true;
}

static bool same_item(const tb_item_msg_t *a, const tb_item_msg_t *b)
{
    if (a->item_case != b->item_case)
        return false;
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_EVENT)
        return a->event && b->event && same_event(a->event, b->event);
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_STATUS)
        return a->status && b->status && same_status(a->status, b->status);
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES) {
        if (!a->statuses || !b->statuses || a->statuses->n_updates != b->statuses->n_updates)
            return false;
        for (size_t i = 0; i < a->statuses->n_updates; i++)
            if (!same_status(a->statuses->updates[i], b->statuses->updates[i]))
                return false;
        return true;
    }
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_DATA)
        return a->data && b->data && same_str(a->data->kind, b->data->kind) &&
               a->data->version == b->data->version && same_bytes(a->data->body, b->data->body) &&
               same_bytes(a->data->signature, b->data->signature);
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST)
        return a->restore_request && b->restore_request &&
               same_str(a->restore_request->node, b->restore_request->node);
    if (a->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER)
        return a->restore_answer && b->restore_answer &&
               same_answer(a->restore_answer, b->restore_answer);
    return false; /* tb_item_decode() accepts nothing else */
}

/* Known fields only, as every sender builds its items. */
typedef struct {
    tb_item_msg_t item;
    Tongban__V1__CaseEvent ev;
    Tongban__V1__LedgerRecord ledger;
    Tongban__V1__StatusUpdate st;
    Tongban__V1__DataVersion dv;
    Tongban__V1__RestoreRequest rq;
    Tongban__V1__RestoreAnswer ra;
    Tongban__V1__StatusList sl;
    Tongban__V1__StatusUpdate *slp[TB_STATUS_LIST_MAX];
    Tongban__V1__StatusUpdate sls[TB_STATUS_LIST_MAX];
} fresh_t;

static void fresh_status(Tongban__V1__StatusUpdate *dst, const Tongban__V1__StatusUpdate *st)
{
    *dst = (Tongban__V1__StatusUpdate)TONGBAN__V1__STATUS_UPDATE__INIT;
    dst->case_id = st->case_id;
    dst->state = st->state;
    dst->holder = st->holder;
    dst->version = st->version;
    dst->at_ms = st->at_ms;
    dst->state_code = st->state_code;
}

static void fresh_copy(const tb_item_msg_t *src, fresh_t *f)
{
    f->item = (tb_item_msg_t)TONGBAN__V1__ITEM__INIT;
    f->ev = (Tongban__V1__CaseEvent)TONGBAN__V1__CASE_EVENT__INIT;
    f->ledger = (Tongban__V1__LedgerRecord)TONGBAN__V1__LEDGER_RECORD__INIT;
    f->dv = (Tongban__V1__DataVersion)TONGBAN__V1__DATA_VERSION__INIT;
    f->rq = (Tongban__V1__RestoreRequest)TONGBAN__V1__RESTORE_REQUEST__INIT;
    f->ra = (Tongban__V1__RestoreAnswer)TONGBAN__V1__RESTORE_ANSWER__INIT;
    f->sl = (Tongban__V1__StatusList)TONGBAN__V1__STATUS_LIST__INIT;
    f->item.item_case = src->item_case;
    if (src->item_case == TONGBAN__V1__ITEM__ITEM_EVENT) {
        const Tongban__V1__CaseEvent *e = src->event;
        f->item.event = &f->ev;
        f->ev.origin_node = e->origin_node;
        f->ev.origin_seq = e->origin_seq;
        f->ev.case_id = e->case_id;
        f->ev.type = e->type;
        f->ev.actor = e->actor;
        f->ev.at_ms = e->at_ms;
        f->ev.target = e->target;
        f->ev.reason = e->reason;
        f->ev.n_materials = e->n_materials;
        f->ev.materials = e->materials;
        f->ev.basis = e->basis;
        f->ev.due_ms = e->due_ms;
        f->ev.rating = e->rating;
        f->ev.comment = e->comment;
        f->ev.decision = e->decision;
        f->ev.rejected_origin = e->rejected_origin;
        f->ev.rejected_seq = e->rejected_seq;
        f->ev.card_id = e->card_id;
        f->ev.card_level = e->card_level;
        f->ev.card_kind = e->card_kind;
        f->ev.reject_code = e->reject_code;
        f->ev.rejected_digest = e->rejected_digest;
        f->ev.complaint_kind = e->complaint_kind;
        f->ev.complaint_id = e->complaint_id;
        f->ev.rating_overall = e->rating_overall;
        f->ev.rating_efficiency = e->rating_efficiency;
        f->ev.rating_skill = e->rating_skill;
        f->ev.rating_attitude = e->rating_attitude;
        if (e->ledger) {
            const Tongban__V1__LedgerRecord *l = e->ledger;
            f->ev.ledger = &f->ledger;
            f->ledger.client_name = l->client_name;
            f->ledger.client_phone = l->client_phone;
            f->ledger.agent = l->agent;
            f->ledger.item_code = l->item_code;
            f->ledger.note = l->note;
            f->ledger.accept_time_ms = l->accept_time_ms;
            f->ledger.completion_time_ms = l->completion_time_ms;
            f->ledger.result = l->result;
        }
    } else if (src->item_case == TONGBAN__V1__ITEM__ITEM_DATA) {
        f->item.data = &f->dv;
        f->dv.kind = src->data->kind;
        f->dv.version = src->data->version;
        f->dv.body = src->data->body;
        f->dv.signature = src->data->signature;
    } else if (src->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST) {
        f->item.restore_request = &f->rq;
        f->rq.node = src->restore_request->node;
    } else if (src->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER) {
        const Tongban__V1__RestoreAnswer *a = src->restore_answer;
        f->item.restore_answer = &f->ra;
        f->ra = *a;
        f->ra.base =
            (ProtobufCMessage)PROTOBUF_C_MESSAGE_INIT(&tongban__v1__restore_answer__descriptor);
    } else if (src->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES) {
        f->item.statuses = &f->sl;
        f->sl.n_updates = src->statuses->n_updates; /* <= TB_STATUS_LIST_MAX: decoded */
        f->sl.updates = f->slp;
        for (size_t i = 0; i < f->sl.n_updates; i++) {
            fresh_status(&f->sls[i], src->statuses->updates[i]);
            f->slp[i] = &f->sls[i];
        }
    } else {
        f->item.status = &f->st;
        fresh_status(&f->st, src->status);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_item_msg_t *item = NULL;
    int rc = tb_item_decode(data, size, &item);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (item)
            abort(); /* written on failure */
        return 0;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT && tb_event_check(item->event) < 0)
        abort();
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA && tb_data_check(item->data) < 0)
        abort();

    uint8_t *buf1 = NULL, *buf2 = NULL;
    size_t len1 = 0, len2 = 0;
    tb_item_msg_t *again = NULL;
    static fresh_t fresh; /* (a list's updates: too big for the stack) */
    fresh_copy(item, &fresh);
    if (tb_pack_item(&fresh.item, &buf1, &len1) < 0 || len1 > size)
        abort();
    if (tb_item_decode(buf1, len1, &again) < 0 || !same_item(item, again))
        abort();
    if (tb_pack_item(again, &buf2, &len2) < 0 || len2 != len1 || memcmp(buf1, buf2, len1) != 0)
        abort();

    free(buf1);
    free(buf2);
    tb_item_free(&again);
    tb_item_free(&item);
    if (item || again)
        abort(); /* tb_item_free() sets the caller's pointer to NULL */
    return 0;
}
