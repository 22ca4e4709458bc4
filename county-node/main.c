/* tongban-county: the county node's daemon and the county staff's commands. */
#include "county.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-county <命令> [选项]\n"
                "\n"
                "县级人员使用的命令：\n"
                "  cases [--json]          全县办件：状态和当前经办方\n"
                "  show 办件编号 [--json]   一件的全部办理过程（何人、何事、何时、何地）\n"
                "  migrate                 只建立或升级数据库结构\n"
                "  serve                   启动县级节点（权威库）\n"
                "\n"
                "共用选项（也可用环境变量或 --config 配置文件）：\n"
                "  --place 代码    本县12位区划代码（TONGBAN_PLACE），如 360826000000\n"
                "  --db 连接串     PostgreSQL 连接串（TONGBAN_DB；未给出时用 PGHOST、PGDATABASE 等）\n"
                "  --broker 端点   消息代理（TONGBAN_BROKER）\n"
                "  --config 文件   INI 配置文件（TONGBAN_CONFIG）\n"
                "英文界面：LANG=en\n",
                "usage: tongban-county <command> [options]\n"
                "\n"
                "Commands for county staff:\n"
                "  cases [--json]          every case in the county, with status and holder\n"
                "  show CASE [--json]      a case's whole history (who, what, when, where)\n"
                "  migrate                 create or upgrade the database schema only\n"
                "  serve                   run the county node (the authoritative store)\n"
                "\n"
                "Common options (or environment variables, or a --config file):\n"
                "  --place CODE    this county's 12-digit code (TONGBAN_PLACE)\n"
                "  --db CONNINFO   PostgreSQL connection string (TONGBAN_DB; else PGHOST, ...)\n"
                "  --broker ENDPOINT  the broker (TONGBAN_BROKER)\n"
                "  --config FILE   INI config file (TONGBAN_CONFIG)\n"),
          out);
}

int main(int argc, char **argv)
{
    tb_log_init("county");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    tb_opt_t opts[] = {{"json", false, NULL}, {"help", false, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[2];
    int npos = 0, status = 2;
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    PGconn *pg = NULL;
    if (strcmp(cmd, "cases") && strcmp(cmd, "show") && strcmp(cmd, "serve") &&
        strcmp(cmd, "migrate")) {
        fprintf(stderr, TB_TR("未知命令：%s\n\n", "unknown command: %s\n\n"), cmd);
        usage(stderr);
        goto out;
    }
    if (tb_cli_parse(argc, argv, 2, &env.cfg, opts, nopts, pos, 2, &npos) < 0)
        goto out;
    if (tb_opt(opts, nopts, "help")) {
        usage(stdout);
        status = 0;
        goto out;
    }
    if (npos != (strcmp(cmd, "show") == 0 ? 1 : 0)) {
        usage(stderr);
        goto out;
    }
    if (tb_cli_env(&env, TB_LEVEL_COUNTY) < 0)
        goto out;
    status = 1;
    /* An empty connection string lets libpq read PGHOST, PGDATABASE, ... */
    const char *db = tb_config_get(&env.cfg, TB_CFG_DB);
    if (!db)
        db = "";
    bool json = tb_opt(opts, nopts, "json") != NULL;
    int rc;
    if (strcmp(cmd, "serve") == 0) {
        rc = county_serve(&env, db);
    } else {
        pg = PQconnectdb(db);
        if (PQstatus(pg) != CONNECTION_OK) {
            fprintf(stderr, TB_TR("无法连接 PostgreSQL：%s", "cannot connect to PostgreSQL: %s"),
                    PQerrorMessage(pg));
            goto out;
        }
        const char *err = NULL;
        rc = county_migrate(pg, &err);
        if (rc < 0)
            fprintf(stderr, "%s\n", err);
        else if (strcmp(cmd, "cases") == 0)
            rc = county_print_cases(pg, &env, json);
        else if (strcmp(cmd, "show") == 0)
            rc = county_print_case(pg, &env, pos[0], json);
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), tb_strerror(rc));
        goto out;
    }
    status = 0;
out:
    PQfinish(pg);
    tb_cli_env_fini(&env);
    return status;
}
