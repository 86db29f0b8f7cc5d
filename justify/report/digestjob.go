package report

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// DigestQueue is where digests go. The service queues a digest and records its period in
// the same transaction, so a restart neither skips nor repeats one.
type DigestQueue interface {
	// Cursor returns the last period end recorded under key, "" when none.
	Cursor(ctx context.Context, key string) (string, error)
	// SaveCursor records a period as done without sending anything.
	SaveCursor(ctx context.Context, key, value string) error
	// QueueDigest queues d for owner unless key already records periodEnd or later, and
	// reports whether it queued it.
	QueueDigest(ctx context.Context, owner justify.Person, key, periodEnd string, d justify.Digest) (bool, error)
}

var _ DigestQueue = (*justify.Service)(nil)

// Recipient is a person who gets digests, and when.
type Recipient struct {
	Person   justify.Person
	Schedule Schedule
}

// DigestJob queues each recipient's digests, one per watched community, when their time
// has come. The period is recorded with the queued message, so a digest due while
// modwatch was down is sent at the next start, once.
type DigestJob struct {
	// Reader and Options are those of every report: a digest has the figures of the CLI's
	// report of the same period.
	Reader  Reader
	Options Options
	// Queue records each digest with its period (the service).
	Queue DigestQueue
	// Language is the digests' language ("ru" or "en").
	Language string
	// Recipients are the people with a digest in the config; each gets one per watched
	// community (Options.Communities) of their scope.
	Recipients []Recipient
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log records each queued digest.
	Log zerolog.Logger
	// OnQueued, when set, is called after each queued digest (to send it at once).
	OnQueued func()
}

// QueueDue queues every digest that is due. It is meant to be called every minute: a
// digest is due at a minute of its recipient's clock.
func (j *DigestJob) QueueDue(ctx context.Context) error {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	at := now()
	for _, r := range j.Recipients {
		from, to := r.Schedule.Period(at)
		if to.IsZero() {
			continue
		}
		if err := j.queue(ctx, r, from, to, true); err != nil {
			return fmt.Errorf("digest for %s: %w", r.Person.Name, err)
		}
	}
	return nil
}

// SendNow queues a person's digest of [from, to) at once, whatever their schedule: the
// demo shows a digest of its own story this way.
func (j *DigestJob) SendNow(ctx context.Context, name string, from, to time.Time) error {
	for _, r := range j.Recipients {
		if r.Person.Name == name {
			return j.queue(ctx, r, from, to, false)
		}
	}
	return fmt.Errorf("%s has no digest in the config", name)
}

// digestKey is the cursor of one person's digests of one community: a crash between two
// communities' digests sends the missing one, not both again.
func digestKey(name string, groupID int64) string { return fmt.Sprintf("digest:%s:%d", name, groupID) }

// queue sends one digest per community for the period [from, to). On schedule, a period
// that ended before the person ever had a digest is only marked done: a new install (or a
// newly added owner) starts with the next period instead of an empty report of the past.
func (j *DigestJob) queue(ctx context.Context, r Recipient, from, to time.Time, scheduled bool) error {
	end := to.UTC().Format(time.RFC3339)
	var due []int64
	for _, cm := range j.Options.Communities {
		if !r.Person.Covers(cm.GroupID) {
			continue // another brand's figures are not theirs to read
		}
		key := digestKey(r.Person.Name, cm.GroupID)
		last, err := j.Queue.Cursor(ctx, key)
		if err != nil {
			return err
		}
		switch {
		case last >= end:
		case last == "" && scheduled:
			if err := j.Queue.SaveCursor(ctx, key, end); err != nil {
				return err
			}
		default:
			due = append(due, cm.GroupID)
		}
	}
	if len(due) == 0 {
		return nil
	}
	// The period's times are in the person's zone, so the chart's hours and the text's
	// dates are theirs.
	loc := r.Schedule.Location
	if loc == nil {
		loc = time.UTC
	}
	// The same figures as the CLI's report; the examples are the worst, not the newest.
	opts := j.Options
	opts.Worst = DigestWorst
	rep, err := Load(ctx, j.Reader, opts, from.In(loc), to.In(loc))
	if err != nil {
		return err
	}
	for _, groupID := range due {
		part, ok := rep.Community(groupID)
		if !ok {
			continue
		}
		d, err := Digest(part, j.Language, loc)
		if err != nil {
			return fmt.Errorf("render digest of community %d: %w", groupID, err)
		}
		queued, err := j.Queue.QueueDigest(ctx, r.Person, digestKey(r.Person.Name, groupID), end, d)
		if err != nil {
			return err
		}
		if queued {
			j.Log.Info().Str("person", r.Person.Name).Int64("group_id", groupID).Time("from", from).Time("to", to).Msg("digest queued")
			if j.OnQueued != nil {
				j.OnQueued()
			}
		}
	}
	return nil
}
