/* fuzz-envwhy: tb_env_why() on untrusted bytes, the rule a drop line names
 * for every frame a node throws away (issue 9: "drop log lines name the peer
 * and the reason").
 *
 * Besides "no crash, no leak": the words are never NULL, and they agree with
 * tb_env_decode() on every input: "" exactly when the envelope decodes, a
 * rule otherwise, so no frame is dropped with an empty reason and none that
 * decodes is named as broken.  The verdict is tb_env_why's ("" accepted), so
 * the expectations of fuzz-env (expect/env, the same rules) hold for it. */
#include "fuzz.h"
#include "tb_wire.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = tb_env_why(data, size);
    if (!why)
        abort();
    tb_env_t *env = NULL;
    int rc = tb_env_decode(data, size, &env);
    if ((rc == 0) != (why[0] == '\0'))
        abort();
    tb_env_free(&env);
    fuzz_verdict_set(why[0] == '\0');
    return 0;
}
