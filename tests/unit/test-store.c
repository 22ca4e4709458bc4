/* Unit tests for common/tb_store (the SQLite local store of a node) in temp
 * dirs, and the village agent's command core (village-agent/village.h) on
 * top of it.  Rows are counted with plain SQL on the store's own connection,
 * not through the functions under test.
 *
 * Built with -DTB_SOURCE_DATA_DIR="/abs/path/to/data".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_error.h"
#include "tb_log.h"
#include "tb_restore.h"
#include "tb_sign.h"
#include "tb_store.h"
#include "village.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define CASE_ID VILLAGE "-20261122-0001"

/* ---- Fixture: a temp dir and the village's store in it (tb_test_store.h) ---- */

typedef struct {
    tb_tdir_t t; /* the dir, the catalog and calendar the fold uses */
    tb_store_t *store;
} fix_t;

static int open_store(fix_t *f)
{
    return tb_tdir_open(&f->t, VILLAGE, &f->store);
}

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (tb_tdir_init(&f->t, "store") < 0) {
        free(f);
        return -1;
    }
    if (open_store(f) != 0) {
        tb_tdir_fini(&f->t);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->store);
    tb_store_destroy(&f->store); /* NULL is fine */
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

/* One text from SQL, copied into buf ("" for NULL, "(no row)" if none). */
static const char *sql_text(tb_store_t *s, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(tb_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        snprintf(buf, len, "%s", t ? t : "");
    } else {
        snprintf(buf, len, "(no row)");
    }
    sqlite3_finalize(st);
    return buf;
}

/* ---- Events ---- */

typedef struct {
    Tongban__V1__LedgerRecord ledger;
    tb_event_msg_t ev;
} event_t;

/* A LOGGED event filled the way village-agent/village.c fills it. */
static void logged(event_t *e)
{
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = "李四";
    l.client_phone = "13800138000";
    l.agent = "王五";
    l.item_code = "YB003";
    l.note = "住院发票两张";
    l.accept_time_ms = 1795334400000;
    e->ledger = l;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = "王五";
    ev.at_ms = 1795334400000;
    ev.ledger = &e->ledger;
    e->ev = ev;
}

static const char *const peers[] = {TOWNSHIP, COUNTY, NULL};

static void emit_logged(tb_store_t *s)
{
    event_t e;
    logged(&e);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    assert_rc(tb_store_commit(s), 0);
    /* emit fills in the id of the event. */
    assert_string_equal(e.ev.origin_node, VILLAGE);
    assert_int_equal(e.ev.origin_seq, 1);
}

/* A LOGGED emitted in its own transaction takes the id seq. */
static void emit_logged_seq(tb_store_t *s, uint64_t seq)
{
    event_t e;
    logged(&e);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(e.ev.origin_seq, seq);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), seq);
}

static void test_open(void **state)
{
    fix_t *f = *state;
    char path[128], buf[64];
    snprintf(path, sizeof path, "%s/%s.db", f->t.dir, VILLAGE);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_string_equal(tb_store_place(f->store), VILLAGE);
    /* 4 + epoch + audit + signatures + the screens' list indexes (web10) + data_relayed (review9)
     * + one order (order9) + 追评 (followup11) + last heard per peer (edge20)
     * + what a case row knows of its order (st21) */
    assert_int_equal(sql_int(f->store, "PRAGMA user_version"), 14);
    /* One thread at a time: the connection takes no mutex of its own. */
    assert_null(sqlite3_db_mutex(tb_store_db(f->store)));
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM sqlite_master WHERE type='index' AND"
                                       " name IN ('cases_accept', 'cases_due', 'cases_holder')"),
                     3);
    /* An event row writes the table, its key and events_case: no index by recorded_ms. */
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM sqlite_master WHERE type='index' AND"
                                       " tbl_name = 'events'"),
                     2);
    assert_string_equal(sql_text(f->store, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    static const char *const tables[] = {
        "counters",       "events",     "cases",         "link_out",     "outbox",
        "link_in",        "quarantine", "data_versions", "store_epoch",  "link_epoch",
        "link_epoch_old", "restore",    "audit",         "data_relayed", "case_order",
        "link_heard"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", tables[i]);
        if (sql_int(f->store, sql) != 1)
            print_error("table %s\n", tables[i]);
        assert_int_equal(sql_int(f->store, sql), 1);
    }

    /* Reopen: the schema is not re-created, the data survives. */
    emit_logged(f->store);
    tb_store_destroy(&f->store);
    assert_null(f->store);
    assert_rc(open_store(f), 0);
    assert_int_equal(sql_int(f->store, "PRAGMA user_version"), 14);
    /* One thread at a time: the connection takes no mutex of its own. */
    assert_null(sqlite3_db_mutex(tb_store_db(f->store)));
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM events"), 1);
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM cases"), 1);
    /* SQLite counts no memory (the first store turned its statistics off:
     * no process-wide mutex in each of its mallocs). */
    assert_int_equal(sqlite3_memory_used(), 0);
    assert_int_equal(sqlite3_memory_highwater(0), 0);

    /* Bad place codes and a store from a newer version are refused. */
    tb_store_t *s = (tb_store_t *)&sb, *sentinel = s;
    assert_rc(tb_store_open(f->t.dir, "36082610000", &s), -TB_EINVAL_CODE);
    assert_ptr_equal(s, sentinel);
    assert_int_equal(
        sqlite3_exec(tb_store_db(f->store), "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    assert_rc(tb_store_open(f->t.dir, VILLAGE, &s), -TB_ESTORE);
    assert_ptr_equal(s, sentinel);
    assert_int_equal(sqlite3_exec(tb_store_db(f->store), "PRAGMA user_version=1", NULL, NULL, NULL),
                     SQLITE_OK);
}

/* A store of schema 11 (before edge20): its two indexes by recorded_ms go, and each peer's last
 * heard is its newest event's recorded_ms; a peer with no event has none. */
static void test_migrate_heard(void **state)
{
    fix_t *f = *state;
    sqlite3 *db = tb_store_db(f->store);
    /* Schema 11 is this one without link_heard and with the two indexes. */
    assert_int_equal(
        sqlite3_exec(db,
                     "DROP TABLE link_heard;"
                     "CREATE INDEX events_origin_recorded ON events(origin_node, recorded_ms);"
                     "CREATE INDEX events_recorded ON events(recorded_ms);"
                     "INSERT INTO events(origin_node, origin_seq, case_id, type, actor, at_ms,"
                     "  target, reason, body, recorded_ms, folded) VALUES"
                     "  ('" TOWNSHIP "', 1, 'c', 1, '', 0, '', '', x'', 1000, 1),"
                     "  ('" TOWNSHIP "', 2, 'c', 1, '', 0, '', '', x'', 3000, 1),"
                     "  ('" COUNTY "', 1, 'c', 1, '', 0, '', '', x'', 5000, 1),"
                     "  ('" VILLAGE "', 1, 'c', 1, '', 0, '', '', x'', 9000, 1);"
                     "INSERT INTO link_in(peer, cursor) VALUES('" TOWNSHIP "', 2),"
                     "  ('360826100002', 4);"
                     "PRAGMA user_version=11",
                     NULL, NULL, NULL),
        SQLITE_OK);
    tb_store_destroy(&f->store);
    assert_rc(open_store(f), 0);
    tb_store_t *s = f->store;
    assert_int_equal(sql_int(s, "PRAGMA user_version"), 14);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM sqlite_master WHERE type='index' AND"
                                " name IN ('events_origin_recorded', 'events_recorded')"),
                     0);
    int64_t at = -1;
    assert_rc(tb_store_heard(s, TOWNSHIP, &at), 0);
    assert_int_equal(at, 3000);
    assert_rc(tb_store_heard(s, "360826100002", &at), 0);
    assert_int_equal(at, 0);
    assert_rc(tb_store_heard(s, COUNTY, &at), 0); /* no link from it: not heard */
    assert_int_equal(at, 0);
    assert_rc(tb_store_heard(s, NULL, &at), 0);
    assert_int_equal(at, 3000);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM link_heard"), 1);

    /* Run again (the migrations are idempotent): nothing changes. */
    assert_int_equal(sqlite3_exec(tb_store_db(s), "PRAGMA user_version=11", NULL, NULL, NULL),
                     SQLITE_OK);
    tb_store_destroy(&f->store);
    assert_rc(open_store(f), 0);
    s = f->store;
    assert_int_equal(sql_int(s, "PRAGMA user_version"), 14);
    assert_rc(tb_store_heard(s, TOWNSHIP, &at), 0);
    assert_int_equal(at, 3000);

    /* A cursor moved: heard from that peer now, inside a transaction as at its end. */
    int64_t t0 = tb_now_ms();
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_cursor_set(s, "360826100002", 5), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_rc(tb_store_heard(s, "360826100002", &at), 0);
    if (at < t0 || at > tb_now_ms())
        print_error("heard %lld, not in [%lld, now]\n", (long long)at, (long long)t0);
    assert_true(at >= t0 && at <= tb_now_ms());
    assert_rc(tb_store_heard(s, TOWNSHIP, &at), 0);
    assert_int_equal(at, 3000);
    assert_rc(tb_store_heard(s, NULL, &at), 0);
    assert_true(at >= t0);
}

/* Processes creating one new store at once (a daemon starting while a command makes the store):
 * every one of them opens it, none is told it is busy. */
static void test_open_race(void **state)
{
    fix_t *f = *state;
    enum { ROUNDS = 10, PROCS = 6 };
    for (int round = 0; round < ROUNDS; round++) {
        char dir[160];
        snprintf(dir, sizeof dir, "%s/race%d", f->t.dir, round);
        int go[2];
        assert_int_equal(pipe(go), 0);
        pid_t pid[PROCS];
        for (int i = 0; i < PROCS; i++) {
            assert_true((pid[i] = fork()) >= 0);
            if (pid[i] == 0) {
                char c;
                close(go[1]);
                if (read(go[0], &c, 1) != 0) /* all start when the pipe closes */
                    _exit(3);
                tb_store_t *s = NULL;
                int rc = tb_store_open(dir, VILLAGE, &s);
                tb_store_destroy(&s);
                _exit(rc == 0 ? 0 : rc == -EBUSY ? 1 : 2);
            }
        }
        close(go[0]);
        close(go[1]);
        for (int i = 0; i < PROCS; i++) {
            int st;
            assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                print_error("round %d process %d: status %d\n", round, i, st);
            assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
    }
}

/* How many statements the connection holds with exactly this text. */
static int stmts_with(tb_store_t *s, const char *sql)
{
    int n = 0;
    for (sqlite3_stmt *st = sqlite3_next_stmt(tb_store_db(s), NULL); st;
         st = sqlite3_next_stmt(tb_store_db(s), st))
        n += strcmp(sqlite3_sql(st), sql) == 0;
    return n;
}

/* BEGIN and COMMIT are kept statements, compiled once, not per transaction;
 * a transaction still commits, and a failed COMMIT still rolls back. */
static void test_begin_commit_kept(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    for (int i = 0; i < 3; i++) {
        assert_rc(tb_store_begin(s), 0);
        assert_rc(tb_store_counter_next(s, "kept", &(uint64_t){0}), 0);
        assert_rc(tb_store_commit(s), 0);
        assert_int_equal(sqlite3_get_autocommit(tb_store_db(s)), 1);
    }
    assert_int_equal(stmts_with(s, "BEGIN IMMEDIATE"), 1);
    assert_int_equal(stmts_with(s, "COMMIT"), 1);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'kept'"), 3);
    /* A second BEGIN inside the first fails and leaves the first open. */
    assert_rc(tb_store_begin(s), 0);
    assert_true(tb_store_begin(s) < 0);
    assert_int_equal(sqlite3_get_autocommit(tb_store_db(s)), 0);
    tb_store_rollback(s);
    assert_int_equal(sqlite3_get_autocommit(tb_store_db(s)), 1);
    /* COMMIT with no transaction fails (and rollback copes). */
    assert_true(tb_store_commit(s) < 0);
    assert_int_equal(sqlite3_get_autocommit(tb_store_db(s)), 1);
}

static void test_emit_logged(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    char buf[256];
    emit_logged(s);

    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 1);
    assert_int_equal(
        sql_int(s, "SELECT folded FROM events WHERE origin_node='" VILLAGE "' AND origin_seq=1"),
        1);
    assert_string_equal(sql_text(s, "SELECT case_id FROM events", buf, sizeof buf), CASE_ID);
    assert_int_equal(sql_int(s, "SELECT type FROM events"), TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED);

    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 1);
    assert_string_equal(sql_text(s, "SELECT origin FROM cases", buf, sizeof buf), VILLAGE);
    assert_string_equal(sql_text(s, "SELECT client_name FROM cases", buf, sizeof buf), "李四");
    assert_string_equal(sql_text(s, "SELECT client_phone FROM cases", buf, sizeof buf),
                        "13800138000");
    assert_string_equal(sql_text(s, "SELECT agent FROM cases", buf, sizeof buf), "王五");
    assert_string_equal(sql_text(s, "SELECT item_code FROM cases", buf, sizeof buf), "YB003");
    assert_string_equal(sql_text(s, "SELECT note FROM cases", buf, sizeof buf), "住院发票两张");
    assert_int_equal(sql_int(s, "SELECT accept_time_ms FROM cases"), 1795334400000);
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "logged");
    assert_string_equal(sql_text(s, "SELECT holder FROM cases", buf, sizeof buf), VILLAGE);
    assert_int_equal(sql_int(s, "SELECT version FROM cases"), 1);
    /* The ledger and the fold in one row: last updated when the event was made. */
    assert_int_equal(sql_int(s, "SELECT updated_ms = (SELECT at_ms FROM events) FROM cases"), 1);
    assert_int_equal(sql_int(s, "SELECT length(fold) > 0 FROM cases"), 1);

    tb_case_t c;
    char origin[TB_CODE_LEN + 1];
    assert_rc(tb_store_case_get(s, CASE_ID, &c, origin), 0);
    assert_int_equal(c.state, TB_ST_LOGGED);
    assert_string_equal(c.holder, VILLAGE);
    assert_string_equal(c.pending, "");
    assert_int_equal(c.version, 1);
    assert_string_equal(origin, VILLAGE);
    assert_rc(tb_store_case_get(s, VILLAGE "-20261122-0002", &c, NULL), -TB_ENOCASE);

    /* One outbox row per peer, each peer's stream starting at 1. */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(sql_int(s, "SELECT seq FROM outbox WHERE peer='" TOWNSHIP "'"), 1);
    assert_int_equal(sql_int(s, "SELECT seq FROM outbox WHERE peer='" COUNTY "'"), 1);
    uint64_t last = 9, acked = 9;
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(last, 1);
    assert_int_equal(acked, 0);
    assert_rc(tb_store_out_get(s, "360826102000", &last, &acked), 0); /* no such peer: 0, 0 */
    assert_int_equal(last, 0);
    assert_int_equal(acked, 0);
    uint64_t backlog = 0;
    assert_rc(tb_store_backlog(s, &backlog), 0);
    assert_int_equal(backlog, 2);

    /* The queued body is the packed Item holding the event. */
    uint8_t *body = NULL;
    size_t len = 0;
    assert_rc(tb_store_outbox_get(s, TOWNSHIP, 1, &body, &len), 0);
    tb_item_msg_t *item = NULL;
    assert_rc(tb_item_decode(body, len, &item), 0);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_EVENT);
    assert_string_equal(item->event->origin_node, VILLAGE);
    assert_int_equal(item->event->origin_seq, 1);
    assert_string_equal(item->event->ledger->client_name, "李四");

    /* Apply the same event again (as if it came back from a peer): a duplicate, nothing changes. */
    int fold = 12345;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, item->event, body, len, true, &fold), 1);
    assert_rc(tb_store_apply(s, item->event, body, len, false, &fold), 1);
    /* The same id with other bytes: 2, nothing changes; the digests differ. */
    assert_rc(tb_store_apply(s, item->event, (const uint8_t *)"x", 1, true, &fold), 2);
    assert_rc(tb_store_apply(s, item->event, (const uint8_t *)"x", 1, false, &fold), 2);
    char stored[TB_DIGEST_HEX], got[TB_DIGEST_HEX];
    assert_rc(tb_store_event_digest(s, VILLAGE, 1, stored), 0);
    tb_digest_hex(body, len, got);
    assert_string_equal(stored, got);
    tb_digest_hex("x", 1, got);
    assert_string_equal(got, "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    assert_string_not_equal(stored, got);
    assert_rc(tb_store_event_digest(s, VILLAGE, 2, stored), -ENOENT);
    uint64_t last_seq = 0;
    assert_rc(tb_store_origin_last(s, VILLAGE, &last_seq), 0);
    assert_int_equal(last_seq, 1);
    assert_rc(tb_store_origin_last(s, TOWNSHIP, &last_seq), 0);
    assert_int_equal(last_seq, 0);
    assert_rc(tb_store_commit(s), 0);
    free(body);
    tb_item_free(&item);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 1);
    assert_int_equal(sql_int(s, "SELECT version FROM cases"), 1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 2);

    /* The next event goes out as seq 2 on every link. */
    tb_event_msg_t sub = TONGBAN__V1__CASE_EVENT__INIT;
    sub.case_id = CASE_ID;
    sub.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    sub.actor = "王五";
    sub.target = TOWNSHIP;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, &sub, peers), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sub.origin_seq, 2);
    assert_int_equal(sql_int(s, "SELECT max(seq) FROM outbox WHERE peer='" TOWNSHIP "'"), 2);
    assert_int_equal(sql_int(s, "SELECT max(seq) FROM outbox WHERE peer='" COUNTY "'"), 2);
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "submitted");
    assert_string_equal(sql_text(s, "SELECT pending FROM cases", buf, sizeof buf), TOWNSHIP);
    assert_int_equal(sql_int(s, "SELECT version FROM cases"), 2);

    /* An illegal emit (a village may not accept) writes nothing, not even an event id. */
    tb_event_msg_t acc = TONGBAN__V1__CASE_EVENT__INIT;
    acc.case_id = CASE_ID;
    acc.type = TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED;
    acc.actor = "王五";
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, &acc, peers), -TB_EAUTHORITY);
    tb_store_rollback(s);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 4);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name='event'"), 2);
}

/* An event from the township that does not fold here. */
static void test_apply_illegal(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    char buf[64];
    emit_logged(s);

    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = TOWNSHIP;
    ev.origin_seq = 7;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED; /* not the holder: the village holds it */
    ev.actor = "赵六";
    ev.at_ms = 1795334500000;
    assert_rc(tb_event_check(&ev), 0);

    int fold = 0;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, &ev, (const uint8_t *)"body", 4, false, &fold), -TB_ENOTHOLDER);
    assert_rc(fold, -TB_ENOTHOLDER);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 1);
    assert_int_equal(sql_int(s, "SELECT version FROM cases"), 1);

    fold = 0;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, &ev, (const uint8_t *)"body", 4, true, &fold), 0);
    assert_rc(fold, -TB_ENOTHOLDER);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 2);
    assert_int_equal(
        sql_int(s, "SELECT folded FROM events WHERE origin_node='" TOWNSHIP "' AND origin_seq=7"),
        0);
    assert_int_equal(sql_int(s, "SELECT length(body) FROM events WHERE origin_seq=7"), 4);
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "logged");
    assert_string_equal(sql_text(s, "SELECT holder FROM cases", buf, sizeof buf), VILLAGE);
    assert_int_equal(sql_int(s, "SELECT version FROM cases"), 1);
    /* Recorded once: the second time it is a duplicate. */
    assert_rc(tb_store_apply(s, &ev, (const uint8_t *)"body", 4, true, &fold), 1);

    /* An event for a case we never saw (so no item to judge it by): recorded
     * unfolded, no case row. */
    ev.origin_seq = 8;
    ev.case_id = VILLAGE "-20261122-0009";
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
    fold = 0;
    assert_rc(tb_store_apply(s, &ev, (const uint8_t *)"b", 1, false, &fold), -TB_EUNKNOWN_ITEM);
    assert_rc(tb_store_apply(s, &ev, (const uint8_t *)"b", 1, true, &fold), 0);
    assert_rc(fold, -TB_EUNKNOWN_ITEM);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 1);
    assert_int_equal(sql_int(s, "SELECT folded FROM events WHERE origin_seq=8"), 0);
}

/* What tb_store_outbox_each handed over; -EAGAIN once stop_at were seen. */
typedef struct {
    int n, stop_at;
    uint64_t seq[8];
    uint8_t body[8];
} seen_t;

static int on_each(void *arg, uint64_t seq, const uint8_t *body, size_t len)
{
    seen_t *s = arg;
    assert_int_equal(len, 1);
    assert_true(s->n < 8);
    s->seq[s->n] = seq;
    s->body[s->n++] = body[0];
    return s->stop_at && s->n >= s->stop_at ? -EAGAIN : 0;
}

static void test_ack_and_cursor(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    assert_rc(tb_store_begin(s), 0);
    for (int i = 1; i <= 5; i++) {
        uint8_t b = (uint8_t)i;
        uint64_t seq = 0;
        assert_rc(tb_store_enqueue(s, TOWNSHIP, &b, 1, &seq), 0);
        assert_int_equal(seq, i);
    }
    assert_rc(tb_store_enqueue(s, COUNTY, (const uint8_t *)"c", 1, NULL), 0);
    assert_rc(tb_store_commit(s), 0);

    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_ack(s, TOWNSHIP, 3), 0);
    assert_rc(tb_store_commit(s), 0);
    uint64_t last = 0, acked = 0;
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(last, 5);
    assert_int_equal(acked, 3);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), 2);
    assert_int_equal(sql_int(s, "SELECT min(seq) FROM outbox WHERE peer='" TOWNSHIP "'"), 4);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" COUNTY "'"), 1);

    uint8_t *body = (uint8_t *)&last, *sentinel = body;
    size_t len = 77;
    assert_rc(tb_store_outbox_get(s, TOWNSHIP, 3, &body, &len), -ENOENT);
    assert_rc(tb_store_outbox_get(s, TOWNSHIP, 1, &body, &len), -ENOENT);
    assert_rc(tb_store_outbox_get(s, TOWNSHIP, 6, &body, &len), -ENOENT);
    assert_ptr_equal(body, sentinel);
    assert_int_equal(len, 77);
    assert_rc(tb_store_outbox_get(s, TOWNSHIP, 4, &body, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(body[0], 4);
    free(body);

    /* A range: what is left of it, in order, and nothing of another peer's. */
    seen_t seen = {0};
    assert_rc(tb_store_outbox_each(s, TOWNSHIP, 1, 9, on_each, &seen), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.seq[0], 4);
    assert_int_equal(seen.body[0], 4);
    assert_int_equal(seen.seq[1], 5);
    assert_int_equal(seen.body[1], 5);
    seen = (seen_t){0};
    assert_rc(tb_store_outbox_each(s, TOWNSHIP, 5, 5, on_each, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.seq[0], 5);
    /* The callback's error stops the read and is what it returns. */
    seen = (seen_t){.stop_at = 1};
    assert_rc(tb_store_outbox_each(s, TOWNSHIP, 4, 5, on_each, &seen), -EAGAIN);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.seq[0], 4);

    /* An older ack neither lowers acked nor brings anything back. */
    assert_rc(tb_store_ack(s, TOWNSHIP, 1), 0);
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(acked, 3);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), 2);
    assert_rc(tb_store_ack(s, TOWNSHIP, 5), 0);
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(acked, 5);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), 0);
    uint64_t backlog = 0;
    assert_rc(tb_store_backlog(s, &backlog), 0);
    assert_int_equal(backlog, 1);
    /* Numbering continues after the ack. */
    uint64_t seq = 0;
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"n", 1, &seq), 0);
    assert_int_equal(seq, 6);

    /* Receive cursors. */
    uint64_t cur = 99;
    assert_rc(tb_store_cursor_get(s, TOWNSHIP, &cur), 0);
    assert_int_equal(cur, 0);
    int64_t heard = -1;
    assert_rc(tb_store_heard(s, TOWNSHIP, &heard), 0);
    assert_int_equal(heard, 0); /* never */
    int64_t t0 = tb_now_ms();
    assert_rc(tb_store_cursor_set(s, TOWNSHIP, 5), 0);
    assert_rc(tb_store_heard(s, TOWNSHIP, &heard), 0);
    assert_true(heard >= t0 && heard <= tb_now_ms());
    assert_rc(tb_store_heard(s, COUNTY, &heard), 0);
    assert_int_equal(heard, 0);
    assert_rc(tb_store_cursor_get(s, TOWNSHIP, &cur), 0);
    assert_int_equal(cur, 5);
    assert_rc(tb_store_cursor_set(s, TOWNSHIP, 6), 0);
    assert_rc(tb_store_cursor_set(s, COUNTY, 1), 0);
    assert_rc(tb_store_cursor_get(s, TOWNSHIP, &cur), 0);
    assert_int_equal(cur, 6);
    assert_rc(tb_store_cursor_get(s, COUNTY, &cur), 0);
    assert_int_equal(cur, 1);
    assert_rc(tb_store_cursor_set(s, TOWNSHIP, UINT64_C(1) << 40), 0);
    assert_rc(tb_store_cursor_get(s, TOWNSHIP, &cur), 0);
    assert_int_equal(cur, UINT64_C(1) << 40);
}

static void county_status(tb_store_t *s, const char *st, uint32_t version)
{
    Tongban__V1__StatusUpdate u = TONGBAN__V1__STATUS_UPDATE__INIT;
    u.case_id = CASE_ID;
    u.state = (char *)st;
    u.holder = TOWNSHIP;
    u.version = version;
    assert_rc(tb_store_county_status(s, &u), 0);
}

static void test_county_status(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    char buf[64];
    emit_logged(s);
    assert_int_equal(sql_int(s, "SELECT county_version FROM cases"), 0);
    county_status(s, "accepted", 4);
    assert_string_equal(sql_text(s, "SELECT county_state FROM cases", buf, sizeof buf), "accepted");
    assert_int_equal(sql_int(s, "SELECT county_version FROM cases"), 4);
    county_status(s, "prereview", 3); /* older: ignored */
    assert_string_equal(sql_text(s, "SELECT county_state FROM cases", buf, sizeof buf), "accepted");
    assert_int_equal(sql_int(s, "SELECT county_version FROM cases"), 4);
    county_status(s, "escalated", 5);
    assert_string_equal(sql_text(s, "SELECT county_state FROM cases", buf, sizeof buf),
                        "escalated");
    assert_int_equal(sql_int(s, "SELECT county_version FROM cases"), 5);
    /* The local fold is not touched by the county's view. */
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "logged");
}

/* The county refuses a rating: the refold leaves it out, and its comment goes
 * with it (the comment is not part of the fold, the refold writes it). */
static void test_refold_rating(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    char buf[64];
    event_t e;
    logged(&e);
    e.ledger.item_code = "ZX001"; /* a consultation answered at once: closed */
    e.ledger.result = "已当面答复";
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RATED;
    ev.actor = "王五";
    ev.at_ms = 1795334500000;
    ev.rating = 5;
    ev.comment = "办得快";
    assert_rc(tb_store_emit(s, &ev, peers), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT rating FROM cases"), 5);
    assert_string_equal(sql_text(s, "SELECT rating_comment FROM cases", buf, sizeof buf), "办得快");

    tb_event_msg_t rej = TONGBAN__V1__CASE_EVENT__INIT;
    rej.origin_node = COUNTY;
    rej.origin_seq = 1;
    rej.case_id = CASE_ID;
    rej.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    rej.actor = "县级";
    rej.at_ms = 1795334600000;
    rej.rejected_origin = VILLAGE;
    rej.rejected_seq = 2;
    rej.reason = "测试";
    int fold = -1;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, &rej, (const uint8_t *)"body", 4, false, &fold), 0);
    assert_rc(fold, 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(
        sql_int(s,
                "SELECT folded FROM events WHERE origin_seq = 2 AND origin_node = '" VILLAGE "'"),
        0);
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "closed");
    assert_int_equal(sql_int(s, "SELECT rating FROM cases"), 0);
    assert_string_equal(sql_text(s, "SELECT rating_comment FROM cases", buf, sizeof buf), "");
}

/* ---- Village commands ---- */

typedef struct {
    fix_t f;
    tb_env_ctx_t env;
} vfix_t;

static int setup_village(void **state)
{
    vfix_t *v = calloc(1, sizeof *v);
    if (!v)
        return -1;
    void *fs = NULL;
    if (setup(&fs) < 0) {
        free(v);
        return -1;
    }
    v->f = *(fix_t *)fs;
    free(fs);
    /* What tb_cli_load fills: places, catalog, place, parent. */
    v->env.places = tb_places_new();
    v->env.catalog = v->f.t.catalog;
    v->env.calendar = v->f.t.calendar;
    char where[4200];
    if (!v->env.places ||
        tb_places_load_dir(v->env.places, TB_SOURCE_DATA_DIR, "taihe", where, sizeof where) < 0)
        return -1;
    v->env.place = VILLAGE;
    if (tb_code_parent(VILLAGE, v->env.parent) < 0)
        return -1;
    *state = v;
    return 0;
}

static int teardown_village(void **state)
{
    vfix_t *v = *state;
    tb_places_destroy(&v->env.places);
    fix_t *f = malloc(sizeof *f);
    *f = v->f;
    void *fs = f;
    free(v);
    return teardown(&fs);
}

static void expect_nothing_written(tb_store_t *s)
{
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 0);
}

static void test_village_bad_input(void **state)
{
    vfix_t *v = *state;
    tb_store_t *s = v->f.store;
    static const struct {
        village_entry_t e;
        int want;
    } t[] = {
        {{"", "13800138000", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADNAME},
        {{"   ", "13800138000", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADNAME},
        {{NULL, "13800138000", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADNAME},
        {{"李四", "1380013800", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADPHONE},
        {{"李四", "12345678901", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADPHONE},
        {{"李四", "", "YB001", NULL, "王五", NULL, NULL}, -TB_EBADPHONE},
        {{"李四", "13800138000", "XX999", NULL, "王五", NULL, NULL}, -TB_EUNKNOWN_ITEM},
        {{"李四", "13800138000", "yb001", NULL, "王五", NULL, NULL}, -TB_EUNKNOWN_ITEM},
        {{"李四", "13800138000", "", NULL, "王五", NULL, NULL}, -TB_EUNKNOWN_ITEM},
        {{"李四", "13800138000", NULL, NULL, "王五", NULL, NULL}, -TB_EUNKNOWN_ITEM},
        {{"李四", "13800138000", "YB001", "\xff", "王五", NULL, NULL}, -TB_EDECODE},
        {{"李四", "13800138000", "YB001", NULL, "", NULL, NULL}, -TB_ECONFIG},
        {{"李四", "13800138000", "YB001", NULL, NULL, NULL, NULL}, -TB_ECONFIG},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char id[TB_CASEID_MAX] = "untouched";
        int rc = village_log(&v->env, s, &t[i].e, id);
        if (rc != t[i].want)
            print_error("case %zu\n", i);
        assert_rc(rc, t[i].want);
        assert_string_equal(id, "untouched");
        expect_nothing_written(s);
    }
}

/* yyyymmdd of now in China Standard Time, by the C library. */
static int today_cst(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void test_village_log(void **state)
{
    vfix_t *v = *state;
    tb_store_t *s = v->f.store;
    char buf[128], want[64];

    int day = today_cst();
    village_entry_t e = {"李四", "0796-5321234", "YB001", "户口簿带来了", "王五", NULL, NULL};
    char id[TB_CASEID_MAX];
    assert_rc(village_log(&v->env, s, &e, id), 0);
    if (today_cst() == day) { /* not across midnight */
        snprintf(want, sizeof want, "%s-%08d-0001", VILLAGE, day);
        assert_string_equal(id, want);
    }
    assert_true(tb_caseid_valid(id));
    assert_memory_equal(id, VILLAGE "-", 13);
    assert_string_equal(id + 21, "-0001");

    /* A township-level item: LOGGED and SUBMITTED, both queued to the township. */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), 2);
    assert_string_equal(sql_text(s, "SELECT state FROM cases", buf, sizeof buf), "submitted");
    assert_string_equal(sql_text(s, "SELECT pending FROM cases", buf, sizeof buf), TOWNSHIP);
    assert_string_equal(sql_text(s, "SELECT client_phone FROM cases", buf, sizeof buf),
                        "0796-5321234");
    assert_string_equal(sql_text(s, "SELECT note FROM cases", buf, sizeof buf), "户口簿带来了");
    static const int types[] = {TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED,
                                TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED};
    for (uint64_t seq = 1; seq <= 2; seq++) {
        uint8_t *body;
        size_t len;
        assert_rc(tb_store_outbox_get(s, TOWNSHIP, seq, &body, &len), 0);
        tb_item_msg_t *item = NULL;
        assert_rc(tb_item_decode(body, len, &item), 0);
        free(body);
        assert_int_equal(item->event->type, types[seq - 1]);
        assert_string_equal(item->event->case_id, id);
        assert_string_equal(item->event->actor, "王五");
        if (seq == 2)
            assert_string_equal(item->event->target, TOWNSHIP);
        tb_item_free(&item);
    }

    /* A village-level consultation: LOGGED only, the next number of the day. */
    village_entry_t z = {"张三", "13800138000", "ZX001", NULL, "王五", NULL, "已当面答复"};
    char id2[TB_CASEID_MAX];
    assert_rc(village_log(&v->env, s, &z, id2), 0);
    if (today_cst() == day) {
        snprintf(want, sizeof want, "%s-%08d-0002", VILLAGE, day);
        assert_string_equal(id2, want);
    }
    assert_string_equal(id2 + 21, "-0002");
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 3);
    snprintf(buf, sizeof buf, "SELECT state FROM cases WHERE case_id='%s'", id2);
    char st[32];
    /* A consultation answered on the spot is closed at once. */
    assert_string_equal(sql_text(s, buf, st, sizeof st), "closed");
    snprintf(buf, sizeof buf, "SELECT count(*) FROM events WHERE case_id='%s'", id2);
    assert_int_equal(sql_int(s, buf), 1);

    /* A bad entry after good ones still writes nothing. */
    village_entry_t bad = {"李四", "13800138000", "NOPE1", NULL, "王五", NULL, NULL};
    assert_rc(village_log(&v->env, s, &bad, id2), -TB_EUNKNOWN_ITEM);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), 3);
}

/* The test county's signing key (a fixed seed), pinned by the village. */
static unsigned char county_pk[TB_SIGN_PK_BYTES], county_sk[TB_SIGN_SK_BYTES];
static void county_key(tb_env_ctx_t *env)
{
    unsigned char seed[crypto_sign_SEEDBYTES] = {7};
    crypto_sign_seed_keypair(county_pk, county_sk, seed);
    memcpy(env->data_pk, county_pk, sizeof county_pk);
    env->data_pk_set = true;
}

/* A DataVersion item signed by the test county, packed as it travels. */
static tb_item_msg_t *data_item(const char *kind, uint32_t version, const char *body,
                                uint8_t **ret_buf, size_t *ret_len)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    unsigned char sig[TB_SIGN_BYTES];
    assert_rc(tb_sign_data(county_sk, kind, version, (const uint8_t *)body, strlen(body), sig), 0);
    dv.signature.data = sig;
    dv.signature.len = sizeof sig;
    dv.kind = (char *)kind;
    dv.version = version;
    dv.body.data = (uint8_t *)body;
    dv.body.len = strlen(body);
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    assert_rc(tb_pack_item(&item, ret_buf, ret_len), 0);
    tb_item_msg_t *out = NULL;
    assert_rc(tb_item_decode(*ret_buf, *ret_len, &out), 0);
    return out;
}

static int apply_one(village_node_t *node, const char *peer, const char *kind, uint32_t version,
                     const char *body)
{
    uint8_t *buf;
    size_t len;
    tb_item_msg_t *item = data_item(kind, version, body, &buf, &len);
    assert_rc(tb_store_begin(node->store), 0);
    int rc = village_apply(node, peer, item, buf, len);
    assert_rc(tb_store_commit(node->store), 0);
    tb_item_free(&item);
    free(buf);
    return rc;
}

#define CAT_HEADER "code,name,level,kind,promised_days,legal_days,materials\n"

/* The county's catalog and calendar versions at a village: stored and in
 * force when newer, ignored when not newer or not from its township, and
 * what a command uses at start (tb_data_use_stored). */
static void test_village_data(void **state)
{
    vfix_t *v = *state;
    tb_store_t *s = v->f.store;
    village_node_t node = {&v->env, s};
    county_key(&v->env);
    assert_int_equal(v->env.catalog_version, 0);
    assert_non_null(tb_catalog_find(v->env.catalog, "YB003"));

    /* Version 2: one new item, YB003 gone. */
    const char *cat2 = CAT_HEADER "XX001,新增测试事项,township,promised,5,10,居民身份证:core\n"
                                  "ZX001,政策咨询,village,consult,0,0,\n";
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 1, cat2), 0);
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 2, cat2), 0);
    assert_int_equal(v->env.catalog_version, 2);
    assert_int_equal(tb_catalog_count(v->env.catalog), 2);
    assert_non_null(tb_catalog_find(v->env.catalog, "XX001"));
    assert_null(tb_catalog_find(v->env.catalog, "YB003"));
    assert_int_equal(sql_int(s, "SELECT count(*) FROM data_versions"), 2);

    /* The village refuses the removed item and takes the new one. */
    char id[TB_CASEID_MAX];
    village_entry_t old = {"李四", "13800138000", "YB003", NULL, "王五", NULL, NULL};
    assert_rc(village_log(&v->env, s, &old, id), -TB_EUNKNOWN_ITEM);
    village_entry_t neu = {"李四", "13800138000", "XX001", NULL, "王五", "居民身份证", NULL};
    assert_rc(village_log(&v->env, s, &neu, id), 0);

    /* Not newer (the same again, an older one), or not from our township: nothing. */
    const char *cat1 = CAT_HEADER "YY001,旧版事项,township,immediate,0,0,\n";
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 2, cat1), 0);
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 1, cat1), 0);
    assert_rc(apply_one(&node, "360826101000", "catalog", 9, cat1), 0);
    /* Newer but not the next one (3), even from our township: refused. */
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 4294967295u, cat1), 0);
    assert_rc(apply_one(&node, TOWNSHIP, "catalog", 4, cat1), 0);
    assert_int_equal(v->env.catalog_version, 2);
    assert_null(tb_catalog_find(v->env.catalog, "YY001"));
    assert_int_equal(sql_int(s, "SELECT count(*) FROM data_versions"), 2);
    /* Each refusal kept aside and counted against its sender. */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM quarantine"), 3);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'refused " TOWNSHIP "'"),
                     2);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'refused 360826101000'"),
                     1);

    /* A calendar version: 2026-03-02 (a Monday) becomes a holiday. */
    int32_t day;
    assert_rc(tb_day_parse("2026-03-02", &day), 0);
    assert_true(tb_calendar_is_workday(v->env.calendar, day));
    const char *cal1 = "date,kind,holiday\n2026-03-02,off,测试假日\n";
    assert_rc(apply_one(&node, TOWNSHIP, "calendar", 1, cal1), 0);
    assert_int_equal(v->env.calendar_version, 1);
    assert_false(tb_calendar_is_workday(v->env.calendar, day));

    /* A command starting afresh (shipped data) uses the newest stored versions. */
    tb_env_ctx_t fresh = v->env;
    fresh.catalog = tb_catalog_new();
    fresh.calendar = tb_calendar_new();
    fresh.catalog_version = fresh.calendar_version = 0;
    int line = 0;
    assert_rc(tb_catalog_load(fresh.catalog, TB_SOURCE_DATA_DIR "/catalog.csv", &line), 0);
    assert_rc(tb_data_use_stored(&fresh, s), 0);
    assert_int_equal(fresh.catalog_version, 2);
    assert_int_equal(fresh.calendar_version, 1);
    assert_non_null(tb_catalog_find(fresh.catalog, "XX001"));
    assert_null(tb_catalog_find(fresh.catalog, "YB003"));
    assert_false(tb_calendar_is_workday(fresh.calendar, day));
    tb_catalog_destroy(&fresh.catalog);
    tb_calendar_destroy(&fresh.calendar);
}

/* The quarantine is bounded per peer: up to TB_QUARANTINE_ROWS rows and
 * TB_QUARANTINE_BYTES bytes whole; beyond either a prefix with the length and
 * digest of the whole.  Each peer has its own bound. */
static void test_quarantine_bounded(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    static uint8_t small[1000];
    memset(small, 'a', sizeof small);
    assert_rc(tb_store_begin(s), 0);
    for (int i = 0; i < TB_QUARANTINE_ROWS; i++)
        assert_rc(tb_store_quarantine(s, "360826100001", (uint64_t)i + 1, small, sizeof small, "x"),
                  0);
    /* Just inside: every row whole. */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM quarantine WHERE length(body) = 1000"),
                     TB_QUARANTINE_ROWS);
    /* Just past: the next row keeps 256 bytes, its length and digest. */
    assert_rc(tb_store_quarantine(s, "360826100001", 9999, small, sizeof small, "flood"), 0);
    assert_int_equal(sql_int(s, "SELECT length(body) FROM quarantine WHERE seq = 9999"),
                     TB_QUARANTINE_PREFIX);
    char hex[TB_DIGEST_HEX], want[512];
    tb_digest_hex(small, sizeof small, hex);
    snprintf(want, sizeof want,
             "SELECT count(*) FROM quarantine WHERE seq = 9999 AND why = "
             "'flood [1000 bytes, sha256 %s; first 256 kept]'",
             hex);
    assert_int_equal(sql_int(s, want), 1);
    /* Another peer: its own bound, by bytes: 16 MiB whole, then a prefix. */
    uint8_t *big = malloc(TB_QUARANTINE_BYTES);
    assert_non_null(big);
    memset(big, 'b', TB_QUARANTINE_BYTES);
    assert_rc(tb_store_quarantine(s, "360826100002", 1, big, TB_QUARANTINE_BYTES - 1, "big"), 0);
    assert_rc(tb_store_quarantine(s, "360826100002", 2, big, 1, "one more byte"), 0);
    assert_rc(tb_store_quarantine(s, "360826100002", 3, big, 300, "past"), 0);
    free(big);
    assert_int_equal(sql_int(s, "SELECT length(body) FROM quarantine WHERE peer = '360826100002'"
                                " AND seq = 1"),
                     TB_QUARANTINE_BYTES - 1);
    assert_int_equal(sql_int(s, "SELECT length(body) FROM quarantine WHERE peer = '360826100002'"
                                " AND seq = 2 AND why = 'one more byte'"),
                     1);
    assert_int_equal(sql_int(s, "SELECT length(body) FROM quarantine WHERE peer = '360826100002'"
                                " AND seq = 3 AND why LIKE 'past [300 bytes, sha256 %'"),
                     TB_QUARANTINE_PREFIX);
    assert_rc(tb_store_commit(s), 0);
}

/* Log lines about refused messages: 10 a minute per peer, then one summary. */
static void test_ratelimit(void **state)
{
    (void)state;
    static tb_ratelimit_t rl;
    unsigned dropped = 99;
    for (int i = 0; i < TB_RATELIMIT_LINES; i++) {
        assert_int_equal(tb_ratelimit(&rl, "360826100001", 1000 + i, &dropped), 1);
        assert_int_equal(dropped, 0);
    }
    /* Just past: held back, 3 times; another peer is not. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(tb_ratelimit(&rl, "360826100001", 2000, &dropped), 0);
    assert_int_equal(tb_ratelimit(&rl, "360826100002", 2000, &dropped), 1);
    /* Just inside the minute: still held back. */
    assert_int_equal(tb_ratelimit(&rl, "360826100001", 1000 + 59999, &dropped), 0);
    assert_int_equal(dropped, 0);
    /* A new minute: written, and the 4 held back are reported once. */
    assert_int_equal(tb_ratelimit(&rl, "360826100001", 1000 + 60000, &dropped), 1);
    assert_int_equal(dropped, 4);
    assert_int_equal(tb_ratelimit(&rl, "360826100001", 1000 + 60001, &dropped), 1);
    assert_int_equal(dropped, 0);
    /* Many peers: each is tracked; the least recently seen gives way. */
    char peer[16];
    for (int i = 0; i < 3 * TB_RATELIMIT_PEERS; i++) {
        snprintf(peer, sizeof peer, "3608261%05d", i + 10);
        assert_int_equal(tb_ratelimit(&rl, peer, 70000 + i, &dropped), 1);
    }
}

/* Link epochs in the store: its own, drawn once and kept; a peer's first
 * epoch only recorded; a new one resets the link (cursor 0, the outbox's
 * unacknowledged messages renumbered from 1 in order, acked 0) and retires
 * the old one. */
/* Inside a transaction an outbox numbers its messages in memory after the
 * first (tb_store_outlast_t): what a reader in the same transaction, the
 * commit, a rollback and a link reset see is the same as when every message
 * bumped link_out itself. */
/* A counter inside a transaction: its first use bumps the row, the next ones are counted in memory
 * and the commit writes the newest back; a rollback forgets them, another counter between them
 * does not lose any, and nothing is handed out twice. */
static void test_counter_in_tx(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    uint64_t v = 0;
    assert_rc(tb_store_begin(s), 0);
    for (uint64_t i = 1; i <= 3; i++) {
        assert_rc(tb_store_counter_next(s, "event", &v), 0);
        assert_int_equal(v, i);
    }
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), 1);
    assert_rc(tb_store_counter_next(s, "case-20261202", &v), 0); /* another: "event" goes in */
    assert_int_equal(v, 1);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), 3);
    assert_rc(tb_store_counter_next(s, "event", &v), 0);
    assert_int_equal(v, 4);
    assert_rc(tb_store_counter_next(s, "event", &v), 0);
    assert_int_equal(v, 5);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), 5);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'case-20261202'"), 1);

    /* Rolled back: the numbers counted are free again. */
    assert_rc(tb_store_begin(s), 0);
    for (int i = 0; i < 3; i++)
        assert_rc(tb_store_counter_next(s, "event", &v), 0);
    assert_int_equal(v, 8);
    tb_store_rollback(s);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), 5);
    assert_rc(tb_store_counter_next(s, "event", &v), 0); /* autocommit: in the file at once */
    assert_int_equal(v, 6);
    assert_int_equal(sql_int(s, "SELECT value FROM counters WHERE name = 'event'"), 6);

    /* Emitted events take their ids from it: two in one transaction, then one more. */
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_counter_next(s, "event", &v), 0);
    assert_rc(tb_store_counter_next(s, "event", &v), 0);
    assert_int_equal(v, 8);
    assert_rc(tb_store_commit(s), 0);
    emit_logged_seq(s, 9);
}

static void test_enqueue_in_tx(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    uint64_t seq = 0, last = 0, acked = 0;
    assert_rc(tb_store_begin(s), 0);
    for (uint64_t i = 1; i <= 3; i++) {
        assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"t", 1, &seq), 0);
        assert_int_equal(seq, i);
    }
    assert_rc(tb_store_enqueue(s, COUNTY, (const uint8_t *)"c", 1, &seq), 0);
    assert_int_equal(seq, 1);
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0); /* in the transaction */
    assert_int_equal(last, 3);
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"t", 1, &seq), 0);
    assert_int_equal(seq, 4);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT last FROM link_out WHERE peer='" TOWNSHIP "'"), 4);
    assert_int_equal(sql_int(s, "SELECT last FROM link_out WHERE peer='" COUNTY "'"), 1);
    assert_int_equal(sql_int(s, "SELECT max(seq) FROM outbox WHERE peer='" TOWNSHIP "'"), 4);

    /* Rolled back: neither the messages nor their numbers stay. */
    assert_rc(tb_store_begin(s), 0);
    for (int i = 0; i < 3; i++)
        assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"x", 1, NULL), 0);
    tb_store_rollback(s);
    assert_int_equal(sql_int(s, "SELECT last FROM link_out WHERE peer='" TOWNSHIP "'"), 4);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), 4);
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"a", 1, &seq), 0); /* autocommit */
    assert_int_equal(seq, 5);

    /* A reset in the batch renumbers from the numbers it assigned. */
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_peer_epoch_set(s, TOWNSHIP, 0xA, false), 0);
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"b", 1, &seq), 0);
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"c", 1, &seq), 0);
    assert_int_equal(seq, 7);
    assert_rc(tb_store_ack(s, TOWNSHIP, 4), 0);
    assert_rc(tb_store_peer_epoch_set(s, TOWNSHIP, 0xB, true), 0); /* 5..7 become 1..3 */
    assert_rc(tb_store_enqueue(s, TOWNSHIP, (const uint8_t *)"d", 1, &seq), 0);
    assert_int_equal(seq, 4);
    assert_rc(tb_store_commit(s), 0);
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(last, 4);
    assert_int_equal(acked, 0);
    char buf[16];
    assert_string_equal(sql_text(s,
                                 "SELECT group_concat(b, '') FROM (SELECT CAST(body AS TEXT) AS b"
                                 " FROM outbox WHERE peer='" TOWNSHIP "' ORDER BY seq)",
                                 buf, sizeof buf),
                        "abcd");
}

/* Statements the store ran, by kind (sqlite3_trace_v2 on its connection). */
typedef struct {
    int case_writes; /* INSERT INTO cases / UPDATE cases SET state */
    int case_reads;  /* tb_store_apply's read of a case's row */
    int origin_last; /* tb_store_origin_last's read */
    int restore_reads; /* tb_restore_status's read */
} traced_t;

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    traced_t *t = ctx;
    const char *sql = x;
    (void)p;
    if (type != SQLITE_TRACE_STMT || !sql)
        return 0;
    t->case_writes += strncmp(sql, "INSERT INTO cases(", 18) == 0 ||
                      strncmp(sql, "UPDATE cases SET state", 22) == 0;
    t->case_reads += strstr(sql, "LEFT JOIN cases") != NULL;
    t->origin_last += strncmp(sql, "SELECT max((SELECT coalesce(max(origin_seq)", 43) == 0;
    t->restore_reads += strstr(sql, "FROM restore") && strncmp(sql, "SELECT answered_ms", 18) == 0;
    return 0;
}

/* LOGGED and SUBMITTED of one case in one transaction (as tb_edge_log and a
 * township relaying them): case_id's row written once, at the commit. */
static void log_and_submit(tb_store_t *s, const char *case_id)
{
    event_t e;
    logged(&e);
    e.ev.case_id = (char *)case_id;
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    tb_event_msg_t sub = TONGBAN__V1__CASE_EVENT__INIT;
    sub.case_id = (char *)case_id;
    sub.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    sub.actor = "王五";
    sub.target = TOWNSHIP;
    assert_rc(tb_store_emit(s, &sub, peers), 0);
}

/* Inside a transaction the row of the case folded last waits (edge18): the
 * next event of that case folds on it without reading it back, and it is
 * written once, before anything else can read cases and at the commit; a
 * rollback forgets it. */
static void test_pending_row(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    traced_t t = {0};
    char buf[64];
    sqlite3_trace_v2(tb_store_db(s), SQLITE_TRACE_STMT, on_trace, &t);

    /* Two events, one read (the LOGGED's: no row yet), no write until the commit. */
    assert_rc(tb_store_begin(s), 0);
    log_and_submit(s, VILLAGE "-20261122-0001");
    assert_int_equal(t.case_reads, 1);
    assert_int_equal(t.case_writes, 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(t.case_writes, 1);
    assert_string_equal(sql_text(s, "SELECT state || ' ' || pending || ' ' || client_name"
                                    " || ' ' || version FROM cases",
                                 buf, sizeof buf),
                        "submitted " TOWNSHIP " 李四 2");

    /* A read through the store sees the pending row (written first). */
    t = (traced_t){0};
    assert_rc(tb_store_begin(s), 0);
    log_and_submit(s, VILLAGE "-20261122-0002");
    tb_case_t c;
    assert_rc(tb_store_case_get(s, VILLAGE "-20261122-0002", &c, NULL), 0);
    assert_int_equal(c.state, TB_ST_SUBMITTED);
    assert_int_equal(t.case_writes, 1);
    /* ... and so does one on the handle (tb_store_db writes it first). */
    event_t e;
    logged(&e);
    e.ev.case_id = VILLAGE "-20261122-0003";
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    assert_string_equal(sql_text(s,
                                 "SELECT state FROM cases WHERE case_id = '" VILLAGE
                                 "-20261122-0003'",
                                 buf, sizeof buf),
                        "logged");
    /* Another case's event writes the one pending first. */
    logged(&e);
    e.ev.case_id = VILLAGE "-20261122-0004";
    int before = t.case_writes;
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    logged(&e);
    e.ev.case_id = VILLAGE "-20261122-0005";
    assert_rc(tb_store_emit(s, &e.ev, peers), 0);
    assert_int_equal(t.case_writes, before + 1); /* 0004's; 0005's waits */
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases"), 5);

    /* Rolled back: the pending row goes with the transaction, and the next
     * transaction does not write it. */
    assert_rc(tb_store_begin(s), 0);
    log_and_submit(s, VILLAGE "-20261122-0006");
    tb_store_rollback(s);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_counter_next(s, "other", &(uint64_t){0}), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases WHERE case_id LIKE '%-0006'"), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events WHERE case_id LIKE '%-0006'"), 0);

    /* Outside a transaction the row is written at once. */
    logged(&e);
    e.ev.case_id = VILLAGE "-20261122-0007";
    uint8_t *body;
    size_t len;
    e.ev.origin_node = VILLAGE;
    e.ev.origin_seq = 100;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &e.ev;
    assert_rc(tb_pack_item(&item, &body, &len), 0);
    assert_rc(tb_store_apply(s, &e.ev, body, len, false, NULL), 0);
    free(body);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM cases WHERE case_id LIKE '%-0007'"), 1);
    sqlite3_trace_v2(tb_store_db(s), 0, NULL, NULL);
}

/* tb_store_origin_last reads an origin's newest id once per transaction,
 * then counts the ids recorded and consumed in it (edge18). */
static void test_origin_last_in_tx(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    traced_t t = {0};
    uint64_t last = 99;
    sqlite3_trace_v2(tb_store_db(s), SQLITE_TRACE_STMT, on_trace, &t);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_origin_last(s, VILLAGE, &last), 0);
    assert_int_equal(last, 0);
    log_and_submit(s, VILLAGE "-20261122-0001"); /* ids 1 and 2 */
    assert_rc(tb_store_origin_last(s, VILLAGE, &last), 0);
    assert_int_equal(last, 2);
    assert_rc(tb_store_origin_last(s, TOWNSHIP, &last), 0);
    assert_int_equal(last, 0);
    assert_rc(tb_store_origin_consumed(s, TOWNSHIP, 7), 0);
    assert_rc(tb_store_origin_last(s, TOWNSHIP, &last), 0);
    assert_int_equal(last, 7);
    assert_rc(tb_store_origin_consumed(s, TOWNSHIP, 3), 0); /* lower: stays 7 */
    assert_rc(tb_store_origin_last(s, TOWNSHIP, &last), 0);
    assert_int_equal(last, 7);
    assert_int_equal(t.origin_last, 2); /* once per origin */
    assert_rc(tb_store_commit(s), 0);

    /* A rolled-back transaction's ids are not remembered. */
    assert_rc(tb_store_begin(s), 0);
    log_and_submit(s, VILLAGE "-20261122-0002"); /* ids 3 and 4 */
    assert_rc(tb_store_origin_last(s, VILLAGE, &last), 0);
    assert_int_equal(last, 4);
    tb_store_rollback(s);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_origin_last(s, VILLAGE, &last), 0);
    assert_int_equal(last, 2);
    assert_rc(tb_store_origin_last(s, TOWNSHIP, &last), 0);
    assert_int_equal(last, 7);
    tb_store_rollback(s);
    assert_int_equal(t.origin_last, 5); /* 2, then 1 in the rolled-back one, then 2 */
    sqlite3_trace_v2(tb_store_db(s), 0, NULL, NULL);
}

/* Whether a restore is pending: read once inside a transaction (edge18),
 * and anew after this store asks or is answered. */
static void test_restore_pending(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    traced_t t = {0};
    sqlite3_trace_v2(tb_store_db(s), SQLITE_TRACE_STMT, on_trace, &t);
    int reads = 0;
    assert_rc(tb_store_begin(s), 0);
    for (int i = 0; i < 3; i++)
        assert_rc(tb_restore_pending(s), 0);
    assert_rc(tb_restore_request(s, TOWNSHIP), 0);
    assert_rc(tb_restore_pending(s), 1);
    assert_rc(tb_restore_pending(s), 1);
    assert_rc(tb_store_commit(s), 0);
    reads = t.restore_reads;
    assert_int_equal(reads, 2); /* before the request and after it */
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_restore_pending(s), 1);
    Tongban__V1__RestoreAnswer a = TONGBAN__V1__RESTORE_ANSWER__INIT;
    a.node = VILLAGE;
    assert_rc(tb_restore_apply(s, &a), 0);
    assert_rc(tb_restore_pending(s), 0);
    tb_store_rollback(s); /* the answer undone: pending again */
    assert_rc(tb_restore_pending(s), 1);
    assert_int_equal(t.restore_reads, reads + 3);
    sqlite3_trace_v2(tb_store_db(s), 0, NULL, NULL);
}

static void test_epochs(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    uint64_t mine = 0, again = 0, e = 7;
    assert_rc(tb_store_epoch(s, &mine), 0);
    assert_true(mine != 0);
    tb_store_destroy(&f->store);
    assert_rc(open_store(f), 0);
    s = f->store;
    assert_rc(tb_store_epoch(s, &again), 0);
    assert_int_equal(again, mine);

    assert_rc(tb_store_begin(s), 0);
    for (int i = 1; i <= 5; i++) {
        uint8_t b = (uint8_t)(10 + i);
        assert_rc(tb_store_enqueue(s, TOWNSHIP, &b, 1, NULL), 0);
    }
    assert_rc(tb_store_enqueue(s, COUNTY, (const uint8_t *)"c", 1, NULL), 0);
    assert_rc(tb_store_ack(s, TOWNSHIP, 2), 0);
    assert_rc(tb_store_cursor_set(s, TOWNSHIP, 9), 0);
    assert_rc(tb_store_peer_epoch_get(s, TOWNSHIP, &e), 0);
    assert_int_equal(e, 0);
    assert_rc(tb_store_peer_epoch_set(s, TOWNSHIP, 0xA, false), 0);
    assert_rc(tb_store_commit(s), 0);
    uint64_t last = 0, acked = 0, cursor = 0;
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(last, 5);
    assert_int_equal(acked, 2);

    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_peer_epoch_set(s, TOWNSHIP, 0xB, true), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_rc(tb_store_peer_epoch_get(s, TOWNSHIP, &e), 0);
    assert_int_equal(e, 0xB);
    int retired = 0;
    assert_rc(tb_store_peer_epoch_retired(s, TOWNSHIP, 0xA, &retired), 0);
    assert_int_equal(retired, 1);
    assert_rc(tb_store_peer_epoch_retired(s, TOWNSHIP, 0xC, &retired), 0);
    assert_int_equal(retired, 0);
    assert_rc(tb_store_cursor_get(s, TOWNSHIP, &cursor), 0);
    assert_int_equal(cursor, 0);
    assert_rc(tb_store_out_get(s, TOWNSHIP, &last, &acked), 0);
    assert_int_equal(last, 3);
    assert_int_equal(acked, 0);
    for (uint64_t seq = 1; seq <= 3; seq++) {
        uint8_t *body = NULL;
        size_t len = 0;
        assert_rc(tb_store_outbox_get(s, TOWNSHIP, seq, &body, &len), 0);
        assert_int_equal(len, 1);
        assert_int_equal(body[0], 12 + seq); /* 3..5 became 1..3 */
        free(body);
    }
    /* The other links are untouched. */
    assert_rc(tb_store_out_get(s, COUNTY, &last, &acked), 0);
    assert_int_equal(last, 1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" COUNTY "'"), 1);
}

/* A parent answers a child's restore once per store of the child (epoch):
 * the same store asking again queues nothing (bad input cannot grow the
 * outbox); a new store of it is answered again. */
static void test_restore_once(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    const char *child = TOWNSHIP; /* any peer: the store does not judge who may ask */
    Tongban__V1__RestoreAnswer a;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_peer_epoch_set(s, child, 0xA, false), 0);
    assert_rc(tb_restore_answer(s, child, &a), 0);
    assert_rc(tb_store_commit(s), 0);
    int queued = sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'");
    assert_true(queued >= 1); /* at least the answer */
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_restore_answer(s, child, &a), -EALREADY);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"), queued);
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_peer_epoch_set(s, child, 0xB, true), 0);
    assert_rc(tb_restore_answer(s, child, &a), 0);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='" TOWNSHIP "'"),
                     2 * queued);
}

/* The data relay (tb_store_relay.c): each stored version queued once per
 * node, oldest first; a node met later gets the whole chain at once; a new
 * version goes only to those that had the one before. */
static void test_data_relay(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->store;
    const char *v1 = "360826100001", *v2 = "360826100002";
    unsigned n = 99;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_data_relay(s, v1, &n), 0); /* nothing stored yet */
    assert_int_equal(n, 0);
    assert_rc(tb_store_data_put(s, TB_DATA_CATALOG, 1, (const uint8_t *)"a", 1), 0);
    assert_rc(tb_store_data_put(s, TB_DATA_CALENDAR, 1, (const uint8_t *)"b", 1), 0);
    assert_rc(tb_store_data_put(s, TB_DATA_CATALOG, 2, (const uint8_t *)"c", 1), 0);
    assert_rc(tb_store_data_relay(s, v1, &n), 0);
    assert_int_equal(n, 3);
    assert_rc(tb_store_data_relay(s, v1, &n), 0); /* again: nothing */
    assert_int_equal(n, 0);
    assert_rc(tb_store_data_put(s, TB_DATA_CATALOG, 3, (const uint8_t *)"d", 1), 0);
    assert_rc(tb_store_data_relay(s, v1, &n), 0); /* only the new one */
    assert_int_equal(n, 1);
    assert_rc(tb_store_data_relay(s, v2, &n), 0); /* met later: the whole chain */
    assert_int_equal(n, 4);
    assert_rc(tb_store_commit(s), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='360826100001'"), 4);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox WHERE peer='360826100002'"), 4);
    /* In order, per kind: the catalog's chain, then the calendar's. */
    static const struct {
        uint64_t seq;
        const char *kind;
        uint32_t version;
    } want[] = {{1, TB_DATA_CATALOG, 1}, {3, TB_DATA_CATALOG, 3}, {4, TB_DATA_CALENDAR, 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint8_t *buf;
        size_t len;
        assert_rc(tb_store_outbox_get(s, v2, want[i].seq, &buf, &len), 0);
        Tongban__V1__Item *item = tongban__v1__item__unpack(NULL, len, buf);
        assert_non_null(item);
        assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_DATA);
        assert_string_equal(item->data->kind, want[i].kind);
        assert_int_equal(item->data->version, want[i].version);
        tongban__v1__item__free_unpacked(item, NULL);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_heard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_epochs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enqueue_in_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_in_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_origin_last_in_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_relay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_begin_commit_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_emit_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_illegal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_and_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_county_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refold_rating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_bounded, setup, teardown),
        cmocka_unit_test(test_ratelimit),
        cmocka_unit_test_setup_teardown(test_village_bad_input, setup_village, teardown_village),
        cmocka_unit_test_setup_teardown(test_village_log, setup_village, teardown_village),
        cmocka_unit_test_setup_teardown(test_village_data, setup_village, teardown_village),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
