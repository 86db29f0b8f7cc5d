package justify_test

import (
	"context"
	"fmt"
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
			ingest(t, svc, tt.before)
			mark, err := svc.Mark(ctx, 1)
			require.NoError(t, err)
			ingest(t, svc, tt.during)
			_, err = svc.Reconcile(ctx, justify.BanList{GroupID: 1, Mark: mark, FetchedAt: t0, Bans: tt.listed})
			require.NoError(t, err)
			ingest(t, svc, tt.after)
			assert.Equal(t, tt.wantBans, count(t, db, justify.EventBan), "bans recorded")
			assert.Equal(t, tt.wantUnbans, count(t, db, justify.EventUnban), "unbans recorded")
			open, err := db.CasesIn(ctx, justify.StateAwaitingReason, 0)
			require.NoError(t, err)
			assert.Len(t, open, tt.wantOpen, "open cases")
		})
	}
}

// ingest records events, if any, as one batch.
func ingest(t *testing.T, svc *justify.Service, evs []justify.Event) {
	t.Helper()
	if len(evs) > 0 {
		_, err := svc.Ingest(context.Background(), evs, "", "")
		require.NoError(t, err)
	}
}

// replayed is a long-poll ban or unban of user 5 at a position of VK's stream.
func replayed(kind justify.EventKind, pos int64) justify.Event {
	return justify.Event{Key: fmt.Sprintf("vk:1:e%d", pos), GroupID: 1, Kind: kind, ActorVKID: 111, UserVKID: 5,
		At: t0, Source: justify.SourceLongPoll, Position: pos}
}

// Long-poll bans and unbans from before the head of the ban list already reconciled are
// history: recorded, never acted upon, in whatever order they come.
func TestReplayBeforeTheReconciledHeadIsHistory(t *testing.T) {
	ctx := context.Background()
	ban, unban := justify.EventBan, justify.EventUnban
	// While modwatch was down: a ban (position 1), an unban (2) and a second ban (3); the
	// list, read with VK's stream at 4, shows the user banned.
	downtime := []justify.Event{replayed(ban, 1), replayed(unban, 2), replayed(ban, 3)}
	tests := []struct {
		name           string
		before         []justify.Event // ingested ahead of the reconciliation
		head           int64
		after          [][]justify.Event // batches ingested after it, in order
		wantOpen       int               // open ban cases of user 5
		wantClosed     int
		wantHistory    int
		wantOutcomeMsg bool // the operator is told of an unban
	}{
		{name: "replayed after the reconciliation", head: 4, after: [][]justify.Event{downtime},
			wantOpen: 1, wantHistory: 3},
		{name: "replayed backwards", head: 4,
			after:    [][]justify.Event{{downtime[2]}, {downtime[1]}, {downtime[0]}},
			wantOpen: 1, wantHistory: 3},
		{name: "replayed twice", head: 4, after: [][]justify.Event{downtime, downtime},
			wantOpen: 1, wantHistory: 3},
		{name: "the first ban came before the reconciliation, the rest after", head: 4,
			before: downtime[:1], after: [][]justify.Event{downtime[1:]},
			wantOpen: 1, wantHistory: 2},
		{name: "an unban after the head is acted on", head: 4,
			after:      [][]justify.Event{downtime, {replayed(unban, 4)}},
			wantClosed: 1, wantHistory: 3, wantOutcomeMsg: true},
		{name: "replayed before the reconciliation: each acted on in turn", head: 4,
			before: downtime, wantOpen: 1, wantClosed: 1, wantOutcomeMsg: true},
		{name: "no head known: acted on as before", head: 0, after: [][]justify.Event{downtime},
			wantOpen: 1, wantClosed: 1, wantOutcomeMsg: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := testService(t)
			ingest(t, svc, tt.before)
			mark, err := svc.Mark(ctx, 1)
			require.NoError(t, err)
			_, err = svc.Reconcile(ctx, justify.BanList{GroupID: 1, Mark: mark, Head: tt.head, FetchedAt: t0,
				Bans: []justify.Event{listedBan(5, t0.Add(-time.Minute))}})
			require.NoError(t, err)
			history := 0
			for _, batch := range tt.after {
				res, err := svc.Ingest(ctx, batch, "", "")
				require.NoError(t, err)
				history += res.History
			}

			assert.Equal(t, tt.wantHistory, history, "history counted")
			evs, err := db.BanEvents(ctx, 1, 5)
			require.NoError(t, err)
			stored := 0
			for _, ev := range evs {
				if ev.History {
					stored++
					assert.Positive(t, ev.Position, "history keeps its position")
				}
			}
			assert.Equal(t, tt.wantHistory, stored, "history recorded")
			cs, err := db.ListCases(ctx, 0)
			require.NoError(t, err)
			open, closed := 0, 0
			for _, c := range cs {
				if c.Open() {
					open++
				} else {
					closed++
				}
			}
			assert.Equal(t, tt.wantOpen, open, "open cases")
			assert.Equal(t, tt.wantClosed, closed, "closed cases")
			due, err := db.DueMessages(ctx, t0.Add(time.Hour), 0)
			require.NoError(t, err)
			prompts, outcomes := 0, 0
			for _, m := range due {
				switch m.Kind {
				case justify.MsgPrompt:
					if m.EditOf == 0 {
						prompts++
					}
				case justify.MsgOutcome:
					outcomes++
				}
			}
			assert.Equal(t, tt.wantOpen+tt.wantClosed, prompts, "one prompt per case")
			assert.Equal(t, tt.wantOutcomeMsg, outcomes > 0, "the operator is told of an unban")
		})
	}
}

// The newest ban list's head counts, even lower than the one before: a stream VK started
// again from a lower position must not turn every later event into history.
func TestReconciledHeadFollowsTheNewestList(t *testing.T) {
	ctx := context.Background()
	svc, _ := testService(t)
	list := func(head int64) {
		mark, err := svc.Mark(ctx, 1)
		require.NoError(t, err)
		_, err = svc.Reconcile(ctx, justify.BanList{GroupID: 1, Mark: mark, Head: head, FetchedAt: t0})
		require.NoError(t, err)
	}
	list(100)
	res, err := svc.Ingest(ctx, []justify.Event{replayed(justify.EventBan, 50)}, "", "")
	require.NoError(t, err)
	assert.Equal(t, 1, res.History)
	list(10)
	res, err = svc.Ingest(ctx, []justify.Event{replayed(justify.EventBan, 51)}, "", "")
	require.NoError(t, err)
	assert.Equal(t, 1, res.New)
	assert.Len(t, res.Opened, 1)
}
