package store

import (
	"testing"

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
