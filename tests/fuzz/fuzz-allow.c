/* fuzz-allow: tb_allow_parse() on an untrusted allow-list (allow.list in the
 * key directory: which CURVE public key may connect as which place; the
 * broker re-reads it about once a second, `tongban-county keys` rewrites it).
 *
 * Properties checked besides "no crash, no leak": a refusal is -TB_EDATA
 * and says why, naming the file; an accepted list binds every key to one
 * valid place and tb_allow_lookup() finds each entry; the list written by
 * tb_allow_save() parses to the same entries in the same order. */
#include "fuzz.h"
#include "tb_error.h"
#include "tb_keys.h"
#include "tb_place.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[80];

static void setup(void)
{
    char dir[64];
    snprintf(dir, sizeof dir, "%s/tb-fuzz-allow-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/allow.list", dir);
}

static void same(const tb_allow_t *a, const tb_allow_t *b)
{
    if (tb_allow_count(a) != tb_allow_count(b))
        abort();
    for (size_t i = 0; i < tb_allow_count(a); i++) {
        const char *pa, *ka, *pb, *kb;
        tb_allow_entry(a, i, &pa, &ka);
        tb_allow_entry(b, i, &pb, &kb);
        if (strcmp(pa, pb) != 0 || strcmp(ka, kb) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        setup();
    char why[600] = "";
    tb_allow_t *allow = NULL;
    int rc = tb_allow_parse("allow.list", (const char *)data, size, &allow, why, sizeof why);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (rc != -TB_EDATA || allow || !strstr(why, "allow.list"))
            abort();
        return 0;
    }
    for (size_t i = 0; i < tb_allow_count(allow); i++) {
        const char *place, *key;
        tb_allow_entry(allow, i, &place, &key);
        char found[TB_CODE_LEN + 1];
        if (!tb_code_valid(place) || !tb_key_valid(key) || !tb_allow_lookup(allow, key, found) ||
            strcmp(found, place) != 0)
            abort();
    }
    tb_allow_t *again = NULL;
    if (tb_allow_save(allow, path) < 0 || tb_allow_load(path, &again, why, sizeof why) < 0)
        abort();
    same(allow, again);
    tb_allow_destroy(&again);
    tb_allow_destroy(&allow);
    return 0;
}
