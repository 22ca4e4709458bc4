/* county_rating.c: the daemon's side of the 好差评 loop (migration 012).
 *
 * The database opens a rectification when a case's rating becomes a 差评
 * (trigger rectification_open); staff steps are rows the command line
 * writes (county_rating_cli.c).  What needs the calendar is done here, on
 * the plain connection between batches (county_cards_poll calls the poll):
 *   - a new rectification gets its deadlines: 回访 revisit_days and 整改
 *     rectify_days working days after the rating (limits, data);
 *   - a named 差评 whose 回访 deadline passed without a 回访 (and without an
 *     approved appeal) earns a red card of kind 'revisit';
 *   - a revisit card whose rectification was revisited (or whose rating an
 *     appeal removed) is cleared.
 * The cards themselves are raised and cleared in the next batch, with their
 * county events (CARD_RAISED/CARD_CLEARED go down to the case's township and
 * village like every card) and their rows, as county_cards.c does.  The
 * instant the next 回访 falls due arms the card timer (rating_next_ms).
 *
 * Why not in county_cards.c's map of open cards: that map is "the card of
 * the case's running clock", cleared when the case's clock stops; a closed
 * case has no clock, so its revisit card would be cleared at once.  These
 * cards live only in the table; county_cards_load leaves them out. */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

void county_followup_fill(struct Tongban__V1__CaseEvent *ev, unsigned rating)
{
    if (ev->type != TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP)
        return;
    ev->rating = rating;
    ev->comment = ev->reason;
    ev->reason = (char *)"";
}

void county_rating_free(county_t *self)
{
    free(self->rating_ops);
    self->rating_ops = NULL;
    self->nrating_ops = self->rating_ops_cap = 0;
}

void county_rating_lost(county_t *self)
{
    self->nrating_ops = 0;
}

static int push(county_t *self, const rating_op_t *op)
{
    if (self->nrating_ops == self->rating_ops_cap) {
        size_t cap = self->rating_ops_cap ? self->rating_ops_cap * 2 : 8;
        rating_op_t *v = realloc(self->rating_ops, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        self->rating_ops = v;
        self->rating_ops_cap = cap;
    }
    self->rating_ops[self->nrating_ops++] = *op;
    return 0;
}

/* The deadlines of the rectifications that have none yet.  Only rows that
 * need it are updated: an UPDATE wakes the daemon again (the NOTIFY
 * trigger), so one that touches nothing must not be sent. */
static void fill_deadlines(county_t *self)
{
    PGresult *r =
        PQexec(self->cmd_pg, "SELECT case_id, (extract(epoch FROM rated_at) * 1000)::bigint"
                             " FROM rectifications WHERE revisit_due IS NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("rectifications: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
        return;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at = strtoll(PQgetvalue(r, i, 1), NULL, 10), revisit, rectify;
        if (tb_calendar_due(self->env->calendar, at, self->limits.revisit_days, NULL, 0, &revisit) <
                0 ||
            tb_calendar_due(self->env->calendar, at, self->limits.rectify_days, NULL, 0, &rectify) <
                0) {
            tb_warn("rectification %s: the calendar cannot count its deadlines",
                    PQgetvalue(r, i, 0));
            continue;
        }
        char a[24], b[24];
        snprintf(a, sizeof a, "%" PRId64, revisit);
        snprintf(b, sizeof b, "%" PRId64, rectify);
        const char *p[3] = {PQgetvalue(r, i, 0), a, b};
        PGresult *u = PQexecParams(self->cmd_pg,
                                   "UPDATE rectifications"
                                   " SET revisit_due = to_timestamp($2::bigint / 1000.0),"
                                   " rectify_due = to_timestamp($3::bigint / 1000.0)"
                                   " WHERE case_id = $1 AND revisit_due IS NULL",
                                   3, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(u) != PGRES_COMMAND_OK)
            tb_warn("rectification %s: %s", PQgetvalue(r, i, 0), PQerrorMessage(self->cmd_pg));
        PQclear(u);
    }
    PQclear(r);
}

void county_rating_poll(county_t *self)
{
    if (self->nrating_ops)
        return; /* the batch has not taken the last ones yet */
    fill_deadlines(self);
    PGresult *r = PQexec(
        self->cmd_pg,
        "SELECT r.case_id, (extract(epoch FROM r.revisit_due) * 1000)::bigint, 0::bigint, r.owner"
        " FROM rectifications r WHERE r.named AND r.revisited_at IS NULL"
        " AND r.appeal <> 'approved' AND r.revisit_due IS NOT NULL AND NOT EXISTS"
        " (SELECT 1 FROM cards k WHERE k.case_id = r.case_id AND k.kind = 'revisit')"
        " UNION ALL SELECT k.case_id, 0, k.id, CASE WHEN r.revisited_at IS NULL THEN 'appeal'"
        " ELSE 'revisited' END FROM cards k JOIN rectifications r"
        " USING (case_id) WHERE k.kind = 'revisit' AND k.cleared_at IS NULL"
        " AND (r.revisited_at IS NOT NULL OR r.appeal = 'approved')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("rectifications: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
        return;
    }
    int64_t now = tb_now_ms(), next = INT64_MAX;
    for (int i = 0; i < PQntuples(r); i++) {
        rating_op_t op = {.due_ms = strtoll(PQgetvalue(r, i, 1), NULL, 10),
                          .card = strtoll(PQgetvalue(r, i, 2), NULL, 10)};
        snprintf(op.case_id, sizeof op.case_id, "%s", PQgetvalue(r, i, 0));
        if (op.card)
            snprintf(op.why, sizeof op.why, "%s", PQgetvalue(r, i, 3));
        else
            snprintf(op.owner, sizeof op.owner, "%s", PQgetvalue(r, i, 3));
        if (!op.card && op.due_ms >= now) {
            if (op.due_ms + 1 < next)
                next = op.due_ms + 1; /* red one millisecond after the deadline */
            continue;
        }
        if (push(self, &op) < 0)
            break; /* the next poll finds the rest */
    }
    PQclear(r);
    self->rating_next_ms = next;
}

int county_rating_batch(county_t *self)
{
    int64_t now = tb_now_ms();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->nrating_ops; i++) {
        rating_op_t *op = &self->rating_ops[i];
        if (!county_case_lookup(self, op->case_id)) {
            op->case_id[0] = '\0'; /* not logged as done */
            continue;
        }
        char town[TB_CODE_LEN + 1];
        county_case_township(op->case_id, town);
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = op->case_id;
        params_t p = {0};
        if (op->card) {
            ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_CLEARED;
            ev.card_id = (uint64_t)op->card;
            ev.reason = op->why;
            if ((rc = county_emit_own(self, &ev, town)) < 0)
                break;
            p_int(&p, op->card);
            p_int(&p, now);
            p_text(&p, op->why);
            rc = county_stmt_send(self, "card_clear", &p);
        } else {
            ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED;
            ev.card_id = self->batch_event_seq + 1; /* the id is the event's own origin_seq */
            ev.card_level = "red";
            ev.card_kind = "revisit";
            ev.reason = ev.card_level;
            ev.due_ms = op->due_ms;
            if ((rc = county_emit_own(self, &ev, town)) < 0)
                break;
            op->card = -(int64_t)ev.origin_seq; /* negative: raised, for the log */
            p_int(&p, (int64_t)ev.origin_seq);
            p_text(&p, op->case_id);
            p_text(&p, "red");
            p_text(&p, "revisit");
            p_int(&p, ev.at_ms);
            p_int(&p, op->due_ms);
            p_text(&p, op->owner);
            rc = county_stmt_send(self, "card_raise", &p);
        }
    }
    return rc;
}

void county_rating_committed(county_t *self)
{
    for (size_t i = 0; i < self->nrating_ops; i++) {
        const rating_op_t *op = &self->rating_ops[i];
        if (!op->case_id[0])
            continue;
        if (op->card < 0)
            tb_info("red card %" PRId64 " on %s (revisit: 差评 not revisited by its deadline)",
                    -op->card, op->case_id);
        else
            tb_info("card %" PRId64 " on %s cleared: %s", op->card, op->case_id, op->why);
    }
    self->nrating_ops = 0;
}
