-- The dashboard's overview from per-day sums (issue 13, county_overview.c): every figure of the
-- statistics (county_stats.c) that does not depend on the moment asked, summed per China-time
-- day of logging (accept_time) and village (origin), kept by the database in the same
-- transaction as the rows they come from.  The overview reads ~10,000 of these rows for its
-- 30 days (322 villages) instead of ~80,000 cases scattered over the whole table, and
-- evaluates no figure per case.
--
-- The figures depend on the catalog (an item's kind and promised days) and the calendar (the
-- working days to close) in force: the sums are counted with those of stat_items and
-- stat_calendar, which the county writes with a fingerprint of both by stat_calendar_set()
-- before it reads the sums (county_stats_calendar_sync); another fingerprint replaces them
-- and rebuilds every sum (a catalog or calendar imported: a few seconds at 1 M cases, once).
-- Until the county first wrote them (a store just migrated), every item counts as a kind
-- unknown and no working days are known; the first overview rebuilds.  The one figure that
-- depends on the moment, a case overdue while still open (its deadline before "now"), is
-- counted when read, from the partial index cases_overdue_watch below (accepted, not done,
-- not paused, not withdrawn or refused).
--
-- Who moves the sums: a change of a case row (an INSERT, an UPDATE of any column, a DELETE:
-- the writers' bulk statements and single-row ones alike, the restore and the replay), a
-- rectification written or changed (差评 struck, revisited, rectified), a complaint event
-- stored (the complaint counts of migration 018's view).  Each trigger adds the new
-- contribution of the cases it touched and subtracts the old: so a case accepted, completed
-- or refused days after it was logged moves the figures of the day it was logged.  A
-- rectification's or complaint's trigger first locks the case row, so it and a concurrent
-- change of the case apply their deltas one after the other, each seeing the other's.
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE); the sums are rebuilt from
-- the cases at the end (the backfill of a store migrated with cases in it).

-- The figures in the order of county_stats.c's stats_sql (its comments define them), every
-- one a count or a sum of the day's cases of the village, with the kinds and promised days
-- of stat_items.
CREATE TABLE IF NOT EXISTS case_day_sums (
    day          date    NOT NULL,   -- accept_time's China-time day
    origin       text    NOT NULL,
    n            integer NOT NULL,   -- cases, every kind
    entrust      integer NOT NULL,
    consult      integer NOT NULL,
    help         integer NOT NULL,
    accepted     integer NOT NULL,
    closed       integer NOT NULL,
    closed_due   integer NOT NULL,
    on_time      integer NOT NULL,
    early        integer NOT NULL,
    immediate    integer NOT NULL,
    promised_closed integer NOT NULL, -- 承诺件 closed, working days known
    workdays     bigint  NOT NULL,   -- their working days (stat_calendar)
    promised_sum bigint  NOT NULL,   -- their promised days
    late_done    integer NOT NULL,   -- overdue, completed after the deadline (the rest: live)
    open         integer NOT NULL,
    rated        integer NOT NULL,
    satisfied    integer NOT NULL,
    bad          integer NOT NULL,
    bad_rect     integer NOT NULL,
    bad_rev      integer NOT NULL,
    cp_filed     integer NOT NULL,
    cp_declined  integer NOT NULL,
    cp_closed    integer NOT NULL,
    cp_redone    integer NOT NULL,
    cp_faults    integer NOT NULL,
    followed     integer NOT NULL,
    followed_ok  integer NOT NULL,
    PRIMARY KEY (day, origin)
);

-- What the sums were counted with: the calendar (element k of w is the number of working
-- days among first .. first + k - 1) and the catalog's kinds and promised days, as the
-- county had them in force; fp the county's fingerprint of both (county_stats.c).  One row,
-- and the items.
CREATE TABLE IF NOT EXISTS stat_calendar (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    first date    NOT NULL,
    w     integer[] NOT NULL,
    fp    text    NOT NULL
);
-- The open cases by village, whenever logged (the overview's "open now"; county_stats_open):
-- the sum of case_day_sums.open over every day, kept beside it.
CREATE TABLE IF NOT EXISTS case_open_sums (
    origin text PRIMARY KEY,
    open   integer NOT NULL
);

CREATE TABLE IF NOT EXISTS stat_items (
    code     text PRIMARY KEY,
    kind     text NOT NULL,
    promised integer
);

-- The cases that may be overdue while open, by their day: read live by the overview (the
-- deadline is compared with now).  The same predicate as county_stats.c's overdue_open,
-- without the deadline; the columns the overview reads are carried (an index-only scan).
CREATE INDEX IF NOT EXISTS cases_overdue_watch ON cases (accept_time)
    INCLUDE (origin, item_code, stat_due_at, state)
    WHERE stat_accepted_at IS NOT NULL AND completion_time IS NULL AND NOT paused
      AND state NOT IN ('withdrawn', 'refused');

-- A case's columns as a contribution is made of (sg: +1 added, -1 taken away).
DO $$ BEGIN
    CREATE TYPE case_day_row AS (sg integer, accept_time timestamptz, origin text,
        item_code text, state text, accepted_at timestamptz, done timestamptz,
        due timestamptz, rating integer, followup integer, struck boolean, revisited boolean,
        rectified boolean, cp_filed bigint, cp_declined bigint, cp_closed bigint,
        cp_redone bigint, cp_faults bigint);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Add rows' contributions to the sums, grouped by day and village; a group whose deltas are
-- all zero (an update that moved no figure) is not written.  The same definitions as
-- county_stats.c's CASES_CTE and its m, with the kinds of stat_items.
CREATE OR REPLACE FUNCTION case_day_sums_add(rows case_day_row[]) RETURNS void
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
                   ent AND y.accepted_at IS NOT NULL AND y.state = 'closed' AS ac
              FROM (SELECT r.*, (r.accept_time AT TIME ZONE 'Asia/Shanghai')::date AS day,
                           coalesce(i.kind, '') AS kind, i.promised,
                           coalesce(i.kind, '') NOT IN ('consult', 'help') AS ent,
                           coalesce(i.kind = 'promised' AND i.promised > 0, false) AS pr,
                           cw[(r.done AT TIME ZONE 'Asia/Shanghai')::date - cf + 1]
                           - cw[(r.accepted_at AT TIME ZONE 'Asia/Shanghai')::date - cf + 1] AS w
                      FROM unnest(rows) r LEFT JOIN stat_items i ON i.code = r.item_code) y),
    o AS (INSERT INTO case_open_sums AS s
          SELECT origin, sum(sg * (ent AND state NOT IN ('closed', 'withdrawn', 'refused'))::int)
            FROM x GROUP BY origin
          HAVING sum(sg * (ent AND state NOT IN ('closed', 'withdrawn', 'refused'))::int) <> 0
          ON CONFLICT (origin) DO UPDATE SET open = s.open + excluded.open)
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
           sum(sg * (ac AND rating > 0 AND followup >= 3 AND NOT struck)::int)
     FROM x GROUP BY 1, 2) d(day, origin, n, entrust, consult, help, accepted, closed, closed_due, on_time, early, immediate, promised_closed, workdays, promised_sum, late_done, open, rated, satisfied, bad, bad_rect, bad_rev, cp_filed, cp_declined, cp_closed, cp_redone, cp_faults, followed, followed_ok)
     WHERE ROW(d.n, d.entrust, d.consult, d.help, d.accepted, d.closed, d.closed_due, d.on_time, d.early, d.immediate, d.promised_closed, d.workdays, d.promised_sum, d.late_done, d.open, d.rated, d.satisfied, d.bad, d.bad_rect, d.bad_rev, d.cp_filed, d.cp_declined, d.cp_closed, d.cp_redone, d.cp_faults, d.followed, d.followed_ok)
           <> ROW(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
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
        followed_ok = s.followed_ok + excluded.followed_ok;
END $$;

-- A case row's contribution now: its rectification and complaints as stored; cp false: no
-- complaint counts (they cancel between the old and new rows of an update within one key).
CREATE OR REPLACE FUNCTION case_day_row_of(c cases, sg integer, cp boolean) RETURNS case_day_row
    LANGUAGE sql STABLE AS $$
    SELECT ROW(sg, c.accept_time, c.origin, c.item_code, c.state, c.stat_accepted_at,
               c.completion_time, c.stat_due_at, c.rating, c.followup,
               coalesce(r.appeal = 'approved', false), r.revisited_at IS NOT NULL,
               r.rectified_at IS NOT NULL,
               coalesce(k.filed, 0), coalesce(k.declined, 0), coalesce(k.closed, 0),
               coalesce(k.redone, 0), coalesce(k.faults, 0))::case_day_row
      FROM (SELECT 1) one
      LEFT JOIN rectifications r ON r.case_id = c.case_id
      LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE type = 30) AS filed,
                                count(*) FILTER (WHERE type = 32) AS declined,
                                count(*) FILTER (WHERE type = 36) AS closed,
                                count(*) FILTER (WHERE type = 37) AS redone,
                                count(*) FILTER (WHERE type = 38) AS faults
                           FROM case_events e
                          WHERE cp AND e.case_id = c.case_id AND e.type BETWEEN 30 AND 38
                            AND e.folded) k ON true
$$;

-- Cases written: the new rows added, the old taken away.  An update that changed none of the
-- columns the figures read (most of a batch's: holder, pending, the fold) adds nothing.
CREATE OR REPLACE FUNCTION cases_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM case_day_sums_add(ARRAY(SELECT case_day_row_of(n, 1, true) FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM case_day_sums_add(ARRAY(SELECT case_day_row_of(o, -1, true) FROM old_rows o));
    ELSE
        PERFORM case_day_sums_add(ARRAY(
            WITH ch AS (
                SELECT n.case_id, (n.accept_time, n.origin, n.item_code)
                       IS DISTINCT FROM (o.accept_time, o.origin, o.item_code) AS moved
                  FROM new_rows n JOIN old_rows o ON o.case_id = n.case_id
                 WHERE (n.accept_time, n.origin, n.item_code, n.state, n.stat_accepted_at,
                        n.completion_time, n.stat_due_at, n.rating, n.followup)
                       IS DISTINCT FROM
                       (o.accept_time, o.origin, o.item_code, o.state, o.stat_accepted_at,
                        o.completion_time, o.stat_due_at, o.rating, o.followup))
            SELECT case_day_row_of(n, 1, ch.moved) FROM new_rows n JOIN ch USING (case_id)
            UNION ALL
            SELECT case_day_row_of(o, -1, ch.moved) FROM old_rows o JOIN ch USING (case_id)));
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS cases_day_sums_ins ON cases;
CREATE TRIGGER cases_day_sums_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_day_sums();
DROP TRIGGER IF EXISTS cases_day_sums_upd ON cases;
CREATE TRIGGER cases_day_sums_upd AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_day_sums();
DROP TRIGGER IF EXISTS cases_day_sums_del ON cases;
CREATE TRIGGER cases_day_sums_del AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_day_sums();

-- A rectification written, changed or removed: the case's contribution with the old one taken
-- away, with the new one added (the case row locked first: see the header).
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
    d := case_day_row_of(c, 1, false);
    IF TG_OP <> 'DELETE' THEN
        d.struck := coalesce(NEW.appeal = 'approved', false);
        d.revisited := NEW.revisited_at IS NOT NULL;
        d.rectified := NEW.rectified_at IS NOT NULL;
        rows := rows || d;
    END IF;
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
DROP TRIGGER IF EXISTS rectifications_day_sums ON rectifications;
CREATE TRIGGER rectifications_day_sums AFTER INSERT OR UPDATE OR DELETE ON rectifications
    FOR EACH ROW EXECUTE FUNCTION rectifications_day_sums();

-- A complaint event stored (migration 018's counts): one more of its kind for the case's day.
-- A count enters the figures alone (a sum), so only the event's own column moves.  A case
-- not stored yet is counted when its row is inserted (cases_day_sums).
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
            (NEW.type = 36)::int, (NEW.type = 37)::int, (NEW.type = 38)::int)::case_day_row,
            ROW(-1, c.accept_time, c.origin, c.item_code, '', NULL, NULL, NULL, 0, 0, false,
            false, false, 0, 0, 0, 0, 0)::case_day_row]);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS case_events_day_sums ON case_events;
CREATE TRIGGER case_events_day_sums AFTER INSERT ON case_events
    FOR EACH ROW WHEN (NEW.type BETWEEN 30 AND 38 AND NEW.folded)
    EXECUTE FUNCTION complaints_day_sums();

-- Every sum again from the cases (the backfill below; a calendar changed, stat_calendar_set).
-- The sums locked first: writers' triggers wait, and this statement's snapshot then sees
-- every change they committed before.
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
        PERFORM case_day_sums_add(ARRAY(SELECT case_day_row_of(c, 1, true) FROM cases c
            WHERE c.accept_time >= lo AND c.accept_time < lo + interval '7 days'));
    END LOOP;
END $$;

-- The county's calendar and catalog in force (county_stats.c): a different fingerprint
-- replaces them and rebuilds the sums.  True when it did.
CREATE OR REPLACE FUNCTION stat_calendar_set(first date, w integer[], codes text,
        kinds text, promised text, fp text)
    RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE stat_calendar IN EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM stat_calendar s WHERE s.fp = stat_calendar_set.fp) THEN
        RETURN false;
    END IF;
    INSERT INTO stat_calendar(one, first, w, fp) VALUES (true, first, w, fp)
        ON CONFLICT (one) DO UPDATE SET first = excluded.first, w = excluded.w, fp = excluded.fp;
    DELETE FROM stat_items;
    INSERT INTO stat_items(code, kind, promised)
        SELECT DISTINCT ON (c) c, k, p FROM unnest(string_to_array(codes, E'\n'),
            string_to_array(kinds, E'\n'), string_to_array(promised, E'\n')::int[]) AS i(c, k, p);
    PERFORM case_day_sums_rebuild();
    RETURN true;
END $$;

DO $$ BEGIN PERFORM case_day_sums_rebuild(); END $$;
