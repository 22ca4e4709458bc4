/* fuzz-seeds: write the seed corpus for the fuzz harnesses.
 *
 *     fuzz-seeds OUTDIR      (normally tests/fuzz/corpus)
 *
 * Run once by hand and commit the output; it is not a test.  The protobuf
 * seeds are made with the project's own pack functions (tb_env_pack,
 * tb_pack_item), so they are what nodes really send; the "bad-" ones are
 * near misses that each break one rule, so the fuzzer starts next to every
 * rejection path.  OUTDIR and OUTDIR/<name>/ are made if missing; files of the same name
 * are overwritten, others (say, from libFuzzer's -merge) are left alone. */
#include "tb_case.h"
#include "tb_error.h"
#include "tb_node.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define AT_MS INT64_C(1767600000000) /* 2026-01-05 16:00 CST */

static const char *outdir;

static void put(const char *dir, const char *name, const void *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, dir);
    if (mkdir(path, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", outdir, dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void put_str(const char *dir, const char *name, const char *s)
{
    put(dir, name, s, strlen(s));
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", what, tb_strerror(rc));
        exit(1);
    }
}

/* ---- Items ---- */

static Tongban__V1__LedgerRecord ledger = TONGBAN__V1__LEDGER_RECORD__INIT;
static char case_id[TB_CASEID_MAX];

static void event_init(Tongban__V1__CaseEvent *ev, Tongban__V1__EventType type, const char *origin,
                       uint64_t origin_seq)
{
    *ev = (Tongban__V1__CaseEvent)TONGBAN__V1__CASE_EVENT__INIT;
    ev->origin_node = (char *)origin;
    ev->origin_seq = origin_seq;
    ev->case_id = case_id;
    ev->type = type;
    ev->actor = "李四";
    ev->at_ms = AT_MS;
}

/* Pack ev (or st) as an item into *ret_buf; also write it as an item seed. */
static void put_item(const char *name, Tongban__V1__CaseEvent *ev, Tongban__V1__StatusUpdate *st,
                     uint8_t **ret_buf, size_t *ret_len)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    if (ev) {
        item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
        item.event = ev;
    } else {
        item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
        item.status = st;
    }
    uint8_t *buf;
    size_t len;
    check(tb_pack_item(&item, &buf, &len), name);
    put("item", name, buf, len);
    if (ret_buf) {
        *ret_buf = buf;
        *ret_len = len;
    } else {
        free(buf);
    }
}

/* ---- Envelopes ---- */

static void put_env(const char *name, const char *sender, const char *receiver,
                    Tongban__V1__Kind kind, uint64_t seq, uint64_t ack, const uint8_t *body,
                    size_t body_len)
{
    uint8_t *buf;
    size_t len;
    check(tb_env_pack(sender, receiver, kind, seq, ack, body, body_len, &buf, &len), name);
    put("env", name, buf, len);
    free(buf);
}

static void items_and_envelopes(void)
{
    check(tb_caseid_format(VILLAGE, AT_MS, 7, case_id), "case id");
    ledger.client_name = "张三";
    ledger.client_phone = "13800138000";
    ledger.agent = "李四";
    ledger.item_code = "YB001";
    ledger.note = "代办新农合参保, \"加急\"";
    ledger.accept_time_ms = AT_MS;

    Tongban__V1__CaseEvent ev;
    uint8_t *logged, *submitted;
    size_t logged_len, submitted_len;

    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED, VILLAGE, 7);
    ev.ledger = &ledger;
    put_item("logged", &ev, NULL, &logged, &logged_len);
    ledger.client_phone = "0796-1234567";
    put_item("logged-landline", &ev, NULL, NULL, NULL);
    ledger.client_phone = "12345";
    put_item("bad-logged-phone", &ev, NULL, NULL, NULL);
    ledger.client_phone = "13800138000";
    ev.ledger = NULL;
    put_item("bad-logged-no-ledger", &ev, NULL, NULL, NULL);

    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED, VILLAGE, 8);
    ev.target = TOWNSHIP;
    put_item("submitted", &ev, NULL, &submitted, &submitted_len);
    ev.target = "";
    put_item("bad-submitted-no-target", &ev, NULL, NULL, NULL);

    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_RECEIVED, TOWNSHIP, 1);
    put_item("received", &ev, NULL, NULL, NULL);
    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_ACCEPTED, TOWNSHIP, 2);
    ev.reason = "材料齐全";
    put_item("accepted", &ev, NULL, NULL, NULL);
    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED, TOWNSHIP, 3);
    ev.target = COUNTY;
    put_item("forwarded", &ev, NULL, NULL, NULL);
    event_init(&ev, (Tongban__V1__EventType)9, TOWNSHIP, 4);
    put_item("bad-event-type", &ev, NULL, NULL, NULL);

    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = case_id;
    st.state = "accepted";
    st.holder = TOWNSHIP;
    st.version = 4;
    st.at_ms = AT_MS;
    uint8_t *status;
    size_t status_len;
    put_item("status", NULL, &st, &status, &status_len);
    st.state = "closed";
    put_item("bad-status-state", NULL, &st, NULL, NULL);

    /* A truncated item: decodes as nothing. */
    put("item", "bad-truncated", logged, logged_len / 2);

    put_env("data-logged", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 1, 0, logged,
            logged_len);
    put_env("data-submitted", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 2, 3, submitted,
            submitted_len);
    put_env("data-status", COUNTY, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 5, 9, status,
            status_len);
    put_env("ack", TOWNSHIP, VILLAGE, TONGBAN__V1__KIND__KIND_ACK, 0, 2, NULL, 0);

    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    uint8_t hbuf[64];
    hb.sent_at_ms = AT_MS;
    hb.backlog = 3;
    size_t hlen = tongban__v1__heartbeat__pack(&hb, hbuf);
    put("heartbeat", "typical", hbuf, hlen);
    put_env("heartbeat", VILLAGE, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, hbuf,
            hlen);
    hb.sent_at_ms = INT64_MIN;
    hb.backlog = UINT64_MAX;
    put("heartbeat", "extremes", hbuf, tongban__v1__heartbeat__pack(&hb, hbuf));
    hb.sent_at_ms = 0;
    hb.backlog = 0;
    put("heartbeat", "empty", hbuf, tongban__v1__heartbeat__pack(&hb, hbuf));

    Tongban__V1__Unreachable u = TONGBAN__V1__UNREACHABLE__INIT;
    uint8_t ubuf[64];
    u.peer = VILLAGE;
    size_t ulen = tongban__v1__unreachable__pack(&u, ubuf);
    put("unreachable", "village", ubuf, ulen);
    put_env("unreachable", TB_BROKER_CODE, TOWNSHIP, TONGBAN__V1__KIND__KIND_UNREACHABLE, 0, 0,
            ubuf, ulen);
    u.peer = "3608261000";
    put("unreachable", "bad-short-code", ubuf, tongban__v1__unreachable__pack(&u, ubuf));

    /* Near misses, one rule each. */
    put_env("bad-data-seq0", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 0, 0, logged,
            logged_len);
    put_env("bad-data-nobody", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, 3, 0, NULL, 0);
    put_env("bad-ack-seq", TOWNSHIP, VILLAGE, TONGBAN__V1__KIND__KIND_ACK, 4, 2, NULL, 0);
    put_env("bad-sender", "36082610000x", TOWNSHIP, TONGBAN__V1__KIND__KIND_ACK, 0, 1, NULL, 0);
    put_env("bad-kind", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_UNSPECIFIED, 0, 0, NULL, 0);

    /* Version 2: the envelope tb_env_pack() would make, with field 1 changed. */
    uint8_t *buf;
    size_t len;
    check(tb_env_pack(TOWNSHIP, VILLAGE, TONGBAN__V1__KIND__KIND_ACK, 0, 2, NULL, 0, &buf, &len),
          "version 2");
    if (len < 2 || buf[0] != 0x08 || buf[1] != TB_PROTO_VERSION) {
        fprintf(stderr, "fuzz-seeds: unexpected envelope layout\n");
        exit(1);
    }
    buf[1] = 2;
    put("env", "bad-version", buf, len);
    free(buf);

    free(logged);
    free(submitted);
    free(status);
}

/* ---- Text: calendar and CSV lines ---- */

static void calendars(void)
{
    const char *path = TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv";
    FILE *f = fopen(path, "rb");
    static char buf[8192];
    size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (!f || ferror(f) || len == sizeof buf) {
        fprintf(stderr, "fuzz-seeds: %s: cannot read\n", path);
        exit(1);
    }
    fclose(f);
    put("calendar", "holidays-cn-2026.csv", buf, len);

    put_str("calendar", "crlf-bom-noname.csv",
            "\xef\xbb\xbf"
            "date,kind,holiday\r\n2026-02-14,work,\r\n2026-02-15,off\r\n2026-02-16,off,春节");
    put_str("calendar", "header-only.csv", "date,kind,holiday\n");
    put_str("calendar", "bad-descending.csv",
            "date,kind,holiday\n2026-10-02,off,国庆节\n2026-10-01,off,国庆节\n");
    put_str("calendar", "bad-date.csv", "date,kind,holiday\n2026-02-30,off,x\n");
    put_str("calendar", "bad-kind.csv", "date,kind,holiday\n2026-05-01,holiday,劳动节\n");
    put_str("calendar", "bad-blank-line.csv", "date,kind,holiday\n2026-05-01,off,劳动节\n\n");
    put_str("calendar", "bad-name-utf8.csv", "date,kind,holiday\n2026-05-01,off,\xc0\xaf\n");
}

static void csv_lines(void)
{
    put_str("csv", "village.csv", "360826100001,\"文田社区居委会\",360826100,36,3608,360826\n");
    put_str("csv", "catalog.csv",
            "YB001,新农合参保登记及缴费,township,immediate,0,0,居民身份证:core;户口簿:core\r\n");
    put_str("csv", "quoted-comma.csv", "360826,\"泰和县, 吉安市\",\"he said \"\"hi\"\"\",\n");
    put_str("csv", "empty-fields.csv", ",,,");
    put_str("csv", "empty.csv", "");
    put_str("csv", "bad-unterminated.csv", "a,\"b,c\n");
    put_str("csv", "bad-quote-inside.csv", "a,b\"c,d");
    put_str("csv", "bad-after-quote.csv", "\"a\"b,c");
    put_str("csv", "bad-too-many.csv", "0,1,2,3,4,5,6,7,8,9,a,b,c,d,e,f,g");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    items_and_envelopes();
    calendars();
    csv_lines();
    return 0;
}
