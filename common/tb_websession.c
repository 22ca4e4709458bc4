/* tb_websession: sessions of a node's screens (tb_websession.h). */
#include "tb_websession.h"

#include "tb_signin.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_place.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define TOKEN_BYTES 32
#define TOKEN_HEX (2 * TOKEN_BYTES)
#define COOKIE "tb_session"

typedef struct {
    bool used;
    char token[TOKEN_HEX + 1];
    char csrf[TOKEN_HEX + 1];
    tb_webuser_t user;
    uint64_t created, last;
} session_t;

typedef struct {
    char addr[TB_HTTP_PEER_MAX];
    uint64_t first; /* time of the first failure of the window */
    unsigned count;
} failures_t;

struct tb_websess {
    tb_websess_verify_fn verify;
    void *ctx;
    uint64_t (*now)(void);
    session_t s[TB_WEBSESS_MAX];
    failures_t f[TB_WEBSESS_ADDRS];
};

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

int tb_websess_new(tb_websess_verify_fn verify, void *ctx, tb_websess_t **ret)
{
    /* The dummy hash an unknown login is checked against (tb_signin.h),
     * made before the first sign-in rather than during it. */
    if (tb_signin_init() < 0)
        return -ENOMEM;
    tb_websess_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->verify = verify;
    self->ctx = ctx;
    self->now = mono_now;
    *ret = self;
    return 0;
}

void tb_websess_free(tb_websess_t **self_p)
{
    if (*self_p) {
        sodium_memzero(*self_p, sizeof **self_p);
        free(*self_p);
        *self_p = NULL;
    }
}

void tb_websess_set_clock(tb_websess_t *self, uint64_t (*now)(void))
{
    self->now = now ? now : mono_now;
}

static int random_hex(char ret[TOKEN_HEX + 1])
{
    unsigned char raw[TOKEN_BYTES];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -EIO;
    sodium_bin2hex(ret, TOKEN_HEX + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

/* Constant time for a candidate of the right length: the length of a token
 * is public. */
static bool token_eq(const char *a, const char *b)
{
    return a && strlen(a) == TOKEN_HEX && sodium_memcmp(a, b, TOKEN_HEX) == 0;
}

static bool expired(const session_t *s, uint64_t now)
{
    return now - s->last >= TB_WEBSESS_IDLE_S || now - s->created >= TB_WEBSESS_ABS_S;
}

static void end(session_t *s)
{
    sodium_memzero(s, sizeof *s);
}

/* The live session of the request's cookie, or NULL (an expired one ends). */
static session_t *find(tb_websess_t *self, const tb_http_req_t *req)
{
    const char *c = tb_http_cookie(req, COOKIE);
    if (!c || strlen(c) != TOKEN_HEX)
        return NULL;
    uint64_t now = self->now();
    session_t *hit = NULL;
    for (size_t i = 0; i < TB_WEBSESS_MAX; i++)
        if (self->s[i].used && token_eq(c, self->s[i].token))
            hit = &self->s[i];
    if (hit && expired(hit, now)) {
        end(hit);
        return NULL;
    }
    return hit;
}

unsigned tb_websess_count(tb_websess_t *self)
{
    uint64_t now = self->now();
    unsigned n = 0;
    for (size_t i = 0; i < TB_WEBSESS_MAX; i++) {
        if (!self->s[i].used)
            continue;
        if (expired(&self->s[i], now))
            end(&self->s[i]);
        else
            n++;
    }
    return n;
}

void tb_websess_drop(tb_websess_t *self, const char *login)
{
    for (size_t i = 0; i < TB_WEBSESS_MAX; i++)
        if (self->s[i].used && strcmp(self->s[i].user.login, login) == 0)
            end(&self->s[i]);
}

/* A free slot: an unused or expired one, else the least recently used. */
static session_t *slot(tb_websess_t *self, uint64_t now)
{
    session_t *lru = &self->s[0];
    for (size_t i = 0; i < TB_WEBSESS_MAX; i++) {
        session_t *s = &self->s[i];
        if (!s->used || expired(s, now))
            return s;
        if (s->last < lru->last)
            lru = s;
    }
    return lru;
}

/* ---- failures per address ---- */

static bool live(const failures_t *f, uint64_t now)
{
    return f->count && now - f->first < TB_WEBSESS_FAIL_WINDOW_S;
}

/* The failures of addr within the window; with create, a new record when
 * there is none (in a free slot, else the one whose window began first). */
static failures_t *failures_of(tb_websess_t *self, const char *addr, bool create, uint64_t now)
{
    failures_t *victim = NULL;
    for (size_t i = 0; i < TB_WEBSESS_ADDRS; i++) {
        failures_t *f = &self->f[i];
        if (live(f, now) && strcmp(f->addr, addr) == 0)
            return f;
        if (!victim || (live(victim, now) && (!live(f, now) || f->first < victim->first)))
            victim = f;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->addr, sizeof victim->addr, "%s", addr);
    return victim;
}

static void failed(tb_websess_t *self, const char *addr, uint64_t now)
{
    failures_t *f = failures_of(self, addr, true, now);
    if (f->count == 0)
        f->first = now;
    f->count++;
}

static bool limited(tb_websess_t *self, const char *addr, uint64_t now)
{
    failures_t *f = failures_of(self, addr, false, now);
    return f && f->count >= TB_WEBSESS_FAIL_MAX;
}

/* ---- the routes ---- */

static json_t *user_json(const session_t *s)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", s->user.login, "name", s->user.name, "role",
                     s->user.role, "scope", s->user.scope, "csrf", s->csrf);
}

static void clear_cookie(tb_http_resp_t *resp)
{
    tb_http_reply_header(resp, "Set-Cookie",
                         COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

void tb_websess_login(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    char addr[TB_HTTP_PEER_MAX];
    tb_http_peer(req, addr);
    uint64_t now = self->now();
    if (limited(self, addr, now)) {
        tb_http_reply_error(
            resp, 429, "rate_limited",
            TB_TR("登录失败次数过多，请稍后再试", "too many failed sign-ins: try again later"));
        return;
    }
    json_t *body = tb_http_json_body(req);
    const char *login = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!json_is_object(body) || !login || !password || !login[0] ||
        strlen(login) > TB_WEB_LOGIN_MAX || strlen(password) > TB_WEB_PASSWORD_MAX) {
        tb_http_reply_error(resp, 400, "bad_request",
                            TB_TR("请填写账号和密码", "give a login and a password"));
        return;
    }
    tb_webuser_t u = {0};
    int rc = self->verify(self->ctx, login, password, &u);
    if (rc == -TB_EAUTH || rc == -TB_ELOCKED) {
        failed(self, addr, now);
        if (rc == -TB_EAUTH)
            tb_http_reply_error(resp, 401, "wrong_login",
                                TB_TR("账号或密码错误", "wrong login or password"));
        else
            tb_http_reply_error(resp, 423, "locked",
                                TB_TR("账号已锁定，请稍后再试或联系管理员",
                                      "the account is locked: try later or ask an administrator"));
        return;
    }
    if (rc < 0) {
        tb_http_reply_error(resp, 500, "store", tb_strerror(rc));
        return;
    }
    /* A sign-in always opens a new session (no fixation): the old one ends. */
    session_t *old = find(self, req);
    if (old)
        end(old);
    session_t *s = slot(self, now);
    end(s);
    if (random_hex(s->token) < 0 || random_hex(s->csrf) < 0) {
        end(s);
        tb_http_reply_error(resp, 500, "random", tb_strerror(-EIO));
        return;
    }
    s->used = true;
    s->user = u;
    s->user.login[TB_WEB_LOGIN_MAX] = '\0';
    s->user.name[sizeof s->user.name - 1] = '\0';
    s->user.role[sizeof s->user.role - 1] = '\0';
    s->user.scope[sizeof s->user.scope - 1] = '\0';
    s->created = s->last = now;
    char cookie[TOKEN_HEX + 64];
    snprintf(cookie, sizeof cookie, COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/", s->token);
    tb_http_reply_json(resp, 200, user_json(s));
    tb_http_reply_header(resp, "Set-Cookie", cookie);
    tb_http_reply_header(resp, "Cache-Control", "no-store");
}

void tb_websess_logout(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    session_t *s = find(self, req);
    if (s)
        end(s);
    tb_http_reply_bytes(resp, 204, "text/plain", "", 0);
    clear_cookie(resp);
}

static void unauthenticated(tb_http_resp_t *resp)
{
    tb_http_reply_error(resp, 401, "unauthenticated", TB_TR("请先登录", "sign in first"));
}

void tb_websess_me(tb_websess_t *self, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    session_t *s = find(self, req);
    if (!s) {
        unauthenticated(resp);
        return;
    }
    s->last = self->now();
    tb_http_reply_json(resp, 200, user_json(s));
    tb_http_reply_header(resp, "Cache-Control", "no-store");
}

const tb_webuser_t *tb_websess_require(tb_websess_t *self, const tb_http_req_t *req,
                                       tb_http_resp_t *resp)
{
    session_t *s = find(self, req);
    if (!s) {
        unauthenticated(resp);
        return NULL;
    }
    const char *m = tb_http_method(req);
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
        !token_eq(tb_http_header(req, "X-CSRF-Token"), s->csrf)) {
        tb_http_reply_error(resp, 403, "csrf",
                            TB_TR("页面已过期，请刷新后重试", "the page is stale: reload it"));
        return NULL;
    }
    s->last = self->now();
    return &s->user;
}

bool tb_web_in_scope(const char *scope, const char *place)
{
    if (!scope || !place || !tb_code_valid(place))
        return false;
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

bool tb_websess_scope(const tb_webuser_t *user, const char *place, tb_http_resp_t *resp)
{
    if (user && tb_web_in_scope(user->scope, place))
        return true;
    tb_http_reply_error(resp, 403, "forbidden",
                        TB_TR("超出本账号的辖区", "outside this account's area"));
    return false;
}
