-- Accounts travel to the nodes like the catalog (issue 8): a signed data
-- version of kind "accounts/<scope>" per township (its whole subtree) and per
-- village (its own accounts), relayed by the township.  A snapshot is made
-- when an account in the scope's subtree changed since the last one (high:
-- the largest account version it holds); versions count 1, 2, ... per scope.
CREATE TABLE IF NOT EXISTS account_snapshots (
    scope   text    NOT NULL CHECK (scope ~ '^[0-9]{12}$'),
    version integer NOT NULL CHECK (version >= 1),
    high    bigint  NOT NULL,
    body    text    NOT NULL,
    PRIMARY KEY (scope, version)
);
ALTER TABLE data_sent DROP CONSTRAINT IF EXISTS data_sent_kind_check;
ALTER TABLE data_sent ADD CONSTRAINT data_sent_kind_check
    CHECK (kind IN ('catalog', 'calendar') OR kind ~ '^accounts/[0-9]{12}$');
