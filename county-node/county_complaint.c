/* county_complaint.c: complaints read back from the store, as the CLI and
 * the dashboard show them (see county_complaint.h). */
#include "county_complaint.h"
#include "county.h"

#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h" /* tb_now_ms */
#include "tb_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void county_complaints_free(county_complaints_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].text);
        free(l->v[i].reply);
        free(l->v[i].revisit);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* One stored event into the list (ordered by case, then id). */
static int take(county_complaints_t *l, uint64_t row, const char *case_id, const tb_event_msg_t *ev)
{
    county_complaint_t *last = l->n ? &l->v[l->n - 1] : NULL;
    if (last && strcmp(last->case_id, case_id) != 0)
        last = NULL;
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINED) {
        tb_complaint_t c = last ? last->c : (tb_complaint_t){0};
        if (tb_complaint_apply(&c, ev, row) < 0)
            return 0; /* one is open: recorded in the history, not a complaint */
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 16;
            county_complaint_t *v = realloc(l->v, cap * sizeof *v);
            if (!v)
                return -ENOMEM;
            l->v = v;
            l->cap = cap;
        }
        county_complaint_t *r = &l->v[l->n++];
        memset(r, 0, sizeof *r);
        r->c = c;
        snprintf(r->case_id, sizeof r->case_id, "%s", case_id);
        return tb_complaint_text(&r->text, ev->reason);
    }
    if (!last || tb_complaint_apply(&last->c, ev, 0) < 0)
        return 0; /* out of turn: in the history only */
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REPLIED)
        return tb_complaint_text(&last->reply, ev->reason);
    if (ev->type == TONGBAN__V1__EVENT_TYPE__EVENT_COMPLAINT_REVISITED)
        return tb_complaint_text(&last->revisit, ev->reason);
    return 0;
}

int county_complaints_read(PGconn *pg, const char *case_id, county_complaints_t *ret)
{
    memset(ret, 0, sizeof *ret);
    const char *p[1] = {case_id ? case_id : ""};
    PGresult *r = PQexecParams(pg,
                               "SELECT id, case_id, body FROM case_events"
                               " WHERE type BETWEEN 30 AND 38 AND folded"
                               " AND ($1 = '' OR case_id = $1) ORDER BY case_id, id",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        size_t len;
        unsigned char *body = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &len);
        tb_item_msg_t *item = NULL;
        if (!body) {
            rc = -ENOMEM;
            break;
        }
        if (tb_item_decode(body, len, &item) == 0 && item->event)
            rc = take(ret, strtoull(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1),
                      item->event);
        tb_item_free(&item);
        PQfreemem(body);
    }
    PQclear(r);
    return rc;
}

const county_complaint_t *county_complaints_find(const county_complaints_t *l, uint64_t id)
{
    for (size_t i = 0; id && i < l->n; i++)
        if (l->v[i].c.id == id)
            return &l->v[i];
    return NULL;
}

const county_complaint_t *county_complaints_latest(const county_complaints_t *l,
                                                   const char *case_id)
{
    for (size_t i = l->n; i-- > 0;)
        if (strcmp(l->v[i].case_id, case_id) == 0)
            return &l->v[i];
    return NULL;
}

void county_complaint_fill(struct Tongban__V1__CaseEvent *ev, int type, const char *basis,
                           int64_t id)
{
    if (!tb_complaint_event(type))
        return;
    static const char *const none = "";
    const char *b = basis ? basis : none;
    ev->basis = (char *)none;
    if (type == TB_EV_COMPLAINED) {
        ev->complaint_kind = (char *)b;
        return;
    }
    ev->complaint_id = (uint64_t)id;
    if (type == TB_EV_COMPLAINT_ASSIGNED || type == TB_EV_COMPLAINT_FAULT)
        ev->target = (char *)b;
}

int county_limits_read(PGconn *pg, tb_limits_t *lim, int64_t *ret_version)
{
    PGresult *r = PQexec(pg, "SELECT name, days, version FROM limits");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -TB_ESTORE;
    }
    tb_limits_default(lim);
    int64_t version = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        /* An unknown name or a value out of range (written by hand past the
         * CHECK) is skipped: the default stays. */
        (void)tb_limits_set(lim, PQgetvalue(r, i, 0), atoi(PQgetvalue(r, i, 1)));
        int64_t v = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        if (v > version)
            version = v;
    }
    PQclear(r);
    if (ret_version)
        *ret_version = version;
    return 0;
}

static const char *place_name(const tb_env_ctx_t *env, const char *code)
{
    const char *n = code && code[0] && env->places ? tb_places_name(env->places, code) : NULL;
    return n ? n : "";
}

static int64_t due_of(const county_complaint_t *r, const tb_env_ctx_t *env, const tb_limits_t *lim)
{
    int64_t due = 0;
    if (tb_complaint_due(&r->c, env->calendar, lim, &due) < 0)
        return 0;
    return due;
}

json_t *county_complaint_json(const county_complaint_t *r, const tb_env_ctx_t *env,
                              const tb_limits_t *lim, int64_t now)
{
    char town[TB_CODE_LEN + 1];
    county_case_township(r->case_id, town);
    int64_t due = due_of(r, env, lim);
    const tb_complaint_t *c = &r->c;
    return json_pack("{sIsssssssssssIsIsbsssssssssssIsisissssssss}", "id", (json_int_t)c->id,
                     "case_id", r->case_id, "kind", c->consult ? "consult" : "complaint",
                     "kind_label", tb_complaint_kind_label(c->consult), "state",
                     tb_complaint_state_name(c->state), "state_label",
                     tb_complaint_state_label(c->state), "filed_ms", (json_int_t)c->filed_ms,
                     "due_ms", (json_int_t)due, "overdue", due > 0 && now > due, "filed_by",
                     c->filed_by, "filed_by_name", place_name(env, c->filed_by), "unit", c->unit,
                     "unit_name", place_name(env, c->unit), "township", town, "closed_ms",
                     (json_int_t)c->closed_ms, "redos", (int)c->redos, "faults", (int)c->faults,
                     "text", r->text ? r->text : "", "reply", r->reply ? r->reply : "", "revisit",
                     r->revisit ? r->revisit : "", "township_name", place_name(env, town));
}

/* Whether the case lies in the subtree of scope (NULL or "": everywhere). */
static bool in_scope(const char *scope, const char *case_id)
{
    if (!scope || !scope[0])
        return true;
    size_t n = tb_code_level(scope) == TB_LEVEL_COUNTY     ? 6
               : tb_code_level(scope) == TB_LEVEL_TOWNSHIP ? 9
                                                           : TB_CODE_LEN;
    return strncmp(scope, case_id, n) == 0;
}

/* Open ones first by deadline (none last among them), then the ended ones
 * newest first. */
static void sort_key(json_t *o, int *ret_group, int64_t *ret_key)
{
    const char *st = json_string_value(json_object_get(o, "state"));
    int64_t due = json_integer_value(json_object_get(o, "due_ms"));
    bool ended = !strcmp(st, "declined") || !strcmp(st, "closed");
    *ret_group = ended ? 2 : due ? 0 : 1;
    *ret_key = ended ? -json_integer_value(json_object_get(o, "filed_ms")) : due;
}

static int by_due(const void *a, const void *b)
{
    int ga, gb;
    int64_t ka, kb;
    sort_key(*(json_t *const *)a, &ga, &ka);
    sort_key(*(json_t *const *)b, &gb, &kb);
    if (ga != gb)
        return ga < gb ? -1 : 1;
    return ka < kb ? -1 : ka > kb;
}

json_t *county_complaints_board(const county_complaints_t *l, const tb_env_ctx_t *env,
                                const tb_limits_t *lim, const char *scope, const char *township,
                                const char *state, int64_t now)
{
    json_t **v = l->n ? calloc(l->n, sizeof *v) : NULL;
    if (l->n && !v)
        return NULL;
    size_t k = 0;
    bool all = state && !strcmp(state, "all");
    for (size_t i = 0; i < l->n; i++) {
        const county_complaint_t *r = &l->v[i];
        char town[TB_CODE_LEN + 1];
        county_case_township(r->case_id, town);
        if (!in_scope(scope, r->case_id) || (township && township[0] && strcmp(town, township)))
            continue;
        if (!all && (state && state[0] ? strcmp(tb_complaint_state_name(r->c.state), state) != 0
                                       : !tb_complaint_open(&r->c)))
            continue;
        if (!(v[k] = county_complaint_json(r, env, lim, now)))
            break;
        k++;
    }
    if (k) /* v is NULL when there is no complaint: qsort wants an array */
        qsort(v, k, sizeof *v, by_due);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++)
        if (!arr || json_array_append_new(arr, v[i]) < 0)
            json_decref(v[i]);
    free(v);
    return arr;
}

json_t *county_complaint_outcomes(const county_complaints_t *l, const tb_env_ctx_t *env,
                                  const tb_limits_t *lim, const char *scope, int64_t from_ms,
                                  int64_t to_ms, int64_t now)
{
    json_int_t filed = 0, open = 0, overdue = 0, declined = 0, closed = 0, after_redo = 0,
               redone = 0, faults = 0;
    for (size_t i = 0; i < l->n; i++) {
        const county_complaint_t *r = &l->v[i];
        const tb_complaint_t *c = &r->c;
        if (!in_scope(scope, r->case_id) || c->filed_ms < from_ms || c->filed_ms >= to_ms)
            continue;
        filed++;
        int64_t due = due_of(r, env, lim);
        open += tb_complaint_open(c);
        overdue += tb_complaint_open(c) && due > 0 && now > due;
        declined += c->state == TB_CP_DECLINED;
        closed += c->state == TB_CP_CLOSED;
        after_redo += c->state == TB_CP_CLOSED && c->redos > 0;
        redone += c->redos > 0;
        faults += c->faults > 0;
    }
    return json_pack("{sIsIsIsIsIsIsIsI}", "filed", filed, "open", open, "overdue", overdue,
                     "declined", declined, "closed", closed, "closed_after_redo", after_redo,
                     "redone", redone, "faults", faults);
}

int county_complaints_api(PGconn *pg, const tb_env_ctx_t *env, const char *scope,
                          const char *township, const char *state, json_t **ret,
                          const char **ret_msg)
{
    if (township && township[0] &&
        (tb_code_level(township) != TB_LEVEL_TOWNSHIP ||
         tb_places_check(env->places, township) < 0 || !in_scope(scope, township))) {
        *ret_msg = TB_TR("所选乡镇不是本账号辖区内本县的乡镇",
                         "township is not a township of this county in your scope");
        return -EINVAL;
    }
    if (state && state[0] && strcmp(state, "all") &&
        tb_complaint_state_from_name(state) == TB_CP_NONE) {
        *ret_msg =
            TB_TR("状态（state）须为 filed、accepted、declined、assigned、replied、revisited、"
                  "closed、all 之一",
                  "state is not one of filed, accepted, declined, assigned, replied, revisited, "
                  "closed, all");
        return -EINVAL;
    }
    tb_limits_t lim;
    county_complaints_t l;
    int rc = county_limits_read(pg, &lim, NULL);
    if (rc == 0)
        rc = county_complaints_read(pg, NULL, &l);
    else
        memset(&l, 0, sizeof l);
    int64_t now = tb_now_ms();
    json_t *board =
        rc == 0 ? county_complaints_board(&l, env, &lim, scope, township, state, now) : NULL;
    json_t *out = board ? county_complaint_outcomes(&l, env, &lim, scope, 0, INT64_MAX, now) : NULL;
    county_complaints_free(&l);
    json_t *o = out ? json_pack("{s:o, s:o, s:I}", "complaints", board, "outcomes", out, "now_ms",
                                (json_int_t)now)
                    : NULL;
    if (!o) {
        if (!out)
            json_decref(board);
        return rc < 0 ? rc : -ENOMEM;
    }
    *ret = o;
    return 0;
}

json_t *county_complaint_outcomes_in(PGconn *pg, const tb_env_ctx_t *env, const char *scope,
                                     int64_t from_ms, int64_t to_ms)
{
    tb_limits_t lim;
    county_complaints_t l;
    if (county_limits_read(pg, &lim, NULL) < 0 || county_complaints_read(pg, NULL, &l) < 0) {
        county_complaints_free(&l);
        return NULL;
    }
    json_t *o = county_complaint_outcomes(&l, env, &lim, scope, from_ms, to_ms, tb_now_ms());
    county_complaints_free(&l);
    return o;
}

void county_complaint_outcomes_print(const json_t *o, FILE *out)
{
#define N(k) (long long)json_integer_value(json_object_get(o, k))
    fprintf(out,
            TB_TR("投诉（按结果）：登记 %lld，办理中 %lld（超期 %lld），办结 %lld（其中重办后办结 "
                  "%lld），不予受理 %lld；重办 %lld，问责 %lld\n",
                  "complaints by outcome: filed %lld, open %lld (overdue %lld), closed %lld (after "
                  "a redo %lld), declined %lld; redone %lld, with a fault %lld\n"),
            N("filed"), N("open"), N("overdue"), N("closed"), N("closed_after_redo"), N("declined"),
            N("redone"), N("faults"));
#undef N
}
