-- tongban county store, schema version 1.
-- Applied once, in a transaction, by tongban-county at start (see county-node/README.md).

-- Every event ever accepted from the network, append-only; (origin_node, origin_seq) is its id.
CREATE TABLE case_events (
    id          bigserial PRIMARY KEY,
    origin_node text        NOT NULL,
    origin_seq  bigint      NOT NULL,
    case_id     text        NOT NULL,
    type        smallint    NOT NULL,
    type_name   text        NOT NULL,
    actor       text        NOT NULL,
    at          timestamptz NOT NULL,
    target      text        NOT NULL,
    reason      text        NOT NULL,
    via         text        NOT NULL,   -- the link (township) it arrived on, or the county itself
    folded      boolean     NOT NULL,   -- false: breaks the rules, kept but not applied
    body        bytea       NOT NULL,   -- the packed tongban.v1.Item as received
    stored_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (origin_node, origin_seq)
);
CREATE INDEX case_events_case ON case_events (case_id);

-- The projection: each case's current state, the fold of its events.
CREATE TABLE cases (
    case_id         text PRIMARY KEY,
    origin          text        NOT NULL,
    client_name     text        NOT NULL,
    client_phone    text        NOT NULL,
    agent           text        NOT NULL,
    item_code       text        NOT NULL,
    note            text        NOT NULL,
    accept_time     timestamptz NOT NULL,
    completion_time timestamptz,
    result          text,
    state           text        NOT NULL,
    holder          text        NOT NULL,
    pending         text        NOT NULL,
    version         integer     NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX cases_holder ON cases (holder);

-- Durable links: receive cursors, send state and the outbox of unacknowledged messages.
CREATE TABLE link_in  (peer text PRIMARY KEY, cursor bigint NOT NULL);
CREATE TABLE link_out (peer text PRIMARY KEY, last bigint NOT NULL, acked bigint NOT NULL);
CREATE TABLE outbox (
    peer text   NOT NULL,
    seq  bigint NOT NULL,
    body bytea  NOT NULL,
    PRIMARY KEY (peer, seq)
);
CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);

-- Messages that arrived in order but could not be used: kept, never lost.
CREATE TABLE quarantine (
    peer text NOT NULL,
    seq  bigint NOT NULL,
    body bytea NOT NULL,
    why  text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
