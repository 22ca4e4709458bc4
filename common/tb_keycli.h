/* tb_keycli: the key commands every binary shares (they print; tb_keys does not).
 *
 *   tongban-<tier> keygen [--place CODE] [--keys DIR]   this node's key pair
 *   tongban-county keys allow PLACE PUBKEY|FILE | revoke PLACE|PUBKEY | list [--json]
 *
 * and the load of a node's keys before `serve`, with a message naming the
 * file that is missing or malformed. */
#ifndef TB_KEYCLI_H
#define TB_KEYCLI_H

#include "tb_config.h"
#include "tb_keys.h"

/* `keygen` from argv[first..]: the exit status. */
int tb_keycli_keygen(int argc, char **argv, int first);
/* `keys ...` (the county's allow-list) from argv[first..]: the exit status. */
int tb_keycli_keys(int argc, char **argv, int first);
/* This node's keys from the keys directory of cfg; prints why and returns
 * -1 if they are missing or malformed. */
int tb_keycli_load(const tb_config_t *cfg, const char *place, tb_curve_t *ret);

#endif
