#include "tb_catalog.h"

#include "tb_case.h"
#include "tb_csv.h"
#include "tb_error.h"
#include "tb_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb_catalog {
    tb_item_t *v;
    size_t n;
};

tb_catalog_t *tb_catalog_new(void)
{
    return calloc(1, sizeof(tb_catalog_t));
}

static void clear(tb_catalog_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        free(self->v[i].name);
        free(self->v[i].materials);
        free(self->v[i].material_buf);
    }
    free(self->v);
    self->v = NULL;
    self->n = 0;
}

void tb_catalog_destroy(tb_catalog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    clear(*self_p);
    free(*self_p);
    *self_p = NULL;
}

static int parse_int(const char *s, int lo, int hi, int *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -TB_EDATA;
    *ret = (int)v;
    return 0;
}

/* "name:core;name:noncore" into the item's arrays (pointers into material_buf). */
static int parse_materials(tb_item_t *it)
{
    char *p = it->material_buf;
    it->nmaterials = 0;
    if (!*p)
        return 0;
    for (;;) {
        char *end = strchr(p, ';');
        if (end)
            *end = '\0';
        char *colon = strrchr(p, ':');
        if (!colon || colon == p || it->nmaterials == TB_ITEM_MATERIALS_MAX ||
            (size_t)(colon - p) > TB_MATERIAL_NAME_MAX)
            return -TB_EDATA;
        *colon = '\0';
        bool core;
        if (strcmp(colon + 1, "core") == 0)
            core = true;
        else if (strcmp(colon + 1, "noncore") == 0)
            core = false;
        else
            return -TB_EDATA;
        if (tb_item_material(it, p) >= 0)
            return -TB_EDATA; /* the same material twice */
        it->material[it->nmaterials] = p;
        it->core[it->nmaterials++] = core;
        if (!end)
            return 0;
        p = end + 1;
    }
}

int tb_item_material(const tb_item_t *item, const char *name)
{
    for (size_t i = 0; name && i < item->nmaterials; i++)
        if (strcmp(item->material[i], name) == 0)
            return (int)i;
    return -1;
}

static int parse_row(char **f, int n, tb_item_t *it)
{
    static const struct {
        const char *name;
        int value;
    } levels[] = {{"village", TB_LEVEL_VILLAGE},
                  {"township", TB_LEVEL_TOWNSHIP},
                  {"county", TB_LEVEL_COUNTY}},
      kinds[] = {{"immediate", TB_KIND_IMMEDIATE},
                 {"promised", TB_KIND_PROMISED},
                 {"consult", TB_KIND_CONSULT},
                 {"help", TB_KIND_HELP}};
    if (n != 7 || strlen(f[0]) == 0 || strlen(f[0]) >= sizeof it->code || f[1][0] == '\0' ||
        tb_check_text(f[1], 200) < 0 || tb_check_text(f[6], 2000) < 0)
        return -TB_EDATA;
    for (const char *c = f[0]; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return -TB_EDATA;
    memset(it, 0, sizeof *it);
    strcpy(it->code, f[0]);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(f[2], levels[i].name) == 0)
            it->level = (tb_level_t)levels[i].value;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(f[3], kinds[i].name) == 0)
            it->kind = (tb_kind_t)kinds[i].value;
    if (!it->level || !it->kind || parse_int(f[4], 0, 365, &it->promised_days) < 0 ||
        parse_int(f[5], 0, 365, &it->legal_days) < 0)
        return -TB_EDATA;
    if (it->kind == TB_KIND_PROMISED &&
        (it->promised_days < 1 || it->legal_days < it->promised_days))
        return -TB_EDATA;
    it->name = strdup(f[1]);
    it->materials = strdup(f[6]);
    it->material_buf = strdup(f[6]);
    if (!it->name || !it->materials || !it->material_buf) {
        free(it->name);
        free(it->materials);
        free(it->material_buf);
        return -ENOMEM;
    }
    int rc = parse_materials(it);
    if (rc < 0) {
        free(it->name);
        free(it->materials);
        free(it->material_buf);
    }
    return rc;
}

static const char header[] = "code,name,level,kind,promised_days,legal_days,materials";

/* One line (without its end) into tmp; line 1 must be the header. */
static int parse_line(tb_catalog_t *tmp, size_t *cap, char *line, int lineno)
{
    if (lineno == 1) {
        if (strncmp(line, "\xEF\xBB\xBF", 3) == 0)
            line += 3; /* a UTF-8 BOM, as spreadsheets write it */
        return strcmp(line, header) == 0 ? 0 : -TB_EDATA;
    }
    char *fields[8];
    int n = tb_csv_split(line, fields, 8);
    if (n == 1 && fields[0][0] == '\0')
        return 0; /* blank lines are allowed between rows */
    if (n < 0)
        return n;
    if (tmp->n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        if (c > TB_CATALOG_ITEMS_MAX)
            c = TB_CATALOG_ITEMS_MAX;
        if (tmp->n == c)
            return -TB_EDATA; /* more items than any catalog has */
        tb_item_t *v = realloc(tmp->v, c * sizeof(tb_item_t));
        if (!v)
            return -ENOMEM;
        tmp->v = v;
        *cap = c;
    }
    int rc = parse_row(fields, n, &tmp->v[tmp->n]);
    if (rc < 0)
        return rc;
    tmp->n++;
    for (size_t i = 0; i + 1 < tmp->n; i++)
        if (strcmp(tmp->v[i].code, tmp->v[tmp->n - 1].code) == 0)
            return -TB_EDATA; /* the same code twice */
    return 0;
}

int tb_catalog_load_buf(tb_catalog_t *self, const char *buf, size_t len, int *ret_line)
{
    if (!self || (!buf && len))
        return -EINVAL;
    tb_catalog_t tmp = {0};
    size_t cap = 0, pos = 0;
    int lineno = 0, rc = 0;
    char line[TB_CATALOG_LINE_MAX + 1];
    while (rc == 0 && pos < len) {
        lineno++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        if (n && buf[pos + n - 1] == '\r')
            n--;
        if (n > TB_CATALOG_LINE_MAX || memchr(buf + pos, '\0', n))
            rc = -TB_EDATA;
        else {
            memcpy(line, buf + pos, n);
            line[n] = '\0';
            rc = parse_line(&tmp, &cap, line, lineno);
        }
        pos += nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
    }
    if (rc == 0 && lineno == 0) {
        lineno = 1; /* no header */
        rc = -TB_EDATA;
    }
    if (rc < 0) {
        if (ret_line)
            *ret_line = lineno;
        clear(&tmp);
        return rc;
    }
    clear(self);
    *self = tmp;
    return 0;
}

int tb_catalog_load(tb_catalog_t *self, const char *path, int *ret_line)
{
    char *buf;
    size_t len;
    int rc = tb_read_file(path, TB_CATALOG_FILE_MAX, &buf, &len);
    if (rc < 0)
        return rc;
    rc = tb_catalog_load_buf(self, buf, len, ret_line);
    free(buf);
    return rc;
}

const tb_item_t *tb_catalog_find(const tb_catalog_t *self, const char *code)
{
    for (size_t i = 0; code && i < self->n; i++)
        if (strcmp(self->v[i].code, code) == 0)
            return &self->v[i];
    return NULL;
}

size_t tb_catalog_count(const tb_catalog_t *self)
{
    return self->n;
}

const tb_item_t *tb_catalog_item(const tb_catalog_t *self, size_t i)
{
    return i < self->n ? &self->v[i] : NULL;
}
