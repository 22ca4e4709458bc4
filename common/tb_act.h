/* tb_act: one step a person takes on a case at a village or township, as a
 * command: build the event from what was typed, fold it with the shared state
 * machine and, only if it folds, record it and queue it to the peers — all in
 * one transaction, so a refused step changes nothing.
 */
#ifndef TB_ACT_H
#define TB_ACT_H

#include "tb_case.h"
#include "tb_msg.h"
#include "tb_store.h"

typedef struct {
    tb_event_type_t type;
    const char *case_id;
    const char *actor;
    const char *target;     /* SUBMITTED/FORWARDED */
    const char *reason;     /* REFUSED, DECIDED deny, SUSPENDED (optional), NOTE, WITHDRAWN */
    const char *basis;      /* SUSPENDED */
    const char *comment;    /* RATED */
    const char *materials;  /* "a,b" or "a、b": NOTICE, SUPPLEMENTED, PLEDGED */
    int64_t due_ms;         /* PLEDGED */
    unsigned rating;        /* RATED */
    unsigned indicators[4]; /* RATED: GB/T 39735's four, all 1..5 or all 0 (rating_indicators.h) */
    unsigned decision;      /* DECIDED */
    const char *complaint_kind; /* COMPLAINED: as typed (tb_complaint_kind_word; NULL: 投诉) */
} tb_act_t;

/* Split a typed list of materials ("a,b", "a、b", "a，b") into at most
 * TB_ITEM_MATERIALS_MAX trimmed names in buf (a copy).  The count, 0 for an
 * empty list, or -TB_ETOOLONG. */
int tb_act_split(const char *list, char *buf, size_t size, char *ret_names[TB_ITEM_MATERIALS_MAX]);

/* Take the step: -TB_ENOCASE, the fold's code (-TB_EILLEGAL, -TB_ENOTHOLDER,
 * -TB_ENOREASON, ...), a store error, or 0.  peers is NULL-terminated. */
int tb_act(tb_store_t *store, const tb_act_t *a, const char *const *peers);

/* The words for a refused step, into ret_msg for the caller to print: the
 * rule, and a hint where one helps (the item's materials for
 * -TB_EMATERIAL/-TB_ECORE). */
void tb_act_explain(tb_store_t *store, const tb_catalog_t *catalog, const char *case_id, int err,
                    tb_msg_t *ret_msg);

/* A complaint step (COMPLAINED, COMPLAINT_REPLIED) is also checked against
 * the complaint's flow as this store has it (tb_complaint.h): one open per
 * case; only the unit it was assigned to answers (-TB_EILLEGAL,
 * -TB_ENOTHOLDER).  tb_complaint_local folds it: 0 or -TB_ESTORE
 * (tb_complaint_act.c). */
struct tb_complaint;
int tb_complaint_local(tb_store_t *store, const char *case_id, struct tb_complaint *ret);

/* tb_act_explain, with the words for a refused complaint step. */
void tb_act_explain_step(tb_store_t *store, const tb_catalog_t *catalog, tb_event_type_t t,
                         const char *case_id, int err, tb_msg_t *ret_msg);

/* The date a person types for a due day ("YYYY-MM-DD") as the end of that day in CST. */
int tb_act_parse_due(const char *s, int64_t *ret_ms);

#endif
