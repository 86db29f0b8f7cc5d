-- Long-poll updates that could not be decoded, kept as VK sent them: the watcher's position
-- moves past them in the same transaction, so this table is all that is left of them.
-- `modwatch events quarantined` lists them. raw may hold a customer's words: retention and
-- erasure delete rows. digest (SHA-256 of raw) keeps a redelivered update once.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL DEFAULT '',
    raw         BLOB    NOT NULL,
    size        INTEGER NOT NULL,
    error       TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    digest      TEXT    NOT NULL,
    UNIQUE (group_id, digest)
);
-- Retention deletes by age.
CREATE INDEX quarantine_received ON quarantine (received_at);
