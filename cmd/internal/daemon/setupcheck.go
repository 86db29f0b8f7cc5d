package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/watchers/vk"
)

// SetupTarget is one thing the setup check asks about: a community in VK, or Telegram
// (GroupID 0). `config check --online` and the daemon's periodic check share them.
type SetupTarget struct {
	GroupID int64
	// Name is how the report names it: "community 123456 (Brand support)", "Telegram".
	Name  string
	Check func(ctx context.Context) ([]justify.SetupProblem, error)
	// Fix fixes what of the problems it can and says what it changed; nil when nothing
	// can be fixed from modwatch (Telegram).
	Fix func(ctx context.Context, problems []justify.SetupProblem) ([]string, error)
}

// VKSetupTargets are the communities of cfg, each checked with its tokens.
func VKSetupTargets(cfg *configs.Config, secrets configs.Secrets) []SetupTarget {
	names := cfg.Communities(secrets)
	var out []SetupTarget
	for _, cm := range cfg.VK.Communities {
		sc := vk.SetupConfig{GroupID: cm.GroupID, Token: secrets.Community[cm.GroupID],
			UserToken: secrets.CommunityAdmin[cm.GroupID], APIURL: cfg.VK.MethodURL()}
		out = append(out, SetupTarget{
			GroupID: cm.GroupID,
			Name:    fmt.Sprintf("community %d (%s)", cm.GroupID, names[cm.GroupID].Name),
			Check:   func(ctx context.Context) ([]justify.SetupProblem, error) { return vk.CheckSetup(ctx, sc) },
			Fix: func(ctx context.Context, ps []justify.SetupProblem) ([]string, error) {
				return vk.FixSetup(ctx, sc, ps)
			},
		})
	}
	return out
}

// SetupChats lists the group chats the bot must be able to write to, each with the
// config key that names it. The team chats of the config (a review chat, an alerts chat,
// per community or for all) are listed here as the config names them; a config without
// any has none, and the bot then writes to people only.
func SetupChats(cfg *configs.Config) []telegram.SetupChat {
	var chats []telegram.SetupChat
	add := func(key string, id int64) {
		if id != 0 {
			chats = append(chats, telegram.SetupChat{Key: key, ChatID: id})
		}
	}
	add("telegram.review_chat", cfg.Telegram.ReviewChat)
	add("telegram.alerts_chat", cfg.Telegram.AlertsChat)
	for i, cm := range cfg.VK.Communities {
		add(fmt.Sprintf("vk.communities[%d].review_chat", i), cm.ReviewChat)
		add(fmt.Sprintf("vk.communities[%d].alerts_chat", i), cm.AlertsChat)
	}
	return chats
}

// setupWatch runs the setup check from time to time and tells managers and owners of
// each problem once: a problem found again at the next check is not repeated, one that
// went away and comes back is told again. A restart forgets, and so reminds once.
type setupWatch struct {
	targets []SetupTarget
	alert   func(ctx context.Context, a justify.Alert) error
	wake    func()
	now     func() time.Time
	log     zerolog.Logger

	mu sync.Mutex
	// alerted holds, per target, the keys of the problems told and still there.
	alerted map[int64]map[string]bool
}

// skipped are the problems the daemon does not alert about: the watchers already do, at
// once, when VK refuses a token (AlertToken).
var skipped = map[justify.SetupCheck]bool{justify.CheckCommunityToken: true, justify.CheckUserToken: true}

// run checks every target and alerts about the problems not told yet. A target VK or
// Telegram could not be asked about keeps what was told of it; the error, which names
// them, makes the loop try again soon.
func (w *setupWatch) run(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.alerted == nil {
		w.alerted = map[int64]map[string]bool{}
	}
	var errs []error
	told := 0
	for _, t := range w.targets {
		problems, err := t.Check(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("check the setup of %s: %w", t.Name, err))
			continue
		}
		now := map[string]bool{}
		for _, p := range problems {
			if skipped[p.Check] {
				continue
			}
			key := p.Key()
			now[key] = true
			if w.alerted[t.GroupID][key] {
				continue
			}
			w.log.Warn().Int64("group_id", p.GroupID).Str("check", string(p.Check)).Str("name", p.Name).
				Bool("required", p.Required).Str("problem", p.Problem).Str("fix", p.Fix).Msg("setup problem")
			if err := w.alert(ctx, p.Alert(w.now())); err != nil {
				// Not marked as told: the next check tries again.
				errs = append(errs, fmt.Errorf("alert about %s: %w", key, err))
				delete(now, key)
				continue
			}
			told++
		}
		for key := range w.alerted[t.GroupID] {
			if !now[key] {
				w.log.Info().Int64("group_id", t.GroupID).Str("key", key).Msg("setup problem resolved")
			}
		}
		w.alerted[t.GroupID] = now
	}
	if told > 0 && w.wake != nil {
		w.wake()
	}
	return errors.Join(errs...)
}

// newSetupWatch wires the daemon's setup check: every community, and the bot's group
// chats.
func newSetupWatch(cfg *configs.Config, secrets configs.Secrets, svc *justify.Service, bot *telegram.Bot, now func() time.Time, log zerolog.Logger) *setupWatch {
	targets := VKSetupTargets(cfg, secrets)
	if chats := SetupChats(cfg); len(chats) > 0 {
		targets = append(targets, SetupTarget{Name: "Telegram", Check: func(ctx context.Context) ([]justify.SetupProblem, error) {
			return bot.CheckChats(ctx, chats)
		}})
	}
	return &setupWatch{targets: targets, alert: svc.Alert, wake: bot.Wake, now: now, log: log}
}

// CheckSetup runs the daemon's setup check now, as it runs at start and every
// vk.setup_check_every: problems not told yet are alerted.
func (d *Daemon) CheckSetup(ctx context.Context) error {
	return d.setup.Load().run(ctx)
}

// planSetup builds the setup check of cfg's communities and chats into p and, unless
// vk.setup_check_every is 0, its periodic component. A reload with changed communities,
// tokens, chats or period starts the check anew, and so tells of each problem once more.
func (d *Daemon) planSetup(p *plan, cfg *configs.Config, secrets configs.Secrets) {
	log := d.log.With().Str("component", "setup").Logger()
	w := newSetupWatch(cfg, secrets, d.service, d.bot, d.now, log)
	p.setup = w
	period := cfg.VK.SetupCheckEvery
	if period <= 0 {
		return
	}
	key := fingerprint(period, cfg.VK.MethodURL(), cfg.VK.Communities, secrets.Community, secrets.CommunityAdmin, SetupChats(cfg))
	p.components["setup-check"] = component{key: key, run: func(ctx context.Context) error {
		// At once, then every period; a check VK could not answer is retried sooner.
		every(ctx, period, log, "check the setup", w.run)
		return nil
	}}
}
