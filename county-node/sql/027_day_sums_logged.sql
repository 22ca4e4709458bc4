-- The per-day sums of a case not yet accepted, counted straight from the inserted rows
-- (issue 13: the county's durable ingest, where every row inserted is a case just logged).
-- The same tables, columns and meaning as 026; only how an INSERT of cases reaches them.
--
-- Profiled on the ingest of walk-in cases (26 townships, ~3,300 cases a batch): the INSERT
-- trigger was 17 % of the backend's CPU, two thirds of it case_day_sums_add (a composite of
-- 19 attributes made per row, passed as an array, unnested, and 28 sums with their
-- expressions evaluated per row and group) and a third the rows' probes.  For a case
-- without stat_accepted_at every sum but six is zero whatever its other columns: accepted,
-- closed, on time, rated, the working days, late_done and watch all need `ent AND
-- accepted_at IS NOT NULL` (a, ac, wt in 026's case_day_sums_add), and the rectification
-- enters only under ac.  What such a case adds is n, entrust, consult, help, open and its
-- complaint counts (cp_*), and to case_open_sums its open.  So the trigger sums those
-- rows here, with the complaint counts by the same index probe as 026 and no rectification
-- probe, and passes only the accepted rows (a restore's or a replay's) to
-- case_day_sums_add as before.  An UPDATE or a DELETE is as in 026.
--
-- The batch connection's planner settings (hash joins and sequential scans off) put
-- disable_cost into this statement's plan as into 025's: JIT stays off here too
-- (test-county-overview fails on a trigger statement compiled with JIT).
--
-- Written to run again over itself (OR REPLACE).

CREATE OR REPLACE FUNCTION cases_day_sums() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        /* A case just logged (no stat_accepted_at): its six sums, here. */
        WITH x AS (SELECT (n.accept_time AT TIME ZONE 'Asia/Shanghai')::date AS day, n.origin,
                          coalesce(i.kind, '') NOT IN ('consult', 'help') AS ent,
                          coalesce(i.kind = 'consult', false) AS consult,
                          coalesce(i.kind = 'help', false) AS help,
                          n.state NOT IN ('closed', 'withdrawn', 'refused') AS live, k.*
                     FROM new_rows n
                     LEFT JOIN stat_items i ON i.code = n.item_code
                     CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE e.type = 30) AS filed,
                                                count(*) FILTER (WHERE e.type = 32) AS declined,
                                                count(*) FILTER (WHERE e.type = 36) AS closed,
                                                count(*) FILTER (WHERE e.type = 37) AS redone,
                                                count(*) FILTER (WHERE e.type = 38) AS faults
                                           FROM case_events e
                                          WHERE e.case_id = n.case_id
                                            AND e.type BETWEEN 30 AND 38 AND e.folded) k
                    WHERE n.stat_accepted_at IS NULL),
        o AS (INSERT INTO case_open_sums AS s (origin, open, watch)
              SELECT origin, count(*) FILTER (WHERE ent AND live), 0
                FROM x GROUP BY origin
              HAVING count(*) FILTER (WHERE ent AND live) <> 0
              ON CONFLICT (origin) DO UPDATE SET open = s.open + excluded.open)
        INSERT INTO case_day_sums AS s (day, origin, n, entrust, consult, help, accepted,
                                        closed, closed_due, on_time, early, immediate,
                                        promised_closed, workdays, promised_sum, late_done,
                                        open, rated, satisfied, bad, bad_rect, bad_rev,
                                        cp_filed, cp_declined, cp_closed, cp_redone,
                                        cp_faults, followed, followed_ok, watch)
        SELECT day, origin, count(*), count(*) FILTER (WHERE ent),
               count(*) FILTER (WHERE consult), count(*) FILTER (WHERE help),
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*) FILTER (WHERE ent AND live),
               0, 0, 0, 0, 0, sum(filed), sum(declined), sum(closed), sum(redone),
               sum(faults), 0, 0, 0
          FROM x GROUP BY day, origin
        ON CONFLICT (day, origin) DO UPDATE SET
            n = s.n + excluded.n,
            entrust = s.entrust + excluded.entrust,
            consult = s.consult + excluded.consult,
            help = s.help + excluded.help,
            open = s.open + excluded.open,
            cp_filed = s.cp_filed + excluded.cp_filed,
            cp_declined = s.cp_declined + excluded.cp_declined,
            cp_closed = s.cp_closed + excluded.cp_closed,
            cp_redone = s.cp_redone + excluded.cp_redone,
            cp_faults = s.cp_faults + excluded.cp_faults;
        /* An accepted one (a restore, a replay, a test): as 026. */
        PERFORM case_day_sums_add(ARRAY(
            SELECT ROW(1, n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                       n.completion_time, n.stat_due_at, n.rating, n.followup,
                       coalesce(r.struck, false), coalesce(r.revisited, false),
                       coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                       k.faults, n.paused)::case_day_row_w
              FROM new_rows n
              LEFT JOIN LATERAL (SELECT x.appeal = 'approved' AS struck,
                                        x.revisited_at IS NOT NULL AS revisited,
                                        x.rectified_at IS NOT NULL AS rectified
                                   FROM rectifications x WHERE x.case_id = n.case_id
                                 OFFSET 0) r ON true
              CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE e.type = 30) AS filed,
                                         count(*) FILTER (WHERE e.type = 32) AS declined,
                                         count(*) FILTER (WHERE e.type = 36) AS closed,
                                         count(*) FILTER (WHERE e.type = 37) AS redone,
                                         count(*) FILTER (WHERE e.type = 38) AS faults
                                    FROM case_events e
                                   WHERE e.case_id = n.case_id AND e.type BETWEEN 30 AND 38
                                     AND e.folded) k
             WHERE n.stat_accepted_at IS NOT NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM case_day_sums_add(ARRAY(
            SELECT ROW(-1, o.accept_time, o.origin, o.item_code, o.state, o.stat_accepted_at,
                       o.completion_time, o.stat_due_at, o.rating, o.followup,
                       coalesce(r.struck, false), coalesce(r.revisited, false),
                       coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                       k.faults, o.paused)::case_day_row_w
              FROM old_rows o
              LEFT JOIN LATERAL (SELECT x.appeal = 'approved' AS struck,
                                        x.revisited_at IS NOT NULL AS revisited,
                                        x.rectified_at IS NOT NULL AS rectified
                                   FROM rectifications x WHERE x.case_id = o.case_id
                                 OFFSET 0) r ON true
              CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE e.type = 30) AS filed,
                                         count(*) FILTER (WHERE e.type = 32) AS declined,
                                         count(*) FILTER (WHERE e.type = 36) AS closed,
                                         count(*) FILTER (WHERE e.type = 37) AS redone,
                                         count(*) FILTER (WHERE e.type = 38) AS faults
                                    FROM case_events e
                                   WHERE e.case_id = o.case_id AND e.type BETWEEN 30 AND 38
                                     AND e.folded) k));
    END IF;
    RETURN NULL;
END $$;

-- Migration 023's cases_open_now: no statement of the county reads it any more.  It served
-- the overview's open cases now, which since 026 come from case_open_sums; its one reader
-- left, county_stats_open, is the tests' reference for those sums (test-county-overview),
-- on a few thousand cases.  Every case logged wrote an entry (the ingest: one of the five
-- index entries of each new case, ~35 bytes wider than the others for its INCLUDE columns),
-- and every step of an open case rewrote it.  As 022 dropped cases_due.
DROP INDEX IF EXISTS cases_open_now;
