/* tb_link: the pure sequencing logic of one durable link (no I/O).
 *
 * Every (sender, receiver) pair is a sequenced stream.  The sender's store
 * assigns seq 1, 2, 3, ... to each message in its durable outbox; the
 * receiver applies them strictly in order and stores its cursor (the last
 * applied seq) in the same transaction as the effect, then acknowledges
 * cumulatively.  The sender keeps every message until an ack covers it.
 *
 * Retransmission is go-back-N: the sender sends up to `window` messages past
 * the ack; when the ack has not moved for the current backoff, it starts again
 * from ack + 1 and doubles the backoff (up to a cap).  The backoff starts from
 * a timeout learned from the acks (RFC 6298's smoothed round trip plus four
 * times its variation, at least TB_LINK_BACKOFF_MIN_MS): a receiver that
 * commits in batches under load acks a message a second or more after it was
 * sent, and a fixed 500 ms made its senders resend whole windows it already
 * held (issue 13's latency run: 161,663 duplicates beside 90,000 new messages
 * at the county), which cost the broker, the county and the edges the CPU the
 * new messages needed.  One message at a time is timed (the last of the first
 * sending of a range), never one that was resent (Karn's rule: its ack may
 * answer either sending).  A receiver drops what
 * is out of order, so a gap is held back until the sender fills it: we chose
 * this over a reorder buffer because the sender must keep the messages anyway
 * and dropping bounds the receiver's memory at zero.
 */
#ifndef TB_LINK_H
#define TB_LINK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t last;            /* highest seq the store has assigned (0: none) */
    uint64_t acked;           /* highest cumulative ack from the peer */
    uint64_t sent;            /* highest seq sent in the current round */
    int64_t progress_ms;      /* monotonic time of the last ack progress or round start */
    int64_t backoff_ms;       /* current retransmit timeout */
    int64_t blocked_until_ms; /* peer unreachable: send nothing before this time */
    int64_t rto_ms;           /* the timeout learned from the round trips (the backoff's base) */
    int64_t srtt_ms;          /* smoothed round trip (0: no sample yet) */
    int64_t rttvar_ms;        /* its mean deviation */
    uint64_t top;             /* highest seq ever sent */
    uint64_t probe_seq;       /* the seq being timed (0: none) */
    int64_t probe_ms;         /* when it was sent */
    int64_t due_ms;           /* the time of the last tb_link_tx_due */
} tb_link_tx_t;

enum { TB_LINK_BACKOFF_MIN_MS = 500, TB_LINK_BACKOFF_MAX_MS = 30000 };

void tb_link_tx_init(tb_link_tx_t *tx, uint64_t last, uint64_t acked, int64_t now_ms);

/* The store assigned more messages (last grows). */
void tb_link_tx_appended(tb_link_tx_t *tx, uint64_t last);

/* An ack arrived.  Returns 1 if it advanced, 0 if old, -TB_EPROTO if it covers a
 * seq never assigned (the ack is ignored). */
int tb_link_tx_on_ack(tb_link_tx_t *tx, uint64_t ack, int64_t now_ms);

/* The broker said the peer is not connected: hold sending for the backoff. */
void tb_link_tx_unreachable(tb_link_tx_t *tx, int64_t now_ms);

/* Which seqs to send now: [*ret_from, *ret_to], and true; false if nothing.
 * The caller sends them and then calls tb_link_tx_sent(tx, *ret_to). */
bool tb_link_tx_due(tb_link_tx_t *tx, int64_t now_ms, uint32_t window, uint64_t *ret_from,
                    uint64_t *ret_to);
void tb_link_tx_sent(tb_link_tx_t *tx, uint64_t to);

/* Milliseconds until tb_link_tx_due could answer true without new input (for timers). */
int64_t tb_link_tx_wait_ms(const tb_link_tx_t *tx, int64_t now_ms);

typedef enum {
    TB_LINK_DUP = 0, /* seq <= cursor: already applied; re-ack */
    TB_LINK_NEXT,    /* seq == cursor + 1: apply it */
    TB_LINK_GAP      /* seq > cursor + 1: drop; the sender will go back */
} tb_link_rx_t;

tb_link_rx_t tb_link_rx_classify(uint64_t cursor, uint64_t seq);

#endif
