package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Tx is one transaction, from Update or View; it implements justify.Tx. It is valid only
// inside the function it was given to.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	now func() time.Time
	// stmts are the statements prepared in this transaction: a long-poll batch runs the
	// same few statements a hundred times, and parsing them each time cost more than
	// running them. They close with the transaction.
	stmts map[string]*sql.Stmt
	// cache is the pool's statements, prepared once; nil while the database opens.
	cache *stmtCache
	// fresh are the queries this transaction prepared that the pool has not.
	fresh []string
	// marked are the report hours this transaction marked changed (rollups.go).
	marked map[[2]int64]bool
	// idleMarked are the idle days this transaction marked (idle.go).
	idleMarked map[[2]int64]bool
	// read is the last DialogsUpTo's read, until the next write (dialogs.go).
	read *dialogsRead
	// convs are conversation messages by key as stored, nil when none is: filled by
	// PrefetchConvMessages, kept current by what the transaction stores (conversations.go).
	convs map[string]*justify.ConvMessage
}

var _ justify.Tx = (*Tx)(nil)

// stmt prepares query once per transaction.
func (t *Tx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	// A statement the pool has prepared is used as is; a new one is prepared in this
	// transaction and, once the transaction is over and its connection free, on the pool
	// (preparing on the pool now could wait for the very connection this transaction
	// holds: the writer has only one).
	var st *sql.Stmt
	if shared := t.cache.lookup(query); shared != nil {
		st = t.tx.StmtContext(t.ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.fresh = append(t.fresh, query)
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

// queryRow runs a one-row query through the transaction's prepared statements.
func (t *Tx) queryRow(query string, args ...any) scanner {
	st, err := t.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

// QueryContext runs a query through the prepared statements, so that the list readers
// (queryAll) given a Tx parse nothing twice.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// errRow is a row whose query could not be prepared: Scan returns the error.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	t.read = nil
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// affected runs a statement and returns how many rows it changed.
func (t *Tx) affected(query string, args ...any) (int, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

type scanner interface{ Scan(dest ...any) error }

// querier is what *sql.DB and *sql.Tx share, so readers work in and out of a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs a query and reads every row with scan; what names the rows in errors.
func queryAll[T any](ctx context.Context, q querier, query, what string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// limitOrAll turns a caller's limit into SQLite's: a limit of zero or less means no limit.
func limitOrAll(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// inChunk bounds the number of values bound to one IN (...) list, well under SQLite's limit
// on host parameters.
const inChunk = 500

// inChunks calls fn with the values of vs in chunks of at most inChunk, each with its
// "?, ?, ..." placeholder list.
func inChunks[T any](vs []T, fn func(placeholders string, args []any) error) error {
	for len(vs) > 0 {
		n := min(len(vs), inChunk)
		args := make([]any, n)
		for i, v := range vs[:n] {
			args[i] = v
		}
		if err := fn(strings.TrimSuffix(strings.Repeat("?, ", n), ", "), args); err != nil {
			return err
		}
		vs = vs[n:]
	}
	return nil
}

// countRows runs a query with arguments and hands each row to scan.
func countRows(ctx context.Context, q querier, query string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
