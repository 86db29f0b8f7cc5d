package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.CursorStore = (*Tx)(nil)

// Cursor returns a saved position, "" when none.
func (t *Tx) Cursor(key string) (string, error) {
	var v string
	err := t.queryRow("SELECT value FROM cursors WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read cursor %s: %w", key, err)
	}
	return v, nil
}

// SaveCursor saves a position, replacing the previous one.
func (t *Tx) SaveCursor(key, value string) error {
	_, err := t.exec(`INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, ms(t.now()))
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", key, err)
	}
	return nil
}
