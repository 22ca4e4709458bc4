/* tb_http: libmicrohttpd on a libuv loop (tb_http.h says what and why). */
#include "tb_http.h"
#include "tb_i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_HEADERS = 8, CONN_TIMEOUT_S = 30, CONN_MEMORY = 64 * 1024, DROP_MAX = 1 << 20 };

struct tb_http {
    struct MHD_Daemon *d;
    uv_poll_t poll;
    uv_timer_t timer;
    int open_handles; /* freed when both close callbacks ran */
    const tb_http_route_t *routes;
    size_t nroutes;
    const tb_http_asset_t *assets;
    size_t nassets;
    void *ctx;
    uint16_t port;
};

struct tb_http_req {
    struct MHD_Connection *conn;
    const char *method, *path, *param;
    json_t *json;
};

struct tb_http_resp {
    bool set;
    unsigned status;
    char *ctype;
    char *data;
    size_t len;
    char *hname[MAX_HEADERS], *hvalue[MAX_HEADERS];
    int nheaders;
};

/* What a connection's request gathered so far (MHD's con_cls). */
typedef struct {
    char *buf;
    size_t len;
    bool too_big;
    size_t dropped; /* bytes read past the limit */
} upload_t;

/* ---- responses --------------------------------------------------------------------------- */

static void resp_clear_body(tb_http_resp_t *r)
{
    free(r->ctype);
    free(r->data);
    r->ctype = r->data = NULL;
    r->len = 0;
}

static void resp_free(tb_http_resp_t *r)
{
    resp_clear_body(r);
    for (int i = 0; i < r->nheaders; i++) {
        free(r->hname[i]);
        free(r->hvalue[i]);
    }
    r->nheaders = 0;
}

void tb_http_reply_bytes(tb_http_resp_t *resp, unsigned status, const char *content_type,
                         const void *data, size_t len)
{
    resp_clear_body(resp);
    resp->set = true;
    resp->status = status;
    resp->ctype = strdup(content_type);
    resp->data = malloc(len ? len : 1);
    if (!resp->ctype || !resp->data) {
        resp_clear_body(resp);
        resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR; /* out of memory: an empty 500 */
        return;
    }
    memcpy(resp->data, data, len);
    resp->len = len;
}

void tb_http_reply_json(tb_http_resp_t *resp, unsigned status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!s) {
        resp_clear_body(resp);
        resp->set = true;
        resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }
    tb_http_reply_bytes(resp, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
}

void tb_http_reply_error(tb_http_resp_t *resp, unsigned status, const char *code,
                         const char *message)
{
    tb_http_reply_json(resp, status,
                       json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}

void tb_http_reply_header(tb_http_resp_t *resp, const char *name, const char *value)
{
    if (resp->nheaders == MAX_HEADERS)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    resp->hname[resp->nheaders] = n;
    resp->hvalue[resp->nheaders++] = v;
}

/* ---- the request ------------------------------------------------------------------------- */

const char *tb_http_method(const tb_http_req_t *req)
{
    return req->method;
}

const char *tb_http_path(const tb_http_req_t *req)
{
    return req->path;
}

const char *tb_http_param(const tb_http_req_t *req)
{
    return req->param;
}

const char *tb_http_query(const tb_http_req_t *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *tb_http_header(const tb_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *tb_http_cookie(const tb_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

void tb_http_peer(const tb_http_req_t *req, char ret[TB_HTTP_PEER_MAX])
{
    ret[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ret, TB_HTTP_PEER_MAX);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ret, TB_HTTP_PEER_MAX);
}

json_t *tb_http_json_body(const tb_http_req_t *req)
{
    return req->json;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static bool path_matches(const char *route, const char *path, const char **ret_param)
{
    size_t n = strlen(route);
    if (n && route[n - 1] == '*') {
        if (strncmp(route, path, n - 1) != 0 || !path[n - 1])
            return false;
        *ret_param = path + n - 1;
        return true;
    }
    *ret_param = "";
    return strcmp(route, path) == 0;
}

static const tb_http_asset_t *find_asset(const tb_http_t *self, const char *path)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < self->nassets; i++)
        if (strcmp(self->assets[i].path, path) == 0)
            return &self->assets[i];
    return NULL;
}

/* The Host a browser names must be an address (IPv4, [IPv6]) or localhost,
 * with any port: a page of some other site whose name was made to point at
 * this node (DNS rebinding) names its own host and is refused, so no web
 * site a person visits can reach the node's API through the browser.  No
 * Host at all (HTTP/1.0 tools) is let through: browsers always send one. */
static bool host_allowed(const char *host)
{
    if (!host)
        return true;
    char name[64];
    size_t n = strlen(host);
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, host, n + 1);
    if (name[0] == '[') { /* [v6]:port */
        char *end = strchr(name, ']');
        if (!end || (end[1] && end[1] != ':'))
            return false;
        *end = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, name + 1, &a6) == 1;
    }
    char *colon = strchr(name, ':');
    if (colon)
        *colon = '\0';
    struct in_addr a4;
    return strcasecmp(name, "localhost") == 0 || inet_pton(AF_INET, name, &a4) == 1;
}

static void dispatch(tb_http_t *self, struct MHD_Connection *conn, const char *method,
                     const char *path, upload_t *u, tb_http_resp_t *resp)
{
    if (!host_allowed(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))) {
        tb_http_reply_error(resp, 421, "bad_host",
                            "this node answers only to its address (Host must be an IP address "
                            "or localhost)");
        return;
    }
    if (u->too_big) {
        tb_http_reply_error(resp, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                            "request body too large");
        return;
    }
    const tb_http_route_t *hit = NULL;
    const char *param = "";
    char allow[128] = "";
    for (size_t i = 0; i < self->nroutes; i++) {
        const char *p;
        if (!path_matches(self->routes[i].path, path, &p))
            continue;
        if (strcmp(self->routes[i].method, method) == 0) {
            hit = &self->routes[i];
            param = p;
            break;
        }
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "",
                 self->routes[i].method);
    }
    if (!hit) {
        const tb_http_asset_t *a = find_asset(self, path);
        if (a && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
            tb_http_reply_bytes(resp, MHD_HTTP_OK, a->content_type, a->data, a->len);
            tb_http_reply_header(resp, "Cache-Control", "no-cache");
        } else if (a || allow[0]) {
            tb_http_reply_error(resp, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                                "method not allowed");
            tb_http_reply_header(resp, "Allow", a ? "GET, HEAD" : allow);
        } else {
            tb_http_reply_error(resp, MHD_HTTP_NOT_FOUND, "not_found", "no such page");
        }
        return;
    }
    tb_http_req_t req = {conn, method, path, param, NULL};
    if (hit->json_body) {
        json_error_t err;
        req.json = json_loadb(u->buf ? u->buf : "", u->len, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(req.json)) {
            json_decref(req.json);
            tb_http_reply_error(resp, MHD_HTTP_BAD_REQUEST, "bad_json",
                                "the body must be a JSON object");
            return;
        }
    }
    /* The page's language (?lang=en or zh, common/web/lang.js) for the words
     * the handler answers with: labels, refusals. */
    tb_lang_request(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang"));
    hit->fn(self->ctx, &req, resp);
    tb_lang_request(NULL);
    json_decref(req.json);
    if (!resp->set)
        tb_http_reply_error(resp, MHD_HTTP_INTERNAL_SERVER_ERROR, "no_response",
                            "the server gave no answer");
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, tb_http_resp_t *r)
{
    struct MHD_Response *m =
        MHD_create_response_from_buffer(r->len, r->data, MHD_RESPMEM_MUST_FREE);
    if (!m) {
        resp_free(r);
        return MHD_NO;
    }
    r->data = NULL; /* MHD frees it */
    if (r->ctype)
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(m, "X-Frame-Options", "DENY");
    MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(m, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(m, r->hname[i], r->hvalue[i]);
    enum MHD_Result ok = MHD_queue_response(conn, r->status, m);
    MHD_destroy_response(m);
    resp_free(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    tb_http_t *self = cls;
    upload_t *u = *con_cls;
    if (!u) {
        if (!(u = calloc(1, sizeof *u)))
            return MHD_NO;
        *con_cls = u;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > TB_HTTP_MAX_BODY)
            u->too_big = true; /* answered at once: the rest is not read */
        else
            return MHD_YES;
    }
    if (*upload_size) {
        if (!u->too_big && u->len + *upload_size > TB_HTTP_MAX_BODY) {
            /* Read on (and drop) up to a bound, so the client sees the 413
             * rather than a reset; past the bound the connection goes. */
            u->too_big = true;
            free(u->buf);
            u->buf = NULL;
            u->len = 0;
        }
        if (u->too_big) {
            u->dropped += *upload_size;
            *upload_size = 0;
            return u->dropped > DROP_MAX ? MHD_NO : MHD_YES;
        }
        char *b = realloc(u->buf, u->len + *upload_size + 1);
        if (!b)
            return MHD_NO;
        memcpy(b + u->len, upload_data, *upload_size);
        u->buf = b;
        u->len += *upload_size;
        u->buf[u->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    *upload_size = 0;
    tb_http_resp_t resp = {0};
    dispatch(self, conn, method, url, u, &resp);
    return send_resp(conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    upload_t *u = *con_cls;
    if (u) {
        free(u->buf);
        free(u);
        *con_cls = NULL;
    }
}

/* ---- the loop ---------------------------------------------------------------------------- */

static void on_timer(uv_timer_t *t);

static void run(tb_http_t *self)
{
    MHD_run(self->d);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(self->d, &ms) == MHD_YES)
        uv_timer_start(&self->timer, on_timer, ms, 0);
    else
        uv_timer_stop(&self->timer);
}

static void on_timer(uv_timer_t *t)
{
    run(t->data);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    run(p->data);
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int parse_addr(const char *addr, struct sockaddr_storage *ss, bool *ret_v6)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || strlen(colon + 1) == 0 || strlen(colon + 1) > 5 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -EINVAL;
    unsigned long port = strtoul(colon + 1, NULL, 10);
    size_t hl = (size_t)(colon - addr);
    if (port > 65535 || hl >= sizeof host)
        return -EINVAL;
    memcpy(host, addr, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
            return -EINVAL;
        *ret_v6 = true;
        return 0;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
        return -EINVAL;
    *ret_v6 = false;
    return 0;
}

int tb_http_new(uv_loop_t *loop, const char *addr, const tb_http_route_t *routes, size_t nroutes,
                const tb_http_asset_t *assets, size_t nassets, void *ctx, tb_http_t **ret)
{
    struct sockaddr_storage ss;
    bool v6;
    int rc = parse_addr(addr ? addr : "", &ss, &v6);
    if (rc < 0)
        return rc;
    tb_http_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->routes = routes;
    self->nroutes = nroutes;
    self->assets = assets;
    self->nassets = nassets;
    self->ctx = ctx;
    unsigned flags = MHD_USE_EPOLL | (v6 ? MHD_USE_IPv6 : 0);
    errno = 0;
    self->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)TB_HTTP_MAX_CONN, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, self, MHD_OPTION_END);
    if (!self->d) {
        rc = errno ? -errno : -EIO;
        free(self);
        return rc;
    }
    const union MHD_DaemonInfo *fdi = MHD_get_daemon_info(self->d, MHD_DAEMON_INFO_EPOLL_FD);
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(self->d, MHD_DAEMON_INFO_BIND_PORT);
    self->port = pi ? pi->port : 0;
    if (!fdi || (rc = uv_poll_init(loop, &self->poll, fdi->epoll_fd)) < 0) {
        MHD_stop_daemon(self->d);
        free(self);
        return fdi ? rc : -EIO;
    }
    if ((rc = uv_timer_init(loop, &self->timer)) < 0) {
        /* The poll handle is initialised: it must be closed before self goes. */
        self->open_handles = 1;
        self->poll.data = self;
        tb_http_close(&self);
        return rc;
    }
    self->open_handles = 2;
    self->poll.data = self->timer.data = self;
    if ((rc = uv_poll_start(&self->poll, UV_READABLE, on_poll)) < 0) {
        tb_http_close(&self);
        return rc;
    }
    run(self);
    *ret = self;
    return 0;
}

uint16_t tb_http_port(const tb_http_t *self)
{
    return self->port;
}

static void on_closed(uv_handle_t *h)
{
    tb_http_t *self = h->data;
    if (--self->open_handles == 0)
        free(self);
}

void tb_http_close(tb_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_http_t *self = *self_p;
    *self_p = NULL;
    int handles = self->open_handles;
    /* Out of uv's epoll set before MHD closes the fd it watches. */
    uv_close((uv_handle_t *)&self->poll, on_closed);
    if (handles == 2)
        uv_close((uv_handle_t *)&self->timer, on_closed);
    MHD_stop_daemon(self->d);
    self->d = NULL;
}
