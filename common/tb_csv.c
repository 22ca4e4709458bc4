#include "tb_csv.h"

#include "tb_error.h"

#include <string.h>

int tb_csv_split(char *line, char **fields, int max)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';

    int n = 0;
    char *r = line;
    for (;;) {
        if (n == max)
            return -TB_EDATA;
        char *w = r;
        fields[n++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0')
                    return -TB_EDATA;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            if (*r != ',' && *r != '\0')
                return -TB_EDATA;
        } else {
            while (*r != ',' && *r != '\0') {
                if (*r == '"')
                    return -TB_EDATA;
                *w++ = *r++;
            }
        }
        int last = (*r == '\0');
        *w = '\0';
        if (last)
            return n;
        r++;
    }
}
