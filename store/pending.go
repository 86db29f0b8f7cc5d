package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.PendingInputStore = (*Tx)(nil)

// SetPendingInput remembers what the bot asked a person for, replacing an earlier request.
func (t *Tx) SetPendingInput(in justify.PendingInput) error {
	_, err := t.exec(`INSERT INTO pending_inputs (telegram_id, case_id, reason, batch_id, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (telegram_id) DO UPDATE SET case_id = excluded.case_id, reason = excluded.reason,
		batch_id = excluded.batch_id, created_at = excluded.created_at`,
		in.TelegramID, in.CaseID, in.Reason, in.BatchID, ms(in.Created))
	if err != nil {
		return fmt.Errorf("save pending input of %d: %w", in.TelegramID, err)
	}
	return nil
}

// PendingInput returns what the bot asked a person for, or an error wrapping
// justify.ErrNotFound.
func (t *Tx) PendingInput(telegramID int64) (justify.PendingInput, error) {
	var in justify.PendingInput
	var created int64
	err := t.queryRow("SELECT telegram_id, case_id, reason, batch_id, created_at FROM pending_inputs WHERE telegram_id = ?",
		telegramID).Scan(&in.TelegramID, &in.CaseID, &in.Reason, &in.BatchID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("pending input of %d: %w", telegramID, justify.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("load pending input of %d: %w", telegramID, err)
	}
	in.Created = fromMS(created)
	return in, nil
}

// ClearPendingInput forgets what the bot asked a person for; clearing nothing is not an error.
func (t *Tx) ClearPendingInput(telegramID int64) error {
	if _, err := t.exec("DELETE FROM pending_inputs WHERE telegram_id = ?", telegramID); err != nil {
		return fmt.Errorf("clear pending input of %d: %w", telegramID, err)
	}
	return nil
}
