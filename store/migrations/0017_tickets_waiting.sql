-- The tickets nobody answered, by community and age, with every column the SLA rule reads:
-- a report counts each community's breaches (GROUP BY group_id) and lists its longest
-- waits (the first rows of its range) from this index alone, without reading the rows of
-- the hundreds of thousands of tickets a busy community may leave waiting.
CREATE INDEX tickets_waiting ON tickets (group_id, created_at, deleted_at, place, status) WHERE answered_at = 0;
