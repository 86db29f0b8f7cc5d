package justify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

// inboxComment is a customer's comment on post 7 of group 1.
func inboxComment(i int, author int64) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 7, ItemID: int64(100 + i)}
	return justify.Event{Key: fmt.Sprintf("vk:1:c%d", i), GroupID: 1, Kind: justify.EventWrite, UserVKID: author, At: t0,
		Source: justify.SourceLongPoll, Item: ref, Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: author, Text: "Где мой заказ?", CreatedAt: t0}}
}

// deriver runs svc's inbox deriver until the test ends, telling each result to got.
func deriver(t *testing.T, svc *justify.Service) <-chan justify.IngestResult {
	t.Helper()
	got := make(chan justify.IngestResult, 100)
	svc.OnDerived = func(r justify.IngestResult) { got <- r }
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, svc.OpenInbox(ctx))
	done := make(chan error, 1)
	go func() { done <- svc.RunInbox(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	return got
}

// A long-poll answer is kept with its position and derived afterwards; the ban of a later
// answer is derived before the comments kept ahead of it, with the comment of the banned
// customer it depends on.
func TestInboxDerivesBansAheadOfTheBacklog(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	var answer []justify.Event
	for i := range 300 {
		answer = append(answer, inboxComment(i, int64(5000+i)))
	}
	res, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: answer, CursorKey: "vk:1:ts", Cursor: "1"})
	require.NoError(t, err)
	assert.Equal(t, 300, res.Queued)
	res, err = svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{longPollBan("b", 5007, t0)}, CursorKey: "vk:1:ts", Cursor: "2"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Queued)

	cur, err := svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Equal(t, "2", cur, "the position is saved with the answer kept")
	assert.Zero(t, count(t, db, justify.EventWrite), "nothing is derived before the deriver runs")
	assert.Equal(t, 301, svc.InboxPending())

	got := deriver(t, svc)
	first := <-got
	assert.Equal(t, 2, first.New, "the ban and the banned customer's comment come first")
	assert.Len(t, first.Opened, 1)
	total := first.New
	for total < 301 {
		r := <-got
		assert.Empty(t, r.Opened)
		assert.LessOrEqual(t, r.New, 256, "the rest goes in bulk transactions")
		total += r.New
	}
	assert.Equal(t, 300, count(t, db, justify.EventWrite))
	empty, err := db.InboxEmpty(ctx)
	require.NoError(t, err)
	assert.True(t, empty)
	c, _, err := svc.Case(ctx, first.Opened[0])
	require.NoError(t, err)
	ev, err := svc.Evidence(ctx, c)
	require.NoError(t, err)
	require.Len(t, ev.UserTickets, 1, "the prompt shows what the customer wrote")
	assert.Equal(t, "Где мой заказ?", ev.UserTickets[0].Text)
}

// What a stop leaves in the inbox is derived at the next start, once, and an event
// delivered again after it was derived is a duplicate.
func TestInboxSurvivesAStop(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	evs := []justify.Event{inboxComment(1, 5001), inboxComment(2, 5002), longPollBan("b", 5002, t0)}
	_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: evs, CursorKey: "vk:1:ts", Cursor: "3"})
	require.NoError(t, err)

	// The next start: a new service on the same database.
	restarted := &justify.Service{Store: db, People: svc.People, Communities: svc.Communities, Now: svc.Now, Deadline: svc.Deadline}
	got := deriver(t, restarted)
	total := 0
	for total < 3 {
		total += (<-got).New
	}
	assert.Equal(t, 2, count(t, db, justify.EventWrite))
	assert.Equal(t, 1, count(t, db, justify.EventBan))

	res, err := restarted.RecordPoll(ctx, justify.PollAnswer{Events: evs[:1], CursorKey: "vk:1:ts", Cursor: "3"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Queued)
	again := <-got
	assert.Equal(t, 1, again.Duplicate)
	assert.Zero(t, again.New)
}

// Past InboxLimit events waiting, a watcher's next answer waits for the deriver: a stream
// faster than modwatch derives slows the reading of VK instead of growing without end.
func TestInboxFullHoldsTheWatcher(t *testing.T) {
	svc, db := testService(t)
	svc.InboxLimit = 2
	ctx := context.Background()
	require.NoError(t, svc.OpenInbox(ctx))
	_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{inboxComment(1, 5001), inboxComment(2, 5002)}, CursorKey: "vk:1:ts", Cursor: "2"})
	require.NoError(t, err)

	recorded := make(chan error, 1)
	go func() {
		_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{inboxComment(3, 5003)}, CursorKey: "vk:1:ts", Cursor: "3"})
		recorded <- err
	}()
	// The barrier: a short wait would prove nothing; the held answer's position must
	// still be the previous one when the deriver starts.
	cur, err := svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Equal(t, "2", cur)
	select {
	case err := <-recorded:
		t.Fatalf("recorded past the limit: %v", err)
	default:
	}
	got := deriver(t, svc)
	assert.Equal(t, 2, (<-got).New, "the held answer was not kept yet when the deriver began")
	require.NoError(t, <-recorded, "recorded once the deriver made room")
	assert.Equal(t, 1, (<-got).New)
	assert.Equal(t, 3, count(t, db, justify.EventWrite))
}

// A failed derivation leaves the plan and the kept events as they were: the supervisor's
// restart derives them, once.
func TestInboxFailureKeepsTheEvents(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	require.NoError(t, svc.OpenInbox(ctx))
	_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{inboxComment(1, 5001)}, CursorKey: "vk:1:ts", Cursor: "1"})
	require.NoError(t, err)
	failing := &flakyStore{Store: db}
	failing.fails.Store(2) // the transaction, and the event alone
	svc.Store = failing
	err = svc.RunInbox(ctx)
	require.ErrorContains(t, err, "derive 1 kept events")
	assert.Equal(t, 1, svc.InboxPending())
	assert.Zero(t, count(t, db, justify.EventWrite))

	got := deriver(t, svc)
	assert.Equal(t, 1, (<-got).New)
	assert.Equal(t, 1, count(t, db, justify.EventWrite))
}

// Mark, taken before a ban list is read, waits until the long poll's kept events are
// derived: a ban still in the inbox would look missing from the record.
func TestMarkWaitsForTheInbox(t *testing.T) {
	svc, _ := testService(t)
	ctx := context.Background()
	require.NoError(t, svc.OpenInbox(ctx))
	_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{longPollBan("b", 5001, t0)}, CursorKey: "vk:1:ts", Cursor: "1"})
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = svc.Mark(short, 1)
	require.ErrorIs(t, err, context.DeadlineExceeded, "no deriver runs: the mark waits")

	deriver(t, svc)
	mark, err := svc.Mark(ctx, 1)
	require.NoError(t, err)
	assert.Positive(t, int64(mark), "the ban is in the record before the mark")
}

// heldStore holds its first Update inside the transaction until released.
type heldStore struct {
	justify.Store
	entered, release chan struct{}
	once             sync.Once
}

func (h *heldStore) Update(ctx context.Context, fn func(justify.Tx) error) error {
	first := false
	h.once.Do(func() { first = true })
	return h.Store.Update(ctx, func(tx justify.Tx) error {
		err := fn(tx)
		if first {
			close(h.entered)
			<-h.release
		}
		return err
	})
}

// Mark also waits for a recording under way when it is taken: its events are planned
// only once it commits, and a ban in it would otherwise look missing from the record.
func TestMarkWaitsForARecordingUnderWay(t *testing.T) {
	svc, db := testService(t)
	ctx := context.Background()
	require.NoError(t, svc.OpenInbox(ctx))
	held := &heldStore{Store: db, entered: make(chan struct{}), release: make(chan struct{})}
	svc.Store = held
	recorded := make(chan error, 1)
	go func() {
		_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: []justify.Event{longPollBan("b", 5001, t0)}, CursorKey: "vk:1:ts", Cursor: "1"})
		recorded <- err
	}()
	<-held.entered // the recording's transaction is open, its events not planned
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := svc.Mark(short, 1)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the mark waits for the recording")
	close(held.release)
	require.NoError(t, <-recorded)
	deriver(t, svc)
	mark, err := svc.Mark(ctx, 1)
	require.NoError(t, err)
	assert.Positive(t, int64(mark), "the ban is in the record before the mark")
}

// poisonStore's transactions refuse to record the event keyed poison, as a bug or a
// constraint would.
type poisonStore struct{ *store.DB }

func (p poisonStore) Update(ctx context.Context, fn func(justify.Tx) error) error {
	return p.DB.Update(ctx, func(tx justify.Tx) error { return fn(poisonTx{tx}) })
}

type poisonTx struct{ justify.Tx }

func (t poisonTx) InsertEvent(ev justify.Event) (bool, error) {
	if ev.Key == "vk:1:poison" {
		return false, errors.New("CHECK constraint failed")
	}
	return t.Tx.InsertEvent(ev)
}

// A kept event that cannot be derived, however often it is tried, is quarantined with an
// alert after a few tries alone; the events around it are derived, and the deriver does
// not stop every community's events for it.
func TestPoisonedKeptEventIsQuarantined(t *testing.T) {
	svc, db := testService(t)
	svc.Store = poisonStore{db}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poison := inboxComment(2, 5002)
	poison.Key = "vk:1:poison"
	evs := []justify.Event{inboxComment(1, 5001), poison, inboxComment(3, 5003), longPollBan("b", 5004, t0)}
	require.NoError(t, svc.OpenInbox(ctx))
	_, err := svc.RecordPoll(ctx, justify.PollAnswer{Events: evs, CursorKey: "vk:1:ts", Cursor: "4"})
	require.NoError(t, err)

	// As the supervisor does: a failed run is started again.
	failures := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := svc.RunInbox(ctx); err != nil {
				failures++
				assert.ErrorContains(t, err, "CHECK constraint failed")
			}
		}
	}()
	require.Eventually(t, func() bool { return svc.InboxPending() == 0 }, 10*time.Second, time.Millisecond)
	cancel()
	<-done
	assert.Equal(t, 2, failures, "tried alone three times: two runs end in an error, the third quarantines")
	assert.Equal(t, 2, count(t, db, justify.EventWrite), "the comments around it are derived")
	assert.Equal(t, 1, count(t, db, justify.EventBan), "and the ban")
	kept, err := db.Quarantined(context.Background(), store.QuarantineFilter{})
	require.NoError(t, err)
	require.Len(t, kept, 1)
	assert.Equal(t, "inbox", kept[0].Kind)
	assert.Contains(t, kept[0].Err, "modwatch could not record it, 3 tries: ")
	assert.Contains(t, string(kept[0].Raw), "vk:1:poison")
}
