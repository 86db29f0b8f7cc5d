package report

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Compute fills one builder per community, each with one accumulator per operator and
// period; finish turns them into the report's rows.

// period indexes the two periods a builder keeps.
const (
	cur  = 0
	prev = 1
)

// acc accumulates one operator's or one community's counts of one period.
type acc struct {
	n    Counts
	resp []time.Duration
	// touch, answer and reaction are the dialogs' times; lengths their messages.
	touch, answer, reaction []time.Duration
	lengths                 []time.Duration
}

func (a *acc) done() Counts {
	a.n.MedianFirstResponse = median(a.resp)
	a.n.MedianFirstResponseSeconds = int64(a.n.MedianFirstResponse / time.Second)
	c := &a.n.ConversationCounts
	// Each list is sorted once, in place: done is called once per accumulator.
	for _, l := range [][]time.Duration{a.touch, a.answer, a.reaction, a.lengths} {
		slices.Sort(l)
	}
	c.FirstTouchMedianSeconds, c.FirstTouchP90Seconds = seconds(sortedMedian(a.touch)), seconds(sortedP90(a.touch))
	c.FirstAnswerMedianSeconds, c.FirstAnswerP90Seconds = seconds(sortedMedian(a.answer)), seconds(sortedP90(a.answer))
	c.ReactionMedianSeconds, c.ReactionP90Seconds = seconds(sortedMedian(a.reaction)), seconds(sortedP90(a.reaction))
	c.DialogLengthMedian = int(sortedMedian(a.lengths))
	return a.n
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// builder accumulates one community.
type builder struct {
	id        int64
	name      string
	ops       [2]map[string]*acc
	tot       [2]acc
	deleted   []DeletedRequest
	breaches  []Breach
	activity  map[string][24]int
	replies   map[string][24]int
	signs     []Sign
	templates []Template
	spots     []SpotCheckVerdict
}

func newBuilder(id int64, operators []string) *builder {
	b := &builder{id: id, ops: [2]map[string]*acc{{}, {}}, activity: map[string][24]int{},
		replies: map[string][24]int{}}
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

// finish sorts and freezes the community's figures, listing the listed longest waits past
// the SLA (all when 0).
func (b *builder) finish(listed int) CommunityReport {
	cr := CommunityReport{GroupID: b.id, Name: b.name, Activity: b.activity, Replies: b.replies,
		DeletedRequests: b.deleted, SLABreaches: b.breaches, Signs: b.signs, Templates: b.templates,
		SpotChecks: b.spots}
	sortConversations(&cr)
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
	cr.SLABreachesTotal = cr.Total.Current.SLABreaches
	if listed > 0 && len(cr.SLABreaches) > listed {
		cr.SLABreaches = cr.SLABreaches[:listed]
	}
	return cr
}

func figures(c, p Counts) Figures { return Figures{Current: c, Previous: p, Change: diff(c, p)} }

// median returns the median of ds (the mean of the two middle values for an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return sortedMedian(s)
}

// sortedMedian is median of sorted values.
func sortedMedian(s []time.Duration) time.Duration {
	if len(s) == 0 {
		return 0
	}
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// sortedP90 is the 90th percentile of sorted values (nearest rank: the smallest value at
// least 90% of them do not exceed); 0 when empty.
func sortedP90(s []time.Duration) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[(9*len(s)+9)/10-1]
}

// diff is a minus b, field by field.
func diff(a, b Counts) Counts {
	return Counts{
		ConversationCounts: diffConversations(a.ConversationCounts, b.ConversationCounts),
		Bans:               a.Bans - b.Bans, Deletions: a.Deletions - b.Deletions, VanishedPosts: a.VanishedPosts - b.VanishedPosts,
		JustifiedInTime: a.JustifiedInTime - b.JustifiedInTime, JustifiedLate: a.JustifiedLate - b.JustifiedLate,
		NeverJustified: a.NeverJustified - b.NeverJustified, Approved: a.Approved - b.Approved,
		Reversed: a.Reversed - b.Reversed, ReversedInVK: a.ReversedInVK - b.ReversedInVK,
		DeletedRequests: a.DeletedRequests - b.DeletedRequests, SLABreaches: a.SLABreaches - b.SLABreaches,
		Answered: a.Answered - b.Answered, MedianFirstResponse: a.MedianFirstResponse - b.MedianFirstResponse,
		MedianFirstResponseSeconds: a.MedianFirstResponseSeconds - b.MedianFirstResponseSeconds,
	}
}
