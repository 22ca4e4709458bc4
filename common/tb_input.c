#include "tb_input.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Decode one UTF-8 character at p (len bytes left): its length, or 0 when
 * the bytes there are not UTF-8 (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t utf8_next(const unsigned char *p, size_t len, uint32_t *ret_cp)
{
    uint32_t c = p[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *ret_cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 1, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n >= len)
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *ret_cp = c;
    return n + 1;
}

bool tb_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_next(p + i, len - i, &c);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

static bool is_bidi(uint32_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static bool is_zero_width(uint32_t c)
{
    return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || c == 0x180E;
}

static bool is_blank(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0x3000 || c == 0xA0;
}

/* The fault of one character, or TB_TEXT_OK. */
static tb_text_fault_t char_fault(uint32_t c, unsigned flags)
{
    if (c == '\n' || c == '\t')
        return flags & TB_TEXT_MULTILINE ? TB_TEXT_OK : TB_TEXT_NEWLINE;
    if (c == 0x2028 || c == 0x2029)
        return TB_TEXT_NEWLINE;
    if (c < 0x20 || c == 0x7F)
        return TB_TEXT_CONTROL;
    if (c >= 0x80 && c <= 0x9F)
        return TB_TEXT_C1;
    if (is_bidi(c))
        return TB_TEXT_BIDI;
    return TB_TEXT_OK;
}

tb_text_fault_t tb_text_inspect(const char *text, size_t max, unsigned flags,
                                tb_text_problem_t *ret)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t len = strlen((const char *)p);
    *ret = (tb_text_problem_t){TB_TEXT_OK, 0, 0, len, max};
    if (len > max) {
        ret->fault = TB_TEXT_TOOLONG;
        return ret->fault;
    }
    bool blank = true, zero_width = false;
    size_t i = 0, at = 0;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_next(p + i, len - i, &c);
        at++;
        if (!n) {
            *ret = (tb_text_problem_t){TB_TEXT_UTF8, p[i], at, len, max};
            return ret->fault;
        }
        tb_text_fault_t f = char_fault(c, flags);
        if (f != TB_TEXT_OK) {
            *ret = (tb_text_problem_t){f, c, at, len, max};
            return f;
        }
        if (is_zero_width(c))
            zero_width = true;
        else if (!is_blank(c))
            blank = false;
        i += n;
    }
    if (blank && zero_width)
        ret->fault = TB_TEXT_INVISIBLE;
    else if (blank && (flags & TB_TEXT_REQUIRED))
        ret->fault = TB_TEXT_EMPTY;
    return ret->fault;
}

const char *tb_text_describe(const char *field, const tb_text_problem_t *p, char *buf, size_t n)
{
    unsigned cp = (unsigned)p->cp;
    if (!n)
        return buf;
    switch (p->fault) {
    case TB_TEXT_OK:
        snprintf(buf, n, "%s", field);
        break;
    case TB_TEXT_EMPTY:
        snprintf(buf, n, TB_TR("%s不能为空", "%s must not be empty"), field);
        break;
    case TB_TEXT_TOOLONG:
        snprintf(buf, n, TB_TR("%s过长（最多 %zu 字节）", "%s is too long (at most %zu bytes)"),
                 field, p->max);
        break;
    case TB_TEXT_UTF8:
        snprintf(buf, n,
                 TB_TR("%s不是有效的 UTF-8 文字（第 %zu 个字符处是字节 0x%02X）",
                       "%s is not valid UTF-8 text (character %zu is the byte 0x%02X)"),
                 field, p->at, cp);
        break;
    case TB_TEXT_NEWLINE:
        snprintf(buf, n,
                 TB_TR("%s须为一行，不能含换行符或制表符 U+%04X（第 %zu 个字符）",
                       "%s must be one line: it has the line break or tab U+%04X (character %zu)"),
                 field, cp, p->at);
        break;
    case TB_TEXT_CONTROL:
        snprintf(buf, n,
                 TB_TR("%s含控制字符 U+%04X（第 %zu 个字符）",
                       "%s has the control character U+%04X (character %zu)"),
                 field, cp, p->at);
        break;
    case TB_TEXT_C1:
        snprintf(buf, n,
                 TB_TR("%s含 C1 控制字符 U+%04X（第 %zu 个字符）",
                       "%s has the C1 control character U+%04X (character %zu)"),
                 field, cp, p->at);
        break;
    case TB_TEXT_BIDI:
        snprintf(buf, n,
                 TB_TR("%s含双向文字控制符 U+%04X（第 %zu 个字符），它会改变文字的显示顺序",
                       "%s has the bidirectional control U+%04X (character %zu), which reorders "
                       "what is shown"),
                 field, cp, p->at);
        break;
    case TB_TEXT_INVISIBLE:
        snprintf(buf, n,
                 TB_TR("%s只有零宽字符，看起来是空的",
                       "%s holds only zero-width characters: it would look empty"),
                 field);
        break;
    }
    return buf;
}

static int fault_rc(tb_text_fault_t f)
{
    switch (f) {
    case TB_TEXT_OK:
        return 0;
    case TB_TEXT_TOOLONG:
        return -TB_ETOOLONG;
    case TB_TEXT_EMPTY:
        return -TB_EBADNAME;
    default:
        return -TB_EDECODE;
    }
}

int tb_text_check_field(const char *field, const char *text, size_t max, unsigned flags, char *buf,
                        size_t n)
{
    tb_text_problem_t p;
    if (tb_text_inspect(text, max, flags, &p) == TB_TEXT_OK)
        return 0;
    tb_text_describe(field, &p, buf, n);
    return fault_rc(p.fault);
}

int tb_check_text(const char *text, size_t max)
{
    tb_text_problem_t p;
    return fault_rc(tb_text_inspect(text, max, TB_TEXT_MULTILINE, &p));
}

int tb_check_line(const char *text, size_t max)
{
    tb_text_problem_t p;
    return fault_rc(tb_text_inspect(text, max, 0, &p));
}

int tb_check_name(const char *name)
{
    tb_text_problem_t p;
    if (!name || tb_text_inspect(name, 64, TB_TEXT_REQUIRED, &p) != TB_TEXT_OK)
        return -TB_EBADNAME;
    return 0;
}

int tb_check_phone(const char *phone)
{
    if (!phone)
        return -TB_EBADPHONE;
    size_t len = strlen(phone);
    /* Mobile: 11 digits, 1[3-9]xxxxxxxxx. */
    if (len == 11 && digits(phone, 11) && phone[0] == '1' && phone[1] >= '3')
        return 0;
    /* Landline: 0 + area code (2-3 digits) + optional '-' + 7-8 digits. */
    if (len >= 10 && len <= 13 && phone[0] == '0') {
        const char *dash = strchr(phone, '-');
        if (dash) {
            size_t area = (size_t)(dash - phone);
            size_t local = len - area - 1;
            if (area >= 3 && area <= 4 && digits(phone, area) && local >= 7 && local <= 8 &&
                digits(dash + 1, local))
                return 0;
        } else if (digits(phone, len) && len >= 10 && len <= 12) {
            return 0;
        }
    }
    return -TB_EBADPHONE;
}

void tb_mask_phone(const char *phone, char buf[32])
{
    size_t len = strlen(phone);
    if (len < 7 || len >= 32) {
        snprintf(buf, 32, "%s", len >= 32 ? "" : phone);
        return;
    }
    memcpy(buf, phone, len + 1);
    for (size_t i = len - 8 < len ? len - 8 : 0; i < len - 4; i++)
        if (i >= 3)
            buf[i] = '*';
}

/* A run of n digits at s (with an X last for an ID) that a longer run of
 * digits does not continue on either side: how many of its bytes to mask
 * and from where, or 0. */
static size_t number_at(const unsigned char *s, size_t i, size_t len, size_t *ret_keep_head)
{
    if (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        return 0;
    size_t k = i;
    while (k < len && s[k] >= '0' && s[k] <= '9')
        k++;
    size_t run = k - i;
    bool x = run == 17 && k < len && (s[k] == 'X' || s[k] == 'x');
    if (x)
        k++, run++;
    if (k < len && ((s[k] >= '0' && s[k] <= '9') || (!x && (s[k] == 'X' || s[k] == 'x'))))
        return 0;
    if (run == 18) {
        *ret_keep_head = 6;
        return 18;
    }
    if (run == 11 && s[i] == '1' && s[i + 1] >= '3') {
        *ret_keep_head = 3;
        return 11;
    }
    return 0;
}

char *tb_text_safe(const char *in, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    size_t len = strlen((const char *)p);
    /* The widest escape, <U+10FFFF>, is 10 bytes for at least one byte in. */
    char *out = malloc(len * 10 + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    while (i < len) {
        size_t head;
        size_t run =
            (flags & TB_SAFE_MASK) && p[i] >= '0' && p[i] <= '9' ? number_at(p, i, len, &head) : 0;
        if (run) {
            for (size_t k = 0; k < run; k++)
                out[o++] = k < head || k >= run - 4 ? (char)p[i + k] : '*';
            i += run;
            continue;
        }
        uint32_t c;
        size_t n = utf8_next(p + i, len - i, &c);
        if (!n) {
            o += (size_t)sprintf(out + o, "<0x%02X>", p[i]);
            i++;
            continue;
        }
        if (c == '\n') {
            out[o++] = '\\', out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\', out[o++] = 't';
        } else if (char_fault(c, 0) != TB_TEXT_OK) {
            o += (size_t)sprintf(out + o, "<U+%04X>", (unsigned)c);
        } else {
            memcpy(out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}
