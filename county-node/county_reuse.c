/* county_reuse.c: content-addressed event ids at the county (issues 8 and 9).
 *
 * An event's id is (origin_node, origin_seq); the county stores each with the
 * SHA-256 of its bytes (case_events.digest, migration 013).  Before, an id
 * that came again went to `ON CONFLICT DO NOTHING`: with other content it
 * was stored nowhere and answered not at all, with the same content it was
 * folded in memory a second time.
 *
 * Looking every event up would cost the batch a round trip per event.  It
 * needs none: an origin's events reach the county in origin_seq order (a
 * village's through its township's link, a township's own on its link), so
 * an id above the highest one seen from its origin is new.  Only an id at or
 * below it is looked up: an earlier event of the batch being built
 * (batch_ids), else the committed store on the plain connection (a blocking
 * query, like the intake's; the store has every earlier batch but the
 * older of two in flight, whose ids are looked up in memory too).  Such an id is rare
 * among honest nodes (a link reset resending what was applied); a hostile
 * township can send many, each one indexed lookup, paced by its link window.
 * An id below the highest that is not stored (one its township refused on
 * the way, which never comes) is taken as new.
 *
 * The highest ids live in memory (origin_last), loaded at every connect:
 * a failed batch always reconnects and reloads, so memory never runs ahead
 * of the store. */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_reject.h"

#include <inttypes.h>
#include <stdio.h>

_Static_assert(sizeof(uintptr_t) >= sizeof(uint64_t), "origin_seq kept as a map value");

void county_reuse_free(county_t *self)
{
    tb_map_destroy(&self->origin_last);
    tb_map_destroy(&self->batch_ids);
}

int county_reuse_load(county_t *self)
{
    county_reuse_free(self);
    self->origin_last = tb_map_new();
    self->batch_ids = tb_map_new();
    if (!self->origin_last || !self->batch_ids)
        return -ENOMEM;
    PGresult *r = county_query(self->pg, "SELECT origin_node, max(origin_seq) FROM case_events"
                                         " GROUP BY origin_node");
    if (!r)
        return -TB_ESTORE;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = county_map_put(self->origin_last, PQgetvalue(r, i, 0),
                            (uintptr_t)strtoull(PQgetvalue(r, i, 1), NULL, 10));
    PQclear(r);
    return rc;
}

int county_reuse_batch(county_t *self)
{
    if (self->batch_ids) { /* kept, its slots sized by the batches so far */
        tb_map_clear(self->batch_ids);
        return 0;
    }
    self->batch_ids = tb_map_new();
    return self->batch_ids ? 0 : -ENOMEM;
}

static void id_key(const tb_event_msg_t *ev, char *key, size_t size)
{
    county_event_key(key, size, ev->origin_node, ev->origin_seq);
}

/* The digest stored under ev's id, on the plain connection: 0, -ENOENT, or
 * -TB_ESTORE (the batch fails and is tried again after reconnecting). */
static int stored_digest(county_t *self, const tb_event_msg_t *ev, char ret_hex[TB_DIGEST_HEX])
{
    if (!self->cmd_pg && (self->ncmds || county_cmd_connect(self) < 0))
        return -TB_ESTORE;
    char seq[24];
    snprintf(seq, sizeof seq, "%" PRIu64, ev->origin_seq);
    const char *v[2] = {ev->origin_node, seq};
    PGresult *r = PQexecParams(self->cmd_pg,
                               "SELECT encode(digest, 'hex') FROM case_events"
                               " WHERE origin_node = $1 AND origin_seq = $2::bigint",
                               2, NULL, v, NULL, NULL, 0);
    int rc = PQresultStatus(r) != PGRES_TUPLES_OK ? -TB_ESTORE : PQntuples(r) ? 0 : -ENOENT;
    if (rc == 0)
        snprintf(ret_hex, TB_DIGEST_HEX, "%s", PQgetvalue(r, 0, 0));
    else if (rc == -TB_ESTORE)
        snprintf(self->batch_err, sizeof self->batch_err, "stored digest: %s",
                 PQerrorMessage(self->cmd_pg));
    PQclear(r);
    county_notify_drain(self); /* notifications the query read along the way */
    return rc;
}

int county_reuse_check(county_t *self, const msg_t *m, const tb_event_msg_t *ev,
                       char stored[TB_DIGEST_HEX])
{
    uintptr_t last = 0;
    if (!self->origin_last || !tb_map_get(self->origin_last, ev->origin_node, &last) ||
        ev->origin_seq > (uint64_t)last)
        return COUNTY_ID_NEW;
    char key[TB_CODE_LEN + 24];
    id_key(ev, key, sizeof key);
    uintptr_t index = 0;
    if (tb_map_get(self->batch_ids, key, &index)) {
        const msg_t *first = &self->inflight.v[index - 1];
        tb_digest_hex(first->buf, first->len, stored);
    } else if (self->older.on && tb_map_get(self->older.ids, key, &index)) {
        const msg_t *first = &self->older.msgs.v[index - 1]; /* not committed yet */
        tb_digest_hex(first->buf, first->len, stored);
    } else {
        int rc = stored_digest(self, ev, stored);
        if (rc == -ENOENT)
            return COUNTY_ID_NEW;
        if (rc < 0)
            return rc;
    }
    char got[TB_DIGEST_HEX];
    tb_digest_hex(m->buf, m->len, got);
    return strcmp(stored, got) == 0 ? COUNTY_ID_SAME : COUNTY_ID_REUSED;
}

int county_reuse_seen(county_t *self, const tb_event_msg_t *ev, size_t index)
{
    if (!self->origin_last || strcmp(ev->origin_node, self->place) == 0)
        return 0;
    uintptr_t last = 0;
    uint64_t h = tb_map_hash(ev->origin_node);
    tb_map_get_hashed(self->origin_last, ev->origin_node, h, &last);
    int rc = 0;
    if (ev->origin_seq > (uint64_t)last)
        rc =
            county_map_put_hashed(self->origin_last, ev->origin_node, h, (uintptr_t)ev->origin_seq);
    char key[TB_CODE_LEN + 24];
    id_key(ev, key, sizeof key);
    return rc < 0 ? rc : county_map_put(self->batch_ids, key, (uintptr_t)index + 1);
}

int county_reuse_refuse(county_t *self, const msg_t *m, const tb_event_msg_t *ev,
                        const char *stored)
{
    char got[TB_DIGEST_HEX], name[64];
    tb_digest_hex(m->buf, m->len, got);
    if (county_may_log(self, m->peer))
        tb_error("township %s: event %s/%" PRIu64 " came again with other content (stored sha256 "
                 "%s, new sha256 %s): the new one refused",
                 m->peer, ev->origin_node, ev->origin_seq, stored, got);
    char why[160];
    snprintf(why, sizeof why, "an event id reused for other content (stored sha256 %.64s)", stored);
    int rc = county_quarantine_keep(self, m, why); /* the alarm above says it */
    snprintf(name, sizeof name, "refused %s", m->peer);
    if (rc == 0)
        rc = county_count(self, name);
    unsigned held = 0;
    if (rc < 0)
        return rc;
    if (!tb_ratelimit_n(&self->answers_rl, m->peer, tb_now_ms(), TB_REJECT_ANSWERS_PER_MIN,
                        &held)) {
        snprintf(name, sizeof name, "unanswered %s", m->peer);
        return county_count(self, name);
    }
    return county_reject_code(self, ev, m->buf, m->len, TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID,
                              tb_reject_text(TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID), m->peer);
}
