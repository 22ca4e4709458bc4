/* The county's listings, straight from PostgreSQL (synchronous: a command, not the daemon). */
#include "county.h"

#include "tb_case.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_report.h"

#include <jansson.h>
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

static int dump(json_t *j)
{
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
    return rc == 0 ? 0 : -TB_ESTORE;
}

int county_print_cases(PGconn *pg, const tb_env_ctx_t *env, bool json)
{
    PGresult *r = PQexec(pg,
                         "SELECT c.case_id, c.client_name, c.client_phone, c.item_code, c.state,"
                         " c.holder, c.pending, c.version,"
                         " to_char(c.accept_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),"
                         " (SELECT count(*) FROM case_events e WHERE e.case_id = c.case_id), c.agent"
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
        if (json) {
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
                               "case_id", PQgetvalue(r, i, 0), "client_name", PQgetvalue(r, i, 1),
                               "client_phone", phone, "agent", PQgetvalue(r, i, 10), "item_code",
                               PQgetvalue(r, i, 3), "item_name", iname(env, PQgetvalue(r, i, 3)),
                               "accept_time", PQgetvalue(r, i, 8), "state", PQgetvalue(r, i, 4),
                               "state_label", tb_state_label(s), "holder", PQgetvalue(r, i, 5),
                               "pending", PQgetvalue(r, i, 6), "version",
                               atoi(PQgetvalue(r, i, 7)), "events", atoi(PQgetvalue(r, i, 9))));
            continue;
        }
        tb_print_row(stdout, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), phone,
                     iname(env, PQgetvalue(r, i, 3)), PQgetvalue(r, i, 8));
        printf(TB_TR("%s（%s）\n", "%s (%s)\n"), tb_state_label(s), pname(env, holder));
    }
    int n = PQntuples(r);
    PQclear(r);
    if (json)
        return dump(arr);
    printf(TB_TR("共 %d 件\n", "%d case(s)\n"), n);
    return 0;
}

int county_print_case(PGconn *pg, const tb_env_ctx_t *env, const char *case_id, bool json)
{
    const char *params[1] = {case_id};
    PGresult *r = PQexecParams(
        pg,
        "SELECT origin_node, origin_seq, type, actor,"
        " to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), target, via, folded"
        " FROM case_events WHERE case_id = $1 ORDER BY at, id",
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
            hist, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "origin",
                            PQgetvalue(r, i, 0), "origin_seq", PQgetvalue(r, i, 1), "event",
                            tb_event_name(t), "label", tb_event_label(t), "where",
                            pname(env, PQgetvalue(r, i, 0)), "actor", PQgetvalue(r, i, 3), "at",
                            PQgetvalue(r, i, 4), "via", PQgetvalue(r, i, 6), "folded",
                            PQgetvalue(r, i, 7)[0] == 't'));
    }
    PQclear(r);
    if (json)
        return dump(json_pack("{s:s, s:o}", "case_id", case_id, "history", hist));
    printf("%s %s\n", TB_TR("办件编号：", "case id:"), case_id);
    size_t i;
    json_t *e;
    json_array_foreach(hist, i, e)
    {
        printf("  %s  %-6s  %s  %s%s\n", json_string_value(json_object_get(e, "at")),
               json_string_value(json_object_get(e, "label")),
               json_string_value(json_object_get(e, "where")),
               json_string_value(json_object_get(e, "actor")),
               json_is_true(json_object_get(e, "folded")) ? "" : TB_TR("（违规，未生效）", " (rejected)"));
    }
    json_decref(hist);
    return 0;
}
