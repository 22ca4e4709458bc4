/* county_link.c: the county's backend of the link engine (common/tb_linkeng.h).
 *
 * The protocol (sequencing, window, retransmit, acks, unreachable handling,
 * the peer filter and the fault hooks) is the engine's; this file is only
 * the asynchronous storage behind tb_linkeng_store_t, over the PostgreSQL
 * pipeline of county_batch.c:
 *  - apply() accepts a message into `pending` (bounded by COUNTY_MAX_PENDING;
 *    without a connection nothing is accepted); the next batch takes it and
 *    names what it took (tb_linkeng_batch_take);
 *  - cursor_set() and ack() are the batch's "cursor" and "ack" statements;
 *  - read() serves each township's unacknowledged outbox from memory, a
 *    prefix of the outbox table when it grew past max_queue ("spilled"): a
 *    range not in memory yet is "not yet" (-EAGAIN) and a later batch reads
 *    it back (county_link_batch_reload);
 *  - after a commit the batch's outbox rows join the queues and the engine
 *    learns the new heads (tb_linkeng_appended), then tb_linkeng_committed.
 * The engine is made anew with the state at every load (county_link_load).
 */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- peers ----------------------------------------------------------------------------- */

/* By a map, not a strcmp over every township: twice per status update
 * (county_link_queue_own, county_link_committed), ~550 instructions each
 * with 26 townships (callgrind on the walk-in ingest, issue 13). */
static peer_t *peer_find(county_t *self, const char *code)
{
    uintptr_t at;
    if (!self->peer_at || !tb_map_get(self->peer_at, code, &at))
        return NULL;
    return &self->peers[at - 1];
}

peer_t *county_peer_get(county_t *self, const char *code)
{
    if (!tb_code_valid(code))
        return NULL; /* also what the database hands back is checked */
    peer_t *p = peer_find(self, code);
    if (p)
        return p;
    if (self->npeers == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        peer_t *v = county_realloc(self->peers, cap * sizeof(peer_t));
        if (!v)
            return NULL;
        self->peers = v;
        self->cap = cap;
    }
    if (!self->peer_at && !(self->peer_at = tb_map_new()))
        return NULL;
    if (county_map_put(self->peer_at, code, self->npeers + 1) < 0)
        return NULL;
    p = &self->peers[self->npeers++];
    memset(p, 0, sizeof *p);
    strcpy(p->code, code);
    return p;
}

bool county_my_township(county_t *self, const char *code)
{
    char parent[TB_CODE_LEN + 1];
    return tb_code_level(code) == TB_LEVEL_TOWNSHIP && tb_code_parent(code, parent) == 0 &&
           strcmp(parent, self->place) == 0 && tb_places_check(self->env->places, code) == 0;
}

void county_link_reset(county_t *self)
{
    tb_linkeng_destroy(&self->eng);
    for (size_t i = 0; i < self->npeers; i++) {
        msgs_free(&self->peers[i].queue);
        free(self->peers[i].retired);
    }
    free(self->peers);
    self->peers = NULL;
    self->npeers = self->cap = 0;
    tb_map_destroy(&self->peer_at);
    msgs_clear(&self->pending);
}

/* Drop from the queues what the townships acknowledged. */
static void prune(county_t *self)
{
    for (size_t i = 0; self->eng && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        tb_linkeng_peer_t e;
        if (tb_linkeng_peer(self->eng, p->code, &e) < 0)
            continue;
        size_t drop = 0;
        while (drop < p->queue.n && p->queue.v[drop].seq <= e.acked)
            free(p->queue.v[drop++].buf);
        if (drop) {
            memmove(p->queue.v, p->queue.v + drop, (p->queue.n - drop) * sizeof(msg_t));
            p->queue.n -= drop;
        }
    }
}

/* ---- the storage interface ------------------------------------------------------------- */

static int st_cursor_get(void *st, const char *peer, uint64_t *ret_cursor)
{
    peer_t *p = county_peer_get(st, peer);
    if (!p)
        return -ENOMEM;
    *ret_cursor = p->cursor_in;
    return 0;
}

/* Accept: the next batch takes it.  Not without a connection, not past the bound. */
static int st_accept(void *st, const char *peer, uint64_t seq, const uint8_t *body, size_t len)
{
    county_t *self = st;
    if (!county_online(self) || self->pending.n >= COUNTY_MAX_PENDING)
        return -EAGAIN;
    return msgs_push(&self->pending, peer, seq, body, len);
}

static int st_cursor_set(void *st, const char *peer, uint64_t seq)
{
    params_t a = {0};
    p_text(&a, peer);
    p_int(&a, (int64_t)seq);
    return county_stmt_send(st, "cursor", &a);
}

static int st_ack(void *st, const char *peer, uint64_t ack)
{
    params_t b = {0};
    p_text(&b, peer);
    p_int(&b, (int64_t)ack);
    return county_stmt_send(st, "ack", &b);
}

static int st_heads(void *st, tb_linkeng_head_fn fn, void *arg)
{
    county_t *self = st;
    for (size_t i = 0; i < self->npeers; i++)
        if (self->peers[i].has_out)
            fn(arg, self->peers[i].code, self->peers[i].last, self->peers[i].acked_in);
    return 0;
}

static int st_read(void *st, const char *peer, uint64_t from, uint64_t to, tb_linkeng_emit_fn emit,
                   void *arg)
{
    peer_t *p = peer_find(st, peer);
    if (!p)
        return -EAGAIN;
    uint64_t next = from;
    for (size_t k = 0; k < p->queue.n && next <= to; k++) {
        msg_t *m = &p->queue.v[k];
        if (m->seq < next)
            continue;
        int rc = emit(arg, m->seq, m->buf, m->len);
        if (rc < 0)
            return rc;
        next = m->seq + 1;
    }
    return next <= to && p->spilled ? -EAGAIN : 0; /* the rest is read back by a batch */
}

static const tb_linkeng_store_t county_store = {
    .cursor_get = st_cursor_get,
    .apply = st_accept,
    .cursor_set = st_cursor_set,
    .ack = st_ack,
    .heads = st_heads,
    .read = st_read,
    .epoch_get = county_epoch_get,
    .epoch_retired = county_epoch_retired,
    .epoch_set = county_epoch_set,
    .async = true,
};

static int net_send(void *ctx, const char *dest, uint64_t dest_epoch, Tongban__V1__Kind kind,
                    uint64_t seq, uint64_t ack, const uint8_t *body, size_t len)
{
    county_t *self = ctx;
    return self->node ? tb_node_send(self->node, dest, dest_epoch, kind, seq, ack, body, len)
                      : -ESHUTDOWN;
}

static int64_t net_now(void *ctx)
{
    (void)ctx;
    return tb_mono_ms();
}

static bool net_accept(void *ctx, const char *peer)
{
    return county_my_township(ctx, peer);
}

static void net_note(void *ctx, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc)
{
    switch (what) {
    case TB_LINKENG_PEER_REFUSED:
        if (county_may_log(ctx, peer))
            tb_warn("message from %s, not one of our townships: dropped", peer);
        break;
    case TB_LINKENG_ACK_BEYOND:
        if (county_may_log(ctx, peer))
            tb_warn("township %s acked %" PRIu64 " beyond our last: ignored", peer, seq);
        break;
    case TB_LINKENG_READ_FAILED:
        tb_warn("outbox to %s seq %" PRIu64 ": %s", peer, seq, tb_strerror(rc));
        break;
    case TB_LINKENG_UNREACHABLE:
        tb_debug("township %s not connected; holding its outbox", peer);
        break;
    case TB_LINKENG_FOR_OLD_STORE:
        if (county_may_log(ctx, peer))
            tb_info("township %s sent (seq %" PRIu64 ") to the store this county's replaced: "
                    "dropped, our epoch told",
                    peer, seq);
        break;
    default:
        break; /* back-pressure: the queue keeps it and the timer tries again */
    }
}

/* ---- loading --------------------------------------------------------------------------- */

/* The township of a stored row: 0 with *ret_p (NULL for a code that is no
 * place code: skipped), or -ENOMEM: a link missing from memory would restart
 * from cursor 0, so the load fails and is retried instead. */
static int load_peer(county_t *self, const char *code, peer_t **ret_p)
{
    peer_t *p = county_peer_get(self, code);
    if (!p && tb_code_valid(code))
        return -ENOMEM;
    *ret_p = p;
    return 0;
}

int county_link_load(county_t *self)
{
    PGresult *r;
    peer_t *p;
    int rc = 0;
    if (!(r = county_query(self->pg, "SELECT peer, cursor FROM link_in")))
        return -TB_ESTORE;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        if ((rc = load_peer(self, PQgetvalue(r, i, 0), &p)) == 0 && p)
            p->cursor_in = strtoull(PQgetvalue(r, i, 1), NULL, 10);
    PQclear(r);
    if (rc < 0)
        return rc;
    if (!(r = county_query(self->pg, "SELECT peer, last, acked FROM link_out")))
        return -TB_ESTORE;
    for (int i = 0; i < PQntuples(r); i++) {
        if ((rc = load_peer(self, PQgetvalue(r, i, 0), &p)) < 0) {
            PQclear(r);
            return rc;
        }
        if (!p)
            continue;
        p->has_out = true;
        p->last = strtoull(PQgetvalue(r, i, 1), NULL, 10);
        p->acked_in = strtoull(PQgetvalue(r, i, 2), NULL, 10);
    }
    PQclear(r);
    /* Binary results for the bodies. */
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", self->max_queue + 1);
    const char *lp[1] = {limit};
    r = PQexecParams(self->pg,
                     "SELECT peer, seq, body, n FROM (SELECT peer, seq, body,"
                     " row_number() OVER (PARTITION BY peer ORDER BY seq) AS n FROM outbox) o"
                     " WHERE n <= $1::bigint ORDER BY peer, seq",
                     1, NULL, lp, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_error("load outbox: %s", PQerrorMessage(self->pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        char peer[TB_CODE_LEN + 1];
        snprintf(peer, sizeof peer, "%.*s", PQgetlength(r, i, 0), PQgetvalue(r, i, 0));
        uint64_t seq = 0;
        const unsigned char *s = (const unsigned char *)PQgetvalue(r, i, 1);
        for (int k = 0; k < 8; k++)
            seq = (seq << 8) | s[k];
        if ((rc = load_peer(self, peer, &p)) < 0) {
            PQclear(r);
            return rc;
        }
        if (p && p->queue.n == self->max_queue)
            p->spilled = true;
        else if (p && msgs_push(&p->queue, peer, seq, (const uint8_t *)PQgetvalue(r, i, 2),
                                (size_t)PQgetlength(r, i, 2)) < 0) {
            PQclear(r);
            return -ENOMEM; /* a gap in the queue would stall the link */
        }
    }
    PQclear(r);
    if ((rc = county_epoch_load_peers(self)) < 0)
        return rc;
    return county_link_engine(self);
}

int county_link_engine(county_t *self)
{
    tb_linkeng_destroy(&self->eng);
    tb_linkeng_env_t env = {
        .send = net_send,
        .now_ms = net_now,
        .note = net_note,
        .fault = self->node ? tb_node_fault(self->node) : NULL,
        .ctx = self,
        .window = COUNTY_WINDOW,
        .accept_peer = net_accept,
        .on_epoch = county_epoch_note,
        .epoch = self->store_epoch,
    };
    return tb_linkeng_new(&county_store, self, &env, &self->eng);
}

/* ---- what a batch writes --------------------------------------------------------------- */

int county_link_queue(county_t *self, const char *peer, const uint8_t *buf, size_t len)
{
    uint8_t *copy = county_malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, buf, len);
    int rc = county_link_queue_own(self, peer, &copy, len);
    free(copy); /* NULL unless it failed */
    return rc;
}

int county_link_queue_own(county_t *self, const char *peer, uint8_t **buf_p, size_t len)
{
    peer_t *p = county_peer_get(self, peer);
    if (!p)
        return -ENOMEM;
    /* seqs of this batch follow the committed last, the rows of the older
     * batch in flight and the batch's earlier rows: the peer's newest row
     * in out_new, else in older.out_new.  Its hint (q_seq at q_at) is that
     * row when the row there is still the peer's with that seq (a batch
     * dropped or committed since leaves something else there, or nothing);
     * else the rows are searched from the end, as before the hint (a
     * backwards strcmp over every row queued since the peer's last one:
     * the whole batch for a township's first row). */
    const msgs_t *rows[2] = {&self->out_new, self->older.on ? &self->older.out_new : NULL};
    uint64_t seq = 0;
    for (int k = 0; k < 2 && !seq && rows[k]; k++) {
        const msg_t *h = p->q_at < rows[k]->n ? &rows[k]->v[p->q_at] : NULL;
        if (h && h->seq == p->q_seq && strcmp(h->peer, peer) == 0)
            seq = p->q_seq + 1;
    }
    for (int k = 0; k < 2 && !seq && rows[k]; k++)
        for (size_t i = rows[k]->n; i > 0; i--) /* the peer's last row: near the end */
            if (strcmp(rows[k]->v[i - 1].peer, peer) == 0) {
                seq = rows[k]->v[i - 1].seq + 1;
                break;
            }
    if (!seq)
        seq = p->last + 1;
    const uint8_t *buf = *buf_p; /* out_new's from here: kept until the commit */
    size_t at = self->out_new.n;
    int rc = msgs_push_own(&self->out_new, peer, seq, buf_p, len);
    if (rc < 0)
        return rc;
    p->q_seq = seq;
    p->q_at = at;
    params_t a = {0};
    p_text(&a, peer);
    p_int(&a, (int64_t)seq);
    p_bytes(&a, buf, len);
    if ((rc = county_stmt_send(self, "outbox", &a)) < 0)
        return rc;
    params_t b = {0};
    p_text(&b, peer);
    p_int(&b, (int64_t)seq);
    return county_stmt_send(self, "link_out", &b);
}

int county_link_batch(county_t *self)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->inflight.n; i++)
        rc = tb_linkeng_batch_take(self->eng, self->inflight.v[i].peer, self->inflight.v[i].seq);
    return rc < 0 ? rc : tb_linkeng_batch_write(self->eng);
}

ssize_t county_link_reload_choice(county_t *self)
{
    prune(self);
    for (size_t i = 0; i < self->npeers; i++)
        if (self->peers[i].spilled && self->peers[i].queue.n < self->max_queue / 2 + 1)
            return (ssize_t)i;
    return -1;
}

int county_link_batch_reload(county_t *self)
{
    if (self->reloading < 0)
        return 0;
    peer_t *r = &self->peers[self->reloading];
    tb_linkeng_peer_t e = {0};
    tb_linkeng_peer(self->eng, r->code, &e);
    params_t a = {0};
    p_text(&a, r->code);
    p_int(&a, (int64_t)(r->queue.n ? r->queue.v[r->queue.n - 1].seq : e.acked));
    p_int(&a, (int64_t)(self->max_queue - r->queue.n));
    /* Only what earlier batches committed: this batch's rows join the queue
     * in county_link_committed. */
    p_int(&a, (int64_t)r->last);
    if (!PQsendQueryPrepared(self->pg, "reload", a.n, a.v, a.len, a.fmt, 1))
        return -TB_ESTORE;
    return 0;
}

/* Rows of the "reload" statement (binary): the next part of a spilled outbox. */
void county_link_reload_rows(county_t *self, const PGresult *r)
{
    peer_t *p = &self->peers[self->reloading];
    self->reloading = -1;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)PQgetvalue(r, i, 0);
        uint64_t seq = 0;
        for (int k = 0; k < 8 && PQgetlength(r, i, 0) == 8; k++)
            seq = (seq << 8) | s[k];
        if (p->queue.n && seq <= p->queue.v[p->queue.n - 1].seq)
            continue;
        if (msgs_push(&p->queue, p->code, seq, (const uint8_t *)PQgetvalue(r, i, 1),
                      (size_t)PQgetlength(r, i, 1)) < 0)
            return;
    }
    p->spilled = p->queue.n && p->queue.v[p->queue.n - 1].seq < p->last;
    tb_debug("outbox to %s: read back %d message(s) from the table%s", p->code, n,
             p->spilled ? ", more waiting" : "");
}

void county_link_committed(county_t *self, msgs_t *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        msg_t *m = &rows->v[i];
        peer_t *p = county_peer_get(self, m->peer);
        if (!p)
            continue;
        p->last = m->seq;
        if (tb_linkeng_appended(self->eng, m->peer, m->seq) < 0)
            continue; /* not sent before the state is reloaded */
        if (p->spilled || p->queue.n >= self->max_queue ||
            msgs_push_own(&p->queue, m->peer, m->seq, &m->buf, m->len) < 0)
            p->spilled = true; /* (moved, not copied: the row's buffer is NULL) */
    }
    msgs_clear(rows);
    tb_linkeng_committed(self->eng, 0); /* the commit hook, then the acks go out */
}

void county_link_lost(county_t *self)
{
    if (self->eng)
        tb_linkeng_committed(self->eng, -TB_ESTORE);
}

/* ---- the wire -------------------------------------------------------------------------- */

void county_link_flush(county_t *self)
{
    prune(self);
    if (self->eng)
        tb_linkeng_flush(self->eng);
}

void county_on_envelope(void *ctx, const tb_env_t *env)
{
    county_t *self = ctx;
    /* What it takes (county_status.c), from its store as we know it: an
     * envelope of a retired store (an old PC woken up) says nothing. */
    peer_t *p = peer_find(self, env->sender);
    if (!p && county_my_township(self, env->sender))
        p = county_peer_get(self, env->sender);
    if (p && (env->epoch == 0 || p->epoch == 0 || env->epoch == p->epoch))
        p->takes_lists = (env->takes & TB_TAKES_STATUS_LIST) != 0;
    if (self->eng)
        tb_linkeng_on_envelope(self->eng, env);
}
