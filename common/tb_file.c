#include "tb_file.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

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

int tb_file_private(const char *path, unsigned *ret_mode)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (st.st_mode & 077) {
        *ret_mode = (unsigned)(st.st_mode & 07777);
        return -EACCES;
    }
    return 0;
}

int tb_file_check_store(const char *dir, const char *place, char *buf, size_t n)
{
    static const char *const suffix[] = {"", ".db", ".db-wal", ".db-shm", ".db-journal"};
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char path[4200];
        if ((size_t)snprintf(path, sizeof path, "%s%s%s%s", dir, i ? "/" : "", i ? place : "",
                             suffix[i]) >= sizeof path)
            return -ENAMETOOLONG;
        unsigned mode;
        int rc = tb_file_private(path, &mode);
        if (rc == -ENOENT)
            continue;
        if (rc == -EACCES)
            snprintf(
                buf, n,
                i ? TB_TR("本地数据文件 %s 的权限为 %04o，本机其他用户可以读取：请运行 "
                          "chmod 600 %s",
                          "the local store file %s has mode %04o, so other local users can "
                          "read it: run chmod 600 %s")
                  : TB_TR("数据目录 %s 的权限为 %04o，本机其他用户可以进入：请运行 chmod 700 %s",
                          "the data directory %s has mode %04o, so other local users can "
                          "enter it: run chmod 700 %s"),
                path, mode, path);
        else if (rc < 0)
            snprintf(buf, n,
                     TB_TR("无法检查 %s 的权限：%s", "cannot check the permissions of %s: %s"),
                     path, tb_strerror(rc));
        if (rc < 0)
            return rc;
    }
    return 0;
}
