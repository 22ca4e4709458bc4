/* tb_config: where every binary finds its settings, the same way for all.
 *
 * Precedence: command-line flags, then TONGBAN_* environment variables, then
 * an INI file (--config FILE or TONGBAN_CONFIG; keys as below, in any section,
 * parsed by libinih).  A missing setting gets a message saying exactly how to
 * set it, handed to the caller to print (tb_msg.h: the library prints nothing).
 *
 *   key        flag          environment          meaning
 *   place      --place       TONGBAN_PLACE        this node's 12-digit place code
 *   data_dir   --data-dir    TONGBAN_DATA_DIR     where the local store lives
 *   broker     --broker      TONGBAN_BROKER       broker endpoint (tcp://host:port, ipc://path)
 *   db         --db          TONGBAN_DB           county: libpq connection string
 *   share_dir  --share-dir   TONGBAN_SHARE_DIR    the shipped data (places, catalog, calendar)
 *   agent      --agent       TONGBAN_AGENT        the person at the keyboard (agent, staff),
 *                                                 before the county's account list arrived
 *   login      --login       TONGBAN_LOGIN        the account signing in to change a case, once
 *                                                 the node holds an account list (tb_signin.h)
 *   places     --places      TONGBAN_PLACES       which place data set: "taihe" (default)
 *   http       --http        TONGBAN_HTTP         the screens' address: host:port, or "off"
 *                                                 (default per tier, on loopback: village
 *                                                 127.0.0.1:8401, township 127.0.0.1:8402)
 *   service_phone --service-phone TONGBAN_SERVICE_PHONE  the service point's phone, on receipts
 *   keys       --keys        TONGBAN_KEYS         CURVE key directory (default: data_dir;
 * tb_keys.h)
 *
 * tb_config_load also refuses a malformed TONGBAN_HEARTBEAT_MS (tb_node.h), so
 * every binary names the variable and its range at start instead of a node
 * failing later with a bare configuration error.
 */
#ifndef TB_CONFIG_H
#define TB_CONFIG_H

#include "tb_msg.h"

#include <stdio.h>

typedef enum {
    TB_CFG_PLACE,
    TB_CFG_DATA_DIR,
    TB_CFG_BROKER,
    TB_CFG_DB,
    TB_CFG_SHARE_DIR,
    TB_CFG_AGENT,
    TB_CFG_PLACES,
    TB_CFG_HTTP,
    TB_CFG_SERVICE_PHONE,
    TB_CFG_KEYS,
    TB_CFG_LOGIN,
    TB_CFG_COUNT
} tb_cfg_key_t;

typedef struct {
    char *value[TB_CFG_COUNT];
    int prio[TB_CFG_COUNT];
    char *config_path;
} tb_config_t;

void tb_config_init(tb_config_t *cfg);
void tb_config_fini(tb_config_t *cfg);

/* If opt (a long option name without "--") is one of ours, set it from a flag
 * and return 1; return 0 if it is not a config option.  "config" sets the file. */
int tb_config_flag(tb_config_t *cfg, const char *opt, const char *value);

/* Fill what flags left unset from the environment, then the INI file, then
 * defaults (broker tcp://127.0.0.1:7700, data_dir /var/lib/tongban, places
 * taihe, share_dir the installed or source data folder).  Returns 0, or
 * -TB_ECONFIG (file unreadable or malformed) with what is wrong in ret_msg
 * (may be NULL), for the caller to print. */
int tb_config_load(tb_config_t *cfg, tb_msg_t *ret_msg);

/* Borrowed value or NULL. */
const char *tb_config_get(const tb_config_t *cfg, tb_cfg_key_t key);

/* The value if set and not empty; else NULL, with how to set it in ret_msg
 * (may be NULL), for the caller to print. */
const char *tb_config_require(const tb_config_t *cfg, tb_cfg_key_t key, tb_msg_t *ret_msg);

/* The long option names, for getopt tables and --help. */
const char *tb_config_key_name(tb_cfg_key_t key);

/* A whole number from text: decimal digits only (no sign, no space, no
 * suffix), within min..max.  Returns 0 with *ret_value set, or -TB_ECONFIG
 * (empty, junk such as "5O0" or "10 ", out of range, overflow). */
int tb_config_parse_int(const char *text, long min, long max, long *ret_value);

/* A numeric knob from the environment variable name: unset or empty gives
 * dflt; otherwise as tb_config_parse_int, and a refused value gives
 * -TB_ECONFIG with the variable, what it held and its range in ret_msg (may
 * be NULL).  Every TONGBAN_* number is read this way, so junk is refused
 * with the same words everywhere instead of silently read as 0 or ignored. */
int tb_config_env_int(const char *name, long min, long max, long dflt, long *ret_value,
                      tb_msg_t *ret_msg);

#endif
