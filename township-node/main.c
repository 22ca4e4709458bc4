/* tongban-township: the township window's commands and daemon. */
#include "township.h"
#include "township_web.h"

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
#include "tb_restore_cli.h"
#include "tb_sqlink.h"

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

/* What `serve` runs besides the link: the window's screens (township_web),
 * on the same loop.  node comes first: the link's apply() gets this as its ctx. */
typedef struct {
    township_t node;
    township_web_t web;
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
    int rc = township_web_start(loop, s->addr, &s->web, &s->http);
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
    township_web_stop(&s->web);
    s->link = NULL;
}

static void usage(FILE *out)
{
    fputs(
        TB_TR(
            "用法：tongban-township <命令> [选项]\n"
            "\n"
            "乡镇窗口人员使用的命令：\n"
            "  inbox [--json]         待办：本乡镇经办或正在报送来的办件（含期限和黄牌/红牌）\n"
            "  cases [--json]         本乡镇工作副本中的全部办件\n"
            "  show 办件编号 [--json]  一件的详情和全部办理过程（何人、何事、何时、何地）\n"
            "  items [--json]         使用中的事项目录（含版本号和材料清单）\n"
            "  register --client 姓名 --phone 电话 --item 事项编码 [--materials 材料,材料]\n"
            "                         [--note 备注] [--reply 答复]   "
            "窗口直接登记（群众到窗口办理）\n"
            "  notice 办件编号 --missing 材料,材料   预审：一次性告知全部缺少的材料（计时暂停）\n"
            "  supplement 办件编号 --materials 材料,材料   群众在窗口补交材料\n"
            "  accept 办件编号                       受理\n"
            "  accept 办件编号 --pledge 材料,材料 --due 年-月-日\n"
            "                         容缺受理：非核心材料承诺在期限内补交\n"
            "  refuse 办件编号 --reason 理由          不予受理（必须写明理由）\n"
            "  decide 办件编号 --grant | --deny --reason 理由\n"
            "                         决定乡镇事项（即办件准予后当场出件：马上办）\n"
            "  forward 办件编号                      上报县级（县级事项）\n"
            "  suspend 办件编号 --basis 依据 [--reason 说明]\n"
            "                         挂起（计时暂停）；依据：survey 现场勘查、hearing 听证、\n"
            "                         notice 公告公示、appraisal 检验检测鉴定\n"
            "  resume 办件编号                       恢复办理\n"
            "  result 办件编号                       出件：结果交回登记方（村或本窗口）\n"
            "  rate 办件编号 --rating 等级 [--comment 意见] [--overall 整体满意度 --efficiency "
            "服务效率\n"
            "       --skill 服务水平 --attitude 服务态度]（四项指标 1..5，全填或全不填）\n"
            "  followup 办件编号 --rating 等级 [--comment 意见] [四项指标同上]\n"
            "                         追评：本窗口登记或本镇村登记的办件，评价之后一次\n"
            "  deliver 办件编号 / withdraw 办件编号 / note 办件编号 "
            "--reason 内容\n"
            "                         窗口登记的办件：送达、好差评、撤回、备注\n"
            "  reply 办件编号 --text 内容             督办反馈：答复县级督办\n"
            "  complain 办件编号 [--kind 投诉|咨询] --text 内容   窗口为群众登记投诉，报县级受理\n"
            "  complaint-reply 办件编号 --text 内容   反馈县级流转给本镇的投诉\n"
            "  serve                  启动乡镇节点：接收村级报送、转报县级、回传进度；\n"
            "                         并在 --http 地址（默认 127.0.0.1:8402，off "
            "关闭）提供窗口网页\n"
            "  restore [--wait 秒]    换了电脑或数据丢失：在新的空数据上从县里恢复全部办件\n"
            "                         （先于 serve 执行，再启动 serve）\n"
            "  keygen                 生成本节点的 CurveZMQ 密钥对（--keys 目录）\n"
            "  audit [--login 登录名] [--case 办件编号] [--json]\n"
            "                     本节点的审计记录（登录、登录失败、查看个人信息）\n"
            "\n"
            "共用选项（也可用环境变量或 --config 配置文件）：\n"
            "  --place 代码       本乡镇12位区划代码（TONGBAN_PLACE），如 360826100000\n"
            "  --agent 姓名       窗口人员姓名（TONGBAN_AGENT）：仅在本节点尚未收到县级账号时使用\n"
            "  --login 登录名     "
            "改动办件时以本人账号签到（TONGBAN_LOGIN）；密码在终端输入（不回显），\n"
            "                     或由 TONGBAN_PASSWORD_FILE 指定的文件（权限 0600）给出；\n"
            "                     签到被拒时退出码 3，未作任何更改\n"
            "  --data-dir 目录    本地数据目录（TONGBAN_DATA_DIR）\n"
            "  --broker 端点      消息代理（TONGBAN_BROKER）\n"
            "  --config 文件      INI 配置文件（TONGBAN_CONFIG）\n"
            "英文界面：LANG=en\n",
            "usage: tongban-township <command> [options]\n"
            "\n"
            "Commands for township window staff:\n"
            "  inbox [--json]         cases this township holds or is being handed (deadlines, "
            "cards)\n"
            "  cases [--json]         every case in the township's working copy\n"
            "  show CASE [--json]     one case with its whole history (who, what, when, where)\n"
            "  items [--json]         the catalog in force, with its version and materials\n"
            "  register --client NAME --phone PHONE --item CODE [--materials A,B] [--note TEXT]\n"
            "                         [--reply TEXT]   walk-in registration at the window\n"
            "  notice CASE --missing A,B        pre-review: list every missing material at once\n"
            "                                   (the clock pauses until they come)\n"
            "  supplement CASE --materials A,B  the resident brought materials to the window\n"
            "  accept CASE                      accept (受理)\n"
            "  accept CASE --pledge A,B --due YYYY-MM-DD\n"
            "                         accept with a pledge for missing non-core materials "
            "(容缺受理)\n"
            "  refuse CASE --reason TEXT        refuse (不予受理); the reason is required\n"
            "  decide CASE --grant | --deny --reason TEXT\n"
            "                         decide a township item (an immediate item granted gets its\n"
            "                         result at once: 马上办)\n"
            "  forward CASE                     escalate a county item to the county (上报)\n"
            "  suspend CASE --basis BASIS [--reason TEXT]\n"
            "                         suspend (the clock pauses); BASIS: survey, hearing, notice,\n"
            "                         appraisal\n"
            "  resume CASE                      resume handling\n"
            "  result CASE                      issue the result back to who logged the case "
            "(出件)\n"
            "  rate CASE --rating LEVEL [--comment TEXT] [--overall N --efficiency N --skill N\n"
            "       --attitude N] (GB/T 39735's four indicators, 1..5, all four or none)\n"
            "  followup CASE --rating LEVEL [--comment TEXT] [the four indicators as above]\n"
            "                         follow-up rating (追评) of a rated case of this township\n"
            "  deliver CASE / withdraw CASE / note CASE --reason TEXT\n"
            "                         for walk-in cases: delivery, rating, withdrawal, notes\n"
            "  reply CASE --text TEXT                answer the county's supervision order "
            "(督办反馈)\n"
            "  complain CASE [--kind complaint|consult] --text TEXT   file a resident's complaint\n"
            "  complaint-reply CASE --text TEXT      answer a complaint the county assigned here\n"
            "  serve                  run the township node, and the window's screens on --http\n"
            "                         (default 127.0.0.1:8402; off: none)\n"
            "  restore [--wait SECONDS]\n"
            "                         a replaced PC or a lost store: get every case back from the\n"
            "                         county into the new, empty store (run it before serve)\n"
            "  keygen                 make this node's CurveZMQ key pair (in --keys DIR)\n"
            "  audit [--login LOGIN] [--case ID] [--json]\n"
            "                     this node's audit (sign-ins, failed sign-ins, views of personal "
            "data)\n"
            "\n"
            "Common options (or environment variables, or a --config file):\n"
            "  --place CODE       this township's 12-digit code (TONGBAN_PLACE)\n"
            "  --agent NAME       the staff member's name (TONGBAN_AGENT),\n"
            "                     only until this node holds the county's accounts\n"
            "  --login LOGIN      sign in to change a case (TONGBAN_LOGIN); the password typed "
            "without echo,\n"
            "                     or in the file named by TONGBAN_PASSWORD_FILE (mode 0600);\n"
            "                     a refused sign-in exits 3, nothing changed\n"
            "  --data-dir DIR     local data directory (TONGBAN_DATA_DIR)\n"
            "  --broker ENDPOINT  the broker (TONGBAN_BROKER)\n"
            "  --config FILE      INI config file (TONGBAN_CONFIG)\n"),
        out);
}

static const struct {
    const char *name;
    tb_event_type_t type;
    const char *need; /* the option it cannot do without (the fold checks the rest) */
    const char *done_zh, *done_en;
} acts[] = {
    {"notice", TB_EV_NOTICE, "missing", "已一次性告知，等待补正",
     "notice given; awaiting materials"},
    {"supplement", TB_EV_SUPPLEMENTED, "materials", "已登记补交材料", "materials recorded"},
    {"accept", TB_EV_ACCEPTED, NULL, "已受理", "accepted"},
    {"refuse", TB_EV_REFUSED, NULL, "不予受理", "refused"},
    {"decide", TB_EV_DECIDED, NULL, "已决定", "decided"},
    {"forward", TB_EV_FORWARDED, NULL, "已上报县级", "forwarded to the county"},
    {"suspend", TB_EV_SUSPENDED, NULL, "已挂起，计时暂停", "suspended; the clock is paused"},
    {"resume", TB_EV_RESUMED, NULL, "已恢复办理", "resumed"},
    {"result", TB_EV_RESULT, NULL, "已出件", "result issued"},
    {"deliver", TB_EV_DELIVERED, NULL, "已送达，办结", "delivered; the case is closed"},
    {"rate", TB_EV_RATED, "rating", "已记录评价", "rating recorded"},
    {"followup", TB_EV_RATING_FOLLOWUP, "rating", "已记录追评", "follow-up rating recorded"},
    {"withdraw", TB_EV_WITHDRAWN, NULL, "已撤回", "withdrawn"},
    {"note", TB_EV_NOTE, "reason", "已添加备注", "note added"},
    {"reply", TB_EV_SUPERVISION_REPLY, "text", "已反馈督办", "supervision order answered"},
    {"complain", TB_EV_COMPLAINED, "text", "已登记投诉，报县级受理",
     "complaint filed, for the county to accept"},
    {"complaint-reply", TB_EV_COMPLAINT_REPLIED, "text", "已反馈投诉", "complaint answered"},
};

/* The data versions a village of our place data has not had yet (one added
 * to the place data since the last start): queued before the link starts. */
static int relay_at_start(township_t *t)
{
    unsigned villages = 0;
    int rc = tb_store_begin(t->store);
    if (rc == 0 && (rc = township_relay_data(t, &villages)) < 0)
        tb_store_rollback(t->store);
    else if (rc == 0)
        rc = tb_store_commit(t->store); /* rolls back itself when it fails */
    if (rc < 0)
        fprintf(stderr,
                TB_TR("错误：无法向本乡镇的村转发县级数据：%s\n",
                      "error: cannot relay the county's data to our villages: %s\n"),
                tb_strerror(rc));
    else if (villages)
        tb_info("catalog and calendar versions queued to %u village(s) that had not had them",
                villages);
    return rc;
}

/* tongban-township restore [--wait SECONDS]: the exit status. */
static int township_restore_cli(const tb_env_ctx_t *env, tb_store_t *store, const char *wait,
                                bool json)
{
    int wait_s = wait ? atoi(wait) : 120;
    if (wait_s <= 0 || wait_s > 86400) {
        fputs(TB_TR("用法：tongban-township restore [--wait 秒]\n",
                    "usage: tongban-township restore [--wait SECONDS]\n"),
              stderr);
        return 2;
    }
    int rc = tb_restore_cli(env, store, wait_s, json, stdout, stderr); /* says its refusals */
    if (rc < 0 && rc != -EEXIST && rc != -ETIMEDOUT)
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), tb_strerror(rc));
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    tb_log_init("township");
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
        return tb_auditcli_main(argc, argv, 2, TB_LEVEL_TOWNSHIP);
    if (strcmp(cmd, "serve") == 0)
        tb_signal_hold(); /* released once the loop handles SIGTERM (tb_signal.h) */
    int act = -1;
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(cmd, acts[i].name) == 0)
            act = (int)i;
    bool known = act >= 0 || !strcmp(cmd, "inbox") || !strcmp(cmd, "cases") ||
                 !strcmp(cmd, "show") || !strcmp(cmd, "serve") || !strcmp(cmd, "register") ||
                 !strcmp(cmd, "items") || !strcmp(cmd, "restore");
    tb_opt_t opts[] = {{"json", false, NULL},     {"help", false, NULL},  {"missing", true, NULL},
                       {"materials", true, NULL}, {"pledge", true, NULL}, {"due", true, NULL},
                       {"reason", true, NULL},    {"grant", false, NULL}, {"deny", false, NULL},
                       {"basis", true, NULL},     {"rating", true, NULL}, {"comment", true, NULL},
                       {"client", true, NULL},    {"phone", true, NULL},  {"item", true, NULL},
                       {"note", true, NULL},      {"reply", true, NULL},  {"text", true, NULL},
                       {"kind", true, NULL},      {"wait", true, NULL},   TB_RATING_OPTS};
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
    /* The library says what is wrong (msg); this is where it is printed. */
    tb_msg_t msg;
    int st = tb_cli_start(argc, argv, &env.cfg, opts, nopts, pos, 2, &npos, usage, stdout, stderr);
    if (st >= 0) {
        status = st;
        goto out;
    }
    bool needs_case = act >= 0 || !strcmp(cmd, "show");
    const char *need = act >= 0 ? acts[act].need : NULL;
    if (npos != (needs_case ? 1 : 0) || (need && !tb_opt(opts, nopts, need))) {
        fprintf(stderr,
                TB_TR("用法：tongban-township %s%s%s%s%s（详见 --help）\n",
                      "usage: tongban-township %s%s%s%s%s (see --help)\n"),
                cmd, needs_case ? TB_TR(" 办件编号", " CASE") : "", need ? " --" : "",
                need ? need : "", need ? TB_TR(" …", " ...") : "");
        goto out;
    }
    if (needs_case && tb_cli_case_check(pos[0], &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    if (tb_cli_load(&env, TB_LEVEL_TOWNSHIP, &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    status = 1;
    /* The store holds residents' names and phones: refuse one that other
     * local users can read, and say which chmod closes it. */
    char why[9000];
    int rc =
        tb_file_check_store(tb_config_get(&env.cfg, TB_CFG_DATA_DIR), env.place, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
        goto out;
    }
    rc = tb_store_open(tb_config_get(&env.cfg, TB_CFG_DATA_DIR), env.place, &store);
    if (rc < 0) {
        fprintf(
            stderr,
            TB_TR("无法打开本地数据（目录 %s）：%s\n", "cannot open the local store (in %s): %s\n"),
            tb_config_get(&env.cfg, TB_CFG_DATA_DIR), tb_strerror(rc));
        goto out;
    }
    if ((rc = tb_data_use_stored(&env, store)) < 0) {
        fprintf(stderr,
                TB_TR("无法使用县级下发的事项目录或日历：%s\n",
                      "cannot use the catalog or calendar the county sent: %s\n"),
                tb_strerror(rc));
        goto out;
    }
    tb_store_set_rules(store, env.catalog, env.calendar);
    /* Every step and registration names who took it: the signed-in account
     * once the county's list is here, the agent setting before (tb_signin_cli.h). */
    const char *agent = NULL;
    tb_webuser_t who;
    if ((act >= 0 || !strcmp(cmd, "register")) &&
        (rc = tb_signin_cli(&env, store, stdin, STDERR_FILENO, &who, &agent, &msg)) < 0) {
        fputs(msg.text, stderr);
        status = tb_signin_cli_status(rc);
        goto out;
    }
    township_t t = {&env, store};
    /* Our own event ids continue after the county's high-water mark: none
     * is minted before the restore's answer is in. */
    if ((act >= 0 || !strcmp(cmd, "register")) && township_restoring(&t)) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), township_restoring_why());
        goto out;
    }
    tb_report_opts_t ro = {env.places, env.catalog, tb_opt(opts, nopts, "json") != NULL, true,
                           env.calendar};
    if (!strcmp(cmd, "inbox") || !strcmp(cmd, "cases")) {
        rc = tb_report_cases(store, !strcmp(cmd, "inbox") ? env.place : NULL, &ro, stdout);
    } else if (!strcmp(cmd, "show")) {
        rc = tb_report_case(store, pos[0], &ro, stdout);
    } else if (!strcmp(cmd, "items")) {
        rc = tb_report_items(env.catalog, env.catalog_version, env.calendar_version, ro.json,
                             stdout);
    } else if (!strcmp(cmd, "restore")) {
        status = township_restore_cli(&env, store, tb_opt(opts, nopts, "wait"), ro.json);
        goto out;
    } else if (!strcmp(cmd, "register")) {
        tb_entry_t w = {tb_opt(opts, nopts, "client"),
                        tb_opt(opts, nopts, "phone"),
                        tb_opt(opts, nopts, "item"),
                        tb_opt(opts, nopts, "note"),
                        agent,
                        tb_opt(opts, nopts, "materials"),
                        tb_opt(opts, nopts, "reply")};
        if (!w.client || !w.phone || !w.item) {
            fputs(
                TB_TR(
                    "用法：tongban-township register --client 姓名 --phone 电话 --item 事项编码\n",
                    "usage: tongban-township register --client NAME --phone PHONE --item CODE\n"),
                stderr);
            status = 2;
            goto out;
        }
        char id[TB_CASEID_MAX], why[400];
        if ((rc = tb_edge_explain_entry(&env, &w, why, sizeof why)) < 0 && why[0]) {
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
            goto out;
        }
        if ((rc = tb_edge_log(&env, store, &w, id)) < 0) {
            fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"),
                    rc == -TB_ENOREASON ? TB_TR("咨询和帮扶必须登记答复（--reply）",
                                                "a consultation or help request needs its reply "
                                                "(--reply)")
                                        : tb_strerror(rc),
                    rc == -TB_EBADPHONE  ? w.phone
                    : rc == -TB_EBADNAME ? w.client
                                         : w.item);
            goto out;
        }
        printf("%s\n", id);
    } else if (act >= 0) {
        tb_act_t a = {.type = acts[act].type,
                      .case_id = pos[0],
                      .actor = agent,
                      .reason = tb_opt(opts, nopts, "reason") ? tb_opt(opts, nopts, "reason")
                                                              : tb_opt(opts, nopts, "text"),
                      .basis = tb_opt(opts, nopts, "basis"),
                      .comment = tb_opt(opts, nopts, "comment"),
                      .materials = tb_opt(opts, nopts, "materials"),
                      .complaint_kind = tb_opt(opts, nopts, "kind")};
        if (a.type == TB_EV_NOTICE)
            a.materials = tb_opt(opts, nopts, "missing");
        if (a.type == TB_EV_ACCEPTED && tb_opt(opts, nopts, "due") &&
            !tb_opt(opts, nopts, "pledge")) {
            fputs(TB_TR("错误：--due 是容缺受理的补交期限，须与 --pledge 材料,材料 一起给出\n",
                        "error: --due is the due date of a pledge: give it with --pledge A,B\n"),
                  stderr);
            goto out;
        }
        if (a.type == TB_EV_ACCEPTED && tb_opt(opts, nopts, "pledge")) {
            a.type = TB_EV_PLEDGED; /* 容缺受理 */
            a.materials = tb_opt(opts, nopts, "pledge");
            if (!tb_opt(opts, nopts, "due") ||
                tb_act_parse_due(tb_opt(opts, nopts, "due"), &a.due_ms) < 0) {
                fputs(TB_TR("错误：容缺受理必须给出补交期限 --due 年-月-日（如 2026-03-20）\n",
                            "error: a pledge needs its due date: --due YYYY-MM-DD (e.g. "
                            "2026-03-20)\n"),
                      stderr);
                goto out;
            }
        }
        if (a.type == TB_EV_DECIDED) {
            bool grant = tb_opt(opts, nopts, "grant"), deny = tb_opt(opts, nopts, "deny");
            if (grant == deny) {
                fputs(
                    TB_TR("错误：请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一\n",
                          "error: give one of --grant or --deny (with --reason)\n"),
                    stderr);
                goto out;
            }
            a.decision = grant ? TB_DECISION_GRANT : TB_DECISION_DENY;
        }
        if (tb_rating_step(a.type) &&
            tb_rating_parse(tb_opt(opts, nopts, "rating"), &a.rating) < 0) {
            fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), tb_strerror(-TB_EBADVALUE),
                    tb_opt(opts, nopts, "rating"));
            goto out;
        }
        if (tb_rating_indicators_opts(opts, nopts, a.indicators, &msg) < 0) {
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), msg.text);
            goto out;
        }
        if ((rc = township_act(&t, &a)) < 0) {
            tb_act_explain_step(store, env.catalog, a.type, pos[0], rc, &msg);
            fputs(msg.text, stderr);
            goto out;
        }
        printf("%s：%s\n", pos[0],
               a.type == TB_EV_PLEDGED ? TB_TR("已容缺受理", "accepted with a pledge")
                                       : TB_TR(acts[act].done_zh, acts[act].done_en));
    } else {
        tb_curve_t curve;
        if (tb_keycli_load(&env.cfg, env.place, &curve) < 0)
            goto out;
        if ((rc = relay_at_start(&t)) < 0)
            goto out;
        serve_ctx_t sc = {.node = t};
        const char *http = tb_config_get(&env.cfg, TB_CFG_HTTP);
        sc.addr = !http ? "127.0.0.1:8402" : strcmp(http, "off") ? http : NULL;
        sc.web =
            (township_web_t){&env, web_link_up, web_backlog, web_kick, &sc, "", {NULL, NULL}, NULL};
        tb_sqlink_app_t app = {
            township_apply, &sc,    log_link_note,       web_started,
            web_stopping,   &curve, township_undecodable}; /* every refusal answered (issue 9) */
        const char *broker = tb_config_get(&env.cfg, TB_CFG_BROKER);
        if ((rc = tb_sqlink_serve(store, broker, &app)) < 0) {
            fprintf(stderr,
                    TB_TR("错误：乡镇节点停止（消息代理 %s）：%s\n",
                          "error: the township node stopped (broker %s): %s\n"),
                    broker, tb_strerror(rc));
            goto out;
        }
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s%s%s\n", "error: %s%s%s\n"), tb_strerror(rc),
                needs_case ? TB_TR("：", ": ") : "", needs_case ? pos[0] : "");
        goto out;
    }
    status = 0;
out:
    if (store && status == 0)
        (void)tb_sqlink_wake(store); /* it committed: the serving node sends now */
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return status;
}
