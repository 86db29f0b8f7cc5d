package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
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

// digestJob queues each configured person's digest when its time has come. The period is
// recorded with the queued message (Service.QueueDigest), so a digest due while modwatch
// was down is sent at the next start, once.
type digestJob struct {
	svc      *justify.Service
	db       reportReader
	cfg      *configs.Config
	lang     string
	people   []digestRecipient
	now      func() time.Time
	log      zerolog.Logger
	onQueued func()
}

type digestRecipient struct {
	person   justify.Person
	schedule report.Schedule
}

func newDigestJob(cfg *configs.Config, svc *justify.Service, db reportReader, now func() time.Time, log zerolog.Logger, onQueued func()) (*digestJob, error) {
	j := &digestJob{svc: svc, db: db, cfg: cfg, lang: cfg.Language, now: now, log: log, onQueued: onQueued}
	dir := cfg.Directory()
	for i, pc := range cfg.People {
		if pc.Digest == nil {
			continue
		}
		sch, err := digestSchedule(fmt.Sprintf("people[%d].digest", i), *pc.Digest)
		if err != nil {
			return nil, err
		}
		p, _ := dir.ByName(pc.Name)
		j.people = append(j.people, digestRecipient{person: p, schedule: sch})
	}
	return j, nil
}

// run queues every digest that is due; it is called every minute.
func (j *digestJob) run(ctx context.Context) error {
	now := j.now()
	for _, r := range j.people {
		from, to := r.schedule.Period(now)
		if to.IsZero() {
			continue
		}
		if err := j.queue(ctx, r, from, to, true); err != nil {
			return fmt.Errorf("digest for %s: %w", r.person.Name, err)
		}
	}
	return nil
}

// SendNow queues a person's digest of [from, to) at once, whatever their schedule: the
// demo shows a digest of its own story this way.
func (j *digestJob) SendNow(ctx context.Context, name string, from, to time.Time) error {
	for _, r := range j.people {
		if r.person.Name == name {
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
func (j *digestJob) queue(ctx context.Context, r digestRecipient, from, to time.Time, scheduled bool) error {
	end := to.UTC().Format(time.RFC3339)
	var due []int64
	for _, cm := range j.cfg.VK.Communities {
		key := digestKey(r.person.Name, cm.GroupID)
		last, err := j.svc.Cursor(ctx, key)
		if err != nil {
			return err
		}
		switch {
		case last >= end:
		case last == "" && scheduled:
			if err := j.svc.SaveCursor(ctx, key, end); err != nil {
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
	in, err := loadReport(ctx, j.db, j.cfg, from.In(r.schedule.Location), to.In(r.schedule.Location))
	if err != nil {
		return err
	}
	rep := report.Compute(in)
	for _, groupID := range due {
		part, ok := rep.Community(groupID)
		if !ok {
			continue
		}
		d, err := report.Digest(part, j.lang, r.schedule.Location)
		if err != nil {
			return fmt.Errorf("render digest of community %d: %w", groupID, err)
		}
		queued, err := j.svc.QueueDigest(ctx, r.person, digestKey(r.person.Name, groupID), end, d)
		if err != nil {
			return err
		}
		if queued {
			j.log.Info().Str("person", r.person.Name).Int64("group_id", groupID).Time("from", from).Time("to", to).Msg("digest queued")
			if j.onQueued != nil {
				j.onQueued()
			}
		}
	}
	return nil
}
