/* The county's supervision side (电子监察, 好差评, 投诉), as the batch and the
 * loop call it: the cards, the complaint cards and the complaints' turns, the
 * 差评 rectifications.  Included by county_int.h, after the context. */
#ifndef COUNTY_SUPERVISE_H
#define COUNTY_SUPERVISE_H

#include "county_int.h"

/* ---- county_complaint_card.c -------------------------------------------------------- */

/* On the plain connection: queue the complaint cards to raise or clear; the
 * instant the next open complaint falls overdue (INT64_MAX: none). */
int64_t county_complaint_poll(county_t *self);
/* ---- county_complaint_turn.c --------------------------------------------------------- */

/* Whether complaint step ev follows its complaint's flow as the batch in
 * flight has it (0: and the batch's copy moves on; any other event: 0),
 * -TB_EILLEGAL or -TB_ENOTHOLDER (out of turn), -TB_ESTORE, -ENOMEM. */
int county_complaint_turn(county_t *self, const tb_event_msg_t *ev);
/* Forget the batch's copies (at every batch start). */
void county_complaint_turn_reset(county_t *self);
/* The words for a complaint step out of turn (REJECTED's reason, a staff
 * command's refusal). */
const char *county_complaint_why(const tb_event_msg_t *ev, int err);
/* In the batch being built: the queued cards, their events and rows. */
int county_complaint_batch(county_t *self);
void county_complaint_committed(county_t *self);
void county_complaint_lost(county_t *self);
void county_complaint_free(county_t *self);

/* ---- county_cards.c ----------------------------------------------------------------- */

/* Start the card timer on the loop: 0 or a libuv error. */
int county_cards_init(county_t *self);
void county_cards_close(county_t *self);
void county_cards_free(county_t *self);
/* After a (re)connect: the limits and the open cards from the store, every
 * case looked at by the next batch.  0 or negative. */
int county_cards_load(county_t *self);
/* The batch being built: cards for the cases it changed (and for every case
 * when a boundary passed), each raised or cleared with its county event and
 * its row.  0 or negative. */
int county_cards_batch(county_t *self);
/* The batch committed: the open cards in memory follow; the timer is armed
 * for the next boundary. */
void county_cards_committed(county_t *self);
/* The batch failed: forget its card operations (the next scan finds them again). */
void county_cards_lost(county_t *self);
/* Between batches, on the plain connection: newer limits in force; the
 * open supervision orders that reached 催办 or 通报. */
void county_cards_poll(county_t *self);
/* A supervision order (SUPERVISED ev, just emitted) into `supervisions`, in the batch. */
int county_sup_issued(county_t *self, const tb_event_msg_t *ev, int64_t card_id,
                      const char *holder);

/* ---- county_rating.c: the 差评 rectifications' deadlines and revisit cards ---------- */

/* Between batches, on the plain connection (from county_cards_poll): the
 * deadlines of new rectifications written; late 回访 and cards to clear
 * queued for the next batch; rating_next_ms set. */
void county_rating_poll(county_t *self);
/* In the batch: CARD_RAISED/CLEARED (kind revisit) and the card rows.  0 or negative. */
int county_rating_batch(county_t *self);
/* The batch committed (logged) or was lost (the next poll finds them again). */
void county_rating_committed(county_t *self);
void county_rating_lost(county_t *self);
void county_rating_free(county_t *self);

#endif
