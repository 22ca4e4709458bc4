/* county_link.c: the exactly-once link transport to the townships.
 *
 * Per township (peer_t): the receive cursor (accepted, committed), the send
 * side (tb_link_tx: sequencing, window, retransmit), and the unacknowledged
 * outbox in memory, a prefix of the outbox table when it grew past
 * max_queue ("spilled", read back by a batch).  The batch talks to it only
 * through the county_link_* functions in county_int.h: queue a row, write the
 * cursors and acks, read back a spilled outbox, and committed / lost.  This
 * is the seam the shared link engine replaces next.
 */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- messages in memory ---------------------------------------------------------------- */

int msgs_push(msgs_t *m, const char *peer, uint64_t seq, const uint8_t *buf, size_t len)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        msg_t *v = county_realloc(m->v, cap * sizeof(msg_t));
        if (!v)
            return -ENOMEM;
        m->v = v;
        m->cap = cap;
    }
    msg_t *x = &m->v[m->n];
    x->buf = county_malloc(len ? len : 1);
    if (!x->buf)
        return -ENOMEM;
    memcpy(x->buf, buf, len);
    x->len = len;
    x->seq = seq;
    snprintf(x->peer, sizeof x->peer, "%s", peer);
    m->n++;
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

/* ---- peers ----------------------------------------------------------------------------- */

peer_t *county_peer_get(county_t *self, const char *code)
{
    if (!tb_code_valid(code))
        return NULL; /* also what the database hands back is checked */
    for (size_t i = 0; i < self->npeers; i++)
        if (strcmp(self->peers[i].code, code) == 0)
            return &self->peers[i];
    if (self->npeers == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        peer_t *v = county_realloc(self->peers, cap * sizeof(peer_t));
        if (!v)
            return NULL;
        self->peers = v;
        self->cap = cap;
    }
    peer_t *p = &self->peers[self->npeers++];
    memset(p, 0, sizeof *p);
    strcpy(p->code, code);
    tb_link_tx_init(&p->tx, 0, 0, tb_mono_ms());
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
    for (size_t i = 0; i < self->npeers; i++)
        msgs_free(&self->peers[i].queue);
    free(self->peers);
    self->peers = NULL;
    self->npeers = self->cap = 0;
    msgs_clear(&self->pending);
}

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
            p->cursor = p->cursor_done = strtoull(PQgetvalue(r, i, 1), NULL, 10);
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
        uint64_t acked = strtoull(PQgetvalue(r, i, 2), NULL, 10);
        tb_link_tx_init(&p->tx, strtoull(PQgetvalue(r, i, 1), NULL, 10), acked, tb_mono_ms());
        p->ack_stored = acked;
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
    return 0;
}

/* ---- what a batch writes --------------------------------------------------------------- */

int county_link_queue(county_t *self, const char *peer, const uint8_t *buf, size_t len)
{
    peer_t *p = county_peer_get(self, peer);
    if (!p)
        return -ENOMEM;
    /* seqs of this batch follow the committed last and the batch's earlier rows */
    uint64_t seq = p->tx.last + 1;
    for (size_t i = 0; i < self->out_new.n; i++)
        if (strcmp(self->out_new.v[i].peer, peer) == 0)
            seq = self->out_new.v[i].seq + 1;
    int rc = msgs_push(&self->out_new, peer, seq, buf, len);
    if (rc < 0)
        return rc;
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
    for (size_t i = 0; rc == 0 && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        params_t a = {0}, b = {0};
        p_text(&a, p->code);
        p_text(&b, p->code);
        p->cursor_batch = p->cursor_done;
        for (size_t k = 0; k < self->inflight.n; k++)
            if (strcmp(self->inflight.v[k].peer, p->code) == 0 &&
                self->inflight.v[k].seq > p->cursor_batch)
                p->cursor_batch = self->inflight.v[k].seq;
        if (p->cursor_batch != p->cursor_done) {
            p_int(&a, (int64_t)p->cursor_batch);
            rc = county_stmt_send(self, "cursor", &a);
        }
        p->ack_batch = p->tx.acked;
        if (rc == 0 && p->ack_batch > p->ack_stored) {
            p_int(&b, (int64_t)p->ack_batch);
            rc = county_stmt_send(self, "ack", &b);
        }
    }
    return rc;
}

int county_link_batch_reload(county_t *self)
{
    if (self->reloading < 0)
        return 0;
    peer_t *r = &self->peers[self->reloading];
    params_t a = {0};
    p_text(&a, r->code);
    p_int(&a, (int64_t)(r->queue.n ? r->queue.v[r->queue.n - 1].seq : r->tx.acked));
    p_int(&a, (int64_t)(self->max_queue - r->queue.n));
    /* Only what earlier batches committed: this batch's rows join the queue
     * in county_link_committed. */
    p_int(&a, (int64_t)r->tx.last);
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
    p->spilled = p->queue.n && p->queue.v[p->queue.n - 1].seq < p->tx.last;
    tb_debug("outbox to %s: read back %d message(s) from the table%s", p->code, n,
             p->spilled ? ", more waiting" : "");
}

void county_link_committed(county_t *self)
{
    for (size_t i = 0; i < self->out_new.n; i++) {
        msg_t *m = &self->out_new.v[i];
        peer_t *p = county_peer_get(self, m->peer);
        if (!p)
            continue;
        tb_link_tx_appended(&p->tx, m->seq);
        if (p->spilled || p->queue.n >= self->max_queue ||
            msgs_push(&p->queue, m->peer, m->seq, m->buf, m->len) < 0)
            p->spilled = true;
    }
    msgs_clear(&self->out_new);
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (p->cursor_batch > p->cursor_done)
            p->need_ack = true;
        /* cursor may have run ahead into the pending batch: commit only what was in flight */
        if (p->cursor_batch > p->cursor_done)
            p->cursor_done = p->cursor_batch;
        if (p->ack_stored < p->ack_batch)
            p->ack_stored = p->ack_batch; /* the outbox is pruned up to here */
    }
}

void county_link_lost(county_t *self)
{
    for (size_t i = 0; i < self->npeers; i++) {
        self->peers[i].cursor = self->peers[i].cursor_done;
        self->peers[i].need_ack = false;
    }
}

/* ---- the wire -------------------------------------------------------------------------- */

void county_link_flush(county_t *self)
{
    int64_t now = tb_mono_ms();
    for (size_t i = 0; i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        /* Prune what the township acknowledged. */
        size_t drop = 0;
        while (drop < p->queue.n && p->queue.v[drop].seq <= p->tx.acked)
            free(p->queue.v[drop++].buf);
        if (drop) {
            memmove(p->queue.v, p->queue.v + drop, (p->queue.n - drop) * sizeof(msg_t));
            p->queue.n -= drop;
        }
        uint64_t from, to;
        if (tb_link_tx_due(&p->tx, now, COUNTY_WINDOW, &from, &to)) {
            uint64_t sent = from - 1;
            for (size_t k = 0; k < p->queue.n; k++) {
                msg_t *m = &p->queue.v[k];
                if (m->seq < from || m->seq > to)
                    continue;
                if (tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_DATA, m->seq,
                                 p->cursor_done, m->buf, m->len) < 0)
                    break;
                sent = m->seq;
                p->need_ack = false;
            }
            if (sent >= from)
                tb_link_tx_sent(&p->tx, sent);
        }
        if (p->need_ack && tb_node_send(self->node, p->code, TONGBAN__V1__KIND__KIND_ACK, 0,
                                        p->cursor_done, NULL, 0) == 0)
            p->need_ack = false;
    }
}

void county_on_envelope(void *ctx, const tb_env_t *env)
{
    county_t *self = ctx;
    if (env->kind == TONGBAN__V1__KIND__KIND_UNREACHABLE &&
        strcmp(env->sender, TB_BROKER_CODE) == 0) {
        Tongban__V1__Unreachable *u =
            tongban__v1__unreachable__unpack(NULL, env->body.len, env->body.data);
        if (u && tb_code_valid(u->peer)) {
            for (size_t i = 0; i < self->npeers; i++)
                if (strcmp(self->peers[i].code, u->peer) == 0)
                    tb_link_tx_unreachable(&self->peers[i].tx, tb_mono_ms());
        }
        if (u)
            tongban__v1__unreachable__free_unpacked(u, NULL);
        return;
    }
    if (strcmp(env->sender, TB_BROKER_CODE) == 0)
        return;
    if (!county_my_township(self, env->sender)) {
        tb_warn("message from %s, not one of our townships: dropped", env->sender);
        return;
    }
    peer_t *p = county_peer_get(self, env->sender);
    if (!p)
        return;
    if (env->ack && tb_link_tx_on_ack(&p->tx, env->ack, tb_mono_ms()) < 0)
        tb_warn("township %s acked %" PRIu64 " beyond our last %" PRIu64 ": ignored", p->code,
                env->ack, p->tx.last);
    if (env->kind != TONGBAN__V1__KIND__KIND_DATA)
        return;
    switch (tb_link_rx_classify(p->cursor, env->seq)) {
    case TB_LINK_DUP:
        if (env->seq <= p->cursor_done)
            p->need_ack = true;
        break;
    case TB_LINK_GAP:
        break;
    case TB_LINK_NEXT:
        if (!self->pg || self->pending.n >= COUNTY_MAX_PENDING)
            break; /* not accepted: the township keeps it and resends */
        if (msgs_push(&self->pending, p->code, env->seq, env->body.data, env->body.len) == 0)
            p->cursor = env->seq;
        break;
    }
}
