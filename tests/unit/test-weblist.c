/* Unit tests for common/tb_weblist: the screens' lists in SQL.  The cards the
 * SQL filters by (due, overdue) are the cards tb_card_name gives each row,
 * at every hour of a month around the cases' deadlines; the counts per place
 * likewise; pages cut the ordered list without loss or repeat; the other
 * filters.  Cases come from a real township store in a temp dir: walk-ins in
 * pre-review logged over two weeks (their clocks run), and consultations
 * answered on the spot (closed).  Built with -DTB_SOURCE_DATA_DIR. */
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

#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_report.h"
#include "tb_weblist.h"

#define TOWNSHIP "360826100000"
#define AT0 1772416800000LL /* 2026-03-02 10:00 CST, a Monday */
#define HOUR 3600000LL
#define NCASES 40

typedef struct {
    tb_tdir_t t;
    tb_places_t *places;
    tb_store_t *store;
    tb_report_opts_t opts;
} fix_t;

/* One store for every test (they only read it).  Case i: every 9 hours from
 * AT0; every fifth a consultation (closed at once), the others alternately
 * YB001 and YB003. */
static fix_t fx;

static int group_setup(void **state)
{
    *state = &fx;
    if (!(fx.places = tb_places_new()) ||
        tb_places_load_dir(fx.places, TB_SOURCE_DATA_DIR, "taihe", NULL, 0) < 0 ||
        tb_tdir_init(&fx.t, "weblist") < 0 || tb_tdir_open(&fx.t, TOWNSHIP, &fx.store) != 0)
        return -1;
    fx.opts = (tb_report_opts_t){fx.places, fx.t.catalog, true, true, fx.t.calendar};
    for (int i = 0; i < NCASES; i++) {
        char id[40], day[9];
        int64_t at = AT0 + i * 9 * HOUR;
        int32_t d;
        int y, m, dd;
        tb_day_from_ms(at, &d);
        tb_day_to_ymd(d, &y, &m, &dd);
        snprintf(day, sizeof day, "%04d%02d%02d", y, m, dd);
        snprintf(id, sizeof id, TOWNSHIP "-%s-%04d", day, i + 1);
        bool asked = i % 5 == 4;
        if (tb_test_log_case(fx.store, id,
                             asked   ? "ZX001"
                             : i % 2 ? "YB003"
                                     : "YB001",
                             asked ? "王秀英" : "李桂兰", "13800138000", at,
                             asked ? "已当面答复" : NULL) != 0)
            return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tb_store_destroy(&fx.store);
    tb_places_destroy(&fx.places);
    tb_tdir_fini(&fx.t); /* also on a half-made fixture */
    return 0;
}

static json_t *page(fix_t *f, const tb_weblist_query_t *q, int64_t now)
{
    json_t *p = NULL;
    assert_rc(tb_weblist_page(f->store, q, &f->opts, now, &p), 0);
    assert_non_null(p);
    return p;
}

static json_int_t total(json_t *p)
{
    return json_integer_value(json_object_get(p, "total"));
}

/* The SQL's list of filter at now holds want cases. */
static void expect_total(fix_t *f, tb_weblist_filter_t filter, int64_t now, int want)
{
    tb_weblist_query_t q = {.page = 1, .per = 1000, .filter = filter};
    json_t *p = page(f, &q, now);
    if (total(p) != want)
        fail_msg("at %lld: %lld in SQL (filter %d), %d by the cards", (long long)now,
                 (long long)total(p), (int)filter, want);
    json_decref(p);
}

/* Every hour for 30 days from AT0: the SQL's due and overdue lists are the
 * rows whose card (tb_card_name, as the rows show it) is yellow and red, and
 * the counts per place agree. */
static void test_cards_match(void **state)
{
    fix_t *f = *state;
    tb_weblist_query_t all = {.page = 1, .per = 1000};
    int seen_yellow = 0, seen_red = 0;
    for (int64_t now = AT0; now < AT0 + 30 * 24 * HOUR; now += HOUR) {
        json_t *p = page(f, &all, now), *c;
        size_t i;
        int yellow = 0, red = 0, open = 0;
        json_array_foreach(json_object_get(p, "cases"), i, c)
        {
            const char *st = json_string_value(json_object_get(c, "state"));
            bool closed = !strcmp(st, "closed") || !strcmp(st, "withdrawn");
            /* The row's card as at `now` (the row's own "card" is at the real time). */
            bool paused = !strcmp(json_string_value(json_object_get(c, "due")), "paused");
            const char *card = tb_card_name(
                f->t.calendar, paused ? -1 : json_integer_value(json_object_get(c, "due_ms")), now);
            open += !closed;
            yellow += !closed && !strcmp(card, "yellow");
            red += !closed && !strcmp(card, "red");
        }
        json_decref(p);
        expect_total(f, TB_WEBLIST_DUE, now, yellow);
        expect_total(f, TB_WEBLIST_OVERDUE, now, red);
        json_t *counts = NULL;
        assert_rc(tb_weblist_counts(f->store, f->t.calendar, now, &counts), 0);
        json_t *n = json_object_get(counts, TOWNSHIP);
        assert_int_equal(json_integer_value(json_array_get(n, 0)), open);
        assert_int_equal(json_integer_value(json_array_get(n, 1)), red);
        assert_int_equal(json_integer_value(json_array_get(n, 2)), yellow);
        json_decref(counts);
        seen_yellow += yellow > 0;
        seen_red += red > 0;
    }
    /* The sweep met both cards (else it proved nothing). */
    assert_true(seen_yellow > 0);
    assert_true(seen_red > 0);
}

/* Pages of every size cut the whole list in order, the total kept. */
static void test_pages(void **state)
{
    fix_t *f = *state;
    for (int by_due = 0; by_due < 2; by_due++) {
        tb_weblist_query_t q = {.by_due = by_due, .held = TOWNSHIP, .page = 1, .per = 1000};
        json_t *whole = page(f, &q, AT0), *cases = json_object_get(whole, "cases");
        assert_int_equal(json_array_size(cases), NCASES);
        for (unsigned per = 1; per <= 11; per += 3) {
            size_t k = 0;
            for (q.page = 1, q.per = per;; q.page++) {
                json_t *p = page(f, &q, AT0), *c;
                size_t i;
                assert_int_equal(total(p), NCASES);
                assert_int_equal(json_integer_value(json_object_get(p, "pages")),
                                 (NCASES + per - 1) / per);
                json_array_foreach(json_object_get(p, "cases"), i, c)
                {
                    assert_true(k < NCASES);
                    assert_true(json_equal(json_object_get(c, "case_id"),
                                           json_object_get(json_array_get(cases, k++), "case_id")));
                }
                size_t n = json_array_size(json_object_get(p, "cases"));
                json_decref(p);
                if (n < per) /* the last page (or one past the end) */
                    break;
            }
            assert_int_equal(k, NCASES);
        }
        json_decref(whole);
    }
}

static void test_filters(void **state)
{
    fix_t *f = *state;
    tb_weblist_query_t q = {.page = 1, .per = 5, .item = "YB003"};
    json_t *p = page(f, &q, AT0);
    assert_int_equal(total(p), 16); /* odd i not a multiple of 5 minus one: 20 - 4 */
    json_decref(p);
    q = (tb_weblist_query_t){.page = 1, .per = 5, .filter = TB_WEBLIST_CLOSED};
    p = page(f, &q, AT0);
    assert_int_equal(total(p), NCASES / 5);
    json_decref(p);
    q = (tb_weblist_query_t){.page = 1, .per = 5, .q = "王秀英"};
    p = page(f, &q, AT0);
    assert_int_equal(total(p), NCASES / 5);
    json_decref(p);
    q = (tb_weblist_query_t){.page = 1, .per = 5, .q = "-0007"};
    p = page(f, &q, AT0);
    assert_int_equal(total(p), 1);
    json_decref(p);
    /* The first day: cases 0..1 (10:00, 19:00); 2026-03-03: 2..4 (04:00, 13:00, 22:00). */
    int32_t d;
    tb_day_from_ms(AT0, &d);
    q = (tb_weblist_query_t){
        .page = 1, .per = 5, .from_ms = tb_day_start_ms(d + 1), .to_ms = tb_day_start_ms(d + 2)};
    p = page(f, &q, AT0);
    assert_int_equal(total(p), 3);
    json_decref(p);
    q = (tb_weblist_query_t){.page = 1, .per = 5, .village = "360826100001"};
    p = page(f, &q, AT0);
    assert_int_equal(total(p), 0);
    json_decref(p);
}

/* The screens show people by name (tb_report_name_people): an agent's login on a
 * case, in a page, in the month's rows and in the case's history, is named by the
 * account list of the case's place; a login no list has and free text stay as
 * they are. */
static void test_names(void **state)
{
    fix_t *f = *state;
    static const char body[] =
        TB_ACCOUNTS_HEADER "wang.agent\t王小明\twindow\t" TOWNSHIP "\t1\t$argon2id$v=19$x\n";
    assert_rc(tb_store_data_put(f->store, TB_DATA_ACCOUNTS TOWNSHIP, 1, (const uint8_t *)body,
                                strlen(body)),
              0);
    const char *id = TOWNSHIP "-20260501-0901", *other = TOWNSHIP "-20260501-0902";
    int64_t at = AT0 + 60 * 24 * HOUR;
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = "张三";
    l.client_phone = "13800138000";
    l.item_code = "YB001";
    l.accept_time_ms = at;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.at_ms = at;
    ev.ledger = &l;
    static const char *const peers[] = {NULL};
    const char *who[][2] = {{id, "wang.agent"}, {other, "li.gone"}};
    for (int k = 0; k < 2; k++) {
        ev.case_id = (char *)who[k][0];
        ev.actor = l.agent = (char *)who[k][1];
        ev.origin_seq = 0;
        assert_rc(tb_store_begin(f->store), 0);
        assert_rc(tb_store_emit(f->store, &ev, peers), 0);
        assert_rc(tb_store_commit(f->store), 0);
    }
    tb_weblist_query_t q = {.page = 1, .per = 5, .q = "-0901"};
    json_t *p = page(f, &q, at);
    tb_report_name_people(f->store, p);
    json_t *c = json_array_get(json_object_get(p, "cases"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "agent")), "wang.agent");
    assert_string_equal(json_string_value(json_object_get(c, "agent_name")), "王小明");
    json_decref(p);

    json_t *one = NULL;
    assert_rc(tb_report_case_json(f->store, id, &f->opts, &one), 0);
    tb_report_name_people(f->store, one);
    assert_string_equal(json_string_value(json_object_get(one, "agent_name")), "王小明");
    json_t *e = json_array_get(json_object_get(one, "history"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "actor_name")), "王小明");
    json_decref(one);

    int32_t d;
    tb_day_from_ms(at, &d);
    json_t *rows = NULL;
    assert_rc(tb_weblist_month(f->store, tb_day_start_ms(d), tb_day_start_ms(d + 1), &f->opts,
                               &rows),
              0);
    tb_report_name_people(f->store, rows);
    assert_int_equal(json_array_size(rows), 2);
    const char *want[][2] = {{"wang.agent", "王小明"}, {"li.gone", "li.gone"}};
    for (size_t k = 0; k < 2; k++) {
        json_t *r = json_array_get(rows, k);
        assert_string_equal(json_string_value(json_object_get(r, "case_id")), who[k][0]);
        assert_string_equal(json_string_value(json_object_get(r, "agent")), want[k][0]);
        assert_string_equal(json_string_value(json_object_get(r, "agent_name")), want[k][1]);
    }
    json_decref(rows);

    /* Free text typed as the agent (the fixture's 赵六) is its own name. */
    q = (tb_weblist_query_t){.page = 1, .per = 5, .q = "-0001"};
    p = page(f, &q, at);
    tb_report_name_people(f->store, p);
    c = json_array_get(json_object_get(p, "cases"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "agent_name")), "赵六");
    json_decref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cards_match),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_names), /* last: it adds cases */
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
