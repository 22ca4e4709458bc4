/* tb_file: read a whole data file, bounded. */
#ifndef TB_FILE_H
#define TB_FILE_H

#include <stddef.h>

/* Read all of path into a malloc'd, NUL-terminated buffer the caller frees.
 * 0, or -errno (-EIO when the error has none), -EFBIG when the file holds
 * more than max bytes, -ENOMEM.  Out-parameters are written only on success. */
int tb_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);

#endif
