/* township: the township convenience centre's node (乡镇便民服务中心).
 *
 * `serve` receives its villages' events, keeps a SQLite working copy, relays
 * every event up to the county and every event on a village's case that the
 * village did not make down to that village.  When a village submits a case
 * to it, it confirms receipt (签收) at once and becomes the holder.  Window
 * staff commands write events to the same store; the daemon sends them. */
#ifndef TOWNSHIP_H
#define TOWNSHIP_H

#include "tb_act.h"
#include "tb_cli.h"
#include "tb_data.h"
#include "tb_store.h"

typedef struct {
    tb_store_t *store;
    const tb_places_t *places;
    const char *place;  /* this township */
    const char *county; /* its parent */
    const tb_catalog_t *catalog;
    tb_env_ctx_t *env; /* its catalog and calendar follow the county's versions */
} township_t;

/* Apply one item from a peer (inside the batch transaction). */
int township_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                   size_t len);

/* Window staff steps on a case this township holds: accept (受理), forward to
 * the county (上报).  -TB_ENOCASE, -TB_EILLEGAL, -TB_ENOTHOLDER, or a store
 * error; nothing is written on error. */
int township_accept(township_t *t, const char *case_id, const char *actor);
int township_forward(township_t *t, const char *case_id, const char *actor);

/* Any step of window staff on a case (see tb_act()): queued to the county and
 * to the case's village.  Deciding an immediate item (即办件) with a grant
 * also issues the result at once (马上办), in the same transaction. */
int township_act(township_t *t, tb_act_t *a);

/* Walk-in registration at the window: the township logs the case itself and
 * holds it in pre-review (or closes it at once for a consultation). */
typedef struct {
    const char *client, *phone, *item, *note, *agent, *materials, *reply;
} township_walkin_t;
int township_register(township_t *t, const township_walkin_t *w, char ret_id[TB_CASEID_MAX]);

#endif
