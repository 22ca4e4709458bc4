/* tb_csv: split one line of the simple CSV our place and calendar data use.
 * Fields are separated by commas and may be double-quoted ("" is a quote).
 * The line is modified in place; fields point into it. */
#ifndef TB_CSV_H
#define TB_CSV_H

#include <stddef.h>

/* Returns the number of fields (<= max), or -TB_EDATA for an unterminated
 * quote or more than max fields.  A trailing '\r' or '\n' is removed first. */
int tb_csv_split(char *line, char **fields, int max);

#endif
