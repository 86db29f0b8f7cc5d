package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.OutboxStore = (*Tx)(nil)

const messageColumns = `id, case_id, chat_id, kind, edit_of, created_at, sent_at, tg_msg_id, attempts,
	next_attempt, last_error, failed, payload, batch_id, short, topic`

// queryMessages lists the outbox messages a WHERE/ORDER clause selects.
func queryMessages(ctx context.Context, q querier, clause string, args ...any) ([]justify.Message, error) {
	return queryAll(ctx, q, "SELECT "+messageColumns+" FROM outbox "+clause, "outbox", scanMessage, args...)
}

func scanMessage(s scanner) (justify.Message, error) {
	var m justify.Message
	var created, sent, next int64
	var failed, short int
	if err := s.Scan(&m.ID, &m.CaseID, &m.ChatID, &m.Kind, &m.EditOf, &created, &sent, &m.TelegramMessageID,
		&m.Attempts, &next, &m.LastError, &failed, &m.Payload, &m.BatchID, &short, &m.Topic); err != nil {
		return m, err
	}
	m.Created, m.SentAt, m.NextAttempt, m.Failed, m.Short = fromMS(created), fromMS(sent), fromMS(next), failed == 1, short == 1
	return m, nil
}

// Enqueue adds m to the outbox, with whatever delivery state it carries (normally none),
// and returns its ID; m.ID is ignored. An edit takes its original's topic: it is shown
// where the original is.
func (t *Tx) Enqueue(m justify.Message) (int64, error) {
	var alertKey string
	if m.Kind == justify.MsgAlert {
		a, err := justify.ParseAlert(m.Payload)
		if err != nil {
			return 0, fmt.Errorf("enqueue alert: %w", err)
		}
		alertKey = a.Key
	}
	if m.EditOf != 0 && m.SentAt.IsZero() {
		// Edits render the latest state (or carry the latest payload), so an unsent edit of
		// the same message is superseded: a wave of repeats costs one edit, not one each.
		// "+?", not "?": SQLite would weigh whether the value is outbox_alert's edit_of = 0
		// and plan the statement again on every run.
		if _, err := t.exec(`DELETE FROM outbox WHERE edit_of = +? AND chat_id = ? AND sent_at = 0 AND attempts = 0
			AND failed = 0`, m.EditOf, m.ChatID); err != nil {
			return 0, fmt.Errorf("drop superseded edits of message %d: %w", m.EditOf, err)
		}
	}
	res, err := t.exec(`INSERT INTO outbox (case_id, chat_id, kind, edit_of, created_at, sent_at, tg_msg_id, attempts,
		next_attempt, last_error, failed, payload, alert_key, batch_id, short, topic)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT topic FROM outbox WHERE id = ? AND ? != 0), ?))`,
		m.CaseID, m.ChatID, m.Kind, m.EditOf, ms(m.Created), ms(m.SentAt), m.TelegramMessageID, m.Attempts,
		ms(m.NextAttempt), m.LastError, b2i(m.Failed), m.Payload, alertKey, m.BatchID, b2i(m.Short), m.EditOf, m.EditOf, m.Topic)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s message of case %d: %w", m.Kind, m.CaseID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("enqueue %s message of case %d: %w", m.Kind, m.CaseID, err)
	}
	return id, nil
}

// MessagesOf lists a case's original (not edit) messages of a kind, oldest first.
func (t *Tx) MessagesOf(id justify.CaseID, kind justify.MessageKind) ([]justify.Message, error) {
	return queryMessages(t.ctx, t, "WHERE case_id = ? AND kind = ? AND edit_of = 0 ORDER BY id", id, kind)
}

// DueMessages lists unsent, not failed messages whose next attempt is at or before now,
// oldest first, at most limit of them (all when limit <= 0).
func (db *DB) DueMessages(ctx context.Context, now time.Time, limit int, except ...int64) ([]justify.Message, error) {
	clause, args := "WHERE sent_at = 0 AND failed = 0 AND next_attempt <= ?", []any{ms(now)}
	if len(except) > 0 {
		clause += " AND chat_id NOT IN (?" + strings.Repeat(", ?", len(except)-1) + ")"
		for _, c := range except {
			args = append(args, c)
		}
	}
	// Through a transaction's prepared statements: the sender asks every tick, and a
	// statement prepared afresh each time was also planned twice (stmtKey).
	var list []justify.Message
	err := db.view(ctx, func(t *Tx) error {
		var err error
		list, err = queryMessages(ctx, t, clause+" ORDER BY id LIMIT ?", append(args, limitOrAll(limit))...)
		return err
	})
	return list, err
}

// Message loads one outbox message, or returns an error wrapping justify.ErrNotFound.
func (db *DB) Message(ctx context.Context, id int64) (justify.Message, error) {
	var list []justify.Message
	err := db.view(ctx, func(t *Tx) error {
		var err error
		list, err = queryMessages(ctx, t, "WHERE id = ?", id)
		return err
	})
	if err != nil {
		return justify.Message{}, fmt.Errorf("load outbox message %d: %w", id, err)
	}
	if len(list) == 0 {
		return justify.Message{}, fmt.Errorf("outbox message %d: %w", id, justify.ErrNotFound)
	}
	return list[0], nil
}

// settle runs one UPDATE of message id (its last argument) outside any transaction: the
// sender settles one message at a time and has nothing else to write with it.
func (db *DB) settle(ctx context.Context, id int64, query string, args ...any) error {
	if err := db.gate.acquire(ctx); err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	defer db.gate.release()
	res, err := db.write.ExecContext(ctx, query, append(args, id)...)
	if err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("outbox message %d: %w", id, justify.ErrNotFound)
	}
	return nil
}

// MarkSent records that a message was delivered at at, as Telegram message
// telegramMessageID. Attempts counts failures only, so it is left alone, and so is
// LastError, which still tells what went wrong before. An edit whose sent original has no
// Telegram message (its chat moved: see MoveChat) was sent as a new message, which the
// original takes, so that the next edit edits it instead of sending yet another.
func (db *DB) MarkSent(ctx context.Context, id int64, telegramMessageID int, at time.Time) error {
	return db.markSent(ctx, justify.Sent{ID: id, TelegramMessageID: telegramMessageID, At: at})
}

// MarkSentShort records that a message was delivered at at in its short form, after
// Telegram refused it as written (errText): its later edits go short at once.
func (db *DB) MarkSentShort(ctx context.Context, id int64, telegramMessageID int, at time.Time, errText string) error {
	return db.markSent(ctx, justify.Sent{ID: id, TelegramMessageID: telegramMessageID, At: at, Short: true, Refused: errText})
}

// markSent settles one message in a transaction of its own.
func (db *DB) markSent(ctx context.Context, s justify.Sent) error {
	return db.update(ctx, func(t *Tx) error {
		ok, err := t.SettleSent(s)
		if err == nil && !ok {
			err = fmt.Errorf("outbox message %d: %w", s.ID, justify.ErrNotFound)
		}
		return err
	})
}

// adoptTelegramMessage gives the Telegram message an edit (id) was sent as to its original
// when the original has none (see MarkSent).
func (t *Tx) adoptTelegramMessage(id int64, telegramMessageID int) error {
	_, err := t.exec(`UPDATE outbox SET tg_msg_id = ? WHERE tg_msg_id = 0 AND sent_at != 0
		AND id = (SELECT edit_of FROM outbox WHERE id = ?)`, telegramMessageID, id)
	if err != nil {
		return fmt.Errorf("settle the original of outbox message %d: %w", id, err)
	}
	return nil
}

// SettleSent records in t that a message was delivered, as MarkSent (MarkSentShort when
// s.Short is set) does on its own, and reports false when the message is no longer in
// the outbox.
func (t *Tx) SettleSent(s justify.Sent) (bool, error) {
	query, args := "UPDATE outbox SET sent_at = ?, tg_msg_id = ? WHERE id = ?", []any{ms(s.At), s.TelegramMessageID, s.ID}
	if s.Short {
		query, args = "UPDATE outbox SET sent_at = ?, tg_msg_id = ?, short = 1, last_error = ? WHERE id = ?",
			[]any{ms(s.At), s.TelegramMessageID, s.Refused, s.ID}
	}
	n, err := t.affected(query, args...)
	if err != nil {
		return false, fmt.Errorf("settle outbox message %d: %w", s.ID, err)
	}
	if n == 0 {
		return false, nil
	}
	return true, t.adoptTelegramMessage(s.ID, s.TelegramMessageID)
}

// MarkRetry counts a failed attempt, keeps its error and schedules the next one at next.
func (db *DB) MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error {
	return db.settle(ctx, id, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
		errText, ms(next))
}

// MarkFailed counts a last failed attempt and gives up on the message for good.
func (db *DB) MarkFailed(ctx context.Context, id int64, errText string) error {
	return db.settle(ctx, id, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed = 1 WHERE id = ?", errText)
}

// RetryUnreachable makes due again a person's messages that Telegram refused with 403 (the
// sender records Telegram's "Forbidden: ..." description), so that what was sent before
// they pressed Start reaches them after.
func (db *DB) RetryUnreachable(ctx context.Context, chatID int64) (int, error) {
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET failed = 0, next_attempt = 0
			WHERE chat_id = ? AND failed = 1 AND sent_at = 0 AND last_error LIKE 'Forbidden%'`, chatID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("requeue messages to %d: %w", chatID, err)
	}
	return int(n), nil
}
