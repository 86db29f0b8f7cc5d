package daemon

import (
	"context"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// HelpDeskName names the pseudo-community of imported tickets (group 0) in reports.
const HelpDeskName = "Help desk (imported)"

// LoadReport loads what report.Compute needs for [from, to) and the period before it, from
// the store: `modwatch report` reads through the loader /stats and the digests use.
func LoadReport(ctx context.Context, db *store.DB, cfg *configs.Config, from, to time.Time) (report.Input, error) {
	return loadReport(ctx, db, cfg, from, to)
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
		in.Communities = append(in.Communities, justify.Community{Name: HelpDeskName})
	}
	return in, nil
}
