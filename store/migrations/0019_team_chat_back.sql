-- When the bot was last found able to write to a team chat again (0: never lost, or lost
-- before this column existed). A refusal of a message sent before then is stale and does
-- not lose the chat again.
ALTER TABLE team_chats ADD COLUMN back_at INTEGER NOT NULL DEFAULT 0;
