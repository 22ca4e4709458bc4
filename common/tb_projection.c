#include "tb_projection.h"

#include <string.h>

void tb_project(const tb_case_t *c, const tb_item_t *item, const tb_calendar_t *cal,
                tb_projection_t *ret_row)
{
    tb_projection_t r;
    memset(&r, 0, sizeof r);
    r.state = c->state;
    memcpy(r.holder, c->holder, sizeof r.holder);
    memcpy(r.pending, c->pending, sizeof r.pending);
    r.version = c->version;
    r.fold_len = tb_case_pack(c, r.fold);
    int64_t due = 0, legal = 0;
    if (!cal || tb_case_due(c, item, cal, &due, &legal) < 0)
        due = legal = 0;
    /* An open pause stops both clocks at once (tb_calendar_due). */
    r.paused = due == TB_DUE_NEVER || legal == TB_DUE_NEVER;
    r.due_ms = r.paused ? 0 : due;
    r.legal_due_ms = r.paused ? 0 : legal;
    tb_case_to_bring(c, item, r.to_bring, sizeof r.to_bring);
    r.rating = c->rating;
    r.followup = c->followup;
    r.decision = c->decision;
    r.completion_ms = c->closed_ms ? c->closed_ms : c->decided_ms;
    *ret_row = r;
}
