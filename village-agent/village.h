/* village: the village agent's node (村便民服务代办点).
 *
 * The agent's commands write to the local SQLite ledger with no network at
 * all; `serve` syncs the outbox to the township through the broker and applies
 * what comes back (events on the village's cases, the county's status).
 * Logging a case and applying what comes from above are shared with the
 * township (tb_edge); what is the village's own is here. */
#ifndef VILLAGE_H
#define VILLAGE_H

#include "tb_act.h"
#include "tb_data.h"
#include "tb_edge.h"

typedef tb_entry_t village_entry_t;
typedef tb_edge_t village_node_t;

/* Log what the agent typed (tb_edge_log at a village): LOGGED and, for items
 * the village cannot settle itself, SUBMITTED to the township, in one
 * transaction.  Writes the case id.  On bad input returns -TB_EBADNAME,
 * -TB_EBADPHONE, -TB_EUNKNOWN_ITEM, -TB_ETOOLONG ... and writes nothing. */
int village_log(const tb_env_ctx_t *env, tb_store_t *store, const village_entry_t *e,
                char ret_id[TB_CASEID_MAX]);

/* A step of the agent on one of the village's cases (supplement, deliver,
 * rate, withdraw, note): queued to the township.  See tb_act(). */
int village_act(const tb_env_ctx_t *env, tb_store_t *store, tb_act_t *a);

/* A returned case (its LOGGED answered with REJECTED) to log again as a new
 * case (village_resend.c): fills the fields of e that are NULL from the
 * first LOGGED, the text kept in buf.  -TB_ENOCASE (not a case this village
 * logged), -TB_EILLEGAL (not returned), or 0. */
typedef struct {
    char client[256], phone[64], item[32], note[2048], reply[2048], materials[2048];
} village_resend_t;
int village_returned_entry(tb_store_t *store, const char *case_id, village_entry_t *e,
                           village_resend_t *buf);

/* Apply one item that arrived from the township (inside the batch
 * transaction); ctx is a village_node_t.  Only the village's own township is
 * heard, and only about the village's own cases; a catalog or calendar
 * version (DataVersion) is stored and put in force when it is newer than the
 * one in use. */
int village_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                  size_t len);

/* A restore (tongban-village restore; village_restore.c).  village_restored:
 * the township's RestoreAnswer arrived (inside the batch transaction): record
 * it (tb_restore_apply) and log the numbers.  village_restore_cmd: on a new,
 * empty store, ask the township (once) and wait up to wait_s seconds for the
 * answer to be applied by the serving node; print what was restored and what
 * was lost.  0, -EEXIST (the store holds cases), -ETIMEDOUT, or another code. */
int village_restored(village_node_t *v, const Tongban__V1__RestoreAnswer *a);
int village_restore_cmd(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json);

#endif
