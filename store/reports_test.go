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

// mkCase creates a case opened at `opened` and returns its id.
func mkCase(t *testing.T, db *DB, c justify.Case) justify.CaseID {
	t.Helper()
	if c.GroupID == 0 {
		c.GroupID = 1
	}
	if c.Kind == "" {
		c.Kind = justify.EventBan
	}
	if c.State == "" {
		c.State = justify.StateAwaitingReason
	}
	update(t, db, func(tx justify.Tx) error { return tx.CreateCase(&c) })
	return c.ID
}

func TestCasesBetween(t *testing.T) {
	db := openTest(t)
	for i, at := range []time.Time{t0.Add(-time.Second), t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		mkCase(t, db, justify.Case{EventKey: fmt.Sprint("e", i), OpenedAt: at})
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"from included, to excluded", t0, t0.Add(2 * time.Hour), []string{"e1", "e2"}},
		{"everything", t0.Add(-time.Hour), t0.Add(3 * time.Hour), []string{"e0", "e1", "e2", "e3"}},
		{"empty period", t0.Add(10 * time.Hour), t0.Add(11 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.CasesBetween(context.Background(), tt.from, tt.to)
			require.NoError(t, err)
			var keys []string
			for _, c := range cs {
				keys = append(keys, c.EventKey)
			}
			assert.Equal(t, tt.want, keys)
		})
	}
}

func TestTicketsBetween(t *testing.T) {
	db := openTest(t)
	from, to := t0, t0.Add(24*time.Hour)
	mk := func(key string, created, answered, deleted time.Time) justify.Ticket {
		return justify.Ticket{Key: key, Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage}, AuthorVKID: 7,
			CreatedAt: created, AnsweredAt: answered, DeletedAt: deleted}
	}
	var zero time.Time
	all := []justify.Ticket{
		mk("written in", from.Add(time.Hour), zero, zero),
		mk("answered in", from.Add(-48*time.Hour), from.Add(time.Hour), zero),
		mk("waiting since long", from.Add(-48*time.Hour), zero, zero),
		mk("answered only after", from.Add(-48*time.Hour), to.Add(time.Hour), zero),
		mk("deleted in", from.Add(-48*time.Hour), zero, from.Add(time.Hour)),
		mk("answered before", from.Add(-48*time.Hour), from.Add(-time.Hour), zero),
		mk("deleted before", from.Add(-48*time.Hour), zero, from.Add(-time.Hour)),
		mk("written after", to, zero, zero),
	}
	update(t, db, func(tx justify.Tx) error {
		for i := range all {
			if _, err := tx.UpsertTicket(&all[i]); err != nil {
				return err
			}
		}
		return nil
	})
	ts, err := db.TicketsBetween(context.Background(), from, to)
	require.NoError(t, err)
	var keys []string
	for _, tk := range ts {
		keys = append(keys, tk.Key)
	}
	assert.ElementsMatch(t, []string{"written in", "answered in", "waiting since long", "answered only after", "deleted in"}, keys)
}

func TestDecisionsOfAndTicketsByKeys(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// More than one IN chunk of each.
	n := inChunk + 7
	var ids []justify.CaseID
	var keys []string
	update(t, db, func(tx justify.Tx) error {
		for i := range n {
			c := justify.Case{GroupID: 1, EventKey: fmt.Sprint("e", i), Kind: justify.EventBan, State: justify.StateAwaitingReason}
			if err := tx.CreateCase(&c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
			for _, a := range []justify.Action{justify.ActionOpened, justify.ActionJustified} {
				if err := tx.AddDecision(justify.Decision{CaseID: c.ID, Action: a, Actor: "Ivan", TelegramID: 101, At: t0, Detail: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			tk := justify.Ticket{Key: fmt.Sprint("k", i), Ref: justify.Ref{GroupID: 1, Place: justify.PlaceMessage}, Text: fmt.Sprint(i)}
			if _, err := tx.UpsertTicket(&tk); err != nil {
				return err
			}
			keys = append(keys, tk.Key)
		}
		return nil
	})
	withoutDecisions := mkCase(t, db, justify.Case{EventKey: "bare"})

	ds, err := db.DecisionsOf(ctx, append(ids, withoutDecisions, 999999))
	require.NoError(t, err)
	assert.Len(t, ds, n)
	assert.NotContains(t, ds, withoutDecisions)
	last := ds[ids[n-1]]
	require.Len(t, last, 2)
	assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionJustified}, []justify.Action{last[0].Action, last[1].Action})
	assert.Equal(t, fmt.Sprint(n-1), last[1].Detail)
	assert.Equal(t, int64(101), last[1].TelegramID)

	ts, err := db.TicketsByKeys(ctx, append(keys, "unknown"))
	require.NoError(t, err)
	assert.Len(t, ts, n)
	assert.Equal(t, fmt.Sprint(n-1), ts[keys[n-1]].Text)

	empty, err := db.DecisionsOf(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
}
