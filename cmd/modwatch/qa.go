package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/modwatch/modwatch/justify"
)

const qaUsage = `Usage:
  modwatch qa list [--since 7d] [--limit N] [--format text|json] --config FILE

The spot checks sent since --since, newest first: whose dialog, to which manager, the
verdict and comment, and each one's audit trail (sent, graded, regraded, commented, passed
on to another manager, undelivered) with who, when and from which Telegram account.
`

// spotCheckReader is what `qa list` reads.
type spotCheckReader interface {
	// SpotChecksSent lists the spot checks sent at or after since, newest first, with
	// their trails.
	SpotChecksSent(ctx context.Context, since time.Time, limit int) ([]justify.SpotCheck, map[justify.SpotCheckID][]justify.SpotCheckEntry, error)
}

// cmdQA lists spot checks with their verdicts and audit trails.
func cmdQA(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, qaUsage)
		return flag.ErrHelp
	}
	if args[0] != "list" {
		// A mistyped verb gets said so, not only the usage, and fails like any bad input.
		return fmt.Errorf("qa: unknown subcommand %q: use qa list", args[0])
	}
	fs := flag.NewFlagSet("qa list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, qaUsage) }
	path := fs.String("config", "", "path to the YAML config file")
	since := fs.String("since", "7d", "sent since: a duration back from now (7d, 24h) or a date")
	limit := fs.Int("limit", 100, "at most this many, newest first (0: all)")
	format := fs.String("format", "text", "text or json")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("qa list: unexpected argument %q", pos[0])
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("qa list: --format %q: use text or json", *format)
	}
	if *limit < 0 {
		return fmt.Errorf("qa list: --limit %d must be 0 (all) or more", *limit)
	}
	from, err := parseSince(*since, reportClock())
	if err != nil {
		return fmt.Errorf("qa list: %w", err)
	}
	_, db, err := openDatabase(ctx, *path, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	return listSpotChecks(ctx, db, from, *limit, *format, stdout)
}

// spotCheckJSON is one spot check in `qa list --format json`.
type spotCheckJSON struct {
	ID           int64               `json:"id"`
	GroupID      int64               `json:"group_id"`
	Operator     string              `json:"operator"`
	CustomerVKID int64               `json:"customer_vk_id"`
	DialogAt     time.Time           `json:"dialog_at"`
	Link         string              `json:"link"`
	Manager      string              `json:"manager"`
	RequestedBy  string              `json:"requested_by,omitempty"`
	SentAt       time.Time           `json:"sent_at"`
	Verdict      string              `json:"verdict"`
	VerdictBy    string              `json:"verdict_by,omitempty"`
	VerdictAt    *time.Time          `json:"verdict_at,omitempty"`
	Comment      string              `json:"comment,omitempty"`
	Trail        []spotCheckStepJSON `json:"trail"`
}

type spotCheckStepJSON struct {
	Action     string    `json:"action"`
	Actor      string    `json:"actor"`
	TelegramID int64     `json:"telegram_id,omitempty"`
	At         time.Time `json:"at"`
	Detail     string    `json:"detail,omitempty"`
}

func listSpotChecks(ctx context.Context, db spotCheckReader, from time.Time, limit int, format string, stdout io.Writer) error {
	scs, trails, err := db.SpotChecksSent(ctx, from, limit)
	if err != nil {
		return fmt.Errorf("qa list: %w", err)
	}
	if format == "json" {
		out := make([]spotCheckJSON, 0, len(scs))
		for _, sc := range scs {
			j := spotCheckJSON{ID: int64(sc.ID), GroupID: sc.GroupID, Operator: sc.Operator, CustomerVKID: sc.CustomerVKID,
				DialogAt: sc.StartedAt.UTC(), Link: sc.Link, Manager: sc.Manager, RequestedBy: sc.RequestedBy, SentAt: sc.Created.UTC(),
				Verdict: string(sc.Verdict), VerdictBy: sc.VerdictBy, Comment: sc.Comment, Trail: []spotCheckStepJSON{}}
			if sc.Graded() {
				at := sc.VerdictAt.UTC()
				j.VerdictAt = &at
			}
			for _, e := range trails[sc.ID] {
				j.Trail = append(j.Trail, spotCheckStepJSON{Action: string(e.Action), Actor: e.Actor, TelegramID: e.TelegramID,
					At: e.At.UTC(), Detail: e.Detail})
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(scs) == 0 {
		_, err := fmt.Fprintln(stdout, "no spot checks in the period")
		return err
	}
	for _, sc := range scs {
		verdict := "not graded yet"
		if sc.Graded() {
			verdict = fmt.Sprintf("%s by %s at %s", sc.Verdict, sc.VerdictBy, sc.VerdictAt.UTC().Format(time.RFC3339))
		}
		manager := sc.Manager
		if manager == "" {
			manager = "nobody (undelivered)"
		}
		fmt.Fprintf(stdout, "Spot check %d: %s's dialog with vk%d of %s in club%d, sent to %s: %s\n  %s\n",
			sc.ID, sc.Operator, sc.CustomerVKID, sc.StartedAt.UTC().Format(time.RFC3339), sc.GroupID, manager, verdict, sc.Link)
		if sc.Comment != "" {
			fmt.Fprintf(stdout, "  comment: %s\n", sc.Comment)
		}
		for _, e := range trails[sc.ID] {
			fmt.Fprintf(stdout, "  %s  %-11s %s", e.At.UTC().Format(time.RFC3339), e.Action, e.Actor)
			if e.TelegramID != 0 {
				fmt.Fprintf(stdout, " (tg %d)", e.TelegramID)
			}
			if e.Detail != "" {
				fmt.Fprintf(stdout, ": %s", e.Detail)
			}
			fmt.Fprintln(stdout)
		}
	}
	return nil
}
