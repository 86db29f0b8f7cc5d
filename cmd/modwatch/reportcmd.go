package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// reportClock is the report's "now"; tests fix it.
var reportClock = time.Now

const reportUsage = `Usage:
  modwatch report [--since 7d] [--community ID] [--operator NAME] [--format text|csv|json]
                  [--lang ru|en] [--tz ZONE] --config FILE

The figures of the period from --since until now, against the previous period of equal
length. --since is a duration (7d, 24h, 30m) or a date (2026-03-01, midnight in --tz).
--operator keeps that operator's rows only; the community totals stay for comparison.
`

// helpDeskName names the pseudo-community of imported tickets (group 0) in reports.
const helpDeskName = "Help desk (imported)"

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage) }
	path := fs.String("config", "", "path to the YAML config file")
	since := fs.String("since", "7d", "start of the period: a duration back from now (7d, 24h, 30m) or a date")
	community := fs.Int64("community", 0, "only this community (its group id)")
	operator := fs.String("operator", "", "only this operator's rows")
	format := fs.String("format", "text", "text, csv or json")
	language := fs.String("lang", "", "ru or en for the text format (default: the config's language)")
	zone := fs.String("tz", "UTC", "time zone of the dates and of the hourly activity (an IANA name)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("report: unexpected argument %q", pos[0])
	}
	if *format != "text" && *format != "csv" && *format != "json" {
		return fmt.Errorf("report: --format %q: use text, csv or json", *format)
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("report: --tz %q is not a known time zone (use an IANA name like Europe/Moscow)", *zone)
	}
	to := reportClock().In(loc)
	from, err := parseSince(*since, to)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	cfg, db, err := openDatabase(ctx, *path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	if *operator != "" && !isOperator(cfg, *operator) {
		return fmt.Errorf("report: --operator %q is not an operator in the config (operators: %s)", *operator, strings.Join(operators(cfg), ", "))
	}
	if *language == "" {
		*language = cfg.Language
	}

	in, err := loadReport(ctx, db, cfg, from, to)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r := report.Compute(in)
	if *community != 0 {
		var ok bool
		if r, ok = r.Community(*community); !ok {
			return fmt.Errorf("report: community %d is not in the config and has nothing in the period", *community)
		}
	}
	if *operator != "" {
		r = onlyOperator(r, *operator)
	}
	switch *format {
	case "csv":
		return report.WriteCSV(stdout, r)
	case "json":
		return report.WriteJSON(stdout, r)
	}
	_, err = io.WriteString(stdout, report.RenderText(r, *language))
	return err
}

// parseSince reads --since: a duration back from now (with d for days), a date (midnight in
// now's location) or an RFC 3339 time. The start must be before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	var from time.Time
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil {
			from = now.AddDate(0, 0, -n)
		}
	}
	if from.IsZero() {
		if d, err := time.ParseDuration(s); err == nil {
			from = now.Add(-d)
		} else if t, err := time.ParseInLocation("2006-01-02", s, now.Location()); err == nil {
			from = t
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			from = t.In(now.Location())
		} else {
			return time.Time{}, fmt.Errorf("--since %q: use a duration (7d, 24h, 30m) or a date (2026-03-01)", s)
		}
	}
	if !from.Before(now) {
		return time.Time{}, fmt.Errorf("--since %q: the period must start before now", s)
	}
	return from, nil
}

// reportReader is what a report reads: the CLI's report, /stats and the digests.
type reportReader interface {
	// CasesBetween lists the cases opened in [from, to), oldest first.
	CasesBetween(ctx context.Context, from, to time.Time) ([]justify.Case, error)
	// DecisionsOf loads the audit trails of many cases at once.
	DecisionsOf(ctx context.Context, ids []justify.CaseID) (map[justify.CaseID][]justify.Decision, error)
	// TicketsBetween lists the tickets a report of [from, to) needs to know of.
	TicketsBetween(ctx context.Context, from, to time.Time) ([]justify.Ticket, error)
	// TicketsByKeys loads tickets by key; unknown keys are absent from the map.
	TicketsByKeys(ctx context.Context, keys []string) (map[string]justify.Ticket, error)
}

var _ reportReader = (*store.DB)(nil)

// loadReport loads what report.Compute needs for [from, to) and the period before it.
func loadReport(ctx context.Context, db reportReader, cfg *configs.Config, from, to time.Time) (report.Input, error) {
	prevFrom := from.Add(-to.Sub(from))
	in := report.Input{From: from, To: to, SLA: cfg.Tickets.AnswerWithin, Location: to.Location()}
	in.People = cfg.Directory().All()
	byID := cfg.Communities(configs.Secrets{})
	for _, c := range cfg.VK.Communities {
		in.Communities = append(in.Communities, byID[c.GroupID])
	}
	cases, err := db.CasesBetween(ctx, prevFrom, to)
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
	if in.Decisions, err = db.DecisionsOf(ctx, ids); err != nil {
		return in, err
	}
	if in.Tickets, err = db.TicketsBetween(ctx, from, to); err != nil {
		return in, err
	}
	if in.PrevTickets, err = db.TicketsBetween(ctx, prevFrom, from); err != nil {
		return in, err
	}
	// Deleted requests written before the period still need their words.
	have := map[string]bool{}
	helpDesk := false
	for _, t := range append(in.Tickets, in.PrevTickets...) {
		have[t.Key] = true
		helpDesk = helpDesk || t.Ref.GroupID == 0
	}
	var missing []string
	for _, c := range in.Cases {
		if c.Severe && c.Item.Place != "" && !have[c.Item.Key()] {
			missing = append(missing, c.Item.Key())
		}
	}
	if len(missing) > 0 {
		if in.Deleted, err = db.TicketsByKeys(ctx, missing); err != nil {
			return in, err
		}
	}
	if helpDesk {
		in.Communities = append(in.Communities, justify.Community{Name: helpDeskName})
	}
	return in, nil
}

// onlyOperator keeps one operator's rows, deleted requests and activity; community totals
// and SLA breaches (which belong to no operator) stay.
func onlyOperator(r report.Report, name string) report.Report {
	out := r
	out.Communities = nil
	for _, c := range r.Communities {
		var ops []report.OperatorFigures
		for _, o := range c.Operators {
			if o.Operator == name {
				ops = append(ops, o)
			}
		}
		var dels []report.DeletedRequest
		for _, d := range c.DeletedRequests {
			if d.Operator == name {
				dels = append(dels, d)
			}
		}
		c.Operators, c.DeletedRequests = ops, dels
		c.Activity = onlyKey(c.Activity, name)
		out.Communities = append(out.Communities, c)
	}
	out.Activity = onlyKey(r.Activity, name)
	return out
}

func onlyKey(m map[string][24]int, name string) map[string][24]int {
	out := map[string][24]int{}
	if v, ok := m[name]; ok {
		out[name] = v
	}
	return out
}

func operators(cfg *configs.Config) []string {
	var out []string
	for _, p := range cfg.People {
		if justify.Role(p.Role) == justify.RoleOperator {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

func isOperator(cfg *configs.Config, name string) bool {
	for _, o := range operators(cfg) {
		if o == name {
			return true
		}
	}
	return false
}
