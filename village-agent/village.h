/* village: the village agent's node (村便民服务代办点).
 *
 * The agent's commands write to the local SQLite ledger with no network at
 * all; `serve` syncs the outbox to the township through the broker and applies
 * what comes back (events on the village's cases, the county's status). */
#ifndef VILLAGE_H
#define VILLAGE_H

#include "tb_act.h"
#include "tb_case.h"
#include "tb_cli.h"
#include "tb_data.h"
#include "tb_store.h"

typedef struct {
    const char *client, *phone, *item, *note, *agent;
    const char *materials; /* collected, "a,b" (may be NULL) */
    const char *reply;     /* consultation/help: the reply given (required for them) */
} village_entry_t;

/* Validate an entry and record it: LOGGED, and for items the village cannot
 * settle itself, SUBMITTED to the township, in one transaction.  Writes the
 * case id.  On bad input returns -TB_EBADNAME, -TB_EBADPHONE,
 * -TB_EUNKNOWN_ITEM, -TB_ETOOLONG ... and writes nothing. */
int village_check_entry(const tb_env_ctx_t *env, const village_entry_t *e);
int village_log(const tb_env_ctx_t *env, tb_store_t *store, const village_entry_t *e,
                char ret_id[TB_CASEID_MAX]);

/* A step of the agent on one of the village's cases (supplement, deliver,
 * rate, withdraw, note): queued to the township.  See tb_act(). */
int village_act(const tb_env_ctx_t *env, tb_store_t *store, tb_act_t *a);

/* What the daemon's apply callback works on. */
typedef struct {
    tb_env_ctx_t *env; /* its catalog and calendar follow the county's versions */
    tb_store_t *store;
} village_node_t;

/* Apply one item that arrived from the township (inside the batch
 * transaction); ctx is a village_node_t.  A catalog or calendar version
 * (DataVersion, from the township only) is stored and put in force when it
 * is newer than the one in use. */
int village_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                  size_t len);

#endif
