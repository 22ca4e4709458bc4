/* tb_store: the SQLite local store of a village or township node.
 *
 * One file per node (<data_dir>/<place>.db), WAL mode, synchronous=FULL so
 * that a case id printed to a person survives a power cut.  It holds the
 * node's events (append-only, unique (origin_node, origin_seq)), the cases
 * projection (the fold of the events), and the durable link state: the outbox
 * per peer with its last assigned seq and the peer's ack, and the receive
 * cursor per peer.  The daemon and the commands a person types open the same
 * file; writers take BEGIN IMMEDIATE and wait up to busy_timeout.  A store
 * is used by one thread at a time (its connection is opened without a mutex
 * of its own, SQLITE_OPEN_NOMUTEX): a thread may hand it to another, never
 * share it.
 */
#ifndef TB_STORE_H
#define TB_STORE_H

#include "tb_case.h"
#include "tb_wire.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct tb_store tb_store_t;

/* Open (creating and migrating) the store of node `place` in dir. */
int tb_store_open(const char *dir, const char *place, tb_store_t **ret_store);
void tb_store_destroy(tb_store_t **self_p);
sqlite3 *tb_store_db(tb_store_t *self);
/* The catalog the fold looks items up in, and the calendar the deadlines are
 * counted on (both borrowed; they must outlive the store).  Without a catalog
 * every event fails to fold with -TB_EUNKNOWN_ITEM. */
void tb_store_set_rules(tb_store_t *self, const tb_catalog_t *catalog,
                        const tb_calendar_t *calendar);
/* The version of the catalog given to tb_store_set_rules (borrowed: it
 * follows the node's version in force as new ones arrive; NULL: 0) and the
 * file of version 0, the shipped catalog.csv (copied; NULL: none).  Each
 * event is stored with the catalog version it was checked under, and a
 * refold checks it under that version again (tb_store_order.c): the one in
 * force, one kept in data_versions, or the shipped file.  0 or -ENOMEM. */
int tb_store_set_catalog_version(tb_store_t *self, const uint32_t *version,
                                 const char *shipped_path);
/* Recompute the deadlines of every case (after the calendar changed). */
int tb_store_refresh_due(tb_store_t *self);
const char *tb_store_place(const tb_store_t *self);

int tb_store_begin(tb_store_t *self);
int tb_store_commit(tb_store_t *self);
void tb_store_rollback(tb_store_t *self);

/* Next value of a named counter (inside a transaction). */
int tb_store_counter_next(tb_store_t *self, const char *name, uint64_t *ret_value);

/* Record an event and fold it into the cases projection (inside a transaction).
 * body is the packed Item holding it.  Returns 0 when recorded and folded,
 * 1 when already present (nothing done), or a negative code.  An event that
 * does not fold (-TB_EILLEGAL, -TB_ENOTHOLDER, ...) is still recorded when
 * record_illegal is set (a relay must pass on what it cannot judge: the county
 * decides) and the code is returned in *ret_fold; otherwise nothing changes. */
/* A REJECTED event from the county marks the event it names as not applied
 * and folds the case again from the events still applied. */
int tb_store_apply(tb_store_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                   bool record_illegal, int *ret_fold);
/* (tb_store_apply returns 1 when (origin_node, origin_seq) is recorded with
 * the same bytes, and 2, also changing nothing, when it is recorded with
 * other bytes: an id reused for other content, which the caller reports as an
 * alarm with both digests, tb_store_event_digest and tb_digest_hex.) */

/* SHA-256 of bytes, as 64 lowercase hex digits and a NUL. */
#define TB_DIGEST_HEX 65
void tb_digest_hex(const void *buf, size_t len, char ret_hex[TB_DIGEST_HEX]);
/* The digest of the stored body of event (origin, seq), or -ENOENT. */
int tb_store_event_digest(tb_store_t *self, const char *origin, uint64_t seq,
                          char ret_hex[TB_DIGEST_HEX]);
/* The highest origin_seq recorded or consumed from origin, 0 if none. */
int tb_store_origin_last(tb_store_t *self, const char *origin, uint64_t *ret_seq);
/* origin's event seq came and was consumed without being recorded (refused
 * and answered, issue 9): it counts for tb_store_origin_last, so it is no gap
 * (the counter "consumed <origin>" keeps the highest; inside a transaction). */
int tb_store_origin_consumed(tb_store_t *self, const char *origin, uint64_t seq);

/* Mint a new event of this node (origin_seq and at_ms are filled in), fold it,
 * record it and queue it to each peer in peers (NULL-terminated).  Inside a
 * transaction.  Fails with the fold's code (nothing written) if illegal. */
int tb_store_emit(tb_store_t *self, tb_event_msg_t *ev, const char *const *peers);

/* Queue bytes to a peer; *ret_seq gets the seq (may be NULL). */
int tb_store_enqueue(tb_store_t *self, const char *peer, const uint8_t *body, size_t len,
                     uint64_t *ret_seq);

/* Record the county's status for a case (inside a transaction).  Older
 * versions are ignored.  The positions of the events it names (folded, the
 * county's order) are kept, and the case is folded again when they change
 * the order its events fold in (tb_store_order.c). */
int tb_store_county_status(tb_store_t *self, const Tongban__V1__StatusUpdate *st);

int tb_store_case_get(tb_store_t *self, const char *case_id, tb_case_t *ret_case,
                      char ret_origin[TB_CODE_LEN + 1]);

/* Link state. */
int tb_store_cursor_get(tb_store_t *self, const char *peer, uint64_t *ret_cursor);
/* Also notes that we heard from peer now (link_heard). */
int tb_store_cursor_set(tb_store_t *self, const char *peer, uint64_t cursor);
/* When peer's messages last moved our receive cursor (any peer's: NULL),
 * in ms since the epoch; 0: never.  The screens' "last heard from". */
int tb_store_heard(tb_store_t *self, const char *peer, int64_t *ret_ms);
int tb_store_out_get(tb_store_t *self, const char *peer, uint64_t *ret_last, uint64_t *ret_acked);
/* Every outbox's head through fn (peer, last seq assigned, ack stored), from
 * a cached statement: the link engine reads them at every flush. */
int tb_store_out_heads(tb_store_t *self,
                       void (*fn)(void *arg, const char *peer, uint64_t last, uint64_t acked),
                       void *arg);
/* Record an ack and prune what it covers (inside a transaction). */
int tb_store_ack(tb_store_t *self, const char *peer, uint64_t ack);

/* Link epochs (tb_linkeng_store_t's epoch functions say what each does).
 * tb_store_epoch: this store's own epoch, never 0. */
int tb_store_epoch(tb_store_t *self, uint64_t *ret_epoch);
int tb_store_peer_epoch_get(tb_store_t *self, const char *peer, uint64_t *ret_epoch);
int tb_store_peer_epoch_retired(tb_store_t *self, const char *peer, uint64_t epoch, int *ret);
int tb_store_peer_epoch_set(tb_store_t *self, const char *peer, uint64_t epoch, bool reset);
/* Keep a message that arrived in order but cannot be used, so nothing is lost
 * and the link moves on (inside a transaction). */
/* Per peer the quarantine keeps whole bodies up to TB_QUARANTINE_ROWS rows or
 * TB_QUARANTINE_BYTES bytes; beyond either, only the first
 * TB_QUARANTINE_PREFIX bytes, with the body's length and SHA-256 added to why. */
#define TB_QUARANTINE_ROWS 1000
#define TB_QUARANTINE_BYTES (16 * 1024 * 1024)
#define TB_QUARANTINE_PREFIX 256
int tb_store_quarantine(tb_store_t *self, const char *peer, uint64_t seq, const uint8_t *body,
                        size_t len, const char *why);
/* The queued message seq for peer: malloc'd copy in *ret_buf. -ENOENT if pruned. */
int tb_store_outbox_get(tb_store_t *self, const char *peer, uint64_t seq, uint8_t **ret_buf,
                        size_t *ret_len);
/* The queued messages for peer with seqs from..to, in seq order, through
 * fn (body borrowed for the call); what is missing is skipped (fn sees the
 * seqs).  One statement and one read transaction for the range: a link
 * sending its window read it a message at a time, each its own read
 * transaction (9 % of a relaying township).  A negative return of fn stops
 * the read and is what this returns. */
int tb_store_outbox_each(tb_store_t *self, const char *peer, uint64_t from, uint64_t to,
                         int (*fn)(void *arg, uint64_t seq, const uint8_t *body, size_t len),
                         void *arg);
/* Data the county distributes (catalog, calendar; see proto DataVersion).
 * tb_store_data_put stores a version of kind if it is newer than every stored
 * one (inside a transaction): 0 stored, 1 not newer (nothing written).
 * tb_store_data_newest gives the newest stored version of kind and its body
 * (malloc'd, NUL-terminated; ret_ pointers may be NULL), or -ENOENT.
 * tb_store_data_sign keeps the county's signature of a stored version (to
 * hand it on later, e.g. in a restore). */
int tb_store_data_sign(tb_store_t *self, const char *kind, uint32_t version, const uint8_t *sig,
                       size_t len);
int tb_store_data_put(tb_store_t *self, const char *kind, uint32_t version, const uint8_t *body,
                      size_t len);
int tb_store_data_newest(tb_store_t *self, const char *kind, uint32_t *ret_version, char **ret_body,
                         size_t *ret_len);
/* Queue to node (a village, at its township) every catalog and calendar
 * version this store holds and has not queued to it before, oldest first,
 * signed as the county signed it, and record it (data_relayed): each version
 * once per node, and a node that appears later gets the whole chain.  Inside
 * a transaction; *ret_queued (may be NULL) how many were queued. */
int tb_store_data_relay(tb_store_t *self, const char *node, unsigned *ret_queued);

/* Messages waiting in all outboxes. */
int tb_store_backlog(tb_store_t *self, uint64_t *ret_n);

/* What SQLite said at the store's last failure ("" if none), for the
 * daemon to log where it decides (the library logs nothing). */
const char *tb_store_last_error(const tb_store_t *self);

#endif
