/* tb_sqlink_note: the log line and level of what a node's link noted (tb_sqlink.h,
 * tb_sqlink_note_text): the daemons log through it, tests read it. */
#include "tb_sqlink.h"

#include "tb_error.h"
#include "tb_log.h"

#include <errno.h>
#include <stdio.h>
#include <uv.h>

int tb_sqlink_note_text(const tb_sqlink_note_t *n, char *buf, size_t cap)
{
    const char *peer = n->peer;
    unsigned long long s = (unsigned long long)n->seq;
    const char *why = n->rc < 0 ? tb_strerror(n->rc) : "";
    switch (n->event) {
    case TB_SQLINK_QUARANTINED:
        snprintf(buf, cap, "link %s seq %llu: %s; quarantined", peer, s, why);
        return TB_LOG_ERROR;
    case TB_SQLINK_DROPPED:
        snprintf(buf, cap, "dropped a message from %s (%llu frames): %s (%s)", peer, s, n->detail,
                 why);
        return TB_LOG_WARN;
    case TB_SQLINK_SERVING:
        snprintf(buf, cap, "node %s serving via %s; backlog %llu message(s) waiting in outboxes",
                 peer, n->detail, s);
        return TB_LOG_INFO;
    case TB_SQLINK_SIGNAL:
        snprintf(buf, cap, "signal %d: stopping", n->rc);
        return TB_LOG_INFO;
    case TB_SQLINK_STOPPED:
        if (n->rc < 0) {
            snprintf(buf, cap, "stopped (the loop closed with handles still open: %s)",
                     uv_strerror(n->rc));
            return TB_LOG_WARN;
        }
        snprintf(buf, cap, "stopped");
        return TB_LOG_INFO;
    case TB_SQLINK_EPOCH_RESET:
        snprintf(buf, cap,
                 "peer %s has a new store (epoch %s): link reset, its seqs start at 1, our "
                 "unacknowledged messages to it renumbered from 1",
                 peer, n->detail);
        return TB_LOG_WARN;
    case TB_SQLINK_EPOCH_REPLAY:
        snprintf(buf, cap, "peer %s sent under a retired epoch (%s): replay dropped", peer,
                 n->detail);
        return TB_LOG_WARN;
    case TB_SQLINK_HELD:
        snprintf(buf, cap, "%llu more lines about %s in the last minute (not logged one by one)", s,
                 peer);
        return TB_LOG_WARN;
    case TB_SQLINK_ENGINE:
        break;
    }
    switch (n->what) {
    case TB_LINKENG_APPLY_FAILED:
        snprintf(buf, cap, "link %s seq %llu: apply failed: %s%s%s", peer, s, why,
                 *n->detail ? "; " : "", n->detail);
        return TB_LOG_ERROR;
    case TB_LINKENG_ROLLED_BACK:
        snprintf(buf, cap, "batch rolled back; peers will retransmit");
        return TB_LOG_WARN;
    case TB_LINKENG_ACK_BEYOND:
        snprintf(buf, cap, "peer %s acked %llu, beyond our last: ignored", peer, s);
        return TB_LOG_WARN;
    case TB_LINKENG_UNREACHABLE:
        snprintf(buf, cap, "peer %s not connected; holding its outbox", peer);
        return TB_LOG_DEBUG;
    case TB_LINKENG_READ_FAILED:
        snprintf(buf, cap, "outbox %s seq %llu: %s", peer, s, why);
        return TB_LOG_WARN;
    case TB_LINKENG_SEND_FAILED:
        /* Back-pressure (EAGAIN, EHOSTUNREACH): the outbox keeps it and the
         * timer tries again.  Anything else is a bug worth shouting. */
        if (n->rc == -EAGAIN || n->rc == -EHOSTUNREACH)
            return -1;
        snprintf(buf, cap, "link %s seq %llu cannot be sent: %s", peer, s, why);
        return TB_LOG_ERROR;
    case TB_LINKENG_PEER_REFUSED:
        snprintf(buf, cap, "message from %s refused: dropped", peer);
        return TB_LOG_WARN;
    case TB_LINKENG_FOR_OLD_STORE:
        snprintf(buf, cap,
                 "peer %s sent (seq %llu) to the store this one replaced: dropped, our epoch told",
                 peer, s);
        return TB_LOG_INFO;
    }
    return -1;
}
