package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify/supervise"
	"github.com/modwatch/modwatch/store"
)

// every runs fn at once and then every period until ctx ends. A failure is retried with
// the shared back-off, capped at the period: a failing job retries sooner than it would
// run anyway, never later.
func every(ctx context.Context, period time.Duration, log zerolog.Logger, what string, fn func(context.Context) error) {
	loop := supervise.Loop{
		Every:   period,
		Backoff: supervise.Backoff{Min: min(supervise.DefaultMinBackoff, period), Max: period},
		Log:     log,
		What:    what,
	}
	_ = loop.Run(ctx, fn) // it only ends with ctx
}

// retention is the hourly job that keeps the database from growing without bound and
// customers' words from outliving tickets.retention: it deletes the delivery bookkeeping
// older than telegram.keep_sent, then, unless retention is 0, erases old words. One
// failing does not stop the other.
func retention(db *store.DB, cfg *configs.Config, now func() time.Time, log zerolog.Logger) func(context.Context) error {
	steps := []func(context.Context) error{pruneDelivered(db, cfg.Telegram.KeepSent, now, log),
		pruneSpotButtons(db, cfg.Telegram.KeepSent, now, log)} // spotchecks.go
	if cfg.Tickets.Retention > 0 {
		steps = append(steps, purgeOldTexts(db, cfg.Tickets.Retention, now, log))
	}
	return func(ctx context.Context) error {
		var errs []error
		for _, step := range steps {
			errs = append(errs, step(ctx))
		}
		return errors.Join(errs...)
	}
}

// deliveryPruner deletes what was kept only to deliver messages and read button presses.
type deliveryPruner interface {
	// PruneDelivered deletes messages sent, and buttons of cases closed, before before,
	// except what an open case, an unsent message or a live alert still needs.
	PruneDelivered(ctx context.Context, before time.Time) (store.Pruned, error)
}

var _ deliveryPruner = (*store.DB)(nil)

// pruneDelivered deletes the messages sent, and the buttons of cases closed, longer than
// keep ago.
func pruneDelivered(db deliveryPruner, keep time.Duration, now func() time.Time, log zerolog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		p, err := db.PruneDelivered(ctx, now().Add(-keep))
		if err != nil {
			return fmt.Errorf("delete what was delivered over %s ago: %w", keep, err)
		}
		if p.Messages+p.Buttons+p.Alerts > 0 {
			log.Info().Int("messages", p.Messages).Int("buttons", p.Buttons).Int("alert_groups", p.Alerts).
				Dur("keep_sent", keep).Msg("deleted delivered messages and closed cases' buttons")
		}
		return nil
	}
}

// textPurger erases the words customers wrote before a time.
type textPurger interface {
	// PurgeTexts erases the words of tickets written before before and returns how many.
	PurgeTexts(ctx context.Context, before time.Time) (int, error)
}

var _ textPurger = (*store.DB)(nil)

// purgeOldTexts erases customers' words older than the retention period.
func purgeOldTexts(db textPurger, retention time.Duration, now func() time.Time, log zerolog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := db.PurgeTexts(ctx, now().Add(-retention))
		if err != nil {
			return fmt.Errorf("purge texts older than %s: %w", retention, err)
		}
		if n > 0 {
			log.Info().Int("tickets", n).Dur("retention", retention).Msg("erased customers' words past retention")
		}
		return nil
	}
}

// hourPacker packs the hours of conversations changed since they were packed.
type hourPacker interface {
	// PackReportHours packs up to limit changed hours and returns how many.
	PackReportHours(ctx context.Context, limit int) (int, error)
}

var _ hourPacker = (*store.DB)(nil)

// packHours keeps the hourly roll-up of conversations, which reports read, up to date.
func packHours(db hourPacker, log zerolog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := db.PackReportHours(ctx, 10_000)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Debug().Int("hours", n).Msg("conversation hours packed")
		}
		return nil
	}
}
