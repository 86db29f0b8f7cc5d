package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
)

// reportEnv is a database with a day of cases (see seedCases) plus Petr's approved ban in
// the shop, a ban of Ivan's the day before, and an imported request nobody answered.
func reportEnv(t *testing.T) *cliEnv {
	t.Helper()
	e := newCLIEnv(t)
	e.seedCases()
	e.with(func(db *store.DB) {
		require.NoError(t, db.Update(context.Background(), func(tx justify.Tx) error {
			for _, c := range []justify.Case{
				{GroupID: 20, EventKey: "p1", Kind: justify.EventBan, ActorVKID: 112, Operator: "Petr", UserVKID: 5002,
					ActedAt: cliT0.Add(3 * time.Hour), OpenedAt: cliT0.Add(3 * time.Hour), Deadline: cliT0.Add(4 * time.Hour),
					Reason: justify.ReasonSpam, JustifiedAt: cliT0.Add(3 * time.Hour), State: justify.StateClosed,
					Resolution: justify.ResolutionApproved, ResolvedBy: "Olga", ResolvedAt: cliT0.Add(5 * time.Hour)},
				{GroupID: 10, EventKey: "old", Kind: justify.EventBan, ActorVKID: 111, Operator: "Ivan", UserVKID: 5003,
					ActedAt: cliT0.Add(-20 * time.Hour), OpenedAt: cliT0.Add(-20 * time.Hour), Deadline: cliT0.Add(-19 * time.Hour),
					Overdue: true, State: justify.StateAwaitingReview},
			} {
				if err := tx.CreateCase(&c); err != nil {
					return err
				}
			}
			return nil
		}))
		_, _, err := db.ImportTickets(context.Background(), []justify.Ticket{{ExternalID: "HD-9", AuthorVKID: 5004,
			Subject: "Возврат", Text: "Жду ответа про возврат", Status: "open", CreatedAt: cliT0.Add(-time.Hour)}})
		require.NoError(t, err)
	})
	old := reportClock
	reportClock = func() time.Time { return cliT0.Add(24 * time.Hour) }
	t.Cleanup(func() { reportClock = old })
	return e
}

func TestReportFormats(t *testing.T) {
	e := reportEnv(t)
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{
			name: "text, in the config's language by default",
			args: []string{"report", "--since", "1d"},
			check: func(t *testing.T, out string) {
				for _, w := range []string{"Brand support", "Brand shop", "Ivan", "Petr", report.HelpDeskName,
					"Где мой заказ? Уже неделя", "Жду ответа про возврат", "Баны"} {
					assert.Contains(t, out, w)
				}
			},
		},
		{
			name: "text in English",
			args: []string{"report", "--since", "24h", "--format", "text", "--lang", "en"},
			check: func(t *testing.T, out string) {
				assert.Contains(t, out, "Moderation for")
				assert.Contains(t, out, "Bans")
			},
		},
		{
			name: "csv: a total and operator rows per community",
			args: []string{"report", "--since", "1d", "--format", "csv"},
			check: func(t *testing.T, out string) {
				recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				require.NoError(t, err)
				require.NotEmpty(t, recs)
				col := map[string]int{}
				for i, h := range recs[0] {
					col[h] = i
				}
				rows := map[string][]string{}
				for _, r := range recs[1:] {
					rows[r[col["group_id"]]+"/"+r[col["kind"]]+"/"+r[col["operator"]]] = r
				}
				require.Contains(t, rows, "10/total/")
				assert.Equal(t, "1", rows["10/total/"][col["bans"]])
				assert.Equal(t, "1", rows["10/total/"][col["bans_prev"]], "Ivan's ban of the day before")
				assert.Equal(t, "1", rows["10/total/"][col["deleted_requests"]])
				assert.Equal(t, "1", rows["10/total/"][col["reversed"]])
				assert.Equal(t, "1", rows["20/operator/Petr"][col["approved"]])
				assert.Equal(t, "1", rows["0/total/"][col["sla_breaches"]], "the imported request waits past the SLA")
			},
		},
		{
			name: "json",
			args: []string{"report", "--since", "1d", "--format", "json"},
			check: func(t *testing.T, out string) {
				var r report.Report
				require.NoError(t, json.Unmarshal([]byte(out), &r))
				assert.Equal(t, cliT0, r.From.UTC())
				require.Len(t, r.Communities, 3)
				assert.Equal(t, int64(10), r.Communities[0].GroupID)
				require.Len(t, r.Communities[0].DeletedRequests, 1)
				assert.Equal(t, "Где мой заказ? Уже неделя", r.Communities[0].DeletedRequests[0].Excerpt)
				assert.Equal(t, 1, r.Communities[1].Total.Current.Approved)
			},
		},
		{
			name: "one community",
			args: []string{"report", "--since", "1d", "--community", "20", "--format", "json"},
			check: func(t *testing.T, out string) {
				var r report.Report
				require.NoError(t, json.Unmarshal([]byte(out), &r))
				require.Len(t, r.Communities, 1)
				assert.Equal(t, "Brand shop", r.Communities[0].Name)
			},
		},
		{
			name: "one operator: their rows, the totals stay",
			args: []string{"report", "--since", "1d", "--operator", "Petr", "--format", "csv"},
			check: func(t *testing.T, out string) {
				assert.Contains(t, out, ",operator,Petr,")
				assert.NotContains(t, out, ",operator,Ivan,")
				assert.NotContains(t, out, ",unknown,")
				assert.Contains(t, out, ",total,")
			},
		},
		{
			name: "since a date",
			args: []string{"report", "--since", "2026-03-14", "--format", "json"},
			check: func(t *testing.T, out string) {
				var r report.Report
				require.NoError(t, json.Unmarshal([]byte(out), &r))
				assert.Equal(t, time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), r.From.UTC())
				assert.Equal(t, cliT0.Add(24*time.Hour), r.To.UTC())
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := e.run(tt.args...)
			require.Equal(t, 0, code, "stderr:\n%s", errOut)
			tt.check(t, out)
		})
	}
}

func TestReportErrors(t *testing.T) {
	e := reportEnv(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"bad since", []string{"report", "--since", "last week"}, `--since "last week": use a duration (7d, 24h, 30m) or a date`},
		{"since in the future", []string{"report", "--since", "2030-01-01"}, "the period must start before now"},
		{"bad format", []string{"report", "--format", "xml"}, `--format "xml": use text, csv or json`},
		{"unknown operator", []string{"report", "--operator", "Olga"}, `--operator "Olga" is not an operator in the config (operators: Ivan, Petr)`},
		{"unknown community", []string{"report", "--community", "30"}, "community 30 is not in the config"},
		{"bad zone", []string{"report", "--tz", "Mars/Base"}, `--tz "Mars/Base" is not a known time zone`},
		{"negative examples", []string{"report", "--examples", "-1"}, "--examples -1: use 0 (all) or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := e.run(tt.args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.wantErr)
		})
	}
}

// A bad flag is answered as such before the config or database is opened, so a mistyped
// flag is not hidden behind a config problem.
func TestReportFlagsCheckedFirst(t *testing.T) {
	var out, errOut bytes.Buffer
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	code := runCLI(context.Background(), []string{"report", "--examples", "-1", "--config", missing}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "--examples -1: use 0 (all) or more")
}

// The CLI's report, the bot's /stats and an owner's digest of the same period show the
// same figures: each loads them with report.Load, through the store, with the options the
// config gives.
func TestReportsAgree(t *testing.T) {
	h := newHarness(t)
	h.edit = func(cfg string) string {
		return strings.Replace(cfg, "{name: Anna, role: owner, telegram_id: 3001}",
			`{name: Anna, role: owner, telegram_id: 3001, digest: {every: daily, at: "09:00"}}`, 1)
	}
	h.startTeam()
	approvedBan(t, h)

	ctx := context.Background()
	cfg, _, err := configs.Load(h.configPath(), h.env)
	require.NoError(t, err)
	// The ban was opened at the clock's time; a minute later it is in the past. The clock
	// then stands still: every report below covers today so far.
	h.clock.Add(time.Minute)
	now := h.clock.Now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	want, err := report.Load(ctx, h.dm.Store(), daemon.ReportOptions(cfg), midnight, now)
	require.NoError(t, err)
	require.Equal(t, 1, want.Communities[0].Total.Current.Approved, "the figures have the approved ban")

	// The bot's /stats.
	h.tg.SendText(ownerTG, "/stats")
	stats := h.waitMessage(ownerTG, "today's figures", hasText("Moderation for"))
	assert.Equal(t, strings.TrimSpace(report.RenderHTML(want, "en")), strings.TrimSpace(stats.HTML))

	// Anna's digest of the same period: its chart's caption, then the text. It lists the
	// worst signs instead of the newest, with the same figures.
	require.NoError(t, h.dm.SendDigest(ctx, "Anna", midnight, now))
	digestOpts := daemon.ReportOptions(cfg)
	digestOpts.Worst = report.DigestWorst
	forDigest, err := report.Load(ctx, h.dm.Store(), digestOpts, midnight, now)
	require.NoError(t, err)
	for i, c := range want.Communities {
		assert.Equal(t, c.Total, forDigest.Communities[i].Total)
		assert.Equal(t, c.Operators, forDigest.Communities[i].Operators)
	}
	support, ok := forDigest.Community(group)
	require.True(t, ok)
	digest, err := report.Digest(support, "en", time.UTC)
	require.NoError(t, err)
	text := h.waitMessage(ownerTG, "the digest's text", func(m telegramtest.Msg) bool {
		return !isPhoto(m) && m.ID > stats.ID && strings.Contains(m.Text, "Brand support")
	})
	assert.Equal(t, strings.TrimSpace(digest.Text), strings.TrimSpace(text.HTML))
	charts := h.botMessages(ownerTG, func(m telegramtest.Msg) bool { return isPhoto(m) && m.ID > stats.ID && m.ID < text.ID })
	require.Len(t, charts, 1, "the chart comes first")
	assert.Equal(t, digest.Caption, charts[0].Text)

	// The CLI's report.
	h.stop()
	old := reportClock
	reportClock = h.clock.Now
	t.Cleanup(func() { reportClock = old })
	var out, errOut bytes.Buffer
	code := runCLI(ctx, []string{"report", "--since", midnight.Format(time.DateOnly), "--format", "json", "--config", h.configPath()}, &out, &errOut)
	require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
	var cli bytes.Buffer
	require.NoError(t, report.WriteJSON(&cli, want))
	assert.JSONEq(t, cli.String(), out.String())
}
