/* tb_restore_cli.c: the `restore` command of a village or township
 * (tb_restore_cli.h). */
#include "tb_restore_cli.h"

#include "tb_i18n.h"
#include "tb_place.h"
#include "tb_restore.h"
#include "tb_sqlink.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

static void report(const tb_restore_t *r, bool township, bool json, FILE *out)
{
    if (json) {
        fprintf(out,
                "{\"restored\":true,\"cases\":%" PRIu64 ",\"events\":%" PRIu64
                ",\"origin_seq\":%" PRIu64 ",\"lost\":[%s]}\n",
                r->cases, r->events, r->origin_seq, r->lost);
        return;
    }
    fprintf(out,
            TB_TR("已恢复：%" PRIu64 " 件，%" PRIu64 " 条办理记录；%s事件编号从 %" PRIu64
                  " 之后继续\n",
                  "restored: %" PRIu64 " case(s), %" PRIu64 " event(s); this %s's event ids "
                  "continue after %" PRIu64 "\n"),
            r->cases, r->events, township ? TB_TR("本乡镇", "township") : TB_TR("本村", "village"),
            r->origin_seq);
    if (r->lost[0])
        fprintf(out,
                TB_TR("丢失（只在旧电脑上、县里从未收到）的事件编号：%s\n",
                      "lost (only on the old disk, never seen upstream) event ids: %s\n"),
                r->lost);
    fprintf(out,
            TB_TR("旧电脑上在 %" PRIu64 " 之后登记而未送出的事项已丢失，请按纸质台账重新登记\n",
                  "anything logged on the old PC after %" PRIu64
                  " never left it: log it again from the paper ledger\n"),
            r->origin_seq);
}

static int restore(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json, FILE *out,
                   FILE *err)
{
    bool township = tb_code_level(env->place) == TB_LEVEL_TOWNSHIP;
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
        fprintf(err, township
                         ? TB_TR("请求已排队：请启动 tongban-township serve，它把请求送往县里\n",
                                 "request queued: start tongban-township serve, which sends "
                                 "it to the county\n")
                         : TB_TR("请求已排队：请启动 tongban-village serve，它把请求送往乡镇\n",
                                 "request queued: start tongban-village serve, which sends "
                                 "it to the township\n"));
    for (int i = 0; i < wait_s * 5; i++) {
        if ((rc = tb_restore_status(store, &r)) < 0)
            return rc;
        if (r.answered) {
            report(&r, township, json, out);
            return 0;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -ETIMEDOUT;
}

int tb_restore_cli(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json, FILE *out,
                   FILE *err)
{
    int rc = restore(env, store, wait_s, json, out, err);
    bool township = tb_code_level(env->place) == TB_LEVEL_TOWNSHIP;
    if (rc == -EEXIST)
        fputs(township ? TB_TR("错误：本地数据已有办件；恢复只能写入新的空数据（先把旧文件移走）\n",
                               "error: this store holds cases already; a restore goes into a "
                               "new, empty store (move the old file away first)\n")
                       : TB_TR("错误：本台账已有办件；恢复只能写入新的空台账（先把旧文件移走）\n",
                               "error: this store holds cases already; a restore goes into a "
                               "new, empty store (move the old file away first)\n"),
              err);
    else if (rc == -ETIMEDOUT)
        fputs(township ? TB_TR("错误：县里尚未答复；serve 运行时再执行一次 restore 继续等待\n",
                               "error: no answer from the county yet; run restore again (with "
                               "serve running) to wait on\n")
                       : TB_TR("错误：乡镇尚未答复；serve 运行时再执行一次 restore 继续等待\n",
                               "error: no answer from the township yet; run restore again (with "
                               "serve running) to wait on\n"),
              err);
    return rc;
}
