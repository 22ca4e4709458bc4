/* tb_accountlist: the distributed account lists (tb_accountlist.h). */
#include "tb_accountlist.h"

#include "tb_error.h"
#include "tb_place.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const roles[] = {"supervisor", "backoffice", "window", "agent", "auditor"};

bool tb_accountlist_kind(const char *kind, char ret_scope[13])
{
    size_t n = strlen(TB_DATA_ACCOUNTS);
    if (!kind || strncmp(kind, TB_DATA_ACCOUNTS, n) != 0 || !tb_code_valid(kind + n))
        return false;
    if (ret_scope)
        memcpy(ret_scope, kind + n, 13);
    return true;
}

/* Copy field [s, e) into out (size cap), refusing empty or oversized. */
static bool field(const char *s, const char *e, char *out, size_t cap)
{
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= cap || memchr(s, '\0', n))
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* Parse one line [s, e) into a. */
static bool parse_line(const char *s, const char *e, tb_account_t *a)
{
    const char *f[6], *fe[6];
    const char *p = s;
    for (int i = 0; i < 6; i++) {
        f[i] = p;
        const char *t = i < 5 ? memchr(p, '\t', (size_t)(e - p)) : NULL;
        fe[i] = t ? t : e;
        if (i < 5 && !t)
            return false;
        p = fe[i] + 1;
    }
    if (memchr(f[5], '\t', (size_t)(e - f[5])))
        return false;
    char en[4];
    if (!field(f[0], fe[0], a->login, sizeof a->login) ||
        !field(f[1], fe[1], a->name, sizeof a->name) ||
        !field(f[2], fe[2], a->role, sizeof a->role) ||
        !field(f[3], fe[3], a->scope, sizeof a->scope) || !field(f[4], fe[4], en, sizeof en) ||
        !field(f[5], fe[5], a->pw_hash, sizeof a->pw_hash))
        return false;
    if (strcmp(en, "0") && strcmp(en, "1"))
        return false;
    a->enabled = en[0] == '1';
    bool role = false;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        role |= strcmp(a->role, roles[i]) == 0;
    for (const char *c = a->login; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
              *c == '-'))
            return false;
    return role && tb_code_valid(a->scope) && strncmp(a->pw_hash, "$argon2id$", 10) == 0;
}

/* In scope: the same rule as tb_web_in_scope (township: its villages too). */
static bool inside(const char *scope, const char *place)
{
    switch (tb_code_level(scope)) {
    case TB_LEVEL_COUNTY:
        return tb_code_level(place) != TB_LEVEL_NONE && memcmp(scope, place, 6) == 0;
    case TB_LEVEL_TOWNSHIP:
        return tb_code_level(place) >= TB_LEVEL_TOWNSHIP && memcmp(scope, place, 9) == 0;
    case TB_LEVEL_VILLAGE:
        return strcmp(scope, place) == 0;
    default:
        return false;
    }
}

/* Walk the lines; for each account call back.  -TB_EDATA at the first bad line. */
typedef int (*line_fn)(void *ctx, const tb_account_t *a);
static int walk(const char *body, size_t len, int *ret_line, line_fn fn, void *ctx)
{
    size_t hl = strlen(TB_ACCOUNTS_HEADER);
    int line = 1;
    if (len < hl || memcmp(body, TB_ACCOUNTS_HEADER, hl) != 0)
        goto bad;
    const char *p = body + hl, *end = body + len;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            goto bad; /* every line ends with a newline */
        tb_account_t a;
        if (!parse_line(p, nl, &a))
            goto bad;
        int rc = fn(ctx, &a);
        if (rc < 0)
            goto bad;
        if (rc > 0)
            return rc;
        p = nl + 1;
    }
    return 0;
bad:
    if (ret_line)
        *ret_line = line;
    return -TB_EDATA;
}

typedef struct {
    const char *scope;
    const char *body;
    size_t len;
} check_t;

static int check_one(void *ctx, const tb_account_t *a)
{
    check_t *c = ctx;
    if (!inside(c->scope, a->scope))
        return -1;
    /* No login twice: the lines before this one (by search: lists are small). */
    size_t ll = strlen(a->login);
    const char *p = c->body + strlen(TB_ACCOUNTS_HEADER), *end = c->body + c->len;
    int count = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end; /* a last line without its newline (walk refuses it when it gets there) */
        if ((size_t)(nl - p) > ll && memcmp(p, a->login, ll) == 0 && p[ll] == '\t')
            count++;
        p = nl + 1;
    }
    return count == 1 ? 0 : -1;
}

int tb_accountlist_check(const char *body, size_t len, const char *scope, int *ret_line)
{
    if (!tb_code_valid(scope))
        return -TB_EDATA;
    check_t c = {.scope = scope, .body = body, .len = len};
    return walk(body, len, ret_line, check_one, &c);
}

typedef struct {
    const char *login;
    tb_account_t *ret;
} find_t;

static int find_one(void *ctx, const tb_account_t *a)
{
    find_t *f = ctx;
    if (strcmp(a->login, f->login) != 0)
        return 0;
    *f->ret = *a;
    return 1;
}

int tb_accountlist_find(const char *body, size_t len, const char *login, tb_account_t *ret)
{
    find_t f = {login, ret};
    int rc = walk(body, len, NULL, find_one, &f);
    return rc == 1 ? 0 : rc < 0 ? rc : -ENOENT;
}
