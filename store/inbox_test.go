package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestInboxKeepsEventsWhole checks that a kept event reads back as it was given, words
// and all, in order and with growing IDs, even once the inbox emptied.
func TestInboxKeepsEventsWhole(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: 70}
	ev := justify.Event{Key: "vk:1:e1", GroupID: 1, Kind: justify.EventWrite, UserVKID: 5001, At: t0, Source: justify.SourceLongPoll,
		Item: ref, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: 5001, Text: "Где мой заказ? 📦", CreatedAt: t0, Attachments: []string{"photo"}}}
	many := make([]justify.Event, 130) // two statements of inboxRows and a few one by one
	for i := range many {
		many[i] = ev
		many[i].Key = ev.Key + string(rune('a'+i%26))
	}
	var ids []int64
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		var err error
		ids, err = tx.AddToInbox(many)
		return err
	}))
	require.Len(t, ids, len(many))
	for i := 1; i < len(ids); i++ {
		assert.Equal(t, ids[i-1]+1, ids[i])
	}
	var kept []justify.InboxEvent
	require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
		var err error
		kept, err = tx.InboxEvents([]int64{ids[129], ids[0], 999_999})
		return err
	}))
	require.Len(t, kept, 2, "in ID order, unknown IDs left out")
	assert.Equal(t, ids[0], kept[0].ID)
	assert.Equal(t, many[0].Ticket.Text, kept[0].Event.Ticket.Text)
	assert.True(t, kept[0].Event.At.Equal(t0))
	assert.Equal(t, many[129].Key, kept[1].Event.Key)

	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		n, err := tx.DropFromInbox(ids)
		assert.Equal(t, len(ids), n)
		return err
	}))
	empty, err := db.InboxEmpty(ctx)
	require.NoError(t, err)
	assert.True(t, empty)
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		next, err := tx.AddToInbox([]justify.Event{ev})
		require.NoError(t, err)
		assert.Greater(t, next[0], ids[len(ids)-1], "IDs keep growing once the inbox is empty")
		return nil
	}))
}

// A kept event reads back as it was kept, whichever fields it sets, and a row kept by a
// build that still wrote zero fields out reads back the same as one without them.
func TestKeptEventReadsBackWhole(t *testing.T) {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: 70}
	reply := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: 71}
	comment := justify.Event{Key: "vk:1:e1", GroupID: 1, Kind: justify.EventWrite, UserVKID: 5001, At: t0, Source: justify.SourceLongPoll,
		Item: ref, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: 5001, Text: "Где мой заказ?", CreatedAt: t0}}
	tests := []struct {
		name string
		ev   justify.Event
		// old is the event as a build before zero fields were left out kept it.
		old string
	}{
		{name: "a comment", ev: comment,
			old: `{"Key":"vk:1:e1","GroupID":1,"Kind":"write","ActorVKID":0,"UserVKID":5001,"UserName":"","VKReason":0,"Comment":"","Until":"0001-01-01T00:00:00Z","Expired":false,"At":"2026-03-14T09:26:53.589Z","Source":"longpoll","ActorName":"","Position":0,"History":false,"Item":{"GroupID":1,"Place":"wall_comment","OwnerID":-1,"ParentID":7,"ItemID":70},"ReplyTo":{"GroupID":0,"Place":"","OwnerID":0,"ParentID":0,"ItemID":0},"Ticket":{"ID":0,"Key":"vk:1:wall_comment:-1_7_70","Ref":{"GroupID":1,"Place":"wall_comment","OwnerID":-1,"ParentID":7,"ItemID":70},"AuthorVKID":5001,"AuthorName":"","Text":"Где мой заказ?","Attachments":null,"Link":"","CreatedAt":"2026-03-14T09:26:53.589Z","UpdatedAt":"0001-01-01T00:00:00Z","AnsweredAt":"0001-01-01T00:00:00Z","AnsweredBy":0,"DeletedAt":"0001-01-01T00:00:00Z","DeletedBy":0,"ExternalID":"","Subject":"","Status":"","Forgotten":false},"Reply":null}`},
		{name: "every field set", ev: justify.Event{Key: "vk:1:e2", GroupID: 1, Kind: justify.EventUnban, ActorVKID: 111, UserVKID: 5002,
			UserName: "Вася", VKReason: justify.BanFlood, Comment: "флуд", Until: t0.Add(time.Hour), Expired: true, At: t0,
			Source: justify.SourceReconcile, ActorName: "Иван", Position: 42, History: true, Item: ref, ReplyTo: reply,
			Ticket: &justify.Ticket{ID: 9, Key: ref.Key(), Ref: ref, AuthorVKID: 5002, AuthorName: "Вася", Text: "текст",
				Attachments: []string{"photo", "doc"}, Link: "https://vk.com/wall-1_7?reply=70", CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
				AnsweredAt: t0.Add(2 * time.Minute), AnsweredBy: 111, DeletedAt: t0.Add(3 * time.Minute), DeletedBy: 112,
				ExternalID: "x1", Subject: "тема", Status: "open", Forgotten: true},
			Reply: &justify.Reply{Text: "ответ", Attachments: []string{"photo"}, WrittenAt: t0, EditedAt: t0.Add(time.Second)}}},
		{name: "almost nothing", ev: justify.Event{Key: "vk:1:e3", GroupID: 1, Kind: justify.EventBan, UserVKID: 5003, At: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			ctx := context.Background()
			var ids []int64
			require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
				var err error
				ids, err = tx.AddToInbox([]justify.Event{tt.ev})
				return err
			}))
			if tt.old != "" {
				res, err := db.write.ExecContext(ctx, insertInbox1, tt.ev.GroupID, ms(t0), []byte(tt.old))
				require.NoError(t, err)
				id, err := res.LastInsertId()
				require.NoError(t, err)
				ids = append(ids, id)
			}
			var kept []justify.InboxEvent
			require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
				var err error
				kept, err = tx.InboxEvents(ids)
				return err
			}))
			require.Len(t, kept, len(ids))
			for _, k := range kept {
				require.Empty(t, k.Err)
				assert.Equal(t, tt.ev, k.Event)
			}
		})
	}
}

// TestUnreadableKeptEventIsQuarantined checks that a kept event this build cannot read
// back is quarantined with an alert and leaves the inbox, instead of stopping the deriver.
func TestUnreadableKeptEventIsQuarantined(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	_, err := db.write.ExecContext(ctx, "INSERT INTO inbox (group_id, received_at, event) VALUES (1, 0, ?)", []byte(`{"Key": 7`))
	require.NoError(t, err)
	now := t0
	svc := convService(db, &now)
	svc.Communities = map[int64]justify.Community{1: {GroupID: 1, Name: "Brand"}}
	svc.People = justify.NewDirectory([]justify.Person{{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001}})
	deriveAll(t, svc)

	empty, err := db.InboxEmpty(ctx)
	require.NoError(t, err)
	assert.True(t, empty)
	kept, err := db.Quarantined(ctx, QuarantineFilter{})
	require.NoError(t, err)
	require.Len(t, kept, 1)
	assert.Equal(t, "inbox", kept[0].Kind)
	assert.Equal(t, []byte(`{"Key": 7`), kept[0].Raw)
	assert.Contains(t, kept[0].Err, "modwatch saved it but cannot read it back")
}
