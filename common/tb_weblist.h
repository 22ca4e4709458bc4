/* tb_weblist: the screens' case lists (the village ledger, the township inbox
 * and villages pages), filtered, counted and paged in SQL.
 *
 * The first screens loaded every case as JSON and filtered in C: with 10,000
 * cases a request took about 0.5 s on the daemon's loop, which also stalls
 * the link.  Here the WHERE clause does the filtering, count(*) the total,
 * and only one page of rows is made into JSON (the two subqueries of
 * TB_REPORT_CASE_COLS run for that page only: the page's ids are chosen first).
 * The cards are the same as tb_card_name's: red when the deadline has passed,
 * yellow when it falls before the end of the next working day; a paused case,
 * or one with no clock, has neither.
 *
 * Request parameters (tb_weblist_parse), all optional:
 *   filter  open | due | overdue | closed        item   an item code
 *   village a place code (the case ids it made)  q      part of a case id or name
 *   from, to  YYYY-MM-DD, accept day (CST), inclusive
 *   page    1.., per 1..200 (default 1 and 50)
 * A bad one is answered 400 {"errors": [{"field", "message"}]} in the
 * request's language (Chinese first).  Library code: answers, logs nothing. */
#ifndef TB_WEBLIST_H
#define TB_WEBLIST_H

#include "tb_http.h"
#include "tb_report.h"
#include "tb_store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TB_WEBLIST_PER 50 /* rows on a page unless asked */
#define TB_WEBLIST_PER_MAX 200
#define TB_WEBLIST_PAGE_MAX 100000

typedef enum {
    TB_WEBLIST_ALL,
    TB_WEBLIST_OPEN,
    TB_WEBLIST_DUE,
    TB_WEBLIST_OVERDUE,
    TB_WEBLIST_CLOSED,
} tb_weblist_filter_t;

typedef struct {
    const char *held; /* held by or being handed to this place (NULL: every case) */
    bool by_due;      /* the inbox: sooner deadline first, no clock last; else newest first */
    tb_weblist_filter_t filter;
    const char *item, *village, *q; /* NULL: any */
    int64_t from_ms, to_ms;         /* accept time in [from_ms, to_ms); 0: unbounded */
    unsigned page, per;             /* page 1.. of per rows */
} tb_weblist_query_t;

/* Read the request's parameters into *ret (strings borrowed from req): 0, or
 * -1 after answering 400 with the field errors. */
int tb_weblist_parse(const tb_http_req_t *req, tb_http_resp_t *resp, tb_weblist_query_t *ret);

/* One page: {"cases": [...], "total", "page", "per", "pages"}.  0 or -TB_ESTORE, -ENOMEM. */
int tb_weblist_page(tb_store_t *store, const tb_weblist_query_t *q, const tb_report_opts_t *o,
                    int64_t now_ms, json_t **ret);

/* The printable monthly ledger's rows (the seed documents' columns: client_name,
 * client_phone, agent, item_name, accept_time, completion_time, result), of
 * the cases accepted in [from_ms, to_ms), oldest first: only those columns
 * are read, text made safe as in every listing (tb_text_safe; phone masked
 * when o->mask_phone).  0 or -TB_ESTORE, -ENOMEM. */
int tb_weblist_month(tb_store_t *store, int64_t from_ms, int64_t to_ms, const tb_report_opts_t *o,
                     json_t **ret);

/* Open, overdue (red) and due-soon (yellow) cases of every place, by the first
 * 12 characters of the case id: {"PLACE": [open, overdue, due_soon], ...}. */
int tb_weblist_counts(tb_store_t *store, const tb_calendar_t *cal, int64_t now_ms, json_t **ret);

#endif
