/* fuzz-webjson: a JSON request body as the screens' API reads it: decoded
 * as tb_http decodes it (jansson, duplicate keys refused, an object
 * required), then its members read with tb_web_str() and tb_web_list(), the
 * list split with tb_act_split() as the village's and township's steps do.
 *
 * Properties checked besides "no crash, no leak": a refused body leaves
 * nothing decoded; tb_web_str() gives the member's own text or refuses a
 * member that is not text; a list tb_web_list() accepts splits back into as
 * many names as it had non-empty elements (or is refused as too long), none
 * holding a separator; a refused list leaves the buffer empty or a prefix. */
#include "fuzz.h"
#include "tb_act.h"
#include "tb_error.h"
#include "tb_webapi.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_list(json_t *body, const char *key)
{
    char buf[1024];
    int rc = tb_web_list(body, key, buf, sizeof buf);
    json_t *m = json_object_get(body, key);
    if (rc < 0) {
        if (rc != -TB_EBADVALUE && rc != -TB_EMATERIAL && rc != -TB_ETOOLONG)
            abort();
        if (rc == -TB_EBADVALUE && (!m || json_is_array(m) || json_is_null(m)))
            abort();
        return;
    }
    if (m && !json_is_null(m) && !json_is_array(m))
        abort(); /* accepted something that is not a list */
    size_t nonempty = 0, i;
    json_t *v;
    if (m && json_is_array(m))
        json_array_foreach(m, i, v)
        {
            const char *s = json_string_value(v);
            if (!s)
                abort(); /* accepted a list element that is not text */
            if (s[strspn(s, " \t")] != '\0')
                nonempty++;
        }
    char split[1024], *names[TB_ITEM_MATERIALS_MAX];
    int n = tb_act_split(buf, split, sizeof split, names);
    if (n == -TB_ETOOLONG)
        return;
    if (n < 0 || (size_t)n != nonempty)
        abort();
    for (int k = 0; k < n; k++)
        if (!names[k][0] || strchr(names[k], ',') || strstr(names[k], "，") ||
            strstr(names[k], "、"))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    fuzz_verdict_set(body && json_is_object(body));
    if (!body)
        return 0;
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        const char *s = NULL;
        int rc = tb_web_str(body, key, &s);
        if (json_is_string(v) ? rc != 0 || s != json_string_value(v)
            : json_is_null(v) ? rc != 0 || s
                              : rc != -TB_EBADVALUE || s)
            abort();
        check_list(body, key);
    }
    check_list(body, "materials"); /* absent: an empty list */
    json_decref(body);
    return 0;
}
