/* Unit tests for common/tb_report: what a person reads (the case table and
 * its alignment in terminal columns, one case with its history, the
 * catalog), in English and Chinese, and the --json shape; phone masking as
 * it is today; the deadline cards.  Output goes to a memory stream; cases
 * come from a real township store in a temp dir: a walk-in logged on
 * 2026-03-02 (in pre-review, long overdue: a red card whatever the date of
 * the run) and a consultation answered on the spot.
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

#include <jansson.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_report.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define TOWNSHIP "360826100000"
#define VILLAGE "360826100001"
#define CASE_A TOWNSHIP "-20260302-0001"
#define CASE_B TOWNSHIP "-20260302-0002"
#define AT_A 1772416800000LL /* 2026-03-02 10:00 CST */
#define AT_B 1772420400000LL /* 2026-03-02 11:00 CST */

/* ---- Output into memory ---- */

typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
} out_t;

static FILE *out_open(out_t *o)
{
    memset(o, 0, sizeof *o);
    o->fp = open_memstream(&o->buf, &o->len);
    assert_non_null(o->fp);
    return o->fp;
}

/* Close and return the text (the caller frees it). */
static char *out_close(out_t *o)
{
    assert_int_equal(fclose(o->fp), 0);
    return o->buf;
}

/* ---- Fixture ---- */

typedef struct {
    tb_tdir_t t; /* the temp dir, the shipped catalog and calendar (tb_test_store.h) */
    tb_places_t *places;
    tb_catalog_t *catalog;   /* = t.catalog */
    tb_calendar_t *calendar; /* = t.calendar */
    tb_store_t *store;
    tb_report_opts_t opts;
} fix_t;

static int emit(tb_store_t *s, const char *id, const char *item, const char *phone, int64_t at,
                const char *reply)
{
    return tb_test_log_case(s, id, item, "李四", phone, at, reply);
}

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->places = tb_places_new();
    if (!f->places || tb_places_load_dir(f->places, TB_SOURCE_DATA_DIR, "taihe", NULL, 0) < 0 ||
        tb_tdir_init(&f->t, "report") < 0 || tb_tdir_open(&f->t, TOWNSHIP, &f->store) != 0)
        return -1;
    f->catalog = f->t.catalog;
    f->calendar = f->t.calendar;
    f->opts = (tb_report_opts_t){f->places, f->catalog, false, false, f->calendar};
    tb_lang_set_en(true);
    return 0;
}

static int setup_cases(void **state)
{
    if (setup(state) < 0)
        return -1;
    fix_t *f = *state;
    if (emit(f->store, CASE_A, "YB001", "13800138000", AT_A, NULL) != 0 ||
        emit(f->store, CASE_B, "ZX001", "0796-5321234", AT_B, "已当面答复") != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->store);
    tb_places_destroy(&f->places);
    tb_tdir_fini(&f->t);
    free(f);
    return 0;
}

/* ---- Pieces ---- */

static void test_mask_phone(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } t[] = {
        {"", ""},
        {"123456", "123456"},               /* under 7: as it is */
        {"1234567", "1234567"},             /* 7: nothing falls in the masked span */
        {"12345678", "123*5678"},           /* 8: one */
        {"0796532123", "079***2123"},       /* a 10-digit landline */
        {"13800138000", "138****8000"},     /* a mobile */
        {"0796-5321234", "0796****1234"},   /* the last 8 but 4 */
        {"0796-53212345", "0796-****2345"}, /* 13 */
        {"1234567890123456789012345678901", "12345678901234567890123****8901"}, /* 31 */
        {"12345678901234567890123456789012", ""}, /* 32: does not fit, nothing shown */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[32];
        memset(buf, 'Z', sizeof buf);
        tb_mask_phone(t[i].in, buf);
        assert_string_equal(buf, t[i].want);
    }
}

static char *col_of(const char *s, int width)
{
    out_t o;
    tb_print_col(out_open(&o), s, width);
    return out_close(&o);
}

/* Padding to a width in terminal columns: CJK (and full-width) characters take two. */
static void test_print_col(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int width;
        const char *want;
    } t[] = {
        {"", 0, " "},
        {"", 3, "    "},
        {"abc", 5, "abc   "},
        {"abcd", 5, "abcd  "},
        {"abcde", 5, "abcde "},   /* exactly the width: the separator only */
        {"abcdef", 5, "abcdef "}, /* wider: never cut */
        {"李四", 8, "李四     "},
        {"李四四", 5, "李四四 "}, /* 6 columns in 5 */
        {"李a", 4, "李a  "},
        {"，", 3, "，  "},                              /* U+FF0C full-width comma: 2 */
        {"\xf0\xa0\x80\x80", 3, "\xf0\xa0\x80\x80  "},  /* U+20000, CJK extension B: 2 */
        {"\xf0\x9f\x98\x80", 3, "\xf0\x9f\x98\x80   "}, /* U+1F600 counts 1 */
        {"é", 2, "é  "},                                /* U+00E9: 1 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *got = col_of(t[i].s, t[i].width);
        assert_string_equal(got, t[i].want);
        free(got);
    }
}

static void test_header_row(void **state)
{
    (void)state;
    out_t o;
    tb_lang_set_en(true);
    tb_print_header(out_open(&o));
    char *s = out_close(&o);
    assert_string_equal(s, "case id                     client   phone         item                "
                           "     accepted at      status (holder)\n");
    free(s);
    tb_lang_set_en(false);
    tb_print_header(out_open(&o));
    s = out_close(&o);
    assert_string_equal(s, "办件编号                    群众     电话          事项                "
                           "     受理时间         状态（经办方）\n");
    free(s);
    /* A row: each column padded to its width, a wide one pushes the rest. */
    tb_print_row(out_open(&o), "360826100001-20261122-0001", "欧阳娜娜娜", "138****8000",
                 "新农合医疗费用报销", "2026-11-22 16:00");
    s = out_close(&o);
    assert_string_equal(s, "360826100001-20261122-0001  欧阳娜娜娜 138****8000   "
                           "新农合医疗费用报销       2026-11-22 16:00 ");
    free(s);
    tb_lang_set_en(true);
}

static void test_cards(void **state)
{
    fix_t *f = *state;
    int32_t wed;
    assert_rc(tb_day_parse("2026-03-04", &wed), 0);
    int64_t due = tb_day_end_ms(wed), hour = 3600000;
    assert_string_equal(tb_card_name(f->calendar, -1, AT_A), "paused");
    assert_string_equal(tb_card_name(NULL, -1, AT_A), "paused");
    assert_string_equal(tb_card_name(f->calendar, 0, AT_A), "");
    assert_string_equal(tb_card_name(NULL, due, due + 1), ""); /* no calendar: no cards */
    assert_string_equal(tb_card_name(f->calendar, due, due + 1), "red");
    assert_string_equal(tb_card_name(f->calendar, due, due), "yellow");
    assert_string_equal(tb_card_name(f->calendar, due, due - 24 * hour), "yellow");
    assert_string_equal(tb_card_name(f->calendar, due, due - 48 * hour), "");
    assert_string_equal(tb_card_name(f->calendar, INT64_MAX, due), "");

    tb_lang_set_en(true);
    assert_string_equal(tb_card_label("yellow"), "[YELLOW: due within a working day]");
    assert_string_equal(tb_card_label("red"), "[RED: overdue]");
    assert_string_equal(tb_card_label("paused"), "(clock paused)");
    assert_string_equal(tb_card_label(""), "");
    assert_string_equal(tb_card_label("green"), "");
    tb_lang_set_en(false);
    assert_string_equal(tb_card_label("yellow"), "【黄牌：一个工作日内到期】");
    assert_string_equal(tb_card_label("red"), "【红牌：已超期】");
    assert_string_equal(tb_card_label("paused"), "（计时暂停）");
    assert_string_equal(tb_card_label(""), "");
    tb_lang_set_en(true);
}

/* ---- The catalog ---- */

/* One item of each level and kind. */
static const char small_catalog[] =
    "code,name,level,kind,promised_days,legal_days,materials\n"
    "AA001,甲事项,township,immediate,0,0,居民身份证:core;户口簿:noncore\n"
    "AA002,乙事项,county,promised,5,10,\n"
    "ZX001,政策咨询,village,consult,0,0,\n"
    "BF001,帮扶求助,village,help,0,0,\n";

static char *items(const tb_catalog_t *c, uint32_t cat, uint32_t cal, bool json)
{
    out_t o;
    assert_rc(tb_report_items(c, cat, cal, json, out_open(&o)), 0);
    return out_close(&o);
}

static void test_items_text(void **state)
{
    (void)state;
    tb_catalog_t *c = tb_catalog_new();
    int line;
    assert_rc(tb_catalog_load_buf(c, small_catalog, strlen(small_catalog), &line), 0);
    tb_lang_set_en(true);
    char *s = items(c, 0, 3, false);
    assert_string_equal(
        s, "catalog version 0 (shipped), holiday calendar version 3\n"
           "AA001   township  immediate     甲事项\n"
           "        居民身份证 (core)\n"
           "        户口簿 (non-core, may be owed)\n"
           "AA002   county    promised      乙事项 (promised 5 working days, legal 10)\n"
           "ZX001   village   consultation  政策咨询\n"
           "BF001   village   help          帮扶求助\n");
    free(s);
    tb_lang_set_en(false);
    s = items(c, 7, 0, false);
    assert_string_equal(s, "事项目录第 7 版，节假日日历第 0 版（随附）\n"
                           "AA001   乡镇  即办件  甲事项\n"
                           "        居民身份证（核心）\n"
                           "        户口簿（非核心，可容缺）\n"
                           "AA002   县级  承诺件  乙事项（承诺5个工作日，法定10个）\n"
                           "ZX001   村级  咨询    政策咨询\n"
                           "BF001   村级  帮扶    帮扶求助\n");
    free(s);
    tb_lang_set_en(true);
    tb_catalog_destroy(&c);
}

/* The keys of a JSON object, in order, joined by commas. */
static void keys_of(json_t *o, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        (void)v;
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "", k);
    }
}

static json_t *parse_json(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        print_error("line %d: %s\n%s\n", e.line, e.text, s);
    assert_non_null(j);
    return j;
}

static void test_items_json(void **state)
{
    (void)state;
    tb_catalog_t *c = tb_catalog_new();
    int line;
    assert_rc(tb_catalog_load_buf(c, small_catalog, strlen(small_catalog), &line), 0);
    char *s = items(c, 4, 9, true);
    json_t *j = parse_json(s);
    char keys[512];
    keys_of(j, keys, sizeof keys);
    assert_string_equal(keys, "catalog_version,calendar_version,items");
    assert_int_equal(json_integer_value(json_object_get(j, "catalog_version")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "calendar_version")), 9);
    json_t *arr = json_object_get(j, "items");
    assert_int_equal(json_array_size(arr), 4);
    keys_of(json_array_get(arr, 0), keys, sizeof keys);
    assert_string_equal(keys,
                        "code,name,level,level_label,kind,kind_label,promised_days,legal_days,"
                        "materials,material_list");
    static const char *const want[4][4] = {{"AA001", "甲事项", "township", "immediate"},
                                           {"AA002", "乙事项", "county", "promised"},
                                           {"ZX001", "政策咨询", "village", "consultation"},
                                           {"BF001", "帮扶求助", "village", "help"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *it = json_array_get(arr, i);
        assert_string_equal(json_string_value(json_object_get(it, "code")), want[i][0]);
        assert_string_equal(json_string_value(json_object_get(it, "name")), want[i][1]);
        assert_string_equal(json_string_value(json_object_get(it, "level")), want[i][2]);
        assert_string_equal(json_string_value(json_object_get(it, "kind")), want[i][3]);
    }
    json_t *b = json_array_get(arr, 1);
    assert_int_equal(json_integer_value(json_object_get(b, "promised_days")), 5);
    assert_int_equal(json_integer_value(json_object_get(b, "legal_days")), 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "materials")),
                        "居民身份证:core;户口簿:noncore");
    /* The same list, structured, for the screens. */
    json_t *ml = json_object_get(json_array_get(arr, 0), "material_list");
    assert_int_equal(json_array_size(ml), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ml, 0), "name")),
                        "居民身份证");
    assert_true(json_is_true(json_object_get(json_array_get(ml, 0), "core")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ml, 1), "name")),
                        "户口簿");
    assert_true(json_is_false(json_object_get(json_array_get(ml, 1), "core")));
    json_decref(j);
    free(s);
    /* English words in JSON whatever the language. */
    tb_lang_set_en(false);
    s = items(c, 0, 0, true);
    j = parse_json(s);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 2), "kind")),
        "consultation");
    json_decref(j);
    free(s);
    tb_lang_set_en(true);
    tb_catalog_destroy(&c);
}

/* ---- Cases ---- */

static char *cases(fix_t *f, const char *held)
{
    out_t o;
    assert_rc(tb_report_cases(f->store, held, &f->opts, out_open(&o)), 0);
    return out_close(&o);
}

static char *one(fix_t *f, const char *id)
{
    out_t o;
    assert_rc(tb_report_case(f->store, id, &f->opts, out_open(&o)), 0);
    return out_close(&o);
}

static void test_cases_text(void **state)
{
    fix_t *f = *state;
    tb_lang_set_en(true);
    char *s = cases(f, NULL);
    assert_string_equal(
        s,
        "case id                     client   phone         item                     accepted at "
        "     status (holder)\n"
        "360826100000-20260302-0001  李四     13800138000   新农合参保登记及缴费     2026-03-02 "
        "10:00 pre-review at township (澄江镇)  due: 2026-03-04 23:59[RED: overdue]\n"
        "360826100000-20260302-0002  李四     0796-5321234  政策咨询                 2026-03-02 "
        "11:00 closed (澄江镇)\n"
        "2 case(s)\n");
    free(s);
    tb_lang_set_en(false);
    f->opts.mask_phone = true;
    s = cases(f, NULL);
    assert_string_equal(
        s,
        "办件编号                    群众     电话          事项                     受理时间    "
        "     状态（经办方）\n"
        "360826100000-20260302-0001  李四     138****8000   新农合参保登记及缴费     2026-03-02 "
        "10:00 乡镇预审中（澄江镇）  期限：2026-03-04 23:59【红牌：已超期】\n"
        "360826100000-20260302-0002  李四     0796****1234  政策咨询                 2026-03-02 "
        "11:00 已办结（澄江镇）\n"
        "共 2 件\n");
    free(s);
    /* Held by another node: none. */
    tb_lang_set_en(true);
    s = cases(f, VILLAGE);
    assert_string_equal(s, "case id                     client   phone         item                "
                           "     accepted at      status (holder)\n"
                           "0 case(s)\n");
    free(s);
    s = cases(f, TOWNSHIP);
    assert_non_null(strstr(s, "2 case(s)\n"));
    free(s);
}

static void test_cases_json(void **state)
{
    fix_t *f = *state;
    f->opts.json = true;
    f->opts.mask_phone = true;
    char *s = cases(f, NULL);
    json_t *j = parse_json(s);
    assert_true(json_is_array(j));
    assert_int_equal(json_array_size(j), 2);
    json_t *a = json_array_get(j, 0), *b = json_array_get(j, 1);
    char keys[1024];
    keys_of(a, keys, sizeof keys);
    assert_string_equal(
        keys, "case_id,client_name,client_phone,agent,item_code,item_name,note,accept_time,"
              "accept_time_ms,state,state_label,holder,holder_name,pending,updated,version,"
              "county_state_label,county_state,county_version,county_card,county_card_label,due,"
              "due_ms,legal_due,legal_due_ms,"
              "card,card_label,to_bring,rating,rating_label,rating_comment,decision,result,"
              "completion_time,returned,returned_reason,followup,followup_label,followup_comment");
    assert_string_equal(json_string_value(json_object_get(a, "case_id")), CASE_A);
    assert_string_equal(json_string_value(json_object_get(a, "client_phone")), "138****8000");
    assert_string_equal(json_string_value(json_object_get(a, "item_name")), "新农合参保登记及缴费");
    assert_string_equal(json_string_value(json_object_get(a, "state")), "prereview");
    assert_string_equal(json_string_value(json_object_get(a, "holder_name")), "澄江镇");
    assert_int_equal(json_integer_value(json_object_get(a, "accept_time_ms")), AT_A);
    assert_true(json_is_null(json_object_get(a, "county_state")));
    assert_int_equal(json_integer_value(json_object_get(a, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "2026-03-04 23:59");
    assert_int_equal(json_integer_value(json_object_get(a, "due_ms")), 1772639999999);
    assert_string_equal(json_string_value(json_object_get(a, "card")), "red");
    assert_string_equal(json_string_value(json_object_get(a, "card_label")), "[RED: overdue]");
    assert_string_equal(json_string_value(json_object_get(a, "completion_time")), "-");
    assert_string_equal(json_string_value(json_object_get(b, "client_phone")), "0796****1234");
    assert_string_equal(json_string_value(json_object_get(b, "state")), "closed");
    assert_string_equal(json_string_value(json_object_get(b, "due")), "-");
    assert_string_equal(json_string_value(json_object_get(b, "card")), "");
    assert_string_equal(json_string_value(json_object_get(b, "result")), "已当面答复");
    assert_string_equal(json_string_value(json_object_get(b, "completion_time")),
                        "2026-03-02 11:00");
    json_decref(j);
    free(s);
    /* Unmasked; and none held: an empty array. */
    f->opts.mask_phone = false;
    s = cases(f, NULL);
    j = parse_json(s);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "client_phone")),
                        "13800138000");
    json_decref(j);
    free(s);
    s = cases(f, VILLAGE);
    assert_string_equal(s, "[]\n");
    free(s);
}

/* While a case's clock is stopped its row has paused 1 and both deadlines 0
 * (tb_project); the output says "paused" and gives due_ms 0, as the county's
 * does, not a -1 of its own. */
static void test_cases_json_paused(void **state)
{
    fix_t *f = *state;
    assert_int_equal(sqlite3_exec(tb_store_db(f->store),
                                  "UPDATE cases SET paused = 1, due_ms = 0, legal_due_ms = 0"
                                  " WHERE case_id = '" CASE_A "'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    f->opts.json = true;
    char *s = cases(f, NULL);
    json_t *j = parse_json(s);
    json_t *a = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(a, "case_id")), CASE_A);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "paused");
    assert_int_equal(json_integer_value(json_object_get(a, "due_ms")), 0);
    assert_string_equal(json_string_value(json_object_get(a, "legal_due")), "paused");
    assert_int_equal(json_integer_value(json_object_get(a, "legal_due_ms")), 0);
    assert_string_equal(json_string_value(json_object_get(a, "card")), "paused");
    assert_string_equal(json_string_value(json_object_get(a, "card_label")), "(clock paused)");
    json_decref(j);
    free(s);
    f->opts.json = false;
    s = cases(f, NULL);
    assert_non_null(strstr(s, "  due: (clock paused)\n"));
    free(s);
}

static void test_case_text(void **state)
{
    fix_t *f = *state;
    f->opts.mask_phone = true;
    tb_lang_set_en(true);
    char *s = one(f, CASE_A);
    assert_string_equal(s, "case id:    360826100000-20260302-0001\n"
                           "client:     李四  138****8000\n"
                           "item:       YB001 新农合参保登记及缴费\n"
                           "agent:      赵六\n"
                           "taken at:   2026-03-02 10:00\n"
                           "status:     pre-review at township (澄江镇)\n"
                           "note:       户口簿带来了\n"
                           "due:        2026-03-04 23:59 (legal 2026-03-04 23:59)[RED: overdue]\n"
                           "history:\n"
                           "  2026-03-02 10:00  logged     澄江镇  赵六\n");
    free(s);
    f->opts.mask_phone = false;
    s = one(f, CASE_B);
    assert_string_equal(s, "case id:    360826100000-20260302-0002\n"
                           "client:     李四  0796-5321234\n"
                           "item:       ZX001 政策咨询\n"
                           "agent:      赵六\n"
                           "taken at:   2026-03-02 11:00\n"
                           "status:     closed (澄江镇)\n"
                           "reply:      已当面答复\n"
                           "history:\n"
                           "  2026-03-02 11:00  logged     澄江镇  赵六  已当面答复\n");
    free(s);
    tb_lang_set_en(false);
    f->opts.mask_phone = true;
    s = one(f, CASE_A);
    assert_string_equal(s, "办件编号：  360826100000-20260302-0001\n"
                           "群众：      李四  138****8000\n"
                           "事项：      YB001 新农合参保登记及缴费\n"
                           "代办员：    赵六\n"
                           "受理时间：  2026-03-02 10:00\n"
                           "当前状态：  乡镇预审中（澄江镇）\n"
                           "备注：      户口簿带来了\n"
                           "办理期限：  2026-03-04 23:59（法定 2026-03-04 23:59）【红牌：已超期】\n"
                           "办理过程：\n"
                           "  2026-03-02 10:00  登记       澄江镇  赵六\n");
    free(s);
    tb_lang_set_en(true);
}

static void test_case_json(void **state)
{
    fix_t *f = *state;
    f->opts.json = true;
    f->opts.mask_phone = true;
    char *s = one(f, CASE_B);
    json_t *j = parse_json(s);
    assert_string_equal(json_string_value(json_object_get(j, "case_id")), CASE_B);
    assert_string_equal(json_string_value(json_object_get(j, "client_phone")), "0796****1234");
    json_t *hist = json_object_get(j, "history");
    assert_true(json_is_array(hist));
    assert_int_equal(json_array_size(hist), 1);
    json_t *e = json_array_get(hist, 0);
    char keys[512];
    keys_of(e, keys, sizeof keys);
    assert_string_equal(keys,
                        "origin,origin_seq,event,label,where,actor,at,target,reason,folded,detail,"
                        "rejected");
    assert_string_equal(json_string_value(json_object_get(e, "origin")), TOWNSHIP);
    assert_int_equal(json_integer_value(json_object_get(e, "origin_seq")), 2);
    assert_string_equal(json_string_value(json_object_get(e, "event")), "logged");
    assert_string_equal(json_string_value(json_object_get(e, "where")), "澄江镇");
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "赵六");
    assert_string_equal(json_string_value(json_object_get(e, "at")), "2026-03-02 11:00");
    assert_true(json_is_true(json_object_get(e, "folded")));
    assert_string_equal(json_string_value(json_object_get(e, "rejected")), "");
    json_decref(j);
    free(s);
}

static void test_case_unknown(void **state)
{
    fix_t *f = *state;
    for (int json = 0; json < 2; json++) {
        f->opts.json = json;
        out_t o;
        assert_rc(tb_report_case(f->store, TOWNSHIP "-20260302-0003", &f->opts, out_open(&o)),
                  -TB_ENOCASE);
        char *s = out_close(&o);
        assert_string_equal(s, "");
        free(s);
    }
}

static void test_no_cases(void **state)
{
    fix_t *f = *state;
    tb_lang_set_en(false);
    char *s = cases(f, NULL);
    assert_string_equal(s, "办件编号                    群众     电话          事项                "
                           "     受理时间         状态（经办方）\n"
                           "共 0 件\n");
    free(s);
    tb_lang_set_en(true);
    f->opts.json = true;
    s = cases(f, NULL);
    assert_string_equal(s, "[]\n");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_print_col),
        cmocka_unit_test(test_header_row),
        cmocka_unit_test_setup_teardown(test_cards, setup, teardown),
        cmocka_unit_test(test_items_text),
        cmocka_unit_test(test_items_json),
        cmocka_unit_test_setup_teardown(test_cases_text, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_cases_json, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_cases_json_paused, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_case_text, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_case_json, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_case_unknown, setup_cases, teardown),
        cmocka_unit_test_setup_teardown(test_no_cases, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
