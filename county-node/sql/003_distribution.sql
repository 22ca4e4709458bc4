-- Distribution of the catalog and calendar versions (proto DataVersion).
-- Per township and kind, the newest version the county queued to it.  Written
-- in the same batch (transaction) as the outbox row carrying the version, so
-- each version is queued exactly once per township; a township missing here,
-- or behind the newest imported version, is sent the newest at once.
CREATE TABLE data_sent (
    peer    text    NOT NULL,
    kind    text    NOT NULL CHECK (kind IN ('catalog', 'calendar')),
    version integer NOT NULL,
    PRIMARY KEY (peer, kind)
);
