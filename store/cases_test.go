package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// fullCase fills every field of a case.
func fullCase() justify.Case {
	return justify.Case{
		GroupID: 100, EventKey: "e1", Kind: justify.EventDelete, ActorVKID: 5, Operator: "Мария", ActorRole: justify.RoleManager, UserVKID: 6,
		UserName: "Иван", VKReason: justify.BanAbuse, VKComment: "грубость", ActedAt: t0, Until: t0.Add(time.Hour),
		Source: justify.SourceReconcile,
		Item:   justify.Ref{GroupID: 100, Place: justify.PlaceBoardPost, OwnerID: -100, ParentID: 3, ItemID: 4},
		Severe: true, State: justify.StateUndoPending, Resolution: justify.ResolutionRestoredByHand,
		OpenedAt: t0, Deadline: t0.Add(2 * time.Hour), RemindAt: t0.Add(time.Hour), Reminded: true, Overdue: true,
		AskedAt: t0.Add(time.Minute), NotAsked: true, Reason: justify.ReasonOther, ReasonText: "так надо", JustifiedAt: t0.Add(3 * time.Hour),
		ResolvedAt: t0.Add(4 * time.Hour), ResolvedBy: "Олег", UndoNote: "нет токена", BatchID: 9,
	}
}

func TestCreateCaseAndCase(t *testing.T) {
	tests := []struct {
		name string
		in   justify.Case
	}{
		{"every field is kept", fullCase()},
		{"a bare case", justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}},
		{"the given ID and version are ignored", justify.Case{ID: 77, Version: 9, GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			c := tt.in
			update(t, db, func(tx justify.Tx) error {
				require.NoError(t, tx.CreateCase(&justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateClosed}))
				return tx.CreateCase(&c)
			})
			assert.Equal(t, justify.CaseID(2), c.ID)
			assert.Equal(t, 1, c.Version)
			want := tt.in
			want.ID, want.Version = 2, 1
			assert.Equal(t, want, c)
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Case(c.ID)
				require.NoError(t, err)
				assert.Equal(t, want, got)
				return nil
			})
		})
	}
}

func TestCaseNotFound(t *testing.T) {
	db := openTest(t)
	view(t, db, func(tx justify.Tx) error {
		_, err := tx.Case(42)
		assert.ErrorIs(t, err, justify.ErrNotFound)
		return nil
	})
}

func TestSaveCase(t *testing.T) {
	tests := []struct {
		name string
		// edit changes the loaded copy before it is saved; it gets the store to play the other writer.
		edit         func(t *testing.T, db *DB, c *justify.Case)
		wantErr      error
		wantVersion  int
		wantReason   justify.Reason
		storedReason justify.Reason
	}{
		{
			name:         "a fresh copy is saved and its version bumped",
			edit:         func(*testing.T, *DB, *justify.Case) {},
			wantVersion:  2,
			storedReason: justify.ReasonSpam,
		},
		{
			name: "a stale copy is refused and writes nothing",
			edit: func(t *testing.T, db *DB, c *justify.Case) {
				other := *c
				other.Reason = justify.ReasonFlood
				update(t, db, func(tx justify.Tx) error { return tx.SaveCase(&other) })
			},
			wantErr:      justify.ErrConflict,
			wantVersion:  1,
			storedReason: justify.ReasonFlood,
		},
		{
			name:        "an unknown case is a conflict too",
			edit:        func(_ *testing.T, _ *DB, c *justify.Case) { c.ID = 999 },
			wantErr:     justify.ErrConflict,
			wantVersion: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			c := fullCase()
			c.Reason = ""
			update(t, db, func(tx justify.Tx) error { return tx.CreateCase(&c) })
			id := c.ID
			tt.edit(t, db, &c)

			c.Reason = justify.ReasonSpam
			err := db.Update(context.Background(), func(tx justify.Tx) error { return tx.SaveCase(&c) })
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.wantVersion, c.Version)
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Case(id)
				require.NoError(t, err)
				assert.Equal(t, tt.storedReason, got.Reason)
				if tt.wantErr == nil {
					assert.Equal(t, c, got)
				}
				return nil
			})
		})
	}
}

func TestSaveCaseTwiceInOneTransaction(t *testing.T) {
	db := openTest(t)
	c := justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}
	update(t, db, func(tx justify.Tx) error {
		require.NoError(t, tx.CreateCase(&c))
		stale := c
		require.NoError(t, tx.SaveCase(&c))
		require.NoError(t, tx.SaveCase(&c))
		assert.ErrorIs(t, tx.SaveCase(&stale), justify.ErrConflict)
		return nil
	})
	assert.Equal(t, 3, c.Version)
}

func TestOpenCaseFor(t *testing.T) {
	open := func(group, user int64, kind justify.EventKind, st justify.State, key string) justify.Case {
		return justify.Case{GroupID: group, UserVKID: user, Kind: kind, State: st, EventKey: key}
	}
	tests := []struct {
		name    string
		cases   []justify.Case
		wantKey string // "" for not found
	}{
		{"none", nil, ""},
		{"a closed case does not count", []justify.Case{open(1, 2, justify.EventBan, justify.StateClosed, "a")}, ""},
		{"another group", []justify.Case{open(9, 2, justify.EventBan, justify.StateAwaitingReason, "a")}, ""},
		{"another user", []justify.Case{open(1, 9, justify.EventBan, justify.StateAwaitingReason, "a")}, ""},
		{"another kind", []justify.Case{open(1, 2, justify.EventDelete, justify.StateAwaitingReason, "a")}, ""},
		{"awaiting reason", []justify.Case{open(1, 2, justify.EventBan, justify.StateAwaitingReason, "a")}, "a"},
		{"awaiting review", []justify.Case{open(1, 2, justify.EventBan, justify.StateAwaitingReview, "a")}, "a"},
		{"undo pending", []justify.Case{open(1, 2, justify.EventBan, justify.StateUndoPending, "a")}, "a"},
		{"the newest open one", []justify.Case{
			open(1, 2, justify.EventBan, justify.StateAwaitingReview, "old"),
			open(1, 2, justify.EventBan, justify.StateAwaitingReason, "new"),
			open(1, 2, justify.EventBan, justify.StateClosed, "closed"),
		}, "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			update(t, db, func(tx justify.Tx) error {
				for _, c := range tt.cases {
					if err := tx.CreateCase(&c); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.OpenCaseFor(1, 2, justify.EventBan)
				if tt.wantKey == "" {
					assert.ErrorIs(t, err, justify.ErrNotFound)
					return nil
				}
				require.NoError(t, err)
				assert.Equal(t, tt.wantKey, got.EventKey)
				return nil
			})
		})
	}
}

func TestDueCases(t *testing.T) {
	now := t0
	at := func(d time.Duration) time.Time { return now.Add(d) }
	tests := []struct {
		name string
		c    justify.Case
		due  bool
	}{
		{"nothing due yet", justify.Case{RemindAt: at(time.Minute), Deadline: at(time.Hour)}, false},
		{"reminder due", justify.Case{RemindAt: now, Deadline: at(time.Hour)}, true},
		{"reminder overdue", justify.Case{RemindAt: at(-time.Minute), Deadline: at(time.Hour)}, true},
		{"reminder already sent", justify.Case{RemindAt: at(-time.Minute), Reminded: true, Deadline: at(time.Hour)}, false},
		{"no reminder planned", justify.Case{Deadline: at(time.Hour)}, false},
		{"deadline reached", justify.Case{Deadline: now}, true},
		{"deadline passed after the reminder", justify.Case{RemindAt: at(-time.Hour), Reminded: true, Deadline: at(-time.Millisecond)}, true},
		{"deadline a millisecond away", justify.Case{Deadline: at(time.Millisecond)}, false},
		{"in review, deadline passed", justify.Case{State: justify.StateAwaitingReview, Deadline: at(-time.Hour)}, false},
		{"closed, reminder due", justify.Case{State: justify.StateClosed, RemindAt: at(-time.Hour), Deadline: at(time.Hour)}, false},
		// The deadline runs from the prompt's delivery: until then nothing is due.
		{"not asked yet, deadline passed", justify.Case{RemindAt: at(-2 * time.Hour), Deadline: at(-time.Hour)}, false},
	}
	db := openTest(t)
	var want []string
	update(t, db, func(tx justify.Tx) error {
		for _, tt := range tests {
			c := tt.c
			c.EventKey, c.GroupID, c.Kind = tt.name, 1, justify.EventBan
			if c.State == "" {
				c.State = justify.StateAwaitingReason
			}
			if !strings.HasPrefix(tt.name, "not asked") {
				c.AskedAt = at(-3 * time.Hour)
			}
			if tt.due {
				want = append(want, tt.name)
			}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx justify.Tx) error {
		got, err := tx.DueCases(now)
		require.NoError(t, err)
		var keys []string
		for _, c := range got {
			keys = append(keys, c.EventKey)
		}
		assert.Equal(t, want, keys, "due cases, oldest first")
		return nil
	})
}

func TestCasesInState(t *testing.T) {
	db := openTest(t)
	states := []justify.State{justify.StateAwaitingReview, justify.StateClosed, justify.StateAwaitingReview, justify.StateAwaitingReason}
	update(t, db, func(tx justify.Tx) error {
		for i, st := range states {
			if err := tx.CreateCase(&justify.Case{EventKey: fmt.Sprint(i), GroupID: 1, Kind: justify.EventBan, State: st}); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		state justify.State
		want  []string
	}{
		{justify.StateAwaitingReview, []string{"0", "2"}},
		{justify.StateClosed, []string{"1"}},
		{justify.StateAwaitingReason, []string{"3"}},
		{justify.StateUndoPending, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.CasesInState(tt.state)
				require.NoError(t, err)
				var keys []string
				for _, c := range got {
					keys = append(keys, c.EventKey)
				}
				assert.Equal(t, tt.want, keys)
				return nil
			})
			// The read of its own, for /pending, lists the same, in the same order.
			got, err := db.CasesInState(context.Background(), tt.state)
			require.NoError(t, err)
			var keys []string
			for _, c := range got {
				keys = append(keys, c.EventKey)
			}
			assert.Equal(t, tt.want, keys)
		})
	}
}

func TestCaseReadersAndCasesIn(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := mkCase(t, db, justify.Case{EventKey: "a", State: justify.StateClosed})
	mkCase(t, db, justify.Case{EventKey: "b"})
	c := mkCase(t, db, justify.Case{EventKey: "c", State: justify.StateClosed})
	update(t, db, func(tx justify.Tx) error {
		return tx.AddDecision(justify.Decision{CaseID: a, Action: justify.ActionApproved, Actor: "Olga", At: t0})
	})

	got, err := db.Case(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, "a", got.EventKey)
	_, err = db.Case(ctx, 12345)
	require.ErrorIs(t, err, justify.ErrNotFound)
	ds, err := db.Decisions(ctx, a)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "Olga", ds[0].Actor)

	tests := []struct {
		name  string
		state justify.State
		limit int
		want  []justify.CaseID
	}{
		{"closed, newest first", justify.StateClosed, 0, []justify.CaseID{c, a}},
		{"limited", justify.StateClosed, 1, []justify.CaseID{c}},
		{"any state", "", 0, []justify.CaseID{c, c - 1, a}},
		{"none in the state", justify.StateReversing, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.CasesIn(ctx, tt.state, tt.limit)
			require.NoError(t, err)
			var ids []justify.CaseID
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

func TestListCases(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx justify.Tx) error {
		for i := range 5 {
			if err := tx.CreateCase(&justify.Case{EventKey: fmt.Sprint(i), GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"newest first", 3, []string{"4", "3", "2"}},
		{"limit above the count", 10, []string{"4", "3", "2", "1", "0"}},
		{"no limit", 0, []string{"4", "3", "2", "1", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListCases(context.Background(), tt.limit)
			require.NoError(t, err)
			var keys []string
			for _, c := range got {
				keys = append(keys, c.EventKey)
			}
			assert.Equal(t, tt.want, keys)
		})
	}
	t.Run("empty database", func(t *testing.T) {
		got, err := openTest(t).ListCases(context.Background(), 10)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

func TestStatsAndEventCounts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i, s := range []justify.State{justify.StateAwaitingReason, justify.StateAwaitingReason, justify.StateClosed} {
		mkCase(t, db, justify.Case{EventKey: fmt.Sprint(i), State: s})
	}
	update(t, db, func(tx justify.Tx) error {
		for i, ev := range []justify.Event{{GroupID: 1, Kind: justify.EventBan}, {GroupID: 1, Kind: justify.EventBan},
			{GroupID: 2, Kind: justify.EventUnban}} {
			ev.Key = fmt.Sprint("e", i)
			if _, err := tx.InsertEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	stats, err := db.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[justify.State]int{justify.StateAwaitingReason: 2, justify.StateClosed: 1}, stats)

	evs, err := db.EventCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[[2]string]int{{"1", "ban"}: 2, {"2", "unban"}: 1}, evs)
}

// Cases and batches recorded before actors' roles were kept were all operators' (only
// operators were attributed then): the migration says so, and leaves unknown admins' empty.
func TestActorRoleMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", dsn(path, false))
	require.NoError(t, err)
	first, err := fs0001()
	require.NoError(t, err)
	for _, q := range []string{
		string(first.Data),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`,
		`INSERT INTO cases (group_id, event_key, kind, actor_vk_id, operator, state, opened_at, deadline)
			VALUES (1, 'a', 'ban', 111, 'Ivan', 'awaiting_review', 0, 0), (1, 'b', 'ban', 999, '', 'awaiting_review', 0, 0)`,
		`INSERT INTO batches (group_id, kind, operator, state, opened_at, deadline) VALUES (1, 'ban', 'Ivan', 'open', 0, 0)`,
	} {
		_, err := old.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	require.NoError(t, old.Close())

	db := openAt(t, path)
	view(t, db, func(tx justify.Tx) error {
		ivans, err := tx.Case(1)
		require.NoError(t, err)
		assert.Equal(t, justify.RoleOperator, ivans.ActorRole)
		unknown, err := tx.Case(2)
		require.NoError(t, err)
		assert.Empty(t, unknown.ActorRole)
		b, err := tx.Batch(1)
		require.NoError(t, err)
		assert.Equal(t, justify.RoleOperator, b.ActorRole)
		return nil
	})
}
