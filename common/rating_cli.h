/* rating_cli: GB/T 39735's four indicators of a rating from the command line
 * (--overall, --efficiency, --skill, --attitude), for the village's and the
 * township's `rate`.  Returns errors, prints nothing. */
#ifndef RATING_CLI_H
#define RATING_CLI_H

#include "rating_indicators.h"
#include "tb_case.h"
#include "tb_cli.h"

#include <stdbool.h>

/* The four options as typed into ret[] (rating_indicators.h: all four or
 * none): 0, or -TB_EBADVALUE with the reason in msg (cleared first). */
int tb_rating_indicators_opts(const tb_opt_t *opts, int nopts, unsigned ret[TB_RATING_INDICATORS],
                              tb_msg_t *msg);

/* Whether a step takes a rating (--rating, the indicators): the first
 * rating (RATED) and the 追评 (RATING_FOLLOWUP). */
bool tb_rating_step(tb_event_type_t t);

/* The options' entries, to append to a command's tb_opt_t table. */
#define TB_RATING_OPTS                                                                             \
    {"overall", true, NULL}, {"efficiency", true, NULL}, {"skill", true, NULL},                    \
    {                                                                                              \
        "attitude", true, NULL                                                                     \
    }

#endif
