-- tongban county store, migration 018: the resident's 追评 (issue 11).
--
-- A RATING_FOLLOWUP event (EventType 40: once per case, after RATED; from
-- the village that logged the case, a window above it, or the county's own
-- `ratings followup`) is folded like every event; the batch that folds it
-- writes its level, words, time and channel on the case's row and, when the
-- case has a rectification (a 差评), on that row too, with a rating_audit row:
-- one statement, "followup" (county_stmt.c), so the rectification's 追评 is
-- only ever written from the event.
--   followup_channel  village | window | county (the level of the node that
--                     recorded it, never typed)
-- A county command carries the level in county_commands.rating.
-- Written to run again over itself (IF NOT EXISTS).
ALTER TABLE cases ADD COLUMN IF NOT EXISTS followup smallint NOT NULL DEFAULT 0
    CHECK (followup BETWEEN 0 AND 5);
ALTER TABLE cases ADD COLUMN IF NOT EXISTS followup_comment text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN IF NOT EXISTS followup_at timestamptz;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS followup_channel text
    CHECK (followup_channel IN ('village', 'window', 'county'));
ALTER TABLE county_commands ADD COLUMN IF NOT EXISTS rating smallint NOT NULL DEFAULT 0
    CHECK (rating BETWEEN 0 AND 5);

-- A 差评 and its 追评 folded in one batch: the rectification is opened (by
-- 012's trigger on the rating) after the "followup" statement ran, so it
-- takes the 追评 the case's row already has.
CREATE OR REPLACE FUNCTION rectification_followup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rectifications r SET followup = c.followup, followup_comment = c.followup_comment,
           followup_at = c.followup_at
      FROM cases c
     WHERE r.case_id = NEW.case_id AND c.case_id = NEW.case_id AND c.followup > 0
       AND r.followup IS NULL;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS rectifications_followup ON rectifications;
CREATE TRIGGER rectifications_followup AFTER INSERT ON rectifications
    FOR EACH ROW EXECUTE FUNCTION rectification_followup();

-- The statistics (county_stats.c) count, per case, its complaints by
-- outcome from the folded complaint events (EventType 30..38; one open
-- complaint per case at a time, so each ends at most once): filed (投诉登记),
-- declined (不予受理), closed (办结); redone counts 重办 steps, faults 问责
-- records.  The rest of the filed are still open.  A view over the partial
-- index of 011, so the one statement stays one statement.
CREATE OR REPLACE VIEW case_complaint_counts AS
    SELECT case_id,
           count(*) FILTER (WHERE type = 30) AS filed,
           count(*) FILTER (WHERE type = 32) AS declined,
           count(*) FILTER (WHERE type = 36) AS closed,
           count(*) FILTER (WHERE type = 37) AS redone,
           count(*) FILTER (WHERE type = 38) AS faults
      FROM case_events WHERE type BETWEEN 30 AND 38 AND folded GROUP BY case_id;
