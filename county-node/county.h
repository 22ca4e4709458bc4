/* county: the county node (县行政服务中心), the authoritative store.
 *
 * One libuv loop carries the broker socket (tb_node) and the PostgreSQL
 * connection (libpq in non-blocking pipeline mode, polled with uv_poll on
 * PQsocket).  Messages from the townships are applied strictly in order per
 * link; everything that arrived while a batch was in flight forms the next
 * batch, which is sent as one pipeline ending in one Sync: one implicit
 * transaction holding the events, the projection, the new cursors and the
 * outbox rows.  Acks go out only after that Sync reports success, so an
 * acknowledged event is committed.  In memory it keeps each case's state (to
 * validate the next event without a round trip), the link cursors and the
 * unacknowledged outbox; all of it is reloaded from the database at start and
 * after any database failure, so memory never runs ahead of what is stored.
 */
#ifndef COUNTY_H
#define COUNTY_H

#include "tb_cli.h"
#include "tb_keys.h"

#include <jansson.h>
#include <libpq-fe.h>

typedef struct county county_t;

/* Apply the schema migrations (county-node/sql, in order) not yet applied.  0 or -TB_ESTORE,
 * with the server's message in *ret_err (static buffer) on failure. */
int county_migrate(PGconn *pg, const char **ret_err);

/* Run the county node until SIGINT/SIGTERM. */
/* curve: this node's CurveZMQ keys and the pinned broker key (NULL: plain
 * text, for tests that play the broker themselves). */
int county_serve(tb_env_ctx_t *env, const char *conninfo, const tb_curve_t *curve);

/* Print the cases (table or JSON) to stdout; 0 or negative. */
int county_print_cases(PGconn *pg, const tb_env_ctx_t *env, bool json);
/* What the county refused, per peer (its quarantine): how many, and the
 * newest reason and time; table or JSON to out.  0 or negative. */
int county_print_refused(PGconn *pg, bool json, FILE *out);
/* Print one case with its history; -TB_ENOCASE if unknown. */
/* `report`: the statistics (county_stats.h) for the options from, to, by,
 * month|day, scope, json|csv.  0, 1 (a refused request, explained on
 * stderr), or a negative code. */
int county_report_stats(PGconn *pg, const tb_env_ctx_t *env, const tb_opt_t *opts, int nopts);
/* A case's whole history across tiers as a JSON array (as `show --json`'s
 * "history"): 0, -TB_ENOCASE, -TB_ESTORE. */
int county_case_json(PGconn *pg, const tb_env_ctx_t *env, const char *case_id, json_t **ret);
int county_print_case(PGconn *pg, const tb_env_ctx_t *env, const char *case_id, bool json);

/* A step county staff take (decide, result, suspend, resume): checked at once
 * against the stored fold, then handed to the running daemon through
 * county_commands; waits for it.  0, the rule broken (ret_err may hold the
 * daemon's words), -ETIMEDOUT if no daemon took it (then nothing changed).
 * Exactly once (migration 020): the row carries an idempotency key (one
 * county_command chooses), and when pg's connection drops the command
 * reconnects (PQreset) and goes on with the same row: an INSERT whose commit
 * it did not see is not made twice, and it reports what the daemon did. */
typedef struct {
    const char *case_id, *actor, *reason, *basis;
    int type;          /* tb_event_type_t */
    unsigned decision; /* TB_DECISION_* */
    int wait_ms;
    int64_t due_ms;  /* SUPERVISED: the reply is due (the last ms of a day), else 0 */
    int64_t card_id; /* SUPERVISED: the card it is about, or 0 */
    unsigned rating; /* RATING_FOLLOWUP: 1..5 (reason: the resident's words) */
} county_cmd_t;
/* A 追评 command's event (county_rating.c): its level, and its words as the
 * comment (a command carries them as its reason).  Other types: untouched. */
struct Tongban__V1__CaseEvent;
void county_followup_fill(struct Tongban__V1__CaseEvent *ev, unsigned rating);
int county_command(PGconn *pg, const tb_env_ctx_t *env, const county_cmd_t *cmd, char *ret_err,
                   size_t err_size);
/* A fresh idempotency key (32 hex digits from the OS's random source).  A
 * caller that may repeat the same command itself (a screen retrying a
 * request) chooses it once and passes it to county_command_keyed each time:
 * the command is queued once.  county_cmd_key: 0 or -errno. */
#define COUNTY_CMD_KEY_LEN 33
int county_cmd_key(char ret_key[COUNTY_CMD_KEY_LEN]);
int county_command_keyed(PGconn *pg, const tb_env_ctx_t *env, const county_cmd_t *cmd,
                         const char *key, char *ret_err, size_t err_size);

/* Check a catalog ("catalog") or holiday calendar ("calendar") file and store
 * it as the next version of that kind: the version, or a negative code
 * (-TB_EDATA with the line in *ret_line; -EFBIG if it cannot travel in one
 * link message).  A running county node distributes it within a second. */
int county_data_import(PGconn *pg, const char *kind, const char *path, int *ret_line);
int county_catalog_import(PGconn *pg, const char *path, int *ret_line);
/* Put the newest imported catalog and calendar in force in env (a kind with
 * no version imported keeps the shipped file: version 0). */
int county_data_current(PGconn *pg, tb_env_ctx_t *env);

/* The township a case's county events go down to: its origin's, or the origin (a
 * walk-in).  In county_cards.c; county_complaint.c uses it too. */
void county_case_township(const char *case_id, char town[TB_CODE_LEN + 1]);

/* tongban-county cards ... and limits ... (cards_cli.c, in the executable only). */
int county_cards_main(int argc, char **argv);
/* `ratings ...` (county_rating_cli.c, in the executable only). */
int county_rating_main(int argc, char **argv);
/* tongban-county complaint ... (complaint_cli.c, in the executable only). */
int county_complaint_main(int argc, char **argv);

#endif
