package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// BackupInfo describes a backup Backup wrote and checked.
type BackupInfo struct {
	Path  string
	Bytes int64
	// Schema is the newest migration the copy records; Cases and Decisions are what it holds.
	Schema, Cases, Decisions int
}

// Backup writes a consistent copy of the database to dest while others go on reading and
// writing it: SQLite's VACUUM INTO copies one read snapshot. dest must not exist: a backup
// is never overwritten. The copy is written beside dest under a temporary name, synced,
// checked (integrity_check) and only then given its name, so dest is either a whole,
// checked copy or absent. It is created with mode 0600, as the database is.
func (db *DB) Backup(ctx context.Context, dest string) (BackupInfo, error) {
	info := BackupInfo{Path: dest}
	if _, err := os.Lstat(dest); err == nil {
		return info, fmt.Errorf("back up to %s: %w: a backup is never overwritten; choose a new name", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return info, fmt.Errorf("back up to %s: %w", dest, err)
	}
	// VACUUM INTO accepts an existing empty file and keeps its mode: private from the start.
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return info, fmt.Errorf("back up to %s: %w", dest, err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	defer func() { _ = os.Remove(tmpPath) }() // gone once linked, or on failure
	if err := db.vacuumInto(ctx, tmpPath); err != nil {
		return info, fmt.Errorf("back up to %s: copy: %w", dest, err)
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmpPath); err != nil {
		return info, fmt.Errorf("back up to %s: %w", dest, err)
	}
	if info, err = checkCopy(ctx, tmpPath); err != nil {
		return info, fmt.Errorf("back up to %s: check the copy: %w", dest, err)
	}
	info.Path = dest
	// A hard link names the copy only if dest still does not exist, with no window for a
	// file that appeared meanwhile to be replaced.
	if err := os.Link(tmpPath, dest); err != nil {
		return info, fmt.Errorf("back up to %s: %w", dest, err)
	}
	// The new name is durable once the directory is synced; some systems cannot sync a
	// directory, and the copy itself is already safe, so a failure here is not one.
	_ = syncFile(filepath.Dir(dest))
	return info, nil
}

// vacuumInto copies the database to path with VACUUM INTO, on a connection of its own:
// the readers refuse it (query_only), and the writer must stay free for the daemon. It only
// reads the database, in one read transaction, so nobody's writes wait for it.
func (db *DB) vacuumInto(ctx context.Context, path string) error {
	var file string
	if err := db.read.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		return fmt.Errorf("find the database file: %w", err)
	}
	c, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)", uriPath(file), busyTimeout.Milliseconds()))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	_, err = c.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

// checkCopy opens a copy read-only, checks its integrity and says what it holds.
func checkCopy(ctx context.Context, path string) (BackupInfo, error) {
	info := BackupInfo{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return info, err
	}
	info.Bytes = st.Size()
	c, err := sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro")
	if err != nil {
		return info, err
	}
	defer func() { _ = c.Close() }()
	var verdict string
	if err := c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict); err != nil {
		return info, fmt.Errorf("integrity check: %w", err)
	}
	if verdict != "ok" {
		return info, fmt.Errorf("integrity check: %s", verdict)
	}
	err = c.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(version), 0) FROM schema_migrations),
		(SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM decisions)`).Scan(&info.Schema, &info.Cases, &info.Decisions)
	if err != nil {
		return info, fmt.Errorf("count what it holds: %w", err)
	}
	return info, nil
}

// syncFile flushes a file, or a directory's entries, to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
