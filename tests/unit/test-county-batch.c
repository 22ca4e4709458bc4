/* The county's batch against a fake statement sink: no PostgreSQL.
 *
 * The batch's statements go to the sink (the test hook of county_int.h) and
 * the test plays PostgreSQL's part by calling county_batch_finish, as the
 * pipeline's Sync result would.  What is checked is the county's side of the
 * link engine: messages accepted while a batch is in flight wait for the
 * next; each batch carries its own cursor ("cursor") and the acks received
 * since the last ("ack") before its Sync; the engine learns the commit (and
 * the new outbox heads) only from county_batch_finish; a lost batch puts the
 * accepted cursor back; a township of another county is not accepted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb_test.h"

#include "county_int.h"
#include "tb_test_county.h"

#ifndef TB_TEST_HOOKS
#error "test-county-batch needs the county built with -DTB_TEST_HOOKS"
#endif

#define FOREIGN "360827100000" /* a township of another county */

enum { MAX_STMTS = 256 };

typedef struct {
    char name[16];
    char a[32], b[32]; /* the first two parameters, when text */
} stmt_t;

typedef struct {
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    stmt_t stmts[MAX_STMTS];
    int n;
} fixture_t;

static fixture_t *the; /* the sink has no context of its own */
static char tmpdir[64];

static int sink(county_t *self, const char *name, const params_t *p)
{
    assert_ptr_equal(self, &the->c);
    assert_true(the->n < MAX_STMTS);
    stmt_t *s = &the->stmts[the->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    if (p && p->n > 0 && p->fmt[0] == 0)
        snprintf(s->a, sizeof s->a, "%s", p->v[0]);
    if (p && p->n > 1 && p->fmt[1] == 0)
        snprintf(s->b, sizeof s->b, "%s", p->v[1]);
    return 0;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (tb_test_county_init(&f->c, &f->loop, &f->env, tmpdir, "dbname=none") < 0 ||
        county_cache_new(&f->c) < 0 || county_link_engine(&f->c) < 0)
        return -1;
    the = f;
    county_test_set_sink(sink);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    county_test_set_sink(NULL);
    tb_test_county_fini(&f->c, &f->loop, &f->env);
    free(f);
    return 0;
}

/* An envelope from `from` reaching the county (DATA with case n, or an ACK). */
static void deliver(fixture_t *f, const char *from, Tongban__V1__Kind kind, uint64_t seq,
                    uint64_t ack)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (kind == TONGBAN__V1__KIND__KIND_DATA)
        tb_test_logged(seq, (int)seq, &buf, &len);
    tb_env_t env = TONGBAN__V1__ENVELOPE__INIT;
    env.version = 1;
    env.sender = (char *)from;
    env.receiver = (char *)COUNTY;
    env.kind = kind;
    env.seq = seq;
    env.ack = ack;
    env.body.data = buf;
    env.body.len = len;
    county_on_envelope(&f->c, &env);
    free(buf);
}

static void data(fixture_t *f, uint64_t seq)
{
    deliver(f, TOWNSHIP, TONGBAN__V1__KIND__KIND_DATA, seq, 0);
}

/* Index of the first statement named name from index `from`, or -1. */
static int find(fixture_t *f, int from, const char *name)
{
    for (int i = from; i < f->n; i++)
        if (strcmp(f->stmts[i].name, name) == 0)
            return i;
    return -1;
}

static int count(fixture_t *f, int from, const char *name)
{
    int n = 0;
    for (int i = from; i < f->n; i++)
        n += strcmp(f->stmts[i].name, name) == 0;
    return n;
}

static tb_linkeng_peer_t peer(fixture_t *f, const char *code)
{
    tb_linkeng_peer_t p = {0};
    assert_rc(tb_linkeng_peer(f->c.eng, code, &p), 0);
    return p;
}

/* One batch: the messages, then their cursor, then the Sync; what arrives
 * meanwhile waits for the next batch; the commit reaches the engine only
 * through county_batch_finish. */
static void test_cursor_in_batch(void **state)
{
    fixture_t *f = *state;
    data(f, 1);
    assert_int_equal(f->c.pending.n, 1);
    assert_int_equal(f->n, 0); /* accepting writes nothing */
    county_batch_start(&f->c);
    assert_true(f->c.in_flight);
    int ins = find(f, 0, "ins_logged"), cur = find(f, 0, "cursor"), sync = find(f, 0, "SYNC");
    assert_true(ins >= 0 && cur > ins && sync > cur);
    assert_int_equal(sync, f->n - 1);
    assert_int_equal(count(f, 0, "cursor"), 1);
    assert_string_equal(f->stmts[cur].a, TOWNSHIP);
    assert_string_equal(f->stmts[cur].b, "1");
    assert_int_equal(count(f, 0, "ack"), 0);
    /* A status update to the township: an outbox row in the same batch. */
    int out = find(f, 0, "outbox");
    assert_true(out >= 0 && out < sync);
    assert_string_equal(f->stmts[out].a, TOWNSHIP);
    assert_string_equal(f->stmts[out].b, "1");

    data(f, 2); /* while the batch is in flight */
    assert_int_equal(f->c.pending.n, 1);
    tb_linkeng_peer_t p = peer(f, TOWNSHIP);
    assert_int_equal(p.accepted, 2);
    assert_int_equal(p.committed, 0);
    assert_int_equal(p.last, 0); /* the outbox row is not committed */

    int mark = f->n;
    county_batch_finish(&f->c); /* the Sync: committed; the next batch starts */
    p = peer(f, TOWNSHIP);
    assert_int_equal(p.committed, 1);
    assert_int_equal(p.last, 1);
    assert_true(f->c.in_flight);
    cur = find(f, mark, "cursor");
    assert_true(cur > mark);
    assert_string_equal(f->stmts[cur].b, "2");
    county_batch_finish(&f->c);
    assert_false(f->c.in_flight);
    assert_int_equal(peer(f, TOWNSHIP).committed, 2);
    assert_int_equal(f->c.batches, 2);
}

/* An ack from the township is stored by the next batch, once. */
static void test_ack_in_batch(void **state)
{
    fixture_t *f = *state;
    data(f, 1);
    county_batch_start(&f->c);
    county_batch_finish(&f->c);
    assert_int_equal(peer(f, TOWNSHIP).last, 1);
    int mark = f->n;
    deliver(f, TOWNSHIP, TONGBAN__V1__KIND__KIND_ACK, 0, 1);
    assert_int_equal(f->n, mark); /* nothing written on arrival */
    county_batch_start(&f->c);
    int ack = find(f, mark, "ack");
    assert_true(ack >= mark);
    assert_string_equal(f->stmts[ack].a, TOWNSHIP);
    assert_string_equal(f->stmts[ack].b, "1");
    assert_int_equal(count(f, mark, "cursor"), 0);
    county_batch_finish(&f->c);
    mark = f->n;
    county_batch_start(&f->c); /* nothing left to store: no batch */
    assert_false(f->c.in_flight);
    assert_int_equal(f->n, mark);
}

/* A batch that failed: the accepted cursor goes back to the committed one
 * and the township's resend is accepted again. */
static void test_lost_batch(void **state)
{
    fixture_t *f = *state;
    data(f, 1);
    county_batch_start(&f->c);
    data(f, 2);
    f->c.batch_failed = true; /* as an error result before the Sync would */
    county_batch_finish(&f->c);
    uv_timer_stop(&f->c.reconnect);
    assert_int_equal(f->c.pending.n, 0);
    tb_linkeng_peer_t p = peer(f, TOWNSHIP);
    assert_int_equal(p.accepted, 0);
    assert_int_equal(p.committed, 0);
    data(f, 1);
    assert_int_equal(f->c.pending.n, 1);
    assert_int_equal(peer(f, TOWNSHIP).accepted, 1);
}

/* Only the county's own townships: another county's is not accepted. */
static void test_foreign_township(void **state)
{
    fixture_t *f = *state;
    deliver(f, FOREIGN, TONGBAN__V1__KIND__KIND_DATA, 1, 0);
    assert_int_equal(f->c.pending.n, 0);
    assert_int_equal(tb_linkeng_peer(f->c.eng, FOREIGN, &(tb_linkeng_peer_t){0}), -ENOENT);
    county_batch_start(&f->c);
    assert_int_equal(f->n, 0);
}

int main(void)
{
    strcpy(tmpdir, "/tmp/tb-test-county-batch-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cursor_in_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_in_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_township, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(tmpdir);
    return failed ? 1 : 0;
}
