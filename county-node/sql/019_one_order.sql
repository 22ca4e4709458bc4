-- One order (issue 9): each stored event keeps the catalog version it was
-- checked under.  At the county that is the version in force when the batch
-- applied it: the batch sets tongban.catalog_version for its transaction
-- before it records any event (statement "catver", county_batch.c: a
-- procedure, since CALL answers no rows and a batch reads the rows it gets
-- as a spilled outbox read back), and the
-- column's default reads it, so the insert statements (one per event and the
-- bulk ones) stay as they are.  Events stored before this migration, and an
-- insert outside a batch, read 0: the shipped catalog, or not recorded.
ALTER TABLE case_events ADD COLUMN IF NOT EXISTS catalog_version integer NOT NULL
    DEFAULT coalesce(nullif(current_setting('tongban.catalog_version', true), ''), '0')::integer;

CREATE OR REPLACE PROCEDURE county_catalog_in_force(v integer)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('tongban.catalog_version', v::text, true);
END
$$;
