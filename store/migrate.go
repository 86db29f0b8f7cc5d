package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migration is one embedded schema change, numbered by its file name.
type migration struct {
	version int
	name    string
	body    string
}

// loadMigrations lists the migrations in fsys's migrations folder by number and refuses
// badly numbered ones, so that a mistake shows at the first test rather than on a
// production database.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		prefix, _, _ := strings.Cut(base, "_")
		version, err := strconv.Atoi(prefix)
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		out = append(out, migration{version: version, name: base, body: string(body)})
	}
	// By number, not by name: "10_x" must run after "9_x" even without zero padding.
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share number %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

// ErrNewerSchema means the database holds migrations this modwatch does not know: a newer
// modwatch wrote it. Opening it is refused, since this version would misread what it
// cannot see, and it has no way back down.
var ErrNewerSchema = errors.New("the database was written by a newer modwatch")

// migrate applies, in order, every migration in fsys the database has not recorded yet.
// A database that records a migration fsys lacks is refused with ErrNewerSchema, before
// anything is applied.
func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	list, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if err := db.refuseUnknown(ctx, list); err != nil {
		return err
	}
	for _, m := range list {
		if err := db.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs m and records it in one transaction. The check is inside the
// transaction, which takes the write lock at BEGIN, so two processes opening a fresh
// database at once cannot both apply it.
func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration %s: %w", m.name, err)
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
		return fmt.Errorf("check migration %s: %w", m.name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, ms(db.now())); err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", m.name, err)
	}
	return nil
}

// refuseUnknown returns ErrNewerSchema when the database records a migration that known
// does not hold, naming the newest such one and the newest this binary knows.
func (db *DB) refuseUnknown(ctx context.Context, known []migration) error {
	have := map[int]bool{}
	latest := 0
	for _, m := range known {
		have[m.version] = true
		latest = max(latest, m.version)
	}
	rows, err := db.write.QueryContext(ctx, "SELECT version, name FROM schema_migrations ORDER BY version DESC")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if !have[v] {
			return fmt.Errorf("%w: it records migration %s (version %d) and this modwatch knows versions up to %d; "+
				"run the modwatch that wrote it, or a newer one (a database is never migrated down)", ErrNewerSchema, name, v, latest)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	return nil
}
