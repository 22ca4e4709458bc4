/* tb_keys: CurveZMQ key files and the broker's allow-list.
 *
 * Every node and the broker own a CURVE key pair, kept as Z85 text (40
 * characters and a newline) in the keys directory (config key `keys`, default
 * the data directory):
 *
 *   <name>.key   the secret key, mode 0600; refused if group or others may read it
 *   <name>.pub   the public key (anyone may read it)
 *
 * where <name> is the node's place code, or "broker" for the broker.  A node
 * also holds `broker.pub`, the broker's public key, which it pins: it talks
 * to no other server.
 *
 * The allow-list (`allow.list` in the broker's keys directory) is data the
 * county owns: which public key may connect as which place.  One entry a line:
 *
 *   # comment
 *   360826100001 rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
 *
 * a 12-digit place code, white space, a 40-character Z85 public key.  Blank
 * lines and lines starting with '#' are ignored.  A key appears at most once
 * (a key is bound to exactly one place); a place may have several keys (key
 * rotation).  Lines are at most TB_ALLOW_LINE_MAX bytes.
 *
 * Functions that read files return 0 or a negative code and, on failure,
 * write a one-line reason naming the file (and line) into `why`.  This module
 * never logs.
 */
#ifndef TB_KEYS_H
#define TB_KEYS_H

#include "tb_place.h"

#include <stdbool.h>
#include <stddef.h>

#define TB_KEY_Z85_LEN 40
#define TB_ALLOW_LINE_MAX 200
#define TB_ALLOW_FILE "allow.list"
#define TB_BROKER_KEY_NAME "broker"

/* A node's CURVE material: its own key pair and the broker's public key. */
typedef struct {
    char pub[TB_KEY_Z85_LEN + 1], sec[TB_KEY_Z85_LEN + 1];
    char broker_pub[TB_KEY_Z85_LEN + 1];
} tb_curve_t;

/* True if s is exactly 40 characters of Z85 that decode to 32 bytes. */
bool tb_key_valid(const char *s);

/* Write <dir>/<name>.key (0600) and <dir>/<name>.pub with a fresh key pair.
 * -EEXIST if <name>.key exists (never overwrites a key); ret_pub gets the
 * public key.  dir is created (0700) if missing. */
int tb_keys_generate(const char *dir, const char *name, char ret_pub[TB_KEY_Z85_LEN + 1], char *why,
                     size_t whylen);

/* Read a public-key file (one Z85 key, optional trailing newline). */
int tb_keys_read_pub(const char *path, char ret_key[TB_KEY_Z85_LEN + 1], char *why, size_t whylen);

/* Read <dir>/<name>.key (checked 0600-or-stricter) into ret_sec and derive ret_pub. */
int tb_keys_read_pair(const char *dir, const char *name, char ret_pub[TB_KEY_Z85_LEN + 1],
                      char ret_sec[TB_KEY_Z85_LEN + 1], char *why, size_t whylen);

/* A node's keys: <dir>/<place>.key and <dir>/broker.pub. */
int tb_keys_load_node(const char *dir, const char *place, tb_curve_t *ret, char *why,
                      size_t whylen);

/* ---- the allow-list ---- */

typedef struct tb_allow tb_allow_t;

tb_allow_t *tb_allow_new(void);
void tb_allow_destroy(tb_allow_t **self_p);

/* Parse allow-list text; `name` (the file) is only for the reason in `why`.
 * -TB_EDATA on a malformed line (why names file and line), -ENOMEM. */
int tb_allow_parse(const char *name, const char *text, size_t len, tb_allow_t **ret, char *why,
                   size_t whylen);
/* Read and parse a file; -ENOENT etc. if unreadable. */
int tb_allow_load(const char *path, tb_allow_t **ret, char *why, size_t whylen);
/* Write atomically (temporary file, fsync, rename) with mode 0644. */
int tb_allow_save(const tb_allow_t *self, const char *path);

/* The place bound to a public key: true and ret_place if the key is allowed. */
bool tb_allow_lookup(const tb_allow_t *self, const char *key, char ret_place[TB_CODE_LEN + 1]);
/* Bind key to place: 0, -EEXIST if the key is bound to another place
 * (revoke it first), -EINVAL for a malformed place or key. Idempotent. */
int tb_allow_add(tb_allow_t *self, const char *place, const char *key);
/* Remove a key, or every key of a place: the number of entries removed. */
int tb_allow_revoke(tb_allow_t *self, const char *place_or_key);
size_t tb_allow_count(const tb_allow_t *self);
/* Entry i (0 <= i < count), borrowed. */
void tb_allow_entry(const tb_allow_t *self, size_t i, const char **ret_place, const char **ret_key);

#endif
