/* county_epoch.c: the county database's store epoch (sql/010_epoch.sql) in
 * every envelope the county sends (proto Envelope.epoch). */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <stdlib.h>

int county_epoch_load(county_t *self)
{
    PGresult *r = PQexec(self->pg, "SELECT epoch FROM store_epoch LIMIT 1");
    int rc = -TB_ESTORE;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        uint64_t epoch = (uint64_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        if (epoch) {
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
