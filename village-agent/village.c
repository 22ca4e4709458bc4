#include "village.h"

#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_log.h"
#include "tb_restore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int village_log(const tb_env_ctx_t *env, tb_store_t *store, const village_entry_t *e,
                char ret_id[TB_CASEID_MAX])
{
    return tb_edge_log(env, store, e, ret_id);
}

int village_act(const tb_env_ctx_t *env, tb_store_t *store, tb_act_t *a)
{
    const char *peers[] = {env->parent, NULL};
    return tb_act(store, a, peers);
}

/* Every log line a peer can cause goes through here: at most
 * TB_RATELIMIT_LINES a minute per peer (tb_log_peer). */
static tb_ratelimit_t lines; /* one node per process */

/* Keep aside and count what peer was not entitled to send; one log line naming
 * the peer and why. */
static int refuse(village_node_t *v, const char *peer, const uint8_t *body, size_t len,
                  const char *why)
{
    uint64_t n = 0;
    int rc = tb_edge_refuse(v->store, peer, body, len, why, &n);
    if (rc < 0)
        return rc;
    if (tb_log_peer(&lines, peer))
        tb_warn("message from %s refused: %s (%" PRIu64 " refused from %s)", peer, why, n, peer);
    return 0;
}

int village_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                  size_t len)
{
    village_node_t *v = ctx;
    /* Everything a village is told comes through its own township. */
    if (strcmp(peer, v->env->parent) != 0)
        return refuse(v, peer, body, len, "not our township");
    /* The answer to our restore request (village_restore.c). */
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER) {
        int rc = village_restored(v, item->restore_answer);
        return rc == -EINVAL ? refuse(v, peer, body, len, "a restore answer nobody asked for") : rc;
    }
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST)
        return refuse(v, peer, body, len, "a restore request to a village");
    /* ... and is about the cases this village logged (a township relays only
     * those). */
    const char *case_id = tb_edge_case_id(item);
    if (case_id && strncmp(case_id, tb_store_place(v->store), TB_CODE_LEN) != 0)
        return refuse(v, peer, body, len, "a case this village did not log");
    for (size_t i = 0;
         item->item_case == TONGBAN__V1__ITEM__ITEM_STATUSES && i < item->statuses->n_updates; i++)
        if (strncmp(item->statuses->updates[i]->case_id, tb_store_place(v->store), TB_CODE_LEN))
            return refuse(v, peer, body, len, "a case this village did not log");
    char scope[TB_CODE_LEN + 1];
    if (item->item_case == TONGBAN__V1__ITEM__ITEM_DATA &&
        tb_accountlist_kind(item->data->kind, scope) && strcmp(scope, v->env->place) != 0)
        return refuse(v, peer, body, len, "the accounts of another place");
    int fold = 0;
    int rc = item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT
                 ? tb_restore_replace(v->store, item->event, body, len)
                 : 0;
    if (rc < 0)
        return rc;
    rc = tb_edge_from_above(v->env, v->store, item, body, len, &fold);
    if (rc == 2 && item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT) {
        char stored[TB_DIGEST_HEX], got[TB_DIGEST_HEX];
        tb_edge_conflict(v->store, item->event, body, len, stored, got);
        if (tb_log_peer(&lines, peer))
            tb_error("township %s: event %s/%" PRIu64
                     " came again with other content (stored sha256 "
                     "%s, new sha256 %s): the new one refused",
                     peer, item->event->origin_node, item->event->origin_seq, stored, got);
        return refuse(v, peer, body, len, "an event id reused for other content");
    }
    if (rc == 3) {
        char why[128];
        snprintf(why, sizeof why, "%s version %u without a valid county signature%s",
                 item->data->kind, (unsigned)item->data->version,
                 v->env->data_pk_set ? "" : " (no county.sign.pub pinned in the keys directory)");
        return refuse(v, peer, body, len, why);
    }
    if (rc == 2) {
        uint32_t cur = 0;
        if ((rc = tb_data_current(v->store, item->data->kind, &cur)) < 0)
            return rc;
        char why[128];
        snprintf(why, sizeof why, "%s version %u is not the next one (%u)", item->data->kind,
                 (unsigned)item->data->version, (unsigned)cur + 1);
        return refuse(v, peer, body, len, why);
    }
    if (rc == 0 && item->item_case == TONGBAN__V1__ITEM__ITEM_DATA)
        tb_info("%s version %u in force", item->data->kind, (unsigned)item->data->version);
    else if (rc == 0 && fold < 0 && tb_log_peer(&lines, peer))
        tb_warn("event %s/%llu on %s does not fold here: %s", item->event->origin_node,
                (unsigned long long)item->event->origin_seq, case_id, tb_strerror(fold));
    return rc < 0 ? rc : 0;
}
