-- The per-day sums of migration 024 at a lower cost (issue 13: they had added half to
-- PostgreSQL's CPU per ingested event).  The same tables, columns and meaning; only how the
-- cases' triggers find a case's contribution changes.
--
-- 024 made each row's contribution with case_day_row_of(), an SQL function with a FROM
-- clause: PostgreSQL cannot inline it, so every row of a batch started and ended an executor
-- of its own (two of them per updated row).  Here the trigger statements read the
-- rectification and the complaint counts inline, by the same two index probes per case
-- (rectifications' key, 011's case_events_complaint), forced per row by LATERAL ... OFFSET 0
-- whatever the planner estimates.
--
-- An update's old and new rows are joined once (024 joined them three times) and by a hash:
-- the county's connection turns hash joins off for its batch statements (county_stmt.c), and
-- a plan cached at a first small statement would otherwise join every later batch's
-- transition tables by a nested loop, the square of the rows.  A case whose figures did not
-- move (the columns below unchanged) is still skipped before any probe.
--
-- The rectifications' row trigger and the rebuild no longer call it either, so it is dropped
-- (at the end).  Written to run again over itself (OR REPLACE, IF EXISTS).

CREATE OR REPLACE FUNCTION cases_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM case_day_sums_add(ARRAY(
            SELECT ROW(1, n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                       n.completion_time, n.stat_due_at, n.rating, n.followup,
                       coalesce(r.struck, false), coalesce(r.revisited, false),
                       coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                       k.faults)::case_day_row
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
                                     AND e.folded) k));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM case_day_sums_add(ARRAY(
            SELECT ROW(-1, o.accept_time, o.origin, o.item_code, o.state, o.stat_accepted_at,
                       o.completion_time, o.stat_due_at, o.rating, o.followup,
                       coalesce(r.struck, false), coalesce(r.revisited, false),
                       coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                       k.faults)::case_day_row
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

-- An update's: by a hash join of the transition tables whatever the session's settings or
-- the rows' count when the plan was cached (see the header).  Nested loops off costs the
-- probes' loops, which remain the only way, PostgreSQL's disable_cost: far past jit_above_cost,
-- so JIT stays off here (it compiled the statement, a second per batch of one row).
CREATE OR REPLACE FUNCTION cases_day_sums_upd() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = on SET enable_nestloop = off SET jit = off AS $$
BEGIN
    /* Both rows of a changed case, with its rectification as stored (the same for both:
     * they cancel unless the figures they enter moved); its complaint counts only when
     * the case moved to another day or village or item (else they cancel too). */
    PERFORM case_day_sums_add(ARRAY(
        WITH ch AS (
            SELECT n.case_id, (n.accept_time, n.origin, n.item_code)
                   IS DISTINCT FROM (o.accept_time, o.origin, o.item_code) AS moved,
                   n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                   n.completion_time, n.stat_due_at, n.rating, n.followup,
                   o.accept_time AS o_accept_time, o.origin AS o_origin,
                   o.item_code AS o_item_code, o.state AS o_state,
                   o.stat_accepted_at AS o_stat_accepted_at,
                   o.completion_time AS o_completion_time, o.stat_due_at AS o_stat_due_at,
                   o.rating AS o_rating, o.followup AS o_followup
              FROM new_rows n JOIN old_rows o ON o.case_id = n.case_id
             WHERE (n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                    n.completion_time, n.stat_due_at, n.rating, n.followup)
                   IS DISTINCT FROM
                   (o.accept_time, o.origin, o.item_code, o.state, o.stat_accepted_at,
                    o.completion_time, o.stat_due_at, o.rating, o.followup))
        SELECT v.d
          FROM ch
          LEFT JOIN LATERAL (SELECT x.appeal = 'approved' AS struck,
                                    x.revisited_at IS NOT NULL AS revisited,
                                    x.rectified_at IS NOT NULL AS rectified
                               FROM rectifications x WHERE x.case_id = ch.case_id
                             OFFSET 0) r ON true
          CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE e.type = 30) AS filed,
                                     count(*) FILTER (WHERE e.type = 32) AS declined,
                                     count(*) FILTER (WHERE e.type = 36) AS closed,
                                     count(*) FILTER (WHERE e.type = 37) AS redone,
                                     count(*) FILTER (WHERE e.type = 38) AS faults
                                FROM case_events e
                               WHERE ch.moved AND e.case_id = ch.case_id
                                 AND e.type BETWEEN 30 AND 38 AND e.folded) k
          CROSS JOIN LATERAL (VALUES
              (ROW(1, ch.accept_time, ch.origin, ch.item_code, ch.state,
                   ch.stat_accepted_at, ch.completion_time, ch.stat_due_at, ch.rating,
                   ch.followup, coalesce(r.struck, false), coalesce(r.revisited, false),
                   coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                   k.faults)::case_day_row),
              (ROW(-1, ch.o_accept_time, ch.o_origin, ch.o_item_code, ch.o_state,
                   ch.o_stat_accepted_at, ch.o_completion_time, ch.o_stat_due_at,
                   ch.o_rating, ch.o_followup, coalesce(r.struck, false),
                   coalesce(r.revisited, false), coalesce(r.rectified, false), k.filed,
                   k.declined, k.closed, k.redone, k.faults)::case_day_row)) v(d)));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS cases_day_sums_upd ON cases;
CREATE TRIGGER cases_day_sums_upd AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_day_sums_upd();

-- A rectification written, changed or removed: as 024's, without case_day_row_of (whose
-- rectification and complaint counts it replaced or left out anyway), and a removed one
-- corrected: 024's took the case's contribution away without adding it back without one
-- (found by test-county-overview's comparison of /api/stats with the cases; no writer of
-- the county removes a rectification, so no store's sums were made wrong by it).
CREATE OR REPLACE FUNCTION rectifications_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c cases;
    id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END;
    rows case_day_row[] := '{}';
    d case_day_row;
BEGIN
    SELECT * INTO c FROM cases WHERE case_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    d := ROW(1, c.accept_time, c.origin, c.item_code, c.state, c.stat_accepted_at,
             c.completion_time, c.stat_due_at, c.rating, c.followup, false, false, false, 0, 0,
             0, 0, 0)::case_day_row;
    /* The case as it is now: with its rectification, or without one after a DELETE (the
     * case stays in its day's figures; 024's version left it out). */
    IF TG_OP <> 'DELETE' THEN
        d.struck := coalesce(NEW.appeal = 'approved', false);
        d.revisited := NEW.revisited_at IS NOT NULL;
        d.rectified := NEW.rectified_at IS NOT NULL;
    END IF;
    rows := rows || d;
    d.sg := -1;
    d.struck := false;
    d.revisited := false;
    d.rectified := false;
    IF TG_OP <> 'INSERT' THEN
        d.struck := coalesce(OLD.appeal = 'approved', false);
        d.revisited := OLD.revisited_at IS NOT NULL;
        d.rectified := OLD.rectified_at IS NOT NULL;
    END IF;
    rows := rows || d;
    PERFORM case_day_sums_add(rows);
    RETURN NULL;
END $$;

-- Every sum again from the cases (a calendar changed, stat_calendar_set): as 024's, the
-- contributions made inline.
CREATE OR REPLACE FUNCTION case_day_sums_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz;
BEGIN
    LOCK TABLE case_day_sums, case_open_sums IN EXCLUSIVE MODE;
    DELETE FROM case_day_sums;
    DELETE FROM case_open_sums;
    /* A week of cases at a time: the rows passed are held in memory. */
    FOR lo IN SELECT generate_series(min(accept_time), max(accept_time), interval '7 days')
                FROM cases LOOP
        PERFORM case_day_sums_add(ARRAY(
            SELECT ROW(1, c.accept_time, c.origin, c.item_code, c.state, c.stat_accepted_at,
                       c.completion_time, c.stat_due_at, c.rating, c.followup,
                       coalesce(r.struck, false), coalesce(r.revisited, false),
                       coalesce(r.rectified, false), k.filed, k.declined, k.closed, k.redone,
                       k.faults)::case_day_row
              FROM cases c
              LEFT JOIN LATERAL (SELECT x.appeal = 'approved' AS struck,
                                        x.revisited_at IS NOT NULL AS revisited,
                                        x.rectified_at IS NOT NULL AS rectified
                                   FROM rectifications x WHERE x.case_id = c.case_id
                                 OFFSET 0) r ON true
              CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE e.type = 30) AS filed,
                                         count(*) FILTER (WHERE e.type = 32) AS declined,
                                         count(*) FILTER (WHERE e.type = 36) AS closed,
                                         count(*) FILTER (WHERE e.type = 37) AS redone,
                                         count(*) FILTER (WHERE e.type = 38) AS faults
                                    FROM case_events e
                                   WHERE e.case_id = c.case_id AND e.type BETWEEN 30 AND 38
                                     AND e.folded) k
             WHERE c.accept_time >= lo AND c.accept_time < lo + interval '7 days'));
    END LOOP;
END $$;

DROP FUNCTION IF EXISTS case_day_row_of(cases, integer, boolean);

-- No JIT for the sums' own statements either: on the county's batch connection (sequential
-- scans off) reading the one row of stat_calendar costs disable_cost, and a batch that closed
-- a case compiled that read.
ALTER FUNCTION case_day_sums_add(case_day_row[]) SET jit = off;
