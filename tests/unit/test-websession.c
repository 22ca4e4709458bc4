/* tb_websession against real TCP connections on loopback: the server runs
 * on the test's libuv loop with the session routes and two guarded routes,
 * a client thread signs in and out, forges, replays and exhausts, and checks
 * each answer.  The sessions' clock is the test's (fake_now). */
#include "tb_error.h"
#include "tb_websession.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include "tb_test_http.h"

static _Atomic uint64_t fake_now = 1000000;
static uint64_t now_fn(void)
{
    return fake_now;
}

/* The accounts: wang/right (an agent of one village); "locked" is locked;
 * "broken" fails like a store; anything else is a wrong login. */
static int verify(void *ctx, const char *login, const char *password, tb_webuser_t *ret)
{
    (void)ctx;
    if (strcmp(login, "locked") == 0)
        return -TB_ELOCKED;
    if (strcmp(login, "broken") == 0)
        return -TB_ESTORE;
    if (strcmp(login, "wang") != 0 || strcmp(password, "right") != 0)
        return -TB_EAUTH;
    snprintf(ret->login, sizeof ret->login, "%s", login);
    snprintf(ret->name, sizeof ret->name, "王小明");
    snprintf(ret->role, sizeof ret->role, "agent");
    snprintf(ret->scope, sizeof ret->scope, "360826100001");
    return 0;
}

static void on_login(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_websess_login(ctx, req, resp);
}
static void on_logout(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_websess_logout(ctx, req, resp);
}
static void on_me(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    tb_websess_me(ctx, req, resp);
}
static void on_thing(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    const tb_webuser_t *u = tb_websess_require(ctx, req, resp);
    if (u)
        tb_http_reply_json(resp, 200, json_pack("{s:s}", "actor", u->login));
}
static void on_place(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    const tb_webuser_t *u = tb_websess_require(ctx, req, resp);
    if (u && tb_websess_scope(u, tb_http_param(req), resp))
        tb_http_reply_json(resp, 200, json_pack("{s:s}", "place", tb_http_param(req)));
}

static const tb_http_route_t routes[] = {
    {"POST", "/api/login", on_login, true},  {"POST", "/api/logout", on_logout, false},
    {"GET", "/api/me", on_me, false},        {"GET", "/api/thing", on_thing, false},
    {"POST", "/api/thing", on_thing, false}, {"GET", "/api/place/*", on_place, false},
};

/* ---- the client side ---- */

static uint16_t port;

/* A request with an optional cookie, CSRF header and JSON body. */
static char *req(const char *method, const char *path, const char *cookie, const char *csrf,
                 const char *body)
{
    char raw[2048], c[160] = "", x[160] = "";
    if (cookie)
        snprintf(c, sizeof c, "Cookie: tb_session=%s\r\n", cookie);
    if (csrf)
        snprintf(x, sizeof x, "X-CSRF-Token: %s\r\n", csrf);
    snprintf(raw, sizeof raw,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             method, path, c, x, body ? strlen(body) : 0, body ? body : "");
    return tb_test_exchange(port, raw, strlen(raw));
}

/* The value of "tb_session=" in a Set-Cookie header, and of "csrf" in the body. */
static void grab(const char *resp, char cookie[65], char csrf[65])
{
    cookie[0] = csrf[0] = '\0';
    const char *p = resp ? strstr(resp, "Set-Cookie: tb_session=") : NULL;
    if (p)
        sscanf(p + strlen("Set-Cookie: tb_session="), "%64[0-9a-f]", cookie);
    p = resp ? strstr(resp, "\"csrf\":\"") : NULL;
    if (p)
        sscanf(p + strlen("\"csrf\":\""), "%64[0-9a-f]", csrf);
}

typedef struct {
    int failures;
    char log[8192];
} result_t;
static result_t result;
static uv_async_t done;

static void expect(bool ok, const char *what, const char *resp)
{
    if (!ok) {
        result.failures++;
        size_t used = strlen(result.log);
        snprintf(result.log + used, sizeof result.log - used, "FAILED: %s; got: %.400s\n", what,
                 resp ? resp : "(no connection)");
    }
}

#define RIGHT "{\"login\":\"wang\",\"password\":\"right\"}"

static void sign_in(char cookie[65], char csrf[65])
{
    char *s = req("POST", "/api/login", NULL, NULL, RIGHT);
    grab(s, cookie, csrf);
    expect(tb_test_status(s) == 200 && strlen(cookie) == 64 && strlen(csrf) == 64, "sign in", s);
    free(s);
}

static void *client(void *arg)
{
    (void)arg;
    char *s, cookie[65], csrf[65], c2[65], x2[65];

    /* Nobody signed in. */
    s = req("GET", "/api/thing", NULL, NULL, NULL);
    expect(tb_test_status(s) == 401 && strstr(s, "\"code\":\"unauthenticated\""), "no cookie: 401",
           s);
    free(s);
    s = req("GET", "/api/me", NULL, NULL, NULL);
    expect(tb_test_status(s) == 401, "me without cookie: 401", s);
    free(s);

    /* Malformed bodies. */
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"wang\"}");
    expect(tb_test_status(s) == 400, "no password: 400", s);
    free(s);
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":7,\"password\":\"right\"}");
    expect(tb_test_status(s) == 400, "login not text: 400", s);
    free(s);
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"\",\"password\":\"right\"}");
    expect(tb_test_status(s) == 400, "empty login: 400", s);
    free(s);
    s = req("POST", "/api/login", NULL, NULL,
            "{\"login\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"password\":\"right\"}");
    expect(tb_test_status(s) == 400, "login of 33 bytes: 400", s);
    free(s);
    s = req("POST", "/api/login", NULL, NULL, "login=wang");
    expect(tb_test_status(s) == 400, "not JSON: 400", s);
    free(s);

    /* Sign in: the body, the cookie's attributes. */
    s = req("POST", "/api/login", NULL, NULL, RIGHT);
    grab(s, cookie, csrf);
    expect(tb_test_status(s) == 200, "right password: 200", s);
    expect(s && strstr(s, "\"login\":\"wang\"") && strstr(s, "\"name\":\"王小明\"") &&
               strstr(s, "\"role\":\"agent\"") && strstr(s, "\"scope\":\"360826100001\""),
           "login's body names the person", s);
    expect(strlen(cookie) == 64 && strlen(csrf) == 64 && strcmp(cookie, csrf) != 0,
           "256-bit cookie and a different CSRF token", s);
    expect(s && strstr(s, "; HttpOnly; SameSite=Strict; Path=/\r\n"), "cookie attributes", s);
    expect(s && !strstr(s, "right"), "the password is not echoed", s);
    free(s);

    s = req("GET", "/api/me", cookie, NULL, NULL);
    expect(tb_test_status(s) == 200 && strstr(s, csrf) && strstr(s, "\"login\":\"wang\""),
           "me: 200 with the same CSRF token", s);
    free(s);
    s = req("GET", "/api/thing", cookie, NULL, NULL);
    expect(tb_test_status(s) == 200 && strstr(s, "{\"actor\":\"wang\"}"), "GET needs no CSRF", s);
    free(s);

    /* CSRF on a change. */
    s = req("POST", "/api/thing", cookie, NULL, "{}");
    expect(tb_test_status(s) == 403 && strstr(s, "\"code\":\"csrf\""), "POST without CSRF: 403", s);
    free(s);
    char wrong[65];
    memcpy(wrong, csrf, 65);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    s = req("POST", "/api/thing", cookie, wrong, "{}");
    expect(tb_test_status(s) == 403, "POST with a wrong CSRF token: 403", s);
    free(s);
    s = req("POST", "/api/thing", cookie, cookie, "{}");
    expect(tb_test_status(s) == 403, "POST with the cookie as CSRF token: 403", s);
    free(s);
    s = req("POST", "/api/thing", cookie, csrf, "{}");
    expect(tb_test_status(s) == 200 && strstr(s, "{\"actor\":\"wang\"}"), "POST with CSRF: 200", s);
    free(s);

    /* Scope. */
    s = req("GET", "/api/place/360826100001", cookie, NULL, NULL);
    expect(tb_test_status(s) == 200, "own village: 200", s);
    free(s);
    s = req("GET", "/api/place/360826100002", cookie, NULL, NULL);
    expect(tb_test_status(s) == 403 && strstr(s, "\"code\":\"forbidden\""), "other village: 403",
           s);
    free(s);
    s = req("GET", "/api/place/360826100000", cookie, NULL, NULL);
    expect(tb_test_status(s) == 403, "its township: 403", s);
    free(s);

    /* A forged cookie, then one a character short. */
    char forged[65];
    memcpy(forged, cookie, 65);
    forged[63] = forged[63] == '0' ? '1' : '0';
    s = req("GET", "/api/thing", forged, NULL, NULL);
    expect(tb_test_status(s) == 401, "forged cookie: 401", s);
    free(s);
    forged[63] = '\0';
    s = req("GET", "/api/thing", forged, NULL, NULL);
    expect(tb_test_status(s) == 401, "short cookie: 401", s);
    free(s);

    /* A new sign-in with the old cookie ends the old session. */
    s = req("POST", "/api/login", cookie, NULL, RIGHT);
    grab(s, c2, x2);
    expect(tb_test_status(s) == 200 && strcmp(c2, cookie) != 0, "sign in again: a new cookie", s);
    free(s);
    s = req("GET", "/api/me", cookie, NULL, NULL);
    expect(tb_test_status(s) == 401, "the old cookie no longer works", s);
    free(s);

    /* Sign out. */
    s = req("POST", "/api/logout", c2, NULL, NULL);
    expect(tb_test_status(s) == 204 && strstr(s, "Set-Cookie: tb_session=; ") &&
               strstr(s, "Max-Age=0"),
           "logout: 204, cookie cleared", s);
    free(s);
    s = req("GET", "/api/me", c2, NULL, NULL);
    expect(tb_test_status(s) == 401, "after logout: 401", s);
    free(s);

    /* Idle expiry: each use moves it on; a pause of TB_WEBSESS_IDLE_S ends it. */
    sign_in(cookie, csrf);
    for (int i = 0; i < 3; i++) {
        fake_now += TB_WEBSESS_IDLE_S - 1;
        s = req("GET", "/api/thing", cookie, NULL, NULL);
        expect(tb_test_status(s) == 200, "used within the idle time: 200", s);
        free(s);
    }
    fake_now += TB_WEBSESS_IDLE_S;
    s = req("GET", "/api/thing", cookie, NULL, NULL);
    expect(tb_test_status(s) == 401, "idle too long: 401", s);
    free(s);
    /* Absolute expiry: used all the time, it ends TB_WEBSESS_ABS_S after sign-in. */
    sign_in(cookie, csrf);
    uint64_t t0 = fake_now;
    while (fake_now + TB_WEBSESS_IDLE_S / 2 < t0 + TB_WEBSESS_ABS_S) {
        fake_now += TB_WEBSESS_IDLE_S / 2;
        s = req("GET", "/api/thing", cookie, NULL, NULL);
        expect(tb_test_status(s) == 200, "in use before the absolute end: 200", s);
        free(s);
    }
    fake_now = t0 + TB_WEBSESS_ABS_S;
    s = req("GET", "/api/thing", cookie, NULL, NULL);
    expect(tb_test_status(s) == 401, "at the absolute end: 401", s);
    free(s);

    /* The number of sessions is bounded: the least recently used goes. */
    char first[65], second[65];
    sign_in(first, csrf);
    fake_now += 1;
    sign_in(second, csrf);
    fake_now += 1;
    s = req("GET", "/api/me", first, NULL, NULL); /* first is now more recent than second */
    free(s);
    fake_now += 1;
    for (int i = 0; i < TB_WEBSESS_MAX - 1; i++)
        sign_in(cookie, csrf);
    s = req("GET", "/api/me", second, NULL, NULL);
    expect(tb_test_status(s) == 401, "over the bound: the least recently used session ends", s);
    free(s);
    s = req("GET", "/api/me", first, NULL, NULL);
    expect(tb_test_status(s) == 200, "over the bound: a recently used one stays", s);
    free(s);

    /* Failures: one message for an unknown login and a wrong password. */
    fake_now += 10;
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"wang\",\"password\":\"wrong\"}");
    expect(tb_test_status(s) == 401 && strstr(s, "\"code\":\"wrong_login\"") &&
               !strstr(s, "Set-Cookie"),
           "wrong password: 401, no cookie", s);
    char *u = req("POST", "/api/login", NULL, NULL, "{\"login\":\"nobody\",\"password\":\"x\"}");
    expect(tb_test_status(u) == 401 && s &&
               strcmp(strstr(s, "\r\n\r\n"), strstr(u, "\r\n\r\n")) == 0,
           "unknown login: the same 401", u);
    free(s);
    free(u);
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"locked\",\"password\":\"x\"}");
    expect(tb_test_status(s) == 423 && strstr(s, "\"code\":\"locked\""), "locked: 423", s);
    free(s);
    s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"broken\",\"password\":\"x\"}");
    expect(tb_test_status(s) == 500, "store failure: 500", s);
    free(s);
    /* Three failures so far from this address; the rest reach the limit. */
    for (int i = 0; i < TB_WEBSESS_FAIL_MAX - 3; i++) {
        s = req("POST", "/api/login", NULL, NULL, "{\"login\":\"wang\",\"password\":\"bad\"}");
        expect(tb_test_status(s) == 401, "wrong password again: 401", s);
        free(s);
    }
    s = req("POST", "/api/login", NULL, NULL, RIGHT);
    expect(tb_test_status(s) == 429 && strstr(s, "\"code\":\"rate_limited\"") &&
               !strstr(s, "Set-Cookie"),
           "after the limit of failures even the right password: 429", s);
    free(s);
    fake_now += TB_WEBSESS_FAIL_WINDOW_S;
    s = req("POST", "/api/login", NULL, NULL, RIGHT);
    expect(tb_test_status(s) == 200, "after the window: 200", s);
    free(s);

    uv_async_send(&done);
    return NULL;
}

typedef struct {
    tb_http_t *http;
} server_t;

static void on_done(uv_async_t *a)
{
    server_t *sv = a->data;
    tb_http_close(&sv->http);
    uv_close((uv_handle_t *)a, NULL);
}

static void test_sessions(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    tb_websess_t *ws = NULL;
    assert_int_equal(tb_websess_new(verify, NULL, &ws), 0);
    tb_websess_set_clock(ws, now_fn);
    server_t sv = {0};
    assert_int_equal(tb_http_new(&loop, "127.0.0.1:0", routes, sizeof routes / sizeof routes[0],
                                 NULL, 0, ws, &sv.http),
                     0);
    port = tb_http_port(sv.http);
    uv_async_init(&loop, &done, on_done);
    done.data = &sv;
    pthread_t t;
    pthread_create(&t, NULL, client, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    pthread_join(t, NULL);
    assert_int_equal(uv_loop_close(&loop), 0);
    if (result.failures)
        fprintf(stderr, "%s", result.log);
    assert_int_equal(result.failures, 0);
    assert_int_equal(tb_websess_count(ws), TB_WEBSESS_MAX); /* full, never over */
    tb_websess_drop(ws, "wang");
    assert_int_equal(tb_websess_count(ws), 0);
    tb_websess_free(&ws);
    assert_null(ws);
}

static void test_scope(void **state)
{
    (void)state;
    assert_true(tb_web_in_scope("360826000000", "360826000000"));
    assert_true(tb_web_in_scope("360826000000", "360826100000"));
    assert_true(tb_web_in_scope("360826000000", "360826100001"));
    assert_false(tb_web_in_scope("360826000000", "360827100001"));
    assert_true(tb_web_in_scope("360826100000", "360826100000"));
    assert_true(tb_web_in_scope("360826100000", "360826100123"));
    assert_false(tb_web_in_scope("360826100000", "360826101001"));
    assert_false(tb_web_in_scope("360826100000", "360826000000"));
    assert_true(tb_web_in_scope("360826100001", "360826100001"));
    assert_false(tb_web_in_scope("360826100001", "360826100002"));
    assert_false(tb_web_in_scope("360826100001", "360826100000"));
    assert_false(tb_web_in_scope("36082610000", "360826100000"));
    assert_false(tb_web_in_scope("360826100000", "36082610000x"));
    assert_false(tb_web_in_scope("", ""));
    assert_false(tb_web_in_scope(NULL, "360826100000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
