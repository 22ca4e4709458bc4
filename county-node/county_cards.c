/* county_cards.c: supervision (电子监察) on the county's loop.
 *
 * One uv_timer, armed for the next instant at which some case's card changes
 * by itself (tb_supervise.h: the start of the day it turns yellow, one
 * millisecond after its deadline for red), never a busy poll.  Capped at a
 * safety period (COUNTY_CARD_SAFETY_MS) because a wall clock can jump (NTP,
 * a suspended machine) while a monotonic libuv timer runs on.
 *
 * Cards are decided in the batch, from the state the batch makes true
 * (county_case_lookup), so a card, its county event and its row commit in
 * the same transaction as the step that caused them, and a batch that rolls
 * back takes them with it:
 *   - every batch looks at the cases it changed (the overlay): a case that
 *     moved out of the condition has its card cleared at once;
 *   - when the timer fired (or the limits or the calendar changed) the next
 *     batch looks at every case.
 * A card raised is a CARD_RAISED event (its origin_seq is the card's id), a
 * card cleared a CARD_CLEARED; both go down to the case's township, which
 * relays them to the village that logged it (township-node/township.c), and
 * both are in the case's history.  A yellow card replaced by a red one is
 * cleared (why: 'red') by the red CARD_RAISED itself: no second event.
 *
 * In memory: the open card of each case (`cards`), changed only when the
 * batch that raised or cleared it committed; reloaded with everything else
 * on reconnect.  Why not a card per (case, kind): a case has one clock
 * running at a time (pre-review, then the promised limit), so one open card
 * per case says everything and the board stays one row per case. */
#include "county_complaint.h"
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

enum { COUNTY_CARD_SAFETY_MS = 60000 };

#define CARD_PACK(id, level, kind)                                                                 \
    ((uintptr_t)(id) << 8 | (uintptr_t)(level) << 4 | (uintptr_t)(kind))
#define CARD_ID(v) ((uint64_t)((v) >> 8))
#define CARD_LEVEL(v) ((tb_card_t)(((v) >> 4) & 0xf))
#define CARD_KIND(v) ((tb_cardkind_t)((v)&0xf))

static void on_card_timer(uv_timer_t *t)
{
    county_t *self = t->data;
    self->cards_scan = true;
    /* The orders are looked at on the plain connection at the next poll,
     * which sets sup_next_ms again: until then it must not re-arm the timer
     * for an instant already past (that would spin batches). */
    self->sup_check = true;
    self->sup_next_ms = self->rating_next_ms = INT64_MAX;
    county_batch_start(self);
}

/* The safety period; in a test build with the injected clock (which jumps
 * forward while the daemon runs) half a second, so a test sees a card the
 * moment it moves the clock. */
static uint64_t safety_ms(void)
{
#ifdef TB_TEST_HOOKS
    const char *clock = getenv("TONGBAN_TEST_CLOCK");
    if (clock && *clock)
        return 500;
#endif
    return COUNTY_CARD_SAFETY_MS;
}

static void arm(county_t *self)
{
    if (!self->card_timer_on || self->stopping)
        return;
    int64_t now = tb_now_ms(), next = self->cards_next_ms;
    if (self->sup_next_ms < next)
        next = self->sup_next_ms;
    if (self->rating_next_ms < next)
        next = self->rating_next_ms;
    uint64_t cap = safety_ms(), delay = cap;
    if (next != INT64_MAX && next - now < (int64_t)cap)
        delay = next > now ? (uint64_t)(next - now) : 0;
    int rc = uv_timer_start(&self->card_timer, on_card_timer, delay, 0);
    if (rc < 0)
        tb_error("cannot arm the card timer: %s", uv_strerror(rc));
}

int county_cards_init(county_t *self)
{
    int rc = uv_timer_init(self->loop, &self->card_timer);
    if (rc < 0)
        return rc;
    self->card_timer.data = self;
    self->card_timer_on = true;
    self->cards_next_ms = self->sup_next_ms = self->rating_next_ms = INT64_MAX;
    tb_limits_default(&self->limits);
    return 0;
}

void county_cards_close(county_t *self)
{
    if (self->card_timer_on)
        uv_close((uv_handle_t *)&self->card_timer, NULL);
    self->card_timer_on = false;
}

void county_cards_free(county_t *self)
{
    tb_map_destroy(&self->cards);
    free(self->card_ops);
    self->card_ops = NULL;
    self->ncard_ops = self->card_ops_cap = 0;
    free(self->sup_ops);
    self->sup_ops = NULL;
    self->nsup_ops = self->sup_ops_cap = self->sup_taken = 0;
    county_rating_free(self);
    county_complaint_free(self);
}

/* The limits table into lim: county_limits_read (county_complaint.c). */
static int read_limits(PGconn *pg, tb_limits_t *lim, int64_t *ret_version)
{
    return county_limits_read(pg, lim, ret_version);
}

int county_cards_load(county_t *self)
{
    int rc = read_limits(self->pg, &self->limits, &self->limits_version);
    if (rc < 0)
        return rc;
    tb_map_destroy(&self->cards);
    if (!(self->cards = tb_map_new()))
        return -ENOMEM;
    PGresult *r =
        county_query(self->pg, "SELECT id, case_id, level, kind FROM cards WHERE cleared_at IS NULL"
                               " AND kind NOT IN ('revisit', 'complaint')");
    /* those are county_rating.c's and county_complaint_card.c's */
    if (!r)
        return -TB_ESTORE;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        tb_card_t level = strcmp(PQgetvalue(r, i, 2), "red") ? TB_CARD_YELLOW : TB_CARD_RED;
        tb_cardkind_t kind =
            strcmp(PQgetvalue(r, i, 3), "prereview") ? TB_CARDKIND_DEADLINE : TB_CARDKIND_PREREVIEW;
        uint64_t id = strtoull(PQgetvalue(r, i, 0), NULL, 10);
        rc = county_map_put(self->cards, PQgetvalue(r, i, 1), CARD_PACK(id, level, kind));
    }
    PQclear(r);
    self->ncard_ops = 0;
    self->nsup_ops = self->sup_taken = 0;
    county_complaint_lost(self);
    self->cards_scan = true; /* the first batch looks at every case */
    self->sup_check = true;
    self->cards_next_ms = self->sup_next_ms = self->rating_next_ms = INT64_MAX;
    county_rating_lost(self);
    return rc;
}

/* The township a case's events go down to: the origin's (or the origin, a walk-in). */
void county_case_township(const char *case_id, char town[TB_CODE_LEN + 1])
{
    char origin[TB_CODE_LEN + 1];
    county_code_of(case_id, origin);
    if (tb_code_level(origin) != TB_LEVEL_VILLAGE || tb_code_parent(origin, town) < 0)
        memcpy(town, origin, TB_CODE_LEN + 1);
}

/* The open orders, on the plain connection: a stage reached and not yet
 * stamped is queued for the next batch; the next stage sets the timer. */
static void sup_poll(county_t *self)
{
    PGresult *r = PQexec(self->cmd_pg, "SELECT id, case_id,"
                                       " (extract(epoch FROM due_at) * 1000)::bigint,"
                                       " urged_at IS NOT NULL, circulated_at IS NOT NULL"
                                       " FROM supervisions WHERE replied_at IS NULL"
                                       " AND circulated_at IS NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_warn("supervision orders: %s", PQerrorMessage(self->cmd_pg));
        PQclear(r);
        return;
    }
    int64_t now = tb_now_ms(), next = INT64_MAX;
    for (int i = 0; i < PQntuples(r); i++) {
        tb_sup_stage_t stage;
        int64_t at;
        if (tb_sup_stage(self->env->calendar, &self->limits, strtoll(PQgetvalue(r, i, 2), NULL, 10),
                         now, &stage, &at) < 0)
            continue;
        if (at < next)
            next = at;
        int have = *PQgetvalue(r, i, 4) == 't' ? 2 : *PQgetvalue(r, i, 3) == 't' ? 1 : 0;
        for (int s = have + 1; s <= (int)stage; s++) {
            if (self->nsup_ops == self->sup_ops_cap) {
                size_t cap = self->sup_ops_cap ? self->sup_ops_cap * 2 : 8;
                sup_op_t *v = realloc(self->sup_ops, cap * sizeof *v);
                if (!v) {
                    PQclear(r);
                    return; /* sup_check stays set: the next poll tries again */
                }
                self->sup_ops = v;
                self->sup_ops_cap = cap;
            }
            sup_op_t *op = &self->sup_ops[self->nsup_ops++];
            op->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
            snprintf(op->case_id, sizeof op->case_id, "%s", PQgetvalue(r, i, 1));
            op->stage = s;
        }
    }
    PQclear(r);
    int64_t cp_next = county_complaint_poll(self); /* overdue complaints (issue 11) */
    if (cp_next < next)
        next = cp_next;
    self->sup_check = false;
    self->sup_next_ms = next;
    arm(self);
}

void county_cards_poll(county_t *self)
{
    if (!self->pg || !self->cmd_pg || self->stopping || self->in_flight)
        return;
    if (self->sup_check && self->nsup_ops == 0)
        sup_poll(self);
    county_rating_poll(self);
    arm(self);
    PGresult *r = PQexec(self->cmd_pg, "SELECT coalesce(max(version), 0) FROM limits");
    bool newer = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                 strtoll(PQgetvalue(r, 0, 0), NULL, 10) > self->limits_version;
    PQclear(r);
    tb_limits_t lim;
    int64_t version;
    if (newer && read_limits(self->cmd_pg, &lim, &version) == 0) {
        self->limits = lim;
        self->limits_version = version;
        self->cards_scan = self->sup_check = true;
        tb_info("supervision limits version %" PRId64 " in force", version);
    }
    county_batch_start(self);
}

int county_sup_issued(county_t *self, const tb_event_msg_t *ev, int64_t card_id, const char *holder)
{
    params_t p = {0};
    p_int(&p, (int64_t)ev->origin_seq);
    p_text(&p, ev->case_id);
    p_int(&p, card_id);
    p_text(&p, ev->reason);
    p_int(&p, ev->due_ms);
    p_int(&p, ev->at_ms);
    p_text(&p, ev->actor);
    p_text(&p, holder);
    self->sup_check = true; /* its 催办 day arms the timer once it committed */
    return county_stmt_send(self, "sup_issue", &p);
}

/* The stages found by sup_poll: 催办/通报 events down the links, the row stamped. */
static int sup_batch(county_t *self)
{
    int64_t now = tb_now_ms();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->nsup_ops; i++) {
        const sup_op_t *op = &self->sup_ops[i];
        if (!county_case_lookup(self, op->case_id))
            continue;
        char town[TB_CODE_LEN + 1];
        county_case_township(op->case_id, town);
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = (char *)op->case_id;
        ev.type = op->stage == TB_SUP_CIRCULATE ? TONGBAN__V1__EVENT_TYPE__EVENT_CIRCULATED
                                                : TONGBAN__V1__EVENT_TYPE__EVENT_URGED;
        ev.card_id = (uint64_t)op->id;
        if ((rc = county_emit_own(self, &ev, town)) < 0)
            break;
        params_t p = {0};
        p_int(&p, op->id);
        p_int(&p, op->stage);
        p_int(&p, now);
        rc = county_stmt_send(self, "sup_stage", &p);
    }
    self->sup_taken = self->nsup_ops;
    return rc;
}

static int op_push(county_t *self, const card_op_t *op)
{
    if (self->ncard_ops == self->card_ops_cap) {
        size_t cap = self->card_ops_cap ? self->card_ops_cap * 2 : 16;
        card_op_t *v = county_realloc(self->card_ops, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        self->card_ops = v;
        self->card_ops_cap = cap;
    }
    self->card_ops[self->ncard_ops++] = *op;
    return 0;
}

/* Look at one case; raise, replace or clear its card in the batch. */
static int look(county_t *self, const char *case_id, int64_t now, int64_t *next_min)
{
    const tb_case_t *c = county_case_lookup(self, case_id);
    if (!c)
        return 0;
    const tb_item_t *item = tb_catalog_find(self->env->catalog, c->item);
    tb_case_card_t cc;
    if (tb_case_card(c, item, self->env->calendar, &self->limits, now, &cc) < 0)
        return 0; /* no item or a deadline the calendar cannot count: no card to judge */
    if (cc.next_ms < *next_min)
        *next_min = cc.next_ms;
    bool want = cc.kind != TB_CARDKIND_NONE && cc.level != TB_CARD_NONE;
    uintptr_t v = 0;
    bool open = tb_map_get(self->cards, case_id, &v);
    if (!want && !open)
        return 0;
    if (want && open && CARD_LEVEL(v) == cc.level && CARD_KIND(v) == cc.kind)
        return 0;
    card_op_t op = {.old_id = open ? CARD_ID(v) : 0, .level = cc.level, .kind = cc.kind};
    snprintf(op.case_id, sizeof op.case_id, "%s", case_id);
    if (!want)
        op.why = cc.kind != TB_CARDKIND_NONE && cc.due_ms == TB_DUE_NEVER ? "paused"
                                                                          : tb_state_name(c->state);
    else
        op.why = CARD_KIND(v) != cc.kind ? tb_cardkind_name(cc.kind) : tb_cardlevel_name(cc.level);
    char town[TB_CODE_LEN + 1];
    county_case_township(case_id, town);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = op.case_id;
    char holder[TB_CODE_LEN + 1];
    memcpy(holder, c->holder, sizeof holder); /* the emit below replaces *c in the overlay */
    int rc;
    /* The old card first: at most one open card per case (cards_open). */
    if (op.old_id) {
        params_t p = {0};
        p_int(&p, (int64_t)op.old_id);
        p_int(&p, now);
        p_text(&p, op.why);
        if ((rc = county_stmt_send(self, "card_clear", &p)) < 0)
            return rc;
    }
    if (want) {
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED;
        ev.card_id = self->batch_event_seq + 1; /* the id is the event's own origin_seq */
        ev.card_level = (char *)tb_cardlevel_name(cc.level);
        ev.card_kind = (char *)tb_cardkind_name(cc.kind);
        ev.reason = ev.card_level; /* again, for the stores that list columns (tb_report.c) */
        ev.due_ms = cc.due_ms;
        if ((rc = county_emit_own(self, &ev, town)) < 0)
            return rc;
        op.new_id = ev.origin_seq;
        params_t p = {0};
        p_int(&p, (int64_t)op.new_id);
        p_text(&p, case_id);
        p_text(&p, ev.card_level);
        p_text(&p, ev.card_kind);
        p_int(&p, ev.at_ms);
        p_int(&p, cc.due_ms);
        p_text(&p, holder);
        if ((rc = county_stmt_send(self, "card_raise", &p)) < 0)
            return rc;
    } else {
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_CARD_CLEARED;
        ev.card_id = op.old_id;
        ev.reason = (char *)op.why;
        if ((rc = county_emit_own(self, &ev, town)) < 0)
            return rc;
    }
    return op_push(self, &op);
}

/* snprintf(id, TB_CASEID_MAX, "%s", key) without its cost (once per case a
 * batch changed). */
static void id_copy(char id[TB_CASEID_MAX], const char *key)
{
    size_t n = strnlen(key, TB_CASEID_MAX - 1);
    memcpy(id, key, n);
    id[n] = '\0';
}

int county_cards_batch(county_t *self)
{
    self->ncard_ops = 0;
    if (!self->cards)
        return 0;
    int src = sup_batch(self);
    if (src == 0)
        src = county_rating_batch(self);
    if (src == 0)
        src = county_complaint_batch(self);
    if (src < 0)
        return src;
    bool all = self->cards_scan;
    /* The ids first: emitting changes the overlay being walked. */
    size_t n = tb_map_size(self->overlay) + (all ? tb_map_size(self->cases) : 0), k = 0;
    char(*ids)[TB_CASEID_MAX] = n ? county_malloc(n * sizeof *ids) : NULL;
    if (n && !ids)
        return -ENOMEM;
    size_t pos = 0;
    const char *key;
    uintptr_t v;
    while (all && tb_map_next(self->cases, &pos, &key, &v) && k < n)
        id_copy(ids[k++], key);
    pos = 0;
    while (tb_map_next(self->overlay, &pos, &key, &v) && k < n)
        if (!all || !tb_map_get(self->cases, key, &v))
            id_copy(ids[k++], key);
    int64_t now = tb_now_ms(), next = all ? INT64_MAX : self->cards_next_ms;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < k; i++)
        rc = look(self, ids[i], now, &next);
    free(ids);
    if (rc == 0) {
        self->cards_scan = false;
        self->cards_next_ms = next;
    }
    return rc;
}

void county_cards_committed(county_t *self)
{
    for (size_t i = 0; i < self->ncard_ops; i++) {
        const card_op_t *op = &self->card_ops[i];
        if (op->new_id) {
            if (county_map_put(self->cards, op->case_id,
                               CARD_PACK(op->new_id, op->level, op->kind)) < 0) {
                self->ncard_ops = 0;
                county_pg_lost(self, "out of memory after a commit: reloading the state");
                return;
            }
            tb_info("%s card %" PRIu64 " on %s (%s)", tb_cardlevel_name(op->level), op->new_id,
                    op->case_id, tb_cardkind_name(op->kind));
        } else {
            tb_map_del(self->cards, op->case_id);
            tb_info("card %" PRIu64 " on %s cleared: %s", op->old_id, op->case_id, op->why);
        }
    }
    self->ncard_ops = 0;
    /* The stamps this batch made are done; any found since wait for the next. */
    if (self->sup_taken) {
        memmove(self->sup_ops, self->sup_ops + self->sup_taken,
                (self->nsup_ops - self->sup_taken) * sizeof *self->sup_ops);
        self->nsup_ops -= self->sup_taken;
    }
    self->sup_taken = 0;
    county_rating_committed(self);
    county_complaint_committed(self);
    arm(self);
}

void county_cards_lost(county_t *self)
{
    self->ncard_ops = 0;
    self->nsup_ops = self->sup_taken = 0;
    county_complaint_lost(self);
    self->cards_scan = self->sup_check = true;
    county_rating_lost(self);
}
