/* tongban-village: the village agent's commands and daemon. */
#include "village.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_report.h"
#include "tb_sqlink.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(TB_TR(
              "用法：tongban-village <命令> [选项]\n"
              "\n"
              "村代办员使用的命令（无需联网）：\n"
              "  log --client 姓名 --phone 电话 --item 事项编码 [--note 备注]\n"
              "                     登记一件代办事项，打印办件编号\n"
              "  ledger [--json]    查看台账：每件的当前状态和经办方\n"
              "  show 办件编号 [--json]  查看一件的详情和全部办理过程\n"
              "  items [--json]     列出事项目录\n"
              "  serve              启动同步服务：把台账报送乡镇，接收办理进度\n"
              "\n"
              "共用选项（也可用环境变量或 --config 配置文件）：\n"
              "  --place 代码       本村12位区划代码（TONGBAN_PLACE），如 360826100001\n"
              "  --agent 姓名       代办员姓名（TONGBAN_AGENT）\n"
              "  --data-dir 目录    本地台账目录（TONGBAN_DATA_DIR，默认 /var/lib/tongban）\n"
              "  --broker 端点      消息代理（TONGBAN_BROKER，默认 tcp://127.0.0.1:7700）\n"
              "  --config 文件      INI 配置文件（TONGBAN_CONFIG）\n"
              "英文界面：LANG=en\n",
              "usage: tongban-village <command> [options]\n"
              "\n"
              "Commands for the village agent (no network needed):\n"
              "  log --client NAME --phone PHONE --item CODE [--note TEXT]\n"
              "                     record an entrusted case; prints its case id\n"
              "  ledger [--json]    the ledger: each case with its status and holder\n"
              "  show CASE [--json] one case with its whole history\n"
              "  items [--json]     the service item catalog\n"
              "  serve              sync the ledger to the township, receive progress\n"
              "\n"
              "Common options (or environment variables, or a --config file):\n"
              "  --place CODE       this village's 12-digit code (TONGBAN_PLACE)\n"
              "  --agent NAME       the agent's name (TONGBAN_AGENT)\n"
              "  --data-dir DIR     local ledger directory (TONGBAN_DATA_DIR)\n"
              "  --broker ENDPOINT  the broker (TONGBAN_BROKER, tcp://127.0.0.1:7700)\n"
              "  --config FILE      INI config file (TONGBAN_CONFIG)\n"),
          out);
}

static int fail(int rc)
{
    fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), tb_strerror(rc));
    return 1;
}

static int open_store(tb_env_ctx_t *env, tb_store_t **ret)
{
    int rc = tb_store_open(tb_config_get(&env->cfg, TB_CFG_DATA_DIR), env->place, ret);
    if (rc < 0)
        fprintf(stderr, TB_TR("无法打开本地台账（目录 %s）：%s\n",
                              "cannot open the local ledger (in %s): %s\n"),
                tb_config_get(&env->cfg, TB_CFG_DATA_DIR), tb_strerror(rc));
    return rc;
}

static int print_items(const tb_env_ctx_t *env, bool json);

int main(int argc, char **argv)
{
    tb_log_init("village");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    tb_opt_t opts[] = {{"client", true, NULL}, {"phone", true, NULL}, {"item", true, NULL},
                       {"note", true, NULL},   {"json", false, NULL}, {"help", false, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[2];
    int npos = 0;
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    int status = 2;
    tb_store_t *store = NULL;
    if (strcmp(cmd, "log") && strcmp(cmd, "ledger") && strcmp(cmd, "show") &&
        strcmp(cmd, "serve") && strcmp(cmd, "items")) {
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
    if (tb_cli_env(&env, TB_LEVEL_VILLAGE) < 0)
        goto out;
    bool json = tb_opt(opts, nopts, "json") != NULL;
    status = 1;
    if (strcmp(cmd, "items") == 0) {
        status = print_items(&env, json);
    } else if (strcmp(cmd, "log") == 0) {
        village_entry_t e = {tb_opt(opts, nopts, "client"), tb_opt(opts, nopts, "phone"),
                             tb_opt(opts, nopts, "item"), tb_opt(opts, nopts, "note"),
                             tb_config_get(&env.cfg, TB_CFG_AGENT)};
        if (!e.client || !e.phone || !e.item || npos) {
            fputs(TB_TR("用法：tongban-village log --client 姓名 --phone 电话 --item 事项编码 "
                        "[--note 备注]\n",
                        "usage: tongban-village log --client NAME --phone PHONE --item CODE "
                        "[--note TEXT]\n"),
                  stderr);
            status = 2;
            goto out;
        }
        if (!e.agent && !tb_config_need(&env.cfg, TB_CFG_AGENT))
            goto out;
        int rc = village_check_entry(&env, &e);
        if (rc == -TB_EUNKNOWN_ITEM) {
            fprintf(stderr, TB_TR("错误：%s：%s（用 tongban-village items 查看目录）\n",
                                  "error: %s: %s (see tongban-village items)\n"),
                    tb_strerror(rc), e.item);
            goto out;
        }
        char id[TB_CASEID_MAX];
        if (rc < 0 || (rc = open_store(&env, &store)) < 0 ||
            (rc = village_log(&env, store, &e, id)) < 0) {
            if (rc != -TB_ESTORE || store)
                fail(rc);
            goto out;
        }
        printf("%s\n", id);
        status = 0;
    } else if (strcmp(cmd, "ledger") == 0 || strcmp(cmd, "show") == 0) {
        if (open_store(&env, &store) < 0)
            goto out;
        tb_report_opts_t ro = {env.places, env.catalog, json, false};
        int rc;
        if (strcmp(cmd, "ledger") == 0) {
            rc = tb_report_cases(store, NULL, &ro, stdout);
        } else if (npos != 1) {
            fputs(TB_TR("用法：tongban-village show 办件编号 [--json]\n",
                        "usage: tongban-village show CASE [--json]\n"),
                  stderr);
            status = 2;
            goto out;
        } else {
            rc = tb_report_case(store, pos[0], &ro, stdout);
            if (rc == -TB_ENOCASE) {
                fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), tb_strerror(rc),
                        pos[0]);
                goto out;
            }
        }
        status = rc < 0 ? fail(rc) : 0;
    } else {
        if (open_store(&env, &store) < 0)
            goto out;
        tb_sqlink_app_t app = {village_apply, store};
        int rc = tb_sqlink_serve(store, tb_config_get(&env.cfg, TB_CFG_BROKER), &app);
        status = rc < 0 ? fail(rc) : 0;
    }
out:
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return status;
}

static int print_items(const tb_env_ctx_t *env, bool json)
{
    return tb_report_items(env->catalog, json, stdout) < 0 ? 1 : 0;
}
