-- The townships' store epochs at the county (issue 9, proto Envelope.epoch).
-- link_epoch: each township's current epoch, recorded from its first
-- envelope; link_epoch_old: the epochs each township had before (an envelope
-- under one of them is a replay, dropped whole).  A township that comes back
-- with a new store gets its link reset in one batch (county_link.c,
-- statement "epoch_set"): its receive cursor to 0 and what the county queued
-- to it and the old store never acknowledged renumbered from 1, in the same
-- order, as the SQLite nodes do for their peers (common/tb_store_link.c).
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE).
CREATE TABLE IF NOT EXISTS link_epoch (
    peer  text PRIMARY KEY,
    epoch bigint NOT NULL CHECK (epoch <> 0)
);
CREATE TABLE IF NOT EXISTS link_epoch_old (
    peer       text NOT NULL,
    epoch      bigint NOT NULL,
    retired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (peer, epoch)
);
-- Make e peer p's current epoch (the one before retired); with reset also
-- put the link back to its start.  The outbox moves through negative seqs so
-- no row meets another's key on the way.  A procedure: CALL answers no rows
-- (the batch would read rows as a spilled outbox read back).
CREATE OR REPLACE PROCEDURE link_epoch_set(p text, e bigint, reset boolean)
LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
BEGIN
    INSERT INTO link_epoch_old (peer, epoch)
    SELECT peer, epoch FROM link_epoch WHERE peer = p AND epoch <> e
    ON CONFLICT DO NOTHING;
    INSERT INTO link_epoch (peer, epoch) VALUES (p, e)
    ON CONFLICT (peer) DO UPDATE SET epoch = EXCLUDED.epoch;
    IF NOT reset THEN
        RETURN;
    END IF;
    UPDATE link_in SET cursor = 0 WHERE peer = p;
    a := coalesce((SELECT acked FROM link_out WHERE peer = p), 0);
    DELETE FROM outbox WHERE peer = p AND seq <= a;
    UPDATE outbox SET seq = -(seq - a) WHERE peer = p;
    UPDATE outbox SET seq = -seq WHERE peer = p AND seq < 0;
    UPDATE link_out SET last = last - acked, acked = 0 WHERE peer = p;
END
$$;
