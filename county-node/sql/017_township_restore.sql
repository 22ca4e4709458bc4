-- A township's lost store answered from the county's (issue 9, proto
-- RestoreRequest; county_restore.c).  One row per township store (epoch)
-- that asked: a second request from the same store is refused.  The answer
-- goes out in chunks, one per batch, each in the same transaction as its
-- outbox rows: last_id is the last case_events.id queued, data_done whether
-- the data versions were, events how many events so far; answered_at is set
-- by the batch that queued the RestoreAnswer (or gave up: the township had
-- another new store by then).
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE).
CREATE TABLE IF NOT EXISTS township_restores (
    peer        text        NOT NULL,
    epoch       bigint      NOT NULL,
    asked_at    timestamptz NOT NULL DEFAULT now(),
    last_id     bigint      NOT NULL DEFAULT 0,
    data_done   boolean     NOT NULL DEFAULT false,
    events      bigint      NOT NULL DEFAULT 0,
    answered_at timestamptz,
    PRIMARY KEY (peer, epoch)
);
-- One chunk queued: the progress moves from old_last to new_last.  A chunk
-- read before a batch that did not commit would be queued a second time:
-- refused (the batch rolls back and the chunk is read again).  A procedure:
-- CALL answers no rows (the batch would read rows as a spilled outbox).
CREATE OR REPLACE PROCEDURE township_restore_step(p text, e bigint, old_last bigint,
                                                  new_last bigint, n bigint, done boolean)
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE township_restores
       SET last_id = new_last, data_done = true, events = events + n,
           answered_at = CASE WHEN done THEN now() END
     WHERE peer = p AND epoch = e AND last_id = old_last AND answered_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'restore of % (epoch %) is not at %', p, e, old_last;
    END IF;
END
$$;
