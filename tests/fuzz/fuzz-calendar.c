/* fuzz-calendar: tb_calendar_load_buf() on untrusted bytes, the holiday
 * calendar the county distributes.
 *
 * Properties checked besides "no crash, no leak":
 *  - on failure the calendar keeps what it had, and *ret_bad_line is a line
 *    that exists;
 *  - on success every data line is an override with the same kind and name,
 *    and there are no others (the count matches);
 *  - round trip: the overrides written out in canonical form load into a new
 *    calendar that writes out the same text;
 *  - for the first loaded day D, tb_calendar_add_workdays(D, 5) lands on a
 *    working day with tb_calendar_workdays_between(D, it) == 5. */
#include "fuzz.h"
#include "tb_calendar.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char known[] = "date,kind,holiday\n2000-01-03,off,known\n";

/* One data line of an input that loaded: "YYYY-MM-DD,kind[,name]". */
typedef struct {
    int32_t day;
    bool work;
    const char *name;
    size_t name_len;
} row_t;

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

/* Split an input that loaded into rows; the loader vouched for the syntax. */
static row_t *rows_of(const char *s, size_t len, size_t *ret_n)
{
    row_t *rows = malloc((count_lines((const uint8_t *)s, len) + 1) * sizeof(*rows));
    if (!rows)
        abort();
    size_t n = 0, pos = 0;
    bool first = true;
    while (pos < len) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - line) : len - pos;
        pos += l + (nl ? 1 : 0);
        if (l > 0 && line[l - 1] == '\r')
            l--;
        if (first) {
            first = false;
            continue;
        }
        char date[TB_DAY_BUFSZ];
        if (l < 12 || line[10] != ',')
            abort();
        memcpy(date, line, 10);
        date[10] = '\0';
        if (tb_day_parse(date, &rows[n].day) < 0)
            abort();
        const char *kind = line + 11, *end = line + l;
        const char *comma = memchr(kind, ',', (size_t)(end - kind));
        size_t kind_len = comma ? (size_t)(comma - kind) : (size_t)(end - kind);
        rows[n].work = kind_len == 4;
        rows[n].name = comma ? comma + 1 : end;
        rows[n].name_len = (size_t)(end - rows[n].name);
        n++;
    }
    *ret_n = n;
    return rows;
}

/* The calendar's overrides for days[], as canonical text. */
static char *write_out(const tb_calendar_t *cal, const row_t *rows, size_t n, size_t *ret_len)
{
    size_t cap = sizeof(known) + n * (TB_DAY_BUFSZ + 6 + TB_CALENDAR_NAME_MAX + 1);
    char *out = malloc(cap);
    if (!out)
        abort();
    size_t len = (size_t)snprintf(out, cap, "date,kind,holiday\n");
    for (size_t i = 0; i < n; i++) {
        char date[TB_DAY_BUFSZ];
        bool work;
        const char *name;
        if (tb_day_format(rows[i].day, date, sizeof date) < 0 ||
            tb_calendar_override(cal, rows[i].day, &work, &name) < 0)
            abort();
        int w = snprintf(out + len, cap - len, "%s,%s,%s\n", date, work ? "work" : "off", name);
        if (w < 0 || (size_t)w >= cap - len)
            abort();
        len += (size_t)w;
    }
    *ret_len = len;
    return out;
}

static void check_loaded(const tb_calendar_t *cal, const char *s, size_t len)
{
    size_t n;
    row_t *rows = rows_of(s, len, &n);
    if (tb_calendar_size(cal) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        bool work;
        const char *name;
        if (tb_calendar_override(cal, rows[i].day, &work, &name) < 0 || work != rows[i].work ||
            strlen(name) != rows[i].name_len || memcmp(name, rows[i].name, rows[i].name_len) != 0)
            abort();
        if (tb_calendar_is_workday(cal, rows[i].day) != work)
            abort();
    }

    /* Round trip through the canonical form. */
    size_t len1, len2;
    char *text1 = write_out(cal, rows, n, &len1);
    tb_calendar_t *cal2 = tb_calendar_new();
    int bad = 0;
    if (!cal2 || tb_calendar_load_buf(cal2, text1, len1, &bad) < 0 || tb_calendar_size(cal2) != n)
        abort();
    char *text2 = write_out(cal2, rows, n, &len2);
    if (len1 != len2 || memcmp(text1, text2, len1) != 0)
        abort();

    /* Deadlines over what was loaded: bounded, and consistent with each other. */
    if (n > 0) {
        int32_t due;
        int between;
        int rc = tb_calendar_add_workdays(cal, rows[0].day, 5, &due);
        if (rc == 0) {
            if (due <= rows[0].day || !tb_calendar_is_workday(cal, due) ||
                tb_calendar_workdays_between(cal, rows[0].day, due, &between) < 0 || between != 5)
                abort();
        } else if (rc != -ERANGE) {
            abort();
        }
    }

    free(text1);
    free(text2);
    free(rows);
    tb_calendar_destroy(&cal2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_calendar_t *cal = tb_calendar_new();
    int32_t known_day;
    if (!cal || tb_calendar_load_buf(cal, known, sizeof(known) - 1, NULL) < 0 ||
        tb_day_parse("2000-01-03", &known_day) < 0)
        abort();

    int bad_line = -1;
    int rc = tb_calendar_load_buf(cal, (const char *)data, size, &bad_line);
    fuzz_verdict_set(rc == 0);
    if (rc == 0) {
        if (bad_line != -1)
            abort(); /* written only on -TB_EDATA and -E2BIG */
        check_loaded(cal, (const char *)data, size);
    } else {
        bool work = true;
        const char *name = NULL;
        if (rc != -TB_EDATA && rc != -E2BIG && rc != -ENOMEM)
            abort();
        if (rc != -ENOMEM && (bad_line < 1 || (size_t)bad_line > count_lines(data, size)))
            abort();
        /* Unchanged on any error. */
        if (tb_calendar_size(cal) != 1 || tb_calendar_override(cal, known_day, &work, &name) < 0 ||
            work || strcmp(name, "known") != 0)
            abort();
    }
    tb_calendar_destroy(&cal);
    if (cal)
        abort();
    return 0;
}
