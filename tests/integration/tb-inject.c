/* tb-inject: send one multipart message of hostile frames to a ZeroMQ endpoint.
 *
 *   tb-inject ENDPOINT IDENTITY FRAME...
 * FRAME is str:TEXT, hex:BYTES, rand:N (N bytes from a fixed-seed PRNG) or
 * env:SENDER,RECEIVER,SEQ (a well-formed DATA envelope with a garbage body:
 * to show that a receiver checks the sender field against the stamped sender).
 * Used by the integration tests to show that garbage is logged and dropped.
 *
 * With TONGBAN_KEYS set it speaks CurveZMQ, pinning $TONGBAN_KEYS/broker.pub:
 * with the key pair of the place the IDENTITY starts with when the directory
 * holds one, else with a fresh key no allow-list knows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "tb_keys.h"
#include "tb_wire.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tb-inject ENDPOINT IDENTITY FRAME...\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (strcmp(argv[2], "-") != 0)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, argv[2], strlen(argv[2]));
    const char *kd = getenv("TONGBAN_KEYS");
    if (kd && *kd) {
        tb_curve_t c;
        char place[TB_CODE_LEN + 1] = "", why[600], path[4096];
        snprintf(place, sizeof place, "%s", argv[2]);
        if (tb_keys_load_node(kd, place, &c, why, sizeof why) < 0) {
            snprintf(path, sizeof path, "%s/broker.pub", kd);
            if (zmq_curve_keypair(c.pub, c.sec) < 0 ||
                tb_keys_read_pub(path, c.broker_pub, why, sizeof why) < 0) {
                fprintf(stderr, "keys: %s\n", why);
                return 1;
            }
        }
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, c.broker_pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, c.pub, TB_KEY_Z85_LEN);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, c.sec, TB_KEY_Z85_LEN);
    }
    if (zmq_connect(s, argv[1]) < 0) {
        fprintf(stderr, "connect: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    uint32_t x = 2463534242u;
    for (int i = 3; i < argc; i++) {
        const char *f = argv[i];
        unsigned char buf[65536];
        size_t len = 0;
        if (strncmp(f, "str:", 4) == 0) {
            len = strlen(f + 4);
            memcpy(buf, f + 4, len);
        } else if (strncmp(f, "hex:", 4) == 0) {
            for (const char *h = f + 4; h[0] && h[1] && len < sizeof buf; h += 2)
                sscanf(h, "%2hhx", &buf[len++]);
        } else if (strncmp(f, "rand:", 5) == 0) {
            len = (size_t)atoi(f + 5);
            if (len > sizeof buf)
                len = sizeof buf;
            for (size_t k = 0; k < len; k++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                buf[k] = (unsigned char)x;
            }
        } else if (strncmp(f, "env:", 4) == 0) {
            char sender[16], receiver[16];
            unsigned long long seq;
            uint8_t *env;
            if (sscanf(f + 4, "%15[0-9],%15[0-9],%llu", sender, receiver, &seq) != 3 ||
                tb_env_pack(sender, receiver, TONGBAN__V1__KIND__KIND_DATA, seq, 0,
                            (const uint8_t *)"x", 1, &env, &len) < 0) {
                fprintf(stderr, "bad env spec: %s\n", f);
                return 2;
            }
            memcpy(buf, env, len);
            free(env);
        } else {
            fprintf(stderr, "bad frame spec: %s\n", f);
            return 2;
        }
        if (zmq_send(s, buf, len, i + 1 < argc ? ZMQ_SNDMORE : 0) < 0) {
            fprintf(stderr, "send: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
