/* county_cli: how every county command that reads or changes the store
 * starts and ends (main.c's case commands, cards_cli.c, complaint_cli.c,
 * county_rating_cli.c, account_cli.c): the arguments, the config, places, catalog and
 * calendar, the PostgreSQL connection with its schema migrated and the
 * imported catalog and calendar in force, the sign-in of a step, the close.
 *
 * Command code (in the executable, not county-core): it prints the words
 * for the person at the terminal on stderr, and returns the exit status. */
#ifndef COUNTY_CLI_H
#define COUNTY_CLI_H

#include "county_accounts.h"

#include "tb_cli.h"

#include <libpq-fe.h>

typedef struct {
    tb_env_ctx_t env;
    PGconn *pg;         /* NULL until county_cli_open */
    county_user_t user; /* who signed in (county_cli_signin) */
} county_cli_t;

/* Set cli up and parse argv from argv[2] (tb_cli_start: the config flags,
 * the command's own opts, the positional arguments, --help).  The exit
 * status when the command ends here, else -1 to go on.  Call
 * county_cli_close whatever it returns. */
int county_cli_start(county_cli_t *cli, int argc, char **argv, tb_opt_t *opts, int nopts,
                     const char **pos, int maxpos, int *ret_npos, void (*usage)(FILE *));

/* Load the county's config and data (tb_cli_load), connect to PostgreSQL
 * (the db setting, else libpq's PG* variables), migrate the schema, and put
 * the imported catalog and calendar in force (a warning, not a failure,
 * when they cannot be read: the shipped files stay).  0, or the exit status
 * after the reason was printed. */
int county_cli_open(county_cli_t *cli);

/* county_cli_open in two steps, for a command that refuses what it can
 * before it connects (account_cli.c): the config and data (exit status 2
 * when they cannot be read), then the connection, migration and data in
 * force (1). */
int county_cli_load(county_cli_t *cli);
int county_cli_connect(county_cli_t *cli);

/* Put the imported catalog and calendar in force in env (county_data_current),
 * with a warning on stderr when they cannot be read (the shipped files stay). */
void county_cli_data(PGconn *pg, tb_env_ctx_t *env);

/* Sign in for step on case_id (NULL: a step on the whole county):
 * county_signin, the password typed at stdin's terminal or from
 * TONGBAN_PASSWORD_FILE.  0 with cli->user the actor; else the refusal
 * printed and the exit status (TB_SIGNIN_EXIT for a refusal, 1 when the
 * store failed). */
int county_cli_signin(county_cli_t *cli, const char *step, const char *case_id);

/* Close the connection and free the config and data; safe after a failed open. */
void county_cli_close(county_cli_t *cli);

#endif
