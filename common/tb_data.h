/* tb_data: the catalog and calendar versions the county distributes, at a
 * village or township node.
 *
 * Every node starts from the files shipped in its share directory (version
 * 0).  The county sends each version it imports down the links as an Item
 * carrying a DataVersion (validated by tb_item_decode: the body parses); a
 * node stores it in its SQLite store (table data_versions) if it is newer
 * than what it has, in the same transaction as the link cursor, and uses it
 * at once.  Every command a person types and every daemon start uses the
 * newest stored version of each kind, else the shipped file.  So a node never
 * acts on an item that is not in the catalog the county last sent it.
 */
#ifndef TB_DATA_H
#define TB_DATA_H

#include "tb_cli.h"
#include "tb_store.h"

/* Put the newest stored versions in force in env (catalog, calendar and their
 * versions); kinds with none stored keep the shipped data.  0 or negative
 * (a stored body that no longer parses is -TB_EDATA: it was checked when it
 * arrived, so the store is damaged). */
int tb_data_use_stored(tb_env_ctx_t *env, tb_store_t *store);

/* The newest stored version of kind, 0 when none is (the shipped file). */
int tb_data_current(tb_store_t *store, const char *kind, uint32_t *ret_version);

/* A version that arrived (inside the batch transaction): stored and put in
 * force in env when it is exactly the next one of its kind (the newest
 * stored + 1, tb_data_current); after a calendar the deadlines of every case
 * are counted again.  0 applied, 1 not newer (nothing done: a copy sent
 * again), 2 newer but not the next one (nothing done: a gap, or a forged
 * version such as 4294967295 that would block every later one; the caller
 * refuses it), 3 for the next version without a valid signature by the
 * county's pinned key (tb_sign.h; nothing done: the caller refuses it; no
 * key pinned: every version is 3), or negative. */
int tb_data_receive(tb_env_ctx_t *env, tb_store_t *store, const tb_data_msg_t *dv);

#endif
