/* forge: what a node that is not entitled to send it puts on its link, for the
 * security suite (test-authority-*.sh).  It writes one Item into the outbox of
 * a stopped node's store, exactly as the node itself queues what it sends, so
 * the real daemons carry it over the real (CURVE) link:
 *
 *   forge DIR PLACE PEER rejected CASE_ID           a REJECTED event minted by PLACE
 *   forge DIR PLACE PEER status CASE_ID STATE VER   a status update
 *   forge DIR PLACE PEER data KIND VERSION FILE [SIG]  a catalog or calendar version:
 *       unsigned, or SIG "garbage" (64 random bytes), or "key=KEYDIR" (signed
 *       with the county.sign in KEYDIR: a key the nodes do not pin)
 *   forge DIR PLACE PEER note CASE_ID SEQ [N]       a NOTE minted by PLACE as its event SEQ
 *       (N copies: a flood; SEQ "next": PLACE's next own id, taken from its counter as
 *       PLACE itself would)
 *   forge DIR PLACE PEER raw FILE                   the bytes of FILE as they are (an Item
 *       sent again)
 */
#include "tb_sign.h"
#include "tb_store.h"
#include "tb_wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: forge DIR PLACE PEER rejected|status|data ...\n");
        return 2;
    }
    tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    Tongban__V1__StatusUpdate st = TONGBAN__V1__STATUS_UPDATE__INIT;
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    static char body[1 << 20];
    bool raw = false;
    size_t raw_len = 0, copies = 1;
    if (!strcmp(argv[4], "note") && argc == 8)
        copies = strtoul(argv[7], NULL, 10);
    const char *what = argv[4];
    if (!strcmp(what, "rejected")) {
        ev.origin_node = argv[2];
        ev.origin_seq = 900000;
        ev.case_id = argv[5];
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_REJECTED;
        ev.actor = (char *)"forger";
        ev.at_ms = (int64_t)time(NULL) * 1000;
        ev.reason = (char *)"forged";
        ev.rejected_origin = argv[2];
        ev.rejected_seq = 1;
        item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
        item.event = &ev;
    } else if (!strcmp(what, "note") && (argc == 7 || argc == 8)) {
        ev.origin_node = argv[2];
        ev.origin_seq = strtoull(argv[6], NULL, 10);
        ev.case_id = argv[5];
        ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_NOTE;
        ev.actor = (char *)"forger";
        ev.at_ms = (int64_t)time(NULL) * 1000;
        ev.reason = (char *)"forged";
        item.item_case = TONGBAN__V1__ITEM__ITEM_EVENT;
        item.event = &ev;
    } else if (!strcmp(what, "raw") && argc == 6) {
        FILE *f = fopen(argv[5], "rb");
        if (!f)
            return 1;
        raw_len = fread(body, 1, sizeof body, f);
        fclose(f);
        raw = true;
    } else if (!strcmp(what, "status") && argc == 8) {
        st.case_id = argv[5];
        st.state = argv[6];
        st.holder = argv[2];
        st.version = (uint32_t)strtoul(argv[7], NULL, 10);
        st.at_ms = (int64_t)time(NULL) * 1000;
        item.item_case = TONGBAN__V1__ITEM__ITEM_STATUS;
        item.status = &st;
    } else if (!strcmp(what, "data") && (argc == 8 || argc == 9)) {
        FILE *f = fopen(argv[7], "rb");
        if (!f)
            return 1;
        size_t n = fread(body, 1, sizeof body, f);
        fclose(f);
        dv.kind = argv[5];
        dv.version = (uint32_t)strtoul(argv[6], NULL, 10);
        dv.body.data = (uint8_t *)body;
        dv.body.len = n;
        static unsigned char sig[TB_SIGN_BYTES];
        if (argc == 9 && !strcmp(argv[8], "garbage")) {
            if (getrandom(sig, sizeof sig, 0) != (ssize_t)sizeof sig)
                return 1;
        } else if (argc == 9 && !strncmp(argv[8], "key=", 4)) {
            unsigned char sk[TB_SIGN_SK_BYTES];
            char why[300];
            if (tb_sign_load_secret(argv[8] + 4, sk, why, sizeof why) < 0 ||
                tb_sign_data(sk, dv.kind, dv.version, dv.body.data, n, sig) < 0) {
                fprintf(stderr, "forge: %s\n", why);
                return 1;
            }
        } else if (argc == 9) {
            fprintf(stderr, "forge: SIG is garbage or key=KEYDIR\n");
            return 2;
        }
        if (argc == 9) {
            dv.signature.data = sig;
            dv.signature.len = sizeof sig;
        }
        item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
        item.data = &dv;
    } else {
        fprintf(stderr, "forge: unknown %s\n", what);
        return 2;
    }
    uint8_t *buf = NULL;
    size_t len = raw_len;
    tb_store_t *store;
    if (raw && !(buf = malloc(raw_len ? raw_len : 1)))
        return 1;
    if (raw)
        memcpy(buf, body, raw_len);
    if ((!raw && tb_pack_item(&item, &buf, &len) < 0) ||
        tb_store_open(argv[1], argv[2], &store) < 0)
        return 1;
    int rc = tb_store_begin(store);
    if (rc == 0 && ev.origin_seq == 0 && !strcmp(what, "note")) {
        /* "next": the id is taken from the counter, then the event packed. */
        free(buf);
        buf = NULL;
        uint64_t seq = 0;
        if ((rc = tb_store_counter_next(store, "event", &seq)) == 0) {
            ev.origin_seq = seq;
            rc = tb_pack_item(&item, &buf, &len);
        }
    }
    for (size_t i = 0; rc == 0 && i < copies; i++)
        rc = tb_store_enqueue(store, argv[3], buf, len, NULL);
    if (rc == 0)
        rc = tb_store_commit(store);
    free(buf);
    tb_store_destroy(&store);
    return rc < 0;
}
