/* tb_complaint: the complaint flow (投诉, issue 11) as pure rules.
 *
 * A complaint is filed for a resident about a case (COMPLAINED: by the
 * village that logged it, a window above it, or the county) and travels on
 * the case's own event stream, so it has the links' ordering, acks and
 * exactly-once for free.  The case's fold records these events as history
 * (tb_rules.c: who may send each); which step may follow which is here:
 *
 *   (none|declined|closed) --COMPLAINED--> filed
 *   filed --ACCEPTED--> accepted          filed --DECLINED(reason)--> declined
 *   accepted|assigned --ASSIGNED(unit)--> assigned       (流转; again before a reply)
 *   assigned --REPLIED(by the unit)--> replied            (办理, 反馈 to the complainant)
 *   replied --REVISITED--> revisited                      (回访)
 *   revisited --CLOSED--> closed     revisited --REDONE--> assigned (重办, same unit)
 *   any but none --FAULT--> (the same state; 问责 recorded)
 *
 * At most one complaint is open on a case at a time; the county numbers it
 * (complaint_id: the county's row of its COMPLAINED event), and every later
 * step names it.  A step that does not follow is refused by every CLI before
 * anything is written, and ignored by the fold here (the county records it
 * in the case's history; see county-node/README.md, "Complaints").
 *
 * Clocks, in working days with the calendar in force (limits are data,
 * tb_supervise.h): filed → decide within complaint_accept_days (5) of filing;
 * accepted/assigned → handled within complaint_days (13) or consult_days
 * (3) of 受理 (of the 重办 for a redo); replied → revisited within
 * revisit_days (1).  Pure: no I/O. */
#ifndef TB_COMPLAINT_H
#define TB_COMPLAINT_H

#include "tb_calendar.h"
#include "tb_caseid.h"
#include "tb_supervise.h"
#include "tb_wire.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    TB_CP_NONE = 0,
    TB_CP_FILED,     /* 待受理 */
    TB_CP_ACCEPTED,  /* 已受理，待流转 */
    TB_CP_DECLINED,  /* 不予受理 */
    TB_CP_ASSIGNED,  /* 办理中 (流转到责任单位) */
    TB_CP_REPLIED,   /* 已反馈，待回访 */
    TB_CP_REVISITED, /* 已回访 */
    TB_CP_CLOSED,    /* 已办结 */
    TB_CP_LAST
} tb_cp_state_t;

#define TB_COMPLAINT_TEXT_MAX 2000 /* bytes of what a person writes */

typedef struct tb_complaint {
    uint64_t id; /* the county's number; 0 until a county step names it */
    tb_cp_state_t state;
    bool consult;                   /* 咨询/求助 (else 投诉) */
    char filed_by[TB_CODE_LEN + 1]; /* the node that filed it */
    char unit[TB_CODE_LEN + 1];     /* the responsible unit once assigned */
    int64_t filed_ms;               /* COMPLAINED */
    int64_t clock_ms;               /* when the clock running now started */
    int64_t closed_ms;              /* DECLINED or CLOSED */
    unsigned redos, faults;
} tb_complaint_t;

/* Whether t is one of the complaint events (30..38). */
bool tb_complaint_event(int t);

/* The wire rules of the complaint fields (tb_event_check calls it): COMPLAINED
 * carries complaint_kind "complaint" or "consult" and no id; the county's
 * steps and a CARD_RAISED of kind "complaint" carry an id; REPLIED may; no
 * other event carries either.  0 or -TB_EPROTO. */
int tb_complaint_wire_check(const tb_event_msg_t *ev);

/* Whether step t by node `from` (target: ASSIGNED's unit) may follow c:
 * 0, -TB_EILLEGAL (not from this state; for COMPLAINED: one is open),
 * -TB_ENOTHOLDER (a reply from another unit than the one assigned). */
int tb_complaint_check(const tb_complaint_t *c, tb_event_type_t t, const char *from);

/* Fold one event into c (events of other types are ignored: 0).  row_id
 * numbers a COMPLAINED that carries none (the county's row); 0 elsewhere.
 * 0 and c changed, or the code of tb_complaint_check with c unchanged. */
int tb_complaint_apply(tb_complaint_t *c, const tb_event_msg_t *ev, uint64_t row_id);

/* The deadline of the clock running now: 0 and *ret_due_ms (the last ms of
 * the due day), *ret_due_ms = 0 when none runs (declined, revisited,
 * closed); a negative code from tb_calendar_due. */
int tb_complaint_due(const tb_complaint_t *c, const tb_calendar_t *cal, const tb_limits_t *lim,
                     int64_t *ret_due_ms);

/* Whether c is still open (filed .. revisited). */
bool tb_complaint_open(const tb_complaint_t *c);

/* "filed", "accepted", ...; and back (TB_CP_NONE for an unknown name). */
const char *tb_complaint_state_name(tb_cp_state_t s);
tb_cp_state_t tb_complaint_state_from_name(const char *name);
/* 待受理, 已受理, ... (i18n) */
const char *tb_complaint_state_label(tb_cp_state_t s);
/* What a person types for the kind ("投诉", "咨询", "求助", "complaint",
 * "consult"; NULL: 投诉) as the wire's word, or NULL if it is none of them. */
const char *tb_complaint_kind_word(const char *typed);
/* 投诉 or 咨询/求助 */
const char *tb_complaint_kind_label(bool consult);
/* A copy of an event's text (NULL: "") into *slot, freeing what was there: 0 or -ENOMEM.
 * The complaint lists (county_complaint.c, tb_complaint_web.c) keep their texts so. */
int tb_complaint_text(char **slot, const char *s);

#endif
