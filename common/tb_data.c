#include "tb_data.h"

#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_sign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Load body into the env's catalog or calendar; both loaders leave the old
 * data in place on any error. */
static int use(tb_env_ctx_t *env, const char *kind, uint32_t version, const char *body, size_t len)
{
    int line = 0, rc;
    if (strcmp(kind, TB_DATA_CATALOG) == 0) {
        if ((rc = tb_catalog_load_buf(env->catalog, body, len, &line)) == 0)
            env->catalog_version = version;
    } else if (strcmp(kind, TB_DATA_CALENDAR) == 0) {
        if ((rc = tb_calendar_load_buf(env->calendar, body, len, &line)) == 0)
            env->calendar_version = version;
    } else if (tb_accountlist_kind(kind, NULL)) {
        rc = 0; /* read from the store when someone signs in (tb_nodeauth) */
    } else {
        rc = -TB_EDATA;
    }
    return rc;
}

int tb_data_use_stored(tb_env_ctx_t *env, tb_store_t *store)
{
    static const char *const kinds[] = {TB_DATA_CATALOG, TB_DATA_CALENDAR};
    /* The store records each event's catalog version (env's follows the
     * versions that arrive) and finds version 0 in the shipped file. */
    const char *share = tb_config_get(&env->cfg, TB_CFG_SHARE_DIR);
    char shipped[4200];
    if (share)
        snprintf(shipped, sizeof shipped, "%s/catalog.csv", share);
    int set = tb_store_set_catalog_version(store, &env->catalog_version, share ? shipped : NULL);
    if (set < 0)
        return set;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        uint32_t version;
        char *body;
        size_t len;
        int rc = tb_store_data_newest(store, kinds[i], &version, &body, &len);
        if (rc == -ENOENT)
            continue;
        if (rc < 0)
            return rc;
        rc = use(env, kinds[i], version, body, len);
        free(body);
        if (rc < 0)
            return rc == -ENOMEM ? rc : -TB_EDATA;
    }
    return 0;
}

int tb_data_current(tb_store_t *store, const char *kind, uint32_t *ret_version)
{
    uint32_t version = 0;
    int rc = tb_store_data_newest(store, kind, &version, NULL, NULL);
    if (rc < 0 && rc != -ENOENT)
        return rc;
    *ret_version = rc == -ENOENT ? 0 : version;
    return 0;
}

int tb_data_receive(tb_env_ctx_t *env, tb_store_t *store, const tb_data_msg_t *dv)
{
    int rc = tb_data_check(dv);
    if (rc < 0)
        return rc;
    uint32_t current = 0;
    if ((rc = tb_data_current(store, dv->kind, &current)) < 0)
        return rc;
    if (dv->version <= current)
        return 1;
    if (dv->version != current + 1)
        return 2; /* a gap, or a version that would block every later one */
    /* Only what the county signed, whoever relayed it (checked for the one
     * version that would be taken: the others change nothing anyway). */
    if (!env->data_pk_set || (rc = tb_sign_check(env->data_pk, dv)) == -TB_EBADSIG)
        return 3;
    if (rc < 0)
        return rc;
    rc = tb_store_data_put(store, dv->kind, dv->version, dv->body.data, dv->body.len);
    if (rc == 0)
        rc =
            tb_store_data_sign(store, dv->kind, dv->version, dv->signature.data, dv->signature.len);
    if (rc != 0)
        return rc;
    /* Stored: in force from now on (the transaction may still roll back; then
     * the same message comes again and is stored again). */
    if ((rc = use(env, dv->kind, dv->version, (const char *)dv->body.data, dv->body.len)) < 0)
        return rc;
    /* Deadlines depend on both: working days (calendar) and limits (catalog). */
    return tb_store_refresh_due(store);
}
