/* county_restore.c: a township's lost store answered from PostgreSQL (issue 9;
 * proto RestoreRequest, README "A replaced township PC").
 *
 * A township whose store was lost starts a new one (a new epoch: the county
 * resets their link, county_epoch.c) and sends RestoreRequest on it.  The
 * batch that takes the request records it (township_restores, migration 017:
 * once per store epoch; a second request from the same store is quarantined
 * and counted, nothing queued).  The answer then goes out in chunks, one per
 * batch (RESTORE_CHUNK events), never blocking the loop for long and never
 * one giant message:
 * between batches, on the plain connection (as the intake reads), the next
 * chunk is read, and the next batch queues it on the link with its progress
 * row in the same transaction.  A batch that does not commit leaves the
 * progress where it was, and the chunk is read again.  A chunk waits while
 * the township has more than RESTORE_AHEAD chunks unacknowledged, so the
 * answer moves through the link's window at the pace the township applies
 * it, and the outbox stays bounded.
 *
 * In order: every data version (catalog, calendar, and the account lists of
 * the township and each of its villages, from version 1: a node takes only
 * the next one), signed; every event of the cases of the township's subtree
 * (its walk-ins and its villages' cases) and of the cases it holds, as
 * stored, in the county's order (case_events.id), read on until no newer
 * one is left, so an event the live link sent before its case's history
 * comes again after it (the township replaces it, tb_restore_replace); then
 * in the last chunk the county's status of each of those cases (from the
 * committed cache, naming its folded ids at positions 1..version) and the
 * RestoreAnswer: the township's origin_seq
 * high-water mark and the ids below it the county never stored (lost). */
#include "county_int.h"
#include "county_restore.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

/* TONGBAN_COUNTY_RESTORE_CHUNK lowers the chunk (as TONGBAN_COUNTY_MAX_QUEUE
 * the queue) so the tests take an answer in many batches. */
enum {
    RESTORE_CHUNK = 1000,    /* events read and queued per batch */
    RESTORE_AHEAD = 2,       /* a chunk waits while more than this many chunks are unacknowledged */
    RESTORE_MAX_LOST = 4096, /* lost ids named in one answer (as tb_store_restore.c) */
};

struct county_restore {
    msgs_t out;  /* the chunk read: its items, in order */
    bool due;    /* ... to be queued by the next batch with its progress */
    bool idle;   /* no answer owed at the last look at the table */
    bool failed; /* the last read failed (said once) */
    int chunk;   /* RESTORE_CHUNK, or lower (TONGBAN_COUNTY_RESTORE_CHUNK) */
    char peer[TB_CODE_LEN + 1];
    int64_t epoch, old_last, new_last, events; /* the progress row this chunk moves */
    bool done;                                 /* the chunk ends with the answer */
    bool to_no_one;                            /* ... or with nothing: another store asks now */
    Tongban__V1__RestoreAnswer a;              /* its numbers, for the log line */
};

static struct county_restore *restore_get(county_t *self)
{
    if (self->restore)
        return self->restore;
    self->restore = calloc(1, sizeof *self->restore);
    if (!self->restore)
        return NULL;
    const char *c = getenv("TONGBAN_COUNTY_RESTORE_CHUNK");
    self->restore->chunk = c && atoi(c) > 0 && atoi(c) < RESTORE_CHUNK ? atoi(c) : RESTORE_CHUNK;
    return self->restore;
}

void county_restore_free(county_t *self)
{
    if (!self->restore)
        return;
    msgs_free(&self->restore->out);
    free(self->restore);
    self->restore = NULL;
}

bool county_restore_due(const county_t *self)
{
    return self->restore && self->restore->due;
}

int county_restore_asked(county_t *self, const msg_t *m, const Tongban__V1__RestoreRequest *rq)
{
    if (strcmp(rq->node, m->peer) != 0)
        return county_quarantine(self, m, "a restore request for another node");
    peer_t *p = county_peer_get(self, m->peer);
    struct county_restore *r = restore_get(self);
    if (!p || !r)
        return -ENOMEM;
    if (!self->cmd_pg && (self->ncmds || county_cmd_connect(self) < 0))
        return -TB_ESTORE;
    char epoch[24];
    snprintf(epoch, sizeof epoch, "%" PRId64, (int64_t)p->epoch);
    const char *v[2] = {m->peer, epoch};
    PGresult *res = PQexecParams(self->cmd_pg,
                                 "SELECT count(*) FROM township_restores"
                                 " WHERE peer = $1 AND epoch = $2::bigint",
                                 2, NULL, v, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    bool again = ok && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    if (!ok)
        snprintf(self->batch_err, sizeof self->batch_err, "restore asked: %s",
                 PQerrorMessage(self->cmd_pg));
    PQclear(res);
    county_notify_drain(self);
    if (!ok)
        return -TB_ESTORE;
    int rc;
    if (again) {
        /* Bad input must not grow the outbox: kept aside, counted, no answer. */
        char counter[64];
        snprintf(counter, sizeof counter, "refused %s", m->peer);
        if ((rc = county_count(self, counter)) < 0)
            return rc;
        return county_quarantine(self, m, "restore asked again by the same store: nothing queued");
    }
    params_t a = {0};
    p_text(&a, m->peer);
    p_int(&a, (int64_t)p->epoch);
    if ((rc = county_stmt_send(self, "restore_ask", &a)) < 0)
        return rc;
    r->idle = false;
    if (county_may_log(self, m->peer))
        tb_warn("township %s asked for its lost store (epoch %016" PRIx64
                "): answering from the county's store",
                m->peer, p->epoch);
    return 0;
}

static int push(struct county_restore *r, uint8_t *buf, size_t len)
{
    int rc = msgs_push(&r->out, r->peer, 0, buf, len);
    free(buf);
    return rc;
}

static PGresult *query(county_t *self, const char *sql, int n, const char *const *v, int binary)
{
    PGresult *res = PQexecParams(self->cmd_pg, sql, n, NULL, v, NULL, NULL, binary);
    county_notify_drain(self);
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    PQclear(res);
    return NULL;
}

/* Every data version the township needs, from version 1, signed. */
static int read_data(county_t *self, struct county_restore *r)
{
    const char *v[1] = {r->peer};
    PGresult *res =
        query(self,
              "SELECT kind, version, body FROM (SELECT 0 AS o, 'catalog' AS kind, version, body"
              " FROM catalog_versions UNION ALL SELECT 1, 'calendar', version, body FROM "
              "calendar_versions"
              " UNION ALL SELECT 2, 'accounts/' || scope, version, body FROM account_snapshots"
              "  WHERE left(scope, 9) = left($1, 9)) d ORDER BY o, kind, version",
              1, v, 0);
    if (!res)
        return -TB_ESTORE;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
        uint8_t *buf;
        size_t len;
        rc = county_data_pack(self, PQgetvalue(res, i, 0),
                              (uint32_t)strtoul(PQgetvalue(res, i, 1), NULL, 10),
                              PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2), &buf, &len);
        if (rc == 0)
            rc = push(r, buf, len);
    }
    PQclear(res);
    return rc;
}

static uint64_t be64(const char *s)
{
    uint64_t x = 0;
    for (int k = 0; k < 8; k++)
        x = (x << 8) | (unsigned char)s[k];
    return x;
}

/* The cases the township holds outside its subtree (its subtree's are
 * found by their ids' prefix), from the committed cache (between batches:
 * the state the events read make).  Until migration 028 the statements read
 * them from cases by holder (cases_holder), an index every ingested case
 * paid for and only a restore read; the walk over the cache is what
 * read_statuses does anyway. */
static int held_elsewhere(county_t *self, const char *peer, char **ret)
{
    if (!self->cases)
        return -TB_ESTORE; /* dropped for a reload: read again after it */
    return county_restore_held(self->cases, peer, ret);
}

int county_restore_held(const tb_map_t *cases, const char *peer, char **ret_array)
{
    size_t n = 1, cap = 64, pos = 0;
    const char *case_id;
    uintptr_t v;
    char *a = county_malloc(cap);
    if (!a)
        return -ENOMEM;
    a[0] = '{';
    while (tb_map_next(cases, &pos, &case_id, &v)) {
        const tb_case_t *c = (const tb_case_t *)v;
        if (strcmp(c->holder, peer) != 0 || strncmp(case_id, peer, 9) == 0)
            continue; /* the holder first: most fail there, one memory read each */
        size_t need = n + 2 * strlen(case_id) + 5; /* quotes, escapes, comma, '}' and NUL */
        if (need > cap) {
            cap = need * 2;
            char *b = county_realloc(a, cap);
            if (!b) {
                free(a);
                return -ENOMEM;
            }
            a = b;
        }
        if (n > 1)
            a[n++] = ',';
        a[n++] = '"';
        for (const char *s = case_id; *s; s++) {
            if (*s == '"' || *s == '\\')
                a[n++] = '\\';
            a[n++] = *s;
        }
        a[n++] = '"';
    }
    a[n++] = '}';
    a[n] = '\0';
    *ret_array = a;
    return 0;
}

/* The next RESTORE_CHUNK events after the progress, as stored. */
static int read_events(county_t *self, struct county_restore *r)
{
    char last[24], limit[24], *held;
    snprintf(last, sizeof last, "%" PRId64, r->old_last);
    snprintf(limit, sizeof limit, "%d", r->chunk);
    int rc = held_elsewhere(self, r->peer, &held);
    if (rc < 0)
        return rc;
    const char *v[4] = {r->peer, last, limit, held};
    PGresult *res = query(self,
                          "SELECT id, body FROM case_events WHERE id > $2::bigint"
                          " AND (left(case_id, 9) = left($1, 9) OR case_id = ANY($4::text[]))"
                          " ORDER BY id LIMIT $3::bigint",
                          4, v, 1);
    free(held);
    if (!res)
        return -TB_ESTORE;
    int n = PQntuples(res);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (PQgetlength(res, i, 0) != 8) {
            rc = -TB_ESTORE;
            break;
        }
        r->new_last = (int64_t)be64(PQgetvalue(res, i, 0));
        rc = msgs_push(&r->out, r->peer, 0, (const uint8_t *)PQgetvalue(res, i, 1),
                       (size_t)PQgetlength(res, i, 1));
    }
    PQclear(res);
    r->events = n;
    r->done = n < r->chunk;
    return rc;
}

/* The ids of a case's folded events in the county's order (case_events.id;
 * a REJECTED verdict takes no position, as county_record.c counts): rows
 * res[first..] of case_id, into ids when they are its positions 1..version
 * (at most TB_FOLDED_MAX), else none (proto StatusUpdate.folded). */
static size_t order_ids(PGresult *res, int first, const char *case_id, uint32_t version, char **ids)
{
    int n = 0, rows = PQntuples(res);
    while (first + n < rows && strcmp(PQgetvalue(res, first + n, 0), case_id) == 0)
        n++;
    if (n == 0 || (uint32_t)n != version || n > TB_FOLDED_MAX)
        return 0;
    for (int i = 0; i < n; i++)
        ids[i] = PQgetvalue(res, first + i, 1);
    return (size_t)n;
}

/* The county's status of each case of the answer, from the committed cache
 * (between batches: the same state the events just read make), each with
 * the ids of all its folded events (StatusUpdate.folded, positions
 * 1..version): the restored store folds in the county's order from the
 * first event. */
static int read_statuses(county_t *self, struct county_restore *r)
{
    char *held;
    int hrc = held_elsewhere(self, r->peer, &held);
    if (hrc < 0)
        return hrc;
    const char *q[2] = {r->peer, held};
    PGresult *res = query(self,
                          "SELECT case_id, origin_node || '/' || origin_seq FROM case_events"
                          " WHERE folded AND type <> 18 AND (left(case_id, 9) = left($1, 9)"
                          "  OR case_id = ANY($2::text[]))"
                          " ORDER BY case_id, id",
                          2, q, 0);
    free(held);
    tb_map_t *first = res ? tb_map_new() : NULL;
    char **ids = first ? calloc(TB_FOLDED_MAX, sizeof *ids) : NULL;
    int rc = !res ? -TB_ESTORE : !ids ? -ENOMEM : 0;
    for (int i = 0; rc == 0 && i < PQntuples(res); i++)
        if (!tb_map_get(first, PQgetvalue(res, i, 0), NULL))
            rc = tb_map_put(first, PQgetvalue(res, i, 0), (uintptr_t)i);
    size_t pos = 0;
    const char *case_id;
    uintptr_t v, at;
    while (rc == 0 && tb_map_next(self->cases, &pos, &case_id, &v)) {
        const tb_case_t *c = (const tb_case_t *)v;
        if (strncmp(case_id, r->peer, 9) != 0 && strcmp(c->holder, r->peer) != 0)
            continue;
        size_t n =
            tb_map_get(first, case_id, &at) ? order_ids(res, (int)at, case_id, c->version, ids) : 0;
        uint8_t *buf;
        size_t len;
        if ((rc = county_status_pack(case_id, c, ids, n, &buf, &len)) == 0)
            rc = push(r, buf, len);
        r->a.cases++;
    }
    free(ids);
    if (first)
        tb_map_destroy(&first);
    PQclear(res);
    return rc;
}

/* The RestoreAnswer: the high-water mark of the township's own ids and the
 * ones below it the county never stored. */
static int read_answer(county_t *self, struct county_restore *r, int64_t events_before)
{
    const char *v[1] = {r->peer};
    PGresult *res = query(self,
                          "WITH h AS (SELECT coalesce(max(origin_seq), 0) AS high FROM case_events"
                          "  WHERE origin_node = $1)"
                          " SELECT h.high, s FROM h LEFT JOIN LATERAL (SELECT s FROM"
                          "  generate_series(1, h.high) s WHERE NOT EXISTS (SELECT 1 FROM"
                          "  case_events e WHERE e.origin_node = $1 AND e.origin_seq = s)"
                          "  ORDER BY s LIMIT 4096) g ON true",
                          1, v, 0);
    if (!res)
        return -TB_ESTORE;
    int n = PQntuples(res);
    uint64_t *lost = n ? calloc((size_t)n, sizeof *lost) : NULL;
    if (n && !lost) {
        PQclear(res);
        return -ENOMEM;
    }
    Tongban__V1__RestoreAnswer *a = &r->a;
    a->node = r->peer;
    a->origin_seq = n ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    a->events = (uint64_t)(events_before + r->events);
    a->catalog_version = self->env->catalog_version;
    a->calendar_version = self->env->calendar_version;
    for (int i = 0; i < n && i < RESTORE_MAX_LOST; i++)
        if (!PQgetisnull(res, i, 1))
            lost[a->n_lost++] = strtoull(PQgetvalue(res, i, 1), NULL, 10);
    PQclear(res);
    a->lost = lost;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER;
    item.restore_answer = a;
    uint8_t *buf;
    size_t len;
    int rc = tb_pack_item(&item, &buf, &len);
    a->lost = NULL;
    free(lost);
    return rc < 0 ? rc : push(r, buf, len);
}

/* Read the next chunk into r (r->due on success). */
static int read_chunk(county_t *self, struct county_restore *r)
{
    const char *q = "SELECT peer, epoch, last_id, data_done, events FROM township_restores"
                    " WHERE answered_at IS NULL ORDER BY asked_at, peer LIMIT 1";
    PGresult *res = query(self, q, 0, NULL, 0);
    if (!res)
        return -TB_ESTORE;
    if (PQntuples(res) == 0) {
        r->idle = true;
        PQclear(res);
        return 0;
    }
    snprintf(r->peer, sizeof r->peer, "%s", PQgetvalue(res, 0, 0));
    r->epoch = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    r->new_last = r->old_last = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    bool data_done = PQgetvalue(res, 0, 3)[0] == 't';
    int64_t events_before = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
    PQclear(res);
    memset(&r->a, 0, sizeof r->a);
    tongban__v1__restore_answer__init(&r->a);
    r->events = 0;
    r->to_no_one = false;
    peer_t *p = county_peer_get(self, r->peer);
    if (!p)
        return -ENOMEM;
    if ((int64_t)p->epoch != r->epoch || !county_my_township(self, r->peer)) {
        /* The township has another store by now (or is no longer ours):
         * the answer is owed to no one; the row is closed, nothing queued. */
        r->done = r->due = r->to_no_one = true;
        return 0;
    }
    tb_linkeng_peer_t e;
    if (tb_linkeng_peer(self->eng, r->peer, &e) == 0 &&
        e.last > e.acked + (uint64_t)(RESTORE_AHEAD * r->chunk))
        return 0; /* paced: the township applies what it has first */
    int rc = data_done ? 0 : read_data(self, r);
    if (rc == 0)
        rc = read_events(self, r);
    if (rc == 0 && r->done)
        rc = read_statuses(self, r);
    if (rc == 0 && r->done)
        rc = read_answer(self, r, events_before);
    if (rc == 0)
        r->due = true;
    return rc;
}

void county_restore_poll(county_t *self)
{
    struct county_restore *r = restore_get(self);
    if (!r || r->idle || r->due || !self->pg || !self->cmd_pg || !self->eng || self->stopping ||
        self->in_flight)
        return;
    int rc = read_chunk(self, r);
    if (rc < 0) {
        msgs_clear(&r->out);
        r->due = false;
        if (!r->failed)
            tb_warn("restore of township %s: %s (%s); read again at the next poll", r->peer,
                    tb_strerror(rc), rc == -TB_ESTORE ? PQerrorMessage(self->cmd_pg) : "");
    }
    r->failed = rc < 0;
}

int county_restore_batch(county_t *self)
{
    struct county_restore *r = self->restore;
    if (!r || !r->due)
        return 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->out.n; i++)
        rc = county_link_queue(self, r->peer, r->out.v[i].buf, r->out.v[i].len);
    params_t a = {0};
    p_text(&a, r->peer);
    p_int(&a, r->epoch);
    p_int(&a, r->old_last);
    p_int(&a, r->new_last);
    p_int(&a, r->events);
    p_text(&a, r->done ? "true" : "false");
    if (rc == 0)
        rc = county_stmt_send(self, "restore_step", &a);
    if (rc == 0 && r->done && !r->to_no_one)
        tb_warn("township %s's lost store answered (queued): %" PRIu64 " event(s) of %" PRIu64
                " case(s), catalog v%u, calendar v%u, origin_seq %" PRIu64
                "; %zu event id(s) below it never reached the county (lost)",
                r->peer, r->a.events, r->a.cases, (unsigned)r->a.catalog_version,
                (unsigned)r->a.calendar_version, r->a.origin_seq, r->a.n_lost);
    else if (rc == 0 && r->done)
        tb_warn("township %s has had another store since it asked for a restore: "
                "the answer goes to no one",
                r->peer);
    msgs_clear(&r->out);
    r->due = false;
    r->idle = false; /* the next chunk, or the next township's */
    return rc;
}
