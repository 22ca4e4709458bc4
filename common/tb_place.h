/* tb_place: the places of the county (统计用区划代码) and their hierarchy.
 *
 * Every node is a place with a 12-digit code: county 360826000000, township
 * 360826100000, village 360826100001.  The codes come from the public place
 * data the project ships in data/ (counties, townships, villages CSVs).  The
 * parent of a village is its township, of a township its county.
 */
#ifndef TB_PLACE_H
#define TB_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#define TB_CODE_LEN 12

typedef enum { TB_LEVEL_NONE = 0, TB_LEVEL_COUNTY, TB_LEVEL_TOWNSHIP, TB_LEVEL_VILLAGE } tb_level_t;

typedef struct tb_places tb_places_t;

tb_places_t *tb_places_new(void);
void tb_places_destroy(tb_places_t **self_p);

/* Load <dir>/jiangxi-counties.csv, <dir>/<set>-townships.csv and
 * <dir>/<set>-villages.csv (set is e.g. "taihe").  Only counties that own a
 * loaded township are kept.  On a malformed line: -TB_EDATA, with the file and
 * line written to ret_where (may be NULL) and nothing loaded. */
int tb_places_load_dir(tb_places_t *self, const char *dir, const char *set, char *ret_where,
                       size_t where_len);

size_t tb_places_count(const tb_places_t *self);

/* True if s is exactly 12 ASCII digits. */
bool tb_code_valid(const char *s);

/* The level a well-formed code denotes by its shape. */
tb_level_t tb_code_level(const char *code);

/* Write the parent code of a township or village (13 bytes with NUL).
 * Returns 0, or -TB_EINVAL_CODE for a county or malformed code. */
int tb_code_parent(const char *code, char ret_parent[TB_CODE_LEN + 1]);

/* 0 if code is in the data, -TB_EINVAL_CODE if malformed, -TB_EUNKNOWN_PLACE otherwise. */
int tb_places_check(const tb_places_t *self, const char *code);

/* Borrowed name of a known place, or NULL. */
const char *tb_places_name(const tb_places_t *self, const char *code);

/* Iterate the known villages of a township (or all children of a county):
 * the i-th child code, or NULL past the end. */
const char *tb_places_child(const tb_places_t *self, const char *parent, size_t i);

#endif
