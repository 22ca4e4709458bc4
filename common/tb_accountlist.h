/* tb_accountlist: the accounts the county distributes to a township or a
 * village, as the body of a data version of kind "accounts/<scope>" (scope:
 * the 12-digit code of the node it is for).  Pure: parses, checks, finds.
 *
 * The body is UTF-8 text, one account a line after a header, fields
 * separated by TAB (a password hash holds commas):
 *
 *   login	name	role	scope	enabled	pw_hash
 *   wang.agent	王小明	agent	360826100001	1	$argon2id$v=19$m=65536,t=2,p=1$...
 *
 * Every account's scope is inside the version's scope (tb_accountlist_check);
 * the version replaces the node's accounts as a whole (disabled ones are
 * listed with enabled 0).  The county signs it like every version.
 */
#ifndef TB_ACCOUNTLIST_H
#define TB_ACCOUNTLIST_H

#include <stdbool.h>
#include <stddef.h>

#define TB_DATA_ACCOUNTS "accounts/" /* the kind's prefix; the scope follows */
#define TB_ACCOUNTS_HEADER "login\tname\trole\tscope\tenabled\tpw_hash\n"

typedef struct {
    char login[33];
    char name[65];
    char role[16];
    char scope[13];
    bool enabled;
    char pw_hash[128]; /* crypto_pwhash_STRBYTES */
} tb_account_t;

/* True when kind is "accounts/<12 digits>"; the scope into ret_scope (may be NULL). */
bool tb_accountlist_kind(const char *kind, char ret_scope[13]);
/* 0 when body is a well-formed list for scope (every field within bounds,
 * every role known, every account's scope inside scope, no login twice),
 * else -TB_EDATA with the 1-based line into *ret_line (may be NULL). */
int tb_accountlist_check(const char *body, size_t len, const char *scope, int *ret_line);
/* The account of login: 0, -ENOENT, or -TB_EDATA (a malformed body). */
int tb_accountlist_find(const char *body, size_t len, const char *login, tb_account_t *ret);

#endif
