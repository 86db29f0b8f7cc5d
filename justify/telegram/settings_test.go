package telegram

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
)

// TestConfigureWhileRunning changes the team and a community's name while the bot runs,
// as a reload of the config does: a stranger refused before is greeted after, gets the
// prompt of their next ban, and messages name the community as the config now does.
func TestConfigureWhileRunning(t *testing.T) {
	e := newEnv(t, withLang("en"))
	e.start()
	e.startAll()
	e.srv.SendText(stranger, "/start")
	e.waitMsg(stranger, "serves a moderation team only")

	sergey := justify.Person{Name: "Sergey", Role: justify.RoleOperator, VKID: 113, TelegramID: stranger}
	dir := justify.NewDirectory(append(append([]justify.Person(nil), people...), sergey))
	communities := map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Beans & Co", CanReverse: true}}
	set := e.svc.Settings()
	set.People, set.Communities = dir, communities
	e.svc.Configure(set)
	e.bot.Configure(Settings{People: dir, Communities: communities, Location: time.UTC, AlertWindow: 30 * time.Minute})

	e.srv.SendText(stranger, "/start")
	e.waitMsg(stranger, "Hello, Sergey")
	e.ban(113, "Maria Ivanova", "")
	prompt := e.waitMsg(stranger, "Maria Ivanova")
	assert.Contains(t, prompt.Text, "Beans & Co", "the community's new name")
	assert.NotContains(t, prompt.Text, "Зерно")

	// The alert window the bot names is the one in force.
	require.NoError(t, e.svc.Alert(t.Context(), justify.Alert{Kind: justify.AlertToken, GroupID: groupID, Key: "k", Subject: "community token", Count: 2}))
	e.bot.Wake()
	alert := e.waitMsg(olgaTG, "2 times")
	assert.Contains(t, alert.Text, "30 min")
}

// TestBotReadsSettingsThroughTheSnapshot keeps a reload working: Deps and Config hold the
// settings the bot started with, so a method of the bot reading them would miss every
// change of the config. The bot reads them through Configure's snapshot (settings.go).
func TestBotReadsSettingsThroughTheSnapshot(t *testing.T) {
	startOnly := map[string]map[string]bool{
		"deps": {"People": true, "Communities": true, "Stats": true},
		"cfg":  {"Location": true, "AlertWindow": true},
	}
	for _, r := range justifytest.FieldReads(t, "Bot", "settings.go") {
		if len(r.Path) == 2 && startOnly[r.Path[0]][r.Path[1]] {
			t.Errorf("%s: %s.%s.%s is what the bot started with; read the settings in force (settings.go)",
				r.Pos, r.Recv, r.Path[0], r.Path[1])
		}
	}
}
