#include "tb_msg.h"

#include <stdio.h>
#include <string.h>

void tb_msg_clear(tb_msg_t *msg)
{
    if (msg)
        msg->text[0] = '\0';
}

void tb_msg_vadd(tb_msg_t *msg, const char *fmt, va_list ap)
{
    if (!msg)
        return;
    size_t used = strnlen(msg->text, sizeof msg->text - 1);
    size_t room = sizeof msg->text - used;
    int n = vsnprintf(msg->text + used, room, fmt, ap);
    if (n < 0) {
        msg->text[used] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        /* Cut: drop a UTF-8 character left half-written at the end. */
        size_t end = sizeof msg->text - 1;
        size_t k = end;
        while (k > used && ((unsigned char)msg->text[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > used && ((unsigned char)msg->text[k - 1] & 0xC0) == 0xC0) {
            unsigned char lead = (unsigned char)msg->text[k - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (end - (k - 1) < want)
                end = k - 1;
        }
        msg->text[end] = '\0';
    }
}

void tb_msg_add(tb_msg_t *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tb_msg_vadd(msg, fmt, ap);
    va_end(ap);
}
