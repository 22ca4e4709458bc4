/* Unit tests for county-node/county_accounts.c without a database: the role
 * names, which role fits which level of place, the scope "a place of this
 * county", login and password rules at their boundaries, and Argon2id hashing
 * and verification (right, wrong, tampered and malformed hashes). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tb_test.h"

#include "county_accounts.h"
#include "tb_i18n.h"

#define COUNTY "360826000000"
#define TOWNSHIP "360826100000"
#define VILLAGE "360826100001"

static void roles_parse(void **state)
{
    (void)state;
    static const char *names[] = {"supervisor", "backoffice", "window", "agent", "auditor"};
    for (int i = 0; i < 5; i++) {
        county_role_t r = COUNTY_ROLE_NONE;
        assert_rc(county_role_parse(names[i], &r), 0);
        assert_int_equal(r, i + 1);
        assert_string_equal(county_role_name(r), names[i]);
        assert_non_null(county_role_label(r));
    }
    county_role_t r = COUNTY_ROLE_AGENT;
    assert_rc(county_role_parse("boss", &r), -COUNTY_EROLE);
    assert_rc(county_role_parse("Agent", &r), -COUNTY_EROLE);
    assert_rc(county_role_parse("", &r), -COUNTY_EROLE);
    assert_rc(county_role_parse(NULL, &r), -COUNTY_EROLE);
    assert_int_equal(r, COUNTY_ROLE_AGENT); /* untouched on failure */
    assert_null(county_role_name(COUNTY_ROLE_NONE));
}

static void roles_fit_levels(void **state)
{
    (void)state;
    /* [role][level]: 1 if it fits; levels NONE, COUNTY, TOWNSHIP, VILLAGE. */
    static const int fits[6][4] = {
        [COUNTY_ROLE_NONE] = {0, 0, 0, 0},       [COUNTY_ROLE_SUPERVISOR] = {0, 1, 0, 0},
        [COUNTY_ROLE_BACKOFFICE] = {0, 1, 0, 0}, [COUNTY_ROLE_WINDOW] = {0, 0, 1, 0},
        [COUNTY_ROLE_AGENT] = {0, 0, 0, 1},      [COUNTY_ROLE_AUDITOR] = {0, 1, 1, 0},
    };
    for (int r = 0; r < 6; r++)
        for (int l = 0; l < 4; l++) {
            int got = county_role_fits((county_role_t)r, (tb_level_t)l);
            if (got != (fits[r][l] ? 0 : -COUNTY_EROLESCOPE))
                print_error("role %d level %d: got %d\n", r, l, got);
            assert_rc(got, fits[r][l] ? 0 : -COUNTY_EROLESCOPE);
        }
}

static void scope_in_county(void **state)
{
    (void)state;
    tb_places_t *p = tb_places_new();
    assert_non_null(p);
    assert_rc(tb_places_load_dir(p, TB_SOURCE_DATA_DIR, "taihe", NULL, 0), 0);
    assert_rc(county_scope_check(p, COUNTY, COUNTY), 0);
    assert_rc(county_scope_check(p, COUNTY, TOWNSHIP), 0);
    assert_rc(county_scope_check(p, COUNTY, VILLAGE), 0);
    /* The same places seen from another county are not its own. */
    assert_rc(county_scope_check(p, "360827000000", TOWNSHIP), -COUNTY_ESCOPE);
    assert_rc(county_scope_check(p, "360827000000", VILLAGE), -COUNTY_ESCOPE);
    assert_rc(county_scope_check(p, COUNTY, "360827000000"), -COUNTY_ESCOPE); /* not loaded */
    assert_rc(county_scope_check(p, COUNTY, "360826999000"),
              -COUNTY_ESCOPE); /* well-formed, unknown */
    assert_rc(county_scope_check(p, COUNTY, "36082610000"), -COUNTY_ESCOPE);
    assert_rc(county_scope_check(p, COUNTY, ""), -COUNTY_ESCOPE);
    assert_rc(county_scope_check(p, COUNTY, NULL), -COUNTY_ESCOPE);
    tb_places_destroy(&p);
    assert_null(p);
}

static void logins(void **state)
{
    (void)state;
    assert_rc(county_login_check("a"), 0);
    assert_rc(county_login_check("wang.sup_2-x"), 0);
    assert_rc(county_login_check("0abc"), 0);
    assert_rc(county_login_check("abcdefghijabcdefghijabcdefghijab"), 0);               /* 32 */
    assert_rc(county_login_check("abcdefghijabcdefghijabcdefghijabc"), -COUNTY_ELOGIN); /* 33 */
    assert_rc(county_login_check(""), -COUNTY_ELOGIN);
    assert_rc(county_login_check(NULL), -COUNTY_ELOGIN);
    assert_rc(county_login_check(".abc"), -COUNTY_ELOGIN);
    assert_rc(county_login_check("Abc"), -COUNTY_ELOGIN);
    assert_rc(county_login_check("a b"), -COUNTY_ELOGIN);
    assert_rc(county_login_check("王"), -COUNTY_ELOGIN);
}

static void passwords(void **state)
{
    (void)state;
    assert_rc(county_password_check("abcdefgh"), 0);              /* 8 */
    assert_rc(county_password_check("abcdefg"), -COUNTY_EWEAKPW); /* 7 */
    assert_rc(county_password_check("1234567a"), 0);
    assert_rc(county_password_check("12345678"), -COUNTY_EWEAKPW);
    assert_rc(county_password_check("123456789012345678901234"), -COUNTY_EWEAKPW);
    assert_rc(county_password_check("密码密码密码密码"), 0);             /* 8 characters */
    assert_rc(county_password_check("密码密码密码密"), -COUNTY_EWEAKPW); /* 7, 21 bytes */
    assert_rc(county_password_check(""), -COUNTY_EWEAKPW);
    assert_rc(county_password_check(NULL), -COUNTY_EWEAKPW);
    assert_rc(county_password_check("abcd\tefgh"), -COUNTY_EWEAKPW);
    assert_rc(county_password_check("abcd\x7f"
                                    "efgh"),
              -COUNTY_EWEAKPW);
    assert_rc(county_password_check("abcd\xff\xfe"
                                    "efgh"),
              -COUNTY_EWEAKPW);
    char big[COUNTY_PW_MAX + 2];
    memset(big, 'a', sizeof big);
    big[COUNTY_PW_MAX] = '\0';
    assert_rc(county_password_check(big), 0);
    big[COUNTY_PW_MAX] = 'a';
    big[COUNTY_PW_MAX + 1] = '\0';
    assert_rc(county_password_check(big), -COUNTY_EWEAKPW);
}

static void hash_and_verify(void **state)
{
    (void)state;
    char h1[COUNTY_HASH_MAX], h2[COUNTY_HASH_MAX];
    assert_rc(county_password_hash("Qiu-ju-2026!", h1), 0);
    assert_rc(county_password_hash("Qiu-ju-2026!", h2), 0);
    assert_true(strncmp(h1, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    assert_null(strstr(h1, "Qiu-ju"));
    assert_string_not_equal(h1, h2); /* salted */
    assert_rc(county_password_verify(h1, "Qiu-ju-2026!"), 0);
    assert_rc(county_password_verify(h2, "Qiu-ju-2026!"), 0);
    assert_rc(county_password_verify(h1, "Qiu-ju-2026"), -COUNTY_EBADPW);
    assert_rc(county_password_verify(h1, "qiu-ju-2026!"), -COUNTY_EBADPW);
    assert_rc(county_password_verify(h1, ""), -COUNTY_EBADPW);
    assert_rc(county_password_verify(h1, NULL), -COUNTY_EBADPW);
    /* A tampered hash (last character changed) and malformed ones. */
    size_t n = strlen(h1);
    h1[n - 1] = h1[n - 1] == 'A' ? 'B' : 'A';
    assert_rc(county_password_verify(h1, "Qiu-ju-2026!"), -COUNTY_EBADPW);
    assert_rc(county_password_verify("", "x"), -COUNTY_EBADPW);
    assert_rc(county_password_verify("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA", "x"),
              -COUNTY_EBADPW);
    assert_rc(county_password_verify(NULL, "x"), -COUNTY_EBADPW);
}

static void words(void **state)
{
    (void)state;
    tb_lang_set_en(true);
    assert_string_equal(county_account_strerror(-COUNTY_EDUPLOGIN), "the login already exists");
    assert_string_equal(county_account_strerror(-TB_ENOCASE), tb_strerror(-TB_ENOCASE));
    tb_lang_set_en(false);
    assert_string_equal(county_account_strerror(-COUNTY_EBADPW), "登录名或密码错误");
    for (int e = COUNTY_EACCT_BASE + 1; e < COUNTY_EACCT_LAST; e++)
        assert_non_null(county_account_strerror(-e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_parse),     cmocka_unit_test(roles_fit_levels),
        cmocka_unit_test(scope_in_county), cmocka_unit_test(logins),
        cmocka_unit_test(passwords),       cmocka_unit_test(hash_and_verify),
        cmocka_unit_test(words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
