package main

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// every runs fn at once and then every period until ctx ends, logging failures with the
// count of consecutive ones so a stuck job is visible without flooding the log.
func every(ctx context.Context, period time.Duration, log zerolog.Logger, what string, fn func(context.Context) error) {
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	failures := 0
	for {
		if err := fn(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			log.Warn().Err(err).Int("consecutive_errors", failures).Msg(what)
		} else {
			if failures > 0 {
				log.Info().Msg(what + " recovered")
			}
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// purgeOldTexts erases customers' words older than the retention period.
func purgeOldTexts(db *store.DB, retention time.Duration, now func() time.Time, log zerolog.Logger) func(context.Context) error {
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
	db       *store.DB
	cfg      *Config
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

func newDigestJob(cfg *Config, svc *justify.Service, db *store.DB, now func() time.Time, log zerolog.Logger, onQueued func()) (*digestJob, error) {
	j := &digestJob{svc: svc, db: db, cfg: cfg, lang: cfg.Language, now: now, log: log, onQueued: onQueued}
	dir := cfg.directory()
	for i, pc := range cfg.People {
		if pc.Digest == nil {
			continue
		}
		sch, err := pc.Digest.schedule(fmt.Sprintf("people[%d].digest", i))
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
		if err := j.queue(ctx, r, from, to); err != nil {
			return fmt.Errorf("digest for %s: %w", r.person.Name, err)
		}
	}
	return nil
}

// queue sends one digest per community for the period [from, to).
func (j *digestJob) queue(ctx context.Context, r digestRecipient, from, to time.Time) error {
	// The period's times are in the owner's zone, so the chart's hours and the text's
	// dates are the owner's.
	in, err := loadReport(ctx, j.db, j.cfg, from.In(r.schedule.Location), to.In(r.schedule.Location))
	if err != nil {
		return err
	}
	rep := report.Compute(in)
	end := to.UTC().Format(time.RFC3339)
	for _, cm := range j.cfg.VK.Communities {
		part, ok := rep.Community(cm.GroupID)
		if !ok {
			continue
		}
		d, err := report.Digest(part, j.lang, r.schedule.Location)
		if err != nil {
			return fmt.Errorf("render digest of community %d: %w", cm.GroupID, err)
		}
		// One cursor per person and community: a crash between two communities' digests
		// sends the missing one, not both again.
		who := r.person
		who.Name = fmt.Sprintf("%s:%d", r.person.Name, cm.GroupID)
		queued, err := j.svc.QueueDigest(ctx, who, end, d)
		if err != nil {
			return err
		}
		if queued {
			j.log.Info().Str("person", r.person.Name).Int64("group_id", cm.GroupID).Time("from", from).Time("to", to).Msg("digest queued")
			if j.onQueued != nil {
				j.onQueued()
			}
		}
	}
	return nil
}
