package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

// SaveButtons stores the meaning of freshly issued buttons, all or none. Tokens are meant
// to be unique: reusing one is an error rather than a silent change of an old button's
// meaning.
func (db *DB) SaveButtons(ctx context.Context, bs []justify.Button) error {
	if len(bs) == 0 {
		return nil
	}
	return db.update(ctx, func(t *Tx) error {
		for _, b := range bs {
			if _, err := t.exec(`INSERT INTO buttons (token, case_id, batch_id, spot_check_id, telegram_id, action, reason, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, b.Token, b.CaseID, b.BatchID, b.SpotCheckID, b.TelegramID, b.Action, b.Reason, ms(b.Created)); err != nil {
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
		"SELECT token, case_id, batch_id, spot_check_id, telegram_id, action, reason, created_at FROM buttons WHERE token = ?", token).
		Scan(&b.Token, &b.CaseID, &b.BatchID, &b.SpotCheckID, &b.TelegramID, &b.Action, &b.Reason, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("button: %w", justify.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("look up button: %w", err)
	}
	b.Created = fromMS(created)
	return b, nil
}
