/* township_answer.c: every refusal answered (issue 9).
 *
 * What the township takes off a village's link but cannot apply goes back to
 * the village as REJECTED (tb_reject.h), so the village's ack means "consumed:
 * applied or answered".  A village that keeps sending refused items is
 * answered at most TB_REJECT_ANSWERS_PER_MIN times a minute; the rest are
 * only quarantined (bounded per peer, tb_store_quarantine) and counted, so
 * nothing it sends grows the outbox without bound.  The limit lives in the
 * process: a restart gives the peer a fresh minute, which is at most one more
 * minute's worth of answers. */
#include "township.h"

#include "tb_log.h" /* tb_now_ms only: nothing here logs */

#include <stdio.h>

int township_answer(township_t *t, const char *peer, const uint8_t *body, size_t len,
                    tb_reject_code_t code, const char *why, const char **ret_note)
{
    static tb_ratelimit_t answers; /* one node per process */
    static char note[64];
    unsigned held = 0;
    if (!tb_ratelimit_n(&answers, peer, tb_now_ms(), TB_REJECT_ANSWERS_PER_MIN, &held)) {
        char counter[64];
        uint64_t n;
        snprintf(counter, sizeof counter, "unanswered %s", peer);
        int rc = tb_store_counter_next(t->store, counter, &n);
        if (rc < 0)
            return rc;
        *ret_note = "; not answered: over the answers a minute";
        return 0;
    }
    int rc = tb_reject_answer(t->store, peer, body, len, code, why);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *ret_note = "; not answered: names no event";
        return 0;
    }
    snprintf(note, sizeof note, "; answered: REJECTED code %d", (int)code);
    *ret_note = note;
    return 0;
}
