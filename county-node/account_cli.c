/* tongban-county account ... and audit ...: the people's commands.
 *
 * The password comes from the terminal with echo off (asked twice for a new
 * one), or as the first line of stdin when stdin is not a terminal (scripts,
 * tests); never from argv (visible in ps) or the environment (visible in
 * /proc/PID/environ).  It is wiped from memory after use and never printed. */
#include "county.h"
#include "county_accounts.h"
#include "county_cli.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_signin.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-county account add 登录名 --name 姓名 --role 角色 --scope 区划\n"
                "       tongban-county account list [--json]\n"
                "       tongban-county account disable|enable|passwd|check 登录名\n"
                "       tongban-county audit [--case 办件编号] [--login 登录名] [--since "
                "YYYY-MM-DD] [--json]\n"
                "角色：supervisor 县级督办、backoffice 县级后台（范围：本县）；window "
                "乡镇窗口（乡镇）；\n"
                "      agent 村代办员（村）；auditor 审计，只读（本县或乡镇）\n"
                "密码从终端输入（不回显），或从标准输入读第一行；check 正确时退出码 0，否则 1\n",
                "usage: tongban-county account add LOGIN --name NAME --role ROLE --scope PLACE\n"
                "       tongban-county account list [--json]\n"
                "       tongban-county account disable|enable|passwd|check LOGIN\n"
                "       tongban-county audit [--case ID] [--login LOGIN] [--since YYYY-MM-DD] "
                "[--json]\n"
                "roles: supervisor, backoffice (scope: the county); window (a township);\n"
                "       agent (a village); auditor, read-only (the county or a township)\n"
                "the password is read from the terminal without echo, or as the first line of "
                "stdin;\n"
                "check exits 0 if it is right, else 1\n"),
          out);
}

/* One line of at most COUNTY_PW_MAX bytes; 0, -EIO (nothing read), -COUNTY_EWEAKPW (too long). */
static int read_line(const char *prompt, char *buf, size_t n)
{
    int rc = tb_signin_read_line(stdin, STDERR_FILENO, prompt, buf, n);
    return rc == -E2BIG ? -COUNTY_EWEAKPW : rc;
}

static int read_password(bool confirm, char *buf, size_t n)
{
    int rc = read_line(TB_TR("密码：", "password: "), buf, n);
    if (rc < 0 || !confirm || !isatty(STDIN_FILENO))
        return rc;
    char again[COUNTY_PW_MAX + 2];
    rc = read_line(TB_TR("再输一次：", "again: "), again, sizeof again);
    if (rc == 0 && strcmp(buf, again) != 0)
        rc = -EINVAL;
    sodium_memzero(again, sizeof again);
    return rc;
}

static int refuse(int rc, const char *what)
{
    if (rc == -EIO)
        fputs(TB_TR("错误：没有读到密码（从终端输入，或从标准输入给出一行）\n",
                    "error: no password read (type it, or give one line on stdin)\n"),
              stderr);
    else if (rc == -EINVAL)
        fputs(TB_TR("错误：两次输入的密码不同\n", "error: the two passwords differ\n"), stderr);
    else
        fprintf(stderr, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), county_account_strerror(rc),
                what ? what : "");
    return 1;
}

int county_account_main(int argc, char **argv)
{
    bool audit = !strcmp(argv[1], "audit");
    tb_opt_t opts[] = {{"json", false, NULL}, {"help", false, NULL}, {"name", true, NULL},
                       {"role", true, NULL},  {"scope", true, NULL}, {"case", true, NULL},
                       {"login", true, NULL}, {"since", true, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]), npos = 0, status = 2;
    const char *pos[2];
    county_cli_t cli;
    tb_env_ctx_t *env = &cli.env;
    char pw[COUNTY_PW_MAX + 2] = "";
    int st = county_cli_start(&cli, argc, argv, opts, nopts, pos, 2, &npos, usage);
    if (st >= 0) {
        status = st;
        goto out;
    }
    const char *sub = audit ? "audit" : npos >= 1 ? pos[0] : "";
    bool list = !strcmp(sub, "list"), add = !strcmp(sub, "add");
    bool one = add || !strcmp(sub, "disable") || !strcmp(sub, "enable") || !strcmp(sub, "passwd") ||
               !strcmp(sub, "check");
    if (audit ? npos != 0 : !(list && npos == 1) && !(one && npos == 2)) {
        usage(stderr);
        goto out;
    }
    const char *login = one ? pos[1] : NULL, *role_name = tb_opt(opts, nopts, "role");
    if (add && (!role_name || !tb_opt(opts, nopts, "name") || !tb_opt(opts, nopts, "scope"))) {
        usage(stderr);
        goto out;
    }
    if ((status = county_cli_load(&cli)) != 0)
        goto out;
    status = 1;
    county_role_t role = COUNTY_ROLE_NONE;
    int rc;
    /* Everything that needs no database and no password is refused first. */
    if (add) {
        const char *scope = tb_opt(opts, nopts, "scope");
        if ((rc = county_login_check(login)) < 0) {
            refuse(rc, login);
            goto out;
        }
        if ((rc = county_role_parse(role_name, &role)) < 0) {
            refuse(rc, role_name);
            goto out;
        }
        if ((rc = county_scope_check(env->places, env->place, scope)) < 0 ||
            (rc = county_role_fits(role, tb_code_level(scope))) < 0) {
            refuse(rc, scope);
            goto out;
        }
    }
    if ((status = county_cli_connect(&cli)) != 0)
        goto out;
    status = 1;
    char by[128];
    county_audit_os_actor(by, sizeof by);
    bool json = tb_opt(opts, nopts, "json") != NULL;
    if (audit) {
        county_audit_query_t q = {tb_opt(opts, nopts, "case"), tb_opt(opts, nopts, "login"),
                                  tb_opt(opts, nopts, "since")};
        rc = county_audit_print(cli.pg, &q, json, stdout);
        if (rc == -EINVAL) {
            fprintf(stderr,
                    TB_TR("错误：日期应为 YYYY-MM-DD：%s\n", "error: a date is YYYY-MM-DD: %s\n"),
                    q.since);
            goto out;
        }
    } else if (list)
        rc = county_account_list(cli.pg, env, json, stdout);
    else if (!strcmp(sub, "disable") || !strcmp(sub, "enable"))
        rc = county_account_set_enabled(cli.pg, login, !strcmp(sub, "enable"), by);
    else {
        if ((rc = read_password(add || !strcmp(sub, "passwd"), pw, sizeof pw)) < 0) {
            refuse(rc, login);
            goto out;
        }
        if (add) {
            county_account_t a = {login, tb_opt(opts, nopts, "name"), tb_opt(opts, nopts, "scope"),
                                  pw, role};
            rc = county_account_add(cli.pg, env, &a, by);
        } else if (!strcmp(sub, "passwd"))
            rc = county_account_passwd(cli.pg, login, pw, by);
        else
            rc = county_account_verify(cli.pg, login, pw);
    }
    if (rc < 0) {
        refuse(rc, rc == -TB_EBADNAME ? tb_opt(opts, nopts, "name") : login);
        goto out;
    }
    static const struct {
        const char *sub, *zh, *en;
    } done[] = {{"add", "已添加账号", "account added"},
                {"disable", "已停用账号", "account disabled"},
                {"enable", "已启用账号", "account enabled"},
                {"passwd", "已更改密码", "password changed"},
                {"check", "密码正确", "the password is right"}};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        if (!strcmp(sub, done[i].sub))
            printf(TB_TR("%s：%s\n", "%s: %s\n"), TB_TR(done[i].zh, done[i].en), login);
    status = 0;
out:
    sodium_memzero(pw, sizeof pw);
    county_cli_close(&cli);
    return status;
}
