-- What ranks a sign among its kind for the digest's worst examples and the alert's: the
-- moment that ends (or, for a repeat contact and a conversation closed without a reply,
-- begins) the stretch it measures; 0 while the customer still waits. Signs found before
-- this column existed keep 0 and rank as still waiting until their dialog is rebuilt.
ALTER TABLE signs ADD COLUMN until INTEGER NOT NULL DEFAULT 0;
