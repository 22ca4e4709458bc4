/* county_record.c: what a batch writes for each event, and what follows
 * from it: the event row and the projection of its case (folded into the
 * overlay), the county's own events (签收, REJECTED, staff steps), a status
 * update per changed case, and deadlines recounted on a new calendar.  All
 * of it goes into the pipeline of the batch being built; nothing here waits. */
#include "county_int.h"
#include "county_restore.h"

#include "rating_indicators.h"
#include "tb_complaint.h"
#include "tb_error.h"
#include "tb_log.h"
#include "tb_projection.h"
#include "tb_reject.h"

#include <inttypes.h>
#include <stdio.h>

/* The lifecycle columns of the projection: the rest of the case's row (its
 * state, holder, pending and version went with the event row), and what
 * the event carries beyond the fold (a rating's comment, a reply). */
static int project(county_t *self, const tb_event_msg_t *ev, const tb_projection_t *r)
{
    bool rated = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED;
    const char *reply = ev->ledger && ev->ledger->result ? ev->ledger->result : "";
    params_t p = {0};
    p_text(&p, ev->case_id);
    p_bytes(&p, r->fold, r->fold_len);
    p_int(&p, r->due_ms);
    p_int(&p, r->legal_due_ms);
    p_text(&p, r->paused ? "true" : "false");
    p_text(&p, r->to_bring);
    p_int(&p, r->rating);
    p_int(&p, r->decision);
    p_text(&p, rated ? "true" : "false");
    p_text(&p, rated ? ev->comment : "");
    p_text(&p, reply);
    p_int(&p, r->completion_ms);
    int rc = county_stmt_send(self, "proj", &p);
    if (rc == 0 && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP) {
        params_t f = {0};
        p_text(&f, ev->case_id);
        p_int(&f, ev->rating);
        p_text(&f, ev->comment);
        p_int(&f, ev->at_ms);
        p_text(&f, ev->origin_node);
        p_text(&f, ev->actor);
        return county_stmt_send(self, "followup", &f);
    }
    if (rc < 0 || !rated || !ev->rating_overall)
        return rc;
    /* GB/T 39735's four indicators (checked on the wire: all four or none):
     * a statement of their own, only when given, so a batch of plain
     * ratings keeps to the bulk statements. */
    unsigned v[TB_RATING_INDICATORS];
    tb_rating_indicators_get(ev, v);
    params_t q = {0};
    p_text(&q, ev->case_id);
    p_int(&q, ev->rating);
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        p_int(&q, v[i]);
    p_text(&q, ev->origin_node);
    p_int(&q, ev->at_ms);
    return county_stmt_send(self, "rating_ind", &q);
}

/* The fold in column col of row i of a text-format result (bytea): 0 and
 * *ret_case written, or -TB_EDATA (empty, or not a fold). */
int county_fold_read(const PGresult *r, int i, int col, tb_case_t *ret_case)
{
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, col), &len);
    if (!b)
        return -ENOMEM;
    int rc = len ? tb_case_unpack(b, len, ret_case) : -TB_EDATA;
    PQfreemem(b);
    return rc;
}

/* Migration 004's second half, on a blocking connection after the
 * migrations: each fold still in the text form (a store written before issue
 * 7) re-encoded as tb_case_pack(), fold_text emptied, in one transaction.  A
 * text that does not decode stays, and its case loads as a row from before
 * the lifecycle, as it did before. */
int county_fold_from_text(PGconn *pg)
{
    PGresult *r = PQexec(pg, "BEGIN");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok)
        return -TB_ESTORE;
    r = PQexec(pg, "SELECT case_id, fold_text FROM cases WHERE fold_text <> '' FOR UPDATE");
    ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    for (int i = 0; ok && i < PQntuples(r); i++) {
        tb_case_t c;
        if (tb_case_text_decode(PQgetvalue(r, i, 1), &c) < 0)
            continue;
        uint8_t fold[TB_CASE_PACKED_MAX];
        size_t len = tb_case_pack(&c, fold);
        const char *v[2] = {PQgetvalue(r, i, 0), (const char *)fold};
        int lens[2] = {0, (int)len}, fmt[2] = {0, 1};
        PGresult *u =
            PQexecParams(pg, "UPDATE cases SET fold = $2, fold_text = '' WHERE case_id = $1", 2,
                         NULL, v, lens, fmt, 0);
        ok = PQresultStatus(u) == PGRES_COMMAND_OK;
        PQclear(u);
    }
    PQclear(r);
    r = PQexec(pg, ok ? "COMMIT" : "ROLLBACK");
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : -TB_ESTORE;
}

/* The ids each case folded in the batch being built, in order, for its
 * StatusUpdate (proto StatusUpdate.folded: they hold the positions up to the
 * case's version, so every tier folds in the county's order).  A list per
 * case through one array: by_case maps a case to 1 + its first and last
 * entries (first | last << 32). */
struct county_folded {
    tb_map_t *by_case;
    struct {
        char id[TB_CODE_LEN + 22]; /* "<origin>/<seq>" */
        uint32_t next;             /* 1 + the case's next entry, 0 at its end */
    } * v;
    size_t n, cap;
};

/* Forget the ids, keep the memory for the next batch (its map sized by the
 * batches so far: one made and destroyed per batch was a malloc per growth
 * step and a free per key, issue 13). */
void county_folded_reset(county_t *self)
{
    if (!self->folded)
        return;
    tb_map_clear(self->folded->by_case);
    self->folded->n = 0;
}

void county_folded_free(county_t *self)
{
    if (!self->folded)
        return;
    tb_map_destroy(&self->folded->by_case);
    free(self->folded->v);
    free(self->folded);
    self->folded = NULL;
}

static int folded_note(county_t *self, const tb_event_msg_t *ev)
{
    struct county_folded *f = self->folded;
    if (!f) {
        if (!(f = self->folded = county_malloc(sizeof *f)))
            return -ENOMEM;
        memset(f, 0, sizeof *f);
        if (!(f->by_case = tb_map_new())) {
            county_folded_free(self);
            return -ENOMEM;
        }
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        void *v = county_realloc(f->v, cap * sizeof f->v[0]);
        if (!v)
            return -ENOMEM;
        f->v = v;
        f->cap = cap;
    }
    county_event_key(f->v[f->n].id, sizeof f->v[f->n].id, ev->origin_node, ev->origin_seq);
    f->v[f->n].next = 0;
    uintptr_t ends = 0, was = 0;
    uint64_t me = f->n + 1;
    uint64_t h = tb_map_hash(ev->case_id);
    bool more = tb_map_get_hashed(f->by_case, ev->case_id, h, &was);
    ends = more ? (was & 0xffffffffu) | (uintptr_t)(me << 32) : (uintptr_t)(me | me << 32);
    int rc = county_map_put_hashed(f->by_case, ev->case_id, h, ends);
    if (rc < 0)
        return rc;
    if (more)
        f->v[(was >> 32) - 1].next = (uint32_t)me; /* linked only once the map took it */
    f->n++;
    return 0;
}

size_t county_folded_ids(const county_t *self, const char *case_id, char **ids, size_t max)
{
    uintptr_t ends;
    if (!self->folded || !tb_map_get(self->folded->by_case, case_id, &ends))
        return 0;
    size_t n = 0;
    for (uint32_t i = (uint32_t)(ends & 0xffffffffu); i; i = self->folded->v[i - 1].next) {
        if (n == max)
            return 0;
        ids[n++] = self->folded->v[i - 1].id;
    }
    return n;
}

/* Record one event (folded or not) and fold it into the overlay. */
int county_record_event(county_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                        const char *via, int *ret_fold)
{
    tb_case_t none = {0}, next;
    const tb_case_t *cur = county_case_lookup(self, ev->case_id);
    int fold;
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED) {
        /* Our own verdict on an event: recorded, the case unchanged. */
        fold = strcmp(ev->origin_node, self->place) == 0 ? 0 : -TB_EAUTHORITY;
        next = cur ? *cur : none;
    } else {
        fold = tb_event_fold(cur ? cur : &none, ev, self->env->catalog, &next);
    }
    /* A complaint step from below also follows its complaint's flow (the
     * county's own took their turn as commands: county_apply_cmd). */
    if (fold == 0 && tb_complaint_event((int)ev->type) && strcmp(ev->origin_node, self->place)) {
        int turn = county_complaint_turn(self, ev);
        if (turn == -TB_EILLEGAL || turn == -TB_ENOTHOLDER)
            fold = turn; /* stored unfolded, answered with REJECTED (apply_msg) */
        else if (turn < 0)
            return turn;
    }
    /* (apply_msg has checked that the sender may speak for the origin.) */
    if (fold < 0 && county_may_log(self, via))
        tb_warn("event %s/%" PRIu64 " on %s via %s breaks the rules (%s): stored, not applied",
                ev->origin_node, ev->origin_seq, ev->case_id, via, tb_strerror(fold));
    bool logged = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    params_t p = {0};
    p_text(&p, ev->origin_node);
    p_int(&p, (int64_t)ev->origin_seq);
    p_text(&p, ev->case_id);
    p_int(&p, ev->type);
    p_text(&p, tb_event_name((tb_event_type_t)ev->type));
    p_text(&p, ev->actor);
    p_int(&p, ev->at_ms);
    p_text(&p, ev->target);
    p_text(&p, ev->reason);
    p_text(&p, via);
    p_text(&p, fold == 0 ? "true" : "false");
    p_bytes(&p, body, len);
    char origin[TB_CODE_LEN + 1]; /* must outlive the send below */
    if (logged) {
        const Tongban__V1__LedgerRecord *l = ev->ledger;
        county_code_of(ev->case_id, origin);
        p_text(&p, origin);
        p_text(&p, l->client_name);
        p_text(&p, l->client_phone);
        p_text(&p, l->agent);
        p_text(&p, l->item_code);
        p_text(&p, l->note);
        p_int(&p, l->accept_time_ms);
    }
    /* The case's row (tb_projection.h), written in two statements: its
     * state, holder, pending and version with the event (ins_logged creates
     * the case row), the rest by "proj".  (A REJECTED leaves the case as it
     * is: the same row.) */
    tb_projection_t row = {0};
    if (fold == 0)
        tb_project(&next, tb_catalog_find(self->env->catalog, next.item), self->env->calendar,
                   &row);
    p_text(&p, tb_state_name(fold == 0 ? row.state : TB_ST_NONE));
    p_text(&p, fold == 0 ? row.holder : "");
    p_text(&p, fold == 0 ? row.pending : "");
    p_int(&p, fold == 0 ? row.version : 0);
    int rc = county_stmt_send(self, logged ? "ins_logged" : "ins_event", &p);
    bool rejection = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    if (rc == 0 && fold == 0 && !rejection)
        rc = project(self, ev, &row);
    if (rc == 0 && fold == 0 && !rejection)
        rc = county_overlay_put(self, ev->case_id, &next);
    if (rc == 0 && fold == 0 && !rejection)
        rc = folded_note(self, ev);
    char detail[1024];
    tb_event_detail(ev, detail, sizeof detail);
    if (rc == 0 && (detail[0] || fold < 0)) {
        params_t d = {0};
        p_text(&d, ev->origin_node);
        p_int(&d, (int64_t)ev->origin_seq);
        p_text(&d, detail);
        p_text(&d, fold < 0 ? tb_strerror(fold) : "");
        rc = county_stmt_send(self, "detail", &d);
    }
    if (rc == 0 && fold == 0 && tb_complaint_event((int)ev->type))
        self->sup_check = true; /* its deadline changed: county_complaint_poll looks again */
    *ret_fold = fold;
    self->events++;
    return rc;
}

/* Mint one of the county's own events (origin, seq and time filled in here),
 * record it in this batch and queue it to township `to`. */
int county_emit_own(county_t *self, tb_event_msg_t *ev, const char *to)
{
    ev->origin_node = (char *)self->place;
    ev->origin_seq = ++self->batch_event_seq;
    ev->at_ms = tb_now_ms();
    if (!ev->actor)
        ev->actor = (char *)"";
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = ev;
    uint8_t *buf;
    size_t len;
    int rc = tb_pack_item(&item, &buf, &len);
    if (rc < 0)
        return rc;
    int fold;
    rc = county_record_event(self, ev, buf, len, self->place, &fold);
    if (rc == 0)
        rc = county_link_queue(self, to, buf, len);
    free(buf);
    return rc;
}

/* The county confirms a case forwarded to it (签收), and tells the township. */
int county_receive(county_t *self, const char *case_id, const char *township)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = (char *)case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
    return county_emit_own(self, &ev, township);
}

/* An event broke the rules: tell the node that made it, through the township
 * it came by, so its local view corrects itself (REJECTED names the event and
 * the rule).  The event itself stays stored with folded = false. */
int county_reject(county_t *self, const tb_event_msg_t *bad, const uint8_t *body, size_t len,
                  int why, const char *via)
{
    bool turn =
        tb_complaint_event((int)bad->type) && (why == -TB_EILLEGAL || why == -TB_ENOTHOLDER);
    return county_reject_code(self, bad, body, len, tb_reject_code_event(why, bad),
                              turn ? county_complaint_why(bad, why) : tb_strerror(why), via);
}

int county_reject_code(county_t *self, const tb_event_msg_t *bad, const uint8_t *body, size_t len,
                       int code, const char *reason, const char *via)
{
    char digest[TB_DIGEST_HEX];
    tb_digest_hex(body, len, digest);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.reject_code = (tb_reject_code_t)code; /* for programs; reason is for people */
    ev.rejected_digest = digest;
    ev.case_id = bad->case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    ev.reason = (char *)reason;
    ev.rejected_origin = bad->origin_node;
    ev.rejected_seq = bad->origin_seq;
    return county_emit_own(self, &ev, via);
}

void county_status_fill(Tongban__V1__StatusUpdate *st, const char *case_id, const tb_case_t *c,
                        char **folded, size_t n_folded)
{
    tongban__v1__status_update__init(st);
    st->case_id = (char *)case_id;
    st->state = (char *)tb_state_name(c->state);
    st->holder = (char *)c->holder;
    st->version = c->version;
    st->at_ms = tb_now_ms();
    st->state_code = (Tongban__V1__CaseState)c->state; /* the enum follows tb_state_t */
    st->n_folded = n_folded;
    st->folded = folded;
}

int county_status_pack(const char *case_id, const tb_case_t *c, char **folded, size_t n_folded,
                       uint8_t **ret_buf, size_t *ret_len)
{
    Tongban__V1__StatusUpdate st;
    county_status_fill(&st, case_id, c, folded, n_folded);
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
    item.status = &st;
    return tb_pack_item(&item, ret_buf, ret_len);
}

/* Every case's deadline and what to bring again, on the calendar and catalog now in force. */
int county_refresh_due(county_t *self)
{
    size_t pos = 0;
    const char *case_id;
    uintptr_t v;
    int rc = 0;
    while (rc == 0 && tb_map_next(self->cases, &pos, &case_id, &v)) {
        /* A case this batch changed has its new deadline from project(). */
        if (tb_map_get(self->overlay, case_id, NULL))
            continue;
        const tb_case_t *c = (const tb_case_t *)v;
        const tb_item_t *item = tb_catalog_find(self->env->catalog, c->item);
        tb_projection_t row;
        tb_project(c, item, self->env->calendar, &row);
        params_t p = {0};
        p_text(&p, case_id);
        p_int(&p, row.due_ms);
        p_int(&p, row.legal_due_ms);
        p_text(&p, row.paused ? "true" : "false");
        p_text(&p, row.to_bring); /* what to bring is named from the catalog in force */
        rc = county_stmt_send(self, "due", &p);
    }
    return rc;
}
