/* township_restore.c: restores at the township (README "A replaced village
 * PC", "A replaced township PC"; tb_restore.h).
 *  - a village's lost store, answered from the township's own (proto
 *    RestoreRequest says why the township's store is enough);
 *  - the township's own lost store, answered by the county from PostgreSQL
 *    (county-node/county_restore.c): the answer's items arrive as any from
 *    the county, the RestoreAnswer last. */
#include "township.h"

#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_restore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

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

bool township_restoring(township_t *t)
{
    return tb_restore_pending(t->store) > 0;
}

const char *township_restoring_why(void)
{
    return TB_TR(
        "本乡镇正在从县里恢复数据，恢复完成后才能办理（tongban-township restore 查看进度）",
        "this township's store is being restored from the county; steps wait until it "
        "is done (tongban-township restore shows where it stands)");
}

enum { WAITING_MAX = 4096 }; /* cases confirmed at once after a restore (more: at the next) */

int township_restored(township_t *t, const Tongban__V1__RestoreAnswer *a)
{
    int rc = tb_restore_apply(t->store, a);
    if (rc < 0)
        return rc;
    /* A village's case submitted to us while the answer was on its way was
     * not confirmed then (our ids waited for the high-water mark); nor was
     * one whose 签收 existed only on the lost disk.  Both are now. */
    char(*ids)[TB_CASEID_MAX] = malloc(WAITING_MAX * sizeof *ids);
    size_t n = 0;
    if (!ids)
        return -ENOMEM;
    rc = tb_restore_waiting(t->store, ids, WAITING_MAX, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tb_event_msg_t rcv = TONGBAN__V1__CASE_EVENT__INIT;
        rcv.case_id = ids[i];
        rcv.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
        rcv.actor = (char *)"";
        char village[TB_CODE_LEN + 1];
        snprintf(village, sizeof village, "%.12s", ids[i]);
        const char *peers[3] = {t->env->parent, village, NULL};
        rc = tb_store_emit(t->store, &rcv, peers);
    }
    free(ids);
    if (rc < 0)
        return rc;
    char line[400];
    tb_restore_text(a, "county", line, sizeof line);
    tb_warn("%s; %zu case(s) confirmed now", line, n);
    return 0;
}
