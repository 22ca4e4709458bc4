/* Unit tests for common/tb_file's store permission check: a private store
 * passes, a store not made yet passes, and a directory or any of the SQLite
 * files that group or others can reach is refused with the path, its mode and
 * the chmod to run, in Chinese and in English.
 */
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

#include "tb_file.h"
#include "tb_i18n.h"

#include <cmocka.h>
#include <errno.h>

#define PLACE "360826100001"

static void touch(const char *dir, const char *suffix, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/" PLACE "%s", dir, suffix);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_check_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/tb-test-file.XXXXXX", store[600], why[9000], want[9000];
    assert_non_null(mkdtemp(dir));
    snprintf(store, sizeof store, "%s/v", dir);
    tb_lang_set_en(false);
    /* Not made yet: fine (it will be made under umask 077). */
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), 0);
    assert_string_equal(why, "");
    assert_int_equal(mkdir(store, 0700), 0);
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), 0);
    touch(store, ".db", 0600);
    touch(store, ".db-wal", 0600);
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), 0);
    /* The directory, with the least bit too many (others may enter). */
    assert_int_equal(chmod(store, 0701), 0);
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), -EACCES);
    snprintf(want, sizeof want,
             "数据目录 %s 的权限为 0701，本机其他用户可以进入：请运行 chmod 700 %s", store, store);
    assert_string_equal(why, want);
    assert_int_equal(chmod(store, 0700), 0);
    /* Each SQLite file, group-readable. */
    static const char *const suffix[] = {".db", ".db-wal", ".db-shm", ".db-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        touch(store, suffix[i], 0640);
        assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), -EACCES);
        snprintf(want, sizeof want, "%s/" PLACE "%s 的权限为 0640", store, suffix[i]);
        if (!strstr(why, want))
            print_error("%s: \"%s\" does not say \"%s\"\n", suffix[i], why, want);
        assert_non_null(strstr(why, want));
        snprintf(want, sizeof want, "请运行 chmod 600 %s/" PLACE "%s", store, suffix[i]);
        assert_non_null(strstr(why, want));
        touch(store, suffix[i], 0600);
    }
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), 0);
    tb_lang_set_en(true);
    touch(store, ".db", 0604);
    assert_rc(tb_file_check_store(store, PLACE, why, sizeof why), -EACCES);
    snprintf(want, sizeof want,
             "the local store file %s/" PLACE ".db has mode 0604, so other local users can read "
             "it: run chmod 600 %s/" PLACE ".db",
             store, store);
    assert_string_equal(why, want);
    /* tb_file_private alone: 0 or -EACCES with the mode, -ENOENT. */
    unsigned mode = 1;
    char path[700];
    snprintf(path, sizeof path, "%s/" PLACE ".db", store);
    assert_rc(tb_file_private(path, &mode), -EACCES);
    assert_int_equal(mode, 0604);
    mode = 1;
    assert_int_equal(chmod(path, 0600), 0);
    assert_rc(tb_file_private(path, &mode), 0);
    assert_int_equal(mode, 1); /* untouched on success */
    snprintf(path, sizeof path, "%s/none", store);
    assert_rc(tb_file_private(path, &mode), -ENOENT);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(path, sizeof path, "%s/" PLACE "%s", store, suffix[i]);
        unlink(path);
    }
    rmdir(store);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_check_store)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
