/* Shared by the unit tests that read a node's SQLite store directly.  Include
 * after tb_test.h (cmocka). */
#ifndef TB_TEST_STORE_H
#define TB_TEST_STORE_H

#include "tb_store.h"

#include <sqlite3.h>
#include <stdint.h>

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

#endif
