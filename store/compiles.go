package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"sync/atomic"

	"modernc.org/sqlite"
)

// compileCounter opens a pool's connections through the driver and counts what SQLite
// compiles on them, which is what the statement cache (tx.go) exists to avoid: a
// statement that keeps its plan compiles once per connection, however often it runs.
//
// SQLite asks the authorizer about each statement while it compiles it, never while it
// runs, so counting its questions counts compilations (first ones, and those of a
// statement whose plan expired) at no cost to a statement that runs again.
type compileCounter struct {
	driver.Connector
	compiles atomic.Int64
	// replans are the compilations of statements already prepared, whose plans expired.
	replans atomic.Int64
}

// openCounted opens a pool on dsn whose compilations c counts.
func openCounted(dsn string) (*sql.DB, *compileCounter, error) {
	conn, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, nil, err
	}
	c := &compileCounter{Connector: conn}
	return sql.OpenDB(c), c, nil
}

// Connect opens a connection and installs the counting authorizer on it. It allows
// everything: modwatch runs only its own SQL.
func (c *compileCounter) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := conn.(sqlite.AuthorizerRegisterer)
	if !ok {
		return conn, nil
	}
	if err := r.RegisterAuthorizer(c.authorize); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("install the compile counter: %w", err)
	}
	return conn, nil
}

// authorize counts one compilation per statement (each SELECT of a subquery too): SQLite
// asks about the statement's kind once, and about each column and function it uses.
func (c *compileCounter) authorize(action sqlite.AuthorizerActionCode, _, _, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthInsert, sqlite.AuthUpdate, sqlite.AuthDelete:
		c.compiles.Add(1)
		if inReprepare() {
			c.replans.Add(1)
		}
	}
	return sqlite.AuthorizerOK
}

// reprepare is SQLite's function that compiles an expired statement again, as the driver
// names it; TestReplansAreCounted fails if a new driver names it otherwise.
const reprepare = "modernc.org/sqlite/lib._sqlite3Reprepare"

// inReprepare tells whether SQLite is compiling a statement again, from the Go stack the
// authorizer was called on: a step that found the plan expired (sqlite3Reprepare), not a
// prepare. It walks the stack only while SQLite compiles.
func inReprepare() bool {
	var pcs [96]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		f, more := frames.Next()
		if f.Function == reprepare {
			return true
		}
		if !more {
			return false
		}
	}
}

// Replans tells how many of Compiles were compilations of statements already prepared,
// because a binding expired their plans: a statement prepared on a connection and run
// with the same kinds of arguments (stmtKey) is planned again at most once, on its first
// run, when its first arguments replace the nothing it was planned with.
func (db *DB) Replans() int64 {
	var n int64
	for _, c := range db.counters {
		n += c.replans.Load()
	}
	return n
}

// Compiles tells how many statements SQLite has compiled on the database's connections
// since it opened, the re-compilations of statements whose plans expired included, each
// SELECT of a subquery counting as one. Once a workload's statements are prepared it stays
// put while the workload runs again; the statements the daemon runs a few times an hour
// (reports, pruning) compile each time.
func (db *DB) Compiles() int64 {
	var n int64
	for _, c := range db.counters {
		n += c.compiles.Load()
	}
	return n
}
