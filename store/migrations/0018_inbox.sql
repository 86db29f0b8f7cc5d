-- Long-poll answers as they came, until they are derived: a watcher records an answer's
-- events here with its position in one short transaction and reads VK again at once; the
-- inbox's deriver turns them into events, tickets, cases and dialogs and deletes them in
-- the same transaction. AUTOINCREMENT keeps IDs growing even when the inbox empties,
-- since the deriver tells what it already planned by ID.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    event       BLOB NOT NULL
);
