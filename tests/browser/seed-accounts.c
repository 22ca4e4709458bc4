/* seed-accounts: put an account list straight into a node's store, as if
 * the county had sent it (the browser tests run a village or a township
 * without waiting for the county's distribution, which test-signin.sh covers).
 *
 *   seed-accounts DATA_DIR PLACE VERSION LOGIN NAME ROLE SCOPE PASSWORD [...]
 */
#include "tb_accountlist.h"
#include "tb_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc < 9 || (argc - 4) % 5 != 0 || sodium_init() < 0) {
        fprintf(stderr,
                "usage: seed-accounts DIR PLACE VERSION (LOGIN NAME ROLE SCOPE PASSWORD)...\n");
        return 2;
    }
    static char body[1 << 16];
    size_t n = (size_t)snprintf(body, sizeof body, "%s", TB_ACCOUNTS_HEADER);
    for (int i = 4; i + 4 < argc; i += 5) {
        char hash[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(hash, argv[i + 4], strlen(argv[i + 4]),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            return 1;
        n += (size_t)snprintf(body + n, sizeof body - n, "%s\t%s\t%s\t%s\t1\t%s\n", argv[i],
                              argv[i + 1], argv[i + 2], argv[i + 3], hash);
    }
    char kind[40];
    snprintf(kind, sizeof kind, TB_DATA_ACCOUNTS "%s", argv[2]);
    int line = 0;
    if (tb_accountlist_check(body, n, argv[2], &line) < 0) {
        fprintf(stderr, "seed-accounts: line %d does not fit %s\n", line, argv[2]);
        return 1;
    }
    tb_store_t *store;
    umask(077); /* as the node's own commands make their store: 0600 in 0700 */
    if (tb_store_open(argv[1], argv[2], &store) < 0)
        return 1;
    int rc = tb_store_begin(store);
    if (rc == 0)
        rc = tb_store_data_put(store, kind, (uint32_t)strtoul(argv[3], NULL, 10),
                               (const uint8_t *)body, n);
    rc = rc == 0 ? tb_store_commit(store) : rc;
    tb_store_destroy(&store);
    return rc == 0 ? 0 : 1;
}
