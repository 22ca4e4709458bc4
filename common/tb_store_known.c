/* tb_store_known.c: what a case's row knows of its fold order (st21, edge
 * schema 13), so that the county's status update reads none of the case's
 * events when it only extends that order (tb_store_order.c's "One order"
 * says what the order is; tb_store_int.h which part of the store is where).
 *
 * A status update needs the case's events only when it may change their
 * order.  The cases row keeps order_m (M: the positions 1..M are held here, the highest position kept for the
 * case is M) and order_tail (the ids of the case's other events, in the
 * order recorded): the fold order is then those M by position and the tail
 * in order.  Each event folded into the row adds its id to the tail
 * (tb_store_case.c, with the row's write); an update that places the first
 * ids of the tail next (positions M+1.., in the tail's order) while the row
 * accounts for every event of the case (M plus the tail is the count of its
 * events) changes no order: its positions are written, M and the tail move,
 * and nothing is read.  Anything else (an event the county placed before it
 * came, one recorded without folding, a REJECTED verdict, a crossing, a
 * position for an event not here, a restore's replacement) reads the
 * events as before; that read tells the row its order again when it can
 * (order_known, tb_store_order.c).  NULL: the row does not know (a row from before schema 13
 * until its first update). */
#include "tb_store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool tb_store_order_add(char *buf, size_t cap, const char *origin, uint64_t seq)
{
    size_t used = strlen(buf);
    int n = snprintf(buf + used, cap - used, "%s%s/%" PRIu64, used ? " " : "", origin, seq);
    if (n < 0 || (size_t)n >= cap - used) {
        buf[used] = '\0';
        return false;
    }
    return true;
}

int tb_store_order_forget(tb_store_t *self, const char *case_id)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "UPDATE cases SET order_m = NULL, order_tail = NULL"
                           " WHERE case_id = ?1",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    return tb_store_run(self, st);
}


int tb_store_row_order_read(tb_store_t *self, const char *case_id, row_order_t *ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT order_m, order_tail,"
                           " (SELECT count(*) FROM events WHERE case_id = ?1)"
                           " FROM cases WHERE case_id = ?1",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    ret->found = step == SQLITE_ROW;
    ret->m = -1;
    ret->tail[0] = '\0';
    if (step == SQLITE_ROW) {
        const char *tail = (const char *)sqlite3_column_text(st, 1);
        if (sqlite3_column_type(st, 0) != SQLITE_NULL && tail && strlen(tail) < sizeof ret->tail) {
            ret->m = sqlite3_column_int64(st, 0);
            memcpy(ret->tail, tail, strlen(tail) + 1);
        }
        ret->events = sqlite3_column_int64(st, 2);
    } else if (step != SQLITE_DONE) {
        rc = tb_store_sql_err(self, "case order state");
    }
    tb_store_done(self, st);
    return rc;
}

/* The number of ids in a tail. */
static size_t tail_count(const char *tail)
{
    size_t n = *tail != '\0';
    for (; *tail; tail++)
        n += *tail == ' ';
    return n;
}

/* Whether the update s only extends the order the row knows: the county
 * placed, at positions m+1..version, the first n_folded events of the tail,
 * in the tail's order, and the row accounts for every event of the case.
 * Then the order stays the one folded (the confirmed events by position, the
 * rest in recording order) and *ret_rest is what stays in the tail. */
bool tb_store_extends_order(const row_order_t *r, const Tongban__V1__StatusUpdate *s,
                          const char **ret_rest)
{
    if (r->m < 0 || r->m != (int64_t)(s->version - s->n_folded) ||
        r->events != r->m + (int64_t)tail_count(r->tail))
        return false;
    const char *at = r->tail;
    for (size_t i = 0; i < s->n_folded; i++) {
        size_t len = strlen(s->folded[i]);
        if (strncmp(at, s->folded[i], len) != 0 || (at[len] != ' ' && at[len] != '\0'))
            return false;
        at += len;
        if (*at == ' ')
            at++;
        else if (i + 1 < s->n_folded)
            return false;
    }
    *ret_rest = at;
    return true;
}
