#include "tb_config.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_msg.h"
#include "tb_node.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { PRIO_DEFAULT = 1, PRIO_INI, PRIO_ENV, PRIO_FLAG };

static const struct {
    const char *key, *flag, *env, *zh, *en;
} keys[TB_CFG_COUNT] = {
    {"place", "place", "TONGBAN_PLACE", "本节点的12位区划代码", "this node's 12-digit place code"},
    {"data_dir", "data-dir", "TONGBAN_DATA_DIR", "本地数据目录", "the local data directory"},
    {"broker", "broker", "TONGBAN_BROKER", "消息代理地址", "the broker endpoint"},
    {"db", "db", "TONGBAN_DB", "PostgreSQL 连接串", "the PostgreSQL connection string"},
    {"share_dir", "share-dir", "TONGBAN_SHARE_DIR", "随程序发布的数据目录",
     "the shipped data directory"},
    {"agent", "agent", "TONGBAN_AGENT", "经办人姓名", "the name of the person at the keyboard"},
    {"places", "places", "TONGBAN_PLACES", "区划数据集名称", "the place data set name"},
    {"http", "http", "TONGBAN_HTTP", "网页界面地址（如 127.0.0.1:8401，off 为关闭）",
     "the screens' address (e.g. 127.0.0.1:8401; off: none)"},
    {"service_phone", "service-phone", "TONGBAN_SERVICE_PHONE", "本服务点联系电话（印在回执上）",
     "this service point's phone (printed on receipts)"},
    {"keys", "keys", "TONGBAN_KEYS", "密钥目录", "the CURVE key directory"},
    {"login", "login", "TONGBAN_LOGIN", "登录名（县级下发的账号）",
     "the login (an account the county distributed)"},
};

void tb_config_init(tb_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

void tb_config_fini(tb_config_t *cfg)
{
    for (int i = 0; i < TB_CFG_COUNT; i++)
        free(cfg->value[i]);
    free(cfg->config_path);
    memset(cfg, 0, sizeof *cfg);
}

static void set(tb_config_t *cfg, int key, const char *value, int prio)
{
    if (cfg->prio[key] > prio)
        return;
    char *v = strdup(value);
    if (!v)
        return;
    free(cfg->value[key]);
    cfg->value[key] = v;
    cfg->prio[key] = prio;
}

int tb_config_flag(tb_config_t *cfg, const char *opt, const char *value)
{
    if (strcmp(opt, "config") == 0) {
        free(cfg->config_path);
        cfg->config_path = strdup(value);
        return 1;
    }
    for (int i = 0; i < TB_CFG_COUNT; i++) {
        if (strcmp(opt, keys[i].flag) == 0) {
            set(cfg, i, value, PRIO_FLAG);
            return 1;
        }
    }
    return 0;
}

typedef struct {
    tb_config_t *cfg;
    tb_msg_t *msg;
} ini_ctx_t;

static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    ini_ctx_t *ctx = user;
    for (int i = 0; i < TB_CFG_COUNT; i++) {
        if (strcmp(name, keys[i].key) == 0) {
            set(ctx->cfg, i, value, PRIO_INI);
            return 1;
        }
    }
    tb_msg_add(ctx->msg, TB_TR("配置文件中有未知的键：%s\n", "unknown key in config file: %s\n"),
               name);
    return 0;
}

/* libinih (Debian's build: INI_MAX_LINE 200, no realloc) reads a line in
 * pieces and parses the rest of a longer line as a line of its own, so a long
 * value could be cut and its tail read as another key.  Our reader refuses a
 * line that does not fit instead, and counts lines for the message. */
typedef struct {
    FILE *fp;
    int line;
    bool too_long;
} ini_in_t;

static char *ini_read_line(char *str, int num, void *stream)
{
    ini_in_t *in = stream;
    if (!fgets(str, num, in->fp))
        return NULL;
    in->line++;
    size_t n = strlen(str);
    if (n > 0 && str[n - 1] != '\n') {
        int c = fgetc(in->fp);
        if (c != '\n' && c != EOF) {
            in->too_long = true;
            return NULL;
        }
    }
    return str;
}

int tb_config_load(tb_config_t *cfg, tb_msg_t *ret_msg)
{
    tb_msg_clear(ret_msg);
    for (int i = 0; i < TB_CFG_COUNT; i++) {
        const char *v = getenv(keys[i].env);
        if (v && *v)
            set(cfg, i, v, PRIO_ENV);
    }
    const char *path = cfg->config_path;
    if (!path || !*path)
        path = getenv("TONGBAN_CONFIG");
    if (path && *path) {
        /* Opened here, not by ini_parse: a directory opens but every read
         * fails, which ini_parse takes for the end of an empty file. */
        ini_in_t in = {.fp = fopen(path, "re")};
        ini_ctx_t ctx = {cfg, ret_msg};
        int rc = in.fp ? ini_parse_stream(ini_read_line, &in, on_ini_line, &ctx) : -1;
        if (in.fp && ferror(in.fp))
            rc = -1;
        if (in.fp)
            fclose(in.fp);
        if (in.too_long && rc == 0) {
            tb_msg_add(ret_msg,
                       TB_TR("配置文件 %s 第 %d 行太长（最多 %d 字节）\n",
                             "config file %s: line %d is too long (at most %d bytes)\n"),
                       path, in.line, INI_MAX_LINE - 1);
            return -TB_ECONFIG;
        }
        if (rc != 0) {
            if (rc < 0)
                tb_msg_add(ret_msg, TB_TR("无法读取配置文件 %s\n", "cannot read config file %s\n"),
                           path);
            else
                tb_msg_add(
                    ret_msg,
                    TB_TR("配置文件 %s 第 %d 行有误\n", "config file %s: error on line %d\n"), path,
                    rc);
            return -TB_ECONFIG;
        }
    }
    long hb;
    if (tb_config_env_int("TONGBAN_HEARTBEAT_MS", TB_HEARTBEAT_MIN_MS, TB_HEARTBEAT_MAX_MS,
                          TB_HEARTBEAT_IVL_MS, &hb, ret_msg) < 0)
        return -TB_ECONFIG;
    set(cfg, TB_CFG_BROKER, "tcp://127.0.0.1:7700", PRIO_DEFAULT);
    set(cfg, TB_CFG_DATA_DIR, "/var/lib/tongban", PRIO_DEFAULT);
    set(cfg, TB_CFG_PLACES, "taihe", PRIO_DEFAULT);
    set(cfg, TB_CFG_KEYS, cfg->value[TB_CFG_DATA_DIR], PRIO_DEFAULT);
    /* Installed data first; a build run from the source tree falls back to data/. */
    if (access(TB_INSTALL_DATA_DIR "/catalog.csv", R_OK) == 0)
        set(cfg, TB_CFG_SHARE_DIR, TB_INSTALL_DATA_DIR, PRIO_DEFAULT);
    else
        set(cfg, TB_CFG_SHARE_DIR, TB_SOURCE_DATA_DIR, PRIO_DEFAULT);
    return 0;
}

const char *tb_config_get(const tb_config_t *cfg, tb_cfg_key_t key)
{
    return cfg->value[key];
}

const char *tb_config_require(const tb_config_t *cfg, tb_cfg_key_t key, tb_msg_t *ret_msg)
{
    if (cfg->value[key] && *cfg->value[key])
        return cfg->value[key];
    tb_msg_clear(ret_msg);
    if (tb_lang_en())
        tb_msg_add(ret_msg,
                   "missing setting: %s. Give --%s VALUE, or set %s, or put \"%s = VALUE\" in the "
                   "file named by --config or TONGBAN_CONFIG.\n",
                   keys[key].en, keys[key].flag, keys[key].env, keys[key].key);
    else
        tb_msg_add(ret_msg,
                   "缺少设置：%s。请使用 --%s 值，或设置环境变量 %s，或在配置文件（--config 或 "
                   "TONGBAN_CONFIG 指定）中写 \"%s = 值\"。\n",
                   keys[key].zh, keys[key].flag, keys[key].env, keys[key].key);
    return NULL;
}

const char *tb_config_key_name(tb_cfg_key_t key)
{
    return keys[key].flag;
}

int tb_config_parse_int(const char *text, long min, long max, long *ret_value)
{
    if (!text || text[0] < '0' || text[0] > '9')
        return -TB_ECONFIG;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -TB_ECONFIG;
    *ret_value = v;
    return 0;
}

int tb_config_env_int(const char *name, long min, long max, long dflt, long *ret_value,
                      tb_msg_t *ret_msg)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        *ret_value = dflt;
        return 0;
    }
    if (tb_config_parse_int(v, min, max, ret_value) == 0)
        return 0;
    /* The value is shown as typed, cut to a line's worth: it may be anything. */
    tb_msg_add(ret_msg,
               TB_TR("环境变量 %s 的值“%.40s”无效：应为 %ld 到 %ld 之间的整数（不设置则为 %ld）\n",
                     "environment variable %s: \"%.40s\" is not valid: it must be a whole number "
                     "from %ld to %ld (unset: %ld)\n"),
               name, v, min, max, dflt);
    return -TB_ECONFIG;
}
