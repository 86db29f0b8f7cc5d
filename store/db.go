// Package store keeps modwatch's state in SQLite. It is the only package that writes SQL.
//
// DB implements the domain's justify.Store: each Update or View is one transaction, given
// to the domain as a Tx that implements every role of justify.Tx (events, cursors, cases,
// decisions, outbox, tickets, alerts, batches, pending input, quarantine). The files are
// named for what they keep. DB's own methods are one transaction each, for the adapters
// and the commands, which declare the few they use where they use them.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure-Go driver: CGO_ENABLED=0 builds work

	"github.com/modwatch/modwatch/justify"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is modwatch's SQLite database. It implements justify.Store, and is safe for use by
// many goroutines.
type DB struct {
	// write holds a single connection that takes the write lock at BEGIN (_txlock=immediate),
	// so writers queue in Go instead of failing with SQLITE_BUSY; read is a pool of
	// query-only connections that WAL lets run beside the writer.
	write, read *sql.DB
	// prepared holds statements prepared once per pool: database/sql keeps each one
	// prepared on every connection that ran it, so a statement is parsed once per
	// connection instead of once per call.
	prepared map[*sql.DB]*stmtCache
	// counters count the statements SQLite compiles on each pool (compiles.go).
	counters []*compileCounter
	// now stamps bookkeeping columns (received_at, updated_at, applied_at); tests replace it.
	now func() time.Time
	// gate orders the writers (gate.go).
	gate      writeGate
	closeOnce sync.Once
	closeErr  error
}

var _ justify.Store = (*DB)(nil)

// busyTimeout is how long a connection waits for a lock held by another process (the CLI
// beside the daemon) before SQLite gives up with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// readerCacheKiB and writerCacheKiB bound the connections' page caches (SQLite's default
// is 2 MiB each). A daemon watching 100 communities over a million tickets must stay within
// 60 MB of RSS through a burst, and the page caches are SQLite's part of it, held for good
// once filled. The readers' queries are indexed lookups of a few pages each; the writer's
// hot path is appending a long-poll answer to the inbox, and what the inbox's deriver
// walks (tickets, conversations) is read again from the OS's file cache when it falls
// out. Measured with the load run (100 communities, 20,000 events, the daemon in its own
// process): 64 MB of peak RSS with 1 MiB readers and a 2 MiB writer, 61 MB with 256 KiB
// readers, 59 MB with a 1 MiB writer too, at the same ingest rate.
const (
	readerCacheKiB = -256
	writerCacheKiB = -1024
)

// Options are the ways of opening a database that the config decides.
type Options struct {
	// Litestream leaves the WAL's checkpoints to Litestream: the writer's automatic
	// checkpoints are off (wal_autocheckpoint 0), so that no page reaches the database
	// file before Litestream has copied it. Without Litestream running, the WAL grows.
	Litestream bool
}

// dsn builds a modernc URI for path. Readers skip journal_mode: WAL is a property of the
// file, set once by the writer, and query_only makes any write through them an error.
// What Litestream asks of applications holds either way: WAL, a busy timeout of 5 s (its
// checkpoints briefly take the write lock), synchronous NORMAL.
func dsn(path string, readOnly bool, opts ...Options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(on)")
	if readOnly {
		q.Add("_pragma", "query_only(true)")
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", readerCacheKiB))
	} else {
		q.Add("_pragma", "journal_mode(wal)")
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", writerCacheKiB))
		q.Add("_pragma", "synchronous(normal)")
		q.Set("_txlock", "immediate")
		if len(opts) > 0 && opts[0].Litestream {
			q.Add("_pragma", "wal_autocheckpoint(0)")
		}
	}
	return "file:" + uriPath(path) + "?" + q.Encode()
}

// uriPath escapes the characters that would end or alter the path part of an SQLite URI.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Open opens the database at path, creating it with mode 0600 if needed, and applies the
// migrations it has not seen yet. A database a newer modwatch wrote is refused with
// ErrNewerSchema.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
	// Create the file ourselves so that it is private from the first byte: it holds
	// customers' words and the team's decisions. SQLite creates -wal and -shm with the mode
	// of the database file (the tests check it), so they need no chmod of their own, which
	// could fail on a file another account owns. An existing file keeps its mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	w, wc, err := openCounted(dsn(path, false, opts))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	db := &DB{write: w, now: time.Now, counters: []*compileCounter{wc}}
	if err := db.migrate(ctx, migrations); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r, rc, err := openCounted(dsn(path, true))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	db.counters = append(db.counters, rc)
	// Idle readers stay open: database/sql keeps only 2 by default and closes the others as
	// they come back, and a new connection reads the whole schema and prepares every
	// statement again, which a burst of prompts rendered side by side paid for over and
	// over (TestReadersStayOpen).
	readers := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.read = r
	db.prepared = map[*sql.DB]*stmtCache{
		w: {pool: w, stmts: map[stmtKey]*sql.Stmt{}},
		r: {pool: r, stmts: map[stmtKey]*sql.Stmt{}},
	}
	// sql.Open connects lazily: make a bad reader DSN fail here, not at the first View.
	if err := r.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	return db, nil
}

// stmtCache is one pool's prepared statements.
type stmtCache struct {
	mu    sync.Mutex
	pool  *sql.DB
	stmts map[stmtKey]*sql.Stmt
}

func (db *DB) cacheOf(pool *sql.DB) *stmtCache {
	if c, ok := db.prepared[pool]; ok {
		return c
	}
	return nil
}

// lookup returns the statement as the pool prepared it, or nil; a nil cache has nothing.
func (c *stmtCache) lookup(key stmtKey) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[key]
}

// prepare prepares statements on the pool, outside any transaction. A failure only means
// the next transaction prepares the statement again.
func (c *stmtCache) prepare(ctx context.Context, keys []stmtKey) {
	if c == nil {
		return
	}
	for _, k := range keys {
		if c.lookup(k) != nil {
			continue
		}
		st, err := c.pool.PrepareContext(ctx, k.query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[k]; ok {
			_ = st.Close()
		} else {
			c.stmts[k] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = map[stmtKey]*sql.Stmt{}
}

// Close closes the database; calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		for _, c := range db.prepared {
			c.close()
		}
		var errs []error
		if db.read != nil {
			errs = append(errs, db.read.Close())
		}
		errs = append(errs, db.write.Close())
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// Ping checks that both the writer and the readers answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database for reading: %w", err)
	}
	return nil
}

// Update runs fn in one write transaction, committed only if fn returns nil; fn's error is
// returned as is, so callers can still match justify's sentinel errors. Writers run one at
// a time, so fn must not call Update or a DB method that writes (SaveButtons, MarkSent,
// ...): it would wait for the connection fn holds.
func (db *DB) Update(ctx context.Context, fn func(justify.Tx) error) error {
	return db.update(ctx, func(t *Tx) error { return fn(t) })
}

// View runs fn in one read-only transaction, which sees one consistent snapshot. Writes
// attempted through it fail.
func (db *DB) View(ctx context.Context, fn func(justify.Tx) error) error {
	return db.view(ctx, func(t *Tx) error { return fn(t) })
}

// update and view are Update and View for DB's own methods, which also use Tx's
// unexported helpers.
func (db *DB) update(ctx context.Context, fn func(*Tx) error) error {
	if err := db.gate.acquire(ctx); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer db.gate.release()
	return db.inTx(ctx, db.write, fn)
}
func (db *DB) view(ctx context.Context, fn func(*Tx) error) error { return db.inTx(ctx, db.read, fn) }

func (db *DB) inTx(ctx context.Context, pool *sql.DB, fn func(*Tx) error) error {
	// Its statements check ctx before they run rather than being watched while they run
	// (Tx.ctx).
	quiet := context.WithoutCancel(ctx)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	sqlTx, err := pool.BeginTx(quiet, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// After a successful Commit this does nothing.
	defer func() { _ = sqlTx.Rollback() }()
	tx := &Tx{tx: sqlTx, ctx: quiet, done: ctx, now: db.now, cache: db.cacheOf(pool)}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	tx.cache.prepare(ctx, tx.fresh)
	return nil
}

// ms stores a time as Unix milliseconds, with 0 for the zero time. Precision below a
// millisecond is dropped; the instant 1970-01-01T00:00:00Z would read back as the zero time,
// which no modwatch time can be.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS reads a time stored by ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
