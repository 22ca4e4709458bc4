#include "tb_keys.h"

#include "tb_error.h"
#include "tb_file.h"
#include "tb_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                ".-:+=^!/*?&<>()[]{}@%$#";

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

bool tb_key_valid(const char *s)
{
    if (!s || strlen(s) != TB_KEY_Z85_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr(z85_chars, *p))
            return false;
    uint8_t raw[32];
    return zmq_z85_decode(raw, s) != NULL;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text), off = 0;
    int rc = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        off += (size_t)n;
    }
    if (rc == 0 && fchmod(fd, mode) < 0)
        rc = -errno;
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int tb_keys_generate(const char *dir, const char *name, char ret_pub[TB_KEY_Z85_LEN + 1], char *why,
                     size_t whylen)
{
    char pub[TB_KEY_Z85_LEN + 1], sec[TB_KEY_Z85_LEN + 1], path[4096], text[TB_KEY_Z85_LEN + 2];
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return fail(why, whylen, -errno, "%s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    if (access(path, F_OK) == 0)
        return fail(why, whylen, -EEXIST, "%s: %s", path, strerror(EEXIST));
    if (zmq_curve_keypair(pub, sec) < 0)
        return fail(why, whylen, -zmq_errno(), "zmq_curve_keypair: %s", zmq_strerror(zmq_errno()));
    snprintf(text, sizeof text, "%s\n", sec);
    int rc = write_file(path, text, 0600);
    if (rc < 0)
        return fail(why, whylen, rc, "%s: %s", path, strerror(-rc));
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    snprintf(text, sizeof text, "%s\n", pub);
    rc = write_file(path, text, 0644);
    if (rc < 0)
        return fail(why, whylen, rc, "%s: %s", path, strerror(-rc));
    memcpy(ret_pub, pub, sizeof pub);
    return 0;
}

/* One Z85 key in a file of at most 42 bytes (key, optional "\n" or "\r\n"). */
static int read_key(const char *path, char ret_key[TB_KEY_Z85_LEN + 1], char *why, size_t whylen)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tb_read_file(path, 64, &buf, &len);
    if (rc == -EFBIG)
        return fail(why, whylen, -TB_EDATA,
                    "%s: not a CURVE key (want one line of 40 Z85 characters)", path);
    if (rc < 0)
        return fail(why, whylen, rc, "%s: %s", path, tb_strerror(rc));
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    bool ok = len == TB_KEY_Z85_LEN && strlen(buf) == len && tb_key_valid(buf);
    if (ok)
        memcpy(ret_key, buf, TB_KEY_Z85_LEN + 1);
    free(buf);
    if (!ok)
        return fail(why, whylen, -TB_EDATA,
                    "%s: not a CURVE key (want one line of 40 Z85 characters)", path);
    return 0;
}

int tb_keys_read_pub(const char *path, char ret_key[TB_KEY_Z85_LEN + 1], char *why, size_t whylen)
{
    return read_key(path, ret_key, why, whylen);
}

int tb_keys_read_pair(const char *dir, const char *name, char ret_pub[TB_KEY_Z85_LEN + 1],
                      char ret_sec[TB_KEY_Z85_LEN + 1], char *why, size_t whylen)
{
    char path[4096], sec[TB_KEY_Z85_LEN + 1], pub[TB_KEY_Z85_LEN + 1];
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    struct stat st;
    if (stat(path, &st) < 0)
        return fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return fail(why, whylen, -EPERM,
                    "%s: a secret key others may read (mode %04o; want 0600: chmod 600 it, or "
                    "make a new key)",
                    path, (unsigned)(st.st_mode & 07777));
    int rc = read_key(path, sec, why, whylen);
    if (rc < 0)
        return rc;
    if (zmq_curve_public(pub, sec) < 0)
        return fail(why, whylen, -TB_EDATA, "%s: not a CURVE secret key", path);
    memcpy(ret_pub, pub, sizeof pub);
    memcpy(ret_sec, sec, sizeof sec);
    return 0;
}

int tb_keys_load_node(const char *dir, const char *place, tb_curve_t *ret, char *why, size_t whylen)
{
    tb_curve_t c;
    char path[4096];
    int rc = tb_keys_read_pair(dir, place, c.pub, c.sec, why, whylen);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof path, "%s/%s.pub", dir, TB_BROKER_KEY_NAME);
    if ((rc = read_key(path, c.broker_pub, why, whylen)) < 0)
        return rc;
    *ret = c;
    return 0;
}

/* ---- allow-list ---- */

typedef struct {
    char place[TB_CODE_LEN + 1], key[TB_KEY_Z85_LEN + 1];
} entry_t;

struct tb_allow {
    entry_t *e;
    size_t n, cap;
    tb_map_t *by_key; /* key -> index + 1 */
};

tb_allow_t *tb_allow_new(void)
{
    tb_allow_t *self = calloc(1, sizeof *self);
    if (self && !(self->by_key = tb_map_new())) {
        free(self);
        self = NULL;
    }
    return self;
}

void tb_allow_destroy(tb_allow_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_map_destroy(&(*self_p)->by_key);
    free((*self_p)->e);
    free(*self_p);
    *self_p = NULL;
}

bool tb_allow_lookup(const tb_allow_t *self, const char *key, char ret_place[TB_CODE_LEN + 1])
{
    uintptr_t i;
    if (!tb_map_get(self->by_key, key, &i))
        return false;
    memcpy(ret_place, self->e[i - 1].place, TB_CODE_LEN + 1);
    return true;
}

int tb_allow_add(tb_allow_t *self, const char *place, const char *key)
{
    if (!tb_code_valid(place) || !tb_key_valid(key))
        return -EINVAL;
    char have[TB_CODE_LEN + 1];
    if (tb_allow_lookup(self, key, have))
        return strcmp(have, place) == 0 ? 0 : -EEXIST;
    if (self->n == self->cap) {
        size_t cap = self->cap ? 2 * self->cap : 64;
        entry_t *e = realloc(self->e, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        self->e = e;
        self->cap = cap;
    }
    if (tb_map_put(self->by_key, key, self->n + 1) < 0)
        return -ENOMEM;
    memcpy(self->e[self->n].place, place, TB_CODE_LEN + 1);
    memcpy(self->e[self->n].key, key, TB_KEY_Z85_LEN + 1);
    self->n++;
    return 0;
}

int tb_allow_revoke(tb_allow_t *self, const char *place_or_key)
{
    size_t kept = 0;
    int removed = 0;
    for (size_t i = 0; i < self->n; i++) {
        if (strcmp(self->e[i].place, place_or_key) == 0 ||
            strcmp(self->e[i].key, place_or_key) == 0) {
            tb_map_del(self->by_key, self->e[i].key);
            removed++;
            continue;
        }
        self->e[kept++] = self->e[i];
    }
    self->n = kept;
    for (size_t i = 0; i < self->n; i++)
        tb_map_put(self->by_key, self->e[i].key, i + 1); /* replaces: no allocation */
    return removed;
}

size_t tb_allow_count(const tb_allow_t *self)
{
    return self->n;
}

void tb_allow_entry(const tb_allow_t *self, size_t i, const char **ret_place, const char **ret_key)
{
    *ret_place = self->e[i].place;
    *ret_key = self->e[i].key;
}

int tb_allow_parse(const char *name, const char *text, size_t len, tb_allow_t **ret, char *why,
                   size_t whylen)
{
    tb_allow_t *self = tb_allow_new();
    if (!self)
        return -ENOMEM;
    size_t pos = 0;
    int line = 0, rc = 0;
    while (pos < len && rc == 0) {
        line++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t n = end - pos;
        char buf[TB_ALLOW_LINE_MAX + 1];
        if (n > 0 && text[pos + n - 1] == '\r')
            n--;
        if (n > TB_ALLOW_LINE_MAX) {
            rc = fail(why, whylen, -TB_EDATA, "%s line %d: longer than %d bytes", name, line,
                      TB_ALLOW_LINE_MAX);
            break;
        }
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        pos = end + 1;
        if (strlen(buf) != n) {
            rc = fail(why, whylen, -TB_EDATA, "%s line %d: a NUL byte", name, line);
            break;
        }
        char *p = buf + strspn(buf, " \t");
        if (*p == '\0' || *p == '#')
            continue;
        char *place = strtok(p, " \t"), *key = strtok(NULL, " \t"), *extra = strtok(NULL, " \t");
        if (!key || extra) {
            rc = fail(why, whylen, -TB_EDATA,
                      "%s line %d: want \"PLACE-CODE PUBLIC-KEY\" (2 fields), got %d", name, line,
                      key ? 3 : 1);
        } else if (!tb_code_valid(place)) {
            rc = fail(why, whylen, -TB_EDATA, "%s line %d: \"%.20s\" is not a 12-digit place code",
                      name, line, place);
        } else if (!tb_key_valid(key)) {
            rc = fail(why, whylen, -TB_EDATA,
                      "%s line %d: not a CURVE public key (want 40 Z85 characters)", name, line);
        } else {
            int arc = tb_allow_add(self, place, key);
            if (arc == -EEXIST)
                rc = fail(why, whylen, -TB_EDATA,
                          "%s line %d: this key is already bound to another place (a key is "
                          "bound to exactly one place)",
                          name, line);
            else if (arc < 0)
                rc = arc;
        }
    }
    if (rc < 0) {
        tb_allow_destroy(&self);
        return rc;
    }
    *ret = self;
    return 0;
}

int tb_allow_load(const char *path, tb_allow_t **ret, char *why, size_t whylen)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tb_read_file(path, 64u << 20, &buf, &len);
    if (rc < 0)
        return fail(why, whylen, rc, "%s: %s", path, tb_strerror(rc));
    rc = tb_allow_parse(path, buf, len, ret, why, whylen);
    free(buf);
    return rc;
}

int tb_allow_save(const tb_allow_t *self, const char *path)
{
    size_t cap = 256 + self->n * (TB_CODE_LEN + TB_KEY_Z85_LEN + 2);
    char *text = malloc(cap);
    if (!text)
        return -ENOMEM;
    size_t off = (size_t)snprintf(text, cap,
                                  "# tongban allow-list: which CURVE public key may connect as "
                                  "which place (tongban-county keys allow|revoke|list)\n");
    for (size_t i = 0; i < self->n; i++)
        off += (size_t)snprintf(text + off, cap - off, "%s %s\n", self->e[i].place, self->e[i].key);
    int rc = write_file(path, text, 0644);
    free(text);
    return rc;
}
