package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Reader is what a report reads from the store. The CLI's report, the bot's /stats and
// the digests all read through Load, so the three never disagree.
type Reader interface {
	// CasesBetween lists the cases opened in [from, to), oldest first.
	CasesBetween(ctx context.Context, from, to time.Time) ([]justify.Case, error)
	// DecisionsOf loads the audit trails of many cases at once.
	DecisionsOf(ctx context.Context, ids []justify.CaseID) (map[justify.CaseID][]justify.Decision, error)
	// BreachCounts counts by community the tickets nobody answered that waited past sla at
	// at (the rule of Counts.SLABreaches), without reading them.
	BreachCounts(ctx context.Context, at time.Time, sla time.Duration) (map[int64]int, error)
	// LongestWaits lists, for each of groups, the n of those tickets written first (all of
	// them when n <= 0), with their words.
	LongestWaits(ctx context.Context, at time.Time, sla time.Duration, groups []int64, n int) ([]justify.Ticket, error)
	// AnsweredTickets lists the tickets first answered at or after since, with what figures
	// need of them (not their words).
	AnsweredTickets(ctx context.Context, since time.Time) ([]justify.AnsweredTicket, error)
	// TicketsByKeys loads tickets by key; unknown keys are absent from the map.
	TicketsByKeys(ctx context.Context, keys []string) (map[string]justify.Ticket, error)
	// ConversationFacts reads the facts of the dialogs started, signs dated and replies
	// written in [from, to).
	ConversationFacts(ctx context.Context, from, to time.Time) (justify.ConversationFacts, error)
	// SpotChecksGraded lists the spot checks whose verdict was given in [from, to).
	SpotChecksGraded(ctx context.Context, from, to time.Time) ([]justify.SpotCheck, error)
	// WorstSigns lists the n worst signs of [from, to) of each key (justify.SignSeverity,
	// to standing for now), with their words (all of them, worst first, when n <= 0).
	WorstSigns(ctx context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error)
	// SignExamples lists the newest n signs of [from, to) of each key, with their words
	// (all of them when n <= 0).
	SignExamples(ctx context.Context, from, to time.Time, keys []justify.SignKey, n int) ([]justify.Sign, error)
	// TemplateExamples lists the newest n uses in [from, to) of each phrase, with their
	// words (all of them when n <= 0).
	TemplateExamples(ctx context.Context, from, to time.Time, phrases []justify.Phrase, n int) ([]justify.TemplateUse, error)
}

// HelpDeskName names the pseudo-community of imported tickets (group 0) in reports.
const HelpDeskName = "Help desk (imported)"

// Options are what a report takes from the configuration, as plain values: the caller
// builds them once from its config and passes the same to every report.
type Options struct {
	// People are everyone configured; the operators among them get a row even with
	// nothing to count.
	People []justify.Person
	// Communities are the watched communities in the config's order, which reports keep.
	Communities []justify.Community
	// SLA is how long a customer may wait for a first answer; 0 disables SLA breaches.
	SLA time.Duration
	// TemplateMinCustomers is how many customers make a reply a template; 0 counts none.
	TemplateMinCustomers int
	// Examples is how many of the newest signs of each kind, and uses of each template,
	// the report lists for each operator with their words; 0 lists them all.
	Examples int
	// Breaches is how many of the longest waits past the SLA the report lists for each
	// community, with their words; 0 lists them all. The counts count them all.
	Breaches int
	// Worst, when positive, lists instead the Worst worst signs of each kind for each
	// operator, and the worst uses of each template (justify.SignSeverity): the digest's
	// examples (DigestWorst).
	Worst int
	// Shifts are the operators' schedules by VK id (people[].shifts), for the chart's
	// outline of the hours on shift; empty when none is configured.
	Shifts map[int64]justify.Schedule
}

// DigestWorst is how many of the worst signs of each kind per operator a digest lists:
// enough to raise with the operator, few enough to read on a phone.
const DigestWorst = 3

// DefaultExamples is how many signs of each kind per operator reports list by default:
// enough to see the pattern, few enough that a month of a busy community reads fast and
// its text stays readable.
const DefaultExamples = 5

// Operators are the names of the configured people who act in VK, sorted: the operators,
// and the managers and owners with a VK id, who moderate too.
func (o Options) Operators() []string {
	var out []string
	for _, p := range o.People {
		if p.Role == justify.RoleOperator || p.VKID != 0 {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Load reads the cases and tickets of [from, to) and of the period of equal length before
// it, and computes their figures. Dates are shown and the hourly activity is counted in
// to's location.
func Load(ctx context.Context, r Reader, o Options, from, to time.Time) (Report, error) {
	in, err := load(ctx, r, o, from, to)
	if err != nil {
		return Report{}, fmt.Errorf("load figures: %w", err)
	}
	return Compute(in), nil
}

// load reads what Compute needs for [from, to) and the period before it.
func load(ctx context.Context, r Reader, o Options, from, to time.Time) (Input, error) {
	prevFrom := from.Add(-to.Sub(from))
	in := Input{From: from, To: to, SLA: o.SLA, Location: to.Location(), People: o.People,
		Communities: append([]justify.Community(nil), o.Communities...), TemplateMinCustomers: o.TemplateMinCustomers,
		Shifts: o.Shifts}
	cases, err := r.CasesBetween(ctx, prevFrom, to)
	if err != nil {
		return in, err
	}
	var ids []justify.CaseID
	for _, c := range cases {
		if c.OpenedAt.Before(from) {
			in.PrevCases = append(in.PrevCases, c)
		} else {
			in.Cases = append(in.Cases, c)
			ids = append(ids, c.ID)
		}
	}
	if in.Decisions, err = r.DecisionsOf(ctx, ids); err != nil {
		return in, err
	}
	// The breaches among the tickets still waiting at either period's end are counted in
	// the store, and only the longest waits listed are read with their words; those
	// answered since the previous period began (answered in a period, or waiting at its
	// end and answered later) are read without words.
	if err := loadBreaches(ctx, r, o, &in); err != nil {
		return in, err
	}
	if in.Answered, err = r.AnsweredTickets(ctx, prevFrom); err != nil {
		return in, err
	}
	// Counts come from the facts; only the signs listed are read with their words.
	if in.Facts, err = r.ConversationFacts(ctx, prevFrom, to); err != nil {
		return in, err
	}
	phrases := templates(in.Facts.Replies, from, to, o.TemplateMinCustomers)
	if o.Worst > 0 {
		if in.SignExamples, err = r.WorstSigns(ctx, from, to, signKeys(in.Facts.Signs, from, to), o.Worst); err != nil {
			return in, err
		}
		// A template's uses are ranked over all of them: which the customer wrote again
		// after is not what the store orders by.
		for _, p := range phrases {
			uses, err := r.TemplateExamples(ctx, from, to, []justify.Phrase{p}, 0)
			if err != nil {
				return in, err
			}
			in.TemplateExamples = append(in.TemplateExamples, justify.WorstTemplateUses(uses, o.Worst)...)
		}
	} else {
		if in.SignExamples, err = r.SignExamples(ctx, from, to, signKeys(in.Facts.Signs, from, to), o.Examples); err != nil {
			return in, err
		}
		if in.TemplateExamples, err = r.TemplateExamples(ctx, from, to, phrases, o.Examples); err != nil {
			return in, err
		}
	}
	if in.SpotChecks, err = r.SpotChecksGraded(ctx, prevFrom, to); err != nil {
		return in, err
	}
	// Deleted requests written before the period still need their words.
	have := map[string]bool{}
	helpDesk := false
	for _, t := range append(in.Tickets, in.PrevTickets...) {
		have[t.Key] = true
	}
	for _, counts := range in.BreachCounts {
		_, waiting := counts[0]
		helpDesk = helpDesk || waiting
	}
	for _, t := range in.Answered {
		helpDesk = helpDesk || t.GroupID == 0
	}
	var missing []string
	for _, c := range in.Cases {
		if c.Severe && c.Item.Place != "" && !have[c.Item.Key()] {
			missing = append(missing, c.Item.Key())
		}
	}
	if len(missing) > 0 {
		if in.Deleted, err = r.TicketsByKeys(ctx, missing); err != nil {
			return in, err
		}
	}
	if helpDesk {
		in.Communities = append(in.Communities, justify.Community{Name: HelpDeskName})
	}
	return in, nil
}

// loadBreaches counts the SLA breaches of the tickets waiting at each period's end and
// reads the longest waits of the current one that the report lists (Options.Breaches).
func loadBreaches(ctx context.Context, r Reader, o Options, in *Input) error {
	in.BreachesListed = o.Breaches
	in.BreachCounts = [2]map[int64]int{{}, {}}
	if o.SLA <= 0 {
		return nil
	}
	var err error
	for period, at := range [2]time.Time{cur: in.To, prev: in.From} {
		if in.BreachCounts[period], err = r.BreachCounts(ctx, at, o.SLA); err != nil {
			return err
		}
	}
	var groups []int64
	for g := range in.BreachCounts[cur] {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i] < groups[j] })
	in.Tickets, err = r.LongestWaits(ctx, in.To, o.SLA, groups, o.Breaches)
	return err
}
