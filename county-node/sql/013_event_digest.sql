-- Content-addressed event ids at the county (issues 8 and 9): the SHA-256 of
-- the bytes each (origin_node, origin_seq) named when it was stored, kept by
-- PostgreSQL itself (a generated column: every insert path fills it, rows
-- stored before this migration included).  An id that comes again is compared
-- by this digest (county_reuse.c): the same bytes are a duplicate, consumed
-- silently; other bytes are refused with REJECT_REUSED_ID and an alarm.
--
-- The quarantine is bounded per peer (county_stmt.c, "quarantine"): its
-- per-peer size is read through this index.
--
-- Written to run again over itself (IF NOT EXISTS).
ALTER TABLE case_events ADD COLUMN IF NOT EXISTS digest bytea
    GENERATED ALWAYS AS (sha256(body)) STORED;
CREATE INDEX IF NOT EXISTS quarantine_peer ON quarantine (peer);
