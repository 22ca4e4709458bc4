/* county_batch.c: a batch, from start to finish.
 *
 * Everything accepted while a batch is in flight forms the next: the link
 * messages (validated: decodable, an event, from a node the sender speaks
 * for; otherwise quarantined), then staff commands and data versions, status
 * updates, deadlines, cursors, acks, a spilled outbox read back, the event
 * counter, and one Sync.  county_batch_finish runs when that Sync reports:
 * committed, memory follows and acks go out; rolled back, everything not
 * committed is reloaded, and when the data was at fault the next messages go
 * one per batch until the one that fails alone is found and quarantined (the
 * poison).
 *
 * Two batches in flight (issue 13: the county's CPU and PostgreSQL's ran in
 * series, each idle half the time).  While batch N is in flight, the next,
 * N+1, may be built on top of it and sent, when both are plain ingest
 * (overlap_ok says which).  The invariants:
 *  - N+1 sees N's effects as if committed: its cases (N's overlay, then the
 *    cache), its event ids (county_reuse.c), its outbox seqs (county_link.c),
 *    its minted event numbers; N's commit moves N's overlay into the cache,
 *    N+1's stays pending;
 *  - N+1 commits only if N did: N writes a fresh mark ("batch" in counters,
 *    from the stored one up) and N+1's first statement fails unless that mark
 *    is committed (batch_after, county_stmt.c); when N fails the connection
 *    is given up (county_pg_lost), which forgets both, reloads memory from
 *    the store, and the townships resend what was not acknowledged;
 *  - acks follow commits: N's when N's Sync reports, N+1's when N+1's does
 *    (the link engine keeps both batches' cursors, tb_linkeng.h);
 *  - anything that cannot be built on an uncommitted batch (a reload or an
 *    epoch reset in N, the poison search, staff commands and data versions,
 *    cards and supervision, complaints, recounted deadlines, a restore
 *    chunk, an outbox read-back, stopping) waits: one batch in flight. */
#include "county_int.h"
#include "county_restore.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_store.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- messages in memory ---------------------------------------------------------------- */

/* Room for one more: 0 or -ENOMEM. */
static int msgs_room(msgs_t *m)
{
    if (m->n < m->cap)
        return 0;
    size_t cap = m->cap ? m->cap * 2 : 64;
    msg_t *v = county_realloc(m->v, cap * sizeof(msg_t));
    if (!v)
        return -ENOMEM;
    m->v = v;
    m->cap = cap;
    return 0;
}

static void msg_set(msg_t *x, const char *peer, uint64_t seq, uint8_t *buf, size_t len)
{
    size_t n = strnlen(peer, sizeof x->peer - 1); /* as snprintf "%s" would cut it */
    memcpy(x->peer, peer, n);
    x->peer[n] = '\0';
    x->seq = seq;
    x->buf = buf;
    x->len = len;
}

int msgs_push(msgs_t *m, const char *peer, uint64_t seq, const uint8_t *buf, size_t len)
{
    if (msgs_room(m) < 0)
        return -ENOMEM;
    uint8_t *copy = county_malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, buf, len);
    msg_set(&m->v[m->n++], peer, seq, copy, len);
    return 0;
}

int msgs_push_own(msgs_t *m, const char *peer, uint64_t seq, uint8_t **buf_p, size_t len)
{
    if (msgs_room(m) < 0)
        return -ENOMEM;
    msg_set(&m->v[m->n++], peer, seq, *buf_p, len);
    *buf_p = NULL;
    return 0;
}

void msgs_clear(msgs_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].buf);
    m->n = 0;
}

void msgs_free(msgs_t *m)
{
    msgs_clear(m);
    free(m->v);
    memset(m, 0, sizeof *m);
}

bool county_may_log(county_t *self, const char *peer)
{
    return tb_log_peer(&self->lines_rl, peer);
}

int county_count(county_t *self, const char *name)
{
    params_t p = {0};
    p_text(&p, name);
    return county_stmt_send(self, "count", &p);
}

/* Keep a message we cannot use in the quarantine table; the link moves on.
 * Beyond TB_QUARANTINE_ROWS rows or TB_QUARANTINE_BYTES bytes from the peer
 * only the first TB_QUARANTINE_PREFIX bytes are kept, with the whole body's
 * length and SHA-256 in why (the statement "quarantine" decides). */
int county_quarantine(county_t *self, const msg_t *m, const char *why)
{
    if (county_may_log(self, m->peer))
        tb_error("link %s seq %" PRIu64 ": %s; quarantined", m->peer, m->seq, why);
    return county_quarantine_keep(self, m, why);
}

int county_quarantine_keep(county_t *self, const msg_t *m, const char *why)
{
    params_t p = {0};
    p_text(&p, m->peer);
    p_int(&p, (int64_t)m->seq);
    p_bytes(&p, m->buf, m->len);
    p_text(&p, why);
    p_int(&p, TB_QUARANTINE_ROWS);
    p_int(&p, TB_QUARANTINE_BYTES);
    p_int(&p, TB_QUARANTINE_PREFIX);
    return county_stmt_send(self, "quarantine", &p);
}

/* Test hook TONGBAN_TEST_POISON_CASE, all of it in this one function, compiled
 * only with -Dtest_hooks=true: an event on that case adds a statement that
 * fails on its data (SQLSTATE 22012), as a row PostgreSQL refuses would, so the
 * fault tests can drive the poison search (tests/fault/test-poison.sh). */
#ifndef TB_TEST_HOOKS
static int test_poison(county_t *self, const char *case_id)
{
    (void)self;
    (void)case_id;
    return 0;
}
#else
static int test_poison(county_t *self, const char *case_id)
{
    const char *poison = getenv("TONGBAN_TEST_POISON_CASE");
    if (!poison || strcmp(case_id, poison) != 0)
        return 0;
    if (!PQsendQueryParams(self->pg, "SELECT 1 / 0", 0, NULL, NULL, NULL, NULL, 0)) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", PQerrorMessage(self->pg));
        self->batch_failed = true;
        return -TB_ESTORE;
    }
    return 0;
}
#endif

/* protobuf-c's allocations of an event item, from the county's decode arena:
 * an unpacked event was ~15 mallocs and as many frees (its ledger's strings
 * each their own), ~2,500 instructions of the ~60,000 the county spent per
 * walk-in event in the batch (callgrind, issue 13).  The arena's block is
 * reused: the item lives until the next decode (it lived until the end of
 * apply_msg before, and nothing keeps a pointer into it past that).
 * Sizes are rounded to 8 bytes, the block's data starting 8-aligned: the
 * strictest alignment a protobuf-c message of ours needs (uint64_t,
 * pointers). */
typedef struct {
    county_arena_t *arena;
    bool out_of_memory;
} decode_t;

static void *decode_alloc(void *data, size_t size)
{
    decode_t *d = data;
    char *p = size <= SIZE_MAX - 7 ? county_arena_alloc(d->arena, (size + 7) & ~(size_t)7) : NULL;
    d->out_of_memory = d->out_of_memory || !p;
    return p;
}

static void decode_free(void *data, void *p)
{
    (void)data;
    (void)p; /* the arena's: reused at the next decode */
}

/* tb_item_decode's checks of an item (tb_wire.c), an event's unpacked into
 * the arena: 0, or -ENOMEM, or its error.  *ret_heap: the item is
 * tb_item_decode's, to be freed by tb_item_free (any item not an event). */
static int item_decode(county_t *self, const msg_t *m, tb_item_msg_t **ret_item, bool *ret_heap)
{
    county_arena_reset(&self->decode);
    if (m->len > TB_MAX_BODY)
        return -TB_EPROTO;
    decode_t d = {&self->decode, false};
    ProtobufCAllocator a = {.alloc = decode_alloc, .free = decode_free, .allocator_data = &d};
    tb_item_msg_t *item = tongban__v1__item__unpack(&a, m->len, m->buf);
    if (!item && d.out_of_memory)
        return -ENOMEM; /* not the message's fault: the batch fails, tried again */
    if (!item)
        return -TB_EDECODE;
    if (item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT) {
        int rc = tb_item_decode(m->buf, m->len, ret_item);
        if (rc == 0)
            *ret_heap = true;
        return rc;
    }
    int rc = tb_event_check(item->event);
    if (rc < 0)
        return rc;
    *ret_item = item;
    *ret_heap = false;
    return 0;
}

static void item_free(tb_item_msg_t **item_p, bool heap)
{
    if (heap)
        tb_item_free(item_p);
    *item_p = NULL;
}

static int apply_msg(county_t *self, size_t index)
{
    const msg_t *m = &self->inflight.v[index];
    if (self->poison_seq && m->seq == self->poison_seq && strcmp(m->peer, self->poison_peer) == 0) {
        self->poison_seq = 0;
        return county_quarantine(self, m, self->poison_why);
    }
    tb_item_msg_t *item = NULL;
    bool heap = false;
    int rc = item_decode(self, m, &item, &heap);
    if (rc == -ENOMEM)
        return rc;
    if (rc == 0 && item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST) {
        rc = county_restore_asked(self, m, item->restore_request); /* county_restore.c */
        item_free(&item, heap);
        return rc;
    }
    const char *why = NULL;
    char parent[TB_CODE_LEN + 1] = "";
    if (rc < 0)
        why = tb_strerror(rc);
    else if (item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT)
        why = "townships send events only";
    else if (tb_code_parent(item->event->origin_node, parent),
             strcmp(item->event->origin_node, m->peer) != 0 && strcmp(parent, m->peer) != 0)
        /* A township speaks for itself and its own villages only.  Such an event
         * is not stored under the id it claims, so it cannot take a real one. */
        why = "event of a node outside the sender's township";
    if (why) {
        item_free(&item, heap);
        return county_quarantine(self, m, why);
    }
    const tb_event_msg_t *ev = item->event;
    /* An id that came before: the same bytes are consumed as they are, other
     * bytes refused (county_reuse.c). */
    char stored[TB_DIGEST_HEX];
    rc = county_reuse_check(self, m, ev, stored);
    if (rc != COUNTY_ID_NEW) {
        if (rc == COUNTY_ID_REUSED)
            rc = county_reuse_refuse(self, m, ev, stored);
        item_free(&item, heap);
        return rc < 0 ? rc : 0;
    }
    int fold = -1;
    rc = test_poison(self, ev->case_id);
    rc = rc < 0 ? rc : county_record_event(self, ev, m->buf, m->len, m->peer, &fold);
    if (rc == 0)
        rc = county_reuse_seen(self, ev, index);
    if (rc == 0 && fold < 0 && strcmp(ev->origin_node, self->place) != 0)
        rc = county_reject(self, ev, m->buf, m->len, fold, m->peer);
    bool folded = fold == 0;
    if (rc == 0 && folded && ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED &&
        strcmp(ev->target, self->place) == 0)
        rc = county_receive(self, ev->case_id, m->peer);
    item_free(&item, heap);
    return rc;
}

/* May the next batch start while this one is in flight?  The plain ingest
 * only: the one in flight wrote its mark and holds nothing a batch could not
 * be built on (a read-back, an epoch reset, recounted deadlines, cards,
 * supervision stages, complaints, the poison search), and the next would be
 * enough messages and acks alone (no staff command, data version, card
 * scan, epoch, restore or read-back due), and the county is not stopping.
 *
 * Enough: overlap_min, and half as many as the batch in flight.  The next
 * batch is sent at once and waits in PostgreSQL behind this one; once it
 * started, a third waits for this one's commit.  Started at the first
 * overlap_min messages, it was small (one drain, ~250 under load), so that
 * PostgreSQL finished both long before the county had built the third from
 * everything that came meanwhile (~4,500 messages, 30 ms of the county's
 * CPU): batches went big, small, big, PostgreSQL idle ~30 ms a cycle.  Half:
 * batches of even size, each built while PostgreSQL runs the one before
 * (issue 13's ingest, bench/RESULTS.md 2026-12-03: +4 %).  Under a trickle
 * nothing changes: a batch that waits starts when the one in flight
 * commits, as without overlap. */
static bool overlap_ok(county_t *self)
{
    size_t need = self->inflight.n / 2;
    if (need < self->overlap_min)
        need = self->overlap_min;
    return !self->older.on && self->mark_in_batch && self->pending.n >= need && !self->careful &&
           !self->poison_seq && self->reloading < 0 && !self->epoch_reset_in_batch &&
           !self->due_in_batch && !self->due_refresh && !self->ncard_ops && !self->nsup_ops &&
           !self->sup_taken && !self->ncp_ops && !self->nrating_ops && !self->ncp_turns &&
           !self->cards_scan && !self->ncmds && !self->ndata && !county_epoch_due(self) &&
           !county_restore_due(self) && county_link_reload_choice(self) < 0;
}

/* The batch in flight becomes the older of two (county_older_t): 0 or -ENOMEM. */
static int older_take(county_t *self)
{
    county_older_t *o = &self->older;
    /* The last older's maps, emptied by county_older_drop, or new ones. */
    tb_map_t *overlay = o->overlay ? o->overlay : tb_map_new();
    tb_map_t *ids = o->ids ? o->ids : tb_map_new();
    if (!overlay || !ids) {
        o->overlay = overlay;
        o->ids = ids;
        return -ENOMEM;
    }
    msgs_t t = o->msgs; /* empty: its buffers are reused */
    o->msgs = self->inflight;
    self->inflight = t;
    t = o->out_new;
    o->out_new = self->out_new;
    self->out_new = t;
    o->overlay = self->overlay;
    self->overlay = overlay;
    o->ids = self->batch_ids;
    self->batch_ids = ids;
    o->event_seq = self->batch_event_seq;
    o->mark = self->mark_in_batch;
    o->on = true;
    return 0;
}

void county_batch_start(county_t *self)
{
    if (!county_online(self) || self->stopping)
        return;
    bool overlap = self->in_flight;
    if (overlap && !overlap_ok(self))
        return;
    bool acks = self->eng && tb_linkeng_batch_due(self->eng);
    ssize_t reload = overlap ? -1 : county_link_reload_choice(self);
    if (self->pending.n == 0 && !acks && reload < 0 && self->ncmds == 0 && self->ndata == 0 &&
        !self->due_refresh && !self->cards_scan && self->nsup_ops == 0 && !county_epoch_due(self) &&
        !county_restore_due(self))
        return;
    if (overlap && older_take(self) < 0) {
        county_pg_lost(self, tb_strerror(-ENOMEM));
        return;
    }
    self->overlapped += overlap;
    msgs_clear(&self->inflight);
    if (self->careful && self->pending.n > 1) {
        /* One message alone, to find the one that makes batches fail. */
        msg_t *first = &self->pending.v[0];
        if (msgs_push(&self->inflight, first->peer, first->seq, first->buf, first->len) < 0)
            return;
        free(first->buf);
        memmove(self->pending.v, self->pending.v + 1, (self->pending.n - 1) * sizeof(msg_t));
        self->pending.n--;
    } else {
        /* Swap: what was pending is now in flight. */
        msgs_t t = self->inflight;
        self->inflight = self->pending;
        self->pending = t;
    }
    self->in_flight = true;
    county_bulk_reset(self); /* rows of a batch given up before its Sync */
    county_folded_reset(self);
    if (!overlap) {
        /* (With two in flight these are the older's results, still to come.) */
        self->batch_failed = false;
        self->batch_err[0] = '\0';
        self->batch_sqlstate[0] = '\0';
        self->batch_event_seq = self->event_seq;
    }
    uint64_t seq0 = self->batch_event_seq; /* the older's last, if any */
    county_complaint_turn_reset(self); /* complaints as this batch makes them, from the store */
    int rc = county_reuse_batch(self);
    if (rc == 0 && overlap) {
        /* First: none of this batch commits unless the older did. */
        params_t g = {0};
        p_int(&g, (int64_t)self->older.mark);
        rc = county_stmt_send(self, "batch_after", &g);
    }
    if (rc == 0 && self->catver_conn != (int64_t)self->env->catalog_version) {
        /* Its events are checked under this catalog version (migration 019),
         * set for the session when it connects and when the version changes,
         * not per batch (issue 13: a statement per batch at a trickle).  A
         * batch that rolls back takes the setting with it and closes the
         * connection, whose successor sets it again (county_pg_open). */
        params_t p = {0};
        p_int(&p, self->env->catalog_version);
        rc = county_stmt_send(self, "catver", &p);
        if (rc == 0)
            self->catver_conn = self->env->catalog_version;
    }
    if (rc == 0)
        rc = county_restore_batch(self); /* before the live items: a chunk of an answer */
    for (size_t i = 0; rc == 0 && i < self->inflight.n; i++)
        rc = apply_msg(self, i);
    for (size_t i = 0; rc == 0 && i < self->ncmds; i++)
        rc = county_apply_cmd(self, &self->cmds[i]);
    county_cmds_clear(self);
    for (size_t i = 0; rc == 0 && i < self->ndata; i++)
        rc = county_apply_data(self, &self->data[i]);
    county_data_clear(self); /* not committed: data_sent still says so, the next poll finds them */
    if (rc == 0)
        rc = county_cards_batch(self); /* before the status updates: its events count */
    if (rc == 0)
        rc = county_status_updates(self);
    self->due_in_batch = self->due_refresh;
    if (rc == 0 && self->due_in_batch)
        rc = county_refresh_due(self);
    if (rc == 0)
        rc = county_link_batch(self);
    if (rc == 0)
        rc = county_epoch_batch(self); /* after the cursors: a reset puts one back to 0 */
    self->reloading = reload;
    if (rc == 0)
        rc = county_link_batch_reload(self);
    if (rc == 0 && self->batch_event_seq != seq0) {
        params_t a = {0};
        p_text(&a, "event");
        p_int(&a, (int64_t)self->batch_event_seq);
        rc = county_stmt_send(self, "counter", &a);
    }
    /* A batch big enough to be followed by another while in flight writes
     * its mark, a number never committed before (the stored one was loaded). */
    self->mark_in_batch = 0;
    if (rc == 0 && self->inflight.n >= self->overlap_min) {
        self->mark_in_batch = ++self->mark;
        params_t m = {0};
        p_text(&m, "batch");
        p_int(&m, (int64_t)self->mark_in_batch);
        rc = county_stmt_send(self, "counter", &m);
    }
    if (rc == 0)
        rc = county_stmt_sync(self);
    if (rc < 0) {
        /* Nothing was synced: closing the connection rolls the statements
         * sent so far back; the townships resend. */
        county_pg_lost(self,
                       rc == -TB_ESTORE && self->pg ? PQerrorMessage(self->pg) : tb_strerror(rc));
        return;
    }
    if (self->pg)
        county_pg_flush(self);
}

/* The older of two batches in flight committed: memory follows, its acks go
 * out; the newer stays in flight, and the next may start beside it.  It was
 * plain ingest (overlap_ok): no reload, epoch reset, careful search,
 * deadlines or cards of its own. */
static void finish_older(county_t *self)
{
    if (county_overlay_commit_older(self) < 0) {
        county_pg_lost(self, "out of memory after a commit: reloading the state");
        return;
    }
    self->event_seq = self->older.event_seq;
    self->batches++;
    county_link_committed(self, &self->older.out_new); /* acks go out */
    county_older_drop(self);
    if (!county_online(self) || self->stopping)
        return; /* reloading; or stopping after the newer (county_batch_finish) */
    county_batch_start(self);
}

void county_batch_finish(county_t *self)
{
    bool two = self->older.on;
    const msgs_t *done = two ? &self->older.msgs : &self->inflight; /* what this Sync ends */
    if (!two)
        self->in_flight = false;
    if (self->batch_failed) {
        /* The transaction rolled back: drop what it would have made true; the
         * townships resend, and reloading keeps memory equal to the store.
         * When the data was at fault (SQLSTATE class 22 or 23) and not the
         * server, find the message that did it: one per batch from now on,
         * and one that fails alone is quarantined when it comes again, so
         * it cannot hold its link back for ever. */
        tb_error("batch of %zu message(s) rolled back: %s", done->n, self->batch_err);
        bool data_error = strncmp(self->batch_sqlstate, "22", 2) == 0 ||
                          strncmp(self->batch_sqlstate, "23", 2) == 0;
        if (data_error && done->n == 1 && self->careful) {
            snprintf(self->poison_peer, sizeof self->poison_peer, "%s", done->v[0].peer);
            self->poison_seq = done->v[0].seq;
            snprintf(self->poison_why, sizeof self->poison_why, "the store refused it: %.200s",
                     self->batch_err);
        } else if (data_error && self->careful < done->n) {
            self->careful = done->n;
        }
        county_pg_lost(self, "batch failed"); /* the newer of two too: its first statement failed */
        return;
    }
    if (two) {
        finish_older(self);
        return;
    }
    if (self->epoch_reset_in_batch) {
        /* A township's link was reset in the store: memory follows by a reload. */
        county_pg_reload(self, "a township's store was replaced and its link reset");
        return;
    }
    if (self->careful && self->inflight.n)
        self->careful--;
    if (self->due_in_batch) {
        self->due_refresh = self->due_in_batch = false;
        tb_info("deadlines recounted on calendar version %u",
                (unsigned)self->env->calendar_version);
    }
    /* Committed: make it true in memory, then acknowledge (the engine fires
     * the commit hook between the two). */
    int rc = county_overlay_commit(self);
    if (rc < 0) {
        /* The store holds the batch and memory cannot: no acks, and memory is
         * reloaded from the store (a case missing from the cache would get
         * its next legal event rejected).  The townships resend what was not
         * acknowledged; the reloaded cursors find it already applied. */
        county_pg_lost(self, "out of memory after a commit: reloading the state");
        return;
    }
    self->event_seq = self->batch_event_seq;
    self->batches++;
    msgs_clear(&self->inflight);
    county_link_committed(self, &self->out_new); /* acks go out */
    county_cards_committed(self);
    if (!county_online(self))
        return; /* it had to reload */
    if (self->stopping) {
        county_shutdown(self);
        return;
    }
    county_batch_start(self);
}
