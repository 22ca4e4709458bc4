#include "tb_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int tb_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return -errno;
    /* One byte more than allowed, to tell "exactly the limit" from "over". */
    char *buf = malloc(max + 2);
    if (!buf) {
        fclose(f);
        return -ENOMEM;
    }
    size_t len = fread(buf, 1, max + 1, f);
    int rc = 0;
    if (ferror(f))
        rc = errno ? -errno : -EIO;
    else if (len > max)
        rc = -EFBIG;
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *ret_buf = buf;
    *ret_len = len;
    return 0;
}
