-- Delivered messages and the buttons of closed cases are deleted once they are older than
-- telegram.keep_sent (PruneDelivered). The hourly pass looks for old rows: these indexes
-- keep it from reading both tables whole each time.
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX buttons_created ON buttons (created_at);
