package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestBackup(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := justify.Case{GroupID: 1, EventKey: "e1", Kind: justify.EventBan, ActorVKID: 111, UserVKID: 5001,
		State: justify.StateAwaitingReason, OpenedAt: t0, Deadline: t0}
	update(t, db, func(tx justify.Tx) error {
		if err := tx.CreateCase(&c); err != nil {
			return err
		}
		return tx.AddDecision(justify.Decision{CaseID: c.ID, At: t0, Action: justify.ActionOpened, Actor: "modwatch"})
	})
	dir := t.TempDir()
	dest := filepath.Join(dir, "copy.db")

	info, err := db.Backup(ctx, dest)
	require.NoError(t, err)
	assert.Equal(t, dest, info.Path)
	assert.Equal(t, 1, info.Cases)
	assert.Equal(t, 1, info.Decisions)
	want, err := loadMigrations(migrations)
	require.NoError(t, err)
	assert.Equal(t, want[len(want)-1].version, info.Schema)
	st, err := os.Stat(dest)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the copy is as private as the database")
	assert.Equal(t, st.Size(), info.Bytes)

	// The copy is a database of its own with the same case and trail.
	cp := openAt(t, dest)
	view(t, cp, func(tx justify.Tx) error {
		got, err := tx.Case(c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got)
		ds, err := tx.Decisions(c.ID)
		require.NoError(t, err)
		assert.Len(t, ds, 1)
		return nil
	})

	// An existing file is never overwritten, and nothing is left behind.
	before, err := os.ReadFile(dest)
	require.NoError(t, err)
	_, err = db.Backup(ctx, dest)
	require.ErrorIs(t, err, fs.ErrExist)
	after, err := os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.NotContains(t, names, "partial", "no temporary file is left: %v", names)
	for _, n := range names {
		assert.NotContains(t, n, ".partial-")
	}
}

// The connections are set as Litestream's documentation asks of applications: WAL, a
// busy timeout of 5 s, synchronous NORMAL; with Options.Litestream the writer never
// checkpoints on its own.
func TestPragmasFitLitestream(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		checkpoint int
	}{
		{name: "default: SQLite checkpoints every 1000 pages", checkpoint: 1000},
		{name: "litestream: checkpoints are Litestream's", opts: Options{Litestream: true}, checkpoint: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "m.db"), tt.opts)
			require.NoError(t, err)
			defer db.Close()
			pragma := func(pool interface {
				QueryRow(string, ...any) *sql.Row
			}, name string) string {
				var v string
				require.NoError(t, pool.QueryRow("PRAGMA "+name).Scan(&v))
				return v
			}
			assert.Equal(t, "wal", pragma(db.write, "journal_mode"))
			assert.Equal(t, "5000", pragma(db.write, "busy_timeout"))
			assert.Equal(t, "5000", pragma(db.read, "busy_timeout"))
			assert.Equal(t, "1", pragma(db.write, "synchronous"), "NORMAL")
			assert.Equal(t, strconv.Itoa(tt.checkpoint), pragma(db.write, "wal_autocheckpoint"))
		})
	}
}
