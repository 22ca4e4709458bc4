/* tb_signin: an unknown login costs the same Argon2id verification as a
 * wrong password at every tier (counted by the test hook, not timed), and the
 * password file's checks.  With a PostgreSQL connection string as argv[1]
 * (county-pg.sh) it checks the county's sign-in too. */
#include <errno.h>
#include <fcntl.h>
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

#include "county.h"
#include "county_accounts.h"
#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_nodeauth.h"
#include "tb_signin.h"
#include "tb_store.h"

#include <libpq-fe.h>
#include <sodium.h>

#define VILLAGE "360826100201"
#define PASSWORD "Qiu-ju-2026!"

static char tmpdir[64];
static const char *conninfo;

static void write_file(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void test_password_file(void **state)
{
    (void)state;
    char path[128], pw[TB_SIGNIN_PW_MAX + 1];
    snprintf(path, sizeof path, "%s/pw", tmpdir);
    write_file(path, PASSWORD "\nsecond line\n", 0600);
    assert_rc(tb_signin_password_file(path, pw, sizeof pw), 0);
    assert_string_equal(pw, PASSWORD);
    write_file(path, PASSWORD "\r\n", 0400);
    assert_rc(tb_signin_password_file(path, pw, sizeof pw), 0);
    assert_string_equal(pw, PASSWORD);
    /* Anyone else who may read or write it: refused, the buffer untouched. */
    static const mode_t loose[] = {0640, 0604, 0620, 0602, 0644, 0666};
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
        write_file(path, "other\n", loose[i]);
        strcpy(pw, "untouched");
        assert_rc(tb_signin_password_file(path, pw, sizeof pw), -EPERM);
        assert_string_equal(pw, "untouched");
    }
    write_file(path, "\n", 0600);
    assert_rc(tb_signin_password_file(path, pw, sizeof pw), -EIO);
    write_file(path, "", 0600);
    assert_rc(tb_signin_password_file(path, pw, sizeof pw), -EIO);
    char small[8];
    write_file(path, "12345678\n", 0600);
    assert_rc(tb_signin_password_file(path, small, sizeof small), -E2BIG);
    write_file(path, "1234567\n", 0600);
    assert_rc(tb_signin_password_file(path, small, sizeof small), 0);
    assert_rc(tb_signin_password_file(tmpdir, pw, sizeof pw), -EPERM); /* a directory */
    snprintf(path, sizeof path, "%s/none", tmpdir);
    assert_rc(tb_signin_password_file(path, pw, sizeof pw), -ENOENT);
}

/* The dummy: a check without a hash runs one verification and never passes. */
static void test_dummy(void **state)
{
    (void)state;
    unsigned long n = tb_signin_verify_count();
    assert_rc(tb_signin_check(NULL, PASSWORD), -TB_EAUTH);
    assert_rc(tb_signin_check(NULL, ""), -TB_EAUTH);
    assert_rc(tb_signin_check(NULL, NULL), -TB_EAUTH);
    assert_int_equal(tb_signin_verify_count() - n, 3);
}

/* The costs of every answer at a village, in verifications. */
static void test_node(void **state)
{
    (void)state;
    tb_nodeauth_t a = {tmpdir, VILLAGE};
    tb_webuser_t u;
    unsigned long n = tb_signin_verify_count();
    /* No list yet: one verification all the same. */
    assert_rc(tb_nodeauth_verify(&a, "wang.agent", PASSWORD, &u), -TB_EAUTH);
    assert_int_equal(tb_signin_verify_count() - n, 1);

    char hash[crypto_pwhash_STRBYTES], body[1024];
    assert_rc(county_password_hash(PASSWORD, hash), 0);
    snprintf(body, sizeof body,
             TB_ACCOUNTS_HEADER "wang.agent\t王小明\tagent\t" VILLAGE "\t1\t%s\n"
                                "li.agent\t李四\tagent\t" VILLAGE "\t0\t%s\n",
             hash, hash);
    tb_store_t *s = NULL;
    assert_rc(tb_store_open(tmpdir, VILLAGE, &s), 0);
    assert_rc(
        tb_store_data_put(s, TB_DATA_ACCOUNTS VILLAGE, 1, (const uint8_t *)body, strlen(body)), 0);
    tb_store_destroy(&s);

    struct {
        const char *login, *password;
        int rc;
    } cases[] = {
        {"wang.agent", PASSWORD, 0},              /* right */
        {"wang.agent", "Qiu-ju-2026", -TB_EAUTH}, /* wrong password */
        {"nobody", PASSWORD, -TB_EAUTH},          /* unknown login */
        {"li.agent", PASSWORD, -TB_EAUTH},        /* disabled */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = tb_signin_verify_count();
        int rc = tb_nodeauth_verify(&a, cases[i].login, cases[i].password, &u);
        if (rc != cases[i].rc)
            fail_msg("%s: %d, want %d", cases[i].login, rc, cases[i].rc);
        if (tb_signin_verify_count() - n != 1)
            fail_msg("%s: %lu verifications, want 1", cases[i].login, tb_signin_verify_count() - n);
    }
}

static void county_exec(PGconn *pg, const char *sql, int n, const char *const *p)
{
    PGresult *r = n ? PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0) : PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* The county's sign-in: an unknown login and a wrong password each one verification. */
static void test_county(void **state)
{
    (void)state;
    PGconn *pg = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    const char *err = NULL;
    county_exec(pg,
                "SET client_min_messages = warning; DROP SCHEMA public CASCADE;"
                " CREATE SCHEMA public",
                0, NULL);
    assert_rc(county_migrate(pg, &err), 0);
    char hash[COUNTY_HASH_MAX];
    assert_rc(county_password_hash(PASSWORD, hash), 0);
    const char *p[1] = {hash};
    county_exec(pg,
                "INSERT INTO accounts(login, name, role, scope, pw_hash)"
                " VALUES ('zhao.sup', '赵', 'supervisor', '360826000000', $1)",
                1, p);
    struct {
        const char *login, *password;
        int rc;
    } cases[] = {
        {"zhao.sup", PASSWORD, 0},
        {"zhao.sup", "Qiu-ju-2026", -COUNTY_EBADPW},
        {"nobody", PASSWORD, -COUNTY_EBADPW},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned long n = tb_signin_verify_count();
        int rc = county_account_verify(pg, cases[i].login, cases[i].password);
        if (rc != cases[i].rc)
            fail_msg("%s: %d, want %d", cases[i].login, rc, cases[i].rc);
        if (tb_signin_verify_count() - n != 1)
            fail_msg("%s: %lu verifications, want 1", cases[i].login, tb_signin_verify_count() - n);
    }
    PQfinish(pg);
}

/* One sign-in of the county's command line (county_signin) as login, the
 * password file holding password: its code, and one verification whatever it is. */
static int county_cli(PGconn *pg, const char *login, const char *password, const char *step,
                      const char *case_id, unsigned long verifications)
{
    char file[96];
    snprintf(file, sizeof file, "%s/county.pw", tmpdir);
    write_file(file, password, 0600);
    setenv(TB_SIGNIN_PWFILE_ENV, file, 1);
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    if (login)
        assert_int_equal(tb_config_flag(&env.cfg, "login", login), 1);
    env.place = "360826000000";
    county_user_t u;
    tb_msg_t msg;
    unsigned long n = tb_signin_verify_count();
    int rc = county_signin(pg, &env, NULL, -1, step, case_id, &u, &msg);
    if (tb_signin_verify_count() - n != verifications)
        fail_msg("%s %s: %lu verifications, want %lu (%s)", login ? login : "(none)", step,
                 tb_signin_verify_count() - n, verifications, msg.text);
    tb_config_fini(&env.cfg);
    unsetenv(TB_SIGNIN_PWFILE_ENV);
    return rc;
}

static long signins(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT count(*) FROM account_audit WHERE action = 'signin'");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

/* The county's command line (county_signin): the same one verification for
 * an unknown login, a malformed one and a wrong password; the role the step
 * needs; the case in the account's scope; the sign-in audited, a refusal not. */
static void test_county_cli(void **state)
{
    (void)state;
    PGconn *pg = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    char hash[COUNTY_HASH_MAX];
    assert_rc(county_password_hash(PASSWORD, hash), 0);
    const char *p[1] = {hash};
    /* zhao.sup is test_county's; qian.bo's scope is a township, as if edited in the store. */
    county_exec(pg,
                "INSERT INTO accounts(login, name, role, scope, pw_hash) VALUES"
                " ('sun.bo', '孙', 'backoffice', '360826000000', $1),"
                " ('li.aud', '李', 'auditor', '360826000000', $1),"
                " ('zhou.win', '周', 'window', '360826100000', $1),"
                " ('qian.bo', '钱', 'backoffice', '360826102000', $1)",
                1, p);
    const char *k = "360826100001-20261201-0001";
    long audited = signins(pg);
    assert_rc(county_cli(pg, "sun.bo", "Qiu-ju-2026", "decide", k, 1), -COUNTY_EBADPW);
    assert_rc(county_cli(pg, "nobody", PASSWORD, "decide", k, 1), -COUNTY_EBADPW);
    assert_rc(county_cli(pg, "No Body", PASSWORD, "decide", k, 1), -COUNTY_EBADPW);
    assert_rc(county_cli(pg, NULL, PASSWORD, "decide", k, 0), -EACCES);
    assert_rc(county_cli(pg, "li.aud", PASSWORD, "decide", k, 1), -EACCES);
    assert_rc(county_cli(pg, "zhou.win", PASSWORD, "decide", k, 1), -EACCES);
    assert_rc(county_cli(pg, "sun.bo", PASSWORD, "ratings review", k, 1), -EACCES);
    assert_rc(county_cli(pg, "sun.bo", PASSWORD, "supervise", k, 1), -EACCES);
    assert_rc(county_cli(pg, "qian.bo", PASSWORD, "decide", k, 1), -COUNTY_ESCOPE);
    assert_rc(county_cli(pg, "qian.bo", PASSWORD, "ratings rectify", NULL, 1), -COUNTY_ESCOPE);
    assert_int_equal(signins(pg), audited);
    assert_rc(county_cli(pg, "sun.bo", PASSWORD, "decide", k, 1), 0);
    assert_rc(county_cli(pg, "zhao.sup", PASSWORD, "ratings review", k, 1), 0);
    assert_rc(county_cli(pg, "qian.bo", PASSWORD, "decide", "360826102001-20261201-0001", 1), 0);
    assert_int_equal(signins(pg), audited + 3);
    PQfinish(pg);
}

int main(int argc, char **argv)
{
    conninfo = argc > 1 ? argv[1] : NULL;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tb-signin.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest node[] = {
        cmocka_unit_test(test_password_file),
        cmocka_unit_test(test_dummy),
        cmocka_unit_test(test_node),
    };
    /* The county's part needs a cluster: registered again as signin-pg. */
    const struct CMUnitTest county[] = {cmocka_unit_test(test_county),
                                        cmocka_unit_test(test_county_cli)};
    int rc = conninfo ? cmocka_run_group_tests(county, NULL, NULL)
                      : cmocka_run_group_tests(node, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
