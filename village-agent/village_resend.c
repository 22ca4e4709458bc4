/* village_resend.c: a returned case (被退回) corrected and sent again (issue 9).
 *
 * A case whose LOGGED the township or the county answered with REJECTED is
 * not sent again under its old id (an id names one content for ever): the
 * agent logs it again as a new case, starting from what was typed the first
 * time, with the fields that were wrong given anew.  `tongban-village resend
 * CASE [--client] [--phone] [--item] [--materials] [--note]` does exactly
 * that and prints the new case id; the old case stays in the ledger as
 * 被退回 with its reason. */
#include "village.h"

#include "tb_error.h"

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

int village_returned_entry(tb_store_t *store, const char *case_id, village_entry_t *e,
                           village_resend_t *buf)
{
    sqlite3 *db = tb_store_db(store);
    sqlite3_stmt *st;
    /* Our own LOGGED of the case, and whether an answer refused it. */
    if (sqlite3_prepare_v2(db,
                           "SELECT body, rejected FROM events WHERE case_id = ?1 AND type = ?2"
                           " AND origin_node = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED);
    sqlite3_bind_text(st, 3, tb_store_place(store), -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW) {
        sqlite3_finalize(st);
        return s == SQLITE_DONE ? -TB_ENOCASE : -TB_ESTORE;
    }
    const char *rejected = (const char *)sqlite3_column_text(st, 1);
    if (!rejected || !rejected[0]) {
        sqlite3_finalize(st);
        return -TB_EILLEGAL; /* not returned: nothing to resend */
    }
    tb_item_msg_t *item = tongban__v1__item__unpack(NULL, (size_t)sqlite3_column_bytes(st, 0),
                                                    sqlite3_column_blob(st, 0));
    sqlite3_finalize(st);
    if (!item || item->item_case != TONGBAN__V1__ITEM__ITEM_EVENT || !item->event->ledger) {
        if (item)
            tongban__v1__item__free_unpacked(item, NULL);
        return -TB_EDECODE;
    }
    const Tongban__V1__LedgerRecord *l = item->event->ledger;
    snprintf(buf->client, sizeof buf->client, "%s", l->client_name);
    snprintf(buf->phone, sizeof buf->phone, "%s", l->client_phone);
    snprintf(buf->item, sizeof buf->item, "%s", l->item_code);
    snprintf(buf->note, sizeof buf->note, "%s", l->note);
    snprintf(buf->reply, sizeof buf->reply, "%s", l->result);
    size_t n = 0;
    buf->materials[0] = '\0';
    for (size_t i = 0; i < item->event->n_materials && n < sizeof buf->materials; i++)
        n += (size_t)snprintf(buf->materials + n, sizeof buf->materials - n, "%s%s", i ? "," : "",
                              item->event->materials[i]);
    tongban__v1__item__free_unpacked(item, NULL);
    if (n >= sizeof buf->materials)
        return -TB_ETOOLONG;
    /* What the agent typed now wins over what was typed the first time. */
    if (!e->client)
        e->client = buf->client;
    if (!e->phone)
        e->phone = buf->phone;
    if (!e->item)
        e->item = buf->item;
    if (!e->note && buf->note[0])
        e->note = buf->note;
    if (!e->materials && buf->materials[0])
        e->materials = buf->materials;
    if (!e->reply && buf->reply[0])
        e->reply = buf->reply;
    return 0;
}
