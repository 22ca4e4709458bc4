/* county_accountsend: the accounts' snapshots the county distributes (issue 8).
 *
 * Between batches, for every township with a link and each of its villages
 * (the place data): when an account whose scope is inside that place's
 * subtree changed since the place's last snapshot, a new snapshot version
 * (account_snapshots, sql/006) holding every such account, hash included, in
 * the tb_accountlist format.  county_poll_data then sends each township the
 * versions it has not been sent of "accounts/<township>" and of
 * "accounts/<village>" for its villages, signed like every version; the
 * township keeps its own and relays each village's unchanged. */
#include "county_int.h"
#include "tb_accountlist.h"
#include "tb_log.h"

#include <stdlib.h>
#include <string.h>

void county_snapshot_accounts(county_t *self, PGconn *pg)
{
    /* {T,V,V,...,T,...}: every township we have a link with and its villages. */
    size_t cap = 64, n = 0;
    char *arr = malloc(cap);
    if (!arr)
        return;
    arr[n++] = '{';
    for (size_t i = 0; i < self->npeers; i++) {
        const char *t = self->peers[i].code;
        if (!county_my_township(self, t))
            continue;
        const char *c = t;
        for (size_t k = 0; c; c = tb_places_child(self->env->places, t, k++)) {
            if (n + TB_CODE_LEN + 3 > cap) {
                char *b = realloc(arr, cap *= 2);
                if (!b) {
                    free(arr);
                    return;
                }
                arr = b;
            }
            if (n > 1)
                arr[n++] = ',';
            memcpy(arr + n, c, TB_CODE_LEN);
            n += TB_CODE_LEN;
        }
    }
    arr[n++] = '}';
    arr[n] = '\0';
    const char *p[1] = {arr};
    /* A township's subtree: its code's first 9 digits; a village: itself. */
    PGresult *r = PQexecParams(
        pg,
        "WITH sc AS (SELECT DISTINCT unnest($1::text[]) AS scope),"
        " m AS (SELECT sc.scope, CASE WHEN right(sc.scope, 3) = '000'"
        "        THEN left(sc.scope, 9) || '%' ELSE sc.scope END AS pat FROM sc),"
        " cur AS (SELECT m.scope, m.pat,"
        "   (SELECT max(a.version) FROM accounts a WHERE a.scope LIKE m.pat) AS high,"
        "   (SELECT s.version FROM account_snapshots s WHERE s.scope = m.scope"
        "     ORDER BY s.version DESC LIMIT 1) AS v,"
        "   (SELECT s.high FROM account_snapshots s WHERE s.scope = m.scope"
        "     ORDER BY s.version DESC LIMIT 1) AS last_high FROM m)"
        " INSERT INTO account_snapshots(scope, version, high, body)"
        " SELECT cur.scope, coalesce(cur.v, 0) + 1, cur.high,"
        "   'login' || chr(9) || 'name' || chr(9) || 'role' || chr(9) || 'scope' || chr(9)"
        "   || 'enabled' || chr(9) || 'pw_hash' || chr(10) || coalesce((SELECT string_agg("
        "     a.login || chr(9) || a.name || chr(9) || a.role || chr(9) || a.scope || chr(9)"
        "     || CASE WHEN a.enabled THEN '1' ELSE '0' END || chr(9) || a.pw_hash || chr(10),"
        "     '' ORDER BY a.login) FROM accounts a WHERE a.scope LIKE cur.pat), '')"
        " FROM cur WHERE cur.high IS NOT NULL"
        "   AND (cur.last_high IS NULL OR cur.high > cur.last_high)",
        1, NULL, p, NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        tb_warn("account snapshots: %s", PQerrorMessage(pg));
    else if (strcmp(PQcmdTuples(r), "0") != 0)
        tb_info("account snapshots: %s new", PQcmdTuples(r));
    PQclear(r);
}
