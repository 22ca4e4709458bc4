/* fuzz-heartbeat: the Heartbeat body (tb_node sends one to the broker when
 * idle for its interval; the broker unpacks it for interval_ms) unpacked with
 * protobuf-c.
 *
 * A body that unpacks must round-trip: its fields packed in a fresh message
 * (as tb_node does; see below) unpack to the same fields, and packing again
 * gives the same bytes.
 *
 * Why a fresh message: protobuf-c keeps unknown fields and packs them again,
 * and it accepts a field number 0 spelt as a two-byte varint (80 00) that it
 * rejects spelt as one byte (00), so re-packing the unpacked message itself
 * can give bytes it will not unpack.  Found by this harness; harmless to us,
 * since nothing here re-packs a message it received. */
#include "fuzz.h"
#include "tongban.pb-c.h"

#include <stdlib.h>
#include <string.h>

static uint8_t *pack(const Tongban__V1__Heartbeat *hb, size_t *ret_len)
{
    size_t len = tongban__v1__heartbeat__get_packed_size(hb);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        abort();
    if (tongban__v1__heartbeat__pack(hb, buf) != len)
        abort();
    *ret_len = len;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Tongban__V1__Heartbeat *hb = tongban__v1__heartbeat__unpack(NULL, size, data);
    fuzz_verdict_set(hb != NULL);
    if (!hb)
        return 0;

    Tongban__V1__Heartbeat fresh = TONGBAN__V1__HEARTBEAT__INIT;
    fresh.sent_at_ms = hb->sent_at_ms;
    fresh.backlog = hb->backlog;
    fresh.epoch = hb->epoch;
    fresh.interval_ms = hb->interval_ms;
    size_t len1, len2;
    uint8_t *buf1 = pack(&fresh, &len1);
    Tongban__V1__Heartbeat *again = tongban__v1__heartbeat__unpack(NULL, len1, buf1);
    if (!again || again->sent_at_ms != hb->sent_at_ms || again->backlog != hb->backlog ||
        again->epoch != hb->epoch || again->interval_ms != hb->interval_ms)
        abort();
    uint8_t *buf2 = pack(again, &len2);
    if (len1 != len2 || len1 > size || memcmp(buf1, buf2, len1) != 0)
        abort();

    free(buf1);
    free(buf2);
    tongban__v1__heartbeat__free_unpacked(again, NULL);
    tongban__v1__heartbeat__free_unpacked(hb, NULL);
    return 0;
}
