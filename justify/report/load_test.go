package report

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// fakeReader answers like the store, from lists in memory, and records what it was asked.
type fakeReader struct {
	cases   []justify.Case
	tickets []justify.Ticket
	dialogs []justify.Dialog
	signs   []justify.Sign
	uses    []justify.TemplateUse
	spots   []justify.SpotCheck // spotchecks_test.go
	fail    string              // the method that fails, if any

	keysOfSigns  []justify.SignKey
	phrasesAsked []justify.Phrase

	mu          sync.Mutex
	casesAsked  [][2]time.Time
	decisionIDs []justify.CaseID
	keysAsked   []string
}

var errRead = errors.New("database is locked")

func (f *fakeReader) CasesBetween(_ context.Context, from, to time.Time) ([]justify.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.casesAsked = append(f.casesAsked, [2]time.Time{from, to})
	if f.fail == "CasesBetween" {
		return nil, errRead
	}
	var out []justify.Case
	for _, c := range f.cases {
		if within(c.OpenedAt, from, to) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeReader) ConversationFacts(_ context.Context, from, to time.Time) (justify.ConversationFacts, error) {
	if f.fail == "ConversationFacts" {
		return justify.ConversationFacts{}, errRead
	}
	var ds []justify.Dialog
	var ss []justify.Sign
	var us []justify.TemplateUse
	for _, d := range f.dialogs {
		if within(d.StartedAt, from, to) {
			ds = append(ds, d)
		}
	}
	for _, s := range f.signs {
		if within(s.At, from, to) {
			ss = append(ss, s)
		}
	}
	for _, u := range f.uses {
		if within(u.At, from, to) {
			us = append(us, u)
		}
	}
	return factsOf(ds, ss, us), nil
}

// SignExamples keeps the store's rule: the newest n of each key in the period.
func (f *fakeReader) SignExamples(_ context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keysOfSigns = append(f.keysOfSigns, keys...)
	if f.fail == "SignExamples" {
		return nil, errRead
	}
	var out []justify.Sign
	for _, k := range keys {
		of := f.signsOf(k, from, to)
		sort.Slice(of, func(i, j int) bool { return of[i].At.After(of[j].At) })
		if n > 0 && len(of) > n {
			of = of[:n]
		}
		out = append(out, of...)
	}
	return out, nil
}

// WorstSigns keeps the store's rule: the n worst of each key in the period.
func (f *fakeReader) WorstSigns(_ context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []justify.Sign
	for _, k := range keys {
		out = append(out, justify.WorstSigns(f.signsOf(k, from, to), to, n)...)
	}
	return out, nil
}

// signsOf are the signs of a key in [from, to).
func (f *fakeReader) signsOf(k justify.SignKey, from, to time.Time) []justify.Sign {
	var of []justify.Sign
	for _, s := range f.signs {
		if s.GroupID == k.GroupID && s.Kind == k.Kind && s.OperatorVKID == k.OperatorVKID && within(s.At, from, to) {
			of = append(of, s)
		}
	}
	return of
}

func (f *fakeReader) TemplateExamples(_ context.Context, from, to time.Time, phrases []justify.Phrase, n int) ([]justify.TemplateUse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phrasesAsked = append(f.phrasesAsked, phrases...)
	if f.fail == "TemplateExamples" {
		return nil, errRead
	}
	var out []justify.TemplateUse
	for _, p := range phrases {
		var of []justify.TemplateUse
		for _, u := range f.uses {
			if u.GroupID == p.GroupID && u.OperatorVKID == p.OperatorVKID && u.Hash == p.Hash && within(u.At, from, to) {
				of = append(of, u)
			}
		}
		sort.Slice(of, func(i, j int) bool { return of[i].At.After(of[j].At) })
		if n > 0 && len(of) > n {
			of = of[:n]
		}
		out = append(out, of...)
	}
	return out, nil
}

func (f *fakeReader) DecisionsOf(_ context.Context, ids []justify.CaseID) (map[justify.CaseID][]justify.Decision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decisionIDs = append(f.decisionIDs, ids...)
	if f.fail == "DecisionsOf" {
		return nil, errRead
	}
	return map[justify.CaseID][]justify.Decision{}, nil
}

// BreachCounts keeps the store's rule: the tickets nobody answered that breached at at.
func (f *fakeReader) BreachCounts(_ context.Context, at time.Time, sla time.Duration) (map[int64]int, error) {
	if f.fail == "BreachCounts" {
		return nil, errRead
	}
	out := map[int64]int{}
	for _, t := range f.waiting(at, sla) {
		out[t.Ref.GroupID]++
	}
	return out, nil
}

// LongestWaits keeps the store's rule: the n of those written first in each group.
func (f *fakeReader) LongestWaits(_ context.Context, at time.Time, sla time.Duration, groups []int64, n int) ([]justify.Ticket, error) {
	if f.fail == "LongestWaits" {
		return nil, errRead
	}
	var out []justify.Ticket
	for _, g := range groups {
		var of []justify.Ticket
		for _, t := range f.waiting(at, sla) {
			if t.Ref.GroupID == g {
				of = append(of, t)
			}
		}
		sort.SliceStable(of, func(i, j int) bool { return of[i].CreatedAt.Before(of[j].CreatedAt) })
		if n > 0 && len(of) > n {
			of = of[:n]
		}
		out = append(out, of...)
	}
	return out, nil
}

// waiting are the tickets nobody answered that breached the SLA at at.
func (f *fakeReader) waiting(at time.Time, sla time.Duration) []justify.Ticket {
	var out []justify.Ticket
	for _, t := range f.tickets {
		if sla > 0 && !t.Answered() && breached(t, at, sla) {
			out = append(out, t)
		}
	}
	return out
}

// AnsweredTickets keeps the store's rule: answered at or after since, without words.
func (f *fakeReader) AnsweredTickets(_ context.Context, since time.Time) ([]justify.AnsweredTicket, error) {
	if f.fail == "AnsweredTickets" {
		return nil, errRead
	}
	var out []justify.AnsweredTicket
	for _, t := range f.tickets {
		if t.Answered() && !t.AnsweredAt.Before(since) {
			out = append(out, t.AnsweredFact())
		}
	}
	return out, nil
}

func (f *fakeReader) TicketsByKeys(_ context.Context, keys []string) (map[string]justify.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keysAsked = append(f.keysAsked, keys...)
	if f.fail == "TicketsByKeys" {
		return nil, errRead
	}
	out := map[string]justify.Ticket{}
	for _, t := range f.tickets {
		if slices.Contains(keys, t.Key) {
			out[t.Key] = t
		}
	}
	return out, nil
}

var fixtureOptions = Options{People: fixturePeople, SLA: 4 * time.Hour,
	Communities: []justify.Community{{GroupID: 1, Name: "Shop"}, {GroupID: 3, Name: "Quiet"}}}

// loadFixture is a store holding the fixture's cases and tickets, the words of case 3's
// deleted request written a week before, and an imported request of the help desk.
func loadFixture() *fakeReader {
	cur, prevDay := fixtureCases()
	f := &fakeReader{cases: append(cur, prevDay...)}
	tickets, prevTickets := fixtureTickets()
	for _, t := range append(tickets, prevTickets...) {
		if t.Key == deletedRef.Key() {
			// Written long before both periods: only TicketsByKeys finds it.
			t.CreatedAt, t.DeletedAt = utc("2026-11-15T10:00:00Z"), utc("2026-11-20T12:00:00Z")
		}
		if t.Ref.Place == justify.PlaceHelpDesk {
			t.Ref.GroupID = 0
		}
		f.tickets = append(f.tickets, t)
	}
	return f
}

func TestLoad(t *testing.T) {
	msk := mustLoad(t, "Europe/Moscow")
	f := loadFixture()
	opts := fixtureOptions
	r, err := Load(context.Background(), f, opts, dayFrom.In(msk), dayTo.In(msk))
	require.NoError(t, err)

	assert.Equal(t, [][2]time.Time{{dayFrom.Add(-24 * time.Hour).In(msk), dayTo.In(msk)}}, f.casesAsked,
		"one read covers the period and the one before")
	assert.ElementsMatch(t, []justify.CaseID{1, 2, 3, 4, 5, 8, 9, 12}, f.decisionIDs, "audit trails of the period's cases only")
	// Waiting tickets are no longer all read: the words of every deleted request not
	// listed among the longest waits are read by key.
	assert.ElementsMatch(t, []string{deletedRef.Key(), "vk:1:wall_post:-1_0_12"}, f.keysAsked, "only the deleted requests' words the lists lack")
	assert.Len(t, opts.Communities, 2, "the caller's options are left as they were")

	var names []string
	for _, c := range r.Communities {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"Shop", "Quiet", HelpDeskName, "club2"}, names,
		"configured communities in order, then the help desk's imported tickets (group 0), named")
	shop := r.Communities[0]
	assert.Equal(t, 3, shop.Total.Current.Bans)
	assert.Equal(t, 1, shop.Total.Previous.Bans, "case 6 belongs to the day before")
	require.Len(t, shop.DeletedRequests, 2)
	assert.Equal(t, "Где мой заказ? Жду неделю", shop.DeletedRequests[0].Excerpt, "words found by key")
	assert.True(t, shop.DeletedRequests[1].Vanished, "the vanished post, listed as such")
	assert.Equal(t, msk, r.From.Location(), "dates in the location of the period's end")
	assert.Equal(t, r, Compute(mustLoadInput(t, f, opts, dayFrom.In(msk), dayTo.In(msk))), "Load is load and Compute")
}

func mustLoadInput(t *testing.T, r Reader, o Options, from, to time.Time) Input {
	t.Helper()
	in, err := load(context.Background(), r, o, from, to)
	require.NoError(t, err)
	return in
}

func TestLoadFails(t *testing.T) {
	for _, method := range []string{"CasesBetween", "DecisionsOf", "BreachCounts", "LongestWaits", "AnsweredTickets", "TicketsByKeys"} {
		t.Run(method, func(t *testing.T) {
			f := loadFixture()
			f.fail = method
			_, err := Load(context.Background(), f, fixtureOptions, dayFrom, dayTo)
			require.ErrorIs(t, err, errRead)
			assert.Contains(t, err.Error(), "load figures")
		})
	}
}

func TestOptionsOperators(t *testing.T) {
	tests := []struct {
		name   string
		people []justify.Person
		want   []string
	}{
		{name: "operators only, sorted", people: []justify.Person{
			{Name: "Petr", Role: justify.RoleOperator}, {Name: "Olga", Role: justify.RoleManager},
			{Name: "Ivan", Role: justify.RoleOperator}, {Name: "Anna", Role: justify.RoleOwner}},
			want: []string{"Ivan", "Petr"}},
		{name: "none", people: []justify.Person{{Name: "Olga", Role: justify.RoleManager}}},
		{name: "a manager who moderates too", people: []justify.Person{
			{Name: "Petr", Role: justify.RoleOperator}, {Name: "Olga", Role: justify.RoleManager, VKID: 500},
			{Name: "Pavel", Role: justify.RoleManager}},
			want: []string{"Olga", "Petr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Options{People: tt.people}.Operators())
		})
	}
}

func TestReportOperator(t *testing.T) {
	full := Compute(fixtureInput(t))
	tests := []struct {
		name, operator string
		rows           []string // each community's operator rows
		deleted        int      // deleted requests left in community 1
	}{
		{name: "Анна's rows", operator: "Анна", rows: []string{"Анна"}},
		{name: "Борис keeps his deleted request", operator: "Борис", rows: []string{"Борис"}, deleted: 1},
		{name: "unknown admins", operator: UnknownOperator, rows: []string{UnknownOperator}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := full.Operator(tt.operator)
			require.Len(t, r.Communities, len(full.Communities))
			for i, c := range r.Communities {
				var rows []string
				for _, o := range c.Operators {
					rows = append(rows, o.Operator)
				}
				if len(rows) > 0 {
					assert.Equal(t, tt.rows, rows, c.Name)
				}
				assert.Equal(t, full.Communities[i].Total, c.Total, "totals stay for comparison")
				assert.Equal(t, full.Communities[i].SLABreaches, c.SLABreaches, "breaches belong to no operator")
				for op := range c.Activity {
					assert.Equal(t, tt.operator, op)
				}
			}
			assert.Len(t, r.Communities[0].DeletedRequests, tt.deleted)
			for op := range r.Activity {
				assert.Equal(t, tt.operator, op)
			}
		})
	}
	assert.Len(t, full.Communities[0].Operators, 4, "the full report is left as it was")
}
