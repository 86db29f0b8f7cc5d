-- Packing one community's changed hour of the report's roll-up reads that community's rows
-- of that hour: by community, then time. The indexes on time alone read every community's
-- rows of the hour, once for each community packed; those that start with the community
-- and go on by something else read its whole history.
CREATE INDEX tickets_group_answered ON tickets (group_id, answered_at) WHERE answered_at != 0;
CREATE INDEX dialogs_group_started ON dialogs (group_id, started_at);
CREATE INDEX signs_group_at ON signs (group_id, at);
CREATE INDEX conv_messages_group_replies ON conv_messages (group_id, at) WHERE hash != 0;
