/* tb_projection: the row a store keeps for a case, from its fold.
 *
 * One pure function for both stores: the SQLite nodes (tb_store_case.c) and the
 * county (county_record.c) each turn a folded case into the columns of their
 * `cases` table with tb_project, and map the row's fields to columns the same
 * way:
 *
 *   row           SQLite cases        PostgreSQL cases
 *   fold          fold (BLOB)         fold (bytea)
 *   paused        paused (0/1)        paused (boolean)
 *   due_ms        due_ms (0: none)    due_at (NULL: none)
 *   legal_due_ms  legal_due_ms        legal_due_at
 *   completion_ms completion_time_ms (NULL: none)   completion_time (NULL: none)
 *
 * "Paused" has one meaning: a clock runs for the case's state but is stopped
 * (补正, 挂起), so it has no deadline: paused is true and both deadlines are 0.
 * A case whose state runs no clock (before arrival, after a decision), whose
 * item the catalog does not know, or whose deadline the calendar cannot
 * count, has paused false and both deadlines 0.
 *
 * What an event carries beyond the fold (the ledger, a rating's comment, a
 * consultation's reply) is not part of it: the stores write those from the
 * event.
 */
#ifndef TB_PROJECTION_H
#define TB_PROJECTION_H

#include "tb_case.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TB_TO_BRING_MAX 1024

typedef struct {
    tb_state_t state;
    char holder[TB_CODE_LEN + 1];
    char pending[TB_CODE_LEN + 1];
    uint32_t version;
    uint8_t fold[TB_CASE_PACKED_MAX]; /* tb_case_pack of the case */
    size_t fold_len;
    bool paused;                    /* a clock runs and is stopped: no deadline */
    int64_t due_ms;                 /* promised (or pre-review) deadline; 0: none */
    int64_t legal_due_ms;           /* legal deadline; 0: none */
    char to_bring[TB_TO_BRING_MAX]; /* missing and owed materials, "、"-joined */
    uint8_t rating;
    uint8_t followup; /* 追评: 0, 1..5 */
    uint8_t decision;
    int64_t completion_ms; /* 办结, else the decision; 0: none */
} tb_projection_t;

/* The row of case c.  item: its catalog item (NULL: unknown); cal: the
 * calendar in force (NULL: none, so no deadline). */
void tb_project(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                tb_projection_t *ret_row);

#endif
