package justify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	t0       = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ivan     = Person{Name: "Ivan", Role: RoleOperator, VKID: 111, TelegramID: 1001}
	petr     = Person{Name: "Petr", Role: RoleOperator, VKID: 112, TelegramID: 1002}
	olga     = Person{Name: "Olga", Role: RoleManager, TelegramID: 2001}
	anna     = Person{Name: "Anna", Role: RoleOwner, TelegramID: 3001}
	deadline = t0.Add(2 * time.Hour)
)

func caseIn(s State, mod ...func(*Case)) Case {
	c := Case{ID: 1, Operator: "Ivan", State: s, Deadline: deadline, RemindAt: deadline.Add(-30 * time.Minute)}
	for _, m := range mod {
		m(&c)
	}
	return c
}

func justified(c *Case) { c.Reason, c.JustifiedAt = ReasonSpam, t0 }
func unknown(c *Case)   { c.Operator = "" }
func closed(c *Case)    { c.State, c.Resolution = StateClosed, ResolutionApproved }

func TestJustify(t *testing.T) {
	tests := []struct {
		name    string
		c       Case
		p       Person
		reason  Reason
		text    string
		at      time.Time
		wantErr error
		late    bool
	}{
		{name: "operator gives a reason", c: caseIn(StateAwaitingReason), p: ivan, reason: ReasonSpam, at: t0},
		{name: "other with text", c: caseIn(StateAwaitingReason), p: ivan, reason: ReasonOther, text: "threats", at: t0},
		{name: "any reason may carry text", c: caseIn(StateAwaitingReason), p: ivan, reason: ReasonFlood, text: "50 posts", at: t0},
		{name: "late reason after the case went to managers", c: caseIn(StateAwaitingReview, func(c *Case) { c.Overdue = true }), p: ivan, reason: ReasonAbuse, at: deadline.Add(time.Minute), late: true},
		{name: "other without text", c: caseIn(StateAwaitingReason), p: ivan, reason: ReasonOther, wantErr: ErrTextRequired},
		{name: "unknown reason", c: caseIn(StateAwaitingReason), p: ivan, reason: "because", wantErr: ErrBadReason},
		{name: "another operator", c: caseIn(StateAwaitingReason), p: petr, reason: ReasonSpam, wantErr: ErrForbidden},
		{name: "a manager", c: caseIn(StateAwaitingReason), p: Person{Name: "Ivan", Role: RoleManager}, reason: ReasonSpam, wantErr: ErrForbidden},
		{name: "an owner", c: caseIn(StateAwaitingReason), p: anna, reason: ReasonSpam, wantErr: ErrForbidden},
		{name: "unknown admin's case", c: caseIn(StateAwaitingReview, unknown), p: ivan, reason: ReasonSpam, wantErr: ErrForbidden},
		{name: "second justification", c: caseIn(StateAwaitingReview, justified), p: ivan, reason: ReasonFlood, wantErr: ErrWrongState},
		{name: "closed case", c: caseIn(StateClosed, closed), p: ivan, reason: ReasonSpam, wantErr: ErrWrongState},
		{name: "undo pending", c: caseIn(StateUndoPending), p: ivan, reason: ReasonSpam, wantErr: ErrWrongState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			before := c
			err := c.Justify(tt.p, tt.reason, tt.text, tt.at)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, before, c, "a refused transition changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, StateAwaitingReview, c.State)
			assert.Equal(t, tt.reason, c.Reason)
			assert.Equal(t, tt.text, c.ReasonText)
			assert.Equal(t, tt.at, c.JustifiedAt)
			assert.Equal(t, tt.late, c.JustifiedLate())
		})
	}
}

func TestExplain(t *testing.T) {
	c := caseIn(StateAwaitingReview, justified)
	require.NoError(t, c.Explain(ivan, "he posted 40 links"))
	assert.Equal(t, "he posted 40 links", c.ReasonText)

	for name, tc := range map[string]struct {
		c Case
		p Person
		e error
	}{
		"not justified yet": {caseIn(StateAwaitingReason), ivan, ErrWrongState},
		"other operator":    {caseIn(StateAwaitingReview, justified), petr, ErrForbidden},
		"decided":           {caseIn(StateClosed, justified, closed), ivan, ErrWrongState},
	} {
		t.Run(name, func(t *testing.T) {
			c := tc.c
			assert.ErrorIs(t, c.Explain(tc.p, "x"), tc.e)
			assert.Equal(t, tc.c, c)
		})
	}
}

func TestRemindAndExpire(t *testing.T) {
	tests := []struct {
		name         string
		c            Case
		at           time.Time
		remind, expi bool
	}{
		{name: "too early", c: caseIn(StateAwaitingReason), at: t0},
		{name: "reminder due", c: caseIn(StateAwaitingReason), at: deadline.Add(-10 * time.Minute), remind: true},
		{name: "reminded once only", c: caseIn(StateAwaitingReason, func(c *Case) { c.Reminded = true }), at: deadline.Add(-time.Minute)},
		{name: "no reminder configured", c: caseIn(StateAwaitingReason, func(c *Case) { c.RemindAt = time.Time{} }), at: deadline.Add(-time.Minute)},
		{name: "deadline passed", c: caseIn(StateAwaitingReason), at: deadline, remind: true, expi: true},
		{name: "already justified", c: caseIn(StateAwaitingReview, justified), at: deadline.Add(time.Hour)},
		{name: "closed", c: caseIn(StateClosed, closed), at: deadline.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			assert.Equal(t, tt.expi, c.Expire(tt.at), "expire")
			if tt.expi {
				assert.Equal(t, StateAwaitingReview, c.State)
				assert.True(t, c.Overdue)
				return
			}
			c = tt.c
			assert.Equal(t, tt.remind, c.Remind(tt.at), "remind")
			assert.Equal(t, tt.remind || tt.c.Reminded, c.Reminded)
			assert.False(t, c.Remind(tt.at), "a second reminder is never due")
		})
	}
}

func TestDecisions(t *testing.T) {
	type op func(c *Case) error
	approve := func(p Person) op { return func(c *Case) error { return c.Approve(p, t0) } }
	begin := func(p Person) op { return func(c *Case) error { return c.BeginReverse(p, t0) } }
	reversed := func(c *Case) error { return c.Reversed(t0) }
	byHand := func(c *Case) error { return c.UndoByHand(UndoNoToken, "no token") }
	reversing := func(c *Case) { c.State, c.ResolvedBy = StateReversing, "Olga" }
	deletion := func(c *Case) { c.Kind = EventDelete }
	tests := []struct {
		name    string
		c       Case
		do      op
		wantErr error
		state   State
		res     Resolution
	}{
		{name: "approve", c: caseIn(StateAwaitingReview, justified), do: approve(olga), state: StateClosed, res: ResolutionApproved},
		{name: "approve an overdue case", c: caseIn(StateAwaitingReview, func(c *Case) { c.Overdue = true }), do: approve(olga), state: StateClosed, res: ResolutionApproved},
		{name: "approve an unknown admin's case", c: caseIn(StateAwaitingReview, unknown), do: approve(olga), state: StateClosed, res: ResolutionApproved},
		{name: "begin a reversal", c: caseIn(StateAwaitingReview, justified), do: begin(olga), state: StateReversing},
		{name: "VK accepted the unban", c: caseIn(StateReversing, justified, reversing), do: reversed, state: StateClosed, res: ResolutionReversed},
		{name: "VK accepted the restore", c: caseIn(StateReversing, justified, reversing, deletion), do: reversed, state: StateClosed, res: ResolutionRestored},
		{name: "VK could not: undo by hand", c: caseIn(StateReversing, justified, reversing), do: byHand, state: StateUndoPending},
		{name: "VK's late word closes a case handed back", c: caseIn(StateUndoPending, justified, func(c *Case) { c.ResolvedBy = "Olga" }),
			do: reversed, state: StateClosed, res: ResolutionReversed},
		{name: "retry a reversal left by hand", c: caseIn(StateUndoPending, justified, func(c *Case) { c.ResolvedBy = "Olga" }), do: begin(olga), state: StateReversing},
		{name: "second manager while reversing", c: caseIn(StateReversing, justified, reversing), do: begin(olga), wantErr: ErrWrongState},
		{name: "approve while reversing", c: caseIn(StateReversing, justified, reversing), do: approve(olga), wantErr: ErrWrongState},
		{name: "reversed without beginning", c: caseIn(StateAwaitingReview, justified), do: reversed, wantErr: ErrWrongState},
		{name: "by hand without beginning", c: caseIn(StateAwaitingReview, justified), do: byHand, wantErr: ErrWrongState},
		{name: "approve while undo pending", c: caseIn(StateUndoPending, justified), do: approve(olga), wantErr: ErrWrongState},
		{name: "operator cannot approve", c: caseIn(StateAwaitingReview, justified), do: approve(ivan), wantErr: ErrForbidden},
		{name: "owner cannot reverse", c: caseIn(StateAwaitingReview, justified), do: begin(anna), wantErr: ErrForbidden},
		{name: "operator cannot reverse", c: caseIn(StateAwaitingReview, justified), do: begin(ivan), wantErr: ErrForbidden},
		{name: "not yet before managers", c: caseIn(StateAwaitingReason), do: approve(olga), wantErr: ErrWrongState},
		{name: "second approval", c: caseIn(StateClosed, justified, closed), do: approve(olga), wantErr: ErrWrongState},
		{name: "reverse after approval", c: caseIn(StateClosed, justified, closed), do: begin(olga), wantErr: ErrWrongState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := tt.do(&c)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, tt.c, c, "a refused transition changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.state, c.State)
			assert.Equal(t, tt.res, c.Resolution)
			assert.Equal(t, "Olga", c.ResolvedBy)
		})
	}
}

func TestUndoneInVK(t *testing.T) {
	tests := []struct {
		name    string
		c       Case
		expired bool
		res     Resolution
		by      string
		wantErr error
	}{
		{name: "unbanned in VK before anyone decided", c: caseIn(StateAwaitingReason), res: ResolutionReversedInVK, by: "VK"},
		{name: "ban ran out", c: caseIn(StateAwaitingReview, justified), expired: true, res: ResolutionExpired, by: "VK"},
		{name: "VK confirms modwatch's own unban first", c: caseIn(StateReversing, justified, func(c *Case) { c.ResolvedBy = "Olga" }), res: ResolutionReversed, by: "Olga"},
		{name: "manual undo confirmed", c: caseIn(StateUndoPending, justified, func(c *Case) { c.ResolvedBy = "Olga" }), res: ResolutionReversedByHand, by: "Olga"},
		{name: "closed case", c: caseIn(StateClosed, closed), wantErr: ErrWrongState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := c.UndoneInVK(tt.expired, t0)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, tt.c, c)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, StateClosed, c.State)
			assert.Equal(t, tt.res, c.Resolution)
			assert.Equal(t, tt.by, c.ResolvedBy)
			assert.Equal(t, t0, c.ResolvedAt)
		})
	}
}

func TestDirectory(t *testing.T) {
	d := NewDirectory([]Person{olga, ivan, anna, {Name: "Mgr without VK", Role: RoleManager, VKID: 500, TelegramID: 2002}})
	p, ok := d.OperatorByVK(111)
	require.True(t, ok)
	assert.Equal(t, "Ivan", p.Name)
	_, ok = d.OperatorByVK(500)
	assert.False(t, ok, "only operators are matched by VK id")
	_, ok = d.ByTelegram(9999)
	assert.False(t, ok)
	assert.Len(t, d.WithRole(RoleManager), 2)
}
