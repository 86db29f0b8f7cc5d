package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// TestIdleDayMarkedAgainAfterClear: a day marked, cleared and marked again in one
// transaction stays marked, though a transaction writes each mark once.
func TestIdleDayMarkedAgainAfterClear(t *testing.T) {
	db := openTest(t)
	d := justify.IdleDay{GroupID: 7, Day: t0.Truncate(24 * time.Hour)}
	update(t, db, func(tx justify.Tx) error {
		for range 3 {
			require.NoError(t, tx.MarkIdleDirty(d))
		}
		require.NoError(t, tx.ClearIdleDirty(d))
		return tx.MarkIdleDirty(d)
	})
	assert.Equal(t, 1, count(t, db, "idle_days"))
}
