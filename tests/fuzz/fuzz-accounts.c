/* fuzz-accounts: tb_accountlist_check() and tb_accountlist_find() on
 * untrusted bytes, the body of an "accounts/<scope>" data version that a
 * township relays and every node parses (the county signs it, but a node
 * parses what it stores, and the parser must not trust its input).
 *
 * Besides "no crash": a list the check accepts gives every login it holds
 * back by find, with its fields within their bounds and its scope inside the
 * list's; find on a list the check refuses never answers with garbage (its
 * result, when 0, is NUL-terminated).  The scope is the input's first 12
 * bytes when they are a place code, else a fixed township; the rest is the
 * body.  The verdict is the check's. */
#include "fuzz.h"
#include "tb_accountlist.h"
#include "tb_place.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_account(const tb_account_t *a)
{
    if (memchr(a->login, '\0', sizeof a->login) == NULL ||
        memchr(a->name, '\0', sizeof a->name) == NULL ||
        memchr(a->role, '\0', sizeof a->role) == NULL ||
        memchr(a->scope, '\0', sizeof a->scope) == NULL ||
        memchr(a->pw_hash, '\0', sizeof a->pw_hash) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char scope[13] = "360826100000";
    if (size >= 12) {
        char head[13];
        memcpy(head, data, 12);
        head[12] = '\0';
        if (tb_code_valid(head)) {
            memcpy(scope, head, sizeof scope);
            data += 12;
            size -= 12;
        }
    }
    const char *body = (const char *)data;
    int line = -1;
    int rc = tb_accountlist_check(body, size, scope, &line);
    fuzz_verdict_set(rc == 0);
    if (rc < 0 && line < 1 && line != -1)
        abort(); /* a line number when one is given is 1-based */
    /* Every line's first field as a login: found exactly when the list is good. */
    const char *p = body, *end = body + size;
    for (int n = 0; p < end && n < 64; n++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *tab = memchr(p, '\t', (size_t)((nl ? nl : end) - p));
        char login[40];
        size_t l = (size_t)((tab ? tab : nl ? nl : end) - p);
        if (l < sizeof login) {
            memcpy(login, p, l);
            login[l] = '\0';
            tb_account_t a;
            memset(&a, 0xa5, sizeof a);
            int f = tb_accountlist_find(body, size, login, &a);
            if (f == 0)
                check_account(&a);
            if (rc == 0 && n > 0 && f == 0 && (strcmp(a.login, login) != 0 || a.scope[0] == '\0'))
                abort();
            if (rc == 0 && n > 0 && l > 0 && memchr(login, '\0', l) == NULL && f != 0)
                abort(); /* an accepted list finds each of its logins */
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}
