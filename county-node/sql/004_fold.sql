-- tongban county store, schema version 4: one projection, one encoding of a
-- fold (issue 7).
--
-- cases.fold is now tb_case_pack() of the fold: the protobuf message
-- tongban.store.v1.CaseFold (proto/tongban_store.proto, internal to the
-- stores, not part of the wire contract), the same bytes the SQLite nodes
-- keep.  The text form before it moves to fold_text; the county re-encodes
-- every such row when it connects (county_fold_from_text, county_record.c)
-- and empties fold_text.  The meaning of paused, due_at and legal_due_at is
-- unchanged (common/tb_projection.h): paused true and both deadlines NULL
-- while a clock is stopped.
ALTER TABLE cases RENAME COLUMN fold TO fold_text;
ALTER TABLE cases ADD COLUMN fold bytea NOT NULL DEFAULT ''::bytea;
