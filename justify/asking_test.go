package justify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// queued lists the unsent messages of a kind, originals or edits.
func queued(t *testing.T, db *store.DB, kind justify.MessageKind, originals bool) []justify.Message {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	var out []justify.Message
	for _, m := range due {
		if m.Kind == kind && (m.EditOf == 0) == originals {
			out = append(out, m)
		}
	}
	return out
}

// promptOf is the case's prompt in the outbox.
func promptOf(t *testing.T, db *store.DB, kind justify.MessageKind) justify.Message {
	t.Helper()
	ps := queued(t, db, kind, true)
	require.Len(t, ps, 1)
	return ps[0]
}

// A case's deadline and reminder run from the moment its prompt reached the operator:
// a prompt held up for an hour (Telegram down, a backlog) costs the operator nothing.
func TestDeadlineRunsFromDelivery(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	svc.RemindBefore = 30 * time.Minute
	now := t0
	svc.Now = func() time.Time { return now }
	res, err := svc.Ingest(ctx, []justify.Event{longPollBan("b1", 5001, t0)}, "", "")
	require.NoError(t, err)
	id := res.Opened[0]

	now = t0.Add(3 * time.Hour) // past the deadline counted from the opening
	require.NoError(t, svc.Tick(ctx))
	c, _, err := svc.Case(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, justify.StateAwaitingReason, c.State, "an operator not asked yet owes nothing")
	assert.Empty(t, queued(t, db, justify.MsgReminder, true))

	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: promptOf(t, db, justify.MsgPrompt), To: "Ivan", At: now}))
	c, _, err = svc.Case(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, now, c.AskedAt)
	assert.Equal(t, now.Add(2*time.Hour), c.Deadline)
	assert.Equal(t, now.Add(90*time.Minute), c.RemindAt)
	_, acts := caseNow(t, svc, id)
	assert.Equal(t, []justify.Action{justify.ActionOpened}, acts, "a delivery as asked is no event of the trail")

	asked := now
	now = asked.Add(89 * time.Minute)
	require.NoError(t, svc.Tick(ctx))
	assert.Empty(t, queued(t, db, justify.MsgReminder, true))
	now = asked.Add(90 * time.Minute)
	require.NoError(t, svc.Tick(ctx))
	assert.Len(t, queued(t, db, justify.MsgReminder, true), 1, "reminded half an hour before the deadline")
	now = asked.Add(2 * time.Hour)
	require.NoError(t, svc.Tick(ctx))
	c, _, err = svc.Case(ctx, id)
	require.NoError(t, err)
	assert.True(t, c.Overdue)

	// Told twice (a crash before the sender marked it sent), nothing moves.
	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: promptOf(t, db, justify.MsgPrompt), To: "Ivan", At: now}))
	again, _, err := svc.Case(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, c.Deadline, again.Deadline)
}

// What became of a message, as the trail, the case and managers and owners hear it.
func TestDeliveredRecordsRefusals(t *testing.T) {
	ctx := context.Background()
	const why = "Bad Request: can't parse entities"
	tests := []struct {
		name        string
		delivery    func(prompt justify.Message) justify.Delivery
		wantState   justify.State
		wantActions []justify.Action
		wantAsked   bool
		wantAlert   justify.AlertKind // "" for none
	}{
		{
			name: "refused, then sent short",
			delivery: func(m justify.Message) justify.Delivery {
				return justify.Delivery{Message: m, To: "Ivan", Refused: why}
			},
			wantState: justify.StateAwaitingReason, wantActions: []justify.Action{justify.ActionOpened, justify.ActionShortForm}, wantAsked: true,
		},
		{
			name: "refused in both forms",
			delivery: func(m justify.Message) justify.Delivery {
				return justify.Delivery{Message: m, To: "Ivan", Refused: why, Lost: true}
			},
			wantState:   justify.StateAwaitingReview,
			wantActions: []justify.Action{justify.ActionOpened, justify.ActionUndelivered, justify.ActionNotAsked},
			wantAlert:   justify.AlertUndelivered,
		},
		{
			name: "the operator never pressed Start",
			delivery: func(m justify.Message) justify.Delivery {
				return justify.Delivery{Message: m, To: "Ivan", Refused: "Forbidden: bot can't initiate conversation with a user", Lost: true, Unreachable: true}
			},
			wantState:   justify.StateAwaitingReview,
			wantActions: []justify.Action{justify.ActionOpened, justify.ActionUndelivered, justify.ActionNotAsked},
			wantAlert:   justify.AlertUnreachable,
		},
		{
			name: "an edit refused and sent short is no event",
			delivery: func(m justify.Message) justify.Delivery {
				m.ID, m.EditOf = m.ID+100, m.ID
				return justify.Delivery{Message: m, To: "Ivan", Refused: why}
			},
			wantState: justify.StateAwaitingReason, wantActions: []justify.Action{justify.ActionOpened},
		},
		{
			name: "an edit that reached nobody is recorded, and the case keeps its course",
			delivery: func(m justify.Message) justify.Delivery {
				m.ID, m.EditOf = m.ID+100, m.ID
				return justify.Delivery{Message: m, To: "Ivan", Refused: why, Lost: true}
			},
			wantState: justify.StateAwaitingReason, wantActions: []justify.Action{justify.ActionOpened, justify.ActionUndelivered},
			wantAlert: justify.AlertUndelivered,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := testService(t)
			res, err := svc.Ingest(ctx, []justify.Event{longPollBan("b1", 5001, t0)}, "", "")
			require.NoError(t, err)
			id := res.Opened[0]
			require.NoError(t, svc.Delivered(ctx, tt.delivery(promptOf(t, db, justify.MsgPrompt))))

			c, _, err := svc.Case(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, tt.wantState, c.State)
			assert.Equal(t, tt.wantAsked, !c.AskedAt.IsZero())
			assert.Equal(t, tt.wantState == justify.StateAwaitingReview, c.NotAsked)
			_, acts := caseNow(t, svc, id)
			assert.Equal(t, tt.wantActions, acts)
			_, ds, err := svc.Case(ctx, id)
			require.NoError(t, err)
			for _, d := range ds[1:] {
				assert.Contains(t, d.Detail, "Ivan", "the trail names the person")
			}
			if len(ds) > 1 {
				assert.Contains(t, ds[1].Detail, "prompt")
			}
			reviews := queued(t, db, justify.MsgReview, true)
			if tt.wantState == justify.StateAwaitingReview {
				require.Len(t, reviews, 1, "the managers get the case at once")
				assert.Equal(t, int64(olgaTG), reviews[0].ChatID)
			} else {
				assert.Empty(t, reviews)
			}

			alerts := queued(t, db, justify.MsgAlert, true)
			if tt.wantAlert == "" {
				assert.Empty(t, alerts)
				return
			}
			require.Len(t, alerts, 2, "managers and owners")
			a, err := justify.ParseAlert(alerts[0].Payload)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAlert, a.Kind)
			assert.Equal(t, "Ivan", a.Subject)
			assert.Equal(t, id, a.CaseID)
			assert.Equal(t, int64(1), a.GroupID)
			assert.Equal(t, justify.MsgPrompt, a.MessageKind)
			assert.NotEmpty(t, a.Detail, "Telegram's reason")

			// Never overdue: the deadline passing changes nothing.
			now := t0.Add(5 * time.Hour)
			svc.Now = func() time.Time { return now }
			require.NoError(t, svc.Tick(ctx))
			c, _, err = svc.Case(ctx, id)
			require.NoError(t, err)
			assert.False(t, c.Overdue)
		})
	}
}

// Repeats for one person are grouped like every alert; a lost copy of that very alert to
// that very person raises nothing more.
func TestUndeliveredAlertsAreGrouped(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	for i := range 2 {
		res, err := svc.Ingest(ctx, []justify.Event{longPollBan(fmt.Sprintf("b%d", i), int64(5001+i), t0)}, "", "")
		require.NoError(t, err)
		require.Len(t, res.Opened, 1)
	}
	prompts := queued(t, db, justify.MsgPrompt, true)
	require.Len(t, prompts, 2)
	for _, p := range prompts {
		require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: p, To: "Ivan", Refused: "Bad Request: chat not found", Lost: true}))
	}
	alerts := queued(t, db, justify.MsgAlert, true)
	require.Len(t, alerts, 2, "one alert per manager and owner")
	edits := queued(t, db, justify.MsgAlert, false)
	require.Len(t, edits, 2, "the repeat edits them")
	a, err := justify.ParseAlert(edits[0].Payload)
	require.NoError(t, err)
	assert.Equal(t, 2, a.Count)

	// Olga cannot get the alert about Ivan either: the others hear about Olga; her own copy
	// of that alert failing raises nothing more.
	olgas := alerts[0]
	require.Equal(t, int64(olgaTG), olgas.ChatID)
	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: olgas, To: "Olga", Refused: "Bad Request: chat not found", Lost: true}))
	alerts = queued(t, db, justify.MsgAlert, true)
	require.Len(t, alerts, 4)
	aboutOlga := alerts[2]
	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: aboutOlga, To: "Olga", Refused: "Bad Request: chat not found", Lost: true}))
	assert.Len(t, queued(t, db, justify.MsgAlert, true), 4)
	assert.Len(t, queued(t, db, justify.MsgAlert, false), 2)
}

// A batch's prompt asks every case of the batch; one that reached nobody sends the whole
// batch to the managers, once, as not asked.
func TestBatchAskedOrNot(t *testing.T) {
	ctx := context.Background()
	t.Run("delivered", func(t *testing.T) {
		svc, db := waveService(t)
		now := t0
		svc.Now = func() time.Time { return now }
		cs := banWave(t, svc, db, 6)
		bp := promptOf(t, db, justify.MsgBatchPrompt)
		now = t0.Add(time.Hour)
		require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: bp, To: "Ivan", At: now}))
		b, members, err := svc.Batch(ctx, bp.BatchID, 10)
		require.NoError(t, err)
		assert.Equal(t, now, b.AskedAt)
		assert.Equal(t, now.Add(2*time.Hour), b.Deadline)
		require.Len(t, members, 3)
		for _, c := range members {
			assert.Equal(t, now, c.AskedAt)
			assert.Equal(t, now.Add(2*time.Hour), c.Deadline)
		}
		// A case joining the batch afterwards is in front of the operator at once.
		now = t0.Add(70 * time.Minute)
		_, err = svc.Ingest(ctx, []justify.Event{longPollBan("late", 6000, t0.Add(10*time.Second))}, "", "")
		require.NoError(t, err)
		_, members, err = svc.Batch(ctx, bp.BatchID, 10)
		require.NoError(t, err)
		require.Len(t, members, 4)
		assert.Equal(t, now, members[3].AskedAt)
		assert.True(t, cs[0].AskedAt.IsZero(), "the first cases have prompts of their own, not delivered yet")
	})
	t.Run("reached nobody", func(t *testing.T) {
		svc, db := waveService(t)
		banWave(t, svc, db, 6)
		bp := promptOf(t, db, justify.MsgBatchPrompt)
		d := justify.Delivery{Message: bp, To: "Ivan", Refused: "Bad Request: chat not found", Lost: true}
		require.NoError(t, svc.Delivered(ctx, d))
		require.NoError(t, svc.Delivered(ctx, d), "told twice")
		b, members, err := svc.Batch(ctx, bp.BatchID, 10)
		require.NoError(t, err)
		assert.Equal(t, justify.BatchReview, b.State)
		assert.True(t, b.NotAsked)
		assert.False(t, b.Overdue)
		for _, c := range members {
			assert.Equal(t, justify.StateAwaitingReview, c.State)
			assert.True(t, c.NotAsked)
			_, acts := caseNow(t, svc, c.ID)
			assert.Equal(t, []justify.Action{justify.ActionOpened, justify.ActionUndelivered, justify.ActionNotAsked, justify.ActionUndelivered}, acts)
		}
		assert.Len(t, queued(t, db, justify.MsgBatchReview, true), 1, "one review of the batch, sent once")
		assert.Empty(t, queued(t, db, justify.MsgReview, true), "no review per case")
	})
}

// A deleted unanswered request is before managers at once: when its operator cannot be
// asked, their copies are refreshed rather than sent again.
func TestSevereDeletionNotAskedRefreshesReviews(t *testing.T) {
	ctx := context.Background()
	svc, db := testService(t)
	item := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 10, ItemID: 11}
	asked := justify.Ticket{Key: item.Key(), Ref: item, AuthorVKID: 77, Text: "where is my order?", CreatedAt: t0}
	_, err := svc.Ingest(ctx, []justify.Event{{Key: "w", GroupID: 1, Kind: justify.EventWrite, Ticket: &asked, At: t0}}, "", "")
	require.NoError(t, err)
	res, err := svc.Ingest(ctx, []justify.Event{{Key: "d", GroupID: 1, Kind: justify.EventDelete, ActorVKID: 111, UserVKID: 77,
		At: t0, Source: justify.SourceLongPoll, Item: item}}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Opened, 1)
	require.Len(t, queued(t, db, justify.MsgReview, true), 1)

	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: promptOf(t, db, justify.MsgPrompt), To: "Ivan",
		Refused: "Bad Request: chat not found", Lost: true}))
	c, _, err := svc.Case(ctx, res.Opened[0])
	require.NoError(t, err)
	assert.True(t, c.NotAsked)
	assert.Len(t, queued(t, db, justify.MsgReview, true), 1, "no second review")
	assert.Len(t, queued(t, db, justify.MsgReview, false), 1, "the review is refreshed")
}
