/* Unit tests for common/tb_config: precedence (flags > TONGBAN_* environment
 * > INI file > defaults) for every key, the INI file through libinih (valid,
 * a malformed line named, missing, an unknown key, the longest line), and
 * the messages a person reads, in English and Chinese: handed back in a
 * tb_msg_t, with nothing on stderr (captured): the library does not print.
 * Every test starts with no TONGBAN_* variable set and writes its INI files
 * to a temp dir.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tb_test.h"

#include "tb_config.h"
#include "tb_error.h"
#include "tb_i18n.h"

static const char *const env_names[TB_CFG_COUNT] = {
    "TONGBAN_PLACE",         "TONGBAN_DATA_DIR", "TONGBAN_BROKER", "TONGBAN_DB",
    "TONGBAN_SHARE_DIR",     "TONGBAN_AGENT",    "TONGBAN_PLACES", "TONGBAN_HTTP",
    "TONGBAN_SERVICE_PHONE", "TONGBAN_KEYS",     "TONGBAN_LOGIN",
};
static const char *const ini_keys[TB_CFG_COUNT] = {"place",         "data_dir", "broker", "db",
                                                   "share_dir",     "agent",    "places", "http",
                                                   "service_phone", "keys",     "login"};
static const char *const flags[TB_CFG_COUNT] = {"place",         "data-dir", "broker", "db",
                                                "share-dir",     "agent",    "places", "http",
                                                "service-phone", "keys",     "login"};

/* ---- What the library says: handed back, never printed ---- */

static tb_msg_t said; /* the words of the last load() or require() */

#define assert_said(want) assert_string_equal(said.text, (want))

/* tb_config_load: its words in `said`, and nothing on stderr. */
static int load(tb_config_t *cfg)
{
    memset(said.text, 'x', sizeof said.text - 1); /* the load empties it first */
    said.text[sizeof said.text - 1] = '\0';
    capture_start();
    int rc = tb_config_load(cfg, &said);
    assert_captured("");
    return rc;
}

/* tb_config_require likewise ("" in `said` when the value is there). */
static const char *require(const tb_config_t *cfg, tb_cfg_key_t key)
{
    said.text[0] = '\0';
    capture_start();
    const char *v = tb_config_require(cfg, key, &said);
    assert_captured("");
    return v;
}

/* ---- Fixture: a temp dir, no TONGBAN_* in the environment ---- */

typedef struct {
    char dir[64];
    char ini[128];
} fix_t;

static void clear_env(void)
{
    for (int i = 0; i < TB_CFG_COUNT; i++)
        unsetenv(env_names[i]);
    unsetenv("TONGBAN_CONFIG");
    unsetenv("TONGBAN_HEARTBEAT_MS");
    unsetenv("TB_TEST_KNOB");
}

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/tb-test-config-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->ini, sizeof f->ini, "%s/tongban.ini", f->dir);
    clear_env();
    tb_lang_set_en(true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    clear_env();
    unlink(f->ini);
    char other[160];
    snprintf(other, sizeof other, "%s/other.ini", f->dir);
    unlink(other);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ---- Precedence ---- */

/* For each key in turn: where it is set (flag, environment, INI), which wins. */
static void test_precedence(void **state)
{
    fix_t *f = *state;
    enum { FLAG = 1, ENV = 2, INI = 4 };
    static const struct {
        int where;
        const char *want; /* prefix of the value that must win; NULL: unset */
    } t[] = {
        {FLAG | ENV | INI, "flag"}, {FLAG | ENV, "flag"}, {FLAG | INI, "flag"}, {FLAG, "flag"},
        {ENV | INI, "env"},         {ENV, "env"},         {INI, "ini"},         {0, NULL},
    };
    for (int k = 0; k < TB_CFG_COUNT; k++) {
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            char v[64], ini[128];
            clear_env();
            tb_config_t cfg;
            tb_config_init(&cfg);
            if (t[i].where & FLAG) {
                snprintf(v, sizeof v, "flag-%s", ini_keys[k]);
                assert_int_equal(tb_config_flag(&cfg, flags[k], v), 1);
            }
            if (t[i].where & ENV) {
                snprintf(v, sizeof v, "env-%s", ini_keys[k]);
                setenv(env_names[k], v, 1);
            }
            snprintf(ini, sizeof ini, "[node]\n%s = ini-%s\n", ini_keys[k], ini_keys[k]);
            write_file(f->ini, t[i].where & INI ? ini : "; nothing\n");
            assert_int_equal(tb_config_flag(&cfg, "config", f->ini), 1);
            assert_rc(load(&cfg), 0);
            const char *got = tb_config_get(&cfg, (tb_cfg_key_t)k);
            if (t[i].want) {
                snprintf(v, sizeof v, "%s-%s", t[i].want, ini_keys[k]);
                if (!got || strcmp(got, v) != 0)
                    print_error("key %s, set in %d\n", ini_keys[k], t[i].where);
                assert_non_null(got);
                assert_string_equal(got, v);
            } else if (k == TB_CFG_PLACE || k == TB_CFG_DB || k == TB_CFG_AGENT ||
                       k == TB_CFG_HTTP || k == TB_CFG_SERVICE_PHONE || k == TB_CFG_LOGIN) {
                if (got)
                    print_error("key %s: \"%s\" with nothing set\n", ini_keys[k], got);
                assert_null(got);
            } else {
                assert_non_null(got); /* a default */
            }
            tb_config_fini(&cfg);
        }
    }
}

/* The environment is read at load: set before or after the flag, the flag wins;
 * an empty variable counts as unset. */
static void test_env(void **state)
{
    (void)state;
    tb_config_t cfg;
    tb_config_init(&cfg);
    setenv("TONGBAN_PLACE", "", 1);
    setenv("TONGBAN_AGENT", "王五", 1);
    setenv("TONGBAN_BROKER", "ipc:///tmp/x", 1);
    assert_int_equal(tb_config_flag(&cfg, "broker", "tcp://10.0.0.1:7700"), 1);
    assert_rc(load(&cfg), 0);
    assert_null(tb_config_get(&cfg, TB_CFG_PLACE));
    assert_string_equal(tb_config_get(&cfg, TB_CFG_AGENT), "王五");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_BROKER), "tcp://10.0.0.1:7700");
    /* A second load does not let the environment or defaults override. */
    setenv("TONGBAN_AGENT", "赵六", 1);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_AGENT), "赵六");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_BROKER), "tcp://10.0.0.1:7700");
    tb_config_fini(&cfg);
}

/* tb_config_parse_int: digits only, within the range, both bounds taken. */
static void test_parse_int(void **state)
{
    (void)state;
    long v = -7;
    assert_rc(tb_config_parse_int("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_rc(tb_config_parse_int("10", 0, 10, &v), 0);
    assert_int_equal(v, 10);
    assert_rc(tb_config_parse_int("0007", 0, 10, &v), 0);
    assert_int_equal(v, 7);
    static const char *const bad[] = {NULL,          "",    "11",  "-1",
                                      "+5",          " 5",  "5 ",  "5O0",
                                      "0x10",        "1e3", "5.0", "99999999999999999999999",
                                      "\xe5\x8d\x81"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = -7;
        if (tb_config_parse_int(bad[i], 0, 10, &v) != -TB_ECONFIG || v != -7)
            fail_msg("\"%s\" taken (v %ld)", bad[i] ? bad[i] : "(null)", v);
    }
}

/* tb_config_env_int: unset or empty gives the default; junk is refused with
 * the variable, its value and its range named. */
static void test_env_int(void **state)
{
    (void)state;
    long v = -7;
    tb_msg_t m = {{0}};
    assert_rc(tb_config_env_int("TB_TEST_KNOB", 1, 100, 42, &v, &m), 0);
    assert_int_equal(v, 42);
    setenv("TB_TEST_KNOB", "", 1);
    assert_rc(tb_config_env_int("TB_TEST_KNOB", 1, 100, 42, &v, &m), 0);
    assert_int_equal(v, 42);
    setenv("TB_TEST_KNOB", "100", 1);
    assert_rc(tb_config_env_int("TB_TEST_KNOB", 1, 100, 42, &v, &m), 0);
    assert_int_equal(v, 100);
    assert_string_equal(m.text, "");
    setenv("TB_TEST_KNOB", "5O0", 1);
    v = -7;
    assert_rc(tb_config_env_int("TB_TEST_KNOB", 1, 100, 42, &v, &m), -TB_ECONFIG);
    assert_int_equal(v, -7);
    assert_string_equal(m.text, "environment variable TB_TEST_KNOB: \"5O0\" is not valid: it must "
                                "be a whole number from 1 to 100 (unset: 42)\n");
    tb_lang_set_en(false);
    tb_msg_clear(&m);
    setenv("TB_TEST_KNOB", "0", 1);
    assert_rc(tb_config_env_int("TB_TEST_KNOB", 1, 100, 42, &v, &m), -TB_ECONFIG);
    assert_string_equal(
        m.text, "环境变量 TB_TEST_KNOB 的值“0”无效：应为 1 到 100 之间的整数（不设置则为 42）\n");
    tb_lang_set_en(true);
}

/* A malformed TONGBAN_HEARTBEAT_MS stops every binary at its configuration
 * load, with the variable and its range named (not a bare error later). */
static void test_heartbeat_knob(void **state)
{
    (void)state;
    tb_config_t cfg;
    tb_config_init(&cfg);
    setenv("TONGBAN_HEARTBEAT_MS", "500", 1);
    assert_rc(load(&cfg), -TB_ECONFIG);
    assert_said("environment variable TONGBAN_HEARTBEAT_MS: \"500\" is not valid: it must be a "
                "whole number from 1000 to 60000 (unset: 10000)\n");
    setenv("TONGBAN_HEARTBEAT_MS", "2000", 1);
    assert_rc(load(&cfg), 0);
    assert_said("");
    tb_config_fini(&cfg);
}

static void test_defaults(void **state)
{
    (void)state;
    tb_config_t cfg;
    tb_config_init(&cfg);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_BROKER), "tcp://127.0.0.1:7700");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_DATA_DIR), "/var/lib/tongban");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_PLACES), "taihe");
    const char *share = tb_config_get(&cfg, TB_CFG_SHARE_DIR);
    assert_non_null(share);
    char path[4200];
    snprintf(path, sizeof path, "%s/catalog.csv", share);
    assert_int_equal(access(path, R_OK), 0);
    assert_null(tb_config_get(&cfg, TB_CFG_PLACE));
    assert_null(tb_config_get(&cfg, TB_CFG_DB));
    assert_null(tb_config_get(&cfg, TB_CFG_AGENT));
    tb_config_fini(&cfg);
    /* fini leaves a clean config; a second fini is harmless. */
    assert_null(cfg.config_path);
    tb_config_fini(&cfg);
}

/* Flags: ours are taken (1), others left to the command (0); repeated, the last wins. */
static void test_flags(void **state)
{
    (void)state;
    tb_config_t cfg;
    tb_config_init(&cfg);
    static const char *const not_ours[] = {"json", "data_dir", "Place", "", "configs", "help"};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++)
        assert_int_equal(tb_config_flag(&cfg, not_ours[i], "x"), 0);
    for (int k = 0; k < TB_CFG_COUNT; k++)
        assert_null(tb_config_get(&cfg, (tb_cfg_key_t)k));
    assert_null(cfg.config_path);

    assert_int_equal(tb_config_flag(&cfg, "place", "360826100001"), 1);
    assert_int_equal(tb_config_flag(&cfg, "place", "360826100000"), 1);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_PLACE), "360826100000");
    assert_int_equal(tb_config_flag(&cfg, "config", "/a.ini"), 1);
    assert_int_equal(tb_config_flag(&cfg, "config", "/b.ini"), 1);
    assert_string_equal(cfg.config_path, "/b.ini");
    tb_config_fini(&cfg);

    for (int k = 0; k < TB_CFG_COUNT; k++)
        assert_string_equal(tb_config_key_name((tb_cfg_key_t)k), flags[k]);
}

/* ---- The INI file ---- */

static void test_ini_valid(void **state)
{
    fix_t *f = *state;
    write_file(f->ini, "; tongban node\n"
                       "# another comment\n"
                       "place=360826100001\n"
                       "\n"
                       "[store]\n"
                       "  data_dir   =   /srv/tongban  \n"
                       "[net]\n"
                       "broker = tcp://10.1.2.3:7700 ; the county's broker\n"
                       "db = host=/run/pg dbname=tongban\n"
                       "agent = 王五\n"
                       "places = taihe\n"
                       "share_dir = /usr/share/tongban");
    /* Named by TONGBAN_CONFIG. */
    setenv("TONGBAN_CONFIG", f->ini, 1);
    tb_config_t cfg;
    tb_config_init(&cfg);
    assert_rc(load(&cfg), 0);
    assert_said("");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_PLACE), "360826100001");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_DATA_DIR), "/srv/tongban");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_BROKER), "tcp://10.1.2.3:7700");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_DB), "host=/run/pg dbname=tongban");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_AGENT), "王五");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_PLACES), "taihe");
    assert_string_equal(tb_config_get(&cfg, TB_CFG_SHARE_DIR), "/usr/share/tongban");
    tb_config_fini(&cfg);

    /* --config wins over TONGBAN_CONFIG. */
    char other[160];
    snprintf(other, sizeof other, "%s/other.ini", f->dir);
    write_file(other, "place = 360826100000\n");
    tb_config_init(&cfg);
    tb_config_flag(&cfg, "config", other);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_PLACE), "360826100000");
    assert_null(tb_config_get(&cfg, TB_CFG_AGENT));
    tb_config_fini(&cfg);

    /* ':' separates a key from its value too. */
    write_file(f->ini, "broker: ipc:///run/tongban/broker\n");
    tb_config_init(&cfg);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_BROKER), "ipc:///run/tongban/broker");
    tb_config_fini(&cfg);

    /* A key given twice in the file: the later line wins. */
    write_file(f->ini, "agent = a\nagent = b\n");
    tb_config_init(&cfg);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_AGENT), "b");
    tb_config_fini(&cfg);
}

/* Load the file at path expecting -TB_ECONFIG and exactly `want` said (stderr: nothing). */
static void expect_refused(const char *path, const char *want)
{
    tb_config_t cfg;
    tb_config_init(&cfg);
    tb_config_flag(&cfg, "config", path);
    int rc = load(&cfg);
    char *got = strdup(said.text);
    if (rc != -TB_ECONFIG)
        print_error("%s\n", path);
    assert_rc(rc, -TB_ECONFIG);
    assert_string_equal(got, want);
    free(got);
    tb_config_fini(&cfg);
}

static void test_ini_malformed(void **state)
{
    fix_t *f = *state;
    char want[512];
    static const struct {
        const char *text;
        int line;
    } t[] = {
        {"place\n", 1},
        {"place = 360826100001\n[node\n", 2},
        {"place = 360826100001\n\nagent = 王五\nbroker tcp-x\n", 4},
        {"place = 360826100001\nagent", 2}, /* the last line, no newline */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        write_file(f->ini, t[i].text);
        snprintf(want, sizeof want, "config file %s: error on line %d\n", f->ini, t[i].line);
        expect_refused(f->ini, want);
    }
    tb_lang_set_en(false);
    write_file(f->ini, "place = 1\nbroken\n");
    snprintf(want, sizeof want, "配置文件 %s 第 2 行有误\n", f->ini);
    expect_refused(f->ini, want);
}

static void test_ini_unknown_key(void **state)
{
    fix_t *f = *state;
    char want[512];
    write_file(f->ini, "place = 360826100001\ncolour = red\n");
    snprintf(want, sizeof want,
             "unknown key in config file: colour\nconfig file %s: error on line 2\n", f->ini);
    expect_refused(f->ini, want);
    /* An empty key is unknown. */
    write_file(f->ini, "= value\n");
    snprintf(want, sizeof want, "unknown key in config file: \nconfig file %s: error on line 1\n",
             f->ini);
    expect_refused(f->ini, want);
    /* The flag's spelling is not a key of the file. */
    write_file(f->ini, "data-dir = /srv\n");
    snprintf(want, sizeof want,
             "unknown key in config file: data-dir\nconfig file %s: error on line 1\n", f->ini);
    expect_refused(f->ini, want);
    tb_lang_set_en(false);
    write_file(f->ini, "Place = 360826100001\n");
    snprintf(want, sizeof want, "配置文件中有未知的键：Place\n配置文件 %s 第 1 行有误\n", f->ini);
    expect_refused(f->ini, want);
}

static void test_ini_missing(void **state)
{
    fix_t *f = *state;
    char path[160], want[512];
    snprintf(path, sizeof path, "%s/none.ini", f->dir);
    snprintf(want, sizeof want, "cannot read config file %s\n", path);
    expect_refused(path, want);
    /* A directory opens but does not read: refused, not taken as an empty file. */
    snprintf(want, sizeof want, "cannot read config file %s\n", f->dir);
    expect_refused(f->dir, want);
    /* Through TONGBAN_CONFIG too. */
    snprintf(want, sizeof want, "cannot read config file %s\n", path);
    setenv("TONGBAN_CONFIG", path, 1);
    tb_config_t cfg;
    tb_config_init(&cfg);
    assert_rc(load(&cfg), -TB_ECONFIG);
    assert_said(want);
    tb_config_fini(&cfg);
    unsetenv("TONGBAN_CONFIG");
    /* Unreadable (not for root, who reads anything: then it loads). */
    write_file(f->ini, "place = 360826100001\n");
    chmod(f->ini, 0);
    if (geteuid() != 0) {
        snprintf(want, sizeof want, "cannot read config file %s\n", f->ini);
        expect_refused(f->ini, want);
    }
    tb_lang_set_en(false);
    snprintf(want, sizeof want, "无法读取配置文件 %s\n", path);
    expect_refused(path, want);
    /* An empty --config means none. */
    tb_config_init(&cfg);
    tb_config_flag(&cfg, "config", "");
    assert_rc(load(&cfg), 0);
    tb_config_fini(&cfg);
}

/* libinih (Debian's: INI_MAX_LINE 200, no realloc) reads a line in pieces of
 * at most 199 bytes; tb_config refuses a longer line by its number, so a value
 * is never cut and its tail never read as another line. */
static void test_ini_long_line(void **state)
{
    fix_t *f = *state;
    char text[400], value[300], want[512];
    /* "db = " is 5 bytes: 194 value bytes make 199, the newline comes on its own. */
    memset(value, 'x', 194);
    value[194] = '\0';
    snprintf(text, sizeof text, "db = %s\n", value);
    write_file(f->ini, text);
    tb_config_t cfg;
    tb_config_init(&cfg);
    tb_config_flag(&cfg, "config", f->ini);
    assert_rc(load(&cfg), 0);
    assert_string_equal(tb_config_get(&cfg, TB_CFG_DB), value);
    tb_config_fini(&cfg);
    /* One byte more: refused. */
    memset(value, 'x', 195);
    value[195] = '\0';
    snprintf(text, sizeof text, "db = %s\n", value);
    write_file(f->ini, text);
    snprintf(want, sizeof want, "config file %s: line 1 is too long (at most 199 bytes)\n", f->ini);
    expect_refused(f->ini, want);
    /* A long line whose tail would read as a key of its own: refused, not split. */
    snprintf(text, sizeof text, "place = 360826100001\nagent = %.*sdb = sneaky\n", 192, value);
    write_file(f->ini, text);
    snprintf(want, sizeof want, "config file %s: line 2 is too long (at most 199 bytes)\n", f->ini);
    expect_refused(f->ini, want);
}

/* ---- A missing setting ---- */

static void test_need(void **state)
{
    (void)state;
    tb_config_t cfg;
    tb_config_init(&cfg);
    assert_rc(load(&cfg), 0);
    assert_null(require(&cfg, TB_CFG_PLACE));
    assert_said("missing setting: this node's 12-digit place code. Give --place VALUE, or set "
                "TONGBAN_PLACE, or put \"place = VALUE\" in the file named by --config or "
                "TONGBAN_CONFIG.\n");
    tb_lang_set_en(false);
    assert_null(require(&cfg, TB_CFG_AGENT));
    assert_said("缺少设置：经办人姓名。请使用 --agent 值，或设置环境变量 TONGBAN_AGENT，"
                "或在配置文件（--config 或 TONGBAN_CONFIG 指定）中写 \"agent = 值\"。\n");
    tb_lang_set_en(true);
    /* Every key names its flag, variable and INI key. */
    for (int k = 0; k < TB_CFG_COUNT; k++) {
        tb_config_t empty;
        tb_config_init(&empty);
        assert_null(require(&empty, (tb_cfg_key_t)k));
        char *got = strdup(said.text);
        char want[64];
        snprintf(want, sizeof want, "--%s VALUE", flags[k]);
        assert_non_null(strstr(got, want));
        assert_non_null(strstr(got, env_names[k]));
        snprintf(want, sizeof want, "\"%s = VALUE\"", ini_keys[k]);
        assert_non_null(strstr(got, want));
        free(got);
    }
    /* An empty value is missing too; a set one is returned, silently. */
    tb_config_flag(&cfg, "agent", "");
    assert_null(require(&cfg, TB_CFG_AGENT));
    char *got = strdup(said.text);
    assert_non_null(strstr(got, "--agent VALUE"));
    free(got);
    tb_config_flag(&cfg, "agent", "王五");
    assert_string_equal(require(&cfg, TB_CFG_AGENT), "王五");
    assert_said("");
    tb_config_fini(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_knob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_need, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
