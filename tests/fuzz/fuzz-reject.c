/* fuzz-reject: tb_reject_answer() and tb_reject_consumed() on untrusted
 * bytes: a message a village sent that the township refuses, answered with a
 * REJECTED to its origin (issue 9).  The first byte chooses the RejectCode,
 * the rest is the refused body as the village sent it.
 *
 * Properties besides "no crash, no leak": the answer is made exactly when
 * the body (unpacked as an Item, without the checks of tb_item_decode) is an
 * event with a valid origin_node, an origin_seq and not itself a REJECTED;
 * then the one message queued to the village is an Item that tb_item_decode
 * takes (a node must accept our answer, or it would quarantine it): a
 * REJECTED naming the refused id, the code, the refused bytes' SHA-256, and
 * the case id when it is well formed, else "".  Otherwise nothing is queued.
 * tb_reject_consumed takes the seq of an event of the peer's own only.  Each
 * input runs in a transaction rolled back, on one SQLite store in a temporary
 * directory.  The verdict is "answered". */
#include "fuzz.h"
#include "tb_caseid.h"
#include "tb_place.h"
#include "tb_reject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOWN "360826100000"
#define VIL "360826100001"

static tb_store_t *store;

static void setup(void)
{
    char dir[64];
    snprintf(dir, sizeof dir, "%s/tb-fuzz-reject-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir) || tb_store_open(dir, TOWN, &store) < 0)
        abort();
}

static uint64_t queued(void)
{
    uint64_t last = 0, acked = 0;
    if (tb_store_out_get(store, VIL, &last, &acked) < 0)
        abort();
    return last;
}

/* The answer queued as message seq: what the property says it is. */
static void check_answer(uint64_t seq, const tb_event_msg_t *bad, const uint8_t *body, size_t len,
                         tb_reject_code_t code)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    tb_item_msg_t *item = NULL;
    if (tb_store_outbox_get(store, VIL, seq, &buf, &n) < 0 || tb_item_decode(buf, n, &item) < 0)
        abort();
    const tb_event_msg_t *ev =
        item->item_case == TONGBAN__V1__ITEM__ITEM_EVENT ? item->event : NULL;
    char digest[TB_DIGEST_HEX];
    tb_digest_hex(body, len, digest);
    const char *case_id = tb_caseid_valid(bad->case_id) ? bad->case_id : "";
    if (!ev || ev->type != TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED ||
        strcmp(ev->origin_node, TOWN) != 0 || strcmp(ev->rejected_origin, bad->origin_node) != 0 ||
        ev->rejected_seq != bad->origin_seq || ev->reject_code != code ||
        strcmp(ev->rejected_digest, digest) != 0 || strcmp(ev->case_id, case_id) != 0 ||
        !ev->reason || !ev->reason[0])
        abort();
    tb_item_free(&item);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        setup();
    if (size == 0) {
        fuzz_verdict_set(false);
        return 0;
    }
    /* A code the township answers with: 1..17 (never UNSPECIFIED). */
    tb_reject_code_t code = (tb_reject_code_t)(1 + data[0] % 17);
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    tb_item_msg_t *raw = len <= TB_MAX_BODY ? tongban__v1__item__unpack(NULL, len, body) : NULL;
    const tb_event_msg_t *bad =
        raw && raw->item_case == TONGBAN__V1__ITEM__ITEM_EVENT ? raw->event : NULL;
    bool answerable = bad && tb_code_valid(bad->origin_node) && bad->origin_seq != 0 &&
                      bad->type != TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
    bool own = bad && bad->origin_node && strcmp(bad->origin_node, VIL) == 0 && bad->origin_seq;

    if (tb_store_begin(store) < 0)
        abort();
    uint64_t before = queued();
    int rc = tb_reject_answer(store, VIL, body, len, code, data[0] & 0x80 ? "fuzz：原因" : NULL);
    if (rc < 0 || rc != (answerable ? 1 : 0))
        abort();
    uint64_t after = queued();
    if (after != before + (uint64_t)rc)
        abort();
    if (rc == 1)
        check_answer(after, bad, body, len, code);
    uint64_t last = 0, seq = 0, again = 0;
    int c = tb_reject_consumed(store, VIL, body, len, &last, &seq);
    if (c < 0 || c != (own ? 1 : 0) || (c == 1 && seq != bad->origin_seq))
        abort();
    if (c == 1 && (tb_store_origin_last(store, VIL, &again) < 0 || again < seq))
        abort(); /* consumed: the next event after it is no gap */
    tb_store_rollback(store);
    if (raw)
        tongban__v1__item__free_unpacked(raw, NULL);
    fuzz_verdict_set(rc == 1);
    return 0;
}
