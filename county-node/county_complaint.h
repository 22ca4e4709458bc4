/* county_complaint: complaints (投诉, issue 11) as the county reads them.
 *
 * A complaint is events on its case's stream (EventType 30..38, see
 * common/tb_complaint.h for the flow); the county keeps no second copy of
 * its state: county_complaints_read folds the stored events back, in the
 * store's order, with the same rules every CLI checks a step against.  Its
 * id is the case_events id of its COMPLAINED row.
 *
 * Staff steps travel like any staff step (county_command, county_commands):
 * the command row's basis carries the kind (COMPLAINED) or the unit
 * (ASSIGNED, FAULT) and its card_id the complaint id; county_complaint_fill
 * puts them in the event's own fields, at the CLI's check and in the daemon
 * alike. */
#ifndef COUNTY_COMPLAINT_H
#define COUNTY_COMPLAINT_H

#include "tb_cli.h"
#include "tb_complaint.h"

#include <jansson.h>
#include <stdio.h>
#include <libpq-fe.h>

typedef struct {
    tb_complaint_t c;
    char case_id[TB_CASEID_MAX];
    char *text;    /* the complaint in the resident's words */
    char *reply;   /* the newest 反馈, or NULL */
    char *revisit; /* the newest 回访, or NULL */
} county_complaint_t;

typedef struct {
    county_complaint_t *v;
    size_t n, cap;
} county_complaints_t;

/* Every complaint (case_id NULL) or those of one case, oldest first: 0,
 * -TB_ESTORE, -ENOMEM.  Free with county_complaints_free (also on failure). */
int county_complaints_read(PGconn *pg, const char *case_id, county_complaints_t *ret);
void county_complaints_free(county_complaints_t *l);
/* The complaint numbered id, or NULL (borrowed). */
const county_complaint_t *county_complaints_find(const county_complaints_t *l, uint64_t id);
/* The newest complaint of a case, or NULL (borrowed). */
const county_complaint_t *county_complaints_latest(const county_complaints_t *l,
                                                   const char *case_id);

/* The command row's fields into the event's complaint fields (see above). */
struct Tongban__V1__CaseEvent;
void county_complaint_fill(struct Tongban__V1__CaseEvent *ev, int type, const char *basis,
                           int64_t id);

/* The limits table (migration 008, 011): 0 or -TB_ESTORE. */
int county_limits_read(PGconn *pg, tb_limits_t *lim, int64_t *ret_version);


/* One complaint as JSON for the CLI and the API (deadline counted at now). */
json_t *county_complaint_json(const county_complaint_t *r, const tb_env_ctx_t *env,
                              const tb_limits_t *lim, int64_t now);

/* The complaints board: those in scope (a place code's subtree), of the
 * township (NULL: any) and state name (NULL: the open ones; "all": every
 * one), open first by deadline, then the rest newest first.  The array, or
 * NULL (out of memory).  "outcomes" counts by outcome over the same set
 * (county_complaint_outcomes). */
json_t *county_complaints_board(const county_complaints_t *l, const tb_env_ctx_t *env,
                                const tb_limits_t *lim, const char *scope, const char *township,
                                const char *state, int64_t now);

/* Complaints by outcome among those filed in [from_ms, to_ms) in scope:
 * {"filed", "open", "overdue", "declined", "closed", "closed_after_redo",
 * "redone", "faults"}. */
json_t *county_complaint_outcomes(const county_complaints_t *l, const tb_env_ctx_t *env,
                                  const tb_limits_t *lim, const char *scope, int64_t from_ms,
                                  int64_t to_ms, int64_t now);

/* The same over the store (limits and complaints read on pg): the JSON, or
 * NULL (the store failed, or out of memory). */
json_t *county_complaint_outcomes_in(PGconn *pg, const tb_env_ctx_t *env, const char *scope,
                                     int64_t from_ms, int64_t to_ms);
/* One line of them for `report`. */
void county_complaint_outcomes_print(const json_t *o, FILE *out);

/* GET /api/complaints[?township&state] in scope: {"complaints": the board,
 * "outcomes": by outcome over every complaint in scope, "now_ms"}.  0,
 * -EINVAL with the words in *ret_msg (an unknown township or state),
 * -TB_ESTORE, -ENOMEM. */
int county_complaints_api(PGconn *pg, const tb_env_ctx_t *env, const char *scope,
                          const char *township, const char *state, json_t **ret,
                          const char **ret_msg);

#endif
