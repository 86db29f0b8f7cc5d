package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

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
