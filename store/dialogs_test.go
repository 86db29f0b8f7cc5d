package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestReplaceAfterDialogsUpTo: a rebuild reads a conversation's dialogs once, and the
// ReplaceDialogs that follows still replaces every dialog from its start, those started
// after the moment asked about and those the limit left out at the same start included.
func TestReplaceAfterDialogsUpTo(t *testing.T) {
	ctx := context.Background()
	const conv = "m:1:5001"
	dialog := func(at time.Time, n int) justify.Dialog {
		return justify.Dialog{GroupID: 1, Conv: conv, Place: justify.PlaceMessage, CustomerVKID: 5001,
			StartedAt: at, LastAt: at.Add(time.Minute), Messages: n}
	}
	all := func(db *DB) []time.Time {
		var out []time.Time
		require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
			ds, err := tx.DialogsUpTo(conv, t0.Add(48*time.Hour), 0)
			for _, d := range ds {
				out = append(out, d.StartedAt)
			}
			return err
		}))
		return out
	}
	for _, tc := range []struct {
		name string
		// starts are the stored dialogs' starts; upTo and n are DialogsUpTo's; from is
		// recent[pick].StartedAt; the rebuild stores one dialog at from.
		starts []time.Duration
		upTo   time.Duration
		n      int
		pick   int
		want   []time.Duration
	}{
		{name: "later dialogs replaced", starts: []time.Duration{0, time.Hour, 3 * time.Hour}, upTo: 2 * time.Hour,
			n: 3, pick: 0, want: []time.Duration{time.Hour, 0}},
		{name: "ties beyond the limit replaced", starts: []time.Duration{time.Hour, time.Hour, time.Hour, 2 * time.Hour},
			upTo: 2 * time.Hour, n: 3, pick: 1, want: []time.Duration{time.Hour}},
		{name: "older dialogs kept", starts: []time.Duration{0, time.Hour, 2 * time.Hour, 3 * time.Hour},
			upTo: 3 * time.Hour, n: 3, pick: 1, want: []time.Duration{2 * time.Hour, time.Hour, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			var ds []justify.Dialog
			for i, s := range tc.starts {
				ds = append(ds, dialog(t0.Add(s), i+1))
			}
			require.NoError(t, db.Update(ctx, func(tx justify.Tx) error { return tx.ReplaceDialogs(conv, t0, ds, nil) }))
			require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
				recent, err := tx.DialogsUpTo(conv, t0.Add(tc.upTo), tc.n)
				if err != nil {
					return err
				}
				from := recent[tc.pick].StartedAt
				return tx.ReplaceDialogs(conv, from, []justify.Dialog{dialog(from, 99)}, nil)
			}))
			var want []time.Time
			for _, w := range tc.want {
				want = append(want, t0.Add(w).UTC())
			}
			assert.Equal(t, want, all(db))
		})
	}
}

// TestPrefetchedConvMessages: after PrefetchConvMessages, ConvMessage answers from what
// the transaction read and stored, exactly as reading the table would: new messages,
// messages stored again, messages nobody stored, and a reply marked written after.
func TestPrefetchedConvMessages(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := t0.Add(1234567 * time.Nanosecond) // below a millisecond, which the table drops
	customer := justify.ConvMessage{Key: "vk:1:message:0:5001:0:1", GroupID: 1, Conv: "m:1:5001",
		Ref: justify.Ref{Place: justify.PlaceMessage, OwnerID: 5001, ItemID: 1}, CustomerVKID: 5001,
		Side: justify.SideCustomer, TicketKey: "vk:1:message:0:5001:0:1", Customer: justify.CustomerRequest, At: at}
	reply := justify.ConvMessage{Key: "vk:1:message:0:5001:0:2", GroupID: 1, Conv: "m:1:5001",
		Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5001, ItemID: 2}, CustomerVKID: 5001,
		Side: justify.SideCommunity, AdminVKID: 111, Text: "Здравствуйте! Заказ в пути.", Reply: justify.ReplyAnswer,
		FirstReply: justify.ReplyAnswer, Hash: 42, Template: "здравствуйте заказ в пути", At: at.Add(time.Minute)}
	keys := []string{customer.Key, reply.Key, "vk:1:message:0:5001:0:3"}
	cached := map[string]justify.ConvMessage{}
	require.NoError(t, db.Update(ctx, func(tx justify.Tx) error {
		require.NoError(t, tx.PrefetchConvMessages(keys))
		_, err := tx.ConvMessage(customer.Key)
		require.ErrorIs(t, err, justify.ErrNotFound, "nothing stored yet")
		c, r := customer, reply
		require.NoError(t, tx.PutConvMessage(&c, nil))
		require.NoError(t, tx.PutConvMessage(&r, nil))
		old, err := tx.ConvMessage(c.Key)
		require.NoError(t, err)
		c.EditedAt, c.DeletedAt, c.Customer = at.Add(time.Hour), at.Add(2*time.Hour), justify.CustomerThanks
		require.NoError(t, tx.PutConvMessage(&c, &old))
		r.WroteAfter = true
		require.NoError(t, tx.ReplaceDialogs("m:1:5001", t0, nil, []justify.ConvMessage{r}))
		for _, k := range keys {
			m, err := tx.ConvMessage(k)
			if errors.Is(err, justify.ErrNotFound) {
				continue
			}
			require.NoError(t, err)
			cached[k] = m
		}
		return nil
	}))
	stored := map[string]justify.ConvMessage{}
	require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
		for _, k := range keys {
			if m, err := tx.ConvMessage(k); err == nil {
				stored[k] = m
			}
		}
		return nil
	}))
	require.Len(t, stored, 2)
	assert.Equal(t, stored, cached)
}
