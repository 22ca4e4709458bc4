/* tb_complaint_act.c: a complaint step typed at a village or a township
 * (tb_act): the complaint's flow as this node's store has it, folded back
 * from the events it holds, and the words for a refused step. */
#include "tb_act.h"
#include "tb_complaint.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

int tb_complaint_local(tb_store_t *store, const char *case_id, tb_complaint_t *ret)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tb_store_db(store),
                           "SELECT body FROM events WHERE case_id = ?1 AND type BETWEEN ?2 AND ?3"
                           " AND folded = 1 ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return -TB_ESTORE;
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, TB_EV_COMPLAINED);
    sqlite3_bind_int(st, 3, TB_EV_COMPLAINT_FAULT);
    tb_complaint_t c = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tb_item_msg_t *item = NULL;
        if (tb_item_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                           &item) == 0 &&
            item->event)
            (void)tb_complaint_apply(&c, item->event, 0); /* out of turn: history only */
        tb_item_free(&item);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -TB_ESTORE;
    *ret = c;
    return 0;
}

void tb_act_explain_step(tb_store_t *store, const tb_catalog_t *catalog, tb_event_type_t t,
                         const char *case_id, int err, tb_msg_t *ret_msg)
{
    if (t == TB_EV_COMPLAINED && err == -TB_EILLEGAL) {
        tb_msg_clear(ret_msg);
        tb_msg_add(ret_msg,
                   TB_TR("错误：办件 %s 已有未办结的投诉，请等县级办结后再登记\n",
                         "error: case %s has an open complaint; file again once it is closed\n"),
                   case_id);
    } else if (t == TB_EV_COMPLAINT_REPLIED && (err == -TB_EILLEGAL || err == -TB_ENOTHOLDER)) {
        tb_msg_clear(ret_msg);
        tb_msg_add(ret_msg,
                   TB_TR("错误：办件 %s 没有流转给本单位待反馈的投诉\n",
                         "error: case %s has no complaint assigned to this unit to answer\n"),
                   case_id);
    } else if (t == TB_EV_COMPLAINT_REPLIED && err == -TB_ENOREASON) {
        tb_msg_clear(ret_msg);
        tb_msg_add(ret_msg,
                   TB_TR("错误：%s：反馈须写明办理情况（--text，至多 2000 字节）\n",
                         "error: %s: an answer needs its text (--text, at most 2000 bytes)\n"),
                   case_id);
    } else if (t == TB_EV_COMPLAINED && (err == -TB_EBADVALUE || err == -TB_ENOREASON)) {
        tb_msg_clear(ret_msg);
        tb_msg_add(
            ret_msg,
            TB_TR("错误：%s：投诉须写明内容（--text，至多 2000 字节），类别为 投诉 或 咨询\n",
                  "error: %s: a complaint needs its text (--text, at most 2000 bytes) and "
                  "a kind, complaint or consult\n"),
            case_id);
    } else {
        tb_act_explain(store, catalog, case_id, err, ret_msg);
    }
}
