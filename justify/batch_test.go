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

const (
	ivanTG = 1001
	olgaTG = 2001
)

// waveService groups Ivan's actions past 3 within 10 minutes.
func waveService(t *testing.T) (*justify.Service, *store.DB) {
	t.Helper()
	svc, db := testService(t)
	svc.Grouping = justify.GroupRule{After: 3, Within: 10 * time.Minute}
	svc.RemindBefore = 30 * time.Minute
	return svc, db
}

// banWave ingests n bans by Ivan, one second apart, each in its own transaction as the
// long poll delivers them, and returns the cases by ID.
func banWave(t *testing.T, svc *justify.Service, db *store.DB, n int) []justify.Case {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		ev := longPollBan(fmt.Sprintf("w%d", i), int64(5000+i), t0.Add(time.Duration(i)*time.Second))
		_, err := svc.Ingest(ctx, []justify.Event{ev}, "", "")
		require.NoError(t, err)
	}
	cs, err := db.ListCases(ctx, 0)
	require.NoError(t, err)
	require.Len(t, cs, n)
	// ListCases is newest first.
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs
}

// outbox counts the unsent messages of a kind per chat.
func outbox(t *testing.T, db *store.DB, kind justify.MessageKind, originals bool) map[int64]int {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	out := map[int64]int{}
	for _, m := range due {
		if m.Kind == kind && (m.EditOf == 0) == originals {
			out[m.ChatID]++
		}
	}
	return out
}

func TestWaveOpensOneBatch(t *testing.T) {
	tests := []struct {
		name           string
		bans           int
		wantPrompts    int
		wantBatched    int
		wantBatchPrmpt int
	}{
		{name: "under the limit", bans: 3, wantPrompts: 3},
		{name: "first over the limit opens the batch", bans: 4, wantPrompts: 3, wantBatched: 1, wantBatchPrmpt: 1},
		{name: "later ones join quietly", bans: 50, wantPrompts: 3, wantBatched: 47, wantBatchPrmpt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := waveService(t)
			cs := banWave(t, svc, db, tt.bans)
			batched := 0
			for _, c := range cs {
				if c.BatchID != 0 {
					batched++
				}
			}
			assert.Equal(t, tt.wantBatched, batched)
			assert.Equal(t, tt.wantPrompts, outbox(t, db, justify.MsgPrompt, true)[ivanTG])
			assert.Equal(t, tt.wantBatchPrmpt, outbox(t, db, justify.MsgBatchPrompt, true)[ivanTG])
			if tt.wantBatched > 0 {
				b, names, err := svc.Batch(context.Background(), cs[3].BatchID, 5)
				require.NoError(t, err)
				assert.Equal(t, tt.wantBatched, b.Members)
				assert.Equal(t, tt.wantBatched, b.AwaitingReason)
				assert.Len(t, names, min(5, tt.wantBatched))
				assert.Equal(t, time.Duration(tt.wantBatched-1)*time.Second, b.Span())
			}
		})
	}
}

func TestGroupingOffByDefault(t *testing.T) {
	svc, db := testService(t)
	cs := banWave(t, svc, db, 10)
	for _, c := range cs {
		assert.Zero(t, c.BatchID)
	}
	assert.Equal(t, 10, outbox(t, db, justify.MsgPrompt, true)[ivanTG])
}

func TestJustifyAndApproveBatch(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	cs := banWave(t, svc, db, 30)
	id := cs[29].BatchID

	_, err := svc.JustifyBatch(ctx, olgaTG, id, justify.ReasonSpam, "")
	assert.ErrorIs(t, err, justify.ErrForbidden, "only the batch's operator justifies")
	_, err = svc.JustifyBatch(ctx, ivanTG, id, justify.ReasonOther, "")
	assert.ErrorIs(t, err, justify.ErrTextRequired)
	_, err = svc.ApproveBatch(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrWrongState, "managers decide once the reason is in")

	b, err := svc.JustifyBatch(ctx, ivanTG, id, justify.ReasonSpam, "")
	require.NoError(t, err)
	assert.Equal(t, justify.BatchReview, b.State)
	assert.Equal(t, 27, b.AwaitingReview)
	assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgBatchReview, true), "one review per manager, not one per case")
	assert.Empty(t, outbox(t, db, justify.MsgReview, true))
	for _, c := range cs[3:] {
		c, ds, err := svc.Case(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, justify.ReasonSpam, c.Reason)
		assert.Equal(t, justify.ActionJustified, ds[len(ds)-1].Action, "each case has its own decision")
	}
	_, err = svc.JustifyBatch(ctx, ivanTG, id, justify.ReasonAbuse, "")
	assert.ErrorIs(t, err, justify.ErrWrongState, "a batch is justified once")

	_, err = svc.ApproveBatch(ctx, ivanTG, id)
	assert.ErrorIs(t, err, justify.ErrForbidden, "operators do not decide")
	b, err = svc.ApproveBatch(ctx, olgaTG, id)
	require.NoError(t, err)
	assert.Equal(t, justify.BatchClosed, b.State)
	assert.Equal(t, 27, b.Approved)
	assert.Equal(t, map[int64]int{ivanTG: 1}, outbox(t, db, justify.MsgBatchOutcome, true), "one outcome for the batch")
	assert.Empty(t, outbox(t, db, justify.MsgOutcome, true))
	for _, c := range cs[3:] {
		c, ds, err := svc.Case(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, justify.ResolutionApproved, c.Resolution)
		assert.Equal(t, "Olga", c.ResolvedBy)
		assert.Equal(t, justify.ActionApproved, ds[len(ds)-1].Action)
	}
	for _, c := range cs[:3] {
		c, _, err := svc.Case(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, justify.StateAwaitingReason, c.State, "the prompted cases before the wave are their own")
	}
}

func TestBatchOtherReasonTakesOneText(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	cs := banWave(t, svc, db, 8)
	id := cs[7].BatchID
	require.NoError(t, svc.AskBatchText(ctx, ivanTG, id, justify.ReasonOther))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchAskText, true)[ivanTG])
	_, err := svc.Text(ctx, ivanTG, "bot accounts from one subnet")
	require.NoError(t, err)
	b, _, err := svc.Batch(ctx, id, 0)
	require.NoError(t, err)
	assert.Equal(t, "bot accounts from one subnet", b.ReasonText)
	for _, c := range cs[3:] {
		c, _, err := svc.Case(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, justify.ReasonOther, c.Reason)
		assert.Equal(t, "bot accounts from one subnet", c.ReasonText)
	}
}

func TestSplitBatches(t *testing.T) {
	ctx := context.Background()
	t.Run("operator one by one", func(t *testing.T) {
		svc, db := waveService(t)
		cs := banWave(t, svc, db, 10)
		id := cs[9].BatchID
		_, err := svc.SplitBatch(ctx, olgaTG, id)
		assert.ErrorIs(t, err, justify.ErrForbidden)
		b, err := svc.SplitBatch(ctx, ivanTG, id)
		require.NoError(t, err)
		assert.Equal(t, justify.BatchClosed, b.State)
		assert.True(t, b.Split)
		assert.Equal(t, 10, outbox(t, db, justify.MsgPrompt, true)[ivanTG], "3 before the wave, 7 taken out")
		c, ds, err := svc.Case(ctx, cs[9].ID)
		require.NoError(t, err)
		assert.Zero(t, c.BatchID)
		assert.Equal(t, justify.ActionUnbatched, ds[len(ds)-1].Action)
		_, err = svc.Justify(ctx, ivanTG, c.ID, justify.ReasonFlood, "")
		require.NoError(t, err, "a case taken out is justified on its own")
	})
	t.Run("managers one by one", func(t *testing.T) {
		svc, db := waveService(t)
		cs := banWave(t, svc, db, 10)
		id := cs[9].BatchID
		_, err := svc.JustifyBatch(ctx, ivanTG, id, justify.ReasonSpam, "")
		require.NoError(t, err)
		_, err = svc.ReviewBatchOneByOne(ctx, ivanTG, id)
		assert.ErrorIs(t, err, justify.ErrForbidden)
		b, err := svc.ReviewBatchOneByOne(ctx, olgaTG, id)
		require.NoError(t, err)
		assert.Equal(t, justify.BatchClosed, b.State)
		assert.Equal(t, 7, outbox(t, db, justify.MsgReview, true)[olgaTG])
		_, err = svc.Approve(ctx, olgaTG, cs[9].ID)
		require.NoError(t, err)
	})
}

func TestBatchEscalatesOnce(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	now := t0
	svc.Now = func() time.Time { return now }
	cs := banWave(t, svc, db, 40)
	id := cs[39].BatchID
	deliverPrompts(t, svc, db, t0)

	now = t0.Add(90 * time.Minute) // past the reminder
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchReminder, true)[ivanTG], "one reminder for the batch")
	assert.Equal(t, 3, outbox(t, db, justify.MsgReminder, true)[ivanTG], "the three prompted cases are reminded each")
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchReminder, true)[ivanTG], "reminded once")

	now = t0.Add(3 * time.Hour) // past the deadline
	require.NoError(t, svc.Tick(ctx))
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgBatchReview, true), "the batch escalates once")
	assert.Equal(t, map[int64]int{olgaTG: 3}, outbox(t, db, justify.MsgReview, true), "only the three prompted cases escalate each")
	b, _, err := svc.Batch(ctx, id, 0)
	require.NoError(t, err)
	assert.Equal(t, justify.BatchReview, b.State)
	assert.True(t, b.Overdue)
	assert.Equal(t, 37, b.AwaitingReview)

	// A late reason for all is still taken, and managers' copies are refreshed, not resent.
	_, err = svc.JustifyBatch(ctx, ivanTG, id, justify.ReasonSpam, "")
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgBatchReview, true))
	c, _, err := svc.Case(ctx, cs[39].ID)
	require.NoError(t, err)
	assert.True(t, c.JustifiedLate())
}

func TestBatchPromptShowsGrowthWithOneEdit(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	cs := banWave(t, svc, db, 10)
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchPrompt, false)[ivanTG])
	b, _, err := svc.Batch(ctx, cs[9].BatchID, 0)
	require.NoError(t, err)
	assert.Equal(t, 7, b.Shown)

	for i := 10; i < 20; i++ {
		_, err := svc.Ingest(ctx, []justify.Event{longPollBan(fmt.Sprintf("w%d", i), int64(5000+i), t0.Add(time.Duration(i)*time.Second))}, "", "")
		require.NoError(t, err)
		require.NoError(t, svc.Tick(ctx))
	}
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchPrompt, false)[ivanTG], "a newer edit replaces the unsent one")
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchPrompt, false)[ivanTG], "no growth, no edit")
}

// An unban in VK closes a batched case quietly: the batch's messages show it, nobody
// gets an outcome per case of a wave.
func TestBatchedCaseUndoneInVKIsQuiet(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	cs := banWave(t, svc, db, 6)
	unban := justify.Event{Key: "vk:1:unban", GroupID: 1, Kind: justify.EventUnban, ActorVKID: 111, UserVKID: cs[5].UserVKID,
		At: t0.Add(time.Minute), Source: justify.SourceLongPoll}
	_, err := svc.Ingest(ctx, []justify.Event{unban}, "", "")
	require.NoError(t, err)
	c, _, err := svc.Case(ctx, cs[5].ID)
	require.NoError(t, err)
	assert.Equal(t, justify.ResolutionReversedInVK, c.Resolution)
	assert.Empty(t, outbox(t, db, justify.MsgOutcome, true))
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchPrompt, false)[ivanTG], "the batch prompt is refreshed")
}

// Deletions group like bans, except a deleted unanswered request: it keeps its own
// prompt and goes to managers at once.
func TestDeletionWave(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	ref := func(i int) justify.Ref {
		return justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 1, ItemID: int64(100 + i)}
	}
	// Item 105 was a customer's question nobody answered.
	asked := justify.Ticket{Key: ref(5).Key(), Ref: ref(5), AuthorVKID: 77, Text: "где заказ?", CreatedAt: t0}
	_, err := svc.Ingest(ctx, []justify.Event{{Key: "w", GroupID: 1, Kind: justify.EventWrite, Ticket: &asked, At: t0}}, "", "")
	require.NoError(t, err)
	for i := range 8 {
		ev := justify.Event{Key: fmt.Sprintf("d%d", i), GroupID: 1, Kind: justify.EventDelete, ActorVKID: 111, UserVKID: 77,
			Item: ref(i), At: t0.Add(time.Duration(i) * time.Second), Source: justify.SourceLongPoll}
		_, err := svc.Ingest(ctx, []justify.Event{ev}, "", "")
		require.NoError(t, err)
	}
	cs, err := db.ListCases(ctx, 0)
	require.NoError(t, err)
	require.Len(t, cs, 8)
	batched := 0
	for _, c := range cs {
		if c.BatchID != 0 {
			batched++
			assert.False(t, c.Severe)
		}
		if c.Item.ItemID == 105 {
			assert.True(t, c.Severe)
			assert.Zero(t, c.BatchID, "a deleted unanswered request is never batched")
		}
	}
	assert.Equal(t, 4, batched, "3 prompted, the severe one prompted, 4 in the batch")
	assert.Equal(t, 4, outbox(t, db, justify.MsgPrompt, true)[ivanTG])
	assert.Equal(t, 1, outbox(t, db, justify.MsgBatchPrompt, true)[ivanTG])
	assert.Equal(t, 1, outbox(t, db, justify.MsgReview, true)[olgaTG], "managers see the severe one at once")
}
