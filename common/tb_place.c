#include "tb_place.h"

#include "tb_csv.h"
#include "tb_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char code[TB_CODE_LEN + 1];
    char parent[TB_CODE_LEN + 1];
    char *name;
} place_t;

struct tb_places {
    place_t *v;
    size_t n, cap;
};

tb_places_t *tb_places_new(void)
{
    return calloc(1, sizeof(tb_places_t));
}

static void places_clear(tb_places_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        free(self->v[i].name);
    free(self->v);
    self->v = NULL;
    self->n = self->cap = 0;
}

void tb_places_destroy(tb_places_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    places_clear(*self_p);
    free(*self_p);
    *self_p = NULL;
}

bool tb_code_valid(const char *s)
{
    if (!s)
        return false;
    for (int i = 0; i < TB_CODE_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[TB_CODE_LEN] == '\0';
}

tb_level_t tb_code_level(const char *code)
{
    if (!tb_code_valid(code))
        return TB_LEVEL_NONE;
    if (strcmp(code + 6, "000000") == 0)
        return strcmp(code + 4, "00000000") == 0 ? TB_LEVEL_NONE : TB_LEVEL_COUNTY;
    if (strcmp(code + 9, "000") == 0)
        return TB_LEVEL_TOWNSHIP;
    return TB_LEVEL_VILLAGE;
}

int tb_code_parent(const char *code, char ret_parent[TB_CODE_LEN + 1])
{
    tb_level_t level = tb_code_level(code);
    if (level == TB_LEVEL_VILLAGE) {
        memcpy(ret_parent, code, 9);
        memcpy(ret_parent + 9, "000", 4);
        return 0;
    }
    if (level == TB_LEVEL_TOWNSHIP) {
        memcpy(ret_parent, code, 6);
        memcpy(ret_parent + 6, "000000", 7);
        return 0;
    }
    return -TB_EINVAL_CODE;
}

static int place_cmp(const void *a, const void *b)
{
    return strcmp(((const place_t *)a)->code, ((const place_t *)b)->code);
}

static const place_t *find(const tb_places_t *self, const char *code)
{
    place_t key;
    if (strlen(code) > TB_CODE_LEN)
        return NULL;
    strcpy(key.code, code);
    return bsearch(&key, self->v, self->n, sizeof(place_t), place_cmp);
}

static int push(tb_places_t *self, const char *code, const char *name)
{
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 512;
        place_t *v = realloc(self->v, cap * sizeof(place_t));
        if (!v)
            return -ENOMEM;
        self->v = v;
        self->cap = cap;
    }
    place_t *p = &self->v[self->n];
    strcpy(p->code, code);
    p->parent[0] = '\0';
    tb_code_parent(code, p->parent);
    p->name = strdup(name);
    if (!p->name)
        return -ENOMEM;
    self->n++;
    return 0;
}

/* digits: how many leading digits the file's code column has (6, 9 or 12). */
static int load_file(tb_places_t *self, const char *path, int digits, char *where, size_t wlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = -errno;
        if (where)
            snprintf(where, wlen, "%s", path);
        return e;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1)
            continue; /* header */
        char *fields[8];
        int n = tb_csv_split(line, fields, 8);
        if (n == 1 && fields[0][0] == '\0')
            continue;
        char code[TB_CODE_LEN + 1];
        if (n < 2 || strlen(fields[0]) != (size_t)digits || strlen(fields[1]) == 0 ||
            strlen(fields[1]) > 200) {
            rc = -TB_EDATA;
        } else {
            memcpy(code, fields[0], (size_t)digits);
            memset(code + digits, '0', (size_t)(TB_CODE_LEN - digits));
            code[TB_CODE_LEN] = '\0';
            if (tb_code_level(code) == TB_LEVEL_NONE)
                rc = -TB_EDATA;
        }
        if (rc == 0)
            rc = push(self, code, fields[1]);
        if (rc < 0) {
            if (where)
                snprintf(where, wlen, "%s:%d", path, lineno);
            break;
        }
    }
    fclose(f);
    return rc;
}

int tb_places_load_dir(tb_places_t *self, const char *dir, const char *set, char *ret_where,
                       size_t where_len)
{
    tb_places_t tmp = {0};
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/%s-townships.csv", dir, set);
    rc = load_file(&tmp, path, 9, ret_where, where_len);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/%s-villages.csv", dir, set);
        rc = load_file(&tmp, path, 12, ret_where, where_len);
    }
    if (rc == 0) {
        /* Counties: keep only those that own a loaded township. */
        tb_places_t counties = {0};
        snprintf(path, sizeof path, "%s/jiangxi-counties.csv", dir);
        rc = load_file(&counties, path, 6, ret_where, where_len);
        for (size_t i = 0; rc == 0 && i < counties.n; i++) {
            bool used = false;
            for (size_t j = 0; j < tmp.n && !used; j++)
                used = strcmp(tmp.v[j].parent, counties.v[i].code) == 0;
            if (used)
                rc = push(&tmp, counties.v[i].code, counties.v[i].name);
        }
        places_clear(&counties);
    }
    if (rc < 0) {
        places_clear(&tmp);
        return rc;
    }
    if (tmp.n) /* tmp.v is NULL for a file with no row */
        qsort(tmp.v, tmp.n, sizeof(place_t), place_cmp);
    places_clear(self);
    *self = tmp;
    return 0;
}

size_t tb_places_count(const tb_places_t *self)
{
    return self->n;
}

int tb_places_check(const tb_places_t *self, const char *code)
{
    if (!tb_code_valid(code))
        return -TB_EINVAL_CODE;
    return find(self, code) ? 0 : -TB_EUNKNOWN_PLACE;
}

const char *tb_places_name(const tb_places_t *self, const char *code)
{
    if (!tb_code_valid(code))
        return NULL;
    const place_t *p = find(self, code);
    return p ? p->name : NULL;
}

const char *tb_places_child(const tb_places_t *self, const char *parent, size_t i)
{
    for (size_t k = 0; k < self->n; k++)
        if (strcmp(self->v[k].parent, parent) == 0 && i-- == 0)
            return self->v[k].code;
    return NULL;
}
