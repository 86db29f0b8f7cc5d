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

// TicketsOf lists a customer's tickets of a community and of the help desk, those still
// waiting first, each part newest first (the later stored first among tickets of the same
// moment), up to the limit; other customers' and other communities' are left out.
func TestTicketsOfOrder(t *testing.T) {
	db := openTest(t)
	const customer = 7
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	answered := func(tk justify.Ticket) justify.Ticket { tk.AnsweredAt = tk.CreatedAt.Add(time.Hour); return tk }
	comment := func(group int64, item int64, min int) justify.Ticket {
		return justify.Ticket{Ref: justify.Ref{GroupID: group, Place: justify.PlaceWallComment, OwnerID: -group, ParentID: 1, ItemID: item},
			AuthorVKID: customer, Text: fmt.Sprint("c", item), CreatedAt: at(min)}
	}
	desk := func(item int64, min int, status string) justify.Ticket {
		return justify.Ticket{Ref: justify.Ref{Place: justify.PlaceHelpDesk, ItemID: item}, AuthorVKID: customer,
			Text: fmt.Sprint("d", item), CreatedAt: at(min), Status: status}
	}
	stranger := comment(1, 99, 50)
	stranger.AuthorVKID = 8
	stored := []justify.Ticket{
		comment(1, 1, 10),
		answered(comment(1, 2, 40)),
		comment(1, 3, 30),
		comment(1, 4, 30), // the same moment as c3, stored later
		comment(2, 5, 60), // another community
		desk(6, 20, "open"),
		desk(7, 50, "solved"),
		answered(desk(8, 5, "open")),
		stranger,
	}
	update(t, db, func(tx justify.Tx) error {
		for i := range stored {
			_, err := tx.UpsertTicket(&stored[i])
			require.NoError(t, err)
		}
		return nil
	})
	tests := []struct {
		name  string
		group int64
		limit int
		want  []string
	}{
		{name: "all of a community", group: 1, want: []string{"c4", "c3", "d6", "c1", "d7", "c2", "d8"}},
		{name: "up to a limit", group: 1, limit: 4, want: []string{"c4", "c3", "d6", "c1"}},
		{name: "a limit within the answered", group: 1, limit: 6, want: []string{"c4", "c3", "d6", "c1", "d7", "c2"}},
		{name: "another community", group: 2, want: []string{"c5", "d6", "d7", "d8"}},
		{name: "the help desk alone", group: 0, want: []string{"d6", "d7", "d8"}},
		{name: "a community the customer never wrote to", group: 3, limit: 2, want: []string{"d6", "d7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			require.NoError(t, db.View(context.Background(), func(tx justify.Tx) error {
				ts, err := tx.TicketsOf(tt.group, customer, tt.limit)
				for _, tk := range ts {
					got = append(got, tk.Text)
				}
				return err
			}))
			assert.Equal(t, tt.want, got)
		})
	}
}
