/* tb_case: the case state machine, case ids and the checks on what a person types.
 *
 * A case's state is the fold of its events; every tier runs this same fold,
 * and the county re-validates every event with it.  Exactly one node holds a
 * case at a time; only the holder moves it.  Handing over is two events: the
 * holder's SUBMITTED/FORWARDED names a target, and the target's RECEIVED makes
 * it the holder.
 *
 *   (none) --LOGGED(village)--> logged --SUBMITTED(to township)--> submitted
 *   submitted --RECEIVED(township)--> prereview --ACCEPTED--> accepted
 *   accepted --FORWARDED(to county)--> escalated --RECEIVED(county)--> county
 */
#ifndef TB_CASE_H
#define TB_CASE_H

#include "tb_place.h"

#include <stdbool.h>
#include <stdint.h>

/* Event types: the values of tongban.v1.EventType. */
typedef enum {
    TB_EV_NONE = 0,
    TB_EV_LOGGED = 1,
    TB_EV_SUBMITTED = 2,
    TB_EV_RECEIVED = 3,
    TB_EV_ACCEPTED = 4,
    TB_EV_FORWARDED = 5,
    TB_EV_LAST
} tb_event_type_t;

typedef enum {
    TB_ST_NONE = 0,
    TB_ST_LOGGED,
    TB_ST_SUBMITTED,
    TB_ST_PREREVIEW,
    TB_ST_ACCEPTED,
    TB_ST_ESCALATED,
    TB_ST_COUNTY,
    TB_ST_LAST
} tb_state_t;

typedef struct {
    tb_state_t state;
    char holder[TB_CODE_LEN + 1];  /* node that holds the case */
    char pending[TB_CODE_LEN + 1]; /* node it is handed to, until it confirms */
    uint32_t version;              /* number of events folded */
} tb_case_t;

typedef struct {
    tb_event_type_t type;
    const char *case_id;
    const char *origin; /* node that minted the event */
    const char *target; /* SUBMITTED/FORWARDED: the next holder; else may be NULL */
} tb_step_t;

/* Fold one event into a case.  0 and *ret_next written, or -TB_EILLEGAL (the
 * state does not allow it), -TB_ENOTHOLDER (origin may not move the case). */
int tb_case_step(const tb_case_t *cur, const tb_step_t *ev, tb_case_t *ret_next);

/* Stable English names ("logged", ...) used in JSON and SQL, and the label for people. */
const char *tb_state_name(tb_state_t s);
const char *tb_state_label(tb_state_t s);
tb_state_t tb_state_from_name(const char *name);
const char *tb_event_name(tb_event_type_t t);
const char *tb_event_label(tb_event_type_t t);

/* Case id: <origin code>-<yyyymmdd>-<seq>, seq at least 4 digits. */
#define TB_CASEID_MAX 40
int tb_caseid_format(const char *origin, int64_t at_ms, uint32_t seq, char ret_id[TB_CASEID_MAX]);
bool tb_caseid_valid(const char *id);
/* The day part (yyyymmdd as an int) of a time, in China Standard Time (UTC+8). */
int tb_cst_yyyymmdd(int64_t at_ms);

/* What a person types. */
int tb_check_name(const char *name);  /* 0 or -TB_EBADNAME */
int tb_check_phone(const char *phone); /* 0 or -TB_EBADPHONE */
int tb_check_text(const char *text, size_t max); /* 0, -TB_ETOOLONG or -TB_EDECODE (not UTF-8) */
bool tb_utf8_valid(const char *s, size_t len);

#endif
