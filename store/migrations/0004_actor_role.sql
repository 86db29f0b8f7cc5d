-- The role of the configured person who acted. Managers and owners who also moderate in
-- VK are attributed like operators (before, only operators were), and the record keeps the
-- role they had when they acted, whatever the config says later. Cases and batches
-- attributed before this migration were operators'.
ALTER TABLE cases ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';
UPDATE cases SET actor_role = 'operator' WHERE operator <> '';
ALTER TABLE batches ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';
UPDATE batches SET actor_role = 'operator' WHERE operator <> '';
