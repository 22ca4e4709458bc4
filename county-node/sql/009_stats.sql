-- Statistics (issue 11): what the county's figures need that the projection
-- forgets, kept by the database itself so no writer has to know.
--
-- cases.due_at is the live deadline: the pre-review deadline before 受理,
-- the promised one while handled (recomputed by the county after every
-- pause), and NULL once a decision stops the clock.  So "closed on time"
-- cannot be read from it afterwards.  A trigger keeps, per case:
--   stat_accepted_at  when it reached 受理 (the event time of the first
--                     update into a handling state): the start of the
--                     working days to close;
--   stat_due_at       the last promised deadline it had while handled
--                     (pauses already excluded by the county's calendar).
-- Rows written before this migration get stat_accepted_at from their
-- ACCEPTED/PLEDGED event and stat_due_at from a live deadline only (a case
-- closed before it has none: it is left out of the on-time figures).
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE).

ALTER TABLE cases
    ADD COLUMN IF NOT EXISTS stat_accepted_at timestamptz,
    ADD COLUMN IF NOT EXISTS stat_due_at      timestamptz;

CREATE OR REPLACE FUNCTION cases_stat_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('accepted', 'escalated', 'county') AND NEW.due_at IS NOT NULL THEN
        NEW.stat_due_at := NEW.due_at;
    END IF;
    IF NEW.stat_accepted_at IS NULL
       AND NEW.state IN ('accepted', 'escalated', 'county', 'decided', 'result', 'closed') THEN
        NEW.stat_accepted_at := NEW.updated_at;
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER cases_stat_keep BEFORE UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_stat_keep();

UPDATE cases c SET stat_accepted_at = e.at
    FROM (SELECT case_id, min(at) AS at FROM case_events
          WHERE type IN (4, 8) AND folded GROUP BY case_id) e
    WHERE c.case_id = e.case_id AND c.stat_accepted_at IS NULL;

-- Every figure is over the cases logged (the ledger's 受理时间, accept_time)
-- in a date range, within a place's subtree (origin LIKE '360826100%').
CREATE INDEX IF NOT EXISTS cases_accept_time ON cases (accept_time);

-- The overview's open cases (county_stats_open) read only these.
CREATE INDEX IF NOT EXISTS cases_open ON cases (origin)
    WHERE state NOT IN ('closed', 'withdrawn', 'refused');
