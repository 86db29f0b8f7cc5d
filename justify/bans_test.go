package justify_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

func TestReconcile(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// before runs ahead of the reconciliation, during while the list is fetched (after
		// the mark), after follows it.
		before, during, after []justify.Event
		listed                []justify.Event
		wantBans              int
		wantUnbans            int
		wantOpen              int
	}{
		{
			name:     "a ban made while down is recorded and opens a case",
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Hour))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "the long poll's copy of a reconciled ban is the same ban",
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Hour))},
			after:    []justify.Event{longPollBan("e1", 5, t0)},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "a ban the long poll delivered first is not recorded again",
			before:   []justify.Event{longPollBan("e1", 5, t0.Add(-time.Minute))},
			listed:   []justify.Event{listedBan(5, t0.Add(-time.Minute))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:       "a recorded ban missing from the list becomes an unban and closes the case",
			before:     []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			wantBans:   1,
			wantUnbans: 1,
		},
		{
			name:       "the long poll's copy of a reconciled unban is the same unban",
			before:     []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			after:      []justify.Event{{Key: "vk:1:u2", GroupID: 1, Kind: justify.EventUnban, UserVKID: 5, At: t0, Source: justify.SourceLongPoll}},
			wantBans:   1,
			wantUnbans: 1,
		},
		{
			// The ban's own time is VK's and may be anything: the position decides.
			name:     "a ban recorded while the list was fetched is left alone",
			during:   []justify.Event{longPollBan("e1", 5, t0.Add(-time.Hour))},
			wantBans: 1, wantOpen: 1,
		},
		{
			name:     "after an unban, a new ban of the same user is a new ban",
			before:   []justify.Event{listedBan(5, t0.Add(-2*time.Hour)), {Key: "vk:1:u", GroupID: 1, Kind: justify.EventUnban, UserVKID: 5, At: t0.Add(-time.Hour), Source: justify.SourceLongPoll}},
			after:    []justify.Event{longPollBan("e2", 5, t0)},
			listed:   nil,
			wantBans: 2, wantUnbans: 1, wantOpen: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := testService(t)
			if len(tt.before) > 0 {
				_, err := svc.Ingest(ctx, tt.before, "", "")
				require.NoError(t, err)
			}
			mark, err := svc.Mark(ctx)
			require.NoError(t, err)
			if len(tt.during) > 0 {
				_, err := svc.Ingest(ctx, tt.during, "", "")
				require.NoError(t, err)
			}
			_, err = svc.Reconcile(ctx, 1, mark, t0, tt.listed)
			require.NoError(t, err)
			if len(tt.after) > 0 {
				_, err := svc.Ingest(ctx, tt.after, "", "")
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantBans, count(t, db, justify.EventBan), "bans recorded")
			assert.Equal(t, tt.wantUnbans, count(t, db, justify.EventUnban), "unbans recorded")
			open, err := db.CasesIn(ctx, justify.StateAwaitingReason, 0)
			require.NoError(t, err)
			assert.Len(t, open, tt.wantOpen, "open cases")
		})
	}
}
