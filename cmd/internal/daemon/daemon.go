// Package daemon wires modwatch's components from its config and runs them under one
// supervisor. `modwatch run`, the demo, the load run and the end-to-end tests all start
// the daemon through Start.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"sync"
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
}

// Daemon is one running modwatch: its components, wired and supervised.
type Daemon struct {
	db      *store.DB
	service *justify.Service
	bot     *telegram.Bot
	mon     *monitor
	digests *report.DigestJob

	cancel context.CancelFunc
	done   chan struct{} // closed once every component stopped and the store is closed
	err    error         // why the daemon stopped, when it was not asked to; set before done closes
}

// wakingSink tells the bot to look at the outbox as soon as new events are committed, so a
// prompt leaves within the same second as the ban, and counts what a community delivered.
type wakingSink struct {
	*justify.Service
	bot     *telegram.Bot
	mon     *monitor
	groupID int64
	now     func() time.Time
}

func (s wakingSink) Ingest(ctx context.Context, evs []justify.Event, key, value string) (justify.IngestResult, error) {
	res, err := s.Service.Ingest(ctx, evs, key, value)
	if err == nil {
		s.mon.received(s.groupID, evs, res)
		if res.New > 0 {
			s.bot.Wake()
		}
	}
	return res, err
}

func (s wakingSink) Reconcile(ctx context.Context, groupID int64, mark justify.RecordMark, fetchedAt time.Time, bans []justify.Event) (justify.IngestResult, error) {
	res, err := s.Service.Reconcile(ctx, groupID, mark, fetchedAt, bans)
	if err == nil {
		s.mon.received(groupID, bans, res)
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
func Start(ctx context.Context, cfg *configs.Config, secrets configs.Secrets, log zerolog.Logger, opts Options) (_ *Daemon, err error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer func() {
		if err != nil {
			_ = db.Close() // the error that stopped the start is the one to report
		}
	}()

	people := cfg.Directory()
	communities := cfg.Communities(secrets)
	// No HTTP client of its own: the reverser shares each token's request budget with the
	// communities' other VK work.
	reverser := vk.NewReverser(cfg.VK.MethodURL(), secrets.CommunityAdmin, nil)
	// board.restoreComment is the one reversal VK allows with the community's own token.
	reverser.UseCommunityTokens(secrets.Community)
	svc := &justify.Service{
		Store:        db,
		People:       people,
		Communities:  communities,
		Reverser:     reverser,
		Now:          now,
		Deadline:     cfg.Justify.Deadline,
		RemindBefore: cfg.Justify.RemindBefore,
		Wave:         justify.WaveRule{Count: cfg.Alerts.WaveCount, Within: cfg.Alerts.WaveWithin},
		AlertWindow:  cfg.Alerts.GroupWithin,
		Grouping:     cfg.GroupRule(),
		// Dialogs and signs of shirking in community messages and comments.
		Conversations: cfg.ConversationRules(),
	}
	if err := svc.Recover(ctx); err != nil {
		return nil, fmt.Errorf("recover interrupted work: %w", err)
	}
	var groups []int64
	for _, cm := range cfg.VK.Communities {
		groups = append(groups, cm.GroupID)
	}
	// A watcher is stale when it has not completed a poll in two long-poll waits and a margin.
	mon := newMonitor(groups, 2*cfg.VK.LongPollWait+30*time.Second, now, db)
	bot, err := telegram.New(telegram.Config{
		Token:       secrets.Telegram,
		Endpoint:    cfg.Telegram.EndpointFormat(),
		Lang:        cfg.Language,
		PollTimeout: cfg.Telegram.PollTimeout,
		Location:    cfg.Location(),
		AlertWindow: cfg.Alerts.GroupWithin,
		Limits:      TelegramLimits(cfg.Telegram),
	}, telegram.Deps{
		Service: svc, Cursors: svc, Cases: db, Outbox: db, Buttons: db,
		People: people, Communities: communities, Now: now,
		Stats:   report.TodayStats{Reader: db, Options: ReportOptions(cfg), Location: cfg.Location(), Now: now},
		Metrics: telegram.NewMetrics(mon.reg),
	}, log)
	if err != nil {
		return nil, fmt.Errorf("start telegram bot: %w", err)
	}
	rlog := log.With().Str("component", "reversals").Logger()
	svc.OnReversal = func(r justify.ReversalResult) {
		l := rlog.With().Int64("case_id", int64(r.CaseID)).Int64("group_id", r.GroupID).Logger()
		switch {
		case r.Err != nil:
			l.Error().Err(r.Err).Msg("save reversal result")
			return
		case r.Undo != nil:
			l.Warn().Err(r.Undo).Msg("reversal left to be done by hand")
		default:
			l.Info().Msg("reversal done in VK")
		}
		bot.Wake() // the edited review and the outcome leave now
	}
	recipients, err := digestRecipients(cfg)
	if err != nil {
		return nil, fmt.Errorf("schedule digests: %w", err)
	}
	digests := &report.DigestJob{Reader: db, Options: ReportOptions(cfg), Queue: svc, Language: cfg.Language,
		Recipients: recipients, Now: now, Log: log.With().Str("component", "digests").Logger(), OnQueued: bot.Wake}
	d := &Daemon{db: db, service: svc, bot: bot, mon: mon, digests: digests, done: make(chan struct{})}

	// Everything is built before anything runs, so a bad community stops the start
	// without leaving goroutines behind.
	runs, refused, err := d.components(cfg, secrets, log, now)
	if err != nil {
		return nil, err
	}

	// Every component is supervised: a failure or a panic restarts it with back-off and
	// leaves the others running.
	ctx, d.cancel = context.WithCancel(ctx)
	go func() {
		defer close(d.done)
		supervise.Supervisor{Metrics: supervise.NewMetrics(mon.reg)}.RunAll(ctx, log, runs)
		log.Info().Msg("modwatch stopped")
		if err := db.Close(); err != nil {
			log.Error().Err(err).Msg("close database")
		}
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.err = err
		}
	}()
	log.Info().Int("communities", len(cfg.VK.Communities)).Int("people", len(cfg.People)).Str("version", opts.Version).Msg("modwatch started")
	d.waitReady(ctx, cfg, refused)
	return d, nil
}

// components builds every supervised component by name: each community's VK jobs, the
// bot's loops, reversals, the periodic jobs and the health endpoints. refused is filled
// with the communities whose token VK refuses.
func (d *Daemon) components(cfg *configs.Config, secrets configs.Secrets, log zerolog.Logger, now func() time.Time) (runs map[string]func(context.Context) error, refused *sync.Map, err error) {
	svc, bot, mon, db, digests := d.service, d.bot, d.mon, d.db, d.digests
	runs = map[string]func(context.Context) error{}
	vkClient := &http.Client{Timeout: cfg.VK.LongPollWait + 15*time.Second}

	// refused remembers communities whose token VK refused, so that Start does not wait
	// for a watcher that cannot start.
	refused = &sync.Map{}
	tokenProblem := func(which string) vk.TokenProblemFunc {
		return func(ctx context.Context, groupID int64, problem error) {
			refused.Store(groupID, true)
			err := svc.Alert(ctx, justify.Alert{
				Kind: justify.AlertToken, GroupID: groupID, Key: fmt.Sprintf("token:%d:%s", groupID, which),
				Subject: which, Detail: problem.Error(),
			})
			if err != nil {
				log.Error().Err(err).Int64("group_id", groupID).Msg("alert about a refused token")
				return
			}
			bot.Wake()
		}
	}
	vkMetrics := vk.NewMetrics(mon.reg)
	for _, cm := range cfg.VK.Communities {
		wlog := log.With().Str("component", "vk").Int64("group_id", cm.GroupID).Logger()
		sink := wakingSink{Service: svc, bot: bot, mon: mon, groupID: cm.GroupID, now: now}
		token, userToken := secrets.Community[cm.GroupID], secrets.CommunityAdmin[cm.GroupID]
		rec, err := vk.NewReconciler(vk.ReconcilerConfig{
			GroupID: cm.GroupID, Token: token, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.ReconcileEvery,
			Now: now, OnTokenProblem: tokenProblem("community token"), Metrics: vkMetrics,
		}, sink, wlog)
		if err != nil {
			return nil, nil, fmt.Errorf("reconcile community %d: %w", cm.GroupID, err)
		}
		w, err := vk.NewWatcher(vk.WatcherConfig{
			GroupID: cm.GroupID, Token: token,
			APIURL: cfg.VK.MethodURL(), Wait: cfg.VK.LongPollWait, HTTPClient: vkClient,
			OnHistoryLost: rec.OnHistoryLost, OnTokenProblem: tokenProblem("community token"),
			OnPoll:  func(g int64) { mon.polled(g, now()) },
			Metrics: vkMetrics,
		}, sink, wlog)
		if err != nil {
			return nil, nil, fmt.Errorf("watch community %d: %w", cm.GroupID, err)
		}
		runs[fmt.Sprintf("vk-%d", cm.GroupID)] = w.Run
		runs[fmt.Sprintf("vk-reconcile-%d", cm.GroupID)] = rec.Run
		// VK sends no event when a conversation is marked answered without a word.
		up, err := vk.NewUnansweredPoller(vk.UnansweredConfig{
			GroupID: cm.GroupID, Token: token, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.UnansweredCheckEvery,
			Now: now, OnTokenProblem: tokenProblem("community token"), Metrics: vkMetrics,
		}, svc, wlog)
		if err != nil {
			return nil, nil, fmt.Errorf("read unanswered conversations of community %d: %w", cm.GroupID, err)
		}
		runs[fmt.Sprintf("vk-unanswered-%d", cm.GroupID)] = up.Run

		// Deleted wall posts and the wall's history need an admin's user token; config
		// check warns when it is missing.
		if userToken == "" {
			wlog.Info().Msg("no admin user token: deleted wall posts are not detected and the wall is not backfilled")
			continue
		}
		pc, err := vk.NewPostChecker(vk.PostCheckerConfig{
			GroupID: cm.GroupID, UserToken: userToken, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.PostCheckEvery,
			Now: now, OnTokenProblem: tokenProblem("admin user token"), Metrics: vkMetrics,
		}, sink, wlog)
		if err != nil {
			return nil, nil, fmt.Errorf("check posts of community %d: %w", cm.GroupID, err)
		}
		runs[fmt.Sprintf("vk-posts-%d", cm.GroupID)] = pc.Run
		if cfg.VK.BackfillPosts > 0 {
			bf, err := vk.NewBackfiller(vk.BackfillConfig{
				GroupID: cm.GroupID, UserToken: userToken, APIURL: cfg.VK.MethodURL(),
				Posts: cfg.VK.BackfillPosts, Comments: cfg.VK.BackfillComments,
			}, sink, wlog)
			if err != nil {
				return nil, nil, fmt.Errorf("backfill community %d: %w", cm.GroupID, err)
			}
			// Run returns nil once the backfill is done, which ends its supervision.
			runs[fmt.Sprintf("vk-backfill-%d", cm.GroupID)] = bf.Run
		}
	}
	// The send loop and the update loop restart on their own: a panic in one leaves the
	// other running.
	maps.Copy(runs, bot.Components())
	// VK calls of managers' reversals, outside the update loop: a slow VK holds up no press.
	runs["reversals"] = svc.RunReversals
	runs["deadlines"] = func(ctx context.Context) error {
		// Reminders and escalations are written to the outbox; Wake sends them now.
		every(ctx, cfg.Justify.CheckEvery, log.With().Str("component", "deadlines").Logger(), "check deadlines",
			func(ctx context.Context) error {
				err := svc.Tick(ctx)
				if err == nil {
					bot.Wake()
				}
				return err
			})
		return nil
	}
	runs["conversations"] = func(ctx context.Context) error {
		// Signs that time alone makes due (an answer deadline passing) and idle time, then
		// the hourly roll-up reports read.
		clog := log.With().Str("component", "conversations").Logger()
		pack := packHours(db, clog)
		every(ctx, min(cfg.Justify.CheckEvery, 10*time.Second), clog, "find due signs", func(ctx context.Context) error {
			if err := svc.TickConversations(ctx); err != nil {
				return err
			}
			return pack(ctx)
		})
		return nil
	}
	runs["digests"] = func(ctx context.Context) error {
		// As often as deadlines: a digest is due at a minute of the owner's clock.
		every(ctx, min(cfg.Justify.CheckEvery, time.Minute), log.With().Str("component", "digests").Logger(), "queue digests", digests.QueueDue)
		return nil
	}
	if cfg.Tickets.Retention > 0 {
		rlog := log.With().Str("component", "retention").Logger()
		runs["retention"] = func(ctx context.Context) error {
			every(ctx, time.Hour, rlog, "erase old texts", purgeOldTexts(db, cfg.Tickets.Retention, now, rlog))
			return nil
		}
	}
	if cfg.Health.Listen != "" {
		// Listening now makes a taken port a start error, not a line in the log of a
		// daemon the orchestrator then thinks is unready.
		ln, err := net.Listen("tcp", cfg.Health.Listen)
		if err != nil {
			return nil, nil, fmt.Errorf("health.listen: %w", err)
		}
		hlog := log.With().Str("component", "health").Logger()
		runs["health"] = func(ctx context.Context) error {
			// The listener is gone once Serve fails: a restart could not serve again.
			if err := mon.serveHealth(ctx, ln, db, hlog); err != nil {
				hlog.Error().Err(err).Msg("health endpoints are off")
			}
			return nil
		}
	}
	return runs, refused, nil
}

// waitReady returns once every community has a saved long-poll position or a refused
// token, or once ctx ends.
func (d *Daemon) waitReady(ctx context.Context, cfg *configs.Config, refused *sync.Map) {
	for _, cm := range cfg.VK.Communities {
		for ctx.Err() == nil {
			if ts, err := d.service.Cursor(ctx, vk.CursorKey(cm.GroupID)); err == nil && ts != "" {
				break
			}
			if _, bad := refused.Load(cm.GroupID); bad {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
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
	return d.digests.SendNow(ctx, name, from, to)
}
