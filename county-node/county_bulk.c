/* county_bulk.c: the batch's rows, written with one statement per kind over
 * arrays instead of one statement per row (issue 13).
 *
 * county_stmt_send hands the row statements of a batch here (the event row
 * of ins_logged/ins_event and its detail, the case row parts of ins_* and
 * proj, outbox and link_out rows, the link engine's receive cursors and
 * acks: one row per peer each); they are kept in memory, in order, and
 * county_bulk_flush sends them, before any other statement of the batch and
 * before its Sync, as the "bulk_*" statements of county_stmt.c: each
 * parameter a binary PostgreSQL array (one element per row), unnest()ed by
 * the statement.  Only parameters carry data; the SQL text is fixed.
 *
 * A case's rows fold: all its steps between two flushes (its state update
 * per event, its projection per event) become ONE row, an INSERT for a case
 * the batch creates or one UPDATE, holding what the last step wrote (the
 * rating's comment and the reply: the last step that gave one).  The
 * statistics columns migration 009's BEFORE UPDATE trigger keeps are
 * computed here as the trigger would have over each of those row updates
 * (fold_fire), and written with the row; the trigger, firing once on the
 * folded UPDATE, then finds them as it would set them.  What cannot fold is
 * sent as its own statement after a flush, as before: a projection with no
 * earlier step of its case since the flush, a state update of a created case
 * not yet projected, and the projection that rates a case the batch creates
 * 1..2 (migration 012's rectification opens on an UPDATE of the rating, and
 * an INSERT fires none).  A batch of walk-in cases is six statements
 * (events, cases, outbox, link_out, cursors, acks), a batch of whole lives
 * too, whatever its size and however many townships it serves: the cursors
 * and acks were a statement per township each until 2026-12-01 (issue 13).  Every other
 * statement flushes the rows before it, so a cursor or an ack still runs
 * before a later link_epoch_set of its peer. */
#include "county_arena.h"
#include "county_int.h"

#include "tb_error.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

enum {
    BULK_MAXCOL = 28,
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_TEXT = 25,
};

/* The kinds, in the order a flush sends them. */
typedef enum {
    K_EVENT,
    K_LOGGED_CASE, /* a case created, not projected yet */
    K_NEW_CASE,    /* a case created and projected: one INSERT */
    K_CASE,        /* an existing case's steps: one UPDATE */
    K_OUTBOX,
    K_LINK_OUT,
    K_CURSOR, /* link_in: one row per peer */
    K_ACK,    /* the outbox rows a peer acknowledged: one row per peer */
    K_N
} kind_t;

/* Where a case row kind keeps its state update's columns (st h pe ver ms)
 * and its projection's (fo du ld pa tb ra de rd cm re co), then the
 * statistics (K_NEW_CASE: sd sa; K_CASE: sd dbc sa). */
enum {
    NEW_EV = 8,
    NEW_PROJ = 13,
    NEW_STAT = 24,
    CASE_EV = 1,
    CASE_HP = 6,
    CASE_PROJ = 7,
    CASE_STAT = 18,
    PROJ_N = 11,
};

static const struct {
    const char *stmt;
    int n;
    int8_t param[BULK_MAXCOL];  /* column i is parameter param[i] of the row statement; 0: '' */
    char type[BULK_MAXCOL + 1]; /* t text, i bigint, b boolean, x bytea */
} kinds[K_N] = {
    [K_EVENT] = {"bulk_events",
                 14,
                 {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0},
                 "titittitttbxtt"},
    [K_LOGGED_CASE] = {"bulk_logged_case",
                       13,
                       {3, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 7},
                       "tttttttitttii"},
    [K_NEW_CASE] = {"bulk_new_case", 26, {0}, "tttttttitttiixiibtiibttiii"},
    [K_CASE] = {"bulk_case", 21, {3, 13, 14, 15, 16, 7}, "ttttiibxiibtiibttiibi"},
    [K_OUTBOX] = {"bulk_outbox", 3, {1, 2, 3}, "tix"},
    [K_LINK_OUT] = {"bulk_link_out", 2, {1, 2}, "ti"},
    [K_CURSOR] = {"bulk_cursor", 2, {1, 2}, "ti"},
    [K_ACK] = {"bulk_ack", 2, {1, 2}, "ti"},
};

/* What migration 009's trigger would have kept over a case's row updates so
 * far in this flush. */
typedef struct {
    bool due_known; /* due_at is due (else the stored one: no projection yet) */
    bool dbc;       /* the stored due_at was a candidate (K_CASE) */
    int64_t due;    /* the row's due_at as ms, 0 NULL */
    int64_t sd, sa; /* stat_due_at, stat_accepted_at as ms, 0 none */
} fold_t;

typedef struct {
    kind_t kind;
    size_t order; /* arrival */
    char *blob;   /* the column values, each followed by a NUL (in the flush's arena) */
    uint32_t off[BULK_MAXCOL], len[BULK_MAXCOL];
    fold_t f; /* the case kinds */
} row_t;

/* The rows' values live in an arena (county_arena.h): blocks that never
 * move until the flush ends (a row repacked when a step folds into it leaves
 * its old values there).  The reset keeps the first block for the next flush. */
struct county_bulk {
    row_t *rows;
    size_t n, cap;
    county_arena_t arena;
    uint8_t *cols;        /* a group's arrays, reused by every send_group */
    size_t cols_cap;
    tb_map_t *cases;      /* case id -> 1 + index of its row in this flush */
    tb_map_t *peers[K_N]; /* K_LINK_OUT, K_CURSOR, K_ACK: peer -> 1 + index of its row */
};

/* A row of kind k from the values v/len (column order): 0 or -ENOMEM. */
static int row_pack(struct county_bulk *b, row_t *r, kind_t k, const char *const *v,
                    const size_t *len)
{
    size_t total = 0;
    for (int i = 0; i < kinds[k].n; i++)
        total += len[i] + 1;
    char *blob = county_arena_alloc(&b->arena, total ? total : 1);
    if (!blob)
        return -ENOMEM;
    size_t at = 0;
    for (int i = 0; i < kinds[k].n; i++) {
        memcpy(blob + at, v[i], len[i]);
        blob[at + len[i]] = '\0';
        r->off[i] = (uint32_t)at;
        r->len[i] = (uint32_t)len[i];
        at += len[i] + 1;
    }
    r->blob = blob; /* the old values stay in the arena until the flush ends */
    r->kind = k;
    return 0;
}

static size_t param_len(const params_t *p, int i)
{
    return p->fmt[i] ? (size_t)p->len[i] : strlen(p->v[i]);
}

static bool folded(const params_t *p)
{
    return p->n > 10 && strcmp(p->v[10], "true") == 0;
}

/* Append a row of kind k taken from the statement's parameters; a case row
 * is found again by case_id until the flush. */
static int row_add(county_t *self, kind_t k, const params_t *p, const char *case_id)
{
    struct county_bulk *b = self->bulk;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        row_t *rows = county_realloc(b->rows, cap * sizeof *rows);
        if (!rows)
            return -ENOMEM;
        b->rows = rows;
        b->cap = cap;
    }
    const char *v[BULK_MAXCOL];
    size_t len[BULK_MAXCOL];
    for (int i = 0; i < kinds[k].n; i++) {
        int at = kinds[k].param[i] - 1;
        v[i] = at >= 0 && at < p->n ? p->v[at] : "";
        len[i] = at >= 0 && at < p->n ? param_len(p, at) : 0;
    }
    row_t *r = &b->rows[b->n];
    memset(r, 0, sizeof *r);
    r->order = b->n;
    if (case_id && county_map_put(b->cases, case_id, b->n + 1) < 0)
        return -ENOMEM;
    int rc = row_pack(b, r, k, v, len);
    if (rc == 0)
        b->n++;
    return rc;
}

/* Row r as kind k, its columns from `at` on replaced by v/len (n of them),
 * the columns it did not have '': 0 or -ENOMEM. */
static int row_set(struct county_bulk *b, row_t *r, kind_t k, int at, const char *const *nv,
                   const size_t *nlen, int n)
{
    const char *v[BULK_MAXCOL];
    size_t len[BULK_MAXCOL];
    int had = kinds[r->kind].n;
    for (int i = 0; i < kinds[k].n; i++) {
        v[i] = i < had ? r->blob + r->off[i] : "";
        len[i] = i < had ? r->len[i] : 0;
    }
    for (int i = 0; i < n; i++) {
        v[at + i] = nv[i];
        len[at + i] = nlen[i];
    }
    return row_pack(b, r, k, v, len);
}

static const char *col(const row_t *r, int c)
{
    return c < kinds[r->kind].n ? r->blob + r->off[c] : "";
}

/* A number column's value: what p_int wrote (an optional '-', then digits),
 * or '' (0) for a column the row's statement did not have.  Not strtoll: its
 * locale and errno handling were 2 % of the county's CPU in the walk-in
 * ingest (issue 13, perf on 7e13c73), once per number column per row in
 * column() and again in the folds.  Only the county's own formatting comes
 * here, never bytes from the network. */
static int64_t num(const char *s)
{
    bool neg = *s == '-';
    uint64_t x = 0;
    for (s += neg; *s >= '0' && *s <= '9'; s++)
        x = x * 10 + (uint64_t)(*s - '0');
    return neg ? (int64_t)(0 - x) : (int64_t)x;
}

/* One update of the case's row as migration 009's trigger saw it: the row
 * then in state st, updated_at ms, due_at f->due (or the stored one).  Keep
 * the two state lists the trigger's. */
static void fold_fire(fold_t *f, const char *st, int64_t ms)
{
    static const char *const handled[] = {"accepted", "escalated", "county"};
    static const char *const after[] = {"decided", "result", "closed"};
    bool handling = false, accepted = false;
    for (int i = 0; i < 3; i++) {
        handling = handling || strcmp(st, handled[i]) == 0;
        accepted = accepted || strcmp(st, after[i]) == 0;
    }
    if (handling && !f->due_known)
        f->dbc = true; /* the stored due_at, if any: before any later one */
    else if (handling && f->due > 0)
        f->sd = f->due;
    if ((handling || accepted) && !f->sa)
        f->sa = ms;
}

static int ev_at(const row_t *r)
{
    return r->kind == K_CASE ? CASE_EV : NEW_EV;
}

/* A later state update of a case with a row in this flush (ins_event's
 * state, holder, pending, version and time). */
static int fold_event(struct county_bulk *b, row_t *r, const params_t *p)
{
    const char *v[5] = {p->v[12], p->v[13], p->v[14], p->v[15], p->v[6]};
    size_t len[5];
    for (int i = 0; i < 5; i++)
        len[i] = strlen(v[i]);
    int rc = row_set(b, r, r->kind, ev_at(r), v, len, 5);
    if (rc == 0)
        fold_fire(&r->f, p->v[12], num(p->v[6]));
    return rc;
}

/* The projection of a case: folded into its row of this flush (a created
 * case's becomes K_NEW_CASE).  1 taken, 0 not (sent alone after a flush:
 * no row of its case in this flush, or it rates a case created here 1..2),
 * or -ENOMEM. */
static int take_proj(county_t *self, const params_t *p)
{
    struct county_bulk *b = self->bulk;
    uintptr_t at = 0;
    if (!tb_map_get(b->cases, p->v[0], &at))
        return 0;
    row_t *r = &b->rows[at - 1];
    bool created = r->kind != K_CASE;
    int base = created ? NEW_PROJ : CASE_PROJ;
    int64_t rating = num(p->v[6]);
    if (created && rating >= 1 && rating <= 2 && num(col(r, base + 5)) == 0)
        return 0;
    const char *v[PROJ_N + 1];
    size_t len[PROJ_N + 1];
    v[0] = "true"; /* K_CASE's hp: the row has a projection */
    len[0] = 4;
    for (int i = 0; i < PROJ_N; i++) {
        v[i + 1] = p->v[i + 1];
        len[i + 1] = param_len(p, i + 1);
    }
    if (strcmp(p->v[8], "true") != 0) { /* no comment given: the last one stays */
        v[8] = col(r, base + 7);
        v[9] = col(r, base + 8);
    }
    if (!p->v[10][0]) /* no reply given: the last one stays */
        v[10] = col(r, base + 9);
    for (int i = 8; i <= 10; i++)
        len[i] = strlen(v[i]);
    int rc = created ? row_set(b, r, K_NEW_CASE, base, v + 1, len + 1, PROJ_N)
                     : row_set(b, r, K_CASE, CASE_HP, v, len, PROJ_N + 1);
    if (rc < 0)
        return rc;
    r->f.due_known = true;
    r->f.due = num(p->v[2]);
    fold_fire(&r->f, col(r, ev_at(r)), num(col(r, ev_at(r) + 4)));
    return 1;
}

/* The event row, and its case's: a new row (K_LOGGED_CASE, K_CASE), or the
 * step folded into the case's row of this flush.  1 taken, 0 not (sent
 * alone after a flush), or -ENOMEM. */
static int take_event(county_t *self, const params_t *p, bool logged)
{
    struct county_bulk *b = self->bulk;
    uintptr_t at = 0;
    bool folds = folded(p), known = folds && tb_map_get(b->cases, p->v[2], &at);
    if (known && (logged || b->rows[at - 1].kind == K_LOGGED_CASE))
        return 0;
    int rc = row_add(self, K_EVENT, p, NULL);
    if (rc == 0 && known)
        rc = fold_event(b, &b->rows[at - 1], p);
    else if (rc == 0 && folds)
        rc = row_add(self, logged ? K_LOGGED_CASE : K_CASE, p, p->v[2]);
    if (rc == 0 && folds && !known) {
        row_t *r = &b->rows[b->n - 1];
        r->f.due_known = logged; /* an INSERT leaves due_at NULL and fires nothing */
        if (!logged)
            fold_fire(&r->f, p->v[12], num(p->v[6]));
    }
    return rc < 0 ? rc : 1;
}

/* The event row just added gets its detail: 1 if it was that event's, else 0. */
static int take_detail(county_t *self, const params_t *p)
{
    struct county_bulk *b = self->bulk;
    row_t *r = NULL;
    for (size_t i = b->n; i > 0 && !r; i--)
        r = b->rows[i - 1].kind == K_EVENT ? &b->rows[i - 1] : NULL;
    if (!r || strcmp(r->blob + r->off[0], p->v[0]) != 0 ||
        strcmp(r->blob + r->off[1], p->v[1]) != 0)
        return 0;
    const char *v[BULK_MAXCOL];
    size_t len[BULK_MAXCOL];
    for (int i = 0; i < BULK_MAXCOL; i++) {
        v[i] = r->blob + r->off[i];
        len[i] = r->len[i];
    }
    v[12] = p->v[2];
    len[12] = strlen(p->v[2]);
    v[13] = p->v[3];
    len[13] = strlen(p->v[3]);
    int rc = row_pack(b, r, K_EVENT, v, len);
    return rc < 0 ? rc : 1;
}

/* One row of kind k per peer, with the greatest number: link_out's last
 * (its statement keeps the greatest anyway), the receive cursor, the ack.
 * One row per peer is also what the statements need: an INSERT ... ON
 * CONFLICT DO UPDATE may not touch a row twice. */
static int take_peer_row(county_t *self, kind_t k, const params_t *p)
{
    struct county_bulk *b = self->bulk;
    uintptr_t at = 0;
    if (!tb_map_get(b->peers[k], p->v[0], &at)) {
        int rc = row_add(self, k, p, NULL);
        if (rc == 0 && county_map_put(b->peers[k], p->v[0], b->n) < 0)
            rc = -ENOMEM;
        return rc < 0 ? rc : 1;
    }
    row_t *r = &b->rows[at - 1];
    if (num(p->v[1]) <= num(r->blob + r->off[1]))
        return 1;
    const char *v[2] = {p->v[0], p->v[1]};
    size_t len[2] = {strlen(p->v[0]), strlen(p->v[1])};
    int rc = row_pack(b, r, k, v, len);
    return rc < 0 ? rc : 1;
}

int county_bulk_take(county_t *self, const char *name, const params_t *p)
{
    if (!self->bulk) {
        self->bulk = county_malloc(sizeof *self->bulk);
        if (!self->bulk)
            return -ENOMEM;
        memset(self->bulk, 0, sizeof *self->bulk);
    }
    struct county_bulk *b = self->bulk;
    if (!b->cases && !(b->cases = tb_map_new()))
        return -ENOMEM;
    for (kind_t k = K_LINK_OUT; k <= K_ACK; k++)
        if (!b->peers[k] && !(b->peers[k] = tb_map_new()))
            return -ENOMEM;
    bool logged = strcmp(name, "ins_logged") == 0;
    int rc;
    if (logged || strcmp(name, "ins_event") == 0)
        return take_event(self, p, logged);
    if (strcmp(name, "proj") == 0)
        return take_proj(self, p);
    if (strcmp(name, "detail") == 0)
        return take_detail(self, p);
    if (strcmp(name, "outbox") == 0) {
        rc = row_add(self, K_OUTBOX, p, NULL);
        return rc < 0 ? rc : 1;
    }
    if (strcmp(name, "link_out") == 0)
        return take_peer_row(self, K_LINK_OUT, p);
    if (strcmp(name, "cursor") == 0)
        return take_peer_row(self, K_CURSOR, p);
    if (strcmp(name, "ack") == 0)
        return take_peer_row(self, K_ACK, p);
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void put32(uint8_t *at, uint32_t x)
{
    x = htonl(x);
    memcpy(at, &x, 4);
}

/* The size of column c of rows[0..n) as a binary one-dimensional array. */
static size_t column_size(const row_t *rows, size_t n, int c, char type)
{
    size_t size = 20;
    for (size_t i = 0; i < n; i++)
        size += 4 + (type == 'i' ? 8 : type == 'b' ? 1 : rows[i].len[c]);
    return size;
}

/* Column c of rows[0..n) as a binary one-dimensional array, into a (its
 * column_size). */
static void column(const row_t *rows, size_t n, int c, char type, uint8_t *a)
{
    uint32_t oid = type == 'i'   ? OID_INT8
                   : type == 'b' ? OID_BOOL
                   : type == 'x' ? OID_BYTEA
                                 : OID_TEXT;
    put32(a, 1);
    put32(a + 4, 0);
    put32(a + 8, oid);
    put32(a + 12, (uint32_t)n);
    put32(a + 16, 1);
    uint8_t *w = a + 20;
    for (size_t i = 0; i < n; i++) {
        const char *v = rows[i].blob + rows[i].off[c];
        if (type == 'i') {
            uint64_t x = (uint64_t)num(v);
            put32(w, 8);
            put32(w + 4, (uint32_t)(x >> 32));
            put32(w + 8, (uint32_t)x);
            w += 12;
        } else if (type == 'b') {
            put32(w, 1);
            w[4] = strcmp(v, "true") == 0;
            w += 5;
        } else {
            put32(w, rows[i].len[c]);
            memcpy(w + 4, v, rows[i].len[c]);
            w += 4 + rows[i].len[c];
        }
    }
}

/* One statement for rows[0..n), all of one kind: its arrays side by side
 * in one buffer kept for the next group (libpq copies them out before
 * PQsendQueryPrepared returns). */
static int send_group(county_t *self, const row_t *rows, size_t n)
{
    struct county_bulk *b = self->bulk;
    kind_t k = rows[0].kind;
    const char *v[BULK_MAXCOL];
    size_t size[BULK_MAXCOL], total = 0;
    int len[BULK_MAXCOL], fmt[BULK_MAXCOL];
    for (int c = 0; c < kinds[k].n; c++) {
        size[c] = column_size(rows, n, c, kinds[k].type[c]);
        if (size[c] > INT32_MAX)
            return -ENOMEM;
        total += size[c];
    }
    if (total > b->cols_cap) {
        uint8_t *cols = county_malloc(total);
        if (!cols)
            return -ENOMEM;
        free(b->cols);
        b->cols = cols;
        b->cols_cap = total;
    }
    uint8_t *at = b->cols;
    for (int c = 0; c < kinds[k].n; c++) {
        column(rows, n, c, kinds[k].type[c], at);
        v[c] = (const char *)at;
        len[c] = (int)size[c];
        fmt[c] = 1;
        at += size[c];
    }
    if (!PQsendQueryPrepared(self->pg, kinds[k].stmt, kinds[k].n, v, len, fmt, 0)) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", PQerrorMessage(self->pg));
        self->batch_failed = true;
        return -TB_ESTORE;
    }
    return 0;
}

/* A folded case row's statistics columns, from what fold_fire kept. */
static int fold_finish(struct county_bulk *b, row_t *r)
{
    char sd[24], sa[24];
    size_t sdn = county_fmt_i64(sd, r->f.sd), san = county_fmt_i64(sa, r->f.sa);
    const char *dbc = r->f.dbc ? "true" : "false";
    const char *v[3] = {sd, r->kind == K_CASE ? dbc : sa, sa};
    size_t len[3] = {sdn, r->kind == K_CASE ? strlen(dbc) : san, san};
    return r->kind == K_CASE ? row_set(b, r, K_CASE, CASE_STAT, v, len, 3)
                             : row_set(b, r, K_NEW_CASE, NEW_STAT, v, len, 2);
}

int county_bulk_flush(county_t *self)
{
    struct county_bulk *b = self->bulk;
    if (!b || !b->n)
        return 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->n; i++)
        if (b->rows[i].kind == K_NEW_CASE || b->rows[i].kind == K_CASE)
            rc = fold_finish(b, &b->rows[i]);
    if (rc < 0) {
        county_bulk_reset(self);
        return rc;
    }
    qsort(b->rows, b->n, sizeof *b->rows, row_cmp);
    for (size_t i = 0, j; rc == 0 && i < b->n; i = j) {
        for (j = i + 1; j < b->n && b->rows[j].kind == b->rows[i].kind; j++)
            ;
        rc = send_group(self, &b->rows[i], j - i);
    }
    county_bulk_reset(self);
    return rc;
}

void county_bulk_reset(county_t *self)
{
    struct county_bulk *b = self->bulk;
    if (!b)
        return;
    county_arena_reset(&b->arena);
    b->n = 0;
    tb_map_clear(b->cases); /* kept for the next flush, sized by the last */
    for (kind_t k = 0; k < K_N; k++)
        tb_map_clear(b->peers[k]);
}

void county_bulk_free(county_t *self)
{
    county_bulk_reset(self);
    if (self->bulk) {
        tb_map_destroy(&self->bulk->cases);
        for (kind_t k = 0; k < K_N; k++)
            tb_map_destroy(&self->bulk->peers[k]);
        free(self->bulk->rows);
        county_arena_free(&self->bulk->arena);
        free(self->bulk->cols);
    }
    free(self->bulk);
    self->bulk = NULL;
}
