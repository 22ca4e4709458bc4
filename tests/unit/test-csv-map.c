/* Unit tests for common/tb_csv (splitting one line of our CSV data) and
 * common/tb_map (the string-keyed hash map), including growth to 100k keys,
 * iteration, and deletes followed by re-inserts over tombstones.
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

#include "tb_csv.h"
#include "tb_error.h"
#include "tb_map.h"

/* ---- CSV ---- */

#define MAXF 8

/* Split a heap copy of line (ASan sees over-reads); expect the fields. */
static void expect_split_at(const char *line, int max, int want_n, const char *const *want,
                            const char *file, int ln)
{
    char *copy = strdup(line);
    assert_non_null(copy);
    char *fields[MAXF + 1];
    int n = tb_csv_split(copy, fields, max);
    if (n != want_n)
        print_error("line \"%s\"\n", line);
    assert_rc_at(n, want_n, "tb_csv_split", file, ln);
    for (int i = 0; i < n; i++)
        _assert_string_equal(fields[i], want[i], file, ln);
    free(copy);
}
#define expect_split(line, max, n, ...)                                                            \
    expect_split_at((line), (max), (n), (const char *const[]){__VA_ARGS__}, __FILE__, __LINE__)

static void test_csv(void **state)
{
    (void)state;
    expect_split("a,b,c", MAXF, 3, "a", "b", "c");
    expect_split("", MAXF, 1, "");
    expect_split(",", MAXF, 2, "", "");
    expect_split("a,,c,", MAXF, 4, "a", "", "c", "");
    expect_split("360826,\"泰和县\",3608,36", MAXF, 4, "360826", "泰和县", "3608", "36");
    /* Quoted fields keep commas; "" is one quote. */
    expect_split("\"a,b\",c", MAXF, 2, "a,b", "c");
    expect_split("\"say \"\"hi\"\"\",x", MAXF, 2, "say \"hi\"", "x");
    expect_split("\"\"\"\"", MAXF, 1, "\"");
    expect_split("\"\",x", MAXF, 2, "", "x");
    expect_split("x,\"\"", MAXF, 2, "x", "");
    /* Line ends: LF, CRLF, several. */
    expect_split("a,b\n", MAXF, 2, "a", "b");
    expect_split("a,b\r\n", MAXF, 2, "a", "b");
    expect_split("a,\"b\"\r\n", MAXF, 2, "a", "b");
    expect_split("a\r\n\r\n", MAXF, 1, "a");
    expect_split("\r\n", MAXF, 1, "");
    /* Spaces are data. */
    expect_split(" a , b ", MAXF, 2, " a ", " b ");
    /* Exactly max fields, then one too many. */
    expect_split("1,2,3", 3, 3, "1", "2", "3");
    expect_split("1,2,3,4", 3, -TB_EDATA, NULL);
    expect_split("1,2,3,", 3, -TB_EDATA, NULL);
    expect_split("a", 1, 1, "a");
    expect_split("a,b", 1, -TB_EDATA, NULL);
    /* Quotes: unterminated, text after the closing quote, quote inside an unquoted field. */
    expect_split("\"abc", MAXF, -TB_EDATA, NULL);
    expect_split("a,\"b", MAXF, -TB_EDATA, NULL);
    expect_split("\"a\"\"", MAXF, -TB_EDATA, NULL);
    expect_split("\"a\"b,c", MAXF, -TB_EDATA, NULL);
    expect_split("\"a\" ,c", MAXF, -TB_EDATA, NULL);
    expect_split("ab\"c,d", MAXF, -TB_EDATA, NULL);
    expect_split("a,b\"", MAXF, -TB_EDATA, NULL);
    expect_split("\"", MAXF, -TB_EDATA, NULL);
    /* A quoted field keeps an embedded CR/LF that is not at the end. */
    expect_split("\"a\nb\",c", MAXF, 2, "a\nb", "c");
}

/* ---- Map ---- */

static void test_map_basic(void **state)
{
    (void)state;
    tb_map_t *m = tb_map_new();
    assert_non_null(m);
    uintptr_t v = 99;
    assert_int_equal(tb_map_size(m), 0);
    assert_false(tb_map_get(m, "a", &v));
    assert_int_equal(v, 99); /* untouched */
    assert_false(tb_map_del(m, "a"));

    char key[16] = "360826100001";
    assert_rc(tb_map_put(m, key, 1), 0);
    strcpy(key, "overwritten"); /* keys are copied */
    assert_true(tb_map_get(m, "360826100001", &v));
    assert_int_equal(v, 1);
    assert_false(tb_map_get(m, "overwritten", NULL));
    assert_true(tb_map_get(m, "360826100001", NULL));

    assert_rc(tb_map_put(m, "", 7), 0); /* the empty key is a key */
    assert_true(tb_map_get(m, "", &v));
    assert_int_equal(v, 7);
    assert_int_equal(tb_map_size(m), 2);

    /* Replace keeps the size. */
    assert_rc(tb_map_put(m, "360826100001", UINTPTR_MAX), 0);
    assert_int_equal(tb_map_size(m), 2);
    assert_true(tb_map_get(m, "360826100001", &v));
    assert_int_equal(v, UINTPTR_MAX);

    assert_true(tb_map_del(m, "360826100001"));
    assert_false(tb_map_del(m, "360826100001"));
    assert_false(tb_map_get(m, "360826100001", &v));
    assert_int_equal(tb_map_size(m), 1);
    assert_rc(tb_map_put(m, "360826100001", 3), 0);
    assert_true(tb_map_get(m, "360826100001", &v));
    assert_int_equal(v, 3);
    assert_int_equal(tb_map_size(m), 2);

    tb_map_destroy(&m);
    assert_null(m);
    tb_map_destroy(&m);
    tb_map_destroy(NULL);
}

/* The hashed entry points are the same map: a key put either way is found
 * either way, in any map (one hash probes several), through growth. */
static void test_map_hashed(void **state)
{
    (void)state;
    tb_map_t *a = tb_map_new(), *b = tb_map_new();
    assert_non_null(a);
    assert_non_null(b);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "360826100001-20261202-%06d", i);
        uint64_t h = tb_map_hash(key);
        assert_true(h == tb_map_hash(key));
        if (i % 2)
            assert_rc(tb_map_put_hashed(a, key, h, (uintptr_t)i + 1), 0);
        else
            assert_rc(tb_map_put(a, key, (uintptr_t)i + 1), 0);
        if (i % 3 == 0)
            assert_rc(tb_map_put_hashed(b, key, h, 7), 0);
    }
    assert_int_equal(tb_map_size(a), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "360826100001-20261202-%06d", i);
        uint64_t h = tb_map_hash(key);
        uintptr_t v = 0, w = 0;
        assert_true(tb_map_get_hashed(a, key, h, &v));
        assert_int_equal(v, (uintptr_t)i + 1);
        assert_true(tb_map_get(a, key, &w));
        assert_int_equal(w, v);
        assert_int_equal(tb_map_get_hashed(b, key, h, NULL), i % 3 == 0);
    }
    uintptr_t v = 5;
    assert_false(tb_map_get_hashed(a, "absent", tb_map_hash("absent"), &v));
    assert_int_equal(v, 5); /* untouched */
    const char *four = "360826100001-20261202-000004";
    assert_rc(tb_map_put_hashed(a, four, tb_map_hash(four), 9), 0);
    assert_int_equal(tb_map_size(a), 5000); /* replaced */
    assert_true(tb_map_get(a, "360826100001-20261202-000004", &v));
    assert_int_equal(v, 9);
    tb_map_destroy(&a);
    tb_map_destroy(&b);
}

#define NKEYS 100000

static void key_of(int i, char buf[32])
{
    snprintf(buf, 32, "3608%08d", i);
}

/* Iterate and check each live key appears once with its value; returns the count. */
static size_t check_iteration(const tb_map_t *m, unsigned char *seen, bool (*live)(int))
{
    memset(seen, 0, NKEYS);
    size_t pos = 0, n = 0;
    const char *k;
    uintptr_t v;
    while (tb_map_next(m, &pos, &k, &v)) {
        int i = atoi(k + 4);
        assert_true(i >= 0 && i < NKEYS);
        char want[32];
        key_of(i, want);
        assert_string_equal(k, want);
        assert_int_equal(v, (uintptr_t)i * 7 + 1);
        assert_int_equal(seen[i], 0);
        seen[i] = 1;
        n++;
    }
    assert_false(tb_map_next(m, &pos, &k, &v)); /* stays at the end */
    for (int i = 0; i < NKEYS; i++)
        if (seen[i] != live(i)) {
            print_error("key %d: seen %d\n", i, seen[i]);
            assert_int_equal(seen[i], live(i));
        }
    return n;
}

static bool all(int i)
{
    (void)i;
    return true;
}

static bool odd(int i)
{
    return i % 2 == 1;
}

static void test_map_many(void **state)
{
    (void)state;
    tb_map_t *m = tb_map_new();
    assert_non_null(m);
    unsigned char *seen = malloc(NKEYS);
    assert_non_null(seen);
    char key[32];
    for (int i = 0; i < NKEYS; i++) {
        key_of(i, key);
        assert_rc(tb_map_put(m, key, (uintptr_t)i * 7 + 1), 0);
        assert_int_equal(tb_map_size(m), (size_t)i + 1);
    }
    for (int i = 0; i < NKEYS; i++) {
        uintptr_t v = 0;
        key_of(i, key);
        assert_true(tb_map_get(m, key, &v));
        assert_int_equal(v, (uintptr_t)i * 7 + 1);
    }
    assert_false(tb_map_get(m, "3608xxxxxxxx", NULL));
    assert_int_equal(check_iteration(m, seen, all), NKEYS);

    /* Delete the even keys, check, then put them back: over and over, so
     * tombstones pile up and must be reclaimed rather than fill the table. */
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < NKEYS; i += 2) {
            key_of(i, key);
            assert_true(tb_map_del(m, key));
        }
        assert_int_equal(tb_map_size(m), NKEYS / 2);
        for (int i = 0; i < NKEYS; i++) {
            key_of(i, key);
            assert_int_equal(tb_map_get(m, key, NULL), i % 2 == 1);
        }
        assert_int_equal(check_iteration(m, seen, odd), NKEYS / 2);
        for (int i = 0; i < NKEYS; i += 2) {
            key_of(i, key);
            assert_rc(tb_map_put(m, key, (uintptr_t)i * 7 + 1), 0);
        }
        assert_int_equal(tb_map_size(m), NKEYS);
        assert_int_equal(check_iteration(m, seen, all), NKEYS);
    }

    /* Churn: one key in, one key out, many times, with the size steady. */
    for (int i = 0; i < 4 * NKEYS; i++) {
        char k2[32];
        snprintf(k2, sizeof k2, "churn-%d", i);
        assert_rc(tb_map_put(m, k2, 1), 0);
        assert_true(tb_map_del(m, k2));
    }
    assert_int_equal(tb_map_size(m), NKEYS);
    assert_int_equal(check_iteration(m, seen, all), NKEYS);

    /* The churn's dead keys were packed away at the rehashes, not kept:
     * the blocks hold about the live keys (~13 bytes each), not the
     * 400,000 deleted ones (~13 bytes each, 5 MB). */
    size_t bytes = tb_map_key_bytes(m);
    if (bytes > 4 * (size_t)NKEYS * 13 + 2 * 64 * 1024) {
        print_error("key blocks hold %zu bytes for %d keys\n", bytes, NKEYS);
        fail();
    }

    free(seen);
    tb_map_destroy(&m);
}

/* A key tb_map_next gave stays put while the map grows (no key deleted):
 * the county walks a map's keys while it puts into others, never holding
 * one across a delete. */
static void test_map_keys_stay(void **state)
{
    (void)state;
    tb_map_t *m = tb_map_new();
    assert_non_null(m);
    assert_rc(tb_map_put(m, "360826100001-20261202-0001", 1), 0);
    size_t pos = 0;
    const char *k = NULL;
    assert_true(tb_map_next(m, &pos, &k, NULL));
    char key[32];
    for (int i = 0; i < NKEYS; i++) {
        key_of(i, key);
        assert_rc(tb_map_put(m, key, (uintptr_t)i), 0);
    }
    assert_string_equal(k, "360826100001-20261202-0001");
    assert_true(tb_map_get(m, k, NULL));
    tb_map_destroy(&m);
}

/* A cleared map is empty and as good as new, however often it is reused;
 * its key bytes do not pile up across the clears. */
static void test_map_clear(void **state)
{
    (void)state;
    tb_map_clear(NULL);
    tb_map_t *m = tb_map_new();
    assert_non_null(m);
    tb_map_clear(m); /* empty, no key block yet */
    assert_int_equal(tb_map_size(m), 0);
    char key[32];
    size_t first = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 5000; i++) {
            key_of(i * (round + 1), key);
            assert_rc(tb_map_put(m, key, (uintptr_t)i * 7 + 1), 0);
        }
        assert_int_equal(tb_map_size(m), 5000);
        for (int i = 0; i < 5000; i++) {
            uintptr_t v = 0;
            key_of(i * (round + 1), key);
            assert_true(tb_map_get(m, key, &v));
            assert_int_equal(v, (uintptr_t)i * 7 + 1);
        }
        if (round == 0)
            first = tb_map_key_bytes(m);
        else if (tb_map_key_bytes(m) > 2 * first) {
            print_error("round %d: %zu key bytes, %zu after the first\n", round,
                        tb_map_key_bytes(m), first);
            fail();
        }
        tb_map_clear(m);
        assert_int_equal(tb_map_size(m), 0);
        key_of(0, key);
        assert_false(tb_map_get(m, key, NULL));
        size_t pos = 0;
        assert_false(tb_map_next(m, &pos, NULL, NULL));
    }
    assert_rc(tb_map_put(m, "x", 1), 0);
    assert_true(tb_map_del(m, "x"));
    assert_int_equal(tb_map_size(m), 0);

    /* One big round, then small ones: the small rounds do not keep (and
     * zero at each clear) the big round's slots. */
    for (int i = 0; i < NKEYS; i++) {
        key_of(i, key);
        assert_rc(tb_map_put(m, key, 1), 0);
    }
    size_t big = tb_map_slot_count(m);
    tb_map_clear(m); /* 100,000 held: kept */
    assert_int_equal(tb_map_slot_count(m), big);
    for (int i = 0; i < 100; i++) {
        key_of(i, key);
        assert_rc(tb_map_put(m, key, 1), 0);
    }
    tb_map_clear(m); /* 100 held: shrunk */
    if (tb_map_slot_count(m) > 256) {
        print_error("%zu slots kept after a round of 100 (%zu after the big one)\n",
                    tb_map_slot_count(m), big);
        fail();
    }
    for (int i = 0; i < 1000; i++) {
        key_of(i, key);
        assert_rc(tb_map_put(m, key, (uintptr_t)i), 0);
    }
    assert_int_equal(tb_map_size(m), 1000);
    key_of(999, key);
    uintptr_t v = 0;
    assert_true(tb_map_get(m, key, &v));
    assert_int_equal(v, 999);
    tb_map_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_map_basic),
        cmocka_unit_test(test_map_hashed),
        cmocka_unit_test(test_map_many),
        cmocka_unit_test(test_map_keys_stay),
        cmocka_unit_test(test_map_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
