/* township: the township convenience centre's node (乡镇便民服务中心).
 *
 * `serve` receives its villages' events, keeps a SQLite working copy, relays
 * every event up to the county and every event on a village's case that the
 * village did not make down to that village.  When a village submits a case
 * to it, it confirms receipt (签收) at once and becomes the holder.  Window
 * staff commands write events to the same store; the daemon sends them.
 * Walk-in registration (tb_edge_log) and applying what comes from the county
 * (tb_edge_from_above) are shared with the village; the relaying is here. */
#ifndef TOWNSHIP_H
#define TOWNSHIP_H

#include "tb_act.h"
#include "tb_edge.h"
#include "tb_reject.h"

typedef tb_edge_t township_t;

/* Apply one item from a peer (inside the batch transaction); ctx is a
 * township_t.  Only the county and this township's villages are heard;
 * anything from another node is quarantined. */
int township_apply(void *ctx, const char *peer, const tb_item_msg_t *item, const uint8_t *body,
                   size_t len);

/* Every catalog and calendar version this store holds, queued to each
 * village of this township in the place data that has not had it yet
 * (tb_store_data_relay): when a version arrives from the county, and at
 * start, so that a village added to the place data since gets the whole
 * chain at once.  Inside a transaction; *ret_villages (may be NULL) how
 * many villages were queued something. */
int township_relay_data(township_t *t, unsigned *ret_villages);

/* Any step of window staff on a case (see tb_act()): queued to the county and
 * to the case's village.  Deciding an immediate item (即办件) with a grant
 * also issues the result at once (马上办), in the same transaction. */
int township_act(township_t *t, tb_act_t *a);

/* Every refusal answered (issue 9, township_answer.c).  Answer the event in
 * body (refused from village peer) with a REJECTED of code to its origin, at
 * most TB_REJECT_ANSWERS_PER_MIN a minute per peer; beyond that it is only
 * counted ("unanswered <peer>").  *ret_note is a borrowed tail for the
 * caller's log line (" answered: REJECTED <code>", " not answered: ...").
 * Inside the batch transaction; 0 or negative. */
int township_answer(township_t *t, const char *peer, const uint8_t *body, size_t len,
                    tb_reject_code_t code, const char *why, const char **ret_note);

/* tb_sqlink_app_t.undecodable: a village's item that does not decode or
 * validate is answered with the first rule it breaks; ctx is a township_t. */
int township_undecodable(void *ctx, const char *peer, uint64_t seq, const uint8_t *body, size_t len,
                         int rc);
/* One of our villages asked for its lost store (RestoreRequest, checked to
 * come from it): queue it everything this township holds of it, then the
 * RestoreAnswer (tb_restore_answer), and log the numbers.  Inside the batch
 * transaction.  township_restore.c. */
int township_restore(township_t *t, const char *village);

/* This township's own store is being restored from the county (tongban-township
 * restore asked, the answer not in yet): its own event ids wait for the
 * answer's high-water mark. */
bool township_restoring(township_t *t);
/* Why a step or registration is refused meanwhile (for a person: borrowed). */
const char *township_restoring_why(void);
/* The county's RestoreAnswer to our request (inside the batch transaction):
 * record it (tb_restore_apply: the event and case-number counters), confirm
 * (签收) the villages' cases handed to us meanwhile, and log the numbers.
 * -EINVAL when no restore was asked.  township_restore.c. */
int township_restored(township_t *t, const Tongban__V1__RestoreAnswer *a);

#endif
