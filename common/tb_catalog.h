/* tb_catalog: the service item catalog (事项目录: 同一事项、同一标准、同一编码).
 *
 * Loaded from data (data/catalog.csv: code,name,level,kind,promised_days,
 * legal_days,materials with materials as "name:core;name:noncore"), never
 * from C literals.  The county owns the catalog and distributes its versions;
 * a node uses the newest it received, else the shipped file (common/tb_data.h).
 */
#ifndef TB_CATALOG_H
#define TB_CATALOG_H

#include "tb_place.h"

#include <stdbool.h>
#include <stddef.h>

#define TB_ITEM_MATERIALS_MAX 16
#define TB_MATERIAL_NAME_MAX 64

typedef enum { TB_KIND_IMMEDIATE = 1, TB_KIND_PROMISED, TB_KIND_CONSULT, TB_KIND_HELP } tb_kind_t;

typedef struct {
    char code[16];
    char *name;
    tb_level_t level; /* the level that decides: village (may proxy), township, county */
    tb_kind_t kind;
    int promised_days; /* working days */
    int legal_days;
    char *materials; /* raw "name:core;name:noncore" list */
    /* The same list parsed: names (borrowed from the item) and the core flag.
     * 容缺受理 may only leave non-core materials owed. */
    size_t nmaterials;
    char *material[TB_ITEM_MATERIALS_MAX];
    bool core[TB_ITEM_MATERIALS_MAX];
    char *material_buf;
} tb_item_t;

/* Index of a material in the item's list, or -1 if the item does not list it. */
int tb_item_material(const tb_item_t *item, const char *name);

typedef struct tb_catalog tb_catalog_t;

tb_catalog_t *tb_catalog_new(void);
void tb_catalog_destroy(tb_catalog_t **self_p);
#define TB_CATALOG_LINE_MAX 4095          /* bytes in one line, without its end */
#define TB_CATALOG_ITEMS_MAX 4096         /* items in one catalog */
#define TB_CATALOG_FILE_MAX (1024 * 1024) /* bytes, for tb_catalog_load() */

/* Replace the catalog with the one in buf[0..len), which is untrusted (the
 * county distributes catalogs over the wire; see proto DataVersion).
 *
 * Format: UTF-8 text, lines end in LF or CRLF, the last may lack one.  Line 1
 * is exactly the header "code,name,level,kind,promised_days,legal_days,
 * materials" (a leading UTF-8 BOM is allowed); every further line is one item
 * (see data/catalog.csv) or blank.  Codes are unique.  No NUL bytes, lines of
 * at most TB_CATALOG_LINE_MAX bytes, at most TB_CATALOG_ITEMS_MAX items.
 *
 * 0, or -TB_EDATA with the 1-based number of the first bad line in *ret_line
 * (may be NULL), -EINVAL, -ENOMEM.  On any error the catalog is unchanged:
 * the input is parsed into a temporary set that replaces the old one only
 * when all of it is good. */
int tb_catalog_load_buf(tb_catalog_t *self, const char *buf, size_t len, int *ret_line);
/* tb_catalog_load_buf() on the file at path: also -errno, -EFBIG over
 * TB_CATALOG_FILE_MAX bytes. */
int tb_catalog_load(tb_catalog_t *self, const char *path, int *ret_line);
/* Borrowed item, or NULL when the code is not in the catalog. */
const tb_item_t *tb_catalog_find(const tb_catalog_t *self, const char *code);
size_t tb_catalog_count(const tb_catalog_t *self);
/* The i-th item in file order, or NULL past the end. */
const tb_item_t *tb_catalog_item(const tb_catalog_t *self, size_t i);

#endif
