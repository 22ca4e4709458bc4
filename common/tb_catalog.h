/* tb_catalog: the service item catalog (事项目录: 同一事项、同一标准、同一编码).
 *
 * Loaded from data (data/catalog.csv: code,name,level,kind,promised_days,
 * legal_days,materials with materials as "name:core;name:noncore"), never
 * from C literals.  The county owns the catalog; today every node reads the
 * same shipped file, and distributing versions comes with the lifecycle work.
 */
#ifndef TB_CATALOG_H
#define TB_CATALOG_H

#include "tb_place.h"

#include <stddef.h>

typedef enum { TB_KIND_IMMEDIATE = 1, TB_KIND_PROMISED, TB_KIND_CONSULT, TB_KIND_HELP } tb_kind_t;

typedef struct {
    char code[16];
    char *name;
    tb_level_t level;  /* the level that decides: village (may proxy), township, county */
    tb_kind_t kind;
    int promised_days; /* working days */
    int legal_days;
    char *materials;   /* raw "name:core;name:noncore" list */
} tb_item_t;

typedef struct tb_catalog tb_catalog_t;

tb_catalog_t *tb_catalog_new(void);
void tb_catalog_destroy(tb_catalog_t **self_p);
/* 0, or -TB_EDATA with the 1-based line in *ret_line; nothing loaded then. */
int tb_catalog_load(tb_catalog_t *self, const char *path, int *ret_line);
/* Borrowed item, or NULL when the code is not in the catalog. */
const tb_item_t *tb_catalog_find(const tb_catalog_t *self, const char *code);
size_t tb_catalog_count(const tb_catalog_t *self);
/* The i-th item in file order, or NULL past the end. */
const tb_item_t *tb_catalog_item(const tb_catalog_t *self, size_t i);

#endif
