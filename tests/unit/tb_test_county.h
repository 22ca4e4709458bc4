/* Shared by the unit tests that run the county's rooms in-process on their
 * own loop, with no broker behind the node: the fixture's start and end,
 * and the village's LOGGED event they feed it.  Include after tb_test.h
 * (cmocka) and county_int.h.  Built with -DTB_SOURCE_DATA_DIR. */
#ifndef TB_TEST_COUNTY_H
#define TB_TEST_COUNTY_H

#include "county_int.h"

#include <stdio.h>
#include <stdlib.h>

#define COUNTY "360826000000"
#define TOWNSHIP "360826100000"
#define VILLAGE "360826100001"

/* The county of the test set up on loop with the shipped data and db as
 * its conninfo ("dbname=none" when nothing connects); the node's broker is
 * an ipc endpoint in dir where nothing listens.  0 or -1. */
static inline int tb_test_county_init(county_t *c, uv_loop_t *loop, tb_env_ctx_t *env,
                                      const char *dir, const char *db)
{
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/no-broker.sock", dir);
    setenv("TONGBAN_PLACE", COUNTY, 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    setenv("TONGBAN_BROKER", endpoint, 1);
    setenv("TONGBAN_DB", db, 1);
    unsetenv("TONGBAN_FAULT");
    unsetenv("TONGBAN_TEST_POISON_CASE");
    unsetenv("TONGBAN_TEST_OVERLAP_MIN");
    tb_config_init(&env->cfg);
    if (uv_loop_init(loop) < 0 || tb_cli_load(env, TB_LEVEL_COUNTY, NULL) < 0 ||
        county_init(c, loop, env, db, NULL) < 0)
        return -1;
    return 0;
}

/* Shut the county down, let its handles close, free it and the loop. */
static inline void tb_test_county_fini(county_t *c, uv_loop_t *loop, tb_env_ctx_t *env)
{
    county_shutdown(c);
    uv_run(loop, UV_RUN_DEFAULT);
    county_fini(c);
    assert_rc(uv_loop_close(loop), 0);
    tb_cli_env_fini(env);
}

/* A LOGGED event of case number n of VILLAGE, as the village's seq. */
static inline void tb_test_logged(uint64_t seq, int n, uint8_t **ret_buf, size_t *ret_len)
{
    char case_id[40];
    snprintf(case_id, sizeof case_id, "%s-20261122-%04d", VILLAGE, n);
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)"李四";
    l.client_phone = (char *)"13800138000";
    l.agent = (char *)"王五";
    l.item_code = (char *)"YB003";
    l.note = (char *)"";
    l.accept_time_ms = 1795334400000;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)VILLAGE;
    ev.origin_seq = seq;
    ev.case_id = case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = (char *)"王五";
    ev.at_ms = 1795334400000;
    ev.ledger = &l;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    assert_rc(tb_pack_item(&item, ret_buf, ret_len), 0);
}

/* An empty county store on the throwaway cluster conninfo, migrated to the
 * newest schema: its connection, or NULL. */
static inline PGconn *tb_test_county_store(const char *conninfo)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        PQfinish(pg);
        return NULL;
    }
    PGresult *r = PQexec(pg, "SET client_min_messages = warning;"
                             "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    const char *err = NULL;
    if (!ok || county_migrate(pg, &err) < 0) {
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* Link message seq from TOWNSHIP, through county_on_envelope: accepted
 * into the pending batch. */
static inline void tb_test_county_accept(county_t *c, uint64_t seq, const uint8_t *buf, size_t len)
{
    size_t before = c->pending.n;
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
    env.sender = (char *)TOWNSHIP;
    env.receiver = (char *)COUNTY;
    env.kind = TONGBAN__V1__KIND__KIND_DATA;
    env.seq = seq;
    env.body.data = (uint8_t *)buf;
    env.body.len = len;
    county_on_envelope(c, &env);
    assert_int_equal(c->pending.n, before + 1);
}

#endif
