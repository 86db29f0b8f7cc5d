// Package daemon wires modwatch's components from its config and runs them under one
// supervisor. `modwatch run`, the demo, the load run and the end-to-end tests all start
// the daemon through Start.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/supervise"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk"
)

// Options steers a daemon started in-process.
type Options struct {
	// Now is the daemon's clock; time.Now when nil. Tests move it to reach deadlines.
	Now func() time.Time
	// Version is the build's version, logged at the start.
	Version string
	// RememberStrangers bounds the refused strangers the bot remembers;
	// telegram.DefaultRememberStrangers when zero. Tests lower it.
	RememberStrangers int
	// Source is where Reload reads the config again (the file the daemon started from);
	// a daemon without one cannot reload.
	Source configs.Source
	// Notify, when set, is told of the daemon's state in systemd's sd_notify words
	// ("READY=1", "RELOADING=1", "STATUS=..."); it must not block.
	Notify func(state string)
}

// Daemon is one running modwatch: its components, wired and supervised.
type Daemon struct {
	db       *store.DB
	service  *justify.Service
	bot      *telegram.Bot
	mon      *monitor
	reverser *liveReverser
	digests  atomic.Pointer[report.DigestJob]
	setup    atomic.Pointer[setupWatch]
	log      zerolog.Logger
	now      func() time.Time
	opts     Options

	// Built once: registering metrics twice would panic, and a reload must not rebuild them.
	vkMetrics *vk.Metrics
	// answers bounds the long-poll answers held until recorded, across all watchers.
	answers  vk.AnswerSlots
	vkClient *http.Client
	// refused remembers communities whose token VK refused, so that waiting for a
	// watcher to be ready does not wait for one that cannot start.
	refused sync.Map

	group *supervise.Group
	// mu makes reloads one at a time; it guards what follows.
	mu      sync.Mutex
	cfg     *configs.Config   // the config in force
	secrets configs.Secrets   // the secrets in force
	keys    map[string]string // each reloadable component's name → what it was built from

	cancel context.CancelFunc
	done   chan struct{} // closed once every component stopped and the store is closed
	err    error         // why the daemon stopped, when it was not asked to; set before done closes
}

// answerSlots is how many long-poll answers the watchers hold at once, read and not
// recorded yet: enough to read the next answers while one is recorded, few enough that a
// burst reaching a hundred communities at once is not held in memory all together.
const answerSlots = 4

// wakingSink records what a community delivered: a long-poll answer is kept in the inbox
// for the deriver (RecordPoll), the rest recorded at once. It tells the bot to look at the
// outbox as soon as something that asks someone is committed, so a prompt leaves within
// the same second as the ban, and counts what a community delivered.
type wakingSink struct {
	*justify.Service
	bot     *telegram.Bot
	mon     *monitor
	groupID int64
}

func (s wakingSink) IngestPoll(ctx context.Context, a justify.PollAnswer) (justify.IngestResult, error) {
	res, err := s.Service.RecordPoll(ctx, a)
	if err == nil {
		// New events are counted as the inbox derives them (OnDerived); a new quarantined
		// update raised an alert, which RecordPoll's OnCases sends now.
		s.mon.received(s.groupID, a.Events, justify.IngestResult{})
	}
	return res, err
}

// Ingest records a batch at once (backfill, post checks): after what the inbox keeps of
// the community, so in the order VK placed them.
func (s wakingSink) Ingest(ctx context.Context, evs []justify.Event, key, value string) (justify.IngestResult, error) {
	res, err := s.Service.IngestPoll(ctx, justify.PollAnswer{Events: evs, CursorKey: key, Cursor: value})
	if err == nil {
		s.mon.received(s.groupID, evs, res)
		if res.New > 0 {
			s.bot.Wake()
		}
	}
	return res, err
}

func (s wakingSink) Reconcile(ctx context.Context, list justify.BanList) (justify.IngestResult, error) {
	res, err := s.Service.Reconcile(ctx, list)
	if err == nil {
		s.mon.received(list.GroupID, list.Bans, res)
		if res.New > 0 {
			s.bot.Wake()
		}
	}
	return res, err
}

// Start wires modwatch from cfg, runs every component under the supervisor and returns
// once the daemon is ready: every community has a saved long-poll position, so an action
// taken from now on reaches modwatch even across a restart, or VK refused its token. It
// also returns when ctx ends first; Wait then says how the daemon ended. On an error
// nothing is left running and the store is closed.
//
// Start first takes the database's lock file (LockPath): while a daemon runs, another
// Start on the same database fails at once with a *LockedError naming that daemon's PID.
// The lock is released once the daemon has stopped and closed the store.
func Start(ctx context.Context, cfg *configs.Config, secrets configs.Secrets, log zerolog.Logger, opts Options) (_ *Daemon, err error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// One daemon per database, taken before the database is touched: a second one would
	// ask about every ban twice and send every message twice.
	lock, err := lockDatabase(cfg.Database)
	if err != nil {
		return nil, err
	}
	db, err := store.OpenWith(ctx, cfg.Database, store.Options{Litestream: cfg.Litestream})
	if err != nil {
		_ = lock.Release()
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer func() {
		if err != nil {
			_ = db.Close() // the error that stopped the start is the one to report
			_ = lock.Release()
		}
	}()

	d := &Daemon{db: db, log: log, now: now, opts: opts, reverser: &liveReverser{}, done: make(chan struct{})}
	d.reverser.cur.Store(newReverser(cfg, secrets))
	d.service = &justify.Service{Store: db, Reverser: d.reverser, Checker: d.reverser, Now: now}
	d.service.Configure(serviceSettings(cfg, secrets))
	if err := d.service.Recover(ctx); err != nil {
		return nil, fmt.Errorf("recover interrupted work: %w", err)
	}
	d.mon = newMonitor(now, db)
	d.mon.inbox = d.service.InboxPending
	d.vkMetrics = vk.NewMetrics(d.mon.reg)
	d.answers = vk.NewAnswerSlots(answerSlots)
	bs := botSettings(cfg, secrets, db, now)
	d.bot, err = telegram.New(telegram.Config{
		Token:       secrets.Telegram,
		Endpoint:    cfg.Telegram.EndpointFormat(),
		Lang:        cfg.Language,
		PollTimeout: cfg.Telegram.PollTimeout,
		Location:    bs.Location,
		AlertWindow: bs.AlertWindow,
		Limits:      TelegramLimits(cfg.Telegram),
		// Zero takes the bot's default; tests lower it to see strangers forgotten.
		RememberStrangers: opts.RememberStrangers,
	}, telegram.Deps{
		Service: d.service, Cursors: d.service, Cases: db, Outbox: db, Buttons: db,
		People: bs.People, Communities: bs.Communities, Now: now, Stats: bs.Stats,
		Metrics: telegram.NewMetrics(d.mon.reg),
	}, log)
	if err != nil {
		return nil, fmt.Errorf("start telegram bot: %w", err)
	}
	rlog := log.With().Str("component", "reversals").Logger()
	d.service.OnReversal = func(r justify.ReversalResult) {
		l := rlog.With().Int64("case_id", int64(r.CaseID)).Int64("group_id", r.GroupID).Logger()
		if r.Waited > 0 {
			l = l.With().Dur("waited", r.Waited).Logger()
		}
		switch {
		case r.Err != nil:
			l.Error().Err(r.Err).Msg("save reversal result")
			return
		case r.Retried:
			l.Warn().Msg("reversal never reached VK, started again")
			return
		case r.Undo != nil:
			l.Warn().Err(r.Undo).Msg("reversal left to be done by hand")
		default:
			l.Info().Msg("reversal done in VK")
		}
		d.bot.Wake() // the edited review and the outcome leave now
	}
	// Prompts leave as soon as their cases are committed, before the rest of a burst is.
	d.service.OnCases = func() { d.bot.Wake() }
	ilog := log.With().Str("component", "inbox").Logger()
	d.service.OnDerived = func(r justify.IngestResult) {
		d.mon.derived(r)
		if r.New+r.Duplicate+r.Invalid+r.History+r.Quarantined > 0 {
			ilog.Info().Int("new", r.New).Int("duplicate", r.Duplicate).Int("invalid", r.Invalid).Int("history", r.History).
				Int("quarantined", r.Quarantined).Int("opened", len(r.Opened)).Msg("events derived")
		}
	}

	// Everything is built before anything runs, so a bad community stops the start
	// without leaving goroutines behind; the health listener, opened last, neither.
	plan, err := d.plan(cfg, secrets)
	if err != nil {
		return nil, err
	}
	d.configure(cfg, secrets, plan)
	// The events a stop left in the inbox are planned before any watcher records more,
	// with the people of this config.
	if err := d.service.OpenInbox(ctx); err != nil {
		return nil, err
	}
	// Last, as it opens the health listener, which an error above would leave open.
	fixed, err := d.fixedComponents(cfg)
	if err != nil {
		return nil, err
	}

	// Every component is supervised: a failure or a panic restarts it with back-off and
	// leaves the others running. The group lets a reload add and remove components.
	ctx, d.cancel = context.WithCancel(ctx)
	d.group = supervise.Supervisor{Metrics: supervise.NewMetrics(d.mon.reg)}.Group(ctx, log)
	for name, run := range fixed {
		_ = d.group.Add(name, run) // fails only once ctx ended, which Wait reports
	}
	d.keys = map[string]string{}
	for name, c := range plan.components {
		_ = d.group.Add(name, c.run)
		d.keys[name] = c.key
	}
	go func() {
		defer close(d.done)
		d.group.Wait()
		d.notify("STOPPING=1")
		log.Info().Msg("modwatch stopped")
		if err := db.Close(); err != nil {
			log.Error().Err(err).Msg("close database")
		}
		// Only once the database is closed may the next daemon open it.
		if err := lock.Release(); err != nil {
			log.Error().Err(err).Msg("release database lock")
		}
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.err = err
		}
	}()
	log.Info().Int("communities", len(cfg.VK.Communities)).Int("people", len(cfg.People)).Str("version", opts.Version).
		Bool("litestream", cfg.Litestream).Msg("modwatch started")
	// Every component runs and is supervised: ready, for systemd. A community whose VK
	// does not answer yet must not hold up the others, nor the service manager.
	d.notify("READY=1\nSTATUS=started; waiting for each community's first long poll")
	d.waitReady(ctx, plan.communities)
	d.notify(fmt.Sprintf("STATUS=watching %d communities for %d people", len(cfg.VK.Communities), len(cfg.People)))
	return d, nil
}

// waitReady returns once every community of groups has a saved long-poll position or a
// refused token, or once ctx ends.
func (d *Daemon) waitReady(ctx context.Context, groups []int64) {
	for _, g := range groups {
		for ctx.Err() == nil {
			if ts, err := d.service.Cursor(ctx, vk.CursorKey(g)); err == nil && ts != "" {
				break
			}
			if _, bad := d.refused.Load(g); bad {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// notify tells the service manager of the daemon's state, when one listens.
func (d *Daemon) notify(state string) {
	if d.opts.Notify != nil {
		d.opts.Notify(state)
	}
}

// Wait blocks until the daemon has stopped, because its context ended or Stop was called,
// and every component has returned and the store is closed. It returns the context's
// cause when that is not a plain cancellation (a deadline, say), and nil otherwise.
func (d *Daemon) Wait() error {
	<-d.done
	return d.err
}

// Stop ends the daemon as SIGTERM would and waits for it, like Wait.
func (d *Daemon) Stop() error {
	d.cancel()
	return d.Wait()
}

// Store is the daemon's database, for the demo, the load run and tests to read.
func (d *Daemon) Store() *store.DB { return d.db }

// Service is the daemon's workflow service.
func (d *Daemon) Service() *justify.Service { return d.service }

// HealthHandler serves the daemon's GET /healthz and GET /metrics.
func (d *Daemon) HealthHandler() http.Handler { return d.mon.handler(d.db) }

// SendDigest queues a person's digest of [from, to) at once, whatever their schedule: the
// demo shows a digest of its own story this way.
func (d *Daemon) SendDigest(ctx context.Context, name string, from, to time.Time) error {
	return d.digests.Load().SendNow(ctx, name, from, to)
}

// Components lists the running components by name, sorted: "vk-10" is community 10's
// watcher, "deadlines" the deadline checks.
func (d *Daemon) Components() []string { return d.group.Names() }
