/* county_complaint_turn.c: a complaint step takes its turn (issue 11).
 *
 * The case's fold lets every complaint event through (history: tb_rules.c);
 * which step may follow which is the complaint's own flow (tb_complaint.h).
 * A step out of turn that came over a link (a reply from a unit the
 * complaint was not assigned to, a second COMPLAINED while one is open) is
 * stored unfolded and answered with REJECTED like any refused event
 * (county_record_event, county_reject); a staff step out of turn (two staff
 * typing the same step at once, both past the CLI's check) is refused as
 * its command (county_apply_cmd), so nothing is sent down.
 *
 * The flow as the batch in flight makes it true: each case's complaint is
 * read once per batch from what is committed (county_complaints_read on the
 * plain connection: only one batch is in flight, so what came before it is
 * committed) and moved on by the steps the batch records; the copy is
 * dropped when the next batch starts (committed or rolled back alike).  A
 * blocking read on the loop per case with a complaint step in a batch:
 * complaint steps are rare next to case events. */
#include "county_complaint.h"
#include "county_int.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The batch's copy of case_id's complaint: 0 and *ret, -TB_ESTORE, -ENOMEM. */
static int state_of(county_t *self, const char *case_id, tb_complaint_t **ret)
{
    for (size_t i = 0; i < self->ncp_turns; i++)
        if (strcmp(self->cp_turns[i].case_id, case_id) == 0) {
            *ret = &self->cp_turns[i].c;
            return 0;
        }
    tb_complaint_t c = {0};
    if (self->cmd_pg) {
        county_complaints_t l;
        int rc = county_complaints_read(self->cmd_pg, case_id, &l);
        const county_complaint_t *r = rc == 0 ? county_complaints_latest(&l, case_id) : NULL;
        if (r)
            c = r->c;
        county_complaints_free(&l);
        if (rc < 0)
            return rc;
    } else if (!county_test_sink()) {
        return -TB_ESTORE; /* the batch fails and is retried once the intake reconnects */
    }
    if (self->ncp_turns == self->cp_turns_cap) {
        size_t cap = self->cp_turns_cap ? self->cp_turns_cap * 2 : 8;
        cp_turn_t *v = realloc(self->cp_turns, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        self->cp_turns = v;
        self->cp_turns_cap = cap;
    }
    cp_turn_t *t = &self->cp_turns[self->ncp_turns++];
    snprintf(t->case_id, sizeof t->case_id, "%s", case_id);
    t->c = c;
    *ret = &t->c;
    return 0;
}

int county_complaint_turn(county_t *self, const tb_event_msg_t *ev)
{
    if (!tb_complaint_event((int)ev->type))
        return 0;
    tb_complaint_t *c;
    int rc = state_of(self, ev->case_id, &c);
    if (rc < 0)
        return rc;
    tb_complaint_t next = *c;
    if ((rc = tb_complaint_apply(&next, ev, 0)) < 0)
        return rc; /* -TB_EILLEGAL, -TB_ENOTHOLDER: out of turn */
    *c = next;
    return 0;
}

void county_complaint_turn_reset(county_t *self)
{
    self->ncp_turns = 0;
}

const char *county_complaint_why(const tb_event_msg_t *ev, int err)
{
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED)
        return TB_TR("办件已有未办结的投诉，请等县级办结后再登记",
                     "the case has an open complaint: file again once it is closed");
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED && err == -TB_ENOTHOLDER)
        return TB_TR("该投诉没有流转给本单位，应由责任单位反馈",
                     "the complaint was not assigned to this unit: its unit answers");
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED)
        return TB_TR("该投诉当前不待反馈（尚未流转或已反馈）",
                     "the complaint waits for no answer (not assigned yet, or answered)");
    return TB_TR("投诉当前的办理环节不允许这一步（可能已由他人办理）",
                 "the complaint's flow does not allow this step now (someone may have taken it)");
}
