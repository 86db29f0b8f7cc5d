package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

const (
	newcomerVK = 113
	newcomerTG = 1003
	// anna is the last person of e2eConfig: what a test adds goes after her.
	anna = "  - {name: Anna, role: owner, telegram_id: 3001}\n"
	// shop is the second community of e2eConfig.
	shop = "    - {group_id: 20, name: \"Brand shop\", token_env: E2E_VK2}\n"
)

// reload rewrites the config file with edit and reloads the daemon, as SIGHUP does.
func (h *harness) reload(edit func(string) string) (err error) {
	h.t.Helper()
	h.edit = edit
	h.configPath()
	_, err = h.dm.Reload(context.Background())
	return err
}

// promptFor recognises the prompt about one banned customer.
func promptFor(customer int64) func(telegramtest.Msg) bool {
	return func(m telegramtest.Msg) bool {
		return isPrompt(m) && strings.Contains(m.HTML, "vk.com/id"+itoa(customer))
	}
}

// TestReloadAddsAPerson: an operator added to the config while the daemon runs is greeted
// instead of refused, and is asked about their next ban, with the new deadline.
func TestReloadAddsAPerson(t *testing.T) {
	h := newHarness(t)
	h.tg.AddUser(newcomerTG, "Sergey")
	h.startTeam()

	// Before: the newcomer is a stranger, and their ban an unknown admin's.
	h.tg.SendText(newcomerTG, "/start")
	h.waitMessage(newcomerTG, "the refusal", hasText("moderation team only"))
	h.vk.Ban(group, newcomerVK, customer, 1, "", 0)
	h.waitMessage(managerTG, "the unknown admin's case", hasText("unknown admin"))
	before := onlyCase(t, h)
	assert.Empty(t, before.Operator)

	require.NoError(t, h.reload(func(s string) string {
		s = strings.Replace(s, anna, anna+"  - {name: Sergey, role: operator, vk_id: 113, telegram_id: 1003}\n", 1)
		return strings.Replace(s, "deadline: 1h", "deadline: 30m", 1)
	}))
	h.pressStart(newcomerTG)
	assert.Contains(t, h.botMessages(newcomerTG, nil)[len(h.botMessages(newcomerTG, nil))-1].Text, "Sergey")

	h.vk.Ban(group, newcomerVK, customer2, 1, "", 0)
	prompt := h.waitMessage(newcomerTG, "Sergey's prompt", promptFor(customer2))
	assert.Contains(t, prompt.Text, "Brand support")
	var c justify.Case
	for _, x := range h.cases() {
		if x.UserVKID == customer2 {
			c = x
		}
	}
	assert.Equal(t, "Sergey", c.Operator)
	assert.Equal(t, c.OpenedAt.Add(30*time.Minute), c.Deadline, "the deadline the config says now")
	// Ivan, who was there before, is still asked as before.
	h.vk.Ban(group, operatorVK, 5003, 1, "", 0)
	h.waitMessage(operatorTG, "Ivan's prompt", promptFor(5003))
}

// TestReloadAddsAndRemovesACommunity: a community added to the config is watched at once;
// one removed stops being watched, and what modwatch recorded of it stays.
func TestReloadAddsAndRemovesACommunity(t *testing.T) {
	h := newHarness(t)
	h.edit = func(s string) string { return strings.Replace(s, shop, "", 1) }
	h.startTeam()
	assert.NotContains(t, h.dm.Components(), "vk-20")
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt in the first community", promptFor(customer))

	require.NoError(t, h.reload(nil)) // the whole e2eConfig: the shop comes in
	assert.Contains(t, h.dm.Components(), "vk-20")
	assert.Contains(t, h.dm.Components(), "vk-reconcile-20")
	h.vk.Ban(group2, operator2VK, customer2, 1, "", 0)
	prompt := h.waitMessage(operator2TG, "the prompt in the new community", promptFor(customer2))
	assert.Contains(t, prompt.Text, "Brand shop")

	require.NoError(t, h.reload(func(s string) string {
		return strings.Replace(s, `    - {group_id: 10, name: "Brand support", token_env: E2E_VK, user_token_env: E2E_VK_USER}`+"\n", "", 1)
	}))
	for _, name := range h.dm.Components() {
		assert.False(t, strings.HasSuffix(name, "-10"), "%s still runs", name)
	}
	// A ban in the removed community goes unrecorded; one in the shop, made after it,
	// is the barrier.
	h.vk.Ban(group, operatorVK, 5003, 1, "", 0)
	h.vk.Ban(group2, operator2VK, 5004, 1, "", 0)
	h.waitMessage(operator2TG, "the barrier", promptFor(5004))
	var groups []int64
	for _, c := range h.cases() {
		groups = append(groups, c.GroupID)
	}
	assert.ElementsMatch(t, []int64{group, group2, group2}, groups, "the removed community's case stays; its new ban is not watched")
	n, err := h.dm.Store().EventCounts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n[[2]string{itoa(group), string(justify.EventBan)}])
}

// TestReloadRefusesABrokenConfig: a config `config check` refuses changes nothing; the
// managers and owners are told what config check says, and the log says so.
func TestReloadRefusesABrokenConfig(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	components := h.dm.Components()
	broken := func(s string) string {
		s = strings.Replace(s, anna, anna+"  - {name: Sergey, role: boss, vk_id: 113, telegram_id: 1003}\n", 1)
		s = strings.Replace(s, "deadline: 1h", "deadline: 30m", 1)
		// A community whose token variable is not set.
		return strings.Replace(s, shop, shop+"    - {group_id: 30, token_env: E2E_VK3}\n", 1)
	}
	err := h.reload(broken)
	require.Error(t, err)
	var problems configs.Problems
	require.ErrorAs(t, err, &problems)

	// The same words as config check.
	for k, v := range map[string]string{"E2E_VK": vkToken, "E2E_VK2": vk2Token, "E2E_VK_USER": userToken, "E2E_TG": botToken} {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	require.Equal(t, 1, runCLI(context.Background(), []string{"config", "check", "--config", h.configPath()}, &out, &errOut))
	assert.Equal(t, "modwatch: "+problems.Error()+"\n", errOut.String())
	assert.Contains(t, problems.Error(), `people[5].role`)
	assert.Contains(t, problems.Error(), `E2E_VK3`)

	for _, chat := range []int64{managerTG, manager2TG, ownerTG} {
		alert := h.waitMessage(chat, "the alert", hasText("The new config was refused"))
		assert.Contains(t, alert.Text, `people[5].role`)
		assert.Contains(t, alert.Text, `E2E_VK3`)
		assert.Contains(t, alert.Text, "goes on with the config in force")
	}
	assert.Empty(t, h.botMessages(operatorTG, hasText("config")), "operators are not told")
	assert.Contains(t, h.logs.String(), "config refused; the one in force stays")

	// Nothing changed: the same components, the same people, the same deadline.
	assert.Equal(t, components, h.dm.Components())
	h.vk.Ban(group, newcomerVK, customer, 1, "", 0)
	h.vk.Ban(group, operatorVK, customer2, 1, "", 0)
	h.waitMessage(operatorTG, "Ivan's prompt", promptFor(customer2))
	for _, c := range h.cases() {
		assert.Equal(t, c.OpenedAt.Add(time.Hour), c.Deadline, "the deadline in force")
		if c.UserVKID == customer {
			assert.Empty(t, c.Operator, "vk113 is still nobody")
		}
	}

	// Fixed, it goes through.
	require.NoError(t, h.reload(func(s string) string {
		s = strings.Replace(broken(s), "role: boss", "role: operator", 1)
		return strings.Replace(s, "    - {group_id: 30, token_env: E2E_VK3}\n", "", 1)
	}))
	assert.Equal(t, 30*time.Minute, h.dm.Service().Settings().Deadline)
}
