package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// fullEvent fills every field of an event, so a column left out shows as a difference.
func fullEvent(key string) justify.Event {
	return justify.Event{
		Key: key, GroupID: 100, Kind: justify.EventAnswer, ActorVKID: 5, UserVKID: 6, UserName: "Иван",
		VKReason: justify.BanFlood, Comment: "флуд", Until: t0.Add(24 * time.Hour), Expired: true, At: t0,
		Source: justify.SourceLongPoll, ActorName: "Мария",
		Item:    justify.Ref{GroupID: 100, Place: justify.PlaceWallComment, OwnerID: -100, ParentID: 7, ItemID: 8},
		ReplyTo: justify.Ref{GroupID: 100, Place: justify.PlaceWallComment, OwnerID: -100, ParentID: 7, ItemID: 3},
		Ticket: &justify.Ticket{
			ID: 9, Key: "vk:100:wall_comment:-100_7_3", Ref: justify.Ref{GroupID: 100, Place: justify.PlaceWallComment, OwnerID: -100, ParentID: 7, ItemID: 3},
			AuthorVKID: 6, AuthorName: "Иван", Text: "где мой заказ?", Attachments: []string{"photo"}, Link: "https://vk.com/wall-100_7?reply=3",
			CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Minute), AnsweredAt: t0, AnsweredBy: 5,
			ExternalID: "x1", Subject: "заказ", Status: "open",
		},
	}
}

func TestInsertEvent(t *testing.T) {
	tests := []struct {
		name    string
		inserts []justify.Event
		wantNew []bool
		// stored is the event expected under the first key afterwards.
		stored justify.Event
	}{
		{
			// The customer's words live in tickets only, so that erasing them reaches
			// every copy: the event keeps the ticket's key.
			name:    "every field is kept, the ticket as its key",
			inserts: []justify.Event{fullEvent("e1")},
			wantNew: []bool{true},
			stored: func() justify.Event {
				ev := fullEvent("e1")
				ev.Ticket = &justify.Ticket{Key: ev.Ticket.Key}
				return ev
			}(),
		},
		{
			name:    "a minimal ban reads back with zero times and no ticket",
			inserts: []justify.Event{{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2}},
			wantNew: []bool{true},
			stored:  justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2},
		},
		{
			name: "a redelivery is stored once and the first copy wins",
			inserts: []justify.Event{
				{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "first"},
				{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "second"},
			},
			wantNew: []bool{true, false},
			stored:  justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "first"},
		},
		{
			name: "different keys are different events",
			inserts: []justify.Event{
				{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2},
				{Key: "e2", GroupID: 1, Kind: justify.EventBan, UserVKID: 2},
			},
			wantNew: []bool{true, true},
			stored:  justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			// Each insert in its own transaction, as redeliveries arrive.
			for i, ev := range tt.inserts {
				update(t, db, func(tx justify.Tx) error {
					isNew, err := tx.InsertEvent(ev)
					assert.Equal(t, tt.wantNew[i], isNew, "insert %d", i)
					return err
				})
			}
			wantRows := 0
			for _, n := range tt.wantNew {
				if n {
					wantRows++
				}
			}
			assert.Equal(t, wantRows, count(t, db, "events"))
			view(t, db, func(jtx justify.Tx) error {
				got, received, err := jtx.(*Tx).event(tt.stored.Key)
				require.NoError(t, err)
				assert.Equal(t, tt.stored, got)
				assert.Equal(t, t0, received)
				return nil
			})
		})
	}
}

func TestInsertEventTwiceInOneTransaction(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx justify.Tx) error {
		first, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2})
		require.NoError(t, err)
		second, err := tx.InsertEvent(justify.Event{Key: "e1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2})
		require.NoError(t, err)
		assert.True(t, first)
		assert.False(t, second)
		return nil
	})
	assert.Equal(t, 1, count(t, db, "events"))
}

func TestCursor(t *testing.T) {
	tests := []struct {
		name  string
		saves [][2]string
		key   string
		want  string
	}{
		{"none saved", nil, "vk:1", ""},
		{"saved", [][2]string{{"vk:1", "10"}}, "vk:1", "10"},
		{"the last save wins", [][2]string{{"vk:1", "10"}, {"vk:1", "11"}}, "vk:1", "11"},
		{"keys are separate", [][2]string{{"vk:1", "10"}, {"tg", "99"}}, "vk:1", "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			for _, s := range tt.saves {
				update(t, db, func(tx justify.Tx) error { return tx.SaveCursor(s[0], s[1]) })
			}
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Cursor(tt.key)
				assert.Equal(t, tt.want, got)
				return err
			})
		})
	}
}

// fullCase fills every field of a case.
func fullCase() justify.Case {
	return justify.Case{
		GroupID: 100, EventKey: "e1", Kind: justify.EventDelete, ActorVKID: 5, Operator: "Мария", UserVKID: 6,
		UserName: "Иван", VKReason: justify.BanAbuse, VKComment: "грубость", ActedAt: t0, Until: t0.Add(time.Hour),
		Source: justify.SourceReconcile,
		Item:   justify.Ref{GroupID: 100, Place: justify.PlaceBoardPost, OwnerID: -100, ParentID: 3, ItemID: 4},
		Severe: true, State: justify.StateUndoPending, Resolution: justify.ResolutionRestoredByHand,
		OpenedAt: t0, Deadline: t0.Add(2 * time.Hour), RemindAt: t0.Add(time.Hour), Reminded: true, Overdue: true,
		Reason: justify.ReasonOther, ReasonText: "так надо", JustifiedAt: t0.Add(3 * time.Hour),
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
		})
	}
}

func TestDecisions(t *testing.T) {
	db := openTest(t)
	var a, b justify.Case
	want := []justify.Decision{
		{Action: justify.ActionOpened, Actor: "modwatch", At: t0},
		{Action: justify.ActionJustified, Actor: "Мария", TelegramID: 11, At: t0.Add(time.Minute), Detail: "spam"},
		{Action: justify.ActionReversed, Actor: "Олег", TelegramID: 12, At: t0.Add(time.Hour), Detail: "не спам"},
	}
	update(t, db, func(tx justify.Tx) error {
		a = justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}
		b = justify.Case{GroupID: 1, Kind: justify.EventBan, State: justify.StateAwaitingReason}
		require.NoError(t, tx.CreateCase(&a))
		require.NoError(t, tx.CreateCase(&b))
		for i := range want {
			want[i].CaseID = a.ID
			require.NoError(t, tx.AddDecision(want[i]))
			// Interleave another case's trail: it must not leak into a's.
			require.NoError(t, tx.AddDecision(justify.Decision{CaseID: b.ID, Action: justify.ActionOpened, Actor: "modwatch"}))
		}
		return nil
	})

	tests := []struct {
		name string
		id   justify.CaseID
		want int
	}{
		{"a's trail in order", a.ID, 3},
		{"b's trail", b.ID, 3},
		{"an unknown case has none", 999, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.Decisions(tt.id)
				require.NoError(t, err)
				assert.Len(t, got, tt.want)
				if tt.id == a.ID {
					for i := range got {
						assert.NotZero(t, got[i].ID)
						got[i].ID = 0
					}
					assert.Equal(t, want, got)
				}
				return nil
			})
		})
	}

	t.Run("a decision needs its case", func(t *testing.T) {
		err := db.Update(context.Background(), func(tx justify.Tx) error {
			return tx.AddDecision(justify.Decision{CaseID: 999, Action: justify.ActionOpened, Actor: "modwatch"})
		})
		assert.Error(t, err)
	})
	t.Run("the trail cannot be rewritten even with SQL", func(t *testing.T) {
		for _, q := range []string{"UPDATE decisions SET actor = 'someone else'", "DELETE FROM decisions"} {
			_, err := db.write.Exec(q)
			assert.ErrorContains(t, err, "append-only", q)
		}
		assert.Equal(t, 6, count(t, db, "decisions"))
	})
}

func TestEnqueueAndMessagesOf(t *testing.T) {
	db := openTest(t)
	var ids []int64
	full := justify.Message{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, Created: t0, NextAttempt: t0}
	update(t, db, func(tx justify.Tx) error {
		for _, m := range []justify.Message{
			full,
			{CaseID: 1, ChatID: 7, Kind: justify.MsgReminder, Created: t0},       // another kind
			{CaseID: 2, ChatID: 7, Kind: justify.MsgPrompt, Created: t0},         // another case
			{CaseID: 1, ChatID: 7, Kind: justify.MsgPrompt, EditOf: 1},           // an edit
			{CaseID: 1, ChatID: 8, Kind: justify.MsgPrompt, Created: t0, ID: 99}, // a second original; ID ignored
		} {
			id, err := tx.Enqueue(m)
			require.NoError(t, err)
			ids = append(ids, id)
		}
		return nil
	})
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, ids)

	tests := []struct {
		name string
		id   justify.CaseID
		kind justify.MessageKind
		want []int64
	}{
		{"originals only, oldest first", 1, justify.MsgPrompt, []int64{1, 5}},
		{"by kind", 1, justify.MsgReminder, []int64{2}},
		{"by case", 2, justify.MsgPrompt, []int64{3}},
		{"none", 1, justify.MsgReview, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.MessagesOf(tt.id, tt.kind)
				require.NoError(t, err)
				var gotIDs []int64
				for _, m := range got {
					gotIDs = append(gotIDs, m.ID)
				}
				assert.Equal(t, tt.want, gotIDs)
				return nil
			})
		})
	}
	t.Run("every field is kept", func(t *testing.T) {
		got, err := db.Message(context.Background(), 1)
		require.NoError(t, err)
		want := full
		want.ID = 1
		assert.Equal(t, want, got)
	})
}

func TestPendingInput(t *testing.T) {
	in := justify.PendingInput{TelegramID: 7, CaseID: 3, Reason: justify.ReasonOther, Created: t0}
	tests := []struct {
		name    string
		steps   func(tx justify.Tx) error
		want    justify.PendingInput
		missing bool
	}{
		{"none", func(justify.Tx) error { return nil }, justify.PendingInput{}, true},
		{"set", func(tx justify.Tx) error { return tx.SetPendingInput(in) }, in, false},
		{"set again replaces", func(tx justify.Tx) error {
			require.NoError(t, tx.SetPendingInput(in))
			return tx.SetPendingInput(justify.PendingInput{TelegramID: 7, CaseID: 4, Created: t0.Add(time.Second)})
		}, justify.PendingInput{TelegramID: 7, CaseID: 4, Created: t0.Add(time.Second)}, false},
		{"another person's input is separate", func(tx justify.Tx) error {
			require.NoError(t, tx.SetPendingInput(in))
			return tx.SetPendingInput(justify.PendingInput{TelegramID: 8, CaseID: 4})
		}, in, false},
		{"cleared", func(tx justify.Tx) error {
			require.NoError(t, tx.SetPendingInput(in))
			return tx.ClearPendingInput(7)
		}, justify.PendingInput{}, true},
		{"clearing nothing is fine", func(tx justify.Tx) error { return tx.ClearPendingInput(7) }, justify.PendingInput{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			update(t, db, tt.steps)
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.PendingInput(7)
				if tt.missing {
					assert.ErrorIs(t, err, justify.ErrNotFound)
					return nil
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return nil
			})
		})
	}
}

func TestLastBanEvent(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx justify.Tx) error {
		for _, ev := range []justify.Event{
			{Key: "b1", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "first", At: t0},
			{Key: "u1", GroupID: 1, Kind: justify.EventUnban, UserVKID: 2, At: t0.Add(time.Hour)},
			{Key: "b2", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "again", At: t0.Add(2 * time.Hour)},
			{Key: "b3", GroupID: 9, Kind: justify.EventBan, UserVKID: 2, At: t0.Add(3 * time.Hour)},
			{Key: "d1", GroupID: 1, Kind: justify.EventDelete, UserVKID: 2, At: t0.Add(4 * time.Hour)},
		} {
			if _, err := tx.InsertEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name        string
		group, user int64
		want        justify.Event
		err         error
	}{
		{name: "the newest ban or unban of the group, whole", group: 1, user: 2,
			want: justify.Event{Key: "b2", GroupID: 1, Kind: justify.EventBan, UserVKID: 2, Comment: "again", At: t0.Add(2 * time.Hour)}},
		{name: "another group's", group: 9, user: 2,
			want: justify.Event{Key: "b3", GroupID: 9, Kind: justify.EventBan, UserVKID: 2, At: t0.Add(3 * time.Hour)}},
		{name: "never banned", group: 1, user: 3, err: justify.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, db, func(tx justify.Tx) error {
				got, err := tx.LastBanEvent(tt.group, tt.user)
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err)
					return nil
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return nil
			})
		})
	}
}

func TestUpsertTicketSetsID(t *testing.T) {
	db := openTest(t)
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 6, ItemID: 1}
	update(t, db, func(tx justify.Tx) error {
		other := justify.Ticket{Key: "vk:1:other", Text: "другое"}
		isNew, err := tx.UpsertTicket(&other)
		require.NoError(t, err)
		assert.True(t, isNew)

		first := justify.Ticket{Ref: ref, Text: "первый"}
		isNew, err = tx.UpsertTicket(&first)
		require.NoError(t, err)
		assert.True(t, isNew)
		assert.Equal(t, ref.Key(), first.Key, "the key defaults to the place's")
		assert.NotZero(t, first.ID)
		assert.NotEqual(t, other.ID, first.ID)

		again := justify.Ticket{Ref: ref, Text: "второй"}
		isNew, err = tx.UpsertTicket(&again)
		require.NoError(t, err)
		assert.False(t, isNew, "a redelivery")
		assert.Equal(t, first.ID, again.ID, "a redelivery gets the stored ticket's id")

		stored, err := tx.Ticket(ref.Key())
		require.NoError(t, err)
		assert.Equal(t, first.ID, stored.ID)
		assert.Equal(t, "первый", stored.Text, "the first copy wins")
		return nil
	})
}
