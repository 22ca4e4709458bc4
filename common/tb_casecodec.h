/* tb_casecodec: the fold of a case as one line of text, and back.
 *
 * Stored in the projections (SQLite cases.fold, PostgreSQL cases.fold).  A
 * stop-gap: issue 7 replaces it with one protobuf-c message; until then its
 * behaviour is pinned by test-case.c and fuzz-case.  Pure: no I/O.
 *
 *   1 state holder pending version origin item resume have missing owed
 *   noticed rating decision arrived accepted pledge_due decided closed
 *   npauses [start end]...
 *
 * Codes and the item are "-" when empty.  decode: 0 and *ret_case written,
 * or -TB_EDATA (nothing written) for anything else, including a number out
 * of its field's range.
 */
#ifndef TB_CASECODEC_H
#define TB_CASECODEC_H

#include "tb_case.h"

#define TB_CASE_TEXT_MAX 768
void tb_case_encode(const tb_case_t *c, char buf[TB_CASE_TEXT_MAX]);
int tb_case_decode(const char *text, tb_case_t *ret_case);

#endif
