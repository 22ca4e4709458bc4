/* tb_store.c: the store's file and schema (tb_store_int.h says which part
 * of the store is where). */
#include "tb_store_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void tb_store_set_rules(tb_store_t *self, const tb_catalog_t *catalog,
                        const tb_calendar_t *calendar)
{
    self->catalog = catalog;
    self->calendar = calendar;
}

int tb_store_set_catalog_version(tb_store_t *self, const uint32_t *version,
                                 const char *shipped_path)
{
    char *path = shipped_path ? strdup(shipped_path) : NULL;
    if (shipped_path && !path)
        return -ENOMEM;
    free(self->shipped_catalog);
    self->shipped_catalog = path;
    self->catalog_version = version;
    return 0;
}

/* order9 (issue 9, one order; tb_store_order.c): the county's position of
 * each event it folded (StatusUpdate.folded), kept per case whether or not
 * the event is here yet; and (add_catalog_version below, since SQLite adds
 * no column "if not exists") the catalog version each event was checked
 * under when it was recorded here (0 before this: the shipped file).  One
 * self-contained step, idempotent like the others. */
#define ORDER_MIGRATION                                                                            \
    "CREATE TABLE IF NOT EXISTS case_order(case_id TEXT NOT NULL, pos INTEGER NOT NULL,"           \
    "  origin_node TEXT NOT NULL, origin_seq INTEGER NOT NULL,"                                    \
    "  PRIMARY KEY(case_id, pos)) WITHOUT ROWID;"                                                  \
    "CREATE INDEX IF NOT EXISTS case_order_id ON case_order(origin_node, origin_seq);"

/* st21 (issue 13): what a case's row knows of its order (tb_store_order.c,
 * "What the row knows"): cases.order_m, the county positions held here as
 * the case's first events in recording order (NULL: not known, the order is
 * read from the events), and cases.order_tail, the ids of the events
 * recorded after them, in recording order.  A row from before it has NULL,
 * and takes the first status update's read.  The columns are added in C
 * (add_order_state), as SQLite adds no column "if not exists": idempotent. */
#define ORDER_STATE_MIGRATION "/* st21: cases.order_m, cases.order_tail (add_order_state) */"

/* Versioned migrations: schema version N is reached by running migrations[N-1]. */
static const char *const migrations[] = {
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE events("
    "  origin_node TEXT NOT NULL, origin_seq INTEGER NOT NULL, case_id TEXT NOT NULL,"
    "  type INTEGER NOT NULL, actor TEXT NOT NULL, at_ms INTEGER NOT NULL,"
    "  target TEXT NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL,"
    "  recorded_ms INTEGER NOT NULL, folded INTEGER NOT NULL,"
    "  PRIMARY KEY(origin_node, origin_seq));"
    "CREATE INDEX events_case ON events(case_id);"
    "CREATE TABLE cases("
    "  case_id TEXT PRIMARY KEY, origin TEXT NOT NULL,"
    "  client_name TEXT NOT NULL, client_phone TEXT NOT NULL, agent TEXT NOT NULL,"
    "  item_code TEXT NOT NULL, note TEXT NOT NULL, accept_time_ms INTEGER NOT NULL,"
    "  completion_time_ms INTEGER, result TEXT,"
    "  state TEXT NOT NULL, holder TEXT NOT NULL, pending TEXT NOT NULL,"
    "  version INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    "  county_state TEXT, county_version INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE link_out(peer TEXT PRIMARY KEY, last INTEGER NOT NULL, acked INTEGER NOT NULL);"
    "CREATE TABLE outbox(peer TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  PRIMARY KEY(peer, seq)) WITHOUT ROWID;"
    "CREATE TABLE link_in(peer TEXT PRIMARY KEY, cursor INTEGER NOT NULL);"
    "CREATE TABLE quarantine(peer TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  why TEXT NOT NULL, at_ms INTEGER NOT NULL);",
    /* 2: the lifecycle.  fold is tb_case_encode() of the whole fold; due_ms and
     * legal_due_ms the deadlines it implies (0: no clock runs); to_bring what
     * the resident must still bring; rejected the county's reason for refusing
     * one of our events (the event then stays recorded with folded = 0). */
    "ALTER TABLE cases ADD COLUMN fold TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN due_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN legal_due_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN to_bring TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE cases ADD COLUMN decision INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN rejected TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN detail TEXT NOT NULL DEFAULT '';",
    /* 3: data the county distributes (proto DataVersion): every version of the
     * catalog and the calendar this node received; the newest is in force. */
    "CREATE TABLE data_versions(kind TEXT NOT NULL, version INTEGER NOT NULL,"
    "  body BLOB NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY(kind, version));",
    /* 4 (issue 7): the row is tb_project()'s.  fold is tb_case_pack() of the
     * fold (a protobuf message); the text form before it moves to fold_text,
     * which fold_from_text() below re-encodes and empties in the same
     * transaction.  "Paused" is a column of its own, as at the county, and
     * the deadlines are 0 while paused (they were -1). */
    "ALTER TABLE cases RENAME COLUMN fold TO fold_text;"
    "ALTER TABLE cases ADD COLUMN fold BLOB NOT NULL DEFAULT x'';"
    "ALTER TABLE cases ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;"
    "UPDATE cases SET paused = 1, due_ms = 0, legal_due_ms = 0"
    "  WHERE due_ms < 0 OR legal_due_ms < 0;",
    /* epoch (issue 9): link epochs (proto Envelope.epoch).  store_epoch holds
     * this store's own, drawn once when the store is created (or first
     * migrated): SQLite's random(), seeded from the OS, never 0.  link_epoch
     * the current epoch of each peer; link_epoch_old the ones each peer had
     * before (an envelope carrying one is a replay).  Independent of the
     * other migrations, and idempotent (the lead may re-order the array). */
    "CREATE TABLE IF NOT EXISTS store_epoch(epoch INTEGER NOT NULL);"
    "INSERT INTO store_epoch SELECT CASE WHEN r = 0 THEN 1 ELSE r END FROM (SELECT random() AS r)"
    "  WHERE NOT EXISTS (SELECT 1 FROM store_epoch);"
    "CREATE TABLE IF NOT EXISTS link_epoch(peer TEXT PRIMARY KEY, epoch INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS link_epoch_old(peer TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  retired_ms INTEGER NOT NULL, PRIMARY KEY(peer, epoch)) WITHOUT ROWID;"
    /* ... and a restore of this store from upstream (tb_restore.h): asked,
     * then answered with the numbers of the RestoreAnswer. */
    "CREATE TABLE IF NOT EXISTS restore(asked_ms INTEGER NOT NULL, answered_ms INTEGER,"
    "  origin_seq INTEGER, events INTEGER, cases INTEGER, lost TEXT);"
    /* ... and at a parent, the restores answered: once per child's epoch. */
    "CREATE TABLE IF NOT EXISTS restore_answered(peer TEXT NOT NULL, epoch INTEGER NOT NULL,"
    "  at_ms INTEGER NOT NULL, PRIMARY KEY(peer, epoch)) WITHOUT ROWID;",
    /* trust2 (issue 8): the node's append-only audit of sign-ins and of views
     * of a case's personal data (tb_nodeauth.h).  Independent of the others. */
    "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at_ms INTEGER NOT NULL, login TEXT NOT NULL, what TEXT NOT NULL,"
    "  case_id TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS audit_login_at ON audit(login, at_ms);"
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;",
    /* The county's signature of each stored data version, so that a version
     * handed on later (a restore, tb_store_restore.c) still proves itself at
     * the node that takes it. */
    "CREATE TABLE IF NOT EXISTS data_signatures(kind TEXT NOT NULL, version INTEGER NOT NULL,"
    "  signature BLOB NOT NULL, PRIMARY KEY(kind, version)) WITHOUT ROWID;",
    /* web10 (issue 10): the screens' lists at 10,000 cases (tb_weblist.h): the
     * ledger newest first and the inbox by deadline walk an index, and "last
     * heard from" a place (or from anyone else) is one index probe, not a scan
     * of the events.  Independent of the others, and idempotent. */
    "CREATE INDEX IF NOT EXISTS cases_accept ON cases(accept_time_ms, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_due ON cases(due_ms);"
    "CREATE INDEX IF NOT EXISTS cases_holder ON cases(holder);"
    "CREATE INDEX IF NOT EXISTS events_origin_recorded ON events(origin_node, recorded_ms);"
    "CREATE INDEX IF NOT EXISTS events_recorded ON events(recorded_ms);",
    /* review9 (issue 9): at a township, per village and kind, the newest
     * catalog or calendar version queued to it (tb_store_relay.c), so that a
     * village added to the place data later gets the whole chain at once.
     * Empty at first: the first start after it queues every village every
     * version again, which a village that has them consumes as "not newer".
     * Independent of the others, and idempotent. */
    "CREATE TABLE IF NOT EXISTS data_relayed(peer TEXT NOT NULL, kind TEXT NOT NULL,"
    "  version INTEGER NOT NULL, PRIMARY KEY(peer, kind)) WITHOUT ROWID;",
    ORDER_MIGRATION,
    /* followup11 (issue 11): the 追评 (RATING_FOLLOWUP) as the case row shows
     * it: its level from the fold, its words from the event (as the first
     * rating's).  A refold that drops the 追评 zeroes the level; the words are
     * shown only beside a level.  One step, independent of the others. */
    "ALTER TABLE cases ADD COLUMN followup INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN followup_comment TEXT NOT NULL DEFAULT '';",
    /* edge20 (issue 13): "last heard from" a place is the time its messages
     * last moved our receive cursor (tb_store_cursor_set, once per peer and
     * batch), not the newest recorded_ms of its events, which took two of
     * the five b-trees every event row wrote (events_origin_recorded and
     * events_recorded: a screen's probe each).  Filled first from those
     * indexes: a peer's newest event (a village's township: its own events,
     * not the county's it relayed).  Independent of the others, and
     * idempotent. */
    "CREATE TABLE IF NOT EXISTS link_heard(peer TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "INSERT OR IGNORE INTO link_heard(peer, at_ms)"
    "  SELECT peer, (SELECT max(recorded_ms) FROM events WHERE origin_node = peer) AS at"
    "  FROM link_in WHERE at IS NOT NULL;"
    "DROP INDEX IF EXISTS events_origin_recorded;"
    "DROP INDEX IF EXISTS events_recorded;",
    ORDER_STATE_MIGRATION,
    /* twp22 (issue 13): case_order's second b-tree goes.  case_order_id
     * (origin_node, origin_seq) served one reader, tb_store_apply's "does the
     * county place this event already", which now asks within the event's
     * case (the key's prefix, a case's few positions): a county position
     * names an event of that case only.  Every position a status update
     * writes (about three a case at a township and at a village) wrote two
     * b-trees.  Independent of the others, and idempotent. */
    "DROP INDEX IF EXISTS case_order_id;",
};
#define FOLD_PB_VERSION 4 /* the schema version with fold as tb_case_pack() */

int tb_store_sql_err(tb_store_t *self, const char *what)
{
    snprintf(self->last_error, sizeof self->last_error, "sqlite %s: %s (extended %d, errno %d)",
             what, sqlite3_errmsg(self->db), sqlite3_extended_errcode(self->db),
             sqlite3_system_errno(self->db));
    int code = sqlite3_errcode(self->db) & 0xff;
    int sys = sqlite3_system_errno(self->db);
    /* A full disk shows as SQLITE_FULL, or as a failed or short write
     * (SQLITE_IOERR_WRITE, errno ENOSPC/EFBIG/EDQUOT or 0). */
    if (code == SQLITE_FULL || sqlite3_extended_errcode(self->db) == SQLITE_IOERR_WRITE ||
        (code == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)))
        return -ENOSPC;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return -EBUSY;
    if (code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN)
        return -EACCES;
    return -TB_ESTORE;
}

const char *tb_store_last_error(const tb_store_t *self)
{
    return self->last_error;
}

int tb_store_exec(tb_store_t *self, const char *sql)
{
    int rc = tb_store_proj_flush(self);
    if (rc < 0)
        return rc;
    if (sqlite3_exec(self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return tb_store_sql_err(self, sql);
    return 0;
}

static int prep(tb_store_t *self, const char *sql, sqlite3_stmt **ret)
{
    if (sqlite3_prepare_v2(self->db, sql, -1, ret, NULL) != SQLITE_OK)
        return tb_store_sql_err(self, sql);
    return 0;
}

int tb_store_prep(tb_store_t *self, const char *sql, sqlite3_stmt **ret)
{
    int rc = tb_store_proj_flush(self);
    return rc < 0 ? rc : prep(self, sql, ret);
}

int tb_store_stmt(tb_store_t *self, const char *sql, sqlite3_stmt **ret)
{
    int rc = tb_store_proj_flush(self);
    return rc < 0 ? rc : tb_store_stmt_keep(self, sql, ret);
}

int tb_store_stmt_keep(tb_store_t *self, const char *sql, sqlite3_stmt **ret)
{
    /* Compiling was most of an edge's CPU while it caught up (the profile in
     * bench/RESULTS.md, 2026-12-01, edge13): a statement per call, parsed
     * and planned again for every message.  Kept statements are reused;
     * sqlite3_prepare_v2's statements compile themselves again when the
     * schema changed under them.  The cache is keyed by the text: callers
     * pass literals, so the text's address finds its statement first, and
     * strcmp (a vector compare) makes sure (SQL formatted into a reused
     * buffer never finds another's statement).  Until 2026-12-01 every call hashed the whole text byte by byte
     * first: 4 % of a township relaying a backlog (bench/RESULTS.md). */
    for (int i = 0; i < self->nstmts; i++) {
        tb_store_cached_t *c = &self->stmts[i];
        if (c->key == sql && !c->busy && strcmp(sqlite3_sql(c->st), sql) == 0) {
            c->busy = true;
            *ret = c->st;
            return 0;
        }
    }
    for (int i = 0; i < self->nstmts; i++) {
        tb_store_cached_t *c = &self->stmts[i];
        if (c->busy || strcmp(sqlite3_sql(c->st), sql) != 0)
            continue;
        c->busy = true;
        *ret = c->st;
        return 0;
    }
    sqlite3_stmt *st;
    int rc = prep(self, sql, &st);
    if (rc < 0)
        return rc;
    /* A second copy for a caller nested inside the first is not kept. */
    bool held = false;
    for (int i = 0; i < self->nstmts && !held; i++)
        held = strcmp(sqlite3_sql(self->stmts[i].st), sql) == 0;
    /* Only a statement whose text is the whole of sql is found again. */
    if (!held && self->nstmts < TB_STORE_STMTS && strcmp(sqlite3_sql(st), sql) == 0)
        self->stmts[self->nstmts++] = (tb_store_cached_t){st, sql, true};
    *ret = st;
    return 0;
}

void tb_store_done(tb_store_t *self, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < self->nstmts; i++) {
        if (self->stmts[i].st != st)
            continue;
        /* What step said is already in last_error; reset repeats it. */
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        self->stmts[i].busy = false;
        return;
    }
    sqlite3_finalize(st);
}

/* Migration 4's second half: each fold in the text form (a store written
 * before issue 7) re-encoded as tb_case_pack(), the text emptied.  A text
 * that does not decode stays where it is, and the case reads as a row from
 * before the lifecycle (tb_store_case_get), as it did before. */
static int fold_from_text(tb_store_t *self)
{
    sqlite3_stmt *sel, *up;
    int rc =
        tb_store_prep(self, "SELECT case_id, fold_text FROM cases WHERE fold_text <> ''", &sel);
    if (rc < 0)
        return rc;
    if ((rc = tb_store_prep(self, "UPDATE cases SET fold = ?2, fold_text = '' WHERE case_id = ?1",
                            &up)) < 0) {
        sqlite3_finalize(sel);
        return rc;
    }
    int s;
    while (rc == 0 && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        tb_case_t c;
        if (tb_case_text_decode((const char *)sqlite3_column_text(sel, 1), &c) < 0)
            continue;
        uint8_t fold[TB_CASE_PACKED_MAX];
        size_t len = tb_case_pack(&c, fold);
        sqlite3_bind_text(up, 1, (const char *)sqlite3_column_text(sel, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(up, 2, fold, (int)len, SQLITE_TRANSIENT);
        if (sqlite3_step(up) != SQLITE_DONE)
            rc = tb_store_sql_err(self, "fold from text");
        sqlite3_reset(up);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "fold from text");
    sqlite3_finalize(up);
    sqlite3_finalize(sel);
    return rc;
}

/* alter (an ALTER TABLE ... ADD COLUMN) unless table has column already. */
static int add_column(tb_store_t *self, const char *table, const char *column, const char *alter)
{
    sqlite3_stmt *st;
    int rc = tb_store_prep(self, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (have < 0)
        return tb_store_sql_err(self, "table_info");
    return have ? 0 : tb_store_exec(self, alter);
}

/* ORDER_MIGRATION's column, added once. */
static int add_catalog_version(tb_store_t *self)
{
    return add_column(self, "events", "catalog_version",
                      "ALTER TABLE events ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0");
}

/* ORDER_STATE_MIGRATION's columns, each added once. */
static int add_order_state(tb_store_t *self)
{
    int rc = add_column(self, "cases", "order_m", "ALTER TABLE cases ADD COLUMN order_m INTEGER");
    return rc < 0 ? rc
                  : add_column(self, "cases", "order_tail",
                               "ALTER TABLE cases ADD COLUMN order_tail TEXT");
}

static int migrate(tb_store_t *self)
{
    /* Under the write lock, so that a daemon and a command opening a new store
     * at the same moment do not both create the schema. */
    int rc = tb_store_begin(self);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st;
    if ((rc = tb_store_prep(self, "PRAGMA user_version", &st)) < 0) {
        tb_store_rollback(self);
        return rc;
    }
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    int want = (int)(sizeof migrations / sizeof migrations[0]);
    if (version < 0 || version > want)
        rc = -TB_ESTORE; /* a newer program made this store */
    for (int v = version; rc == 0 && v < want; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if ((rc = tb_store_exec(self, migrations[v])) == 0 && v + 1 == FOLD_PB_VERSION)
            rc = fold_from_text(self);
        if (rc == 0 && strcmp(migrations[v], ORDER_MIGRATION) == 0)
            rc = add_catalog_version(self);
        if (rc == 0 && strcmp(migrations[v], ORDER_STATE_MIGRATION) == 0)
            rc = add_order_state(self);
        if (rc == 0)
            rc = tb_store_exec(self, pragma);
    }
    if (rc < 0) {
        tb_store_rollback(self);
        return rc;
    }
    return tb_store_commit(self);
}

static int open_once(const char *dir, const char *place, tb_store_t **ret_store);

/* SQLite's memory statistics off, once per process, before its first
 * connection (later, sqlite3_config refuses, harmlessly: a program that
 * used SQLite before its first store keeps them).  With them on, every
 * malloc and free SQLite makes (about 30 of each a relayed event at a
 * township: this SQLite is built without lookaside) takes and releases a
 * process-wide mutex to count bytes nobody here reads (twp22). */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Two processes opening a new store at once (a daemon starting while a command creates the
 * store) can meet SQLite's locks where its busy handler is not asked (the journal mode
 * switch, a WAL index being built): such an -EBUSY is tried again for up to 10 s. */
int tb_store_open(const char *dir, const char *place, tb_store_t **ret_store)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    while ((rc = open_once(dir, place, ret_store)) == -EBUSY) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= 10)
            break;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    return rc;
}

static int open_once(const char *dir, const char *place, tb_store_t **ret_store)
{
    if (!tb_code_valid(place))
        return -TB_EINVAL_CODE;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.db", dir, place) >= sizeof path)
        return -ENAMETOOLONG;
    tb_store_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    strcpy(self->place, place);
    int rc;
    /* NOMUTEX: a store is used by one thread at a time (tb_store_int.h), so
     * the connection's own mutex, taken and released in every call, guards
     * nothing (5 % of a township's CPU in the end to end drain, edge18). */
    if (sqlite3_open_v2(path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = self->db ? tb_store_sql_err(self, "open") : -ENOMEM;
        tb_store_destroy(&self);
        return rc;
    }
    sqlite3_busy_timeout(self->db, 5000);
    if ((rc = tb_store_exec(self, "PRAGMA journal_mode=WAL")) < 0 ||
        (rc = tb_store_exec(self, "PRAGMA synchronous=FULL")) < 0 || (rc = migrate(self)) < 0) {
        tb_store_destroy(&self);
        return rc;
    }
    *ret_store = self;
    return 0;
}

void tb_store_destroy(tb_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_store_t *self = *self_p;
    tb_store_tx_forget(self);
    /* sqlite3_close_v2 would keep a connection with statements open as a
     * zombie, never freed: the cache's go first. */
    for (int i = 0; i < self->nstmts; i++)
        sqlite3_finalize(self->stmts[i].st);
    self->nstmts = 0;
    if (self->db)
        sqlite3_close_v2(self->db);
    free(self->shipped_catalog);
    free(self);
    *self_p = NULL;
}

sqlite3 *tb_store_db(tb_store_t *self)
{
    /* Whoever asks for the handle may read cases: the pending row goes in
     * first; a failure is the commit's to return (proj_failed). */
    int rc = tb_store_proj_flush(self);
    if (rc < 0 && !self->proj_failed)
        self->proj_failed = rc;
    return self->db;
}

const char *tb_store_place(const tb_store_t *self)
{
    return self->place;
}

/* BEGIN and COMMIT as kept statements: sqlite3_exec compiled them again for
 * every transaction, 2.4 % of a village's CPU under the latency run's
 * trickle (bench/RESULTS.md, 2026-12-01, vil16). */
static int run_kept(tb_store_t *self, const char *sql)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, sql, &st);
    return rc < 0 ? rc : tb_store_run(self, st);
}

int tb_store_begin(tb_store_t *self)
{
    self->last_error[0] = '\0'; /* what a failure in this transaction says, not an older one's */
    tb_store_tx_forget(self);
    return run_kept(self, "BEGIN IMMEDIATE");
}

int tb_store_commit(tb_store_t *self)
{
    int rc = tb_store_proj_flush(self);
    if (rc == 0 && self->proj_failed)
        rc = self->proj_failed;
    if (rc == 0)
        rc = tb_store_out_flush(self);
    if (rc == 0)
        rc = tb_store_counter_flush(self);
    if (rc == 0)
        rc = run_kept(self, "COMMIT");
    tb_store_tx_forget(self);
    if (rc < 0)
        tb_store_rollback(self);
    return rc;
}

void tb_store_rollback(tb_store_t *self)
{
    tb_store_tx_forget(self);
    if (!sqlite3_get_autocommit(self->db))
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step a statement that returns no rows, then give it back. */
int tb_store_run(tb_store_t *self, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tb_store_sql_err(self, sqlite3_sql(st));
    tb_store_done(self, st);
    return rc;
}
