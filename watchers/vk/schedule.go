package vk

import (
	"context"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify/supervise"
)

// schedule runs a piece of work at start, then every `every` (0: again at once) and when
// woken, pacing retries: back-off for transient failures, a long pause and one
// OnTokenProblem call for a refused token.
type schedule struct {
	groupID        int64
	every          time.Duration
	backoff        supervise.Backoff
	authRetry      time.Duration // DefaultAuthRetry when zero
	onTokenProblem TokenProblemFunc
	onError        func(err error) // told of every failure; optional
	log            zerolog.Logger
	wake           <-chan struct{} // nil: no on-demand runs
	what           string          // log message for a failure
}

func (s schedule) run(ctx context.Context, work func(context.Context) error) {
	failures := 0
	var reported api.ErrorType // the token problem last reported, 0 when none
	for ctx.Err() == nil {
		err := work(ctx)
		if ctx.Err() != nil {
			return
		}
		delay := s.every
		if err == nil {
			if failures > 0 {
				s.log.Info().Int("consecutive_errors", failures).Msg("recovered")
			}
			failures, reported = 0, 0
		} else {
			failures++
			if s.onError != nil {
				s.onError(err)
			}
			delay = s.backoff.Delay(failures)
			ev := s.log.Warn()
			if isAuthError(err) {
				// Retrying soon will not help: someone has to fix the token or its rights.
				delay = s.authRetry
				if delay <= 0 {
					delay = DefaultAuthRetry
				}
				ev = s.log.Error()
				if code := vkCode(err); code != reported {
					reported = code
					if s.onTokenProblem != nil {
						s.onTokenProblem(ctx, s.groupID, err)
					}
				}
			}
			ev.Err(err).Int("consecutive_errors", failures).Dur("retry_in", delay).Msg(s.what)
		}
		if delay > 0 && !s.sleep(ctx, delay, failures == 0) {
			return
		}
	}
}

// sleep waits d, or less when woken while healthy (a retry after a failure is already
// coming and covers the wake-up). It reports false when ctx ended.
func (s schedule) sleep(ctx context.Context, d time.Duration, wakeable bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	wake := s.wake
	if !wakeable {
		wake = nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}
