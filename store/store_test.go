package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// t0 is the tests' "now": a fixed instant, whole milliseconds, in UTC, as the store returns times.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// openTest opens a fresh database in a temporary folder, closed when the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db := openAt(t, filepath.Join(t.TempDir(), "modwatch.db"))
	return db
}

func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	require.NoError(t, err)
	db.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// count counts a table's rows, bypassing the API under test.
func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.read.QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

func update(t *testing.T, db *DB, fn func(tx justify.Tx) error) {
	t.Helper()
	require.NoError(t, db.Update(context.Background(), fn))
}

func view(t *testing.T, db *DB, fn func(tx justify.Tx) error) {
	t.Helper()
	require.NoError(t, db.View(context.Background(), fn))
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"plain", filepath.Join(dir, "modwatch.db")},
		// Characters that mean something in an SQLite URI must stay part of the file name.
		{"uri characters", filepath.Join(dir, "a b?c#d%20.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openAt(t, tt.path)
			update(t, db, func(tx justify.Tx) error { return tx.SaveCursor("k", "v") })

			for _, p := range []string{tt.path, tt.path + "-wal", tt.path + "-shm"} {
				fi, err := os.Stat(p)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
			}
			entries, err := os.ReadDir(filepath.Dir(tt.path))
			require.NoError(t, err)
			for _, e := range entries {
				// Any other file would mean the name was cut at a URI delimiter.
				assert.Contains(t, []string{"modwatch.db", "a b?c#d%20.db"}, trimWAL(e.Name()))
			}
			assert.NoError(t, db.Ping(context.Background()))
		})
	}
}

func trimWAL(name string) string {
	for _, s := range []string{"-wal", "-shm"} {
		if len(name) > len(s) && name[len(name)-len(s):] == s {
			return name[:len(name)-len(s)]
		}
	}
	return name
}

func TestOpenFailsForMissingFolder(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "nope", "modwatch.db"))
	assert.Error(t, err)
}

func TestCloseIsIdempotent(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "modwatch.db"))
	require.NoError(t, err)
	assert.NoError(t, db.Close())
	assert.NoError(t, db.Close())
	assert.Error(t, db.Ping(context.Background()))
}

func TestReopenKeepsDataAndAppliesNothingTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modwatch.db")
	ctx := context.Background()

	db, err := Open(ctx, path)
	require.NoError(t, err)
	c := justify.Case{GroupID: 1, EventKey: "e1", Kind: justify.EventBan, State: justify.StateAwaitingReason, OpenedAt: t0, Deadline: t0}
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		if _, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2}); err != nil {
			return err
		}
		return tx.CreateCase(&c)
	}))
	require.NoError(t, db.Close())

	for range 2 {
		db = openAt(t, path)
		want, err := loadMigrations(migrations)
		require.NoError(t, err)
		assert.Equal(t, len(want), count(t, db, "schema_migrations"))
		view(t, db, func(tx justify.Tx) error {
			got, err := tx.Case(c.ID)
			require.NoError(t, err)
			assert.Equal(t, c, got)
			return nil
		})
		update(t, db, func(tx justify.Tx) error {
			isNew, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2})
			assert.False(t, isNew, "the event survived the reopen")
			return err
		})
		require.NoError(t, db.Close())
	}
}

func TestMigrate(t *testing.T) {
	real, err := fs0001()
	require.NoError(t, err)
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
		// before lists the versions recorded before the test migrates.
		before []int
		// applied lists the versions recorded afterwards.
		applied []int
	}{
		{
			name:    "a later migration is applied once",
			files:   fstest.MapFS{"migrations/0001_init.sql": real, "migrations/0002_notes.sql": {Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY);")}},
			applied: []int{1, 2},
		},
		{
			name: "numbers order, not names",
			files: fstest.MapFS{"migrations/0001_init.sql": real, "migrations/10_b.sql": {Data: []byte("ALTER TABLE a ADD COLUMN y INTEGER;")},
				"migrations/9_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")}},
			applied: []int{1, 9, 10},
		},
		{
			name: "a failing migration leaves nothing behind",
			files: fstest.MapFS{"migrations/0001_init.sql": real,
				"migrations/0002_bad.sql": {Data: []byte("CREATE TABLE half (x INTEGER); THIS IS NOT SQL;")}},
			wantErr: "apply migration 0002_bad.sql",
			applied: []int{1},
		},
		{
			name:    "an unnumbered file is refused",
			files:   fstest.MapFS{"migrations/0001_init.sql": real, "migrations/init.sql": {Data: []byte("SELECT 1;")}},
			wantErr: "must start with a positive number",
		},
		{
			name:    "two files with one number are refused",
			files:   fstest.MapFS{"migrations/0001_init.sql": real, "migrations/0001_again.sql": {Data: []byte("SELECT 1;")}},
			wantErr: "share number 1",
		},
		{
			name:    "a database a newer modwatch wrote is refused, not migrated down",
			files:   fstest.MapFS{"migrations/0001_init.sql": real, "migrations/0002_notes.sql": {Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY);")}},
			before:  []int{1, 3},
			wantErr: "written by a newer modwatch: it records migration 0003_future.sql (version 3) and this modwatch knows versions up to 2",
			applied: []int{1, 3},
		},
	}
	versions := func(t *testing.T, db *DB) []int {
		t.Helper()
		var got []int
		rows, err := db.read.Query("SELECT version FROM schema_migrations ORDER BY version")
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var v int
			require.NoError(t, rows.Scan(&v))
			got = append(got, v)
		}
		return got
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openBare(t)
			if len(tt.before) > 0 {
				_, err := db.write.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
				require.NoError(t, err)
				for _, v := range tt.before {
					name := map[int]string{1: "0001_init.sql", 3: "0003_future.sql"}[v]
					_, err := db.write.Exec("INSERT INTO schema_migrations VALUES (?, ?, 0)", v, name)
					require.NoError(t, err)
				}
			}
			for range 2 {
				err := db.migrate(context.Background(), tt.files)
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.wantErr)
				} else {
					require.NoError(t, err)
				}
			}
			assert.Equal(t, tt.applied, versions(t, db))
			var half int
			if len(tt.before) > 0 {
				require.NoError(t, db.read.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'notes'").Scan(&half))
				assert.Zero(t, half, "nothing is applied to a refused database")
			}
			require.NoError(t, db.read.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").Scan(&half))
			assert.Zero(t, half)
		})
	}
}

// openBare opens a database file without applying any migration, so that a test decides
// which ones it records, whatever the real migrations are numbered.
func openBare(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bare.db")
	w, err := sql.Open("sqlite", dsn(path, false))
	require.NoError(t, err)
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn(path, true))
	require.NoError(t, err)
	db := &DB{write: w, read: r, now: func() time.Time { return t0 }}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func fs0001() (*fstest.MapFile, error) {
	b, err := migrations.ReadFile("migrations/0001_init.sql")
	return &fstest.MapFile{Data: b}, err
}

func TestUpdateRollsBackWhenFnFails(t *testing.T) {
	db := openTest(t)
	boom := errors.New("boom")
	c := justify.Case{GroupID: 1, EventKey: "kept", Kind: justify.EventBan, State: justify.StateAwaitingReason}
	update(t, db, func(tx justify.Tx) error { return tx.CreateCase(&c) })

	err := db.Update(context.Background(), func(tx justify.Tx) error {
		if _, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2}); err != nil {
			return err
		}
		nc := justify.Case{GroupID: 1, EventKey: "e1", Kind: justify.EventBan, State: justify.StateAwaitingReason}
		if err := tx.CreateCase(&nc); err != nil {
			return err
		}
		if _, err := tx.Enqueue(justify.Message{CaseID: nc.ID, ChatID: 7, Kind: justify.MsgPrompt}); err != nil {
			return err
		}
		if err := tx.AddDecision(justify.Decision{CaseID: nc.ID, Action: justify.ActionOpened, Actor: "modwatch"}); err != nil {
			return err
		}
		c.Reason = justify.ReasonSpam
		if err := tx.SaveCase(&c); err != nil {
			return err
		}
		if err := tx.SaveCursor("vk:1", "42"); err != nil {
			return err
		}
		if err := tx.SetPendingInput(justify.PendingInput{TelegramID: 7, CaseID: nc.ID}); err != nil {
			return err
		}
		return fmt.Errorf("handle event: %w", boom)
	})
	assert.ErrorIs(t, err, boom, "fn's error comes back unchanged")

	for _, table := range []string{"events", "outbox", "decisions", "cursors", "pending_inputs"} {
		assert.Zero(t, count(t, db, table), table)
	}
	assert.Equal(t, 1, count(t, db, "cases"))
	view(t, db, func(tx justify.Tx) error {
		got, err := tx.Case(c.ID)
		require.NoError(t, err)
		assert.Empty(t, got.Reason, "the save was rolled back")
		assert.Equal(t, 1, got.Version)
		return nil
	})
}

func TestViewIsReadOnly(t *testing.T) {
	db := openTest(t)
	err := db.View(context.Background(), func(tx justify.Tx) error {
		_, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2})
		return err
	})
	assert.Error(t, err)
	assert.Zero(t, count(t, db, "events"))
}

// TestConcurrentUpdates runs writers and readers at once: none may see SQLITE_BUSY, and a
// read-modify-write of one counter must lose no increment.
func TestConcurrentUpdates(t *testing.T) {
	const writers, each = 8, 50
	tests := []struct {
		name string
		// dbs is how many handles share the file: 2 is the daemon and the CLI side by side.
		dbs int
	}{
		{"one handle", 1},
		{"two handles on one file", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "modwatch.db")
			var dbs []*DB
			for range tt.dbs {
				dbs = append(dbs, openAt(t, path))
			}
			ctx := context.Background()
			errs := make(chan error, writers*each*2)
			var wg sync.WaitGroup
			for w := range writers {
				db := dbs[w%len(dbs)]
				wg.Go(func() {
					for i := range each {
						errs <- db.Update(ctx, func(tx justify.Tx) error {
							key := fmt.Sprintf("w%d-%d", w, i)
							if _, err := tx.InsertEvent(justify.Event{Key: key, GroupID: 1, Kind: justify.EventBan, UserVKID: int64(w)}); err != nil {
								return err
							}
							c := justify.Case{GroupID: 1, EventKey: key, Kind: justify.EventBan, State: justify.StateAwaitingReason}
							if err := tx.CreateCase(&c); err != nil {
								return err
							}
							if _, err := tx.Enqueue(justify.Message{CaseID: c.ID, ChatID: 1, Kind: justify.MsgPrompt}); err != nil {
								return err
							}
							v, err := tx.Cursor("counter")
							if err != nil {
								return err
							}
							var n int
							if v != "" {
								if _, err := fmt.Sscan(v, &n); err != nil {
									return err
								}
							}
							return tx.SaveCursor("counter", fmt.Sprint(n+1))
						})
					}
				})
				wg.Go(func() {
					// A reader must see the counter only grow: each View is one snapshot.
					last := 0
					for range each {
						errs <- db.View(ctx, func(tx justify.Tx) error {
							v, err := tx.Cursor("counter")
							if err != nil || v == "" {
								return err
							}
							var n int
							if _, err := fmt.Sscan(v, &n); err != nil {
								return err
							}
							if n < last {
								return fmt.Errorf("counter went back from %d to %d", last, n)
							}
							last = n
							return nil
						})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			db := dbs[0]
			assert.Equal(t, writers*each, count(t, db, "events"))
			assert.Equal(t, writers*each, count(t, db, "cases"))
			assert.Equal(t, writers*each, count(t, db, "outbox"))
			view(t, db, func(tx justify.Tx) error {
				v, err := tx.Cursor("counter")
				assert.Equal(t, fmt.Sprint(writers*each), v)
				return err
			})
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*60*60)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero stays zero", time.Time{}, time.Time{}},
		{"utc to the millisecond", t0, t0},
		{"sub-millisecond precision is dropped", t0.Add(999 * time.Microsecond), t0},
		{"another zone comes back as the same instant in UTC", t0.In(moscow), t0},
		{"before 1970", time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC), time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC)},
		{"monotonic reading is dropped", time.Now().Round(time.Millisecond), time.Now().Round(time.Millisecond).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromMS(ms(tt.in))
			assert.True(t, tt.want.Equal(got), "want %v, got %v", tt.want, got)
			assert.Equal(t, tt.in.IsZero(), got.IsZero())
			if !got.IsZero() {
				assert.Equal(t, time.UTC, got.Location())
			}

			// The same through a table, with every time column of a case.
			db := openTest(t)
			c := justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason,
				ActedAt: tt.in, Until: tt.in, OpenedAt: tt.in, Deadline: tt.in, RemindAt: tt.in, JustifiedAt: tt.in, ResolvedAt: tt.in}
			update(t, db, func(tx justify.Tx) error { return tx.CreateCase(&c) })
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Case(c.ID)
				require.NoError(t, err)
				for _, tm := range []time.Time{got.ActedAt, got.Until, got.OpenedAt, got.Deadline, got.RemindAt, got.JustifiedAt, got.ResolvedAt} {
					assert.True(t, tt.want.Equal(tm), "want %v, got %v", tt.want, tm)
					assert.Equal(t, tt.want.IsZero(), tm.IsZero())
				}
				return nil
			})
		})
	}
}

// TestPageCachesAreBounded: each connection's page cache is bounded, since the caches
// are part of what the daemon holds for good.
func TestPageCachesAreBounded(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var reader, writer int
	require.NoError(t, db.read.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&reader))
	require.NoError(t, db.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&writer))
	assert.Equal(t, readerCacheKiB, reader)
	assert.Equal(t, writerCacheKiB, writer)
	assert.Greater(t, writerCacheKiB, -2000, "below SQLite's default of 2 MiB")
}
