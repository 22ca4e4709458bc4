#include "village.h"

#include "tb_error.h"
#include "tb_log.h"

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

int village_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                  size_t len)
{
    village_node_t *v = ctx;
    if (strcmp(peer, v->env->parent) != 0) {
        /* Everything a village is told comes through its own township. */
        tb_warn("item from %s, not our township %s: ignored", peer, v->env->parent);
        return 0;
    }
    const char *case_id = tb_edge_case_id(item);
    if (case_id && strncmp(case_id, tb_store_place(v->store), TB_CODE_LEN) != 0) {
        if (item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT)
            tb_warn("event %s/%llu is for case %s, not ours: ignored", item->event->origin_node,
                    (unsigned long long)item->event->origin_seq, case_id);
        return 0; /* a status update: not one of ours, nothing to update */
    }
    int fold = 0;
    int rc = tb_edge_from_above(v->env, v->store, item, body, len, &fold);
    if (rc == 0 && item->item_case == TONGBAN__V1__ITEM__ITEM_DATA)
        tb_info("%s version %u in force", item->data->kind, (unsigned)item->data->version);
    else if (rc == 0 && fold < 0)
        tb_warn("event %s/%llu on %s does not fold here: %s", item->event->origin_node,
                (unsigned long long)item->event->origin_seq, case_id, tb_strerror(fold));
    return rc < 0 ? rc : 0;
}
