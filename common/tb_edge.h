/* tb_edge: what the two SQLite nodes below the county — the village agent and
 * the township centre — do the same way.
 *
 * Both log cases a person brings (the agent in the village, the window staff
 * for a walk-in at the township) and both apply what comes down from the node
 * above them (the township from the county, the village from its township).
 * Before this module each daemon wrote these twice and they had started to
 * differ in small ways (which fields were checked, when materials were split);
 * now the daemons only add what is really theirs: who may talk to them, where
 * an item is passed on, and what they log.  Nothing here logs.
 */
#ifndef TB_EDGE_H
#define TB_EDGE_H

#include "tb_cli.h"
#include "tb_store.h"

/* What an edge daemon's apply callback works on. */
typedef struct {
    tb_env_ctx_t *env; /* its catalog and calendar follow the county's versions */
    tb_store_t *store;
} tb_edge_t;

/* A case as a person brings it, as typed. */
typedef struct {
    const char *client, *phone, *item, *note;
    const char *agent;     /* who logs it (required, not empty) */
    const char *materials; /* collected, "a,b" (may be NULL) */
    const char *reply;     /* consultation/help: the reply given (required for them) */
} tb_entry_t;

/* Check what was typed against the catalog in force: -TB_EBADNAME,
 * -TB_EBADPHONE, -TB_EUNKNOWN_ITEM, -TB_ETOOLONG, -TB_EDECODE, -TB_ECONFIG
 * (no agent), or 0. */
int tb_edge_check_entry(const tb_env_ctx_t *env, const tb_entry_t *e);
/* The same check; when a text field is at fault (-TB_EBADNAME, -TB_ETOOLONG,
 * -TB_EDECODE) also writes into buf one sentence for the person naming the
 * field and the problem (tb_text_describe), else buf is "". */
int tb_edge_explain_entry(const tb_env_ctx_t *env, const tb_entry_t *e, char *buf, size_t n);

/* Log a case at this node (env->place), in one transaction: mint the case id
 * <place>-<yyyymmdd>-<seq> (day in CST), record LOGGED with the ledger fields
 * and the materials collected, and queue it to the parent (env->parent).  At
 * a village an item it cannot settle itself (not village-level, not a
 * consultation or help request) is also SUBMITTED to the township at once
 * (报送); a township holds its walk-in cases for pre-review.  A consultation
 * or help request with its reply closes at once.  Writes the case id on
 * success; on bad input (tb_edge_check_entry, -TB_ETOOLONG materials, or the
 * fold's code such as -TB_ENOREASON) writes nothing. */
int tb_edge_log(const tb_env_ctx_t *env, tb_store_t *store, const tb_entry_t *e,
                char ret_id[TB_CASEID_MAX]);

/* The case an event or status update is about; NULL for a data version. */
const char *tb_edge_case_id(const tb_item_msg_t *item);

/* Apply one item from the node above (inside the batch transaction): a data
 * version is stored and put in force when newer (tb_data_receive), a status
 * update (or each of a list, in order) recorded, an event recorded and folded
 * (one that does not fold here is kept, for the county to judge).  Returns 0
 * when it was new here, so the caller may pass it on, with *ret_fold the
 * fold's result for an event (0, or why it does not fold; 0 for other
 * items); 1 when there is nothing new (an
 * event seen before, a version not newer); 2 for a data version newer than
 * the next one (tb_data_receive: nothing done, to be refused) or an event
 * whose id is recorded with other bytes (tb_store_apply: nothing done, an
 * alarm, tb_edge_conflict); 3 for a data version without a valid county
 * signature (tb_data_receive: nothing done, to be refused); or negative. */
int tb_edge_from_above(tb_env_ctx_t *env, tb_store_t *store, const tb_item_msg_t *item,
                       const uint8_t *body, size_t len, int *ret_fold);

/* The digests of an event whose (origin_node, origin_seq) came again with
 * other bytes (tb_store_apply returned 2): the stored body's ("?" if it cannot
 * be read) and the new one's, for the alarm the caller logs. */
void tb_edge_conflict(tb_store_t *store, const tb_event_msg_t *ev, const uint8_t *body, size_t len,
                      char stored[TB_DIGEST_HEX], char got[TB_DIGEST_HEX]);

/* Log lines about one peer's refused or quarantined messages: at most
 * TB_RATELIMIT_LINES a minute per peer (TB_RATELIMIT_PEERS peers tracked; the
 * least recently seen gives way).  tb_ratelimit says whether the caller may
 * write its line now (1) or not (0); when a new minute starts for a peer whose
 * lines were held back, *ret_dropped is how many were (else 0), for one
 * summary line before it. */
#define TB_RATELIMIT_LINES 10
#define TB_RATELIMIT_PEERS 16
typedef struct tb_ratelimit {
    struct {
        char peer[TB_CODE_LEN + 1];
        int64_t start_ms, seen_ms;
        unsigned lines, dropped;
    } slot[TB_RATELIMIT_PEERS];
} tb_ratelimit_t;
int tb_ratelimit(tb_ratelimit_t *rl, const char *peer, int64_t now_ms, unsigned *ret_dropped);
/* The same with max a minute instead of TB_RATELIMIT_LINES (the REJECTED
 * answers of tb_reject.h use it). */
int tb_ratelimit_n(tb_ratelimit_t *rl, const char *peer, int64_t now_ms, unsigned max,
                   unsigned *ret_dropped);

/* A message peer was not entitled to send (or a data version that is not the
 * next one): kept in the quarantine with why, and counted against peer (the
 * store's counter "refused <peer>", whose new value goes to *ret_count when
 * not NULL).  Inside the batch transaction; 0 or negative.  The caller logs,
 * naming the peer. */
int tb_edge_refuse(tb_store_t *store, const char *peer, const uint8_t *body, size_t len,
                   const char *why, uint64_t *ret_count);

#endif
