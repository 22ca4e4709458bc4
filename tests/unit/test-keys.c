/* Unit tests for tb_keys: key files and the allow-list, both ways at every
 * boundary (a key of 39, 40, 41 characters; a line of 200 and 201 bytes), and
 * every reason names the file and, for the allow-list, the line. */
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
#include <zmq.h>

#include "tb_test.h"

#include "tb_keys.h"

#define VIL "360826100001"
#define VIL2 "360826100002"

static char dir[64];
static char why[600];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tb-test-keys-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void a_key(char out[TB_KEY_Z85_LEN + 1])
{
    char sec[TB_KEY_Z85_LEN + 1];
    assert_int_equal(zmq_curve_keypair(out, sec), 0);
}

static void test_key_valid(void **state)
{
    (void)state;
    char k[TB_KEY_Z85_LEN + 2];
    a_key(k);
    assert_true(tb_key_valid(k));
    k[39] = '\0';
    assert_false(tb_key_valid(k)); /* 39 */
    a_key(k);
    strcat(k, "0");
    assert_false(tb_key_valid(k)); /* 41 */
    a_key(k);
    k[5] = '~'; /* not in the Z85 alphabet */
    assert_false(tb_key_valid(k));
    k[5] = ' ';
    assert_false(tb_key_valid(k));
    assert_false(tb_key_valid(NULL));
    assert_false(tb_key_valid(""));
}

static void test_generate_and_read(void **state)
{
    (void)state;
    char pub[TB_KEY_Z85_LEN + 1], pub2[TB_KEY_Z85_LEN + 1], sec[TB_KEY_Z85_LEN + 1];
    char sub[128], path[256];
    snprintf(sub, sizeof sub, "%s/k", dir);
    assert_rc(tb_keys_generate(sub, VIL, pub, why, sizeof why), 0);
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.key", sub, VIL);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Never overwrites; the reason names the file. */
    assert_rc(tb_keys_generate(sub, VIL, pub2, why, sizeof why), -EEXIST);
    assert_non_null(strstr(why, path));
    /* The pair reads back, the public key derived from the secret. */
    assert_rc(tb_keys_read_pair(sub, VIL, pub2, sec, why, sizeof why), 0);
    assert_string_equal(pub, pub2);
    snprintf(path, sizeof path, "%s/%s.pub", sub, VIL);
    assert_rc(tb_keys_read_pub(path, pub2, why, sizeof why), 0);
    assert_string_equal(pub, pub2);
    /* A node needs broker.pub too. */
    tb_curve_t c;
    memset(&c, 0x55, sizeof c);
    assert_rc(tb_keys_load_node(sub, VIL, &c, why, sizeof why), -ENOENT);
    assert_non_null(strstr(why, "broker.pub"));
    assert_int_equal(c.pub[0], 0x55); /* untouched on failure */
    assert_rc(tb_keys_generate(sub, TB_BROKER_KEY_NAME, pub2, why, sizeof why), 0);
    assert_rc(tb_keys_load_node(sub, VIL, &c, why, sizeof why), 0);
    assert_string_equal(c.pub, pub);
    assert_string_equal(c.broker_pub, pub2);
    /* A secret others may read is refused, naming the mode. */
    snprintf(path, sizeof path, "%s/%s.key", sub, VIL);
    assert_int_equal(chmod(path, 0640), 0);
    assert_rc(tb_keys_read_pair(sub, VIL, pub2, sec, why, sizeof why), -EPERM);
    assert_non_null(strstr(why, "0640"));
    assert_int_equal(chmod(path, 0600), 0);
    /* Malformed key files: too short, too long, CRLF accepted. */
    FILE *fp = fopen(path, "w");
    fputs("short\n", fp);
    fclose(fp);
    assert_rc(tb_keys_read_pair(sub, VIL, pub2, sec, why, sizeof why), -TB_EDATA);
    assert_non_null(strstr(why, path));
    snprintf(path, sizeof path, "%s/x.pub", sub);
    fp = fopen(path, "w");
    fprintf(fp, "%s\r\n", pub);
    fclose(fp);
    assert_rc(tb_keys_read_pub(path, pub2, why, sizeof why), 0);
    fp = fopen(path, "w");
    fprintf(fp, "%s\n%s\n", pub, pub);
    fclose(fp);
    assert_rc(tb_keys_read_pub(path, pub2, why, sizeof why), -TB_EDATA);
}

static int parse(const char *text, tb_allow_t **ret)
{
    return tb_allow_parse("allow.list", text, strlen(text), ret, why, sizeof why);
}

static void test_allow_parse(void **state)
{
    (void)state;
    char k1[TB_KEY_Z85_LEN + 1], k2[TB_KEY_Z85_LEN + 1], text[1024], place[TB_CODE_LEN + 1];
    a_key(k1);
    a_key(k2);
    tb_allow_t *a = NULL;
    snprintf(text, sizeof text, "# comment\n\n   \t\n%s %s\r\n\t%s\t%s  \n%s %s", VIL, k1, VIL2, k2,
             VIL2, k2);
    assert_rc(parse(text, &a), 0);
    assert_int_equal(tb_allow_count(a), 2); /* the repeated line binds nothing new */
    assert_true(tb_allow_lookup(a, k1, place));
    assert_string_equal(place, VIL);
    assert_true(tb_allow_lookup(a, k2, place));
    assert_string_equal(place, VIL2);
    tb_allow_destroy(&a);
    assert_null(a);
    tb_allow_destroy(NULL);
    assert_rc(parse("", &a), 0);
    assert_int_equal(tb_allow_count(a), 0);
    tb_allow_destroy(&a);

    /* Each malformed text, and the reason it must give. */
    char texts[7][256];
    snprintf(texts[0], 256, "# ok\n%s\n", VIL);
    snprintf(texts[1], 256, "%s %s extra\n", VIL, k1);
    snprintf(texts[2], 256, "36082610000 %s\n", k1);
    snprintf(texts[3], 256, "36082610000x %s\n", k1);
    snprintf(texts[4], 256, "%s %.39s\n", VIL, k1);
    snprintf(texts[5], 256, "%s %s0\n", VIL, k1);
    snprintf(texts[6], 256, "%s %s\n%s %s\n", VIL, k1, VIL2, k1);
    static const char *const want[7] = {
        "allow.list line 2: want \"PLACE-CODE PUBLIC-KEY\"",
        "line 1: want",
        "line 1: \"36082610000\" is not a 12-digit place code",
        "is not a 12-digit place code",
        "line 1: not a CURVE public key",
        "line 1: not a CURVE public key",
        "line 2: this key is already bound",
    };
    for (size_t i = 0; i < 7; i++) {
        a = (tb_allow_t *)0x1;
        assert_rc(parse(texts[i], &a), -TB_EDATA);
        assert_ptr_equal(a, (tb_allow_t *)0x1); /* untouched */
        if (!strstr(why, want[i]))
            print_error("case %zu: \"%s\" lacks \"%s\"\n", i, why, want[i]);
        assert_non_null(strstr(why, want[i]));
    }
    /* A line of 200 bytes (the limit) passes; 201 is refused. */
    int pad = TB_ALLOW_LINE_MAX - (TB_CODE_LEN + 1 + TB_KEY_Z85_LEN);
    snprintf(text, sizeof text, "%s %s%*s\n", VIL, k1, pad, "");
    assert_int_equal(strlen(text), TB_ALLOW_LINE_MAX + 1);
    assert_rc(parse(text, &a), 0);
    tb_allow_destroy(&a);
    snprintf(text, sizeof text, "%s %s%*s\n", VIL, k1, pad + 1, "");
    assert_rc(parse(text, &a), -TB_EDATA);
    assert_non_null(strstr(why, "line 1: longer than 200 bytes"));
    /* A NUL byte. */
    char nul[] = "# x\0y\n";
    assert_rc(tb_allow_parse("allow.list", nul, sizeof nul - 1, &a, why, sizeof why), -TB_EDATA);
    assert_non_null(strstr(why, "line 1: a NUL byte"));
}

static void test_allow_edit_save_load(void **state)
{
    (void)state;
    char k1[TB_KEY_Z85_LEN + 1], k2[TB_KEY_Z85_LEN + 1], k3[TB_KEY_Z85_LEN + 1], path[128];
    char place[TB_CODE_LEN + 1];
    a_key(k1);
    a_key(k2);
    a_key(k3);
    tb_allow_t *a = tb_allow_new();
    assert_rc(tb_allow_add(a, VIL, k1), 0);
    assert_rc(tb_allow_add(a, VIL, k2), 0); /* a place may have two keys (rotation) */
    assert_rc(tb_allow_add(a, VIL2, k3), 0);
    assert_rc(tb_allow_add(a, VIL2, k1), -EEXIST); /* a key, one place */
    assert_rc(tb_allow_add(a, "3608", k1), -EINVAL);
    assert_rc(tb_allow_add(a, VIL, "nope"), -EINVAL);
    snprintf(path, sizeof path, "%s/allow.list", dir);
    assert_rc(tb_allow_save(a, path), 0);
    tb_allow_t *b = NULL;
    assert_rc(tb_allow_load(path, &b, why, sizeof why), 0);
    assert_int_equal(tb_allow_count(b), 3);
    tb_allow_destroy(&b);
    /* Revoke by key, then by place; lookups follow. */
    assert_int_equal(tb_allow_revoke(a, k2), 1);
    assert_false(tb_allow_lookup(a, k2, place));
    assert_true(tb_allow_lookup(a, k3, place)); /* indexes moved, still right */
    assert_string_equal(place, VIL2);
    char k4[TB_KEY_Z85_LEN + 1];
    a_key(k4);
    assert_rc(tb_allow_add(a, "360826100003", k4), 0); /* takes the freed slot */
    assert_true(tb_allow_lookup(a, k3, place));
    assert_string_equal(place, VIL2);
    assert_true(tb_allow_lookup(a, k4, place));
    assert_string_equal(place, "360826100003");
    assert_int_equal(tb_allow_revoke(a, k4), 1);
    assert_int_equal(tb_allow_revoke(a, VIL2), 1);
    assert_false(tb_allow_lookup(a, k3, place));
    assert_int_equal(tb_allow_revoke(a, VIL2), 0);
    assert_true(tb_allow_lookup(a, k1, place));
    assert_string_equal(place, VIL);
    assert_rc(tb_allow_save(a, path), 0);
    assert_rc(tb_allow_load(path, &b, why, sizeof why), 0);
    assert_int_equal(tb_allow_count(b), 1);
    const char *p, *k;
    tb_allow_entry(b, 0, &p, &k);
    assert_string_equal(p, VIL);
    assert_string_equal(k, k1);
    tb_allow_destroy(&b);
    tb_allow_destroy(&a);
    snprintf(path, sizeof path, "%s/none.list", dir);
    assert_rc(tb_allow_load(path, &b, why, sizeof why), -ENOENT);
    assert_non_null(strstr(why, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_valid),
        cmocka_unit_test_setup_teardown(test_generate_and_read, setup, teardown),
        cmocka_unit_test(test_allow_parse),
        cmocka_unit_test_setup_teardown(test_allow_edit_save_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
