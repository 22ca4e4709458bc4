-- tongban county store, migration 011: complaints (投诉, issue 11).
--
-- A complaint is events on its case's stream (EventType 30..38): the
-- county reads its flow back from case_events (county_complaint.c folds
-- them with common/tb_complaint.h), so no second copy of its state is kept.
-- Its complaint id is the case_events id of its COMPLAINED row.
-- Idempotent, like 008.
CREATE INDEX IF NOT EXISTS case_events_complaint ON case_events (case_id, id)
    WHERE type BETWEEN 30 AND 38;

-- The time limits of the flow, in working days: data, like 008's.
INSERT INTO limits (name, days, note) VALUES
    ('complaint_accept_days', 5,  '投诉受理：登记后 N 个工作日内决定是否受理'),
    ('complaint_days',        13, '投诉办理期限（受理或重办后 N 个工作日）'),
    ('consult_days',          3,  '咨询/求助办理期限（受理或重办后 N 个工作日）'),
    ('revisit_days',          1,  '回访：差评评价或投诉反馈后 N 个工作日内')
    ON CONFLICT (name) DO NOTHING;

-- An overdue complaint raises a card of kind 'complaint' (a red CARD_RAISED
-- naming the complaint): open while the step it waits for is overdue.  It
-- is beside the case's own card, so the one-open-card rule is per case card.
ALTER TABLE cards DROP CONSTRAINT IF EXISTS cards_kind_check;
ALTER TABLE cards ADD CONSTRAINT cards_kind_check
    CHECK (kind IN ('deadline', 'prereview', 'complaint', 'revisit'));
ALTER TABLE cards ADD COLUMN IF NOT EXISTS complaint_id bigint;
DROP INDEX IF EXISTS cards_open;
CREATE UNIQUE INDEX IF NOT EXISTS cards_open ON cards (case_id)
    WHERE cleared_at IS NULL AND kind <> 'complaint';
CREATE UNIQUE INDEX IF NOT EXISTS cards_complaint_open ON cards (complaint_id)
    WHERE cleared_at IS NULL AND kind = 'complaint';
