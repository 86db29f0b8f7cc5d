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

// People of the tests of a manager's own actions: Olga moderates too, from VK account 500.
const (
	olgaVK  = 500
	pavelTG = 2002
	annaTG  = 3001
)

var (
	personIvan  = justify.Person{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: ivanTG}
	personOlga  = justify.Person{Name: "Olga", Role: justify.RoleManager, VKID: olgaVK, TelegramID: olgaTG}
	personPavel = justify.Person{Name: "Pavel", Role: justify.RoleManager, TelegramID: pavelTG}
	personAnna  = justify.Person{Name: "Anna", Role: justify.RoleOwner, TelegramID: annaTG}
)

// snapshot is everything a refused press must leave as it was: the case, its trail and
// the outbox.
type snapshot struct {
	c      justify.Case
	trail  int
	outbox int
}

func snap(t *testing.T, svc *justify.Service, db *store.DB, id justify.CaseID) snapshot {
	t.Helper()
	c, ds, err := svc.Case(context.Background(), id)
	require.NoError(t, err)
	due, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	return snapshot{c: c, trail: len(ds), outbox: len(due)}
}

// A manager who bans or deletes is asked why like an operator, and the case goes to the
// other managers, or with none to the owners; the manager's own decision is refused and
// changes nothing; nobody is alerted about an unknown admin.
func TestManagersOwnActionIsDecidedByOthers(t *testing.T) {
	ctx := context.Background()
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 1, ItemID: 100}
	ban := justify.Event{Key: "vk:1:b", GroupID: 1, Kind: justify.EventBan, ActorVKID: olgaVK, UserVKID: 5, At: t0, Source: justify.SourceLongPoll}
	deletion := justify.Event{Key: "vk:1:d", GroupID: 1, Kind: justify.EventDelete, ActorVKID: olgaVK, UserVKID: 5, Item: ref, At: t0, Source: justify.SourceLongPoll}
	tests := []struct {
		name     string
		people   []justify.Person
		ev       justify.Event
		severe   bool // the deleted comment was an unanswered request: reviewed at once
		deciders []int64
		others   []int64 // who may not decide it either
	}{
		{name: "a ban, another manager decides", people: []justify.Person{personIvan, personOlga, personPavel, personAnna}, ev: ban,
			deciders: []int64{pavelTG}, others: []int64{annaTG, ivanTG}},
		{name: "a ban by the only manager, the owner decides", people: []justify.Person{personIvan, personOlga, personAnna}, ev: ban,
			deciders: []int64{annaTG}, others: []int64{ivanTG}},
		{name: "a deletion, another manager decides", people: []justify.Person{personIvan, personOlga, personPavel, personAnna}, ev: deletion,
			deciders: []int64{pavelTG}, others: []int64{annaTG}},
		{name: "an unanswered request deleted, reviewed at once by the others", people: []justify.Person{personIvan, personOlga, personPavel, personAnna},
			ev: deletion, severe: true, deciders: []int64{pavelTG}, others: []int64{annaTG}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := testService(t)
			svc.People = justify.NewDirectory(tt.people)
			if tt.severe {
				asked := justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: 5, Text: "где заказ?", CreatedAt: t0.Add(-time.Hour)}
				_, err := svc.Ingest(ctx, []justify.Event{{Key: "w", GroupID: 1, Kind: justify.EventWrite, Ticket: &asked, At: t0.Add(-time.Hour)}}, "", "")
				require.NoError(t, err)
			}
			res, err := svc.Ingest(ctx, []justify.Event{tt.ev}, "", "")
			require.NoError(t, err)
			require.Len(t, res.Opened, 1)
			id := res.Opened[0]

			c, _, err := svc.Case(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, "Olga", c.Operator, "attributed to her")
			assert.Equal(t, justify.RoleManager, c.ActorRole, "with her role")
			assert.False(t, c.UnknownAdmin())
			assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgPrompt, true), "she is asked why, like an operator")
			assert.Empty(t, alertsOf(t, db, justify.AlertUnknownAdmin), "she is no unknown admin")
			wantReviews := map[int64]int{}
			for _, d := range tt.deciders {
				wantReviews[d] = 1
			}
			if tt.severe {
				assert.Equal(t, wantReviews, outbox(t, db, justify.MsgReview, true), "the others see it at once, she does not")
			} else {
				assert.Empty(t, outbox(t, db, justify.MsgReview, true), "reviewed once she gave the reason")
			}

			_, err = svc.Justify(ctx, olgaTG, id, justify.ReasonSpam, "")
			require.NoError(t, err)
			assert.Equal(t, wantReviews, outbox(t, db, justify.MsgReview, true), "the review goes to the others only")

			before := snap(t, svc, db, id)
			_, err = svc.Approve(ctx, olgaTG, id)
			assert.ErrorIs(t, err, justify.ErrOwnAction)
			_, err = svc.Reverse(ctx, olgaTG, id)
			assert.ErrorIs(t, err, justify.ErrOwnAction)
			for _, other := range tt.others {
				_, err = svc.Approve(ctx, other, id)
				assert.ErrorIs(t, err, justify.ErrForbidden)
				assert.NotErrorIs(t, err, justify.ErrOwnAction)
			}
			assert.Equal(t, before, snap(t, svc, db, id), "refused presses change nothing")

			c, err = svc.Approve(ctx, tt.deciders[0], id)
			require.NoError(t, err)
			assert.Equal(t, justify.ResolutionApproved, c.Resolution)
			assert.Equal(t, svc.People.Deciders(1, "Olga", olgaVK)[0].Name, c.ResolvedBy)
			assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgOutcome, true), "she hears the outcome")
		})
	}
}

// A manager's own case left without a reason goes, at the deadline, to the others only;
// so does her wave.
func TestManagersOverdueActionGoesToOthers(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	now := t0
	svc.Now = func() time.Time { return now }
	svc.People = justify.NewDirectory([]justify.Person{personIvan, personOlga, personPavel, personAnna})
	for i := range 5 {
		_, err := svc.Ingest(ctx, []justify.Event{{Key: fmt.Sprintf("vk:1:o%d", i), GroupID: 1, Kind: justify.EventBan, ActorVKID: olgaVK,
			UserVKID: int64(6000 + i), At: t0.Add(time.Duration(i) * time.Second), Source: justify.SourceLongPoll}}, "", "")
		require.NoError(t, err)
	}
	// The deadlines run from the prompts' delivery.
	for _, kind := range []justify.MessageKind{justify.MsgPrompt, justify.MsgBatchPrompt} {
		for _, m := range queued(t, db, kind, true) {
			require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: m, To: "Olga", At: now}))
		}
	}
	now = t0.Add(3 * time.Hour)
	require.NoError(t, svc.Tick(ctx))
	assert.Equal(t, map[int64]int{pavelTG: 3}, outbox(t, db, justify.MsgReview, true), "her three prompted cases, to Pavel only")
	assert.Equal(t, map[int64]int{pavelTG: 1}, outbox(t, db, justify.MsgBatchReview, true), "her wave, to Pavel only")
}

// A reversal left to be done by hand may be retried, but never by the person who acted.
func TestOwnUndoByHandIsNotRetriedByTheActor(t *testing.T) {
	ctx := context.Background()
	svc, _ := testService(t)
	svc.People = justify.NewDirectory([]justify.Person{personIvan, personOlga, personPavel, personAnna})
	res, err := svc.Ingest(ctx, []justify.Event{{Key: "vk:1:b", GroupID: 1, Kind: justify.EventBan, ActorVKID: olgaVK, UserVKID: 5,
		At: t0, Source: justify.SourceLongPoll}}, "", "")
	require.NoError(t, err)
	id := res.Opened[0]
	_, err = svc.Justify(ctx, olgaTG, id, justify.ReasonSpam, "")
	require.NoError(t, err)
	// No reverser: Pavel's reversal waits to be done by hand.
	c, err := svc.Reverse(ctx, pavelTG, id)
	require.NoError(t, err)
	require.Equal(t, justify.StateUndoPending, c.State)

	_, err = svc.Reverse(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrOwnAction, "she cannot retry it")
	assert.ErrorIs(t, c.CanReverse(personOlga, svc.People), justify.ErrOwnAction)
	c, err = svc.Reverse(ctx, pavelTG, id)
	require.NoError(t, err)
	assert.Equal(t, "Pavel", c.ResolvedBy)
}

// A manager's wave is one batch she justifies; the batch goes to the other managers, and
// neither Approve all nor One by one is hers.
func TestManagersOwnWaveIsDecidedByOthers(t *testing.T) {
	ctx := context.Background()
	svc, db := waveService(t)
	svc.People = justify.NewDirectory([]justify.Person{personIvan, personOlga, personPavel, personAnna})
	for i := range 10 {
		_, err := svc.Ingest(ctx, []justify.Event{{Key: fmt.Sprintf("vk:1:w%d", i), GroupID: 1, Kind: justify.EventBan, ActorVKID: olgaVK,
			UserVKID: int64(5000 + i), At: t0.Add(time.Duration(i) * time.Second), Source: justify.SourceLongPoll}}, "", "")
		require.NoError(t, err)
	}
	cs, err := db.ListCases(ctx, 0)
	require.NoError(t, err)
	id := cs[0].BatchID
	require.NotZero(t, id)
	assert.Equal(t, map[int64]int{olgaTG: 1}, outbox(t, db, justify.MsgBatchPrompt, true), "she is asked about her wave")
	assert.Empty(t, alertsOf(t, db, justify.AlertUnknownAdmin))

	b, err := svc.JustifyBatch(ctx, olgaTG, id, justify.ReasonSpam, "")
	require.NoError(t, err)
	assert.Equal(t, justify.RoleManager, b.ActorRole)
	assert.Equal(t, map[int64]int{pavelTG: 1}, outbox(t, db, justify.MsgBatchReview, true), "Pavel reviews it, Olga does not")

	before, _, err := svc.Batch(ctx, id, 0)
	require.NoError(t, err)
	_, err = svc.ApproveBatch(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrOwnAction)
	_, err = svc.ReviewBatchOneByOne(ctx, olgaTG, id)
	assert.ErrorIs(t, err, justify.ErrOwnAction)
	_, err = svc.ApproveBatch(ctx, annaTG, id)
	assert.ErrorIs(t, err, justify.ErrForbidden, "the owner while Pavel can")
	after, _, err := svc.Batch(ctx, id, 0)
	require.NoError(t, err)
	assert.Equal(t, before, after, "refused presses change nothing")

	b, err = svc.ApproveBatch(ctx, pavelTG, id)
	require.NoError(t, err)
	assert.Equal(t, b.Members, b.Approved)
	assert.Equal(t, "Pavel", b.ResolvedBy)
}

// alertsOf lists the unsent alerts of a kind.
func alertsOf(t *testing.T, db *store.DB, kind justify.AlertKind) []justify.Alert {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	var out []justify.Alert
	for _, m := range due {
		if m.Kind != justify.MsgAlert {
			continue
		}
		a, err := justify.ParseAlert(m.Payload)
		require.NoError(t, err)
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}
