/* rating_indicators: the four offline indicators of a rating as GB/T
 * 39735-2020 has them (整体满意度, 服务效率, 服务水平, 服务态度), each a level
 * 1 非常不满意 .. 5 非常满意, given all four or none.  Shared by the village
 * and the township (command line and screens), the wire check and the
 * history.  Pure logic (tongban-core): returns errors, prints nothing. */
#ifndef RATING_INDICATORS_H
#define RATING_INDICATORS_H

#include "tb_msg.h"
#include "tongban.pb-c.h"

#include <stddef.h>

#define TB_RATING_INDICATORS 4

/* The indicators' option and JSON keys ("overall", "efficiency", "skill",
 * "attitude") and their Chinese names, in the order of CaseEvent fields 50..53. */
extern const char *const tb_rating_indicator_keys[TB_RATING_INDICATORS];
extern const char *const tb_rating_indicator_names[TB_RATING_INDICATORS];

/* The four as typed (NULL or "": not given) into ret[]: all absent gives
 * zeros; all present, each "1".."5" or a level's name, gives the levels.
 * Else -TB_EBADVALUE and the reason in msg (Chinese first). */
int tb_rating_indicators_parse(const char *const typed[TB_RATING_INDICATORS],
                               unsigned ret[TB_RATING_INDICATORS], tb_msg_t *msg);

/* The indicators of an event: 0 when ev is a RATED or a RATING_FOLLOWUP (追评)
 * with none or all four in 1..5, or any other event with none; else -TB_EPROTO. */
int tb_rating_indicators_check(const Tongban__V1__CaseEvent *ev);

/* Copy v[] into the event's fields, and back. */
void tb_rating_indicators_set(Tongban__V1__CaseEvent *ev, const unsigned v[TB_RATING_INDICATORS]);
void tb_rating_indicators_get(const Tongban__V1__CaseEvent *ev, unsigned ret[TB_RATING_INDICATORS]);

/* "（整体满意度 满意、服务效率 …）" for the history, "" when none: into buf. */
void tb_rating_indicators_text(const Tongban__V1__CaseEvent *ev, char *buf, size_t size);

#endif
