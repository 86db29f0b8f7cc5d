package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// reportClock is the report's "now"; tests fix it.
var reportClock = time.Now

const reportUsage = `Usage:
  modwatch report [--since 7d] [--community ID] [--operator NAME] [--for NAME]
                  [--format text|csv|json] [--lang ru|en] [--tz ZONE] [--examples N] --config FILE

The figures of the period from --since until now, against the previous period of equal
length. --since is a duration (7d, 24h, 30m) or a date (2026-03-01, midnight in --tz).
--operator keeps that operator's rows only; the community totals stay for comparison.
--for shows what that person may see: the communities of their scope (people[].communities).
--examples is how many of the newest signs of shirking of each kind, and uses of each
template, are listed per operator with their words (0: all); the counts count them all.
`

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage) }
	path := fs.String("config", "", "path to the YAML config file")
	since := fs.String("since", "7d", "start of the period: a duration back from now (7d, 24h, 30m) or a date")
	community := fs.Int64("community", 0, "only this community (its group id)")
	operator := fs.String("operator", "", "only this operator's rows")
	person := fs.String("for", "", "only the communities this person works for (their people[].communities)")
	format := fs.String("format", "text", "text, csv or json")
	language := fs.String("lang", "", "ru or en for the text format (default: the config's language)")
	zone := fs.String("tz", "UTC", "time zone of the dates and of the hourly activity (an IANA name)")
	examples := fs.Int("examples", report.DefaultExamples, "signs of shirking of each kind listed per operator, and longest waits past the SLA per community (0: all)")
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
	if *examples < 0 {
		return fmt.Errorf("report: --examples %d: use 0 (all) or more", *examples)
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
	opts := daemon.ReportOptions(cfg)
	opts.Examples, opts.Breaches = *examples, *examples
	if *operator != "" && !slices.Contains(opts.Operators(), *operator) {
		return fmt.Errorf("report: --operator %q is not an operator in the config (operators: %s)", *operator, strings.Join(opts.Operators(), ", "))
	}
	if *language == "" {
		*language = cfg.Language
	}
	var scope []int64
	if *person != "" {
		p, ok := cfg.Directory().ByName(*person)
		if !ok {
			return fmt.Errorf("report: --for %q is nobody in the config's people", *person)
		}
		scope = p.Communities
		if *community != 0 && !p.Covers(*community) {
			return fmt.Errorf("report: community %d is not among %s's communities", *community, *person)
		}
	}

	r, err := report.Load(ctx, db, opts, from, to)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r = r.Within(scope)
	if *community != 0 {
		var ok bool
		if r, ok = r.Community(*community); !ok {
			return fmt.Errorf("report: community %d is not in the config and has nothing in the period", *community)
		}
	}
	if *operator != "" {
		r = r.Operator(*operator)
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

// Every report, the CLI's, /stats and the digests, reads the store through report.Load.
var _ report.Reader = (*store.DB)(nil)
