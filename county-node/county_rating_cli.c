/* tongban-county ratings ...: the 好差评 loop's staff commands (issue 11,
 * migration 012).
 *
 *   ratings list [--json] [--owner CODE] [--open]    the rectifications, newest first
 *   ratings show CASE [--json]                       one, with its audit
 *   ratings revisit CASE --text T                    回访 (the owner called the resident)
 *   ratings rectify CASE --outcome O --text T        整改: 立行立改|限期整改|解释说明
 *   ratings followup CASE --rating N [--text T]      追评: the resident rates the fix
 *   ratings appeal CASE --kind 误评|恶意差评 --text T  申诉 by the handling unit
 *   ratings review CASE --approve|--refuse --text T  复核 by a county supervisor
 *
 * The order is the loop's: 回访 before 整改; one of each; one appeal,
 * reviewed once.  The 追评 is the resident's event (RATING_FOLLOWUP), not a
 * row step: `followup` sends it through the daemon (county_rating_followup)
 * and the row takes it from the event; once per case, after the rating, as
 * at every tier (tb_rules.c).  County staff who take it for the resident (by
 * phone, after the 回访) keep the loop's order: on a 差评, 整改 first.  Every
 * step is taken by a signed-in county account (county_signin.c: --login, the
 * password from the terminal or TONGBAN_PASSWORD_FILE); a review (申诉复核)
 * by a supervisor, the other steps by a supervisor or back office.  Every step is checked before
 * anything is written, then is one UPDATE guarded by the same conditions
 * (a step raced by another fails, nothing written) and one rating_audit
 * row, in one transaction.  The JSON of list and show is what the
 * dashboard's /api/ratings serves (county_rating_json). */
#include "county.h"
#include "county_accounts.h"
#include "county_board.h"
#include "county_cli.h"
#include "county_int.h"
#include "rating_indicators.h"

#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_input.h"
#include "tb_labels.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-county ratings list [--json] [--owner 单位代码] [--open]\n"
                "       tongban-county ratings show 办件编号 [--json]\n"
                "       tongban-county ratings revisit 办件编号 --text 回访情况\n"
                "       tongban-county ratings rectify 办件编号 --outcome "
                "立行立改|限期整改|解释说明 --text 整改情况\n"
                "       tongban-county ratings followup 办件编号 --rating 等级 [--text 意见]\n"
                "       tongban-county ratings appeal 办件编号 --kind 误评|恶意差评 --text 理由\n"
                "       tongban-county ratings review 办件编号 --approve|--refuse --text 意见\n",
                "usage: tongban-county ratings list [--json] [--owner CODE] [--open]\n"
                "       tongban-county ratings show CASE [--json]\n"
                "       tongban-county ratings revisit CASE --text TEXT\n"
                "       tongban-county ratings rectify CASE --outcome immediate|deadline|explain "
                "--text TEXT\n"
                "       tongban-county ratings followup CASE --rating LEVEL [--text TEXT]\n"
                "       tongban-county ratings appeal CASE --kind mistaken|malicious --text TEXT\n"
                "       tongban-county ratings review CASE --approve|--refuse --text TEXT\n"),
          out);
}

/* A word of a closed set, Chinese or English, as its stored name; NULL if none. */
static const char *pick(const char *s, const char *const (*set)[2], size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, set[i][0]) || !strcmp(s, set[i][1]))
            return set[i][1];
    return NULL;
}

static const char *const outcomes[][2] = {
    {"立行立改", "immediate"}, {"限期整改", "deadline"}, {"解释说明", "explain"}};
static const char *const kinds[][2] = {{"误评", "mistaken"}, {"恶意差评", "malicious"}};

#define MS(col) "coalesce((extract(epoch FROM " col ") * 1000)::bigint, 0)"
/* GB/T 39735's four indicators of the case's rating (migration 014) as
 * "overall efficiency skill attitude", "" when not given. */
#define INDICATORS                                                                                 \
    "coalesce((SELECT concat_ws(' ', overall, efficiency, skill, attitude) FROM"                   \
    " rating_indicators x WHERE x.case_id = r.case_id), '')"

/* The INDICATORS column as {"overall", "efficiency", "skill", "attitude"}, or null. */
static json_t *county_rating_indicators(const char *four)
{
    unsigned v[TB_RATING_INDICATORS];
    if (sscanf(four, "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != TB_RATING_INDICATORS)
        return json_null();
    json_t *o = json_object();
    for (int i = 0; i < TB_RATING_INDICATORS; i++)
        json_object_set_new(o, tb_rating_indicator_keys[i], json_integer(v[i]));
    return o;
}

/* The rows as JSON, newest first: case_id NULL for all (owner: a unit's
 * subtree prefix, "" for any; open: not yet rectified or appeal pending). */
static json_t *rows_json(PGconn *pg, const char *case_id, const char *owner, bool open)
{
    const char *p[3] = {case_id ? case_id : "", owner ? owner : "", open ? "true" : "false"};
    PGresult *r = PQexecParams(
        pg,
        "SELECT case_id, rating, comment, channel, named::text, owner, " MS(
            "rated_at") ","
                        " " MS("revisit_due") ", " MS("rectify_due") ", " MS(
                            "revisited_at") ","
                                            " coalesce(revisit_note, ''), " MS(
                                                "rectified_at") ", coalesce(outcome, ''),"
                                                                " coalesce(rectify_note, ''), "
                                                                "coalesce(followup, 0), "
                                                                "coalesce(followup_comment, ''),"
                                                                " appeal, coalesce(appeal_kind, "
                                                                "''), coalesce(appeal_reason, ''),"
                                                                " coalesce(review_note, ''), "
                                                                "coalesce(reviewed_by, ''),"
                                                                " coalesce((SELECT level FROM "
                                                                "cards k WHERE k.case_id = "
                                                                "r.case_id AND k.kind = 'revisit'"
                                                                "  AND k.cleared_at IS NULL), "
                                                                "''), " INDICATORS
                                                                " FROM rectifications r WHERE ($1 "
                                                                "= '' OR case_id = $1) AND owner "
                                                                "LIKE $2 || '%'"
                                                                " AND (NOT $3::boolean OR "
                                                                "(rectified_at IS NULL AND appeal "
                                                                "<> 'approved')"
                                                                "  OR appeal = 'pending')"
                                                                " ORDER BY rated_at DESC, case_id "
                                                                "LIMIT 1000",
        3, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return NULL;
    }
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        long long v[7];
        const int cols[7] = {1, 6, 7, 8, 9, 11, 14};
        for (int k = 0; k < 7; k++)
            v[k] = strtoll(PQgetvalue(r, i, cols[k]), NULL, 10);
        json_t *o =
            json_pack("{ss sI ss ss sb ss sI sI sI sI ss sI ss}", "case_id", PQgetvalue(r, i, 0),
                      "rating", (json_int_t)v[0], "rating_label", tb_rating_label((unsigned)v[0]),
                      "comment", PQgetvalue(r, i, 2), "named", *PQgetvalue(r, i, 4) == 't', "owner",
                      PQgetvalue(r, i, 5), "rated_ms", (json_int_t)v[1], "revisit_due_ms",
                      (json_int_t)v[2], "rectify_due_ms", (json_int_t)v[3], "revisited_ms",
                      (json_int_t)v[4], "revisit_note", PQgetvalue(r, i, 10), "rectified_ms",
                      (json_int_t)v[5], "outcome", PQgetvalue(r, i, 12));
        json_t *more =
            json_pack("{ss ss sI ss ss ss ss ss ss ss}", "channel", PQgetvalue(r, i, 3),
                      "rectify_note", PQgetvalue(r, i, 13), "followup", (json_int_t)v[6],
                      "followup_comment", PQgetvalue(r, i, 15), "appeal", PQgetvalue(r, i, 16),
                      "appeal_kind", PQgetvalue(r, i, 17), "appeal_reason", PQgetvalue(r, i, 18),
                      "review_note", PQgetvalue(r, i, 19), "reviewed_by", PQgetvalue(r, i, 20),
                      "card", PQgetvalue(r, i, 21));
        if (!o || !more) {
            json_decref(o);
            json_decref(more);
            json_decref(arr);
            arr = NULL;
            break;
        }
        json_object_update(o, more);
        json_decref(more);
        json_object_set_new(o, "indicators", county_rating_indicators(PQgetvalue(r, i, 22)));
        json_array_append_new(arr, o);
    }
    PQclear(r);
    return arr;
}

json_t *county_rating_json(PGconn *pg, const char *case_id, const char *owner, bool open)
{
    return rows_json(pg, case_id, owner, open);
}

static const char *zh_outcome(const char *o)
{
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (!strcmp(o, outcomes[i][1]))
            return TB_TR(outcomes[i][0], outcomes[i][1]);
    return "—";
}

static void print_row(const json_t *o, bool whole)
{
    char rated[32], due[32];
    tb_fmt_time(json_integer_value(json_object_get(o, "rated_ms")), rated);
    int64_t d = json_integer_value(json_object_get(o, "revisit_due_ms"));
    if (d)
        tb_fmt_time(d, due);
    else
        snprintf(due, sizeof due, "—");
    const char *appeal = json_string_value(json_object_get(o, "appeal"));
    printf("%-24s %-10s %-12s %-16s %-16s %-4s %-8s %s\n",
           json_string_value(json_object_get(o, "case_id")),
           json_string_value(json_object_get(o, "rating_label")),
           json_string_value(json_object_get(o, "owner")), rated, due,
           json_integer_value(json_object_get(o, "revisited_ms")) ? TB_TR("已回访", "yes")
                                                                  : TB_TR("未回访", "no"),
           zh_outcome(json_string_value(json_object_get(o, "outcome"))),
           !strcmp(appeal, "none")      ? ""
           : !strcmp(appeal, "pending") ? TB_TR("申诉中", "appeal pending")
           : !strcmp(appeal, "approved")
               ? TB_TR("申诉成立（不计入）", "appeal approved (not counted)")
               : TB_TR("申诉驳回", "appeal refused"));
    if (!whole)
        return;
    printf(TB_TR("评价意见：%s\n回访：%s\n整改：%s\n追评：%s %s\n申诉：%s %s\n复核：%s %s\n",
                 "comment: %s\nrevisit: %s\nrectify: %s\nfollow-up: %s %s\nappeal: %s "
                 "%s\nreview: %s %s\n"),
           json_string_value(json_object_get(o, "comment")),
           json_string_value(json_object_get(o, "revisit_note")),
           json_string_value(json_object_get(o, "rectify_note")),
           tb_rating_label((unsigned)json_integer_value(json_object_get(o, "followup"))),
           json_string_value(json_object_get(o, "followup_comment")),
           json_string_value(json_object_get(o, "appeal_kind")),
           json_string_value(json_object_get(o, "appeal_reason")),
           json_string_value(json_object_get(o, "reviewed_by")),
           json_string_value(json_object_get(o, "review_note")));
}

static int listing(PGconn *pg, const char *case_id, const char *owner, bool open, bool json)
{
    json_t *arr = rows_json(pg, case_id, owner, open);
    if (!arr) {
        fprintf(stderr, TB_TR("错误：%s", "error: %s"), PQerrorMessage(pg));
        return -TB_ESTORE;
    }
    if (case_id && json_array_size(arr) == 0) {
        fprintf(stderr, TB_TR("错误：该办件没有差评整改：%s\n", "error: no rectification for %s\n"),
                case_id);
        json_decref(arr);
        return -ENOENT;
    }
    if (json) {
        char *t = json_dumps(case_id ? json_array_get(arr, 0) : arr, JSON_COMPACT);
        if (t)
            puts(t);
        free(t);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(arr, i, o) print_row(o, case_id != NULL);
    }
    json_decref(arr);
    return 0;
}

/* A step: its guard (why it may not be taken, in words) and its UPDATE. */
typedef struct {
    const char *name;  /* the subcommand and the audit's action */
    const char *guard; /* SQL over the row: NULL when allowed, else the refusal's words */
    const char *set;   /* SET clause; $2 text, $3 actor, $4 word (outcome, kind, verdict), $5 n */
} step_t;

/* Each guard is a CASE yielding the Chinese refusal (the English follows a
 * "|"), checked first on its own and then again inside the UPDATE. */
static const step_t steps[] = {
    {"revisit",
     "CASE WHEN revisited_at IS NOT NULL THEN '已回访过，不能重复回访|already revisited' END",
     "revisited_at = now(), revisited_by = $3, revisit_note = $2"},
    {"rectify",
     "CASE WHEN revisited_at IS NULL THEN '请先回访再整改|revisit first' WHEN rectified_at IS NOT "
     "NULL THEN '已整改过，不能重复整改|already rectified' END",
     "rectified_at = now(), rectified_by = $3, rectify_note = $2, outcome = $4"},
    /* An event (county_rating_followup): only the loop's guard is a row's. */
    {"followup",
     "CASE WHEN rectified_at IS NULL THEN '整改后才能追评|a follow-up rating comes after the "
     "rectification' END",
     NULL},
    {"appeal", "CASE WHEN appeal <> 'none' THEN '每件差评只能申诉一次|one appeal per rating' END",
     "appeal = 'pending', appeal_kind = $4, appeal_reason = $2, appealed_at = now(),"
     " appealed_by = $3"},
    {"review", "CASE WHEN appeal <> 'pending' THEN '没有待复核的申诉|no appeal awaits review' END",
     "appeal = $4, review_note = $2, reviewed_at = now(), reviewed_by = $3"},
};

/* The words of a guard ("中文|English") in the reader's language into why. */
static void words(const char *w, char *why, size_t size)
{
    const char *bar = strchr(w, '|');
    if (tb_lang_en())
        snprintf(why, size, "%s", bar ? bar + 1 : w);
    else
        snprintf(why, size, "%.*s", bar ? (int)(bar - w) : (int)strlen(w), w);
}

/* The step's guard over case_id's rectification: 0, -ENOENT (none),
 * -TB_EILLEGAL (not now, in words), -TB_ESTORE. */
static int guarded(PGconn *pg, const step_t *s, const char *case_id, char *why, size_t size)
{
    char why_sql[512];
    snprintf(why_sql, sizeof why_sql, "SELECT %s FROM rectifications WHERE case_id = $1", s->guard);
    const char *p1[1] = {case_id};
    PGresult *r = PQexecParams(pg, why_sql, 1, NULL, p1, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(why, size, "%s", PQerrorMessage(pg));
        rc = -TB_ESTORE;
    } else if (PQntuples(r) == 0) {
        snprintf(why, size, TB_TR("该办件没有差评整改：%s", "no rectification for %s"), case_id);
        rc = -ENOENT;
    } else if (!PQgetisnull(r, 0, 0)) {
        words(PQgetvalue(r, 0, 0), why, size);
        rc = -TB_EILLEGAL;
    }
    PQclear(r);
    return rc;
}

int county_rating_step(PGconn *pg, const char *step, const char *case_id, const char *text,
                       const char *actor, const char *word, unsigned n, char *why, size_t size)
{
    const step_t *s = NULL;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(step, steps[i].name))
            s = &steps[i];
    if (!s || !s->set) {
        snprintf(why, size, "%s", TB_TR("未知的步骤", "unknown step"));
        return -EINVAL;
    }
    int rc = guarded(pg, s, case_id, why, size);
    if (rc < 0)
        return rc;
    char sql[1024], num[8];
    snprintf(num, sizeof num, "%u", n);
    /* One statement: the step guarded again, and its audit row.  The case row is
     * locked first (l, a one-time filter evaluated before the UPDATE's scan), as a
     * batch changing the case and the rectifications' trigger lock it: the same
     * order everywhere, so a step never deadlocks with a batch (it waits). */
    snprintf(sql, sizeof sql,
             "WITH l AS (SELECT 1 FROM cases WHERE case_id = $1 FOR UPDATE),"
             " u AS (UPDATE rectifications SET %s WHERE case_id = $1 AND (%s) IS NULL"
             " AND EXISTS (SELECT 1 FROM l)"
             " RETURNING case_id) INSERT INTO rating_audit(actor, case_id, action, detail)"
             " SELECT $3, case_id, '%s', concat_ws(' ', nullif($4, ''), nullif($5, '0'), $2)"
             " FROM u",
             s->set, s->guard, s->name);
    const char *p[5] = {case_id, text, actor, word ? word : "", num};
    PGresult *r = PQexecParams(pg, sql, 5, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        snprintf(why, size, TB_TR("未能记录（%s）", "not recorded (%s)"), PQerrorMessage(pg));
        rc = -TB_ESTORE;
    } else if (atoi(PQcmdTuples(r)) != 1) {
        snprintf(why, size, "%s", TB_TR("未能记录：已被他人处理", "not recorded: taken meanwhile"));
        rc = -TB_EILLEGAL;
    }
    PQclear(r);
    return rc;
}

int county_rating_followup(PGconn *pg, const tb_env_ctx_t *env, const char *case_id,
                           const char *text, const char *actor, unsigned n, char *why, size_t size)
{
    const step_t *s = NULL;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(steps[i].name, "followup"))
            s = &steps[i];
    int rc = guarded(pg, s, case_id, why, size); /* a case with no 差评 has no row: no guard */
    if (rc < 0 && rc != -ENOENT)
        return rc;
    county_cmd_t c = {.case_id = case_id,
                      .actor = actor,
                      .reason = text ? text : "",
                      .basis = "",
                      .type = TB_EV_RATING_FOLLOWUP,
                      .wait_ms = 10000,
                      .rating = n};
    char err[512];
    rc = county_command(pg, env, &c, err, sizeof err);
    if (rc == -TB_EONCE)
        snprintf(why, size, "%s", TB_TR("每件只能追评一次", "one follow-up rating per case"));
    else if (rc == -TB_ENOCASE)
        snprintf(why, size, TB_TR("没有该办件：%s", "no such case: %s"), case_id);
    else if (rc == -TB_EILLEGAL && !err[0])
        snprintf(why, size, "%s",
                 TB_TR("办件尚未评价，评价后才能追评", "the case is not rated yet: rate it first"));
    else if (rc == -ETIMEDOUT)
        snprintf(why, size, "%s",
                 TB_TR("县级节点未在运行，未记录", "the county node is not running: not recorded"));
    else if (rc < 0)
        snprintf(why, size, "%s%s%s", tb_strerror(rc), err[0] ? "：" : "", err);
    return rc;
}

bool county_rating_reviewer(PGconn *pg, const char *login, const char *county)
{
    const char *p[2] = {login ? login : "", county};
    PGresult *r = PQexecParams(pg,
                               "SELECT 1 FROM accounts WHERE login = $1 AND enabled"
                               " AND role = 'supervisor' AND scope = $2",
                               2, NULL, p, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    return ok;
}

int county_rating_check(const char *step, const county_rating_args_t *a, const char **ret_word,
                        unsigned *ret_n, char *why, size_t size)
{
    const char *word = NULL;
    unsigned n = 0;
    bool followup = !strcmp(step, "followup");
    if (tb_text_check_field("--text", a->text, TB_CLI_TEXT_MAX,
                            TB_TEXT_MULTILINE | (followup ? 0 : TB_TEXT_REQUIRED), why, size) < 0)
        return -EINVAL;
    if (!strcmp(step, "rectify") &&
        !(word = pick(a->outcome, outcomes, sizeof outcomes / sizeof *outcomes))) {
        snprintf(why, size, "%s",
                 TB_TR("--outcome 须为 立行立改、限期整改 或 解释说明",
                       "--outcome must be immediate, deadline or explain"));
        return -EINVAL;
    }
    if (!strcmp(step, "appeal") && !(word = pick(a->kind, kinds, sizeof kinds / sizeof *kinds))) {
        snprintf(why, size, "%s",
                 TB_TR("--kind 须为 误评 或 恶意差评", "--kind must be mistaken or malicious"));
        return -EINVAL;
    }
    if (!strcmp(step, "review")) {
        if (a->approve == a->refuse) {
            snprintf(why, size, "%s",
                     TB_TR("复核须给出 --approve 或 --refuse 之一",
                           "a review takes exactly one of --approve and --refuse"));
            return -EINVAL;
        }
        word = a->approve ? "approved" : "refused";
    }
    if (followup && tb_rating_parse(a->rating ? a->rating : "", &n) < 0) {
        snprintf(why, size, "%s",
                 TB_TR("--rating 须为 1..5 或 非常不满意、不满意、基本满意、满意、非常满意",
                       "--rating must be 1..5 or a level's name"));
        return -EINVAL;
    }
    *ret_word = word;
    *ret_n = n;
    return 0;
}

int county_rating_main(int argc, char **argv)
{
    tb_opt_t opts[] = {{"json", false, NULL},  {"help", false, NULL}, {"owner", true, NULL},
                       {"open", false, NULL},  {"text", true, NULL},  {"outcome", true, NULL},
                       {"rating", true, NULL}, {"kind", true, NULL},  {"approve", false, NULL},
                       {"refuse", false, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]), npos = 0, status = 2;
    const char *pos[2];
    county_cli_t cli;
    tb_msg_t msg;
    int st = county_cli_start(&cli, argc, argv, opts, nopts, pos, 2, &npos, usage);
    if (st >= 0) {
        status = st;
        goto out;
    }
    const char *sub = npos >= 1 ? pos[0] : "";
    const step_t *step = NULL;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (!strcmp(sub, steps[i].name))
            step = &steps[i];
    bool list = !strcmp(sub, "list") && npos == 1, show = !strcmp(sub, "show") && npos == 2;
    if (!list && !show && !(step && npos == 2)) {
        usage(stderr);
        goto out;
    }
    status = 1;
    if (npos == 2 && tb_cli_case_check(pos[1], &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    const char *word = NULL;
    unsigned n = 0;
    char why[512];
    county_rating_args_t args = {.text = tb_opt(opts, nopts, "text"),
                                 .outcome = tb_opt(opts, nopts, "outcome"),
                                 .kind = tb_opt(opts, nopts, "kind"),
                                 .rating = tb_opt(opts, nopts, "rating"),
                                 .approve = tb_opt(opts, nopts, "approve") != NULL,
                                 .refuse = tb_opt(opts, nopts, "refuse") != NULL};
    if (step && county_rating_check(sub, &args, &word, &n, why, sizeof why) < 0) {
        fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
        goto out;
    }
    if ((status = county_cli_open(&cli)) != 0)
        goto out;
    PGconn *pg = cli.pg;
    char what[32];
    snprintf(what, sizeof what, "ratings %s", sub);
    if (step && (status = county_cli_signin(&cli, what, pos[1])) != 0)
        goto out;
    const char *actor = cli.user.login;
    int rc;
    if (step) {
        const char *text = tb_opt(opts, nopts, "text");
        rc = !strcmp(sub, "followup")
                 ? county_rating_followup(pg, &cli.env, pos[1], text, actor, n, why, sizeof why)
                 : county_rating_step(pg, sub, pos[1], text ? text : "", actor, word, n, why,
                                      sizeof why);
        if (rc == 0)
            printf(TB_TR("%s：已记录\n", "%s: recorded\n"), pos[1]);
        else
            fprintf(stderr, TB_TR("错误：%s\n", "error: %s\n"), why);
    } else {
        const char *owner = tb_opt(opts, nopts, "owner");
        rc = listing(pg, show ? pos[1] : NULL, owner, tb_opt(opts, nopts, "open") != NULL,
                     tb_opt(opts, nopts, "json") != NULL);
    }
    status = rc < 0 ? 1 : 0;
out:
    county_cli_close(&cli);
    return status;
}
