package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestBaselineInsert(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "none", n: 0},
		{name: "less than a transaction", n: 7},
		{name: "several transactions and a part", n: 2*baselineRows + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "baseline.db")
			took, err := BaselineInsert(context.Background(), path, tt.n, func(i int) justify.Event {
				ev := fullEvent(fmt.Sprintf("baseline:%d", i))
				ev.Ticket = nil
				return ev
			})
			require.NoError(t, err)
			if tt.n > 0 {
				assert.Positive(t, took)
			}
			// The rows are in the real schema, as InsertEvent writes them.
			db := openAt(t, path)
			assert.Equal(t, tt.n, count(t, db, "events"))
			if tt.n > 0 {
				view(t, db, func(tx justify.Tx) error {
					ev, _, err := tx.(*Tx).event(fmt.Sprintf("baseline:%d", tt.n-1))
					require.NoError(t, err)
					want := fullEvent(fmt.Sprintf("baseline:%d", tt.n-1))
					want.Ticket = nil
					assert.Equal(t, want, ev)
					return nil
				})
			}
			assert.Zero(t, count(t, db, "cases"), "the baseline records events only")
		})
	}
}

func TestBaselineInsertWantsANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modwatch.db")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	_, err := BaselineInsert(context.Background(), path, 1, func(int) justify.Event { return fullEvent("x") })
	require.ErrorContains(t, err, "want a new file")
}
