/* tb_rules: the case rules as data, one row per event type.
 *
 * tb_case_step() (tb_case.c) takes every event through the same checks in
 * the same order, reading the event's row; the first rule broken names the
 * error, so the same mistake gets the same message whatever the event:
 *
 *   1. item      the case's catalog item is known                        -TB_EUNKNOWN_ITEM
 *   2. level     the sender's level may send this type at all            -TB_EAUTHORITY
 *   3. exists    LOGGED makes a case; every other step needs one         -TB_EILLEGAL
 *                ... and is on the case's own item                       -TB_EUNKNOWN_ITEM
 *   4. who       creator (the case id names it), holder, party (holder
 *                or origin), or the target of the handover under way     -TB_ENOTHOLDER
 *   5. item rule the item's level allows the step (escalate only a
 *                county item; decide only an item of one's own level)    -TB_EAUTHORITY
 *   6. once      a once-only step not already taken (notice, rating,
 *                追评)                                                  -TB_EONCE
 *   7. from      the case's state is one the step may come from (per
 *                sender level), with its guard: no handover under way
 *                for a holder's step, one under way for RECEIVED,
 *                something to bring for SUPPLEMENTED, a first rating
 *                for RATING_FOLLOWUP                                     -TB_EILLEGAL
 *   8. fields    what the step carries, in this order: the target
 *                (-TB_EAUTHORITY), materials (-TB_ENOMATERIAL,
 *                -TB_EMATERIAL, -TB_ECORE), written reason, basis or
 *                reply (-TB_ENOREASON), values: decision, basis, rating,
 *                due date (-TB_EBADVALUE)
 *   9. owed      materials still owed block a decision; a pledge must
 *                cover every missing material                            -TB_EOWED
 *  10. effect    the row's named function writes the next case (it fails
 *                only when the case has no room for another pause)       -TB_EILLEGAL
 *
 * Who comes before from-state on purpose: a node that does not hold a case
 * sees a stale state, and "you do not hold it" is the mistake to name.  The
 * item rule and "once" come before the state for the same reason: they stay
 * true whatever happens to the case next (a township item is never escalated;
 * a second notice is refused whether or not the first one has been answered).
 *
 * Checks 1-7 and 9 (the owed rule of DECIDED) depend only on the case, its
 * item and the sender; tb_case_check() runs just those, and
 * tb_case_next_steps() asks it for every event type.  Pure: no I/O.
 */
#ifndef TB_RULES_H
#define TB_RULES_H

#include "tb_case.h"

#include <stdint.h>

#define TB_ST_BIT(s) (UINT32_C(1) << (s))
#define TB_LEVEL_BIT(l) (1u << (l))

typedef enum {
    TB_WHO_CREATOR = 1, /* the node the case id names (LOGGED) */
    TB_WHO_HOLDER,      /* the holder */
    TB_WHO_PARTY,       /* the holder, or the origin on the resident's behalf */
    TB_WHO_PENDING,     /* the target of the handover under way */
    TB_WHO_COUNTY,      /* the county the case belongs to (supervision) */
    TB_WHO_AREA         /* the holder, the origin, or a place above the origin (complaints) */
} tb_who_t;

typedef enum {
    TB_ITEM_ANY = 0,
    TB_ITEM_COUNTY,    /* only a county item (FORWARDED) */
    TB_ITEM_OWN_LEVEL, /* only an item of the sender's level (DECIDED) */
} tb_item_rule_t;

typedef enum { TB_ONCE_NONE = 0, TB_ONCE_NOTICE, TB_ONCE_RATING, TB_ONCE_FOLLOWUP } tb_once_t;

typedef enum {
    TB_GUARD_NONE = 0,
    TB_GUARD_SETTLED,  /* no handover under way */
    TB_GUARD_HANDOVER, /* a handover under way */
    TB_GUARD_TO_BRING, /* something missing or owed */
    TB_GUARD_RATED     /* the first rating was given (追评) */
} tb_guard_t;

typedef enum {
    TB_OWED_ANY = 0,
    TB_OWED_NOTHING, /* nothing missing or owed (DECIDED) */
    TB_OWED_COVERED  /* the step's materials cover every missing one (PLEDGED) */
} tb_owed_rule_t;

/* What a step must carry: bits of tb_rule_t.fields. */
enum {
    TB_F_TARGET_TOWNSHIP = 1u << 0, /* target: the holder's own township */
    TB_F_TARGET_COUNTY = 1u << 1,   /* target: the holder's own county */
    TB_F_MATERIALS = 1u << 2,       /* at least one material */
    TB_F_LISTED = 1u << 3,          /* every material named is in the item's list */
    TB_F_NONCORE = 1u << 4,         /* ... and none of them is core */
    TB_F_REASON = 1u << 5,          /* a written reason */
    TB_F_DENY_REASON = 1u << 6,     /* a written reason when the decision is a denial */
    TB_F_REPLY = 1u << 7,           /* a reply when the item is a consultation or help */
    TB_F_BASIS = 1u << 8,           /* a basis, from the list */
    TB_F_DECISION = 1u << 9,        /* grant or deny */
    TB_F_RATING = 1u << 10,         /* 1..5 */
    TB_F_DUE = 1u << 11,            /* a due date after the step */
    TB_F_COMPLAINT_KIND = 1u << 12, /* "complaint" or "consult" */
    TB_F_UNIT = 1u << 13,           /* target: the county or a township of the case's county */
};

/* The effect: writes next (a copy of cur, or zero for LOGGED) from the step;
 * materials is the mask of the step's materials.  0 or -TB_EILLEGAL. */
typedef int (*tb_effect_fn)(const tb_case_t *cur, const tb_step_t *ev, uint32_t materials,
                            tb_case_t *next);

typedef struct {
    tb_event_type_t type;
    unsigned levels;                     /* TB_LEVEL_BIT of each level that may send it */
    uint32_t from[TB_LEVEL_VILLAGE + 1]; /* per sender level: TB_ST_BIT of each from-state */
    tb_who_t who;
    tb_item_rule_t item;
    tb_once_t once;
    tb_guard_t guard;
    unsigned fields;
    tb_owed_rule_t owed;
    tb_effect_fn effect;
    const char *effect_name; /* for tests and listings */
} tb_rule_t;

/* The row of an event type; NULL for TB_EV_NONE, TB_EV_REJECTED (the county's
 * verdict, never a step) and anything out of range. */
const tb_rule_t *tb_rule_for(tb_event_type_t t);

/* The materials of a step as a mask of the item's list: 0, -TB_EMATERIAL
 * (not listed) or -TB_ECORE (noncore_only and a core one). */
int tb_rule_materials(const tb_item_t *item, const char *const *materials, size_t n,
                      bool noncore_only, uint32_t *ret_mask);

/* Whether text is missing or only blanks. */
bool tb_rule_blank(const char *s);

#endif
