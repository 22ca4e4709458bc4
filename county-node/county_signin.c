/* The county's command line signs in (issue 8): who may take which step.
 *
 * The county holds its accounts itself, in PostgreSQL, so unlike a village
 * or a township it never waits for a list: there is no bootstrap with a
 * free-text --agent.  A fresh county's operator makes the first supervisor
 * with `tongban-county account add` (an OS-level command, audited as
 * "os:USER"); until then no step can be taken, and the refusal says so.
 *
 * The roles (the people; DESIGN.md "Who uses it"):
 *   - back office (县级后台) decides: decide, result, suspend, resume; it may
 *     also file a complaint for a resident, answer one assigned to the
 *     county, and take the 差评 loop's 回访/整改/追评/申诉 for the county;
 *   - the supervisor (县级督办) may do all of that, and alone supervises
 *     (督办), sets the supervision limits, accepts, declines, assigns,
 *     revisits, closes, reopens and faults complaints, and reviews appeals
 *     (申诉复核);
 *   - an auditor changes nothing; window staff and agents are not county
 *     staff (their own node's command line is theirs).
 * The case must lie in the account's scope (its place subtree). */
#include "county_accounts.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_signin.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define SUP (1u << COUNTY_ROLE_SUPERVISOR)
#define BACK (1u << COUNTY_ROLE_BACKOFFICE)

static const struct {
    const char *step;
    unsigned roles;
} rules[] = {
    {"decide", SUP | BACK},
    {"result", SUP | BACK},
    {"suspend", SUP | BACK},
    {"resume", SUP | BACK},
    {"supervise", SUP},
    {"limits set", SUP},
    {"complaint file", SUP | BACK},
    {"complaint accept", SUP},
    {"complaint decline", SUP},
    {"complaint assign", SUP},
    {"complaint reply", SUP | BACK},
    {"complaint revisit", SUP},
    {"complaint close", SUP},
    {"complaint redo", SUP},
    {"complaint fault", SUP},
    {"ratings revisit", SUP | BACK},
    {"ratings rectify", SUP | BACK},
    {"ratings followup", SUP | BACK},
    {"ratings appeal", SUP | BACK},
    {"ratings review", SUP},
};

unsigned county_step_roles(const char *step)
{
    for (size_t i = 0; step && i < sizeof rules / sizeof rules[0]; i++)
        if (!strcmp(step, rules[i].step))
            return rules[i].roles;
    return 0;
}

/* The words for a refusal of the account itself (its password, its state). */
static void refused(int rc, const char *login, tb_msg_t *msg)
{
    if (rc == -COUNTY_EBADPW)
        tb_msg_add(msg, TB_TR("错误：签到失败：登录名或密码不对；未作任何更改\n",
                              "error: sign-in refused: wrong login or password; nothing was "
                              "changed\n"));
    else if (rc == -COUNTY_EDISABLED)
        tb_msg_add(msg,
                   TB_TR("错误：账号 %s 已停用，不能签到；未作任何更改\n",
                         "error: the account %s is disabled and cannot sign in; nothing was "
                         "changed\n"),
                   login);
    else if (rc == -COUNTY_ELOCKED)
        tb_msg_add(msg,
                   TB_TR("错误：账号 %s 签到失败次数过多，已暂时锁定，请 %d 分钟后再试；"
                         "未作任何更改\n",
                         "error: too many failed sign-ins for %s: locked, try again in %d "
                         "minutes; nothing was changed\n"),
                   login, COUNTY_FAIL_WINDOW);
    else
        tb_msg_add(msg,
                   TB_TR("错误：无法签到：%s；未作任何更改\n",
                         "error: cannot sign in: %s; nothing was changed\n"),
                   county_account_strerror(rc));
}

/* Who may take the step, in words: "县级督办" or "县级督办或县级后台". */
static void roles_words(unsigned roles, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int r = COUNTY_ROLE_SUPERVISOR; r <= COUNTY_ROLE_AUDITOR; r++)
        if (roles & (1u << r)) {
            size_t len = strlen(buf);
            snprintf(buf + len, n - len, "%s%s", len ? TB_TR("或", " or ") : "",
                     county_role_label((county_role_t)r));
        }
}

int county_signin(PGconn *pg, const tb_env_ctx_t *env, FILE *in, int prompt_fd, const char *step,
                  const char *case_id, county_user_t *ret_user, tb_msg_t *ret_msg)
{
    tb_msg_t local;
    tb_msg_t *msg = ret_msg ? ret_msg : &local;
    tb_msg_clear(msg);
    unsigned roles = county_step_roles(step);
    const char *login = tb_config_get(&env->cfg, TB_CFG_LOGIN);
    const char *agent = tb_config_get(&env->cfg, TB_CFG_AGENT);
    if (!login || !*login) {
        if (agent && *agent)
            tb_msg_add(msg, TB_TR("错误：县级不以 --agent 记录经办人：请用 --login 登录名 "
                                  "以本人账号签到；",
                                  "error: the county does not take --agent as the actor: sign "
                                  "in with --login LOGIN, your own account; "));
        else
            tb_msg_add(msg, TB_TR("错误：县级改动须以本人账号签到：--login 登录名（或 "
                                  "TONGBAN_LOGIN、配置文件中的 login）；",
                                  "error: a change at the county needs your own sign-in: "
                                  "--login LOGIN (or TONGBAN_LOGIN, or login in the config "
                                  "file); "));
        tb_msg_add(msg,
                   TB_TR("密码在终端输入或由 %s 指定的文件给出；尚无账号时，由操作员先用 "
                         "tongban-county account add 建立县级督办账号；未作任何更改\n",
                         "the password typed at the terminal or in the file named by %s; a "
                         "county without accounts yet gets its first supervisor from the "
                         "operator with tongban-county account add; nothing was changed\n"),
                   TB_SIGNIN_PWFILE_ENV);
        return -EACCES;
    }
    char pw[TB_SIGNIN_PW_MAX + 1];
    int rc = tb_signin_password(in, prompt_fd, pw, sizeof pw, msg);
    if (rc < 0)
        return rc;
    /* Made before the check whichever way it goes: the dummy's cost is paid
     * by a known and an unknown login alike (tb_signin.h). */
    county_user_t u;
    if ((rc = tb_signin_init()) == 0)
        rc = county_account_signin(pg, login, pw, &u);
    sodium_memzero(pw, sizeof pw);
    if (rc < 0) {
        refused(rc, login, msg);
        return rc;
    }
    county_role_t role = COUNTY_ROLE_NONE;
    if (county_role_parse(u.role, &role) < 0 || !(roles & (1u << role))) {
        char who[96];
        roles_words(roles, who, sizeof who);
        tb_msg_add(msg,
                   TB_TR("错误：账号 %s（%s）不能办理「%s」：须由%s签到办理；未作任何更改\n",
                         "error: the account %s (%s) may not take the step '%s': it needs a %s; "
                         "nothing was changed\n"),
                   u.login, role ? county_role_label(role) : u.role, step,
                   who[0] ? who : TB_TR("县级人员", "county staff"));
        return -EACCES;
    }
    char place[TB_CODE_LEN + 1];
    snprintf(place, sizeof place, "%.*s", TB_CODE_LEN, case_id ? case_id : env->place);
    if (!county_in_scope(u.scope, place)) {
        if (case_id)
            tb_msg_add(msg,
                       TB_TR("错误：办件 %s 不在账号 %s 的范围（%s）内；未作任何更改\n",
                             "error: the case %s is outside the scope of the account %s (%s); "
                             "nothing was changed\n"),
                       case_id, u.login, u.scope);
        else
            tb_msg_add(msg,
                       TB_TR("错误：「%s」关乎全县，账号 %s 的范围（%s）不是全县；未作任何更改\n",
                             "error: '%s' concerns the whole county; the scope of the account %s "
                             "(%s) is not; nothing was changed\n"),
                       step, u.login, u.scope);
        return -COUNTY_ESCOPE;
    }
    if ((rc = county_account_audit_signin(pg, u.login, step, case_id)) < 0) {
        tb_msg_add(msg, TB_TR("错误：无法记入审计，未作任何更改\n",
                              "error: the sign-in could not be audited; nothing was changed\n"));
        return rc;
    }
    *ret_user = u;
    return 0;
}
