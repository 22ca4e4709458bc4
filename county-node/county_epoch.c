/* county_epoch.c: the county database's store epoch (sql/010_epoch.sql) in
 * every envelope the county sends (proto Envelope.epoch), and its townships'
 * epochs (sql/016_link_epochs.sql): a replaced township store resets its link. */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdlib.h>

int county_epoch_load(county_t *self)
{
    PGresult *r = PQexec(self->pg, "SELECT epoch FROM store_epoch LIMIT 1");
    int rc = -TB_ESTORE;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        uint64_t epoch = (uint64_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        if (epoch) {
            self->store_epoch = epoch;
            if (self->node) /* the unit tests' county may have none */
                tb_node_set_epoch(self->node, epoch);
            rc = 0;
        }
    }
    if (rc < 0)
        tb_error("cannot read the store epoch: %s", PQerrorMessage(self->pg));
    PQclear(r);
    return rc;
}

/* ---- the townships' epochs ------------------------------------------------------------
 *
 * The link engine checks every envelope's epoch against what the peer had
 * (common/tb_linkeng.h).  The county answers from memory, loaded with the
 * links, and records a change in its next batch (statement "epoch_set", the
 * procedure of sql/016_link_epochs.sql), after the batch's cursors: the old
 * store's last messages are applied first, then the link is reset.  A batch
 * with a reset is followed by a reload of everything from the store
 * (county_batch_finish): the engine, the cursors and the renumbered outbox
 * come back as a reconnect brings them, by the one path every failure takes. */

int county_epoch_load_peers(county_t *self)
{
    PGresult *r = county_query(self->pg, "SELECT peer, epoch, false FROM link_epoch UNION ALL"
                                         " SELECT peer, epoch, true FROM link_epoch_old");
    if (!r)
        return -TB_ESTORE;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        peer_t *p = county_peer_get(self, PQgetvalue(r, i, 0));
        if (!p) {
            rc = tb_code_valid(PQgetvalue(r, i, 0)) ? -ENOMEM : 0;
            continue;
        }
        uint64_t e = (uint64_t)strtoll(PQgetvalue(r, i, 1), NULL, 10);
        if (PQgetvalue(r, i, 2)[0] != 't') {
            p->epoch = e;
            continue;
        }
        uint64_t *v = county_realloc(p->retired, (p->nretired + 1) * sizeof *v);
        if (!v) {
            rc = -ENOMEM;
            continue;
        }
        p->retired = v;
        p->retired[p->nretired++] = e;
    }
    PQclear(r);
    return rc;
}

int county_epoch_get(void *st, const char *peer, uint64_t *ret_epoch)
{
    peer_t *p = county_peer_get(st, peer);
    if (!p)
        return -ENOMEM;
    *ret_epoch = p->epoch;
    return 0;
}

int county_epoch_retired(void *st, const char *peer, uint64_t epoch, int *ret)
{
    peer_t *p = county_peer_get(st, peer);
    if (!p)
        return -ENOMEM;
    int found = 0;
    for (size_t i = 0; i < p->nretired; i++)
        found |= p->retired[i] == epoch;
    *ret = found;
    return 0;
}

int county_epoch_set(void *st, const char *peer, uint64_t epoch, bool reset)
{
    county_t *self = st;
    peer_t *p = county_peer_get(self, peer);
    if (!p)
        return -ENOMEM;
    p->epoch_next = epoch;
    p->epoch_queued = true;
    p->epoch_reset = reset;
    if (!reset)
        p->epoch = epoch; /* a first epoch: the link goes on meanwhile */
    return 0;
}

bool county_epoch_due(const county_t *self)
{
    for (size_t i = 0; i < self->npeers; i++)
        if (self->peers[i].epoch_queued)
            return true;
    return false;
}

int county_epoch_batch(county_t *self)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->npeers; i++) {
        peer_t *p = &self->peers[i];
        if (!p->epoch_queued)
            continue;
        params_t a = {0};
        p_text(&a, p->code);
        p_int(&a, (int64_t)p->epoch_next);
        p_text(&a, p->epoch_reset ? "true" : "false");
        rc = county_stmt_send(self, "epoch_set", &a);
        p->epoch_queued = false; /* a lost batch reloads the peers from the store */
        self->epoch_reset_in_batch |= p->epoch_reset;
    }
    return rc;
}

void county_epoch_note(void *ctx, const char *peer, uint64_t old_epoch, uint64_t new_epoch,
                       bool replay)
{
    if (!county_may_log(ctx, peer))
        return;
    if (replay)
        tb_warn("township %s sent under a retired epoch (old %016" PRIx64 " new %016" PRIx64
                "): replay dropped",
                peer, old_epoch, new_epoch);
    else
        tb_info("township %s has a new store (epoch old %016" PRIx64 " new %016" PRIx64
                "): link reset, its seqs start at 1, our unacknowledged messages renumbered",
                peer, old_epoch, new_epoch);
}
