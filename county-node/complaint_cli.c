/* tongban-county complaint ...: the county's side of complaints (投诉, issue 11).
 *
 *   complaint file CASE [--kind 投诉|咨询] --text TEXT    file one for a resident
 *   complaint list [--state S|all] [--township CODE] [--json]
 *   complaint show ID [--json]
 *   complaint accept ID | decline ID --text T | assign ID --to county|TOWNSHIP
 *   complaint reply ID --text T | revisit ID --text T | close ID [--text T]
 *   complaint redo ID --text T | fault ID --text T [--party PLACE]
 *
 * Everything typed is checked here, before anything is written, against the
 * complaint's flow folded back from the store (tb_complaint.h); then the
 * person signs in (county_signin.c: a supervisor, or back office for file and
 * reply) and the step goes to the daemon like any staff step
 * (county_command), which records the event, the login its actor, and sends
 * it down the links. */
#include "county.h"
#include "county_cli.h"
#include "county_complaint.h"

#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_log.h"
#include "tb_rules.h"
#include "tb_wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(
        TB_TR("用法：tongban-county complaint file 办件编号 [--kind 投诉|咨询] --text 投诉内容\n"
              "       tongban-county complaint list [--state 状态|all] [--township 乡镇代码] "
              "[--json]\n"
              "       tongban-county complaint show 投诉编号 [--json]\n"
              "       tongban-county complaint accept 投诉编号 | decline 投诉编号 --text 理由\n"
              "       tongban-county complaint assign 投诉编号 --to county|乡镇代码\n"
              "       tongban-county complaint reply|revisit|redo 投诉编号 --text 内容\n"
              "       tongban-county complaint close 投诉编号 [--text 内容]\n"
              "       tongban-county complaint fault 投诉编号 --text 问责情况 [--party 单位代码]\n"
              "状态：filed 待受理, accepted 已受理, declined 不予受理, assigned 办理中, "
              "replied 已反馈, revisited 已回访, closed 已办结\n",
              "usage: tongban-county complaint file CASE [--kind complaint|consult] --text TEXT\n"
              "       tongban-county complaint list [--state STATE|all] [--township CODE] "
              "[--json]\n"
              "       tongban-county complaint show ID [--json]\n"
              "       tongban-county complaint accept ID | decline ID --text REASON\n"
              "       tongban-county complaint assign ID --to county|TOWNSHIP\n"
              "       tongban-county complaint reply|revisit|redo ID --text TEXT\n"
              "       tongban-county complaint close ID [--text TEXT]\n"
              "       tongban-county complaint fault ID --text TEXT [--party PLACE]\n"
              "states: filed, accepted, declined, assigned, replied, revisited, closed\n"),
        out);
}

static const struct {
    const char *name;
    tb_event_type_t type;
    bool text; /* --text required */
    const char *verb_zh, *verb_en;
} steps[] = {
    {"file", TB_EV_COMPLAINED, true, "登记", "file"},
    {"accept", TB_EV_COMPLAINT_ACCEPTED, false, "受理", "accept"},
    {"decline", TB_EV_COMPLAINT_DECLINED, true, "不予受理", "decline"},
    {"assign", TB_EV_COMPLAINT_ASSIGNED, false, "流转", "assign"},
    {"reply", TB_EV_COMPLAINT_REPLIED, true, "反馈", "reply to"},
    {"revisit", TB_EV_COMPLAINT_REVISITED, true, "回访", "revisit"},
    {"close", TB_EV_COMPLAINT_CLOSED, false, "办结", "close"},
    {"redo", TB_EV_COMPLAINT_REDONE, true, "重办", "redo"},
    {"fault", TB_EV_COMPLAINT_FAULT, true, "问责", "record a fault on"},
};

/* A unit a complaint may go to: the county itself or one of its townships. */
static const char *unit_of(const tb_env_ctx_t *env, const char *to, bool any_level)
{
    if (!to)
        return NULL;
    if (!strcmp(to, "county") || !strcmp(to, env->place))
        return env->place;
    if (tb_places_check(env->places, to) < 0 || strncmp(to, env->place, 6) != 0)
        return NULL;
    return any_level || tb_code_level(to) == TB_LEVEL_TOWNSHIP ? to : NULL;
}

static int print_json(json_t *o)
{
    char *txt = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o);
    if (!txt)
        return -ENOMEM;
    puts(txt);
    free(txt);
    return 0;
}

static int list(PGconn *pg, const tb_env_ctx_t *env, const tb_limits_t *lim, const char *state,
                const char *township, bool json)
{
    county_complaints_t l;
    int rc = county_complaints_read(pg, NULL, &l);
    json_t *arr =
        rc == 0 ? county_complaints_board(&l, env, lim, NULL, township, state, tb_now_ms()) : NULL;
    county_complaints_free(&l);
    if (!arr)
        return rc < 0 ? rc : -ENOMEM;
    if (json)
        return print_json(arr);
    printf("%-6s %-24s %-10s %-14s %-17s %-12s %s\n", TB_TR("编号", "id"), TB_TR("办件", "case"),
           TB_TR("类别", "kind"), TB_TR("状态", "state"), TB_TR("期限", "due"),
           TB_TR("责任单位", "unit"), TB_TR("乡镇", "township"));
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char due[32];
        tb_fmt_time(json_integer_value(json_object_get(o, "due_ms")), due);
        const char *unit = json_string_value(json_object_get(o, "unit_name"));
        printf("%-6" JSON_INTEGER_FORMAT " %-24s %-10s %-14s %-17s%s %-12s %s\n",
               json_integer_value(json_object_get(o, "id")),
               json_string_value(json_object_get(o, "case_id")),
               json_string_value(json_object_get(o, "kind_label")),
               json_string_value(json_object_get(o, "state_label")), due,
               json_is_true(json_object_get(o, "overdue")) ? TB_TR("（超期）", " (overdue)") : "",
               unit && unit[0] ? unit : "-",
               json_string_value(json_object_get(o, "township_name")));
    }
    json_decref(arr);
    return 0;
}

/* One complaint and the complaint events of its case since it was filed. */
static int show(PGconn *pg, const tb_env_ctx_t *env, const tb_limits_t *lim,
                const county_complaint_t *r, bool json)
{
    json_t *o = county_complaint_json(r, env, lim, tb_now_ms());
    char id[24];
    snprintf(id, sizeof id, "%" PRIu64, r->c.id);
    const char *p[2] = {r->case_id, id};
    PGresult *res = PQexecParams(pg,
                                 "SELECT type, (extract(epoch FROM at) * 1000)::bigint, actor,"
                                 " reason, target, origin_node FROM case_events WHERE case_id = $1"
                                 " AND id >= $2::bigint AND type BETWEEN 30 AND 38 AND folded"
                                 " ORDER BY id",
                                 2, NULL, p, NULL, NULL, 0);
    if (!o || PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        json_decref(o);
        return -TB_ESTORE;
    }
    json_t *hist = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        tb_event_type_t t = (tb_event_type_t)atoi(PQgetvalue(res, i, 0));
        json_array_append_new(hist,
                              json_pack("{sssIssssssssss}", "type", tb_event_name(t), "at_ms",
                                        (json_int_t)strtoll(PQgetvalue(res, i, 1), NULL, 10),
                                        "actor", PQgetvalue(res, i, 2), "text",
                                        PQgetvalue(res, i, 3), "target", PQgetvalue(res, i, 4),
                                        "by", PQgetvalue(res, i, 5), "label", tb_event_label(t)));
    }
    PQclear(res);
    json_object_set_new(o, "history", hist);
    if (json)
        return print_json(o);
    char due[32], filed[32];
    tb_fmt_time(json_integer_value(json_object_get(o, "due_ms")), due);
    tb_fmt_time(r->c.filed_ms, filed);
    printf(TB_TR("投诉 %s  办件 %s  %s  %s\n登记 %s（%s）  期限 %s\n内容：%s\n",
                 "complaint %s  case %s  %s  %s\nfiled %s (%s)  due %s\ntext: %s\n"),
           id, r->case_id, tb_complaint_kind_label(r->c.consult),
           tb_complaint_state_label(r->c.state), filed, r->c.filed_by, due, r->text);
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h)
    {
        char at[32];
        tb_fmt_time(json_integer_value(json_object_get(h, "at_ms")), at);
        const char *target = json_string_value(json_object_get(h, "target"));
        printf("  %s  %-10s %s %s%s%s\n", at, json_string_value(json_object_get(h, "label")),
               json_string_value(json_object_get(h, "actor")),
               json_string_value(json_object_get(h, "text")), target[0] ? " → " : "", target);
    }
    json_decref(o);
    return 0;
}

/* A step on complaint (or, for file, case) arg: checked, then handed to the daemon. */
static int step(county_cli_t *cli, const tb_limits_t *lim, int k, const char *arg,
                const tb_opt_t *opts, int nopts)
{
    PGconn *pg = cli->pg;
    tb_env_ctx_t *env = &cli->env;
    const char *text = tb_opt(opts, nopts, "text");
    const char *kind = NULL, *unit = "";
    tb_event_type_t t = steps[k].type;
    tb_msg_t msg;
    if (steps[k].text && !text) {
        usage(stderr);
        return 2;
    }
    if (text && (tb_rule_blank(text) || tb_check_text(text, TB_COMPLAINT_TEXT_MAX) < 0)) {
        fprintf(stderr,
                TB_TR("错误：内容须为 1..%d 字节的文字（不含控制字符）\n",
                      "error: the text must be 1..%d bytes of plain text\n"),
                TB_COMPLAINT_TEXT_MAX);
        return 1;
    }
    if (t == TB_EV_COMPLAINED && !(kind = tb_complaint_kind_word(tb_opt(opts, nopts, "kind")))) {
        fprintf(stderr,
                TB_TR("错误：类别须为 投诉 或 咨询：%s\n",
                      "error: the kind must be complaint or consult: %s\n"),
                tb_opt(opts, nopts, "kind"));
        return 1;
    }
    if (t == TB_EV_COMPLAINT_ASSIGNED && !(unit = unit_of(env, tb_opt(opts, nopts, "to"), false))) {
        fprintf(stderr,
                TB_TR("错误：流转对象须为 county（县本级）或本县乡镇的代码：%s\n",
                      "error: assign to county or a township of this county: %s\n"),
                tb_opt(opts, nopts, "to") ? tb_opt(opts, nopts, "to") : "");
        return 1;
    }
    if (t == TB_EV_COMPLAINT_FAULT && tb_opt(opts, nopts, "party") &&
        !(unit = unit_of(env, tb_opt(opts, nopts, "party"), true))) {
        fprintf(stderr,
                TB_TR("错误：问责对象须为本县的单位代码：%s\n",
                      "error: the party must be a place of this county: %s\n"),
                tb_opt(opts, nopts, "party"));
        return 1;
    }
    county_complaints_t l;
    char case_id[TB_CASEID_MAX];
    uint64_t id = 0;
    int rc;
    if (t == TB_EV_COMPLAINED) {
        if (tb_cli_case_check(arg, &msg) < 0) {
            fputs(msg.text, stderr);
            return 1;
        }
        snprintf(case_id, sizeof case_id, "%s", arg);
        rc = county_complaints_read(pg, case_id, &l);
    } else {
        char *end;
        id = strtoull(arg, &end, 10);
        if (!*arg || *end || !id || arg[0] == '-') {
            fprintf(stderr,
                    TB_TR("错误：投诉编号须为正整数：%s\n", "error: the id must be a number: %s\n"),
                    arg);
            return 1;
        }
        rc = county_complaints_read(pg, NULL, &l);
    }
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), tb_strerror(rc));
        county_complaints_free(&l);
        return 1;
    }
    const county_complaint_t *r = t == TB_EV_COMPLAINED ? county_complaints_latest(&l, case_id)
                                                        : county_complaints_find(&l, id);
    tb_complaint_t now = r ? r->c : (tb_complaint_t){0};
    if (t != TB_EV_COMPLAINED && !r) {
        fprintf(stderr, TB_TR("错误：没有编号为 %s 的投诉\n", "error: no complaint %s\n"), arg);
        county_complaints_free(&l);
        return 1;
    }
    if (r)
        snprintf(case_id, sizeof case_id, "%s", r->case_id);
    rc = tb_complaint_check(&now, t, env->place);
    if (rc == -TB_EILLEGAL && t == TB_EV_COMPLAINED)
        fprintf(stderr,
                TB_TR("错误：办件 %s 已有未办结的投诉（编号 %" PRIu64 "）\n",
                      "error: case %s has an open complaint (%" PRIu64 ")\n"),
                case_id, now.id);
    else if (rc == -TB_EILLEGAL)
        fprintf(stderr,
                TB_TR("错误：投诉 %s 当前为「%s」，不能%s\n",
                      "error: complaint %s is %s: cannot %s it\n"),
                arg, tb_complaint_state_label(now.state),
                TB_TR(steps[k].verb_zh, steps[k].verb_en));
    else if (rc < 0)
        fprintf(stderr,
                TB_TR("错误：投诉 %s 已流转至 %s，应由该单位反馈\n",
                      "error: complaint %s is with %s, which answers it\n"),
                arg, now.unit);
    county_complaints_free(&l);
    if (rc < 0)
        return 1;
    /* Everything typed is checked: now who takes the step (county_signin.c). */
    char what[32];
    snprintf(what, sizeof what, "complaint %s", steps[k].name);
    int st = county_cli_signin(cli, what, case_id);
    if (st != 0)
        return st;
    /* The deadline the step starts, for the event (the lower tiers show it). */
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.type = (Tongban__V1__EventType)t;
    ev.origin_node = (char *)env->place;
    ev.target = (char *)unit;
    ev.at_ms = tb_now_ms();
    ev.complaint_kind = (char *)(kind ? kind : "");
    int64_t due = 0;
    if (tb_complaint_apply(&now, &ev, 1) < 0 ||
        tb_complaint_due(&now, env->calendar, lim, &due) < 0)
        due = 0;
    county_cmd_t c = {.case_id = case_id,
                      .actor = cli->user.login,
                      .reason = text ? text : "",
                      .basis = kind ? kind : unit,
                      .type = t,
                      .wait_ms = 10000,
                      .due_ms = t == TB_EV_COMPLAINED ? 0 : due,
                      .card_id = (int64_t)id};
    char why[512];
    rc = county_command(pg, env, &c, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：%s：%s %s\n", "error: %s: %s %s\n"), tb_strerror(rc), case_id,
                why);
        return 1;
    }
    if (t == TB_EV_COMPLAINED) {
        /* The county numbers it: its row. */
        if (county_complaints_read(pg, case_id, &l) == 0 &&
            (r = county_complaints_latest(&l, case_id)))
            id = r->c.id;
        county_complaints_free(&l);
    }
    char d[32];
    tb_fmt_time(due, d);
    printf(TB_TR("投诉 %" PRIu64 "（办件 %s）：已%s%s%s\n",
                 "complaint %" PRIu64 " (case %s): %s done%s%s\n"),
           id, case_id, TB_TR(steps[k].verb_zh, steps[k].verb_en),
           due ? TB_TR("，期限 ", ", due ") : "", due ? d : "");
    return 0;
}

int county_complaint_main(int argc, char **argv)
{
    tb_opt_t opts[] = {{"json", false, NULL}, {"help", false, NULL},   {"kind", true, NULL},
                       {"text", true, NULL},  {"to", true, NULL},      {"party", true, NULL},
                       {"state", true, NULL}, {"township", true, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]), npos = 0, status = 2;
    const char *pos[3];
    county_cli_t cli;
    int st = county_cli_start(&cli, argc, argv, opts, nopts, pos, 3, &npos, usage);
    if (st >= 0) {
        status = st;
        goto out;
    }
    const char *sub = npos ? pos[0] : "";
    int k = -1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(sub, steps[i].name))
            k = (int)i;
    bool is_list = !strcmp(sub, "list"), is_show = !strcmp(sub, "show");
    if ((k < 0 && !is_list && !is_show) || npos != (is_list ? 1 : 2)) {
        usage(stderr);
        goto out;
    }
    status = 1;
    const char *state = tb_opt(opts, nopts, "state");
    if (state && strcmp(state, "all") && tb_complaint_state_from_name(state) == TB_CP_NONE) {
        fprintf(stderr, TB_TR("错误：没有这个状态：%s\n", "error: no such state: %s\n"), state);
        goto out;
    }
    if ((status = county_cli_open(&cli)) != 0)
        goto out;
    status = 1;
    PGconn *pg = cli.pg;
    tb_limits_t lim;
    if (county_limits_read(pg, &lim, NULL) < 0) {
        fprintf(stderr, TB_TR("错误：%s", "error: %s"), PQerrorMessage(pg));
        goto out;
    }
    bool json = tb_opt(opts, nopts, "json") != NULL;
    if (is_list) {
        status = list(pg, &cli.env, &lim, state, tb_opt(opts, nopts, "township"), json) < 0;
    } else if (is_show) {
        county_complaints_t l;
        int rc = county_complaints_read(pg, NULL, &l);
        const county_complaint_t *r =
            rc == 0 ? county_complaints_find(&l, strtoull(pos[1], NULL, 10)) : NULL;
        if (!r)
            fprintf(stderr, TB_TR("错误：没有编号为 %s 的投诉\n", "error: no complaint %s\n"),
                    pos[1]);
        else
            status = show(pg, &cli.env, &lim, r, json) < 0;
        county_complaints_free(&l);
    } else {
        status = step(&cli, &lim, k, pos[1], opts, nopts);
    }
out:
    county_cli_close(&cli);
    return status;
}
