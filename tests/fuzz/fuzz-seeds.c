/* fuzz-seeds: write the expectations of the fuzz harnesses.
 *
 *     fuzz-seeds DIR      (normally tests/fuzz)
 *
 * Writes DIR/expect/<name>/accept/<case> and DIR/expect/<name>/reject/<case>:
 * inputs the decoder under test must accept, resp. refuse.  The replay test
 * (fuzz-main.c) checks every verdict, and the fuzz runs start from them, so
 * the fuzzer begins beside every rejection path.  Every validation rule of a
 * decoder has a reject case one step past it (one byte over a length limit,
 * one unit past a range, one malformed field, the rest valid), and where a
 * limit exists an accept case just inside it.  The protobuf inputs are made
 * with the project's own packers (tb_env_pack, tb_pack_item, protobuf-c), so
 * they are what nodes really send.
 *
 * Run it by hand after a change of a decoder's rules and commit the output;
 * it is not a test.  Files of the same name are overwritten, others (written
 * by hand) are left alone. */
#include "tb_case.h"
#include "tb_catalog.h"
#include "tb_error.h"
#include "tb_labels.h"
#include "tb_node.h"
#include "tb_wire.h"
#include "tongban_store.pb-c.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VILLAGE "360826100001"
#define TOWNSHIP "360826100000"
#define COUNTY "360826000000"
#define AT_MS INT64_C(1767600000000) /* 2026-01-05 16:00 CST */

static const char *outdir;

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* Write one expectation: verdict is "accept" or "reject". */
static void put(const char *harness, const char *verdict, const char *name, const void *buf,
                size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/expect", outdir);
    make_dir(path);
    snprintf(path, sizeof path, "%s/expect/%s", outdir, harness);
    make_dir(path);
    snprintf(path, sizeof path, "%s/expect/%s/%s", outdir, harness, verdict);
    make_dir(path);
    snprintf(path, sizeof path, "%s/expect/%s/%s/%s", outdir, harness, verdict, name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f) != 0) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void put_str(const char *harness, const char *verdict, const char *name, const char *s)
{
    put(harness, verdict, name, s, strlen(s));
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "fuzz-seeds: %s: %s\n", what, tb_strerror(rc));
        exit(1);
    }
}

/* A string of n copies of c (n < 8192), in one of a few static buffers. */
static char *rep(char c, size_t n)
{
    static char bufs[4][8192];
    static int next;
    char *b = bufs[next++ % 4];
    memset(b, c, n);
    b[n] = '\0';
    return b;
}

/* n bytes of UTF-8 made of "汉" (3 bytes) and 'a' to fill. */
static char *han(size_t n)
{
    static char bufs[2][8192];
    static int next;
    char *b = bufs[next++ % 2];
    size_t i = 0;
    for (; i + 3 <= n; i += 3)
        memcpy(b + i, "\xe6\xb1\x89", 3);
    for (; i < n; i++)
        b[i] = 'a';
    b[n] = '\0';
    return b;
}

/* ---- Items (tb_item_decode) ---- */

static char case_id[TB_CASEID_MAX];
static Tongban__V1__LedgerRecord ledger;

static void ledger_init(void)
{
    ledger = (Tongban__V1__LedgerRecord)TONGBAN__V1__LEDGER_RECORD__INIT;
    ledger.client_name = "张三";
    ledger.client_phone = "13800138000";
    ledger.agent = "李四";
    ledger.item_code = "YB001";
    ledger.note = "代办新农合参保, \"加急\"";
    ledger.accept_time_ms = AT_MS;
}

/* A valid event of the type: its own fields filled as the rules want. */
static void event_init(Tongban__V1__CaseEvent *ev, Tongban__V1__EventType type)
{
    static char *materials[] = {"居民身份证", "户口簿"};
    *ev = (Tongban__V1__CaseEvent)TONGBAN__V1__CASE_EVENT__INIT;
    ev->origin_node = type == TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED ? VILLAGE : TOWNSHIP;
    ev->origin_seq = 7;
    ev->case_id = case_id;
    ev->type = type;
    ev->actor = "李四";
    ev->at_ms = AT_MS;
    switch (type) {
    case TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED:
        ledger_init();
        ev->ledger = &ledger;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_SUBMITTED:
        ev->target = TOWNSHIP;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_FORWARDED:
        ev->target = COUNTY;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_NOTICE:
    case TONGBAN__V1__EVENT_TYPE__EVENT_SUPPLEMENTED:
        ev->materials = materials;
        ev->n_materials = 2;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_PLEDGED:
        ev->materials = materials;
        ev->n_materials = 1;
        ev->due_ms = AT_MS + 7 * 86400000LL;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_REFUSED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_NOTE:
        ev->reason = "材料不属于本事项";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_DECIDED:
        ev->decision = TONGBAN__V1__DECISION__DECISION_GRANT;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_SUSPENDED:
        ev->basis = "survey";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_RATED:
        ev->rating = 5;
        ev->comment = "办得快";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP:
        ev->rating = 4;
        ev->comment = "整改后满意";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED:
        ev->origin_node = COUNTY;
        ev->rejected_origin = VILLAGE;
        ev->rejected_seq = 9;
        ev->reason = "not-holder";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_CARD_RAISED:
        ev->origin_node = COUNTY;
        ev->card_id = 3;
        ev->card_level = "red";
        ev->card_kind = "deadline";
        ev->due_ms = AT_MS - 86400000LL;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_SUPERVISED:
        ev->reason = "请于期限内办结并反馈";
        ev->due_ms = AT_MS + 3 * 86400000LL;
        /* fall through */
    case TONGBAN__V1__EVENT_TYPE__EVENT_CARD_CLEARED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_URGED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_CIRCULATED:
        ev->origin_node = COUNTY;
        ev->card_id = 3;
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_SUPERVISION_REPLY:
        ev->card_id = 3;
        ev->reason = "已办结";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED:
        ev->complaint_kind = "complaint";
        ev->reason = "窗口态度差";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED:
        ev->reason = "已整改并向群众说明";
        break;
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_ASSIGNED:
        ev->target = TOWNSHIP;
        /* fall through */
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_ACCEPTED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_DECLINED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REVISITED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_CLOSED:
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REDONE:
    case TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_FAULT:
        ev->origin_node = COUNTY;
        ev->complaint_id = 5;
        ev->reason = "县级处理意见";
        break;
    default:
        break;
    }
}

static void pack_item(const tb_item_msg_t *item, const char *verdict, const char *name,
                      uint8_t **ret_buf, size_t *ret_len)
{
    /* protobuf-c directly: tb_pack_item() refuses what is over the limit. */
    size_t len = tongban__v1__item__get_packed_size(item);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        exit(1);
    tongban__v1__item__pack(item, buf);
    put("item", verdict, name, buf, len);
    if (ret_buf) {
        *ret_buf = buf;
        *ret_len = len;
    } else {
        free(buf);
    }
}

static void put_event(const char *verdict, const char *name, Tongban__V1__CaseEvent *ev)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = ev;
    pack_item(&item, verdict, name, NULL, NULL);
}

static void put_status(const char *verdict, const char *name, Tongban__V1__StatusUpdate *st)
{
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
    item.status = st;
    pack_item(&item, verdict, name, NULL, NULL);
}

static void put_statuses(const char *verdict, const char *name, Tongban__V1__StatusUpdate **v,
                         size_t n)
{
    Tongban__V1__StatusList l = TONGBAN__V1__STATUS_LIST__INIT;
    l.n_updates = n;
    l.updates = v;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUSES;
    item.statuses = &l;
    pack_item(&item, verdict, name, NULL, NULL);
}

static void put_data(const char *verdict, const char *name, const char *kind, uint32_t version,
                     const char *body, size_t len)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)kind;
    dv.version = version;
    dv.body.data = (uint8_t *)body;
    dv.body.len = len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    pack_item(&item, verdict, name, NULL, NULL);
}

static size_t data_item_size(const char *body, size_t len)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = TB_DATA_CATALOG;
    dv.version = 1;
    dv.body.data = (uint8_t *)body;
    dv.body.len = len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    return tongban__v1__item__get_packed_size(&item);
}

static const char catalog_header[] = "code,name,level,kind,promised_days,legal_days,materials\n";
static const char catalog_row[] =
    "YB001,新农合参保登记及缴费,township,immediate,0,0,居民身份证:core\n";
static const char calendar_text[] = "date,kind,holiday\n2026-10-01,off,国庆节\n2026-10-10,work,\n";

/* One event of each type, then one rule broken per reject case. */
static void items(void)
{
    Tongban__V1__CaseEvent ev;
    char name[64];
    check(tb_caseid_format(VILLAGE, AT_MS, 7, case_id), "case id");
    for (int t = 1; t < TB_EV_LAST; t++) {
        if (!tb_event_name((tb_event_type_t)t)[0])
            continue; /* a number the contract leaves unused */
        event_init(&ev, (Tongban__V1__EventType)t);
        snprintf(name, sizeof name, "event-%s", tb_event_name((tb_event_type_t)t));
        for (char *u = name; *u; u++)
            if (*u == '_')
                *u = '-'; /* the committed file names use hyphens */
        put_event("accept", name, &ev);
    }

#define EV(verdict, name, type, ...)                                                               \
    do {                                                                                           \
        event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_##type);                                    \
        __VA_ARGS__;                                                                               \
        put_event(verdict, name, &ev);                                                             \
    } while (0)

    /* The event's id and time. */
    EV("reject", "origin-11-digits", ACCEPTED, ev.origin_node = "36082610000");
    EV("reject", "origin-letter", ACCEPTED, ev.origin_node = "36082610000x");
    /* Supervision (issue 11): the card or order is named; only a raised card has a level. */
    EV("reject", "card-no-id", CARD_RAISED, ev.card_id = 0);
    EV("reject", "card-level-green", CARD_RAISED, ev.card_level = "green");
    EV("reject", "card-kind-unknown", CARD_RAISED, ev.card_kind = "complaint");
    EV("reject", "card-level-on-cleared", CARD_CLEARED, ev.card_level = "red");
    EV("reject", "card-id-on-note", NOTE, ev.card_id = 3);
    EV("reject", "origin-seq-0", ACCEPTED, ev.origin_seq = 0);
    EV("reject", "caseid-month-13", ACCEPTED, ev.case_id = "360826100001-20261305-0007");
    EV("reject", "caseid-seq-3-digits", ACCEPTED, ev.case_id = "360826100001-20260105-007");
    EV("accept", "caseid-seq-10-digits", ACCEPTED, ev.case_id = "360826100001-20260105-0000000007");
    EV("reject", "caseid-seq-11-digits", ACCEPTED,
       ev.case_id = "360826100001-20260105-00000000007");
    EV("accept", "at-2000", ACCEPTED, ev.at_ms = TB_TIME_MIN_MS);
    EV("reject", "at-1999", ACCEPTED, ev.at_ms = TB_TIME_MIN_MS - 1);
    EV("accept", "at-2099", ACCEPTED, ev.at_ms = TB_TIME_MAX_MS - 1);
    EV("reject", "at-2100", ACCEPTED, ev.at_ms = TB_TIME_MAX_MS);
    EV("reject", "at-0", ACCEPTED, ev.at_ms = 0);
    EV("reject", "due-1999", PLEDGED, ev.due_ms = TB_TIME_MIN_MS - 1);
    EV("accept", "due-2099", PLEDGED, ev.due_ms = TB_TIME_MAX_MS - 1);
    EV("reject", "due-2100", PLEDGED, ev.due_ms = TB_TIME_MAX_MS);
    EV("reject", "type-0", ACCEPTED, ev.type = 0);
    EV("reject", "type-last", ACCEPTED, ev.type = (Tongban__V1__EventType)TB_EV_LAST);
    /* Free text. */
    EV("accept", "actor-256-bytes", ACCEPTED, ev.actor = han(TB_MAX_FIELD));
    EV("reject", "actor-257-bytes", ACCEPTED, ev.actor = han(TB_MAX_FIELD + 1));
    EV("reject", "actor-not-utf8", ACCEPTED, ev.actor = "\xe6\xb1");
    EV("accept", "reason-2048-bytes", REFUSED, ev.reason = han(TB_MAX_NOTE));
    EV("reject", "reason-2049-bytes", REFUSED, ev.reason = han(TB_MAX_NOTE + 1));
    EV("reject", "reason-not-utf8", REFUSED, ev.reason = "\xc0\xaf");
    /* Handovers and their target. */
    EV("reject", "submitted-no-target", SUBMITTED, ev.target = "");
    EV("reject", "submitted-bad-target", SUBMITTED, ev.target = "3608261000001");
    EV("reject", "forwarded-no-target", FORWARDED, ev.target = NULL);
    EV("reject", "received-with-target", RECEIVED, ev.target = TOWNSHIP);
    /* Materials, basis, rating, comment, decision. */
    static char *many[TB_ITEM_MATERIALS_MAX + 1];
    for (int i = 0; i <= TB_ITEM_MATERIALS_MAX; i++) {
        char m[8];
        snprintf(m, sizeof m, "m%d", i);
        many[i] = strdup(m);
    }
    static char *empty_one[] = {""};
    static char *long_one[1];
    long_one[0] = strdup(han(TB_MATERIAL_NAME_MAX + 1));
    static char *max_one[1];
    max_one[0] = strdup(han(TB_MATERIAL_NAME_MAX));
    EV("accept", "materials-16", NOTICE, ev.materials = many,
       ev.n_materials = TB_ITEM_MATERIALS_MAX);
    EV("reject", "materials-17", NOTICE, ev.materials = many,
       ev.n_materials = TB_ITEM_MATERIALS_MAX + 1);
    EV("reject", "material-empty", NOTICE, ev.materials = empty_one, ev.n_materials = 1);
    EV("accept", "material-64-bytes", NOTICE, ev.materials = max_one, ev.n_materials = 1);
    EV("reject", "material-65-bytes", NOTICE, ev.materials = long_one, ev.n_materials = 1);
    EV("accept", "basis-32-bytes", SUSPENDED, ev.basis = rep('b', 32));
    EV("reject", "basis-33-bytes", SUSPENDED, ev.basis = rep('b', 33));
    EV("reject", "rating-6", RATED, ev.rating = 6);
    /* GB/T 39735's four indicators: all four or none, each 1..5, on a rating only. */
    EV("accept", "rated-indicators", RATED, ev.rating_overall = 5, ev.rating_efficiency = 4,
       ev.rating_skill = 3, ev.rating_attitude = 1);
    EV("reject", "rated-indicators-three", RATED, ev.rating_overall = 5, ev.rating_efficiency = 4,
       ev.rating_skill = 3);
    EV("reject", "rated-indicator-6", RATED, ev.rating_overall = 5, ev.rating_efficiency = 4,
       ev.rating_skill = 3, ev.rating_attitude = 6);
    EV("reject", "indicators-on-note", NOTE, ev.rating_overall = 5, ev.rating_efficiency = 4,
       ev.rating_skill = 3, ev.rating_attitude = 1);
    EV("accept", "comment-2048-bytes", RATED, ev.comment = han(TB_MAX_NOTE));
    EV("reject", "comment-2049-bytes", RATED, ev.comment = han(TB_MAX_NOTE + 1));
    EV("accept", "decision-deny", DECIDED, ev.decision = TONGBAN__V1__DECISION__DECISION_DENY,
       ev.reason = "不符合条件");
    EV("reject", "decision-3", DECIDED, ev.decision = (Tongban__V1__Decision)3);
    /* The county's REJECTED verdicts. */
    EV("reject", "rejected-no-origin", REJECTED, ev.rejected_origin = "");
    EV("reject", "rejected-bad-origin", REJECTED, ev.rejected_origin = "36082610000");
    EV("reject", "rejected-seq-0", REJECTED, ev.rejected_seq = 0);
    EV("reject", "rejected-no-reason", REJECTED, ev.reason = "");
    EV("reject", "note-with-rejected-origin", NOTE, ev.rejected_origin = VILLAGE,
       ev.rejected_seq = 1);
    /* The ledger (LOGGED only). */
    EV("reject", "logged-no-ledger", LOGGED, ev.ledger = NULL);
    ledger_init();
    EV("reject", "received-with-ledger", RECEIVED, ev.ledger = &ledger);
    EV("accept", "phone-landline-dash", LOGGED, ledger.client_phone = "0796-1234567");
    EV("accept", "phone-landline-12-digits", LOGGED, ledger.client_phone = "079612345678");
    EV("reject", "phone-5-digits", LOGGED, ledger.client_phone = "12345");
    EV("reject", "phone-mobile-12", LOGGED, ledger.client_phone = "12800138000");
    EV("reject", "phone-mobile-10-digits", LOGGED, ledger.client_phone = "1380013800");
    EV("reject", "phone-empty", LOGGED, ledger.client_phone = "");
    EV("reject", "phone-landline-short-local", LOGGED, ledger.client_phone = "0796-123456");
    EV("accept", "name-64-bytes", LOGGED, ledger.client_name = han(64));
    EV("reject", "name-65-bytes", LOGGED, ledger.client_name = han(65));
    EV("reject", "name-blank", LOGGED, ledger.client_name = "  \t");
    EV("reject", "name-newline", LOGGED, ledger.client_name = "张\n三");
    EV("reject", "name-not-utf8", LOGGED, ledger.client_name = "\xff");
    EV("accept", "agent-256-bytes", LOGGED, ledger.agent = han(TB_MAX_FIELD));
    EV("reject", "agent-257-bytes", LOGGED, ledger.agent = han(TB_MAX_FIELD + 1));
    EV("accept", "item-code-16-bytes", LOGGED, ledger.item_code = rep('Y', 16));
    EV("reject", "item-code-17-bytes", LOGGED, ledger.item_code = rep('Y', 17));
    EV("reject", "item-code-empty", LOGGED, ledger.item_code = "");
    EV("accept", "note-2048-bytes", LOGGED, ledger.note = han(TB_MAX_NOTE));
    EV("reject", "note-2049-bytes", LOGGED, ledger.note = han(TB_MAX_NOTE + 1));
    /* Free text as the keyboard checks it (tb_input, issue 8). */
    EV("accept", "note-lines-and-tab", LOGGED, ledger.note = "一\n二\t三");
    EV("accept", "note-nbsp-past-c1", LOGGED, ledger.note = "\xc2\xa0x");
    EV("reject", "note-escape", LOGGED, ledger.note = "a\x1b[2J");
    EV("reject", "note-del", LOGGED, ledger.note = "a\x7f");
    EV("reject", "note-c1-csi", LOGGED,
       ledger.note = "a\xc2\x9b"
                     "2J");
    EV("reject", "note-bidi-override", LOGGED, ledger.note = "准予\xe2\x80\xae");
    EV("reject", "note-bidi-isolate", LOGGED, ledger.note = "\xe2\x81\xa6x");
    EV("reject", "note-zero-width-only", LOGGED, ledger.note = "\xe2\x80\x8b");
    EV("reject", "name-bidi-override", LOGGED, ledger.client_name = "张\xe2\x80\xae三");
    EV("reject", "agent-c1", LOGGED, ledger.agent = "张\xc2\x9b");
    EV("reject", "result-escape", LOGGED, ledger.result = "\x1b]0;x");
    EV("accept", "result-2048-bytes", LOGGED, ledger.result = han(TB_MAX_NOTE));
    EV("reject", "result-2049-bytes", LOGGED, ledger.result = han(TB_MAX_NOTE + 1));
    EV("reject", "accept-time-0", LOGGED, ledger.accept_time_ms = 0);
    EV("accept", "completion-time-2099", LOGGED, ledger.completion_time_ms = TB_TIME_MAX_MS - 1);
    EV("reject", "completion-time-2100", LOGGED, ledger.completion_time_ms = TB_TIME_MAX_MS);
#undef EV
    for (int i = 0; i <= TB_ITEM_MATERIALS_MAX; i++)
        free(many[i]);
    free(long_one[0]);
    free(max_one[0]);

    /* Status updates. */
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = case_id;
    st.state = "accepted";
    st.holder = TOWNSHIP;
    st.version = 4;
    st.at_ms = AT_MS;
    put_status("accept", "status", &st);
    st.state = "closed";
    put_status("accept", "status-closed", &st);
    st.state = "finished";
    put_status("reject", "status-unknown-state", &st);
    st.state = "";
    put_status("reject", "status-no-state", &st);
    st.state = "none";
    put_status("reject", "status-state-none", &st);
    st.state = "accepted";
    st.holder = "36082610000";
    put_status("reject", "status-bad-holder", &st);
    st.holder = TOWNSHIP;
    st.case_id = "360826100001-20260105";
    put_status("reject", "status-bad-caseid", &st);
    st.case_id = case_id;

    /* Status lists (Item.statuses): 1..TB_STATUS_LIST_MAX updates, each as alone. */
    Tongban__V1__StatusUpdate second = st, *two[TB_STATUS_LIST_MAX + 1];
    second.state = "closed";
    for (size_t i = 0; i <= TB_STATUS_LIST_MAX; i++)
        two[i] = i % 2 ? &second : &st;
    put_statuses("accept", "statuses", two, 2);
    put_statuses("accept", "statuses-max", two, TB_STATUS_LIST_MAX);
    put_statuses("reject", "statuses-over-max", two, TB_STATUS_LIST_MAX + 1);
    put_statuses("reject", "statuses-empty", two, 0);
    second.state = "finished";
    put_statuses("reject", "statuses-one-bad", two, 2);

    /* Data versions: the body must parse as its kind. */
    char *body = malloc(TB_MAX_BODY + 2);
    if (!body)
        exit(1);
    size_t hl = strlen(catalog_header);
    memcpy(body, catalog_header, hl);
    memcpy(body + hl, catalog_row, strlen(catalog_row));
    size_t cl = hl + strlen(catalog_row);
    put_data("accept", "data-catalog", TB_DATA_CATALOG, 1, body, cl);
    put_data("accept", "data-calendar", TB_DATA_CALENDAR, 3, calendar_text, strlen(calendar_text));
    put_data("reject", "data-version-0", TB_DATA_CATALOG, 0, body, cl);
    put_data("reject", "data-unknown-kind", "places", 1, body, cl);
    put_data("reject", "data-catalog-bad-body", TB_DATA_CATALOG, 1, calendar_text,
             strlen(calendar_text));
    put_data("reject", "data-calendar-bad-body", TB_DATA_CALENDAR, 1, body, cl);
    /* Blank lines are allowed in a catalog, so a catalog of any size parses:
     * an item of exactly TB_MAX_BODY bytes (what a DATA envelope may carry),
     * one a byte longer, and a body over the limit. */
    memset(body + cl, '\n', TB_MAX_BODY + 1 - cl);
    size_t fit = TB_MAX_BODY;
    while (fit > cl && data_item_size(body, fit) > TB_MAX_BODY)
        fit--;
    if (data_item_size(body, fit) != TB_MAX_BODY ||
        data_item_size(body, fit + 1) != TB_MAX_BODY + 1) {
        fprintf(stderr, "fuzz-seeds: no item of exactly TB_MAX_BODY bytes\n");
        exit(1);
    }
    put_data("accept", "item-max-bytes", TB_DATA_CATALOG, 1, body, fit);
    put_data("reject", "item-over-max-bytes", TB_DATA_CATALOG, 1, body, fit + 1);
    put_data("reject", "data-catalog-body-over", TB_DATA_CATALOG, 1, body, TB_MAX_BODY + 1);
    free(body);

    /* Not an item at all. */
    uint8_t *logged;
    size_t logged_len;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED);
    item.event = &ev;
    pack_item(&item, "accept", "event-logged", &logged, &logged_len);
    put("item", "reject", "truncated", logged, logged_len / 2);
    put("item", "reject", "empty", "", 0); /* decodes: an item with nothing in it */
    free(logged);
}

/* ---- Envelopes (tb_env_decode) ---- */

static void put_env(const char *verdict, const char *name, const char *sender, const char *receiver,
                    Tongban__V1__Kind kind, uint64_t seq, uint64_t ack, const uint8_t *body,
                    size_t body_len)
{
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
    env.version = TB_PROTO_VERSION;
    env.sender = (char *)sender;
    env.receiver = (char *)receiver;
    env.seq = seq;
    env.ack = ack;
    env.kind = kind;
    env.body.data = (uint8_t *)body;
    env.body.len = body_len;
    size_t len = tongban__v1__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        exit(1);
    tongban__v1__envelope__pack(&env, buf);
    put("env", verdict, name, buf, len);
    free(buf);
}

/* An ACK envelope padded with an unknown field (number 99, bytes) to exactly
 * total bytes: protobuf-c keeps unknown fields, so only the frame limit can
 * refuse it. */
static void put_padded_ack(const char *verdict, const char *name, size_t total)
{
    uint8_t *ack;
    size_t len;
    check(tb_env_pack(TOWNSHIP, VILLAGE, TONGBAN__V1__KIND__KIND_ACK, 0, 2, NULL, 0, &ack, &len),
          "ack");
    /* tag 99<<3|2 = 794 = 9a 06; a 3-byte varint length fits these sizes. */
    size_t pad = total - len - 2 - 3;
    uint8_t *buf = malloc(total);
    if (!buf)
        exit(1);
    memcpy(buf, ack, len);
    uint8_t *p = buf + len;
    *p++ = 0x9a;
    *p++ = 0x06;
    *p++ = (uint8_t)(0x80 | (pad & 0x7f));
    *p++ = (uint8_t)(0x80 | ((pad >> 7) & 0x7f));
    *p++ = (uint8_t)(pad >> 14);
    memset(p, 'x', pad);
    put("env", verdict, name, buf, total);
    free(buf);
    free(ack);
}

static void envelopes(void)
{
    Tongban__V1__CaseEvent ev;
    event_init(&ev, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED);
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    uint8_t *logged;
    size_t logged_len;
    check(tb_pack_item(&item, &logged, &logged_len), "logged");

    const Tongban__V1__Kind DATA = TONGBAN__V1__KIND__KIND_DATA, ACK = TONGBAN__V1__KIND__KIND_ACK,
                            HB = TONGBAN__V1__KIND__KIND_HEARTBEAT,
                            UNR = TONGBAN__V1__KIND__KIND_UNREACHABLE;
    put_env("accept", "data", VILLAGE, TOWNSHIP, DATA, 1, 0, logged, logged_len);
    put_env("accept", "data-with-ack", VILLAGE, TOWNSHIP, DATA, 2, 3, logged, logged_len);
    put_env("accept", "ack", TOWNSHIP, VILLAGE, ACK, 0, 2, NULL, 0);
    { /* both store epochs: the sender's and the receiver's as the sender knows it */
        uint8_t *eb;
        size_t elen;
        check(tb_env_pack_epoch(TOWNSHIP, VILLAGE, DATA, 4, 2, 0x1234567890abcdefULL,
                                0xfedcba0987654321ULL, logged, logged_len, &eb, &elen),
              "epochs");
        put("env", "accept", "data-epochs", eb, elen);
        free(eb);
    }

    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    uint8_t hbuf[64];
    hb.sent_at_ms = AT_MS;
    hb.backlog = 3;
    size_t hlen = tongban__v1__heartbeat__pack(&hb, hbuf);
    put_env("accept", "heartbeat", VILLAGE, TB_BROKER_CODE, HB, 0, 0, hbuf, hlen);
    put_env("reject", "heartbeat-seq-1", VILLAGE, TB_BROKER_CODE, HB, 1, 0, hbuf, hlen);
    hb.interval_ms = 10000; /* a node announcing its interval (proto/README.md section 3) */
    hlen = tongban__v1__heartbeat__pack(&hb, hbuf);
    put_env("accept", "heartbeat-interval", VILLAGE, TB_BROKER_CODE, HB, 0, 0, hbuf, hlen);

    Tongban__V1__Unreachable u = TONGBAN__V1__UNREACHABLE__INIT;
    uint8_t ubuf[64];
    u.peer = VILLAGE;
    size_t ulen = tongban__v1__unreachable__pack(&u, ubuf);
    put_env("accept", "unreachable", TB_BROKER_CODE, TOWNSHIP, UNR, 0, 0, ubuf, ulen);
    put_env("reject", "unreachable-seq-1", TB_BROKER_CODE, TOWNSHIP, UNR, 1, 0, ubuf, ulen);

    put_env("reject", "data-seq-0", VILLAGE, TOWNSHIP, DATA, 0, 0, logged, logged_len);
    put_env("reject", "data-no-body", VILLAGE, TOWNSHIP, DATA, 3, 0, NULL, 0);
    put_env("reject", "ack-seq-4", TOWNSHIP, VILLAGE, ACK, 4, 2, NULL, 0);
    put_env("reject", "sender-letter", "36082610000x", TOWNSHIP, ACK, 0, 1, NULL, 0);
    put_env("reject", "sender-empty", "", TOWNSHIP, ACK, 0, 1, NULL, 0);
    put_env("reject", "receiver-13-digits", TOWNSHIP, "3608261000010", ACK, 0, 1, NULL, 0);
    put_env("reject", "kind-0", VILLAGE, TOWNSHIP, TONGBAN__V1__KIND__KIND_UNSPECIFIED, 0, 0, NULL,
            0);
    put_env("reject", "kind-99", VILLAGE, TOWNSHIP, (Tongban__V1__Kind)99, 0, 0, NULL, 0);

    /* The body limit: a DATA body of exactly TB_MAX_BODY, and one byte more. */
    uint8_t *big = malloc(TB_MAX_BODY + 1);
    if (!big)
        exit(1);
    memset(big, 'x', TB_MAX_BODY + 1);
    put_env("accept", "data-body-max", VILLAGE, TOWNSHIP, DATA, 1, 0, big, TB_MAX_BODY);
    put_env("reject", "data-body-over", VILLAGE, TOWNSHIP, DATA, 1, 0, big, TB_MAX_BODY + 1);
    free(big);
    /* The frame limit. */
    put_padded_ack("accept", "frame-max", TB_MAX_FRAME);
    put_padded_ack("reject", "frame-over", TB_MAX_FRAME + 1);

    /* Version 2: the envelope tb_env_pack() would make, with field 1 changed. */
    uint8_t *buf;
    size_t len;
    check(tb_env_pack(TOWNSHIP, VILLAGE, ACK, 0, 2, NULL, 0, &buf, &len), "version 2");
    if (len < 2 || buf[0] != 0x08 || buf[1] != TB_PROTO_VERSION) {
        fprintf(stderr, "fuzz-seeds: unexpected envelope layout\n");
        exit(1);
    }
    buf[1] = 2;
    put("env", "reject", "version-2", buf, len);
    put("env", "reject", "truncated", buf, len - 3);
    put("env", "reject", "empty", "", 0); /* decodes, as version 0 */
    free(buf);
    free(logged);
}

/* ---- Broker bodies: Heartbeat and Unreachable (protobuf-c) ---- */

static void broker_bodies(void)
{
    Tongban__V1__Heartbeat hb = TONGBAN__V1__HEARTBEAT__INIT;
    uint8_t buf[64];
    hb.sent_at_ms = AT_MS;
    hb.backlog = 3;
    put("heartbeat", "accept", "typical", buf, tongban__v1__heartbeat__pack(&hb, buf));
    hb.interval_ms = 10000;
    hb.epoch = 0x1234567890abcdefULL;
    put("heartbeat", "accept", "interval", buf, tongban__v1__heartbeat__pack(&hb, buf));
    hb.interval_ms = 0;
    hb.epoch = 0;
    hb.sent_at_ms = INT64_MIN;
    hb.backlog = UINT64_MAX;
    put("heartbeat", "accept", "extremes", buf, tongban__v1__heartbeat__pack(&hb, buf));
    hb.interval_ms = UINT32_MAX; /* moved to 60 s by the broker */
    put("heartbeat", "accept", "interval-max", buf, tongban__v1__heartbeat__pack(&hb, buf));
    put("heartbeat", "accept", "empty", "", 0);
    /* field 1 (int64) with its varint cut short; field 2 as length-delimited */
    put("heartbeat", "reject", "varint-cut", "\x08\x80", 2);
    put("heartbeat", "reject", "varint-11-bytes",
        "\x08\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12);
    put("heartbeat", "reject", "bytes-past-end", "\x12\x05\x01", 3);
    put("heartbeat", "reject", "field-0", "\x00\x01", 2);

    Tongban__V1__Unreachable u = TONGBAN__V1__UNREACHABLE__INIT;
    static const struct {
        const char *verdict, *name, *peer;
    } peers[] = {{"accept", "village", VILLAGE},
                 {"accept", "township", TOWNSHIP},
                 {"accept", "county", COUNTY},
                 {"reject", "peer-10-digits", "3608261000"},
                 {"reject", "peer-13-digits", "3608261000010"},
                 {"reject", "peer-letter", "36082610000x"},
                 {"reject", "peer-empty", ""}};
    for (size_t i = 0; i < sizeof peers / sizeof peers[0]; i++) {
        u.peer = (char *)peers[i].peer;
        put("unreachable", peers[i].verdict, peers[i].name, buf,
            tongban__v1__unreachable__pack(&u, buf));
    }
    put("unreachable", "reject", "bytes-past-end", "\x0a\x0c" VILLAGE, 12);
}

/* ---- Text: calendar, catalog, CSV lines ---- */

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
    put("calendar", "accept", "holidays-cn-2026.csv", buf, len);

#define CAL(verdict, name, rows) put_str("calendar", verdict, name, "date,kind,holiday\n" rows)
    put_str("calendar", "accept", "crlf-bom-noname.csv",
            "\xef\xbb\xbf"
            "date,kind,holiday\r\n2026-02-14,work,\r\n2026-02-15,off\r\n2026-02-16,off,春节");
    CAL("accept", "header-only.csv", "");
    CAL("accept", "sunday-off.csv", "2026-10-04,off,国庆节\n");
    CAL("accept", "day-min-max.csv", "0001-01-01,off,a\n9999-12-31,work,b\n");
    put_str("calendar", "reject", "empty.csv", "");
    put_str("calendar", "reject", "header-misspelt.csv", "date,kind,holidays\n");
    CAL("reject", "descending.csv", "2026-10-02,off,国庆节\n2026-10-01,off,国庆节\n");
    CAL("reject", "day-twice.csv", "2026-10-01,off,国庆节\n2026-10-01,off,国庆节\n");
    CAL("reject", "date-feb-30.csv", "2026-02-30,off,x\n");
    CAL("reject", "date-year-0.csv", "0000-12-31,off,x\n");
    CAL("reject", "date-one-digit-month.csv", "2026-5-01,off,x\n");
    CAL("reject", "kind-holiday.csv", "2026-05-01,holiday,劳动节\n");
    CAL("reject", "kind-missing.csv", "2026-05-01\n");
    CAL("reject", "blank-line.csv", "2026-05-01,off,劳动节\n\n");
    CAL("reject", "name-not-utf8.csv", "2026-05-01,off,\xc0\xaf\n");
    CAL("reject", "name-with-comma.csv", "2026-05-01,off,劳动,节\n");
    CAL("reject", "name-with-tab.csv", "2026-05-01,off,劳动\t节\n");
#undef CAL
    char text[256];
    snprintf(text, sizeof text, "date,kind,holiday\n2026-05-01,off,%s\n",
             han(TB_CALENDAR_NAME_MAX));
    put_str("calendar", "accept", "name-64-bytes.csv", text);
    snprintf(text, sizeof text, "date,kind,holiday\n2026-05-01,off,%s\n",
             han(TB_CALENDAR_NAME_MAX + 1));
    put_str("calendar", "reject", "name-65-bytes.csv", text);
}

static void catalogs(void)
{
    static char text[16384];
#define ROW(verdict, name, ...)                                                                    \
    do {                                                                                           \
        int n_ = snprintf(text, sizeof text, "%s", catalog_header);                                \
        snprintf(text + n_, sizeof text - (size_t)n_, __VA_ARGS__);                                \
        put_str("catalog", verdict, name, text);                                                   \
    } while (0)
    ROW("accept", "row.csv", "%s", catalog_row);
    ROW("accept", "crlf-blank-lines.csv", "\r\n%s\r\n\r\nYB002,b,village,help,0,0,\r\n",
        catalog_row);
    ROW("accept", "promised-1-1.csv", "YB003,a,county,promised,1,1,a:core\n");
    ROW("accept", "days-365.csv", "YB003,a,county,promised,365,365,a:core;b:noncore\n");
    ROW("accept", "code-15-chars.csv", "%s,a,county,consult,0,0,\n", rep('A', 15));
    ROW("accept", "name-200-bytes.csv", "YB003,\"%s\",county,consult,0,0,\n", han(200));
    ROW("accept", "material-name-64-bytes.csv", "YB003,a,county,consult,0,0,%s:core\n", han(64));
    ROW("reject", "code-16-chars.csv", "%s,a,county,consult,0,0,\n", rep('A', 16));
    ROW("reject", "code-lowercase.csv", "yb003,a,county,consult,0,0,\n");
    ROW("reject", "code-empty.csv", ",a,county,consult,0,0,\n");
    ROW("reject", "code-twice.csv", "%s%s", catalog_row, catalog_row);
    ROW("reject", "name-empty.csv", "YB003,,county,consult,0,0,\n");
    ROW("reject", "name-201-bytes.csv", "YB003,\"%s\",county,consult,0,0,\n", han(201));
    ROW("reject", "name-not-utf8.csv", "YB003,\xff,county,consult,0,0,\n");
    ROW("reject", "level-province.csv", "YB003,a,province,consult,0,0,\n");
    ROW("reject", "kind-other.csv", "YB003,a,county,other,0,0,\n");
    ROW("reject", "promised-days-366.csv", "YB003,a,county,promised,366,366,a:core\n");
    ROW("reject", "legal-days-negative.csv", "YB003,a,county,consult,0,-1,\n");
    ROW("reject", "days-not-a-number.csv", "YB003,a,county,consult,0,1x,\n");
    ROW("reject", "promised-0-days.csv", "YB003,a,county,promised,0,5,a:core\n");
    ROW("reject", "legal-under-promised.csv", "YB003,a,county,promised,5,4,a:core\n");
    ROW("reject", "six-fields.csv", "YB003,a,county,consult,0,0\n");
    ROW("reject", "eight-fields.csv", "YB003,a,county,consult,0,0,,\n");
    ROW("reject", "material-name-65-bytes.csv", "YB003,a,county,consult,0,0,%s:core\n", han(65));
    ROW("reject", "material-no-flag.csv", "YB003,a,county,consult,0,0,a\n");
    ROW("reject", "material-flag-other.csv", "YB003,a,county,consult,0,0,a:maybe\n");
    ROW("reject", "material-no-name.csv", "YB003,a,county,consult,0,0,:core\n");
    ROW("reject", "material-twice.csv", "YB003,a,county,consult,0,0,a:core;a:noncore\n");
    ROW("reject", "materials-text-not-utf8.csv", "YB003,a,county,consult,0,0,\xc0\xaf:core\n");
    ROW("reject", "quote-unterminated.csv", "YB003,\"a,county,consult,0,0,\n");
    /* 16 materials are the most an item has. */
    char list[512] = "", more[600];
    for (int i = 0; i < TB_ITEM_MATERIALS_MAX; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%sm%d:core", i ? ";" : "", i);
    ROW("accept", "materials-16.csv", "YB003,a,county,consult,0,0,%s\n", list);
    snprintf(more, sizeof more, "%s;m16:core", list);
    ROW("reject", "materials-17.csv", "YB003,a,county,consult,0,0,%s\n", more);
#undef ROW
    put_str("catalog", "reject", "empty.csv", "");
    put_str("catalog", "reject", "header-misspelt.csv",
            "code,name,level,kind,promised_days,legal_day,materials\n");
    put("catalog", "reject", "nul-byte.csv",
        "code,name,level,kind,promised_days,legal_days,materials\nYB003,a\0b,county,consult,0,0,\n",
        sizeof catalog_header + 25);
}

static void csv_lines(void)
{
    put_str("csv", "accept", "village.csv",
            "360826100001,\"文田社区居委会\",360826100,36,3608,360826\n");
    put_str("csv", "accept", "catalog.csv",
            "YB001,新农合参保登记及缴费,township,immediate,0,0,居民身份证:core;户口簿:core\r\n");
    put_str("csv", "accept", "quoted-comma.csv",
            "360826,\"泰和县, 吉安市\",\"he said \"\"hi\"\"\",\n");
    put_str("csv", "accept", "empty-fields.csv", ",,,");
    put_str("csv", "accept", "empty.csv", "");
    put_str("csv", "accept", "fields-16.csv", "0,1,2,3,4,5,6,7,8,9,a,b,c,d,e,f");
    put_str("csv", "reject", "fields-17.csv", "0,1,2,3,4,5,6,7,8,9,a,b,c,d,e,f,g");
    put_str("csv", "reject", "unterminated.csv", "a,\"b,c\n");
    put_str("csv", "reject", "quote-inside.csv", "a,b\"c,d");
    put_str("csv", "reject", "after-quote.csv", "\"a\"b,c");
}

/* ---- The INI config (tb_config_load) ---- */

static void configs(void)
{
    put_str("config", "accept", "all-keys.ini",
            "; a node's settings\n[node]\nplace = 360826100001\ndata_dir = /var/lib/tongban\n"
            "broker = tcp://127.0.0.1:7700\ndb = host=/tmp user=tongban\n"
            "share_dir = /usr/share/tongban\nagent = 李四\nplaces = taihe\n");
    put_str("config", "accept", "empty.ini", "");
    put_str("config", "accept", "comments-only.ini", "# nothing\n; nothing\n\n");
    put_str("config", "accept", "colon.ini", "place: 360826100001\r\n");
    put_str("config", "accept", "empty-value.ini", "agent =\n");
    put_str("config", "reject", "unknown-key.ini", "[node]\nplace = 360826100001\nplase = x\n");
    put_str("config", "reject", "no-separator.ini", "place\n");
    put_str("config", "reject", "section-unterminated.ini", "[node\nplace = 360826100001\n");
}

/* ---- A case's fold as stored (tb_case_unpack): tongban.store.v1.CaseFold ---- */

/* A valid fold: accepted, holder and origin set, one open pause. */
static Tongban__Store__V1__Pause fold_pause[TB_CASE_PAUSES_MAX + 1],
    *fold_pp[TB_CASE_PAUSES_MAX + 1];

static Tongban__Store__V1__CaseFold fold_base(void)
{
    Tongban__Store__V1__CaseFold m = TONGBAN__STORE__V1__CASE_FOLD__INIT;
    m.state = TONGBAN__STORE__V1__CASE_STATE__CASE_STATE_ACCEPTED;
    m.holder = (char *)TOWNSHIP;
    m.version = 4;
    m.origin = (char *)VILLAGE;
    m.item = (char *)"YB003";
    m.have = 3;
    m.arrived_ms = AT_MS;
    m.accepted_ms = AT_MS + 1000;
    for (int i = 0; i <= TB_CASE_PAUSES_MAX; i++) {
        tongban__store__v1__pause__init(&fold_pause[i]);
        fold_pause[i].start_ms = AT_MS + 2000 + i;
        fold_pause[i].end_ms = i == 0 ? -1 : AT_MS + 3000 + i;
        fold_pp[i] = &fold_pause[i];
    }
    m.n_pauses = 1;
    m.pauses = fold_pp;
    return m;
}

static void put_fold(const char *verdict, const char *name, const Tongban__Store__V1__CaseFold *m)
{
    uint8_t buf[1024];
    if (tongban__store__v1__case_fold__get_packed_size(m) > sizeof buf) {
        fprintf(stderr, "fuzz-seeds: fold %s too large\n", name);
        exit(1);
    }
    put("case", verdict, name, buf, tongban__store__v1__case_fold__pack(m, buf));
}

static void cases(void)
{
    Tongban__Store__V1__CaseFold m = fold_base();
    put_fold("accept", "base", &m);
    put("case", "accept", "empty-fold", "", 0); /* a fresh case: every field at its default */
    uint8_t buf[TB_CASE_PACKED_MAX];
    tb_case_t c = {0};
    c.state = TB_ST_SUSPENDED;
    c.resume = TB_ST_COUNTY;
    strcpy(c.holder, COUNTY);
    strcpy(c.origin, VILLAGE);
    strcpy(c.item, "YB003");
    c.npauses = 1;
    c.pauses[0].start_ms = AT_MS;
    c.pauses[0].end_ms = TB_PAUSE_OPEN;
    put("case", "accept", "suspended-tb_case_pack", buf, tb_case_pack(&c, buf));

    /* Each bound: just inside it (accept) and one step past it (reject). */
#define FOLD(verdict, name, stmt)                                                                  \
    do {                                                                                           \
        m = fold_base();                                                                           \
        stmt;                                                                                      \
        put_fold(verdict, name, &m);                                                               \
    } while (0)
    FOLD("accept", "state-13", m.state = (Tongban__Store__V1__CaseState)13);
    FOLD("reject", "state-14", m.state = (Tongban__Store__V1__CaseState)14);
    FOLD("reject", "state-negative", m.state = (Tongban__Store__V1__CaseState)-1);
    FOLD("accept", "resume-13", m.resume = (Tongban__Store__V1__CaseState)13);
    FOLD("reject", "resume-14", m.resume = (Tongban__Store__V1__CaseState)14);
    FOLD("reject", "resume-negative", m.resume = (Tongban__Store__V1__CaseState)-1);
    FOLD("accept", "holder-empty", m.holder = (char *)"");
    FOLD("reject", "holder-11-digits", m.holder = (char *)"36082610000");
    FOLD("reject", "holder-13-digits", m.holder = (char *)"3608261000000");
    FOLD("accept", "pending-township", m.pending = (char *)TOWNSHIP);
    FOLD("reject", "pending-letters", m.pending = (char *)"abc");
    FOLD("reject", "origin-letter", m.origin = (char *)"36082610000x");
    FOLD("accept", "item-15-chars", m.item = (char *)"YB0030000000000");
    FOLD("reject", "item-16-chars", m.item = (char *)"YB00300000000000");
    FOLD("accept", "version-max", m.version = UINT32_MAX);
    FOLD("accept", "have-max", m.have = m.missing = m.owed = UINT32_MAX);
    FOLD("accept", "noticed", m.noticed = 1);
    FOLD("accept", "rating-5", m.rating = 5);
    FOLD("reject", "rating-6", m.rating = 6);
    FOLD("accept", "followup-5", m.followup = 5);
    FOLD("reject", "followup-6", m.followup = 6);
    FOLD("accept", "decision-2", m.decision = 2);
    FOLD("reject", "decision-3", m.decision = 3);
    FOLD("accept", "times-max",
         m.arrived_ms = m.accepted_ms = m.pledge_due_ms = m.decided_ms = m.closed_ms = INT64_MAX);
    FOLD("reject", "arrived-negative", m.arrived_ms = -1);
    FOLD("reject", "accepted-negative", m.accepted_ms = -1);
    FOLD("reject", "pledge-due-negative", m.pledge_due_ms = -1);
    FOLD("reject", "decided-negative", m.decided_ms = -1);
    FOLD("reject", "closed-negative", m.closed_ms = -1);
    FOLD("accept", "pauses-0", m.n_pauses = 0);
    FOLD("accept", "pauses-8", m.n_pauses = TB_CASE_PAUSES_MAX);
    FOLD("reject", "pauses-9", m.n_pauses = TB_CASE_PAUSES_MAX + 1);
    FOLD("accept", "pause-start-0", fold_pause[0].start_ms = 0);
    FOLD("reject", "pause-start-negative", fold_pause[0].start_ms = -1);
    FOLD("reject", "pause-end-minus-2", fold_pause[0].end_ms = -2);
#undef FOLD

    /* What is not a CaseFold of this program. */
    m = fold_base();
    size_t n = tongban__store__v1__case_fold__pack(&m, buf);
    put("case", "reject", "truncated", buf, n - 1);
    uint8_t more[TB_CASE_PACKED_MAX + 16];
    memcpy(more, buf, n);
    memcpy(more + n, "\x98\x06\x01", 3); /* field 99, varint 1: a newer program's field */
    put("case", "reject", "unknown-field", more, n + 3);
    memcpy(more + n, "\x0a\x01\x00", 3); /* field 1 (state) as bytes: the wrong wire type */
    put("case", "reject", "wrong-wire-type", more, n + 3);
    /* A pause with a field of its own: field 19, length-delimited, holding
     * start_ms 1, end_ms 2 and field 3 = 1. */
    m.n_pauses = 0;
    n = tongban__store__v1__case_fold__pack(&m, buf);
    memcpy(more, buf, n);
    memcpy(more + n, "\x9a\x01\x06\x08\x01\x10\x02\x18\x01", 9);
    put("case", "reject", "unknown-field-in-pause", more, n + 9);
    memcpy(more + n, "\x9a\x01\x04\x08\x01\x10\x02", 7); /* the same pause without it */
    put("case", "accept", "pause-by-hand", more, n + 7);
    put_str("case", "reject", "text-form",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
}

/* ---- A case's fold in the text form of old stores (tb_case_text_decode) ---- */

static void case_texts(void)
{
    tb_case_t c = {0};
    char text[TB_CASE_TEXT_MAX];
    c.state = TB_ST_ACCEPTED;
    strcpy(c.holder, TOWNSHIP);
    strcpy(c.origin, VILLAGE);
    strcpy(c.item, "YB003");
    c.version = 4;
    c.have = 3;
    c.arrived_ms = AT_MS;
    c.accepted_ms = AT_MS + 1000;
    c.npauses = 1;
    c.pauses[0].start_ms = AT_MS + 2000;
    c.pauses[0].end_ms = -1;
    tb_case_text_encode(&c, text);
    put_str("casetext", "accept", "accepted-paused", text);
    tb_case_t fresh = {0};
    tb_case_text_encode(&fresh, text);
    put_str("casetext", "accept", "empty-fold", text);
    c.npauses = TB_CASE_PAUSES_MAX;
    for (int i = 0; i < TB_CASE_PAUSES_MAX; i++)
        c.pauses[i].start_ms = AT_MS + i, c.pauses[i].end_ms = AT_MS + i + 1;
    tb_case_text_encode(&c, text);
    put_str("casetext", "accept", "pauses-8", text);

    /* One field at a time past its range (fields: version state holder pending
     * version origin item resume have missing owed noticed rating decision
     * arrived accepted pledge_due decided closed npauses [start end]...). */
#define BASE "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0"
    put_str("casetext", "accept", "base", BASE);
    put_str("casetext", "accept", "base-trailing-spaces", BASE "   ");
    put_str("casetext", "reject", "format-2",
            "2 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "empty", "");
    put_str("casetext", "reject", "state-past-last",
            "1 99 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "holder-11-digits",
            "1 4 36082610000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "pending-letters",
            "1 4 360826100000 abc 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
    put_str(
        "casetext", "reject", "item-16-chars",
        "1 4 360826100000 - 4 360826100001 YB00300000000000 0 3 0 0 0 0 0 1767600000000 0 0 0 0 "
        "0");
    put_str("casetext", "accept", "item-15-chars",
            "1 4 360826100000 - 4 360826100001 YB0030000000000 0 3 0 0 0 0 0 1767600000000 0 0 0 0 "
            "0");
    put_str("casetext", "reject", "version-negative",
            "1 4 360826100000 - -1 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "version-2^32",
            "1 4 360826100000 - 4294967296 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 "
            "0");
    put_str("casetext", "reject", "noticed-2",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 2 0 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "rating-6",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 6 0 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "decision-3",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 3 1767600000000 0 0 0 0 0");
    put_str("casetext", "reject", "time-negative",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 -1 0 0 0 0 0");
    put_str("casetext", "reject", "time-not-a-number",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000x 0 0 0 0 0");
    put_str("casetext", "reject", "pauses-9",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 9");
    put_str("casetext", "reject", "pause-missing",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 1 5");
    put_str("casetext", "reject", "pause-end-minus-2",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0 1 5 -2");
    put_str("casetext", "reject", "field-missing",
            "1 4 360826100000 - 4 360826100001 YB003 0 3 0 0 0 0 0 1767600000000 0 0 0 0");
    put_str("casetext", "reject", "trailing-word", BASE " x");
#undef BASE
}

/* ---- Place files (tb_places_load_dir): byte 0 picks the file ---- */

static void places(void)
{
    /* \x00 counties, \x01 townships, \x02 villages */
#define PL(verdict, name, which, text) put("places", verdict, name, which text, sizeof(text))
    PL("accept", "counties", "\x00",
       "code,name,cityCode,provinceCode\n360826,\"泰和县\",3608,36\n");
    PL("accept", "townships", "\x01",
       "code,name,areaCode,provinceCode,cityCode\n360826100,\"澄江镇\",360826,36,3608\n\n");
    PL("accept", "villages", "\x02",
       "code,name,streetCode,provinceCode,cityCode,areaCode\n"
       "360826100001,\"文田社区居委会\",360826100,36,3608,360826\n");
    PL("accept", "header-only", "\x02", "code,name\n");
    PL("reject", "village-code-11-digits", "\x02", "code,name\n36082610000,\"文田\"\n");
    PL("reject", "township-code-12-digits", "\x01", "code,name\n360826100000,\"澄江镇\"\n");
    PL("reject", "county-code-all-zero", "\x00", "code,name\n000000,\"无\"\n");
    PL("reject", "village-name-empty", "\x02", "code,name\n360826100001,\n");
    PL("reject", "village-one-field", "\x02", "code,name\n360826100001\n");
    PL("reject", "village-quote-unterminated", "\x02", "code,name\n360826100001,\"文田\n");
#undef PL
    char text[512];
    int n = snprintf(text, sizeof text, "%c%s%s\n", 2, "code,name\n360826100001,", rep('a', 200));
    put("places", "accept", "village-name-200-bytes", text, (size_t)n);
    n = snprintf(text, sizeof text, "%c%s%s\n", 2, "code,name\n360826100001,", rep('a', 201));
    put("places", "reject", "village-name-201-bytes", text, (size_t)n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR   (tests/fuzz: writes DIR/expect/<name>/...)\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    make_dir(outdir);
    items();
    envelopes();
    broker_bodies();
    calendars();
    catalogs();
    csv_lines();
    configs();
    cases();
    case_texts();
    places();
    return 0;
}
