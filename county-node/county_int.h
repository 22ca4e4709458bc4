/* county_int.h: the county node's rooms and what passes between them.
 *
 * Private to county-node/ (and to the county's own unit tests).  One context
 * struct, county_t, is passed everywhere; each file below owns part of it and
 * the functions declared under its name.  See README.md, "Files".
 *
 *   county_stmt.c    the prepared statements, their parameter builder, migrations
 *   county_bulk.c    a batch's row statements kept and sent as one statement over arrays
 *   county_arena.c   county_bulk.c's rows' blocks, kept until the flush ends
 *   county_pg.c      the PostgreSQL connection: open, load, pump, lose, reconnect
 *   county_cache.c   the case cache and the overlay of the batch in flight
 *   county_batch.c   a batch: start (validate, quarantine, poison) and finish (commit)
 *   county_record.c  a batch's writes: events, projection, own events, status, deadlines
 *   county_intake.c  staff commands and data versions, taken on the plain connection
 *   county_link.c    the link engine's backend: accepting, outbox queues, read-back
 *   county_serve.c   the loop: timers, signals, start and stop
 *   county_cards.c   supervision: the card timer, cards raised and cleared in a batch
 *   county_reuse.c   content-addressed ids: an id that comes again, the same or other bytes
 */
#ifndef COUNTY_INT_H
#define COUNTY_INT_H

#include "county.h"
#include "county_arena.h"

#include "tb_case.h"
#include "tb_complaint.h"
#include "tb_edge.h"
#include "tb_link.h"
#include "tb_linkeng.h"
#include "tb_map.h"
#include "tb_node.h"
#include "tb_supervise.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Unacked messages per township kept in memory; the rest stay in the outbox
 * table until the township catches up (a township away for a week must not
 * grow the county's memory).  TONGBAN_COUNTY_MAX_QUEUE lowers it so the tests
 * exercise the spill-and-reload path. */
#define COUNTY_MAX_QUEUE_DEFAULT 4096

enum {
    COUNTY_WINDOW = 256,        /* unacked messages in flight per township */
    COUNTY_MAX_PENDING = 20000, /* messages accepted for the next batch; beyond: resent */
    COUNTY_MAX_PARAMS = 24,
    COUNTY_RECONNECT_MS = 1000,
    COUNTY_SEND_POLL_MS = 100,
    COUNTY_INTAKE_SAFETY_TICKS = 30, /* the slow safety poll of the intake: 3 s */
};

/* ---- allocation, with a test-only failure seam ------------------------------------------
 *
 * The cache and batch paths allocate through these, so a test build
 * (-DTB_TEST_HOOKS) can make the N-th allocation fail and check that every
 * failure is reported and leaves nothing half-done.  Without TB_TEST_HOOKS
 * they are malloc, realloc and tb_map_put. */
#ifdef TB_TEST_HOOKS
/* Fail the n-th counted allocation from now (1 = the next); 0 turns it off.
 * county_test_alloc_count() is how many were counted since the last call. */
void county_test_alloc_fail_at(long n);
long county_test_alloc_count(void);
bool county_test_alloc_fails(void);
#else
static inline bool county_test_alloc_fails(void)
{
    return false;
}
#endif

static inline void *county_malloc(size_t n)
{
    return county_test_alloc_fails() ? NULL : malloc(n);
}

static inline void *county_realloc(void *p, size_t n)
{
    return county_test_alloc_fails() ? NULL : realloc(p, n);
}

static inline int county_map_put(tb_map_t *m, const char *key, uintptr_t value)
{
    return county_test_alloc_fails() ? -ENOMEM : tb_map_put(m, key, value);
}

static inline int county_map_put_hashed(tb_map_t *m, const char *key, uint64_t hash,
                                        uintptr_t value)
{
    return county_test_alloc_fails() ? -ENOMEM : tb_map_put_hashed(m, key, hash, value);
}

/* ---- a message kept in memory (county_batch.c) -------------------------------------- */

typedef struct {
    char peer[TB_CODE_LEN + 1];
    uint64_t seq;
    uint8_t *buf;
    size_t len;
} msg_t;

typedef struct {
    msg_t *v;
    size_t n, cap;
} msgs_t;

/* 0 or -ENOMEM (then m is unchanged). */
int msgs_push(msgs_t *m, const char *peer, uint64_t seq, const uint8_t *buf, size_t len);
/* The same, taking *buf_p (a malloc'd buffer) instead of a copy: *buf_p is
 * NULL after a success, still the caller's after a failure. */
int msgs_push_own(msgs_t *m, const char *peer, uint64_t seq, uint8_t **buf_p, size_t len);
void msgs_clear(msgs_t *m);
void msgs_free(msgs_t *m);

/* ---- a staff command and a data version to queue (county_intake.c) ------------------ */

typedef struct {
    int64_t id;
    char case_id[TB_CASEID_MAX];
    int type;
    unsigned decision, rating; /* rating: RATING_FOLLOWUP's level (migration 018) */
    char *actor, *reason, *basis;
    int64_t due_ms, card_id, taken_by; /* SUPERVISED (008); the number it was taken under (020) */
} cmd_t;

typedef struct {
    char peer[TB_CODE_LEN + 1];
    char kind[32]; /* "catalog", "calendar", "accounts/<scope>" */
    uint32_t version;
    char *body;
    size_t len;
} data_t;

/* ---- a complaint card to raise or clear (county_complaint_card.c) ------------------- */

typedef struct {
    char case_id[TB_CASEID_MAX];
    uint64_t complaint_id;
    uint64_t card_id; /* the open card to clear, or 0: raise one */
    int64_t due_ms;
    char why[16]; /* the complaint's state, for a clear */
} cp_op_t;

/* ---- a case's complaint as the batch in flight makes it (county_complaint_turn.c) ---- */

typedef struct {
    char case_id[TB_CASEID_MAX];
    tb_complaint_t c;
} cp_turn_t;

/* ---- a card to raise or clear in the batch (county_cards.c) ------------------------- */

typedef struct {
    char case_id[TB_CASEID_MAX];
    uint64_t old_id;    /* the open card it clears or replaces, or 0 */
    uint64_t new_id;    /* the card it raises (the CARD_RAISED's origin_seq), or 0 */
    tb_card_t level;    /* of the new card */
    tb_cardkind_t kind; /* of the new card */
    const char *why;    /* cleared_why of the old card */
} card_op_t;

typedef struct {
    int64_t id; /* the order (supervisions.id) */
    char case_id[TB_CASEID_MAX];
    int stage; /* TB_SUP_URGE or TB_SUP_CIRCULATE */
} sup_op_t;

typedef struct {
    char case_id[TB_CASEID_MAX];
    int64_t card;   /* 0: raise a revisit card; else the open card to clear */
    int64_t due_ms; /* the 回访 deadline (raise) */
    char owner[TB_CODE_LEN + 1];
    char why[16]; /* clear: "revisited" or "appeal" */
} rating_op_t;

/* ---- per-township storage of the link engine (county_link.c) ------------------------
 *
 * The protocol state (cursors accepted / in the batch / committed, the send
 * side) is the engine's (tb_linkeng_peer); this is what the backend stores. */

typedef struct {
    char code[TB_CODE_LEN + 1];
    uint64_t cursor_in; /* link_in's cursor as loaded (the engine asks once) */
    bool has_out;       /* a link_out row was loaded */
    uint64_t acked_in;  /* link_out's acked as loaded */
    uint64_t last;      /* the outbox's last committed seq */
    msgs_t queue;       /* our unacked messages to it, seq ascending (a prefix: see spilled) */
    bool spilled;       /* the outbox table holds messages after the queue's tail */
    /* its store epochs (county_epoch.c, sql/016_link_epochs.sql) */
    uint64_t epoch;    /* current (0: none known yet) */
    uint64_t *retired; /* the ones it had before */
    size_t nretired;
    uint64_t epoch_next;            /* epoch_queued: the next batch makes it current */
    bool epoch_queued, epoch_reset; /* ... and with epoch_reset, resets the link */
    /* Its newest row queued in a batch not yet committed: seq q_seq at index
     * q_at of out_new (or, once that batch is the older one, of older.out_new).
     * A hint, checked before use (county_link_queue_own). */
    uint64_t q_seq;
    size_t q_at;
    bool takes_lists; /* its envelopes say it takes StatusLists (Envelope.takes) */
} peer_t;

/* ---- the older of two batches in flight (county_batch.c) ----------------------------
 *
 * While batch N is in flight, batch N+1 may be built and sent on top of it
 * (the plain ingest only: county_batch_start says when), so that the county's
 * CPU overlaps PostgreSQL's.  What N+1 must see of N, and what N's commit
 * needs, moves here when N+1 starts; the batch fields of county_t are then
 * N+1's.  N+1's first statement ("batch_after") fails unless N's mark is
 * committed: in pipeline mode the server runs N+1 as a fresh transaction
 * even when N rolled back. */
typedef struct {
    bool on;
    msgs_t msgs;        /* N's messages */
    msgs_t out_new;     /* N's new outbox rows */
    tb_map_t *overlay;  /* what N makes true of cases (N+1 sees it) */
    tb_map_t *ids;      /* N's event ids -> 1 + index in msgs (county_reuse.c) */
    uint64_t event_seq; /* the last origin_seq N minted */
    uint64_t mark;      /* the mark N writes */
} county_older_t;

/* A batch of at least this many messages writes its mark ("batch" in
 * counters) and may be followed by a second batch while it is in flight. */
enum { COUNTY_OVERLAP_MIN = 32 };

/* ---- the context ------------------------------------------------------------------- */

struct county {
    /* the loop (county_serve.c) */
    uv_loop_t *loop;
    tb_env_ctx_t *env;
    const char *place;
    uv_timer_t reconnect, send_timer, stop_timer;
    uv_signal_t sigint, sigterm;
    unsigned handles; /* initialised handles of the five above (bits), for shutdown */
    tb_node_t *node;
    bool stopping;
    bool closed; /* county_shutdown ran */
    int fatal;   /* a libuv failure that stopped the county, or 0 */
    unsigned ticks;
    uint64_t batches, events;
    uint64_t overlapped; /* batches started while another was in flight */

    /* the connection (county_pg.c) */
    char *conninfo;
    PGconn *pg;
    uv_poll_t pg_poll;
    bool pg_polling, pg_writing;
    bool pg_poll_closing; /* pg_poll is closing: not reusable before its close callback */
    char lost_why[256];   /* why the connection was last given up */

    /* the cache (county_cache.c) */
    tb_map_t *cases;   /* case id -> tb_case_t *, committed state */
    tb_map_t *overlay; /* case id -> tb_case_t *, what the batch in flight makes true */

    /* the links (county_link.c) */
    tb_linkeng_t *eng; /* the link engine, made at every load */
    peer_t *peers;
    size_t npeers, cap;
    tb_map_t *peer_at; /* code -> 1 + its index in peers */
    size_t max_queue;
    msgs_t pending; /* accepted, waiting for the next batch */
    county_arena_t decode; /* the item apply_msg decoded last (county_batch.c) */

    /* the batch (county_batch.c, county_record.c) */
    msgs_t inflight; /* in the batch being committed */
    bool in_flight, batch_failed;
    char batch_sqlstate[6]; /* of the first statement that failed */
    char batch_err[256];
    /* After a batch failed on its data, the next `careful` messages go one per
     * batch; a message that fails alone is the poison and is quarantined. */
    size_t careful;
    char poison_peer[TB_CODE_LEN + 1];
    uint64_t poison_seq;
    char poison_why[256];
    ssize_t reloading; /* index of the township whose spilled outbox the batch reads, or -1 */
    bool epoch_reset_in_batch;    /* a link reset is in the batch in flight (county_epoch.c) */
    uint64_t store_epoch;         /* this database's (county_epoch_load) */
    msgs_t out_new;               /* new outbox rows of the batch in flight */
    county_older_t older;         /* the older of two batches in flight */
    uint64_t mark;                /* the last batch mark used (loaded: the stored one) */
    uint64_t mark_in_batch;       /* the mark the newest batch writes, or 0 */
    int64_t catver_conn;          /* the catalog version set for the connection's session, or -1 */
    size_t overlap_min;           /* COUNTY_OVERLAP_MIN (TONGBAN_TEST_OVERLAP_MIN in tests) */
    struct county_bulk *bulk;     /* its row statements not sent yet (county_bulk.c) */
    struct county_folded *folded; /* the ids each case folded in it, in order (county_record.c) */
    uint64_t event_seq;           /* last origin_seq the county minted (committed) */
    uint64_t batch_event_seq;
    /* A new calendar is in force: the next batch recounts every case's
     * deadline (county_refresh_due); cleared when that batch commits. */
    bool due_refresh, due_in_batch;

    /* supervision (county_cards.c) */
    uv_timer_t card_timer;
    bool card_timer_on; /* initialised (closed at shutdown) */
    tb_limits_t limits; /* from the table `limits`, as loaded */
    int64_t limits_version;
    int64_t cards_next_ms; /* the instant the timer is armed for */
    tb_map_t *cards;       /* case id -> the open card, committed: id << 8 | level << 4 | kind */
    bool cards_scan;       /* a boundary passed or the limits changed: look at every case */
    card_op_t *card_ops;   /* what the batch in flight raises and clears */
    size_t ncard_ops, card_ops_cap;
    /* 督办 not answered: their 催办/通报 found on the plain connection (county_cards_poll) */
    bool sup_check;      /* look at the open orders at the next poll */
    int64_t sup_next_ms; /* the next instant one of them reaches a stage */
    sup_op_t *sup_ops;   /* stages to stamp; the first sup_taken are in the batch in flight */
    size_t nsup_ops, sup_ops_cap, sup_taken;
    /* 差评 rectifications (county_rating.c): revisit cards to raise or clear */
    rating_op_t *rating_ops;
    size_t nrating_ops, rating_ops_cap;
    int64_t rating_next_ms; /* the next instant a 回访 falls due */

    /* content-addressed event ids (county_reuse.c) */
    tb_map_t *origin_last; /* origin node -> highest origin_seq stored or in the batch */
    tb_map_t *batch_ids;   /* "origin/seq" -> 1 + its index in inflight, this batch's events */
    /* Lines a peer can cause (county_may_log), REJECTEDs to reused ids: per peer a minute */
    tb_ratelimit_t lines_rl, answers_rl;
    /* complaints overdue (county_complaint_card.c): cards to raise or clear;
     * the first cp_taken are in the batch in flight */
    cp_op_t *cp_ops;
    size_t ncp_ops, cp_ops_cap, cp_taken;
    /* each case's complaint as the batch in flight makes it (county_complaint_turn.c) */
    cp_turn_t *cp_turns;
    size_t ncp_turns, cp_turns_cap;
    struct county_restore *restore; /* township restores (county_restore.h) */

    /* intake (county_intake.c): taken for the next batch */
    PGconn *cmd_pg;
    uv_poll_t cmd_poll;    /* cmd_pg's socket, for LISTEN/NOTIFY (county_notify.c) */
    bool cmd_polling;      /* cmd_poll initialised and not closing */
    bool cmd_poll_closing; /* not reusable before its close callback */
    bool intake_wake;      /* a notification came: take the intake at the next tick */
    unsigned intake_ticks; /* the slow safety poll, in send-timer ticks */
    cmd_t *cmds;
    size_t ncmds, cmds_cap;
    data_t *data;
    size_t ndata;
};

/* ---- county_stmt.c ------------------------------------------------------------------ */

typedef struct {
    const char *v[COUNTY_MAX_PARAMS];
    int len[COUNTY_MAX_PARAMS], fmt[COUNTY_MAX_PARAMS];
    char num[COUNTY_MAX_PARAMS][24];
    int n;
} params_t;

void p_text(params_t *p, const char *s);
/* x in decimal into out (as "%" PRId64), NUL-terminated: its length. */
size_t county_fmt_i64(char out[24], int64_t x);
/* "origin/seq" into out of size bytes, cut as snprintf cuts it: an event's id. */
void county_event_key(char *out, size_t size, const char *origin, uint64_t seq);
/* The first TB_CODE_LEN bytes of a case id (as "%.12s"): the code of the node that logged it. */
void county_code_of(const char *case_id, char out[TB_CODE_LEN + 1]);
void p_int(params_t *p, int64_t x);
void p_bytes(params_t *p, const uint8_t *b, size_t len);
/* The fake statement sink, a test hook (tests/unit/test-county-batch.c): when
 * set, a batch runs without PostgreSQL: every statement it queues and its
 * Sync (name "SYNC", p NULL) go to the sink instead; a negative return fails
 * the batch as a server error would.  Without TB_TEST_HOOKS: never set. */
typedef int (*county_test_sink_t)(county_t *self, const char *name, const params_t *p);
#ifdef TB_TEST_HOOKS
void county_test_set_sink(county_test_sink_t sink);
county_test_sink_t county_test_sink(void);
#else
static inline county_test_sink_t county_test_sink(void)
{
    return NULL;
}
#endif
/* A batch can run: connected (or the test sink is set). */
static inline bool county_online(const county_t *self)
{
    return self->pg != NULL || county_test_sink() != NULL;
}
/* End the batch's pipeline with a Sync: 0 or -TB_ESTORE. */
int county_stmt_sync(county_t *self);
/* Prepare every statement on pg: 0 or -TB_ESTORE (logged). */
int county_stmt_prepare(PGconn *pg);
/* After the state's load: no batch plan scans a whole table (county_stmt.c). */
int county_stmt_plan_batches(PGconn *pg);
/* A blocking query returning rows (loading the state): the result, or NULL (logged). */
PGresult *county_query(PGconn *pg, const char *sql);
/* Queue a prepared statement in the pipeline (text results): 0, or -TB_ESTORE (-ENOMEM
 * keeping the batch's rows) with the batch marked failed and the reason in batch_err. */
int county_stmt_send(county_t *self, const char *name, params_t *p);

/* ---- county_bulk.c: a batch's row statements, sent over arrays ------------------------ */

/* Keep row statement `name` for the batch's bulk statements: 1 kept, 0 not a row
 * statement (send it as it is), or -ENOMEM. */
int county_bulk_take(county_t *self, const char *name, const params_t *p);
/* Send what was kept, one statement per kind (a case's steps folded): 0 or negative (the
 * batch marked failed on a send error). */
int county_bulk_flush(county_t *self);
/* Forget what was kept (a batch abandoned). */
void county_bulk_reset(county_t *self);
void county_bulk_free(county_t *self);

/* ---- county_pg.c -------------------------------------------------------------------- */

/* Connect, migrate, prepare, load the state and start polling: 0 or negative. */
int county_pg_open(county_t *self);
/* Read this database's store epoch and put it in every envelope the county
 * sends (county_epoch.c; the connection not yet in pipeline mode). */
int county_epoch_load(county_t *self);
/* The townships' epochs (link_epoch, link_epoch_old) into the peers, while
 * the links are loaded: 0 or negative. */
int county_epoch_load_peers(county_t *self);
/* The link engine's epoch functions over the peers (tb_linkeng_store_t). */
int county_epoch_get(void *st, const char *peer, uint64_t *ret_epoch);
int county_epoch_retired(void *st, const char *peer, uint64_t epoch, int *ret);
int county_epoch_set(void *st, const char *peer, uint64_t epoch, bool reset);
/* Something for the next batch (a township's epoch to record or a link to reset). */
bool county_epoch_due(const county_t *self);
/* Put the queued epochs in the batch, after its cursors: 0 or negative. */
int county_epoch_batch(county_t *self);
/* The engine's on_epoch: the daemon's log lines. */
void county_epoch_note(void *ctx, const char *peer, uint64_t old_epoch, uint64_t new_epoch,
                       bool replay);
/* Close the connection; pg_poll is reusable once its close callback ran. */
void county_pg_close(county_t *self);
/* The database failed: forget everything not committed, reconnect, reload. */
void county_pg_lost(county_t *self, const char *why);
/* The same without a failure (a township's link was reset): logged as news. */
void county_pg_reload(county_t *self, const char *why);
/* Poll for writability too while libpq has more to send; 0 or a libuv error. */
int county_pg_want_write(county_t *self, bool on);
/* Send what libpq holds after a Sync: 0, or the connection was given up. */
int county_pg_flush(county_t *self);

/* ---- county_cache.c ----------------------------------------------------------------- */

/* Empty cache and overlay: 0 or -ENOMEM (then both are NULL). */
int county_cache_new(county_t *self);
void county_cache_free(county_t *self);
/* A committed row, owned by the cache from now on: 0 or -ENOMEM (c is freed). */
int county_cache_load(county_t *self, const char *case_id, tb_case_t *c);
/* The case as the batch being built sees it, or NULL. */
const tb_case_t *county_case_lookup(county_t *self, const char *case_id);
/* What the batch makes true of a case: 0 or -ENOMEM (the overlay unchanged). */
int county_overlay_put(county_t *self, const char *case_id, const tb_case_t *c);
/* The batch did not commit: forget its overlay. */
void county_overlay_drop(county_t *self);
/* The batch committed: make its overlay the cache's.  0, or -ENOMEM: then the
 * cache and overlay are both freed (memory must be reloaded from the store). */
int county_overlay_commit(county_t *self);
/* The same for the older of two batches in flight (self->older.overlay); the
 * newer's overlay stays pending. */
int county_overlay_commit_older(county_t *self);
/* Forget the older of two batches in flight: its overlay, messages, rows and
 * ids (its commit was handled, or the connection is given up). */
void county_older_drop(county_t *self);

/* ---- county_batch.c ----------------------------------------------------------------- */

/* Start the next batch if there is work and none is in flight. */
void county_batch_start(county_t *self);
/* The Sync of the batch in flight (the older of two) arrived: make it true in
 * memory and acknowledge, or not. */
void county_batch_finish(county_t *self);

/* Keep a message we cannot use in the quarantine (bounded per peer, as the
 * SQLite nodes' tb_store_quarantine) and say so (county_may_log). */
int county_quarantine(county_t *self, const msg_t *m, const char *why);
/* The same without the line (the caller has said it). */
int county_quarantine_keep(county_t *self, const msg_t *m, const char *why);
/* May a log line that peer caused be written now?  At most
 * TB_RATELIMIT_LINES a minute per peer; when a new minute starts, a summary
 * of the lines held back is written first.  Every line a remote peer can
 * cause at the county goes through here. */
bool county_may_log(county_t *self, const char *peer);
/* Add one to the counter name (e.g. "refused <peer>") in the batch. */
int county_count(county_t *self, const char *name);

/* ---- county_record.c ---------------------------------------------------------------- */

/* The fold stored in column col of row i of a text-format result: 0 and
 * *ret_case, -TB_EDATA (empty or not a fold), or -ENOMEM. */
int county_fold_read(const PGresult *r, int i, int col, tb_case_t *ret_case);
/* Re-encode folds still in the old text form (migration 004): 0 or -TB_ESTORE. */
int county_fold_from_text(PGconn *pg);

/* Record one event (folded or not) and fold it into the overlay. */
int county_record_event(county_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                        const char *via, int *ret_fold);
/* The county confirms a case forwarded to it (签收), and tells the township. */
int county_receive(county_t *self, const char *case_id, const char *township);
/* Answer an event that broke the rules with REJECTED, through `via`. */
int county_reject(county_t *self, const tb_event_msg_t *bad, const uint8_t *body, size_t len,
                  int why, const char *via);
/* The same with the code (RejectCode) and the reason in words chosen by the caller. */
int county_reject_code(county_t *self, const tb_event_msg_t *bad, const uint8_t *body, size_t len,
                       int code, const char *reason, const char *via);
/* Mint one of the county's own events and queue it to township `to`. */
int county_emit_own(county_t *self, tb_event_msg_t *ev, const char *to);
/* A StatusUpdate to the township of every case the batch changed, with
 * StatusUpdate.folded: in StatusLists to a township that takes them
 * (county_status.c). */
int county_status_updates(county_t *self);
/* The ids case_id folded in this batch, in order, into ids (at most max):
 * how many, or 0 when none or more than max. */
size_t county_folded_ids(const county_t *self, const char *case_id, char **ids, size_t max);
/* A case's StatusUpdate (borrowing case_id, c and folded). */
void county_status_fill(Tongban__V1__StatusUpdate *st, const char *case_id, const tb_case_t *c,
                        char **folded, size_t n_folded);
void county_folded_reset(county_t *self); /* forget those ids: at batch start and end */
void county_folded_free(county_t *self);  /* and the memory: at fini */
/* Every case's deadline again, on the calendar now in force. */
int county_refresh_due(county_t *self);

/* ---- county_reuse.c: content-addressed event ids (issues 8 and 9) -------------------
 *
 * Every origin's events reach the county in origin_seq order (through its
 * township), so an id at or below the highest one seen from its origin has
 * come before, or was refused on the way: only those are looked up (the
 * stored digest, migration 013, on the plain connection; or an earlier event
 * of the batch being built).  The same bytes are a duplicate, consumed
 * without being folded again; other bytes are refused. */
enum { COUNTY_ID_NEW, COUNTY_ID_SAME, COUNTY_ID_REUSED };
/* The highest origin_seq of each origin, from the store: 0 or negative. */
int county_reuse_load(county_t *self);
void county_reuse_free(county_t *self);
/* A batch is being built: forget the last batch's ids.  0 or -ENOMEM. */
int county_reuse_batch(county_t *self);
/* What ev's id is (COUNTY_ID_*), m the message holding it; for
 * COUNTY_ID_REUSED the digest stored under the id in stored.  Negative: the
 * store could not be asked (the batch fails and is tried again). */
int county_reuse_check(county_t *self, const msg_t *m, const tb_event_msg_t *ev,
                       char stored[TB_DIGEST_HEX]);
/* ev, the index-th message of the batch, is recorded in it: 0 or -ENOMEM. */
int county_reuse_seen(county_t *self, const tb_event_msg_t *ev, size_t index);
/* Refuse m, whose event reuses an id stored with digest stored: kept in the
 * quarantine, counted against its township, an alarm naming the township and
 * the origin, and REJECTED (REJECT_REUSED_ID) to the origin through the
 * township, at most TB_REJECT_ANSWERS_PER_MIN a minute per township (beyond:
 * counted as "unanswered <peer>").  0 or negative. */
int county_reuse_refuse(county_t *self, const msg_t *m, const tb_event_msg_t *ev,
                        const char *stored);

/* ---- county_intake.c ---------------------------------------------------------------- */

/* The plain connection, made if it is not: 0 or -TB_ESTORE. */
int county_cmd_connect(county_t *self);
void county_poll_commands(county_t *self);
void county_poll_data(county_t *self);
int county_apply_cmd(county_t *self, const cmd_t *c);
int county_apply_data(county_t *self, const data_t *d);
void county_cmds_clear(county_t *self);
void county_data_clear(county_t *self);
/* The plain connection is gone; taken commands go back to 'new' on the next. */
void county_intake_lost(county_t *self);

/* ---- county_notify.c ---------------------------------------------------------------- */

/* LISTEN on cmd_pg and poll its socket (a failure is logged: the slow poll
 * carries on alone). */
void county_notify_start(county_t *self);
/* Stop polling cmd_pg's socket: before every PQfinish(cmd_pg). */
void county_notify_stop(county_t *self);
/* Notifications a query on cmd_pg read along the way: intake_wake. */
void county_notify_drain(county_t *self);

/* ---- county_serve.c ----------------------------------------------------------------- */

/* A county on loop, not yet connected: 0 or negative (then nothing to free). */
int county_init(county_t *self, uv_loop_t *loop, tb_env_ctx_t *env, const char *conninfo,
                const tb_curve_t *curve);
/* Close every handle; the loop ends when they are closed. */
void county_shutdown(county_t *self);
/* Free what county_init and the run left (after the loop ended). */
void county_fini(county_t *self);
int county_start_reconnect(county_t *self);

/* The links to the townships, as the batch uses them. */
#include "county_linkseam.h"
/* The supervision side: cards, complaint cards and turns, rectifications. */
#include "county_supervise.h"

#endif
