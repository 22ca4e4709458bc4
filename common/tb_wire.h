/* tb_wire: encode and decode the wire contract (proto/tongban.proto), and
 * validate everything that came off the network before anyone acts on it.
 *
 * Decoders take untrusted bytes: any byte string yields either a message whose
 * fields passed every check below, or a negative code (-TB_EDECODE: not
 * protobuf of that type; -TB_EPROTO: decodes but breaks the contract).  They
 * are fuzzed (tests/fuzz/).
 */
#ifndef TB_WIRE_H
#define TB_WIRE_H

#include "tb_case.h"
#include "tongban.pb-c.h"

#include <stddef.h>
#include <stdint.h>

#define TB_PROTO_VERSION 1
#define TB_MAX_FRAME (64 * 1024)         /* largest envelope a node accepts */
#define TB_MAX_BODY (TB_MAX_FRAME - 256) /* largest item: fits any envelope around it */
#define TB_TIME_MIN_MS 946684800000LL    /* 2000-01-01T00:00:00Z: times on the wire lie ... */
#define TB_TIME_MAX_MS 4102444800000LL   /* ... before 2100-01-01T00:00:00Z */
#define TB_MAX_FIELD 256                 /* names, codes, ids */
#define TB_MAX_NOTE 2048                 /* free text */

typedef Tongban__V1__Envelope tb_env_t;
typedef Tongban__V1__Item tb_item_msg_t;
typedef Tongban__V1__CaseEvent tb_event_msg_t;
typedef Tongban__V1__DataVersion tb_data_msg_t;

#define TB_DATA_CATALOG "catalog"
#define TB_DATA_CALENDAR "calendar"

/* Envelope.takes: what a node of this build takes beyond the first items of
 * version 1, set in every envelope it packs.  A sender sends a peer an item
 * of a bit only once the peer's envelopes carry that bit. */
enum {
    TB_TAKES_STATUS_LIST = 1u << 0, /* Item.statuses (a StatusList) */
    TB_TAKES = TB_TAKES_STATUS_LIST,
};
#define TB_STATUS_LIST_MAX 1000 /* updates in one StatusList */

/* Decode and validate an envelope.  Free with tb_env_free(). */
/* Why tb_env_decode refuses buf: the first rule broken, in words (static
 * English text for the log; "" when it decodes). */
const char *tb_env_why(const uint8_t *buf, size_t len);
int tb_env_decode(const uint8_t *buf, size_t len, tb_env_t **ret_env);
void tb_env_free(tb_env_t **env_p);

/* Pack an envelope into a malloc'd buffer the caller frees. */
int tb_env_pack(const char *sender, const char *receiver, Tongban__V1__Kind kind, uint64_t seq,
                uint64_t ack, const uint8_t *body, size_t body_len, uint8_t **ret_buf,
                size_t *ret_len);
/* The same, carrying the sender's store epoch and the receiver's as the
 * sender knows it (0: none; proto Envelope.epoch, .receiver_epoch). */
int tb_env_pack_epoch(const char *sender, const char *receiver, Tongban__V1__Kind kind,
                      uint64_t seq, uint64_t ack, uint64_t epoch, uint64_t receiver_epoch,
                      const uint8_t *body, size_t body_len, uint8_t **ret_buf, size_t *ret_len);

int tb_item_decode(const uint8_t *buf, size_t len, tb_item_msg_t **ret_item);
void tb_item_free(tb_item_msg_t **item_p);
/* Validate a case event (also used before packing one we made). */
int tb_event_check(const tb_event_msg_t *ev);

/* An event id as StatusUpdate.folded names it, "<origin_node>/<origin_seq>"
 * (12 digits, '/', a decimal seq >= 1 without leading zeros): 0 and both
 * written, or -TB_EPROTO. */
#define TB_FOLDED_MAX 1000 /* ids in one StatusUpdate */
int tb_event_id_parse(const char *s, char ret_origin[TB_CODE_LEN + 1], uint64_t *ret_seq);

/* Fold a (checked) event into a case with tb_case_step, its item looked up in
 * the catalog: the ledger's item for LOGGED, else the case's.  A NULL catalog
 * or an unknown item gives -TB_EUNKNOWN_ITEM. */
int tb_event_fold(const tb_case_t *cur, const tb_event_msg_t *ev, const tb_catalog_t *catalog,
                  tb_case_t *ret_next);

/* One line of what an event says beyond its type (materials, basis, decision,
 * rating, reply, pledge date) in the user's language, for the history. */
void tb_event_detail(const tb_event_msg_t *ev, char *buf, size_t size);

/* Validate distributed data: kind "catalog" or "calendar", version >= 1, a
 * body of at most TB_MAX_BODY bytes that parses as that kind (tb_catalog_load_buf,
 * tb_calendar_load_buf).  0 or -TB_EPROTO. */
int tb_data_check(const Tongban__V1__DataVersion *dv);

/* Pack a message into a malloc'd buffer. */
int tb_pack_item(const tb_item_msg_t *item, uint8_t **ret_buf, size_t *ret_len);

#endif
