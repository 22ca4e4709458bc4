#include "tb_keycli.h"

#include "tb_cli.h"
#include "tb_i18n.h"
#include "tb_keys.h"
#include "tb_place.h"
#include "tb_sign.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int tb_keycli_keygen(int argc, char **argv, int first)
{
    tb_config_t cfg;
    tb_config_init(&cfg);
    const char *pos[1];
    int npos = 0, status = 2;
    tb_msg_t msg;
    const char *place = NULL;
    if (tb_cli_args(argc, argv, first, &cfg, NULL, 0, pos, 0, &npos, &msg) < 0 ||
        tb_config_load(&cfg, &msg) < 0 || !(place = tb_config_require(&cfg, TB_CFG_PLACE, &msg))) {
        fputs(msg.text, stderr);
        goto out;
    }
    if (!tb_code_valid(place)) {
        fprintf(stderr,
                TB_TR("错误：%s 不是12位区划代码\n", "error: %s is not a 12-digit place code\n"),
                place);
        goto out;
    }
    char pub[TB_KEY_Z85_LEN + 1], why[600];
    const char *dir = tb_config_get(&cfg, TB_CFG_KEYS);
    if (tb_keys_generate(dir, place, pub, why, sizeof why) < 0) {
        fprintf(stderr, TB_TR("无法生成密钥：%s\n", "cannot make the key pair: %s\n"), why);
        status = 1;
        goto out;
    }
    printf("%s\n", pub);
    fprintf(
        stderr,
        TB_TR("已生成 %s/%s.key（私钥，0600）和 %s.pub；请县里执行：tongban-county keys allow %s "
              "%s\n",
              "made %s/%s.key (secret, 0600) and %s.pub; the county allows it with: "
              "tongban-county keys allow %s %s\n"),
        dir, place, place, place, pub);
    status = 0;
out:
    tb_config_fini(&cfg);
    return status;
}

int tb_keycli_signkey(int argc, char **argv, int first)
{
    tb_config_t cfg;
    tb_config_init(&cfg);
    const char *pos[1];
    int npos = 0, status = 2;
    tb_msg_t msg;
    if (tb_cli_args(argc, argv, first, &cfg, NULL, 0, pos, 0, &npos, &msg) < 0 ||
        tb_config_load(&cfg, &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    char pub[2 * TB_SIGN_PK_BYTES + 1], why[600];
    const char *dir = tb_config_get(&cfg, TB_CFG_KEYS);
    if (tb_sign_keygen(dir, pub, why, sizeof why) < 0) {
        fprintf(stderr, TB_TR("无法生成签名密钥：%s\n", "cannot make the signing key: %s\n"), why);
        status = 1;
        goto out;
    }
    printf("%s\n", pub);
    fprintf(stderr,
            TB_TR("已生成 %s/" TB_SIGN_KEY_NAME "（数据签名私钥，0600）和 " TB_SIGN_KEY_NAME
                  ".pub；把 " TB_SIGN_KEY_NAME ".pub 装到每个乡镇和村的密钥目录（与 broker.pub "
                  "一起）\n",
                  "made %s/" TB_SIGN_KEY_NAME
                  " (the data-signing secret key, 0600) and " TB_SIGN_KEY_NAME
                  ".pub; install " TB_SIGN_KEY_NAME ".pub in every township's "
                  "and village's key directory (next to broker.pub)\n"),
            dir);
    status = 0;
out:
    tb_config_fini(&cfg);
    return status;
}

int tb_keycli_load_signing(tb_env_ctx_t *env)
{
    char why[600];
    if (tb_sign_load_secret(tb_config_get(&env->cfg, TB_CFG_KEYS), env->data_sk, why, sizeof why) <
        0) {
        fprintf(stderr,
                TB_TR("错误：县的数据签名密钥不可用：%s（用 tongban-county signkey 生成）\n",
                      "error: no usable data-signing key: %s (make it with tongban-county "
                      "signkey)\n"),
                why);
        return -1;
    }
    env->data_sk_set = true;
    return 0;
}

int tb_keycli_load(const tb_config_t *cfg, const char *place, tb_curve_t *ret)
{
    char why[600];
    if (tb_keys_load_node(tb_config_get(cfg, TB_CFG_KEYS), place, ret, why, sizeof why) < 0) {
        fprintf(stderr,
                TB_TR("错误：CurveZMQ 密钥不可用：%s（本节点用 keygen 生成密钥，并把代理的 "
                      "broker.pub 放入密钥目录 --keys）\n",
                      "error: no usable CurveZMQ keys: %s (make this node's with keygen, and put "
                      "the broker's broker.pub in the key directory, --keys)\n"),
                why);
        return -1;
    }
    return 0;
}

int tb_keycli_keys(int argc, char **argv, int first)
{
    tb_config_t cfg;
    tb_config_init(&cfg);
    tb_opt_t opts[] = {{"json", false, NULL}};
    const char *pos[3];
    int npos = 0, status = 2;
    tb_allow_t *allow = NULL;
    tb_msg_t msg;
    if (tb_cli_args(argc, argv, first, &cfg, opts, 1, pos, 3, &npos, &msg) < 0 ||
        tb_config_load(&cfg, &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    const char *sub = npos > 0 ? pos[0] : "";
    int want = !strcmp(sub, "allow")    ? 3
               : !strcmp(sub, "revoke") ? 2
               : !strcmp(sub, "list")   ? 1
                                        : -1;
    if (want < 0 || npos != want) {
        fputs(
            TB_TR("用法：tongban-county keys allow 区划代码 公钥|公钥文件 | revoke 区划代码|公钥 | "
                  "list [--json]\n",
                  "usage: tongban-county keys allow PLACE PUBKEY|PUBKEY-FILE | revoke "
                  "PLACE|PUBKEY | list [--json]\n"),
            stderr);
        goto out;
    }
    char path[4096], why[600];
    snprintf(path, sizeof path, "%s/%s", tb_config_get(&cfg, TB_CFG_KEYS), TB_ALLOW_FILE);
    int rc = tb_allow_load(path, &allow, why, sizeof why);
    if (rc == -ENOENT && strcmp(sub, "list") != 0)
        allow = tb_allow_new();
    else if (rc == -ENOENT)
        allow = tb_allow_new();
    else if (rc < 0) {
        fprintf(stderr,
                TB_TR("错误：准入名单有误，未作任何更改：%s\n",
                      "error: the allow-list is malformed; nothing changed: %s\n"),
                why);
        status = 1;
        goto out;
    }
    if (!allow) {
        status = 1;
        goto out;
    }
    if (!strcmp(sub, "list")) {
        bool json = tb_opt(opts, 1, "json");
        if (json)
            fputs("[", stdout);
        for (size_t i = 0; i < tb_allow_count(allow); i++) {
            const char *place, *key;
            tb_allow_entry(allow, i, &place, &key);
            if (json)
                printf("%s{\"place\":\"%s\",\"key\":\"%s\"}", i ? "," : "", place, key);
            else
                printf("%s %s\n", place, key);
        }
        if (json)
            puts("]");
        status = 0;
        goto out;
    }
    if (!strcmp(sub, "allow")) {
        char key[TB_KEY_Z85_LEN + 1];
        if (tb_key_valid(pos[2]))
            memcpy(key, pos[2], sizeof key);
        else if (tb_keys_read_pub(pos[2], key, why, sizeof why) < 0) {
            fprintf(stderr,
                    TB_TR("错误：%s 既不是公钥（40个 Z85 字符）也不是可读的公钥文件：%s\n",
                          "error: %s is neither a public key (40 Z85 characters) nor a readable "
                          "public-key file: %s\n"),
                    pos[2], why);
            goto out;
        }
        if (!tb_code_valid(pos[1])) {
            fprintf(
                stderr,
                TB_TR("错误：%s 不是12位区划代码\n", "error: %s is not a 12-digit place code\n"),
                pos[1]);
            goto out;
        }
        rc = tb_allow_add(allow, pos[1], key);
        if (rc == -EEXIST) {
            fputs(TB_TR("错误：该公钥已准入另一区划（一把密钥只对应一个区划；先 revoke）\n",
                        "error: this key is allowed for another place (a key is bound to exactly "
                        "one place; revoke it first)\n"),
                  stderr);
            status = 1;
            goto out;
        }
    } else if (tb_allow_revoke(allow, pos[1]) == 0) {
        fprintf(stderr, TB_TR("错误：准入名单中没有 %s\n", "error: %s is not on the allow-list\n"),
                pos[1]);
        status = 1;
        goto out;
    }
    if ((rc = tb_allow_save(allow, path)) < 0) {
        fprintf(stderr, TB_TR("错误：无法写入 %s：%s\n", "error: cannot write %s: %s\n"), path,
                strerror(-rc));
        status = 1;
        goto out;
    }
    status = 0;
out:
    tb_allow_destroy(&allow);
    tb_config_fini(&cfg);
    return status;
}
