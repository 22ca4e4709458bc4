/* county_bulk.c: the batch's rows, written with one statement per kind over
 * arrays instead of one statement per row (issue 13).
 *
 * county_stmt_send hands the row statements of a batch here (the event row
 * of ins_logged/ins_event and its detail, the case row parts of ins_* and
 * proj, outbox and link_out rows); they are kept in memory, in order, and
 * county_bulk_flush sends them, before any other statement of the batch and
 * before its Sync, as the "bulk_*" statements of county_stmt.c: each
 * parameter a binary PostgreSQL array (one element per row), unnest()ed by
 * the statement.  Only parameters carry data; the SQL text is fixed.
 *
 * The case rows keep the per-event history: the k-th step of each case (its
 * insert or state update, then its projection, per event) goes in round k,
 * one statement per kind and round, so every row update the old per-event
 * statements made is still made, in the same order per case, and the
 * database's BEFORE UPDATE trigger (migration 009's statistics) sees each.
 * A batch of walk-in cases is then three statements whatever its size; a
 * batch of whole lives, about two per event of a life. */
#include "county_int.h"

#include "tb_error.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

enum {
    BULK_MAXCOL = 24,
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_TEXT = 25,
};

/* The kinds, in the order a flush sends them (the case kinds by round). */
typedef enum {
    K_EVENT,
    K_LOGGED_CASE,
    K_NEW_CASE, /* a K_LOGGED_CASE and its projection, one row (take_proj) */
    K_EVENT_CASE,
    K_PROJ,
    K_OUTBOX,
    K_LINK_OUT,
    K_N
} kind_t;

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
    [K_NEW_CASE] = {"bulk_new_case", 24, {0}, "tttttttitttiixiibtiibtti"},
    [K_EVENT_CASE] = {"bulk_event_case", 6, {3, 13, 14, 15, 16, 7}, "ttttii"},
    [K_PROJ] = {"bulk_proj", 12, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "txiibtiibtti"},
    [K_OUTBOX] = {"bulk_outbox", 3, {1, 2, 3}, "tix"},
    [K_LINK_OUT] = {"bulk_link_out", 2, {1, 2}, "ti"},
};

typedef struct {
    kind_t kind;
    uint32_t round; /* the case kinds: the step of its case; else 0 */
    size_t order;   /* arrival */
    char *blob;     /* the column values, each followed by a NUL */
    uint32_t off[BULK_MAXCOL], len[BULK_MAXCOL];
} row_t;

struct county_bulk {
    row_t *rows;
    size_t n, cap;
    tb_map_t *steps; /* case id -> steps so far in this flush | (1 + its last row) << 32 */
    tb_map_t *links; /* peer -> 1 + index of its link_out row */
};

/* A row of kind k from the values v/len (column order): 0 or -ENOMEM. */
static int row_pack(row_t *r, kind_t k, const char *const *v, const size_t *len)
{
    size_t total = 0;
    for (int i = 0; i < kinds[k].n; i++)
        total += len[i] + 1;
    char *blob = county_malloc(total ? total : 1);
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
    free(r->blob);
    r->blob = blob;
    r->kind = k;
    return 0;
}

static size_t param_len(const params_t *p, int i)
{
    return p->fmt[i] ? (size_t)p->len[i] : strlen(p->v[i]);
}

/* Append a row of kind k taken from the statement's parameters. */
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
    if (case_id) {
        uintptr_t steps = 0;
        tb_map_get(b->steps, case_id, &steps);
        steps &= UINT32_MAX;
        if (county_map_put(b->steps, case_id, (uintptr_t)(b->n + 1) << 32 | (steps + 1)) < 0)
            return -ENOMEM;
        r->round = (uint32_t)steps;
    }
    int rc = row_pack(r, k, v, len);
    if (rc == 0)
        b->n++;
    return rc;
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
    int rc = row_pack(r, K_EVENT, v, len);
    return rc < 0 ? rc : 1;
}

/* One link_out row per peer, the greatest seq (the statement keeps the greatest). */
static int take_link_out(county_t *self, const params_t *p)
{
    struct county_bulk *b = self->bulk;
    uintptr_t at = 0;
    if (!tb_map_get(b->links, p->v[0], &at)) {
        int rc = row_add(self, K_LINK_OUT, p, NULL);
        if (rc == 0 && county_map_put(b->links, p->v[0], b->n) < 0)
            rc = -ENOMEM;
        return rc < 0 ? rc : 1;
    }
    row_t *r = &b->rows[at - 1];
    if (strtoll(p->v[1], NULL, 10) <= strtoll(r->blob + r->off[1], NULL, 10))
        return 1;
    const char *v[2] = {p->v[0], p->v[1]};
    size_t len[2] = {strlen(p->v[0]), strlen(p->v[1])};
    int rc = row_pack(r, K_LINK_OUT, v, len);
    return rc < 0 ? rc : 1;
}

/* The projection of a case: its own step, or, right after the row that
 * creates the case, one row with it (the statement, an INSERT, fires no
 * UPDATE trigger, so it writes the statistics columns as migration 009's
 * trigger would have on the projection's UPDATE).  1 taken, 0 not (no
 * earlier step of its case in this flush), or -ENOMEM. */
static int take_proj(county_t *self, const params_t *p)
{
    struct county_bulk *b = self->bulk;
    uintptr_t steps = 0;
    if (!tb_map_get(b->steps, p->v[0], &steps))
        return 0;
    row_t *r = &b->rows[(steps >> 32) - 1];
    if ((steps & UINT32_MAX) != 1 || r->kind != K_LOGGED_CASE) {
        int rc = row_add(self, K_PROJ, p, p->v[0]);
        return rc < 0 ? rc : 1;
    }
    const char *v[BULK_MAXCOL];
    size_t len[BULK_MAXCOL];
    int n = kinds[K_LOGGED_CASE].n;
    for (int i = 0; i < n; i++) {
        v[i] = r->blob + r->off[i];
        len[i] = r->len[i];
    }
    for (int i = 1; i < p->n && n < BULK_MAXCOL; i++, n++) {
        v[n] = p->v[i];
        len[n] = param_len(p, i);
    }
    int rc = row_pack(r, K_NEW_CASE, v, len);
    return rc < 0 ? rc : 1;
}

static bool folded(const params_t *p)
{
    return p->n > 10 && strcmp(p->v[10], "true") == 0;
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
    if (!b->steps && !(b->steps = tb_map_new()))
        return -ENOMEM;
    if (!b->links && !(b->links = tb_map_new()))
        return -ENOMEM;
    bool logged = strcmp(name, "ins_logged") == 0;
    int rc;
    if (logged || strcmp(name, "ins_event") == 0) {
        rc = row_add(self, K_EVENT, p, NULL);
        if (rc == 0 && folded(p))
            rc = row_add(self, logged ? K_LOGGED_CASE : K_EVENT_CASE, p, p->v[2]);
        return rc < 0 ? rc : 1;
    }
    if (strcmp(name, "proj") == 0)
        return take_proj(self, p);
    if (strcmp(name, "detail") == 0)
        return take_detail(self, p);
    if (strcmp(name, "outbox") == 0) {
        rc = row_add(self, K_OUTBOX, p, NULL);
        return rc < 0 ? rc : 1;
    }
    if (strcmp(name, "link_out") == 0)
        return take_link_out(self, p);
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    int px = x->kind == K_EVENT ? 0 : x->kind >= K_OUTBOX ? 2 : 1;
    int py = y->kind == K_EVENT ? 0 : y->kind >= K_OUTBOX ? 2 : 1;
    if (px != py)
        return px - py;
    if (x->round != y->round)
        return x->round < y->round ? -1 : 1;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void put32(uint8_t *at, uint32_t x)
{
    x = htonl(x);
    memcpy(at, &x, 4);
}

/* Column c of rows[0..n) as a binary one-dimensional array: its size, or 0
 * (out of memory). */
static size_t column(const row_t *rows, size_t n, int c, char type, uint8_t **ret)
{
    size_t size = 20;
    for (size_t i = 0; i < n; i++)
        size += 4 + (type == 'i' ? 8 : type == 'b' ? 1 : rows[i].len[c]);
    uint8_t *a = county_malloc(size);
    if (!a)
        return 0;
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
            uint64_t x = (uint64_t)strtoll(v, NULL, 10);
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
    *ret = a;
    return size;
}

/* One statement for rows[0..n), all of one kind. */
static int send_group(county_t *self, const row_t *rows, size_t n)
{
    kind_t k = rows[0].kind;
    const char *v[BULK_MAXCOL];
    uint8_t *a[BULK_MAXCOL] = {0};
    int len[BULK_MAXCOL], fmt[BULK_MAXCOL];
    int rc = 0;
    for (int c = 0; rc == 0 && c < kinds[k].n; c++) {
        size_t size = column(rows, n, c, kinds[k].type[c], &a[c]);
        if (!size || size > INT32_MAX)
            rc = -ENOMEM;
        v[c] = (const char *)a[c];
        len[c] = (int)size;
        fmt[c] = 1;
    }
    if (rc == 0 && !PQsendQueryPrepared(self->pg, kinds[k].stmt, kinds[k].n, v, len, fmt, 0)) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", PQerrorMessage(self->pg));
        self->batch_failed = true;
        rc = -TB_ESTORE;
    }
    for (int c = 0; c < kinds[k].n; c++)
        free(a[c]);
    return rc;
}

int county_bulk_flush(county_t *self)
{
    struct county_bulk *b = self->bulk;
    if (!b || !b->n)
        return 0;
    qsort(b->rows, b->n, sizeof *b->rows, row_cmp);
    int rc = 0;
    for (size_t i = 0, j; rc == 0 && i < b->n; i = j) {
        for (j = i + 1;
             j < b->n && b->rows[j].kind == b->rows[i].kind && b->rows[j].round == b->rows[i].round;
             j++)
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
    for (size_t i = 0; i < b->n; i++)
        free(b->rows[i].blob);
    b->n = 0;
    tb_map_destroy(&b->steps);
    tb_map_destroy(&b->links);
}

void county_bulk_free(county_t *self)
{
    county_bulk_reset(self);
    if (self->bulk)
        free(self->bulk->rows);
    free(self->bulk);
    self->bulk = NULL;
}
