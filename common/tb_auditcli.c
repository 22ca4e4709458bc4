/* tb_auditcli: `tongban-village audit` and `tongban-township audit` (they
 * print; tb_nodeauth does not): the node's append-only audit of sign-ins and
 * of views of a case's personal data. */
#include "tb_auditcli.h"

#include "tb_calendar.h"
#include "tb_cli.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_nodeauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tb_auditcli_main(int argc, char **argv, int first, tb_level_t level)
{
    tb_opt_t opts[] = {{"json", false, NULL}, {"login", true, NULL}, {"case", true, NULL}};
    int nopts = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int npos = 0, status = 2;
    tb_env_ctx_t env = {0};
    tb_config_init(&env.cfg);
    tb_msg_t msg;
    tb_store_t *store = NULL;
    json_t *rows = NULL;
    if (tb_cli_args(argc, argv, first, &env.cfg, opts, nopts, pos, 0, &npos, &msg) < 0 ||
        tb_cli_load(&env, level, &msg) < 0) {
        fputs(msg.text, stderr);
        goto out;
    }
    status = 1;
    int rc = tb_store_open(tb_config_get(&env.cfg, TB_CFG_DATA_DIR), env.place, &store);
    if (rc == 0)
        rc = tb_audit_json(store, tb_opt(opts, nopts, "login"), tb_opt(opts, nopts, "case"), &rows);
    if (rc < 0) {
        fprintf(stderr, TB_TR("错误：无法读取审计记录：%s\n", "error: cannot read the audit: %s\n"),
                tb_strerror(rc));
        goto out;
    }
    if (tb_opt(opts, nopts, "json")) {
        char *txt = json_dumps(rows, JSON_COMPACT);
        if (txt)
            puts(txt);
        free(txt);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r)
        {
            char at[32];
            tb_fmt_time(json_integer_value(json_object_get(r, "at_ms")), at);
            printf("%s  %-20s %-14s %-31s %s\n", at, json_string_value(json_object_get(r, "login")),
                   json_string_value(json_object_get(r, "what")),
                   json_string_value(json_object_get(r, "case_id")),
                   json_string_value(json_object_get(r, "detail")));
        }
    }
    status = 0;
out:
    json_decref(rows);
    tb_store_destroy(&store);
    tb_cli_env_fini(&env);
    return status;
}
