-- tongban county store, migration 012: the 好差评 loop (issue 11; 国办发〔2019〕51号).
--
-- A 差评 (the two lowest levels, 1 非常不满意 and 2 不满意) opens a
-- rectification owned by whoever handled the case (谁办理、谁负责): the unit
-- that decided or refused it, or for a case never decided (a consultation
-- answered at once) the unit that logged it.  The database opens it itself,
-- from the projection, so no writer has to know: the trigger below fires
-- when a case's rating goes from none to 1..2.
--
-- Its deadlines are working days (limits revisit_days, rectify_days: data),
-- counted by the daemon with the calendar in force (county_rating.c) and
-- written the first time it sees the row; a named 差评 not revisited by its
-- deadline raises a red card of kind 'revisit' through the card timer.
--
-- Staff steps (tongban-county ratings revisit|rectify|followup|appeal|review)
-- each update one row and append one rating_audit row in one transaction.
-- An approved appeal (申诉复核) takes the rating out of the statistics'
-- 评议/满意/差评 counts (county_stats.c), never out of the case.
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE, ON CONFLICT).

INSERT INTO limits (name, days, note) VALUES
    ('revisit_days',  1, '回访：差评评价或投诉反馈后 N 个工作日内'),
    ('rectify_days', 15, '差评整改：评价后 N 个工作日内')
    ON CONFLICT (name) DO NOTHING;

ALTER TABLE cards DROP CONSTRAINT IF EXISTS cards_kind_check;
ALTER TABLE cards ADD CONSTRAINT cards_kind_check
    CHECK (kind IN ('deadline', 'prereview', 'complaint', 'revisit'));

--   channel     village (现场, at the village) | window (现场, at the township's window)
--   named       the resident gave a name and phone (实名): a late 回访 is a card
--   owner       the unit responsible (谁办理、谁负责)
--   outcome     immediate 立行立改 | deadline 限期整改 | explain 解释说明
--   appeal      none | pending | approved | refused
CREATE TABLE IF NOT EXISTS rectifications (
    case_id          text        PRIMARY KEY,
    rating           smallint    NOT NULL CHECK (rating BETWEEN 1 AND 2),
    comment          text        NOT NULL,
    channel          text        NOT NULL CHECK (channel IN ('village', 'window', 'online')),
    named            boolean     NOT NULL,
    rated_at         timestamptz NOT NULL,
    owner            text        NOT NULL,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    revisit_due      timestamptz,
    rectify_due      timestamptz,
    revisited_at     timestamptz,
    revisited_by     text,
    revisit_note     text,
    rectified_at     timestamptz,
    rectified_by     text,
    outcome          text CHECK (outcome IN ('immediate', 'deadline', 'explain')),
    rectify_note     text,
    followup         smallint CHECK (followup BETWEEN 1 AND 5),
    followup_comment text,
    followup_at      timestamptz,
    appeal           text        NOT NULL DEFAULT 'none'
                     CHECK (appeal IN ('none', 'pending', 'approved', 'refused')),
    appeal_kind      text CHECK (appeal_kind IN ('mistaken', 'malicious')),
    appeal_reason    text,
    appealed_at      timestamptz,
    appealed_by      text,
    reviewed_at      timestamptz,
    reviewed_by      text,
    review_note      text
);
CREATE INDEX IF NOT EXISTS rectifications_open ON rectifications (revisit_due)
    WHERE revisited_at IS NULL;
CREATE INDEX IF NOT EXISTS rectifications_owner ON rectifications (owner);

CREATE OR REPLACE FUNCTION rectification_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rated record;
    owner text;
BEGIN
    SELECT origin_node, at INTO rated FROM case_events
     WHERE case_id = NEW.case_id AND type = 15 AND folded ORDER BY id LIMIT 1;
    SELECT origin_node INTO owner FROM case_events
     WHERE case_id = NEW.case_id AND type IN (9, 10) AND folded ORDER BY id DESC LIMIT 1;
    INSERT INTO rectifications (case_id, rating, comment, channel, named, rated_at, owner)
    VALUES (NEW.case_id, NEW.rating, NEW.rating_comment,
            CASE WHEN right(coalesce(rated.origin_node, NEW.origin), 3) = '000'
                 THEN 'window' ELSE 'village' END,
            NEW.client_name <> '' AND NEW.client_phone <> '',
            coalesce(rated.at, NEW.updated_at), coalesce(owner, NEW.origin))
    ON CONFLICT (case_id) DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS cases_rectification_open ON cases;
CREATE TRIGGER cases_rectification_open AFTER UPDATE OF rating ON cases
    FOR EACH ROW WHEN (OLD.rating = 0 AND NEW.rating BETWEEN 1 AND 2)
    EXECUTE FUNCTION rectification_open();

-- Every staff step on a rectification, append-only (audit_append_only, 005).
CREATE TABLE IF NOT EXISTS rating_audit (
    id      bigserial   PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text        NOT NULL,
    case_id text        NOT NULL,
    action  text        NOT NULL
            CHECK (action IN ('revisit', 'rectify', 'followup', 'appeal', 'review')),
    detail  text        NOT NULL DEFAULT ''
);
CREATE OR REPLACE TRIGGER rating_audit_append_only BEFORE UPDATE OR DELETE ON rating_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER rating_audit_no_truncate BEFORE TRUNCATE ON rating_audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- A step wakes the daemon (a 回访 clears its card at once).
DROP TRIGGER IF EXISTS rectifications_notify ON rectifications;
CREATE TRIGGER rectifications_notify AFTER INSERT OR UPDATE ON rectifications
    FOR EACH STATEMENT EXECUTE FUNCTION intake_notify();
