/* tb_msg: the words a library function has for the person at the terminal,
 * handed to its caller instead of printed.
 *
 * Library code never prints (STYLE.md): a function that refuses something a
 * person typed or configured returns its negative code and, where the words
 * matter (which option, which file and line, how to set what is missing),
 * writes them into a tb_msg_t the caller gave it.  The daemon's or command's
 * main.c decides what to do with them, and prints them once.
 *
 * text holds whole lines, each ending in "\n", in the language of tb_i18n;
 * "" when there is nothing to say.  A message longer than the buffer is cut
 * at its end (never in the middle of a UTF-8 character).
 */
#ifndef TB_MSG_H
#define TB_MSG_H

#include <stdarg.h>

#define TB_MSG_MAX 8192

typedef struct {
    char text[TB_MSG_MAX];
} tb_msg_t;

/* Empty msg (NULL: nothing). */
void tb_msg_clear(tb_msg_t *msg);
/* Append printf-style text to msg (NULL: nothing). */
void tb_msg_add(tb_msg_t *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_msg_vadd(tb_msg_t *msg, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
