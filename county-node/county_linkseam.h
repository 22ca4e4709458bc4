/* The county's links to its townships as the batch and the loop use them
 * (county_link.c, county_accountsend.c).  Included by county_int.h, after the
 * context. */
#ifndef COUNTY_LINKSEAM_H
#define COUNTY_LINKSEAM_H

#include "county_int.h"

/* ---- county_link.c: the seam the batch uses ----------------------------------------- */

/* Load the links (link_in, link_out, the outbox head) and make the engine
 * over them (county_link_engine): 0 or negative. */
int county_link_load(county_t *self);
/* A new link engine over what is loaded: 0 or -ENOMEM. */
int county_link_engine(county_t *self);
void county_link_reset(county_t *self);
/* The township of code, created if new; NULL if code is invalid or no memory. */
peer_t *county_peer_get(county_t *self, const char *code);
bool county_my_township(county_t *self, const char *code);
/* New account snapshots for the townships with a link and their villages
 * (county_accountsend.c), on pg between batches. */
void county_snapshot_accounts(county_t *self, PGconn *pg);
/* A new outbox row to `peer` in the batch: 0 or negative. */
int county_link_queue(county_t *self, const char *peer, const uint8_t *buf, size_t len);
/* The same, taking *buf_p (malloc'd) instead of copying it: NULL after a success. */
int county_link_queue_own(county_t *self, const char *peer, uint8_t **buf_p, size_t len);
/* Name the batch's link messages to the engine and write its cursors and acks: 0 or negative. */
int county_link_batch(county_t *self);
/* The township whose spilled outbox this batch reads back (index), or -1. */
ssize_t county_link_reload_choice(county_t *self);
/* Ask for the next part of one spilled outbox (last statement before the
 * counter): 0 or negative; the rows arrive in county_link_reload_rows. */
int county_link_batch_reload(county_t *self);
void county_link_reload_rows(county_t *self, const PGresult *r);
/* The batch committed: its outbox rows (rows: out_new, or the older's of two
 * in flight) join the queues, cursors and acks advance. */
void county_link_committed(county_t *self, msgs_t *rows);
/* The batch was lost: cursors back to what is committed. */
void county_link_lost(county_t *self);
/* Send what is due on every link, and acks. */
void county_link_flush(county_t *self);
void county_on_envelope(void *ctx, const tb_env_t *env);

#endif
