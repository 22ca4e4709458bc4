/* tongban-county cards ... and limits ...: supervision's commands (issue 11).
 *
 * `cards [--json] [--level yellow|red] [--open]` lists the cards the daemon's
 * timer raised (table `cards`, migration 008), oldest first; `limits list
 * [--json]` and `limits set NAME DAYS` read and change the limits supervision
 * counts with.  A change is one UPDATE that takes the next limits_version,
 * made by a signed-in supervisor (county_signin.c), who is its changed_by;
 * the daemon sees it within a few hundred ms and looks at every case again.
 * Everything is checked before anything is written. */
#include "county.h"
#include "county_accounts.h"
#include "county_cli.h"
#include "county_int.h"

#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_log.h"
#include "tb_labels.h"
#include "tb_report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-county cards [--json] [--level yellow|red] [--open]\n"
                "       tongban-county limits list [--json]\n"
                "       tongban-county limits set 名称 工作日数（1..60）\n"
                "       tongban-county supervise 办件编号|--card 牌号 --due YYYY-MM-DD --text "
                "督办内容\n",
                "usage: tongban-county cards [--json] [--level yellow|red] [--open]\n"
                "       tongban-county limits list [--json]\n"
                "       tongban-county limits set NAME DAYS (1..60)\n"
                "       tongban-county supervise CASE|--card ID --due YYYY-MM-DD --text TEXT\n"),
          out);
}

static int print_cards(PGconn *pg, const char *level, bool open, bool json)
{
    const char *p[2] = {level ? level : "", open ? "true" : "false"};
    PGresult *r = PQexecParams(
        pg,
        "SELECT id, case_id, level, kind, (extract(epoch FROM raised_at) * 1000)::bigint,"
        " (extract(epoch FROM due_at) * 1000)::bigint, holder, responsible,"
        " coalesce((extract(epoch FROM cleared_at) * 1000)::bigint, 0), coalesce(cleared_why, ''),"
        " coalesce((extract(epoch FROM read_at) * 1000)::bigint, 0)"
        " FROM cards WHERE ($1 = '' OR level = $1) AND (NOT $2::boolean OR cleared_at IS NULL)"
        " ORDER BY raised_at, id",
        2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, TB_TR("错误：%s", "error: %s"), PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf(TB_TR("%-6s %-24s %-6s %-10s %-17s %-17s %-12s %s\n",
                     "%-6s %-24s %-6s %-10s %-17s %-17s %-12s %s\n"),
               "id", TB_TR("办件", "case"), TB_TR("牌", "card"), TB_TR("类别", "kind"),
               TB_TR("亮牌时间", "raised"), TB_TR("期限", "due"), TB_TR("经办方", "holder"),
               TB_TR("撤牌", "cleared"));
    for (int i = 0; i < PQntuples(r); i++) {
        long long raised = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        long long due = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        long long cleared = strtoll(PQgetvalue(r, i, 8), NULL, 10);
        long long read = strtoll(PQgetvalue(r, i, 10), NULL, 10);
        const char *lv = PQgetvalue(r, i, 2);
        if (json) {
            json_array_append_new(
                arr,
                json_pack("{sIsssssssIsIsssssIsssIss}", "id",
                          (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "case_id",
                          PQgetvalue(r, i, 1), "level", lv, "kind", PQgetvalue(r, i, 3),
                          "raised_ms", (json_int_t)raised, "due_ms", (json_int_t)due, "holder",
                          PQgetvalue(r, i, 6), "responsible", PQgetvalue(r, i, 7), "cleared_ms",
                          (json_int_t)cleared, "cleared_why", PQgetvalue(r, i, 9), "read_ms",
                          (json_int_t)read, "label", tb_card_label(lv)));
            continue;
        }
        char t_raised[32], t_due[32], t_cleared[32];
        tb_fmt_time(raised, t_raised);
        tb_fmt_time(due, t_due);
        tb_fmt_time(cleared, t_cleared);
        printf("%-6s %-24s %-6s %-10s %-17s %-17s %-12s %s%s%s\n", PQgetvalue(r, i, 0),
               PQgetvalue(r, i, 1),
               strcmp(lv, "red") ? TB_TR("黄牌", "yellow") : TB_TR("红牌", "red"),
               PQgetvalue(r, i, 3), t_raised, t_due, PQgetvalue(r, i, 6), cleared ? t_cleared : "-",
               cleared ? " " : "", PQgetvalue(r, i, 9));
    }
    PQclear(r);
    if (json) {
        char *txt = json_dumps(arr, 0);
        json_decref(arr);
        if (!txt)
            return -ENOMEM;
        puts(txt);
        free(txt);
    }
    return 0;
}

static int print_limits(PGconn *pg, bool json)
{
    PGresult *r =
        PQexec(pg, "SELECT name, days, note, changed_by,"
                   " to_char(changed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')"
                   " FROM limits ORDER BY name");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, TB_TR("错误：%s", "error: %s"), PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json ? json_array() : NULL;
    for (int i = 0; i < PQntuples(r); i++) {
        if (json)
            json_array_append_new(
                arr, json_pack("{sssissssss}", "name", PQgetvalue(r, i, 0), "days",
                               atoi(PQgetvalue(r, i, 1)), "note", PQgetvalue(r, i, 2), "changed_by",
                               PQgetvalue(r, i, 3), "changed_at", PQgetvalue(r, i, 4)));
        else
            printf("%-16s %3s  %s  (%s, %s)\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                   PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
    }
    PQclear(r);
    if (json) {
        char *txt = json_dumps(arr, 0);
        json_decref(arr);
        if (!txt)
            return -ENOMEM;
        puts(txt);
        free(txt);
    }
    return 0;
}

/* supervise CASE|--card ID --due YYYY-MM-DD --text TEXT: checked here (the
 * day, the text, the card or case), signed in as a supervisor, then the
 * daemon takes it like a staff step (county_command): it emits SUPERVISED
 * and stores the order.  The exit status. */
static int supervise_main(county_cli_t *cli, const tb_opt_t *opts, int nopts, const char **pos,
                          int npos)
{
    const char *card = tb_opt(opts, nopts, "card"), *due = tb_opt(opts, nopts, "due"),
               *text = tb_opt(opts, nopts, "text");
    if ((npos == 1) == (card != NULL) || npos > 1 || !due || !text) {
        usage(stderr);
        return 2;
    }
    int32_t day, today;
    if (tb_day_parse(due, &day) < 0) {
        fprintf(
            stderr,
            TB_TR("错误：日期须为 YYYY-MM-DD：%s\n", "error: the date must be YYYY-MM-DD: %s\n"),
            due);
        return 1;
    }
    if (tb_day_from_ms(tb_now_ms(), &today) == 0 && day < today) {
        fprintf(stderr, TB_TR("错误：督办期限已过：%s\n", "error: the due day is past: %s\n"), due);
        return 1;
    }
    if (!*text || tb_check_text(text, 2000) < 0) {
        fprintf(stderr, TB_TR("错误：督办内容须为 1..2000 字节的文字\n",
                              "error: the text must be 1..2000 bytes of plain text\n"));
        return 1;
    }
    char *end;
    long long card_id = card ? strtoll(card, &end, 10) : 0;
    if (card && (!*card || *end || card_id <= 0)) {
        fprintf(stderr,
                TB_TR("错误：牌号须为正整数：%s\n",
                      "error: the card id must be a positive number: %s\n"),
                card);
        return 1;
    }
    int status = county_cli_open(cli);
    if (status != 0)
        return status;
    char case_id[TB_CASEID_MAX] = "";
    if (card) {
        char num[24];
        snprintf(num, sizeof num, "%lld", card_id);
        const char *p[1] = {num};
        PGresult *r = PQexecParams(cli->pg, "SELECT case_id FROM cards WHERE id = $1::bigint", 1,
                                   NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            snprintf(case_id, sizeof case_id, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!case_id[0]) {
            fprintf(stderr, TB_TR("错误：没有这张牌：%s\n", "error: no such card: %s\n"), card);
            return 1;
        }
    } else {
        snprintf(case_id, sizeof case_id, "%s", pos[0]);
    }
    if ((status = county_cli_signin(cli, "supervise", case_id)) != 0)
        return status;
    county_cmd_t c = {.case_id = case_id,
                      .actor = cli->user.login,
                      .reason = text,
                      .basis = "",
                      .type = TB_EV_SUPERVISED,
                      .wait_ms = 10000,
                      .due_ms = tb_day_end_ms(day),
                      .card_id = card_id};
    char why[512];
    int rc = county_command(cli->pg, &cli->env, &c, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s：%s %s\n", "error: %s: %s %s\n"), tb_strerror(rc), case_id,
                why);
        return 1;
    }
    printf(TB_TR("%s：已督办，%s 前反馈\n", "%s: supervision order issued, reply by %s\n"), case_id,
           due);
    return 0;
}

int county_cards_main(int argc, char **argv)
{
    bool limits = !strcmp(argv[1], "limits"), supervise = !strcmp(argv[1], "supervise");
    tb_opt_t opts[] = {{"json", false, NULL}, {"help", false, NULL}, {"level", true, NULL},
                       {"open", false, NULL}, {"card", true, NULL},  {"due", true, NULL},
                       {"text", true, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]), npos = 0, status = 2;
    const char *pos[3];
    county_cli_t cli;
    int st = county_cli_start(&cli, argc, argv, opts, nopts, pos, 3, &npos, usage);
    if (st >= 0) {
        status = st;
        goto out;
    }
    const char *sub = limits && npos >= 1 ? pos[0] : "";
    bool list = limits && !strcmp(sub, "list") && npos == 1;
    bool set = limits && !strcmp(sub, "set") && npos == 3;
    const char *level = tb_opt(opts, nopts, "level");
    if (supervise) {
        status = supervise_main(&cli, opts, nopts, pos, npos);
        goto out;
    }
    if ((limits && !list && !set) || (!limits && npos != 0) ||
        (level && (limits || (strcmp(level, "yellow") && strcmp(level, "red"))))) {
        usage(stderr);
        goto out;
    }
    status = 1;
    int days = 0;
    if (set) {
        /* The name and the number, checked before the database is asked. */
        tb_limits_t lim;
        tb_limits_default(&lim);
        char *end;
        long v = strtol(pos[2], &end, 10);
        days = *pos[2] && !*end && v >= 1 && v <= TB_LIMIT_MAX ? (int)v : 0;
        int rc = tb_limits_set(&lim, pos[1], days ? days : 1);
        if (rc == -ENOENT) {
            fprintf(stderr,
                    TB_TR("错误：没有名为 %s 的时限（见 limits list）\n",
                          "error: no limit called %s (see limits list)\n"),
                    pos[1]);
            goto out;
        }
        if (!days) {
            fprintf(stderr,
                    TB_TR("错误：工作日数须为 1..%d 的整数：%s\n",
                          "error: the days must be a whole number 1..%d: %s\n"),
                    TB_LIMIT_MAX, pos[2]);
            goto out;
        }
    }
    if ((status = county_cli_open(&cli)) != 0 ||
        (set && (status = county_cli_signin(&cli, "limits set", NULL)) != 0))
        goto out;
    PGconn *pg = cli.pg;
    bool json = tb_opt(opts, nopts, "json") != NULL;
    int rc;
    if (set) {
        char num[16];
        snprintf(num, sizeof num, "%d", days);
        const char *p[3] = {pos[1], num, cli.user.login};
        PGresult *r = PQexecParams(pg,
                                   "UPDATE limits SET days = $2::integer,"
                                   " version = nextval('limits_version'), changed_at = now(),"
                                   " changed_by = $3 WHERE name = $1",
                                   3, NULL, p, NULL, NULL, 0);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) == 1 ? 0 : -TB_ESTORE;
        if (rc < 0)
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), PQerrorMessage(pg));
        else
            printf(TB_TR("%s = %d 个工作日\n", "%s = %d working days\n"), pos[1], days);
        PQclear(r);
    } else if (list) {
        rc = print_limits(pg, json);
    } else {
        rc = print_cards(pg, level, tb_opt(opts, nopts, "open") != NULL, json);
    }
    status = rc < 0 ? 1 : 0;
out:
    county_cli_close(&cli);
    return status;
}
