#include "tb_act.h"

#include "rating_indicators.h"

#include "tb_complaint.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_msg.h"
#include "tb_store.h"

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int tb_act_split(const char *list, char *buf, size_t size, char *ret_names[TB_ITEM_MATERIALS_MAX])
{
    if (!list || !*list)
        return 0;
    if (strlen(list) >= size)
        return -TB_ETOOLONG;
    /* The Chinese separators become commas (、 is E3 80 81, ， is EF BC 8C). */
    size_t o = 0;
    for (const char *p = list; *p;) {
        if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3)) {
            buf[o++] = ',';
            p += 3;
        } else {
            buf[o++] = *p++;
        }
    }
    buf[o] = '\0';
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        if (!*tok)
            continue;
        if (n == TB_ITEM_MATERIALS_MAX)
            return -TB_ETOOLONG;
        ret_names[n++] = tok;
    }
    return n;
}

/* The supervision order a 反馈 answers: the newest SUPERVISED on the case
 * (the county numbers an order by its event's origin_seq).  -TB_EILLEGAL
 * when there is none: nothing to reply to. */
static int newest_order(tb_store_t *store, const char *case_id, uint64_t *ret_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tb_store_db(store),
                           "SELECT origin_seq FROM events WHERE case_id = ?1 AND type = ?2"
                           " AND folded = 1 ORDER BY at_ms DESC, origin_seq DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, TB_EV_SUPERVISED);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ret_id = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -TB_EILLEGAL : -TB_ESTORE;
}

int tb_act(tb_store_t *store, const tb_act_t *a, const char *const *peers)
{
    char buf[2048], *names[TB_ITEM_MATERIALS_MAX];
    int n = tb_act_split(a->materials, buf, sizeof buf, names);
    if (n < 0)
        return n;
    const char *texts[] = {a->actor, a->reason, a->basis, a->comment};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int rc = texts[i] ? tb_check_text(texts[i], i == 0 ? 64 : 2000) : 0;
        if (rc < 0)
            return rc;
    }
    int rc = tb_store_begin(store);
    if (rc < 0)
        return rc;
    tb_case_t c;
    uint64_t order = 0;
    if ((rc = tb_store_case_get(store, a->case_id, &c, NULL)) == 0 &&
        a->type == TB_EV_SUPERVISION_REPLY)
        rc = newest_order(store, a->case_id, &order);
    tb_complaint_t cp = {0};
    if (rc == 0 && tb_complaint_event(a->type) &&
        (rc = tb_complaint_local(store, a->case_id, &cp)) == 0)
        rc = tb_complaint_check(&cp, a->type, tb_store_place(store));
    if (rc == 0) {
        tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
        ev.case_id = (char *)a->case_id;
        ev.type = (Tongban__V1__EventType)a->type;
        ev.actor = (char *)(a->actor ? a->actor : "");
        ev.target = (char *)(a->target ? a->target : "");
        ev.reason = (char *)(a->reason ? a->reason : "");
        ev.basis = (char *)(a->basis ? a->basis : "");
        ev.comment = (char *)(a->comment ? a->comment : "");
        ev.materials = names;
        ev.n_materials = (size_t)n;
        ev.due_ms = a->due_ms;
        ev.rating = a->rating;
        tb_rating_indicators_set(&ev, a->indicators);
        ev.decision = (Tongban__V1__Decision)a->decision;
        ev.card_id = order;
        const char *kind = tb_complaint_kind_word(a->complaint_kind);
        ev.complaint_kind = (char *)(a->type != TB_EV_COMPLAINED ? "" : kind ? kind : "?");
        ev.complaint_id = a->type == TB_EV_COMPLAINT_REPLIED ? cp.id : 0;
        rc = tb_store_emit(store, &ev, peers);
        if (rc == -TB_EPROTO)
            rc = -TB_EBADVALUE; /* what was typed does not make a valid event */
    }
    if (rc < 0) {
        tb_store_rollback(store);
        return rc;
    }
    return tb_store_commit(store);
}

void tb_act_explain(tb_store_t *store, const tb_catalog_t *catalog, const char *case_id, int err,
                    tb_msg_t *ret_msg)
{
    tb_msg_clear(ret_msg);
    tb_msg_add(ret_msg, TB_TR("错误：%s：%s\n", "error: %s: %s\n"), tb_strerror(err), case_id);
    if (err != -TB_EMATERIAL && err != -TB_ECORE)
        return;
    tb_case_t c;
    const tb_item_t *it = NULL;
    if (store && tb_store_case_get(store, case_id, &c, NULL) == 0)
        it = tb_catalog_find(catalog, c.item);
    if (!it)
        return;
    tb_msg_add(ret_msg, TB_TR("  事项 %s %s 的材料：", "  materials of %s %s: "), it->code,
               it->name);
    for (size_t i = 0; i < it->nmaterials; i++)
        tb_msg_add(ret_msg, "%s%s%s", i ? TB_TR("、", ", ") : "", it->material[i],
                   it->core[i] ? TB_TR("（核心）", " (core)") : TB_TR("（非核心）", " (non-core)"));
    tb_msg_add(ret_msg, "\n");
}

int tb_act_parse_due(const char *s, int64_t *ret_ms)
{
    int32_t day;
    if (tb_day_parse(s, &day) < 0)
        return -TB_EBADVALUE;
    *ret_ms = tb_day_end_ms(day);
    return 0;
}
