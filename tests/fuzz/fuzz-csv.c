/* fuzz-csv: tb_csv_split() on one line of a data file (place lists, the
 * catalog), which comes from outside the program.
 *
 * tb_csv_split() takes a NUL-terminated line and splits it in place, so the
 * harness hands it a NUL-terminated copy of the input (an embedded NUL simply
 * ends the line early, as it would for fgets()).
 *
 * Properties checked besides "no crash":
 *  - the count is within 1..max, and every field lies inside the line;
 *  - round trip: the fields joined again (quoted where needed) split into the
 *    same fields. */
#include "fuzz.h"
#include "tb_csv.h"
#include "tb_error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

/* Join fields into a line tb_csv_split() reads back as the same fields. */
static char *join(char **fields, int n)
{
    size_t cap = 1;
    for (int i = 0; i < n; i++)
        cap += 2 * strlen(fields[i]) + 3; /* every char doubled, quotes, comma */
    char *out = malloc(cap), *w = out;
    if (!out)
        abort();
    for (int i = 0; i < n; i++) {
        const char *f = fields[i];
        bool quote = strpbrk(f, ",\"\r\n") != NULL;
        if (i > 0)
            *w++ = ',';
        if (quote)
            *w++ = '"';
        for (; *f; f++) {
            if (*f == '"')
                *w++ = '"';
            *w++ = *f;
        }
        if (quote)
            *w++ = '"';
    }
    *w = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        abort();
    memcpy(line, data, size);
    line[size] = '\0';
    size_t line_len = strlen(line);

    char *fields[MAX_FIELDS];
    int n = tb_csv_split(line, fields, MAX_FIELDS);
    fuzz_verdict_set(n >= 0);
    if (n < 0) {
        if (n != -TB_EDATA)
            abort();
        free(line);
        return 0;
    }
    if (n < 1 || n > MAX_FIELDS)
        abort();
    for (int i = 0; i < n; i++)
        if (fields[i] < line || fields[i] + strlen(fields[i]) > line + line_len)
            abort();

    char *joined = join(fields, n);
    char *again[MAX_FIELDS];
    if (tb_csv_split(joined, again, MAX_FIELDS) != n)
        abort();
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i], again[i]) != 0)
            abort();

    free(joined);
    free(line);
    return 0;
}
