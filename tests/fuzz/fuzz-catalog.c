/* fuzz-catalog: tb_catalog_load_buf() on untrusted bytes, the service item
 * catalog the county distributes (proto DataVersion, kind "catalog").
 *
 * Properties checked besides "no crash, no leak":
 *  - on failure the catalog keeps what it had (one known item) and
 *    *ret_line is a line that exists;
 *  - on success every item is findable by its code, codes are unique, each
 *    item's fields are in range and its materials are listed as parsed;
 *  - round trip: the catalog written out again (CSV, names quoted) loads into
 *    a new catalog with the same items. */
#include "fuzz.h"
#include "tb_catalog.h"
#include "tb_error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char known[] = "code,name,level,kind,promised_days,legal_days,materials\n"
                            "KN001,known,county,immediate,0,0,a:core\n";

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

/* s as one CSV field, quoted with "" for a quote. */
static size_t put_field(char *out, const char *s)
{
    size_t n = 0;
    out[n++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            out[n++] = '"';
        out[n++] = *s;
    }
    out[n++] = '"';
    return n;
}

static char *write_out(const tb_catalog_t *c, size_t *ret_len)
{
    static const char *lv[] = {"", "county", "township", "village"};
    static const char *kd[] = {"", "immediate", "promised", "consult", "help"};
    size_t cap = 128;
    for (size_t i = 0; i < tb_catalog_count(c); i++) {
        const tb_item_t *it = tb_catalog_item(c, i);
        cap += 2 * (strlen(it->name) + strlen(it->materials)) + 80;
    }
    char *out = malloc(cap);
    if (!out)
        abort();
    size_t n = (size_t)sprintf(out, "code,name,level,kind,promised_days,legal_days,materials\n");
    for (size_t i = 0; i < tb_catalog_count(c); i++) {
        const tb_item_t *it = tb_catalog_item(c, i);
        n += (size_t)sprintf(out + n, "%s,", it->code);
        n += put_field(out + n, it->name);
        n += (size_t)sprintf(out + n, ",%s,%s,%d,%d,", lv[it->level], kd[it->kind],
                             it->promised_days, it->legal_days);
        n += put_field(out + n, it->materials);
        out[n++] = '\n';
    }
    out[n] = '\0';
    *ret_len = n;
    return out;
}

static void check_loaded(const tb_catalog_t *c)
{
    size_t n = tb_catalog_count(c);
    for (size_t i = 0; i < n; i++) {
        const tb_item_t *it = tb_catalog_item(c, i);
        if (!it || tb_catalog_find(c, it->code) != it || !it->code[0] || !it->name[0])
            abort();
        if (it->level < TB_LEVEL_COUNTY || it->level > TB_LEVEL_VILLAGE ||
            it->kind < TB_KIND_IMMEDIATE || it->kind > TB_KIND_HELP || it->promised_days < 0 ||
            it->promised_days > 365 || it->legal_days < 0 || it->legal_days > 365 ||
            it->nmaterials > TB_ITEM_MATERIALS_MAX)
            abort();
        for (size_t k = 0; k < it->nmaterials; k++)
            if (tb_item_material(it, it->material[k]) != (int)k)
                abort();
    }
    if (tb_catalog_item(c, n))
        abort();
    size_t len;
    char *text = write_out(c, &len);
    tb_catalog_t *c2 = tb_catalog_new();
    int line = 0;
    if (!c2 || tb_catalog_load_buf(c2, text, len, &line) < 0 || tb_catalog_count(c2) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        const tb_item_t *a = tb_catalog_item(c, i), *b = tb_catalog_item(c2, i);
        if (strcmp(a->code, b->code) || strcmp(a->name, b->name) || a->level != b->level ||
            a->kind != b->kind || a->promised_days != b->promised_days ||
            a->legal_days != b->legal_days || strcmp(a->materials, b->materials) ||
            a->nmaterials != b->nmaterials)
            abort();
    }
    free(text);
    tb_catalog_destroy(&c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_catalog_t *c = tb_catalog_new();
    if (!c || tb_catalog_load_buf(c, known, sizeof known - 1, NULL) < 0)
        abort();
    int line = -1;
    int rc = tb_catalog_load_buf(c, (const char *)data, size, &line);
    fuzz_verdict_set(rc == 0);
    if (rc == 0) {
        if (line != -1)
            abort(); /* written only on failure */
        check_loaded(c);
    } else {
        if (rc != -TB_EDATA && rc != -ENOMEM)
            abort();
        if (rc == -TB_EDATA && (line < 1 || (size_t)line > count_lines(data, size)))
            abort();
        if (tb_catalog_count(c) != 1 || !tb_catalog_find(c, "KN001"))
            abort();
    }
    tb_catalog_destroy(&c);
    if (c)
        abort();
    return 0;
}
