/* tb_store_relay.c: the data versions the county distributes, as this store
 * keeps them (tb_store_data_newest, _sign, _put) and hands them on to the nodes
 * below it (a township to its villages): every version it holds, oldest
 * first, with the county's signature, and per node and kind the newest one
 * queued (data_relayed), so that each goes once to each node and a node that
 * appears later (a village added to the place data) gets the whole chain at
 * once instead of waiting for the next version, which it could not take
 * alone (a node takes only the next version, tb_data_receive). */
#include "tb_store_int.h"

#include "tb_data.h"
#include "tb_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tb_store_data_newest(tb_store_t *self, const char *kind, uint32_t *ret_version, char **ret_body,
                         size_t *ret_len)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "SELECT version, body FROM data_versions WHERE kind = ?1"
                           " ORDER BY version DESC LIMIT 1",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        const void *b = sqlite3_column_blob(st, 1);
        char *body = malloc(len + 1);
        if (!body) {
            rc = -ENOMEM;
        } else {
            if (len)
                memcpy(body, b, len);
            body[len] = '\0';
            if (ret_version)
                *ret_version = (uint32_t)sqlite3_column_int64(st, 0);
            if (ret_body)
                *ret_body = body;
            else
                free(body);
            if (ret_len)
                *ret_len = len;
        }
    } else {
        rc = s == SQLITE_DONE ? -ENOENT : tb_store_sql_err(self, "data_versions");
    }
    tb_store_done(self, st);
    return rc;
}

int tb_store_data_sign(tb_store_t *self, const char *kind, uint32_t version, const uint8_t *sig,
                       size_t len)
{
    sqlite3_stmt *st;
    int rc = tb_store_stmt(self,
                           "INSERT OR REPLACE INTO data_signatures(kind, version, signature)"
                           " VALUES(?1, ?2, ?3)",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)version);
    sqlite3_bind_blob(st, 3, len ? (const void *)sig : "", (int)len, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tb_store_sql_err(self, "data_signatures");
    tb_store_done(self, st);
    return rc;
}

int tb_store_data_put(tb_store_t *self, const char *kind, uint32_t version, const uint8_t *body,
                      size_t len)
{
    uint32_t have = 0;
    int rc = tb_store_data_newest(self, kind, &have, NULL, NULL);
    if (rc < 0 && rc != -ENOENT)
        return rc;
    if (rc == 0 && version <= have)
        return 1;
    sqlite3_stmt *st;
    if ((rc = tb_store_stmt(self,
                            "INSERT INTO data_versions(kind, version, body, received_ms)"
                            " VALUES(?1, ?2, ?3, ?4)",
                            &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)version);
    sqlite3_bind_blob(st, 3, len ? (const void *)body : "", (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)tb_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tb_store_sql_err(self, "data_versions");
    tb_store_done(self, st);
    return rc;
}

int tb_store_data_queue(tb_store_t *self, const char *node, const char *kind, uint32_t after,
                        uint32_t *ret_newest)
{
    sqlite3_stmt *st;
    int rc =
        tb_store_stmt(self,
                      "SELECT d.version, d.body, coalesce(s.signature, x'') FROM data_versions d"
                      " LEFT JOIN data_signatures s ON s.kind = d.kind AND s.version = d.version"
                      " WHERE d.kind = ?1 AND d.version > ?2 ORDER BY d.version",
                      &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, after);
    uint32_t newest = after;
    int s = SQLITE_DONE;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
        dv.kind = (char *)kind;
        dv.version = (uint32_t)sqlite3_column_int64(st, 0);
        dv.body.data = (uint8_t *)sqlite3_column_blob(st, 1);
        dv.body.len = (size_t)sqlite3_column_bytes(st, 1);
        dv.signature.data = (uint8_t *)sqlite3_column_blob(st, 2); /* the county's, kept */
        dv.signature.len = (size_t)sqlite3_column_bytes(st, 2);
        tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
        item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
        item.data = &dv;
        uint8_t *buf;
        size_t len;
        if ((rc = tb_pack_item(&item, &buf, &len)) < 0)
            break;
        rc = tb_store_enqueue(self, node, buf, len, NULL);
        free(buf);
        newest = dv.version;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = tb_store_sql_err(self, "data versions");
    tb_store_done(self, st);
    if (rc == 0)
        *ret_newest = newest;
    return rc;
}

/* The newest version of kind queued to node (0: none), or negative. */
static int relayed(tb_store_t *self, const char *node, const char *kind, uint32_t *ret)
{
    sqlite3_stmt *st;
    int rc =
        tb_store_stmt(self, "SELECT version FROM data_relayed WHERE peer = ?1 AND kind = ?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *ret = (uint32_t)sqlite3_column_int64(st, 0);
    else if (s == SQLITE_DONE)
        *ret = 0;
    else
        rc = tb_store_sql_err(self, "data_relayed");
    tb_store_done(self, st);
    return rc;
}

int tb_store_data_relay(tb_store_t *self, const char *node, unsigned *ret_queued)
{
    static const char *const kinds[] = {TB_DATA_CATALOG, TB_DATA_CALENDAR};
    unsigned queued = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        uint32_t after = 0, newest = 0;
        int rc = relayed(self, node, kinds[i], &after);
        if (rc == 0)
            rc = tb_store_data_queue(self, node, kinds[i], after, &newest);
        if (rc < 0)
            return rc;
        if (newest == after)
            continue;
        sqlite3_stmt *st;
        if ((rc = tb_store_stmt(self,
                                "INSERT INTO data_relayed(peer, kind, version) VALUES(?1, ?2, ?3)"
                                " ON CONFLICT(peer, kind) DO UPDATE SET version = excluded.version",
                                &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kinds[i], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, newest);
        if ((rc = tb_store_run(self, st)) < 0)
            return rc;
        queued += newest - after;
    }
    if (ret_queued)
        *ret_queued = queued;
    return 0;
}
