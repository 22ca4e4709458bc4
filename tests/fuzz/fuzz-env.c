/* fuzz-env: tb_env_decode() on untrusted bytes, the envelope every node reads
 * off the network.
 *
 * Besides "no crash, no leak", an envelope that decodes must survive a round
 * trip: tb_env_pack() of its fields decodes again to the same fields, and
 * packing that gives the same bytes (the encoding is canonical). */
#include "fuzz.h"
#include "tb_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int repack(const tb_env_t *env, uint8_t **ret_buf, size_t *ret_len)
{
    return tb_env_pack_epoch(env->sender, env->receiver, env->kind, env->seq, env->ack, env->epoch,
                             env->receiver_epoch, env->body.data, env->body.len, ret_buf, ret_len);
}

static int same_env(const tb_env_t *a, const tb_env_t *b)
{
    return a->version == b->version && strcmp(a->sender, b->sender) == 0 &&
           strcmp(a->receiver, b->receiver) == 0 && a->seq == b->seq && a->ack == b->ack &&
           a->kind == b->kind && a->epoch == b->epoch && a->receiver_epoch == b->receiver_epoch &&
           a->body.len == b->body.len &&
           (a->body.len == 0 || memcmp(a->body.data, b->body.data, a->body.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_env_t *env = NULL;
    int rc = tb_env_decode(data, size, &env);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (env)
            abort(); /* written on failure */
        return 0;
    }

    uint8_t *buf1 = NULL, *buf2 = NULL;
    size_t len1 = 0, len2 = 0;
    tb_env_t *again = NULL;
    /* The canonical form is never longer than what was accepted, but for the
     * Envelope.takes this build sets (two bytes; the rest is compared), for
     * which an envelope within two bytes of TB_MAX_FRAME has no room (none
     * is repacked: a DATA body is at most TB_MAX_BODY, a heartbeat is
     * answered, not relayed). */
    rc = repack(env, &buf1, &len1);
    if (rc == -E2BIG && size + 2 > TB_MAX_FRAME) {
        tb_env_free(&env);
        return 0;
    }
    if (rc < 0 || len1 > size + 2)
        abort();
    if (tb_env_decode(buf1, len1, &again) < 0 || !same_env(env, again))
        abort();
    if (repack(again, &buf2, &len2) < 0 || len2 != len1 || memcmp(buf1, buf2, len1) != 0)
        abort();

    free(buf1);
    free(buf2);
    tb_env_free(&again);
    tb_env_free(&env);
    if (env || again)
        abort(); /* tb_env_free() sets the caller's pointer to NULL */
    return 0;
}
