/* county_restore_held: the cases a township holds outside its subtree, named
 * from the county's cache for a restore's statements (migration 028 dropped
 * the index they were read by): those and only those, as a PostgreSQL text
 * array literal, quotes and backslashes escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_test.h"

#include "county_restore.h"

#define TOWN "360826100000"
#define OTHER "360826102000"

static tb_case_t held_by(const char *holder)
{
    tb_case_t c = {0};
    snprintf(c.holder, sizeof c.holder, "%s", holder);
    return c;
}

static void test_held(void **state)
{
    (void)state;
    tb_map_t *cases = tb_map_new();
    assert_non_null(cases);
    tb_case_t own = held_by(TOWN), away = held_by(TOWN), other = held_by(OTHER),
              county = held_by("360826000000"), odd = held_by(TOWN);
    /* its subtree's (by prefix): not named, whoever holds it */
    assert_int_equal(tb_map_put(cases, TOWN "-20261202-0001", (uintptr_t)&own), 0);
    assert_int_equal(tb_map_put(cases, "360826100001-20261202-0002", (uintptr_t)&county), 0);
    /* another subtree's, held by another node: not named */
    assert_int_equal(tb_map_put(cases, "360826102001-20261202-0003", (uintptr_t)&other), 0);
    char *a = NULL;
    assert_int_equal(county_restore_held(cases, TOWN, &a), 0);
    assert_string_equal(a, "{}");
    free(a);
    /* another subtree's, held by the township: named */
    assert_int_equal(tb_map_put(cases, "360826102001-20261202-0004", (uintptr_t)&away), 0);
    assert_int_equal(county_restore_held(cases, TOWN, &a), 0);
    assert_string_equal(a, "{\"360826102001-20261202-0004\"}");
    free(a);
    /* a key with a quote and a backslash is escaped for the array literal */
    assert_int_equal(tb_map_put(cases, "x\"y\\z", (uintptr_t)&odd), 0);
    assert_int_equal(county_restore_held(cases, TOWN, &a), 0);
    bool either = strcmp(a, "{\"360826102001-20261202-0004\",\"x\\\"y\\\\z\"}") == 0 ||
                  strcmp(a, "{\"x\\\"y\\\\z\",\"360826102001-20261202-0004\"}") == 0;
    if (!either)
        fail_msg("got %s", a);
    free(a);
    /* seen from the other township: its own subtree's case held here is not named */
    assert_int_equal(county_restore_held(cases, OTHER, &a), 0);
    assert_string_equal(a, "{}");
    free(a);
    tb_map_destroy(&cases);
}

/* Many named: the buffer grows (every id in, each once). */
static void test_held_many(void **state)
{
    (void)state;
    tb_map_t *cases = tb_map_new();
    tb_case_t away = held_by(TOWN);
    enum { N = 500 };
    char id[40];
    for (int i = 1; i <= N; i++) {
        snprintf(id, sizeof id, "360826102001-20261202-%04d", i);
        assert_int_equal(tb_map_put(cases, id, (uintptr_t)&away), 0);
    }
    char *a = NULL;
    assert_int_equal(county_restore_held(cases, TOWN, &a), 0);
    assert_int_equal(strlen(a), 2 + N * 29 - 1); /* the braces, N quoted ids of 26, N - 1 commas */
    for (int i = 1; i <= N; i++) {
        snprintf(id, sizeof id, "\"360826102001-20261202-%04d\"", i);
        if (!strstr(a, id))
            fail_msg("%s missing", id);
    }
    free(a);
    tb_map_destroy(&cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held),
        cmocka_unit_test(test_held_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
