/* One order (issue 9, common/tb_store_order.c): a node's SQLite store folds
 * each case in the county's order, as the county's StatusUpdate.folded
 * names it, and each event under the catalog version it was checked under.
 *
 *   crossing   the village withdraws its case while the county suspends it:
 *              the village folds its own step first, the county the other
 *              way round; after the county's confirmation the village's fold
 *              is the county's byte for byte (tb_case_pack of the same events
 *              folded in the county's order);
 *   rejected   the village's note is refused by the county while a township
 *              step crosses the village's withdrawal: after the REJECTED and the
 *              confirmation the fold leaves the refused one out and follows
 *              the county's order (events.folded says which fold);
 *   catalog    cases logged under catalog versions 0 (the shipped file) and 1
 *              are folded again (a REJECTED) with version 2 in force, in
 *              which neither case's item exists any more: each event is
 *              checked under its own version, so both cases stay as they
 *              were; and the stored events say which version each was
 *              checked under;
 *   gap        a confirmation naming an event this store does not hold yet
 *              orders nothing beyond it until that event comes;
 *   known      the common case: an update placing the events recorded next,
 *              in the order recorded, reads none of them (the row knows);
 *              anything else reads them as before;
 *   folded ids the ids a StatusUpdate names, as a receiver checks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_error.h"

#define VIL "360826100001"
#define TOWN "360826100000"
#define CTY "360826000000"
#define CASE VIL "-20251130-0001"
#define CASE2 VIL "-20251130-0002"
#define AT 1764460800000LL /* 2025-11-30 */

typedef struct {
    tb_tdir_t t;
    tb_store_t *vil;
} fix_t;

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f || tb_tdir_init(&f->t, "order") < 0 || tb_tdir_open(&f->t, VIL, &f->vil) < 0) {
        if (f)
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
    tb_store_destroy(&f->vil);
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

/* An event as it travels: type, origin, seq, time; the rest set by the test. */
static tb_event_msg_t step(const char *case_id, int type, const char *origin, uint64_t seq,
                           int64_t at)
{
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = (char *)case_id;
    ev.type = (Tongban__V1__EventType)type;
    ev.origin_node = (char *)origin;
    ev.origin_seq = seq;
    ev.actor = (char *)"李四";
    ev.at_ms = at;
    return ev;
}

static Tongban__V1__LedgerRecord ledger(const char *item)
{
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)"王五";
    l.client_phone = (char *)"13900139000";
    l.agent = (char *)"张三";
    l.item_code = (char *)item;
    l.accept_time_ms = AT;
    return l;
}

/* The village's own step, as a command makes it (origin and seq filled in). */
static void emit(tb_store_t *s, tb_event_msg_t *ev)
{
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_emit(s, ev, NULL), 0);
    assert_rc(tb_store_commit(s), 0);
}

static void pack(const tb_event_msg_t *ev, uint8_t **buf, size_t *len)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = (tb_event_msg_t *)ev;
    assert_rc(tb_pack_item(&item, buf, len), 0);
}

/* A step from above (recorded even when it does not fold here). */
static void from_above(tb_store_t *s, const tb_event_msg_t *ev)
{
    uint8_t *buf;
    size_t len;
    pack(ev, &buf, &len);
    int fold = 0;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_apply(s, ev, buf, len, true, &fold), 0);
    assert_rc(tb_store_commit(s), 0);
    free(buf);
}

/* The county's StatusUpdate naming the ids it folded in one batch. */
static void confirm(tb_store_t *s, const char *case_id, uint32_t version, const char *state,
                    char **ids, size_t n)
{
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = (char *)case_id;
    st.state = (char *)state;
    st.holder = (char *)CTY;
    st.version = version;
    st.at_ms = AT + 100000;
    st.folded = ids;
    st.n_folded = n;
    assert_rc(tb_store_begin(s), 0);
    assert_rc(tb_store_county_status(s, &st), 0);
    assert_rc(tb_store_commit(s), 0);
}

/* What the county stores for the case: the events folded in its order, packed. */
static size_t county_fold(const tb_event_msg_t *const *evs, size_t n, const tb_catalog_t *cat,
                          uint8_t out[TB_CASE_PACKED_MAX])
{
    tb_case_t c = {0}, next;
    for (size_t i = 0; i < n; i++) {
        int rc = tb_event_fold(&c, evs[i], cat, &next);
        if (rc != 0)
            print_error("county fold of event %zu (%s): %s\n", i,
                        tb_event_name((tb_event_type_t)evs[i]->type), tb_strerror(rc));
        assert_rc(rc, 0);
        c = next;
    }
    return tb_case_pack(&c, out);
}

/* The village's stored fold equals want, byte for byte. */
static void assert_fold_is(tb_store_t *s, const char *case_id, const uint8_t *want, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(tb_store_db(s), "SELECT fold FROM cases WHERE case_id = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    bool same = len == n && memcmp(sqlite3_column_blob(st, 0), want, n) == 0;
    if (!same) {
        tb_case_t got = {0}, exp = {0};
        tb_case_unpack(sqlite3_column_blob(st, 0), len, &got);
        tb_case_unpack(want, n, &exp);
        print_error("fold of %s: %zu bytes, state %s, version %u; the county's: %zu bytes, "
                    "state %s, version %u\n",
                    case_id, len, tb_state_name(got.state), got.version, n,
                    tb_state_name(exp.state), exp.version);
    }
    sqlite3_finalize(st);
    assert_true(same);
}

static int64_t folded_of(tb_store_t *s, const char *origin, uint64_t seq)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT folded FROM events WHERE origin_node = '%s' AND origin_seq = %llu", origin,
             (unsigned long long)seq);
    return sql_int(s, sql);
}

/* The village logs a county-level case (YB003) and submits it to its
 * township: lg and sb are its two events, l the ledger lg points to. */
static void log_and_submit(fix_t *f, Tongban__V1__LedgerRecord *l, tb_event_msg_t *lg,
                           tb_event_msg_t *sb)
{
    *l = ledger("YB003");
    *lg = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED, VIL, 0, AT);
    lg->ledger = l;
    emit(f->vil, lg);
    *sb = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED, VIL, 0, AT + 1000);
    sb->target = (char *)TOWN;
    emit(f->vil, sb);
}

/* The village logs a county-level case and submits it; the township takes,
 * accepts and forwards it; the county takes it.  evs gets the 6 events in
 * order; the county has confirmed them all (version 6). */
static void to_county(fix_t *f, tb_event_msg_t evs[6], Tongban__V1__LedgerRecord *l)
{
    log_and_submit(f, l, &evs[0], &evs[1]);
    evs[2] = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    evs[3] = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TOWN, 2, AT + 3000);
    evs[4] = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED, TOWN, 3, AT + 4000);
    evs[4].target = (char *)CTY;
    evs[5] = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, CTY, 1, AT + 5000);
    for (int i = 2; i < 6; i++)
        from_above(f->vil, &evs[i]);
    char *ids[] = {VIL "/1", VIL "/2", TOWN "/1", TOWN "/2", TOWN "/3", CTY "/1"};
    confirm(f->vil, CASE, 6, "county", ids, 6);
}

static void test_crossing(void **state)
{
    fix_t *f = *state;
    tb_event_msg_t evs[6];
    Tongban__V1__LedgerRecord l;
    to_county(f, evs, &l);
    /* The agent withdraws the case (the resident asked) while county staff
     * suspend it for a site survey: the village logs its step first. */
    tb_event_msg_t wd = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_WITHDRAWN, VIL, 0, AT + 6000);
    emit(f->vil, &wd);
    assert_int_equal(wd.origin_seq, 3);
    tb_event_msg_t su = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_SUSPENDED, CTY, 2, AT + 5500);
    su.basis = (char *)"survey";
    from_above(f->vil, &su); /* after our withdrawal: does not fold here */
    assert_int_equal(folded_of(f->vil, CTY, 2), 0);
    /* The county applied its own step first, then ours: both folded. */
    char *ids[] = {CTY "/2", VIL "/3"};
    confirm(f->vil, CASE, 8, "withdrawn", ids, 2);
    const tb_event_msg_t *order[] = {&evs[0], &evs[1], &evs[2], &evs[3],
                                     &evs[4], &evs[5], &su,     &wd};
    uint8_t want[TB_CASE_PACKED_MAX];
    size_t n = county_fold(order, 8, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    assert_int_equal(folded_of(f->vil, CTY, 2), 1);
    assert_int_equal(folded_of(f->vil, VIL, 3), 1);
    /* The same confirmation again changes nothing. */
    confirm(f->vil, CASE, 8, "withdrawn", ids, 2);
    assert_fold_is(f->vil, CASE, want, n);
}

static void test_rejected(void **state)
{
    fix_t *f = *state;
    Tongban__V1__LedgerRecord l;
    tb_event_msg_t lg, sb;
    log_and_submit(f, &l, &lg, &sb);
    tb_event_msg_t rc = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    from_above(f->vil, &rc);
    char *first[] = {VIL "/1", VIL "/2", TOWN "/1"};
    confirm(f->vil, CASE, 3, "prereview", first, 3);
    /* The agent writes a note (the county will refuse it), then withdraws
     * the case while the township accepts it. */
    tb_event_msg_t sp = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_NOTE, VIL, 0, AT + 3000);
    sp.reason = (char *)"群众来电";
    emit(f->vil, &sp);
    tb_event_msg_t wd = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_WITHDRAWN, VIL, 0, AT + 4000);
    emit(f->vil, &wd);
    tb_event_msg_t ac = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TOWN, 2, AT + 3500);
    from_above(f->vil, &ac);
    assert_int_equal(folded_of(f->vil, TOWN, 2), 0);
    /* The county's REJECTED of the note comes first (made while the
     * batch applied it), then the batch's confirmation. */
    uint8_t *body;
    size_t len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &sp;
    assert_rc(tb_pack_item(&item, &body, &len), 0);
    char digest[TB_DIGEST_HEX];
    tb_digest_hex(body, len, digest);
    free(body);
    tb_event_msg_t rj = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED, CTY, 1, AT + 5000);
    rj.rejected_origin = (char *)VIL;
    rj.rejected_seq = sp.origin_seq;
    rj.reason = (char *)"不予认可";
    rj.reject_code = TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT;
    rj.rejected_digest = digest;
    from_above(f->vil, &rj);
    assert_int_equal(folded_of(f->vil, VIL, sp.origin_seq), 0);
    char *then[] = {TOWN "/2", VIL "/4"};
    confirm(f->vil, CASE, 5, "withdrawn", then, 2);
    const tb_event_msg_t *order[] = {&lg, &sb, &rc, &ac, &wd};
    uint8_t want[TB_CASE_PACKED_MAX];
    size_t n = county_fold(order, 5, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    assert_int_equal(folded_of(f->vil, VIL, sp.origin_seq), 0);
    assert_int_equal(folded_of(f->vil, TOWN, 2), 1);
    assert_int_equal(folded_of(f->vil, VIL, wd.origin_seq), 1);
}

/* The shipped catalog without the lines of the codes given. */
static char *catalog_without(const char *a, const char *b, size_t *ret_len)
{
    FILE *in = fopen(TB_SOURCE_DATA_DIR "/catalog.csv", "r");
    assert_non_null(in);
    char *out = calloc(1, 1 << 16), line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, in))
        if (strncmp(line, a, strlen(a)) != 0 && (!b || strncmp(line, b, strlen(b)) != 0))
            n += (size_t)snprintf(out + n, (1 << 16) - n, "%s", line);
    fclose(in);
    *ret_len = n;
    return out;
}

/* A NOTE of ours on case_id (checked under the catalog in force); its seq. */
static uint64_t note(tb_store_t *s, const char *case_id, int64_t at)
{
    tb_event_msg_t nt = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_NOTE, VIL, 0, at);
    nt.reason = (char *)"群众来电";
    emit(s, &nt);
    return nt.origin_seq;
}

/* The county refuses our event seq on case_id: the case is folded again. */
static void refused(tb_store_t *s, const char *case_id, uint64_t seq, uint64_t county_seq)
{
    tb_event_msg_t rj =
        step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED, CTY, county_seq, AT + 9000);
    rj.rejected_origin = (char *)VIL;
    rj.rejected_seq = seq;
    rj.reason = (char *)"不予认可";
    from_above(s, &rj);
}

static void test_catalog(void **state)
{
    fix_t *f = *state;
    /* Version 0 (the shipped file) in force: case 1, item YB003, and a note. */
    uint32_t version = 0;
    assert_rc(tb_store_set_catalog_version(f->vil, &version, TB_SOURCE_DATA_DIR "/catalog.csv"), 0);
    Tongban__V1__LedgerRecord l1 = ledger("YB003"), l2 = ledger("YL001");
    tb_event_msg_t a = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED, VIL, 0, AT);
    a.ledger = &l1;
    emit(f->vil, &a);
    uint64_t na = note(f->vil, CASE, AT + 500);
    /* Version 1 (without YB003) arrives: case 2, item YL001, and a note. */
    size_t len1, len2;
    char *v1 = catalog_without("YB003,", NULL, &len1);
    char *v2 = catalog_without("YB003,", "YL001,", &len2);
    tb_catalog_t *c1 = tb_catalog_new(), *c2 = tb_catalog_new();
    int line;
    assert_rc(tb_catalog_load_buf(c1, v1, len1, &line), 0);
    assert_rc(tb_catalog_load_buf(c2, v2, len2, &line), 0);
    assert_rc(tb_store_begin(f->vil), 0);
    assert_rc(tb_store_data_put(f->vil, "catalog", 1, (const uint8_t *)v1, len1), 0);
    assert_rc(tb_store_commit(f->vil), 0);
    tb_store_set_rules(f->vil, c1, f->t.calendar);
    version = 1;
    tb_event_msg_t b = step(CASE2, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED, VIL, 0, AT + 1000);
    b.ledger = &l2;
    emit(f->vil, &b);
    uint64_t nb = note(f->vil, CASE2, AT + 1500);
    /* Version 2 (without YL001 either) in force: the county refuses both
     * notes, and both cases are folded again. */
    assert_rc(tb_store_begin(f->vil), 0);
    assert_rc(tb_store_data_put(f->vil, "catalog", 2, (const uint8_t *)v2, len2), 0);
    assert_rc(tb_store_commit(f->vil), 0);
    tb_store_set_rules(f->vil, c2, f->t.calendar);
    version = 2;
    refused(f->vil, CASE, na, 1);
    refused(f->vil, CASE2, nb, 2);
    uint8_t want[TB_CASE_PACKED_MAX];
    const tb_event_msg_t *ca[] = {&a}, *cb[] = {&b};
    size_t n = county_fold(ca, 1, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    n = county_fold(cb, 1, c1, want);
    assert_fold_is(f->vil, CASE2, want, n);
    assert_int_equal(sql_int(f->vil, "SELECT catalog_version FROM events WHERE origin_seq = 1"
                                     " AND origin_node = '" VIL "'"),
                     0);
    assert_int_equal(sql_int(f->vil, "SELECT catalog_version FROM events WHERE origin_seq = 3"
                                     " AND origin_node = '" VIL "'"),
                     1);
    assert_int_equal(sql_int(f->vil, "SELECT count(*) FROM events WHERE type = 18"
                                     " AND catalog_version = 2"),
                     2);
    tb_store_set_rules(f->vil, f->t.catalog, f->t.calendar);
    tb_store_set_catalog_version(f->vil, NULL, NULL);
    tb_catalog_destroy(&c1);
    tb_catalog_destroy(&c2);
    free(v1);
    free(v2);
}

static void test_gap(void **state)
{
    fix_t *f = *state;
    Tongban__V1__LedgerRecord l;
    tb_event_msg_t lg, sb;
    log_and_submit(f, &l, &lg, &sb);
    tb_event_msg_t wd = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_WITHDRAWN, VIL, 0, AT + 3000);
    emit(f->vil, &wd);
    /* The county folded the township's RECEIVED (not here yet) before our
     * withdrawal: position 3 is a gap here, so 4 orders nothing yet. */
    char *ids[] = {VIL "/1", VIL "/2", TOWN "/1", VIL "/3"};
    confirm(f->vil, CASE, 4, "withdrawn", ids, 4);
    assert_int_equal(sql_int(f->vil, "SELECT version FROM cases"), 3);
    tb_event_msg_t rc = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    from_above(f->vil, &rc); /* it comes: placed before our withdrawal */
    const tb_event_msg_t *order[] = {&lg, &sb, &rc, &wd};
    uint8_t want[TB_CASE_PACKED_MAX];
    size_t n = county_fold(order, 4, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    assert_int_equal(folded_of(f->vil, TOWN, 1), 1);
}

/* The county's order moves one of our events to a later position (here
 * after a township's step it folded first): the position it held is given
 * to another event, so what the case's order becomes depends on the rows
 * the status update does not name (tb_store_county_status reads them again).
 * The fold is the county's, in its new order. */
static void test_position_moved(void **state)
{
    fix_t *f = *state;
    Tongban__V1__LedgerRecord l;
    tb_event_msg_t lg, sb;
    log_and_submit(f, &l, &lg, &sb);
    tb_event_msg_t wd = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_WITHDRAWN, VIL, 0, AT + 3000);
    emit(f->vil, &wd);
    char *first[] = {VIL "/1", VIL "/2", VIL "/3"};
    confirm(f->vil, CASE, 3, "withdrawn", first, 3);
    tb_event_msg_t rc = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    from_above(f->vil, &rc); /* after our withdrawal: does not fold here */
    assert_int_equal(folded_of(f->vil, TOWN, 1), 0);
    char *moved[] = {VIL "/1", VIL "/2", TOWN "/1", VIL "/3"};
    confirm(f->vil, CASE, 4, "withdrawn", moved, 4);
    const tb_event_msg_t *order[] = {&lg, &sb, &rc, &wd};
    uint8_t want[TB_CASE_PACKED_MAX];
    size_t n = county_fold(order, 4, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    assert_int_equal(folded_of(f->vil, TOWN, 1), 1);
    assert_int_equal(folded_of(f->vil, VIL, 3), 1);
    /* Positions the store holds already write nothing and change nothing. */
    sqlite3 *db = tb_store_db(f->vil);
    int before = sqlite3_total_changes(db);
    confirm(f->vil, CASE, 4, "withdrawn", moved, 4);
    assert_int_equal(sqlite3_total_changes(db) - before, 1); /* the county's state alone */
    assert_fold_is(f->vil, CASE, want, n);
}

/* The one text SQL gives (on the store's own connection), into buf. */
static const char *pos_text(tb_store_t *s, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(tb_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static int count_inserts(unsigned type, void *ctx, void *p, void *x)
{
    (void)p;
    if (type == SQLITE_TRACE_STMT && x &&
        strncmp(x, "INSERT OR REPLACE INTO case_order", 33) == 0)
        ++*(int *)ctx;
    return 0;
}

/* A status update's positions go in up to four a statement (edge18; one a
 * statement before): six positions in two, each row as named. */
static void test_positions_rows(void **state)
{
    fix_t *f = *state;
    int inserts = 0;
    sqlite3_trace_v2(tb_store_db(f->vil), SQLITE_TRACE_STMT, count_inserts, &inserts);
    tb_event_msg_t evs[6];
    Tongban__V1__LedgerRecord l;
    to_county(f, evs, &l);
    sqlite3_trace_v2(tb_store_db(f->vil), 0, NULL, NULL);
    assert_int_equal(inserts, 2);
    char buf[256];
    assert_string_equal(pos_text(f->vil,
                                    "SELECT group_concat(pos || ':' || origin_node || '/' ||"
                                    " origin_seq, ' ') FROM (SELECT * FROM case_order"
                                    " ORDER BY pos)",
                                    buf, sizeof buf),
                        "1:" VIL "/1 2:" VIL "/2 3:" TOWN "/1 4:" TOWN "/2 5:" TOWN "/3 6:" CTY
                        "/1");
    /* A later update replaces the positions it names, and only those. */
    char *ids[] = {TOWN "/3", CTY "/1", CTY "/2"};
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = (char *)CASE;
    st.state = (char *)"county";
    st.holder = (char *)CTY;
    st.version = 7;
    st.at_ms = AT + 200000;
    st.folded = ids;
    st.n_folded = 3;
    assert_rc(tb_store_begin(f->vil), 0);
    assert_rc(tb_store_county_status(f->vil, &st), 0);
    assert_rc(tb_store_commit(f->vil), 0);
    assert_string_equal(pos_text(f->vil,
                                    "SELECT group_concat(pos || ':' || origin_node || '/' ||"
                                    " origin_seq, ' ') FROM (SELECT * FROM case_order"
                                    " ORDER BY pos)",
                                    buf, sizeof buf),
                        "1:" VIL "/1 2:" VIL "/2 3:" TOWN "/1 4:" TOWN "/2 5:" TOWN "/3 6:" CTY
                        "/1 7:" CTY "/2");
}

static int count_order_reads(unsigned type, void *ctx, void *p, void *x)
{
    (void)p;
    if (type == SQLITE_TRACE_STMT && x && strncmp(x, "SELECT e.rowid", 14) == 0)
        ++*(int *)ctx;
    return 0;
}

/* confirm, counting the reads of the case's events in fold order (order_load). */
static int confirm_reads(tb_store_t *s, uint32_t version, char **ids, size_t n)
{
    int reads = 0;
    sqlite3_trace_v2(tb_store_db(s), SQLITE_TRACE_STMT, count_order_reads, &reads);
    confirm(s, CASE, version, "county", ids, n);
    sqlite3_trace_v2(tb_store_db(s), 0, NULL, NULL);
    return reads;
}

/* What the case's row knows of its order: "m|tail", "NULL" when it does not. */
static const char *row_order(tb_store_t *s, char *buf, size_t len)
{
    return pos_text(s,
                    "SELECT coalesce(order_m || '|' || order_tail, 'NULL') FROM cases"
                    " WHERE case_id = '" CASE "'",
                    buf, len);
}

static const char *positions(tb_store_t *s, char *buf, size_t len)
{
    return pos_text(s,
                    "SELECT coalesce(group_concat(pos || ':' || origin_node || '/' || origin_seq,"
                    " ' '), '') FROM (SELECT * FROM case_order ORDER BY pos)",
                    buf, len);
}

/* The common case (st21): the county places the events recorded here next,
 * in the order recorded: the positions are written and the row knows them,
 * and the case's events are not read; anything else reads them, as before,
 * and the row learns its order again from that read. */
static void test_order_known(void **state)
{
    fix_t *f = *state;
    char buf[256];
    tb_event_msg_t lg, sb;
    Tongban__V1__LedgerRecord l;
    log_and_submit(f, &l, &lg, &sb);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "0|" VIL "/1 " VIL "/2");
    char *first[] = {VIL "/1", VIL "/2"};
    assert_int_equal(confirm_reads(f->vil, 2, first, 2), 0);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "2|");
    assert_string_equal(positions(f->vil, buf, sizeof buf), "1:" VIL "/1 2:" VIL "/2");
    assert_string_equal(pos_text(f->vil, "SELECT county_state || ' ' || county_version FROM cases",
                                 buf, sizeof buf),
                        "county 2");
    /* The township's RECEIVED comes down, then the county's update placing it. */
    tb_event_msg_t rc = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    from_above(f->vil, &rc);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "2|" TOWN "/1");
    char *third[] = {TOWN "/1"};
    assert_int_equal(confirm_reads(f->vil, 3, third, 1), 0);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "3|");
    const tb_event_msg_t *order[] = {&lg, &sb, &rc};
    uint8_t want[TB_CASE_PACKED_MAX];
    size_t n = county_fold(order, 3, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);

    /* The same update again: read, nothing written but the county's state. */
    assert_int_equal(confirm_reads(f->vil, 3, third, 1), 1);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "3|");
    assert_string_equal(positions(f->vil, buf, sizeof buf), "1:" VIL "/1 2:" VIL "/2 3:" TOWN "/1");

    /* Two steps from above, placed by the county the other way round: read,
     * and the case is folded again in the county's order. */
    tb_event_msg_t ac = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TOWN, 2, AT + 3000);
    tb_event_msg_t fw = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED, TOWN, 3, AT + 4000);
    fw.target = (char *)CTY;
    from_above(f->vil, &ac);
    from_above(f->vil, &fw);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "3|" TOWN "/2 " TOWN "/3");
    char *crossed[] = {TOWN "/3", TOWN "/2"};
    assert_int_equal(confirm_reads(f->vil, 5, crossed, 2), 2); /* the check's, the refold's */
    assert_int_equal(folded_of(f->vil, TOWN, 3), 0); /* FORWARDED before ACCEPTED: illegal */
    const tb_event_msg_t *order2[] = {&lg, &sb, &rc, &ac};
    n = county_fold(order2, 4, f->t.catalog, want);
    assert_fold_is(f->vil, CASE, want, n);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "5|");

    /* A position for an event not here yet: the row cannot know the order
     * until a read shows it whole again. */
    tb_event_msg_t cr = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, CTY, 1, AT + 5000);
    char *gap[] = {CTY "/1"};
    assert_int_equal(confirm_reads(f->vil, 6, gap, 1), 1);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "NULL");
    from_above(f->vil, &cr); /* placed already: folded again, the row still does not know */
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "NULL");
    assert_int_equal(confirm_reads(f->vil, 6, gap, 1), 1);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "6|");
}

/* A store of schema 12 (before st21): its cases rows know nothing of their
 * order; the first status update reads the events, the next one need not. */
static void test_migrate_order_state(void **state)
{
    fix_t *f = *state;
    char buf[256];
    tb_event_msg_t lg, sb;
    Tongban__V1__LedgerRecord l;
    log_and_submit(f, &l, &lg, &sb);
    assert_int_equal(sqlite3_exec(tb_store_db(f->vil),
                                  "ALTER TABLE cases DROP COLUMN order_m;"
                                  "ALTER TABLE cases DROP COLUMN order_tail;"
                                  "PRAGMA user_version=12",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    tb_store_destroy(&f->vil);
    assert_rc(tb_tdir_open(&f->t, VIL, &f->vil), 0);
    assert_int_equal(sql_int(f->vil, "PRAGMA user_version"), 14);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "NULL");
    char *first[] = {VIL "/1"};
    assert_int_equal(confirm_reads(f->vil, 1, first, 1), 1);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "1|" VIL "/2");
    char *second[] = {VIL "/2"};
    assert_int_equal(confirm_reads(f->vil, 2, second, 1), 0);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "2|");
    assert_string_equal(positions(f->vil, buf, sizeof buf), "1:" VIL "/1 2:" VIL "/2");
    /* Run again (idempotent): the columns are there, nothing changes. */
    assert_int_equal(sqlite3_exec(tb_store_db(f->vil), "PRAGMA user_version=12", NULL, NULL, NULL),
                     SQLITE_OK);
    tb_store_destroy(&f->vil);
    assert_rc(tb_tdir_open(&f->t, VIL, &f->vil), 0);
    assert_int_equal(sql_int(f->vil, "PRAGMA user_version"), 14);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "2|");
}

/* A store of schema 13 (before twp22): case_order has its index by event id,
 * which migration 14 drops.  Whether the county placed an event is read
 * within the event's case (test_gap: placed before it came): a position
 * naming its id under another case does not place it, so the row keeps
 * knowing its order (before, any case's row placed it: the row forgot). */
static void test_migrate_order_index(void **state)
{
    fix_t *f = *state;
    char buf[256];
    const char *idx = "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                      " AND tbl_name = 'case_order'";
    assert_int_equal(sql_int(f->vil, idx), 0);
    Tongban__V1__LedgerRecord l;
    tb_event_msg_t lg, sb;
    log_and_submit(f, &l, &lg, &sb);
    assert_string_equal(row_order(f->vil, buf, sizeof buf), "0|" VIL "/1 " VIL "/2");
    assert_int_equal(sqlite3_exec(tb_store_db(f->vil),
                                  "CREATE INDEX case_order_id ON case_order(origin_node, origin_seq);"
                                  "INSERT INTO case_order VALUES('" CASE2 "', 1, '" TOWN "', 1);"
                                  "PRAGMA user_version=13",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    tb_store_destroy(&f->vil);
    assert_rc(tb_tdir_open(&f->t, VIL, &f->vil), 0);
    assert_int_equal(sql_int(f->vil, "PRAGMA user_version"), 14);
    assert_int_equal(sql_int(f->vil, idx), 0);
    assert_int_equal(sql_int(f->vil, "SELECT count(*) FROM case_order"), 1);
    tb_event_msg_t rc = step(CASE, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, 1, AT + 2000);
    from_above(f->vil, &rc);
    assert_int_equal(folded_of(f->vil, TOWN, 1), 1);
    assert_string_equal(row_order(f->vil, buf, sizeof buf),
                        "0|" VIL "/1 " VIL "/2 " TOWN "/1");
    /* Run again (idempotent): nothing to drop, nothing changes. */
    assert_int_equal(sqlite3_exec(tb_store_db(f->vil), "PRAGMA user_version=13", NULL, NULL, NULL),
                     SQLITE_OK);
    tb_store_destroy(&f->vil);
    assert_rc(tb_tdir_open(&f->t, VIL, &f->vil), 0);
    assert_int_equal(sql_int(f->vil, "PRAGMA user_version"), 14);
    assert_string_equal(row_order(f->vil, buf, sizeof buf),
                        "0|" VIL "/1 " VIL "/2 " TOWN "/1");
}

/* One line of what store s holds of case_id: its fold (hex), each event's
 * id and folded flag in recording order, and its positions. */
static void case_state(tb_store_t *s, const char *case_id, char *buf, size_t len)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT hex(fold) FROM cases WHERE case_id = '%s') || ' | ' ||"
             " (SELECT group_concat(id, ' ') FROM (SELECT origin_node || '/' || origin_seq || ':'"
             "  || folded AS id FROM events WHERE case_id = '%s' ORDER BY rowid)) || ' | ' ||"
             " coalesce((SELECT group_concat(p, ' ') FROM (SELECT pos || '=' || origin_node ||"
             "  '/' || origin_seq AS p FROM case_order WHERE case_id = '%s' ORDER BY pos)), '')",
             case_id, case_id, case_id);
    pos_text(s, sql, buf, len);
}

static void case_order_known(tb_store_t *s, const char *case_id, char *buf, size_t len)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(order_m || '|' || order_tail, 'NULL') FROM cases"
             " WHERE case_id = '%s'",
             case_id);
    pos_text(s, sql, buf, len);
}

/* The common case's shortcut against the read it saves: two stores take the
 * same steps of a case (the village's own, steps from above in random
 * order, the county's updates placing every event in its natural or a
 * random order, in chunks), one of them made to forget its row's order
 * before each update (so every update there reads the events, as before
 * st21).  After every step both hold the same fold, the same folded flags
 * and the same positions, and after every update the same row order. */
static void test_order_differential(void **state)
{
    fix_t *f = *state;
    tb_tdir_t t2;
    tb_store_t *b = NULL;
    assert_int_equal(tb_tdir_init(&t2, "order2"), 0);
    assert_rc(tb_tdir_open(&t2, VIL, &b), 0);
    tb_store_t *st[2] = {f->vil, b};
    for (int k = 0; k < 2; k++)
        assert_int_equal(
            sqlite3_exec(tb_store_db(st[k]), "PRAGMA synchronous=OFF", NULL, NULL, NULL),
            SQLITE_OK);
    unsigned seed = 13;
    int fast = 0, updates = 0;
    for (int it = 0; it < 80; it++) {
        char case_id[TB_CASEID_MAX];
        snprintf(case_id, sizeof case_id, VIL "-20251130-%04d", it + 1);
        Tongban__V1__LedgerRecord l = ledger("YB003");
        tb_event_msg_t ev[8];
        char ids[8][40];
        ev[0] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED, VIL, 0, AT);
        ev[0].ledger = &l;
        ev[1] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED, VIL, 0, AT + 1000);
        ev[1].target = (char *)TOWN;
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 2; i++) {
                tb_event_msg_t e = ev[i];
                emit(st[k], &e);
                ev[i].origin_seq = e.origin_seq;
            }
        uint64_t tb = (uint64_t)it * 10, cb = (uint64_t)it * 10;
        ev[2] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWN, tb + 1, AT + 2000);
        ev[3] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TOWN, tb + 2, AT + 3000);
        ev[4] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED, TOWN, tb + 3, AT + 4000);
        ev[4].target = (char *)CTY;
        ev[5] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, CTY, cb + 1, AT + 5000);
        ev[6] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_SUSPENDED, CTY, cb + 2, AT + 5500);
        ev[6].basis = (char *)"survey";
        ev[7] = step(case_id, TONGBAN__V1__EVENT_TYPE__EVENT_WITHDRAWN, VIL, 0, AT + 6000);
        /* The arrivals (2..7) in a random order; our withdrawal is emitted. */
        int arrive[6] = {2, 3, 4, 5, 6, 7};
        for (int i = 5; i > 0; i--) {
            int j = (int)(rand_r(&seed) % (unsigned)(i + 1)), x = arrive[i];
            arrive[i] = arrive[j];
            arrive[j] = x;
        }
        /* The county's order: natural or random; our withdrawal's id is
         * known only once emitted, so the order holds indexes. */
        int order[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        if (rand_r(&seed) % 2)
            for (int i = 7; i > 0; i--) {
                int j = (int)(rand_r(&seed) % (unsigned)(i + 1)), x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
        int na = 0, placed = 0;
        while (na < 6 || placed < 8) {
            bool do_arrival = na < 6 && (placed == 8 || rand_r(&seed) % 2);
            /* An update may not name our withdrawal before it is emitted. */
            if (!do_arrival && na < 6) {
                int n = 1 + (int)(rand_r(&seed) % 3);
                for (int i = 0; i < n && placed + i < 8; i++)
                    if (order[placed + i] == 7 && ev[7].origin_seq == 0)
                        do_arrival = true;
            }
            if (do_arrival) {
                int i = arrive[na++];
                for (int k = 0; k < 2; k++) {
                    if (i == 7) {
                        tb_event_msg_t e = ev[7];
                        emit(st[k], &e);
                        ev[7].origin_seq = e.origin_seq;
                    } else {
                        from_above(st[k], &ev[i]);
                    }
                }
            } else {
                int n = 1 + (int)(rand_r(&seed) % 3);
                if (n > 8 - placed)
                    n = 8 - placed;
                char *named[3];
                bool ok = true;
                for (int i = 0; i < n; i++) {
                    const tb_event_msg_t *e = &ev[order[placed + i]];
                    if (e->origin_seq == 0)
                        ok = false;
                    snprintf(ids[i], sizeof ids[i], "%s/%llu", e->origin_node,
                             (unsigned long long)e->origin_seq);
                    named[i] = ids[i];
                }
                if (!ok)
                    continue;
                assert_int_equal(sqlite3_exec(tb_store_db(b),
                                              "UPDATE cases SET order_m = NULL,"
                                              " order_tail = NULL",
                                              NULL, NULL, NULL),
                                 SQLITE_OK);
                placed += n;
                int reads = 0;
                sqlite3_trace_v2(tb_store_db(f->vil), SQLITE_TRACE_STMT, count_order_reads, &reads);
                for (int k = 0; k < 2; k++) {
                    if (k == 1)
                        sqlite3_trace_v2(tb_store_db(f->vil), 0, NULL, NULL);
                    confirm(st[k], case_id, (uint32_t)placed, "county", named, (size_t)n);
                }
                fast += reads == 0;
                updates++;
                char ka[1200], kb[1200];
                case_order_known(st[0], case_id, ka, sizeof ka);
                case_order_known(st[1], case_id, kb, sizeof kb);
                if (strcmp(ka, kb) != 0)
                    print_error("case %d, %d placed: row order %s, read %s\n", it, placed, ka, kb);
                assert_string_equal(ka, kb);
            }
            char sa[4096], sb[4096];
            case_state(st[0], case_id, sa, sizeof sa);
            case_state(st[1], case_id, sb, sizeof sb);
            if (strcmp(sa, sb) != 0)
                print_error("case %d: shortcut %s\nread %s\n", it, sa, sb);
            assert_string_equal(sa, sb);
        }
    }
    /* Both ways were taken, the shortcut often. */
    if (fast < updates / 10 || fast == updates)
        print_error("%d of %d updates read nothing\n", fast, updates);
    assert_true(fast >= updates / 10 && fast < updates);
    tb_store_destroy(&b);
    tb_tdir_fini(&t2);
}

/* StatusUpdate.folded as a receiver checks it (tb_item_decode). */
static int decode_status(uint32_t version, char **ids, size_t n)
{
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = (char *)CASE;
    st.state = (char *)"prereview";
    st.holder = (char *)TOWN;
    st.version = version;
    st.at_ms = AT;
    st.folded = ids;
    st.n_folded = n;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT, *got = NULL;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
    item.status = &st;
    uint8_t *buf;
    size_t len;
    assert_rc(tb_pack_item(&item, &buf, &len), 0);
    int rc = tb_item_decode(buf, len, &got);
    tb_item_free(&got);
    free(buf);
    return rc;
}

static void test_folded_ids(void **state)
{
    (void)state;
    char origin[TB_CODE_LEN + 1];
    uint64_t seq = 0;
    assert_rc(tb_event_id_parse(VIL "/17", origin, &seq), 0);
    assert_string_equal(origin, VIL);
    assert_int_equal(seq, 17);
    assert_rc(tb_event_id_parse(CTY "/18446744073709551615", origin, &seq), 0);
    assert_true(seq == UINT64_MAX);
    const char *bad[] = {"",
                         VIL,
                         VIL "/",
                         VIL "/0",
                         VIL "/017",
                         VIL "/1x",
                         VIL ":1",
                         "36082610000/1",
                         "abc/1",
                         VIL "/-1",
                         CTY "/18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (tb_event_id_parse(bad[i], origin, &seq) != -TB_EPROTO)
            print_error("taken: \"%s\"\n", bad[i]);
        assert_rc(tb_event_id_parse(bad[i], origin, &seq), -TB_EPROTO);
    }
    char *two[] = {VIL "/1", TOWN "/2"}, *worse[] = {VIL "/1", (char *)"360826100001-2"};
    assert_rc(decode_status(2, two, 2), 0);
    assert_rc(decode_status(1, two, 2), -TB_EPROTO); /* more ids than events folded */
    assert_rc(decode_status(2, worse, 2), -TB_EPROTO);
    assert_rc(decode_status(0, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crossing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_position_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_known, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_order_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_order_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_differential, setup, teardown),
        cmocka_unit_test(test_folded_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
