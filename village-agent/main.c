/* tongban-village: the village agent's commands and daemon. */
#include "village.h"

#include "rating_cli.h"
#include "tb_auditcli.h"
#include "tb_data.h"
#include "tb_error.h"
#include "tb_file.h"
#include "tb_i18n.h"
#include "tb_keycli.h"
#include "tb_log.h"
#include "tb_signal.h"
#include "tb_signin_cli.h"
#include "tb_report.h"
#include "tb_sqlink.h"
#include "village_web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The link's notes, in this daemon's log (the library logs nothing). */
static void log_link_note(void *ctx, const tb_sqlink_note_t *note)
{
    (void)ctx;
    char line[512];
    int level = tb_sqlink_note_text(note, line, sizeof line);
    if (level >= 0)
        tb_log((tb_log_level_t)level, "%s", line);
}

/* What `serve` runs besides the link: the screens (village_web), on the
 * same loop.  node comes first: the link's apply() gets this as its ctx. */
typedef struct {
    village_node_t node;
    village_web_t web;
    tb_http_t *http;
    tb_sqlink_t *link;
    const char *addr; /* NULL: no screens (http = off) */
} serve_ctx_t;

static bool web_link_up(void *arg)
{
    serve_ctx_t *s = arg;
    return s->link && tb_sqlink_up(s->link);
}

static uint64_t web_backlog(void *arg)
{
    serve_ctx_t *s = arg;
    return s->link ? tb_sqlink_backlog(s->link) : 0;
}

static void web_kick(void *arg)
{
    serve_ctx_t *s = arg;
    if (s->link)
        tb_sqlink_flush(s->link);
}

static int web_started(void *ctx, uv_loop_t *loop, tb_sqlink_t *link)
{
    serve_ctx_t *s = ctx;
    s->link = link;
    if (!s->addr)
        return 0;
    int rc = village_web_start(loop, s->addr, &s->web, &s->http);
    if (rc < 0) {
        fprintf(stderr,
                TB_TR("错误：无法在 %s 提供网页界面：%s（用 --http 换一个地址，或 --http off）\n",
                      "error: cannot serve the screens on %s: %s (another --http address, or "
                      "--http off)\n"),
                s->addr, tb_strerror(rc));
        return rc;
    }
    tb_info("screens at http://%s/", s->addr);
    return 0;
}

static void web_stopping(void *ctx)
{
    serve_ctx_t *s = ctx;
    tb_http_close(&s->http);
    village_web_stop(&s->web);
    s->link = NULL;
}

static void usage(FILE *out)
{
    fputs(
        TB_TR(
            "用法：tongban-village <命令> [选项]\n"
            "\n"
            "村代办员使用的命令（无需联网）：\n"
            "  log --client 姓名 --phone 电话 --item 事项编码 [--materials 材料,材料] [--note "
            "备注]\n"
            "                     "
            "登记一件代办事项（附已收材料），打印办件编号；乡镇及以上事项自动报送乡镇\n"
            "  resend 办件编号 [--client] [--phone] [--item] [--materials] [--note]\n"
            "                     "
            "被退回的办件改正后重新登记为新办件（其余沿用原登记），打印新编号\n"
            "  log --client 姓名 --phone 电话 --item ZX001|BF001 --reply 答复\n"
            "                     登记一条咨询（ZX001）或帮扶求助（BF001）及答复，当场办结\n"
            "  supplement 办件编号 --materials 材料,材料   群众补交材料（补正或容缺材料）\n"
            "  deliver 办件编号   结果已送达群众（送达），办件办结\n"
            "  rate 办件编号 --rating 等级 [--comment 意见] [--overall 整体满意度 --efficiency "
            "服务效率\n"
            "       --skill 服务水平 --attitude 服务态度]（四项指标 1..5，全填或全不填）\n"
            "  followup 办件编号 --rating 等级 [--comment 意见] [四项指标同上]\n"
            "                     追评：评价之后群众再评一次（差评整改后等），每件一次\n"
            "  complain 办件编号 [--kind 投诉|咨询] --text 内容   为群众登记投诉，报县级受理\n"
            "                     "
            "好差评（一事一评）：非常满意、满意、基本满意、不满意、非常不满意（或 5..1）\n"
            "  withdraw 办件编号 [--reason 原因]   应群众要求撤回\n"
            "  note 办件编号 --reason 内容         添加备注\n"
            "  ledger [--json]    台账：每件的状态、经办方、办理期限、群众还需补交的材料\n"
            "  show 办件编号 [--json]  一件的详情和全部办理过程（何人、何事、何时、何地）\n"
            "  items [--json]     事项目录（含材料清单，核心/非核心）\n"
            "  serve              启动同步服务：把台账报送乡镇，接收办理进度\n"
            "  restore [--wait 秒] 换了电脑或台账丢失：在新的空台账上从乡镇恢复全部办件\n"
            "                     （须同时运行 serve；默认等 120 秒）\n"
            "  keygen             生成本节点的 CurveZMQ 密钥对（--keys 目录）\n"
            "  audit [--login 登录名] [--case 办件编号] [--json]\n"
            "                     本节点的审计记录（登录、登录失败、查看个人信息）\n"
            "\n"
            "共用选项（也可用环境变量或 --config 配置文件）：\n"
            "  --place 代码       本村12位区划代码（TONGBAN_PLACE），如 360826100001\n"
            "  --agent 姓名       代办员姓名（TONGBAN_AGENT）：仅在本节点尚未收到县级账号时使用\n"
            "  --login 登录名     "
            "改动办件时以本人账号签到（TONGBAN_LOGIN）；密码在终端输入（不回显），\n"
            "                     或由 TONGBAN_PASSWORD_FILE 指定的文件（权限 0600）给出；\n"
            "                     签到被拒时退出码 3，未作任何更改\n"
            "  --data-dir 目录    本地台账目录（TONGBAN_DATA_DIR，默认 /var/lib/tongban）\n"
            "  --broker 端点      消息代理（TONGBAN_BROKER，默认 tcp://127.0.0.1:7700）\n"
            "  --config 文件      INI 配置文件（TONGBAN_CONFIG）\n"
            "英文界面：LANG=en\n",
            "usage: tongban-village <command> [options]\n"
            "\n"
            "Commands for the village agent (no network needed):\n"
            "  log --client NAME --phone PHONE --item CODE [--materials A,B] [--note TEXT]\n"
            "                     record an entrusted case with the materials collected; prints\n"
            "                     its case id; township and county items go to the township\n"
            "  resend CASE [--client] [--phone] [--item] [--materials] [--note]\n"
            "                     a returned case (被退回) corrected and logged again as a new\n"
            "                     case from what was typed first; prints the new case id\n"
            "  log --client NAME --phone PHONE --item ZX001|BF001 --reply TEXT\n"
            "                     record a consultation (ZX001) or help request (BF001) and the\n"
            "                     reply given; closed at once\n"
            "  supplement CASE --materials A,B   the resident brought materials (missing or owed)\n"
            "  deliver CASE       the result was handed to the resident (送达); the case closes\n"
            "  rate CASE --rating LEVEL [--comment TEXT] [--overall N --efficiency N --skill N\n"
            "       --attitude N] (GB/T 39735's four indicators, 1..5, all four or none)\n"
            "  followup CASE --rating LEVEL [--comment TEXT] [the four indicators as above]\n"
            "                     the resident's follow-up rating (追评), once, after the rating\n"
            "  complain CASE [--kind complaint|consult] --text TEXT   file a resident's complaint\n"
            "                     the resident's rating, once per case: very satisfied, "
            "satisfied,\n"
            "                     basically satisfied, dissatisfied, very dissatisfied (or 5..1)\n"
            "  withdraw CASE [--reason TEXT]     withdraw on the resident's request (撤回)\n"
            "  note CASE --reason TEXT           add a note\n"
            "  ledger [--json]    the ledger: status, holder, deadline, what the resident must "
            "bring\n"
            "  show CASE [--json] one case with its whole history (who, what, when, where)\n"
            "  items [--json]     the service item catalog with its materials (core or not)\n"
            "  serve              sync the ledger to the township, receive progress\n"
            "  restore [--wait SECONDS]\n"
            "                     a replaced PC or a lost store: on a new, empty store, get every\n"
            "                     case back from the township (serve must run; waits 120 s)\n"
            "  keygen             make this node's CurveZMQ key pair (in --keys DIR)\n"
            "  audit [--login LOGIN] [--case ID] [--json]\n"
            "                     this node's audit (sign-ins, failed sign-ins, views of personal "
            "data)\n"
            "\n"
            "Common options (or environment variables, or a --config file):\n"
            "  --place CODE       this village's 12-digit code (TONGBAN_PLACE)\n"
            "  --agent NAME       the agent's name (TONGBAN_AGENT),\n"
            "                     only until this node holds the county's accounts\n"
            "  --login LOGIN      sign in to change a case (TONGBAN_LOGIN); the password typed "
            "without echo,\n"
            "                     or in the file named by TONGBAN_PASSWORD_FILE (mode 0600);\n"
            "                     a refused sign-in exits 3, nothing changed\n"
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
    /* The ledger holds residents' names and phones: refuse to use one that
     * other local users can read, and say which chmod closes it. */
    char why[9000];
    int rc =
        tb_file_check_store(tb_config_get(&env->cfg, TB_CFG_DATA_DIR), env->place, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
        return rc;
    }
    rc = tb_store_open(tb_config_get(&env->cfg, TB_CFG_DATA_DIR), env->place, ret);
    if (rc < 0)
        fprintf(stderr,
                TB_TR("无法打开本地台账（目录 %s）：%s\n",
                      "cannot open the local ledger (in %s): %s\n"),
                tb_config_get(&env->cfg, TB_CFG_DATA_DIR), tb_strerror(rc));
    else if ((rc = tb_data_use_stored(env, *ret)) < 0)
        fprintf(stderr,
                TB_TR("无法使用县级下发的事项目录或日历：%s\n",
                      "cannot use the catalog or calendar the county sent: %s\n"),
                tb_strerror(rc));
    else
        tb_store_set_rules(*ret, env->catalog, env->calendar);
    return rc;
}

/* Who makes this change: the signed-in account once the county's list is
 * here, the agent setting before (tb_signin_cli.h).  Prints a refusal. */
static int sign_in(const tb_env_ctx_t *env, tb_store_t *store, tb_webuser_t *who,
                   const char **ret_actor, int *ret_status)
{
    tb_msg_t msg;
    int rc = tb_signin_cli(env, store, stdin, STDERR_FILENO, who, ret_actor, &msg);
    if (rc < 0) {
        fputs(msg.text, stderr);
        *ret_status = tb_signin_cli_status(rc);
    }
    return rc;
}

static const struct {
    const char *name;
    tb_event_type_t type;
    const char *need; /* the option it cannot do without */
    const char *done_zh, *done_en;
} acts[] = {
    {"supplement", TB_EV_SUPPLEMENTED, "materials", "已登记补交材料", "materials recorded"},
    {"deliver", TB_EV_DELIVERED, NULL, "已送达，办结", "delivered; the case is closed"},
    {"rate", TB_EV_RATED, "rating", "已记录评价", "rating recorded"},
    {"followup", TB_EV_RATING_FOLLOWUP, "rating", "已记录追评", "follow-up rating recorded"},
    {"withdraw", TB_EV_WITHDRAWN, NULL, "已撤回", "withdrawn"},
    {"note", TB_EV_NOTE, "reason", "已添加备注", "note added"},
    {"complain", TB_EV_COMPLAINED, "text", "已登记投诉，报县级受理",
     "complaint filed, for the county to accept"},
};

int main(int argc, char **argv)
{
    tb_log_init("village");
    umask(077); /* the store and its directory are the owner's alone (issue 8) */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "keygen") == 0)
        return tb_keycli_keygen(argc, argv, 2);
    if (strcmp(cmd, "audit") == 0)
        return tb_auditcli_main(argc, argv, 2, TB_LEVEL_VILLAGE);
    if (strcmp(cmd, "serve") == 0)
        tb_signal_hold(); /* released once the loop handles SIGTERM (tb_signal.h) */
    tb_opt_t opts[] = {{"client", true, NULL},    {"phone", true, NULL},  {"item", true, NULL},
                       {"note", true, NULL},      {"json", false, NULL},  {"help", false, NULL},
                       {"materials", true, NULL}, {"reply", true, NULL},  {"rating", true, NULL},
                       {"comment", true, NULL},   {"reason", true, NULL}, {"wait", true, NULL},
                       {"text", true, NULL},      {"kind", true, NULL},   TB_RATING_OPTS};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[2];
    int npos = 0;
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    int status = 2;
    tb_store_t *store = NULL;
    int act = -1;
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(cmd, acts[i].name) == 0)
            act = (int)i;
    bool resend = strcmp(cmd, "resend") == 0; /* a returned case logged again (issue 9) */
    if (act < 0 && strcmp(cmd, "log") && !resend && strcmp(cmd, "ledger") && strcmp(cmd, "show") &&
        strcmp(cmd, "serve") && strcmp(cmd, "items") && strcmp(cmd, "restore")) {
        fprintf(stderr, TB_TR("未知命令：%s\n\n", "unknown command: %s\n\n"), cmd);
        usage(stderr);
        goto out;
    }
    /* The library says what is wrong (msg); this is where it is printed. */
    tb_msg_t msg;
    int st = tb_cli_start(argc, argv, &env.cfg, opts, nopts, pos, 2, &npos, usage, stdout, stderr);
    if (st >= 0) {
        status = st;
        goto out;
    }
    /* Only a step and show take an argument (the case); nothing takes two. */
    if (npos > (act >= 0 || resend || !strcmp(cmd, "show") ? 1 : 0)) {
        fprintf(stderr, TB_TR("多余的参数：%s\n", "unexpected argument: %s\n"), pos[npos - 1]);
        goto out;
    }
    if (npos == 1 && tb_cli_case_check(pos[0], &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    if (tb_cli_load(&env, TB_LEVEL_VILLAGE, &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    bool json = tb_opt(opts, nopts, "json") != NULL;
    tb_webuser_t who;
    status = 1;
    if (act >= 0) {
        const char *need = acts[act].need;
        if (npos != 1 || (need && !tb_opt(opts, nopts, need))) {
            fprintf(stderr,
                    TB_TR("用法：tongban-village %s 办件编号%s%s%s\n",
                          "usage: tongban-village %s CASE%s%s%s\n"),
                    cmd, need ? " --" : "", need ? need : "", need ? TB_TR(" …", " ...") : "");
            status = 2;
            goto out;
        }
        tb_act_t a = {.type = acts[act].type,
                      .case_id = pos[0],
                      .reason = tb_opt(opts, nopts, "reason"),
                      .comment = tb_opt(opts, nopts, "comment"),
                      .materials = tb_opt(opts, nopts, "materials")};
        int rc = 0;
        if (acts[act].type == TB_EV_COMPLAINED) {
            a.reason = tb_opt(opts, nopts, "text");
            a.complaint_kind = tb_opt(opts, nopts, "kind"); /* as typed: tb_act checks it */
        }
        if (tb_rating_step(acts[act].type) &&
            tb_rating_parse(tb_opt(opts, nopts, "rating"), &a.rating) < 0) {
            fprintf(
                stderr,
                TB_TR(
                    "错误：%s：%s（可用：非常满意、满意、基本满意、不满意、非常不满意，或 5..1）\n",
                    "error: %s: %s (use very satisfied, satisfied, basically satisfied, "
                    "dissatisfied, very dissatisfied, or 5..1)\n"),
                tb_strerror(-TB_EBADVALUE), tb_opt(opts, nopts, "rating"));
            goto out;
        }
        if (tb_rating_indicators_opts(opts, nopts, a.indicators, &msg) < 0) {
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), msg.text);
            goto out;
        }
        if ((rc = open_store(&env, &store)) < 0 || sign_in(&env, store, &who, &a.actor, &status))
            goto out;
        if ((rc = village_act(&env, store, &a)) < 0) {
            tb_act_explain_step(store, env.catalog, a.type, pos[0], rc, &msg);
            fputs(msg.text, stderr);
            goto out;
        }
        printf("%s：%s\n", pos[0], TB_TR(acts[act].done_zh, acts[act].done_en));
        status = 0;
    } else if (strcmp(cmd, "items") == 0) {
        if (open_store(&env, &store) < 0)
            goto out;
        status = tb_report_items(env.catalog, env.catalog_version, env.calendar_version, json,
                                 stdout) < 0
                     ? 1
                     : 0;
    } else if (strcmp(cmd, "log") == 0 || resend) {
        village_entry_t e = {tb_opt(opts, nopts, "client"), tb_opt(opts, nopts, "phone"),
                             tb_opt(opts, nopts, "item"),   tb_opt(opts, nopts, "note"),
                             NULL /* the actor: sign_in */, tb_opt(opts, nopts, "materials"),
                             tb_opt(opts, nopts, "reply")};
        village_resend_t first;
        if (resend && npos == 1) {
            int rc = open_store(&env, &store);
            if (rc < 0)
                goto out;
            if ((rc = village_returned_entry(store, pos[0], &e, &first)) < 0) {
                fprintf(stderr,
                        rc == -TB_EILLEGAL
                            ? TB_TR("错误：%s 未被退回，无需重新报送\n",
                                    "error: %s was not returned; nothing to resend\n")
                            : TB_TR("错误：%s：%s\n", "error: %s: %s\n"),
                        pos[0], tb_strerror(rc));
                goto out;
            }
        }
        if (!e.client || !e.phone || !e.item || npos != (resend ? 1 : 0)) {
            fputs(TB_TR("用法：tongban-village log --client 姓名 --phone 电话 --item 事项编码 "
                        "[--materials 材料,材料] [--note 备注] [--reply 答复]\n",
                        "usage: tongban-village log --client NAME --phone PHONE --item CODE "
                        "[--materials A,B] [--note TEXT] [--reply TEXT]\n"),
                  stderr);
            status = 2;
            goto out;
        }
        /* The catalog in force is the newest the county sent: open the store first. */
        int rc = store ? 0 : open_store(&env, &store);
        if (rc < 0 || (rc = sign_in(&env, store, &who, &e.agent, &status)) < 0)
            goto out;
        char why[400];
        rc = tb_edge_explain_entry(&env, &e, why, sizeof why);
        if (rc < 0 && why[0]) {
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
            goto out;
        }
        if (rc == -TB_EUNKNOWN_ITEM) {
            fprintf(
                stderr,
                TB_TR("错误：%s：%s 不在事项目录第 %u 版中（用 tongban-village items 查看目录）\n",
                      "error: %s: %s is not in catalog version %u (see tongban-village items)\n"),
                tb_strerror(rc), e.item, (unsigned)env.catalog_version);
            goto out;
        }
        char id[TB_CASEID_MAX];
        if (rc < 0 || (rc = village_log(&env, store, &e, id)) < 0) {
            if (rc == -TB_EMATERIAL || rc == -TB_ENOREASON) {
                const tb_item_t *it = tb_catalog_find(env.catalog, e.item);
                fprintf(stderr, TB_TR("错误：%s：%s %s\n", "error: %s: %s %s\n"),
                        rc == -TB_ENOREASON ? TB_TR("咨询和帮扶必须登记答复（--reply）",
                                                    "a consultation or help request needs its "
                                                    "reply (--reply)")
                                            : tb_strerror(rc),
                        it->code, it->name);
            } else {
                fail(rc);
            }
            goto out;
        }
        printf("%s\n", id);
        status = 0;
    } else if (strcmp(cmd, "restore") == 0) {
        const char *w = tb_opt(opts, nopts, "wait");
        int wait_s = w ? atoi(w) : 120;
        if (wait_s <= 0 || wait_s > 86400) {
            fputs(TB_TR("用法：tongban-village restore [--wait 秒]\n",
                        "usage: tongban-village restore [--wait SECONDS]\n"),
                  stderr);
            status = 2;
            goto out;
        }
        int rc = open_store(&env, &store);
        if (rc < 0)
            goto out;
        rc = village_restore_cmd(&env, store, wait_s, json); /* says -EEXIST, -ETIMEDOUT */
        if (rc < 0 && rc != -EEXIST && rc != -ETIMEDOUT)
            fail(rc);
        status = rc < 0 ? 1 : 0;
    } else if (strcmp(cmd, "ledger") == 0 || strcmp(cmd, "show") == 0) {
        if (open_store(&env, &store) < 0)
            goto out;
        /* The ledger masks phones and ID numbers; the full number shows only in
         * show, one case at a time (the role check goes here with accounts). */
        tb_report_opts_t ro = {env.places, env.catalog, json, strcmp(cmd, "ledger") == 0,
                               env.calendar};
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
        tb_curve_t curve;
        if (tb_keycli_load(&env.cfg, env.place, &curve) < 0)
            goto out;
        serve_ctx_t sc = {.node = {&env, store}};
        const char *http = tb_config_get(&env.cfg, TB_CFG_HTTP);
        sc.addr = !http ? "127.0.0.1:8401" : strcmp(http, "off") ? http : NULL;
        sc.web =
            (village_web_t){&env, web_link_up, web_backlog, web_kick, &sc, "", {NULL, NULL}, NULL};
        tb_sqlink_app_t app = {village_apply, &sc,    log_link_note, web_started,
                               web_stopping,  &curve, NULL};
        const char *broker = tb_config_get(&env.cfg, TB_CFG_BROKER);
        int rc = tb_sqlink_serve(store, broker, &app);
        if (rc < 0)
            fprintf(stderr,
                    TB_TR("错误：同步服务停止（消息代理 %s）：%s\n",
                          "error: the sync service stopped (broker %s): %s\n"),
                    broker, tb_strerror(rc));
        status = rc < 0 ? 1 : 0;
    }
out:
    if (store && status == 0)
        (void)tb_sqlink_wake(store); /* it committed: the serving node sends now */
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return status;
}
