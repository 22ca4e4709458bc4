/* tb_reject: every refusal answered (issue 9).
 *
 * A receiver that takes an event off a link but cannot apply it answers the
 * event's origin with a REJECTED event: a machine-readable code (RejectCode in
 * proto/tongban.proto), the same in words (Chinese, like every reason), the
 * refused id (rejected_origin, rejected_seq) and the SHA-256 of the refused
 * bytes.  So a link's ack means "consumed: applied or answered".  This module
 * chooses the code and builds the answer; the daemons decide when to answer
 * and log.  Nothing here logs.
 */
#ifndef TB_REJECT_H
#define TB_REJECT_H

#include "tb_store.h"
#include "tb_wire.h"

typedef Tongban__V1__RejectCode tb_reject_code_t;

/* The code for a tongban error (tb_error.h) from a check or a fold. */
tb_reject_code_t tb_reject_code(int err);

/* The code for err from folding ev: as tb_reject_code, except that a
 * handover (SUBMITTED, FORWARDED) beyond the sender's authority whose target
 * is not the origin's parent is REJECT_WRONG_TARGET. */
tb_reject_code_t tb_reject_code_event(int err, const tb_event_msg_t *ev);

/* Why tb_event_check refuses ev: the first rule it breaks, as a code
 * (REJECT_MALFORMED when none more precise fits; REJECT_UNSPECIFIED if ev
 * passes). */
tb_reject_code_t tb_reject_check_code(const tb_event_msg_t *ev);

/* The reason's words for a code (Chinese unless LANG is English). */
const char *tb_reject_text(tb_reject_code_t code);

/* Answer the event in body (an Item as peer sent it, decoded or not) with a
 * REJECTED to peer, inside the caller's transaction: minted by the store's
 * place (tb_store_emit), the case id kept when it is well formed (else ""),
 * reason "<code words>: why" (why may be NULL).  Returns 1 when answered, 0
 * when the bytes name no event that can be answered (not an event, or no
 * valid origin_node/origin_seq: the caller keeps them in the quarantine only),
 * or negative. */
int tb_reject_answer(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                     tb_reject_code_t code, const char *why);

/* A refused message from peer (body as peer sent it) that is peer's own
 * event came: its origin_seq is consumed (tb_store_origin_consumed), so the
 * peer's next event is no gap in its sequence.  Returns 1 with *ret_last the
 * highest of peer's ids before it and *ret_seq its own (the caller reports a
 * gap when *ret_seq > *ret_last + 1), 0 when the bytes name no event of peer
 * (nothing written), or negative.  Inside the caller's transaction. */
int tb_reject_consumed(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                       uint64_t *ret_last, uint64_t *ret_seq);

/* How many answers a peer gets a minute; the rest are counted ("unanswered
 * <peer>" in the store's counters) and only quarantined. */
#define TB_REJECT_ANSWERS_PER_MIN 60

#endif
