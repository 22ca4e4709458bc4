-- Overdue while open counted from the per-day sums (issue 13: "a statistics query with 1 M
-- cases: p99 <= 200 ms").  024 left the one figure of the moment, a case overdue while open
-- (accepted, not done, not paused, not withdrawn or refused, its deadline before now), to a
-- count of the partial index cases_overdue_watch at every query: every watched case of the
-- range, ~96,000 entries at 1 M cases, ~200 ms of a year by township and month.
--
-- Here the sums keep `watch`: the cases of the day and village in that watch with a deadline
-- (an entrusted kind, as every figure's `acc`; a case without a deadline is never overdue).
-- Overdue while open is then sum(watch) minus the watched cases whose deadline has NOT passed
-- (stat_due_at >= now), read from the partial index cases_not_due below: those accepted
-- lately, a few thousand, instead of every one still open.  case_open_sums keeps the same
-- count of the open cases (state not closed) for the overview's overdue now.
--
-- A case's paused flag now enters its contribution (case_day_row_w.paused) and the update
-- trigger's test of a changed case: a pause or a resume moves the watch.  Every function that
-- makes a case_day_row is replaced for the new attribute (025's, and 024's complaint trigger);
-- a catalog or calendar imported rebuilds the sums as before, a kind changed included.  The
-- sums are rebuilt at the end (the backfill of watch).  Written to run again over itself.

ALTER TABLE case_day_sums ADD COLUMN IF NOT EXISTS watch integer NOT NULL DEFAULT 0;
ALTER TABLE case_open_sums ADD COLUMN IF NOT EXISTS watch integer NOT NULL DEFAULT 0;

-- case_day_row with the case's paused flag: a type of its own, so that 024 and 025, run again
-- over a migrated store (their functions make case_day_row values of 18 attributes), still run.
DO $$ BEGIN
    CREATE TYPE case_day_row_w AS (sg integer, accept_time timestamptz, origin text,
        item_code text, state text, accepted_at timestamptz, done timestamptz,
        due timestamptz, rating integer, followup integer, struck boolean, revisited boolean,
        rectified boolean, cp_filed bigint, cp_declined bigint, cp_closed bigint,
        cp_redone bigint, cp_faults bigint, paused boolean);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- The watched cases by deadline: the statistics and the overview read those not yet due.
CREATE INDEX IF NOT EXISTS cases_not_due ON cases (stat_due_at)
    INCLUDE (accept_time, origin, item_code, state)
    WHERE stat_accepted_at IS NOT NULL AND completion_time IS NULL AND NOT paused
      AND state NOT IN ('withdrawn', 'refused') AND stat_due_at IS NOT NULL;

-- 024's cases_overdue_watch: no statement reads it any more (the same cases, by deadline, are
-- in cases_not_due), and every writer of a watched case kept it.
DROP INDEX IF EXISTS cases_overdue_watch;

-- 024's, with watch (wt) in both tables.
CREATE OR REPLACE FUNCTION case_day_sums_add(rows case_day_row_w[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    cf date;
    cw integer[];
BEGIN
    /* Most single-row updates (a card raised, a holder changed) move no figure: nothing to
     * read, not even the calendar (a 146 kB array). */
    IF cardinality(rows) = 0 THEN
        RETURN;
    END IF;
    /* Working days are counted only for a case accepted and done: a batch of cases just
     * logged or accepted (the trickle of a working day) does not read the calendar. */
    IF EXISTS (SELECT 1 FROM unnest(rows) r
                WHERE r.done IS NOT NULL AND r.accepted_at IS NOT NULL) THEN
        SELECT first, w INTO cf, cw FROM stat_calendar;
    END IF;
    WITH x AS (SELECT y.*, ent AND y.accepted_at IS NOT NULL AS a,
                   ent AND y.accepted_at IS NOT NULL AND y.state = 'closed' AS ac,
                   ent AND y.accepted_at IS NOT NULL AND y.done IS NULL
                   AND NOT coalesce(y.paused, false) AND y.state NOT IN ('withdrawn', 'refused')
                   AND y.due IS NOT NULL AS wt
              FROM (SELECT r.*, (r.accept_time AT TIME ZONE 'Asia/Shanghai')::date AS day,
                           coalesce(i.kind, '') AS kind, i.promised,
                           coalesce(i.kind, '') NOT IN ('consult', 'help') AS ent,
                           coalesce(i.kind = 'promised' AND i.promised > 0, false) AS pr,
                           cw[(r.done AT TIME ZONE 'Asia/Shanghai')::date - cf + 1]
                           - cw[(r.accepted_at AT TIME ZONE 'Asia/Shanghai')::date - cf + 1] AS w
                      FROM unnest(rows) r LEFT JOIN stat_items i ON i.code = r.item_code) y),
    o AS (INSERT INTO case_open_sums AS s
          SELECT origin, sum(sg * (ent AND state NOT IN ('closed', 'withdrawn', 'refused'))::int),
                 sum(sg * (wt AND state <> 'closed')::int)
            FROM x GROUP BY origin
          HAVING sum(sg * (ent AND state NOT IN ('closed', 'withdrawn', 'refused'))::int) <> 0
              OR sum(sg * (wt AND state <> 'closed')::int) <> 0
          ON CONFLICT (origin) DO UPDATE SET open = s.open + excluded.open,
                                             watch = s.watch + excluded.watch)
    INSERT INTO case_day_sums AS s
    SELECT * FROM (
    SELECT day, origin, sum(sg) AS n, sum(sg * ent::int), sum(sg * (kind = 'consult')::int),
           sum(sg * (kind = 'help')::int), sum(sg * a::int), sum(sg * ac::int),
           sum(sg * (ac AND due IS NOT NULL)::int),
           sum(sg * coalesce(ac AND done <= due, false)::int),
           sum(sg * coalesce(ac AND (done AT TIME ZONE 'Asia/Shanghai')::date
                             < (due AT TIME ZONE 'Asia/Shanghai')::date, false)::int),
           sum(sg * (a AND kind = 'immediate')::int),
           sum(sg * (ac AND pr AND w IS NOT NULL)::int),
           sum(sg * CASE WHEN ac AND pr THEN coalesce(w, 0) ELSE 0 END),
           sum(sg * CASE WHEN ac AND pr AND w IS NOT NULL THEN promised ELSE 0 END),
           sum(sg * coalesce(a AND done > due, false)::int),
           sum(sg * (ent AND state NOT IN ('closed', 'withdrawn', 'refused'))::int),
           sum(sg * (ac AND rating > 0 AND NOT struck)::int),
           sum(sg * (ac AND rating >= 3 AND NOT struck)::int),
           sum(sg * (ac AND rating BETWEEN 1 AND 2 AND NOT struck)::int),
           sum(sg * (ac AND rating BETWEEN 1 AND 2 AND NOT struck AND rectified)::int),
           sum(sg * (ac AND rating BETWEEN 1 AND 2 AND NOT struck AND revisited)::int),
           sum(sg * cp_filed), sum(sg * cp_declined), sum(sg * cp_closed), sum(sg * cp_redone),
           sum(sg * cp_faults),
           sum(sg * (ac AND rating > 0 AND followup > 0 AND NOT struck)::int),
           sum(sg * (ac AND rating > 0 AND followup >= 3 AND NOT struck)::int),
           sum(sg * wt::int)
     FROM x GROUP BY 1, 2) d(day, origin, n, entrust, consult, help, accepted, closed, closed_due, on_time, early, immediate, promised_closed, workdays, promised_sum, late_done, open, rated, satisfied, bad, bad_rect, bad_rev, cp_filed, cp_declined, cp_closed, cp_redone, cp_faults, followed, followed_ok, watch)
     WHERE ROW(d.n, d.entrust, d.consult, d.help, d.accepted, d.closed, d.closed_due, d.on_time, d.early, d.immediate, d.promised_closed, d.workdays, d.promised_sum, d.late_done, d.open, d.rated, d.satisfied, d.bad, d.bad_rect, d.bad_rev, d.cp_filed, d.cp_declined, d.cp_closed, d.cp_redone, d.cp_faults, d.followed, d.followed_ok, d.watch)
           <> ROW(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    ON CONFLICT (day, origin) DO UPDATE SET
        n = s.n + excluded.n,
        entrust = s.entrust + excluded.entrust,
        consult = s.consult + excluded.consult,
        help = s.help + excluded.help,
        accepted = s.accepted + excluded.accepted,
        closed = s.closed + excluded.closed,
        closed_due = s.closed_due + excluded.closed_due,
        on_time = s.on_time + excluded.on_time,
        early = s.early + excluded.early,
        immediate = s.immediate + excluded.immediate,
        promised_closed = s.promised_closed + excluded.promised_closed,
        workdays = s.workdays + excluded.workdays,
        promised_sum = s.promised_sum + excluded.promised_sum,
        late_done = s.late_done + excluded.late_done,
        open = s.open + excluded.open,
        rated = s.rated + excluded.rated,
        satisfied = s.satisfied + excluded.satisfied,
        bad = s.bad + excluded.bad,
        bad_rect = s.bad_rect + excluded.bad_rect,
        bad_rev = s.bad_rev + excluded.bad_rev,
        cp_filed = s.cp_filed + excluded.cp_filed,
        cp_declined = s.cp_declined + excluded.cp_declined,
        cp_closed = s.cp_closed + excluded.cp_closed,
        cp_redone = s.cp_redone + excluded.cp_redone,
        cp_faults = s.cp_faults + excluded.cp_faults,
        followed = s.followed + excluded.followed,
        followed_ok = s.followed_ok + excluded.followed_ok,
        watch = s.watch + excluded.watch;
END $$;

-- 025's triggers and rebuild, with the case's paused flag.
CREATE OR REPLACE FUNCTION cases_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
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
                                     AND e.folded) k));
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
                   n.completion_time, n.stat_due_at, n.rating, n.followup, n.paused,
                   o.accept_time AS o_accept_time, o.origin AS o_origin,
                   o.item_code AS o_item_code, o.state AS o_state,
                   o.stat_accepted_at AS o_stat_accepted_at,
                   o.completion_time AS o_completion_time, o.stat_due_at AS o_stat_due_at,
                   o.rating AS o_rating, o.followup AS o_followup, o.paused AS o_paused
              FROM new_rows n JOIN old_rows o ON o.case_id = n.case_id
             WHERE (n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                    n.completion_time, n.stat_due_at, n.rating, n.followup, n.paused)
                   IS DISTINCT FROM
                   (o.accept_time, o.origin, o.item_code, o.state, o.stat_accepted_at,
                    o.completion_time, o.stat_due_at, o.rating, o.followup, o.paused))
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
                   k.faults, ch.paused)::case_day_row_w),
              (ROW(-1, ch.o_accept_time, ch.o_origin, ch.o_item_code, ch.o_state,
                   ch.o_stat_accepted_at, ch.o_completion_time, ch.o_stat_due_at,
                   ch.o_rating, ch.o_followup, coalesce(r.struck, false),
                   coalesce(r.revisited, false), coalesce(r.rectified, false), k.filed,
                   k.declined, k.closed, k.redone, k.faults, ch.o_paused)::case_day_row_w)) v(d)));
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
    rows case_day_row_w[] := '{}';
    d case_day_row_w;
BEGIN
    SELECT * INTO c FROM cases WHERE case_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    d := ROW(1, c.accept_time, c.origin, c.item_code, c.state, c.stat_accepted_at,
             c.completion_time, c.stat_due_at, c.rating, c.followup, false, false, false, 0, 0,
             0, 0, 0, c.paused)::case_day_row_w;
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
                       k.faults, c.paused)::case_day_row_w
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

-- 024's, with the paused attribute.
CREATE OR REPLACE FUNCTION complaints_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c cases;
BEGIN
    IF NEW.type NOT IN (30, 32, 36, 37, 38) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO c FROM cases WHERE case_id = NEW.case_id FOR UPDATE;
    IF FOUND THEN
        PERFORM case_day_sums_add(ARRAY[ROW(1, c.accept_time, c.origin, c.item_code, '', NULL,
            NULL, NULL, 0, 0, false, false, false, (NEW.type = 30)::int, (NEW.type = 32)::int,
            (NEW.type = 36)::int, (NEW.type = 37)::int, (NEW.type = 38)::int, false)::case_day_row_w,
            ROW(-1, c.accept_time, c.origin, c.item_code, '', NULL, NULL, NULL, 0, 0, false,
            false, false, 0, 0, 0, 0, 0, false)::case_day_row_w]);
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION case_day_sums_add(case_day_row_w[]) SET jit = off;
DROP FUNCTION IF EXISTS case_day_sums_add(case_day_row[]);

DO $$ BEGIN PERFORM case_day_sums_rebuild(); END $$;
