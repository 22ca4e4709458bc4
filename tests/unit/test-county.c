/* Unit tests for the county node (county-core linked directly).
 *
 *   test-county              what needs no PostgreSQL: the data import's
 *                            checks (kind, missing file, NUL byte, bad line,
 *                            the size boundary both ways) and every entry point
 *                            on a connection that is down (-TB_ESTORE, nothing
 *                            claimed);
 *   test-county CONNINFO     the same plus, on a throwaway cluster started by
 *                            tests/unit/county-pg.sh: migrations twice, imports
 *                            stored as versions, staff commands refused before
 *                            anything is written, and county_serve() in a
 *                            forked child behind the real broker (a thread),
 *                            fed by this test playing a township: a row the
 *                            schema refuses (a real SQLSTATE 23514 from
 *                            PostgreSQL) is isolated in quarantine, the events
 *                            around it are stored, the link moves on, and the
 *                            daemon exits 0 on SIGTERM; two refused rows
 *                            in a row; the county's validation of a stream
 *                            (another township's village, an item that is no
 *                            event, an illegal event answered with REJECTED,
 *                            undecodable bytes); its reports afterwards.
 *
 * Built with -DTB_SOURCE_DATA_DIR="/abs/path/to/data".
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <zmq.h>

#include "tb_test.h"

#include "broker.h"
#include "county.h"
#include "county_int.h"
#include "tb_case.h"
#include "tb_file.h"
#include "tb_node.h"
#include "tb_wire.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define COUNTY "360826000000"
#define TOWNSHIP "360826100000"
#define VILLAGE "360826100001"
#define REFUSED_ACTOR "拒收"

static const char *conninfo; /* argv[1]: the throwaway cluster, or NULL */

static char tmpdir[64];

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The shipped catalog followed by `pad` blank lines (which the parser skips). */
static void write_catalog(const char *path, size_t pad)
{
    char *body;
    size_t n;
    assert_rc(tb_read_file(TB_SOURCE_DATA_DIR "/catalog.csv", 1 << 20, &body, &n), 0);
    char *big = malloc(n + pad);
    memcpy(big, body, n);
    memset(big + n, '\n', pad);
    write_file(path, big, n + pad);
    free(big);
    free(body);
}

static PGconn *dead_conn(void)
{
    PGconn *pg = PQconnectdb("host=/nonexistent/tongban-test dbname=none connect_timeout=1");
    assert_non_null(pg);
    assert_int_equal(PQstatus(pg), CONNECTION_BAD);
    return pg;
}

/* ---- without PostgreSQL --------------------------------------------------------------- */

/* Everything the import refuses, it refuses before touching the store: the
 * connection here is down, so any store access would say -TB_ESTORE. */
static void test_import_refusals(void **state)
{
    (void)state;
    PGconn *pg = dead_conn();
    char path[128];
    int line = -1;
    snprintf(path, sizeof path, "%s/catalog.csv", tmpdir);
    write_catalog(path, 0);
    assert_rc(county_data_import(pg, "menu", path, &line), -EINVAL);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, "/nonexistent/catalog.csv", &line), -ENOENT);

    /* A NUL byte: not text, line 1. */
    snprintf(path, sizeof path, "%s/nul.csv", tmpdir);
    write_file(path, "code,name\0,x\n", 13);
    line = -1;
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -TB_EDATA);
    assert_int_equal(line, 1);

    /* A bad line is named by its number, in either kind. */
    snprintf(path, sizeof path, "%s/bad-catalog.csv", tmpdir);
    const char *cat = "code,name,level,kind,promised_days,legal_days,materials\n"
                      "YB001,新农合参保登记及缴费,township,immediate,0,0,居民身份证:core\n"
                      "YB002,坏的一行,nowhere,immediate,0,0,参合证:core\n";
    write_file(path, cat, strlen(cat));
    line = -1;
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -TB_EDATA);
    assert_int_equal(line, 3);
    snprintf(path, sizeof path, "%s/bad-calendar.csv", tmpdir);
    const char *cal = "date,kind,holiday\n2026-01-01,off,元旦\n2026-02-30,off,春节\n";
    write_file(path, cal, strlen(cal));
    line = -1;
    assert_rc(county_data_import(pg, TB_DATA_CALENDAR, path, &line), -TB_EDATA);
    assert_int_equal(line, 3);

    /* A good file gets as far as the store, which is down. */
    snprintf(path, sizeof path, "%s/catalog.csv", tmpdir);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -TB_ESTORE);
    assert_rc(
        county_data_import(pg, TB_DATA_CALENDAR, TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv", &line),
        -TB_ESTORE);
    PQfinish(pg);
}

/* The size boundary, both ways: the largest file the import takes still
 * travels in one link message (even with the largest version number), and
 * one byte more is -EFBIG. */
static void test_import_size_boundary(void **state)
{
    (void)state;
    PGconn *pg = dead_conn();
    char path[128];
    snprintf(path, sizeof path, "%s/big.csv", tmpdir);
    char *body;
    size_t base;
    assert_rc(tb_read_file(TB_SOURCE_DATA_DIR "/catalog.csv", 1 << 20, &body, &base), 0);
    free(body);
    size_t lo = 0, hi = TB_MAX_FRAME; /* pad lo is taken, pad hi is refused */
    int line;
    write_catalog(path, hi);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -EFBIG);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        write_catalog(path, mid);
        int rc = county_data_import(pg, TB_DATA_CATALOG, path, &line);
        if (rc != -EFBIG)
            assert_rc(rc, -TB_ESTORE);
        if (rc == -EFBIG)
            hi = mid;
        else
            lo = mid;
    }
    size_t largest = base + lo;
    /* not refused far below the limit (the signature, 64 bytes and its tag
     * and length, travels with it) */
    assert_true(largest > TB_MAX_BODY - 64 - 66);
    /* The largest accepted file packs into one item, as the daemon sends it. */
    char *text;
    size_t n;
    write_catalog(path, lo);
    assert_rc(tb_read_file(path, TB_MAX_FRAME, &text, &n), 0);
    assert_int_equal(n, largest);
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)TB_DATA_CATALOG;
    dv.version = UINT32_MAX;
    dv.body.data = (uint8_t *)text;
    dv.body.len = n;
    uint8_t sig[64] = {0};
    dv.signature.data = sig;
    dv.signature.len = sizeof sig;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
    item.data = &dv;
    uint8_t *buf;
    size_t len;
    assert_rc(tb_pack_item(&item, &buf, &len), 0);
    free(buf);
    free(text);
    write_catalog(path, lo + 1);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -EFBIG);
    PQfinish(pg);
}

/* Every entry point on a connection that is down answers -TB_ESTORE (the
 * words of libpq in ret_err where there is one), never success. */
static void test_store_down(void **state)
{
    (void)state;
    PGconn *pg = dead_conn();
    const char *err = NULL;
    assert_rc(county_migrate(pg, &err), -TB_ESTORE);
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    tb_env_ctx_t env = {0};
    env.place = COUNTY;
    county_cmd_t cmd = {.case_id = VILLAGE "-20261122-0001",
                        .actor = "赵六",
                        .reason = "",
                        .basis = "",
                        .type = TB_EV_DECIDED,
                        .decision = TB_DECISION_GRANT,
                        .wait_ms = 0};
    char msg[256] = "untouched";
    assert_rc(county_command(pg, &env, &cmd, msg, sizeof msg), -TB_ESTORE);
    assert_true(strlen(msg) > 0 && strcmp(msg, "untouched") != 0);
    assert_rc(county_data_current(pg, &env), -TB_ESTORE);
    PQfinish(pg);
}

/* ---- with PostgreSQL ------------------------------------------------------------------ */

static PGconn *pg_conn(void)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", conninfo, PQerrorMessage(pg));
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}

static long long sql_int(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void sql_exec(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* A fresh schema for each test (the cluster is shared by the tests of one run). */
static int pg_setup(void **state)
{
    (void)state;
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK)
        return -1;
    PGresult *r = PQexec(pg, "SET client_min_messages = warning;"
                             "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(pg);
    return ok ? 0 : -1;
}

static void test_migrate_twice(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    const char *err = NULL;
    assert_rc(county_migrate(pg, &err), 0);
    long long n = sql_int(pg, "SELECT count(*) FROM schema_migrations");
    assert_true(n >= 3);
    assert_rc(county_migrate(pg, &err), 0);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM schema_migrations"), n);
    PQfinish(pg);
}

/* Imports become versions 1, 2, ...; a refused file stores nothing. */
static void test_import_versions(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    assert_rc(county_migrate(pg, NULL), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/catalog.csv", tmpdir);
    write_catalog(path, 0);
    int line = 0;
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), 1);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), 2);
    assert_rc(
        county_data_import(pg, TB_DATA_CALENDAR, TB_SOURCE_DATA_DIR "/holidays-cn-2026.csv", &line),
        1);
    write_catalog(path, TB_MAX_FRAME);
    assert_rc(county_data_import(pg, TB_DATA_CATALOG, path, &line), -EFBIG);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM catalog_versions"), 2);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM calendar_versions"), 1);
    tb_env_ctx_t env = {0};
    env.catalog = tb_catalog_new();
    env.calendar = tb_calendar_new();
    assert_rc(county_data_current(pg, &env), 0);
    assert_int_equal(env.catalog_version, 2);
    assert_int_equal(env.calendar_version, 1);
    assert_non_null(tb_catalog_find(env.catalog, "YB003"));
    tb_catalog_destroy(&env.catalog);
    tb_calendar_destroy(&env.calendar);
    PQfinish(pg);
}

/* A staff step on a case the county does not hold is refused at once, and
 * nothing is queued for the daemon. */
static void test_command_unknown_case(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    assert_rc(county_migrate(pg, NULL), 0);
    tb_env_ctx_t env = {0};
    env.place = COUNTY;
    county_cmd_t cmd = {.case_id = VILLAGE "-20261122-0009",
                        .actor = "赵六",
                        .reason = "",
                        .basis = "",
                        .type = TB_EV_DECIDED,
                        .decision = TB_DECISION_GRANT,
                        .wait_ms = 0};
    char msg[256];
    assert_rc(county_command(pg, &env, &cmd, msg, sizeof msg), -TB_ENOCASE);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM county_commands"), 0);
    PQfinish(pg);
}

/* ---- the daemon behind the broker, fed by a fake township ---------------------------- */

typedef struct {
    broker_t *broker;
    volatile bool stop;
    pthread_t thread;
} broker_thread_t;

static void *run_broker(void *arg)
{
    broker_thread_t *b = arg;
    broker_run(b->broker, &b->stop);
    return NULL;
}

/* The county daemon in a child process, as `tongban-county serve` runs it. */
static pid_t start_county(const char *endpoint, const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    FILE *f = freopen(log, "w", stderr);
    (void)f;
    setenv("TONGBAN_PLACE", COUNTY, 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    setenv("TONGBAN_BROKER", endpoint, 1);
    setenv("TONGBAN_DB", conninfo, 1);
    unsetenv("TONGBAN_FAULT");
    unsetenv("TONGBAN_TEST_POISON_CASE");
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    int rc = tb_cli_load(&env, TB_LEVEL_COUNTY, NULL);
    if (rc == 0)
        rc = county_serve(&env, conninfo, NULL);
    tb_cli_env_fini(&env);
    exit(rc == 0 ? 0 : 1);
}

/* A LOGGED event: origin's event seq, case number n of that origin, by `actor`. */
static void logged_event(const char *origin, uint64_t seq, int n, const char *actor,
                         uint8_t **ret_buf, size_t *ret_len)
{
    char case_id[40];
    snprintf(case_id, sizeof case_id, "%s-20261122-%04d", origin, n);
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = (char *)"李四";
    l.client_phone = (char *)"13800138000";
    l.agent = (char *)actor;
    l.item_code = (char *)"YB003";
    l.note = (char *)"";
    l.accept_time_ms = 1795334400000;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.origin_node = (char *)origin;
    ev.origin_seq = seq;
    ev.case_id = case_id;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = (char *)actor;
    ev.at_ms = 1795334400000;
    ev.ledger = &l;
    assert_rc(tb_event_check(&ev), 0);
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
    item.event = &ev;
    assert_rc(tb_pack_item(&item, ret_buf, ret_len), 0);
}

static void logged_item(int n, const char *actor, uint8_t **ret_buf, size_t *ret_len)
{
    logged_event(VILLAGE, (uint64_t)n, n, actor, ret_buf, ret_len);
}

static void township_send(void *s, const char *dest, Tongban__V1__Kind kind, uint64_t seq,
                          uint64_t ack, const uint8_t *body, size_t len)
{
    uint8_t *buf;
    size_t blen;
    assert_rc(tb_env_pack(TOWNSHIP, dest, kind, seq, ack, body, len, &buf, &blen), 0);
    zmq_send(s, dest, TB_CODE_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(s, buf, blen, ZMQ_DONTWAIT);
    free(buf);
}

static bool child_running(pid_t pid, int *ret_status)
{
    return waitpid(pid, ret_status, WNOHANG) == 0;
}

/* Run a report with stdout captured; its JSON, parsed. */
static json_t *capture_json(int (*report)(PGconn *, const tb_env_ctx_t *, const char *, bool),
                            PGconn *pg, const tb_env_ctx_t *env, const char *arg, int want_rc,
                            char **ret_text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/report.json", tmpdir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    dup2(fileno(f), STDOUT_FILENO);
    int rc = report(pg, env, arg, true);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    fclose(f);
    assert_rc(rc, want_rc);
    char *text;
    size_t n;
    assert_rc(tb_read_file(path, 1 << 20, &text, &n), 0);
    unlink(path);
    json_error_t jerr;
    json_t *j = rc == 0 ? json_loads(text, 0, &jerr) : NULL;
    if (rc == 0 && !j)
        fail_msg("report is not JSON (%s): %s", jerr.text, text);
    *ret_text = text;
    return j;
}

static int print_cases(PGconn *pg, const tb_env_ctx_t *env, const char *arg, bool json)
{
    (void)arg;
    return county_print_cases(pg, env, json);
}

/* What the county reports after the refused row: the two stored cases (the
 * phone number masked), one history each, the refused case unknown; a staff
 * step the stored fold does not allow is refused before anything is queued. */
static void check_reports(PGconn *pg)
{
    setenv("TONGBAN_PLACE", COUNTY, 1);
    setenv("TONGBAN_SHARE_DIR", TB_SOURCE_DATA_DIR, 1);
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    assert_int_equal(tb_cli_load(&env, TB_LEVEL_COUNTY, NULL), 0);
    char *text;
    json_t *j = capture_json(print_cases, pg, &env, NULL, 0, &text);
    assert_true(json_is_array(j));
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "case_id")),
                        VILLAGE "-20261122-0001");
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "case_id")),
                        VILLAGE "-20261122-0003");
    assert_null(strstr(text, "13800138000")); /* never the whole number */
    json_decref(j);
    free(text);

    j = capture_json(county_print_case, pg, &env, VILLAGE "-20261122-0001", 0, &text);
    json_t *h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 1);
    json_t *e = json_array_get(h, 0);
    assert_string_equal(json_string_value(json_object_get(e, "origin")), VILLAGE);
    assert_string_equal(json_string_value(json_object_get(e, "via")), TOWNSHIP);
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "王五");
    assert_true(json_is_true(json_object_get(e, "folded")));
    json_decref(j);
    free(text);
    j = capture_json(county_print_case, pg, &env, VILLAGE "-20261122-0002", -TB_ENOCASE, &text);
    assert_null(j);
    free(text);

    county_cmd_t cmd = {.case_id = VILLAGE "-20261122-0001",
                        .actor = "赵六",
                        .reason = "",
                        .basis = "",
                        .type = TB_EV_DECIDED,
                        .decision = TB_DECISION_GRANT,
                        .wait_ms = 0};
    char msg[256];
    int rc = county_command(pg, &env, &cmd, msg, sizeof msg);
    if (rc == 0 || rc == -TB_ESTORE || rc == -ETIMEDOUT)
        fail_msg("deciding a case the village holds: %d (%s)", rc, tb_strerror(rc));
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM county_commands"), 0);
    tb_cli_env_fini(&env);
}

/* What the fake township heard from the county besides acks. */
typedef struct {
    int nrejected;
    char rejected_origin[TB_CODE_LEN + 1];
    uint64_t rejected_seq;
} heard_t;

static uint64_t feed_items(PGconn *pg, int n, uint8_t **items, const size_t *lens, heard_t *heard,
                           int want_rejected);

/* Feed the county LOGGED events 1..n of one village through its township;
 * those marked refused carry an actor the schema (with the test's rule)
 * refuses.  Returns the county's last cumulative ack. */
static uint64_t feed_county(PGconn *pg, int n, const bool *refused)
{
    uint8_t *items[8];
    size_t lens[8];
    assert_true(n <= 8);
    for (int i = 0; i < n; i++)
        logged_item(i + 1, refused[i] ? REFUSED_ACTOR : "王五", &items[i], &lens[i]);
    heard_t heard = {0};
    uint64_t acked = feed_items(pg, n, items, lens, &heard, 0);
    for (int i = 0; i < n; i++)
        free(items[i]);
    return acked;
}

/* Run the county (forked child) behind the broker (a thread) and send it
 * items 1..n in link order as its township would: heartbeats to the broker,
 * and go-back-N retransmission of everything past the county's cumulative
 * ack, until the ack covers all n and want_rejected REJECTED events came back
 * (or about 40 s passed).  What the county sent besides acks goes into
 * *heard.  Returns the last ack; the county has been stopped with SIGTERM,
 * exited 0 and left no sanitizer report in its log. */
static uint64_t feed_items(PGconn *pg, int n, uint8_t **items, const size_t *lens, heard_t *heard,
                           int want_rejected)
{
    /* The shipped schema refuses nothing that passes tb_event_check (texts,
     * lengths and times are checked at the first hop), so the test adds a
     * rule of its own: PostgreSQL itself refuses the row, SQLSTATE 23514. */
    sql_exec(pg, "ALTER TABLE case_events ADD CONSTRAINT test_refuses"
                 " CHECK (actor <> '" REFUSED_ACTOR "')");
    char endpoint[128], log[128];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/broker.sock", tmpdir);
    snprintf(log, sizeof log, "%s/county.log", tmpdir);
    pid_t county = start_county(endpoint, log);

    broker_thread_t b = {0};
    assert_rc(broker_new(endpoint, &b.broker), 0);
    assert_int_equal(pthread_create(&b.thread, NULL, run_broker, &b), 0);
    void *zctx = zmq_ctx_new();
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, TOWNSHIP, TB_CODE_LEN);
    assert_int_equal(zmq_connect(s, endpoint), 0);

    uint64_t acked = 0, county_seq = 0; /* county's ack of ours; our cursor of the county's */
    int status = 0;
    bool alive = true;
    for (int round = 0; round < 80 && (acked < (uint64_t)n || heard->nrejected < want_rejected) &&
                        (alive = child_running(county, &status));
         round++) {
        township_send(s, TB_BROKER_CODE, TONGBAN__V1__KIND__KIND_HEARTBEAT, 0, 0, NULL, 0);
        for (uint64_t q = acked + 1; q <= (uint64_t)n; q++)
            township_send(s, COUNTY, TONGBAN__V1__KIND__KIND_DATA, q, county_seq, items[q - 1],
                          lens[q - 1]);
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        for (int t = 0; t < 10 && zmq_poll(&it, 1, 50) >= 0; t++) {
            while (it.revents & ZMQ_POLLIN) {
                char sender[TB_CODE_LEN + 1] = "";
                uint8_t frame[TB_MAX_FRAME + 64];
                int sl = zmq_recv(s, sender, TB_CODE_LEN, ZMQ_DONTWAIT);
                if (sl < 0)
                    break;
                int fl = zmq_recv(s, frame, sizeof frame, ZMQ_DONTWAIT);
                tb_env_t *env = NULL;
                if (fl > 0 && strcmp(sender, COUNTY) == 0 &&
                    tb_env_decode(frame, (size_t)fl, &env) == 0) {
                    if (env->ack > acked)
                        acked = env->ack;
                    if (env->kind == TONGBAN__V1__KIND__KIND_DATA && env->seq == county_seq + 1) {
                        county_seq = env->seq;
                        tb_item_msg_t *item = NULL;
                        if (tb_item_decode(env->body.data, env->body.len, &item) == 0 &&
                            item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT &&
                            item->event->type == TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED) {
                            heard->nrejected++;
                            snprintf(heard->rejected_origin, sizeof heard->rejected_origin, "%s",
                                     item->event->rejected_origin);
                            heard->rejected_seq = item->event->rejected_seq;
                        }
                        tb_item_free(&item);
                    }
                }
                tb_env_free(&env);
                zmq_poll(&it, 1, 0);
            }
        }
    }
    zmq_close(s);
    zmq_ctx_term(zctx);
    if (alive) {
        kill(county, SIGTERM);
        pid_t got = 0;
        for (int i = 0; i < 1000 && (got = waitpid(county, &status, WNOHANG)) == 0; i++)
            nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
        if (got == 0) {
            kill(county, SIGKILL);
            waitpid(county, &status, 0);
            status = -1;
        }
    }
    b.stop = true;
    pthread_join(b.thread, NULL);
    broker_destroy(&b.broker);
    if (!alive)
        fail_msg("the county died (status %d); see %s", status, log);
    if (status == -1)
        fail_msg("the county did not stop within 10 s of SIGTERM; see %s", log);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the county exited with status %d; see %s", status, log);
    /* A sanitizer that only reports (without halt_on_error) still fails the test. */
    char *text;
    size_t tlen;
    assert_rc(tb_read_file(log, 1 << 24, &text, &tlen), 0);
    bool report = strstr(text, "Sanitizer") || strstr(text, "runtime error:");
    free(text);
    if (report)
        fail_msg("a sanitizer report in %s", log);
    if (acked != (uint64_t)n)
        print_error("the county acked %llu of %d; see %s\n", (unsigned long long)acked, n, log);
    return acked;
}

/* Three events; the middle one is a row the schema refuses. */
static void test_refused_row_isolated(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    assert_rc(county_migrate(pg, NULL), 0);
    assert_int_equal(feed_county(pg, 3, (const bool[]){false, true, false}), 3);
    assert_int_equal(sql_int(pg, "SELECT cursor FROM link_in WHERE peer = '" TOWNSHIP "'"), 3);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_node = '" VILLAGE
                                 "' AND origin_seq IN (1, 3) AND folded"),
                     2);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_seq = 2"), 0);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM cases"), 2);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine WHERE peer = '" TOWNSHIP
                                 "' AND seq = 2 AND why LIKE '%test_refuses%'"),
                     1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine"), 1);
    check_reports(pg);
    PQfinish(pg);
}

/* Two refused rows next to each other, then two good ones: each refused row
 * is isolated on its own, nothing good is lost, nothing is stored twice. */
static void test_adjacent_refused_rows(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    assert_rc(county_migrate(pg, NULL), 0);
    assert_int_equal(feed_county(pg, 5, (const bool[]){false, true, true, false, false}), 5);
    assert_int_equal(sql_int(pg, "SELECT cursor FROM link_in WHERE peer = '" TOWNSHIP "'"), 5);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_node = '" VILLAGE
                                 "' AND origin_seq IN (1, 4, 5) AND folded"),
                     3);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events"), 3);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine WHERE peer = '" TOWNSHIP
                                 "' AND seq IN (2, 3) AND why LIKE '%test_refuses%'"),
                     2);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine"), 2);
    PQfinish(pg);
}

/* The county's validation of what a township sends, in one stream: a good
 * event; an event of a village of another township (quarantined: a township
 * speaks for its own villages only); an item that is no event (quarantined);
 * an event that breaks the rules (stored, not applied, and REJECTED sent back
 * naming it); bytes that are no item (quarantined).  The link goes on past
 * all of them. */
static void test_validation(void **state)
{
    (void)state;
    PGconn *pg = pg_conn();
    assert_rc(county_migrate(pg, NULL), 0);
    uint8_t *items[5];
    size_t lens[5];
    logged_event(VILLAGE, 1, 1, "王五", &items[0], &lens[0]);
    logged_event("360826101001", 1, 1, "王五", &items[1], &lens[1]);
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    st.case_id = (char *)VILLAGE "-20261122-0001";
    st.state = (char *)tb_state_name(TB_ST_LOGGED);
    st.holder = (char *)TOWNSHIP;
    st.version = 9;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
    item.status = &st;
    assert_rc(tb_pack_item(&item, &items[2], &lens[2]), 0);
    logged_event(VILLAGE, 4, 1, "王五", &items[3], &lens[3]); /* the same case logged again */
    items[4] = (uint8_t *)strdup("\xff\xfe not an item");
    lens[4] = strlen((char *)items[4]);
    heard_t heard = {0};
    assert_int_equal(feed_items(pg, 5, items, lens, &heard, 1), 5);
    for (int i = 0; i < 5; i++)
        free(items[i]);
    assert_int_equal(sql_int(pg, "SELECT cursor FROM link_in WHERE peer = '" TOWNSHIP "'"), 5);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_node = '" VILLAGE
                                 "' AND origin_seq = 1 AND folded"),
                     1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_node = '" VILLAGE
                                 "' AND origin_seq = 4 AND NOT folded"),
                     1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events WHERE origin_node = '" COUNTY
                                 "' AND type_name = 'rejected'"),
                     1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM case_events"), 3);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine WHERE seq = 2 AND why LIKE "
                                 "'%outside the sender%'"),
                     1);
    assert_int_equal(
        sql_int(pg, "SELECT count(*) FROM quarantine WHERE seq = 3 AND why LIKE '%events only%'"),
        1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine WHERE seq = 5"), 1);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM quarantine"), 3);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM cases"), 1);
    assert_int_equal(heard.nrejected, 1);
    assert_string_equal(heard.rejected_origin, VILLAGE);
    assert_int_equal(heard.rejected_seq, 4);
    PQfinish(pg);
}

/* p_int writes what "%" PRId64 writes (county_stmt.c formats by hand). */
static void test_p_int(void **state)
{
    (void)state;
    static const int64_t v[] = {
        0, 1, -1, 9, 10, -10, 99, 100, 1764559937123, -1764559937123, INT64_MAX, INT64_MIN};
    params_t p = {0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%" PRId64, v[i]);
        p_int(&p, v[i]);
        assert_string_equal(p.v[i], want);
        assert_int_equal(p.fmt[i], 0);
    }
    assert_int_equal(p.n, sizeof v / sizeof v[0]);
}

int main(int argc, char **argv)
{
    conninfo = argc > 1 ? argv[1] : NULL;
    strcpy(tmpdir, "/tmp/tb-test-county-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_import_refusals),
        cmocka_unit_test(test_import_size_boundary),
        cmocka_unit_test(test_store_down),
        cmocka_unit_test(test_p_int),
    };
    const struct CMUnitTest with_pg[] = {
        cmocka_unit_test_setup(test_migrate_twice, pg_setup),
        cmocka_unit_test_setup(test_import_versions, pg_setup),
        cmocka_unit_test_setup(test_command_unknown_case, pg_setup),
        cmocka_unit_test_setup(test_refused_row_isolated, pg_setup),
        cmocka_unit_test_setup(test_adjacent_refused_rows, pg_setup),
        cmocka_unit_test_setup(test_validation, pg_setup),
    };
    int failed = cmocka_run_group_tests_name("county", plain, NULL, NULL);
    if (conninfo)
        failed += cmocka_run_group_tests_name("county-pg", with_pg, NULL, NULL);
    if (failed == 0) {
        static const char *const files[] = {
            "catalog.csv", "nul.csv",    "bad-catalog.csv", "bad-calendar.csv",
            "big.csv",     "county.log", "broker.sock",
        };
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            char path[160];
            snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
            unlink(path);
        }
        rmdir(tmpdir);
    } else {
        fprintf(stderr, "# kept %s for inspection\n", tmpdir);
    }
    return failed ? 1 : 0;
}
