package justify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/store"
)

const week = 7 * 24 * time.Hour

// qaService is a service with two operators, two managers of community 1, one owner of
// both communities, and spot checks of 3 dialogs per operator every week. Nobody manages
// community 2.
func qaService(t *testing.T) (*justify.Service, *store.DB, *justifytest.Clock) {
	t.Helper()
	svc, db := testService(t)
	clock := justifytest.NewClock(t0)
	svc.Now = clock.Now
	svc.Shuffle = func(int, func(i, j int)) {} // the oldest dialogs first: predictable
	svc.Configure(justify.Settings{
		People: justify.NewDirectory([]justify.Person{
			{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: 1001},
			{Name: "Petr", Role: justify.RoleOperator, VKID: 112, TelegramID: 1002},
			{Name: "Olga", Role: justify.RoleManager, TelegramID: 2001, Communities: []int64{1}},
			{Name: "Pavel", Role: justify.RoleManager, TelegramID: 2002, Communities: []int64{1}},
			{Name: "Anna", Role: justify.RoleOwner, TelegramID: 3001},
		}),
		Communities: map[int64]justify.Community{1: {GroupID: 1, Name: "Brand"}, 2: {GroupID: 2, Name: "Shop"}},
		Deadline:    2 * time.Hour, AlertWindow: time.Hour,
		QA: justify.QARule{Every: week, Sample: 3},
	})
	return svc, db, clock
}

// addDialogs stores n dialogs of community group that operator vk replied to first, one
// customer each, the first at start and then an hour apart.
func addDialogs(t *testing.T, db *store.DB, group, vk int64, n int, start time.Time) {
	t.Helper()
	for i := range n {
		customer := vk*1000 + group*100 + int64(i)
		at := start.Add(time.Duration(i) * time.Hour)
		d := justify.Dialog{GroupID: group, Conv: justify.MessageConv(group, customer), Place: justify.PlaceMessage,
			CustomerVKID: customer, Link: fmt.Sprintf("https://vk.com/gim%d?sel=%d", group, customer), StartedAt: at,
			LastAt: at.Add(5 * time.Minute), Messages: 2, FirstTouchAt: at.Add(time.Minute), FirstTouchBy: vk}
		require.NoError(t, db.Update(context.Background(), func(tx justify.Tx) error {
			return tx.ReplaceDialogs(d.Conv, at, []justify.Dialog{d}, nil)
		}))
	}
}

// spotMessages lists the spot checks waiting in the outbox by recipient.
func spotMessages(t *testing.T, db *store.DB) map[int64][]justify.Message {
	t.Helper()
	due, err := db.DueMessages(context.Background(), t0.Add(1000*time.Hour), 0)
	require.NoError(t, err)
	out := map[int64][]justify.Message{}
	for _, m := range due {
		if m.Kind == justify.MsgSpotCheck {
			out[m.ChatID] = append(out[m.ChatID], m)
		}
	}
	return out
}

func TestNextRound(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name    string
		now     time.Duration // after the last round
		wantDue bool
		wantAt  time.Duration
	}{
		{name: "before the period ends", now: 167 * h},
		{name: "at the period's end", now: 168 * h, wantDue: true, wantAt: 168 * h},
		{name: "a tick later keeps the round's time", now: 168*h + 30*time.Second, wantDue: true, wantAt: 168 * h},
		{name: "after three weeks down: the latest round, once", now: 3*168*h + 5*h, wantDue: true, wantAt: 3 * 168 * h},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, due := justify.NextRound(t0, t0.Add(tt.now), week)
			assert.Equal(t, tt.wantDue, due)
			if tt.wantDue {
				assert.Equal(t, t0.Add(tt.wantAt), at)
			}
		})
	}
}

// TestSpotRoundsKeepTheirSchedule: the first tick starts the schedule; a round comes one
// period later and covers that period; a tick or a restart after it sends nothing more;
// after downtime of several periods one round is sent, not one per period missed.
func TestSpotRoundsKeepTheirSchedule(t *testing.T) {
	svc, db, clock := qaService(t)
	ctx := context.Background()
	addDialogs(t, db, 1, 111, 1, t0.Add(-time.Hour)) // before the schedule began: in no round

	r, err := svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.True(t, r.At.IsZero(), "the first tick only starts the schedule")
	addDialogs(t, db, 1, 111, 2, t0.Add(time.Hour))

	clock.Add(week - time.Minute)
	r, err = svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.True(t, r.At.IsZero(), "not due yet")

	clock.Add(2 * time.Minute)
	r, err = svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(week), r.At)
	assert.Equal(t, 2, r.Sent, "the period's two dialogs, not the one before it")

	r, err = svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.True(t, r.At.IsZero(), "the same round is not sent twice")

	// A restart: a new service over the same database.
	again, _, _ := qaService(t)
	again.Store, again.Now = db, clock.Now
	r, err = again.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.True(t, r.At.IsZero(), "a restart does not send the round again")

	// Three weeks and a day down, with dialogs in each week: one round, of the last week.
	for w := 1; w <= 3; w++ {
		addDialogs(t, db, 1, 111, 1, t0.Add(time.Duration(w)*week+time.Hour))
	}
	clock.Add(3*week + 24*time.Hour)
	r, err = again.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(4*week), r.At)
	assert.Equal(t, 1, r.Sent, "only the last period missed is sampled")
	r, err = again.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.True(t, r.At.IsZero(), "caught up once")
	assert.Len(t, spotMessages(t, db)[2001], 2, "Olga got one of each round's dialogs")
	assert.Len(t, spotMessages(t, db)[2002], 1)
}

// TestSpotRoundSamplesSpreadsAndNeverRepeats: a round sends up to qa.sample dialogs of
// each operator, spread evenly among the managers of the community; the dialogs of a
// community no manager covers are not sent, and the owner is told; /qa sends one more of
// each operator, never a dialog checked before.
func TestSpotRoundSamplesSpreadsAndNeverRepeats(t *testing.T) {
	svc, db, clock := qaService(t)
	ctx := context.Background()
	_, err := svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	addDialogs(t, db, 1, 111, 5, t0.Add(time.Hour))
	addDialogs(t, db, 1, 112, 2, t0.Add(time.Hour))
	addDialogs(t, db, 2, 111, 4, t0.Add(time.Hour)) // nobody manages community 2

	clock.Add(week)
	r, err := svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, r.Sent, "3 of Ivan's (the sample) and both of Petr's")
	assert.Equal(t, map[int64]int{2: 4}, r.Uncovered)
	sent := spotMessages(t, db)
	assert.Len(t, sent[2001], 3, "Olga")
	assert.Len(t, sent[2002], 2, "Pavel: spread evenly")

	alerts, err := db.DueMessages(ctx, clock.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	var told []int64
	for _, m := range alerts {
		if m.Kind == justify.MsgAlert {
			a, err := justify.ParseAlert(m.Payload)
			require.NoError(t, err)
			if a.Kind == justify.AlertSpotCheck {
				told = append(told, m.ChatID)
				assert.Equal(t, int64(2), a.GroupID)
				assert.Contains(t, a.Detail, "4 dialogs")
			}
		}
	}
	assert.Equal(t, []int64{3001}, told, "the owner hears that community 2 was not spot-checked")

	// /qa: one more of each operator of Olga's communities, from the last week.
	seen := map[justify.SpotCheckID]string{}
	for _, ms := range spotMessages(t, db) {
		for _, m := range ms {
			id, err := justify.ParseSpotPayload(m.Payload)
			require.NoError(t, err)
			sc, _, err := svc.SpotCheck(ctx, id)
			require.NoError(t, err)
			seen[id] = sc.Conv + sc.StartedAt.String()
		}
	}
	for round, want := range []int{1, 1, 0} {
		n, err := svc.SpotCheckNow(ctx, 2001)
		require.NoError(t, err)
		assert.Equal(t, want, n, "/qa number %d: Ivan's two dialogs left, one at a time; Petr's were all checked", round+1)
	}
	convs := map[string]bool{}
	for _, ms := range spotMessages(t, db) {
		for _, m := range ms {
			id, _ := justify.ParseSpotPayload(m.Payload)
			sc, _, err := svc.SpotCheck(ctx, id)
			require.NoError(t, err)
			key := sc.Conv + sc.StartedAt.String()
			assert.False(t, convs[key], "dialog %s sent twice", key)
			convs[key] = true
			assert.Equal(t, int64(1), sc.GroupID, "never a dialog of community 2")
		}
	}
	assert.Len(t, convs, 7)

	_, err = svc.SpotCheckNow(ctx, 1001)
	assert.ErrorIs(t, err, justify.ErrForbidden, "operators cannot ask for spot checks")
}

// TestSpotCheckVerdicts: the manager grades, changes the verdict and comments, each step in
// the trail; another manager's press or comment is refused and changes nothing.
func TestSpotCheckVerdicts(t *testing.T) {
	svc, db, clock := qaService(t)
	ctx := context.Background()
	addDialogs(t, db, 1, 112, 1, t0.Add(-time.Hour))
	n, err := svc.SpotCheckNow(ctx, 2002)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	m := spotMessages(t, db)[2002][0]
	id, err := justify.ParseSpotPayload(m.Payload)
	require.NoError(t, err)
	require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: m, To: "Pavel", At: clock.Now(), TelegramMessageID: 77}))

	_, err = svc.GradeSpotCheck(ctx, 2001, id, justify.VerdictGood)
	assert.ErrorIs(t, err, justify.ErrNotYours, "Olga cannot grade Pavel's spot check")
	_, err = svc.CommentSpotCheck(ctx, 2001, 2002, 77, "fine")
	assert.ErrorIs(t, err, justify.ErrNotYours)
	_, err = svc.CommentSpotCheck(ctx, 2002, 2002, 78, "fine")
	assert.ErrorIs(t, err, justify.ErrNotFound, "a reply to another message is no comment")

	clock.Add(time.Minute)
	sc, err := svc.GradeSpotCheck(ctx, 2002, id, justify.VerdictGood)
	require.NoError(t, err)
	assert.Equal(t, justify.VerdictGood, sc.Verdict)
	_, err = svc.GradeSpotCheck(ctx, 2002, id, justify.VerdictGood) // a second press changes nothing
	require.NoError(t, err)
	clock.Add(time.Minute)
	_, err = svc.GradeSpotCheck(ctx, 2002, id, justify.VerdictBad)
	require.NoError(t, err)
	sc, err = svc.CommentSpotCheck(ctx, 2002, 2002, 77, "Answered <rudely>")
	require.NoError(t, err)
	assert.Equal(t, "Answered <rudely>", sc.Comment)

	sc, trail, err := svc.SpotCheck(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, justify.VerdictBad, sc.Verdict)
	assert.Equal(t, "Pavel", sc.VerdictBy)
	assert.Equal(t, int64(2002), sc.VerdictTG)
	assert.Equal(t, t0.Add(2*time.Minute), sc.VerdictAt)
	var steps []string
	for _, e := range trail {
		steps = append(steps, fmt.Sprintf("%s %s %s", e.Action, e.Actor, e.Detail))
	}
	assert.Equal(t, []string{"sent modwatch to Pavel (asked for with /qa)", "graded Pavel good", "regraded Pavel good → bad",
		"commented Pavel Answered <rudely>"}, steps)

	graded, err := db.SpotChecksGraded(ctx, t0, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, graded, 1)
	assert.Equal(t, "Petr", graded[0].Operator)
}

// TestLostSpotCheckGoesToAnotherManager: a spot check Telegram would not deliver (the
// manager never pressed Start) goes to the community's other manager; when that one is
// lost too, it stays ungraded, and each loss raised the alert of a person not reached.
func TestLostSpotCheckGoesToAnotherManager(t *testing.T) {
	svc, db, clock := qaService(t)
	ctx := context.Background()
	addDialogs(t, db, 1, 111, 1, t0.Add(-time.Hour))
	_, err := svc.SpotCheckNow(ctx, 2001)
	require.NoError(t, err)
	first := spotMessages(t, db)[2001][0]
	id, _ := justify.ParseSpotPayload(first.Payload)
	lose := func(m justify.Message, to string) {
		require.NoError(t, svc.Delivered(ctx, justify.Delivery{Message: m, To: to, At: clock.Now(), Lost: true, Unreachable: true,
			Refused: "Forbidden: bot can't initiate conversation with a user"}))
		require.NoError(t, db.MarkFailed(ctx, m.ID, "403"))
	}
	lose(first, "Olga")
	sc, _, err := svc.SpotCheck(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Pavel", sc.Manager, "passed on")
	passed := spotMessages(t, db)[2002]
	require.Len(t, passed, 1)
	assert.Equal(t, first.Payload, passed[0].Payload)

	lose(passed[0], "Pavel")
	sc, trail, err := svc.SpotCheck(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, sc.Manager, "nobody left to pass it on to")
	assert.Equal(t, justify.SpotLost, trail[len(trail)-1].Action)
	due, err := db.DueMessages(ctx, clock.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	alerts := 0
	for _, m := range due {
		if a, err := justify.ParseAlert(m.Payload); m.Kind == justify.MsgAlert && err == nil && a.Kind == justify.AlertUnreachable {
			alerts++
		}
	}
	assert.Positive(t, alerts, "managers and owners hear who could not be reached")
}
