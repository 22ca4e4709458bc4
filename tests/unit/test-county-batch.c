/* The county's batch against a fake statement sink: no PostgreSQL.
 *
 * The batch's statements go to the sink (the test hook of county_int.h) and
 * the test plays PostgreSQL's part by calling county_batch_finish, as the
 * pipeline's Sync result would.  What is checked is the county's side of the
 * link engine: messages accepted while a batch is in flight wait for the
 * next; each batch carries its own cursor ("cursor") and the acks received
 * since the last ("ack") before its Sync; the engine learns the commit (and
 * the new outbox heads) only from county_batch_finish; a lost batch puts the
 * accepted cursor back; a township of another county is not accepted; two
 * batches in flight (the newer's first statement names the older's mark,
 * each Sync commits its own, a lost older loses both).
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

enum { MAX_STMTS = 4096 };

typedef struct {
    char name[16];
    char a[32], b[32]; /* the first two parameters, when text */
    uint8_t *c;        /* the third, when binary (an outbox row's body) */
    size_t c_len;
} stmt_t;

typedef struct {
    uv_loop_t loop;
    tb_env_ctx_t env;
    county_t c;
    stmt_t stmts[MAX_STMTS];
    int n;
    uint32_t takes; /* Envelope.takes of what deliver() sends */
} fixture_t;

static fixture_t *the; /* the sink has no context of its own */
static char tmpdir[64];

static int sink(county_t *self, const char *name, const params_t *p)
{
    assert_ptr_equal(self, &the->c);
    assert_true(the->n < MAX_STMTS);
    stmt_t *s = &the->stmts[the->n++];
    free(s->c);
    memset(s, 0, sizeof *s);
    if (p && p->n > 2 && p->fmt[2] == 1 && (s->c = malloc(p->len[2] ? (size_t)p->len[2] : 1))) {
        memcpy(s->c, p->v[2], (size_t)p->len[2]);
        s->c_len = (size_t)p->len[2];
    }
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
    for (int i = 0; i < MAX_STMTS; i++)
        free(f->stmts[i].c);
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
    env.takes = f->takes;
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

/* The statement named name with first parameter a, from index from: its index or -1. */
static int find_a(fixture_t *f, int from, const char *name, const char *a)
{
    for (int i = from; i < f->n; i++)
        if (strcmp(f->stmts[i].name, name) == 0 && strcmp(f->stmts[i].a, a) == 0)
            return i;
    return -1;
}

/* The seq (second parameter) of the last statement named name in [from, to). */
static long long last_b(fixture_t *f, int from, int to, const char *name)
{
    long long b = -1;
    for (int i = from; i < to; i++)
        if (strcmp(f->stmts[i].name, name) == 0)
            b = atoll(f->stmts[i].b);
    return b;
}

/* Two batches in flight (county_batch.c): a batch of COUNTY_OVERLAP_MIN
 * messages writes its mark; what arrives meanwhile forms the next batch at
 * once, whose first statement names that mark and whose outbox rows follow
 * the older's; no third starts; each Sync commits its own batch, the older
 * first, and the engine's committed cursor follows. */
static void test_two_in_flight(void **state)
{
    fixture_t *f = *state;
    const uint64_t n = COUNTY_OVERLAP_MIN;
    for (uint64_t s = 1; s <= n; s++)
        data(f, s);
    county_batch_start(&f->c);
    int end1 = f->n;
    int m = find_a(f, 0, "counter", "batch");
    assert_true(m >= 0 && m < end1 - 1);
    assert_string_equal(f->stmts[m].b, "1"); /* the first mark of an empty store */
    assert_false(f->c.older.on);
    for (uint64_t s = n + 1; s <= 2 * n; s++)
        data(f, s);
    county_batch_start(&f->c); /* while the first is in flight */
    int end2 = f->n;
    assert_true(end2 > end1);
    assert_true(f->c.older.on);
    assert_string_equal(f->stmts[end1].name, "batch_after"); /* its first statement */
    assert_string_equal(f->stmts[end1].a, "1");
    assert_int_equal(last_b(f, end1, end2, "cursor"), (long long)(2 * n));
    long long out1 = last_b(f, 0, end1, "outbox");
    assert_true(out1 > 0);
    int o2 = find(f, end1, "outbox");
    assert_true(o2 > end1);
    assert_int_equal(atoll(f->stmts[o2].b), out1 + 1); /* on top of the older's rows */
    m = find_a(f, end1, "counter", "batch");
    assert_true(m > end1);
    assert_string_equal(f->stmts[m].b, "2");
    for (uint64_t s = 2 * n + 1; s <= 3 * n; s++)
        data(f, s);
    county_batch_start(&f->c); /* at most two */
    assert_int_equal(f->n, end2);
    tb_linkeng_peer_t p = peer(f, TOWNSHIP);
    assert_int_equal(p.accepted, 3 * n);
    assert_int_equal(p.committed, 0);

    county_batch_finish(&f->c); /* the older's Sync: committed; a third starts beside the newer */
    p = peer(f, TOWNSHIP);
    assert_int_equal(p.committed, n);
    assert_int_equal(p.last, (uint64_t)out1);
    assert_int_equal(f->c.batches, 1);
    assert_true(f->c.in_flight);
    assert_true(f->c.older.on);
    int end3 = f->n;
    assert_string_equal(f->stmts[end2].name, "batch_after");
    assert_string_equal(f->stmts[end2].a, "2");
    assert_int_equal(last_b(f, end2, end3, "cursor"), (long long)(3 * n));

    county_batch_finish(&f->c); /* the second's */
    assert_int_equal(peer(f, TOWNSHIP).committed, 2 * n);
    assert_true(f->c.in_flight);
    assert_false(f->c.older.on);
    county_batch_finish(&f->c); /* the third's */
    assert_false(f->c.in_flight);
    assert_int_equal(peer(f, TOWNSHIP).committed, 3 * n);
    assert_int_equal(f->c.batches, 3);
}

/* The next batch starts beside a big one in flight only once it has half as
 * many messages (county_batch.c, overlap_ok): a small one would leave
 * PostgreSQL idle while the county builds the third.  When the one in
 * flight commits first, what waited starts alone. */
static void test_overlap_half(void **state)
{
    fixture_t *f = *state;
    const uint64_t n = 4 * COUNTY_OVERLAP_MIN;
    for (uint64_t s = 1; s <= n; s++)
        data(f, s);
    county_batch_start(&f->c);
    int end1 = f->n;
    for (uint64_t s = n + 1; s < n + n / 2; s++)
        data(f, s);
    county_batch_start(&f->c); /* n/2 - 1 waiting: not yet */
    assert_int_equal(f->n, end1);
    assert_false(f->c.older.on);
    data(f, n + n / 2);
    county_batch_start(&f->c); /* n/2: beside the first */
    assert_true(f->n > end1);
    assert_true(f->c.older.on);
    assert_string_equal(f->stmts[end1].name, "batch_after");
    int end2 = f->n;
    for (uint64_t s = n + n / 2 + 1; s <= n + n / 2 + COUNTY_OVERLAP_MIN; s++)
        data(f, s);
    /* The first commits: the second (n/2) is the one in flight, and the
     * COUNTY_OVERLAP_MIN (n/4) waiting start beside it. */
    county_batch_finish(&f->c);
    assert_int_equal(peer(f, TOWNSHIP).committed, n);
    assert_true(f->c.older.on);
    assert_string_equal(f->stmts[find(f, end2, "batch_after")].a, "2");
    county_batch_finish(&f->c);
    county_batch_finish(&f->c);
    assert_false(f->c.in_flight);
    assert_int_equal(peer(f, TOWNSHIP).committed, n + n / 2 + COUNTY_OVERLAP_MIN);
}

/* The statuses of a batch (county_status.c): to a township whose envelopes
 * say it takes StatusLists, one outbox row, a list of every case's update in
 * the batch; to one whose do not (an older township), one row a case. */
static void test_status_lists(void **state)
{
    fixture_t *f = *state;
    f->takes = TB_TAKES;
    for (uint64_t s = 1; s <= 5; s++)
        data(f, s);
    county_batch_start(&f->c);
    assert_int_equal(count(f, 0, "outbox"), 1);
    const stmt_t *o = &f->stmts[find(f, 0, "outbox")];
    assert_string_equal(o->a, TOWNSHIP);
    tb_item_msg_t *item = NULL;
    assert_rc(tb_item_decode(o->c, o->c_len, &item), 0);
    assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_STATUSES);
    assert_int_equal(item->statuses->n_updates, 5);
    bool seen[6] = {false};
    for (size_t i = 0; i < 5; i++) {
        const Tongban__V1__StatusUpdate *u = item->statuses->updates[i];
        int n = atoi(u->case_id + strlen(u->case_id) - 4);
        assert_true(n >= 1 && n <= 5 && !seen[n]);
        seen[n] = true;
        assert_string_equal(u->state, "logged");
        assert_int_equal(u->version, 1);
        assert_int_equal(u->n_folded, 1); /* its LOGGED, by id */
    }
    tb_item_free(&item);
    county_batch_finish(&f->c);

    f->takes = 0; /* the township's PC got older software back */
    int end1 = f->n;
    for (uint64_t s = 6; s <= 8; s++)
        data(f, s);
    county_batch_start(&f->c);
    assert_int_equal(count(f, end1, "outbox"), 3);
    for (int i = find(f, end1, "outbox"); i >= 0; i = find(f, i + 1, "outbox")) {
        assert_rc(tb_item_decode(f->stmts[i].c, f->stmts[i].c_len, &item), 0);
        assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_STATUS);
        tb_item_free(&item);
    }
    county_batch_finish(&f->c);
    assert_int_equal(peer(f, TOWNSHIP).committed, 8);

    /* More than one list holds (TB_MAX_BODY, TB_STATUS_LIST_MAX): several,
     * every update once, each with its own folded id. */
    f->takes = TB_TAKES;
    int end2 = f->n;
    const uint64_t more = TB_STATUS_LIST_MAX + 1;
    for (uint64_t s = 9; s < 9 + more; s++)
        data(f, s);
    county_batch_start(&f->c);
    assert_true(count(f, end2, "outbox") >= 2);
    size_t got = 0;
    for (int i = find(f, end2, "outbox"); i >= 0; i = find(f, i + 1, "outbox")) {
        assert_true(f->stmts[i].c_len <= TB_MAX_BODY);
        assert_rc(tb_item_decode(f->stmts[i].c, f->stmts[i].c_len, &item), 0);
        assert_int_equal(item->item_case, TONGBAN__V1__ITEM__ITEM_STATUSES);
        for (size_t k = 0; k < item->statuses->n_updates; k++) {
            const Tongban__V1__StatusUpdate *u = item->statuses->updates[k];
            char want[64];
            snprintf(want, sizeof want, "%s/%d", VILLAGE,
                     atoi(u->case_id + strlen(u->case_id) - 4));
            assert_int_equal(u->n_folded, 1);
            assert_string_equal(u->folded[0], want);
        }
        got += item->statuses->n_updates;
        tb_item_free(&item);
    }
    assert_int_equal(got, more);
    county_batch_finish(&f->c);
}

/* The older of two batches in flight failed: both are lost (the connection
 * is given up, nothing is acknowledged), the accepted cursor goes back to
 * the committed one and the resends are accepted again. */
static void test_two_lost(void **state)
{
    fixture_t *f = *state;
    const uint64_t n = COUNTY_OVERLAP_MIN;
    for (uint64_t s = 1; s <= n; s++)
        data(f, s);
    county_batch_start(&f->c);
    for (uint64_t s = n + 1; s <= 2 * n; s++)
        data(f, s);
    county_batch_start(&f->c);
    assert_true(f->c.older.on);
    f->c.batch_failed = true; /* the older's error result, before its Sync */
    county_batch_finish(&f->c);
    uv_timer_stop(&f->c.reconnect);
    assert_false(f->c.older.on);
    assert_false(f->c.in_flight);
    assert_int_equal(f->c.batches, 0);
    assert_int_equal(f->c.pending.n, 0);
    tb_linkeng_peer_t p = peer(f, TOWNSHIP);
    assert_int_equal(p.accepted, 0);
    assert_int_equal(p.committed, 0);
    data(f, 1);
    assert_int_equal(peer(f, TOWNSHIP).accepted, 1);
}

/* The seqs county_link_queue gives each township's outbox rows: each
 * township's follow its own newest row in the batch, else in the older batch
 * in flight, else its committed last, however the townships' rows
 * interleave; and once batches were dropped (lost), a township starts again
 * after its committed last, whatever rows of other townships took the
 * places of its dropped ones (county_link_queue_own keeps a hint per
 * township, checked before use). */
static uint64_t queue(fixture_t *f, const char *town)
{
    static const uint8_t body[] = {1, 2, 3};
    size_t n = f->c.out_new.n;
    assert_rc(county_link_queue(&f->c, town, body, sizeof body), 0);
    assert_int_equal(f->c.out_new.n, n + 1);
    assert_string_equal(f->c.out_new.v[n].peer, town);
    assert_string_equal(f->stmts[f->n - 2].name, "outbox");
    assert_string_equal(f->stmts[f->n - 2].a, town);
    assert_int_equal(atoll(f->stmts[f->n - 2].b), (long long)f->c.out_new.v[n].seq);
    return f->c.out_new.v[n].seq;
}

static void test_outbox_seqs(void **state)
{
    fixture_t *f = *state;
    const char *a = "360826101000", *b = "360826102000", *c = "360826103000";
    assert_int_equal(queue(f, a), 1);
    assert_int_equal(queue(f, b), 1);
    assert_int_equal(queue(f, a), 2);
    assert_int_equal(queue(f, c), 1);
    assert_int_equal(queue(f, a), 3);
    assert_int_equal(queue(f, b), 2);
    /* this batch becomes the older one in flight (as county_batch.c's older_take) */
    msgs_t t = f->c.older.out_new;
    f->c.older.out_new = f->c.out_new;
    f->c.out_new = t;
    f->c.older.on = true;
    assert_int_equal(queue(f, b), 3); /* after the older's rows */
    assert_int_equal(queue(f, b), 4);
    assert_int_equal(queue(f, a), 4);
    assert_int_equal(queue(f, c), 2);
    assert_int_equal(queue(f, TOWNSHIP), 1);
    /* both lost: other townships' rows take the places of a's and c's */
    county_older_drop(&f->c);
    msgs_clear(&f->c.out_new);
    county_peer_get(&f->c, c)->last = 7; /* committed outboxes */
    county_peer_get(&f->c, TOWNSHIP)->last = 3;
    assert_int_equal(queue(f, b), 1);
    assert_int_equal(queue(f, b), 2);
    assert_int_equal(queue(f, TOWNSHIP), 4); /* where a's 4 was: same place, same seq */
    assert_int_equal(queue(f, a), 1);
    assert_int_equal(queue(f, c), 8);
    assert_int_equal(queue(f, a), 2);
    assert_int_equal(queue(f, b), 3);
    assert_int_equal(queue(f, TOWNSHIP), 5);
    /* a batch committed: its rows leave out_new, the last moves */
    county_peer_get(&f->c, a)->last = 2;
    msgs_clear(&f->c.out_new);
    assert_int_equal(queue(f, b), 1);
    assert_int_equal(queue(f, a), 3);
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
        cmocka_unit_test_setup_teardown(test_two_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_half, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_township, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_seqs, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(tmpdir);
    return failed ? 1 : 0;
}
