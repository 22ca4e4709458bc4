/* tb_case: the case state machine, driven by the table of rules in tb_rules.
 *
 * A case's state is the fold of its events; every tier runs this same fold,
 * and the county re-validates every event with it.  Exactly one node holds a
 * case at a time; only the holder moves it.  Handing over is two events: the
 * holder's SUBMITTED/FORWARDED names a target, and the target's RECEIVED makes
 * it the holder.  Additive events (SUPPLEMENTED, RATED, NOTE, WITHDRAWN) may
 * also come from the case's origin (the village that logged it, or the
 * township for a walk-in).
 *
 *   (none) --LOGGED(village)--> logged --SUBMITTED--> submitted --RECEIVED--> prereview
 *   (none) --LOGGED(township, walk-in)--> prereview
 *   (none) --LOGGED(consultation/help, with reply)--> closed
 *   prereview --NOTICE(once)--> supplement --SUPPLEMENTED(all)--> prereview
 *   prereview|supplement --PLEDGED(non-core)--> accepted (materials owed)
 *   prereview --ACCEPTED--> accepted;  prereview|supplement --REFUSED(reason)--> refused
 *   accepted --FORWARDED(county item)--> escalated --RECEIVED(county)--> county
 *   accepted(township item)|county(county item) --DECIDED--> decided
 *   accepted|county --SUSPENDED(basis)--> suspended --RESUMED--> (back)
 *   decided|refused --RESULT--> result (held by the origin) --DELIVERED--> closed
 *   closed --RATED(once)--> closed --RATING_FOLLOWUP(once, 追评)--> closed
 *   before a decision --WITHDRAWN--> withdrawn
 *
 * Which event may come from which state, from whom, on which item and with
 * what data is one row per event type in tb_rules.c; tb_case_step checks
 * every event against its row in one fixed order (tb_rules.h).
 *
 * The fold needs the case's catalog item (level, kind, materials): the caller
 * passes it in as data, so the fold stays pure.  Deadlines are derived from
 * the folded clock fields (arrived_ms, accepted_ms, pauses) with tb_case_due().
 */
#ifndef TB_CASE_H
#define TB_CASE_H

#include "tb_calendar.h"
#include "tb_catalog.h"
#include "tb_place.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event types: the values of tongban.v1.EventType. */
typedef enum {
    TB_EV_NONE = 0,
    TB_EV_LOGGED = 1,
    TB_EV_SUBMITTED = 2,
    TB_EV_RECEIVED = 3,
    TB_EV_ACCEPTED = 4,
    TB_EV_FORWARDED = 5,
    TB_EV_NOTICE = 6,
    TB_EV_SUPPLEMENTED = 7,
    TB_EV_PLEDGED = 8,
    TB_EV_REFUSED = 9,
    TB_EV_DECIDED = 10,
    TB_EV_SUSPENDED = 11,
    TB_EV_RESUMED = 12,
    TB_EV_RESULT = 13,
    TB_EV_DELIVERED = 14,
    TB_EV_RATED = 15,
    TB_EV_WITHDRAWN = 16,
    TB_EV_NOTE = 17,
    TB_EV_REJECTED = 18, /* the county's verdict on an event: never folded into a case */
    /* Supervision (issue 11, tb_supervise.h): the county's events about a
     * case; folded (recorded in its history) without changing its state. */
    TB_EV_CARD_RAISED = 19,
    TB_EV_CARD_CLEARED = 20,
    TB_EV_SUPERVISED = 21,        /* 督办 */
    TB_EV_SUPERVISION_REPLY = 22, /* 反馈, by the holder */
    TB_EV_URGED = 23,             /* 催办 */
    TB_EV_CIRCULATED = 24,        /* 通报 */
    /* Complaints (投诉, issue 11, tb_complaint.h): their own flow on the
     * case's stream, folded into the case's history without changing its
     * state.  25..29 are unused (refused on the wire, no rule). */
    TB_EV_COMPLAINED = 30,          /* 投诉登记 (village, window or county) */
    TB_EV_COMPLAINT_ACCEPTED = 31,  /* 受理 */
    TB_EV_COMPLAINT_DECLINED = 32,  /* 不予受理 */
    TB_EV_COMPLAINT_ASSIGNED = 33,  /* 流转: target = the responsible unit */
    TB_EV_COMPLAINT_REPLIED = 34,   /* 办理反馈, by the responsible unit */
    TB_EV_COMPLAINT_REVISITED = 35, /* 回访 */
    TB_EV_COMPLAINT_CLOSED = 36,    /* 办结 */
    TB_EV_COMPLAINT_REDONE = 37,    /* 重办 */
    TB_EV_COMPLAINT_FAULT = 38,     /* 问责 */
    /* 39 is unused (refused on the wire, no rule). */
    TB_EV_RATING_FOLLOWUP = 40, /* 追评: the resident rates again, once, after RATED */
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
    TB_ST_SUPPLEMENT,
    TB_ST_REFUSED,
    TB_ST_DECIDED,
    TB_ST_SUSPENDED,
    TB_ST_RESULT,
    TB_ST_CLOSED,
    TB_ST_WITHDRAWN,
    TB_ST_LAST
} tb_state_t;

enum { TB_DECISION_NONE = 0, TB_DECISION_GRANT = 1, TB_DECISION_DENY = 2 };

#define TB_CASE_PAUSES_MAX 8
#define TB_PREREVIEW_DAYS 2 /* 预审: due within 2 working days of arrival */

typedef struct {
    tb_state_t state;
    char holder[TB_CODE_LEN + 1];  /* node that holds the case */
    char pending[TB_CODE_LEN + 1]; /* node it is handed to, until it confirms */
    uint32_t version;              /* number of events folded */
    char origin[TB_CODE_LEN + 1];  /* the node that logged it */
    char item[16];                 /* its catalog item code */
    tb_state_t resume;             /* SUSPENDED: the state it returns to */
    uint32_t have;                 /* bit i: material i of the item was handed in */
    uint32_t missing;              /* bit i: listed missing by the notice (待补正) */
    uint32_t owed;                 /* bit i: owed under a pledge (容缺) */
    bool noticed;                  /* the one-time notice was given */
    uint8_t rating;                /* 0, or 1 非常不满意 .. 5 非常满意 */
    uint8_t followup;              /* 追评: 0, or 1..5 as rating */
    uint8_t decision;              /* TB_DECISION_* */
    int64_t arrived_ms;            /* the township received it: the pre-review clock */
    int64_t accepted_ms;           /* 受理: the handling clock */
    int64_t pledge_due_ms;         /* 容缺: the owed materials are due */
    int64_t decided_ms;
    int64_t closed_ms; /* 办结 (delivered, answered, withdrawn) */
    uint32_t npauses;  /* the last one may be open (end_ms == TB_PAUSE_OPEN) */
    tb_pause_t pauses[TB_CASE_PAUSES_MAX];
} tb_case_t;

typedef struct {
    tb_event_type_t type;
    const char *case_id;
    const char *origin; /* node that minted the event */
    const char *target; /* SUBMITTED/FORWARDED: the next holder; else may be NULL */
    int64_t at_ms;
    const tb_item_t *item; /* the case's item (for LOGGED the ledger's); NULL: unknown */
    const char *const *materials;
    size_t nmaterials;
    const char *reason;         /* REFUSED, DECIDED deny, NOTE */
    const char *basis;          /* SUSPENDED */
    const char *reply;          /* LOGGED of a consultation or help request */
    const char *complaint_kind; /* COMPLAINED: "complaint" or "consult" */
    int64_t due_ms;             /* PLEDGED */
    unsigned rating;            /* RATED, RATING_FOLLOWUP */
    unsigned decision;          /* DECIDED */
} tb_step_t;

/* Fold one event into a case.  0 and *ret_next written, or a negative code
 * naming the first rule it breaks, in the one order of tb_rules.h (nothing
 * written):
 *   -TB_EUNKNOWN_ITEM  the item is not in the catalog (or is not the case's)
 *   -TB_EAUTHORITY     the sender's level may not take this step, or not on this item,
 *                      or not towards this target
 *   -TB_EILLEGAL       no case yet (or already one, for LOGGED); the case's state does not allow it
 *   -TB_ENOTHOLDER     the sender neither holds the case (nor, for additive steps, made it)
 *   -TB_EONCE          a once-only step taken twice
 *   -TB_ENOMATERIAL, -TB_EMATERIAL, -TB_ECORE, -TB_ENOREASON, -TB_EBADVALUE
 *                      the step's own data breaks a rule
 *   -TB_EOWED          materials still owed block it */
int tb_case_step(const tb_case_t *cur, const tb_step_t *ev, tb_case_t *ret_next);

/* Whether a level may ever send an event of this type (the level check). */
bool tb_event_allowed(tb_level_t level, tb_event_type_t t);

/* What node may do next on case c (item: the case's item, or for a case not
 * yet logged the item it would be logged with): the checks of tb_case_step
 * that do not depend on what the step carries.  tb_case_check returns 0 or
 * the code tb_case_step returns for that step with a right payload (a case
 * id naming node, a valid target, materials, reason and values);
 * tb_case_next_steps returns a mask with bit t set for every event type t
 * for which tb_case_check returns 0 (below TB_EV_COMPLAINED: the complaint
 * flow has its own rules, tb_complaint.h, and a mask of 32 bits). */
int tb_case_check(const tb_case_t *c, const tb_item_t *item, const char *node, tb_event_type_t t);
uint32_t tb_case_next_steps(const tb_case_t *c, const tb_item_t *item, const char *node);

/* The case's deadline now: the pre-review limit while in pre-review or
 * supplement, the item's promised (and legal) limit from 受理 until a decision.
 * 0 with *ret_due_ms = 0 when no clock runs (before arrival, after a
 * decision); TB_DUE_NEVER while paused.  ret_legal_ms may be NULL. */
int tb_case_due(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                int64_t *ret_due_ms, int64_t *ret_legal_ms);

/* What the resident must still bring: the names of missing and owed
 * materials joined by "、" into buf (empty when nothing). */
void tb_case_to_bring(const tb_case_t *c, const tb_item_t *item, char *buf, size_t size);

/* Split out of this header, included here so callers keep compiling: the
 * fold's stored form (and the old text form), case ids, labels and names, checks on typed input. */
#include "tb_casecodec.h"
#include "tb_caseid.h"
#include "tb_input.h"
#include "tb_labels.h"

#endif
