/* tb_store_restore.c: a lost store rebuilt from upstream (tb_restore.h). */
#include "tb_restore.h"
#include "tb_store_int.h"

#include "tb_accountlist.h"
#include "tb_data.h"
#include "tb_labels.h"
#include "tb_error.h"
#include "tb_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LOST = 4096 };                 /* lost ids named in one answer (the rest: counted) */
enum { ORDER_ID_MAX = TB_CODE_LEN + 22 }; /* "<origin>/<seq>" */

static int count_of(tb_store_t *self, const char *sql, const char *arg, uint64_t *ret)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self, sql, &st);
    if (rc < 0)
        return rc;
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        *ret = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = tb_store_sql_err(self, "restore");
    tb_store_done(self, st);
    return rc;
}

static int queue_item(tb_store_t *self, const char *node, const tb_item_msg_t *item)
{
    uint8_t *buf;
    size_t len;
    int rc = tb_pack_item(item, &buf, &len);
    if (rc < 0)
        return rc;
    rc = tb_store_enqueue(self, node, buf, len, NULL);
    free(buf);
    return rc;
}

int tb_restore_request(tb_store_t *self, const char *parent)
{
    uint64_t n = 0, m = 0;
    int rc;
    /* What came from above before the request (the parent's pending outbox,
     * sent once the link was reset) is no obstacle: the answer brings it
     * again, in order (tb_restore_replace). */
    if ((rc = count_of(self, "SELECT count(*) FROM events WHERE origin_node = ?1", self->place,
                       &n)) < 0 ||
        (rc = count_of(self, "SELECT count(*) FROM cases", NULL, &m)) < 0)
        return rc;
    if (n || m)
        return -EEXIST;
    Tongban__V1__RestoreRequest rq = TONGBAN__V1__RESTORE_REQUEST__INIT;
    rq.node = self->place;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_RESTORE_REQUEST;
    item.restore_request = &rq;
    self->restore_pending = 0;
    if ((rc = tb_store_exec(self, "DELETE FROM restore")) < 0)
        return rc;
    sqlite3_stmt *st;
    if ((rc = tb_store_stmt(self, "INSERT INTO restore(asked_ms) VALUES(?1)", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, tb_now_ms());
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    return queue_item(self, parent, &item);
}

int tb_restore_apply(tb_store_t *self, const Tongban__V1__RestoreAnswer *a)
{
    uint64_t asked = 0;
    int rc = count_of(self, "SELECT count(*) FROM restore", NULL, &asked);
    if (rc < 0)
        return rc;
    if (!asked || strcmp(a->node, self->place) != 0)
        return -EINVAL;
    char lost[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < a->n_lost; i++) {
        int n = snprintf(lost + used, sizeof lost - used, "%s%llu", i ? "," : "",
                         (unsigned long long)a->lost[i]);
        if (n < 0 || (size_t)n >= sizeof lost - used - 4) {
            snprintf(lost + used, sizeof lost - used, ",...");
            break;
        }
        used += (size_t)n;
    }
    sqlite3_stmt *st;
    if ((rc = tb_store_stmt(self,
                            "UPDATE restore SET answered_ms = ?1, origin_seq = ?2, events = ?3,"
                            " cases = ?4, lost = ?5",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, tb_now_ms());
    sqlite3_bind_int64(st, 2, (sqlite3_int64)a->origin_seq);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)a->events);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)a->cases);
    sqlite3_bind_text(st, 5, lost, -1, SQLITE_TRANSIENT);
    self->restore_pending = 0; /* answered now (or rolled back) */
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    /* The origin_seq counter: new events continue after the high-water mark
     * (and after anything this store minted meanwhile); one counted in
     * memory goes in first. */
    if ((rc = tb_store_counter_flush(self)) < 0)
        return rc;
    if ((rc = tb_store_stmt(self,
                            "INSERT INTO counters(name, value) VALUES('event', ?1)"
                            " ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)a->origin_seq);
    if ((rc = tb_store_run(self, st)) < 0)
        return rc;
    /* The case-id counter of every day a restored case of ours was logged:
     * <code>-<yyyymmdd>-<seq> (from the events: a case whose events do not
     * fold here has no row, but its id is taken). */
    if ((rc = tb_store_stmt(
             self,
             "INSERT INTO counters(name, value)"
             " SELECT 'case-' || substr(case_id, 14, 8), max(CAST(substr(case_id, 23) AS INTEGER))"
             " FROM events WHERE substr(case_id, 1, 12) = ?1 GROUP BY substr(case_id, 14, 8)"
             " ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
             &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, self->place, -1, SQLITE_TRANSIENT);
    return tb_store_run(self, st);
}

/* The ids case_id's positions 1..version hold here (case_order, as the
 * county named them), into ids (version of them, each ORDER_ID_MAX):
 * how many, or 0 unless every one of them is held and version is at most
 * TB_FOLDED_MAX (proto StatusUpdate.folded: none named then). */
static int order_ids(tb_store_t *self, const char *case_id, uint32_t version,
                     char (*ids)[ORDER_ID_MAX], size_t *ret_n)
{
    *ret_n = 0;
    if (version == 0 || version > TB_FOLDED_MAX)
        return 0;
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT pos, origin_node, origin_seq FROM case_order"
                           " WHERE case_id = ?1 AND pos BETWEEN 1 AND ?2 ORDER BY pos",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, version);
    size_t n = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW && n < version &&
           sqlite3_column_int64(st, 0) == (sqlite3_int64)n + 1) {
        snprintf(ids[n], ORDER_ID_MAX, "%s/%lld", (const char *)sqlite3_column_text(st, 1),
                 (long long)sqlite3_column_int64(st, 2));
        n++;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "restore order");
    tb_store_done(self, st);
    if (rc == 0 && n == version)
        *ret_n = n;
    return rc;
}

int tb_restore_answer(tb_store_t *self, const char *node, Tongban__V1__RestoreAnswer *ret)
{
    Tongban__V1__RestoreAnswer a = TONGBAN__V1__RESTORE_ANSWER__INIT;
    a.node = (char *)node;
    sqlite3_stmt *st;
    /* Once per store of the node (its epoch): a second request from the same
     * store would only queue everything again. */
    uint64_t epoch = 0, done = 0;
    int rc0 = tb_store_peer_epoch_get(self, node, &epoch);
    if (rc0 < 0 ||
        (rc0 = count_of(self,
                        "SELECT count(*) FROM restore_answered WHERE peer = ?1"
                        " AND epoch = coalesce((SELECT epoch FROM link_epoch WHERE peer = ?1), 0)",
                        node, &done)) < 0)
        return rc0;
    if (done)
        return -EALREADY;
    if ((rc0 = tb_store_stmt(
             self, "INSERT INTO restore_answered(peer, epoch, at_ms) VALUES(?1, ?2, ?3)", &st)) < 0)
        return rc0;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)epoch);
    sqlite3_bind_int64(st, 3, tb_now_ms());
    if ((rc0 = tb_store_run(self, st)) < 0)
        return rc0;
    /* The data versions first: the events are checked against the catalog
     * they were logged under. */
    int rc = tb_store_data_queue(self, node, TB_DATA_CATALOG, 0, &a.catalog_version);
    if (rc < 0 ||
        (rc = tb_store_data_queue(self, node, TB_DATA_CALENDAR, 0, &a.calendar_version)) < 0)
        return rc;
    /* The node's account list (every version its parent kept, oldest first):
     * people sign in at the restored node at once, not only after the
     * county's next account change. */
    char accounts[sizeof TB_DATA_ACCOUNTS + TB_CODE_LEN];
    uint32_t accounts_version;
    snprintf(accounts, sizeof accounts, "%s%s", TB_DATA_ACCOUNTS, node);
    if ((rc = tb_store_data_queue(self, node, accounts, 0, &accounts_version)) < 0)
        return rc;
    /* Every event on the node's cases, in the order this store recorded them. */
    rc = tb_store_stmt(
        self, "SELECT body FROM events WHERE substr(case_id, 1, 12) = ?1 ORDER BY rowid", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        rc = tb_store_enqueue(self, node, sqlite3_column_blob(st, 0),
                              (size_t)sqlite3_column_bytes(st, 0), NULL);
        a.events++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "restore events");
    tb_store_done(self, st);
    if (rc < 0)
        return rc;
    /* The county's last status of each case, with the ids of its positions
     * 1..version when this store holds them all (the restored store then
     * folds in the county's order from the first event). */
    char(*ids)[ORDER_ID_MAX] = malloc(TB_FOLDED_MAX * sizeof *ids);
    char *idp[TB_FOLDED_MAX];
    if (!ids)
        return -ENOMEM;
    for (size_t i = 0; i < TB_FOLDED_MAX; i++)
        idp[i] = ids[i];
    if ((rc = tb_store_stmt(self,
                            "SELECT case_id, county_state, holder, county_version, updated_ms"
                            " FROM cases WHERE substr(case_id, 1, 12) = ?1",
                            &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        a.cases++;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL || sqlite3_column_int64(st, 3) <= 0)
            continue;
        Tongban__V1__StatusUpdate su = TONGBAN__V1__STATUS_UPDATE__INIT;
        su.case_id = (char *)sqlite3_column_text(st, 0);
        su.state = (char *)sqlite3_column_text(st, 1);
        su.holder = (char *)sqlite3_column_text(st, 2);
        su.version = (uint32_t)sqlite3_column_int64(st, 3);
        su.at_ms = sqlite3_column_int64(st, 4);
        if ((rc = order_ids(self, su.case_id, su.version, ids, &su.n_folded)) < 0)
            break;
        su.folded = idp;
        tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
        item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
        item.status = &su;
        rc = queue_item(self, node, &item);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "restore statuses");
    tb_store_done(self, st);
    free(ids);
    if (rc < 0 || (rc = tb_store_origin_last(self, node, &a.origin_seq)) < 0)
        return rc;
    /* The node's own events below the high-water mark this store never got. */
    uint64_t *lost = NULL;
    size_t nlost = 0;
    if ((rc = tb_store_stmt(self,
                            "SELECT origin_seq FROM events WHERE origin_node = ?1"
                            " ORDER BY origin_seq",
                            &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    uint64_t next = 1;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        for (; next < seq && rc == 0; next++) {
            if (nlost == MAX_LOST)
                continue;
            uint64_t *v = realloc(lost, (nlost + 1) * sizeof *v);
            if (!v)
                rc = -ENOMEM;
            else
                (lost = v)[nlost++] = next;
        }
        next = seq + 1;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "restore lost");
    tb_store_done(self, st);
    a.lost = lost;
    a.n_lost = nlost;
    if (rc == 0) {
        tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
        item.item_case = TONGBAN__V1__ITEM__ITEM_RESTORE_ANSWER;
        item.restore_answer = &a;
        rc = queue_item(self, node, &item);
    }
    free(lost);
    if (rc == 0 && ret) {
        *ret = a;
        ret->lost = NULL;
    }
    return rc;
}

int tb_restore_status(tb_store_t *self, tb_restore_t *ret)
{
    memset(ret, 0, sizeof *ret);
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT answered_ms IS NOT NULL, coalesce(origin_seq, 0),"
                           " coalesce(events, 0), coalesce(cases, 0), coalesce(lost, '')"
                           " FROM restore",
                           &st);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        ret->asked = true;
        ret->answered = sqlite3_column_int(st, 0);
        ret->origin_seq = (uint64_t)sqlite3_column_int64(st, 1);
        ret->events = (uint64_t)sqlite3_column_int64(st, 2);
        ret->cases = (uint64_t)sqlite3_column_int64(st, 3);
        snprintf(ret->lost, sizeof ret->lost, "%s", (const char *)sqlite3_column_text(st, 4));
    } else if (s != SQLITE_DONE) {
        rc = tb_store_sql_err(self, "restore status");
    }
    tb_store_done(self, st);
    return rc;
}

int tb_restore_pending(tb_store_t *self)
{
    if (self->restore_pending)
        return self->restore_pending == 2;
    tb_restore_t r;
    int rc = tb_restore_status(self, &r);
    if (rc < 0)
        return rc;
    rc = r.asked && !r.answered;
    if (!sqlite3_get_autocommit(self->db))
        self->restore_pending = rc ? 2 : 1; /* no other writer until the commit */
    return rc;
}

int tb_restore_replace(tb_store_t *self, const tb_event_msg_t *ev, const uint8_t *body, size_t len)
{
    int rc = tb_restore_pending(self);
    if (rc <= 0)
        return rc;
    sqlite3_stmt *st;
    if ((rc = tb_store_stmt(self,
                            "DELETE FROM events WHERE origin_node = ?1 AND origin_seq = ?2"
                            " AND body = ?3 AND folded = 0",
                            &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, ev->origin_node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->origin_seq);
    sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_TRANSIENT);
    self->noriginlast = 0; /* an origin's newest id may be the one going */
    if ((rc = tb_store_run(self, st)) < 0 || sqlite3_changes(self->db) == 0)
        return rc;
    /* The event comes back after the case's others: its row's order is not
     * the one it knew (tb_store_order.c). */
    return tb_store_order_forget(self, ev->case_id);
}

int tb_restore_waiting(tb_store_t *self, char (*ret_ids)[TB_CASEID_MAX], size_t cap, size_t *ret_n)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT case_id FROM cases WHERE state = ?1 AND pending = ?2"
                           " ORDER BY case_id LIMIT ?3",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, tb_state_name(TB_ST_SUBMITTED), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, self->place, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)cap);
    size_t n = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW && n < cap)
        snprintf(ret_ids[n++], TB_CASEID_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "restore waiting");
    tb_store_done(self, st);
    if (rc == 0)
        *ret_n = n;
    return rc;
}

void tb_restore_text(const Tongban__V1__RestoreAnswer *a, const char *from, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "store restored from the %s: %" PRIu64 " event(s) of %" PRIu64
             " case(s), catalog v%u, calendar v%u; our events continue after origin_seq %" PRIu64
             "; %zu event id(s) never reached the %s (lost)",
             from, a->events, a->cases, (unsigned)a->catalog_version, (unsigned)a->calendar_version,
             a->origin_seq, a->n_lost, from);
}
