-- Link epochs (issue 9, proto Envelope.epoch): the county's own store epoch,
-- a random non-zero 64-bit number drawn once when this database is created
-- (64 bits of the MD5 of a random UUID), sent in every envelope the county
-- sends, so a township can tell a replaced county database from the one it
-- knew.  (The county does not yet check its townships' epochs: its
-- asynchronous link backend keeps none.)
--
-- Written to run again over itself (IF NOT EXISTS, WHERE NOT EXISTS).
CREATE TABLE IF NOT EXISTS store_epoch (
    epoch bigint NOT NULL CHECK (epoch <> 0)
);
INSERT INTO store_epoch (epoch)
SELECT CASE WHEN e = 0 THEN 1 ELSE e END
FROM (SELECT ('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint AS e) r
WHERE NOT EXISTS (SELECT 1 FROM store_epoch);
