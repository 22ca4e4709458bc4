/* village_restore.c: a replaced village PC gets its store back from the
 * county's side (README "A replaced village PC"; tb_restore.h). */
#include "village.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_restore.h"
#include "tb_sqlink.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

int village_restored(village_node_t *v, const Tongban__V1__RestoreAnswer *a)
{
    int rc = tb_restore_apply(v->store, a);
    if (rc < 0)
        return rc;
    tb_warn("store restored from township: %" PRIu64 " event(s) of %" PRIu64
            " case(s), catalog v%u, calendar v%u; our events continue after origin_seq %" PRIu64
            "; %zu event id(s) never reached the township (lost)",
            a->events, a->cases, (unsigned)a->catalog_version, (unsigned)a->calendar_version,
            a->origin_seq, a->n_lost);
    return 0;
}

static void report(const tb_restore_t *r, bool json)
{
    if (json) {
        printf("{\"restored\":true,\"cases\":%" PRIu64 ",\"events\":%" PRIu64
               ",\"origin_seq\":%" PRIu64 ",\"lost\":[%s]}\n",
               r->cases, r->events, r->origin_seq, r->lost);
        return;
    }
    printf(TB_TR("已恢复：%" PRIu64 " 件，%" PRIu64 " 条办理记录；本村事件编号从 %" PRIu64
                 " 之后继续\n",
                 "restored: %" PRIu64 " case(s), %" PRIu64
                 " event(s); this village's event ids continue after %" PRIu64 "\n"),
           r->cases, r->events, r->origin_seq);
    if (r->lost[0])
        printf(TB_TR("丢失（只在旧电脑上、县里从未收到）的事件编号：%s\n",
                     "lost (only on the old disk, never seen upstream) event ids: %s\n"),
               r->lost);
    printf(TB_TR("旧电脑上在 %" PRIu64 " 之后登记而未送出的事项已丢失，请按纸质台账重新登记\n",
                 "anything logged on the old PC after %" PRIu64
                 " never left it: log it again from the paper ledger\n"),
           r->origin_seq);
}

int village_restore_cmd(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json)
{
    tb_restore_t r;
    int rc = tb_restore_status(store, &r);
    if (rc < 0)
        return rc;
    if (!r.asked) {
        if ((rc = tb_store_begin(store)) < 0)
            return rc;
        if ((rc = tb_restore_request(store, env->parent)) < 0) {
            tb_store_rollback(store);
            return rc;
        }
        if ((rc = tb_store_commit(store)) < 0)
            return rc;
    }
    if (tb_sqlink_wake(store) < 0 && !json)
        fprintf(stderr, TB_TR("请求已排队：请启动 tongban-village serve，它把请求送往乡镇\n",
                              "request queued: start tongban-village serve, which sends it to "
                              "the township\n"));
    for (int i = 0; i < wait_s * 5; i++) {
        if ((rc = tb_restore_status(store, &r)) < 0)
            return rc;
        if (r.answered) {
            report(&r, json);
            return 0;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -ETIMEDOUT;
}
