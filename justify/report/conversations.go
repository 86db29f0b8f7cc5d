package report

import (
	"sort"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// The figures of dialogs and the signs of shirking, added to Compute's builders.

// operators names admins by VK id for the rows of a report.
type operators map[int64]string

// row says which operator row a VK id counts in: a configured operator's, the unknown
// admins' (an admin not in the config), or none (0: the community as a whole, on totals).
func (o operators) row(vk int64) (string, bool) {
	if vk == 0 {
		return "", false
	}
	if name, ok := o[vk]; ok {
		return name, true
	}
	return UnknownOperator, true
}

// periodOf says which period t falls in: cur, prev, or -1 for neither.
func periodOf(t, prevFrom, from, to time.Time) int {
	switch {
	case within(t, from, to):
		return cur
	case within(t, prevFrom, from):
		return prev
	}
	return -1
}

// countConversations adds the dialogs, signs and templates of both periods.
func countConversations(in Input, ops operators, get func(int64) *builder) {
	prevFrom := in.From.Add(-in.To.Sub(in.From))
	accs := func(b *builder, period int, vk int64) []*acc {
		out := []*acc{&b.tot[period]}
		if name, ok := ops.row(vk); ok {
			out = append(out, b.op(period, name))
		}
		return out
	}
	for _, d := range in.Facts.Dialogs {
		period := periodOf(d.StartedAt, prevFrom, in.From, in.To)
		if period < 0 {
			continue
		}
		b := get(d.GroupID)
		tot := &b.tot[period]
		tot.n.Dialogs++
		tot.lengths = append(tot.lengths, time.Duration(d.Messages))
		// A dialog with only a greeting or «уточняю» in it is unanswered: that is the trick.
		if !d.Answered {
			tot.n.DialogsUnanswered++
		}
		if d.Touched {
			tot.touch = append(tot.touch, d.FirstTouch)
			if name, ok := ops.row(d.FirstTouchBy); ok {
				a := b.op(period, name)
				a.n.Dialogs++
				a.lengths = append(a.lengths, time.Duration(d.Messages))
				a.touch = append(a.touch, d.FirstTouch)
				// An operator's dialogs are answered or not, whoever gave the answer.
				if d.Answered {
					a.n.DialogsAnswered++
				} else {
					a.n.DialogsUnanswered++
				}
			}
		}
		if d.Answered {
			tot.n.DialogsAnswered++
			// The time to the answer counts for whoever gave it.
			for _, a := range accs(b, period, d.FirstAnswerBy) {
				a.answer = append(a.answer, d.FirstAnswer)
			}
		}
		for _, r := range d.Reactions {
			for _, a := range accs(b, period, r.By) {
				a.reaction = append(a.reaction, r.Wait)
			}
		}
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, r := range in.Facts.Replies {
		if name, ok := ops.row(r.OperatorVKID); ok && name != UnknownOperator && within(r.At, in.From, in.To) {
			b := get(r.GroupID)
			hours := b.replies[name]
			hours[r.At.In(loc).Hour()]++
			b.replies[name] = hours
		}
	}
	for _, s := range in.Facts.Signs {
		period := periodOf(s.At, prevFrom, in.From, in.To)
		if period < 0 || s.Kind == justify.SignTemplate {
			continue
		}
		b := get(s.GroupID)
		// A request skipped while two operators were on shift is one skipped request.
		if s.Primary {
			addSign(&b.tot[period].n.ConversationCounts, s)
		}
		if name, ok := ops.row(s.OperatorVKID); ok {
			addSign(&b.op(period, name).n.ConversationCounts, s)
		}
		for _, vk := range s.OnShift {
			if name, ok := ops.row(vk); ok {
				addSign(&b.op(period, name).n.ConversationCounts, s)
			}
		}
	}
	for _, s := range in.SignExamples {
		if within(s.At, in.From, in.To) && s.Kind != justify.SignTemplate {
			b := get(s.GroupID)
			b.signs = append(b.signs, reportSign(s, ops))
		}
	}
	countTemplates(in, ops, get, prevFrom, accs)
}

func addSign(c *ConversationCounts, s justify.SignFact) {
	n := c.field(s.Kind)
	switch {
	case n == nil:
	case s.Kind == justify.SignIdle:
		*n += s.Minutes
	default:
		*n++
	}
}

// field is the count a kind of sign adds to (idle time in minutes); nil for a kind not
// counted. Counting and showing the counts both go through it, so a new kind needs one
// line here.
func (c *ConversationCounts) field(kind justify.SignKind) *int {
	switch kind {
	case justify.SignBareGreeting:
		return &c.BareGreetings
	case justify.SignStall:
		return &c.Stalls
	case justify.SignTemplate:
		return &c.TemplateReplies
	case justify.SignOneWord:
		return &c.OneWordReplies
	case justify.SignSkipped:
		return &c.Skipped
	case justify.SignClosedWithoutReply:
		return &c.ClosedWithoutReply
	case justify.SignRepeatContact:
		return &c.RepeatContacts
	case justify.SignIdle:
		return &c.IdleMinutes
	}
	return nil
}

func reportSign(s justify.Sign, ops operators) Sign {
	name, _ := ops.row(s.OperatorVKID)
	out := Sign{Kind: string(s.Kind), Operator: name, ActorVKID: s.OperatorVKID, CustomerVKID: s.CustomerVKID,
		Excerpt: Excerpt(s.Excerpt, excerptRunes), At: s.At, Link: s.Link, Minutes: s.Minutes, Until: s.Until,
		WroteAfter: s.WroteAfter}
	for _, vk := range s.OnShift {
		if n, ok := ops.row(vk); ok {
			out.OnShift = append(out.OnShift, n)
		}
	}
	return out
}

// signKeys are the kinds and operators of the signs of [from, to), for the report to list
// the newest of each.
func signKeys(ss []justify.SignFact, from, to time.Time) []justify.SignKey {
	seen := map[justify.SignKey]bool{}
	var out []justify.SignKey
	for _, s := range ss {
		k := justify.SignKey{GroupID: s.GroupID, Kind: s.Kind, OperatorVKID: s.OperatorVKID}
		if within(s.At, from, to) && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// phraseUses are the uses of one admin's text in one period.
type phraseUses struct {
	uses               int
	customers, written map[int64]bool
}

// phrasesOf groups the replies of [from, to) by community, admin and text.
func phrasesOf(rs []justify.ReplyFact, from, to time.Time) (map[justify.Phrase]*phraseUses, []justify.Phrase) {
	m := map[justify.Phrase]*phraseUses{}
	var order []justify.Phrase
	for _, r := range rs {
		if !within(r.At, from, to) {
			continue
		}
		k := justify.Phrase{GroupID: r.GroupID, OperatorVKID: r.OperatorVKID, Hash: r.Hash}
		p, ok := m[k]
		if !ok {
			p = &phraseUses{customers: map[int64]bool{}, written: map[int64]bool{}}
			m[k] = p
			order = append(order, k)
		}
		p.uses++
		p.customers[r.CustomerVKID] = true
		if r.WroteAfter {
			p.written[r.CustomerVKID] = true
		}
	}
	return m, order
}

// templates are the texts some admin sent to at least minCustomers customers in [from, to).
func templates(rs []justify.ReplyFact, from, to time.Time, minCustomers int) []justify.Phrase {
	if minCustomers <= 0 {
		return nil
	}
	m, order := phrasesOf(rs, from, to)
	var out []justify.Phrase
	for _, k := range order {
		if len(m[k].customers) >= minCustomers {
			out = append(out, k)
		}
	}
	return out
}

// countTemplates counts, in each period, every use of a text its admin sent to at least
// TemplateMinCustomers customers in that period, and lists the current period's.
func countTemplates(in Input, ops operators, get func(int64) *builder, prevFrom time.Time,
	accs func(*builder, int, int64) []*acc) {
	if in.TemplateMinCustomers <= 0 {
		return
	}
	texts := map[justify.Phrase]string{}
	examples := map[justify.Phrase][]justify.TemplateUse{}
	for _, u := range in.TemplateExamples {
		k := justify.Phrase{GroupID: u.GroupID, OperatorVKID: u.OperatorVKID, Hash: u.Hash}
		texts[k] = u.Template
		examples[k] = append(examples[k], u)
	}
	for period, bounds := range [2][2]time.Time{{in.From, in.To}, {prevFrom, in.From}} {
		m, order := phrasesOf(in.Facts.Replies, bounds[0], bounds[1])
		for _, k := range order {
			p := m[k]
			if len(p.customers) < in.TemplateMinCustomers {
				continue
			}
			b := get(k.GroupID)
			for _, a := range accs(b, period, k.OperatorVKID) {
				a.n.TemplateReplies += p.uses
			}
			if period != cur {
				continue
			}
			name, _ := ops.row(k.OperatorVKID)
			b.templates = append(b.templates, Template{Operator: name, ActorVKID: k.OperatorVKID, Text: texts[k],
				Customers: len(p.customers), Replies: p.uses, WroteAgain: len(p.written)})
			for _, u := range examples[k] {
				if within(u.At, in.From, in.To) {
					b.signs = append(b.signs, Sign{Kind: string(justify.SignTemplate), Operator: name, ActorVKID: k.OperatorVKID,
						CustomerVKID: u.CustomerVKID, Excerpt: Excerpt(u.Text, excerptRunes), At: u.At, Link: u.Link,
						WroteAfter: u.WroteAfter})
				}
			}
		}
	}
}

// sortConversations orders a community's signs by time and templates by operator, then
// most customers first.
func sortConversations(cr *CommunityReport) {
	sort.SliceStable(cr.Signs, func(i, j int) bool {
		if !cr.Signs[i].At.Equal(cr.Signs[j].At) {
			return cr.Signs[i].At.Before(cr.Signs[j].At)
		}
		if cr.Signs[i].Kind != cr.Signs[j].Kind {
			return cr.Signs[i].Kind < cr.Signs[j].Kind
		}
		return cr.Signs[i].Operator < cr.Signs[j].Operator
	})
	sort.SliceStable(cr.Templates, func(i, j int) bool {
		a, b := cr.Templates[i], cr.Templates[j]
		if a.Operator != b.Operator {
			return a.Operator < b.Operator
		}
		if a.Customers != b.Customers {
			return a.Customers > b.Customers
		}
		return strings.Compare(a.Text, b.Text) < 0
	})
}

func operatorSigns(ss []Sign, name string) []Sign {
	var out []Sign
	for _, s := range ss {
		named := s.Operator == name && (name != UnknownOperator || s.ActorVKID != 0)
		for _, n := range s.OnShift {
			named = named || n == name
		}
		if named {
			out = append(out, s)
		}
	}
	return out
}

func operatorTemplates(ts []Template, name string) []Template {
	var out []Template
	for _, t := range ts {
		if t.Operator == name && (name != UnknownOperator || t.ActorVKID != 0) {
			out = append(out, t)
		}
	}
	return out
}

// diffConversations is a minus b, field by field.
func diffConversations(a, b ConversationCounts) ConversationCounts {
	return ConversationCounts{
		Dialogs: a.Dialogs - b.Dialogs, DialogsAnswered: a.DialogsAnswered - b.DialogsAnswered,
		DialogsUnanswered: a.DialogsUnanswered - b.DialogsUnanswered, DialogLengthMedian: a.DialogLengthMedian - b.DialogLengthMedian,
		FirstTouchMedianSeconds:  a.FirstTouchMedianSeconds - b.FirstTouchMedianSeconds,
		FirstTouchP90Seconds:     a.FirstTouchP90Seconds - b.FirstTouchP90Seconds,
		FirstAnswerMedianSeconds: a.FirstAnswerMedianSeconds - b.FirstAnswerMedianSeconds,
		FirstAnswerP90Seconds:    a.FirstAnswerP90Seconds - b.FirstAnswerP90Seconds,
		ReactionMedianSeconds:    a.ReactionMedianSeconds - b.ReactionMedianSeconds,
		ReactionP90Seconds:       a.ReactionP90Seconds - b.ReactionP90Seconds,
		BareGreetings:            a.BareGreetings - b.BareGreetings, Stalls: a.Stalls - b.Stalls,
		TemplateReplies: a.TemplateReplies - b.TemplateReplies, OneWordReplies: a.OneWordReplies - b.OneWordReplies,
		Skipped: a.Skipped - b.Skipped, ClosedWithoutReply: a.ClosedWithoutReply - b.ClosedWithoutReply,
		RepeatContacts: a.RepeatContacts - b.RepeatContacts, IdleMinutes: a.IdleMinutes - b.IdleMinutes,
		QAGood: a.QAGood - b.QAGood, QABad: a.QABad - b.QABad,
	}
}
