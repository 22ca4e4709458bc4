/* tb_file: read a whole data file, bounded. */
#ifndef TB_FILE_H
#define TB_FILE_H

#include <stddef.h>

/* Read all of path into a malloc'd, NUL-terminated buffer the caller frees.
 * 0, or -errno (-EIO when the error has none), -EFBIG when the file holds
 * more than max bytes, -ENOMEM.  Out-parameters are written only on success. */
int tb_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* Whether path (a directory or a file) is its owner's alone: 0 when group
 * and others have no permission bits on it; -EACCES when they have some,
 * with its permission bits in *ret_mode; -errno when it cannot be read
 * (-ENOENT: it does not exist).  Out-parameters are written only on -EACCES. */
int tb_file_private(const char *path, unsigned *ret_mode);

/* The local store of place in dir must be private: the directory (0700) and
 * each of its SQLite files that exists (<place>.db and its -wal, -shm and
 * -journal files, 0600).  0 when they are, or do not exist yet (a store made
 * under umask 077 is private); else a negative code (-EACCES: someone else
 * may read it) and one sentence for the person into buf naming the path, its
 * mode and the chmod to run (Chinese first, English with LANG=en). */
int tb_file_check_store(const char *dir, const char *place, char *buf, size_t n);

#endif
