package store

import (
	"context"
	"testing"

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
