/* Unit tests for common/tb_catalog: the shipped data/catalog.csv, and
 * malformed files written to a temp dir, each rejected with its line number
 * and nothing loaded (the previous catalog stays as it was).
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

#include "tb_catalog.h"
#include "tb_error.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define CATALOG TB_SOURCE_DATA_DIR "/catalog.csv"
#define HEADER "code,name,level,kind,promised_days,legal_days,materials\n"

static int setup(void **state)
{
    tb_catalog_t *c = tb_catalog_new();
    if (!c)
        return -1;
    int line = -1;
    if (tb_catalog_load(c, CATALOG, &line) != 0) {
        print_error("%s: line %d\n", CATALOG, line);
        tb_catalog_destroy(&c);
        return -1;
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    tb_catalog_t *c = *state;
    tb_catalog_destroy(&c);
    assert_null(c);
    tb_catalog_destroy(&c);
    tb_catalog_destroy(NULL);
    return 0;
}

/* Data lines of the shipped file, counted independently of the loader. */
static size_t count_rows(void)
{
    FILE *f = fopen(CATALOG, "r");
    assert_non_null(f);
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n' && line[0] != '\r')
            n++;
    fclose(f);
    return n - 1; /* header */
}

static void test_shipped(void **state)
{
    tb_catalog_t *c = *state;
    size_t n = tb_catalog_count(c);
    assert_int_equal(n, count_rows());
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        const tb_item_t *it = tb_catalog_item(c, i);
        assert_non_null(it);
        assert_non_null(it->name);
        assert_true(it->name[0] != '\0');
        assert_non_null(it->materials);
        assert_true(strlen(it->code) >= 1);
        assert_true(it->level == TB_LEVEL_VILLAGE || it->level == TB_LEVEL_TOWNSHIP ||
                    it->level == TB_LEVEL_COUNTY);
        assert_true(it->kind >= TB_KIND_IMMEDIATE && it->kind <= TB_KIND_HELP);
        if (it->kind == TB_KIND_PROMISED) {
            assert_true(it->promised_days >= 1);
            assert_true(it->legal_days >= it->promised_days);
        }
        assert_ptr_equal(tb_catalog_find(c, it->code), it); /* codes are unique */
    }
    assert_null(tb_catalog_item(c, n));

    const tb_item_t *yb = tb_catalog_find(c, "YB003");
    assert_non_null(yb);
    assert_string_equal(yb->code, "YB003");
    assert_string_equal(yb->name, "新农合医疗费用报销");
    assert_int_equal(yb->level, TB_LEVEL_COUNTY);
    assert_int_equal(yb->kind, TB_KIND_PROMISED);
    assert_int_equal(yb->promised_days, 10);
    assert_int_equal(yb->legal_days, 20);
    assert_string_equal(yb->materials, "居民身份证:core;住院发票原件:core;费用清单:core;"
                                       "出院小结:core;银行卡复印件:noncore");

    const tb_item_t *zx = tb_catalog_find(c, "ZX001");
    assert_non_null(zx);
    assert_string_equal(zx->name, "政策咨询");
    assert_int_equal(zx->level, TB_LEVEL_VILLAGE);
    assert_int_equal(zx->kind, TB_KIND_CONSULT);
    assert_int_equal(zx->promised_days, 0);
    assert_string_equal(zx->materials, "");

    const tb_item_t *yb1 = tb_catalog_find(c, "YB001");
    assert_non_null(yb1);
    assert_int_equal(yb1->level, TB_LEVEL_TOWNSHIP);
    assert_int_equal(yb1->kind, TB_KIND_IMMEDIATE);
    const tb_item_t *bf = tb_catalog_find(c, "BF001");
    assert_non_null(bf);
    assert_int_equal(bf->kind, TB_KIND_HELP);

    assert_null(tb_catalog_find(c, "yb003"));
    assert_null(tb_catalog_find(c, "YB00"));
    assert_null(tb_catalog_find(c, ""));
    assert_null(tb_catalog_find(c, NULL));
}

static char tmpdir[64], tmpfile_[128];

static int setup_tmp(void **state)
{
    if (setup(state) < 0)
        return -1;
    strcpy(tmpdir, "/tmp/tb-test-catalog-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(tmpfile_, sizeof tmpfile_, "%s/catalog.csv", tmpdir);
    return 0;
}

static int teardown_tmp(void **state)
{
    unlink(tmpfile_);
    rmdir(tmpdir);
    return teardown(state);
}

static int load_text(tb_catalog_t *c, const char *text, int *ret_line)
{
    FILE *f = fopen(tmpfile_, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    return tb_catalog_load(c, tmpfile_, ret_line);
}

#define GOOD1 "AA001,甲,township,immediate,0,0,居民身份证:core\n"
#define GOOD2 "AA002,乙,county,promised,5,10,\n"

static void test_malformed(void **state)
{
    tb_catalog_t *c = *state;
    size_t n = tb_catalog_count(c);
    static const struct {
        const char *what, *text;
        int line;
    } t[] = {
        {"unknown level", HEADER GOOD1 "AA003,丙,province,immediate,0,0,\n", 3},
        {"level case", HEADER "AA003,丙,Township,immediate,0,0,\n", 2},
        {"unknown kind", HEADER GOOD1 GOOD2 "AA003,丙,county,urgent,0,0,\n", 4},
        {"promised with 0 days", HEADER GOOD1 "AA003,丙,county,promised,0,10,\n", 3},
        {"legal below promised", HEADER "AA003,丙,county,promised,10,5,\n", 2},
        {"days not a number", HEADER "AA003,丙,county,promised,5x,10,\n", 2},
        {"days empty", HEADER "AA003,丙,county,promised,,10,\n", 2},
        {"days negative", HEADER "AA003,丙,county,immediate,-1,0,\n", 2},
        {"days above 365", HEADER "AA003,丙,county,promised,366,400,\n", 2},
        {"duplicate code", HEADER GOOD1 GOOD2 "AA001,丁,township,immediate,0,0,\n", 4},
        {"lower-case code", HEADER "aa003,丙,county,immediate,0,0,\n", 2},
        {"code with a dash", HEADER GOOD1 "AA-03,丙,county,immediate,0,0,\n", 3},
        {"code with a space", HEADER "AA 03,丙,county,immediate,0,0,\n", 2},
        {"code with CJK", HEADER "事项1,丙,county,immediate,0,0,\n", 2},
        {"code too long", HEADER "ABCDEFGHIJKLMNOP,丙,county,immediate,0,0,\n", 2},
        {"empty code", HEADER ",丙,county,immediate,0,0,\n", 2},
        {"empty name", HEADER "AA003,,county,immediate,0,0,\n", 2},
        {"name not UTF-8", HEADER "AA003,\xff,county,immediate,0,0,\n", 2},
        {"too few fields", HEADER GOOD1 "AA003,丙,county,immediate,0,0\n", 3},
        {"too many fields", HEADER "AA003,丙,county,immediate,0,0,,x\n", 2},
        {"open quote", HEADER GOOD1 GOOD2 "AA003,\"丙,county,immediate,0,0,\n", 4},
        {"after a blank line",
         HEADER GOOD1 "\n"
                      "AA003,丙,city,immediate,0,0,\n",
         4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int line = -1;
        int rc = load_text(c, t[i].text, &line);
        if (rc != -TB_EDATA || line != t[i].line)
            print_error("case %zu: %s\n", i, t[i].what);
        assert_rc(rc, -TB_EDATA);
        assert_int_equal(line, t[i].line);
        /* Nothing loaded: the shipped catalog is still there, the temp rows are not. */
        assert_int_equal(tb_catalog_count(c), n);
        assert_non_null(tb_catalog_find(c, "YB003"));
        assert_null(tb_catalog_find(c, "AA001"));
    }

    /* Missing file: -ENOENT. */
    int line = -1;
    assert_rc(tb_catalog_load(c, "/nonexistent/catalog.csv", &line), -ENOENT);
    assert_int_equal(tb_catalog_count(c), n);

    /* A good file replaces the catalog; ret_line may be NULL; CRLF and blank lines are fine. */
    assert_rc(load_text(c,
                        HEADER GOOD1 "\r\n"
                                     "AA002,\"乙,丙\",county,promised,5,10,\r\n",
                        NULL),
              0);
    assert_int_equal(tb_catalog_count(c), 2);
    assert_null(tb_catalog_find(c, "YB003"));
    const tb_item_t *it = tb_catalog_find(c, "AA002");
    assert_non_null(it);
    assert_string_equal(it->name, "乙,丙");
    assert_int_equal(it->promised_days, 5);
    assert_int_equal(it->legal_days, 10);
    assert_string_equal(tb_catalog_item(c, 0)->code, "AA001");

    /* A header alone: an empty catalog. */
    assert_rc(load_text(c, HEADER, &line), 0);
    assert_int_equal(tb_catalog_count(c), 0);
    assert_null(tb_catalog_item(c, 0));
}

/* tb_catalog_load_buf: the same parser for untrusted bytes (the county sends
 * catalogs over the wire).  Malformed input is rejected with its line, and the
 * catalog in use stays as it was. */
static void test_load_buf(void **state)
{
    tb_catalog_t *c = *state;
    size_t n = tb_catalog_count(c);
    static const char longline[] = HEADER "AA001,%s,county,immediate,0,0,\n";
    char big[TB_CATALOG_LINE_MAX + 200];
    char name[TB_CATALOG_LINE_MAX + 1];
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(big, sizeof big, longline, name);
    const struct {
        const char *what, *text;
        size_t len; /* 0: strlen */
        int line;
    } t[] = {
        {"empty input", "", 0, 1},
        {"wrong header", "code,name,level\n" GOOD1, 0, 1},
        {"header only a prefix", "code,name,level,kind,promised_days,legal_days\n", 0, 1},
        {"no header, a row first", GOOD1 GOOD2, 0, 1},
        {"NUL in a row", HEADER "AA001,\0,county,immediate,0,0,\n", sizeof HEADER + 17, 2},
        {"bad row after good", HEADER GOOD1 GOOD2 "AA003,丙,county,urgent,0,0,\n", 0, 4},
        {"bad materials", HEADER "AA003,丙,county,immediate,0,0,身份证:maybe\n", 0, 2},
        {"material twice", HEADER "AA003,丙,county,immediate,0,0,甲:core;甲:noncore\n", 0, 2},
        {"last line without newline", HEADER GOOD1 "AA003,丙", 0, 3},
        {"line too long", big, 0, 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int line = -1;
        size_t len = t[i].len ? t[i].len : strlen(t[i].text);
        int rc = tb_catalog_load_buf(c, t[i].text, len, &line);
        if (rc != -TB_EDATA || line != t[i].line)
            print_error("case %zu: %s: rc %d line %d\n", i, t[i].what, rc, line);
        assert_rc(rc, -TB_EDATA);
        assert_int_equal(line, t[i].line);
        assert_int_equal(tb_catalog_count(c), n);
        assert_non_null(tb_catalog_find(c, "YB003"));
    }
    assert_rc(tb_catalog_load_buf(NULL, "", 0, NULL), -EINVAL);
    assert_rc(tb_catalog_load_buf(c, NULL, 3, NULL), -EINVAL);

    /* Good: a BOM, CRLF, no final newline; ret_line untouched. */
    int line = -7;
    static const char good[] = "\xEF\xBB\xBF"
                               "code,name,level,kind,promised_days,legal_days,materials\r\n" GOOD1
                               "AA002,乙,county,promised,5,10,";
    assert_rc(tb_catalog_load_buf(c, good, strlen(good), &line), 0);
    assert_int_equal(line, -7);
    assert_int_equal(tb_catalog_count(c), 2);
    assert_non_null(tb_catalog_find(c, "AA002"));
    assert_null(tb_catalog_find(c, "YB003"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_load_buf, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
