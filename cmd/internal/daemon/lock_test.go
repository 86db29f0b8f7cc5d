package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lock file refuses a second holder with the first one's PID, is free again once
// released, and locks nothing of another database.
func TestLockDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "modwatch.db")

	first, err := lockDatabase(db)
	require.NoError(t, err)
	b, err := os.ReadFile(LockPath(db))
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(os.Getpid()), strings.TrimSpace(string(b)), "the holder's PID is in the lock file")
	info, err := os.Stat(LockPath(db))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	_, err = lockDatabase(db)
	var locked *LockedError
	require.ErrorAs(t, err, &locked, "a second lock on the same database is refused")
	assert.Equal(t, os.Getpid(), locked.PID)
	assert.Equal(t, LockPath(db), locked.Lock)
	assert.Contains(t, err.Error(), LockPath(db))
	assert.Contains(t, err.Error(), "pid "+strconv.Itoa(os.Getpid()))

	other, err := lockDatabase(filepath.Join(dir, "other.db"))
	require.NoError(t, err, "another database has its own lock")
	require.NoError(t, other.Release())

	require.NoError(t, first.Release())
	require.NoError(t, first.Release(), "a second release does nothing")
	again, err := lockDatabase(db)
	require.NoError(t, err, "free once released")
	require.NoError(t, again.Release())
}

// A second daemon on one database is refused before it touches anything; once the first
// stopped, it starts.
func TestStartTakesTheDatabaseLock(t *testing.T) {
	cfg, secrets := startConfig(t)
	ctx := context.Background()
	d, err := Start(ctx, cfg, secrets, zerolog.Nop(), Options{})
	require.NoError(t, err)

	_, err = Start(ctx, cfg, secrets, zerolog.Nop(), Options{})
	var locked *LockedError
	require.ErrorAs(t, err, &locked)
	assert.Equal(t, cfg.Database, locked.Database)
	require.NoError(t, d.Store().Ping(ctx), "the refused start did not close the running daemon's store")

	require.NoError(t, d.Stop())
	d2, err := Start(ctx, cfg, secrets, zerolog.Nop(), Options{})
	require.NoError(t, err, "the lock is free once the first daemon stopped")
	require.NoError(t, d2.Stop())

	// A start that fails after taking the lock gives it back.
	secrets.Telegram = "666:a-token-telegram-refuses"
	_, err = Start(ctx, cfg, secrets, zerolog.Nop(), Options{})
	require.Error(t, err)
	require.False(t, errors.As(err, &locked), "refused by Telegram, not by a lock: %v", err)
	l, err := lockDatabase(cfg.Database)
	require.NoError(t, err, "a failed start released the lock")
	require.NoError(t, l.Release())
}
