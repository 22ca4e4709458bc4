/* tongban-county: the county node's daemon and the county staff's commands. */
#include "county.h"
#include "county_accounts.h"
#include "county_cli.h"
#include "county_web.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_keycli.h"
#include "tb_log.h"
#include "tb_signal.h"
#include "tb_report.h"
#include "tb_wire.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(
        TB_TR(
            "用法：tongban-county <命令> [选项]\n"
            "\n"
            "县级人员使用的命令：\n"
            "  cases [--json]          全县办件：状态和当前经办方\n"
            "  report --from 日期 --to 日期 [--by township|village|item|agent] [--month|--day]\n"
            "         [--scope 区划代码] [--json|--csv]   统计：受理、办结、按时、满意度等\n"
            "  refused [--json]        各下级节点被拒收（隔离）的消息：条数、最近的原因\n"
            "  show 办件编号 [--json]   一件的全部办理过程（何人、何事、何时、何地）\n"
            "  decide 办件编号 --grant | --deny --reason 理由   决定（准予 / 不予许可，须写理由）\n"
            "  result 办件编号         出件：结果交回登记的村或乡镇窗口\n"
            "  suspend 办件编号 --basis 依据 [--reason 说明]   挂起（计时暂停）；依据：survey "
            "现场勘查、\n"
            "                          hearing 听证、notice 公告公示、appraisal 检验检测鉴定\n"
            "  resume 办件编号         恢复办理\n"
            "  catalog import 文件     导入新版事项目录（CSV，与 data/catalog.csv 同格式）\n"
            "  catalog list [--json]   当前事项目录及版本\n"
            "  calendar import 文件    导入新版节假日日历（CSV，与 data/holidays-cn-2026.csv "
            "同格式）\n"
            "  calendar list [--json]  当前日历版本及其调整日\n"
            "  （县级节点运行时，新版目录和日历自动下发到各乡镇，再由乡镇转发到各村）\n"
            "  （上报到县的办件由县级节点自动签收，即县级受理；决定等命令需县级节点在运行）\n"
            "  migrate                 只建立或升级数据库结构\n"
            "  serve                   启动县级节点（权威库），并在 --http 地址（默认 "
            "127.0.0.1:8400，\n"
            "                          off 关闭）提供监察界面\n"
            "  keygen                  生成本节点的 CurveZMQ 密钥对（--keys 目录）\n"
            "  signkey                 生成县的数据签名密钥 county.sign(.pub)（--keys 目录）\n"
            "  keys allow 区划 公钥|文件 | keys revoke 区划|公钥 | keys list  准入名单\n"
            "  account add|list|disable|enable|passwd|check  账号（account --help）\n"
            "  cards [--json] [--level yellow|red] [--open]  黄牌、红牌（电子监察）\n"
            "  limits list|set 名称 工作日数                 监察时限\n"
            "  supervise 办件编号|--card 牌号 --due 日期 --text 督办内容  督办\n"
            "  ratings list|show|revisit|rectify|followup|appeal|review …  差评整改、申诉复核\n"
            "  complaint file|list|show|accept|decline|assign|reply|revisit|close|redo|fault …  "
            "投诉\n"
            "  audit [--case 办件编号] [--login 登录名] [--since 日期]  审计记录\n"
            "\n"
            "共用选项（也可用环境变量或 --config 配置文件）：\n"
            "  --place 代码    本县12位区划代码（TONGBAN_PLACE），如 360826000000\n"
            "  --db 连接串     PostgreSQL 连接串（TONGBAN_DB；未给出时用 PGHOST、PGDATABASE 等）\n"
            "  --broker 端点   消息代理（TONGBAN_BROKER）\n"
            "  --config 文件   INI 配置文件（TONGBAN_CONFIG）\n"
            "  --login 登录名  "
            "改动办件、投诉、评价或时限的命令须以本人县级账号签到（TONGBAN_LOGIN）；\n"
            "                  密码在终端输入（不回显），或由 TONGBAN_PASSWORD_FILE "
            "指定的文件（0600）给出；\n"
            "                  签到被拒时退出码 3。尚无账号时先由操作员 account add 建立县级督办\n"
            "英文界面：LANG=en\n",
            "usage: tongban-county <command> [options]\n"
            "\n"
            "Commands for county staff:\n"
            "  cases [--json]          every case in the county, with status and holder\n"
            "  report --from DATE --to DATE [--by township|village|item|agent] [--month|--day]\n"
            "         [--scope PLACE] [--json|--csv]   statistics: accepted, closed, on time, ...\n"
            "  refused [--json]        messages refused (quarantined) per node: how many, the last "
            "reason\n"
            "  show CASE [--json]      a case's whole history (who, what, when, where)\n"
            "  decide CASE --grant | --deny --reason TEXT   decide (准予 / 不予许可; a denial "
            "needs a reason)\n"
            "  result CASE             issue the result back to the village or window that logged "
            "it\n"
            "  suspend CASE --basis BASIS [--reason TEXT]   suspend (the clock pauses); BASIS: "
            "survey,\n"
            "                          hearing, notice, appraisal\n"
            "  resume CASE             resume handling\n"
            "  catalog import FILE     import a new catalog version (CSV, as data/catalog.csv)\n"
            "  catalog list [--json]   the catalog in force and its version\n"
            "  calendar import FILE    import a new holiday calendar version (CSV, as\n"
            "                          data/holidays-cn-2026.csv)\n"
            "  calendar list [--json]  the calendar version in force and its overrides\n"
            "  (a running county node sends new versions to every township, which relays\n"
            "  them to its villages)\n"
            "  (cases escalated to the county are received, i.e. accepted, by the county node "
            "itself;\n"
            "  decide and the other steps need the county node running)\n"
            "  migrate                 create or upgrade the database schema only\n"
            "  serve                   run the county node (the authoritative store), and the\n"
            "                          dashboard on --http (default 127.0.0.1:8400, off: none)\n"
            "  keygen                  make this node's CurveZMQ key pair (in --keys DIR)\n"
            "  signkey                 make the county's data-signing key county.sign(.pub) "
            "(--keys DIR)\n"
            "  keys allow PLACE KEY|FILE | keys revoke PLACE|KEY | keys list   the allow-list\n"
            "  account add|list|disable|enable|passwd|check   accounts (account --help)\n"
            "  cards [--json] [--level yellow|red] [--open]   yellow and red cards (supervision)\n"
            "  limits list|set NAME DAYS                      supervision time limits\n"
            "  supervise CASE|--card ID --due YYYY-MM-DD --text TEXT   a supervision order (督办)\n"
            "  ratings list|show|revisit|rectify|followup|appeal|review …   差评 rectifications, "
            "appeals\n"
            "  complaint file|list|show|accept|decline|assign|reply|revisit|close|redo|fault ...  "
            "complaints (投诉)\n"
            "  audit [--case ID] [--login LOGIN] [--since DATE]   the audit trail\n"
            "\n"
            "Common options (or environment variables, or a --config file):\n"
            "  --place CODE    this county's 12-digit code (TONGBAN_PLACE)\n"
            "  --db CONNINFO   PostgreSQL connection string (TONGBAN_DB; else PGHOST, ...)\n"
            "  --broker ENDPOINT  the broker (TONGBAN_BROKER)\n"
            "  --config FILE   INI config file (TONGBAN_CONFIG)\n"
            "  --login LOGIN   a command that changes a case, complaint, rating or limit signs in "
            "with\n"
            "                  your county account (TONGBAN_LOGIN); the password is typed (no "
            "echo)\n"
            "                  or read from the file in TONGBAN_PASSWORD_FILE (mode 0600); a "
            "refused\n"
            "                  sign-in exits 3.  No account yet: the operator's account add makes "
            "a\n"
            "                  supervisor first\n"),
        out);
}

/* decide's --grant or --deny: 0 and *ret (a decision), or 1 after saying so. */
static int decision_of(const tb_opt_t *opts, int nopts, unsigned *ret)
{
    bool grant = tb_opt(opts, nopts, "grant"), deny = tb_opt(opts, nopts, "deny");
    if (grant == deny) {
        fputs(TB_TR("错误：请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一\n",
                    "error: give one of --grant or --deny (with --reason)\n"),
              stderr);
        return 1;
    }
    *ret = grant ? TB_DECISION_GRANT : TB_DECISION_DENY;
    return 0;
}

/* decide, result, suspend, resume, taken by actor (the signed-in login): 0,
 * 1 (explained), or a negative code. */
static int run_act(PGconn *pg, const tb_env_ctx_t *env, const char *actor, tb_event_type_t type,
                   const char *case_id, unsigned decision, const tb_opt_t *opts, int nopts)
{
    county_cmd_t c = {case_id,
                      actor,
                      tb_opt(opts, nopts, "reason"),
                      tb_opt(opts, nopts, "basis"),
                      type,
                      decision,
                      10000,
                      0,
                      0,
                      0};
    if (!c.reason)
        c.reason = "";
    if (!c.basis)
        c.basis = "";
    char err[512];
    int rc = county_command(pg, env, &c, err, sizeof err);
    if (rc == -ETIMEDOUT) {
        fputs(TB_TR("错误：县级节点（tongban-county serve）未运行或未响应，未作任何更改\n",
                    "error: the county node (tongban-county serve) is not running or did not "
                    "answer; nothing was changed\n"),
              stderr);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), err[0] ? err : tb_strerror(rc),
                case_id);
        return 1;
    }
    static const char *zh[] = {[TB_EV_DECIDED] = "已决定",
                               [TB_EV_RESULT] = "已出件",
                               [TB_EV_SUSPENDED] = "已挂起，计时暂停",
                               [TB_EV_RESUMED] = "已恢复办理"};
    static const char *en[] = {[TB_EV_DECIDED] = "decided",
                               [TB_EV_RESULT] = "result issued",
                               [TB_EV_SUSPENDED] = "suspended; the clock is paused",
                               [TB_EV_RESUMED] = "resumed"};
    printf("%s：%s\n", case_id, TB_TR(zh[type], en[type]));
    return 0;
}

/* The calendar in force: its version and every override (holiday or make-up workday). */
static int print_calendar(const tb_env_ctx_t *env, bool json)
{
    int32_t from, to;
    /* Overrides are looked up by day: scan the years any schedule can cover. */
    if (tb_day_from_ymd(2000, 1, 1, &from) < 0 || tb_day_from_ymd(2100, 12, 31, &to) < 0)
        return -EINVAL;
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf(TB_TR("节假日日历第 %u 版%s，%zu 个调整日\n",
                     "holiday calendar version %u%s, %zu overrides\n"),
               (unsigned)env->calendar_version,
               env->calendar_version ? "" : TB_TR("（随附）", " (shipped)"),
               tb_calendar_size(env->calendar));
    for (int32_t d = from; d <= to; d++) {
        bool work;
        const char *name;
        if (tb_calendar_override(env->calendar, d, &work, &name) < 0)
            continue;
        char day[TB_DAY_BUFSZ];
        tb_day_format(d, day, sizeof day);
        if (json)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "date", day, "kind",
                                                 work ? "work" : "off", "holiday", name));
        else
            printf("%s  %s  %s\n", day, work ? TB_TR("调休上班", "work") : TB_TR("放假", "off"),
                   name);
    }
    if (json) {
        json_t *o = json_pack("{s:I, s:o}", "calendar_version", (json_int_t)env->calendar_version,
                              "days", arr);
        char *txt = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        json_decref(o);
        if (!txt)
            return -ENOMEM;
        puts(txt);
        free(txt);
    }
    return 0;
}

/* serve: the county node and its dashboard until SIGTERM; the exit status. */
static int serve(tb_env_ctx_t *env)
{
    /* An empty connection string lets libpq read PGHOST, PGDATABASE, ... */
    const char *db = tb_config_get(&env->cfg, TB_CFG_DB);
    if (!db)
        db = "";
    PGconn *pg = PQconnectdb(db);
    if (PQstatus(pg) == CONNECTION_OK && county_migrate(pg, NULL) == 0)
        county_cli_data(pg, env);
    PQfinish(pg);
    tb_curve_t curve;
    if (tb_keycli_load(&env->cfg, env->place, &curve) < 0 || tb_keycli_load_signing(env) < 0)
        return 1;
    /* The dashboard (county_web.h): its own thread and connection. */
    const char *http = tb_config_get(&env->cfg, TB_CFG_HTTP);
    const char *addr = !http ? "127.0.0.1:8400" : strcmp(http, "off") ? http : NULL;
    county_web_t *web = NULL;
    int rc;
    if (addr && (rc = county_web_start(env, db, addr, &web)) < 0) {
        fprintf(stderr,
                TB_TR("错误：无法在 %s 提供监察界面：%s（用 --http 换一个地址，或 --http off）\n",
                      "error: cannot serve the dashboard on %s: %s (another --http address, "
                      "or --http off)\n"),
                addr, tb_strerror(rc));
        return 1;
    }
    if (addr)
        tb_info("dashboard at http://%s/", addr);
    rc = county_serve(env, db, &curve);
    county_web_stop(&web);
    if (rc < 0) {
        fprintf(stderr,
                TB_TR("错误：县级节点停止（消息代理 %s）：%s\n",
                      "error: the county node stopped (broker %s): %s\n"),
                tb_config_get(&env->cfg, TB_CFG_BROKER), tb_strerror(rc));
        return 1;
    }
    return 0;
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
    if (strcmp(cmd, "keygen") == 0)
        return tb_keycli_keygen(argc, argv, 2);
    if (strcmp(cmd, "signkey") == 0)
        return tb_keycli_signkey(argc, argv, 2);
    if (strcmp(cmd, "keys") == 0)
        return tb_keycli_keys(argc, argv, 2);
    if (!strcmp(cmd, "account") || !strcmp(cmd, "audit"))
        return county_account_main(argc, argv);
    if (!strcmp(cmd, "cards") || !strcmp(cmd, "limits") || !strcmp(cmd, "supervise"))
        return county_cards_main(argc, argv); /* cards_cli.c */
    if (!strcmp(cmd, "ratings"))
        return county_rating_main(argc, argv); /* county_rating_cli.c */
    if (!strcmp(cmd, "complaint"))
        return county_complaint_main(argc, argv); /* complaint_cli.c */
    if (strcmp(cmd, "serve") == 0)
        tb_signal_hold(); /* released once the loop handles SIGTERM (tb_signal.h) */
    tb_opt_t opts[] = {{"json", false, NULL},  {"help", false, NULL},  {"grant", false, NULL},
                       {"deny", false, NULL},  {"reason", true, NULL}, {"basis", true, NULL},
                       {"from", true, NULL},   {"to", true, NULL},     {"by", true, NULL},
                       {"month", false, NULL}, {"day", false, NULL},   {"csv", false, NULL},
                       {"scope", true, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[3];
    int npos = 0, status = 2;
    county_cli_t cli;
    tb_env_ctx_t *env = &cli.env;
    static const struct {
        const char *name;
        tb_event_type_t type;
    } acts[] = {{"decide", TB_EV_DECIDED},
                {"result", TB_EV_RESULT},
                {"suspend", TB_EV_SUSPENDED},
                {"resume", TB_EV_RESUMED}};
    int act = -1;
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (!strcmp(cmd, acts[i].name))
            act = (int)i;
    if (act < 0 && strcmp(cmd, "cases") && strcmp(cmd, "report") && strcmp(cmd, "refused") &&
        strcmp(cmd, "show") && strcmp(cmd, "serve") && strcmp(cmd, "migrate") &&
        strcmp(cmd, "catalog") && strcmp(cmd, "calendar")) {
        fprintf(stderr, TB_TR("未知命令：%s\n\n", "unknown command: %s\n\n"), cmd);
        usage(stderr);
        return 2;
    }
    int st = county_cli_start(&cli, argc, argv, opts, nopts, pos, 3, &npos, usage);
    tb_msg_t msg; /* the library's words for the person at the terminal, printed here */
    if (st >= 0) {
        status = st;
        goto out;
    }
    int want = !strcmp(cmd, "show") || act >= 0 ? 1 : 0;
    bool data_cmd = !strcmp(cmd, "catalog") || !strcmp(cmd, "calendar");
    if (data_cmd)
        want = npos >= 1 && !strcmp(pos[0], "import") ? 2 : 1;
    if (npos != want || (data_cmd && strcmp(pos[0], "import") && strcmp(pos[0], "list"))) {
        usage(stderr);
        goto out;
    }
    if ((act >= 0 || !strcmp(cmd, "show")) && tb_cli_case_check(pos[0], &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    bool json = tb_opt(opts, nopts, "json") != NULL;
    int rc;
    if (strcmp(cmd, "serve") == 0) {
        if (tb_cli_load(env, TB_LEVEL_COUNTY, &msg) < 0)
            fputs(msg.text, stderr);
        else
            status = serve(env);
        goto out;
    }
    if ((status = county_cli_open(&cli)) != 0)
        goto out;
    status = 1;
    PGconn *pg = cli.pg;
    {
        rc = 0;
        if (strcmp(cmd, "migrate") == 0)
            puts(TB_TR("数据库结构已是最新", "the database schema is up to date"));
        else if (strcmp(cmd, "cases") == 0)
            rc = county_print_cases(pg, env, json);
        else if (strcmp(cmd, "report") == 0) {
            if ((rc = county_report_stats(pg, env, opts, nopts)) == 1)
                goto out;
        } else if (strcmp(cmd, "refused") == 0)
            rc = county_print_refused(pg, json, stdout);
        else if (strcmp(cmd, "show") == 0) {
            /* Who saw the case's personal data is recorded first: no record, no view. */
            char who[128];
            county_audit_os_actor(who, sizeof who);
            rc = county_audit_show(pg, env, who, pos[0], json);
            if (rc == -TB_ENOCASE) {
                fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), tb_strerror(rc),
                        pos[0]);
                goto out;
            }
        } else if (act >= 0) {
            /* Checked before the password is asked for; then signed in (county_signin.c). */
            unsigned decision = 0;
            if (acts[act].type == TB_EV_DECIDED && decision_of(opts, nopts, &decision))
                goto out;
            if ((status = county_cli_signin(&cli, cmd, pos[0])) != 0)
                goto out;
            status = 1;
            rc = run_act(pg, env, cli.user.login, acts[act].type, pos[0], decision, opts, nopts);
        } else if (!strcmp(pos[0], "list") && !strcmp(cmd, "catalog")) {
            rc = tb_report_items(env->catalog, env->catalog_version, env->calendar_version, json,
                                 stdout);
        } else if (!strcmp(pos[0], "list")) {
            rc = print_calendar(env, json);
        } else {
            int line = 0;
            rc = county_data_import(pg, cmd, pos[1], &line);
            if (rc == -EFBIG) {
                fprintf(stderr,
                        TB_TR("错误：文件过大，无法下发（最多约 %d 字节）：%s\n",
                              "error: the file is too big to send (at most about %d bytes): %s\n"),
                        (int)TB_MAX_BODY, pos[1]);
                goto out;
            }
            if (rc < 0 && rc > -TB_EBASE) {
                fprintf(stderr, TB_TR("错误：无法读取 %s：%s\n", "error: cannot read %s: %s\n"),
                        pos[1], tb_strerror(rc));
                goto out;
            }
            if (rc == -TB_EDATA) {
                fprintf(stderr, TB_TR("错误：%s：%s 第 %d 行\n", "error: %s: %s line %d\n"),
                        tb_strerror(rc), pos[1], line);
                goto out;
            }
            if (rc > 0) {
                if (!strcmp(cmd, "catalog"))
                    printf(
                        TB_TR("已导入事项目录第 %d 版：%s\n", "imported catalog version %d: %s\n"),
                        rc, pos[1]);
                else
                    printf(TB_TR("已导入节假日日历第 %d 版：%s\n",
                                 "imported holiday calendar version %d: %s\n"),
                           rc, pos[1]);
                rc = 0;
            }
        }
        if (rc == 1)
            goto out; /* already explained */
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), tb_strerror(rc));
        goto out;
    }
    status = 0;
out:
    county_cli_close(&cli);
    return status;
}
