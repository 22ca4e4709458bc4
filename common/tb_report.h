/* tb_report: what the village and township commands print about cases, as a
 * table for people (Chinese first) or as JSON (--json), from the local store. */
#ifndef TB_REPORT_H
#define TB_REPORT_H

#include "tb_calendar.h"
#include "tb_catalog.h"
#include "tb_input.h"
#include "tb_place.h"
#include "tb_store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    const tb_places_t *places;
    const tb_catalog_t *catalog;
    bool json;
    /* Show 138****5678, and mask phone and resident ID numbers inside free
     * text (tb_text_safe): every listing and export sets it; only the one-case
     * view (show) may clear it, and that is where the role check goes once
     * accounts exist (issue 8). */
    bool mask_phone;
    const tb_calendar_t *calendar; /* for the yellow/red cards (NULL: none shown) */
} tb_report_opts_t;

/* The card of a deadline as a stable name ("", "yellow", "red", "paused") and a label.
 * A due_ms below 0 asks for "paused" (a caller whose row says paused passes -1). */
const char *tb_card_name(const tb_calendar_t *cal, int64_t due_ms, int64_t now_ms);
const char *tb_card_label(const char *name);

/* Paused is a column of its own (tb_projection.h): while it is set the
 * deadlines are 0, and the output says "paused" where a deadline would be,
 * with due_ms 0 as at the county (county_report.c), not a -1 of its own. */
#define TB_REPORT_CASE_COLS                                                                        \
    "case_id, client_name, client_phone, agent, item_code, note, accept_time_ms, state, holder,"   \
    " pending, version, updated_ms, county_state, county_version, due_ms, legal_due_ms,"           \
    " to_bring, rating, rating_comment, decision, result, completion_time_ms, paused,"             \
    " (SELECT CASE e.type WHEN 19 THEN e.reason ELSE '' END FROM events e"                         \
    "  WHERE e.case_id = cases.case_id AND e.type IN (19, 20) AND e.folded = 1"                    \
    "  ORDER BY e.at_ms DESC, e.origin_seq DESC LIMIT 1),"                                         \
    " (SELECT e.rejected FROM events e WHERE e.case_id = cases.case_id AND e.rejected <> ''"       \
    " ORDER BY e.rowid LIMIT 1), followup, followup_comment"

/* One case as JSON from a row whose columns are TB_REPORT_CASE_COLS of cases
 * (NULL: out of memory); the screens' paged lists (tb_weblist.h) use it. */
json_t *tb_report_case_row(sqlite3_stmt *st, const tb_report_opts_t *o);

/* The same as JSON values, for the screens (tb_http): an array of cases
 * (NULL on a store error), one case with its "history" (-TB_ENOCASE if
 * unknown), the catalog with "material_list" [{name, core}] per item. */
json_t *tb_report_cases_json(tb_store_t *store, const char *held, const tb_report_opts_t *o);
int tb_report_case_json(tb_store_t *store, const char *case_id, const tb_report_opts_t *o,
                        json_t **ret);
json_t *tb_report_items_json(const tb_catalog_t *catalog, uint32_t catalog_version,
                             uint32_t calendar_version);

/* The people's names beside their logins, for the screens: every case object in v
 * (an array of cases, a page {"cases": [...]}, one case with its "history", or
 * month rows with a case_id) gets "agent_name" and every history entry
 * "actor_name", from the newest account list of the place they belong to (the
 * case's village by its id, the event's origin node) in store; a login no list
 * names, or free text typed as the agent at the command line, is its own name. */
void tb_report_name_people(tb_store_t *store, json_t *v);

/* All cases (held == NULL) or those held by, or being handed to, `held`. */
int tb_report_cases(tb_store_t *store, const char *held, const tb_report_opts_t *o, FILE *out);
/* One case with its whole history; -TB_ENOCASE if unknown. */
int tb_report_case(tb_store_t *store, const char *case_id, const tb_report_opts_t *o, FILE *out);

/* The service item catalog. */
/* The catalog in force with the versions of catalog and calendar (0: the
 * shipped files); JSON: {"catalog_version", "calendar_version", "items": [...]}. */
int tb_report_items(const tb_catalog_t *catalog, uint32_t catalog_version,
                    uint32_t calendar_version, bool json, FILE *out);

/* The case table's header and the first five columns of a row (the status follows). */
void tb_print_header(FILE *out);
void tb_print_row(FILE *out, const char *id, const char *client, const char *phone,
                  const char *item, const char *at);

/* Print s left-aligned in `width` terminal columns (CJK characters take two). */
void tb_print_col(FILE *out, const char *s, int width);

/* tb_mask_phone is in tb_input.h. */

#endif
