package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

const fixWallReplyDelete = "fix: Manage community → API usage → Long Poll API → Event types → Wall: comment deleted"

// setEnv puts the harness's tokens in the process environment, where `config check` reads them.
func (h *harness) setEnv() {
	for _, k := range []string{"E2E_VK", "E2E_VK2", "E2E_VK_USER", "E2E_TG"} {
		v, _ := h.env(k)
		h.t.Setenv(k, v)
	}
}

// configCheck runs `modwatch config check` with args and returns its exit code and output.
func (h *harness) configCheck(args ...string) (int, string, string) {
	h.t.Helper()
	var out, errOut strings.Builder
	code := runCLI(context.Background(), append([]string{"config", "check", "--config", h.configPath()}, args...), &out, &errOut)
	for _, secret := range []string{botToken, vkToken, vk2Token, userToken} {
		require.NotContains(h.t, out.String()+errOut.String(), secret)
	}
	return code, out.String(), errOut.String()
}

// A community whose Long Poll leaves out wall_reply_delete is named by `config check
// --online`, with where to click, and exits 1; --fix turns it on in VK and the next check
// passes. The people the bot could not reach are read from the daemon's database.
func TestSetupCheckNamesAndFixesAMissingEventType(t *testing.T) {
	h := newHarness(t)
	h.setEnv()
	h.vk.SetLongPollEvent(group, "wall_reply_delete", false)

	// A first run: Ivan never pressed Start, so his prompt is refused.
	h.start()
	h.pressStart(operator2TG, managerTG, manager2TG, ownerTG)
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(managerTG, "the alert that Ivan is unreachable", hasText("cannot write to a person"))
	h.stop()

	code, out, errOut := h.configCheck("--online")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "community 10 (Brand support):\n  missing: wall_reply_delete: VK does not send wall_reply_delete events: "+
		"deleted wall comments open no case: an operator can delete them unseen\n    "+fixWallReplyDelete+" (or --fix)\n")
	assert.Contains(t, out, "community 20 (Brand shop):\n  ok: set up as modwatch needs\n")
	assert.Contains(t, out, "warning: Ivan: the bot cannot write to Ivan (operator, Telegram id 1001): they never pressed Start")
	assert.Contains(t, out, "fix: ask Ivan to open @modwatch_bot in Telegram and press Start")
	assert.NotContains(t, out, "Olga:", "Olga got her messages")
	assert.Contains(t, out, "1 required thing(s) missing, 1 warning(s)\n1 of them can be fixed by modwatch: run again with --online --fix")
	assert.Contains(t, errOut, "1 required thing(s) missing in VK or Telegram")
	lp, calls := h.vk.LongPoll(group)
	assert.False(t, lp.Events["wall_reply_delete"], "a check changes nothing")
	assert.Zero(t, calls)

	code, out, _ = h.configCheck("--online", "--fix")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "community 10 (Brand support): turned on wall_reply_delete\n")
	assert.Contains(t, out, "community 10 (Brand support):\n  ok: set up as modwatch needs\n")
	assert.Contains(t, out, "0 required thing(s) missing")
	lp, calls = h.vk.LongPoll(group)
	assert.True(t, lp.Events["wall_reply_delete"])
	assert.Equal(t, 1, calls)

	code, out, _ = h.configCheck("--online")
	assert.Equal(t, 0, code, out)
	assert.NotContains(t, out, "missing:")

	code, _, errOut = h.configCheck("--fix")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--fix needs --online")
}

// Another community's token and a token without a right modwatch needs are named; the
// offline check alone finds nothing wrong with either.
func TestSetupCheckCatchesAnotherCommunitysTokenAndAMissingRight(t *testing.T) {
	h := newHarness(t)
	h.setEnv()
	h.edit = func(s string) string {
		return strings.Replace(s, "{group_id: 20, name: \"Brand shop\", token_env: E2E_VK2}", "{group_id: 20, name: \"Brand shop\", token_env: E2E_VK}", 1)
	}
	h.vk.SetTokenRights(group, "photos", "manage")

	code, out, _ := h.configCheck()
	assert.Equal(t, 0, code, out)

	code, out, _ = h.configCheck("--online")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "community 20 (Brand shop):\n  missing: community token: the community token is community 10's (\u00abclub10\u00bb), "+
		"not community 20's: modwatch would watch the wrong community\n")
	assert.Contains(t, out, "community 10 (Brand support):\n  missing: messages: the community token lacks the right \"messages\"")
	assert.Contains(t, out, "fix: Manage community → API usage → Access tokens: create a new token with the rights manage, messages (missing)")
	assert.Contains(t, out, "no database yet at")
	assert.Contains(t, out, "2 required thing(s) missing")

	// Nothing --fix can do: the same problems stay, and VK's settings are untouched.
	code, out, _ = h.configCheck("--online", "--fix")
	assert.Equal(t, 1, code, out)
	assert.NotContains(t, out, "turned on")
	_, calls := h.vk.LongPoll(group)
	assert.Zero(t, calls)
}

// The running daemon checks the setup at start and alerts managers and owners once per
// problem, naming it and where to click; it keeps working, and a later check repeats
// nothing.
func TestDaemonAlertsASetupProblemOnce(t *testing.T) {
	h := newHarness(t)
	h.vk.SetLongPollEvent(group, "wall_reply_delete", false)
	h.startTeam()
	isSetup := hasText("not fully set up")
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		m := h.waitMessage(chat, "the setup alert", isSetup)
		assert.Contains(t, m.Text, "wall_reply_delete: VK does not send wall_reply_delete events")
		assert.Contains(t, m.Text, "Manage community → API usage → Long Poll API → Event types → Wall: comment deleted")
		assert.Contains(t, m.Text, "Brand support")
		assert.Contains(t, m.Text, "modwatch config check --online --fix")
	}
	assert.Empty(t, h.botMessages(operatorTG, isSetup), "operators do not get alerts")
	assert.Contains(t, h.logs.String(), `"message":"setup problem"`)

	// Past the window in which repeats of an alert would only edit it, the problem is
	// found again, and not told again.
	h.clock.Add(2 * time.Hour)
	require.NoError(t, h.dm.CheckSetup(context.Background()))
	// The daemon keeps working: a ban is asked about, and by then any repeat would be out.
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.settle()
	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		ms := h.botMessages(chat, isSetup)
		require.Len(t, ms, 1, "one alert per problem")
		assert.Zero(t, ms[0].Edited, "not repeated as an edit either")
	}
}

// With the check off, the daemon asks VK nothing about the setup.
func TestSetupCheckCanBeTurnedOff(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string {
		return strings.Replace(s, "  long_poll_wait: 1s\n", "  long_poll_wait: 1s\n  setup_check_every: 0s\n", 1)
	}
	h.vk.SetLongPollEvent(group, "wall_reply_delete", false)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, int(justify.BanSpam), "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)
	h.settle()
	assert.Zero(t, h.vk.Calls("groups.getTokenPermissions"))
	assert.Empty(t, h.botMessages(managerTG, hasText("not fully set up")))
}
