/* county_cache.c: each case's committed state in memory, and the overlay of
 * what the batch in flight will make true.
 *
 * The batch validates against the overlay first, then the cache, so the
 * events of one batch see each other without a round trip.  Only a committed
 * batch moves its overlay into the cache (county_overlay_commit); a batch that
 * fails drops it.  Whenever the cache cannot be kept equal to the store (no
 * memory while committing), it is thrown away and reloaded from PostgreSQL:
 * a case missing from memory would get its next legal event REJECTED. */
#include "county_int.h"

#ifdef TB_TEST_HOOKS
/* The allocation-failure seam (county_int.h): count the allocations of the
 * cache and batch paths, fail the n-th. */
static long alloc_fail_at, alloc_count;

void county_test_alloc_fail_at(long n)
{
    alloc_fail_at = n;
    alloc_count = 0;
}

long county_test_alloc_count(void)
{
    return alloc_count;
}

bool county_test_alloc_fails(void)
{
    return ++alloc_count == alloc_fail_at;
}
#endif

/* The cases a map holds freed, the map emptied and kept (its slots sized
 * for the next batch), or destroyed. */
static void clear_cases(tb_map_t *m)
{
    if (!m)
        return;
    size_t pos = 0;
    uintptr_t v;
    while (tb_map_next(m, &pos, NULL, &v))
        free((void *)v);
    tb_map_clear(m);
}

static void free_cases(tb_map_t **m)
{
    clear_cases(*m);
    tb_map_destroy(m);
}

int county_cache_new(county_t *self)
{
    county_cache_free(self);
    self->cases = tb_map_new();
    self->overlay = tb_map_new();
    if (!self->cases || !self->overlay) {
        county_cache_free(self);
        return -ENOMEM;
    }
    return 0;
}

void county_cache_free(county_t *self)
{
    county_older_drop(self);
    tb_map_destroy(&self->older.overlay); /* empty: kept by the drop for the next older */
    tb_map_destroy(&self->older.ids);
    free_cases(&self->cases);
    free_cases(&self->overlay);
}

int county_cache_load(county_t *self, const char *case_id, tb_case_t *c)
{
    int rc = county_map_put(self->cases, case_id, (uintptr_t)c);
    if (rc < 0)
        free(c);
    return rc;
}

/* Three maps probed with one hash of the case id (a new case misses all
 * three: three hashes of its 28 bytes were half of the lookup's cost). */
const tb_case_t *county_case_lookup(county_t *self, const char *case_id)
{
    uintptr_t v;
    uint64_t h = tb_map_hash(case_id);
    if (tb_map_get_hashed(self->overlay, case_id, h, &v) ||
        (self->older.on && tb_map_get_hashed(self->older.overlay, case_id, h, &v)) ||
        tb_map_get_hashed(self->cases, case_id, h, &v))
        return (const tb_case_t *)v;
    return NULL;
}

int county_overlay_put(county_t *self, const char *case_id, const tb_case_t *c)
{
    uintptr_t v;
    tb_case_t *x;
    uint64_t h = tb_map_hash(case_id);
    if (tb_map_get_hashed(self->overlay, case_id, h, &v)) {
        x = (tb_case_t *)v;
    } else {
        x = county_malloc(sizeof *x);
        if (!x || county_map_put_hashed(self->overlay, case_id, h, (uintptr_t)x) < 0) {
            free(x);
            return -ENOMEM;
        }
    }
    *x = *c;
    return 0;
}

void county_overlay_drop(county_t *self)
{
    clear_cases(self->overlay); /* NULL is handled: the next load makes both again */
}

static int commit_map(county_t *self, tb_map_t **overlay);

void county_older_drop(county_t *self)
{
    county_older_t *o = &self->older;
    clear_cases(o->overlay); /* both kept, empty, for the next older (older_take) */
    tb_map_clear(o->ids);
    msgs_clear(&o->msgs);
    msgs_clear(&o->out_new);
    o->on = false;
    o->event_seq = o->mark = 0;
}

int county_overlay_commit(county_t *self)
{
    return commit_map(self, &self->overlay);
}

int county_overlay_commit_older(county_t *self)
{
    int rc = commit_map(self, &self->older.overlay);
    if (rc < 0)
        free_cases(&self->overlay); /* with the cache: everything is reloaded */
    return rc;
}

static int commit_map(county_t *self, tb_map_t **overlay)
{
    /* A new case needs a slot in the cache, which may fail; an existing one is
     * replaced in place, which cannot.  So the overlay's entries are moved one
     * by one and each removed from the overlay as it goes: on failure no case
     * is owned by both maps, and both are freed for the reload.  The overlay
     * is then emptied and kept for the next batch. */
    size_t pos = 0;
    const char *case_id;
    uintptr_t v;
    int rc = 0;
    while (rc == 0 && tb_map_next(*overlay, &pos, &case_id, &v)) {
        uintptr_t old;
        uint64_t h = tb_map_hash(case_id);
        bool had = tb_map_get_hashed(self->cases, case_id, h, &old);
        rc = county_map_put_hashed(self->cases, case_id, h, v);
        if (rc < 0)
            break;
        if (had)
            free((void *)old);
        tb_map_put_hashed(*overlay, case_id, h, 0); /* replaces in place: cannot fail */
    }
    if (rc < 0) {
        free_cases(&self->cases); /* the cache owns what moved; the overlay what did not */
        free_cases(overlay);
        return rc;
    }
    tb_map_clear(*overlay); /* its values are all 0 now */
    return 0;
}
