/* tb_cli: what every command-line binary does the same way: parse flags
 * (the config flags of tb_config plus the command's own), load the config,
 * the place data and the catalog, and check this node's place code.
 *
 * It prints nothing: a refusal is a negative code plus the words for the
 * person at the terminal in a tb_msg_t (tb_msg.h), which the binary's main.c
 * prints.  The same words as before, in Chinese, or English with LANG=en. */
#ifndef TB_CLI_H
#define TB_CLI_H

#include "tb_calendar.h"
#include "tb_catalog.h"
#include "tb_config.h"
#include "tb_msg.h"
#include "tb_place.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const char *name; /* long option name */
    bool has_arg;
    const char *value; /* borrowed from argv; "" for a flag that is set */
} tb_opt_t;

/* The longest value of a command's own option (a note, reason, comment, reply). */
#define TB_CLI_TEXT_MAX 2000

/* Parse argv[first..]: config flags go into cfg, the command's own into opts,
 * the rest into pos (at most maxpos).  The command's own option values must be
 * UTF-8 text without control characters (newline and tab allowed), at most
 * TB_CLI_TEXT_MAX bytes.  Returns 0; or -EINVAL (an unknown option, a missing
 * value, one argument too many), -TB_ETOOLONG or -TB_EDECODE (an option's
 * text), with why in ret_msg (may be NULL). */
int tb_cli_args(int argc, char **argv, int first, tb_config_t *cfg, tb_opt_t *opts, int nopts,
                const char **pos, int maxpos, int *ret_npos, tb_msg_t *ret_msg);

/* How a command's main starts: tb_cli_args from argv[2] into cfg, opts and pos, then
 * --help.  Returns the exit status when the command ends here: 0 after usage(out) for
 * --help, 2 after the words of a wrong argument on err; or -1 to go on. */
int tb_cli_start(int argc, char **argv, tb_config_t *cfg, tb_opt_t *opts, int nopts,
                 const char **pos, int maxpos, int *ret_npos, void (*usage)(FILE *), FILE *out,
                 FILE *err);

/* 0 if id is a well-formed case id, else -EINVAL with what one looks like in
 * ret_msg (may be NULL). */
int tb_cli_case_check(const char *id, tb_msg_t *ret_msg);

/* Borrowed value of a parsed option, or NULL. */
const char *tb_opt(const tb_opt_t *opts, int nopts, const char *name);

typedef struct {
    tb_config_t cfg;
    tb_places_t *places;
    tb_catalog_t *catalog;
    tb_calendar_t *calendar;   /* working days (holidays and 调休) for the deadlines */
    uint32_t catalog_version;  /* the county's version in force; 0: the shipped file */
    uint32_t calendar_version; /* likewise for the calendar */
    const char *place;         /* this node's code (borrowed from cfg) */
    char parent[TB_CODE_LEN + 1];
    /* The county's data-signing key (tb_sign.h): at a township or village its
     * public key, pinned from <keys>/county.sign.pub by tb_cli_load (none
     * there: every data version is refused); at the county its secret key,
     * loaded by `serve`. */
    bool data_pk_set, data_sk_set;
    unsigned char data_pk[32], data_sk[64];
} tb_env_ctx_t;

/* Load config, places, catalog and calendar; check that the place is a
 * known code of `level`.  0, or a negative code (-TB_ECONFIG, the loader's,
 * the place check's, -ENOMEM) with a clear message in ret_msg (may be NULL;
 * empty for -ENOMEM, as before). */
int tb_cli_load(tb_env_ctx_t *env, tb_level_t level, tb_msg_t *ret_msg);
void tb_cli_env_fini(tb_env_ctx_t *env);

/* tb_fmt_time ("2026-11-22 14:30" CST) is in tb_calendar.h (the pure core). */

#endif
