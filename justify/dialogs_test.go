package justify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// dt0 is Monday 2026-11-23 10:00 UTC.
var dt0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

var dialogRules = justify.DialogRules{AnswerWithin: 4 * time.Hour, StallAfter: 24 * time.Hour, RepeatWithin: 168 * time.Hour,
	NewDialogAfter: time.Hour}

type msgs struct {
	list []justify.ConvMessage
}

func (m *msgs) customer(at time.Duration, class justify.CustomerClass) *msgs {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5001, ItemID: int64(len(m.list) + 1)}
	m.list = append(m.list, justify.ConvMessage{ID: int64(len(m.list) + 1), Key: ref.Key(), GroupID: 1, Conv: "m:1:5001", Ref: ref,
		CustomerVKID: 5001, Side: justify.SideCustomer, TicketKey: ref.Key(), Customer: class, At: dt0.Add(at)})
	return m
}

func (m *msgs) reply(at time.Duration, admin int64, class justify.ReplyClass) *msgs {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: 5001, ItemID: int64(len(m.list) + 1)}
	m.list = append(m.list, justify.ConvMessage{ID: int64(len(m.list) + 1), Key: ref.Key(), GroupID: 1, Conv: "m:1:5001", Ref: ref,
		CustomerVKID: 5001, Side: justify.SideCommunity, AdminVKID: admin, Automatic: admin == 0, Reply: class,
		FirstReply: class, At: dt0.Add(at)})
	return m
}

func TestBuildDialogsBoundaries(t *testing.T) {
	m, h := time.Minute, time.Hour
	const req, thanks, hello = justify.CustomerRequest, justify.CustomerThanks, justify.CustomerGreeting
	const ans, greet, hold = justify.ReplyAnswer, justify.ReplyGreeting, justify.ReplyHolding
	tests := []struct {
		name     string
		msgs     *msgs
		dialogs  int
		messages []int
	}{
		{name: "a follow-up within the hour continues the dialog",
			msgs: (&msgs{}).customer(0, req).reply(10*m, 111, ans).customer(30*m, req).reply(40*m, 111, ans), dialogs: 1, messages: []int{4}},
		{name: "writing again after the hour is a new dialog",
			msgs: (&msgs{}).customer(0, req).reply(10*m, 111, ans).customer(2*h, req), dialogs: 2, messages: []int{2, 1}},
		{name: "a request still waiting goes on the same dialog, however late",
			msgs: (&msgs{}).customer(0, req).reply(10*m, 111, hold).customer(30*h, req), dialogs: 1, messages: []int{3}},
		{name: "thanks opens nothing",
			msgs: (&msgs{}).customer(0, req).reply(10*m, 111, ans).customer(5*h, thanks), dialogs: 1, messages: []int{3}},
		{name: "thanks alone is no dialog", msgs: (&msgs{}).customer(0, thanks), dialogs: 0},
		{name: "the community writing first opens nothing", msgs: (&msgs{}).reply(0, 111, greet).customer(h, hello),
			dialogs: 1, messages: []int{1}},
		{name: "automatic replies are not counted", msgs: (&msgs{}).customer(0, req).reply(m, 0, ans).reply(10*m, 111, ans),
			dialogs: 1, messages: []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, _ := justify.BuildDialogs(tt.msgs.list, nil, dialogRules, dt0.Add(60*h))
			require.Len(t, ds, tt.dialogs)
			for i, n := range tt.messages {
				assert.Equal(t, n, ds[i].Messages, "dialog %d", i)
			}
		})
	}
}

func TestBuildDialogsTimes(t *testing.T) {
	m, h := time.Minute, time.Hour
	office, err := justify.ParseShift([]string{"mon", "tue", "wed", "thu", "fri"}, "09:00", "18:00", time.UTC)
	require.NoError(t, err)
	withShifts := dialogRules
	withShifts.Shifts = map[int64]justify.Schedule{111: {office}}
	// Written at 17:30, greeted at 17:40, answered the next morning at 09:20 and asked again.
	ms := (&msgs{}).customer(7*h+30*m, justify.CustomerRequest).reply(7*h+40*m, 111, justify.ReplyGreeting).
		customer(7*h+50*m, justify.CustomerRequest).reply(23*h+20*m, 112, justify.ReplyAnswer)
	tests := []struct {
		name                      string
		rules                     justify.DialogRules
		touch, answer, secondWait time.Duration
	}{
		{name: "every hour counts without shifts", rules: dialogRules, touch: 10 * m, answer: 15*h + 50*m, secondWait: 15*h + 30*m},
		{name: "business hours with shifts", rules: withShifts, touch: 10 * m, answer: 50 * m, secondWait: 30 * m},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, _ := justify.BuildDialogs(ms.list, nil, tt.rules, dt0.Add(48*h))
			require.Len(t, ds, 1)
			d := ds[0]
			assert.Equal(t, tt.touch, d.FirstTouch)
			assert.Equal(t, int64(111), d.FirstTouchBy)
			assert.Equal(t, tt.answer, d.FirstAnswer)
			assert.Equal(t, int64(112), d.FirstAnswerBy)
			assert.Equal(t, []justify.Reaction{{By: 111, Wait: 10 * m}, {By: 112, Wait: tt.secondWait}}, d.Reactions)
			assert.Equal(t, dt0.Add(23*h+20*m), d.ClosingAt)
			assert.Len(t, d.Waits, 2)
			assert.True(t, d.WaitingSince.IsZero())
		})
	}
}

func TestBuildDialogsPendingAndWrote(t *testing.T) {
	m, h := time.Minute, time.Hour
	ms := (&msgs{}).customer(0, justify.CustomerRequest).reply(m, 111, justify.ReplyGreeting)
	ds, _ := justify.BuildDialogs(ms.list, nil, dialogRules, dt0.Add(h))
	require.Len(t, ds, 1)
	assert.Empty(t, ds[0].Signs, "the deadline has not passed")
	assert.Equal(t, dt0.Add(4*h), ds[0].CheckAt, "to be looked at again when it does")
	ds, _ = justify.BuildDialogs(ms.list, nil, dialogRules, dt0.Add(4*h))
	require.Len(t, ds[0].Signs, 1)
	assert.Equal(t, justify.SignBareGreeting, ds[0].Signs[0].Kind)
	assert.True(t, ds[0].CheckAt.IsZero(), "nothing left pending")

	// The customer writing again marks the reply they reacted to.
	ms = (&msgs{}).customer(0, justify.CustomerRequest).reply(m, 111, justify.ReplyAnswer).reply(2*m, 111, justify.ReplyAnswer).
		customer(3*h, justify.CustomerRequest)
	ds, wrote := justify.BuildDialogs(ms.list, nil, dialogRules, dt0.Add(4*h))
	require.Len(t, ds, 2)
	assert.Equal(t, map[string]bool{ms.list[2].Key: true}, wrote, "the last reply before it, not every reply")
	require.Len(t, ds[1].Signs, 1)
	assert.Equal(t, justify.SignRepeatContact, ds[1].Signs[0].Kind)

	// The dialog before the rebuilt ones decides a repeat contact too.
	prev := &justify.Dialog{ClosingAt: dt0.Add(-24 * h), ClosingBy: 112}
	ds, _ = justify.BuildDialogs((&msgs{}).customer(0, justify.CustomerRequest).list, prev, dialogRules, dt0.Add(m))
	require.Len(t, ds[0].Signs, 1)
	assert.Equal(t, int64(112), ds[0].Signs[0].OperatorVKID)
}

func TestIdleStretches(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }
	iv := func(a, b time.Time) justify.Interval { return justify.Interval{From: a, To: b} }
	shift := []justify.Interval{iv(at(9, 0), at(18, 0))}
	tests := []struct {
		name    string
		waits   []justify.Interval
		actions []time.Time
		want    []justify.Interval
	}{
		{name: "waiting untouched for 90 minutes", waits: []justify.Interval{iv(at(9, 30), at(11, 0))},
			want: []justify.Interval{iv(at(9, 30), at(11, 0))}},
		{name: "an action splits it", waits: []justify.Interval{iv(at(9, 30), at(11, 0))}, actions: []time.Time{at(10, 15)}},
		{name: "overlapping waits are one", waits: []justify.Interval{iv(at(9, 30), at(10, 0)), iv(at(9, 50), at(10, 40))},
			want: []justify.Interval{iv(at(9, 30), at(10, 40))}},
		{name: "a gap in the waits ends it", waits: []justify.Interval{iv(at(9, 30), at(10, 0)), iv(at(10, 5), at(10, 50))}},
		{name: "only inside the shift", waits: []justify.Interval{iv(at(7, 0), at(9, 50))}},
		{name: "from the start of the shift", waits: []justify.Interval{iv(at(6, 0), at(10, 30))}, actions: []time.Time{at(6, 30)},
			want: []justify.Interval{iv(at(9, 0), at(10, 30))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, justify.IdleStretches(shift, tt.waits, tt.actions, time.Hour), fmt.Sprint(tt.waits))
		})
	}
}
