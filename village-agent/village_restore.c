/* village_restore.c: a replaced village PC gets its store back from the
 * county's side (README "A replaced village PC"; tb_restore.h). */
#include "village.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_restore.h"
#include "tb_restore_cli.h"

#include <inttypes.h>
#include <stdio.h>

int village_restored(village_node_t *v, const Tongban__V1__RestoreAnswer *a)
{
    int rc = tb_restore_apply(v->store, a);
    if (rc < 0)
        return rc;
    char line[400];
    tb_restore_text(a, "township", line, sizeof line);
    tb_warn("%s", line);
    return 0;
}

int village_restore_cmd(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json)
{
    return tb_restore_cli(env, store, wait_s, json, stdout, stderr); /* the township's too */
}
