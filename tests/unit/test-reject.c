/* Every refusal answered (issue 9): tb_reject's codes, the REJECTED answer a
 * receiver puts in its outbox, the answers' rate limit, the village's view
 * of a REJECTED that names its event (被退回) or other bytes (it stands). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_edge.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_reject.h"
#include "tb_report.h"

#define VIL "360826100001"
#define TOWN "360826100000"
#define CASE VIL "-20261130-0001"
#define AT 1764460800000LL /* 2025-11-30 */

static void ledger_event(tb_event_msg_t *ev, Tongban__V1__LedgerRecord *l)
{
    *l = (Tongban__V1__LedgerRecord)TONGBAN__V1__LEDGER_RECORD__INIT;
    l->client_name = (char *)"王五";
    l->client_phone = (char *)"13900139000";
    l->agent = (char *)"张三";
    l->item_code = (char *)"YB003";
    l->accept_time_ms = AT;
    *ev = (tb_event_msg_t)TONGBAN__V1__CASE_EVENT__INIT;
    ev->origin_node = (char *)VIL;
    ev->origin_seq = 1;
    ev->case_id = (char *)CASE;
    ev->type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev->actor = (char *)"张三";
    ev->at_ms = AT;
    ev->ledger = l;
}

static void test_codes(void **state)
{
    (void)state;
    assert_int_equal(tb_reject_code(-TB_EBADPHONE), TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE);
    assert_int_equal(tb_reject_code(-TB_EUNKNOWN_ITEM),
                     TONGBAN__V1__REJECT_CODE__REJECT_UNKNOWN_ITEM);
    assert_int_equal(tb_reject_code(-TB_EILLEGAL), TONGBAN__V1__REJECT_CODE__REJECT_OUT_OF_STATE);
    assert_int_equal(tb_reject_code(-TB_ENOTHOLDER), TONGBAN__V1__REJECT_CODE__REJECT_NOT_HOLDER);
    assert_int_equal(tb_reject_code(-TB_EAUTHORITY), TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED);
    assert_int_equal(tb_reject_code(-TB_ECORE), TONGBAN__V1__REJECT_CODE__REJECT_BAD_MATERIAL);
    assert_int_equal(tb_reject_code(-TB_EPROTO), TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED);
    /* A handover to the wrong township is a wrong target; beyond the level, not entitled. */
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)VIL;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    ev.target = (char *)"360826101000";
    assert_int_equal(tb_reject_code_event(-TB_EAUTHORITY, &ev),
                     TONGBAN__V1__REJECT_CODE__REJECT_WRONG_TARGET);
    ev.target = (char *)TOWN;
    assert_int_equal(tb_reject_code_event(-TB_EAUTHORITY, &ev),
                     TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED);
    assert_string_not_equal(tb_reject_text(TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID), "");
}

static void test_check_codes(void **state)
{
    (void)state;
    tb_event_msg_t ev;
    Tongban__V1__LedgerRecord l;
    ledger_event(&ev, &l);
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_UNSPECIFIED);
    ev.at_ms = AT / 1000; /* seconds */
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_BAD_TIME);
    ledger_event(&ev, &l);
    l.accept_time_ms = 4102444800000LL; /* 2100-01-01: just outside */
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_BAD_TIME);
    ledger_event(&ev, &l);
    ev.case_id = (char *)VIL "-20261130-1";
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_BAD_CASE_ID);
    ledger_event(&ev, &l);
    l.client_phone = (char *)"12345";
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE);
    ledger_event(&ev, &l);
    l.note = (char *)"a\xe2\x80\xae"
                     "b"; /* U+202E */
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_BAD_TEXT);
    ledger_event(&ev, &l);
    ev.origin_seq = 0;
    assert_int_equal(tb_reject_check_code(&ev), TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED);
}

typedef struct {
    tb_tdir_t t;
    tb_store_t *town, *vil;
} fix_t;

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f || tb_tdir_init(&f->t, "reject") < 0 || tb_tdir_open(&f->t, TOWN, &f->town) < 0 ||
        tb_tdir_open(&f->t, VIL, &f->vil) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->town);
    tb_store_destroy(&f->vil);
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

static int pack(const tb_event_msg_t *ev, uint8_t **buf, size_t *len)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = (tb_event_msg_t *)ev;
    return tb_pack_item(&item, buf, len);
}

/* The answer: a REJECTED in the outbox to the peer, naming the event, its
 * code, words and digest; nothing for a REJECTED or bytes naming no event. */
static void test_answer(void **state)
{
    fix_t *f = *state;
    tb_event_msg_t ev;
    Tongban__V1__LedgerRecord l;
    ledger_event(&ev, &l);
    l.client_phone = (char *)"12345";
    uint8_t *buf;
    size_t len;
    assert_int_equal(pack(&ev, &buf, &len), 0);
    assert_int_equal(tb_store_begin(f->town), 0);
    assert_int_equal(tb_reject_answer(f->town, VIL, buf, len,
                                      TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE, "phone"),
                     1);
    assert_int_equal(tb_reject_answer(f->town, VIL, (const uint8_t *)"\xff\xff", 2,
                                      TONGBAN__V1__REJECT_CODE__REJECT_MALFORMED, NULL),
                     0);
    assert_int_equal(tb_store_commit(f->town), 0);
    char digest[TB_DIGEST_HEX];
    tb_digest_hex(buf, len, digest);
    free(buf);
    uint8_t *out;
    size_t olen;
    assert_int_equal(tb_store_outbox_get(f->town, VIL, 1, &out, &olen), 0);
    tb_item_msg_t *item = NULL;
    assert_int_equal(tb_item_decode(out, olen, &item), 0);
    free(out);
    const tb_event_msg_t *r = item->event;
    assert_int_equal(r->type, TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED);
    assert_string_equal(r->origin_node, TOWN);
    assert_string_equal(r->rejected_origin, VIL);
    assert_int_equal(r->rejected_seq, 1);
    assert_string_equal(r->case_id, CASE);
    assert_int_equal(r->reject_code, TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE);
    assert_string_equal(r->rejected_digest, digest);
    assert_non_null(strstr(r->reason, "phone"));
    /* An answer is never answered. */
    uint8_t *again;
    size_t alen;
    assert_int_equal(pack(r, &again, &alen), 0);
    assert_int_equal(tb_store_begin(f->town), 0);
    assert_int_equal(tb_reject_answer(f->town, VIL, again, alen,
                                      TONGBAN__V1__REJECT_CODE__REJECT_NOT_ENTITLED, NULL),
                     0);
    assert_int_equal(tb_store_commit(f->town), 0);
    free(again);
    tb_item_free(&item);
    assert_int_equal(sql_int(f->town, "SELECT count(*) FROM outbox WHERE peer = '" VIL "'"), 1);
}

/* A malformed case id: the answer names no case, and still travels. */
static void test_answer_no_case(void **state)
{
    fix_t *f = *state;
    tb_event_msg_t ev;
    Tongban__V1__LedgerRecord l;
    ledger_event(&ev, &l);
    ev.case_id = (char *)VIL "-20261130-7";
    uint8_t *buf;
    size_t len;
    assert_int_equal(pack(&ev, &buf, &len), 0);
    assert_int_equal(tb_store_begin(f->town), 0);
    assert_int_equal(tb_reject_answer(f->town, VIL, buf, len,
                                      TONGBAN__V1__REJECT_CODE__REJECT_BAD_CASE_ID, NULL),
                     1);
    assert_int_equal(tb_store_commit(f->town), 0);
    free(buf);
    uint8_t *out;
    size_t olen;
    assert_int_equal(tb_store_outbox_get(f->town, VIL, 1, &out, &olen), 0);
    tb_item_msg_t *item = NULL;
    assert_int_equal(tb_item_decode(out, olen, &item), 0);
    free(out);
    assert_string_equal(item->event->case_id, "");
    tb_item_free(&item);
}

/* The village applies its township's REJECTED: the case shows 被退回 with the
 * reason; one naming other bytes (a reused id) leaves its event standing. */
static void test_village_returned(void **state)
{
    fix_t *f = *state;
    tb_event_msg_t ev;
    Tongban__V1__LedgerRecord l;
    ledger_event(&ev, &l);
    ev.origin_node = NULL;
    const char *peers[] = {TOWN, NULL};
    assert_int_equal(tb_store_emit(f->vil, &ev, peers), 0);
    assert_int_equal(ev.origin_seq, 1);

    tb_event_msg_t r = TONGBAN__V1__CASE_EVENT__INIT;
    r.origin_node = (char *)TOWN;
    r.origin_seq = 1;
    r.case_id = (char *)CASE;
    r.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    r.at_ms = AT;
    r.reason = (char *)"事件编号已用于其他内容";
    r.rejected_origin = (char *)VIL;
    r.rejected_seq = 1;
    r.reject_code = TONGBAN__V1__REJECT_CODE__REJECT_REUSED_ID;
    r.rejected_digest = (char *)"0000000000000000000000000000000000000000000000000000000000000000";
    uint8_t *buf;
    size_t len;
    int fold = -1;
    assert_int_equal(pack(&r, &buf, &len), 0);
    assert_int_equal(tb_store_apply(f->vil, &r, buf, len, true, &fold), 0);
    free(buf);
    assert_int_equal(fold, 0);
    assert_int_equal(sql_int(f->vil, "SELECT count(*) FROM events WHERE rejected <> ''"), 0);

    char stored[TB_DIGEST_HEX];
    assert_int_equal(tb_store_event_digest(f->vil, VIL, 1, stored), 0);
    r.origin_seq = 2;
    r.reason = (char *)"电话号码格式不符";
    r.reject_code = TONGBAN__V1__REJECT_CODE__REJECT_BAD_PHONE;
    r.rejected_digest = stored;
    assert_int_equal(pack(&r, &buf, &len), 0);
    assert_int_equal(tb_store_apply(f->vil, &r, buf, len, true, &fold), 0);
    free(buf);
    assert_int_equal(fold, 0);
    assert_int_equal(sql_int(f->vil, "SELECT count(*) FROM events WHERE rejected <> ''"), 1);

    tb_report_opts_t o = {.catalog = f->t.catalog, .mask_phone = true};
    json_t *arr = tb_report_cases_json(f->vil, NULL, &o);
    assert_non_null(arr);
    assert_int_equal(json_array_size(arr), 1);
    json_t *c = json_array_get(arr, 0);
    assert_true(json_is_true(json_object_get(c, "returned")));
    assert_string_equal(json_string_value(json_object_get(c, "returned_reason")),
                        "电话号码格式不符");
    json_decref(arr);
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    assert_int_equal(tb_report_cases(f->vil, NULL, &o, out), 0);
    fclose(out);
    assert_non_null(strstr(text, "被退回：电话号码格式不符"));
    free(text);
}

/* At most max answers a minute per peer; the next minute starts afresh and
 * says how many were held back. */
static void test_answer_limit(void **state)
{
    (void)state;
    tb_ratelimit_t rl;
    memset(&rl, 0, sizeof rl);
    unsigned held = 0;
    int n = 0;
    for (int i = 0; i < 100; i++)
        n += tb_ratelimit_n(&rl, VIL, 1000 + i, TB_REJECT_ANSWERS_PER_MIN, &held);
    assert_int_equal(n, TB_REJECT_ANSWERS_PER_MIN);
    assert_int_equal(tb_ratelimit_n(&rl, VIL, 61000, TB_REJECT_ANSWERS_PER_MIN, &held), 1);
    assert_int_equal(held, 100 - TB_REJECT_ANSWERS_PER_MIN);
    /* Another peer has its own minute. */
    assert_int_equal(tb_ratelimit_n(&rl, "360826100002", 61000, TB_REJECT_ANSWERS_PER_MIN, &held),
                     1);
}

/* A dropped envelope's log line names the rule it broke. */
static const char *why_of(uint32_t version, Tongban__V1__Kind kind, uint64_t seq, size_t body)
{
    static uint8_t buf[TB_MAX_FRAME + 64], data[TB_MAX_FRAME];
    tb_env_t e = TONGBAN__V1__ENVELOPE__INIT;
    e.version = version;
    e.sender = (char *)VIL;
    e.receiver = (char *)TOWN;
    e.kind = kind;
    e.seq = seq;
    e.body.data = data;
    e.body.len = body;
    size_t len = tongban__v1__envelope__pack(&e, buf);
    return tb_env_why(buf, len);
}

static void test_env_why(void **state)
{
    (void)state;
    assert_string_equal(why_of(1, TONGBAN__V1__KIND__KIND_DATA, 1, 10), "");
    assert_string_equal(why_of(0, TONGBAN__V1__KIND__KIND_DATA, 1, 10),
                        "envelope version is not 1");
    assert_string_equal(why_of(1, TONGBAN__V1__KIND__KIND_ACK, 3, 0),
                        "seq not 0 on an ACK, HEARTBEAT or UNREACHABLE");
    assert_string_equal(why_of(1, TONGBAN__V1__KIND__KIND_DATA, 0, 10), "DATA with seq 0");
    assert_string_equal(why_of(1, TONGBAN__V1__KIND__KIND_DATA, 1, TB_MAX_BODY + 1),
                        "DATA body empty or over 65,280 bytes");
    assert_string_equal(tb_env_why((const uint8_t *)"\xff\xff\xff", 3),
                        "not an Envelope (does not decode)");
}

int main(void)
{
    tb_lang_set_en(false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_check_codes),
        cmocka_unit_test_setup_teardown(test_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_no_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_village_returned, setup, teardown),
        cmocka_unit_test(test_answer_limit),
        cmocka_unit_test(test_env_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
