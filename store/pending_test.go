package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

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
