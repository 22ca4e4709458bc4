/* Shared by the unit tests that work on a node's SQLite store: the fixture
 * (a temp dir with the shipped catalog and calendar, stores opened in it as
 * the daemons open them) and reading the store with plain SQL.  Include
 * after tb_test.h (cmocka).  Built with -DTB_SOURCE_DATA_DIR (meson.build). */
#ifndef TB_TEST_STORE_H
#define TB_TEST_STORE_H

#include "tb_store.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

/* ---- Fixture: a temp dir for stores, and the shipped data they fold by ---- */

typedef struct {
    char dir[64];
    tb_catalog_t *catalog;   /* the shipped catalog.csv */
    tb_calendar_t *calendar; /* the shipped holidays-cn-2026.csv */
} tb_tdir_t;

static inline void tb_tdir_fini(tb_tdir_t *t);

/* Load the shipped catalog and calendar and make /tmp/tb-test-<name>-XXXXXX.
 * 0, or -1 with nothing left behind. */
static inline int tb_tdir_init(tb_tdir_t *t, const char *name)
{
    memset(t, 0, sizeof *t);
    int line;
    t->catalog = tb_catalog_new();
    t->calendar = tb_calendar_new();
    if ((size_t)snprintf(t->dir, sizeof t->dir, "/tmp/tb-test-%s-XXXXXX", name) >= sizeof t->dir ||
        !t->catalog || !t->calendar ||
        tb_catalog_load(t->catalog, TB_SOURCE_DATA_DIR "/catalog.csv", &line) < 0 ||
        tb_calendar_load_csv(t->calendar, TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv", &line) < 0 ||
        !mkdtemp(t->dir)) {
        t->dir[0] = '\0';
        tb_tdir_fini(t);
        return -1;
    }
    return 0;
}

/* Open (creating) the store of place in the dir as the daemons do: with the
 * catalog and calendar to fold by. */
static inline int tb_tdir_open(const tb_tdir_t *t, const char *place, tb_store_t **ret_store)
{
    int rc = tb_store_open(t->dir, place, ret_store);
    if (rc == 0)
        tb_store_set_rules(*ret_store, t->catalog, t->calendar);
    return rc;
}

/* Remove every file in the dir and the dir (close its stores first), and
 * free the data.  Safe on a half-made or finished fixture. */
static inline void tb_tdir_fini(tb_tdir_t *t)
{
    DIR *d = t->dir[0] ? opendir(t->dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", t->dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    if (t->dir[0])
        rmdir(t->dir);
    t->dir[0] = '\0';
    tb_catalog_destroy(&t->catalog);
    tb_calendar_destroy(&t->calendar);
}

/* One integer from SQL (a count, a column of one row); -1 if no row. */
static inline int64_t sql_int(tb_store_t *s, const char *sql)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(tb_store_db(s), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, sqlite3_errmsg(tb_store_db(s)));
    assert_int_equal(rc, SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Record a case logged at the store's own node (a walk-in, LOGGED with its
 * ledger; agent 赵六) in one transaction, as a command would: with reply, a
 * consultation answered on the spot (closed at once).  0 or a negative code. */
static inline int tb_test_log_case(tb_store_t *s, const char *id, const char *item,
                                   const char *client, const char *phone, int64_t at,
                                   const char *reply)
{
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)client;
    l.client_phone = (char *)phone;
    l.agent = "赵六";
    l.item_code = (char *)item;
    l.note = reply ? "" : "户口簿带来了";
    l.result = (char *)(reply ? reply : "");
    l.accept_time_ms = at;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = (char *)id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = "赵六";
    ev.at_ms = at;
    ev.ledger = &l;
    static const char *const peers[] = {NULL};
    int rc = tb_store_begin(s);
    if (rc == 0 && (rc = tb_store_emit(s, &ev, peers)) == 0)
        return tb_store_commit(s);
    tb_store_rollback(s);
    return rc;
}

#endif
