/* tb_casecodec: the fold of a case as the stores keep it, and back.
 *
 * The stored form is one protobuf-c message, tongban.store.v1.CaseFold
 * (proto/tongban_store.proto: internal, not part of the wire contract),
 * kept in SQLite cases.fold and PostgreSQL cases.fold.  Pure: no I/O.
 *
 * tb_case_pack writes it into buf and returns its length (every tb_case_t
 * fits).  tb_case_unpack: 0 and *ret_case written, or -TB_EDATA (nothing
 * written) for bytes that do not parse, an unknown field, an enum value
 * outside tb_state_t, a code that is neither empty nor valid, an item of 16
 * bytes or more, a rating above 5, a decision above 2, a negative time, more
 * than TB_CASE_PAUSES_MAX pauses or a pause ending before -1.  (Numbers the
 * message types as uint32 are taken as protobuf reads them.)
 *
 * The text form before it (stores written before issue 7):
 *
 *   1 state holder pending version origin item resume have missing owed
 *   noticed rating decision arrived accepted pledge_due decided closed
 *   npauses [start end]...
 *
 * is read only to migrate such a store (the column is now cases.fold_text);
 * codes and the item are "-" when empty; decode: 0 and *ret_case written, or
 * -TB_EDATA for anything else, including a number out of its field's range.
 * The encoder stays for the tests that build an old store.
 */
#ifndef TB_CASECODEC_H
#define TB_CASECODEC_H

#include "tb_case.h"

#define TB_CASE_PACKED_MAX 512
size_t tb_case_pack(const tb_case_t *c, uint8_t buf[TB_CASE_PACKED_MAX]);
int tb_case_unpack(const uint8_t *buf, size_t len, tb_case_t *ret_case);

#define TB_CASE_TEXT_MAX 768
void tb_case_text_encode(const tb_case_t *c, char buf[TB_CASE_TEXT_MAX]);
int tb_case_text_decode(const char *text, tb_case_t *ret_case);

#endif
