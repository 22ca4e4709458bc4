/* tb_restore_cli: the `restore` command of a node whose store was lost
 * (tongban-village restore, tongban-township restore; tb_restore.h has the
 * exchange).  On a new, empty store: queue the request once (a second run
 * only waits on), wake the serving node, wait up to wait_s seconds for the
 * answer and print what came back to out (JSON with json), a hint to err
 * when no node serves.  0, -EEXIST (the store holds cases of its own),
 * -ETIMEDOUT (no answer yet), both said to err, or another negative code
 * (for the caller to say). */
#ifndef TB_RESTORE_CLI_H
#define TB_RESTORE_CLI_H

#include "tb_cli.h"
#include "tb_store.h"

#include <stdbool.h>
#include <stdio.h>

int tb_restore_cli(const tb_env_ctx_t *env, tb_store_t *store, int wait_s, bool json, FILE *out,
                   FILE *err);

#endif
