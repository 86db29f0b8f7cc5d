-- position is an event's place in its community's stream (VK's long-poll ts; 0 when
-- unknown). history marks an event older than the ban list already reconciled: it is
-- kept for the record but was never acted upon, so the queries that decide what to do
-- next (active bans, waves) leave it out.
ALTER TABLE events ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
