/* tb_input: checks on what a person types (names, phones, free text), and
 * the safe form of stored text for output.
 *
 * Pure: no I/O.  Every command runs these before it builds an event, so a
 * person gets the message at once; the wire checks repeat them for what
 * arrives from other nodes (tb_wire), so the county's intake refuses the
 * same text a village command refuses.
 *
 * What free text may hold: printable UTF-8.  Refused everywhere: invalid
 * UTF-8, C0 controls (U+0000-U+001F; a line break and a tab only in a
 * multi-line field), DEL (U+007F), C1 controls (U+0080-U+009F, e.g. U+009B,
 * a terminal's CSI), the line and paragraph separators U+2028/U+2029, bidi
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they
 * reorder what a screen shows, so "准予" can read as something else), and
 * non-empty text made only of zero-width characters and blanks (it looks
 * empty but is not).  Ordinary marks such as U+200E/U+200F are allowed.
 */
#ifndef TB_INPUT_H
#define TB_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int tb_check_name(const char *name);             /* 0 or -TB_EBADNAME (one line, 1..64 bytes) */
int tb_check_phone(const char *phone);           /* 0 or -TB_EBADPHONE */
int tb_check_text(const char *text, size_t max); /* multi-line: 0, -TB_ETOOLONG or -TB_EDECODE */
int tb_check_line(const char *text, size_t max); /* one line: 0, -TB_ETOOLONG or -TB_EDECODE */
bool tb_utf8_valid(const char *s, size_t len);

/* What is wrong with a piece of text. */
typedef enum {
    TB_TEXT_OK = 0,
    TB_TEXT_EMPTY,     /* required, but empty or only blanks */
    TB_TEXT_TOOLONG,   /* more than max bytes */
    TB_TEXT_UTF8,      /* not UTF-8: cp is the first bad byte */
    TB_TEXT_NEWLINE,   /* a line break or tab in a one-line field, or U+2028/U+2029 */
    TB_TEXT_CONTROL,   /* a C0 control or DEL */
    TB_TEXT_C1,        /* a C1 control */
    TB_TEXT_BIDI,      /* a bidi embedding, override or isolate */
    TB_TEXT_INVISIBLE, /* only zero-width characters (and blanks) */
} tb_text_fault_t;

typedef struct {
    tb_text_fault_t fault;
    uint32_t cp; /* the character at fault (the byte for TB_TEXT_UTF8) */
    size_t at;   /* its position in characters, from 1 (0: the text as a whole) */
    size_t len;  /* the text's length in bytes */
    size_t max;  /* the limit it was checked against */
} tb_text_problem_t;

enum {
    TB_TEXT_MULTILINE = 1, /* a line break and a tab are allowed (notes, replies, reasons) */
    TB_TEXT_REQUIRED = 2,  /* empty or blank text is a fault */
};

/* Find the first fault of text (NULL reads as empty) checked against max
 * bytes and the flags above.  Always fills *ret (its fault is the result). */
tb_text_fault_t tb_text_inspect(const char *text, size_t max, unsigned flags,
                                tb_text_problem_t *ret);

/* The problem as one sentence for a person, naming the field (e.g. "--note"
 * or "备注"), the character and where it is; Chinese first, English with
 * LANG=en (tb_i18n).  Writes into buf (truncated to n) and returns buf. */
const char *tb_text_describe(const char *field, const tb_text_problem_t *p, char *buf, size_t n);

/* Inspect and, on a fault, describe: 0 when text is fine, else -TB_ETOOLONG
 * (too long), -TB_EBADNAME (empty, with TB_TEXT_REQUIRED) or -TB_EDECODE,
 * with the sentence in buf. */
int tb_text_check_field(const char *field, const char *text, size_t max, unsigned flags, char *buf,
                        size_t n);

/* Stored text made safe to print, for listings, exports and logs: every
 * character the checks above refuse is written visibly instead (a line
 * break as \n, a tab as \t, others as <U+202E>, a byte that is not UTF-8 as
 * <0xFF>), so text from an old store or another node can never move the
 * cursor, forge a line or turn a line around.  With TB_SAFE_MASK, numbers
 * that look like a mobile phone (11 digits, 1[3-9]…) or a resident ID (17
 * digits and a digit or X) are masked: 138****8000, 360826********1234.
 * Returns a malloc'd string the caller frees, or NULL when out of memory;
 * NULL in reads as "". */
enum { TB_SAFE_MASK = 1 };
char *tb_text_safe(const char *in, unsigned flags);

/* Mask the middle of a phone number into buf: 138****8000. */
void tb_mask_phone(const char *phone, char buf[32]);

#endif
