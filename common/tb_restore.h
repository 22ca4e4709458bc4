/* tb_restore: rebuilding a lost store from upstream (issue 9; proto
 * RestoreRequest and RestoreAnswer say the exchange, the README the
 * operator's steps).
 *
 *  - the node whose store was lost: tb_restore_request() on its new, empty
 *    store queues a RestoreRequest to its parent; the parent's answer arrives
 *    on the link as ordinary items (events, statuses, data versions, applied
 *    as any from above) and, last, a RestoreAnswer, which
 *    tb_restore_apply() records: the origin_seq high-water mark (the "event"
 *    counter: new events never reuse an id) and the case-id counters of
 *    every day a restored case was logged (new case ids never collide);
 *  - the parent: tb_restore_answer() queues that answer from its own store.
 *
 * Library code: returns 0 or a negative code, logs nothing.  Every function
 * runs inside the caller's transaction except tb_restore_status. */
#ifndef TB_RESTORE_H
#define TB_RESTORE_H

#include "tb_store.h"
#include "tb_wire.h"

#include <stdbool.h>
#include <stdint.h>

/* Queue a RestoreRequest for this store's node to parent.  -EEXIST if the
 * store holds any case or an event of its own (a restore goes into a new
 * store only; what came from above meanwhile is no obstacle). */
int tb_restore_request(tb_store_t *store, const char *parent);

/* While a restore is asked and not yet answered: an event from above that
 * is recorded already and did not fold (it came before the request, from the
 * parent's pending outbox, or before its case's history, on no case yet) is
 * forgotten, so that applying
 * it now, in the answer's order, records and folds it there.  Call before
 * applying each event from above; 0 or a negative code. */
int tb_restore_replace(tb_store_t *store, const tb_event_msg_t *ev, const uint8_t *body,
                       size_t len);

/* Record the answer (see above).  -EINVAL if it is not for this node or no
 * restore was asked. */
int tb_restore_apply(tb_store_t *store, const Tongban__V1__RestoreAnswer *a);

/* Queue to node (a child of this store's node) everything this store holds of
 * it (data versions, its account lists, its cases' events and statuses),
 * then the RestoreAnswer; *ret (may be NULL) gets the answer's numbers
 * (its lost array is not filled: ret->n_lost counts them).  Once per store
 * of node (its current epoch, 0 if it sends none): -EALREADY, nothing
 * queued, for a second request (bad input must not grow the outbox). */
int tb_restore_answer(tb_store_t *store, const char *node, Tongban__V1__RestoreAnswer *ret);

/* The log line of an answer applied, from "township" or "county": into buf. */
void tb_restore_text(const Tongban__V1__RestoreAnswer *a, const char *from, char *buf, size_t cap);

/* The cases handed to this store's node (state submitted, pending it) that
 * it has not confirmed: a restored township confirms them once its answer
 * is in (its RECEIVED waits for the origin_seq high-water mark).  At most
 * cap ids into ret_ids, their number in *ret_n. */
int tb_restore_waiting(tb_store_t *store, char (*ret_ids)[TB_CASEID_MAX], size_t cap,
                       size_t *ret_n);

/* Where this store's restore stands. */
typedef struct {
    bool asked, answered;
    uint64_t origin_seq, events, cases;
    char lost[1024]; /* the lost origin_seqs, comma-separated ("" none; "..." if cut) */
} tb_restore_t;
int tb_restore_status(tb_store_t *store, tb_restore_t *ret);
/* 1 when a restore is asked and not answered yet, 0 when not, or negative.
 * Inside a transaction read once (no other process writes until it ends). */
int tb_restore_pending(tb_store_t *store);

#endif
