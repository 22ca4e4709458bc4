/* The county's listings, straight from PostgreSQL (synchronous: a command, not the daemon). */
#include "county.h"
#include "county_complaint.h"
#include "county_stats.h"

#include "tb_case.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_report.h"

#include "tb_cli.h"
#include "tb_log.h"

#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *pname(const tb_env_ctx_t *env, const char *code)
{
    const char *n = code[0] ? tb_places_name(env->places, code) : NULL;
    return n ? n : code;
}

static const char *iname(const tb_env_ctx_t *env, const char *code)
{
    const tb_item_t *it = tb_catalog_find(env->catalog, code);
    return it ? it->name : code;
}

/* Stored text as it may be shown: escaped always, numbers masked in listings
 * (tb_text_safe).  Never NULL: "" when out of memory. */
static json_t *jtext(const char *s, bool mask)
{
    char *safe = tb_text_safe(s, mask ? TB_SAFE_MASK : 0);
    json_t *j = json_string(safe ? safe : "");
    free(safe);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int dump(json_t *j)
{
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
    return rc == 0 ? 0 : -TB_ESTORE;
}

int county_print_cases(PGconn *pg, const tb_env_ctx_t *env, bool json)
{
    PGresult *r =
        PQexec(pg, "SELECT c.case_id, c.client_name, c.client_phone, c.item_code, c.state,"
                   " c.holder, c.pending, c.version,"
                   " to_char(c.accept_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
                   " (SELECT count(*) FROM case_events e WHERE e.case_id = c.case_id), c.agent,"
                   " COALESCE((extract(epoch FROM c.due_at) * 1000)::bigint, 0), c.paused,"
                   " c.to_bring, c.rating, c.decision"
                   " FROM cases c ORDER BY c.accept_time, c.case_id");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        tb_print_header(stdout);
    for (int i = 0; i < PQntuples(r); i++) {
        char phone[32];
        tb_mask_phone(PQgetvalue(r, i, 2), phone);
        tb_state_t s = tb_state_from_name(PQgetvalue(r, i, 4));
        const char *holder = PQgetvalue(r, i, 6)[0] ? PQgetvalue(r, i, 6) : PQgetvalue(r, i, 5);
        int64_t due_ms = strtoll(PQgetvalue(r, i, 11), NULL, 10);
        bool paused = PQgetvalue(r, i, 12)[0] == 't';
        const char *card = tb_card_name(env->calendar, paused ? -1 : due_ms, tb_now_ms());
        char due[32];
        tb_fmt_time(due_ms, due);
        json_t *o = json_pack(
            "{s:o, s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "case_id",
            jtext(PQgetvalue(r, i, 0), true), "client_name", jtext(PQgetvalue(r, i, 1), true),
            "client_phone", phone, "agent", jtext(PQgetvalue(r, i, 10), true), "item_code",
            jtext(PQgetvalue(r, i, 3), true), "item_name", iname(env, PQgetvalue(r, i, 3)),
            "accept_time", PQgetvalue(r, i, 8), "state", PQgetvalue(r, i, 4), "state_label",
            tb_state_label(s), "holder", PQgetvalue(r, i, 5), "pending", PQgetvalue(r, i, 6),
            "version", atoi(PQgetvalue(r, i, 7)), "events", atoi(PQgetvalue(r, i, 9)));
        json_object_update_new(o, json_pack("{s:s, s:I, s:s, s:o, s:i, s:s}", "due",
                                            paused ? "paused" : due, "due_ms", (json_int_t)due_ms,
                                            "card", card, "to_bring",
                                            jtext(PQgetvalue(r, i, 13), true), "rating",
                                            atoi(PQgetvalue(r, i, 14)), "decision",
                                            atoi(PQgetvalue(r, i, 15)) == 1   ? "grant"
                                            : atoi(PQgetvalue(r, i, 15)) == 2 ? "deny"
                                                                              : ""));
        if (json) {
            json_array_append_new(arr, o);
            continue;
        }
        tb_print_row(stdout, jstr(o, "case_id"), jstr(o, "client_name"), phone,
                     iname(env, PQgetvalue(r, i, 3)), PQgetvalue(r, i, 8));
        printf(TB_TR("%s（%s）", "%s (%s)"), tb_state_label(s), pname(env, holder));
        if (due_ms > 0 || paused)
            printf(TB_TR("  期限：%s%s", "  due: %s%s"), paused ? "" : due, tb_card_label(card));
        if (PQgetvalue(r, i, 13)[0])
            printf(TB_TR("  需补：%s", "  to bring: %s"), jstr(o, "to_bring"));
        putchar('\n');
        json_decref(o);
    }
    int n = PQntuples(r);
    PQclear(r);
    if (json)
        return dump(arr);
    printf(TB_TR("共 %d 件\n", "%d case(s)\n"), n);
    return 0;
}

int county_case_json(PGconn *pg, const tb_env_ctx_t *env, const char *case_id, json_t **ret)
{
    const char *params[1] = {case_id};
    PGresult *r = PQexecParams(
        pg,
        "SELECT origin_node, origin_seq, type, actor,"
        " to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), target, via, folded,"
        " detail, reason, rejected FROM case_events WHERE case_id = $1 ORDER BY at, id",
        1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -TB_ESTORE;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return -TB_ENOCASE;
    }
    json_t *hist = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        tb_event_type_t t = (tb_event_type_t)atoi(PQgetvalue(r, i, 2));
        json_array_append_new(
            hist,
            json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:b, s:o, s:o, s:o}", "origin",
                      jtext(PQgetvalue(r, i, 0), false), "origin_seq", PQgetvalue(r, i, 1), "event",
                      tb_event_name(t), "label", tb_event_label(t), "where",
                      jtext(pname(env, PQgetvalue(r, i, 0)), false), "actor",
                      jtext(PQgetvalue(r, i, 3), false), "at", PQgetvalue(r, i, 4), "via",
                      jtext(PQgetvalue(r, i, 6), false), "folded", PQgetvalue(r, i, 7)[0] == 't',
                      "detail", jtext(PQgetvalue(r, i, 8), false), "reason",
                      jtext(PQgetvalue(r, i, 9), false), "rejected",
                      jtext(PQgetvalue(r, i, 10), false)));
    }
    PQclear(r);
    *ret = hist;
    return 0;
}

int county_print_case(PGconn *pg, const tb_env_ctx_t *env, const char *case_id, bool json)
{
    json_t *hist;
    int rc = county_case_json(pg, env, case_id, &hist);
    if (rc < 0)
        return rc;
    if (json)
        return dump(json_pack("{s:s, s:o}", "case_id", case_id, "history", hist));
    printf("%s %s\n", TB_TR("办件编号：", "case id:"), case_id);
    size_t i;
    json_t *e;
    json_array_foreach(hist, i, e)
    {
        printf("  %s  ", json_string_value(json_object_get(e, "at")));
        tb_print_col(stdout, json_string_value(json_object_get(e, "label")), 10);
        printf("%s  %s", json_string_value(json_object_get(e, "where")),
               json_string_value(json_object_get(e, "actor")));
        const char *detail = json_string_value(json_object_get(e, "detail"));
        const char *reason = json_string_value(json_object_get(e, "reason"));
        const char *rejected = json_string_value(json_object_get(e, "rejected"));
        if (detail && *detail)
            printf("  %s", detail);
        if (reason && *reason)
            printf(TB_TR("  理由：%s", "  reason: %s"), reason);
        if (!json_is_true(json_object_get(e, "folded")))
            printf(TB_TR("（违规，未生效：%s）", " (rejected: %s)"), rejected ? rejected : "");
        putchar('\n');
    }
    json_decref(hist);
    return 0;
}

int county_report_stats(PGconn *pg, const tb_env_ctx_t *env, const tb_opt_t *opts, int nopts)
{
    const char *msg = NULL;
    county_stats_query_t q;
    bool month = tb_opt(opts, nopts, "month"), day = tb_opt(opts, nopts, "day");
    bool json = tb_opt(opts, nopts, "json"), csv = tb_opt(opts, nopts, "csv");
    if ((month && day) || (json && csv)) {
        fputs(TB_TR("错误：--month 与 --day、--json 与 --csv 只能各选其一\n",
                    "error: give at most one of --month and --day, and of --json and --csv\n"),
              stderr);
        return 1;
    }
    if (county_stats_parse(env, tb_opt(opts, nopts, "from"), tb_opt(opts, nopts, "to"),
                           tb_opt(opts, nopts, "by"),
                           month ? "month"
                           : day ? "day"
                                 : NULL,
                           tb_opt(opts, nopts, "scope"), &q, &msg) < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), msg);
        return 1;
    }
    json_t *st;
    int rc = county_stats_run(pg, env, &q, &st);
    if (rc < 0) {
        fprintf(stderr, "%s", PQerrorMessage(pg));
        return rc;
    }
    /* Complaints by outcome (issue 11), filed in the same days and scope. */
    json_t *cp = county_complaint_outcomes_in(pg, env, q.scope, tb_day_start_ms(q.from_day),
                                              tb_day_start_ms(q.to_day + 1));
    if (!cp) {
        json_decref(st);
        fprintf(stderr, "%s", PQerrorMessage(pg));
        return -TB_ESTORE;
    }
    if (json) {
        json_object_set_new(st, "complaints_by_outcome", cp);
        return dump(st);
    }
    rc = csv ? county_stats_csv(st, false, stdout) : county_stats_print(st, stdout);
    if (rc == 0 && !csv)
        county_complaint_outcomes_print(cp, stdout);
    json_decref(cp);
    json_decref(st);
    return rc;
}
