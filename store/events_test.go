package store

import (
	"context"
	"maps"
	"slices"
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
		Source: justify.SourceLongPoll, ActorName: "Мария", Position: 42, History: true,
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

// History is kept but never decides what comes next: the active bans, the newest ban and
// the count of an admin's recent actions leave it out; BanEvents lists it.
func TestHistoryIsLeftOut(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx justify.Tx) error {
		for _, ev := range []justify.Event{
			{Key: "b1", GroupID: 1, Kind: justify.EventBan, ActorVKID: 7, UserVKID: 2, At: t0},
			{Key: "u1", GroupID: 1, Kind: justify.EventUnban, ActorVKID: 7, UserVKID: 2, At: t0, Position: 5, History: true},
			{Key: "b2", GroupID: 1, Kind: justify.EventBan, ActorVKID: 7, UserVKID: 3, At: t0, Position: 6, History: true},
		} {
			if _, err := tx.InsertEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx justify.Tx) error {
		active, err := tx.ActiveBans(1)
		require.NoError(t, err)
		assert.Equal(t, []int64{2}, slices.Collect(maps.Keys(active)), "user 2's unban and user 3's ban are history")
		last, err := tx.LastBanEvent(1, 2)
		require.NoError(t, err)
		assert.Equal(t, "b1", last.Key)
		_, err = tx.LastBanEvent(1, 3)
		assert.ErrorIs(t, err, justify.ErrNotFound)
		n, err := tx.RecentActions(1, 7, justify.EventBan, t0)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		return nil
	})
	evs, err := db.BanEvents(context.Background(), 1, 2)
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, []string{"b1", "u1"}, []string{evs[0].Key, evs[1].Key})
	assert.True(t, evs[1].History)
	assert.Equal(t, int64(5), evs[1].Position)
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
