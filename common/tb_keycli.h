/* tb_keycli: the key commands every binary shares (they print; tb_keys does not).
 *
 *   tongban-<tier> keygen [--place CODE] [--keys DIR]   this node's key pair
 *   tongban-county keys allow PLACE PUBKEY|FILE | revoke PLACE|PUBKEY | list [--json]
 *
 * and the load of a node's keys before `serve`, with a message naming the
 * file that is missing or malformed. */
#ifndef TB_KEYCLI_H
#define TB_KEYCLI_H

#include "tb_cli.h"
#include "tb_config.h"
#include "tb_keys.h"

/* `keygen` from argv[first..]: the exit status. */
int tb_keycli_keygen(int argc, char **argv, int first);
/* `signkey [--keys DIR]` (the county's data-signing key, tb_sign.h): the exit status. */
int tb_keycli_signkey(int argc, char **argv, int first);
/* The county's data-signing secret key into env (data_sk); prints why and
 * returns -1 when it is missing or unreadable. */
int tb_keycli_load_signing(tb_env_ctx_t *env);
/* `keys ...` (the county's allow-list) from argv[first..]: the exit status. */
int tb_keycli_keys(int argc, char **argv, int first);
/* This node's keys from the keys directory of cfg; prints why and returns
 * -1 if they are missing or malformed. */
int tb_keycli_load(const tb_config_t *cfg, const char *place, tb_curve_t *ret);

#endif
