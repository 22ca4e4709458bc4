/* rating_cli: the four indicators from the command line (rating_cli.h). */
#include "rating_cli.h"

bool tb_rating_step(tb_event_type_t t)
{
    return t == TB_EV_RATED || t == TB_EV_RATING_FOLLOWUP;
}

int tb_rating_indicators_opts(const tb_opt_t *opts, int nopts, unsigned ret[TB_RATING_INDICATORS],
                              tb_msg_t *msg)
{
    const char *typed[TB_RATING_INDICATORS];
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        typed[i] = tb_opt(opts, nopts, tb_rating_indicator_keys[i]);
    tb_msg_clear(msg);
    return tb_rating_indicators_parse(typed, ret, msg);
}
