/* fuzz-unreachable: the Unreachable body the broker sends, unpacked by the
 * county node and tb_sqlink with protobuf-c and then checked with
 * tb_code_valid(), exactly as they do.
 *
 * A body that unpacks must round-trip: its peer packed in a fresh message
 * (as the broker does) unpacks to the same peer, and packing again gives the
 * same bytes.  Fresh, not the unpacked message itself: see fuzz-heartbeat.c
 * for the protobuf-c quirk with unknown fields that this avoids. */
#include "fuzz.h"
#include "tb_place.h"
#include "tongban.pb-c.h"

#include <stdlib.h>
#include <string.h>

static uint8_t *pack(const Tongban__V1__Unreachable *u, size_t *ret_len)
{
    size_t len = tongban__v1__unreachable__get_packed_size(u);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        abort();
    if (tongban__v1__unreachable__pack(u, buf) != len)
        abort();
    *ret_len = len;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Tongban__V1__Unreachable *u = tongban__v1__unreachable__unpack(NULL, size, data);
    /* Accepted as the county and tb_sqlink accept it: it unpacks, and names a place. */
    fuzz_verdict_set(u && u->peer && tb_code_valid(u->peer));
    if (!u)
        return 0;
    if (!u->peer)
        abort(); /* proto3 strings unpack as "" when absent, never NULL */

    Tongban__V1__Unreachable fresh = TONGBAN__V1__UNREACHABLE__INIT;
    fresh.peer = u->peer;
    size_t len1, len2;
    uint8_t *buf1 = pack(&fresh, &len1);
    Tongban__V1__Unreachable *again = tongban__v1__unreachable__unpack(NULL, len1, buf1);
    if (!again || strcmp(u->peer, again->peer) != 0 ||
        tb_code_valid(u->peer) != tb_code_valid(again->peer))
        abort();
    uint8_t *buf2 = pack(again, &len2);
    if (len1 != len2 || len1 > size || memcmp(buf1, buf2, len1) != 0)
        abort();

    free(buf1);
    free(buf2);
    tongban__v1__unreachable__free_unpacked(again, NULL);
    tongban__v1__unreachable__free_unpacked(u, NULL);
    return 0;
}
