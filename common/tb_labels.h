/* tb_labels: the names and labels of states, events, ratings and bases.
 *
 * Stable English names ("logged", ...) are used in JSON and SQL; labels are
 * for people, Chinese first (tb_i18n).  Pure: no I/O.
 */
#ifndef TB_LABELS_H
#define TB_LABELS_H

#include "tb_case.h"

#include <stdbool.h>

/* Labels: the rating (1..5), the suspension basis. */
const char *tb_rating_label(unsigned rating);
int tb_rating_parse(const char *s, unsigned *ret_rating); /* "1".."5" or the Chinese label */
bool tb_basis_valid(const char *basis);
const char *tb_basis_label(const char *basis);

/* Stable English names ("logged", ...) used in JSON and SQL, and the label for people. */
const char *tb_state_name(tb_state_t s);
const char *tb_state_label(tb_state_t s);
tb_state_t tb_state_from_name(const char *name);
const char *tb_event_name(tb_event_type_t t);
const char *tb_event_label(tb_event_type_t t);
tb_event_type_t tb_event_from_name(const char *name);

#endif
