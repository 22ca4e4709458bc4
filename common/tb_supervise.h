/* tb_supervise: the county's supervision (电子监察) as pure functions: which
 * card a case earns now, when that can next change, and where a supervision
 * order (督办) stands.
 *
 * Pure domain logic: no I/O, no clock of its own (now_ms is passed in), no
 * logging.  The county (county-node/county_cards.c) arms one uv_timer for the
 * earliest next_ms these return, so a card is raised the moment a case
 * crosses the line, not at the next poll.
 *
 * The limits are data the county owns (table `limits`, migration 008,
 * `tongban-county limits list|set`); tb_limits_default() is what a new store
 * starts with, the numbers of issue 11.
 *
 * Working days are counted with tb_calendar (期限从次日起算, pauses excluded:
 * tb_calendar_due); a card changes only at the start of a CST day (yellow)
 * or one millisecond after the due instant (red). */
#ifndef TB_SUPERVISE_H
#define TB_SUPERVISE_H

#include "tb_calendar.h"
#include "tb_case.h"

#include <stdint.h>

typedef struct {
    int yellow_days;    /* 黄牌: due within this many working days (default 1) */
    int prereview_days; /* 预审 step limit, working days after arrival (2) */
    int reply_days;     /* 督办: the default reply period, when none is given (3) */
    int urge_days;      /* 催办: this many working days after the order's due day (1) */
    int circulate_days; /* 通报: this many working days after the order's due day (5) */
    int revisit_days; /* 回访: within this many working days of a 差评 or of a complaint's 反馈 (1)
                       */
    int rectify_days; /* 差评整改: within this many working days of the rating (15) */
    /* Complaints (tb_complaint.h): */
    int complaint_accept_days; /* 受理: accept or decline within this many working days (5) */
    int complaint_days;        /* 投诉: handled within this many working days of 受理 (13) */
    int consult_days;          /* 咨询/求助: the same (3) */
} tb_limits_t;

#define TB_LIMIT_MAX 60 /* working days: any limit above is a typing error */

/* The defaults of issue 11. */
void tb_limits_default(tb_limits_t *ret);

/* Set the limit called name ("yellow_days", ...) to value: 0, -ENOENT for an
 * unknown name, -ERANGE for a value outside 1..TB_LIMIT_MAX.  That 通报 comes
 * after 催办 is not checked here (a table is set one row at a time): if
 * circulate_days <= urge_days, 通报 simply follows at once.  self is
 * unchanged on error. */
int tb_limits_set(tb_limits_t *self, const char *name, int value);

/* The name of limit i (0..) or NULL past the last; *ret_value its value. */
const char *tb_limits_name(const tb_limits_t *self, int i, int *ret_value);

typedef enum {
    TB_CARDKIND_NONE = 0,
    TB_CARDKIND_DEADLINE = 1,  /* the whole case's promised limit (from 受理) */
    TB_CARDKIND_PREREVIEW = 2, /* the pre-review step over its own limit */
    TB_CARDKIND_REVISIT = 3,   /* a named 差评 not revisited in time (county_rating.c) */
} tb_cardkind_t;

/* "deadline", "prereview", "revisit" ("" for NONE). */
const char *tb_cardkind_name(tb_cardkind_t k);
/* "yellow", "red" ("" for NONE). */
const char *tb_cardlevel_name(tb_card_t level);

/* The card of a deadline due_ms seen at now_ms, and the first instant after
 * now_ms at which it changes if nothing else happens (INT64_MAX: never; a red
 * card stays red until the case moves).
 *   RED    now_ms > due_ms;
 *   YELLOW else the CST day of due_ms is not after the yellow_days-th working
 *          day after today (with 1: due today or on the next working day,
 *          as tb_calendar_card);
 *   NONE   otherwise, and for due_ms == TB_DUE_NEVER (a paused clock).
 * 0, or -EINVAL (NULL pointer, yellow_days < 0), -ERANGE (instants outside
 * the calendar's domain, or a scan too long). */
int tb_card_at(const tb_calendar_t *cal, int64_t due_ms, int yellow_days, int64_t now_ms,
               tb_card_t *ret_level, int64_t *ret_next_ms);

typedef struct {
    tb_cardkind_t kind; /* NONE: no clock runs that a card watches */
    tb_card_t level;
    int64_t due_ms;  /* the deadline watched (TB_DUE_NEVER while paused) */
    int64_t next_ms; /* when level may change without an event; INT64_MAX: never */
} tb_case_card_t;

/* The card case c earns at now_ms: in pre-review or 待补正, the pre-review
 * step (limit prereview_days from arrival); from 受理 until a decision
 * (accepted, escalated, county, suspended), the item's promised limit from
 * 受理.  Paused time never counts (the pauses of the fold, as tb_case_due).
 * An immediate item (即办件, limit 0) gets no yellow card, only a red one:
 * it is due the day it is accepted, so yellow would come with acceptance.
 * Any other state: kind NONE.  0, or -TB_EUNKNOWN_ITEM (item NULL where the
 * promised limit is needed), -EINVAL, -ERANGE. */
int tb_case_card(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                 const tb_limits_t *lim, int64_t now_ms, tb_case_card_t *ret);

typedef enum {
    TB_SUP_WAITING = 0,   /* before the order's due day is over, or replied */
    TB_SUP_URGE = 1,      /* 催办: from the start of the urge_days-th working day after due */
    TB_SUP_CIRCULATE = 2, /* 通报: from the start of the circulate_days-th one */
} tb_sup_stage_t;

/* "waiting", "urge", "circulate". */
const char *tb_sup_stage_name(tb_sup_stage_t s);

/* Where an unanswered supervision order due at due_ms (the last millisecond
 * of its due day, as every deadline) stands at now_ms, and the first instant
 * after now_ms at which that changes (INT64_MAX: never).  An order answered
 * (反馈) is not asked about: it stays where it was.  0, -EINVAL, -ERANGE. */
int tb_sup_stage(const tb_calendar_t *cal, const tb_limits_t *lim, int64_t due_ms, int64_t now_ms,
                 tb_sup_stage_t *ret_stage, int64_t *ret_next_ms);

#endif
