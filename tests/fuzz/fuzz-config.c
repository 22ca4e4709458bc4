/* fuzz-config: tb_config_load() on an untrusted INI file (the file named by
 * --config or TONGBAN_CONFIG), parsed by libinih.
 *
 * The input is written to an unlinked temporary file, named to the loader as
 * /proc/self/fd/N.  TONGBAN_* variables are cleared first so that only the
 * file speaks.  The loader prints nothing: its words come back in a tb_msg_t.
 *
 * Properties checked besides "no crash, no leak": a refusal is -TB_ECONFIG
 * and says why (its message is not empty), an accepted file says nothing;
 * an accepted file gives every defaulted setting a value; loading the same
 * file again gives the same values; and the values written back as
 * "key=value" lines load to the same values (when the lines are short enough
 * that libinih's line limit cannot split them, and hold no ';'). */
#include "fuzz.h"
#include "tb_config.h"
#include "tb_error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fd = -1;
static char path[64];
static tb_msg_t msg; /* what the last load said */

static void setup(void)
{
    /* tmpfs when there is one: on ext4 rewriting a truncated file flushes it. */
    char tmpl[64];
    snprintf(tmpl, sizeof tmpl, "%s/tb-fuzz-config-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    fd = mkstemp(tmpl);
    if (fd < 0 || unlink(tmpl) < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    static const char *vars[] = {"TONGBAN_CONFIG", "TONGBAN_PLACE", "TONGBAN_DATA_DIR",
                                 "TONGBAN_BROKER", "TONGBAN_DB",    "TONGBAN_SHARE_DIR",
                                 "TONGBAN_AGENT",  "TONGBAN_PLACES"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

static void put(const void *data, size_t size)
{
    if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
}

static int load(tb_config_t *cfg)
{
    tb_config_init(cfg);
    if (tb_config_flag(cfg, "config", path) != 1 || !cfg->config_path)
        abort();
    int rc = tb_config_load(cfg, &msg);
    if ((rc == 0) != (msg.text[0] == '\0'))
        abort();
    return rc;
}

static void same(const tb_config_t *a, const tb_config_t *b)
{
    for (int i = 0; i < TB_CFG_COUNT; i++) {
        const char *x = tb_config_get(a, (tb_cfg_key_t)i), *y = tb_config_get(b, (tb_cfg_key_t)i);
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
            abort();
    }
}

/* The INI keys are the flag names with '_' for '-'. */
static void key_of(tb_cfg_key_t k, char *out, size_t size)
{
    snprintf(out, size, "%s", tb_config_key_name(k));
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0)
        setup();
    put(data, size);
    tb_config_t cfg;
    int rc = load(&cfg);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (rc != -TB_ECONFIG)
            abort();
        tb_config_fini(&cfg);
        return 0;
    }
    if (!tb_config_get(&cfg, TB_CFG_BROKER) || !tb_config_get(&cfg, TB_CFG_DATA_DIR) ||
        !tb_config_get(&cfg, TB_CFG_PLACES) || !tb_config_get(&cfg, TB_CFG_SHARE_DIR))
        abort();

    tb_config_t again;
    if (load(&again) != 0)
        abort();
    same(&cfg, &again);
    tb_config_fini(&again);

    /* Write the values back, one short line each. */
    size_t cap = 64, len = 0;
    bool fits = true;
    for (int i = 0; i < TB_CFG_COUNT; i++)
        cap += 32 + (cfg.value[i] ? strlen(cfg.value[i]) : 0);
    char *text = malloc(cap);
    if (!text)
        abort();
    text[0] = '\0';
    for (int i = 0; i < TB_CFG_COUNT; i++) {
        char key[32];
        const char *v = tb_config_get(&cfg, (tb_cfg_key_t)i);
        key_of((tb_cfg_key_t)i, key, sizeof key);
        if (!v)
            continue;
        /* libinih strips " ;comment" from a line but not from a continuation
         * line, so such a value cannot be written back on one line. */
        if (strlen(key) + 1 + strlen(v) > 150 || strchr(v, ';'))
            fits = false;
        len += (size_t)snprintf(text + len, cap - len, "%s=%s\n", key, v);
    }
    if (fits) {
        put(text, len);
        if (load(&again) != 0)
            abort();
        same(&cfg, &again);
        tb_config_fini(&again);
    }
    free(text);
    tb_config_fini(&cfg);
    return 0;
}
