-- Team chats. A message to a forum supergroup names its topic (message_thread_id); an edit
-- copies its original's. team_chats keeps what Telegram taught about the chats the config
-- names: a group upgraded to a supergroup has a new id (moved_to), which the config may go
-- on naming; a chat the bot was removed from, or may no longer write to, is lost (lost_at)
-- until it is back, and meanwhile reviews and alerts go to people privately.
ALTER TABLE outbox ADD COLUMN topic INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_chat ON outbox (chat_id, kind, edit_of);
CREATE TABLE team_chats (
    chat_id    INTEGER PRIMARY KEY,
    moved_to   INTEGER NOT NULL DEFAULT 0,
    lost_at    INTEGER NOT NULL DEFAULT 0,
    lost_why   TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
