/* county_arena.h: blocks of bytes that never move until a reset (county_bulk.c's
 * rows: one allocation per COUNTY_ARENA_BLOCK bytes instead of one per row and
 * per fold, issue 13).  A plain value embedded in its owner, zeroed to start. */
#ifndef COUNTY_ARENA_H
#define COUNTY_ARENA_H

#include <stddef.h>

enum { COUNTY_ARENA_BLOCK = 64 * 1024 };

struct county_arena_block;

typedef struct {
    struct county_arena_block *head; /* the newest block first */
} county_arena_t;

/* size bytes that stay put until the next reset, or NULL (out of memory). */
char *county_arena_alloc(county_arena_t *a, size_t size);

/* Every block but the oldest freed, that one emptied and kept for the next use. */
void county_arena_reset(county_arena_t *a);

/* Every block freed; the arena is empty and usable again. */
void county_arena_free(county_arena_t *a);

#endif
