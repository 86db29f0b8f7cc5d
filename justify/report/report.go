// Package report computes the owners' figures about moderation (per community and per
// operator, against the previous period), renders them for Telegram, the CLI, CSV and JSON,
// and schedules the digests. It does no I/O: the caller loads the cases and tickets and
// delivers what is rendered.
package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// UnknownOperator is the operator key of cases taken by admins who are not configured
// operators (and of vanished posts, whose deleter VK does not name).
const UnknownOperator = ""

// Input is everything Compute needs. Cases and tickets outside the periods are ignored, so a
// loader may pass more than needed.
type Input struct {
	// From and To bound the period [From, To).
	From, To time.Time
	// SLA is how long a customer may wait for a first answer; 0 disables SLA breaches.
	SLA time.Duration
	// People names the operators; operators with nothing in the period still get a row.
	People []justify.Person
	// Communities orders and names the communities; a community absent here but present in
	// the cases or tickets is reported as "club<ID>".
	Communities []justify.Community
	// Cases of the period, with their current state and resolution.
	Cases []justify.Case
	// Decisions of the cases, when the caller has them. Compute does not need them: they
	// are kept for renderers that show an audit trail.
	Decisions map[justify.CaseID][]justify.Decision
	// Tickets of the period: written, answered or still waiting in it.
	Tickets []justify.Ticket
	// Deleted are the tickets of deleted items by Ref.Key(), for the excerpts of deleted
	// requests written before the period; Tickets are searched first.
	Deleted map[string]justify.Ticket
	// PrevCases and PrevTickets are the same for the previous period of equal length,
	// [From-(To-From), From). The split is a convenience: a case or ticket may come in
	// either list or in both (the copy in Cases/Tickets wins), and counts once, in the
	// period its OpenedAt (for tickets, AnsweredAt and the periods' ends) falls in.
	PrevCases   []justify.Case
	PrevTickets []justify.Ticket
	// Location is the owner's time zone for the hourly activity; UTC when nil.
	Location *time.Location
}

// Counts are the figures of one community or one operator over one period. Every case
// counts in the period in which it was opened (Case.OpenedAt in [from, to)), with the state
// and resolution it has when the report is computed.
type Counts struct {
	// Bans and Deletions count the cases opened by kind (deletions include vanished posts).
	Bans      int `json:"bans"`
	Deletions int `json:"deletions"`
	// JustifiedInTime counts cases whose operator gave a reason by the deadline.
	JustifiedInTime int `json:"justified_in_time"`
	// JustifiedLate counts cases whose reason came after the deadline.
	JustifiedLate int `json:"justified_late"`
	// NeverJustified counts operators' cases past their deadline (Overdue) with no reason.
	// Cases of unknown admins have nobody to justify them and are never counted here.
	NeverJustified int `json:"never_justified"`
	// Approved counts cases a manager approved.
	Approved int `json:"approved"`
	// Reversed counts cases a manager reversed: through VK or by hand, bans and deletions
	// (reversed, reversed_by_hand, restored, restored_by_hand).
	Reversed int `json:"reversed"`
	// ReversedInVK counts actions undone in VK with no decision from modwatch
	// (reversed_in_vk, restored_in_vk). Expired bans are not counted.
	ReversedInVK int `json:"reversed_in_vk"`
	// DeletedRequests counts Severe deletion cases: a customer's unanswered request deleted.
	DeletedRequests int `json:"deleted_requests"`
	// SLABreaches counts tickets written before to-SLA that were still unanswered at to (not
	// answered before to, not deleted before to, and for imported tickets not closed).
	// Only community totals have it: tickets belong to no operator.
	SLABreaches int `json:"sla_breaches"`
	// Answered counts tickets first answered in the period (AnsweredAt in [from, to)); for
	// an operator, those answered from their VK account.
	Answered int `json:"answered"`
	// MedianFirstResponse is the median Ticket.FirstResponse of the Answered tickets (the
	// mean of the two middle ones for an even count); 0 when none.
	MedianFirstResponse time.Duration `json:"-"`
	// MedianFirstResponseSeconds is MedianFirstResponse for JSON readers.
	MedianFirstResponseSeconds int64 `json:"median_first_response_seconds"`
}

// Figures are one period's counts, the previous period's, and the change (current minus
// previous, field by field).
type Figures struct {
	Current  Counts `json:"current"`
	Previous Counts `json:"previous"`
	Change   Counts `json:"change"`
}

// OperatorFigures are one operator's figures in one community.
type OperatorFigures struct {
	// Operator is the configured name, or UnknownOperator.
	Operator string `json:"operator"`
	Figures
}

// DeletedRequest is a customer's unanswered request that an admin deleted.
type DeletedRequest struct {
	CaseID    justify.CaseID `json:"case_id"`
	Operator  string         `json:"operator"`
	ActorVKID int64          `json:"actor_vk_id"`
	Author    string         `json:"author"`
	AuthorVK  int64          `json:"author_vk_id"`
	// Excerpt is the start of the deleted words; empty when modwatch never saw them or
	// they were forgotten.
	Excerpt string    `json:"excerpt"`
	Link    string    `json:"link"`
	At      time.Time `json:"at"`
}

// Breach is a ticket still unanswered past the SLA at the end of the period.
type Breach struct {
	TicketID  int64         `json:"ticket_id"`
	Author    string        `json:"author"`
	AuthorVK  int64         `json:"author_vk_id"`
	Excerpt   string        `json:"excerpt"`
	Link      string        `json:"link"`
	CreatedAt time.Time     `json:"created_at"`
	Waiting   time.Duration `json:"-"`
	// WaitingSeconds is Waiting for JSON readers.
	WaitingSeconds int64 `json:"waiting_seconds"`
}

// CommunityReport is one community's part of a report.
type CommunityReport struct {
	GroupID int64   `json:"group_id"`
	Name    string  `json:"name"`
	Total   Figures `json:"total"`
	// Operators are sorted by name, UnknownOperator last; configured operators appear even
	// with nothing to count.
	Operators       []OperatorFigures `json:"operators"`
	DeletedRequests []DeletedRequest  `json:"deleted_requests"`
	// SLABreaches are sorted longest wait first.
	SLABreaches []Breach `json:"sla_breaches"`
	// Activity is each operator's actions by hour of the day (see Report.Activity).
	Activity map[string][24]int `json:"activity"`
}

// Report is the computed figures of a period.
type Report struct {
	From        time.Time         `json:"from"`
	To          time.Time         `json:"to"`
	SLA         time.Duration     `json:"-"`
	SLASeconds  int64             `json:"sla_seconds"`
	Communities []CommunityReport `json:"communities"`
	// Activity counts, per operator and hour of the day in Input.Location, the cases they
	// acted in (cases of the period, at the hour of Case.ActedAt) plus the reasons they gave
	// (JustifiedAt in the period, of a case of this or the previous period). Operators with
	// no activity are absent.
	Activity map[string][24]int `json:"activity"`
}

// Community returns the report restricted to one community, and whether it has it.
func (r Report) Community(groupID int64) (Report, bool) {
	for _, c := range r.Communities {
		if c.GroupID == groupID {
			out := r
			out.Communities = []CommunityReport{c}
			out.Activity = c.Activity
			return out, true
		}
	}
	return Report{}, false
}

// excerptRunes bounds the quoted words of a ticket.
const excerptRunes = 160

// Compute turns the loaded cases and tickets into figures. It is pure: the same input gives
// the same report.
func Compute(in Input) Report {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	length := in.To.Sub(in.From)
	prevFrom := in.From.Add(-length)

	r := Report{From: in.From, To: in.To, SLA: in.SLA, SLASeconds: int64(in.SLA / time.Second), Activity: map[string][24]int{}}
	byVK := map[int64]string{}
	var operators []string
	for _, p := range in.People {
		if p.Role == justify.RoleOperator {
			operators = append(operators, p.Name)
			if p.VKID != 0 {
				byVK[p.VKID] = p.Name
			}
		}
	}

	comms := map[int64]*builder{}
	var order []int64
	get := func(id int64) *builder {
		if b, ok := comms[id]; ok {
			return b
		}
		b := newBuilder(id, operators)
		comms[id] = b
		order = append(order, id)
		return b
	}
	for _, c := range in.Communities {
		get(c.GroupID).name = c.Name
	}

	tickets := map[string]justify.Ticket{}
	for k, t := range in.Deleted {
		tickets[k] = t
	}
	for _, ts := range [][]justify.Ticket{in.PrevTickets, in.Tickets} {
		for _, t := range ts {
			tickets[t.Key] = t
		}
	}

	// A loader may pass a case or ticket in both periods' lists (or everything in one):
	// each is counted once, in the period it belongs to, with its latest copy.
	cases := uniqueCases(in.PrevCases, in.Cases)
	for _, c := range cases {
		period := cur
		switch {
		case within(c.OpenedAt, in.From, in.To):
		case within(c.OpenedAt, prevFrom, in.From):
			period = prev
		default:
			continue
		}
		b := get(c.GroupID)
		countCase(&b.op(period, c.Operator).n, c)
		countCase(&b.tot[period].n, c)
		if period != cur {
			continue
		}
		if c.Severe {
			b.deleted = append(b.deleted, deletedRequest(c, tickets))
		}
		if c.Operator != UnknownOperator {
			b.act(c.Operator, c.ActedAt.In(loc).Hour())
		}
	}
	for _, c := range cases {
		if c.Operator == UnknownOperator || !c.Justified() || !within(c.JustifiedAt, in.From, in.To) {
			continue
		}
		get(c.GroupID).act(c.Operator, c.JustifiedAt.In(loc).Hour())
	}

	all := uniqueTickets(in.PrevTickets, in.Tickets)
	countTickets(all, in.From, in.To, in.SLA, byVK, get, cur)
	countTickets(all, prevFrom, in.From, in.SLA, byVK, get, prev)

	sort.Slice(order, func(i, j int) bool {
		// Configured communities keep their order; others follow by id.
		return rank(in.Communities, order[i]) < rank(in.Communities, order[j]) ||
			rank(in.Communities, order[i]) == rank(in.Communities, order[j]) && order[i] < order[j]
	})
	for _, id := range order {
		cr := comms[id].finish()
		r.Communities = append(r.Communities, cr)
		for op, hours := range cr.Activity {
			sum := r.Activity[op]
			for h, n := range hours {
				sum[h] += n
			}
			r.Activity[op] = sum
		}
	}
	return r
}

func rank(cs []justify.Community, id int64) int {
	for i, c := range cs {
		if c.GroupID == id {
			return i
		}
	}
	return len(cs)
}

func within(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// countCase adds one case of the period to the counts.
func countCase(n *Counts, c justify.Case) {
	if c.IsDeletion() {
		n.Deletions++
	} else if c.Kind == justify.EventBan {
		n.Bans++
	}
	switch {
	case c.Operator == UnknownOperator:
	case c.JustifiedLate():
		n.JustifiedLate++
	case c.Justified():
		n.JustifiedInTime++
	case c.Overdue:
		n.NeverJustified++
	}
	switch c.Resolution {
	case justify.ResolutionApproved:
		n.Approved++
	case justify.ResolutionReversed, justify.ResolutionReversedByHand, justify.ResolutionRestored, justify.ResolutionRestoredByHand:
		n.Reversed++
	case justify.ResolutionReversedInVK, justify.ResolutionRestoredInVK:
		n.ReversedInVK++
	}
	if c.Severe {
		n.DeletedRequests++
	}
}

func deletedRequest(c justify.Case, tickets map[string]justify.Ticket) DeletedRequest {
	d := DeletedRequest{CaseID: c.ID, Operator: c.Operator, ActorVKID: c.ActorVKID, Author: c.UserName,
		AuthorVK: c.UserVKID, Link: c.Item.Link(), At: c.ActedAt}
	if t, ok := tickets[c.Item.Key()]; ok {
		if !t.Forgotten {
			d.Excerpt = Excerpt(t.Text, excerptRunes)
		}
		if t.Link != "" {
			d.Link = t.Link
		}
		if d.Author == "" {
			d.Author = t.AuthorName
		}
	}
	return d
}

// countTickets adds the answered tickets and SLA breaches of [from, to) to a period.
func countTickets(ts []justify.Ticket, from, to time.Time, sla time.Duration, byVK map[int64]string,
	get func(int64) *builder, period int) {
	for _, t := range ts {
		if t.Answered() && within(t.AnsweredAt, from, to) {
			b := get(t.Ref.GroupID)
			accs := []*acc{&b.tot[period]}
			if op, ok := byVK[t.AnsweredBy]; ok {
				accs = append(accs, b.op(period, op))
			}
			for _, a := range accs {
				a.n.Answered++
				a.resp = append(a.resp, t.FirstResponse())
			}
		}
		if sla > 0 && breached(t, to, sla) {
			b := get(t.Ref.GroupID)
			b.tot[period].n.SLABreaches++
			if period == cur {
				b.breaches = append(b.breaches, Breach{TicketID: t.ID, Author: t.AuthorName, AuthorVK: t.AuthorVKID,
					Excerpt: excerptOf(t), Link: ticketLink(t), CreatedAt: t.CreatedAt, Waiting: to.Sub(t.CreatedAt),
					WaitingSeconds: int64(to.Sub(t.CreatedAt) / time.Second)})
			}
		}
	}
}

// uniqueCases merges case lists, a later copy of a case (same ID, or same EventKey for
// unsaved cases) replacing an earlier one in place.
func uniqueCases(lists ...[]justify.Case) []justify.Case {
	var out []justify.Case
	at := map[string]int{}
	for _, l := range lists {
		for _, c := range l {
			key := fmt.Sprintf("id:%d", c.ID)
			if c.ID == 0 {
				key = "event:" + c.EventKey
			}
			if i, ok := at[key]; ok {
				out[i] = c
				continue
			}
			at[key] = len(out)
			out = append(out, c)
		}
	}
	return out
}

// uniqueTickets merges ticket lists by Key, a later copy replacing an earlier one in place.
func uniqueTickets(lists ...[]justify.Ticket) []justify.Ticket {
	var out []justify.Ticket
	at := map[string]int{}
	for _, l := range lists {
		for _, t := range l {
			if i, ok := at[t.Key]; ok {
				out[i] = t
				continue
			}
			at[t.Key] = len(out)
			out = append(out, t)
		}
	}
	return out
}

// breached reports whether t was written at least sla before to and still waited at to.
func breached(t justify.Ticket, to time.Time, sla time.Duration) bool {
	if t.CreatedAt.After(to.Add(-sla)) || !t.CreatedAt.Before(to) {
		return false
	}
	if t.Answered() && t.AnsweredAt.Before(to) {
		return false
	}
	if !t.DeletedAt.IsZero() && t.DeletedAt.Before(to) {
		return false
	}
	if t.Ref.Place == justify.PlaceHelpDesk && !t.Open() {
		return false
	}
	return true
}

func excerptOf(t justify.Ticket) string {
	if t.Forgotten {
		return ""
	}
	text := t.Text
	if text == "" {
		text = t.Subject
	}
	return Excerpt(text, excerptRunes)
}

func ticketLink(t justify.Ticket) string {
	if t.Link != "" {
		return t.Link
	}
	return t.Ref.Link()
}

// Excerpt returns at most n runes of s on one line, ending with "…" when cut.
func Excerpt(s string, n int) string {
	out := make([]rune, 0, n)
	space := false
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, r)
		if len(out) > n {
			return strings.TrimRight(string(out[:n-1]), " ") + "…"
		}
	}
	return string(out)
}

// median returns the median of ds (the mean of the two middle values for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// diff is a minus b, field by field.
func diff(a, b Counts) Counts {
	return Counts{
		Bans: a.Bans - b.Bans, Deletions: a.Deletions - b.Deletions,
		JustifiedInTime: a.JustifiedInTime - b.JustifiedInTime, JustifiedLate: a.JustifiedLate - b.JustifiedLate,
		NeverJustified: a.NeverJustified - b.NeverJustified, Approved: a.Approved - b.Approved,
		Reversed: a.Reversed - b.Reversed, ReversedInVK: a.ReversedInVK - b.ReversedInVK,
		DeletedRequests: a.DeletedRequests - b.DeletedRequests, SLABreaches: a.SLABreaches - b.SLABreaches,
		Answered: a.Answered - b.Answered, MedianFirstResponse: a.MedianFirstResponse - b.MedianFirstResponse,
		MedianFirstResponseSeconds: a.MedianFirstResponseSeconds - b.MedianFirstResponseSeconds,
	}
}

// period indexes the two periods a builder keeps.
const (
	cur  = 0
	prev = 1
)

// acc accumulates one operator's or one community's counts of one period.
type acc struct {
	n    Counts
	resp []time.Duration
}

func (a *acc) done() Counts {
	a.n.MedianFirstResponse = median(a.resp)
	a.n.MedianFirstResponseSeconds = int64(a.n.MedianFirstResponse / time.Second)
	return a.n
}

// builder accumulates one community.
type builder struct {
	id       int64
	name     string
	ops      [2]map[string]*acc
	tot      [2]acc
	deleted  []DeletedRequest
	breaches []Breach
	activity map[string][24]int
}

func newBuilder(id int64, operators []string) *builder {
	b := &builder{id: id, ops: [2]map[string]*acc{{}, {}}, activity: map[string][24]int{}}
	for _, op := range operators {
		b.ops[cur][op] = &acc{}
	}
	return b
}

// act counts one action of an operator at an hour of the day.
func (b *builder) act(operator string, hour int) {
	hours := b.activity[operator]
	hours[hour]++
	b.activity[operator] = hours
}

func (b *builder) op(period int, name string) *acc {
	a, ok := b.ops[period][name]
	if !ok {
		a = &acc{}
		b.ops[period][name] = a
	}
	return a
}

// finish sorts and freezes the community's figures.
func (b *builder) finish() CommunityReport {
	cr := CommunityReport{GroupID: b.id, Name: b.name, Activity: b.activity,
		DeletedRequests: b.deleted, SLABreaches: b.breaches}
	if cr.Name == "" {
		cr.Name = fmt.Sprintf("club%d", b.id)
	}
	cr.Total = figures(b.tot[cur].done(), b.tot[prev].done())
	// An operator active only in the previous period still gets a row, to show the drop.
	for name := range b.ops[prev] {
		b.op(cur, name)
	}
	for name, a := range b.ops[cur] {
		cr.Operators = append(cr.Operators, OperatorFigures{Operator: name, Figures: figures(a.done(), b.op(prev, name).done())})
	}
	sort.Slice(cr.Operators, func(i, j int) bool {
		a, c := cr.Operators[i].Operator, cr.Operators[j].Operator
		if (a == UnknownOperator) != (c == UnknownOperator) {
			return c == UnknownOperator
		}
		return a < c
	})
	sort.SliceStable(cr.DeletedRequests, func(i, j int) bool { return cr.DeletedRequests[i].At.Before(cr.DeletedRequests[j].At) })
	sort.SliceStable(cr.SLABreaches, func(i, j int) bool { return cr.SLABreaches[i].Waiting > cr.SLABreaches[j].Waiting })
	return cr
}

func figures(c, p Counts) Figures { return Figures{Current: c, Previous: p, Change: diff(c, p)} }
