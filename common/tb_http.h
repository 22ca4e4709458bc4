/* tb_http: the HTTP face of a node (the web app and its JSON API), on the
 * daemon's own libuv loop.
 *
 * libmicrohttpd parses HTTP (in its external-epoll mode: its epoll fd is
 * watched by one uv_poll, its timeouts by one uv_timer, so no thread of its
 * own); jansson reads and writes JSON.  Nothing here parses either by hand.
 *
 * A node gives a table of routes (method + path, a path ending in '*' is a
 * prefix whose rest is the route's parameter) and a table of static assets
 * (the app's files, compiled into the binary: nothing is fetched at run
 * time).  What the server answers by itself, always as JSON
 * {"error": {"code": ..., "message": ...}} except for assets:
 *   421 a Host that is not an IP address or localhost (a page of another
 *   site reaching the node by DNS rebinding), 404 unknown path, 405 known
 *   path with another method (with Allow),
 *   413 body over TB_HTTP_MAX_BODY, 400 a body that is not JSON where a
 *   route wants JSON, 500 a handler that set no response.
 * Every response carries nosniff, a same-origin Content-Security-Policy,
 * X-Frame-Options DENY and no-referrer.
 *
 * Library code: returns errors, logs nothing.
 */
#ifndef TB_HTTP_H
#define TB_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define TB_HTTP_MAX_BODY (64 * 1024) /* the largest request body accepted */
#define TB_HTTP_MAX_CONN 64          /* connections at once; more wait in the backlog */

typedef struct tb_http tb_http_t;
typedef struct tb_http_req tb_http_req_t;   /* one request, valid during the handler */
typedef struct tb_http_resp tb_http_resp_t; /* its response, set by the handler */

typedef void (*tb_http_fn)(void *ctx, const tb_http_req_t *req, tb_http_resp_t *resp);

typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* "/api/cases"; ending in '*': a prefix, the rest is the parameter */
    tb_http_fn fn;
    bool json_body; /* the body must be a JSON object (400 otherwise) */
} tb_http_route_t;

typedef struct {
    const char *path; /* "/index.html"; "/" serves "/index.html" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} tb_http_asset_t;

/* Listen on addr ("127.0.0.1:8081", "[::1]:8081"; port 0: any free port)
 * and serve routes and assets (both borrowed; they must outlive the server)
 * on loop.  0, -EINVAL (a malformed address), -EADDRINUSE or another
 * negative errno. */
int tb_http_new(uv_loop_t *loop, const char *addr, const tb_http_route_t *routes, size_t nroutes,
                const tb_http_asset_t *assets, size_t nassets, void *ctx, tb_http_t **ret);
/* Stop listening, close the handles; freed once the loop ran their close callbacks. */
void tb_http_close(tb_http_t **self_p);
/* The port actually bound (useful with port 0). */
uint16_t tb_http_port(const tb_http_t *self);

/* ---- the request ---- */
const char *tb_http_method(const tb_http_req_t *req);
const char *tb_http_path(const tb_http_req_t *req);
/* The rest of the path after a prefix route's '*' ("" for an exact route). */
const char *tb_http_param(const tb_http_req_t *req);
/* A query argument, a header or a cookie, or NULL. */
const char *tb_http_query(const tb_http_req_t *req, const char *key);
const char *tb_http_header(const tb_http_req_t *req, const char *name);
const char *tb_http_cookie(const tb_http_req_t *req, const char *name);
/* The client's address as text ("127.0.0.1", "::1") into ret; "" when unknown. */
#define TB_HTTP_PEER_MAX 46
void tb_http_peer(const tb_http_req_t *req, char ret[TB_HTTP_PEER_MAX]);
/* The body as parsed JSON (routes with json_body), borrowed; else NULL. */
json_t *tb_http_json_body(const tb_http_req_t *req);

/* ---- the response (the last call wins) ---- */
/* A JSON response; body is stolen (json_decref'd by the server). */
void tb_http_reply_json(tb_http_resp_t *resp, unsigned status, json_t *body);
/* {"error": {"code": code, "message": message}} with status. */
void tb_http_reply_error(tb_http_resp_t *resp, unsigned status, const char *code,
                         const char *message);
/* Bytes of a content type, copied. */
void tb_http_reply_bytes(tb_http_resp_t *resp, unsigned status, const char *content_type,
                         const void *data, size_t len);
/* An extra header on the response (e.g. Set-Cookie); both copied.  At most 8. */
void tb_http_reply_header(tb_http_resp_t *resp, const char *name, const char *value);

#endif
