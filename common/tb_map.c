#include "tb_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Each slot keeps its key's hash: a probe compares hashes and calls strcmp
 * only on a match (the county's keys, case ids, share their first 22
 * bytes: strcmp on every probe was a tenth of the county's CPU in the
 * walk-in ingest, issue 13), and growing rehashes no key. */
typedef struct {
    const char *key; /* NULL empty, TOMBSTONE deleted; else in one of the map's key blocks */
    uint64_t hash;
    uintptr_t value;
} slot_t;

#define TOMBSTONE ((const char *)1)

/* The keys' copies, packed one after another in blocks the map owns: one
 * allocation per block instead of a strdup and a free per key (the county
 * makes and drops a case id's key in five maps per event: malloc and free
 * were ~17 % of its CPU in the walk-in ingest, issue 13).  A deleted key's
 * bytes stay until the next rehash finds more dead bytes than live ones and
 * packs the live keys into one new block; so a key's pointer (tb_map_next's)
 * stays put until the map grows, unless keys were deleted. */
typedef struct keyblock {
    struct keyblock *next; /* older */
    size_t used, cap;
    char data[];
} keyblock_t;

enum { KEYBLOCK_MIN = 512, KEYBLOCK_MAX = 64 * 1024 };

struct tb_map {
    slot_t *slots;
    size_t cap, size, used; /* used counts tombstones too */
    keyblock_t *keys;       /* the newest block first */
    size_t live, dead;      /* bytes of the keys present, of the keys deleted */
};

/* FNV-1a, and the key's length with it. */
static uint64_t hash(const char *s, size_t *ret_len)
{
    uint64_t h = 1469598103934665603ULL;
    const char *p = s;
    while (*p)
        h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
    *ret_len = (size_t)(p - s);
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

static void keys_free(keyblock_t *b)
{
    while (b) {
        keyblock_t *next = b->next;
        free(b);
        b = next;
    }
}

void tb_map_destroy(tb_map_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_map_t *self = *self_p;
    keys_free(self->keys);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

void tb_map_clear(tb_map_t *self)
{
    if (!self)
        return;
    /* Slots sized for one odd big batch are not kept (nor zeroed at every
     * clear after it): back to twice what this round held, when that is far
     * less.  Without the memory the old slots stay, zeroed. */
    size_t cap = 64;
    while (cap < 2 * self->size)
        cap *= 2;
    slot_t *slots = self->cap > 1024 && cap * 16 <= self->cap ? calloc(cap, sizeof(slot_t)) : NULL;
    if (slots) {
        free(self->slots);
        self->slots = slots;
        self->cap = cap;
    } else {
        memset(self->slots, 0, self->cap * sizeof(slot_t));
    }
    self->size = self->used = 0;
    self->live = self->dead = 0;
    if (self->keys) { /* the newest block is the largest: kept for the next keys */
        keys_free(self->keys->next);
        self->keys->next = NULL;
        self->keys->used = 0;
    }
}

/* A copy of key (len bytes and its NUL) in the map's blocks, or NULL. */
static const char *key_copy(tb_map_t *self, const char *key, size_t len)
{
    keyblock_t *b = self->keys;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = b ? b->cap * 2 : KEYBLOCK_MIN;
        cap = cap > KEYBLOCK_MAX ? KEYBLOCK_MAX : cap;
        cap = cap < len + 1 ? len + 1 : cap;
        keyblock_t *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->next = b;
        n->used = 0;
        n->cap = cap;
        self->keys = b = n;
    }
    char *k = b->data + b->used;
    memcpy(k, key, len + 1);
    b->used += len + 1;
    return k;
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

/* The live keys packed into one new block when more bytes are dead than
 * live; not done (and nothing lost) without the memory. */
static void keys_pack(tb_map_t *self, slot_t *slots, size_t cap)
{
    if (self->dead <= self->live)
        return;
    size_t size = self->live > KEYBLOCK_MIN ? self->live : KEYBLOCK_MIN;
    keyblock_t *n = malloc(sizeof *n + size);
    if (!n)
        return;
    n->next = NULL;
    n->used = 0;
    n->cap = size;
    for (size_t i = 0; i < cap; i++) {
        slot_t *s = &slots[i];
        if (!s->key || s->key == TOMBSTONE)
            continue;
        size_t len = strlen(s->key) + 1;
        memcpy(n->data + n->used, s->key, len);
        s->key = n->data + n->used;
        n->used += len;
    }
    keys_free(self->keys);
    self->keys = n;
    self->dead = 0;
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
    keys_pack(self, slots, cap);
    return 0;
}

uint64_t tb_map_hash(const char *key)
{
    size_t len;
    return hash(key, &len);
}

static int put(tb_map_t *self, const char *key, uint64_t h, size_t len, uintptr_t value)
{
    slot_t *s = find(self, key, h);
    if (s) {
        s->value = value;
        return 0;
    }
    if ((self->used + 1) * 4 > self->cap * 3 && grow(self) < 0)
        return -ENOMEM;
    const char *k = key_copy(self, key, len);
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
    self->live += len + 1;
    return 0;
}

int tb_map_put(tb_map_t *self, const char *key, uintptr_t value)
{
    size_t len;
    uint64_t h = hash(key, &len);
    return put(self, key, h, len, value);
}

int tb_map_put_hashed(tb_map_t *self, const char *key, uint64_t hash, uintptr_t value)
{
    return put(self, key, hash, strlen(key), value);
}

bool tb_map_get_hashed(const tb_map_t *self, const char *key, uint64_t hash, uintptr_t *ret_value)
{
    slot_t *s = find(self, key, hash);
    if (!s)
        return false;
    if (ret_value)
        *ret_value = s->value;
    return true;
}

bool tb_map_get(const tb_map_t *self, const char *key, uintptr_t *ret_value)
{
    size_t len;
    return tb_map_get_hashed(self, key, hash(key, &len), ret_value);
}

bool tb_map_del(tb_map_t *self, const char *key)
{
    size_t len;
    slot_t *s = find(self, key, hash(key, &len));
    if (!s)
        return false;
    s->key = TOMBSTONE; /* its bytes stay until a rehash packs the keys */
    self->size--;
    self->live -= len + 1;
    self->dead += len + 1;
    return true;
}

size_t tb_map_size(const tb_map_t *self)
{
    return self->size;
}

size_t tb_map_slot_count(const tb_map_t *self)
{
    return self->cap;
}

size_t tb_map_key_bytes(const tb_map_t *self)
{
    size_t n = 0;
    for (const keyblock_t *b = self->keys; b; b = b->next)
        n += b->cap;
    return n;
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
