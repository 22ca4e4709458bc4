-- Migration 024's trigger on rectifications, corrected for a rectification removed (issue 13,
-- found by tests/unit/test-county-overview.c comparing /api/stats from the sums with the
-- figures over the cases): it took the case's whole contribution away (the old rectification's
-- row, sg -1) without adding it back without one (sg +1), so the case vanished from every
-- figure of its day.  No writer of the county removes a rectification (the rows of migration
-- 012 are only inserted and updated), so no store's sums were made wrong by it; the sums are
-- not rebuilt here (that reads every case: seconds at 1 M).  Written to run again over itself.
CREATE OR REPLACE FUNCTION rectifications_day_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c cases;
    id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END;
    d case_day_row;
    o case_day_row;
BEGIN
    SELECT * INTO c FROM cases WHERE case_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    /* The case with the rectification as it is now (none after a DELETE) added, with the
     * one it had before (none before an INSERT) taken away. */
    d := case_day_row_of(c, 1, false);
    d.struck := TG_OP <> 'DELETE' AND coalesce(NEW.appeal = 'approved', false);
    d.revisited := TG_OP <> 'DELETE' AND NEW.revisited_at IS NOT NULL;
    d.rectified := TG_OP <> 'DELETE' AND NEW.rectified_at IS NOT NULL;
    o := d;
    o.sg := -1;
    o.struck := TG_OP <> 'INSERT' AND coalesce(OLD.appeal = 'approved', false);
    o.revisited := TG_OP <> 'INSERT' AND OLD.revisited_at IS NOT NULL;
    o.rectified := TG_OP <> 'INSERT' AND OLD.rectified_at IS NOT NULL;
    PERFORM case_day_sums_add(ARRAY[d, o]);
    RETURN NULL;
END $$;
