-- The per-day sums' triggers on cases, cheaper per row (issue 13: PostgreSQL's CPU per case in
-- the county's batches).  The same tables, columns and meaning as 026 and 027; what changes is
-- how much each row costs the trigger, not what it adds.
--
-- An UPDATE: a case is passed to case_day_sums_add (its old and new contributions, each with a
-- rectification probe and 30 sums evaluated) only when a column a figure reads changed.  026
-- compared the state itself; every figure reads it only as one of three classes: closed (ac,
-- the watch's `state <> 'closed'`), withdrawn or refused (out of open and the watch), or any
-- other (open).  So a step between two open states (submitted -> received -> accepted before
-- stat_accepted_at is set, the township's RECEIVED of every case in the end to end: the
-- second write of each case) moved no figure and paid for both contributions, which then
-- cancelled in the sums' zero-row filter.  Here the class is compared: such a step adds
-- nothing and reads nothing.
--
-- An INSERT of cases just logged (027's six sums): 027 joined stat_items and evaluated the
-- kinds per row; here the rows are counted per day, village and item first, and the item's
-- kind is looked up per group (measured in a scratch cluster, 1,000 logged cases a
-- statement: the per-row item probe was the largest part of the trigger's cost after the
-- statement's own).  The complaint counts keep 027's per-row probe of the partial index
-- case_events_complaint (a new case normally has no entry there: one descent, no heap
-- fetch), as a lateral subquery that no planner setting turns into a scan of case_events,
-- and are summed per day and village.  An accepted row (a restore's, a replay's, a test's)
-- and a DELETE: as 027.
--
-- Written to run again over itself (OR REPLACE).

CREATE OR REPLACE FUNCTION cases_day_sums() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        /* Cases just logged (no stat_accepted_at): their six sums, counted per day,
         * village and item, then per day and village with the items' kinds. */
        WITH g AS (SELECT (n.accept_time AT TIME ZONE 'Asia/Shanghai')::date AS day, n.origin,
                          n.item_code, count(*) AS c,
                          count(*) FILTER (WHERE n.state NOT IN ('closed', 'withdrawn',
                                                                 'refused')) AS live
                     FROM new_rows n
                    WHERE n.stat_accepted_at IS NULL
                    GROUP BY 1, 2, 3),
        x AS (SELECT g.day, g.origin, sum(g.c) AS n,
                     sum(CASE WHEN coalesce(i.kind, '') NOT IN ('consult', 'help')
                              THEN g.c ELSE 0 END) AS entrust,
                     sum(CASE WHEN i.kind = 'consult' THEN g.c ELSE 0 END) AS consult,
                     sum(CASE WHEN i.kind = 'help' THEN g.c ELSE 0 END) AS help,
                     sum(CASE WHEN coalesce(i.kind, '') NOT IN ('consult', 'help')
                              THEN g.live ELSE 0 END) AS open
                FROM g LEFT JOIN stat_items i ON i.code = g.item_code
               GROUP BY g.day, g.origin),
        k AS (SELECT (n.accept_time AT TIME ZONE 'Asia/Shanghai')::date AS day, n.origin,
                     count(*) FILTER (WHERE e.type = 30) AS filed,
                     count(*) FILTER (WHERE e.type = 32) AS declined,
                     count(*) FILTER (WHERE e.type = 36) AS closed,
                     count(*) FILTER (WHERE e.type = 37) AS redone,
                     count(*) FILTER (WHERE e.type = 38) AS faults
                FROM new_rows n
                CROSS JOIN LATERAL (SELECT e.type FROM case_events e
                                     WHERE e.case_id = n.case_id
                                       AND e.type BETWEEN 30 AND 38 AND e.folded
                                    OFFSET 0) e
               WHERE n.stat_accepted_at IS NULL
               GROUP BY 1, 2),
        o AS (INSERT INTO case_open_sums AS s (origin, open, watch)
              SELECT origin, sum(open), 0 FROM x GROUP BY origin HAVING sum(open) <> 0
              ON CONFLICT (origin) DO UPDATE SET open = s.open + excluded.open)
        INSERT INTO case_day_sums AS s (day, origin, n, entrust, consult, help, accepted,
                                        closed, closed_due, on_time, early, immediate,
                                        promised_closed, workdays, promised_sum, late_done,
                                        open, rated, satisfied, bad, bad_rect, bad_rev,
                                        cp_filed, cp_declined, cp_closed, cp_redone,
                                        cp_faults, followed, followed_ok, watch)
        SELECT x.day, x.origin, x.n, x.entrust, x.consult, x.help,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x.open, 0, 0, 0, 0, 0,
               coalesce(k.filed, 0), coalesce(k.declined, 0), coalesce(k.closed, 0),
               coalesce(k.redone, 0), coalesce(k.faults, 0), 0, 0, 0
          FROM x LEFT JOIN k ON k.day = x.day AND k.origin = x.origin
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

-- An update's: 026's, with the state compared by its class (see the header).  By a hash join of
-- the transition tables whatever the session's settings (026); JIT off.
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
             WHERE (n.accept_time, n.origin, n.item_code,
                    CASE WHEN n.state = 'closed' THEN 1
                         WHEN n.state IN ('withdrawn', 'refused') THEN 2 ELSE 0 END,
                    n.stat_accepted_at, n.completion_time, n.stat_due_at, n.rating, n.followup,
                    n.paused)
                   IS DISTINCT FROM
                   (o.accept_time, o.origin, o.item_code,
                    CASE WHEN o.state = 'closed' THEN 1
                         WHEN o.state IN ('withdrawn', 'refused') THEN 2 ELSE 0 END,
                    o.stat_accepted_at, o.completion_time, o.stat_due_at, o.rating, o.followup,
                    o.paused))
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
