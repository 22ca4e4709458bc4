/* township_restore.c: a village's lost store answered from the township's
 * own (proto RestoreRequest says why the township's store is enough). */
#include "township.h"

#include "tb_log.h"
#include "tb_restore.h"

#include <inttypes.h>

int township_restore(township_t *t, const char *village)
{
    Tongban__V1__RestoreAnswer a;
    int rc = tb_restore_answer(t->store, village, &a);
    if (rc < 0)
        return rc;
    tb_warn("village %s asked for its lost store: sent %" PRIu64 " event(s) of %" PRIu64
            " case(s), catalog v%u, calendar v%u, origin_seq %" PRIu64 "; %zu event id(s) "
            "below it never reached us (lost)",
            village, a.events, a.cases, (unsigned)a.catalog_version, (unsigned)a.calendar_version,
            a.origin_seq, a.n_lost);
    return 0;
}
