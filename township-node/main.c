/* tongban-township: the township window's commands and daemon. */
#include "township.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"
#include "tb_report.h"
#include "tb_sqlink.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-township <命令> [选项]\n"
                "\n"
                "乡镇窗口人员使用的命令：\n"
                "  inbox [--json]         待办：本乡镇经办或正在报送来的办件\n"
                "  cases [--json]         本乡镇工作副本中的全部办件\n"
                "  show 办件编号 [--json]  一件的详情和全部办理过程\n"
                "  accept 办件编号         受理\n"
                "  forward 办件编号        上报县级\n"
                "  serve                  启动乡镇节点：接收村级报送、转报县级、回传进度\n"
                "\n"
                "共用选项（也可用环境变量或 --config 配置文件）：\n"
                "  --place 代码       本乡镇12位区划代码（TONGBAN_PLACE），如 360826100000\n"
                "  --agent 姓名       窗口人员姓名（TONGBAN_AGENT）\n"
                "  --data-dir 目录    本地数据目录（TONGBAN_DATA_DIR）\n"
                "  --broker 端点      消息代理（TONGBAN_BROKER）\n"
                "  --config 文件      INI 配置文件（TONGBAN_CONFIG）\n"
                "英文界面：LANG=en\n",
                "usage: tongban-township <command> [options]\n"
                "\n"
                "Commands for township window staff:\n"
                "  inbox [--json]         cases this township holds or is being handed\n"
                "  cases [--json]         every case in the township's working copy\n"
                "  show CASE [--json]     one case with its whole history\n"
                "  accept CASE            accept the case (受理)\n"
                "  forward CASE           forward the case to the county (上报)\n"
                "  serve                  run the township node\n"
                "\n"
                "Common options (or environment variables, or a --config file):\n"
                "  --place CODE       this township's 12-digit code (TONGBAN_PLACE)\n"
                "  --agent NAME       the staff member's name (TONGBAN_AGENT)\n"
                "  --data-dir DIR     local data directory (TONGBAN_DATA_DIR)\n"
                "  --broker ENDPOINT  the broker (TONGBAN_BROKER)\n"
                "  --config FILE      INI config file (TONGBAN_CONFIG)\n"),
          out);
}

int main(int argc, char **argv)
{
    tb_log_init("township");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    static const char *cmds[] = {"inbox", "cases", "show", "accept", "forward", "serve"};
    bool known = false;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        known |= strcmp(cmd, cmds[i]) == 0;
    tb_opt_t opts[] = {{"json", false, NULL}, {"help", false, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[2];
    int npos = 0, status = 2;
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    tb_store_t *store = NULL;
    if (!known) {
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
    bool needs_case = !strcmp(cmd, "show") || !strcmp(cmd, "accept") || !strcmp(cmd, "forward");
    if (npos != (needs_case ? 1 : 0)) {
        fprintf(stderr, TB_TR("用法：tongban-township %s%s\n", "usage: tongban-township %s%s\n"),
                cmd, needs_case ? TB_TR(" 办件编号", " CASE") : "");
        goto out;
    }
    if (tb_cli_env(&env, TB_LEVEL_TOWNSHIP) < 0)
        goto out;
    status = 1;
    int rc = tb_store_open(tb_config_get(&env.cfg, TB_CFG_DATA_DIR), env.place, &store);
    if (rc < 0) {
        fprintf(stderr, TB_TR("无法打开本地数据（目录 %s）：%s\n",
                              "cannot open the local store (in %s): %s\n"),
                tb_config_get(&env.cfg, TB_CFG_DATA_DIR), tb_strerror(rc));
        goto out;
    }
    township_t t = {store, env.places, env.place, env.parent};
    tb_report_opts_t ro = {env.places, env.catalog, tb_opt(opts, nopts, "json") != NULL, true};
    const char *agent = tb_config_get(&env.cfg, TB_CFG_AGENT);
    if (!strcmp(cmd, "inbox") || !strcmp(cmd, "cases")) {
        rc = tb_report_cases(store, !strcmp(cmd, "inbox") ? env.place : NULL, &ro, stdout);
    } else if (!strcmp(cmd, "show")) {
        rc = tb_report_case(store, pos[0], &ro, stdout);
    } else if (!strcmp(cmd, "accept") || !strcmp(cmd, "forward")) {
        rc = !strcmp(cmd, "accept") ? township_accept(&t, pos[0], agent)
                                    : township_forward(&t, pos[0], agent);
        if (rc == 0)
            printf(TB_TR("%s：%s\n", "%s: %s\n"), pos[0],
                   !strcmp(cmd, "accept") ? TB_TR("已受理", "accepted")
                                          : TB_TR("已上报县级", "forwarded to the county"));
    } else {
        tb_sqlink_app_t app = {township_apply, &t};
        rc = tb_sqlink_serve(store, tb_config_get(&env.cfg, TB_CFG_BROKER), &app);
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s%s%s\n", "error: %s%s%s\n"), tb_strerror(rc),
                needs_case ? TB_TR("：", ": ") : "", needs_case ? pos[0] : "");
        goto out;
    }
    status = 0;
out:
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return status;
}
