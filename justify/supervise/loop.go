package supervise

import (
	"context"
	"time"

	"github.com/rs/zerolog"
)

// Loop is modwatch's one retry-loop shape (litestream's): do the work, pause, again, until
// the context ends. A failure is logged once per attempt with consecutive_errors and paced by
// Backoff, unless Decide says otherwise; the first success after failures logs "recovered".
// Errors are returned by the work, never logged by it: the loop is the boundary.
type Loop struct {
	// Every is the pause after a success; 0 runs the work again at once.
	Every time.Duration
	// Backoff paces retries after a failure.
	Backoff Backoff
	// Wake, when not nil, cuts a healthy pause short (a retry after a failure is already
	// coming and covers the wake-up).
	Wake <-chan struct{}
	// Decide, when set, is told of each failure and may replace the pause (a refused token
	// waits long; a rate limit waits what the server asked) and raise the log level to
	// Error; returning stop ends the loop (the work gave up for good).
	Decide func(ctx context.Context, err error, failures int) Decision
	// Log receives one line per failure and per recovery.
	Log zerolog.Logger
	// What names the work in log lines ("check deadlines").
	What string
}

// Decision is what Loop.Decide says of one failure.
type Decision struct {
	// Delay replaces the back-off's pause when positive.
	Delay time.Duration
	// Severe logs the failure as an error, not a warning: someone has to act.
	Severe bool
	// Stop ends the loop: retrying cannot help.
	Stop bool
}

// Run runs work until ctx ends or Decide says stop. It returns ctx's error when ctx ended,
// and the last error of the work when it stopped.
func (l Loop) Run(ctx context.Context, work func(context.Context) error) error {
	failures := 0
	for ctx.Err() == nil {
		err := work(ctx)
		if ctx.Err() != nil {
			break
		}
		delay := l.Every
		if err == nil {
			if failures > 0 {
				l.Log.Info().Int("consecutive_errors", failures).Msg(l.What + " recovered")
			}
			failures = 0
		} else {
			failures++
			d := Decision{}
			if l.Decide != nil {
				d = l.Decide(ctx, err, failures)
			}
			delay = d.Delay
			if delay <= 0 {
				delay = l.Backoff.Delay(failures)
			}
			ev := l.Log.Warn()
			if d.Severe || d.Stop {
				ev = l.Log.Error()
			}
			if d.Stop {
				ev.Err(err).Int("consecutive_errors", failures).Msg(l.What + ", giving up")
				return err
			}
			ev.Err(err).Int("consecutive_errors", failures).Dur("retry_in", delay).Msg(l.What)
		}
		wake := l.Wake
		if failures > 0 {
			wake = nil
		}
		if !SleepOrWake(ctx, delay, wake) {
			break
		}
	}
	return ctx.Err()
}

// Retry runs work until it succeeds, ctx ends, Decide says stop, or attempts tries have
// failed (0: no limit), pacing and logging the failures as Run does. It returns nil on
// success and the last error otherwise. Use it for one piece of work that must finish (a
// backfill, loading a saved position); Run for work that repeats.
func (l Loop) Retry(ctx context.Context, attempts int, work func(context.Context) error) error {
	for failures := 1; ; failures++ {
		err := work(ctx)
		if err == nil {
			if failures > 1 {
				l.Log.Info().Int("consecutive_errors", failures-1).Msg(l.What + " recovered")
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := Decision{}
		if l.Decide != nil {
			d = l.Decide(ctx, err, failures)
		}
		if d.Stop || (attempts > 0 && failures >= attempts) {
			l.Log.Error().Err(err).Int("consecutive_errors", failures).Msg(l.What + ", giving up")
			return err
		}
		delay := d.Delay
		if delay <= 0 {
			delay = l.Backoff.Delay(failures)
		}
		ev := l.Log.Warn()
		if d.Severe {
			ev = l.Log.Error()
		}
		ev.Err(err).Int("consecutive_errors", failures).Dur("retry_in", delay).Msg(l.What)
		if !Sleep(ctx, delay) {
			return ctx.Err()
		}
	}
}
