package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestStatementsKeepTheirPlans runs statements whose arguments take the values 0 and 1 on
// some runs and others on the rest, as they do in the daemon, and checks that once each is
// prepared, running them again compiles nothing: SQLite plans such a statement for whether
// a "col = ?" value is 0 or 1, and used to plan it again on every run that changed the kind
// (stmtKey).
func TestStatementsKeepTheirPlans(t *testing.T) {
	const (
		community = 123_456
		customer  = 5_001
	)
	tests := []struct {
		name string
		// setup stores what run reads.
		setup func(t *testing.T, db *DB)
		// run is the statements, run round after round; round tells the rounds apart.
		run func(db *DB, round int) error
	}{
		{
			name: "a customer's tickets here and at the help desk (group 0)",
			setup: func(t *testing.T, db *DB) {
				require.NoError(t, db.Update(context.Background(), func(tx justify.Tx) error {
					for i, g := range []int64{community, 0, community, 0} {
						ref := justify.Ref{GroupID: g, Place: justify.PlaceWallComment, OwnerID: -community, ParentID: 1, ItemID: int64(i + 1)}
						if g == 0 {
							ref = justify.Ref{Place: justify.PlaceHelpDesk, ItemID: int64(i + 1)}
						}
						tk := justify.Ticket{Key: fmt.Sprint("t", i), Ref: ref, AuthorVKID: customer, Text: "где заказ?", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
						if i%2 == 1 {
							tk.AnsweredAt = tk.CreatedAt.Add(time.Hour)
						}
						if _, err := tx.UpsertTicket(&tk); err != nil {
							return err
						}
					}
					return nil
				}))
			},
			run: func(db *DB, _ int) error {
				return db.View(context.Background(), func(tx justify.Tx) error {
					ts, err := tx.TicketsOf(community, customer, 10)
					if err == nil && len(ts) != 4 {
						err = fmt.Errorf("read %d tickets, want 4", len(ts))
					}
					return err
				})
			},
		},
		{
			name: "a prompt and then its edit",
			run: func(db *DB, round int) error {
				return db.Update(context.Background(), func(tx justify.Tx) error {
					m := justify.Message{CaseID: justify.CaseID(round + 100), ChatID: 1001, Kind: justify.MsgPrompt, Created: t0, Payload: "{}"}
					id, err := tx.Enqueue(m)
					if err != nil {
						return err
					}
					m.EditOf, m.TelegramMessageID = id, 0
					_, err = tx.Enqueue(m)
					return err
				})
			},
		},
		{
			name: "comments answered and not, by customers 1 and others",
			run: func(db *DB, round int) error {
				return db.Update(context.Background(), func(tx justify.Tx) error {
					for i, author := range []int64{1, customer, 0, customer + 1} {
						ref := justify.Ref{GroupID: community, Place: justify.PlaceWallComment, OwnerID: -community, ParentID: int64(i), ItemID: int64(round*10 + i + 1)}
						tk := justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: author, Text: "вопрос", CreatedAt: t0}
						if i%2 == 0 {
							tk.AnsweredAt, tk.AnsweredBy = t0.Add(time.Minute), 1
						}
						ev := justify.Event{Key: fmt.Sprint("e", round, i), GroupID: community, Kind: justify.EventWrite,
							UserVKID: author, Item: ref, Ticket: &tk, At: t0, Source: justify.SourceLongPoll}
						if _, err := tx.InsertEvent(ev); err != nil {
							return err
						}
						if _, err := tx.UpsertTicket(&tk); err != nil {
							return err
						}
						if _, err := tx.Ticket(tk.Key); err != nil {
							return err
						}
					}
					return nil
				})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			if tt.setup != nil {
				tt.setup(t, db)
			}
			// The first round prepares the statements in its transaction, the pool
			// prepares them after it, and the second round runs the pool's.
			for round := range 2 {
				require.NoError(t, tt.run(db, round))
			}
			prepared := db.Compiles()
			require.Positive(t, prepared, "the compile counter counts")
			for round := 2; round < 12; round++ {
				require.NoError(t, tt.run(db, round))
			}
			assert.Equal(t, prepared, db.Compiles(), "statements compiled again while running 10 more rounds")
		})
	}
}

// TestReadersStayOpen reads from as many goroutines as there are readers, several times
// over, and checks that no reader was closed on its way back to the pool: a new one reads
// the schema and prepares its statements again.
func TestReadersStayOpen(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	readers := db.read.Stats().MaxOpenConnections
	require.Greater(t, readers, 2, "more readers than database/sql keeps idle by default")
	for range 5 {
		// Every goroutine holds its transaction until all have begun theirs, so that
		// all the readers are open at once.
		var began, done sync.WaitGroup
		began.Add(readers)
		errs := make(chan error, readers)
		for range readers {
			done.Go(func() {
				errs <- db.View(ctx, func(tx justify.Tx) error {
					began.Done()
					began.Wait()
					_, err := tx.TicketsOf(123_456, 5_001, 10)
					return err
				})
			})
		}
		done.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	st := db.read.Stats()
	assert.Equal(t, readers, st.OpenConnections, "readers open")
	assert.Zero(t, st.MaxIdleClosed, "readers closed on their way back to the pool")
}

// TestPlannedArgs finds the arguments SQLite may plan a statement for (stmtKey).
func TestPlannedArgs(t *testing.T) {
	eq := func(pos int) plannedArg { return plannedArg{pos: pos} }
	limit := func(pos int) plannedArg { return plannedArg{pos: pos, limit: true} }
	tests := []struct {
		name  string
		query string
		want  []plannedArg
	}{
		{"equals and a limit", "SELECT id FROM t WHERE a = ? AND b=? ORDER BY c LIMIT ?", []plannedArg{eq(0), eq(1), limit(2)}},
		{"comparisons that are not equalities", "SELECT id FROM t WHERE a != ? AND b <= ? AND c >= ? AND d < ? AND e > ?", nil},
		{"IS and a one-value IN list", "SELECT id FROM t WHERE a IS ? AND b IN (?) AND c IN (?, ?)", []plannedArg{eq(0), eq(1)}},
		{"a quoted question mark", "SELECT id FROM t WHERE a = '?' AND b = ? AND c = 'it''s?' AND d = ?", []plannedArg{eq(0), eq(1)}},
		{"a unary plus", "DELETE FROM t WHERE a = +? AND b = ?", []plannedArg{eq(1)}},
		{"an offset", "SELECT id FROM t ORDER BY id LIMIT ? OFFSET ?", []plannedArg{limit(0), limit(1)}},
		{"an insert", "INSERT INTO t (a, b) VALUES (?, ?)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, plannedArgs(tt.query))
		})
	}
}

// TestReplansAreCounted plans a statement again on purpose, by binding 0 and 7 in turn to
// its "col = ?" on one prepared statement, and checks that Replans counts it: Replans
// finds re-planning by SQLite's function name in the driver, which a new driver could
// change.
func TestReplansAreCounted(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	st, err := db.read.PrepareContext(ctx, "SELECT id FROM tickets WHERE author_vk_id = ? AND group_id = ? ORDER BY created_at DESC LIMIT 10")
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	before := db.Replans()
	for i := range 6 {
		rows, err := st.QueryContext(ctx, 5_001, (i%2)*7)
		require.NoError(t, err)
		require.NoError(t, rows.Close())
	}
	assert.GreaterOrEqual(t, db.Replans()-before, int64(5), "a replan each time the group crosses between 0 and 7")
}
