/* tb_signin_cli: the command line's sign-in at a village or township (tb_signin_cli.h). */
#include "tb_signin_cli.h"

#include "tb_accountlist.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_nodeauth.h"
#include "tb_signin.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tb_signin_cli(const tb_env_ctx_t *env, tb_store_t *store, FILE *in, int prompt_fd,
                  tb_webuser_t *ret_user, const char **ret_actor, tb_msg_t *ret_msg)
{
    tb_msg_t local;
    tb_msg_t *msg = ret_msg ? ret_msg : &local;
    tb_msg_clear(msg);
    char kind[40];
    snprintf(kind, sizeof kind, TB_DATA_ACCOUNTS "%s", env->place);
    int rc = tb_store_data_newest(store, kind, NULL, NULL, NULL);
    if (rc == -ENOENT) {
        /* No account list yet (a fresh node): the free-text agent, as before. */
        const char *agent = tb_config_require(&env->cfg, TB_CFG_AGENT, msg);
        if (!agent)
            return -TB_ECONFIG;
        *ret_actor = agent;
        return 0;
    }
    if (rc < 0) {
        tb_msg_add(msg,
                   TB_TR("错误：无法读取本节点的账号：%s\n",
                         "error: cannot read this node's accounts: %s\n"),
                   tb_strerror(rc));
        return rc;
    }
    const char *login = tb_config_get(&env->cfg, TB_CFG_LOGIN);
    if (!login || !*login) {
        tb_msg_add(msg,
                   TB_TR("错误：本节点已收到县级下发的账号，改动办件须以本人账号签到：--login "
                         "登录名（或 TONGBAN_LOGIN、配置文件中的 login），密码在终端输入或由 %s "
                         "指定的文件给出；--agent 不再作为经办人；未作任何更改\n",
                         "error: this node holds the county's accounts: a change needs your "
                         "own sign-in, --login LOGIN (or TONGBAN_LOGIN, or login in the config "
                         "file), the password typed at the terminal or in the file named by "
                         "%s; --agent no longer names the actor; nothing was changed\n"),
                   TB_SIGNIN_PWFILE_ENV);
        return -EACCES;
    }
    char pw[TB_SIGNIN_PW_MAX + 1];
    if ((rc = tb_signin_password(in, prompt_fd, pw, sizeof pw, msg)) < 0)
        return rc;
    /* Made before the check whichever way it goes: the dummy's cost is paid
     * by a known and an unknown login alike (tb_signin.h). */
    if ((rc = tb_signin_init()) == 0) {
        tb_nodeauth_t a = {tb_config_get(&env->cfg, TB_CFG_DATA_DIR), env->place};
        rc = tb_nodeauth_verify(&a, login, pw, ret_user);
    }
    sodium_memzero(pw, sizeof pw);
    if (rc == -TB_EAUTH)
        tb_msg_add(msg,
                   TB_TR("错误：签到失败：登录名或密码不对，或账号已停用、不属于本节点（%s）；"
                         "未作任何更改\n",
                         "error: sign-in refused: wrong login or password, or an account "
                         "disabled or not of this node (%s); nothing was changed\n"),
                   env->place);
    else if (rc == -TB_ELOCKED)
        tb_msg_add(msg,
                   TB_TR("错误：账号 %s 签到失败次数过多，已暂时锁定，请 %d 分钟后再试；"
                         "未作任何更改\n",
                         "error: too many failed sign-ins for %s: locked, try again in %d "
                         "minutes; nothing was changed\n"),
                   login, (int)(TB_NODEAUTH_WINDOW_MS / 60000));
    else if (rc < 0)
        tb_msg_add(msg, TB_TR("错误：无法签到：%s\n", "error: cannot sign in: %s\n"),
                   tb_strerror(rc));
    if (rc < 0)
        return rc;
    if (!tb_nodeauth_can_change(ret_user->role, env->place)) {
        tb_msg_add(msg,
                   TB_TR("错误：账号 %s（角色 %s）在本节点只能查看，不能改动办件；"
                         "未作任何更改\n",
                         "error: the account %s (role %s) may only look here, not change a "
                         "case; nothing was changed\n"),
                   ret_user->login, ret_user->role);
        return -EACCES;
    }
    *ret_actor = ret_user->login;
    return 0;
}

int tb_signin_cli_status(int rc)
{
    return rc == -TB_ECONFIG ? 1 : TB_SIGNIN_EXIT;
}
