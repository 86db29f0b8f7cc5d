package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// baselineRows is how many rows the baseline inserts per transaction.
const baselineRows = 1000

// BaselineInsert measures what SQLite alone does with n events, for the load run to set
// modwatch's ingest against: it creates a database at path with modwatch's schema and
// inserts the events event(0) ... event(n-1) gives into the events table with the
// statement the store uses, 1000 rows a transaction, and nothing else (no lookups, no cases,
// no tickets, no cursor). It returns how long the inserts took, event's calls included.
// path must not exist: the measure is of a fresh database.
func BaselineInsert(ctx context.Context, path string, n int, event func(i int) justify.Event) (time.Duration, error) {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("baseline database %s: want a new file", path)
	}
	db, err := Open(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("open baseline database: %w", err)
	}
	defer func() { _ = db.Close() }()
	start := time.Now()
	for from := 0; from < n; from += baselineRows {
		if err := db.baselineBatch(ctx, from, min(from+baselineRows, n), event); err != nil {
			return 0, err
		}
	}
	took := time.Since(start)
	if err := db.Close(); err != nil {
		return 0, fmt.Errorf("close baseline database: %w", err)
	}
	return took, nil
}

// baselineBatch inserts rows [from, to) in one transaction with one prepared statement.
func (db *DB) baselineBatch(ctx context.Context, from, to int, event func(i int) justify.Event) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin baseline rows %d..%d: %w", from, to, err)
	}
	defer func() { _ = tx.Rollback() }()
	st, err := tx.PrepareContext(ctx, insertEvent)
	if err != nil {
		return fmt.Errorf("prepare baseline insert: %w", err)
	}
	defer func() { _ = st.Close() }()
	for i := from; i < to; i++ {
		if _, err := st.ExecContext(ctx, eventValues(event(i), time.Now())...); err != nil {
			return fmt.Errorf("insert baseline row %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit baseline rows %d..%d: %w", from, to, err)
	}
	return nil
}
