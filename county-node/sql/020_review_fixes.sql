-- A county staff command exactly once (issue 9, the last review's item "a
-- county staff command can run twice when the command connection drops
-- mid-batch").
--
-- idem_key: chosen by the command line before its INSERT (county_cmd_key),
-- unique: when its connection drops and it never saw the commit, it
-- reconnects and inserts again with the same key, which finds the row it made
-- instead of making a second (county_command).
--
-- taken_by: a number from the sequence county_command_take, new each time the
-- daemon takes the row.  A reconnecting daemon puts every 'taken' row back to
-- 'new' and takes it again; a batch of the connection it gave up may still be
-- running at the server and commit later.  county_command_done marks a
-- command done (or refused) only while the row is still taken under the
-- number that batch took it with, and otherwise raises, so the whole batch
-- with the command's event rolls back: the command is applied by one batch
-- only.  SQLSTATE 40001 (not a data error: the daemon reloads, it does not
-- look for a poison message).
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE).
ALTER TABLE county_commands ADD COLUMN IF NOT EXISTS idem_key text;
CREATE UNIQUE INDEX IF NOT EXISTS county_commands_idem_key ON county_commands (idem_key);
ALTER TABLE county_commands ADD COLUMN IF NOT EXISTS taken_by bigint NOT NULL DEFAULT 0;
CREATE SEQUENCE IF NOT EXISTS county_command_take;

-- A procedure: CALL answers no rows (the batch reads rows as a spilled outbox read back).
CREATE OR REPLACE PROCEDURE county_command_done(p_id bigint, p_status text, p_error text,
                                                p_taken bigint)
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE county_commands SET status = p_status, error = p_error, done_at = now()
     WHERE id = p_id AND status = 'taken' AND taken_by = p_taken;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'command % is no longer taken under %', p_id, p_taken
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$$;
