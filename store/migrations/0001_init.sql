-- Moderation events as VK delivered them. key is unique: VK delivers the same event
-- several times, and it is stored once. What a customer wrote lives in tickets only (linked
-- by ticket_key), so that retention and a person's erasure request reach every copy.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,
    group_id       INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    actor_vk_id    INTEGER NOT NULL DEFAULT 0,
    actor_name     TEXT    NOT NULL DEFAULT '',
    user_vk_id     INTEGER NOT NULL DEFAULT 0,
    user_name      TEXT    NOT NULL DEFAULT '',
    vk_reason      INTEGER NOT NULL DEFAULT 0,
    comment        TEXT    NOT NULL DEFAULT '',
    until          INTEGER NOT NULL DEFAULT 0,
    expired        INTEGER NOT NULL DEFAULT 0,
    at             INTEGER NOT NULL DEFAULT 0,
    source         TEXT    NOT NULL DEFAULT '',
    item_group     INTEGER NOT NULL DEFAULT 0,
    item_place     TEXT    NOT NULL DEFAULT '',
    item_owner     INTEGER NOT NULL DEFAULT 0,
    item_parent    INTEGER NOT NULL DEFAULT 0,
    item_id        INTEGER NOT NULL DEFAULT 0,
    reply_group    INTEGER NOT NULL DEFAULT 0,
    reply_place    TEXT    NOT NULL DEFAULT '',
    reply_owner    INTEGER NOT NULL DEFAULT 0,
    reply_parent   INTEGER NOT NULL DEFAULT 0,
    reply_item_id  INTEGER NOT NULL DEFAULT 0,
    ticket_key     TEXT    NOT NULL DEFAULT '',
    received_at    INTEGER NOT NULL
);
-- Only the indexes a query needs: every event of a burst updates each of them.
-- The wave check counts an admin's recent actions.
CREATE INDEX events_actor ON events (group_id, actor_vk_id, kind, at);
-- Reconciliation and erasure find a user's events (user first, so erasure needs no group).
CREATE INDEX events_user ON events (user_vk_id, group_id, kind);

-- Cases: one admin action that needs a reason and a decision. version guards against
-- lost updates: a save from a stale copy matches no row.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL,
    event_key    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    actor_vk_id  INTEGER NOT NULL,
    operator     TEXT    NOT NULL DEFAULT '',
    user_vk_id   INTEGER NOT NULL DEFAULT 0,
    user_name    TEXT    NOT NULL DEFAULT '',
    vk_reason    INTEGER NOT NULL DEFAULT 0,
    vk_comment   TEXT    NOT NULL DEFAULT '',
    acted_at     INTEGER NOT NULL DEFAULT 0,
    until        INTEGER NOT NULL DEFAULT 0,
    source       TEXT    NOT NULL DEFAULT '',
    item_group   INTEGER NOT NULL DEFAULT 0,
    item_place   TEXT    NOT NULL DEFAULT '',
    item_owner   INTEGER NOT NULL DEFAULT 0,
    item_parent  INTEGER NOT NULL DEFAULT 0,
    item_id      INTEGER NOT NULL DEFAULT 0,
    severe       INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL,
    resolution   TEXT    NOT NULL DEFAULT '',
    opened_at    INTEGER NOT NULL,
    deadline     INTEGER NOT NULL,
    remind_at    INTEGER NOT NULL DEFAULT 0,
    reminded     INTEGER NOT NULL DEFAULT 0,
    overdue      INTEGER NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL DEFAULT '',
    reason_text  TEXT    NOT NULL DEFAULT '',
    justified_at INTEGER NOT NULL DEFAULT 0,
    resolved_at  INTEGER NOT NULL DEFAULT 0,
    resolved_by  TEXT    NOT NULL DEFAULT '',
    undo_problem TEXT    NOT NULL DEFAULT '',
    undo_note    TEXT    NOT NULL DEFAULT '',
    batch_id     INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_subject ON cases (group_id, user_vk_id, kind, state);
CREATE INDEX cases_state ON cases (state, deadline);
CREATE INDEX cases_event ON cases (event_key);
CREATE INDEX cases_item ON cases (item_place, item_owner, item_parent, item_id, state);
CREATE INDEX cases_opened ON cases (opened_at);
CREATE INDEX cases_user ON cases (user_vk_id);
CREATE INDEX cases_batch ON cases (batch_id, state);

-- Batches: a wave of one operator's actions asked about and reviewed as one. Each member
-- stays a case (cases.batch_id) with its own decisions.
CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    operator     TEXT    NOT NULL,
    actor_vk_id  INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL,
    opened_at    INTEGER NOT NULL,
    deadline     INTEGER NOT NULL,
    remind_at    INTEGER NOT NULL DEFAULT 0,
    reminded     INTEGER NOT NULL DEFAULT 0,
    overdue      INTEGER NOT NULL DEFAULT 0,
    shown        INTEGER NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL DEFAULT '',
    reason_text  TEXT    NOT NULL DEFAULT '',
    justified_at INTEGER NOT NULL DEFAULT 0,
    resolved_by  TEXT    NOT NULL DEFAULT '',
    resolved_at  INTEGER NOT NULL DEFAULT 0,
    split        INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX batches_open ON batches (group_id, operator, kind, state);

-- The audit trail: rows are only ever added.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    action      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    telegram_id INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX decisions_case ON decisions (case_id, id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

-- Messages to people, written with the change that causes them and sent after.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL DEFAULT 0,
    chat_id      INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    edit_of      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL DEFAULT 0,
    tg_msg_id    INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    failed       INTEGER NOT NULL DEFAULT 0,
    payload      TEXT    NOT NULL DEFAULT '',
    alert_key    TEXT    NOT NULL DEFAULT '',
    batch_id     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (sent_at, failed, next_attempt, id);
CREATE INDEX outbox_case ON outbox (case_id, kind, edit_of);
-- An alert's original messages, found on every repeat of the alert (a wave repeats per ban).
CREATE INDEX outbox_alert ON outbox (alert_key, kind, created_at, id) WHERE edit_of = 0 AND alert_key != '';
CREATE INDEX outbox_batch ON outbox (batch_id, kind, edit_of);
CREATE INDEX outbox_edits ON outbox (edit_of, chat_id);

-- What customers wrote (VK comments, posts, messages; imported help-desk tickets). text is
-- emptied by retention and by a person's erasure request; the rest stays for the figures.
CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    group_id     INTEGER NOT NULL,
    place        TEXT    NOT NULL,
    owner_id     INTEGER NOT NULL DEFAULT 0,
    parent_id    INTEGER NOT NULL DEFAULT 0,
    item_id      INTEGER NOT NULL DEFAULT 0,
    author_vk_id INTEGER NOT NULL DEFAULT 0,
    author_name  TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL DEFAULT '',
    attachments  TEXT    NOT NULL DEFAULT '',
    link         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL DEFAULT 0,
    answered_at  INTEGER NOT NULL DEFAULT 0,
    answered_by  INTEGER NOT NULL DEFAULT 0,
    deleted_at   INTEGER NOT NULL DEFAULT 0,
    deleted_by   INTEGER NOT NULL DEFAULT 0,
    external_id  TEXT    NOT NULL DEFAULT '',
    subject      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT '',
    forgotten    INTEGER NOT NULL DEFAULT 0
);
-- By author first: a customer's tickets are looked up in their community plus group 0
-- (TicketsOf: two index ranges; the ORDER BY then sorts only that customer's rows), and
-- across every community by an erasure request (ForgetPerson).
CREATE INDEX tickets_author ON tickets (author_vk_id, group_id, created_at);
CREATE INDEX tickets_thread ON tickets (group_id, place, owner_id, parent_id, answered_at);
CREATE INDEX tickets_created ON tickets (created_at);

-- Earlier texts of edited tickets.
CREATE TABLE ticket_edits (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    text       TEXT    NOT NULL,
    replaced_at INTEGER NOT NULL
);
CREATE INDEX ticket_edits_ticket ON ticket_edits (ticket_id);

-- Alert groups: repeats of one key within the window update one message.
CREATE TABLE alerts (
    key      TEXT PRIMARY KEY,
    first_at INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    alert    TEXT    NOT NULL
);

-- Watchers' positions (VK long-poll ts, the Telegram update offset).
CREATE TABLE cursors (
    key        TEXT PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- What the bot asked a person to type.
CREATE TABLE pending_inputs (
    telegram_id INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    batch_id    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

-- The meaning of inline buttons; Telegram carries only the token.
CREATE TABLE buttons (
    token       TEXT PRIMARY KEY,
    case_id     INTEGER NOT NULL,
    telegram_id INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    batch_id    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX buttons_case ON buttons (case_id);
