/* tb_map: a string-keyed hash map (open addressing, linear probing) holding
 * one pointer-sized value per key.  Keys are copied, into blocks the map owns:
 * a key tb_map_next returns stays put until a tb_map_put makes the map grow
 * after keys were deleted, or a clear.  For presence tables and caches keyed
 * by place code or case id. */
#ifndef TB_MAP_H
#define TB_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tb_map tb_map_t;

tb_map_t *tb_map_new(void);
/* Frees keys; values are the caller's (free them first, e.g. with tb_map_next). */
void tb_map_destroy(tb_map_t **self_p);
/* Every key gone, the slots and the newest key block kept for reuse (a map
 * made again for each batch cost an allocation per growth step); slots far
 * more than twice the keys just cleared are given back.  NULL is ok. */
void tb_map_clear(tb_map_t *self);
/* 0, or -ENOMEM. Replaces an existing value. */
int tb_map_put(tb_map_t *self, const char *key, uintptr_t value);
/* True and *ret_value if present. */
bool tb_map_get(const tb_map_t *self, const char *key, uintptr_t *ret_value);
bool tb_map_del(tb_map_t *self, const char *key);
/* The same with the key's hash given (tb_map_hash): a key looked up in
 * several maps, or looked up and then put, is hashed once. */
uint64_t tb_map_hash(const char *key);
int tb_map_put_hashed(tb_map_t *self, const char *key, uint64_t hash, uintptr_t value);
bool tb_map_get_hashed(const tb_map_t *self, const char *key, uint64_t hash, uintptr_t *ret_value);
size_t tb_map_size(const tb_map_t *self);
/* Slots (free and used) the map has now. */
size_t tb_map_slot_count(const tb_map_t *self);
/* Bytes the key blocks hold (live keys, deleted ones not yet packed, room). */
size_t tb_map_key_bytes(const tb_map_t *self);
/* Iterate: start with *pos = 0; returns false at the end. */
bool tb_map_next(const tb_map_t *self, size_t *pos, const char **ret_key, uintptr_t *ret_value);

#endif
