#include "tb_cli.h"

#include "tb_case.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_msg.h"
#include "tb_sign.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

int tb_cli_args(int argc, char **argv, int first, tb_config_t *cfg, tb_opt_t *opts, int nopts,
                const char **pos, int maxpos, int *ret_npos, tb_msg_t *ret_msg)
{
    tb_msg_clear(ret_msg);
    struct option lo[TB_CFG_COUNT + 2 + 32];
    int n = 0;
    for (int i = 0; i < TB_CFG_COUNT; i++)
        lo[n++] = (struct option){tb_config_key_name((tb_cfg_key_t)i), required_argument, 0, 0};
    lo[n++] = (struct option){"config", required_argument, 0, 0};
    for (int i = 0; i < nopts && n < (int)(sizeof lo / sizeof lo[0]) - 1; i++)
        lo[n++] =
            (struct option){opts[i].name, opts[i].has_arg ? required_argument : no_argument, 0, 0};
    lo[n] = (struct option){0, 0, 0, 0};

    int npos = 0;
    optind = first;
    opterr = 0;
    for (;;) {
        int idx = -1;
        /* Options are long (--name).  A word of one dash and more than letters after it is a
         * value (a Z85 key may begin with '-'), a positional argument below; "-h" or
         * "-help" is still refused as an unknown option. */
        const char *a = optind < argc ? argv[optind] : NULL;
        bool value = a && a[0] == '-' && a[1] && a[1] != '-' && a[1 + strspn(a + 1, LETTERS)];
        int c = value ? -1 : getopt_long(argc, argv, "+", lo, &idx);
        if (c == -1) {
            if (optind >= argc)
                break;
            /* A positional argument: take it and go on parsing. */
            if (npos == maxpos) {
                tb_msg_add(ret_msg, TB_TR("多余的参数：%s\n", "unexpected argument: %s\n"),
                           argv[optind]);
                return -EINVAL;
            }
            pos[npos++] = argv[optind++];
            continue;
        }
        if (c != 0 || idx < 0) {
            tb_msg_add(
                ret_msg,
                TB_TR("无法识别的选项或缺少选项值：%s\n", "unknown option or missing value: %s\n"),
                argv[optind - 1]);
            return -EINVAL;
        }
        /* A command's own option of a config flag's name (audit --login: whose
         * entries) is the command's: it wins over the setting. */
        bool own = false;
        for (int i = 0; i < nopts; i++)
            if (strcmp(opts[i].name, lo[idx].name) == 0) {
                opts[i].value = opts[i].has_arg ? optarg : "";
                own = true;
            }
        if (!own)
            (void)tb_config_flag(cfg, lo[idx].name, optarg);
    }
    /* What a person typed is text: say which option is not, and why, before anything reads it. */
    for (int i = 0; i < nopts; i++) {
        char field[80], why[400];
        snprintf(field, sizeof field, TB_TR("选项 --%s 的内容", "the value of --%s"), opts[i].name);
        int rc = opts[i].value ? tb_text_check_field(field, opts[i].value, TB_CLI_TEXT_MAX,
                                                     TB_TEXT_MULTILINE, why, sizeof why)
                               : 0;
        if (rc < 0) {
            tb_msg_add(ret_msg, "%s\n", why);
            return rc;
        }
    }
    *ret_npos = npos;
    return 0;
}

int tb_cli_start(int argc, char **argv, tb_config_t *cfg, tb_opt_t *opts, int nopts,
                 const char **pos, int maxpos, int *ret_npos, void (*usage)(FILE *), FILE *out,
                 FILE *err)
{
    tb_msg_t msg;
    if (tb_cli_args(argc, argv, 2, cfg, opts, nopts, pos, maxpos, ret_npos, &msg) < 0) {
        fputs(msg.text, err);
        return 2;
    }
    if (tb_opt(opts, nopts, "help")) {
        usage(out);
        return 0;
    }
    return -1;
}

int tb_cli_case_check(const char *id, tb_msg_t *ret_msg)
{
    tb_msg_clear(ret_msg);
    if (tb_caseid_valid(id))
        return 0;
    tb_msg_add(
        ret_msg,
        TB_TR("办件编号格式错误：%s（应为 区划代码-日期-序号，如 360826100001-20260301-0001）\n",
              "malformed case id: %s (CODE-DATE-SEQ, e.g. 360826100001-20260301-0001)\n"),
        id);
    return -EINVAL;
}

const char *tb_opt(const tb_opt_t *opts, int nopts, const char *name)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    return NULL;
}

int tb_cli_load(tb_env_ctx_t *env, tb_level_t level, tb_msg_t *ret_msg)
{
    tb_msg_clear(ret_msg);
    int rc = tb_config_load(&env->cfg, ret_msg);
    if (rc < 0)
        return rc;
    env->place = tb_config_require(&env->cfg, TB_CFG_PLACE, ret_msg);
    if (!env->place)
        return -TB_ECONFIG;
    /* The actor goes into every record it makes: text, one line, at most 64 bytes. */
    const char *agent = tb_config_get(&env->cfg, TB_CFG_AGENT);
    char why[400];
    if (agent && tb_text_check_field(TB_TR("它", "it"), agent, 64, 0, why, sizeof why) < 0) {
        tb_msg_add(ret_msg, "%s%s\n",
                   TB_TR("经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 "
                         "文字，不超过 64 字节：",
                         "the name of the person at the keyboard (--agent, TONGBAN_AGENT or agent "
                         "in the config file) must be one line of UTF-8 text, at most 64 bytes: "),
                   why);
        return -TB_ECONFIG;
    }
    const char *share = tb_config_get(&env->cfg, TB_CFG_SHARE_DIR);
    env->places = tb_places_new();
    env->catalog = tb_catalog_new();
    if (!env->places || !env->catalog)
        return -ENOMEM;
    char where[4200] = "";
    rc = tb_places_load_dir(env->places, share, tb_config_get(&env->cfg, TB_CFG_PLACES), where,
                            sizeof where);
    if (rc < 0) {
        tb_msg_add(ret_msg, TB_TR("无法加载区划数据 %s：%s\n", "cannot load place data %s: %s\n"),
                   where, tb_strerror(rc));
        return rc;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/catalog.csv", share);
    int line = 0;
    if ((rc = tb_catalog_load(env->catalog, path, &line)) < 0) {
        tb_msg_add(ret_msg,
                   TB_TR("无法加载事项目录 %s（第 %d 行）：%s\n",
                         "cannot load the catalog %s (line %d): %s\n"),
                   path, line, tb_strerror(rc));
        return rc;
    }
    env->calendar = tb_calendar_new();
    if (!env->calendar)
        return -ENOMEM;
    snprintf(path, sizeof path, "%s/holidays-cn-2026.csv", share);
    if ((rc = tb_calendar_load_csv(env->calendar, path, &line)) < 0) {
        tb_msg_add(ret_msg,
                   TB_TR("无法加载节假日日历 %s（第 %d 行）：%s\n",
                         "cannot load the holiday calendar %s (line %d): %s\n"),
                   path, line, tb_strerror(rc));
        return rc;
    }
    static const char *zh[] = {"", "县", "乡镇", "村（社区）"};
    static const char *en[] = {"", "county", "township", "village"};
    rc = tb_places_check(env->places, env->place);
    if (rc == 0 && tb_code_level(env->place) != level) {
        tb_level_t is = tb_code_level(env->place);
        tb_msg_add(ret_msg,
                   TB_TR("本节点区划代码 %s 是%s代码，这里需要一个%s代码\n",
                         "this node's place code %s is a %s code; a %s code is needed\n"),
                   env->place, TB_TR(zh[is], en[is]), TB_TR(zh[level], en[level]));
        return -TB_EINVAL_CODE;
    }
    if (rc < 0) {
        tb_msg_add(ret_msg,
                   TB_TR("本节点区划代码 %s 无效：%s（这里需要一个%s代码）\n",
                         "this node's place code %s is invalid: %s (a %s code is needed)\n"),
                   env->place, tb_strerror(rc), TB_TR(zh[level], en[level]));
        return rc;
    }
    env->parent[0] = '\0';
    if (level != TB_LEVEL_COUNTY) {
        tb_code_parent(env->place, env->parent);
        env->data_pk_set =
            tb_sign_load_pub(tb_config_get(&env->cfg, TB_CFG_KEYS), env->data_pk, NULL, 0) == 0;
    }
    return 0;
}

void tb_cli_env_fini(tb_env_ctx_t *env)
{
    tb_places_destroy(&env->places);
    tb_catalog_destroy(&env->catalog);
    tb_calendar_destroy(&env->calendar);
    tb_config_fini(&env->cfg);
    sodium_memzero(env->data_sk, sizeof env->data_sk);
    env->data_sk_set = env->data_pk_set = false;
}
