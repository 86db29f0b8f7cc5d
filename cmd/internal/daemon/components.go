package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/watchers/vk"
)

// component is a supervised run that the config decides: a reload starts it anew when
// key, what it was built from, changes.
type component struct {
	run func(context.Context) error
	key string
	// groupID is the community the component works for; 0 for the daemon's own jobs.
	groupID int64
}

// plan is what a config asks the daemon to run besides its fixed components, built in
// full before anything of it runs, so that a config that cannot be built changes nothing.
type plan struct {
	components  map[string]component
	communities []int64 // in the config's order
	digests     *report.DigestJob
	setup       *setupWatch // the setup check of the config's communities and chats
}

// fingerprint is a short digest of what a component is built from. Tokens go into it
// too, so that a rotated token restarts its community's components; the digest never
// leaves the daemon's memory.
func fingerprint(parts ...any) string {
	b, err := json.Marshal(parts)
	if err != nil {
		// Every part is plain data; an error here would be a bug, and a fresh key only
		// restarts the component.
		return fmt.Sprintf("unencodable:%d", time.Now().UnixNano())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fixedComponents are the components that live as long as the daemon: the bot's loops,
// the reversals and the health endpoints, whose address needs a restart to change.
func (d *Daemon) fixedComponents(cfg *configs.Config) (map[string]func(context.Context) error, error) {
	runs := map[string]func(context.Context) error{}
	// The send loop and the update loop restart on their own: a panic in one leaves the
	// other running.
	maps.Copy(runs, d.bot.Components())
	// VK calls of managers' reversals, outside the update loop: a slow VK holds up no press.
	runs["reversals"] = d.service.RunReversals
	// The inbox's deriver: long-poll answers become tickets, cases and dialogs.
	runs["inbox"] = d.service.RunInbox
	if cfg.Health.Listen != "" {
		// Listening now makes a taken port a start error, not a line in the log of a
		// daemon the orchestrator then thinks is unready.
		ln, err := net.Listen("tcp", cfg.Health.Listen)
		if err != nil {
			return nil, fmt.Errorf("health.listen: %w", err)
		}
		hlog := d.log.With().Str("component", "health").Logger()
		runs["health"] = func(ctx context.Context) error {
			// The listener is gone once Serve fails: a restart could not serve again.
			if err := d.mon.serveHealth(ctx, ln, d.db, hlog); err != nil {
				hlog.Error().Err(err).Msg("health endpoints are off")
			}
			return nil
		}
	}
	return runs, nil
}

// plan builds every component cfg asks for: each community's VK jobs and the periodic
// jobs. Nothing runs yet.
func (d *Daemon) plan(cfg *configs.Config, secrets configs.Secrets) (plan, error) {
	p := plan{components: map[string]component{}}
	if err := d.planCommunities(&p, cfg, secrets); err != nil {
		return plan{}, err
	}
	log := d.log
	checkEvery := cfg.Justify.CheckEvery
	p.components["deadlines"] = component{key: fingerprint(checkEvery), run: func(ctx context.Context) error {
		// Reminders and escalations are written to the outbox; Wake sends them now.
		every(ctx, checkEvery, log.With().Str("component", "deadlines").Logger(), "check deadlines",
			func(ctx context.Context) error {
				err := d.service.Tick(ctx)
				if err == nil {
					d.bot.Wake()
				}
				return err
			})
		return nil
	}}
	// The sweep reads its timeout from the service's settings; only its period is built in.
	p.components["stuck-reversals"] = component{key: fingerprint(checkEvery), run: func(ctx context.Context) error {
		// What it settles is written to the outbox; OnReversal wakes the sender.
		every(ctx, checkEvery, log.With().Str("component", "stuck_reversals").Logger(), "sweep stuck reversals",
			d.service.SweepReversals)
		return nil
	}}

	// Signs that time alone makes due (an answer deadline passing) and idle time, then the
	// hourly roll-up that reports read. The rules come from the service's settings.
	clog := log.With().Str("component", "conversations").Logger()
	pack := packHours(d.db, clog)
	p.components["conversations"] = component{key: fingerprint(checkEvery), run: func(ctx context.Context) error {
		every(ctx, min(checkEvery, 10*time.Second), clog, "find due signs", func(ctx context.Context) error {
			// Upkeep that may wait: the writer serves what opens cases and prompts first.
			ctx = justify.Bulk(ctx)
			if err := d.service.TickConversations(ctx); err != nil {
				return err
			}
			return pack(ctx)
		})
		return nil
	}}

	// Spot checks: the rule comes from the service's settings, the schedule from the store.
	qlog := log.With().Str("component", "spot_checks").Logger()
	p.components["spot-checks"] = component{key: fingerprint(checkEvery), run: func(ctx context.Context) error {
		every(ctx, min(checkEvery, time.Minute), qlog, "send spot checks", spotChecks(d.service, d.bot.Wake, qlog))
		return nil
	}}

	recipients, err := digestRecipients(cfg)
	if err != nil {
		return plan{}, fmt.Errorf("schedule digests: %w", err)
	}
	options := ReportOptions(cfg)
	p.digests = &report.DigestJob{Reader: d.db, Options: options, Queue: d.service, Language: cfg.Language,
		Recipients: recipients, Now: d.now, Log: log.With().Str("component", "digests").Logger(), OnQueued: d.bot.Wake}
	job := p.digests
	p.components["digests"] = component{key: fingerprint(options, cfg.People, cfg.Language, checkEvery), run: func(ctx context.Context) error {
		// As often as deadlines: a digest is due at a minute of the owner's clock.
		every(ctx, min(checkEvery, time.Minute), job.Log, "queue digests", job.QueueDue)
		return nil
	}}

	d.planSetup(&p, cfg, secrets)

	rlog := log.With().Str("component", "retention").Logger()
	prune := retention(d.db, cfg, d.now, rlog)
	p.components["retention"] = component{key: fingerprint(cfg.Telegram.KeepSent, cfg.Tickets.Retention), run: func(ctx context.Context) error {
		every(justify.Bulk(ctx), time.Hour, rlog, "apply retention", prune)
		return nil
	}}
	return p, nil
}

// planCommunities adds each community's VK jobs to p: the long-poll watcher, the
// reconciliation of bans and, with an admin's user token, the post checks and the
// backfill.
func (d *Daemon) planCommunities(p *plan, cfg *configs.Config, secrets configs.Secrets) error {
	// One HTTP client for the long polls, made anew only when the wait changes: VK
	// budgets requests per client and token.
	if d.vkClient == nil || d.vkClient.Timeout != cfg.VK.LongPollWait+15*time.Second {
		d.vkClient = &http.Client{Timeout: cfg.VK.LongPollWait + 15*time.Second}
	}
	vkClient := d.vkClient
	vkSettings := cfg.VK
	vkSettings.Communities = nil
	for _, cm := range cfg.VK.Communities {
		p.communities = append(p.communities, cm.GroupID)
		wlog := d.log.With().Str("component", "vk").Int64("group_id", cm.GroupID).Logger()
		sink := wakingSink{Service: d.service, bot: d.bot, mon: d.mon, groupID: cm.GroupID}
		token, userToken := secrets.Community[cm.GroupID], secrets.CommunityAdmin[cm.GroupID]
		key := fingerprint(cm, vkSettings, token, userToken)
		add := func(name string, run func(context.Context) error) {
			p.components[fmt.Sprintf(name, cm.GroupID)] = component{run: run, key: key, groupID: cm.GroupID}
		}
		rec, err := vk.NewReconciler(vk.ReconcilerConfig{
			GroupID: cm.GroupID, Token: token, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.ReconcileEvery,
			Now: d.now, OnTokenProblem: d.tokenProblem("community token"), Metrics: d.vkMetrics,
		}, sink, wlog)
		if err != nil {
			return fmt.Errorf("reconcile community %d: %w", cm.GroupID, err)
		}
		w, err := vk.NewWatcher(vk.WatcherConfig{
			GroupID: cm.GroupID, Token: token,
			APIURL: cfg.VK.MethodURL(), Wait: cfg.VK.LongPollWait, HTTPClient: vkClient,
			OnHistoryLost: rec.OnHistoryLost, OnTokenProblem: d.tokenProblem("community token"),
			OnPoll:  func(g int64) { d.mon.polled(g, d.now()) },
			Metrics: d.vkMetrics, Answers: d.answers,
		}, sink, wlog)
		if err != nil {
			return fmt.Errorf("watch community %d: %w", cm.GroupID, err)
		}
		add("vk-%d", w.Run)
		add("vk-reconcile-%d", rec.Run)
		// VK sends no event when a conversation is marked answered without a word.
		up, err := vk.NewUnansweredPoller(vk.UnansweredConfig{
			GroupID: cm.GroupID, Token: token, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.UnansweredCheckEvery,
			Now: d.now, OnTokenProblem: d.tokenProblem("community token"), Metrics: d.vkMetrics,
		}, d.service, wlog)
		if err != nil {
			return fmt.Errorf("read unanswered conversations of community %d: %w", cm.GroupID, err)
		}
		add("vk-unanswered-%d", up.Run)

		// Deleted wall posts and the wall's history need an admin's user token; config
		// check warns when it is missing.
		if userToken == "" {
			wlog.Info().Msg("no admin user token: deleted wall posts are not detected and the wall is not backfilled")
			continue
		}
		pc, err := vk.NewPostChecker(vk.PostCheckerConfig{
			GroupID: cm.GroupID, UserToken: userToken, APIURL: cfg.VK.MethodURL(), Every: cfg.VK.PostCheckEvery,
			Now: d.now, OnTokenProblem: d.tokenProblem("admin user token"), Metrics: d.vkMetrics,
		}, sink, wlog)
		if err != nil {
			return fmt.Errorf("check posts of community %d: %w", cm.GroupID, err)
		}
		add("vk-posts-%d", pc.Run)
		if cfg.VK.BackfillPosts > 0 {
			bf, err := vk.NewBackfiller(vk.BackfillConfig{
				GroupID: cm.GroupID, UserToken: userToken, APIURL: cfg.VK.MethodURL(),
				Posts: cfg.VK.BackfillPosts, Comments: cfg.VK.BackfillComments,
			}, sink, wlog)
			if err != nil {
				return fmt.Errorf("backfill community %d: %w", cm.GroupID, err)
			}
			// Run returns nil once the backfill is done, which ends its supervision.
			add("vk-backfill-%d", bf.Run)
		}
	}
	return nil
}

// tokenProblem alerts managers and owners that VK refused a community's token (which),
// and remembers the community as one whose watcher will not become ready.
func (d *Daemon) tokenProblem(which string) vk.TokenProblemFunc {
	return func(ctx context.Context, groupID int64, problem error) {
		d.refused.Store(groupID, true)
		err := d.service.Alert(ctx, justify.Alert{
			Kind: justify.AlertToken, GroupID: groupID, Key: fmt.Sprintf("token:%d:%s", groupID, which),
			Subject: which, Detail: problem.Error(),
		})
		if err != nil {
			d.log.Error().Err(err).Int64("group_id", groupID).Msg("alert about a refused token")
			return
		}
		d.bot.Wake()
	}
}
