package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

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

	r := Report{From: in.From, To: in.To, SLA: in.SLA, SLASeconds: int64(in.SLA / time.Second), Activity: map[string][24]int{},
		Replies: map[string][24]int{}, Shifts: shiftHours(in.Shifts, byName(in.People), in.From, in.To, loc)}
	byVK := operators{}
	roles := map[string]justify.Role{}
	var operators []justify.Person
	for _, p := range in.People {
		if p.Role == justify.RoleOperator {
			operators = append(operators, p)
		}
		// A manager or owner who moderates too answers customers like an operator.
		if p.VKID != 0 {
			byVK[p.VKID] = p.Name
		}
		if p.Role != justify.RoleOperator {
			roles[p.Name] = p.Role
		}
	}

	comms := map[int64]*builder{}
	var order []int64
	get := func(id int64) *builder {
		if b, ok := comms[id]; ok {
			return b
		}
		// An operator's row shows in the communities of their scope only: another
		// brand's report does not name them.
		var names []string
		for _, p := range operators {
			if p.Covers(id) {
				names = append(names, p.Name)
			}
		}
		b := newBuilder(id, names)
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
		// The record's role wins over today's config: it is the role the person acted in.
		switch {
		case c.Operator == UnknownOperator || c.ActorRole == "":
		case c.ActorRole == justify.RoleOperator:
			delete(roles, c.Operator)
		default:
			roles[c.Operator] = c.ActorRole
		}
	}
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
		if c.Kind != justify.EventVanished {
			// Nobody knows who deleted a vanished post: it is no admin's action.
			countCase(&b.op(period, c.Operator).n, c)
		}
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
	counted := in.BreachCounts[cur] != nil
	countTickets(all, in.From, in.To, in.SLA, byVK, get, cur, counted)
	countTickets(all, prevFrom, in.From, in.SLA, byVK, get, prev, counted)
	for period, counts := range in.BreachCounts {
		if in.SLA <= 0 {
			break
		}
		for g, n := range counts {
			get(g).tot[period].n.SLABreaches += n
		}
	}
	countAnswered(in.Answered, in.From, in.To, in.SLA, byVK, get, cur)
	countAnswered(in.Answered, prevFrom, in.From, in.SLA, byVK, get, prev)
	countConversations(in, byVK, get) // conversations.go
	countSpotChecks(in, byVK, get)    // spotchecks.go

	sort.Slice(order, func(i, j int) bool {
		// Configured communities keep their order; others follow by id.
		return rank(in.Communities, order[i]) < rank(in.Communities, order[j]) ||
			rank(in.Communities, order[i]) == rank(in.Communities, order[j]) && order[i] < order[j]
	})
	for _, id := range order {
		cr := comms[id].finish(in.BreachesListed)
		for i, o := range cr.Operators {
			cr.Operators[i].Role = roles[o.Operator]
		}
		for i, d := range cr.DeletedRequests {
			cr.DeletedRequests[i].Role = roles[d.Operator]
		}
		r.Communities = append(r.Communities, cr)
		addActivity(r.Activity, cr.Activity)
		addActivity(r.Replies, cr.Replies)
	}
	return r
}

// addActivity adds each person's hourly counts of from to those of into.
func addActivity(into, from map[string][24]int) {
	for name, hours := range from {
		sum := into[name]
		for h, n := range hours {
			sum[h] += n
		}
		into[name] = sum
	}
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
	switch {
	case c.Kind == justify.EventVanished:
		n.VanishedPosts++
	case c.IsDeletion():
		n.Deletions++
	case c.Kind == justify.EventBan:
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
		AuthorVK: c.UserVKID, Link: c.Item.Link(), At: c.ActedAt, Vanished: c.Kind == justify.EventVanished}
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

// countTickets adds the answered tickets and SLA breaches of [from, to) to a period; when
// the breaches were counted in the store (counted), it only lists them.
func countTickets(ts []justify.Ticket, from, to time.Time, sla time.Duration, byVK map[int64]string,
	get func(int64) *builder, period int, counted bool) {
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
			if !counted {
				b.tot[period].n.SLABreaches++
			}
			if period == cur {
				b.breaches = append(b.breaches, Breach{TicketID: t.ID, Author: t.AuthorName, AuthorVK: t.AuthorVKID,
					Excerpt: excerptOf(t), Link: ticketLink(t), CreatedAt: t.CreatedAt, Waiting: to.Sub(t.CreatedAt),
					WaitingSeconds: int64(to.Sub(t.CreatedAt) / time.Second)})
			}
		}
	}
}

// countAnswered adds answered tickets, known without their words, to a period as
// countTickets adds whole ones: answered in it, or waiting past the deadline at its end
// and answered later (listed without words, which were not read).
func countAnswered(ts []justify.AnsweredTicket, from, to time.Time, sla time.Duration, byVK map[int64]string,
	get func(int64) *builder, period int) {
	for _, t := range ts {
		if within(t.AnsweredAt, from, to) {
			b := get(t.GroupID)
			accs := []*acc{&b.tot[period]}
			if op, ok := byVK[t.AnsweredBy]; ok {
				accs = append(accs, b.op(period, op))
			}
			for _, a := range accs {
				a.n.Answered++
				a.resp = append(a.resp, t.AnsweredAt.Sub(t.CreatedAt))
			}
		}
		if sla <= 0 || t.Closed || t.CreatedAt.After(to.Add(-sla)) || t.AnsweredAt.Before(to) ||
			(!t.DeletedAt.IsZero() && t.DeletedAt.Before(to)) {
			continue
		}
		b := get(t.GroupID)
		b.tot[period].n.SLABreaches++
		if period == cur {
			b.breaches = append(b.breaches, Breach{TicketID: t.ID, CreatedAt: t.CreatedAt, Waiting: to.Sub(t.CreatedAt),
				WaitingSeconds: int64(to.Sub(t.CreatedAt) / time.Second)})
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
