#include "tb_link.h"

#include "tb_error.h"

void tb_link_tx_init(tb_link_tx_t *tx, uint64_t last, uint64_t acked, int64_t now_ms)
{
    tx->last = last;
    tx->acked = acked > last ? last : acked;
    tx->sent = tx->acked;
    tx->progress_ms = now_ms;
    tx->backoff_ms = TB_LINK_BACKOFF_MIN_MS;
    tx->blocked_until_ms = 0;
    tx->rto_ms = TB_LINK_BACKOFF_MIN_MS;
    tx->srtt_ms = tx->rttvar_ms = 0;
    tx->top = tx->acked;
    tx->probe_seq = 0;
    tx->probe_ms = tx->due_ms = now_ms;
}

/* A round trip measured (RFC 6298, section 2, in whole milliseconds). */
static void rtt_sample(tb_link_tx_t *tx, int64_t r)
{
    if (r < 0)
        r = 0;
    if (tx->srtt_ms == 0) {
        tx->srtt_ms = r > 0 ? r : 1;
        tx->rttvar_ms = r / 2;
    } else {
        int64_t d = tx->srtt_ms > r ? tx->srtt_ms - r : r - tx->srtt_ms;
        tx->rttvar_ms = (3 * tx->rttvar_ms + d) / 4;
        tx->srtt_ms = (7 * tx->srtt_ms + r) / 8;
        if (tx->srtt_ms == 0)
            tx->srtt_ms = 1;
    }
    int64_t rto = tx->srtt_ms + 4 * tx->rttvar_ms;
    tx->rto_ms = rto < TB_LINK_BACKOFF_MIN_MS   ? TB_LINK_BACKOFF_MIN_MS
                 : rto > TB_LINK_BACKOFF_MAX_MS ? TB_LINK_BACKOFF_MAX_MS
                                                : rto;
}

/* Going back: what is in flight is sent again, so no ack times it any more. */
static void go_back(tb_link_tx_t *tx)
{
    tx->sent = tx->acked;
    tx->probe_seq = 0;
}

void tb_link_tx_appended(tb_link_tx_t *tx, uint64_t last)
{
    if (last > tx->last)
        tx->last = last;
}

int tb_link_tx_on_ack(tb_link_tx_t *tx, uint64_t ack, int64_t now_ms)
{
    if (ack > tx->last)
        return -TB_EPROTO;
    if (ack <= tx->acked)
        return 0;
    tx->acked = ack;
    if (tx->sent < ack)
        tx->sent = ack;
    if (tx->top < ack)
        tx->top = ack;
    if (tx->probe_seq && ack >= tx->probe_seq) {
        rtt_sample(tx, now_ms - tx->probe_ms);
        tx->probe_seq = 0;
    }
    tx->progress_ms = now_ms;
    tx->backoff_ms = tx->rto_ms;
    tx->blocked_until_ms = 0;
    return 1;
}

void tb_link_tx_unreachable(tb_link_tx_t *tx, int64_t now_ms)
{
    /* The broker answers every message of a round sent to an absent peer: the
     * first answer holds the link, the rest belong to the same round. */
    if (now_ms < tx->blocked_until_ms)
        return;
    /* Everything sent since the ack is lost with the absent peer: go back. */
    go_back(tx);
    tx->blocked_until_ms = now_ms + tx->backoff_ms;
    tx->progress_ms = now_ms;
    tx->backoff_ms *= 2;
    if (tx->backoff_ms > TB_LINK_BACKOFF_MAX_MS)
        tx->backoff_ms = TB_LINK_BACKOFF_MAX_MS;
}

bool tb_link_tx_due(tb_link_tx_t *tx, int64_t now_ms, uint32_t window, uint64_t *ret_from,
                    uint64_t *ret_to)
{
    if (now_ms < tx->blocked_until_ms)
        return false;
    if (tx->sent > tx->acked && now_ms - tx->progress_ms >= tx->backoff_ms) {
        /* No progress for a whole timeout: go back to the first unacked. */
        go_back(tx);
        tx->progress_ms = now_ms;
        tx->backoff_ms *= 2;
        if (tx->backoff_ms > TB_LINK_BACKOFF_MAX_MS)
            tx->backoff_ms = TB_LINK_BACKOFF_MAX_MS;
    }
    uint64_t limit = tx->acked + window;
    if (limit > tx->last)
        limit = tx->last;
    if (tx->sent >= limit)
        return false;
    if (tx->sent == tx->acked)
        tx->progress_ms = now_ms; /* a new round starts its clock now */
    tx->due_ms = now_ms;
    *ret_from = tx->sent + 1;
    *ret_to = limit;
    return true;
}

void tb_link_tx_sent(tb_link_tx_t *tx, uint64_t to)
{
    if (to > tx->sent)
        tx->sent = to;
    if (to > tx->top) {
        /* A first sending: time its last message unless one is timed already. */
        if (!tx->probe_seq) {
            tx->probe_seq = to;
            tx->probe_ms = tx->due_ms;
        }
        tx->top = to;
    }
}

int64_t tb_link_tx_wait_ms(const tb_link_tx_t *tx, int64_t now_ms)
{
    if (now_ms < tx->blocked_until_ms)
        return tx->blocked_until_ms - now_ms;
    if (tx->sent > tx->acked) {
        int64_t left = tx->progress_ms + tx->backoff_ms - now_ms;
        return left > 0 ? left : 0;
    }
    return tx->sent < tx->last ? 0 : -1;
}

tb_link_rx_t tb_link_rx_classify(uint64_t cursor, uint64_t seq)
{
    if (seq <= cursor)
        return TB_LINK_DUP;
    return seq == cursor + 1 ? TB_LINK_NEXT : TB_LINK_GAP;
}
