/* tb_input: checks on what a person types (names, phones, free text).
 *
 * Pure: no I/O.  Every command runs these before it builds an event, so a
 * person gets the message at once; the wire checks repeat the byte-level
 * ones (UTF-8, length) for what arrives from other nodes.
 */
#ifndef TB_INPUT_H
#define TB_INPUT_H

#include <stdbool.h>
#include <stddef.h>

int tb_check_name(const char *name);             /* 0 or -TB_EBADNAME */
int tb_check_phone(const char *phone);           /* 0 or -TB_EBADPHONE */
int tb_check_text(const char *text, size_t max); /* 0, -TB_ETOOLONG or -TB_EDECODE (not UTF-8) */
bool tb_utf8_valid(const char *s, size_t len);

#endif
