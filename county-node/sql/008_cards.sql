-- tongban county store, migration 008: supervision (电子监察, issue 11).
--
-- limits: the time limits supervision counts with, in working days, data the
-- county owns (`tongban-county limits list|set`); the daemon reloads them
-- when `version` grows.  The defaults are issue 11's.  Idempotent (IF NOT
-- EXISTS, ON CONFLICT), like 005: a store taken back to an older schema
-- version re-applies it (tests/unit/test-county-fold.c).
CREATE SEQUENCE IF NOT EXISTS limits_version;
CREATE TABLE IF NOT EXISTS limits (
    name        text PRIMARY KEY,
    days        integer     NOT NULL CHECK (days BETWEEN 1 AND 60),
    note        text        NOT NULL,
    version     bigint      NOT NULL DEFAULT nextval('limits_version'),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    changed_by  text        NOT NULL DEFAULT 'default'
);
INSERT INTO limits (name, days, note) VALUES
    ('yellow_days',    1, '黄牌：期限在 N 个工作日内到期'),
    ('prereview_days', 2, '预审环节时限（到达后 N 个工作日）'),
    ('reply_days',     3, '督办反馈期限的默认值'),
    ('urge_days',      1, '催办：督办到期后第 N 个工作日'),
    ('circulate_days', 5, '通报：督办到期后第 N 个工作日')
    ON CONFLICT (name) DO NOTHING;

-- cards: one row per card the county's timer raised (county_cards.c).  The
-- card board of the dashboard reads it; keep the columns stable.
--   id           the origin_seq of the county's CARD_RAISED event (case_events)
--   case_id      the case
--   level        yellow (due within yellow_days working days) | red (overdue)
--   kind         deadline (the promised limit from 受理) | prereview (the step)
--   raised_at    when the case crossed the line (the timer's instant)
--   due_at       the deadline watched, pauses excluded
--   holder       the node holding the case then
--   responsible  the person of the holder's last step on the case then ('' if none)
--   cleared_at   when the case moved out of the condition (NULL: open)
--   cleared_why  why: the state it moved to, 'paused', 'red' (a yellow card
--                replaced by a red one), 'limits'
--   read_at      when the holder's screen showed it (NULL: not yet)
-- At most one open card per case.
CREATE TABLE IF NOT EXISTS cards (
    id          bigint      PRIMARY KEY,
    case_id     text        NOT NULL,
    level       text        NOT NULL CHECK (level IN ('yellow', 'red')),
    kind        text        NOT NULL CHECK (kind IN ('deadline', 'prereview')),
    raised_at   timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    holder      text        NOT NULL,
    responsible text        NOT NULL DEFAULT '',
    cleared_at  timestamptz,
    cleared_why text,
    read_at     timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS cards_open ON cards (case_id) WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS cards_case ON cards (case_id);
CREATE INDEX IF NOT EXISTS cards_raised ON cards (raised_at);

-- 督办 (supervision orders): `tongban-county supervise` hands the order to the
-- daemon through county_commands (its due day in due_ms, the card it is
-- about in card_id); the daemon emits SUPERVISED (its origin_seq is the
-- order's id) and inserts the row.  The holder's 反馈 (SUPERVISION_REPLY)
-- answers every open order on the case (the trigger below); 催办 and 通报 are
-- stamped by the daemon when the order is urge_days / circulate_days working
-- days past its due day without a reply.
ALTER TABLE county_commands ADD COLUMN IF NOT EXISTS due_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE county_commands ADD COLUMN IF NOT EXISTS card_id bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS supervisions (
    id            bigint      PRIMARY KEY,  -- the origin_seq of the county's SUPERVISED event
    case_id       text        NOT NULL,
    card_id       bigint,                   -- the card it is about (cards.id), or NULL
    text          text        NOT NULL,
    due_at        timestamptz NOT NULL,     -- the last millisecond of the due day (CST)
    issued_at     timestamptz NOT NULL,
    issued_by     text        NOT NULL,
    holder        text        NOT NULL,     -- the holder it was addressed to
    replied_at    timestamptz,
    reply         text,
    urged_at      timestamptz,              -- 催办
    circulated_at timestamptz               -- 通报
);
CREATE INDEX IF NOT EXISTS supervisions_open ON supervisions (due_at) WHERE replied_at IS NULL;
CREATE INDEX IF NOT EXISTS supervisions_case ON supervisions (case_id);
CREATE OR REPLACE FUNCTION supervision_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE supervisions SET replied_at = NEW.at, reply = NEW.reason
     WHERE case_id = NEW.case_id AND replied_at IS NULL;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS case_events_supervision_reply ON case_events;
CREATE TRIGGER case_events_supervision_reply AFTER INSERT ON case_events
    FOR EACH ROW WHEN (NEW.type = 22 AND NEW.folded) EXECUTE FUNCTION supervision_reply();

-- The county loop stays free: what staff write wakes the daemon by NOTIFY
-- (county_notify.c) instead of a query every 300 ms; a slow safety poll stays.
CREATE OR REPLACE FUNCTION intake_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tongban_intake', TG_TABLE_NAME);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS county_commands_notify ON county_commands;
CREATE TRIGGER county_commands_notify AFTER INSERT ON county_commands
    FOR EACH STATEMENT EXECUTE FUNCTION intake_notify();
DROP TRIGGER IF EXISTS catalog_versions_notify ON catalog_versions;
CREATE TRIGGER catalog_versions_notify AFTER INSERT ON catalog_versions
    FOR EACH STATEMENT EXECUTE FUNCTION intake_notify();
DROP TRIGGER IF EXISTS calendar_versions_notify ON calendar_versions;
CREATE TRIGGER calendar_versions_notify AFTER INSERT ON calendar_versions
    FOR EACH STATEMENT EXECUTE FUNCTION intake_notify();
DROP TRIGGER IF EXISTS limits_notify ON limits;
CREATE TRIGGER limits_notify AFTER UPDATE ON limits
    FOR EACH STATEMENT EXECUTE FUNCTION intake_notify();
