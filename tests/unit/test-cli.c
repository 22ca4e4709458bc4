/* Unit tests for common/tb_cli: option parsing (config flags and the
 * command's own, values, repeated options, positional arguments, --help,
 * every refusal with its message), the environment a
 * command loads (config, places, catalog, calendar, this node's code) with
 * every failure, from a share dir built in a temp dir, and the time format.
 * The library prints nothing (stderr captured: empty) and hands its words
 * back in a tb_msg_t for main.c to print.
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

#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

static void clear_env(void)
{
    static const char *const names[] = {"TONGBAN_PLACE",  "TONGBAN_DATA_DIR",  "TONGBAN_BROKER",
                                        "TONGBAN_DB",     "TONGBAN_SHARE_DIR", "TONGBAN_AGENT",
                                        "TONGBAN_PLACES", "TONGBAN_CONFIG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

/* ---- tb_cli_args ---- */

enum { NOPTS = 3, MAXPOS = 2 };

typedef struct {
    tb_config_t cfg;
    tb_opt_t opts[NOPTS];
    const char *pos[MAXPOS + 1];
    int npos;
    int rc;
    char *err; /* what it said (stderr stays empty) */
} parsed_t;

/* Parse "tongban-village log ARGS..." (NULL-terminated) from argv[2], as a command does. */
static void parse(parsed_t *p, const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "tongban-village";
    argv[argc++] = "log";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    memset(p, 0, sizeof *p);
    tb_config_init(&p->cfg);
    p->opts[0] = (tb_opt_t){"json", false, NULL};
    p->opts[1] = (tb_opt_t){"note", true, NULL};
    p->opts[2] = (tb_opt_t){"help", false, NULL};
    p->npos = -7;
    tb_msg_t msg;
    capture_start();
    p->rc = tb_cli_args(argc, argv, 2, &p->cfg, p->opts, NOPTS, p->pos, MAXPOS, &p->npos, &msg);
    assert_captured("");
    p->err = strdup(msg.text);
    assert_non_null(p->err);
}

static void done(parsed_t *p)
{
    tb_config_fini(&p->cfg);
    free(p->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_parse_ok(void **state)
{
    (void)state;
    parsed_t p;
    /* Nothing at all. */
    parse(&p, ARGS(NULL));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.npos, 0);
    assert_null(tb_opt(p.opts, NOPTS, "json"));
    assert_null(tb_opt(p.opts, NOPTS, "note"));
    assert_string_equal(p.err, "");
    done(&p);

    /* Config flags into the config, own options into opts, the rest positional. */
    parse(&p, ARGS("--place", "360826100001", "李四", "--json", "--note", "备注", "--agent=王五",
                   "13800138000", "--config", "/etc/tongban.ini"));
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.err, "");
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_PLACE), "360826100001");
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_AGENT), "王五");
    assert_string_equal(p.cfg.config_path, "/etc/tongban.ini");
    assert_string_equal(tb_opt(p.opts, NOPTS, "json"), "");
    assert_string_equal(tb_opt(p.opts, NOPTS, "note"), "备注");
    assert_null(tb_opt(p.opts, NOPTS, "help"));
    assert_null(tb_opt(p.opts, NOPTS, "nope"));
    assert_int_equal(p.npos, 2);
    assert_string_equal(p.pos[0], "李四");
    assert_string_equal(p.pos[1], "13800138000");
    done(&p);

    /* Every config flag. */
    parse(&p, ARGS("--place", "a", "--data-dir", "b", "--broker", "c", "--db", "d", "--share-dir",
                   "e", "--agent", "f", "--places", "g", "--http", "h", "--service-phone", "i",
                   "--keys", "j", "--login", "k"));
    assert_int_equal(p.rc, 0);
    for (int k = 0; k < TB_CFG_COUNT; k++) {
        char want[2] = {(char)('a' + k), '\0'};
        assert_string_equal(tb_config_get(&p.cfg, (tb_cfg_key_t)k), want);
    }
    done(&p);

    /* A word of one dash and more than letters is a value (a Z85 key may begin with '-'):
     * positional, before and after options ("-h" is refused below). */
    parse(&p, ARGS("-LO%:Ka-VC{f", "--json", "-5"));
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.err, "");
    assert_int_equal(p.npos, 2);
    assert_string_equal(p.pos[0], "-LO%:Ka-VC{f");
    assert_string_equal(p.pos[1], "-5");
    assert_string_equal(tb_opt(p.opts, NOPTS, "json"), "");
    done(&p);

    /* A command's own option of a config flag's name (audit --login) is the command's. */
    {
        char *argv[] = {"tongban-village", "audit", "--login", "wang.agent", NULL};
        tb_config_t cfg;
        tb_config_init(&cfg);
        tb_opt_t own[] = {{"login", true, NULL}};
        const char *pos[1];
        int npos = 0;
        assert_int_equal(tb_cli_args(4, argv, 2, &cfg, own, 1, pos, 1, &npos, NULL), 0);
        assert_string_equal(tb_opt(own, 1, "login"), "wang.agent");
        assert_null(tb_config_get(&cfg, TB_CFG_LOGIN));
        tb_config_fini(&cfg);
    }

    /* Repeated: the last one wins, for both kinds. */
    parse(&p, ARGS("--note", "a", "--place", "1", "--note=b", "--place", "2", "--json", "--json"));
    assert_int_equal(p.rc, 0);
    assert_string_equal(tb_opt(p.opts, NOPTS, "note"), "b");
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_PLACE), "2");
    assert_string_equal(tb_opt(p.opts, NOPTS, "json"), "");
    done(&p);

    /* A value that looks like an option is still the value; an empty value is a value. */
    parse(&p, ARGS("--note", "--json", "--agent", ""));
    assert_int_equal(p.rc, 0);
    assert_string_equal(tb_opt(p.opts, NOPTS, "note"), "--json");
    assert_null(tb_opt(p.opts, NOPTS, "json"));
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_AGENT), "");
    done(&p);

    /* --help is an option like the others: the command decides. */
    parse(&p, ARGS("--help", "x"));
    assert_int_equal(p.rc, 0);
    assert_string_equal(tb_opt(p.opts, NOPTS, "help"), "");
    assert_int_equal(p.npos, 1);
    done(&p);

    /* "place" is a prefix of "places": the exact name wins. */
    parse(&p, ARGS("--places", "taihe", "--place", "360826100001"));
    assert_int_equal(p.rc, 0);
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_PLACES), "taihe");
    assert_string_equal(tb_config_get(&p.cfg, TB_CFG_PLACE), "360826100001");
    done(&p);
}

static void test_parse_refused(void **state)
{
    (void)state;
    const struct {
        const char *const *args;
        const char *en, *zh;
    } t[] = {
        {ARGS("--bogus"), "unknown option or missing value: --bogus\n",
         "无法识别的选项或缺少选项值：--bogus\n"},
        {ARGS("a", "--bogus=1", "b"), "unknown option or missing value: --bogus=1\n",
         "无法识别的选项或缺少选项值：--bogus=1\n"},
        {ARGS("-h"), "unknown option or missing value: -h\n", "无法识别的选项或缺少选项值：-h\n"},
        {ARGS("-x", "1"), "unknown option or missing value: -x\n",
         "无法识别的选项或缺少选项值：-x\n"},
        /* Missing values: the command's own and a config flag, last on the line. */
        {ARGS("a", "--note"), "unknown option or missing value: --note\n",
         "无法识别的选项或缺少选项值：--note\n"},
        {ARGS("--place"), "unknown option or missing value: --place\n",
         "无法识别的选项或缺少选项值：--place\n"},
        {ARGS("--json", "--config"), "unknown option or missing value: --config\n",
         "无法识别的选项或缺少选项值：--config\n"},
        /* A value given to a flag that takes none. */
        {ARGS("--json=yes"), "unknown option or missing value: --json=yes\n",
         "无法识别的选项或缺少选项值：--json=yes\n"},
        /* One positional argument more than the command takes. */
        {ARGS("a", "b", "c"), "unexpected argument: c\n", "多余的参数：c\n"},
        {ARGS("a", "--json", "b", "--note", "n", "c", "d"), "unexpected argument: c\n",
         "多余的参数：c\n"},
    };
    for (int en = 1; en >= 0; en--) {
        tb_lang_set_en(en);
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            parsed_t p;
            parse(&p, t[i].args);
            if (p.rc != -EINVAL)
                print_error("args %zu\n", i);
            assert_rc(p.rc, -EINVAL);
            assert_int_equal(p.npos, -7); /* untouched */
            assert_string_equal(p.err, en ? t[i].en : t[i].zh);
            done(&p);
        }
    }
    tb_lang_set_en(true);
}

/* Positional arguments: exactly maxpos is fine, one more is refused; a
 * command that takes none refuses the first. */
static void test_parse_positional(void **state)
{
    (void)state;
    parsed_t p;
    parse(&p, ARGS("--json", "a", "b"));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.npos, MAXPOS);
    done(&p);

    char *argv[] = {"tongban-township", "cases", "x", NULL};
    tb_config_t cfg;
    tb_config_init(&cfg);
    int npos = -7;
    tb_msg_t msg;
    capture_start();
    assert_int_equal(tb_cli_args(2, argv, 2, &cfg, NULL, 0, NULL, 0, &npos, &msg), 0);
    assert_int_equal(npos, 0);
    assert_true(tb_cli_args(3, argv, 2, &cfg, NULL, 0, NULL, 0, &npos, &msg) < 0);
    assert_captured("");
    assert_string_equal(msg.text, "unexpected argument: x\n");
    assert_int_equal(npos, 0);
    tb_config_fini(&cfg);
}

/* A case id as a person types it: the words for a malformed one come back
 * (what one looks like). */
static void test_case_check(void **state)
{
    (void)state;
    tb_msg_t msg;
    capture_start();
    assert_rc(tb_cli_case_check("360826100001-20260301-0001", &msg), 0);
    assert_rc(tb_cli_case_check("360826100001-2026031-0001", &msg), -EINVAL);
    assert_captured("");
    assert_string_equal(msg.text, "malformed case id: 360826100001-2026031-0001 (CODE-DATE-SEQ, "
                                  "e.g. 360826100001-20260301-0001)\n");
    tb_lang_set_en(false);
    assert_rc(tb_cli_case_check("x", &msg), -EINVAL);
    assert_string_equal(msg.text, "办件编号格式错误：x（应为 区划代码-日期-序号，如 "
                                  "360826100001-20260301-0001）\n");
    tb_lang_set_en(true);
}

/* The getopt table holds 32 options of the command's own: the 32nd is
 * recognised, a 33rd is not (and then refused, not ignored). */
static void test_parse_many_options(void **state)
{
    (void)state;
    char names[33][8];
    tb_opt_t opts[33];
    for (int i = 0; i < 33; i++) {
        snprintf(names[i], sizeof names[i], "o%d", i + 1);
        opts[i] = (tb_opt_t){names[i], false, NULL};
    }
    tb_config_t cfg;
    tb_config_init(&cfg);
    int npos;
    tb_msg_t msg;
    char *ok[] = {"tb", "--o1", "--o32", NULL};
    assert_int_equal(tb_cli_args(3, ok, 1, &cfg, opts, 33, NULL, 0, &npos, &msg), 0);
    assert_string_equal(tb_opt(opts, 33, "o1"), "");
    assert_string_equal(tb_opt(opts, 33, "o32"), "");
    char *past[] = {"tb", "--o33", NULL};
    assert_true(tb_cli_args(2, past, 1, &cfg, opts, 33, NULL, 0, &npos, &msg) < 0);
    assert_string_equal(msg.text, "unknown option or missing value: --o33\n");
    assert_null(tb_opt(opts, 33, "o33"));
    tb_config_fini(&cfg);
}

/* ---- tb_cli_env: a share dir of symlinks to the shipped data, minus what a test removes ---- */

static const char *const data_files[] = {"catalog.csv", "holidays-cn-2026.csv",
                                         "jiangxi-counties.csv", "taihe-townships.csv",
                                         "taihe-villages.csv"};
enum { NFILES = sizeof data_files / sizeof data_files[0] };

typedef struct {
    char dir[64];
} fix_t;

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/tb-test-cli-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    for (size_t i = 0; i < NFILES; i++) {
        char from[4200], to[160];
        snprintf(from, sizeof from, "%s/%s", TB_SOURCE_DATA_DIR, data_files[i]);
        snprintf(to, sizeof to, "%s/%s", f->dir, data_files[i]);
        if (symlink(from, to) != 0)
            return -1;
    }
    clear_env();
    tb_lang_set_en(true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    for (size_t i = 0; i < NFILES; i++) {
        char to[160];
        snprintf(to, sizeof to, "%s/%s", f->dir, data_files[i]);
        unlink(to);
    }
    rmdir(f->dir);
    free(f);
    clear_env();
    return 0;
}

static void rm_data(fix_t *f, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    assert_int_equal(unlink(path), 0);
}

/* Set up env with --share-dir f->dir and --place place (NULL: none). */
static void env_init(fix_t *f, const char *place, tb_env_ctx_t *env)
{
    memset(env, 0, sizeof *env);
    tb_config_init(&env->cfg);
    tb_config_flag(&env->cfg, "share-dir", f->dir);
    if (place)
        tb_config_flag(&env->cfg, "place", place);
}

/* tb_cli_load on env_init's env: what it said in *ret_err (stderr stays empty). */
static int env_load(fix_t *f, const char *place, tb_level_t level, tb_env_ctx_t *env,
                    char **ret_err)
{
    env_init(f, place, env);
    tb_msg_t msg;
    capture_start();
    int rc = tb_cli_load(env, level, &msg);
    assert_captured("");
    *ret_err = strdup(msg.text);
    assert_non_null(*ret_err);
    return rc;
}

static void test_env_ok(void **state)
{
    fix_t *f = *state;
    tb_env_ctx_t env;
    char *err;
    assert_int_equal(env_load(f, "360826100001", TB_LEVEL_VILLAGE, &env, &err), 0);
    assert_string_equal(err, "");
    free(err);
    assert_string_equal(env.place, "360826100001");
    assert_string_equal(env.parent, "360826100000");
    assert_non_null(tb_catalog_find(env.catalog, "YB003"));
    assert_non_null(tb_places_name(env.places, "360826100001"));
    assert_int_equal(env.catalog_version, 0);
    assert_int_equal(env.calendar_version, 0);
    int32_t day;
    assert_rc(tb_day_parse("2026-10-01", &day), 0);
    assert_false(tb_calendar_is_workday(env.calendar, day)); /* National Day */
    tb_cli_env_fini(&env);
    tb_cli_env_fini(&env); /* twice is harmless */

    assert_int_equal(env_load(f, "360826100000", TB_LEVEL_TOWNSHIP, &env, &err), 0);
    free(err);
    assert_string_equal(env.parent, "360826000000");
    tb_cli_env_fini(&env);
    assert_int_equal(env_load(f, "360826000000", TB_LEVEL_COUNTY, &env, &err), 0);
    free(err);
    assert_string_equal(env.parent, "");
    tb_cli_env_fini(&env);
}

static void expect_env_fails(fix_t *f, const char *place, tb_level_t level, const char *want)
{
    tb_env_ctx_t env;
    char *err;
    int rc = env_load(f, place, level, &env, &err);
    if (rc >= 0)
        print_error("place %s level %d\n", place ? place : "(none)", (int)level);
    assert_true(rc < 0);
    assert_string_equal(err, want);
    free(err);
    tb_cli_env_fini(&env);
}

static void test_env_place(void **state)
{
    fix_t *f = *state;
    char want[512];
    expect_env_fails(f, NULL, TB_LEVEL_VILLAGE,
                     "missing setting: this node's 12-digit place code. Give --place VALUE, or set "
                     "TONGBAN_PLACE, or put \"place = VALUE\" in the file named by --config or "
                     "TONGBAN_CONFIG.\n");
    expect_env_fails(f, "", TB_LEVEL_VILLAGE,
                     "missing setting: this node's 12-digit place code. Give --place VALUE, or set "
                     "TONGBAN_PLACE, or put \"place = VALUE\" in the file named by --config or "
                     "TONGBAN_CONFIG.\n");
    static const struct {
        const char *place;
        tb_level_t level;
        int err;
        const char *what;
    } t[] = {
        {"36082610000", TB_LEVEL_VILLAGE, -TB_EINVAL_CODE, "village"},     /* 11 digits */
        {"3608261000011", TB_LEVEL_VILLAGE, -TB_EINVAL_CODE, "village"},   /* 13 digits */
        {"36082610000x", TB_LEVEL_VILLAGE, -TB_EINVAL_CODE, "village"},    /* not a digit */
        {"360826100999", TB_LEVEL_VILLAGE, -TB_EUNKNOWN_PLACE, "village"}, /* not in the data */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(want, sizeof want,
                 "this node's place code %s is invalid: %s (a %s code is needed)\n", t[i].place,
                 tb_strerror(t[i].err), t[i].what);
        expect_env_fails(f, t[i].place, t[i].level, want);
    }
    /* A valid code of the wrong level is named as such. */
    static const struct {
        const char *place;
        tb_level_t level;
        const char *is, *what;
    } w[] = {
        {"360826100000", TB_LEVEL_VILLAGE, "township", "village"},
        {"360826100001", TB_LEVEL_TOWNSHIP, "village", "township"},
        {"360826100000", TB_LEVEL_COUNTY, "township", "county"},
        {"360826000000", TB_LEVEL_TOWNSHIP, "county", "township"},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        snprintf(want, sizeof want, "this node's place code %s is a %s code; a %s code is needed\n",
                 w[i].place, w[i].is, w[i].what);
        expect_env_fails(f, w[i].place, w[i].level, want);
    }
    tb_lang_set_en(false);
    expect_env_fails(f, "360826100001", TB_LEVEL_TOWNSHIP,
                     "本节点区划代码 360826100001 是村（社区）代码，这里需要一个乡镇代码\n");
    expect_env_fails(f, "36082610000x", TB_LEVEL_TOWNSHIP,
                     "本节点区划代码 36082610000x "
                     "无效：区划代码格式错误（应为12位数字）（这里需要一个乡镇代码）\n");
    tb_lang_set_en(true);
}

static void test_env_data(void **state)
{
    fix_t *f = *state;
    char want[1024];
    /* Each shipped file missing in turn, in the order they are read. */
    rm_data(f, "holidays-cn-2026.csv");
    snprintf(want, sizeof want,
             "cannot load the holiday calendar %s/holidays-cn-2026.csv (line 0): %s\n", f->dir,
             tb_strerror(-ENOENT));
    expect_env_fails(f, "360826100001", TB_LEVEL_VILLAGE, want);
    rm_data(f, "catalog.csv");
    snprintf(want, sizeof want, "cannot load the catalog %s/catalog.csv (line 0): %s\n", f->dir,
             tb_strerror(-ENOENT));
    expect_env_fails(f, "360826100001", TB_LEVEL_VILLAGE, want);
    rm_data(f, "taihe-villages.csv");
    snprintf(want, sizeof want, "cannot load place data %s/taihe-villages.csv: %s\n", f->dir,
             tb_strerror(-ENOENT));
    expect_env_fails(f, "360826100001", TB_LEVEL_VILLAGE, want);

    /* Another place data set that is not there. */
    tb_env_ctx_t env;
    memset(&env, 0, sizeof env);
    tb_config_init(&env.cfg);
    tb_config_flag(&env.cfg, "share-dir", f->dir);
    tb_config_flag(&env.cfg, "place", "360826100001");
    tb_config_flag(&env.cfg, "places", "nowhere");
    tb_msg_t msg;
    capture_start();
    assert_true(tb_cli_load(&env, TB_LEVEL_VILLAGE, &msg) < 0);
    assert_captured("");
    snprintf(want, sizeof want, "cannot load place data %s/nowhere-townships.csv: %s\n", f->dir,
             tb_strerror(-ENOENT));
    assert_string_equal(msg.text, want);
    tb_cli_env_fini(&env);

    /* A config file that does not load stops everything before the data. */
    memset(&env, 0, sizeof env);
    tb_config_init(&env.cfg);
    tb_config_flag(&env.cfg, "config", "/nonexistent/tongban.ini");
    assert_true(tb_cli_load(&env, TB_LEVEL_VILLAGE, &msg) < 0);
    assert_string_equal(msg.text, "cannot read config file /nonexistent/tongban.ini\n");
    assert_null(env.places);
    tb_cli_env_fini(&env);
}

/* A malformed catalog: refused naming its line. */
static void test_env_bad_catalog(void **state)
{
    fix_t *f = *state;
    rm_data(f, "catalog.csv");
    char path[160], want[512];
    snprintf(path, sizeof path, "%s/catalog.csv", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("code,name,level,kind,promised_days,legal_days,materials\n"
          "YB001,新农合参保登记及缴费,township,immediate,0,0,居民身份证:core\n"
          "YB002,坏的一行,nowhere,immediate,0,0,\n",
          fp);
    fclose(fp);
    snprintf(want, sizeof want, "cannot load the catalog %s (line 3): %s\n", path,
             tb_strerror(-TB_EDATA));
    expect_env_fails(f, "360826100001", TB_LEVEL_VILLAGE, want);
    unlink(path);
    /* So teardown finds what it removes. */
    char from[4200];
    snprintf(from, sizeof from, "%s/catalog.csv", TB_SOURCE_DATA_DIR);
    assert_int_equal(symlink(from, path), 0);
}

/* ---- tb_fmt_time ---- */

static void test_fmt_time(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *want;
    } t[] = {
        {0, "-"},
        {-1, "-"},
        {INT64_MIN, "-"},
        {1, "1970-01-01 08:00"},
        {1795334400000, "2026-11-22 16:00"},
        {1791475199999, "2026-10-08 23:59"}, /* the last ms of a CST day */
        {1791475200000, "2026-10-09 00:00"}, /* the first of the next */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[32];
        tb_fmt_time(t[i].ms, buf);
        assert_string_equal(buf, t[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_parse_positional),
        cmocka_unit_test(test_parse_many_options),
        cmocka_unit_test(test_case_check),
        cmocka_unit_test_setup_teardown(test_env_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_bad_catalog, setup, teardown),
        cmocka_unit_test(test_fmt_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
