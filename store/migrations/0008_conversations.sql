-- Conversations: what customers and the community wrote to each other in community
-- messages and comment threads, dated by VK. Dialogs, and the signs of shirking in them,
-- are rebuilt from these rows. Customers' words stay in tickets (ticket_key), where
-- retention and erasure requests reach them; the community's words are kept here.
CREATE TABLE conv_messages (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,
    group_id       INTEGER NOT NULL,
    conv           TEXT    NOT NULL,
    place          TEXT    NOT NULL,
    owner_id       INTEGER NOT NULL DEFAULT 0,
    parent_id      INTEGER NOT NULL DEFAULT 0,
    item_id        INTEGER NOT NULL DEFAULT 0,
    customer_vk_id INTEGER NOT NULL,
    side           TEXT    NOT NULL,
    admin_vk_id    INTEGER NOT NULL DEFAULT 0,
    automatic      INTEGER NOT NULL DEFAULT 0,
    text           TEXT    NOT NULL DEFAULT '',
    ticket_key     TEXT    NOT NULL DEFAULT '',
    class          TEXT    NOT NULL DEFAULT '',
    first_class    TEXT    NOT NULL DEFAULT '',
    hash           INTEGER NOT NULL DEFAULT 0,
    at             INTEGER NOT NULL,
    edited_at      INTEGER NOT NULL DEFAULT 0,
    deleted_at     INTEGER NOT NULL DEFAULT 0,
    wrote_after    INTEGER NOT NULL DEFAULT 0,
    received_at    INTEGER NOT NULL
);
-- A conversation's messages in VK's order, for rebuilding its dialogs.
CREATE INDEX conv_messages_conv ON conv_messages (conv, at);
-- One admin's uses of one reply text, newest first: the examples of a template.
CREATE INDEX conv_messages_hash ON conv_messages (group_id, hash, admin_vk_id, at) WHERE hash != 0;
-- People's replies by time, for the hourly roll-up of template uses.
CREATE INDEX conv_messages_replies ON conv_messages (at) WHERE hash != 0;
-- An operator's replies by time: their actions, for idle time.
CREATE INDEX conv_messages_admin ON conv_messages (admin_vk_id, at) WHERE admin_vk_id != 0;
-- The words retention erases (it empties them, so the index keeps only what is left).
CREATE INDEX conv_messages_words ON conv_messages (at) WHERE text != '';
-- The customers of a comment thread, for a community reply that names nobody.
CREATE INDEX conv_messages_thread ON conv_messages (group_id, place, owner_id, parent_id, at)
    WHERE place != 'message';

-- Dialogs: a customer's request and what followed, as last built. The *_ms durations are
-- in business hours when shifts are configured. reactions is "by:ms,by:ms".
-- fingerprint is a digest of everything built into the dialog and its signs: a rebuild that
-- finds the same writes nothing.
CREATE TABLE dialogs (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL,
    conv            TEXT    NOT NULL,
    place           TEXT    NOT NULL,
    customer_vk_id  INTEGER NOT NULL,
    start_key       TEXT    NOT NULL DEFAULT '',
    link            TEXT    NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    messages        INTEGER NOT NULL DEFAULT 0,
    request_at      INTEGER NOT NULL DEFAULT 0,
    first_touch_at  INTEGER NOT NULL DEFAULT 0,
    first_touch_by  INTEGER NOT NULL DEFAULT 0,
    first_touch_ms  INTEGER NOT NULL DEFAULT 0,
    first_answer_at INTEGER NOT NULL DEFAULT 0,
    first_answer_by INTEGER NOT NULL DEFAULT 0,
    first_answer_ms INTEGER NOT NULL DEFAULT 0,
    closing_at      INTEGER NOT NULL DEFAULT 0,
    closing_by      INTEGER NOT NULL DEFAULT 0,
    reactions       TEXT    NOT NULL DEFAULT '',
    waiting_since   INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    check_at        INTEGER NOT NULL DEFAULT 0,
    fingerprint     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX dialogs_conv ON dialogs (conv, started_at);
-- The hourly roll-up reads an hour's dialogs.
CREATE INDEX dialogs_started ON dialogs (started_at);
CREATE INDEX dialogs_check ON dialogs (check_at) WHERE check_at != 0;
CREATE INDEX dialogs_waiting ON dialogs (group_id, waiting_since) WHERE waiting_since != 0;

-- The waits of dialogs that ended (by a reply or a closed conversation), for idle time;
-- a wait still going on is dialogs.waiting_since.
CREATE TABLE dialog_waits (
    dialog_id INTEGER NOT NULL,
    group_id  INTEGER NOT NULL,
    from_at   INTEGER NOT NULL,
    to_at     INTEGER NOT NULL
);
CREATE INDEX dialog_waits_group ON dialog_waits (group_id, to_at, from_at);
CREATE INDEX dialog_waits_dialog ON dialog_waits (dialog_id);

-- Signs of shirking with their evidence. The words are not copied: message_key points at
-- the community's (conv_messages), ticket_key at the customer's (tickets).
CREATE TABLE signs (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,
    group_id       INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    operator_vk_id INTEGER NOT NULL DEFAULT 0,
    on_shift       TEXT    NOT NULL DEFAULT '',
    customer_vk_id INTEGER NOT NULL DEFAULT 0,
    message_key    TEXT    NOT NULL DEFAULT '',
    ticket_key     TEXT    NOT NULL DEFAULT '',
    link           TEXT    NOT NULL DEFAULT '',
    at             INTEGER NOT NULL,
    minutes        INTEGER NOT NULL DEFAULT 0,
    dialog_id      INTEGER NOT NULL DEFAULT 0,
    -- 1 for the second and later signs of one piece of evidence (several operators on shift).
    secondary      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX signs_at ON signs (at);
CREATE INDEX signs_dialog ON signs (dialog_id) WHERE dialog_id != 0;
-- A report's examples: the newest signs of one kind for one operator.
CREATE INDEX signs_list ON signs (group_id, kind, operator_vk_id, at);

-- The normalised words of each admin's reply texts, by template hash, for reports to show.
CREATE TABLE phrases (
    group_id    INTEGER NOT NULL,
    admin_vk_id INTEGER NOT NULL,
    hash        INTEGER NOT NULL,
    text        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, admin_vk_id, hash)
) WITHOUT ROWID;

-- The hourly roll-up of what reports count: per community and hour, the facts of the
-- dialogs started, the signs dated, the replies (with a template hash) written and the
-- tickets first answered in it, each list packed in one blob. A report of a month reads a
-- few hundred rows instead of every dialog and ticket. report_hours_dirty lists the hours
-- changed since they were packed; reports read those from the tables themselves until the
-- daemon packs them again.
CREATE TABLE report_hours (
    group_id INTEGER NOT NULL,
    hour     INTEGER NOT NULL,
    dialogs  BLOB    NOT NULL,
    signs    BLOB    NOT NULL,
    replies  BLOB    NOT NULL,
    answered BLOB    NOT NULL,
    PRIMARY KEY (group_id, hour)
);
CREATE TABLE report_hours_dirty (
    group_id INTEGER NOT NULL,
    hour     INTEGER NOT NULL,
    PRIMARY KEY (group_id, hour)
) WITHOUT ROWID;

-- Reports read the tickets still waiting (SLA breaches) and, from the tables, those
-- answered in the hours not packed yet.
CREATE INDEX tickets_open ON tickets (created_at) WHERE answered_at = 0;
CREATE INDEX tickets_answered ON tickets (answered_at) WHERE answered_at != 0;

-- VK's list of unanswered conversations as last read, per community.
CREATE TABLE unanswered (
    group_id   INTEGER NOT NULL,
    peer_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (group_id, peer_id)
) WITHOUT ROWID;

-- Days whose idle time must be counted again (group 0: every community's).
CREATE TABLE idle_days (
    group_id INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    PRIMARY KEY (group_id, day)
) WITHOUT ROWID;
