/* rating_indicators: the four offline indicators of GB/T 39735 (rating_indicators.h). */
#include "rating_indicators.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_labels.h"

#include <stdbool.h>
#include <stdio.h>

const char *const tb_rating_indicator_keys[TB_RATING_INDICATORS] = {"overall", "efficiency",
                                                                    "skill", "attitude"};
const char *const tb_rating_indicator_names[TB_RATING_INDICATORS] = {"整体满意度", "服务效率",
                                                                     "服务水平", "服务态度"};
static const char *const names_en[TB_RATING_INDICATORS] = {"overall satisfaction", "efficiency",
                                                           "skill", "attitude"};

int tb_rating_indicators_parse(const char *const typed[TB_RATING_INDICATORS],
                               unsigned ret[TB_RATING_INDICATORS], tb_msg_t *msg)
{
    unsigned v[TB_RATING_INDICATORS] = {0};
    int given = 0;
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        given += typed[i] && typed[i][0];
    if (given != 0 && given != TB_RATING_INDICATORS) {
        tb_msg_add(
            msg, "%s",
            TB_TR("四项评价指标（整体满意度、服务效率、服务水平、服务态度）须全部填写或全部不填",
                  "the four indicators (overall, efficiency, skill, attitude) are given all "
                  "four or none"));
        return -TB_EBADVALUE;
    }
    for (int i = 0; given && i < TB_RATING_INDICATORS; i++)
        if (tb_rating_parse(typed[i], &v[i]) < 0) {
            tb_msg_add(msg,
                       TB_TR("%s须为 1..5 或 非常满意、满意、基本满意、不满意、非常不满意：%s",
                             "%s must be 1..5 or a level's name: %s"),
                       TB_TR(tb_rating_indicator_names[i], names_en[i]), typed[i]);
            return -TB_EBADVALUE;
        }
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        ret[i] = v[i];
    return 0;
}

void tb_rating_indicators_set(Tongban__V1__CaseEvent *ev, const unsigned v[TB_RATING_INDICATORS])
{
    ev->rating_overall = v[0];
    ev->rating_efficiency = v[1];
    ev->rating_skill = v[2];
    ev->rating_attitude = v[3];
}

void tb_rating_indicators_get(const Tongban__V1__CaseEvent *ev, unsigned ret[TB_RATING_INDICATORS])
{
    ret[0] = ev->rating_overall;
    ret[1] = ev->rating_efficiency;
    ret[2] = ev->rating_skill;
    ret[3] = ev->rating_attitude;
}

int tb_rating_indicators_check(const Tongban__V1__CaseEvent *ev)
{
    unsigned v[TB_RATING_INDICATORS];
    tb_rating_indicators_get(ev, v);
    int given = 0;
    for (int i = 0; i < TB_RATING_INDICATORS; i++) {
        if (v[i] > 5)
            return -TB_EPROTO;
        given += v[i] != 0;
    }
    if (given == 0)
        return 0;
    bool rating = ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATED ||
                  ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_RATING_FOLLOWUP;
    return given == TB_RATING_INDICATORS && rating ? 0 : -TB_EPROTO;
}

void tb_rating_indicators_text(const Tongban__V1__CaseEvent *ev, char *buf, size_t size)
{
    unsigned v[TB_RATING_INDICATORS];
    tb_rating_indicators_get(ev, v);
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < TB_RATING_INDICATORS && v[i] && len < size; i++) {
        int n =
            snprintf(buf + len, size - len, "%s%s %s%s", i ? TB_TR("、", ", ") : TB_TR("（", " ("),
                     TB_TR(tb_rating_indicator_names[i], names_en[i]), tb_rating_label(v[i]),
                     i == TB_RATING_INDICATORS - 1 ? TB_TR("）", ")") : "");
        if (n < 0)
            return;
        len += (size_t)n;
    }
}
