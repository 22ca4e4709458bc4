/* county_arena.c: see county_arena.h.  Moved out of county_bulk.c (pg20's
 * arena) so that file stays under 600 lines; nothing else changed. */
#include "county_arena.h"

#include "county_int.h"

struct county_arena_block {
    struct county_arena_block *next;
    size_t used, cap;
    char data[];
};

char *county_arena_alloc(county_arena_t *a, size_t size)
{
    struct county_arena_block *h = a->head;
    if (!h || h->cap - h->used < size) {
        size_t cap = size > COUNTY_ARENA_BLOCK ? size : COUNTY_ARENA_BLOCK;
        struct county_arena_block *n = county_malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->next = h;
        n->used = 0;
        n->cap = cap;
        a->head = h = n;
    }
    char *p = h->data + h->used;
    h->used += size;
    return p;
}

void county_arena_reset(county_arena_t *a)
{
    while (a->head && a->head->next) {
        struct county_arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    if (a->head)
        a->head->used = 0;
}

void county_arena_free(county_arena_t *a)
{
    county_arena_reset(a);
    free(a->head);
    a->head = NULL;
}
