/* Unit tests for common/tb_act: the steps a village agent or township staff
 * member types on a case.  What it builds (the event recorded and queued to
 * each peer, read back from the outbox) and what it refuses (the code, and
 * nothing written), on real stores in a temp dir: a village that logged a
 * case, and its township that received it.  Rows are counted with plain SQL.
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
#include <unistd.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_act.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_store.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define CASE_ID VILLAGE "-20261122-0001"

static const char *const village_peers[] = {TOWNSHIP, COUNTY, NULL};
static const char *const township_peers[] = {VILLAGE, COUNTY, NULL};

/* ---- Fixture: a village store holding one logged case (YB003, a county
 * item), and the township's store in the same temp dir. ---- */

typedef struct {
    tb_tdir_t t; /* tb_test_store.h: the dir, the catalog and calendar */
    tb_store_t *village, *township;
} fix_t;

static int log_case(tb_store_t *s)
{
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = "李四";
    l.client_phone = "13800138000";
    l.agent = "王五";
    l.item_code = "YB003";
    l.accept_time_ms = 1795334400000;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = "王五";
    ev.at_ms = 1795334400000;
    ev.ledger = &l;
    int rc = tb_store_begin(s);
    if (rc == 0 && (rc = tb_store_emit(s, &ev, village_peers)) == 0)
        return tb_store_commit(s);
    tb_store_rollback(s);
    return rc;
}

static int teardown(void **state);

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (tb_tdir_init(&f->t, "act") < 0) {
        free(f);
        return -1;
    }
    if (tb_tdir_open(&f->t, VILLAGE, &f->village) != 0 ||
        tb_tdir_open(&f->t, TOWNSHIP, &f->township) != 0 || log_case(f->village) != 0) {
        teardown((void **)&f);
        return -1;
    }
    tb_lang_set_en(true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->village);
    tb_store_destroy(&f->township);
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

static tb_state_t state_of(tb_store_t *s)
{
    tb_case_t c;
    assert_rc(tb_store_case_get(s, CASE_ID, &c, NULL), 0);
    return c.state;
}

/* The message queued to peer with seq, decoded (the caller frees it). */
static tb_item_msg_t *queued(tb_store_t *s, const char *peer, uint64_t seq)
{
    uint8_t *body;
    size_t len;
    assert_rc(tb_store_outbox_get(s, peer, seq, &body, &len), 0);
    tb_item_msg_t *item = NULL;
    assert_rc(tb_item_decode(body, len, &item), 0);
    free(body);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_EVENT);
    return item;
}

/* A refused step writes nothing: events and outbox of the store as before. */
typedef struct {
    int64_t events, outbox;
    uint32_t version;
} snap_t;

static snap_t snap(tb_store_t *s)
{
    tb_case_t c;
    assert_rc(tb_store_case_get(s, CASE_ID, &c, NULL), 0);
    return (snap_t){sql_int(s, "SELECT count(*) FROM events"),
                    sql_int(s, "SELECT count(*) FROM outbox"), c.version};
}

static void expect_unchanged(tb_store_t *s, snap_t before)
{
    snap_t now = snap(s);
    assert_int_equal(now.events, before.events);
    assert_int_equal(now.outbox, before.outbox);
    assert_int_equal(now.version, before.version);
}

/* ---- tb_act_split ---- */

static void test_split(void **state)
{
    (void)state;
    static const struct {
        const char *list;
        int n;
        const char *names[3];
    } t[] = {
        {"", 0, {0}},
        {",", 0, {0}},
        {" , \t,", 0, {0}},
        {"居民身份证", 1, {"居民身份证"}},
        {"a,b", 2, {"a", "b"}},
        {" a ,\tb\t", 2, {"a", "b"}},
        {"a,,b,", 2, {"a", "b"}},
        {"居民身份证、户口簿", 2, {"居民身份证", "户口簿"}},
        {"居民身份证，户口簿、费用清单", 3, {"居民身份证", "户口簿", "费用清单"}},
        {"a b", 1, {"a b"}}, /* inner spaces stay: only the ends are trimmed */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[128], *names[TB_ITEM_MATERIALS_MAX];
        int n = tb_act_split(t[i].list, buf, sizeof buf, names);
        if (n != t[i].n)
            print_error("list %zu: \"%s\"\n", i, t[i].list);
        assert_int_equal(n, t[i].n);
        for (int k = 0; k < n; k++)
            assert_string_equal(names[k], t[i].names[k]);
    }
    char buf[8], *names[TB_ITEM_MATERIALS_MAX];
    assert_int_equal(tb_act_split(NULL, buf, sizeof buf, names), 0);
}

static void test_split_limits(void **state)
{
    (void)state;
    char list[256] = "", buf[256], *names[TB_ITEM_MATERIALS_MAX];
    /* Just inside: TB_ITEM_MATERIALS_MAX names. */
    for (int i = 0; i < TB_ITEM_MATERIALS_MAX; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%sm%d", i ? "," : "", i);
    assert_int_equal(tb_act_split(list, buf, sizeof buf, names), TB_ITEM_MATERIALS_MAX);
    assert_string_equal(names[TB_ITEM_MATERIALS_MAX - 1], "m15");
    /* Just past: one more. */
    strcat(list, ",m16");
    assert_rc(tb_act_split(list, buf, sizeof buf, names), -TB_ETOOLONG);
    /* Empty pieces do not count toward the limit. */
    snprintf(list, sizeof list, "a,,,,,,,,,,,,,,,,,,,,,b");
    assert_int_equal(tb_act_split(list, buf, sizeof buf, names), 2);

    /* The copy: a list of size-1 bytes fits, one of size bytes does not. */
    char small[8];
    assert_int_equal(tb_act_split("abc,def", small, sizeof small, names), 2);
    assert_string_equal(names[1], "def");
    assert_rc(tb_act_split("abc,defg", small, sizeof small, names), -TB_ETOOLONG);
}

/* ---- tb_act_parse_due ---- */

static void test_parse_due(void **state)
{
    (void)state;
    int64_t ms = 0;
    /* The end of 2026-10-08 in China Standard Time: 2026-10-08 15:59:59.999 UTC. */
    assert_rc(tb_act_parse_due("2026-10-08", &ms), 0);
    assert_int_equal(ms, 1791475199999);
    assert_rc(tb_act_parse_due("2026-12-31", &ms), 0);
    assert_int_equal(ms, 1798732799999);
    static const char *const bad[] = {"",           "2026-13-01", "2026-02-29", "2026-10-8",
                                      "2026/10/08", "tomorrow",   "2026-10-08x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = 42;
        if (tb_act_parse_due(bad[i], &ms) != -TB_EBADVALUE)
            print_error("\"%s\" was taken\n", bad[i]);
        assert_rc(tb_act_parse_due(bad[i], &ms), -TB_EBADVALUE);
        assert_int_equal(ms, 42); /* untouched on failure */
    }
}

/* ---- tb_act at the village ---- */

/* A note: recorded, folded (the version moves) and queued to every peer,
 * with what was typed. */
static void test_act_builds(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->village;
    snap_t before = snap(s);
    tb_act_t a = {.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "王五", .reason = "已电话联系"};
    assert_rc(tb_act(s, &a, village_peers), 0);
    snap_t after = snap(s);
    assert_int_equal(after.events, before.events + 1);
    assert_int_equal(after.outbox, before.outbox + 2);
    assert_int_equal(after.version, before.version + 1);
    for (size_t p = 0; p < 2; p++) {
        tb_item_msg_t *item = queued(s, village_peers[p], 2);
        const tb_event_msg_t *ev = item->event;
        assert_int_equal(ev->type, TB_EV_NOTE);
        assert_string_equal(ev->case_id, CASE_ID);
        assert_string_equal(ev->origin_node, VILLAGE);
        assert_int_equal(ev->origin_seq, 2);
        assert_string_equal(ev->actor, "王五");
        assert_string_equal(ev->reason, "已电话联系");
        assert_string_equal(ev->target, "");
        assert_int_equal(ev->n_materials, 0);
        tb_item_free(&item);
    }

    /* No peers: recorded, queued nowhere. */
    static const char *const none[] = {NULL};
    assert_rc(tb_act(s, &a, none), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM events"), before.events + 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM outbox"), before.outbox + 2);

    /* Submitted to the township: a handover, the target carried. */
    tb_act_t sub = {
        .type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "王五", .target = TOWNSHIP};
    assert_rc(tb_act(s, &sub, village_peers), 0);
    assert_int_equal(state_of(s), TB_ST_SUBMITTED);
    tb_item_msg_t *item = queued(s, TOWNSHIP, 3);
    assert_int_equal(item->event->type, TB_EV_SUBMITTED);
    assert_string_equal(item->event->target, TOWNSHIP);
    tb_item_free(&item);
}

/* Every refusal at the village: its code, and nothing written. */
static void test_act_refuses(void **state)
{
    fix_t *f = *state;
    tb_store_t *s = f->village;
    char actor64[65], actor65[66], reason2000[2001], reason2001[2002], mats[2100];
    memset(actor64, 'a', 64);
    actor64[64] = '\0';
    memset(actor65, 'a', 65);
    actor65[65] = '\0';
    memset(reason2000, 'r', 2000);
    reason2000[2000] = '\0';
    memset(reason2001, 'r', 2001);
    reason2001[2001] = '\0';
    /* A materials list of 2048 bytes: one more than the copy holds. */
    memset(mats, 'm', 2048);
    mats[2048] = '\0';
    const struct {
        tb_act_t a;
        int want;
    } t[] = {
        {{.type = TB_EV_NOTE, .case_id = VILLAGE "-20261122-0002", .actor = "王五", .reason = "x"},
         -TB_ENOCASE},
        {{.type = TB_EV_NOTE, .case_id = "not-a-case", .actor = "王五", .reason = "x"},
         -TB_ENOCASE},
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "王五"}, -TB_ENOREASON},
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "王五", .reason = " \t"}, -TB_ENOREASON},
        {{.type = TB_EV_DELIVERED, .case_id = CASE_ID, .actor = "王五"}, -TB_EILLEGAL},
        {{.type = TB_EV_RATED, .case_id = CASE_ID, .actor = "王五", .rating = 5}, -TB_EILLEGAL},
        {{.type = TB_EV_ACCEPTED, .case_id = CASE_ID, .actor = "王五"}, -TB_EAUTHORITY},
        {{.type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "王五", .target = "360826101000"},
         -TB_EAUTHORITY}, /* not its own township */
        /* What the wire check refuses is reported as a bad value, not a protocol error. */
        {{.type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "王五", .target = "abc"},
         -TB_EBADVALUE},
        {{.type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "王五"}, -TB_EBADVALUE},
        {{.type = TB_EV_NOTE,
          .case_id = CASE_ID,
          .actor = "王五",
          .reason = "x",
          .target = TOWNSHIP},
         -TB_EBADVALUE},
        {{.type = TB_EV_RATED, .case_id = CASE_ID, .actor = "王五", .rating = 6}, -TB_EBADVALUE},
        {{.type = TB_EV_DECIDED, .case_id = CASE_ID, .actor = "王五", .decision = 3},
         -TB_EBADVALUE},
        {{.type = TB_EV_SUPPLEMENTED, .case_id = CASE_ID, .actor = "王五", .materials = ","},
         -TB_EILLEGAL},
        /* What was typed: lengths just past the limits, bad bytes. */
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = actor65, .reason = "x"}, -TB_ETOOLONG},
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "王五", .reason = reason2001},
         -TB_ETOOLONG},
        {{.type = TB_EV_WITHDRAWN, .case_id = CASE_ID, .actor = "王五", .basis = reason2001},
         -TB_ETOOLONG},
        {{.type = TB_EV_RATED, .case_id = CASE_ID, .actor = "王五", .comment = reason2001},
         -TB_ETOOLONG},
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "\xff", .reason = "x"}, -TB_EDECODE},
        {{.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = "王五", .reason = "a\x01"}, -TB_EDECODE},
        {{.type = TB_EV_NOTE,
          .case_id = CASE_ID,
          .actor = "王五",
          .reason = "x",
          .materials = mats},
         -TB_ETOOLONG},
        {{.type = TB_EV_NOTE,
          .case_id = CASE_ID,
          .actor = "王五",
          .reason = "x",
          .materials = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"},
         -TB_ETOOLONG},
    };
    snap_t before = snap(s);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = tb_act(s, &t[i].a, village_peers);
        if (rc != t[i].want)
            print_error("step %zu\n", i);
        assert_rc(rc, t[i].want);
        expect_unchanged(s, before);
        assert_int_equal(state_of(s), TB_ST_LOGGED);
    }

    /* Just inside the limits: taken. */
    tb_act_t ok = {.type = TB_EV_NOTE, .case_id = CASE_ID, .actor = actor64, .reason = reason2000};
    assert_rc(tb_act(s, &ok, village_peers), 0);
    tb_item_msg_t *item = queued(s, TOWNSHIP, 2);
    assert_string_equal(item->event->actor, actor64);
    assert_int_equal(strlen(item->event->reason), 2000);
    tb_item_free(&item);
    /* A materials list of 2047 bytes fits the copy (then the fold judges it). */
    mats[2047] = '\0';
    tb_act_t sup = {
        .type = TB_EV_SUPPLEMENTED, .case_id = CASE_ID, .actor = "王五", .materials = mats};
    assert_rc(tb_act(s, &sup, village_peers), -TB_EBADVALUE); /* a name over 64 bytes */
}

/* ---- tb_act at the township: the staff's steps ---- */

/* Bring the village's queued messages to the township store, as the link would. */
static void deliver(fix_t *f)
{
    uint64_t last, acked;
    assert_rc(tb_store_out_get(f->village, TOWNSHIP, &last, &acked), 0);
    for (uint64_t seq = 1; seq <= last; seq++) {
        uint8_t *body;
        size_t len;
        assert_rc(tb_store_outbox_get(f->village, TOWNSHIP, seq, &body, &len), 0);
        tb_item_msg_t *item = NULL;
        assert_rc(tb_item_decode(body, len, &item), 0);
        assert_rc(tb_store_begin(f->township), 0);
        int fold = 0;
        assert_rc(tb_store_apply(f->township, item->event, body, len, false, &fold), 0);
        assert_rc(tb_store_commit(f->township), 0);
        tb_item_free(&item);
        free(body);
    }
}

static void test_act_staff(void **state)
{
    fix_t *f = *state;
    tb_act_t sub = {
        .type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "王五", .target = TOWNSHIP};
    assert_rc(tb_act(f->village, &sub, village_peers), 0);
    deliver(f);
    tb_store_t *s = f->township;
    assert_int_equal(state_of(s), TB_ST_SUBMITTED);

    /* Accepting before receiving: the case is not the township's yet. */
    tb_act_t a = {.type = TB_EV_ACCEPTED, .case_id = CASE_ID, .actor = "赵六"};
    assert_rc(tb_act(s, &a, township_peers), -TB_ENOTHOLDER);
    a.type = TB_EV_RECEIVED;
    assert_rc(tb_act(s, &a, township_peers), 0);
    assert_int_equal(state_of(s), TB_ST_PREREVIEW);

    const struct {
        tb_act_t a;
        int want;
    } t[] = {
        /* A notice names materials of the item, once. */
        {{.type = TB_EV_NOTICE, .case_id = CASE_ID, .actor = "赵六"}, -TB_ENOMATERIAL},
        {{.type = TB_EV_NOTICE, .case_id = CASE_ID, .actor = "赵六", .materials = "结婚证"},
         -TB_EMATERIAL},
        /* A pledge (容缺) only for non-core materials, due after now. */
        {{.type = TB_EV_PLEDGED,
          .case_id = CASE_ID,
          .actor = "赵六",
          .materials = "出院小结",
          .due_ms = tb_now_ms() + 30 * 86400000LL},
         -TB_ECORE},
        {{.type = TB_EV_PLEDGED,
          .case_id = CASE_ID,
          .actor = "赵六",
          .materials = "银行卡复印件",
          .due_ms = 1},
         -TB_EBADVALUE},
        {{.type = TB_EV_REFUSED, .case_id = CASE_ID, .actor = "赵六"}, -TB_ENOREASON},
        {{.type = TB_EV_SUSPENDED, .case_id = CASE_ID, .actor = "赵六", .basis = "hearing"},
         -TB_EILLEGAL},
        {{.type = TB_EV_DECIDED, .case_id = CASE_ID, .actor = "赵六", .decision = 1},
         -TB_EAUTHORITY},
        {{.type = TB_EV_FORWARDED, .case_id = CASE_ID, .actor = "赵六", .target = COUNTY},
         -TB_EILLEGAL},
        {{.type = TB_EV_SUBMITTED, .case_id = CASE_ID, .actor = "赵六", .target = TOWNSHIP},
         -TB_EAUTHORITY},
    };
    snap_t before = snap(s);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = tb_act(s, &t[i].a, township_peers);
        if (rc != t[i].want)
            print_error("step %zu\n", i);
        assert_rc(rc, t[i].want);
        expect_unchanged(s, before);
        assert_int_equal(state_of(s), TB_ST_PREREVIEW);
    }

    /* The notice, with the Chinese separator: both materials listed as missing. */
    tb_act_t n = {.type = TB_EV_NOTICE,
                  .case_id = CASE_ID,
                  .actor = "赵六",
                  .materials = "出院小结、 银行卡复印件"};
    assert_rc(tb_act(s, &n, township_peers), 0);
    assert_int_equal(state_of(s), TB_ST_SUPPLEMENT);
    tb_case_t c;
    assert_rc(tb_store_case_get(s, CASE_ID, &c, NULL), 0);
    assert_int_equal(c.missing, (1u << 3) | (1u << 4));
    uint64_t last, acked;
    assert_rc(tb_store_out_get(s, VILLAGE, &last, &acked), 0);
    tb_item_msg_t *item = queued(s, VILLAGE, last);
    assert_int_equal(item->event->type, TB_EV_NOTICE);
    assert_string_equal(item->event->actor, "赵六");
    assert_int_equal(item->event->n_materials, 2);
    assert_string_equal(item->event->materials[0], "出院小结");
    assert_string_equal(item->event->materials[1], "银行卡复印件");
    tb_item_free(&item);
    /* Once only. */
    assert_rc(tb_act(s, &n, township_peers), -TB_EONCE);

    /* Refused with its reason: the case is closed to further steps. */
    tb_act_t r = {
        .type = TB_EV_REFUSED, .case_id = CASE_ID, .actor = "赵六", .reason = "不符合条件"};
    assert_rc(tb_act(s, &r, township_peers), 0);
    assert_int_equal(state_of(s), TB_ST_REFUSED);
    tb_act_t w = {.type = TB_EV_WITHDRAWN, .case_id = CASE_ID, .actor = "赵六"};
    assert_rc(tb_act(s, &w, township_peers), -TB_EILLEGAL);
}

/* ---- tb_act_explain: what a person reads, handed back (the library prints
 * nothing: stderr stays empty) ---- */

static char *captured(void (*fn)(fix_t *, int, tb_msg_t *), fix_t *f, int err)
{
    tb_msg_t msg;
    memset(msg.text, 'x', sizeof msg.text - 1); /* explain empties it first */
    msg.text[sizeof msg.text - 1] = '\0';
    capture_start();
    fn(f, err, &msg);
    assert_captured("");
    char *out = strdup(msg.text);
    assert_non_null(out);
    return out;
}

static void explain_case(fix_t *f, int err, tb_msg_t *msg)
{
    tb_act_explain(f->village, f->t.catalog, CASE_ID, err, msg);
}

static void explain_unknown(fix_t *f, int err, tb_msg_t *msg)
{
    tb_act_explain(f->village, f->t.catalog, VILLAGE "-20261122-0009", err, msg);
}

static void explain_nostore(fix_t *f, int err, tb_msg_t *msg)
{
    tb_act_explain(NULL, f->t.catalog, CASE_ID, err, msg);
}

static void test_explain(void **state)
{
    fix_t *f = *state;
    char want[512];
    tb_lang_set_en(true);
    char *out = captured(explain_case, f, -TB_EILLEGAL);
    snprintf(want, sizeof want, "error: %s: %s\n", tb_strerror(-TB_EILLEGAL), CASE_ID);
    assert_string_equal(out, want);
    free(out);

    /* A material error: the item's list follows, core or not. */
    out = captured(explain_case, f, -TB_EMATERIAL);
    snprintf(want, sizeof want,
             "error: %s: %s\n  materials of YB003 新农合医疗费用报销: 居民身份证 (core), "
             "住院发票原件 (core), 费用清单 (core), 出院小结 (core), 银行卡复印件 (non-core)\n",
             tb_strerror(-TB_EMATERIAL), CASE_ID);
    assert_string_equal(out, want);
    free(out);

    tb_lang_set_en(false);
    out = captured(explain_case, f, -TB_ECORE);
    snprintf(want, sizeof want,
             "错误：%s：%s\n  事项 YB003 新农合医疗费用报销 的材料：居民身份证（核心）、"
             "住院发票原件（核心）、费用清单（核心）、出院小结（核心）、银行卡复印件（非核心）\n",
             tb_strerror(-TB_ECORE), CASE_ID);
    assert_string_equal(out, want);
    free(out);

    /* No hint when the case cannot be found. */
    out = captured(explain_unknown, f, -TB_EMATERIAL);
    snprintf(want, sizeof want, "错误：%s：%s\n", tb_strerror(-TB_EMATERIAL),
             VILLAGE "-20261122-0009");
    assert_string_equal(out, want);
    free(out);
    out = captured(explain_nostore, f, -TB_EMATERIAL);
    snprintf(want, sizeof want, "错误：%s：%s\n", tb_strerror(-TB_EMATERIAL), CASE_ID);
    assert_string_equal(out, want);
    free(out);
    tb_lang_set_en(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_limits),
        cmocka_unit_test(test_parse_due),
        cmocka_unit_test_setup_teardown(test_act_builds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_act_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_act_staff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
