-- The catalog version in force, set once per connection instead of once per batch (issue 13:
-- at a trickle of small batches migration 019's CALL county_catalog_in_force, a statement of
-- its own in every batch, was about 4 % of the backend's CPU).  The county's batch
-- connection calls this when it connects and whenever the version in force changes
-- (county_batch.c); case_events.catalog_version's default (019) reads the setting as
-- before.  Set inside a batch's transaction, it is undone if that batch rolls back, and a
-- batch that rolls back always closes the connection (county_pg_lost), so a setting made
-- for the session never outlives a rollback on it.  019's procedure stays for a binary
-- that still calls it.  Written to run again over itself (OR REPLACE).
CREATE OR REPLACE PROCEDURE county_catalog_for_session(v integer)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('tongban.catalog_version', v::text, false);
END
$$;
