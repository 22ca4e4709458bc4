/* Unit tests for common/tb_place: the shipped 泰和县 data (counted by walking
 * the hierarchy, not by tb_places_count), code shapes and parents, checks of
 * malformed and unknown codes, and the loader's all-or-nothing failure on a
 * malformed file written to a temp dir.
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

#include "tb_error.h"
#include "tb_place.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define COUNTY "360826000000"
#define TOWNSHIP "360826100000"
#define VILLAGE "360826100001"

static int setup_taihe(void **state)
{
    tb_places_t *p = tb_places_new();
    if (!p)
        return -1;
    char where[4200] = "";
    int rc = tb_places_load_dir(p, TB_SOURCE_DATA_DIR, "taihe", where, sizeof where);
    if (rc < 0) {
        print_error("load %s: %s\n", where, tb_strerror(rc));
        tb_places_destroy(&p);
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown_places(void **state)
{
    tb_places_t *p = *state;
    tb_places_destroy(&p);
    assert_null(p);
    tb_places_destroy(&p); /* NULL is fine */
    tb_places_destroy(NULL);
    return 0;
}

static void test_taihe(void **state)
{
    tb_places_t *p = *state;
    assert_rc(tb_places_check(p, COUNTY), 0);
    assert_string_equal(tb_places_name(p, COUNTY), "泰和县");
    assert_string_equal(tb_places_name(p, TOWNSHIP), "澄江镇");
    assert_string_equal(tb_places_name(p, VILLAGE), "文田社区居委会");

    size_t townships = 0, villages = 0;
    const char *t;
    for (size_t i = 0; (t = tb_places_child(p, COUNTY, i)) != NULL; i++) {
        assert_int_equal(tb_code_level(t), TB_LEVEL_TOWNSHIP);
        assert_rc(tb_places_check(p, t), 0);
        assert_non_null(tb_places_name(p, t));
        townships++;
        const char *v;
        for (size_t k = 0; (v = tb_places_child(p, t, k)) != NULL; k++) {
            assert_int_equal(tb_code_level(v), TB_LEVEL_VILLAGE);
            assert_memory_equal(v, t, 9);
            char parent[TB_CODE_LEN + 1];
            assert_rc(tb_code_parent(v, parent), 0);
            assert_string_equal(parent, t);
            assert_non_null(tb_places_name(p, v));
            assert_null(tb_places_child(p, v, 0)); /* villages have no children */
            villages++;
        }
    }
    assert_int_equal(townships, 26);
    assert_int_equal(villages, 322);
    assert_int_equal(tb_places_count(p), 1 + 26 + 322);

    /* Only the county that owns loaded townships is kept. */
    assert_rc(tb_places_check(p, "360102000000"), -TB_EUNKNOWN_PLACE); /* 东湖区 */
    assert_null(tb_places_name(p, "360102000000"));
}

static void test_parents(void **state)
{
    (void)state;
    char parent[TB_CODE_LEN + 1], grand[TB_CODE_LEN + 1];
    assert_rc(tb_code_parent(VILLAGE, parent), 0);
    assert_string_equal(parent, TOWNSHIP);
    assert_rc(tb_code_parent(parent, grand), 0);
    assert_string_equal(grand, COUNTY);
    memcpy(parent, "untouched", 10);
    assert_rc(tb_code_parent(COUNTY, parent), -TB_EINVAL_CODE);
    assert_rc(tb_code_parent("36082610000", parent), -TB_EINVAL_CODE);
    assert_rc(tb_code_parent("", parent), -TB_EINVAL_CODE);
    assert_string_equal(parent, "untouched");
    assert_rc(tb_code_parent("360826102201", parent), 0);
    assert_string_equal(parent, "360826102000");
}

static void test_check(void **state)
{
    tb_places_t *p = *state;
    static const char *const malformed[] = {
        "",
        "36082610000",
        "3608261000011",
        "36082610000a",
        " 60826100001",
        "360826100001\n",
        "360826-00001",
        "３６０８２６１０００01",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        int rc = tb_places_check(p, malformed[i]);
        if (rc != -TB_EINVAL_CODE)
            print_error("\"%s\"\n", malformed[i]);
        assert_rc(rc, -TB_EINVAL_CODE);
        assert_null(tb_places_name(p, malformed[i]));
    }
    assert_rc(tb_places_check(p, NULL), -TB_EINVAL_CODE);
    static const char *const unknown[] = {
        "360826100999", "360826199000", "360827000000",
        "000000000000", "999999999999", "360826100000" /* known */,
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        int want = i == 5 ? 0 : -TB_EUNKNOWN_PLACE;
        int rc = tb_places_check(p, unknown[i]);
        if (rc != want)
            print_error("\"%s\"\n", unknown[i]);
        assert_rc(rc, want);
    }
}

static void test_code_level(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        tb_level_t level;
    } t[] = {
        {"360826000000", TB_LEVEL_COUNTY},   {"360102000000", TB_LEVEL_COUNTY},
        {"360826100000", TB_LEVEL_TOWNSHIP}, {"360826001000", TB_LEVEL_TOWNSHIP},
        {"360826100001", TB_LEVEL_VILLAGE},  {"360826100100", TB_LEVEL_VILLAGE},
        {"360826000001", TB_LEVEL_VILLAGE},  {"360000000000", TB_LEVEL_NONE}, /* province */
        {"000000000000", TB_LEVEL_NONE},     {"", TB_LEVEL_NONE},
        {"36082610000", TB_LEVEL_NONE},      {"3608261000001", TB_LEVEL_NONE},
        {"36082610000x", TB_LEVEL_NONE},     {NULL, TB_LEVEL_NONE},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        tb_level_t got = tb_code_level(t[i].code);
        if (got != t[i].level)
            print_error("\"%s\"\n", t[i].code ? t[i].code : "(null)");
        assert_int_equal(got, t[i].level);
    }
    assert_true(tb_code_valid("000000000000"));
    assert_false(tb_code_valid(NULL));
}

/* ---- Loading from a temp dir ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    unlink(path);
}

static int setup_tmp(void **state)
{
    if (setup_taihe(state) < 0)
        return -1;
    strcpy(tmpdir, "/tmp/tb-test-place-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    remove_file("jiangxi-counties.csv");
    remove_file("x-townships.csv");
    remove_file("x-villages.csv");
    rmdir(tmpdir);
    return teardown_places(state);
}

#define COUNTIES                                                                                   \
    "code,name,cityCode,provinceCode\n360826,\"泰和县\",3608,36\n360827,\"遂川县\",3608,36\n"
#define TOWNSHIPS "code,name,areaCode\n360826100,\"澄江镇\",360826\n360826102,桥头镇,360826\n"
#define VILLAGES                                                                                   \
    "code,name,streetCode\n360826100001,\"文田\",360826100\n360826102001,\"桥头\",360826102\n"

static void expect_untouched(tb_places_t *p)
{
    assert_int_equal(tb_places_count(p), 1 + 26 + 322);
    assert_string_equal(tb_places_name(p, COUNTY), "泰和县");
    assert_string_equal(tb_places_name(p, VILLAGE), "文田社区居委会");
    assert_rc(tb_places_check(p, "360826502006"), 0);
}

static void test_load_malformed(void **state)
{
    tb_places_t *p = *state;
    static const struct {
        const char *file, *text;
        int line;
    } t[] = {
        {"x-villages.csv", "code,name\n360826100001,a\n36082610000,b\n", 3}, /* 11 digits */
        {"x-villages.csv", "code,name\n360826100001,a\n360826100002,\n", 3}, /* no name */
        {"x-villages.csv", "code,name\n360826100001\n", 2},                  /* one field */
        {"x-villages.csv", "code,name\n\"360826100001,a\n", 2},              /* open quote */
        {"x-villages.csv", "code,name\n360826100001,a\"b\n", 2},             /* stray quote */
        {"x-villages.csv", "code,name\n\n\n36082610000a,x\n", 4},            /* after blanks */
        {"x-townships.csv", "code,name\n360826100,a\n3608261000,b\n", 3},    /* 10 digits */
        {"x-townships.csv", "code,name\n000000000,zero\n", 2},               /* no level */
        {"jiangxi-counties.csv", "code,name\n360826,泰和县\n36082,x\n", 3},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        write_file("jiangxi-counties.csv", COUNTIES);
        write_file("x-townships.csv", TOWNSHIPS);
        write_file("x-villages.csv", VILLAGES);
        write_file(t[i].file, t[i].text);
        char where[512] = "", want[512];
        int rc = tb_places_load_dir(p, tmpdir, "x", where, sizeof where);
        if (rc != -TB_EDATA)
            print_error("case %zu\n", i);
        assert_rc(rc, -TB_EDATA);
        snprintf(want, sizeof want, "%s/%s:%d", tmpdir, t[i].file, t[i].line);
        assert_string_equal(where, want);
        expect_untouched(p);
    }

    /* A missing file: -ENOENT, named. */
    write_file("jiangxi-counties.csv", COUNTIES);
    write_file("x-townships.csv", TOWNSHIPS);
    remove_file("x-villages.csv");
    char where[512] = "", want[512];
    assert_rc(tb_places_load_dir(p, tmpdir, "x", where, sizeof where), -ENOENT);
    snprintf(want, sizeof want, "%s/x-villages.csv", tmpdir);
    assert_string_equal(where, want);
    expect_untouched(p);
    /* ret_where may be NULL. */
    assert_rc(tb_places_load_dir(p, tmpdir, "x", NULL, 0), -ENOENT);
    expect_untouched(p);

    /* A good small set replaces the data, CRLF and all. */
    write_file("x-villages.csv", "code,name\r\n360826100001,\"文田\"\r\n360826102001,\"桥头\"\r\n");
    assert_rc(tb_places_load_dir(p, tmpdir, "x", where, sizeof where), 0);
    assert_int_equal(tb_places_count(p), 1 + 2 + 2);
    assert_string_equal(tb_places_name(p, VILLAGE), "文田");
    assert_string_equal(tb_places_name(p, "360826102000"), "桥头镇");
    assert_rc(tb_places_check(p, "360827000000"), -TB_EUNKNOWN_PLACE); /* owns no township */
    assert_rc(tb_places_check(p, "360826502006"), -TB_EUNKNOWN_PLACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_taihe, setup_taihe, teardown_places),
        cmocka_unit_test(test_parents),
        cmocka_unit_test_setup_teardown(test_check, setup_taihe, teardown_places),
        cmocka_unit_test(test_code_level),
        cmocka_unit_test_setup_teardown(test_load_malformed, setup_tmp, teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
