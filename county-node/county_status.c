/* county_status.c: what the county tells the townships after a batch.
 *
 * Every case the batch changed gets a StatusUpdate to its township (the
 * township of a walk-in case, the parent of a village's), with the ids the
 * batch folded into it (StatusUpdate.folded, "One order" in proto/README.md).
 *
 * To a township whose envelopes say it takes them (Envelope.takes,
 * TB_TAKES_STATUS_LIST), the updates of one batch go as StatusLists: one
 * link message of up to TB_STATUS_LIST_MAX updates and TB_MAX_BODY bytes
 * instead of one a case (issue 13: in the walk-in ingest the status messages
 * were a quarter of the machine's work: packed and queued by the county,
 * an outbox row each, encrypted and decrypted at every hop, acked).  To any
 * other township, one Item.status each, as before.  The order of a
 * township's updates is the batch's either way; a list is applied in one
 * transaction at the township, which passes each update on alone. */
#include "county_int.h"
#include "county_restore.h" /* county_status_pack */

#include "tb_error.h"

#include <stdio.h>
#include <stdlib.h>

#define FOLDED_MAX TB_FOLDED_MAX /* more in one update: none named (the proto says so) */
enum { IDS_CAP = 8192 };         /* folded ids of the list being built */

/* The township told of case_id, into township: 0, or -1 for none. */
static int township_of(const char *case_id, char township[TB_CODE_LEN + 1])
{
    char village[TB_CODE_LEN + 1];
    county_code_of(case_id, village);
    if (tb_code_level(village) == TB_LEVEL_TOWNSHIP) {
        memcpy(township, village, TB_CODE_LEN + 1); /* a walk-in case */
        return 0;
    }
    return tb_code_parent(village, township) < 0 ? -1 : 0;
}

typedef struct {
    const char *case_id;
    const tb_case_t *c;
    size_t town; /* its township's index in self->peers (a new peer may move them) */
    size_t at;   /* its place in the batch's order */
} ref_t;

static int ref_cmp(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->town != y->town)
        return x->town < y->town ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The list under construction for one township. */
typedef struct {
    Tongban__V1__StatusUpdate *st; /* st_cap */
    Tongban__V1__StatusUpdate **ptr;
    char **ids; /* ids_cap, borrowed from the batch's folded ids */
    size_t st_cap, ids_cap;
    size_t n, nids, size;
} list_t;

static int list_flush(county_t *self, const char *code, list_t *l)
{
    if (l->n == 0)
        return 0;
    char town[TB_CODE_LEN + 1]; /* (code may lie in self->peers) */
    snprintf(town, sizeof town, "%s", code);
    Tongban__V1__StatusList sl = TONGBAN__V1__STATUS_LIST__INIT;
    sl.n_updates = l->n;
    sl.updates = l->ptr;
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    item.item_case = TONGBAN__V1__ITEM__ITEM_STATUSES;
    item.statuses = &sl;
    uint8_t *buf = NULL;
    size_t len;
    int rc = tb_pack_item(&item, &buf, &len);
    if (rc == 0)
        rc = county_link_queue_own(self, town, &buf, len);
    free(buf); /* NULL unless it failed */
    l->n = l->nids = l->size = 0;
    return rc;
}

/* One more update for town's list, flushing the list first when it is full. */
static int list_add(county_t *self, list_t *l, const ref_t *r)
{
    if (l->n == l->st_cap || l->nids + FOLDED_MAX > l->ids_cap) {
        int rc = list_flush(self, self->peers[r->town].code, l);
        if (rc < 0)
            return rc;
    }
    char **ids = l->ids + l->nids;
    size_t k = county_folded_ids(self, r->case_id, ids, FOLDED_MAX);
    Tongban__V1__StatusUpdate *st = &l->st[l->n];
    county_status_fill(st, r->case_id, r->c, ids, k);
    /* Its bytes in the list: the tag, the length, the update. */
    size_t one = tongban__v1__status_update__get_packed_size(st) + 1 + 3;
    if (l->n && l->size + one > TB_MAX_BODY - 16) {
        /* Too big with it: the list goes without it, and it starts the next. */
        char *keep_ids[FOLDED_MAX];
        memcpy(keep_ids, ids, k * sizeof *ids);
        Tongban__V1__StatusUpdate keep = *st;
        int rc = list_flush(self, self->peers[r->town].code, l);
        if (rc < 0)
            return rc;
        memcpy(l->ids, keep_ids, k * sizeof *ids);
        l->st[0] = keep;
        l->st[0].folded = l->ids;
    }
    l->ptr[l->n] = &l->st[l->n];
    l->n++;
    l->nids += k;
    l->size += one;
    return 0;
}

/* The updates of the townships that take lists, refs sorted by township.
 * The list's room is what the batch needs, up to one full list: a trickle's
 * batch of one case does not allocate for a thousand. */
static int send_lists(county_t *self, ref_t *refs, size_t n)
{
    list_t l = {0};
    l.st_cap = n < TB_STATUS_LIST_MAX ? n : TB_STATUS_LIST_MAX;
    l.ids_cap = l.st_cap * FOLDED_MAX < IDS_CAP ? l.st_cap * FOLDED_MAX : IDS_CAP;
    l.st = malloc(l.st_cap * sizeof *l.st);
    l.ptr = malloc(l.st_cap * sizeof *l.ptr);
    l.ids = malloc(l.ids_cap * sizeof *l.ids);
    int rc = l.st && l.ptr && l.ids ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = list_add(self, &l, &refs[i]);
        if (rc == 0 && (i + 1 == n || refs[i + 1].town != refs[i].town))
            rc = list_flush(self, self->peers[refs[i].town].code, &l);
    }
    free(l.st);
    free(l.ptr);
    free(l.ids);
    return rc;
}

int county_status_updates(county_t *self)
{
    char *ids[FOLDED_MAX]; /* borrowed from self->folded */
    ref_t *refs = NULL;
    size_t nrefs = 0, cap = 0, pos = 0, at = 0;
    const char *case_id;
    uintptr_t v;
    int rc = 0;
    while (rc == 0 && tb_map_next(self->overlay, &pos, &case_id, &v)) {
        const tb_case_t *c = (const tb_case_t *)v;
        char township[TB_CODE_LEN + 1];
        if (township_of(case_id, township) < 0)
            continue;
        peer_t *p = county_peer_get(self, township);
        if (p && p->takes_lists) {
            if (nrefs == cap) {
                size_t ncap = cap ? 2 * cap : 256;
                ref_t *nr = county_realloc(refs, ncap * sizeof *refs);
                if (!nr) {
                    rc = -ENOMEM;
                    break;
                }
                refs = nr;
                cap = ncap;
            }
            refs[nrefs++] = (ref_t){case_id, c, (size_t)(p - self->peers), at++};
            continue;
        }
        uint8_t *buf = NULL;
        size_t len;
        rc = county_status_pack(case_id, c, ids, county_folded_ids(self, case_id, ids, FOLDED_MAX),
                                &buf, &len);
        if (rc == 0)
            rc = county_link_queue_own(self, township, &buf, len);
        free(buf); /* NULL unless it failed */
    }
    if (rc == 0 && nrefs) {
        qsort(refs, nrefs, sizeof *refs, ref_cmp);
        rc = send_lists(self, refs, nrefs);
    }
    free(refs);
    if (rc == 0)
        county_folded_reset(self);
    return rc;
}
