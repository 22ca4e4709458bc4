/* tb_sign: Ed25519 signatures on data versions (tb_sign.h). */
#include "tb_sign.h"

#include "tb_error.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOMAIN "tongban data version v1"
#define HEX_PK (2 * TB_SIGN_PK_BYTES)
#define SEED_BYTES crypto_sign_SEEDBYTES

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

static int write_file(const char *path, const char *text, mode_t mode, char *why, size_t whylen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int rc = n == (ssize_t)len && fsync(fd) == 0 ? 0 : -EIO;
    if (close(fd) < 0 && rc == 0)
        rc = -EIO;
    if (rc < 0) {
        unlink(path);
        return fail(why, whylen, rc, "%s: cannot write", path);
    }
    return 0;
}

int tb_sign_keygen(const char *dir, char ret_pub_hex[HEX_PK + 1], char *why, size_t whylen)
{
    if (sodium_init() < 0)
        return fail(why, whylen, -EIO, "libsodium cannot start");
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return fail(why, whylen, -errno, "%s: %s", dir, strerror(errno));
    char path[4096], pubpath[4096];
    snprintf(path, sizeof path, "%s/%s", dir, TB_SIGN_KEY_NAME);
    snprintf(pubpath, sizeof pubpath, "%s/%s.pub", dir, TB_SIGN_KEY_NAME);
    if (access(path, F_OK) == 0)
        return fail(why, whylen, -EEXIST, "%s exists (a key is never overwritten)", path);
    unsigned char pk[TB_SIGN_PK_BYTES], sk[TB_SIGN_SK_BYTES];
    crypto_sign_keypair(pk, sk);
    char seedhex[2 * SEED_BYTES + 2], pubhex[HEX_PK + 2];
    sodium_bin2hex(seedhex, sizeof seedhex, sk, SEED_BYTES);
    sodium_bin2hex(pubhex, sizeof pubhex, pk, sizeof pk);
    sodium_memzero(sk, sizeof sk);
    if (ret_pub_hex)
        memcpy(ret_pub_hex, pubhex, HEX_PK + 1);
    strcat(seedhex, "\n");
    strcat(pubhex, "\n");
    int rc = write_file(path, seedhex, 0600, why, whylen);
    sodium_memzero(seedhex, sizeof seedhex);
    if (rc < 0)
        return rc;
    unlink(pubpath); /* a stale public key of an earlier secret */
    if ((rc = write_file(pubpath, pubhex, 0644, why, whylen)) < 0)
        unlink(path);
    return rc;
}

/* One line of exactly n bytes of hex (a trailing newline allowed) into out. */
static int read_hex(const char *path, unsigned char *out, size_t n, char *why, size_t whylen)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
    char buf[160];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    if (got && buf[got - 1] == '\n')
        buf[--got] = '\0';
    size_t bin = 0;
    int rc = 0;
    if (got != 2 * n || sodium_hex2bin(out, n, buf, got, NULL, &bin, NULL) != 0 || bin != n)
        rc = fail(why, whylen, -TB_EDATA, "%s: not %zu hex digits", path, 2 * n);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int tb_sign_load_secret(const char *dir, unsigned char ret_sk[TB_SIGN_SK_BYTES], char *why,
                        size_t whylen)
{
    if (sodium_init() < 0)
        return fail(why, whylen, -EIO, "libsodium cannot start");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, TB_SIGN_KEY_NAME);
    struct stat st;
    if (stat(path, &st) < 0)
        return fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return fail(why, whylen, -EPERM,
                    "%s: a secret key others may read (mode %04o; want 0600: chmod 600 it)", path,
                    (unsigned)(st.st_mode & 07777));
    unsigned char seed[SEED_BYTES], pk[TB_SIGN_PK_BYTES];
    int rc = read_hex(path, seed, sizeof seed, why, whylen);
    if (rc == 0)
        crypto_sign_seed_keypair(pk, ret_sk, seed);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tb_sign_load_pub(const char *dir, unsigned char ret_pk[TB_SIGN_PK_BYTES], char *why,
                     size_t whylen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.pub", dir, TB_SIGN_KEY_NAME);
    return read_hex(path, ret_pk, TB_SIGN_PK_BYTES, why, whylen);
}

/* The signed bytes: DOMAIN NUL kind NUL version(BE32) body. */
static unsigned char *message(const char *kind, uint32_t version, const uint8_t *body, size_t len,
                              size_t *ret_len)
{
    size_t dl = sizeof DOMAIN, kl = strlen(kind) + 1;
    size_t n = dl + kl + 4 + len;
    unsigned char *m = malloc(n ? n : 1);
    if (!m)
        return NULL;
    memcpy(m, DOMAIN, dl);
    memcpy(m + dl, kind, kl);
    unsigned char *v = m + dl + kl;
    v[0] = (unsigned char)(version >> 24);
    v[1] = (unsigned char)(version >> 16);
    v[2] = (unsigned char)(version >> 8);
    v[3] = (unsigned char)version;
    if (len)
        memcpy(v + 4, body, len);
    *ret_len = n;
    return m;
}

int tb_sign_data(const unsigned char sk[TB_SIGN_SK_BYTES], const char *kind, uint32_t version,
                 const uint8_t *body, size_t len, unsigned char ret_sig[TB_SIGN_BYTES])
{
    size_t n;
    unsigned char *m = message(kind, version, body, len, &n);
    if (!m)
        return -ENOMEM;
    crypto_sign_detached(ret_sig, NULL, m, n, sk);
    free(m);
    return 0;
}

int tb_sign_check(const unsigned char pk[TB_SIGN_PK_BYTES], const tb_data_msg_t *dv)
{
    if (!dv->kind || dv->signature.len != TB_SIGN_BYTES)
        return -TB_EBADSIG;
    size_t n;
    unsigned char *m = message(dv->kind, dv->version, dv->body.data, dv->body.len, &n);
    if (!m)
        return -ENOMEM;
    int ok = crypto_sign_verify_detached(dv->signature.data, m, n, pk);
    free(m);
    return ok == 0 ? 0 : -TB_EBADSIG;
}
