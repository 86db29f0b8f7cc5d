package daemon

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk"
)

// Reloaded says what a reload changed.
type Reloaded struct {
	// Started, Stopped and Restarted name the components the reload started, stopped, and
	// built anew from changed settings (a community's "vk-10", "digests"...), sorted.
	Started, Stopped, Restarted []string
	// NeedsRestart names the changed keys that take effect only at the next start; the
	// daemon goes on with the values it started with.
	NeedsRestart []string
	// Warnings are what `config check` warns of in the new config.
	Warnings []string
	// NotReady lists the communities started by the reload whose watcher had not yet
	// completed a long poll when the reload returned.
	NotReady []int64
}

// ErrNoSource is Reload's error for a daemon started without a config file to read.
var ErrNoSource = errors.New("the daemon was started without a config file to read again")

// forLife are the keys a running daemon cannot change: the database and its lock, the
// log, the health listener, and the bot's connection and language. A reload reports a
// change of one as needing a restart and keeps the value the daemon started with.
var forLife = []struct {
	key   string
	field func(*configs.Config) any // a pointer to the key's field
}{
	{"database", func(c *configs.Config) any { return &c.Database }},
	{"litestream", func(c *configs.Config) any { return &c.Litestream }},
	{"language", func(c *configs.Config) any { return &c.Language }},
	{"log.level", func(c *configs.Config) any { return &c.Log.Level }},
	{"log.format", func(c *configs.Config) any { return &c.Log.Format }},
	{"health.listen", func(c *configs.Config) any { return &c.Health.Listen }},
	{"telegram.token_env", func(c *configs.Config) any { return &c.Telegram.TokenEnv }},
	{"telegram.api_endpoint", func(c *configs.Config) any { return &c.Telegram.APIEndpoint }},
	{"telegram.poll_timeout", func(c *configs.Config) any { return &c.Telegram.PollTimeout }},
}

// keepForLife lists the keys of forLife that next changes against running, and the bot
// token when it changed, and sets them back in next to running's values.
func keepForLife(next *configs.Config, nextSecrets *configs.Secrets, running *configs.Config, runningSecrets configs.Secrets) []string {
	var changed []string
	for _, k := range forLife {
		to, from := reflect.ValueOf(k.field(next)).Elem(), reflect.ValueOf(k.field(running)).Elem()
		if !reflect.DeepEqual(to.Interface(), from.Interface()) {
			changed = append(changed, k.key)
			to.Set(from)
		}
	}
	if nextSecrets.Telegram != runningSecrets.Telegram {
		if !slices.Contains(changed, "telegram.token_env") {
			changed = append(changed, "the bot token (telegram.token_env)")
		}
		nextSecrets.Telegram = runningSecrets.Telegram
	}
	return changed
}

// Reload reads the config again from Options.Source (the file, and the env file and
// environment for tokens) and applies it while the daemon runs: people, communities,
// deadlines, thresholds, schedules and the rest change at once; a community added starts
// its VK jobs and one removed stops them, its cases and events staying in the database;
// components whose settings did not change go on undisturbed. Keys the daemon cannot
// change while it runs (forLife) are reported in NeedsRestart and otherwise ignored.
//
// A config that `config check` would refuse, or that cannot be built, is refused as a
// whole: the one in force stays, managers and owners get an alert naming the problems,
// the log says so, and the error wraps the problems (configs.Problems for the file's).
// SIGHUP calls it; reloads run one at a time.
func (d *Daemon) Reload(ctx context.Context) (Reloaded, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	log := d.log.With().Str("component", "reload").Logger()
	if d.opts.Source.Path == "" {
		return Reloaded{}, ErrNoSource
	}
	cfg, secrets, err := d.opts.Source.Load()
	if err != nil {
		return Reloaded{}, d.refuse(ctx, err)
	}
	res := Reloaded{Warnings: cfg.Warnings(secrets)}
	res.NeedsRestart = keepForLife(cfg, &secrets, d.cfg, d.secrets)
	p, err := d.plan(cfg, secrets)
	if err != nil {
		return Reloaded{}, d.refuse(ctx, err)
	}

	// What goes away or changes stops first, so that nothing of the old config acts
	// under the new one; the settings change; then what is new or changed starts.
	for _, name := range sortedKeys(d.keys) {
		next, ok := p.components[name]
		switch {
		case !ok:
			d.group.Remove(name)
			res.Stopped = append(res.Stopped, name)
		case next.key != d.keys[name]:
			d.group.Remove(name)
			res.Restarted = append(res.Restarted, name)
		}
	}
	d.configure(cfg, secrets, p)
	starting := map[int64]bool{}
	for _, name := range sortedKeys(p.components) {
		c := p.components[name]
		if old, ok := d.keys[name]; ok && old == c.key {
			continue // unchanged: still running, or done (a backfill) and not to run again
		}
		if _, ok := d.keys[name]; !ok {
			res.Started = append(res.Started, name)
		}
		if c.groupID != 0 {
			d.refused.Delete(c.groupID) // a new token deserves a new chance
			starting[c.groupID] = true
		}
		if err := d.group.Add(name, c.run); err != nil {
			return res, fmt.Errorf("reload: %w", err) // the daemon is stopping
		}
	}
	d.keys = map[string]string{}
	for name, c := range p.components {
		d.keys[name] = c.key
	}

	// Like Start, a reload returns once its new watchers are ready, within the time a
	// watcher has to poll before it counts as unhealthy.
	wait, cancel := context.WithTimeout(ctx, staleAfter(cfg))
	defer cancel()
	var groups []int64
	for _, g := range p.communities {
		if starting[g] {
			groups = append(groups, g)
		}
	}
	d.waitReady(wait, groups)
	for _, g := range groups {
		if ts, err := d.service.Cursor(ctx, vk.CursorKey(g)); err != nil || ts == "" {
			if _, bad := d.refused.Load(g); !bad {
				res.NotReady = append(res.NotReady, g)
			}
		}
	}

	for _, key := range res.NeedsRestart {
		log.Warn().Str("key", key).Msg("config changed a key that needs a restart; the running value stays until then")
	}
	for _, w := range res.Warnings {
		log.Warn().Str("warning", w).Msg("config warning")
	}
	log.Info().Strs("started", res.Started).Strs("stopped", res.Stopped).Strs("restarted", res.Restarted).
		Strs("needs_restart", res.NeedsRestart).Ints64("not_ready", res.NotReady).
		Int("communities", len(cfg.VK.Communities)).Int("people", len(cfg.People)).Msg("config reloaded")
	d.notify(fmt.Sprintf("READY=1\nSTATUS=watching %d communities for %d people; config reloaded at %s",
		len(cfg.VK.Communities), len(cfg.People), d.now().Format(time.RFC3339)))
	return res, nil
}

// configure hands the settings of cfg to everything that holds them. Start and Reload
// both call it, so that a key reaching the daemon at start reaches it on a reload too.
func (d *Daemon) configure(cfg *configs.Config, secrets configs.Secrets, p plan) {
	d.service.Configure(serviceSettings(cfg, secrets))
	d.bot.Configure(botSettings(cfg, secrets, d.db, d.now))
	d.bot.SetLimits(TelegramLimits(cfg.Telegram))
	d.reverser.cur.Store(newReverser(cfg, secrets))
	d.mon.watch(p.communities, staleAfter(cfg))
	d.digests.Store(p.digests)
	d.setup.Store(p.setup)
	d.cfg, d.secrets = cfg, secrets
}

// refuse keeps the config in force after err, and says so: in the log, to the service
// manager, and to managers and owners through the outbox, with the words `config check`
// would print.
func (d *Daemon) refuse(ctx context.Context, err error) error {
	d.log.Error().Str("component", "reload").Str("config", d.opts.Source.Path).Err(err).
		Msg("config refused; the one in force stays")
	a := justify.Alert{Kind: justify.AlertConfig, Key: "config:" + fingerprint(err.Error())[:16],
		Subject: d.opts.Source.Path, Detail: err.Error()}
	if aerr := d.service.Alert(ctx, a); aerr != nil {
		d.log.Error().Str("component", "reload").Err(aerr).Msg("alert about a refused config")
	} else {
		d.bot.Wake()
	}
	d.notify(fmt.Sprintf("READY=1\nSTATUS=config refused at %s; the one in force stays (see the log)", d.now().Format(time.RFC3339)))
	return fmt.Errorf("config refused, the one in force stays: %w", err)
}

// liveReverser is the reverser of the tokens in force: a reload with a new community or
// a rotated token swaps the VK reverser under the service.
type liveReverser struct {
	cur atomic.Pointer[vk.Reverser]
}

var (
	_ justify.Reverser    = (*liveReverser)(nil)
	_ justify.UndoChecker = (*liveReverser)(nil)
)

func (r *liveReverser) Unban(ctx context.Context, groupID, userVKID int64) error {
	return r.cur.Load().Unban(ctx, groupID, userVKID)
}

func (r *liveReverser) Restore(ctx context.Context, item justify.Ref) error {
	return r.cur.Load().Restore(ctx, item)
}

func (r *liveReverser) Banned(ctx context.Context, groupID, userVKID int64) (bool, error) {
	return r.cur.Load().Banned(ctx, groupID, userVKID)
}

func (r *liveReverser) Deleted(ctx context.Context, item justify.Ref) (bool, error) {
	return r.cur.Load().Deleted(ctx, item)
}

// sortedKeys lists a map's keys in order, for reloads that act and log in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
