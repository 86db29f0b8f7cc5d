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
	pavel    = Person{Name: "Pavel", Role: RoleManager, TelegramID: 2002}
	deadline = t0.Add(2 * time.Hour)
	// team is who decides Ivan's cases: Olga and Pavel, the managers.
	team = NewDirectory([]Person{ivan, petr, olga, pavel, anna})
)

func caseIn(s State, mod ...func(*Case)) Case {
	c := Case{ID: 1, Operator: "Ivan", State: s, Deadline: deadline, RemindAt: deadline.Add(-30 * time.Minute)}
	for _, m := range mod {
		m(&c)
	}
	return c
}

func justified(c *Case) { c.Reason, c.JustifiedAt = ReasonSpam, t0 }

// olgaVK is manager Olga when she moderates too, from VK account 500.
var olgaVK = Person{Name: "Olga", Role: RoleManager, VKID: 500, TelegramID: 2001}

func byManagerOlga(c *Case) { c.Operator, c.ActorRole, c.ActorVKID = "Olga", RoleManager, 500 }
func unknown(c *Case)       { c.Operator = "" }
func closed(c *Case)        { c.State, c.Resolution = StateClosed, ResolutionApproved }

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
		{name: "a manager about another's action", c: caseIn(StateAwaitingReason), p: olga, reason: ReasonSpam, wantErr: ErrForbidden},
		{name: "a manager about their own action", c: caseIn(StateAwaitingReason, byManagerOlga), p: olgaVK, reason: ReasonSpam, at: t0},
		{name: "an owner about their own action", c: caseIn(StateAwaitingReason, func(c *Case) { c.Operator, c.ActorRole = "Anna", RoleOwner }), p: anna, reason: ReasonFlood, at: t0},
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
	approve := func(p Person) op { return func(c *Case) error { return c.Approve(p, team, t0) } }
	begin := func(p Person) op { return func(c *Case) error { return c.BeginReverse(p, team, t0) } }
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
		{name: "operator cannot approve", c: caseIn(StateAwaitingReview, justified), do: approve(petr), wantErr: ErrForbidden},
		{name: "nor approve their own case", c: caseIn(StateAwaitingReview, justified), do: approve(ivan), wantErr: ErrOwnAction},
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

// TestOwnActionIsDecidedByOthers: nobody approves or reverses a case about their own
// action; the other managers do, and with no other manager the owners, in that case only.
func TestOwnActionIsDecidedByOthers(t *testing.T) {
	annaVK := Person{Name: "Anna", Role: RoleOwner, VKID: 600, TelegramID: 3001}
	withPavel := NewDirectory([]Person{ivan, olgaVK, pavel, anna})
	olgaAlone := NewDirectory([]Person{ivan, olgaVK, anna})
	ownerActs := NewDirectory([]Person{ivan, olga, annaVK})
	type do func(c *Case, p Person, d *Directory) error
	approve := func(c *Case, p Person, d *Directory) error { return c.Approve(p, d, t0) }
	begin := func(c *Case, p Person, d *Directory) error { return c.BeginReverse(p, d, t0) }
	canReverse := func(c *Case, p Person, d *Directory) error { return c.CanReverse(p, d) }
	mayDecide := func(c *Case, p Person, d *Directory) error { return c.MayDecide(p, d) }
	undoPending := func(c *Case) { c.State, c.ResolvedBy = StateUndoPending, "Pavel" }
	byAnna := func(c *Case) { c.Operator, c.ActorRole, c.ActorVKID = "Anna", RoleOwner, 600 }
	// A case opened before Olga's vk_id was configured names nobody, but her account.
	fromOlgasAccount := func(c *Case) { c.Operator, c.ActorRole, c.ActorVKID = "", "", 500 }
	tests := []struct {
		name    string
		people  *Directory
		c       Case
		p       Person
		do      do
		wantErr error
	}{
		{name: "a manager approves their own ban", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: olgaVK, do: approve, wantErr: ErrOwnAction},
		{name: "a manager reverses it", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: olgaVK, do: begin, wantErr: ErrOwnAction},
		{name: "a manager asks to reverse it", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: olgaVK, do: canReverse, wantErr: ErrOwnAction},
		{name: "a manager retries its undo by hand", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga, undoPending), p: olgaVK, do: begin, wantErr: ErrOwnAction},
		{name: "a manager cancels a confirmation on it", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: olgaVK, do: mayDecide, wantErr: ErrOwnAction},
		{name: "refused as her own even once decided", people: withPavel, c: caseIn(StateClosed, justified, byManagerOlga, closed), p: olgaVK, do: approve, wantErr: ErrOwnAction},
		{name: "the other manager approves", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: pavel, do: approve},
		{name: "the other manager reverses", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: pavel, do: begin},
		{name: "the other manager retries the undo", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga, undoPending), p: pavel, do: begin},
		{name: "an owner while another manager can", people: withPavel, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: anna, do: approve, wantErr: ErrForbidden},
		{name: "the only manager's action: the owner approves", people: olgaAlone, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: anna, do: approve},
		{name: "the only manager's action: the owner reverses", people: olgaAlone, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: anna, do: begin},
		{name: "the only manager still cannot", people: olgaAlone, c: caseIn(StateAwaitingReview, justified, byManagerOlga), p: olgaVK, do: approve, wantErr: ErrOwnAction},
		{name: "the owner decides in that case only", people: olgaAlone, c: caseIn(StateAwaitingReview, justified), p: anna, do: approve, wantErr: ErrForbidden},
		{name: "an unknown admin's case from her account", people: withPavel, c: caseIn(StateAwaitingReview, fromOlgasAccount), p: olgaVK, do: approve, wantErr: ErrOwnAction},
		{name: "which Pavel decides", people: withPavel, c: caseIn(StateAwaitingReview, fromOlgasAccount), p: pavel, do: approve},
		{name: "an owner approves their own action", people: ownerActs, c: caseIn(StateAwaitingReview, justified, byAnna), p: annaVK, do: approve, wantErr: ErrOwnAction},
		{name: "a manager decides the owner's action", people: ownerActs, c: caseIn(StateAwaitingReview, justified, byAnna), p: olga, do: begin},
		{name: "an operator approves their own case", people: team, c: caseIn(StateAwaitingReview, justified), p: ivan, do: approve, wantErr: ErrOwnAction},
		{name: "an operator approves another's", people: team, c: caseIn(StateAwaitingReview, justified), p: petr, do: approve, wantErr: ErrForbidden},
		{name: "nobody decides with no directory", people: nil, c: caseIn(StateAwaitingReview, justified), p: olga, do: approve, wantErr: ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := tt.do(&c, tt.p, tt.people)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorIs(t, err, ErrForbidden, "every refusal of a person is a forbidden action")
				assert.Equal(t, tt.c, c, "a refused decision changes nothing")
				return
			}
			require.NoError(t, err)
			if c.State != tt.c.State {
				assert.Equal(t, tt.p.Name, c.ResolvedBy)
			}
		})
	}
}

func TestDeciders(t *testing.T) {
	annaVK := Person{Name: "Anna", Role: RoleOwner, VKID: 600, TelegramID: 3001}
	boris := Person{Name: "Boris", Role: RoleOwner, TelegramID: 3002}
	tests := []struct {
		name    string
		people  []Person
		actor   string
		actorVK int64
		want    []string
	}{
		{name: "an operator's action: every manager", people: []Person{ivan, olgaVK, pavel, anna}, actor: "Ivan", actorVK: 111, want: []string{"Olga", "Pavel"}},
		{name: "an unknown admin: every manager", people: []Person{ivan, olgaVK, pavel, anna}, actorVK: 999, want: []string{"Olga", "Pavel"}},
		{name: "a manager's action: the other managers", people: []Person{ivan, olgaVK, pavel, anna}, actor: "Olga", actorVK: 500, want: []string{"Pavel"}},
		{name: "known only by the account", people: []Person{ivan, olgaVK, pavel, anna}, actorVK: 500, want: []string{"Pavel"}},
		{name: "the only manager's action: the owners", people: []Person{ivan, olgaVK, anna, boris}, actor: "Olga", actorVK: 500, want: []string{"Anna", "Boris"}},
		{name: "an owner's action: the managers", people: []Person{olga, annaVK, boris}, actor: "Anna", actorVK: 600, want: []string{"Olga"}},
		{name: "nobody else", people: []Person{olgaVK}, actor: "Olga", actorVK: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range NewDirectory(tt.people).Deciders(1, tt.actor, tt.actorVK) {
				got = append(got, p.Name)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDirectory(t *testing.T) {
	d := NewDirectory([]Person{olga, ivan, anna, {Name: "Mgr with VK", Role: RoleManager, VKID: 500, TelegramID: 2002}})
	p, ok := d.ByVK(111)
	require.True(t, ok)
	assert.Equal(t, "Ivan", p.Name)
	p, ok = d.ByVK(500)
	require.True(t, ok, "everyone is matched by VK id, whatever their role")
	assert.Equal(t, RoleManager, p.Role)
	_, ok = d.ByVK(0)
	assert.False(t, ok, "people without a VK id are not matched by 0")
	_, ok = d.ByTelegram(9999)
	assert.False(t, ok)
	assert.Len(t, d.WithRole(RoleManager), 2)
}

// The deadline and the reminder run from the moment the operator was asked, and only a
// case still owed a reason is asked or sent on as "could not be asked".
func TestAskAndCouldNotAsk(t *testing.T) {
	opened := func(c *Case) { c.OpenedAt = t0 } // caseIn's deadline is two hours after t0
	asked := func(c *Case) { c.AskedAt = t0 }
	tests := []struct {
		name         string
		c            Case
		at           time.Time
		wantAsked    bool
		wantDeadline time.Time
		wantRemind   time.Time
		wantNotAsked bool // CouldNotAsk moves it
	}{
		{name: "asked an hour after opening", c: caseIn(StateAwaitingReason, opened), at: t0.Add(time.Hour), wantAsked: true,
			wantDeadline: deadline.Add(time.Hour), wantRemind: deadline.Add(30 * time.Minute), wantNotAsked: true},
		{name: "asked at once", c: caseIn(StateAwaitingReason, opened), at: t0, wantAsked: true,
			wantDeadline: deadline, wantRemind: deadline.Add(-30 * time.Minute), wantNotAsked: true},
		// Asked through its batch, then taken one by one: its own prompt still may not arrive.
		{name: "asked once only", c: caseIn(StateAwaitingReason, opened, asked), at: t0.Add(time.Hour),
			wantDeadline: deadline, wantRemind: deadline.Add(-30 * time.Minute), wantNotAsked: true},
		{name: "already justified", c: caseIn(StateAwaitingReview, opened, justified), at: t0.Add(time.Hour),
			wantDeadline: deadline, wantRemind: deadline.Add(-30 * time.Minute)},
		{name: "closed", c: caseIn(StateClosed, opened, closed), at: t0.Add(time.Hour),
			wantDeadline: deadline, wantRemind: deadline.Add(-30 * time.Minute)},
		{name: "nobody to ask", c: caseIn(StateAwaitingReview, opened, unknown), at: t0.Add(time.Hour),
			wantDeadline: deadline, wantRemind: deadline.Add(-30 * time.Minute)},
		{name: "with managers unasked: asked later, after pressing Start", c: caseIn(StateAwaitingReview, opened, func(c *Case) { c.NotAsked = true }),
			at: t0.Add(time.Hour), wantAsked: true, wantDeadline: deadline.Add(time.Hour), wantRemind: deadline.Add(30 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			shown := c.DeadlineIfAsked(tt.at)
			assert.Equal(t, tt.wantAsked, c.Ask(tt.at))
			assert.Equal(t, tt.wantDeadline, c.Deadline)
			assert.Equal(t, tt.wantRemind, c.RemindAt)
			if tt.wantAsked {
				assert.Equal(t, tt.at, c.AskedAt)
				assert.Equal(t, shown, c.Deadline, "the prompt showed the deadline the case got")
			}
			moved := tt.c
			assert.Equal(t, tt.wantNotAsked, moved.CouldNotAsk())
			if tt.wantNotAsked {
				assert.Equal(t, StateAwaitingReview, moved.State)
				assert.True(t, moved.NotAsked)
				assert.False(t, moved.Overdue, "never overdue")
			}
		})
	}
}
