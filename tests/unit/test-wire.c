/* Unit tests for common/tb_wire: the envelope and item decoders of untrusted
 * bytes, and the case event contract (tb_event_check).
 *
 * Every rejected input is built as real protobuf (packed by protobuf-c, or
 * written byte by byte for garbage) and passed through an exactly-sized heap
 * copy, so ASan sees any over-read of the decoder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "tb_error.h"
#include "tb_wire.h"

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define CASE_ID VILLAGE "-20261122-0001"

/* ---- Helpers ---- */

/* Compare return codes; on failure print both in decimal with their meaning. */

static int env_decode_copy(const void *buf, size_t len, tb_env_t **ret)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, buf, len);
    int rc = tb_env_decode(copy, len, ret);
    free(copy);
    return rc;
}

static int item_decode_copy(const void *buf, size_t len, tb_item_msg_t **ret)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, buf, len);
    int rc = tb_item_decode(copy, len, ret);
    free(copy);
    return rc;
}

/* An item packed with protobuf-c directly (tb_pack_item refuses what is over
 * TB_MAX_BODY), decoded. */
static int item_decode_packed(const tb_item_msg_t *item, tb_item_msg_t **ret)
{
    size_t n = tongban__v1__item__get_packed_size(item);
    uint8_t *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    tongban__v1__item__pack(item, buf);
    int rc = tb_item_decode(buf, n, ret);
    free(buf);
    return rc;
}

/* Pack an envelope with protobuf-c directly, bypassing tb_env_pack's limits. */
static uint8_t *raw_env(uint32_t version, const char *sender, const char *receiver, int kind,
                        uint64_t seq, uint64_t ack, const uint8_t *body, size_t body_len,
                        size_t *ret_len)
{
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
    env.version = version;
    env.sender = (char *)sender;
    env.receiver = (char *)receiver;
    env.kind = (Tongban__V1__Kind)kind;
    env.seq = seq;
    env.ack = ack;
    env.body.data = (uint8_t *)body;
    env.body.len = body_len;
    env.takes = TB_TAKES; /* as tb_env_pack */
    size_t len = tongban__v1__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(tongban__v1__envelope__pack(&env, buf), len);
    *ret_len = len;
    return buf;
}

/* Decode a raw envelope and expect rc; the out-parameter must stay untouched on failure. */
static void expect_env_rc_at(uint32_t version, const char *sender, const char *receiver, int kind,
                             uint64_t seq, size_t body_len, int want, const char *file, int line)
{
    static const uint8_t body[4] = {1, 2, 3, 4};
    assert_true(body_len <= sizeof body);
    size_t len;
    uint8_t *buf = raw_env(version, sender, receiver, kind, seq, 0, body, body_len, &len);
    tb_env_t *sentinel = (tb_env_t *)&len, *env = sentinel;
    int rc = env_decode_copy(buf, len, &env);
    free(buf);
    if (rc == 0)
        tb_env_free(&env);
    assert_rc_at(rc, want, "tb_env_decode", file, line);
    if (want < 0)
        _assert_true(env == sentinel, "ret_env untouched", file, line);
}
#define expect_env_rc(v, s, r, k, seq, bl, want)                                                   \
    expect_env_rc_at((v), (s), (r), (k), (seq), (bl), (want), __FILE__, __LINE__)

/* ---- Envelope ---- */

static void test_env_round_trip(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x0a, 0x00, 0xff, 0x00, 0x42};
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_rc(tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 12345678901ULL,
                          98765432109ULL, body, sizeof body, &buf, &len),
              0);
    assert_non_null(buf);
    assert_true(len > sizeof body);

    tb_env_t *env = NULL;
    assert_rc(env_decode_copy(buf, len, &env), 0);
    assert_non_null(env);
    assert_int_equal(env->version, TB_PROTO_VERSION);
    assert_string_equal(env->sender, VILLAGE);
    assert_string_equal(env->receiver, TOWNSHIP);
    assert_int_equal(env->kind, TONGBAN__V1__KIND__KIND_DATA);
    assert_int_equal(env->seq, 12345678901ULL);
    assert_int_equal(env->ack, 98765432109ULL);
    assert_int_equal(env->body.len, sizeof body);
    assert_memory_equal(env->body.data, body, sizeof body);
    tb_env_free(&env);
    assert_null(env);
    tb_env_free(&env); /* NULL is fine */
    tb_env_free(NULL);
    free(buf);

    /* ACK, HEARTBEAT and UNREACHABLE with seq 0 round-trip too. */
    static const int kinds[] = {TONGBAN__V1__KIND__KIND_ACK, TONGBAN__V1__KIND__KIND_HEARTBEAT,
                                TONGBAN__V1__KIND__KIND_UNREACHABLE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_rc(
            tb_env_pack(COUNTY, TOWNSHIP, (Tongban__V1__Kind)kinds[i], 0, 7, NULL, 0, &buf, &len),
            0);
        assert_rc(env_decode_copy(buf, len, &env), 0);
        assert_int_equal(env->kind, kinds[i]);
        assert_int_equal(env->seq, 0);
        assert_int_equal(env->ack, 7);
        assert_string_equal(env->sender, COUNTY);
        assert_string_equal(env->receiver, TOWNSHIP);
        assert_int_equal(env->body.len, 0);
        tb_env_free(&env);
        free(buf);
    }
}

static void test_env_garbage(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *bytes;
        size_t len;
    } t[] = {
        {"truncated varint tag", "\xff\xff\xff", 3},
        {"invalid wire type 7", "\x0f", 1},
        {"varint value missing", "\x08", 1},
        {"length beyond the buffer",
         "\x12\x10"
         "abc",
         5},
        {"varint longer than 10 bytes", "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12},
        {"field number 0", "\x00\x01", 2},
        {"sender length overflows",
         "\x12\xff\xff\xff\xff\x0f"
         "x",
         7},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_env_t *sentinel = (tb_env_t *)&t, *env = sentinel;
        int rc = env_decode_copy(t[i].bytes, t[i].len, &env);
        if (rc != -TB_EDECODE)
            print_error("case %zu (%s)\n", i, t[i].what);
        assert_rc(rc, -TB_EDECODE);
        assert_ptr_equal(env, sentinel);
    }
}

static void test_env_empty(void **state)
{
    (void)state;
    /* An empty buffer is a valid protobuf with every field at its default:
     * version 0, so the contract rejects it. */
    tb_env_t *sentinel = (tb_env_t *)&state, *env = sentinel;
    assert_rc(env_decode_copy("", 0, &env), -TB_EPROTO);
    assert_ptr_equal(env, sentinel);
}

static void test_env_contract(void **state)
{
    (void)state;
    const int DATA = TONGBAN__V1__KIND__KIND_DATA, ACK = TONGBAN__V1__KIND__KIND_ACK,
              HB = TONGBAN__V1__KIND__KIND_HEARTBEAT, UNR = TONGBAN__V1__KIND__KIND_UNREACHABLE;

    /* Baselines that pass, so each rejection below differs in one field. */
    expect_env_rc(1, VILLAGE, TOWNSHIP, DATA, 1, 1, 0);
    expect_env_rc(1, VILLAGE, TOWNSHIP, ACK, 0, 0, 0);
    expect_env_rc(1, VILLAGE, TOWNSHIP, HB, 0, 4, 0);

    /* Version. */
    expect_env_rc(0, VILLAGE, TOWNSHIP, DATA, 1, 1, -TB_EPROTO);
    expect_env_rc(2, VILLAGE, TOWNSHIP, DATA, 1, 1, -TB_EPROTO);
    expect_env_rc(UINT32_MAX, VILLAGE, TOWNSHIP, ACK, 0, 0, -TB_EPROTO);

    /* Sender and receiver must be exactly 12 ASCII digits. */
    static const char *const bad_codes[] = {
        "",
        "36082610000",
        "3608261000011",
        "36082610000a",
        " 60826100001",
        "360826100001 ",
        "３６０８２６１０００01",
        "-36082610000",
    };
    for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
        expect_env_rc(1, bad_codes[i], TOWNSHIP, DATA, 1, 1, -TB_EPROTO);
        expect_env_rc(1, VILLAGE, bad_codes[i], DATA, 1, 1, -TB_EPROTO);
        expect_env_rc(1, bad_codes[i], TOWNSHIP, ACK, 0, 0, -TB_EPROTO);
    }
    /* Missing sender / receiver (NULL: the field is absent on the wire). */
    expect_env_rc(1, NULL, TOWNSHIP, DATA, 1, 1, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, NULL, DATA, 1, 1, -TB_EPROTO);

    /* DATA needs seq >= 1 and a body. */
    expect_env_rc(1, VILLAGE, TOWNSHIP, DATA, 0, 1, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, TOWNSHIP, DATA, 1, 0, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, TOWNSHIP, DATA, UINT64_MAX, 2, 0);

    /* ACK, HEARTBEAT, UNREACHABLE carry no seq. */
    expect_env_rc(1, VILLAGE, TOWNSHIP, ACK, 1, 0, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, TOWNSHIP, HB, 1, 0, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, TOWNSHIP, UNR, 1, 0, -TB_EPROTO);
    expect_env_rc(1, VILLAGE, TOWNSHIP, ACK, UINT64_MAX, 0, -TB_EPROTO);

    /* Unknown kinds, including the unspecified 0 and values protobuf-c keeps as ints. */
    static const int bad_kinds[] = {0, 5, 6, 100, -1, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        expect_env_rc(1, VILLAGE, TOWNSHIP, bad_kinds[i], 0, 0, -TB_EPROTO);
        expect_env_rc(1, VILLAGE, TOWNSHIP, bad_kinds[i], 1, 1, -TB_EPROTO);
    }
}

/* The body length that makes a DATA envelope exactly `want` bytes long, as
 * tb_env_pack makes it (with what this build takes, Envelope.takes). */
static size_t body_len_for(size_t want)
{
    for (size_t b = want; b > 0; b--) {
        tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
        env.version = 1;
        env.takes = TB_TAKES;
        env.sender = VILLAGE;
        env.receiver = TOWNSHIP;
        env.kind = TONGBAN__V1__KIND__KIND_DATA;
        env.seq = 1;
        env.body.len = b;
        if (tongban__v1__envelope__get_packed_size(&env) == want)
            return b;
    }
    fail_msg("no body length gives %zu bytes", want);
    return 0;
}

static void test_env_max_frame(void **state)
{
    (void)state;
    uint8_t *body = calloc(1, TB_MAX_FRAME + 16);
    assert_non_null(body);
    memset(body, 'x', TB_MAX_FRAME + 16);

    /* Exactly TB_MAX_FRAME bytes (a heartbeat, whose body is not an item): accepted.
     * A heartbeat has no seq field: two bytes more of body than a DATA envelope. */
    size_t b = body_len_for(TB_MAX_FRAME) + 2;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_rc(tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, body, b, &buf,
                          &len),
              0);
    assert_int_equal(len, TB_MAX_FRAME);
    tb_env_t *env = NULL;
    assert_rc(env_decode_copy(buf, len, &env), 0);
    assert_int_equal(env->body.len, b);
    tb_env_free(&env);
    free(buf);

    /* DATA bodies are bounded by TB_MAX_BODY, so a relay can always wrap them again. */
    assert_rc(tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 1, 0, body, TB_MAX_BODY,
                          &buf, &len),
              0);
    assert_rc(env_decode_copy(buf, len, &env), 0);
    tb_env_free(&env);
    free(buf);
    assert_rc(tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 1, 0, body,
                          TB_MAX_BODY + 1, &buf, &len),
              0);
    assert_rc(env_decode_copy(buf, len, &env), -TB_EPROTO);
    free(buf);

    /* One byte more: tb_env_pack refuses, and a peer's frame is rejected unread. */
    b = body_len_for(TB_MAX_FRAME + 1);
    buf = (uint8_t *)&len;
    uint8_t *sentinel = buf;
    assert_rc(
        tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 1, 0, body, b, &buf, &len),
        -E2BIG);
    assert_ptr_equal(buf, sentinel);
    buf = raw_env(1, VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 1, 0, body, b, &len);
    assert_int_equal(len, TB_MAX_FRAME + 1);
    env = (tb_env_t *)sentinel;
    assert_rc(env_decode_copy(buf, len, &env), -TB_EPROTO);
    assert_ptr_equal(env, (tb_env_t *)sentinel);
    free(buf);
    free(body);
}

/* ---- Items and case events ---- */

typedef struct {
    Tongban__V1__LedgerRecord ledger;
    tb_event_msg_t ev;
} event_fixture_t;

static void logged_event(event_fixture_t *f)
{
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = "李四";
    l.client_phone = "13800138000";
    l.agent = "王五";
    l.item_code = "YB003";
    l.note = "住院发票两张\n费用清单一份";
    l.accept_time_ms = 1795334400000;
    l.completion_time_ms = 1795420800000;
    l.result = "已办结";
    f->ledger = l;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = VILLAGE;
    ev.origin_seq = 42;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = "王五";
    ev.at_ms = 1795334400123;
    ev.reason = "";
    ev.ledger = &f->ledger;
    f->ev = ev;
}

/* Pack the event in an Item and decode it again. */
static int event_round_trip(const tb_event_msg_t *ev, tb_item_msg_t **ret_item)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = (tb_event_msg_t *)ev;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_rc(tb_pack_item(&item, &buf, &len), 0);
    int rc = item_decode_copy(buf, len, ret_item);
    free(buf);
    return rc;
}

static void test_item_logged_round_trip(void **state)
{
    (void)state;
    event_fixture_t f;
    logged_event(&f);
    assert_rc(tb_event_check(&f.ev), 0);
    tb_item_msg_t *item = NULL;
    assert_rc(event_round_trip(&f.ev, &item), 0);
    assert_non_null(item);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_EVENT);
    const tb_event_msg_t *ev = item->event;
    assert_string_equal(ev->origin_node, VILLAGE);
    assert_int_equal(ev->origin_seq, 42);
    assert_string_equal(ev->case_id, CASE_ID);
    assert_int_equal(ev->type, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED);
    assert_string_equal(ev->actor, "王五");
    assert_int_equal(ev->at_ms, 1795334400123);
    assert_string_equal(ev->target, "");
    assert_string_equal(ev->reason, "");
    assert_non_null(ev->ledger);
    assert_string_equal(ev->ledger->client_name, "李四");
    assert_string_equal(ev->ledger->client_phone, "13800138000");
    assert_string_equal(ev->ledger->agent, "王五");
    assert_string_equal(ev->ledger->item_code, "YB003");
    assert_string_equal(ev->ledger->note, "住院发票两张\n费用清单一份");
    assert_int_equal(ev->ledger->accept_time_ms, 1795334400000);
    assert_int_equal(ev->ledger->completion_time_ms, 1795420800000);
    assert_string_equal(ev->ledger->result, "已办结");
    tb_item_free(&item);
    assert_null(item);
    tb_item_free(&item);
    tb_item_free(NULL);

    /* A handover event with its target. */
    tb_event_msg_t sub = TONGBAN__V1__CASE_EVENT__INIT;
    sub.origin_node = VILLAGE;
    sub.origin_seq = 43;
    sub.case_id = CASE_ID;
    sub.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    sub.actor = "王五";
    sub.at_ms = 1795334400000;
    sub.target = TOWNSHIP;
    assert_rc(event_round_trip(&sub, &item), 0);
    assert_string_equal(item->event->target, TOWNSHIP);
    assert_null(item->event->ledger);
    tb_item_free(&item);
}

/* Check the event directly, then through pack + decode: both must reject it. */
static void expect_event_rejected_at(const tb_event_msg_t *ev, const char *what, const char *file,
                                     int line)
{
    int rc = tb_event_check(ev);
    if (rc != -TB_EPROTO)
        print_error("tb_event_check: %s\n", what);
    assert_rc_at(rc, -TB_EPROTO, "tb_event_check", file, line);
    tb_item_msg_t *sentinel = (tb_item_msg_t *)&rc, *item = sentinel;
    rc = event_round_trip(ev, &item);
    if (rc != -TB_EPROTO)
        print_error("tb_item_decode: %s\n", what);
    if (rc == 0)
        tb_item_free(&item);
    assert_rc_at(rc, -TB_EPROTO, "tb_item_decode", file, line);
    _assert_true(item == sentinel, "ret_item untouched", file, line);
}
#define expect_event_rejected(ev, what) expect_event_rejected_at((ev), (what), __FILE__, __LINE__)

static void test_event_rejects(void **state)
{
    (void)state;
    event_fixture_t f;

    logged_event(&f);
    f.ev.ledger = NULL;
    expect_event_rejected(&f.ev, "LOGGED without ledger");

    /* Times PostgreSQL could not store (they would hold the link back at the county). */
    static const int64_t bad_times[] = {INT64_MAX,       INT64_MIN,         -1, 0, 946684799999LL,
                                        4102444800000LL, 9300000000000000LL};
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
        logged_event(&f);
        f.ev.at_ms = bad_times[i];
        expect_event_rejected(&f.ev, "event time out of range");
        logged_event(&f);
        f.ledger.accept_time_ms = bad_times[i];
        expect_event_rejected(&f.ev, "accept time out of range");
        if (bad_times[i] != 0) {
            logged_event(&f);
            f.ledger.completion_time_ms = bad_times[i];
            expect_event_rejected(&f.ev, "completion time out of range");
            logged_event(&f);
            f.ev.due_ms = bad_times[i];
            expect_event_rejected(&f.ev, "due time out of range");
        }
    }

    /* Every other type with a ledger (handovers get their target so only the ledger is wrong). */
    for (int t = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
         t <= TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED; t++) {
        logged_event(&f);
        f.ev.type = (Tongban__V1__EventType)t;
        if (t == TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED)
            f.ev.target = TOWNSHIP;
        if (t == TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED)
            f.ev.target = COUNTY;
        expect_event_rejected(&f.ev, "non-LOGGED with ledger");
        f.ev.ledger = NULL;
        assert_rc(tb_event_check(&f.ev), 0); /* and without it, fine */
    }

    static const char *const no_target[] = {NULL, ""};
    for (size_t i = 0; i < 2; i++) {
        logged_event(&f);
        f.ev.ledger = NULL;
        f.ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
        f.ev.target = (char *)no_target[i];
        expect_event_rejected(&f.ev, "SUBMITTED without target");
        f.ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED;
        expect_event_rejected(&f.ev, "FORWARDED without target");
    }
    logged_event(&f);
    f.ev.ledger = NULL;
    f.ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED;
    f.ev.target = "36082610000";
    expect_event_rejected(&f.ev, "SUBMITTED to a malformed target");

    logged_event(&f);
    f.ev.ledger = NULL;
    f.ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED;
    f.ev.target = TOWNSHIP;
    expect_event_rejected(&f.ev, "ACCEPTED with target");
    f.ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED;
    expect_event_rejected(&f.ev, "RECEIVED with target");
    logged_event(&f);
    f.ev.target = TOWNSHIP;
    expect_event_rejected(&f.ev, "LOGGED with target");

    static const char *const bad_ids[] = {
        "",
        VILLAGE,
        VILLAGE "-20261122-001",
        VILLAGE "-20261122-00001234567",
        VILLAGE "-20261322-0001",
        VILLAGE "-20261100-0001",
        VILLAGE "_20261122_0001",
        "36082610000a-20261122-0001",
        VILLAGE "-2026112a-0001",
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        logged_event(&f);
        f.ev.case_id = (char *)bad_ids[i];
        expect_event_rejected(&f.ev, bad_ids[i]);
    }
    logged_event(&f);
    f.ev.case_id = NULL;
    expect_event_rejected(&f.ev, "no case id");

    logged_event(&f);
    f.ev.origin_seq = 0;
    expect_event_rejected(&f.ev, "origin_seq 0");
    logged_event(&f);
    f.ev.origin_node = "36082610000";
    expect_event_rejected(&f.ev, "short origin node");

    static const char *const bad_phones[] = {"", "12345678901", "1380013800", "0796-532", "abc"};
    for (size_t i = 0; i < sizeof bad_phones / sizeof bad_phones[0]; i++) {
        logged_event(&f);
        f.ledger.client_phone = (char *)bad_phones[i];
        expect_event_rejected(&f.ev, bad_phones[i]);
    }
    logged_event(&f);
    f.ledger.client_name = "";
    expect_event_rejected(&f.ev, "empty client name");
    logged_event(&f);
    f.ledger.item_code = "";
    expect_event_rejected(&f.ev, "empty item code");

    static const char *const bad_utf8[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "王\xe4\xba"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        logged_event(&f);
        f.ev.actor = (char *)bad_utf8[i];
        expect_event_rejected(&f.ev, "invalid UTF-8 in actor");
        logged_event(&f);
        f.ledger.agent = (char *)bad_utf8[i];
        expect_event_rejected(&f.ev, "invalid UTF-8 in agent");
        logged_event(&f);
        f.ev.reason = (char *)bad_utf8[i];
        expect_event_rejected(&f.ev, "invalid UTF-8 in reason");
    }

    static const int bad_types[] = {0, TB_EV_LAST, 99, -1};
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        logged_event(&f);
        f.ev.ledger = NULL;
        f.ev.type = (Tongban__V1__EventType)bad_types[i];
        expect_event_rejected(&f.ev, "unknown event type");
    }
}

static int status_round_trip(const char *case_id, const char *st, const char *holder,
                             tb_item_msg_t **ret_item)
{
    Tongban__V1__StatusUpdate s = TONGBAN__V1__STATUS_UPDATE__INIT;
    s.case_id = (char *)case_id;
    s.state = (char *)st;
    s.holder = (char *)holder;
    s.version = 3;
    s.at_ms = 1795334400000;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
    item.status = &s;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_rc(tb_pack_item(&item, &buf, &len), 0);
    int rc = item_decode_copy(buf, len, ret_item);
    free(buf);
    return rc;
}

static void test_item_status(void **state)
{
    (void)state;
    tb_item_msg_t *item = NULL;
    assert_rc(status_round_trip(CASE_ID, "accepted", TOWNSHIP, &item), 0);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_STATUS);
    assert_string_equal(item->status->case_id, CASE_ID);
    assert_string_equal(item->status->state, "accepted");
    assert_string_equal(item->status->holder, TOWNSHIP);
    assert_int_equal(item->status->version, 3);
    assert_int_equal(item->status->at_ms, 1795334400000);
    tb_item_free(&item);

    static const char *const bad_states[] = {"", "none", "Accepted", "finished", "accepted "};
    for (size_t i = 0; i < sizeof bad_states / sizeof bad_states[0]; i++) {
        tb_item_msg_t *sentinel = (tb_item_msg_t *)&item;
        item = sentinel;
        int rc = status_round_trip(CASE_ID, bad_states[i], TOWNSHIP, &item);
        if (rc != -TB_EPROTO)
            print_error("state \"%s\"\n", bad_states[i]);
        assert_rc(rc, -TB_EPROTO);
        assert_ptr_equal(item, sentinel);
    }
    assert_rc(status_round_trip("x", "accepted", TOWNSHIP, &item), -TB_EPROTO);
    assert_rc(status_round_trip(CASE_ID, "accepted", "3608261", &item), -TB_EPROTO);
    assert_rc(status_round_trip(CASE_ID, "accepted", NULL, &item), -TB_EPROTO);
}

/* A StatusList (issue 13) of n updates, the one at index bad (if < n) with
 * state bad_state, decoded. */
static int status_list_decode(size_t n, size_t bad, const char *bad_state, tb_item_msg_t **ret)
{
    Tongban__V1__StatusUpdate *v = calloc(n ? n : 1, sizeof *v);
    Tongban__V1__StatusUpdate **p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(v);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        tongban__v1__status_update__init(&v[i]);
        v[i].case_id = (char *)CASE_ID;
        v[i].state = (char *)(i == bad ? bad_state : "accepted");
        v[i].holder = (char *)TOWNSHIP;
        v[i].version = (uint32_t)i + 1;
        p[i] = &v[i];
    }
    Tongban__V1__StatusList l = TONGBAN__V1__STATUS_LIST__INIT;
    l.n_updates = n;
    l.updates = p;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUSES;
    item.statuses = &l;
    int rc = item_decode_packed(&item, ret);
    free(p);
    free(v);
    return rc;
}

/* Item.statuses: 1..TB_STATUS_LIST_MAX updates, each checked as one alone;
 * every envelope this build packs says it takes them (Envelope.takes). */
static void test_item_status_list(void **state)
{
    (void)state;
    tb_item_msg_t *item = NULL;
    assert_rc(status_list_decode(3, 3, NULL, &item), 0);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_STATUSES);
    assert_int_equal(item->statuses->n_updates, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(item->statuses->updates[i]->case_id, CASE_ID);
        assert_int_equal(item->statuses->updates[i]->version, i + 1); /* in order */
    }
    tb_item_free(&item);
    assert_rc(status_list_decode(TB_STATUS_LIST_MAX, TB_STATUS_LIST_MAX, NULL, &item), 0);
    tb_item_free(&item);

    tb_item_msg_t *sentinel = (tb_item_msg_t *)&item;
    item = sentinel;
    assert_rc(status_list_decode(0, 0, NULL, &item), -TB_EPROTO); /* empty */
    assert_rc(status_list_decode(TB_STATUS_LIST_MAX + 1, TB_STATUS_LIST_MAX + 1, NULL, &item),
              -TB_EPROTO);
    assert_rc(status_list_decode(3, 0, "finished", &item), -TB_EPROTO); /* any one bad */
    assert_rc(status_list_decode(3, 2, "", &item), -TB_EPROTO);
    assert_ptr_equal(item, sentinel);

    uint8_t *buf = NULL;
    size_t len = 0;
    assert_rc(
        tb_env_pack(VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_ACK, 0, 0, NULL, 0, &buf, &len), 0);
    tb_env_t *env = NULL;
    assert_rc(env_decode_copy(buf, len, &env), 0);
    assert_int_equal(env->takes, TB_TAKES);
    assert_true(env->takes & TB_TAKES_STATUS_LIST);
    tb_env_free(&env);
    free(buf);
}

static void test_item_garbage(void **state)
{
    (void)state;
    tb_item_msg_t *sentinel = (tb_item_msg_t *)&state, *item = sentinel;
    /* An Item with nothing set is valid protobuf but carries nothing. */
    assert_rc(item_decode_copy("", 0, &item), -TB_EPROTO);
    assert_ptr_equal(item, sentinel);
    static const struct {
        const char *bytes;
        size_t len;
    } t[] = {
        {"\xff\xff\xff", 3},
        {"\x0a\x10"
         "abc",
         5},
        {"\x0a\x02\x08", 3},
        {"\x0f", 1},
        {"\x12\x03\x0a\x05x", 5},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = item_decode_copy(t[i].bytes, t[i].len, &item);
        if (rc != -TB_EDECODE)
            print_error("garbage case %zu\n", i);
        assert_rc(rc, -TB_EDECODE);
        assert_ptr_equal(item, sentinel);
    }
    /* An event with every field empty decodes but breaks the contract. */
    assert_rc(item_decode_copy("\x0a\x00", 2, &item), -TB_EPROTO);
    assert_ptr_equal(item, sentinel);
}

/* DataVersion: the county's catalog and calendar versions are validated at
 * decode: a known kind, version >= 1, a body that parses as that kind. */
static int decode_data(const char *kind, uint32_t version, const char *body, size_t len,
                       tb_item_msg_t **ret)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)kind;
    dv.version = version;
    dv.body.data = (uint8_t *)body;
    dv.body.len = len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    return item_decode_packed(&item, ret);
}

static void test_item_data(void **state)
{
    (void)state;
    static const char cat[] = "code,name,level,kind,promised_days,legal_days,materials\n"
                              "XX001,新增事项,township,promised,5,10,居民身份证:core\n";
    static const char cal[] = "date,kind,holiday\n2026-03-02,off,测试\n";
    tb_item_msg_t *item = NULL;
    assert_rc(decode_data("catalog", 1, cat, strlen(cat), &item), 0);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_DATA);
    assert_string_equal(item->data->kind, "catalog");
    assert_int_equal(item->data->version, 1);
    assert_int_equal(item->data->body.len, strlen(cat));
    tb_item_free(&item);
    assert_null(item);
    assert_rc(decode_data("calendar", 7, cal, strlen(cal), &item), 0);
    tb_item_free(&item);

    item = (tb_item_msg_t *)(uintptr_t)1; /* untouched on failure */
    assert_rc(decode_data("catalog", 0, cat, strlen(cat), &item), -TB_EPROTO);
    assert_rc(decode_data("places", 1, cat, strlen(cat), &item), -TB_EPROTO);
    assert_rc(decode_data("", 1, cat, strlen(cat), &item), -TB_EPROTO);
    assert_rc(decode_data("Catalog", 1, cat, strlen(cat), &item), -TB_EPROTO);
    /* a calendar body sent as a catalog, and the other way round */
    assert_rc(decode_data("catalog", 1, cal, strlen(cal), &item), -TB_EPROTO);
    assert_rc(decode_data("calendar", 1, cat, strlen(cat), &item), -TB_EPROTO);
    assert_rc(decode_data("catalog", 1, "", 0, &item), -TB_EPROTO);
    static const char badrow[] = "code,name,level,kind,promised_days,legal_days,materials\n"
                                 "XX001,新增事项,province,promised,5,10,\n";
    assert_rc(decode_data("catalog", 1, badrow, strlen(badrow), &item), -TB_EPROTO);
    /* too big for one link message, though it parses */
    size_t big = TB_MAX_BODY + 1;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    size_t h = strlen(cal);
    memcpy(huge, cal, h);
    memset(huge + h, '\n', big - h);
    huge[big] = '\0';
    assert_rc(decode_data("calendar", 1, huge, big, &item), -TB_EPROTO);
    free(huge);
    assert_ptr_equal(item, (tb_item_msg_t *)(uintptr_t)1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_data),
        cmocka_unit_test(test_env_round_trip),
        cmocka_unit_test(test_env_garbage),
        cmocka_unit_test(test_env_empty),
        cmocka_unit_test(test_env_contract),
        cmocka_unit_test(test_env_max_frame),
        cmocka_unit_test(test_item_logged_round_trip),
        cmocka_unit_test(test_event_rejects),
        cmocka_unit_test(test_item_status),
        cmocka_unit_test(test_item_status_list),
        cmocka_unit_test(test_item_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
