-- tongban county store, migration 014: the rating as GB/T 39735-2020 has it
-- (issue 11).  A RATED event from a village or a window may carry the four
-- offline indicators (CaseEvent fields 50..53, all four or none, checked on
-- the wire); the county keeps them here, one row per case (the first rating:
-- 一事一评), written by the batch that folds the event (county_record.c).
--   channel  village (现场, at the village) | window (现场, at the township's
--            window): the level of the node that recorded it, never typed
-- /api/ratings and `ratings show` read it; the case's timeline shows the
-- indicators in the event's detail.
-- Written to run again over itself (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS rating_indicators (
    case_id     text        PRIMARY KEY,
    rating      smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    overall     smallint    NOT NULL CHECK (overall BETWEEN 1 AND 5),     -- 整体满意度
    efficiency  smallint    NOT NULL CHECK (efficiency BETWEEN 1 AND 5),  -- 服务效率
    skill       smallint    NOT NULL CHECK (skill BETWEEN 1 AND 5),       -- 服务水平
    attitude    smallint    NOT NULL CHECK (attitude BETWEEN 1 AND 5),    -- 服务态度
    channel     text        NOT NULL CHECK (channel IN ('village', 'window')),
    origin_node text        NOT NULL,
    rated_at    timestamptz NOT NULL
);
