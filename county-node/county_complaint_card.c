/* county_complaint_card.c: an overdue complaint raises a card (issue 11).
 *
 * On the existing card timer (county_cards.c): when it asks for the 督办
 * orders (sup_check, also set whenever a batch records a complaint event),
 * the open complaints are folded back from the store on the plain
 * connection (county_complaints_read) and their deadlines counted with the
 * calendar in force and the limits (tb_complaint_due).  A complaint whose
 * current step is overdue gets a red card of kind "complaint" (a
 * CARD_RAISED naming the complaint, down the links like any card; a row in
 * `cards` with its complaint_id); once the step it waited for is taken (or
 * the complaint ends) the card is cleared (CARD_CLEARED, why: the
 * complaint's state).  Both in the next batch, so a card and its row commit
 * together.  The earliest deadline still ahead arms the timer. */
#include "county_complaint.h"
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

static int push(county_t *self, const cp_op_t *op)
{
    if (self->ncp_ops == self->cp_ops_cap) {
        size_t cap = self->cp_ops_cap ? self->cp_ops_cap * 2 : 8;
        cp_op_t *v = realloc(self->cp_ops, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        self->cp_ops = v;
        self->cp_ops_cap = cap;
    }
    self->cp_ops[self->ncp_ops++] = *op;
    return 0;
}

/* The open complaint cards: complaint id -> card id. */
static tb_map_t *open_cards(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT id, complaint_id FROM cards"
                             " WHERE kind = 'complaint' AND cleared_at IS NULL");
    tb_map_t *m = PQresultStatus(r) == PGRES_TUPLES_OK ? tb_map_new() : NULL;
    for (int i = 0; m && i < PQntuples(r); i++)
        if (tb_map_put(m, PQgetvalue(r, i, 1), (uintptr_t)strtoull(PQgetvalue(r, i, 0), NULL, 10)) <
            0)
            tb_map_destroy(&m);
    PQclear(r);
    return m;
}

int64_t county_complaint_poll(county_t *self)
{
    if (self->ncp_ops)
        return INT64_MAX; /* the batch takes those first; it asks again after */
    county_complaints_t l;
    int rc = county_complaints_read(self->cmd_pg, NULL, &l);
    tb_map_t *cards = rc == 0 ? open_cards(self->cmd_pg) : NULL;
    if (rc < 0 || !cards) {
        tb_warn("complaints: cannot read them: %s", rc < 0 ? tb_strerror(rc) : "the cards");
        county_complaints_free(&l);
        return INT64_MAX;
    }
    int64_t now = tb_now_ms(), next = INT64_MAX;
    for (size_t i = 0; i < l.n; i++) {
        const county_complaint_t *r = &l.v[i];
        int64_t due = 0;
        if (tb_complaint_due(&r->c, self->env->calendar, &self->limits, &due) < 0)
            due = 0;
        bool overdue = due > 0 && now > due;
        if (due > 0 && !overdue && due + 1 < next)
            next = due + 1;
        char key[24];
        snprintf(key, sizeof key, "%" PRIu64, r->c.id);
        uintptr_t card = 0;
        bool carded = tb_map_get(cards, key, &card);
        if (overdue == carded)
            continue;
        cp_op_t op = {.complaint_id = r->c.id, .due_ms = due, .card_id = carded ? card : 0};
        snprintf(op.case_id, sizeof op.case_id, "%s", r->case_id);
        snprintf(op.why, sizeof op.why, "%s", tb_complaint_state_name(r->c.state));
        if (push(self, &op) < 0)
            break;
    }
    tb_map_destroy(&cards);
    county_complaints_free(&l);
    return next;
}

int county_complaint_batch(county_t *self)
{
    int64_t now = tb_now_ms();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->ncp_ops; i++) {
        const cp_op_t *op = &self->cp_ops[i];
        const tb_case_t *c = county_case_lookup(self, op->case_id);
        if (!c)
            continue;
        char town[TB_CODE_LEN + 1];
        county_case_township(op->case_id, town);
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = (char *)op->case_id;
        params_t p = {0};
        if (op->card_id) {
            ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_CLEARED;
            ev.card_id = op->card_id;
            ev.reason = (char *)op->why;
            if ((rc = county_emit_own(self, &ev, town)) < 0)
                break;
            p_int(&p, (int64_t)op->card_id);
            p_int(&p, now);
            p_text(&p, op->why);
            rc = county_stmt_send(self, "card_clear", &p);
            continue;
        }
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED;
        ev.card_id = self->batch_event_seq + 1; /* the id is the event's own origin_seq */
        ev.card_level = "red";
        ev.card_kind = "complaint";
        ev.reason = ev.card_level;
        ev.due_ms = op->due_ms;
        ev.complaint_id = op->complaint_id;
        char holder[TB_CODE_LEN + 1];
        memcpy(holder, c->holder, sizeof holder);
        if ((rc = county_emit_own(self, &ev, town)) < 0)
            break;
        p_int(&p, (int64_t)ev.origin_seq);
        p_text(&p, op->case_id);
        p_int(&p, ev.at_ms);
        p_int(&p, op->due_ms);
        p_text(&p, holder);
        p_int(&p, (int64_t)op->complaint_id);
        rc = county_stmt_send(self, "cp_card_raise", &p);
    }
    self->cp_taken = self->ncp_ops;
    return rc;
}

void county_complaint_committed(county_t *self)
{
    for (size_t i = 0; i < self->cp_taken; i++)
        tb_info("complaint %" PRIu64 " on %s: card %s", self->cp_ops[i].complaint_id,
                self->cp_ops[i].case_id, self->cp_ops[i].card_id ? "cleared" : "raised (overdue)");
    if (self->cp_taken) {
        memmove(self->cp_ops, self->cp_ops + self->cp_taken,
                (self->ncp_ops - self->cp_taken) * sizeof *self->cp_ops);
        self->ncp_ops -= self->cp_taken;
        self->sup_check = true; /* look again: the next deadline arms the timer */
    }
    self->cp_taken = 0;
}

void county_complaint_lost(county_t *self)
{
    self->ncp_ops = self->cp_taken = 0;
}

void county_complaint_free(county_t *self)
{
    free(self->cp_ops);
    self->cp_ops = NULL;
    free(self->cp_turns); /* county_complaint_turn.c */
    self->cp_turns = NULL;
    self->ncp_turns = self->cp_turns_cap = 0;
    self->ncp_ops = self->cp_ops_cap = self->cp_taken = 0;
}
