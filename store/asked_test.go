package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// Cases opened before deadlines ran from the prompt's delivery keep coming due after the
// upgrade: they count as asked when they were opened.
func TestMigrationKeepsOpenCasesDue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	w, err := sql.Open("sqlite", dsn(path, false))
	require.NoError(t, err)
	old := &DB{write: w, now: func() time.Time { return t0 }}
	init, err := fs0001()
	require.NoError(t, err)
	require.NoError(t, old.migrate(ctx, fstest.MapFS{"migrations/0001_init.sql": init}))
	for _, row := range []struct {
		key, operator string
	}{{"operator's", "Ivan"}, {"unknown admin's", ""}} {
		_, err := w.Exec(`INSERT INTO cases (group_id, event_key, kind, actor_vk_id, operator, state, opened_at, deadline)
			VALUES (1, ?, 'ban', 5, ?, 'awaiting_reason', ?, ?)`, row.key, row.operator, ms(t0), ms(t0.Add(time.Hour)))
		require.NoError(t, err)
	}
	_, err = w.Exec(`INSERT INTO batches (group_id, kind, operator, state, opened_at, deadline) VALUES (1, 'ban', 'Ivan', 'open', ?, ?)`,
		ms(t0), ms(t0.Add(time.Hour)))
	require.NoError(t, err)
	require.NoError(t, w.Close())

	db := openAt(t, path)
	view(t, db, func(tx justify.Tx) error {
		due, err := tx.DueCases(t0.Add(2 * time.Hour))
		require.NoError(t, err)
		require.Len(t, due, 1, "only the operator's case was asked; the unknown admin's has nobody to ask")
		assert.Equal(t, "operator's", due[0].EventKey)
		assert.Equal(t, t0, due[0].AskedAt)
		assert.Equal(t, t0.Add(time.Hour), due[0].Deadline, "the deadline is kept")
		b, err := tx.Batch(1)
		require.NoError(t, err)
		assert.Equal(t, t0, b.AskedAt)
		return nil
	})
}
