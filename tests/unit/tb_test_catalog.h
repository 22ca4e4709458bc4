/* Shared by the unit tests that fold cases: the shipped catalog
 * (data/catalog.csv) in `cat`, loaded by the group's setup and freed by its
 * teardown (cmocka_run_group_tests(tests, catalog_setup, catalog_teardown)).
 * Include after tb_test.h. */
#ifndef TB_TEST_CATALOG_H
#define TB_TEST_CATALOG_H

#include "tb_catalog.h"

static tb_catalog_t *cat;

static int catalog_setup(void **state)
{
    (void)state;
    cat = tb_catalog_new();
    int line = 0;
    return cat && tb_catalog_load(cat, TB_SOURCE_DATA_DIR "/catalog.csv", &line) == 0 ? 0 : -1;
}

static int catalog_teardown(void **state)
{
    (void)state;
    tb_catalog_destroy(&cat);
    return 0;
}

#endif
