#include "tb_i18n.h"

#include <stdlib.h>
#include <string.h>

/* -1: not decided yet.  Read once; a process never changes language midway. */
static int lang_en = -1;
/* The language of the web request this thread is answering (?lang=), -1 when
 * none: per thread, since the county's dashboard answers on its own thread
 * while the county's loop goes on in the process's language. */
static _Thread_local int lang_req = -1;

static bool starts_en(const char *v)
{
    return v && v[0] == 'e' && v[1] == 'n';
}

bool tb_lang_en(void)
{
    if (lang_req >= 0)
        return lang_req == 1;
    if (lang_en < 0) {
        const char *names[] = {"TONGBAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"};
        lang_en = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const char *v = getenv(names[i]);
            if (v && *v) {
                lang_en = starts_en(v);
                break;
            }
        }
    }
    return lang_en == 1;
}

void tb_lang_set_en(bool en)
{
    lang_en = en ? 1 : 0;
}

void tb_lang_request(const char *lang)
{
    lang_req = lang ? starts_en(lang) : -1;
}
