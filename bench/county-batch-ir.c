/* county-batch-ir: the county's batch path in-process, without PostgreSQL,
 * for counting instructions and allocations per event (issue 13: on a shared
 * machine the county's CPU per event swings with the load and the resends;
 * what callgrind counts here does not).
 *
 * ROUNDS rounds of the bench's 26 townships x K walk-in LOGGED events each:
 * every round the events reach the county through county_on_envelope (the
 * link engine accepts them), one batch takes them (decode, validation, the
 * fold, the event and case rows, the status updates and their outbox rows)
 * and county_batch_finish commits it.  The statements go to the test sink
 * (county_int.h), which keeps nothing: county_bulk.c's rows and everything
 * PostgreSQL does are not in the count.  A test-hooks build only.
 *
 *   valgrind --tool=callgrind build/bench/county-batch-ir 20 40
 *
 * and divide by the events it prints (20 x 40 x 26 = 20,800). */
#include "county_int.h"

#include "tb_cli.h"
#include "tb_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const towns[] = {
    "360826100000", "360826102000", "360826103000", "360826104000", "360826105000",
    "360826106000", "360826107000", "360826108000", "360826109000", "360826110000",
    "360826111000", "360826112000", "360826113000", "360826114000", "360826115000",
    "360826200000", "360826201000", "360826202000", "360826203000", "360826204000",
    "360826205000", "360826402000", "360826404000", "360826405000", "360826501000",
    "360826502000",
};
enum { NTOWNS = sizeof towns / sizeof towns[0] };

static long statements;

static int sink(county_t *self, const char *name, const params_t *p)
{
    (void)self;
    (void)name;
    (void)p;
    statements++;
    return 0;
}

/* A walk-in case logged at the township's window, as bench-ingest sends it. */
static int walkin(const char *town, uint64_t seq, uint8_t **ret_buf, size_t *ret_len)
{
    char case_id[40];
    snprintf(case_id, sizeof case_id, "%s-20261122-%06llu", town, (unsigned long long)seq);
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)"李四";
    l.client_phone = (char *)"13800138000";
    l.agent = (char *)"王五";
    l.item_code = (char *)"YB003";
    l.note = (char *)"";
    l.accept_time_ms = 1795334400000;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)town;
    ev.origin_seq = seq;
    ev.case_id = case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = (char *)"王五";
    ev.at_ms = 1795334400000;
    ev.ledger = &l;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    return tb_pack_item(&item, ret_buf, ret_len);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20, k = argc > 2 ? atoi(argv[2]) : 40;
    if (rounds <= 0 || k <= 0) {
        fprintf(stderr, "usage: county-batch-ir [ROUNDS [EVENTS PER TOWNSHIP PER ROUND]]\n");
        return 2;
    }
    static uv_loop_t loop;
    static tb_env_ctx_t env;
    static county_t c;
    char dir[] = "/tmp/county-batch-ir-XXXXXX", endpoint[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(endpoint, sizeof endpoint, "ipc://%s/no-broker.sock", dir);
    setenv("TONGBAN_PLACE", "360826000000", 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    setenv("TONGBAN_BROKER", endpoint, 1);
    unsetenv("TONGBAN_FAULT");
    unsetenv("TONGBAN_TEST_POISON_CASE");
    tb_config_init(&env.cfg);
    if (uv_loop_init(&loop) < 0 || tb_cli_load(&env, TB_LEVEL_COUNTY, NULL) < 0 ||
        county_init(&c, &loop, &env, "dbname=none", NULL) < 0 || county_cache_new(&c) < 0 ||
        county_link_engine(&c) < 0) {
        rmdir(dir);
        return 1;
    }
    county_test_set_sink(sink);
    uint64_t seq[NTOWNS] = {0};
    int rc = 0;
    for (int r = 0; rc == 0 && r < rounds; r++) {
        for (int i = 0; rc == 0 && i < k; i++)
            for (int t = 0; rc == 0 && t < NTOWNS; t++) {
                uint8_t *buf = NULL;
                size_t len = 0;
                if ((rc = walkin(towns[t], ++seq[t], &buf, &len)) < 0)
                    break;
                tb_env_t e = TONGBAN__V1__ENVELOPE__INIT;
                e.version = 1;
                e.sender = (char *)towns[t];
                e.receiver = (char *)"360826000000";
                e.kind = TONGBAN__V1__KIND__KIND_DATA;
                e.seq = seq[t];
                e.body.data = buf;
                e.body.len = len;
                county_on_envelope(&c, &e);
                free(buf);
            }
        county_batch_start(&c);
        county_batch_finish(&c);
    }
    printf("batches %llu, events %llu, statements %ld, cases %zu\n",
           (unsigned long long)c.batches, (unsigned long long)c.events, statements,
           tb_map_size(c.cases));
    county_test_set_sink(NULL);
    county_shutdown(&c);
    uv_run(&loop, UV_RUN_DEFAULT);
    county_fini(&c);
    uv_loop_close(&loop);
    tb_cli_env_fini(&env);
    rmdir(dir);
    return rc < 0 || c.events != (uint64_t)rounds * (uint64_t)k * NTOWNS;
}
