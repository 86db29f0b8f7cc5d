package vk

import (
	"context"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify/supervise"
)

// schedule is how every repeating VK job (the long poll, reconciliation, post checks) runs
// on the shared retry loop: at start, then every `every` (0: again at once) and when woken,
// with back-off for transient failures, and for a refused token a long pause and one
// OnTokenProblem call per distinct error.
type schedule struct {
	groupID        int64
	every          time.Duration
	backoff        supervise.Backoff
	authRetry      time.Duration // DefaultAuthRetry when zero
	onTokenProblem TokenProblemFunc
	metrics        *Metrics // counts every failure; nil counts nothing
	log            zerolog.Logger
	wake           <-chan struct{} // nil: no on-demand runs
	what           string          // names the work in log lines
}

// run runs work until ctx ends.
func (s schedule) run(ctx context.Context, work func(context.Context) error) {
	loop := supervise.Loop{
		Every: s.every, Backoff: s.backoff, Wake: s.wake, Log: s.log, What: s.what,
		Decide: s.decider(),
	}
	_ = loop.Run(ctx, work) // it only ends with ctx
}

// decider returns the Decide of one run: it remembers which token problem it reported, so
// that an outage is reported once and again only when the error changes or the token
// worked in between.
func (s schedule) decider() func(context.Context, error, int) supervise.Decision {
	var reported api.ErrorType // the token problem last reported, 0 when none
	return func(ctx context.Context, err error, failures int) supervise.Decision {
		if failures == 1 {
			reported = 0 // the work succeeded since the last report, or never failed
		}
		s.metrics.failed(s.groupID, err)
		if !isAuthError(err) {
			return supervise.Decision{}
		}
		// Retrying soon will not help: someone has to fix the token or its rights.
		if code := vkCode(err); code != reported {
			reported = code
			if s.onTokenProblem != nil {
				s.onTokenProblem(ctx, s.groupID, err)
			}
		}
		delay := s.authRetry
		if delay <= 0 {
			delay = DefaultAuthRetry
		}
		return supervise.Decision{Delay: delay, Severe: true}
	}
}
