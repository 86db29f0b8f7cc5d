package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// querier is what *sql.DB and *sql.Tx share, so readers work in and out of a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const messageColumns = `id, case_id, chat_id, kind, edit_of, created_at, sent_at, tg_msg_id, attempts,
	next_attempt, last_error, failed, payload, batch_id`

// queryMessages lists the outbox messages a WHERE/ORDER clause selects.
func queryMessages(ctx context.Context, q querier, clause string, args ...any) ([]justify.Message, error) {
	return queryAll(ctx, q, "SELECT "+messageColumns+" FROM outbox "+clause, "outbox", scanMessage, args...)
}

func scanMessage(s scanner) (justify.Message, error) {
	var m justify.Message
	var created, sent, next int64
	var failed int
	if err := s.Scan(&m.ID, &m.CaseID, &m.ChatID, &m.Kind, &m.EditOf, &created, &sent, &m.TelegramMessageID,
		&m.Attempts, &next, &m.LastError, &failed, &m.Payload, &m.BatchID); err != nil {
		return m, err
	}
	m.Created, m.SentAt, m.NextAttempt, m.Failed = fromMS(created), fromMS(sent), fromMS(next), failed == 1
	return m, nil
}

// limitOrAll turns a caller's limit into SQLite's: a limit of zero or less means no limit.
func limitOrAll(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
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
	return queryMessages(ctx, db.read, clause+" ORDER BY id LIMIT ?", append(args, limitOrAll(limit))...)
}

// Message loads one outbox message, or returns an error wrapping justify.ErrNotFound.
func (db *DB) Message(ctx context.Context, id int64) (justify.Message, error) {
	list, err := queryMessages(ctx, db.read, "WHERE id = ?", id)
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
// LastError, which still tells what went wrong before.
func (db *DB) MarkSent(ctx context.Context, id int64, telegramMessageID int, at time.Time) error {
	return db.settle(ctx, id, "UPDATE outbox SET sent_at = ?, tg_msg_id = ? WHERE id = ?", ms(at), telegramMessageID)
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

// SaveButtons stores the meaning of freshly issued buttons, all or none. Tokens are meant
// to be unique: reusing one is an error rather than a silent change of an old button's
// meaning.
func (db *DB) SaveButtons(ctx context.Context, bs []justify.Button) error {
	if len(bs) == 0 {
		return nil
	}
	return db.Update(ctx, func(jtx justify.Tx) error {
		t := jtx.(*Tx)
		for _, b := range bs {
			if _, err := t.exec(`INSERT INTO buttons (token, case_id, batch_id, telegram_id, action, reason, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, b.Token, b.CaseID, b.BatchID, b.TelegramID, b.Action, b.Reason, ms(b.Created)); err != nil {
				return fmt.Errorf("save %s button of case %d: %w", b.Action, b.CaseID, err)
			}
		}
		return nil
	})
}

// Button looks a token up, or returns an error wrapping justify.ErrNotFound.
func (db *DB) Button(ctx context.Context, token string) (justify.Button, error) {
	var b justify.Button
	var created int64
	err := db.read.QueryRowContext(ctx,
		"SELECT token, case_id, batch_id, telegram_id, action, reason, created_at FROM buttons WHERE token = ?", token).
		Scan(&b.Token, &b.CaseID, &b.BatchID, &b.TelegramID, &b.Action, &b.Reason, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("button: %w", justify.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("look up button: %w", err)
	}
	b.Created = fromMS(created)
	return b, nil
}

// ListCases lists up to limit cases (all when limit <= 0), newest first, for the CLI.
func (db *DB) ListCases(ctx context.Context, limit int) ([]justify.Case, error) {
	return queryCases(ctx, db.read, "ORDER BY id DESC LIMIT ?", limitOrAll(limit))
}
