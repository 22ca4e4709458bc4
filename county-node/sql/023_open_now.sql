-- The overview's open and overdue cases now (issue 13, county_stats_open):
-- from the index alone.  Migration 009's cases_open held only the origin, so
-- the count read every open case's row (120,000 of 1,000,000 in
-- bench/stats-1m.sh, scattered over the table: 1.4 s under load); the
-- statement's other columns are now carried in the index (INCLUDE), so it is
-- an index-only scan (0.1 s).  Same key and predicate: whatever used
-- cases_open can use this one.  Its cost on the write side: the same number
-- of index entries (one per open case, written when a case opens or changes),
-- each ~35 bytes wider; bench/RESULTS.md has the ingest measured before and
-- after.
--
-- Written to run again over itself (IF NOT EXISTS, IF EXISTS).
CREATE INDEX IF NOT EXISTS cases_open_now ON cases (origin)
    INCLUDE (item_code, stat_accepted_at, stat_due_at, completion_time, paused)
    WHERE state NOT IN ('closed', 'withdrawn', 'refused');
DROP INDEX IF EXISTS cases_open;
