package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// Bans made while modwatch was stopped, and never delivered by the long poll, are found by
// reconciliation at start, attributed to the admin VK names.
func TestDowntimeBansAreFound(t *testing.T) {
	h := newHarness(t)
	// Before modwatch ever ran: no long-poll position, so only groups.getBanned knows.
	h.vk.Ban(group, operatorVK, customer, int(justify.BanAbuse), "insults", 0)
	h.vk.Ban(group, unknownVK, customer2, int(justify.BanSpam), "", 0)
	h.startTeam()

	prompt := h.waitMessage(operatorTG, "Ivan's prompt for the downtime ban", isPrompt)
	assert.Contains(t, prompt.Text, "Maria Ivanova")
	h.waitMessage(managerTG, "the unknown admin's ban", func(m telegramtest.Msg) bool { return isReview(m) && strings.Contains(m.Text, "999") })
	cs := h.cases()
	require.Len(t, cs, 2)
	for _, c := range cs {
		assert.Equal(t, justify.SourceReconcile, c.Source, "case %d is marked as found by reconciliation", c.ID)
	}

	// While stopped again: the customer is unbanned in VK and VK forgets the long-poll
	// history, so the unban is learned from the ban list alone.
	h.stop()
	h.vk.Unban(group, operatorVK, customer, false)
	h.vk.Ban(group, operator2VK, 5003, int(justify.BanFlood), "", 0)
	h.vk.SetRetention(1) // VK keeps only the newest event: resuming, the long poll answers failed 1
	h.startTeam()
	h.waitMessage(operator2TG, "Petr's prompt for the ban made while down", isPrompt)
	var ivans justify.Case
	for _, c := range h.cases() {
		if c.Operator == "Ivan" {
			ivans = c
		}
	}
	c := h.waitCase(ivans.ID, "the vanished ban closes the case", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionReversedInVK, c.Resolution)
	assert.Equal(t, 1, countRows(t, h, "SELECT COUNT(*) FROM events WHERE kind = 'unban' AND source = 'reconcile'"))
	assert.Equal(t, 1, countRows(t, h, "SELECT COUNT(*) FROM events WHERE kind = 'unban'"), "the unban recorded once")
	assert.Equal(t, 3, countRows(t, h, "SELECT COUNT(*) FROM events WHERE kind = 'ban'"), "each ban recorded once")
}

// A community whose token VK refuses is reported to managers and owners once, and the
// other communities go on.
func TestRefusedTokenIsReportedOnce(t *testing.T) {
	h := newHarness(t)
	h.vk.AddGroup(group2, "a-token-vk-knows-not") // the configured one is now unknown: error 5
	h.startTeam()

	alert := h.waitMessage(managerTG, "the token alert", hasText("token"))
	assert.Contains(t, alert.Text, "Brand shop")
	h.waitMessage(ownerTG, "the owner's token alert", hasText("token"))
	assert.NotContains(t, alert.HTML, vk2Token)

	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	h.waitMessage(operatorTG, "the other community still works", isPrompt)
	// The long poll and the reconciliation of Brand shop are both refused. Once the alert
	// has counted both reports and the outbox is empty, a second alert would have arrived.
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COALESCE(SUM(count), 0) FROM alerts WHERE key LIKE 'token:20:%'") >= 2
	}, 15*time.Second, 10*time.Millisecond, "both refusals reported")
	h.settle()
	tokenAlerts := h.botMessages(managerTG, func(m telegramtest.Msg) bool { return strings.Contains(m.Text, "token") })
	assert.Len(t, tokenAlerts, 1, "one alert, however often the watchers retry")
	assert.NotContains(t, h.logs.String(), vk2Token)
}

// VK's transient failures (HTTP errors, rate limits, a server error, garbage, a long poll
// that fails) are retried; nothing is lost and the daemon does not stop.
func TestVKFaultsAreRetried(t *testing.T) {
	h := newHarness(t)
	h.vk.FailNext("groups.getBanned", http.StatusInternalServerError, "<html>502 Bad Gateway</html>")
	h.vk.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(vktest.ErrTooMany, "Too many requests per second"))
	h.vk.FailNext("groups.getLongPollServer", http.StatusOK, "{not json")
	h.vk.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(vktest.ErrServer, "Internal server error"))
	h.startTeam()

	h.vk.PushRaw(group, json.RawMessage(`{"type":"user_block","object":{"user_id":"not a number"},"group_id":10,"event_id":"bad"}`))
	h.vk.FailLongPoll(1, 2) // the key expired: a new key, the same position
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	h.waitMessage(operatorTG, "the prompt, after the faults", isPrompt)
	assert.Len(t, h.cases(), 1)
	assert.Contains(t, h.logs.String(), "malformed update quarantined")
}

// /healthz says whether the database answers and each watcher polled lately; /metrics
// speaks Prometheus' text format with modwatch's figures.
func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t)
	// One refused long-poll server request, which a watcher (or the reconciler, reading
	// how far VK's stream has come) counts.
	h.vk.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
	h.startTeam()
	// The start's reconciliations have read both ban lists, so the ban below is received
	// from the long poll alone.
	require.Eventually(t, func() bool { return strings.Count(h.logs.String(), `"bans reconciled"`) >= 2 }, 15*time.Second, 10*time.Millisecond)
	h.vk.Ban(group, operatorVK, customer, 0, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)

	srv := httptest.NewServer(h.dm.HealthHandler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	require.Eventually(t, func() bool { code, _ := get("/healthz"); return code == http.StatusOK }, 15*time.Second, 50*time.Millisecond,
		"healthy once every watcher has polled")
	_, body := get("/healthz")
	var rep daemon.HealthReport
	require.NoError(t, json.Unmarshal([]byte(body), &rep))
	assert.Equal(t, "ok", rep.Database)
	assert.Len(t, rep.Watchers, 2)

	// Telegram has the prompt before the sender has counted it: wait for the count.
	var metrics string
	require.Eventually(t, func() bool {
		_, metrics = get("/metrics")
		return strings.Contains(metrics, `modwatch_messages_total{outcome="sent"}`)
	}, 15*time.Second, 20*time.Millisecond, "the delivered prompt is counted")
	for _, want := range []string{
		`modwatch_events_received_total{community="10",kind="ban"} 1`,
		`modwatch_events_recorded_total{community="10"} 1`,
		"modwatch_inbox_pending 0",
		`modwatch_cases{state="awaiting_reason"} 1`,
		`modwatch_messages_total{outcome="sent"}`,
		`modwatch_watcher_seconds_since_poll{community="20"}`,
		`modwatch_vk_errors_total{code="10",community=`,
	} {
		assert.Contains(t, metrics, want)
	}

	// A watcher that stops polling makes the daemon unready.
	h.clock.Add(10 * time.Minute)
	code, _ := get("/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
}

// A run that fails because Telegram refuses the bot token leaves no token in its log or in
// the error it returns, though the Telegram library builds its errors from request URLs,
// which carry the token. (Refused VK tokens: TestRefusedTokenIsReportedOnce.)
func TestFailingRunKeepsTokensSecret(t *testing.T) {
	h := newHarness(t)
	const wrongBotToken = "666:a-bot-token-telegram-refuses"
	cfg, secrets, err := configs.Load(h.configPath(), func(k string) (string, bool) {
		if k == "E2E_TG" {
			return wrongBotToken, true
		}
		return h.env(k)
	})
	require.NoError(t, err)
	log, err := daemon.NewLogger(cfg.Log, h.logs)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, runErr := daemon.Start(ctx, cfg, secrets, log, daemon.Options{})
	require.Error(t, runErr, "modwatch refuses to run with a bot token Telegram refuses")
	assert.Contains(t, runErr.Error(), "Unauthorized")
	for _, secret := range []string{wrongBotToken, "a-bot-token-telegram-refuses", vkToken, userToken} {
		assert.NotContains(t, runErr.Error(), secret)
		assert.NotContains(t, h.logs.String(), secret)
	}
}

// A health address already taken stops the start with a message naming the key, rather
// than leaving a daemon without the endpoints its orchestrator polls.
func TestTakenHealthAddressStopsTheStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	h := newHarness(t)
	h.edit = func(cfg string) string { return cfg + "health:\n  listen: " + taken.Addr().String() + "\n" }
	cfg, secrets, err := configs.Load(h.configPath(), h.env)
	require.NoError(t, err)
	log, err := daemon.NewLogger(cfg.Log, h.logs)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, runErr := daemon.Start(ctx, cfg, secrets, log, daemon.Options{})
	require.Error(t, runErr)
	assert.Contains(t, runErr.Error(), "health.listen")
}
