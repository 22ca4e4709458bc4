/* broker_curve: the CURVE side of the broker — the ZAP handler that admits a
 * key on the allow-list and refuses connections over the cap, the count of
 * open connections from the socket's monitor, and the allow-list's reload. */
#include "broker_int.h"

#include "tb_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Take the monitor's events: [event (uint16) value (uint32)][endpoint]. */
void broker_count_connections(broker_t *self)
{
    for (;;) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, self->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        uint16_t event = 0;
        if (zmq_msg_size(&ev) >= sizeof event)
            memcpy(&event, zmq_msg_data(&ev), sizeof event);
        bool more = zmq_msg_more(&ev);
        zmq_msg_close(&ev);
        if (more) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, self->mon, 0);
            zmq_msg_close(&addr);
        }
        if (event == ZMQ_EVENT_ACCEPTED)
            self->conns++;
        else if (event == ZMQ_EVENT_DISCONNECTED && self->conns > 0)
            self->conns--;
    }
}

/* RFC 27: [version][request id][domain][address][identity][mechanism][key]
 * -> [version][request id][status][text][user id][metadata].  The user id is
 * "<place> <key>" so every message carries both (zmq_msg_gets "User-Id"). */
int broker_zap_one(broker_t *self)
{
    zmq_msg_t f[8], extra;
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t *m = n < 8 ? &f[n] : &extra;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, self->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < n && i < 8; i++)
                zmq_msg_close(&f[i]);
            return 0;
        }
        more = zmq_msg_more(m);
        if (n >= 8)
            zmq_msg_close(&extra);
        n++;
    }
    const char *status = "400", *text = "key not on the allow-list";
    char uid[TB_CODE_LEN + 1 + TB_KEY_Z85_LEN + 1] = "", key[TB_KEY_Z85_LEN + 1] = "";
    char place[TB_CODE_LEN + 1];
    broker_count_connections(self);
    bool capped = self->limits.max_conn > 0 && self->conns > self->limits.max_conn;
    if (capped) {
        /* This connection is among those counted: beyond the cap it goes
         * at once, before it can hold a route. */
        text = "too many connections";
        self->stats.capped++;
        self->capped_new++;
    } else if (n != 7 || zmq_msg_size(&f[5]) != 5 || memcmp(zmq_msg_data(&f[5]), "CURVE", 5) != 0 ||
               zmq_msg_size(&f[6]) != 32) {
        status = "500";
        text = "unexpected ZAP request";
    } else {
        zmq_z85_encode(key, zmq_msg_data(&f[6]), 32);
        if (tb_allow_lookup(self->allow, key, place)) {
            snprintf(uid, sizeof uid, "%s %s", place, key);
            status = "200";
            text = "OK";
        }
    }
    if (capped) {
        int64_t now = tb_mono_ms();
        if (now - self->capped_warned >= 1000) {
            tb_warn("%llu connection(s) refused: %ld open, over the cap of %ld "
                    "(TONGBAN_BROKER_MAX_CONN)",
                    (unsigned long long)self->capped_new, self->conns, self->limits.max_conn);
            self->capped_new = 0;
            self->capped_warned = now;
        }
    } else if (strcmp(status, "200") != 0) {
        self->stats.refused++;
        tb_warn("refused a connection from %.*s: %s (key %.8s…)",
                n >= 4 ? (int)zmq_msg_size(&f[3]) : 0, n >= 4 ? (char *)zmq_msg_data(&f[3]) : "",
                text, key[0] ? key : "?");
    }
    const char *version = "1.0";
    zmq_send(self->zap, version, 3, ZMQ_SNDMORE);
    if (n >= 2)
        zmq_send(self->zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
    else
        zmq_send(self->zap, "", 0, ZMQ_SNDMORE);
    zmq_send(self->zap, status, 3, ZMQ_SNDMORE);
    zmq_send(self->zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(self->zap, uid, strlen(uid), ZMQ_SNDMORE);
    zmq_send(self->zap, "", 0, 0);
    for (int i = 0; i < n && i < 8; i++)
        zmq_msg_close(&f[i]);
    return 1;
}

/* Re-read the allow-list when its file changed; keep the last good one if
 * the new one is malformed or unreadable. */
void broker_reload_allow(broker_t *self, int64_t now)
{
    struct stat st;
    if (stat(self->allow_path, &st) < 0) {
        if (self->allow_st.st_ino != 0)
            tb_warn("allow-list %s: %s; keeping the last good one (%zu keys)", self->allow_path,
                    strerror(errno), tb_allow_count(self->allow));
        self->allow_st.st_ino = 0;
        return;
    }
    if (st.st_ino == self->allow_st.st_ino && st.st_size == self->allow_st.st_size &&
        st.st_mtim.tv_sec == self->allow_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == self->allow_st.st_mtim.tv_nsec)
        return;
    self->allow_st = st;
    tb_allow_t *fresh;
    char why[512];
    if (tb_allow_load(self->allow_path, &fresh, why, sizeof why) < 0) {
        tb_error("%s; keeping the last good allow-list (%zu keys)", why,
                 tb_allow_count(self->allow));
        return;
    }
    tb_allow_destroy(&self->allow);
    self->allow = fresh;
    self->stats.reloaded++;
    tb_info("allow-list %s reloaded: %zu keys", self->allow_path, tb_allow_count(fresh));
    /* Routes of keys no longer bound to their place go at once. */
    size_t pos = 0;
    const char *code;
    uintptr_t v;
    char bound[TB_CODE_LEN + 1];
    while (tb_map_next(self->peers, &pos, &code, &v)) {
        peer_t *p = (peer_t *)v;
        if (!tb_allow_lookup(fresh, p->key, bound) || strcmp(bound, code) != 0) {
            tb_info("node %s: its key was revoked", code);
            free(p);
            tb_map_del(self->peers, code);
        }
    }
    (void)now;
}
