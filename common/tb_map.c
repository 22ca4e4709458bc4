#include "tb_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOMBSTONE ((char *)1)

/* Each slot keeps its key's hash: a probe compares hashes and calls strcmp
 * only on a match (the county's keys, case ids, share their first 22
 * bytes: strcmp on every probe was a tenth of the county's CPU in the
 * walk-in ingest, issue 13), and growing rehashes no key. */
typedef struct {
    char *key; /* NULL empty, TOMBSTONE deleted */
    uint64_t hash;
    uintptr_t value;
} slot_t;

struct tb_map {
    slot_t *slots;
    size_t cap, size, used; /* used counts tombstones too */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

tb_map_t *tb_map_new(void)
{
    tb_map_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = 64;
    self->slots = calloc(self->cap, sizeof(slot_t));
    if (!self->slots) {
        free(self);
        return NULL;
    }
    return self;
}

void tb_map_destroy(tb_map_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_map_t *self = *self_p;
    for (size_t i = 0; i < self->cap; i++)
        if (self->slots[i].key && self->slots[i].key != TOMBSTONE)
            free(self->slots[i].key);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

static slot_t *find(const tb_map_t *self, const char *key, uint64_t h)
{
    size_t mask = self->cap - 1;
    for (size_t i = h & mask, n = 0; n < self->cap; i = (i + 1) & mask, n++) {
        slot_t *s = &self->slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && s->key != TOMBSTONE && strcmp(s->key, key) == 0)
            return s;
    }
    return NULL;
}

static int grow(tb_map_t *self)
{
    size_t cap = self->size * 4 > self->cap ? self->cap * 2 : self->cap;
    slot_t *slots = calloc(cap, sizeof(slot_t));
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < self->cap; i++) {
        slot_t *s = &self->slots[i];
        if (!s->key || s->key == TOMBSTONE)
            continue;
        size_t j = s->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(self->slots);
    self->slots = slots;
    self->cap = cap;
    self->used = self->size;
    return 0;
}

int tb_map_put(tb_map_t *self, const char *key, uintptr_t value)
{
    uint64_t h = hash(key);
    slot_t *s = find(self, key, h);
    if (s) {
        s->value = value;
        return 0;
    }
    if ((self->used + 1) * 4 > self->cap * 3 && grow(self) < 0)
        return -ENOMEM;
    char *k = strdup(key);
    if (!k)
        return -ENOMEM;
    size_t mask = self->cap - 1;
    size_t i = h & mask;
    while (self->slots[i].key && self->slots[i].key != TOMBSTONE)
        i = (i + 1) & mask;
    if (!self->slots[i].key)
        self->used++;
    self->slots[i].key = k;
    self->slots[i].hash = h;
    self->slots[i].value = value;
    self->size++;
    return 0;
}

bool tb_map_get(const tb_map_t *self, const char *key, uintptr_t *ret_value)
{
    slot_t *s = find(self, key, hash(key));
    if (!s)
        return false;
    if (ret_value)
        *ret_value = s->value;
    return true;
}

bool tb_map_del(tb_map_t *self, const char *key)
{
    slot_t *s = find(self, key, hash(key));
    if (!s)
        return false;
    free(s->key);
    s->key = TOMBSTONE;
    self->size--;
    return true;
}

size_t tb_map_size(const tb_map_t *self)
{
    return self->size;
}

bool tb_map_next(const tb_map_t *self, size_t *pos, const char **ret_key, uintptr_t *ret_value)
{
    for (size_t i = *pos; i < self->cap; i++) {
        slot_t *s = &self->slots[i];
        if (s->key && s->key != TOMBSTONE) {
            *pos = i + 1;
            if (ret_key)
                *ret_key = s->key;
            if (ret_value)
                *ret_value = s->value;
            return true;
        }
    }
    *pos = self->cap;
    return false;
}
