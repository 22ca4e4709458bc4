/* county_cli: the county commands' one start, sign-in and end (county_cli.h). */
#include "county_cli.h"

#include "county.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_signin.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int county_cli_start(county_cli_t *cli, int argc, char **argv, tb_opt_t *opts, int nopts,
                     const char **pos, int maxpos, int *ret_npos, void (*usage)(FILE *))
{
    memset(cli, 0, sizeof *cli);
    tb_config_init(&cli->env.cfg);
    return tb_cli_start(argc, argv, &cli->env.cfg, opts, nopts, pos, maxpos, ret_npos, usage,
                        stdout, stderr);
}

int county_cli_load(county_cli_t *cli)
{
    tb_msg_t msg;
    if (tb_cli_load(&cli->env, TB_LEVEL_COUNTY, &msg) < 0) {
        fputs(msg.text, stderr);
        return 2;
    }
    return 0;
}

int county_cli_open(county_cli_t *cli)
{
    int status = county_cli_load(cli);
    return status ? status : county_cli_connect(cli);
}

int county_cli_connect(county_cli_t *cli)
{
    /* An empty connection string lets libpq read PGHOST, PGDATABASE, ... */
    const char *db = tb_config_get(&cli->env.cfg, TB_CFG_DB);
    cli->pg = PQconnectdb(db ? db : "");
    if (PQstatus(cli->pg) != CONNECTION_OK) {
        fprintf(stderr, TB_TR("无法连接 PostgreSQL：%s", "cannot connect to PostgreSQL: %s"),
                PQerrorMessage(cli->pg));
        return 1;
    }
    const char *err = NULL;
    if (county_migrate(cli->pg, &err) < 0) {
        fprintf(stderr, "%s\n", err ? err : PQerrorMessage(cli->pg));
        return 1;
    }
    county_cli_data(cli->pg, &cli->env);
    return 0;
}

void county_cli_data(PGconn *pg, tb_env_ctx_t *env)
{
    /* The catalog and calendar in force are the newest imported, else the shipped files. */
    if (county_data_current(pg, env) < 0)
        fputs(TB_TR("警告：无法加载已导入的事项目录或日历，使用随附数据\n",
                    "warning: cannot load the imported catalog or calendar; using the shipped "
                    "data\n"),
              stderr);
}

int county_cli_signin(county_cli_t *cli, const char *step, const char *case_id)
{
    tb_msg_t msg;
    int rc =
        county_signin(cli->pg, &cli->env, stdin, STDERR_FILENO, step, case_id, &cli->user, &msg);
    if (rc == 0)
        return 0;
    fputs(msg.text, stderr);
    return rc == -TB_ESTORE || rc == -ENOMEM ? 1 : TB_SIGNIN_EXIT;
}

void county_cli_close(county_cli_t *cli)
{
    PQfinish(cli->pg);
    cli->pg = NULL;
    tb_cli_env_fini(&cli->env);
}
