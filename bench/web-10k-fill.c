/* web-10k-fill: a node's store filled with cases for bench/web-10k.sh.
 *
 *   web-10k-fill DATA_DIR PLACE COUNT [ITEM]
 *
 * Logs COUNT cases at PLACE (a village, or a township's walk-ins) exactly as
 * `tongban-village log` and `tongban-township register` do: tb_edge_log on
 * the node's own store, each case its own transaction, every field checked
 * (tb_edge_check_entry), from one process so that filling costs a commit, not
 * a process start.  Residents, phones and items vary (items from the catalog
 * in force, with their materials half handed in).  With ITEM every case is
 * that item with no materials, as the test scripts' `vlog` logs: bench/run.sh
 * fills the end-to-end figure's backlogs so (10,000 cases a village in
 * seconds; with the CLI, a process per case, it took minutes).  The node's
 * daemon need not run: the cases wait in its outbox.  Prints one line:
 *
 *   web-10k-fill place=P logged=N failed=F seconds=S
 *
 * Not a test: bench/web-10k.sh measures the screens on what it leaves. */
#include "tb_cli.h"
#include "tb_edge.h"
#include "tb_error.h"
#include "tb_place.h"
#include "tb_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "罗", "曾"};
static const char *const given[] = {"桂兰", "秀英", "建国", "德明", "春花", "国平", "玉梅", "志强",
                                    "海燕", "金生", "小红", "长根", "淑珍", "水生", "冬梅", "福来"};
/* Items a village or a window logs, with the materials handed in on the spot. */
static const struct {
    const char *code, *materials;
} items[] = {
    {"YB003", "居民身份证,住院发票原件"},
    {"YB001", "居民身份证,户口簿"},
    {"YL001", "居民身份证"},
    {"LD001", NULL},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if ((argc != 4 && argc != 5) || atol(argv[3]) <= 0) {
        fprintf(stderr, "usage: web-10k-fill DATA_DIR PLACE COUNT [ITEM]\n");
        return 2;
    }
    long count = atol(argv[3]);
    const char *item = argc == 5 ? argv[4] : NULL;
    setenv("TONGBAN_PLACE", argv[2], 1);
    setenv("TONGBAN_DATA_DIR", argv[1], 1);
    tb_env_ctx_t env;
    tb_msg_t msg = {0};
    tb_config_init(&env.cfg);
    size_t len = strlen(argv[2]);
    tb_level_t level =
        len >= 3 && !strcmp(argv[2] + len - 3, "000") ? TB_LEVEL_TOWNSHIP : TB_LEVEL_VILLAGE;
    if (tb_cli_load(&env, level, &msg) < 0) {
        fprintf(stderr, "web-10k-fill: %s\n", msg.text);
        return 1;
    }
    tb_store_t *store = NULL;
    int rc = tb_store_open(argv[1], env.place, &store);
    if (rc < 0) {
        fprintf(stderr, "web-10k-fill: %s: %s\n", argv[1], tb_strerror(rc));
        tb_cli_env_fini(&env);
        return 1;
    }
    tb_store_set_rules(store, env.catalog, env.calendar);
    long logged = 0, failed = 0;
    double t0 = now_s();
    for (long i = 0; i < count; i++) {
        char client[32], phone[32];
        size_t ns = sizeof surnames / sizeof surnames[0], ng = sizeof given / sizeof given[0];
        snprintf(client, sizeof client, "%s%s", surnames[i % ns], given[(i / ns) % ng]);
        snprintf(phone, sizeof phone, "139%08ld", (10000000 + i) % 100000000);
        size_t k = (size_t)i % (sizeof items / sizeof items[0]);
        tb_entry_t e = {.client = client,
                        .phone = phone,
                        .item = item ? item : items[k].code,
                        .materials = item ? NULL : items[k].materials,
                        .agent = "压测员"};
        char id[TB_CASEID_MAX];
        if ((rc = tb_edge_log(&env, store, &e, id)) == 0) {
            logged++;
        } else if (failed++ == 0) {
            fprintf(stderr, "web-10k-fill: case %ld: %s\n", i, tb_strerror(rc));
        }
    }
    printf("web-10k-fill place=%s logged=%ld failed=%ld seconds=%.1f\n", env.place, logged, failed,
           now_s() - t0);
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return failed ? 1 : 0;
}
