#include "tb_input.h"

#include "tb_error.h"

#include <string.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool tb_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

int tb_check_text(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len > max)
        return -TB_ETOOLONG;
    if (!tb_utf8_valid(text, len))
        return -TB_EDECODE;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t')
            return -TB_EDECODE;
    return 0;
}

int tb_check_name(const char *name)
{
    if (!name)
        return -TB_EBADNAME;
    size_t len = strlen(name);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
        if (name[i] != ' ' && name[i] != '\t')
            blank = false;
    if (blank || len > 64 || tb_check_text(name, 64) < 0 || strchr(name, '\n'))
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
