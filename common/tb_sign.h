/* tb_sign: the county's signature on the data versions it distributes.
 *
 * The county owns an Ed25519 key pair (libsodium) in its keys directory:
 *
 *   county.sign       the secret key: 64 hex digits (the 32-byte seed), mode 0600
 *   county.sign.pub   the public key: 64 hex digits; every township and village
 *                     holds a copy in its own keys directory and pins it
 *
 * A DataVersion's signature (field 4) is a detached Ed25519 signature over
 *
 *   "tongban data version v1" NUL  kind NUL  version (4 bytes, big-endian)  body
 *
 * (the domain string keeps it from being valid for anything else; kind is NUL
 * terminated so no kind/body split is ambiguous).  A township checks it
 * before it applies a version and relays the county's bytes unchanged; a
 * village checks it again.  Library code: returns codes and writes reasons
 * into `why`; logs nothing.
 */
#ifndef TB_SIGN_H
#define TB_SIGN_H

#include "tb_wire.h"

#include <stddef.h>
#include <stdint.h>

#define TB_SIGN_KEY_NAME "county.sign"
#define TB_SIGN_PK_BYTES 32
#define TB_SIGN_SK_BYTES 64
#define TB_SIGN_BYTES 64

/* Write <dir>/county.sign (0600) and county.sign.pub with a fresh key pair;
 * -EEXIST when county.sign exists (never overwritten).  dir is created 0700
 * if missing.  ret_pub_hex (may be NULL) gets the public key's 64 hex digits. */
int tb_sign_keygen(const char *dir, char ret_pub_hex[2 * TB_SIGN_PK_BYTES + 1], char *why,
                   size_t whylen);
/* Read <dir>/county.sign (refused when group or others may read it). */
int tb_sign_load_secret(const char *dir, unsigned char ret_sk[TB_SIGN_SK_BYTES], char *why,
                        size_t whylen);
/* Read <dir>/county.sign.pub.  -ENOENT when there is none. */
int tb_sign_load_pub(const char *dir, unsigned char ret_pk[TB_SIGN_PK_BYTES], char *why,
                     size_t whylen);

/* Sign a version: ret_sig gets the detached signature.  0 or -ENOMEM. */
int tb_sign_data(const unsigned char sk[TB_SIGN_SK_BYTES], const char *kind, uint32_t version,
                 const uint8_t *body, size_t len, unsigned char ret_sig[TB_SIGN_BYTES]);
/* 0 when dv carries a valid signature by pk; -TB_EBADSIG (none, wrong length,
 * or not valid: another key, another kind, version or body), -ENOMEM. */
int tb_sign_check(const unsigned char pk[TB_SIGN_PK_BYTES], const tb_data_msg_t *dv);

#endif
