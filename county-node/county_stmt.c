/* county_stmt.c: the county's SQL: the prepared statements a batch is made
 * of, the parameter builder they are filled with, and the migration runner.
 * SQL lives here and in sql/NNN_*.sql, never built by concatenation. */
#include "county_int.h"

#include "tb_error.h"
#include "tb_log.h"

#include <inttypes.h>
#include <stdio.h>

extern const char *const county_migrations[];
extern const size_t county_migration_count;

void p_text(params_t *p, const char *s)
{
    p->v[p->n] = s ? s : "";
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* Decimal, as "%" PRId64 would write it, without snprintf's cost (issue 13:
 * a batch formats a dozen numbers per event). */
size_t county_fmt_i64(char out[24], int64_t x)
{
    char tmp[24];
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    size_t n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

void county_event_key(char *out, size_t size, const char *origin, uint64_t seq)
{
    /* snprintf(out, size, "%s/%" PRIu64, origin, seq), cut the same way: it
     * was one of seven snprintf calls per walk-in event, ~800 instructions
     * each (callgrind on the county, issue 13). */
    if (!size)
        return;
    char tmp[24];
    size_t n = 0, at = strnlen(origin, size - 1);
    memcpy(out, origin, at);
    do {
        tmp[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq);
    if (at < size - 1)
        out[at++] = '/';
    while (n && at < size - 1)
        out[at++] = tmp[--n];
    out[at] = '\0';
}

void county_code_of(const char *case_id, char out[TB_CODE_LEN + 1])
{
    size_t n = strnlen(case_id, TB_CODE_LEN); /* as "%.12s" */
    memcpy(out, case_id, n);
    out[n] = '\0';
}

void p_int(params_t *p, int64_t x)
{
    county_fmt_i64(p->num[p->n], x);
    p_text(p, p->num[p->n]);
}

void p_bytes(params_t *p, const uint8_t *b, size_t len)
{
    p->v[p->n] = (const char *)b;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

/* An event is inserted without ON CONFLICT: the batch has decided it is new
 * (county_reuse.c) and folds, projects and answers it, so a stored id means
 * memory is behind the store (a batch of a connection given up committed at
 * the server after all): the batch must fail (23505) and memory be reloaded,
 * not go on with the effects of an insert that did nothing (issue 9).  A
 * case is inserted the same way: a LOGGED event folds only when memory
 * holds no such case, so a stored one means memory is behind (until
 * 2026-12-02 ON CONFLICT DO NOTHING kept the stored row under a case memory
 * had just created from the event, and made every insert of the walk-in
 * ingest probe cases_pkey once more before inserting: issue 13).
 *
 * Milliseconds become timestamps as to_timestamp(ms::float8 / 1000): the
 * same value as through numeric (ms / 1000.0: the same nearest double,
 * checked on 2 M random values), at a third of the cost (issue 13: up to
 * seven per event in a batch). */
static const struct {
    const char *name, *sql;
} stmts[] = {
    {"ins_logged",
     "WITH ins AS (INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name,"
     " actor, at, target, reason, via, folded, body) VALUES ($1, $2, $3, $4, $5, $6,"
     " to_timestamp($7::bigint::float8 / 1000), $8, $9, $10, $11::boolean, $12)"
     " RETURNING case_id)"
     " INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
     " accept_time, state, holder, pending, version, updated_at)"
     " SELECT case_id, $13, $14, $15, $16, $17, $18, to_timestamp($19::bigint::float8 / 1000),"
     " $20, $21, $22, $23, to_timestamp($7::bigint::float8 / 1000) FROM ins WHERE $11::boolean"},
    {"ins_event",
     "WITH ins AS (INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name,"
     " actor, at, target, reason, via, folded, body) VALUES ($1, $2, $3, $4, $5, $6,"
     " to_timestamp($7::bigint::float8 / 1000), $8, $9, $10, $11::boolean, $12)"
     " RETURNING case_id)"
     " UPDATE cases SET state = $13, holder = $14, pending = $15, version = $16,"
     " updated_at = to_timestamp($7::bigint::float8 / 1000)"
     " WHERE case_id IN (SELECT case_id FROM ins) AND $11::boolean"},
    {"catver", "CALL county_catalog_for_session($1::integer)"},
    {"outbox", "INSERT INTO outbox(peer, seq, body) VALUES ($1, $2, $3)"},
    {"link_out", "INSERT INTO link_out(peer, last, acked) VALUES ($1, $2, 0)"
                 " ON CONFLICT (peer) DO UPDATE SET last = GREATEST(link_out.last, EXCLUDED.last)"},
    {"epoch_set", "CALL link_epoch_set($1, $2::bigint, $3::boolean)"},
    /* A township's lost store (county_restore.c, sql/017_township_restore.sql). */
    {"restore_ask", "INSERT INTO township_restores(peer, epoch) VALUES ($1, $2::bigint)"
                    " ON CONFLICT DO NOTHING"},
    {"restore_step", "CALL township_restore_step($1, $2::bigint, $3::bigint, $4::bigint,"
                     " $5::bigint, $6::boolean)"},
    {"counter", "INSERT INTO counters(name, value) VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"},
    /* The first statement of a batch sent while the one before it is in
     * flight (county_batch.c): that batch wrote mark $1 ("counter" batch);
     * if it did not commit, this batch, which the server runs as a
     * transaction of its own after the other's Sync, fails here, on an error
     * of class 42 (no data error: the poison search is not entered), and
     * none of it commits. */
    {"batch_after",
     "SELECT current_setting(CASE WHEN EXISTS (SELECT 1 FROM counters WHERE name = 'batch'"
     " AND value = $1::bigint) THEN 'server_version' ELSE 'tongban.batch_before_rolled_back'"
     " END)"},
    /* Bounded per peer (county_quarantine): whole bodies while the peer's rows
     * are fewer than $5 and their bytes stay within $6; beyond, the first $7
     * bytes with the whole body's length and SHA-256 in why.  At most $5 rows
     * are read to decide. */
    {"quarantine",
     "INSERT INTO quarantine(peer, seq, body, why)"
     " SELECT $1, $2, CASE WHEN q.full THEN substr($3::bytea, 1, $7::int) ELSE $3::bytea END,"
     " CASE WHEN q.full THEN left($4::text, 300) || ' [' || length($3::bytea) || ' bytes, sha256 '"
     " || encode(sha256($3::bytea), 'hex') || '; first ' || $7::int || ' kept]' ELSE $4::text END"
     " FROM (SELECT count(*) >= $5::bigint OR coalesce(sum(n), 0) + length($3::bytea) > $6::bigint"
     " AS full FROM (SELECT length(body) AS n FROM quarantine WHERE peer = $1::text LIMIT "
     "$5::bigint)"
     " s) q"},
    {"count", "INSERT INTO counters(name, value) VALUES ($1, 1)"
              " ON CONFLICT (name) DO UPDATE SET value = counters.value + 1"},
    {"due",
     "UPDATE cases SET due_at = CASE WHEN $2::bigint > 0"
     " THEN to_timestamp($2::bigint::float8 / 1000) END,"
     " legal_due_at = CASE WHEN $3::bigint > 0 THEN to_timestamp($3::bigint::float8 / 1000) END,"
     " paused = $4::boolean, to_bring = $5 WHERE case_id = $1"},
    {"reload", "SELECT seq, body FROM outbox WHERE peer = $1 AND seq > $2 AND seq <= $4"
               " ORDER BY seq LIMIT $3"},
    /* The lifecycle part of the projection (migration 002), after ins_logged/ins_event. */
    {"proj",
     "UPDATE cases SET fold = $2,"
     " due_at = CASE WHEN $3::bigint > 0 THEN to_timestamp($3::bigint::float8 / 1000) END,"
     " legal_due_at = CASE WHEN $4::bigint > 0 THEN to_timestamp($4::bigint::float8 / 1000) END,"
     " paused = $5::boolean, to_bring = $6, rating = $7, decision = $8,"
     " rating_comment = CASE WHEN $9::boolean THEN $10 ELSE rating_comment END,"
     " result = CASE WHEN $11 <> '' THEN $11 ELSE result END,"
     " completion_time = CASE WHEN $12::bigint > 0"
     " THEN to_timestamp($12::bigint::float8 / 1000) END"
     " WHERE case_id = $1"},
    {"rating_ind",
     "INSERT INTO rating_indicators(case_id, rating, overall, efficiency, skill, attitude,"
     " channel, origin_node, rated_at) VALUES ($1, $2::smallint, $3::smallint, $4::smallint,"
     " $5::smallint, $6::smallint, CASE WHEN right($7, 3) = '000' THEN 'window' ELSE 'village'"
     " END, $7, to_timestamp($8::bigint / 1000.0)) ON CONFLICT (case_id) DO NOTHING"},
    /* 追评 (migration 018): the case's row, its rectification if it has
     * one, and that one's audit, from the event alone. */
    {"followup",
     "WITH c AS (UPDATE cases SET followup = $2::smallint, followup_comment = $3,"
     " followup_at = to_timestamp($4::bigint / 1000.0), followup_channel = CASE"
     " WHEN right($5, 6) = '000000' THEN 'county' WHEN right($5, 3) = '000' THEN 'window'"
     " ELSE 'village' END WHERE case_id = $1 AND followup = 0 RETURNING case_id),"
     " r AS (UPDATE rectifications SET followup = $2::smallint, followup_comment = $3,"
     " followup_at = to_timestamp($4::bigint / 1000.0) WHERE case_id IN (SELECT case_id FROM c)"
     " AND followup IS NULL RETURNING case_id)"
     " INSERT INTO rating_audit(actor, case_id, action, detail)"
     " SELECT coalesce(nullif($6, ''), $5), case_id, 'followup', concat_ws(' ', $2, nullif($3, ''))"
     " FROM r"},
    {"detail", "UPDATE case_events SET detail = $3, rejected = $4 WHERE origin_node = $1 AND "
               "origin_seq = $2"},
    /* Only while the connection that took it still holds it, else the
     * batch rolls back (migration 020: exactly once). */
    {"cmd_done", "CALL county_command_done($1::bigint, $2, $3, $4)"},
    {"data_sent", "INSERT INTO data_sent(peer, kind, version) VALUES ($1, $2, $3)"
                  " ON CONFLICT (peer, kind) DO UPDATE SET version = EXCLUDED.version"},
    /* The batch's rows over arrays (county_bulk.c): each parameter an array,
     * one element per row; the same columns and rules as ins_logged,
     * ins_event (+ detail), proj, outbox and link_out, a case's steps
     * folded into one row.  The arrays are unnest()ed in the select list,
     * in step (arrays of one length), not in FROM: a function in FROM
     * fills a tuplestore per array before the first row and reads each
     * back (issue 13: a tenth of PostgreSQL's time in the walk-in ingest;
     * 1,000 event rows went in 20 % faster without it, same cluster, in
     * turns).  The events keep their order by the row number (their ids).
     * Not bulk_case: it joins cases, and a generic plan made while cases
     * was small, seeing the select list's 10 rows (FROM unnest: 100),
     * scanned the whole table per batch and kept doing so as it grew (seen
     * in the year's replay: 13 ms a statement against 1).
     *
     * COPY instead of bulk_events was measured and rejected (2026-12-02,
     * issue 13): the same 50,000 walk-in event rows in batches of 1,000 into
     * the county's case_events (every index and trigger), one backend, CPU
     * from /proc, in turns: COPY (text) 12.4-12.8 us a row, this statement
     * 10.4-12.8.  COPY cannot run in libpq's pipeline mode either: it would
     * cost the batch its pipeline or its single transaction, for nothing.
     * Each of the three indexes a walk-in's event row enters costs ~0.8 us
     * of it (case_events_pkey ~0: an append), and each has a reader that
     * must stay bounded at 1 M cases (the unique id: exactly once; case_id:
     * card_raise, the reports, complaints; id: a township's restore). */
    {"bulk_events",
     "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at,"
     " target, reason, via, folded, body, detail, rejected)"
     " SELECT o, s, c, t, tn, a, to_timestamp(ms::float8 / 1000), tg, r, v, f, b, d, rj"
     " FROM (SELECT unnest($1::text[]) o, unnest($2::bigint[]) s, unnest($3::text[]) c,"
     " unnest($4::bigint[]) t, unnest($5::text[]) tn, unnest($6::text[]) a,"
     " unnest($7::bigint[]) ms, unnest($8::text[]) tg, unnest($9::text[]) r,"
     " unnest($10::text[]) v, unnest($11::boolean[]) f, unnest($12::bytea[]) b,"
     " unnest($13::text[]) d, unnest($14::text[]) rj,"
     " generate_series(1, cardinality($1::text[])) n) u ORDER BY n"},
    {"bulk_logged_case",
     "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
     " accept_time, state, holder, pending, version, updated_at)"
     " SELECT c, o, cn, cp, ag, it, nt, to_timestamp(acc::float8 / 1000), st, h, pe, ver,"
     " to_timestamp(ms::float8 / 1000) FROM (SELECT unnest($1::text[]) c, unnest($2::text[]) o,"
     " unnest($3::text[]) cn, unnest($4::text[]) cp, unnest($5::text[]) ag,"
     " unnest($6::text[]) it, unnest($7::text[]) nt, unnest($8::bigint[]) acc,"
     " unnest($9::text[]) st, unnest($10::text[]) h, unnest($11::text[]) pe,"
     " unnest($12::bigint[]) ver, unnest($13::bigint[]) ms) u"},
    /* A case created and projected in the batch: ins_logged's row and its
     * later steps in one INSERT.  An INSERT fires no UPDATE trigger: the
     * statistics columns (sd, sa: ms, 0 none) as migration 009's trigger
     * would have kept them over the steps (county_bulk.c, fold_fire). */
    {"bulk_new_case",
     "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,"
     " accept_time, state, holder, pending, version, updated_at, fold, due_at, legal_due_at,"
     " paused, to_bring, rating, decision, rating_comment, result, completion_time,"
     " stat_due_at, stat_accepted_at)"
     " SELECT c, o, cn, cp, ag, it, nt, to_timestamp(acc::float8 / 1000), st, h, pe, ver,"
     " to_timestamp(ms::float8 / 1000), fo,"
     " CASE WHEN du > 0 THEN to_timestamp(du::float8 / 1000) END,"
     " CASE WHEN ld > 0 THEN to_timestamp(ld::float8 / 1000) END, pa, tb, ra, de,"
     " CASE WHEN rd THEN cm ELSE '' END, CASE WHEN re <> '' THEN re END,"
     " CASE WHEN co > 0 THEN to_timestamp(co::float8 / 1000) END,"
     " CASE WHEN sd > 0 THEN to_timestamp(sd::float8 / 1000) END,"
     " CASE WHEN sa > 0 THEN to_timestamp(sa::float8 / 1000) END"
     " FROM (SELECT unnest($1::text[]) c, unnest($2::text[]) o, unnest($3::text[]) cn,"
     " unnest($4::text[]) cp, unnest($5::text[]) ag, unnest($6::text[]) it,"
     " unnest($7::text[]) nt, unnest($8::bigint[]) acc, unnest($9::text[]) st,"
     " unnest($10::text[]) h, unnest($11::text[]) pe, unnest($12::bigint[]) ver,"
     " unnest($13::bigint[]) ms, unnest($14::bytea[]) fo, unnest($15::bigint[]) du,"
     " unnest($16::bigint[]) ld, unnest($17::boolean[]) pa, unnest($18::text[]) tb,"
     " unnest($19::bigint[]) ra, unnest($20::bigint[]) de, unnest($21::boolean[]) rd,"
     " unnest($22::text[]) cm, unnest($23::text[]) re, unnest($24::bigint[]) co,"
     " unnest($25::bigint[]) sd, unnest($26::bigint[]) sa) u"},
    /* A stored case's steps in the batch, one UPDATE: the last state
     * update, the last projection if any (hp), the last comment and reply
     * given.  The statistics as migration 009's trigger would have kept
     * them over the steps: sd the last deadline it kept (ms, 0 none), else
     * with dbc the stored due_at (a step into a handled state before any
     * projection), else what is stored; sa the first step's time in an
     * accepted state, unless one is stored.  The trigger, firing on this
     * UPDATE, finds what it would set. */
    {"bulk_case",
     "UPDATE cases SET state = u.st, holder = u.h, pending = u.pe, version = u.ver,"
     " updated_at = to_timestamp(u.ms::float8 / 1000),"
     " fold = CASE WHEN u.hp THEN u.fo ELSE cases.fold END,"
     " due_at = CASE WHEN NOT u.hp THEN cases.due_at"
     " WHEN u.du > 0 THEN to_timestamp(u.du::float8 / 1000) END,"
     " legal_due_at = CASE WHEN NOT u.hp THEN cases.legal_due_at"
     " WHEN u.ld > 0 THEN to_timestamp(u.ld::float8 / 1000) END,"
     " paused = CASE WHEN u.hp THEN u.pa ELSE cases.paused END,"
     " to_bring = CASE WHEN u.hp THEN u.tb ELSE cases.to_bring END,"
     " rating = CASE WHEN u.hp THEN u.ra ELSE cases.rating END,"
     " decision = CASE WHEN u.hp THEN u.de ELSE cases.decision END,"
     " rating_comment = CASE WHEN u.rd THEN u.cm ELSE cases.rating_comment END,"
     " result = CASE WHEN u.re <> '' THEN u.re ELSE cases.result END,"
     " completion_time = CASE WHEN NOT u.hp THEN cases.completion_time"
     " WHEN u.co > 0 THEN to_timestamp(u.co::float8 / 1000) END,"
     " stat_due_at = CASE WHEN u.sd > 0 THEN to_timestamp(u.sd::float8 / 1000)"
     " WHEN u.dbc AND cases.due_at IS NOT NULL THEN cases.due_at ELSE cases.stat_due_at END,"
     " stat_accepted_at = coalesce(cases.stat_accepted_at,"
     " CASE WHEN u.sa > 0 THEN to_timestamp(u.sa::float8 / 1000) END)"
     " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],"
     " $7::boolean[], $8::bytea[], $9::bigint[], $10::bigint[], $11::boolean[], $12::text[],"
     " $13::bigint[], $14::bigint[], $15::boolean[], $16::text[], $17::text[], $18::bigint[],"
     " $19::bigint[], $20::boolean[], $21::bigint[])"
     " AS u(c, st, h, pe, ver, ms, hp, fo, du, ld, pa, tb, ra, de, rd, cm, re, co, sd, dbc, sa)"
     " WHERE cases.case_id = u.c"},
    {"bulk_outbox", "INSERT INTO outbox(peer, seq, body) SELECT unnest($1::text[]),"
                    " unnest($2::bigint[]), unnest($3::bytea[])"},
    {"bulk_link_out",
     "INSERT INTO link_out(peer, last, acked) SELECT p, l, 0 FROM unnest($1::text[],"
     " $2::bigint[]) AS u(p, l)"
     " ON CONFLICT (peer) DO UPDATE SET last = GREATEST(link_out.last, EXCLUDED.last)"},
    /* The batch's receive cursors ("cursor": peer, seq) and the acks
     * received since the last batch ("ack": peer, cumulative ack), one row
     * per peer each (county_bulk.c).  An ack deletes the outbox rows it
     * newly covers, those above the ack stored (link_out.acked): no row at
     * or below it is left by any writer (this statement, link_epoch_set of
     * 016), and a range bounded on both sides keeps the DELETE from
     * walking the index entries of every row deleted before, dead until
     * vacuum came (issue 13: the walk grew with the link's age and was a
     * seventh of PostgreSQL's time in the walk-in ingest).  The DELETE
     * and the UPDATE see the same snapshot: the acked read is the old.  Both
     * bounds come from one relation (a), so both are the index scan's
     * condition (with the lower from link_out joined in the DELETE, the
     * planner filtered the upper bound instead). */
    {"bulk_cursor", "INSERT INTO link_in(peer, cursor) SELECT * FROM unnest($1::text[],"
                    " $2::bigint[]) ON CONFLICT (peer) DO UPDATE SET cursor = EXCLUDED.cursor"},
    {"bulk_ack",
     "WITH a AS (SELECT u.p, u.k, l.acked AS lo FROM unnest($1::text[], $2::bigint[]) AS u(p, k)"
     " JOIN link_out l ON l.peer = u.p),"
     " d AS (DELETE FROM outbox o USING a WHERE o.peer = a.p AND o.seq > a.lo AND o.seq <= a.k)"
     " UPDATE link_out SET acked = a.k FROM a WHERE link_out.peer = a.p AND link_out.acked < a.k"},
    /* Supervision (county_cards.c, migration 008): the responsible person is
     * whoever made the holder's last step on the case. */
    {"card_raise",
     "INSERT INTO cards(id, case_id, level, kind, raised_at, due_at, holder, responsible)"
     " VALUES ($1, $2, $3, $4, to_timestamp($5::bigint::float8 / 1000),"
     " to_timestamp($6::bigint::float8 / 1000), $7, coalesce((SELECT actor FROM case_events"
     " WHERE case_id = $2 AND origin_node = $7 AND folded ORDER BY id DESC LIMIT 1), ''))"},
    {"card_clear", "UPDATE cards SET cleared_at = to_timestamp($2::bigint::float8 / 1000),"
                   " cleared_why = $3 WHERE id = $1 AND cleared_at IS NULL"},
    {"sup_issue",
     "INSERT INTO supervisions(id, case_id, card_id, text, due_at, issued_at, issued_by, holder)"
     " VALUES ($1, $2, NULLIF($3::bigint, 0), $4, to_timestamp($5::bigint::float8 / 1000),"
     " to_timestamp($6::bigint::float8 / 1000), $7, $8)"},
    /* An overdue complaint's card (county_complaint_card.c, migration 011). */
    {"cp_card_raise",
     "INSERT INTO cards(id, case_id, level, kind, raised_at, due_at, holder, complaint_id)"
     " VALUES ($1, $2, 'red', 'complaint', to_timestamp($3::bigint::float8 / 1000),"
     " to_timestamp($4::bigint::float8 / 1000), $5, $6)"},
    {"sup_stage",
     "UPDATE supervisions SET urged_at = CASE WHEN $2::int = 1 THEN"
     " to_timestamp($3::bigint::float8 / 1000) ELSE urged_at END, circulated_at = CASE WHEN"
     " $2::int = 2 THEN to_timestamp($3::bigint::float8 / 1000) ELSE circulated_at END"
     " WHERE id = $1"},
};

int county_stmt_prepare(PGconn *pg)
{
    /* The bulk statements join an array of a batch's rows to cases by its
     * key: the planner, costing a few thousand index probes against one
     * scan, hashes the whole table instead, every batch (measured: 45 ms
     * for 2,000 rows of 50,000 cases, 29 ms by the index).  This connection
     * runs only the batch and the state's load, which joins nothing. */
    PGresult *set = PQexec(pg, "SET enable_hashjoin = off; SET enable_mergejoin = off");
    bool set_ok = PQresultStatus(set) == PGRES_COMMAND_OK;
    PQclear(set);
    if (!set_ok) {
        tb_error("planner settings: %s", PQerrorMessage(pg));
        return -TB_ESTORE;
    }
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        PGresult *r = PQprepare(pg, stmts[i].name, stmts[i].sql, 0, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            tb_error("prepare %s: %s", stmts[i].name, PQerrorMessage(pg));
            return -TB_ESTORE;
        }
    }
    return 0;
}

/* A prepared statement is planned at its first executions, then by a
 * generic plan cached for the connection's life.  bulk_case joins a
 * batch's rows to cases: a generic plan made while cases was small (a
 * fresh store: the year's replay, a new county) costed one scan of a few
 * hundred rows below a hundred index probes, and went on scanning the
 * whole table per statement as it grew: 13 ms a statement against 1, the
 * year's replay at 150 us of PostgreSQL's CPU per event against 16, until
 * an autoanalyze happened to invalidate the plan (the bimodal
 * year figures of issue 13, on both binaries).  Every statement of a
 * batch reaches its rows by a key; with sequential scans off the planner
 * takes the index whatever the estimates (a table with no index is still
 * scanned).  The state's load before this reads whole tables, as it
 * should.
 *
 * The same settings make every statement's plan one of index probes and
 * nested loops whatever the rows' count, so a plan is planned once, not
 * per batch: plan_cache_mode = force_generic_plan.  Under "auto" the
 * server compared a generic plan's cost (an array parameter unnested to
 * 10 rows) with each custom plan's (the batch's real 1-3 at a trickle)
 * and kept planning bulk_events, bulk_case and bulk_ack anew at every
 * batch: measured at 150 cases/s (issue 13's latency row), 0.2-0.6 ms of
 * planning each, 12 % of the backend's CPU.  And no JIT: the disabled
 * scan and joins add PostgreSQL's disable_cost to a plan that needs one,
 * far past jit_above_cost, and a compile costs more than any batch's
 * statement (migration 025 turned it off in the sums' functions for that
 * reason). */
int county_stmt_plan_batches(PGconn *pg)
{
    PGresult *set = PQexec(pg, "SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan;"
                               " SET jit = off");
    bool ok = PQresultStatus(set) == PGRES_COMMAND_OK;
    PQclear(set);
    if (!ok)
        tb_error("planner settings: %s", PQerrorMessage(pg));
    return ok ? 0 : -TB_ESTORE;
}

PGresult *county_query(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        tb_error("load: %s", PQerrorMessage(pg));
        PQclear(r);
        return NULL;
    }
    return r;
}

#ifdef TB_TEST_HOOKS
static county_test_sink_t test_sink;

void county_test_set_sink(county_test_sink_t sink)
{
    test_sink = sink;
}

county_test_sink_t county_test_sink(void)
{
    return test_sink;
}
#endif

/* A statement the test sink refused: the batch failed. */
static int sink_send(county_t *self, const char *name, const params_t *p)
{
    int rc = county_test_sink()(self, name, p);
    if (rc < 0) {
        snprintf(self->batch_err, sizeof self->batch_err, "test sink refused %s", name);
        self->batch_failed = true;
    }
    return rc;
}

int county_stmt_sync(county_t *self)
{
    if (county_test_sink())
        return sink_send(self, "SYNC", NULL);
    int rc = county_bulk_flush(self);
    if (rc < 0)
        return rc; /* -ENOMEM is reported as such */
    return PQpipelineSync(self->pg) == 1 ? 0 : -TB_ESTORE;
}

int county_stmt_send(county_t *self, const char *name, params_t *p)
{
    if (county_test_sink())
        return sink_send(self, name, p);
    /* A row statement waits for the batch's bulk statements; any other
     * sends them first, so the statements run in the order they came. */
    int rc = county_bulk_take(self, name, p);
    if (rc == 0)
        rc = county_bulk_flush(self);
    if (rc < 0 && !self->batch_failed) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", tb_strerror(rc));
        self->batch_failed = true;
    }
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (!PQsendQueryPrepared(self->pg, name, p->n, p->v, p->len, p->fmt, 0)) {
        snprintf(self->batch_err, sizeof self->batch_err, "%s", PQerrorMessage(self->pg));
        self->batch_failed = true;
        return -TB_ESTORE;
    }
    return 0;
}

int county_migrate(PGconn *pg, const char **ret_err)
{
    static char err[512];
    err[0] = '\0';
    PGresult *r = PQexec(pg, "SET client_min_messages = warning;"
                             "SELECT pg_advisory_lock(826000);"
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version integer PRIMARY KEY,"
                             " applied_at timestamptz NOT NULL DEFAULT now())");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    for (size_t v = 1; ok && v <= county_migration_count; v++) {
        char version[24];
        snprintf(version, sizeof version, "%zu", v);
        const char *param[1] = {version};
        r = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE version = $1::integer", 1, NULL,
                         param, NULL, NULL, 0);
        bool done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok || done)
            continue;
        r = PQexec(pg, "BEGIN");
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            r = PQexec(pg, county_migrations[v - 1]);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
        }
        if (ok) {
            r = PQexecParams(pg, "INSERT INTO schema_migrations(version) VALUES ($1::integer)", 1,
                             NULL, param, NULL, NULL, 0);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
        }
        if (!ok)
            snprintf(err, sizeof err, "migration %zu: %s", v, PQerrorMessage(pg));
        r = PQexec(pg, ok ? "COMMIT" : "ROLLBACK");
        if (ok && PQresultStatus(r) != PGRES_COMMAND_OK) {
            ok = false;
            snprintf(err, sizeof err, "migration %zu: commit: %s", v, PQerrorMessage(pg));
        }
        PQclear(r);
    }
    if (!ok && !err[0])
        snprintf(err, sizeof err, "%s", PQerrorMessage(pg));
    /* A failed unlock needs no answer: the lock is the session's and goes
     * with the connection, which the caller closes after a failure. */
    r = PQexec(pg, "SELECT pg_advisory_unlock(826000)");
    PQclear(r);
    if (!ok && ret_err)
        *ret_err = err;
    return ok ? 0 : -TB_ESTORE;
}
