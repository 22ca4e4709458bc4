-- tongban county store, schema version 2: the case lifecycle (issue 3).

-- The whole fold of each case (tb_case_encode), so the county reloads exactly
-- what it validated with, and what the fold implies for people and statistics.
ALTER TABLE cases
    ADD COLUMN fold           text        NOT NULL DEFAULT '',
    ADD COLUMN due_at         timestamptz,            -- promised (or pre-review) deadline; NULL: no clock
    ADD COLUMN legal_due_at   timestamptz,
    ADD COLUMN paused         boolean     NOT NULL DEFAULT false,  -- clock stopped (补正, 挂起)
    ADD COLUMN to_bring       text        NOT NULL DEFAULT '',     -- materials missing or owed
    ADD COLUMN rating         smallint    NOT NULL DEFAULT 0,      -- 好差评 1..5, 0 none
    ADD COLUMN rating_comment text        NOT NULL DEFAULT '',
    ADD COLUMN decision       smallint    NOT NULL DEFAULT 0;      -- 1 准予, 2 不予许可
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;

-- What an event says beyond its type (materials, basis, decision, rating), and
-- for an event the county refused, the rule it broke.
ALTER TABLE case_events
    ADD COLUMN detail   text NOT NULL DEFAULT '',
    ADD COLUMN rejected text NOT NULL DEFAULT '';

-- Steps county staff type (decide, result, suspend, resume).  The command
-- line inserts a row; the county daemon takes it, validates it with the same
-- state machine against its state, and in the batch that records the event
-- marks it done, or refused with the rule it broke.
CREATE TABLE county_commands (
    id         bigserial   PRIMARY KEY,
    case_id    text        NOT NULL,
    type       smallint    NOT NULL,
    actor      text        NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    basis      text        NOT NULL DEFAULT '',
    decision   smallint    NOT NULL DEFAULT 0,
    status     text        NOT NULL DEFAULT 'new',   -- new, taken, done, refused
    error      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at    timestamptz
);
CREATE INDEX county_commands_open ON county_commands (id) WHERE status IN ('new', 'taken');

-- The service item catalog the county owns, one row per imported version
-- (tongban-county catalog import FILE); the newest is in force.
CREATE TABLE catalog_versions (
    version     serial      PRIMARY KEY,
    imported_at timestamptz NOT NULL DEFAULT now(),
    source      text        NOT NULL,
    body        text        NOT NULL     -- the CSV as imported
);
CREATE TABLE calendar_versions (
    version     serial      PRIMARY KEY,
    imported_at timestamptz NOT NULL DEFAULT now(),
    source      text        NOT NULL,
    body        text        NOT NULL
);
