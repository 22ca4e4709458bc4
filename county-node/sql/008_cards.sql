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
