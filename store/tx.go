package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Tx is one transaction, from Update or View; it implements justify.Tx. It is valid only
// inside the function it was given to.
type Tx struct {
	tx *sql.Tx
	// ctx is what the transaction's statements run with: the caller's values, never its
	// end. The driver watches a context that can end with a goroutine, a channel and two
	// calls into SQLite for every statement, and database/sql with another goroutine for
	// every transaction and every set of rows: in a burst, tens of thousands of short
	// statements, which cost more than many of them took to run. The caller's context is
	// checked before each statement instead (stmt), so that a transaction still stops at
	// its next statement once the caller gives up; no statement of the daemon's runs long.
	ctx context.Context
	// done is the caller's context, checked before each statement.
	done context.Context
	now  func() time.Time
	// stmts are the statements prepared in this transaction: a long-poll batch runs the
	// same few statements a hundred times, and parsing them each time cost more than
	// running them. They close with the transaction.
	stmts map[stmtKey]*sql.Stmt
	// cache is the pool's statements, prepared once; nil while the database opens.
	cache *stmtCache
	// fresh are the statements this transaction prepared that the pool has not.
	fresh []stmtKey
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

// stmtKey names a prepared statement: its SQL, and what of its arguments SQLite plans it
// for (planned: the positions of the "col = ?" arguments that are 0 or 1, and the values
// of LIMIT and OFFSET).
//
// SQLite (3.54 on) plans a statement with a "col = ?" term for whether the value bound is
// 0 or 1 (a guess at how many rows the term keeps), and a LIMIT ? for its value; binding
// a value that changes either expires the plan, and the next step parses and plans the
// statement again (sqlite3Reprepare), which costs more than most of our statements take
// to run. A statement run alternately with both kinds, such as TicketsOf's for the
// community and for the help desk (group 0), was planned again on every run. So each
// kind, and each limit, gets a prepared statement of its own, which keeps its plan:
// TestStatementsKeepTheirPlans. The driver leaves an integer bound between runs, so a
// value that stays costs nothing. Limits are the store's page sizes and the few a person
// asks for, and other arguments make no variants.
type stmtKey struct {
	query   string
	planned string
}

// keyOf is the statement that runs query with args.
func keyOf(query string, args []any) stmtKey {
	var planned []byte
	for _, p := range plannedArgs(query) {
		if p.pos >= len(args) {
			continue
		}
		switch {
		case p.limit:
			planned = binary.AppendUvarint(planned, uint64(p.pos))
			planned = fmt.Appendf(planned, "=%v;", args[p.pos])
		case isSmallInt(args[p.pos]):
			planned = binary.AppendUvarint(planned, uint64(p.pos))
		}
	}
	return stmtKey{query: query, planned: string(planned)}
}

// plannedArg is an argument SQLite may plan a statement for: a "col = ?" one (for
// whether it is 0 or 1) or a LIMIT or OFFSET (for its value).
type plannedArg struct {
	pos   int
	limit bool
}

// plannedByQuery caches plannedArgs by query: the texts are the store's own, a bounded set.
var plannedByQuery sync.Map

// plannedArgs lists query's arguments that are compared with "=" or IS ("col = ?",
// "col IS ?"), or make a one-value IN list, which SQLite reads as "=", and its LIMIT and
// OFFSET arguments.
func plannedArgs(query string) []plannedArg {
	if v, ok := plannedByQuery.Load(query); ok {
		return v.([]plannedArg)
	}
	var out []plannedArg
	n := 0
	for i := 0; i < len(query); i++ {
		switch query[i] {
		case '\'':
			// A quoted '?' is no argument; '' inside quotes reads as two quoted parts.
			if j := strings.IndexByte(query[i+1:], '\''); j >= 0 {
				i += j + 1
			}
		case '?':
			before := strings.ToUpper(strings.TrimRight(query[:i], " \t\n"))
			after := strings.TrimLeft(query[i+1:], " \t\n")
			eq := strings.HasSuffix(before, "=") && !strings.HasSuffix(before, "!=") &&
				!strings.HasSuffix(before, "<=") && !strings.HasSuffix(before, ">=")
			is := strings.HasSuffix(before, " IS")
			in := strings.HasSuffix(before, "IN (") && strings.HasPrefix(after, ")")
			limit := strings.HasSuffix(before, "LIMIT") || strings.HasSuffix(before, "OFFSET")
			if eq || is || in || limit {
				out = append(out, plannedArg{pos: n, limit: limit})
			}
			n++
		}
	}
	plannedByQuery.Store(query, out)
	return out
}

// isSmallInt tells whether v binds as the integer 0 or 1, as the driver binds it.
func isSmallInt(v any) bool {
	switch v := v.(type) {
	case int64:
		return v == 0 || v == 1
	case int:
		return v == 0 || v == 1
	case bool:
		return true
	case string, []byte, nil, time.Time:
		return false
	}
	// Named integer types (justify's kinds and places) bind as their value.
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int() == 0 || r.Int() == 1
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return r.Uint() == 0 || r.Uint() == 1
	case reflect.Bool:
		return true
	}
	return false
}

// stmt prepares query once per transaction for args' kind (stmtKey).
func (t *Tx) stmt(query string, args []any) (*sql.Stmt, error) {
	if err := t.done.Err(); err != nil {
		return nil, err
	}
	key := keyOf(query, args)
	if st, ok := t.stmts[key]; ok {
		return st, nil
	}
	// A statement the pool has prepared is used as is; a new one is prepared in this
	// transaction and, once the transaction is over and its connection free, on the pool
	// (preparing on the pool now could wait for the very connection this transaction
	// holds: the writer has only one).
	var st *sql.Stmt
	if shared := t.cache.lookup(key); shared != nil {
		st = t.tx.StmtContext(t.ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.fresh = append(t.fresh, key)
	}
	if t.stmts == nil {
		t.stmts = map[stmtKey]*sql.Stmt{}
	}
	t.stmts[key] = st
	return st, nil
}

// queryRow runs a one-row query through the transaction's prepared statements.
func (t *Tx) queryRow(query string, args ...any) scanner {
	st, err := t.stmt(query, args)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

// QueryContext runs a query through the prepared statements, so that the list readers
// (queryAll) given a Tx parse nothing twice.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if ctx != t.ctx {
		// A context of the caller's own (the store's readers pass t.ctx, which stmt
		// checks): checked now, and not watched while the rows are read (Tx.ctx).
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ctx = context.WithoutCancel(ctx)
	}
	st, err := t.stmt(query, args)
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
	st, err := t.stmt(query, args)
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
