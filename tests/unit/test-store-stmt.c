/* The store's statement cache (common/tb_store.c, tb_store_stmt/tb_store_done):
 *
 *   reuse      the same SQL after tb_store_done is the same statement, with
 *              no value left bound from the call before;
 *   nested     a caller holding a statement while a callee asks for the same
 *              SQL: the callee gets another one, neither disturbs the other,
 *              and the second is not kept;
 *   schema     a kept statement after the table it reads changed reads the
 *              new table;
 *   error      a statement given back after a failed step (a constraint)
 *              works again and leaves no transaction or statement open;
 *   midway     a read given back before its last row leaves no read open
 *              (every statement of the connection is reset);
 *   full       more distinct statements than the cache keeps all work; those
 *              past it are finalized at once, and the store closes with the
 *              cache full (the sanitizer build's leak check sees the rest);
 *   partial    SQL with text after its statement is never found again;
 *   address    the cache is keyed by the text, found first by its address:
 *              the same text at another address finds the same statement,
 *              a reused buffer with other text never finds it (full). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_store_int.h"

#define VIL "360826100001"

typedef struct {
    tb_tdir_t t;
    tb_store_t *s;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    if (!f || tb_tdir_init(&f->t, "stmt") < 0 || tb_store_open(f->t.dir, VIL, &f->s) < 0)
        return -1;
    assert_int_equal(tb_store_exec(f->s, "CREATE TABLE t(x INTEGER PRIMARY KEY)"), 0);
    assert_int_equal(tb_store_exec(f->s, "INSERT INTO t VALUES (1), (2), (3)"), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    tb_store_destroy(&f->s);
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

/* The statements of the connection still stepping (not reset). */
static int stepping(tb_store_t *s)
{
    int n = 0;
    for (sqlite3_stmt *p = sqlite3_next_stmt(tb_store_db(s), NULL); p;
         p = sqlite3_next_stmt(tb_store_db(s), p))
        n += sqlite3_stmt_busy(p) != 0;
    return n;
}

static void reuse(void **state)
{
    fx_t *f = *state;
    sqlite3_stmt *a, *b;
    assert_int_equal(tb_store_stmt(f->s, "SELECT ?1", &a), 0);
    sqlite3_bind_int(a, 1, 7);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 7);
    tb_store_done(f->s, a);
    assert_int_equal(tb_store_stmt(f->s, "SELECT ?1", &b), 0);
    assert_ptr_equal(a, b); /* compiled once */
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    /* Nothing bound: the 7 of the call before is gone. */
    assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
    tb_store_done(f->s, b);
    assert_int_equal(stepping(f->s), 0);
}

static void nested(void **state)
{
    fx_t *f = *state;
    const char *sql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
    sqlite3_stmt *outer, *inner, *again;
    int kept = f->s->nstmts;
    assert_int_equal(tb_store_stmt(f->s, sql, &outer), 0);
    sqlite3_bind_int(outer, 1, 1);
    assert_int_equal(sqlite3_step(outer), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(outer, 0), 1);
    /* A callee asks for the same SQL while the outer read is on its first row. */
    assert_int_equal(tb_store_stmt(f->s, sql, &inner), 0);
    assert_ptr_not_equal(outer, inner);
    sqlite3_bind_int(inner, 1, 3);
    assert_int_equal(sqlite3_step(inner), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(inner, 0), 3);
    tb_store_done(f->s, inner);
    /* The outer read goes on where it was. */
    assert_int_equal(sqlite3_step(outer), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(outer, 0), 2);
    tb_store_done(f->s, outer);
    assert_int_equal(f->s->nstmts, kept + 1); /* the inner one was not kept */
    assert_int_equal(tb_store_stmt(f->s, sql, &again), 0);
    assert_ptr_equal(again, outer);
    tb_store_done(f->s, again);
    assert_int_equal(stepping(f->s), 0);
}

static void schema(void **state)
{
    fx_t *f = *state;
    sqlite3_stmt *st;
    assert_int_equal(tb_store_stmt(f->s, "SELECT * FROM t WHERE x = 1", &st), 0);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_count(st), 1);
    tb_store_done(f->s, st);
    assert_int_equal(tb_store_exec(f->s, "ALTER TABLE t ADD COLUMN y TEXT NOT NULL DEFAULT 'y'"),
                     0);
    sqlite3_stmt *again;
    assert_int_equal(tb_store_stmt(f->s, "SELECT * FROM t WHERE x = 1", &again), 0);
    assert_ptr_equal(again, st);
    assert_int_equal(sqlite3_step(again), SQLITE_ROW);
    assert_int_equal(sqlite3_column_count(again), 2);
    assert_string_equal((const char *)sqlite3_column_text(again, 1), "y");
    tb_store_done(f->s, again);
}

static void error(void **state)
{
    fx_t *f = *state;
    const char *sql = "INSERT INTO t(x) VALUES(?1)";
    sqlite3_stmt *st;
    assert_int_equal(tb_store_begin(f->s), 0);
    assert_int_equal(tb_store_stmt(f->s, sql, &st), 0);
    sqlite3_bind_int(st, 1, 2); /* taken */
    assert_int_equal(sqlite3_step(st), SQLITE_CONSTRAINT);
    tb_store_done(f->s, st);
    tb_store_rollback(f->s);
    assert_int_equal(sqlite3_get_autocommit(tb_store_db(f->s)), 1);
    assert_int_equal(stepping(f->s), 0);
    /* The same statement, a new key, through tb_store_run. */
    assert_int_equal(tb_store_stmt(f->s, sql, &st), 0);
    sqlite3_bind_int(st, 1, 9);
    assert_int_equal(tb_store_run(f->s, st), 0);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM t WHERE x = 9"), 1);
    /* And unbound, a NULL key: SQLite picks one (INTEGER PRIMARY KEY), not 9 again. */
    assert_int_equal(tb_store_stmt(f->s, sql, &st), 0);
    assert_int_equal(tb_store_run(f->s, st), 0);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM t"), 5);
}

static void midway(void **state)
{
    fx_t *f = *state;
    sqlite3_stmt *st;
    assert_int_equal(tb_store_stmt(f->s, "SELECT x FROM t ORDER BY x", &st), 0);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(stepping(f->s), 1);
    tb_store_done(f->s, st);
    assert_int_equal(stepping(f->s), 0);
    /* No read left open: a checkpoint of another connection takes the whole log. */
    assert_int_equal(tb_store_exec(f->s, "INSERT INTO t VALUES (10)"), 0);
    int log = -1, done = -1;
    char path[256];
    snprintf(path, sizeof path, "%s/%s.db", f->t.dir, VIL);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_wal_checkpoint_v2(other, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done), SQLITE_OK);
    assert_int_equal(log, done); /* every frame of the log checkpointed */
    sqlite3_close(other);
}

static void address(void **state)
{
    fx_t *f = *state;
    sqlite3_stmt *a, *b, *c;
    assert_int_equal(tb_store_stmt(f->s, "SELECT x FROM t WHERE x = ?1", &a), 0);
    tb_store_done(f->s, a);
    char *copy = strdup("SELECT x FROM t WHERE x = ?1");
    assert_non_null(copy);
    assert_int_equal(tb_store_stmt(f->s, copy, &b), 0);
    assert_ptr_equal(a, b);
    tb_store_done(f->s, b);
    /* The copy's buffer now says something else: another statement. */
    snprintf(copy, strlen(copy) + 1, "SELECT 5+x FROM t WHERE x=?1"); /* as long */
    assert_int_equal(tb_store_stmt(f->s, copy, &c), 0);
    assert_ptr_not_equal(a, c);
    sqlite3_bind_int(c, 1, 2);
    assert_int_equal(sqlite3_step(c), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(c, 0), 7);
    tb_store_done(f->s, c);
    free(copy);
}

static void full(void **state)
{
    fx_t *f = *state;
    char sql[64];
    for (int i = 0; i < TB_STORE_STMTS + 40; i++) {
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT %d + ?1", i);
        assert_int_equal(tb_store_stmt(f->s, sql, &st), 0);
        sqlite3_bind_int(st, 1, 1);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), i + 1);
        tb_store_done(f->s, st);
    }
    assert_int_equal(f->s->nstmts, TB_STORE_STMTS);
    /* Only the kept ones are left in the connection. */
    int left = 0;
    for (sqlite3_stmt *p = sqlite3_next_stmt(tb_store_db(f->s), NULL); p;
         p = sqlite3_next_stmt(tb_store_db(f->s), p))
        left++;
    assert_int_equal(left, TB_STORE_STMTS);
    /* A statement still handed out at the close is the caller's bug; the
     * cache's own are finalized (teardown), nothing leaks (sanitizer build). */
}

static void partial(void **state)
{
    fx_t *f = *state;
    sqlite3_stmt *a, *b;
    int kept = f->s->nstmts;
    assert_int_equal(tb_store_stmt(f->s, "SELECT 41; ", &a), 0);
    tb_store_done(f->s, a);
    assert_int_equal(f->s->nstmts, kept);
    assert_int_equal(tb_store_stmt(f->s, "SELECT 41; ", &b), 0);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(b, 0), 41);
    tb_store_done(f->s, b);
    assert_int_equal(f->s->nstmts, kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(nested, setup, teardown),
        cmocka_unit_test_setup_teardown(schema, setup, teardown),
        cmocka_unit_test_setup_teardown(error, setup, teardown),
        cmocka_unit_test_setup_teardown(midway, setup, teardown),
        cmocka_unit_test_setup_teardown(full, setup, teardown),
        cmocka_unit_test_setup_teardown(partial, setup, teardown),
        cmocka_unit_test_setup_teardown(address, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
