package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

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
