package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// reloadable are the config's keys a reload applies while the daemon runs, through
// serviceSettings, botSettings or plan; forLife lists the rest. A key added to the config
// belongs in one of the two, once it is known to reach the running daemon that way.
var reloadable = []string{
	"time_zone",
	"vk.api_url", "vk.long_poll_wait", "vk.reconcile_every", "vk.post_check_every",
	"vk.backfill_posts", "vk.backfill_comments", "vk.setup_check_every",
	// A community's keys restart its VK jobs and reach the settings through
	// Config.Communities; a person's reach them through Config.Directory.
	"vk.communities[]", "people[]",
	"telegram.pace", "telegram.keep_sent",
	// Team chats reach the service and the bot through Config.Communities and
	// Config.AlertsChat, and the setup check is planned anew with them.
	"telegram.review_chat", "telegram.review_topic", "telegram.alerts_chat", "telegram.alerts_topic",
	"justify.deadline", "justify.remind_before", "justify.check_every", "justify.group_after", "justify.group_within",
	"justify.reversal_timeout",
	"alerts.wave_count", "alerts.wave_within", "alerts.group_within", "alerts.signs_per_day",
	"tickets.retention", "tickets.answer_within",
	"vk.unanswered_check_every",
	// The service's settings and the reports' options are built from them on every reload;
	// dialogs already built keep the signs found under the rules of their time.
	"conversations.stall_after", "conversations.template_min_customers", "conversations.repeat_within",
	"conversations.idle_after", "conversations.new_dialog_after", "conversations.greetings[]",
	"conversations.holding_replies[]", "conversations.one_word_replies[]", "conversations.thanks[]",
	// The service's settings carry the rule; the schedule itself is kept in the database.
	"qa.every", "qa.sample",
}

// configKeys lists the config's keys as dotted paths; a list's items are one key, "[]".
func configKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		switch ft := f.Type; {
		case ft.Kind() == reflect.Slice:
			out = append(out, key+"[]")
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Duration]():
			out = append(out, configKeys(ft, key+".")...)
		default:
			out = append(out, key)
		}
	}
	return out
}

// TestEveryKeyReloadsOrNeedsARestart keeps reloads whole: a new key in the config fails
// here until someone says whether a reload applies it or it needs a restart.
func TestEveryKeyReloadsOrNeedsARestart(t *testing.T) {
	restart := map[string]bool{}
	for _, k := range forLife {
		restart[k.key] = true
	}
	for _, key := range configKeys(reflect.TypeFor[configs.Config](), "") {
		r, l := slices.Contains(reloadable, key), restart[key]
		assert.True(t, r || l, "config key %s: neither reloaded nor listed as needing a restart (reload.go's forLife, or reloadable here once a reload applies it)", key)
		assert.False(t, r && l, "config key %s is listed both as reloaded and as needing a restart", key)
	}
}

func TestKeepForLife(t *testing.T) {
	running := configs.Defaults()
	running.Database, running.Health.Listen = "/var/lib/modwatch/modwatch.db", "127.0.0.1:9464"
	runningSecrets := configs.Secrets{Telegram: "1:old"}
	tests := []struct {
		name   string
		change func(*configs.Config, *configs.Secrets)
		want   []string
	}{
		{name: "nothing that needs a restart", change: func(c *configs.Config, _ *configs.Secrets) { c.Justify.Deadline = time.Minute }},
		{name: "database and log", change: func(c *configs.Config, _ *configs.Secrets) { c.Database, c.Log.Level = "/tmp/other.db", "debug" },
			want: []string{"database", "log.level"}},
		{name: "the bot token's value", change: func(_ *configs.Config, s *configs.Secrets) { s.Telegram = "1:new" },
			want: []string{"the bot token (telegram.token_env)"}},
		{name: "the bot token's variable", change: func(c *configs.Config, s *configs.Secrets) { c.Telegram.TokenEnv, s.Telegram = "OTHER", "1:new" },
			want: []string{"telegram.token_env"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, nextSecrets := running, runningSecrets
			tt.change(&next, &nextSecrets)
			deadline := next.Justify.Deadline
			got := keepForLife(&next, &nextSecrets, &running, runningSecrets)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, running.Database, next.Database, "the running value stays")
			assert.Equal(t, running.Log, next.Log)
			assert.Equal(t, running.Telegram.TokenEnv, next.Telegram.TokenEnv)
			assert.Equal(t, runningSecrets.Telegram, nextSecrets.Telegram)
			assert.Equal(t, deadline, next.Justify.Deadline, "what reloads is left as the file says")
		})
	}
}

// reloadConfig is a daemon config with a community per group id; extra is appended.
const reloadConfig = `
database: %s
health:
  listen: 127.0.0.1:0
vk:
  api_url: %s
  long_poll_wait: 1s
  reconcile_every: %s
  communities:
%s
telegram:
  token_env: TG
  api_endpoint: %s
  poll_timeout: 1s
people:
  - {name: Ivan, role: operator, vk_id: 11, telegram_id: 101}
  - {name: Olga, role: manager, telegram_id: 201}
`

type reloadEnv struct {
	t      *testing.T
	dir    string
	vk     *vktest.Server
	tg     *telegramtest.Server
	env    map[string]string
	every  string
	broken string // appended to the file when set
	d      *Daemon
	logs   *justifytest.SyncBuffer
}

func newReloadEnv(t *testing.T) *reloadEnv {
	e := &reloadEnv{t: t, dir: t.TempDir(), vk: vktest.New(), tg: telegramtest.New(testBotToken), every: "10m",
		logs: &justifytest.SyncBuffer{}, env: map[string]string{"TG": testBotToken}}
	t.Cleanup(func() { e.tg.Close(); e.vk.Close() })
	for _, g := range []int64{1, 2, 3} {
		token := fmt.Sprintf("reload-test-community-%d", g)
		e.vk.AddGroup(g, token)
		e.env[fmt.Sprintf("VK%d", g)] = token
	}
	return e
}

// write writes the config file watching groups.
func (e *reloadEnv) write(groups ...int64) {
	var cs strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&cs, "    - {group_id: %d, name: \"Brand %d\", token_env: VK%d}\n", g, g, g)
	}
	doc := fmt.Sprintf(reloadConfig, filepath.Join(e.dir, "modwatch.db"), e.vk.URL(), e.every, cs.String(), e.tg.URL()) + e.broken
	require.NoError(e.t, os.WriteFile(filepath.Join(e.dir, "modwatch.yaml"), []byte(doc), 0o600))
}

func (e *reloadEnv) source() configs.Source {
	return configs.Source{Path: filepath.Join(e.dir, "modwatch.yaml"), LookupEnv: func(k string) (string, bool) { v, ok := e.env[k]; return v, ok }}
}

func (e *reloadEnv) start(groups ...int64) {
	e.write(groups...)
	cfg, secrets, err := e.source().Load()
	require.NoError(e.t, err)
	e.d, err = Start(context.Background(), cfg, secrets, zerolog.New(e.logs), Options{Source: e.source()})
	require.NoError(e.t, err)
	e.t.Cleanup(func() { _ = e.d.Stop() })
}

// watched is what /healthz reports on.
func (e *reloadEnv) watched() []string {
	rec := httptest.NewRecorder()
	e.d.HealthHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var rep HealthReport
	require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &rep))
	var out []string
	for g := range rep.Watchers {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

func TestReloadAddsRemovesAndRestartsComponents(t *testing.T) {
	e := newReloadEnv(t)
	e.start(1, 2)
	ctx := context.Background()
	require.Contains(t, e.d.Components(), "vk-1")
	fixed := []string{"health", "inbox", "reversals", "telegram-send", "telegram-updates"}

	e.write(2, 3)
	began := time.Now()
	res, err := e.d.Reload(ctx)
	require.NoError(t, err)
	t.Logf("a reload that adds and removes a community took %s", time.Since(began))
	assert.Equal(t, []string{"vk-3", "vk-reconcile-3", "vk-unanswered-3"}, res.Started)
	assert.Equal(t, []string{"vk-1", "vk-reconcile-1", "vk-unanswered-1"}, res.Stopped)
	assert.Equal(t, []string{"digests", "setup-check"}, res.Restarted, "the digests and the setup check cover the communities in force")
	assert.Empty(t, res.NotReady, "the reload returns once the new watcher polled")
	assert.Equal(t, sortedCopy(append(fixed, "conversations", "deadlines", "digests", "retention", "setup-check", "spot-checks", "stuck-reversals",
		"vk-2", "vk-3", "vk-reconcile-2", "vk-reconcile-3", "vk-unanswered-2", "vk-unanswered-3")),
		e.d.Components())
	assert.Equal(t, []string{"2", "3"}, e.watched())
	assert.NotEmpty(t, e.vk.Ts(3))

	began = time.Now()
	res, err = e.d.Reload(ctx)
	require.NoError(t, err)
	t.Logf("a reload that changes nothing took %s", time.Since(began))
	assert.Empty(t, res.Started, "the same file changes nothing")
	assert.Empty(t, res.Stopped)
	assert.Empty(t, res.Restarted)

	e.every = "5m"
	e.write(2, 3)
	res, err = e.d.Reload(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"vk-2", "vk-3", "vk-reconcile-2", "vk-reconcile-3", "vk-unanswered-2", "vk-unanswered-3"}, res.Restarted, "VK settings rebuild the VK jobs only")

	// A rotated token restarts its community only, and the setup check that asks VK
	// with it.
	e.vk.AddGroup(2, "rotated-community-token-2")
	e.env["VK2"] = "rotated-community-token-2"
	res, err = e.d.Reload(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"setup-check", "vk-2", "vk-reconcile-2", "vk-unanswered-2"}, res.Restarted)
	assert.NotContains(t, e.logs.String(), "rotated-community-token-2")
}

func TestReloadRefusesABrokenConfigAndKeepsTheOld(t *testing.T) {
	e := newReloadEnv(t)
	e.start(1)
	before := e.d.Components()
	deadline := e.d.Service().Settings().Deadline

	e.broken = "justify:\n  deadline: soon\n"
	e.write(1, 2)
	_, err := e.d.Reload(context.Background())
	require.Error(t, err)
	var problems configs.Problems
	require.ErrorAs(t, err, &problems, "the problems config check names")
	assert.Contains(t, err.Error(), "justify.deadline")
	assert.Equal(t, before, e.d.Components(), "nothing started nor stopped")
	assert.Equal(t, deadline, e.d.Service().Settings().Deadline)
	assert.Equal(t, []string{"1"}, e.watched())
	assert.Contains(t, e.logs.String(), "config refused; the one in force stays")

	// A config whose token variable is unset is refused the same way.
	e.broken = ""
	delete(e.env, "VK2")
	e.write(1, 2)
	_, err = e.d.Reload(context.Background())
	require.ErrorAs(t, err, &problems)
	assert.Contains(t, err.Error(), "VK2")
	assert.Equal(t, before, e.d.Components())
}

func TestReloadNeedsASource(t *testing.T) {
	cfg, secrets := startConfig(t)
	d, err := Start(context.Background(), cfg, secrets, zerolog.Nop(), Options{})
	require.NoError(t, err)
	defer func() { _ = d.Stop() }()
	_, err = d.Reload(context.Background())
	assert.ErrorIs(t, err, ErrNoSource)
}

func TestReloadNotifiesTheServiceManager(t *testing.T) {
	e := newReloadEnv(t)
	var states justifytest.SyncBuffer
	e.write(1)
	cfg, secrets, err := e.source().Load()
	require.NoError(t, err)
	d, err := Start(context.Background(), cfg, secrets, zerolog.Nop(), Options{Source: e.source(),
		Notify: func(s string) { _, _ = states.Write([]byte(s + "\n--\n")) }})
	require.NoError(t, err)
	assert.Contains(t, states.String(), "READY=1")
	assert.Contains(t, states.String(), "STATUS=watching 1 communities for 2 people")

	e.write(1, 2)
	_, err = d.Reload(context.Background())
	require.NoError(t, err)
	assert.Contains(t, states.String(), "STATUS=watching 2 communities for 2 people; config reloaded at")
	e.broken = "nonsense: [\n"
	e.write(1, 2)
	_, err = d.Reload(context.Background())
	require.Error(t, err)
	assert.Contains(t, states.String(), "STATUS=config refused at")
	require.NoError(t, d.Stop())
	assert.True(t, strings.HasSuffix(states.String(), "STOPPING=1\n--\n"))
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
