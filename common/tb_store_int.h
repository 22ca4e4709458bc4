/* tb_store_int.h: what the parts of tb_store share.  Not a public header:
 * only common/tb_store*.c include it; everything else uses tb_store.h.
 *
 *   tb_store.c       the file and its schema: open (and the migrations, with
 *                    migration 4's re-encoding of the folds), transactions,
 *                    the SQL helpers below
 *   tb_store_case.c  events and the cases projection: apply (the county's
 *                    rejections), emit, the case read, the due refresh
 *   tb_store_order.c the order a case's events fold in (the county's
 *                    positions, StatusUpdate.folded), the refold, the
 *                    county's status of a case
 *   tb_store_known.c what a case's row knows of its order (st21): when a
 *                    status update need not read the case's events
 *   tb_store_relay.c the county's data versions: kept, and handed on to the
 *                    nodes below
 *   tb_store_link.c  the durable link's tables: outbox and its seq, receive
 *                    cursors, acks and heads, quarantine; named counters and
 *                    the backlog
 *   tb_store_restore.c a lost store rebuilt from the parent
 */
#ifndef TB_STORE_INT_H
#define TB_STORE_INT_H

#include "tb_projection.h"
#include "tb_store.h"

/* One compiled statement kept for reuse (tb_store_stmt). */
typedef struct {
    sqlite3_stmt *st;
    const char *key; /* the address of the text it was asked for first (a literal) */
    bool busy;       /* handed out, not yet given back with tb_store_done */
} tb_store_cached_t;

/* Statements kept per store: the edges use about 60 distinct ones; one past
 * this many is compiled for its call and finalized at tb_store_done. */
enum { TB_STORE_STMTS = 128 };

/* An outbox's last seq assigned in the open transaction (tb_store_enqueue):
 * the first message to a peer in a transaction bumps link_out.last in the
 * file, the next ones only here, and tb_store_commit writes the newest back
 * once (tb_store_out_flush).  A bulk batch queued two statements a message,
 * one of them for a row of five. */
typedef struct {
    char peer[TB_CODE_LEN + 1];
    uint64_t last;
    bool dirty; /* last is ahead of link_out.last */
} tb_store_outlast_t;

enum { TB_STORE_OUTLAST = 8 };

/* Room for the ids a pending cases row adds to its order_tail ("origin/seq",
 * space-separated: a relayed case's LOGGED, SUBMITTED and RECEIVED take about
 * 100 bytes). */
enum { TB_STORE_TAIL_ADD = 320 };

/* The cases row tb_store_apply last folded, not written yet (inside a
 * transaction only): a case's next event in the same transaction folds on
 * it and replaces it, so a township relaying a village's LOGGED and
 * SUBMITTED and confirming it (RECEIVED) writes the row once, not three
 * times, and reads none of it back (edge18: the row write and its read were
 * a fifth of a township's CPU in the end to end drain).  Written before any
 * other statement runs (tb_store_stmt, tb_store_prep, tb_store_exec,
 * tb_store_db): only the statements known not to read or write cases pass
 * it (tb_store_stmt_keep), and the commit writes it first. */
typedef struct {
    bool pending;
    char case_id[TB_CASEID_MAX];
    tb_case_t c;   /* the fold */
    int64_t at_ms; /* its newest event's time (updated_ms) */
    /* A LOGGED's row, its insert not made yet: the ledger (owned copies). */
    bool logged;
    /* client_name, client_phone, agent, item_code, note, result: copies in
     * one allocation, ledger[0]'s (a LOGGED's six strdups were 5 % of a
     * township's mallocs in the end to end, twp22) */
    char *ledger[6];
    int64_t accept_time_ms;
    /* The ids of the events folded into it since the row was last written,
     * for its order_tail (tb_store_order.c, "What the row knows");
     * order_lost: the row no longer knows its order (an event the county had
     * placed already, or more ids than fit here). */
    char tail_add[TB_STORE_TAIL_ADD];
    bool order_lost;
} tb_store_proj_t;

/* The counter tb_store_counter_next counted last in the open transaction:
 * its first use there bumps the row in the file, the next ones only this
 * (until another counter is asked for), and tb_store_commit writes the
 * newest back once (tb_store_counter_flush).  A township's RECEIVED for
 * every case took a statement for its event id: 5 % of its CPU in the end
 * to end drain (edge20). */
typedef struct {
    bool known; /* value is the counter's, in this transaction */
    bool dirty; /* value is ahead of the row */
    char name[32];
    uint64_t value;
} tb_store_counter_t;

/* The newest event id recorded or consumed from an origin, known in the open
 * transaction (tb_store_origin_last): a township asked for every village
 * event; now once per village and batch. */
typedef struct {
    char origin[TB_CODE_LEN + 1];
    uint64_t last;
} tb_store_originlast_t;
/* (origin, seq) recorded or consumed in the open transaction (tb_store_link.c). */
void tb_store_originlast_saw(tb_store_t *self, const char *origin, uint64_t seq);

enum { TB_STORE_ORIGINLAST = 16 };

struct tb_store {
    sqlite3 *db;
    char place[TB_CODE_LEN + 1];
    const tb_catalog_t *catalog;             /* borrowed: the items the fold needs */
    const tb_calendar_t *calendar;           /* borrowed: for the deadlines; NULL: none computed */
    const uint32_t *catalog_version;         /* borrowed: catalog's version; NULL: 0 */
    char *shipped_catalog;                   /* the file of version 0, or NULL */
    char last_error[256];                    /* the last SQLite failure, for the daemon to log */
    tb_store_cached_t stmts[TB_STORE_STMTS]; /* the statement cache (tb_store_stmt) */
    int nstmts;
    tb_store_outlast_t outlast[TB_STORE_OUTLAST]; /* valid inside one transaction */
    int noutlast;
    tb_store_proj_t proj;                               /* valid inside one transaction */
    int proj_failed;                                    /* a write of proj that failed: the commit's */
    tb_store_counter_t counter;                         /* valid inside one transaction */
    tb_store_originlast_t originlast[TB_STORE_ORIGINLAST]; /* valid inside one transaction */
    int noriginlast;
    /* Inside a transaction, whether a restore is asked and not answered
     * (tb_restore_pending): 0 not known yet, 1 no, 2 yes.  A township asked
     * for every message it took (5 % of its CPU in the end to end drain). */
    int restore_pending;
    /* The cases row's values a statement of tb_store_case.c's fold_stmt is
     * bound to (SQLITE_STATIC) until its step: bound as copies, each text and
     * the fold were a malloc and a free per row written (twp22). */
    tb_projection_t row;
};

/* A SQLite failure as our code (-ENOSPC, -EBUSY, -EACCES or -TB_ESTORE); what
 * names the statement in last_error (tb_store_last_error). */
int tb_store_sql_err(tb_store_t *self, const char *what);
/* Run SQL that returns no rows. */
int tb_store_exec(tb_store_t *self, const char *sql);
/* Compile a statement into *ret, for this call only: give it back with
 * sqlite3_finalize or tb_store_done. */
int tb_store_prep(tb_store_t *self, const char *sql, sqlite3_stmt **ret);
/* The statement for sql from the store's cache, compiled on first use (the
 * edges' profile: compiling was over half a township's CPU).  It comes
 * reset, with no values bound, and goes back with tb_store_done, never
 * sqlite3_finalize.  A statement still handed out (a caller that holds one
 * while a callee asks for the same SQL) is not shared: the second caller
 * gets one compiled for its call.  A store is used by one thread at a time,
 * so the cache takes no lock. */
int tb_store_stmt(tb_store_t *self, const char *sql, sqlite3_stmt **ret);
/* tb_store_stmt for a statement that neither reads nor writes cases: the
 * pending row (tb_store_proj_t) stays pending. */
int tb_store_stmt_keep(tb_store_t *self, const char *sql, sqlite3_stmt **ret);
/* Write the pending cases row, if any (tb_store_case.c).  0 or negative. */
int tb_store_proj_flush(tb_store_t *self);
/* Forget the pending row, the origins' last ids and the outboxes' last seqs
 * (a transaction's end). */
void tb_store_tx_forget(tb_store_t *self);
/* Give back a statement from tb_store_stmt or tb_store_prep: a cached one
 * is reset (so no read stays open) and its values unbound, any other is
 * finalized.  NULL is ignored. */
void tb_store_done(tb_store_t *self, sqlite3_stmt *st);
/* Step a statement that returns no rows, then give it back (always). */
int tb_store_run(tb_store_t *self, sqlite3_stmt *st);
/* Queue to node every stored version of kind above after, oldest first, with
 * the county's signature kept for it (tb_store_relay.c); *ret_newest the
 * newest queued (after when none).  Inside a transaction. */
int tb_store_data_queue(tb_store_t *self, const char *node, const char *kind, uint32_t after,
                        uint32_t *ret_newest);

/* Write back the counter the open transaction counted in memory
 * (tb_store_counter_t) and forget it; whatever else writes counters calls
 * it first.  0 or negative. */
int tb_store_counter_flush(tb_store_t *self);

/* Write back the outboxes' last seqs the open transaction assigned in
 * memory (tb_store_outlast_t); every read or other write of link_out calls
 * it first.  0 or negative. */
int tb_store_out_flush(tb_store_t *self);

/* Write a case's row (tb_project of c) into cases (tb_store_case.c). */
int tb_store_project_fold(tb_store_t *self, const char *case_id, const tb_case_t *c, int64_t at_ms);
/* Fold case_id again from its first event, in the county's order, each
 * event under its own catalog version (tb_store_order.c). */
int tb_store_refold(tb_store_t *self, const char *case_id, int64_t at_ms);
/* Add "origin/seq" to the ids in buf (cap bytes, space-separated); false
 * when it does not fit (buf unchanged) (tb_store_known.c). */
bool tb_store_order_add(char *buf, size_t cap, const char *origin, uint64_t seq);
/* case_id's row no longer knows its order: its next status update reads the
 * events (tb_store_known.c).  0 or negative. */
int tb_store_order_forget(tb_store_t *self, const char *case_id);

/* What the row knows (order_m, order_tail), read with the case's number of
 * events (tb_store_known.c).  m -1: not known; found false: not a case of
 * ours. */
typedef struct {
    bool found;
    int64_t m, events;
    char tail[1024]; /* "" when longer: then m is -1 */
} row_order_t;
int tb_store_row_order_read(tb_store_t *self, const char *case_id, row_order_t *ret);
/* Whether the update s only extends the order r knows: the county placed,
 * at positions m+1..version, the first n_folded ids of the tail in its
 * order, and the row accounts for every event of the case; *ret_rest is
 * then what stays in the tail (tb_store_known.c). */
bool tb_store_extends_order(const row_order_t *r, const Tongban__V1__StatusUpdate *s,
                            const char **ret_rest);

#endif
