/* county_restore.h: a township's lost store answered from PostgreSQL (issue
 * 9; county_restore.c says how).  Private to county-node/, beside
 * county_int.h. */
#ifndef COUNTY_RESTORE_H
#define COUNTY_RESTORE_H

#include "county_int.h"

/* A RestoreRequest from m's township, in the batch being built: recorded for
 * its current epoch, answered by later batches; one a second time from the
 * same store is quarantined, counted and answered with nothing.  0 or
 * negative (the batch fails). */
int county_restore_asked(county_t *self, const msg_t *m, const Tongban__V1__RestoreRequest *rq);
/* Between batches, on the plain connection: read the next chunk of an answer
 * owed (paced by the township's unacknowledged outbox). */
void county_restore_poll(county_t *self);
/* A chunk read and not yet queued. */
bool county_restore_due(const county_t *self);
/* Queue it in the batch being built, with its progress row: 0 or negative. */
int county_restore_batch(county_t *self);
void county_restore_free(county_t *self);
/* The ids of the cases in `cases` (case id -> tb_case_t *) that township
 * `peer` holds outside its subtree (ids not starting with its 9 digits), as
 * a PostgreSQL text array literal ("{}" for none), into *ret_array (the
 * caller's to free): 0 or -ENOMEM.  A restore sends their events too. */
int county_restore_held(const tb_map_t *cases, const char *peer, char **ret_array);
/* The Item carrying data version kind/version (signed with the county's key,
 * county_intake.c) and the StatusUpdate of a case (county_record.c; folded:
 * the ids the batch folded, NULL and 0 for none), packed:
 * 0 or negative; *ret_buf is the caller's to free. */
int county_data_pack(county_t *self, const char *kind, uint32_t version, const char *body,
                     size_t len, uint8_t **ret_buf, size_t *ret_len);
int county_status_pack(const char *case_id, const tb_case_t *c, char **folded, size_t n_folded,
                       uint8_t **ret_buf, size_t *ret_len);

#endif
