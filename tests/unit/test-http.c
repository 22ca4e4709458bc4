/* tb_http against real TCP connections on loopback: the server runs on the
 * test's libuv loop, a client thread sends raw requests (well-formed and
 * not) and checks the status line, the headers and the body it gets. */
#include "tb_http.h"
#include "tb_i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include "tb_test_http.h"

/* ---- the server side: routes and assets ---- */

static void on_ping(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    (void)ctx;
    const char *who = tb_http_query(req, "who");
    tb_http_reply_json(resp, 200, json_pack("{s:b,s:s}", "ok", 1, "who", who ? who : ""));
}

static void on_echo(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    (void)ctx;
    json_t *b = tb_http_json_body(req);
    tb_http_reply_json(resp, 201, json_incref(b));
    tb_http_reply_header(resp, "Set-Cookie", "s=1; HttpOnly; SameSite=Strict");
}

static void on_case(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    (void)ctx;
    const char *c = tb_http_cookie(req, "s");
    tb_http_reply_json(resp, 200,
                       json_pack("{s:s,s:s}", "id", tb_http_param(req), "cookie", c ? c : ""));
}

/* A word in the request's language (?lang=en or zh; the process's otherwise). */
static void on_word(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    (void)ctx;
    (void)req;
    tb_http_reply_json(resp, 200, json_pack("{s:s}", "word", TB_TR("办结", "closed")));
}

static void on_silent(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp)
{
    (void)ctx;
    (void)req;
    (void)resp; /* sets nothing: the server must answer 500 */
}

static const tb_http_route_t routes[] = {
    {"GET", "/api/ping", on_ping, false},
    {"POST", "/api/echo", on_echo, true},
    {"GET", "/api/cases/*", on_case, false},
    {"GET", "/api/silent", on_silent, false},
    {"GET", "/api/word", on_word, false},
};
static const unsigned char index_html[] = "<!doctype html><title>通办</title>";
static const tb_http_asset_t assets[] = {
    {"/index.html", "text/html; charset=utf-8", index_html, sizeof index_html - 1},
};

/* ---- the client side ---- */

static uint16_t port;

static char *exchange(const char *raw, size_t len)
{
    return tb_test_exchange(port, raw, len);
}

static char *request(const char *fmt, ...)
{
    char raw[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    return exchange(raw, strlen(raw));
}

static char *post(const char *path, const char *body)
{
    return request("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   path, strlen(body), body);
}

typedef struct {
    int failures;
    char log[4096];
} result_t;

static void expect(result_t *r, bool ok, const char *what, const char *resp)
{
    if (!ok) {
        r->failures++;
        size_t used = strlen(r->log);
        snprintf(r->log + used, sizeof r->log - used, "FAILED: %s; got: %.300s\n", what,
                 resp ? resp : "(no connection)");
    }
}

static result_t result;
static uv_async_t done;

static void *client(void *arg)
{
    (void)arg;
    result_t *r = &result;
    char *s;

    s = request(
        "GET /api/ping?who=%%E6%%9D%%91 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 200, "GET route: 200", s);
    expect(r, s && strstr(s, "{\"ok\":true,\"who\":\"村\"}"), "query argument decoded", s);
    expect(r, s && strstr(s, "X-Content-Type-Options: nosniff"), "nosniff on every answer", s);
    expect(r, s && strstr(s, "Content-Security-Policy: default-src 'self'"), "CSP", s);
    expect(r, s && strstr(s, "application/json; charset=utf-8"), "JSON content type", s);
    free(s);

    /* The page's language: per request, given back after it. */
    s = request("GET /api/word?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, s && strstr(s, "{\"word\":\"closed\"}"), "?lang=en: the handler's words in English",
           s);
    free(s);
    s = request("GET /api/word HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, s && strstr(s, "{\"word\":\"办结\"}"), "no lang after lang=en: the process's Chinese",
           s);
    free(s);
    s = request("GET /api/word?lang=zh HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, s && strstr(s, "{\"word\":\"办结\"}"), "?lang=zh: Chinese", s);
    free(s);

    s = request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 200 && strstr(s, "<title>通办</title>"), "/ serves index.html",
           s);
    expect(r, s && strstr(s, "text/html; charset=utf-8"), "asset content type", s);
    free(s);

    s = request("GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 404 && strstr(s, "\"code\":\"not_found\""), "unknown path: 404",
           s);
    free(s);

    s = request("DELETE /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 405 && strstr(s, "Allow: GET"), "other method: 405 with Allow",
           s);
    free(s);
    s = request("POST /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: "
                "close\r\n\r\n");
    expect(r, tb_test_status(s) == 405, "POST to an asset: 405", s);
    free(s);

    s = post("/api/echo", "{\"name\":\"张三\"}");
    expect(r, tb_test_status(s) == 201 && strstr(s, "{\"name\":\"张三\"}"), "JSON body echoed", s);
    expect(r, s && strstr(s, "Set-Cookie: s=1; HttpOnly; SameSite=Strict"), "extra header", s);
    free(s);

    s = post("/api/echo", "{\"name\":");
    expect(r, tb_test_status(s) == 400 && strstr(s, "\"code\":\"bad_json\""), "broken JSON: 400",
           s);
    free(s);
    s = post("/api/echo", "[1,2]");
    expect(r, tb_test_status(s) == 400, "a JSON array where an object is wanted: 400", s);
    free(s);
    s = post("/api/echo", "{\"a\":1,\"a\":2}");
    expect(r, tb_test_status(s) == 400, "duplicate keys: 400", s);
    free(s);

    /* Over the limit, announced: answered before the body is read. */
    s = request(
        "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\nConnection: "
        "close\r\n\r\n{");
    expect(r, tb_test_status(s) == 413 && strstr(s, "too_large"), "huge Content-Length: 413", s);
    free(s);
    /* Over the limit, chunked (no length announced). */
    size_t big = TB_HTTP_MAX_BODY + 4096;
    char *raw = malloc(big + 256);
    int h = snprintf(raw, 256,
                     "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n%zx\r\n",
                     big);
    memset(raw + h, ' ', big);
    memcpy(raw + h + big, "\r\n0\r\n\r\n", 8);
    s = exchange(raw, (size_t)h + big + 7);
    expect(r, tb_test_status(s) == 413, "oversized chunked body: 413", s);
    free(s);
    free(raw);

    s = request(
        "GET /api/cases/360826100001-20261130-0001 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: s=abc"
        "\r\nConnection: close\r\n\r\n");
    expect(r,
           tb_test_status(s) == 200 &&
               strstr(s, "{\"id\":\"360826100001-20261130-0001\",\"cookie\":\"abc\"}"),
           "prefix route: parameter and cookie", s);
    free(s);
    s = request("GET /api/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 404, "prefix route with nothing after it: 404", s);
    free(s);

    /* Host: an address or localhost, any port; a name (DNS rebinding) is 421. */
    static const char *const hosts_ok[] = {"127.0.0.1:8401", "localhost", "LOCALHOST:1",
                                           "[::1]:8401", "192.168.1.20"};
    for (size_t i = 0; i < sizeof hosts_ok / sizeof *hosts_ok; i++) {
        s = request("GET /api/ping HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", hosts_ok[i]);
        expect(r, tb_test_status(s) == 200, hosts_ok[i], s);
        free(s);
    }
    static const char *const hosts_bad[] = {"evil.example",
                                            "evil.example:8401",
                                            "127.0.0.1.evil.example",
                                            "localhost.evil.example",
                                            "[::1",
                                            "[::1]x",
                                            "[evil]:80"};
    for (size_t i = 0; i < sizeof hosts_bad / sizeof *hosts_bad; i++) {
        s = request("GET /api/ping HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                    hosts_bad[i]);
        expect(r, tb_test_status(s) == 421 && strstr(s, "bad_host"), hosts_bad[i], s);
        free(s);
    }
    s = request("GET /index.html HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 421, "an asset under another name: 421", s);
    free(s);

    s = request("GET /api/silent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 500 && strstr(s, "no_response"), "handler without answer: 500",
           s);
    free(s);

    /* Not HTTP at all, then a header line without a colon: the server says
     * 400 (or closes) and goes on serving. */
    s = request("\x01\x02garbage\r\n\r\n");
    expect(r, s && (tb_test_status(s) == 400 || s[0] == '\0'), "garbage: 400 or closed", s);
    free(s);
    s = request("GET /api/ping HTTP/1.1\r\nHost x\r\nbroken\r\n\r\n");
    expect(r, s && (tb_test_status(s) == 400 || s[0] == '\0'), "malformed header: 400 or closed",
           s);
    free(s);
    s = request("GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(r, tb_test_status(s) == 200, "still serving after bad requests", s);
    free(s);

    uv_async_send(&done);
    return NULL;
}

static void on_done(uv_async_t *a)
{
    tb_http_t **h = a->data;
    tb_http_close(h);
    uv_close((uv_handle_t *)a, NULL);
}

static void test_serves_and_refuses(void **state)
{
    (void)state;
    tb_lang_set_en(false); /* the process speaks Chinese; a request may ask for English */
    uv_loop_t loop;
    uv_loop_init(&loop);
    tb_http_t *h = NULL;
    assert_int_equal(tb_http_new(&loop, "127.0.0.1:0", routes, sizeof routes / sizeof routes[0],
                                 assets, 1, NULL, &h),
                     0);
    port = tb_http_port(h);
    assert_true(port > 0);
    uv_async_init(&loop, &done, on_done);
    done.data = &h;
    pthread_t t;
    pthread_create(&t, NULL, client, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    pthread_join(t, NULL);
    assert_int_equal(uv_loop_close(&loop), 0); /* every handle closed */
    if (result.failures)
        fprintf(stderr, "%s", result.log);
    assert_int_equal(result.failures, 0);
    assert_false(tb_lang_en()); /* the English request's language did not stay */
}

/* A request's language is its thread's only: the county answers its dashboard
 * on a thread of its own while its loop goes on in the process's language. */
static void *english_thread(void *arg)
{
    tb_lang_request("en");
    *(bool *)arg = tb_lang_en();
    return NULL;
}

static void test_request_language_is_per_thread(void **state)
{
    (void)state;
    tb_lang_set_en(false);
    bool there = false;
    pthread_t t;
    pthread_create(&t, NULL, english_thread, &there);
    pthread_join(t, NULL);
    assert_true(there);
    assert_false(tb_lang_en());
    tb_lang_request("en-GB");
    assert_true(tb_lang_en());
    tb_lang_request("zh");
    assert_false(tb_lang_en());
    tb_lang_set_en(true);
    tb_lang_request("zh-CN"); /* the request's choice wins over the process's */
    assert_false(tb_lang_en());
    tb_lang_request(NULL);
    assert_true(tb_lang_en());
    tb_lang_set_en(false);
}

static void test_bad_address(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    tb_http_t *h = NULL;
    const char *bad[] = {"",
                         "127.0.0.1",
                         "127.0.0.1:",
                         ":80",
                         "localhost:80",
                         "127.0.0.1:99999",
                         "127.0.0.1:8x",
                         "[::1:80",
                         "300.1.1.1:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tb_http_new(&loop, bad[i], routes, 1, assets, 1, NULL, &h), -EINVAL);
    assert_null(h);
    /* A port in use. */
    tb_http_t *a = NULL;
    assert_int_equal(tb_http_new(&loop, "127.0.0.1:0", routes, 1, assets, 1, NULL, &a), 0);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", tb_http_port(a));
    assert_int_equal(tb_http_new(&loop, addr, routes, 1, assets, 1, NULL, &h), -EADDRINUSE);
    tb_http_close(&a);
    assert_null(a);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serves_and_refuses),
        cmocka_unit_test(test_bad_address),
        cmocka_unit_test(test_request_language_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
