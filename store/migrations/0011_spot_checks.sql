-- Spot checks: a manager reads a random dialog of an operator and grades it Good or Bad.
-- A dialog is named by its conversation and its start (dialogs are rebuilt with new ids),
-- and is spot-checked at most once: UNIQUE (conv, started_at). manager_tg is who it was
-- sent to (0: nobody could take it); chat_id and tg_msg_id where it was shown, so that a
-- reply to it is found after the outbox forgot the message (telegram.keep_sent).
CREATE TABLE spot_checks (
    id              INTEGER PRIMARY KEY,
    round_at        INTEGER NOT NULL,
    requested_by    TEXT    NOT NULL DEFAULT '',
    group_id        INTEGER NOT NULL,
    conv            TEXT    NOT NULL,
    place           TEXT    NOT NULL,
    customer_vk_id  INTEGER NOT NULL,
    link            TEXT    NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    operator_vk_id  INTEGER NOT NULL,
    operator        TEXT    NOT NULL,
    manager         TEXT    NOT NULL DEFAULT '',
    manager_tg      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL DEFAULT 0,
    tg_msg_id       INTEGER NOT NULL DEFAULT 0,
    verdict         TEXT    NOT NULL DEFAULT '',
    verdict_by      TEXT    NOT NULL DEFAULT '',
    verdict_tg      INTEGER NOT NULL DEFAULT 0,
    verdict_at      INTEGER NOT NULL DEFAULT 0,
    comment         TEXT    NOT NULL DEFAULT '',
    UNIQUE (conv, started_at)
);
-- Reports count the verdicts given in a period.
CREATE INDEX spot_checks_verdict ON spot_checks (verdict_at) WHERE verdict != '';
CREATE INDEX spot_checks_created ON spot_checks (created_at);
-- A reply to a spot check's message names the chat and the message.
CREATE INDEX spot_checks_message ON spot_checks (chat_id, tg_msg_id) WHERE tg_msg_id != 0;

-- The audit trail of spot checks: sent, graded, regraded, commented, passed on, lost.
CREATE TABLE spot_check_trail (
    id            INTEGER PRIMARY KEY,
    spot_check_id INTEGER NOT NULL REFERENCES spot_checks (id),
    action        TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    telegram_id   INTEGER NOT NULL DEFAULT 0,
    at            INTEGER NOT NULL,
    detail        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX spot_check_trail_check ON spot_check_trail (spot_check_id, id);

-- A spot check's Good and Bad buttons name it, not a case.
ALTER TABLE buttons ADD COLUMN spot_check_id INTEGER NOT NULL DEFAULT 0;
