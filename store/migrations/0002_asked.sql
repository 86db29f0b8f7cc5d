-- A case's deadline runs from the moment its operator's prompt (its own, or its batch's)
-- was delivered, not from when it was opened: asked_at is that moment, 0 until then, and
-- an unasked case is never due. not_asked marks a case (or batch) whose prompt could not be
-- delivered at all and went to the managers as "the operator could not be asked".
ALTER TABLE cases ADD COLUMN asked_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN not_asked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN asked_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN not_asked INTEGER NOT NULL DEFAULT 0;

-- A message Telegram refused as written and took in its short form: its later edits go
-- short at once instead of being refused again.
ALTER TABLE outbox ADD COLUMN short INTEGER NOT NULL DEFAULT 0;

-- Cases and batches opened before kept their deadlines counted from the opening: they
-- count as asked then, so that they still come due.
UPDATE cases SET asked_at = opened_at WHERE operator != '';
UPDATE batches SET asked_at = opened_at;
