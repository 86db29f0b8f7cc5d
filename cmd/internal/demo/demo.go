// Package demo runs the real daemon against in-process VK and Telegram test servers and
// plays a scripted story, printing the conversation as it happens.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// BotToken is the demo's Telegram bot token. It is fake, like the VK tokens below: it only
// opens the in-process test server, and it must never show in the demo's output.
const BotToken = "123456:demo-bot-token"

// The demo's cast. The tokens are fake: they only open the in-process test servers.
const (
	demoGroup       = 1
	demoOperatorVK  = 111
	demoUnknownVK   = 999
	demoCustomer    = 5001
	demoCustomer2   = 5002
	demoOperatorTG  = 1001
	demoManagerTG   = 2001
	demoManager2TG  = 2002
	demoOwnerTG     = 3001
	demoCommunityTk = "demo-community-token"
	demoUserTk      = "demo-admin-user-token"
)

const demoConfig = `# Written by modwatch demo: the daemon reads it like any config.
database: %s
language: %s
vk:
  api_url: %s
  long_poll_wait: 2s
  communities:
    - group_id: 1
      name: "Brand support"
      token_env: DEMO_VK_TOKEN
      user_token_env: DEMO_VK_USER_TOKEN
telegram:
  token_env: DEMO_TELEGRAM_TOKEN
  api_endpoint: %s
  poll_timeout: 2s
justify:
  deadline: 2h
  remind_before: 30m
  check_every: 1s
people:
  - {name: Ivan Petrov, role: operator, vk_id: 111, telegram_id: 1001}
  - {name: Olga Smirnova, role: manager, telegram_id: 2001}
  - {name: Pavel Orlov, role: manager, telegram_id: 2002}
  - name: Anna Kuznetsova
    role: owner
    telegram_id: 3001
    digest: {every: daily, at: "09:00", time_zone: Europe/Moscow}
log:
  level: %s
  format: console
`

// Options are the demo's settings.
type Options struct {
	// Lang is the language of the bot's messages: en or ru.
	Lang string
	// LogLevel is the daemon's log level; its log goes to the stderr given to Run.
	LogLevel string
	// Dir keeps the demo's config and database; empty means a temporary folder.
	Dir string
	// Version is the build's version, which the daemon logs.
	Version string
}

// Run starts the daemon against the test servers, tells the story on stdout and stops.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "modwatch-demo-")
		if err != nil {
			return fmt.Errorf("make demo folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make demo folder: %w", err)
	}

	d := newDemo(stdout)
	defer d.close()
	// The chart outlives the temporary folder: it is the one file the demo hands over.
	d.chartPath = filepath.Join(os.TempDir(), "modwatch-demo-chart.png")
	if o.Dir != "" {
		d.chartPath = filepath.Join(dir, "chart.png")
	}
	cfgPath := filepath.Join(dir, "modwatch.yaml")
	body := fmt.Sprintf(demoConfig, filepath.Join(dir, "modwatch.db"), o.Lang, d.vk.URL(), d.tg.URL(), o.LogLevel)
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write demo config: %w", err)
	}
	env := map[string]string{
		"DEMO_VK_TOKEN": demoCommunityTk, "DEMO_VK_USER_TOKEN": demoUserTk, "DEMO_TELEGRAM_TOKEN": BotToken,
	}
	cfg, secrets, err := configs.Load(cfgPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return fmt.Errorf("load demo config: %w", err)
	}
	log, err := daemon.NewLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}

	dm, err := daemon.Start(ctx, cfg, secrets, log, daemon.Options{Version: o.Version})
	if err != nil {
		return fmt.Errorf("daemon did not start: %w", err)
	}
	d.say("modwatch is running with config %s", cfgPath)
	d.db, d.cfg, d.reportOpts = dm.Store(), cfg, daemon.ReportOptions(cfg)

	storyErr := d.story(ctx, dm)
	if err := dm.Stop(); err != nil && storyErr == nil {
		storyErr = err
	}
	if storyErr != nil {
		return fmt.Errorf("demo story: %w", storyErr)
	}
	d.say("the end: every step above is in %s", filepath.Join(dir, "modwatch.db"))
	return nil
}

// demo holds the test servers and prints what happens on them.
type demo struct {
	// chartPath is where the digest's chart is written for the person watching.
	chartPath string
	// db, cfg and reportOpts are what the demo reads figures with, as `modwatch report`.
	db         *store.DB
	cfg        *configs.Config
	reportOpts report.Options
	out        io.Writer
	start      time.Time
	mu         sync.Mutex
	vk         *vktest.Server
	tg         *telegramtest.Server
}

func newDemo(out io.Writer) *demo {
	d := &demo{out: out, start: time.Now(), vk: vktest.New(), tg: telegramtest.New(BotToken)}
	d.vk.AddGroup(demoGroup, demoCommunityTk)
	d.vk.AddAdminToken(demoGroup, 100, demoUserTk)
	d.vk.SetName(demoCustomer, "Maria", "Ivanova")
	d.vk.SetName(demoCustomer2, "Sergey", "Smirnov")
	for id, name := range map[int64]string{demoOperatorTG: "Ivan", demoManagerTG: "Olga", demoManager2TG: "Pavel", demoOwnerTG: "Anna"} {
		d.tg.AddUser(id, name)
	}
	d.vk.Observe(func(s string) { d.line("VK      ", s) })
	d.tg.Observe = func(e telegramtest.Event) { d.line("Telegram", e.String()) }
	return d
}

func (d *demo) close() { d.tg.Close(); d.vk.Close() }

func (d *demo) line(who, s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, "%6.2fs  %s  %s\n", time.Since(d.start).Seconds(), who, strings.ReplaceAll(s, "\n", "\n                    "))
}

func (d *demo) say(format string, a ...any) { d.line("demo    ", fmt.Sprintf(format, a...)) }

// waitFor polls until cond holds, for at most 20 seconds.
func (d *demo) waitFor(ctx context.Context, what string, cond func() bool) error {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// waitMessage waits for a bot message in chat that has at least n buttons and satisfies ok.
func (d *demo) waitMessage(ctx context.Context, chat int64, what string, ok func(telegramtest.Msg) bool) (telegramtest.Msg, error) {
	var found telegramtest.Msg
	err := d.waitFor(ctx, what, func() bool {
		for _, m := range d.tg.Messages(chat) {
			if m.FromBot && ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

func buttons(m telegramtest.Msg) []telegramtest.Button {
	var out []telegramtest.Button
	for _, row := range m.Buttons {
		out = append(out, row...)
	}
	return out
}

func hasButtons(n int) func(telegramtest.Msg) bool {
	return func(m telegramtest.Msg) bool { return len(buttons(m)) == n }
}

func (d *demo) story(ctx context.Context, dm *daemon.Daemon) error {
	d.say("0. Everyone opens the bot and presses Start, or Telegram would not let it write to them.")
	for _, id := range []int64{demoOperatorTG, demoManagerTG, demoManager2TG, demoOwnerTG} {
		d.tg.SendText(id, "/start")
		if _, err := d.waitMessage(ctx, id, "the greeting", func(telegramtest.Msg) bool { return true }); err != nil {
			return err
		}
	}
	post := d.vk.AddPostSilently(demoGroup, -demoGroup, "Our new delivery terms")
	d.say("1. The customer Maria asks a question under a post; nobody answers. modwatch keeps her words.")
	d.vk.Comment(demoGroup, vktest.WallComment, -demoGroup, post, demoCustomer, "Where is my refund for order 42? I have waited three weeks.")
	if err := d.waitFor(ctx, "the question to be recorded", func() bool { return d.tickets(ctx, dm) == 1 }); err != nil {
		return err
	}

	d.say("2. Operator Ivan bans Maria in VK; modwatch asks him why, and shows her open question.")
	d.vk.Ban(demoGroup, demoOperatorVK, demoCustomer, int(justify.BanSpam), "links", 0)
	prompt, err := d.waitMessage(ctx, demoOperatorTG, "Ivan's prompt", hasButtons(len(justify.Reasons)))
	if err != nil {
		return err
	}
	d.say("3. Ivan picks \"Other\" and explains in a reply.")
	d.tg.PressButton(demoOperatorTG, prompt.ID, buttons(prompt)[len(justify.Reasons)-1].Data)
	ask, err := d.waitMessage(ctx, demoOperatorTG, "the request for a text", func(m telegramtest.Msg) bool { return m.ForceReply })
	if err != nil {
		return err
	}
	d.tg.Reply(demoOperatorTG, ask.ID, "She asked about her refund three times in one hour")

	d.say("4. Both managers get the case; Olga reverses it, and confirms. The unban reaches VK.")
	review, err := d.waitMessage(ctx, demoManagerTG, "Olga's review", hasButtons(2))
	if err != nil {
		return err
	}
	if _, err := d.waitMessage(ctx, demoManager2TG, "Pavel's review", hasButtons(2)); err != nil {
		return err
	}
	if err := d.decide(ctx, demoManagerTG, review, 1, true); err != nil {
		return err
	}
	if err := d.waitFor(ctx, "the unban in VK", func() bool { return len(d.vk.Unbans()) == 1 }); err != nil {
		return err
	}

	d.say("5. Maria asks again; this time Ivan deletes her question. Her words are in the prompt,")
	d.say("   and the managers and Anna, the owner, hear at once that an unanswered request was deleted.")
	again := d.vk.Comment(demoGroup, vktest.WallComment, -demoGroup, post, demoCustomer, "Why was my question deleted? Where is my refund?")
	if err := d.waitFor(ctx, "the second question to be recorded", func() bool { return d.tickets(ctx, dm) == 2 }); err != nil {
		return err
	}
	d.vk.DeleteComment(demoGroup, vktest.WallComment, -demoGroup, post, again, demoOperatorVK)
	delPrompt, err := d.waitMessage(ctx, demoOperatorTG, "the deletion prompt", func(m telegramtest.Msg) bool {
		return len(buttons(m)) == len(justify.Reasons) && strings.Contains(m.Text, "Why was my question deleted?")
	})
	if err != nil {
		return err
	}
	if _, err := d.waitMessage(ctx, demoOwnerTG, "Anna's alert", func(m telegramtest.Msg) bool { return strings.Contains(m.Text, "Why was my question deleted?") }); err != nil {
		return err
	}
	d.say("6. Ivan calls it spam; Pavel restores the comment, and VK has it back.")
	d.tg.PressButton(demoOperatorTG, delPrompt.ID, buttons(delPrompt)[0].Data)
	delReview, err := d.waitMessage(ctx, demoManager2TG, "Pavel's review of the deletion", func(m telegramtest.Msg) bool {
		return len(buttons(m)) == 2 && strings.Contains(m.Text, "Why was my question deleted?")
	})
	if err != nil {
		return err
	}
	if err := d.decide(ctx, demoManager2TG, delReview, 1, true); err != nil {
		return err
	}
	if err := d.waitFor(ctx, "the restore in VK", func() bool {
		return !d.vk.CommentDeleted(demoGroup, vktest.WallComment, -demoGroup, again)
	}); err != nil {
		return err
	}

	d.say("7. An admin who is not in the config bans Sergey: the managers see it at once.")
	d.vk.Ban(demoGroup, demoUnknownVK, demoCustomer2, int(justify.BanOther), "", 0)
	unknownReview, err := d.waitMessage(ctx, demoManager2TG, "the unknown admin's case", func(m telegramtest.Msg) bool {
		// The review comes with an alert about the unknown admin; the review has the buttons.
		return len(buttons(m)) == 2 && strings.Contains(m.Text, "Sergey")
	})
	if err != nil {
		return err
	}
	d.say("8. Pavel approves that ban.")
	if err := d.decide(ctx, demoManager2TG, unknownReview, 0, false); err != nil {
		return err
	}
	if err := d.waitFor(ctx, "every case to close", func() bool { return d.allClosed(ctx, dm) }); err != nil {
		return err
	}

	now := time.Now()
	signs, err := d.conversationStory(ctx, now)
	if err != nil {
		return err
	}
	if err := d.spotCheck(ctx); err != nil { // spotcheck.go
		return err
	}

	// The digest covers two days: yesterday's messages and today's moderation.
	from := now.Add(-48 * time.Hour)
	d.say("10. Anna's digest of the last two days: per-operator figures, each sign of shirking with its")
	d.say("    evidence (the customer, the words, when, a link to the conversation in VK) and an hourly")
	d.say("    activity chart.")
	if err := dm.SendDigest(ctx, "Anna Kuznetsova", from, time.Now()); err != nil {
		return err
	}
	digest, err := d.waitMessage(ctx, demoOwnerTG, "Anna's digest", func(m telegramtest.Msg) bool { return len(m.Photo) > 0 })
	if err != nil {
		return err
	}
	if err := os.WriteFile(d.chartPath, digest.Photo, 0o600); err != nil {
		return fmt.Errorf("write the digest's chart: %w", err)
	}
	// The digest's text follows the chart, in as many messages as Telegram's limit takes:
	// wait until they show every sign the story told of.
	var after []telegramtest.Msg
	if err := d.waitFor(ctx, "the digest's text", func() bool {
		after = after[:0]
		for _, m := range d.tg.Messages(demoOwnerTG) {
			if m.FromBot && m.ID > digest.ID {
				after = append(after, m)
			}
		}
		return len(after) > 0 && checkDigest(after, signs) == nil
	}); err != nil {
		return fmt.Errorf("%w: %w", err, checkDigest(after, signs))
	}
	d.say("    The chart Anna got is in %s", d.chartPath)
	if err := d.printReport(ctx, from, time.Now()); err != nil {
		return err
	}
	return d.printAudit(ctx, dm)
}

// decide presses a review's button (0 approve, 1 reverse) and, for a reversal, confirms.
func (d *demo) decide(ctx context.Context, chat int64, review telegramtest.Msg, button int, confirm bool) error {
	d.tg.PressButton(chat, review.ID, buttons(review)[button].Data)
	if !confirm {
		return nil
	}
	var yes []telegramtest.Button
	if err := d.waitFor(ctx, "the confirmation", func() bool {
		m, _ := d.tg.Message(chat, review.ID)
		yes = buttons(m)
		return len(yes) == 2 && yes[0].Data != buttons(review)[0].Data
	}); err != nil {
		return err
	}
	d.tg.PressButton(chat, review.ID, yes[0].Data)
	return nil
}

// tickets counts the customers' words modwatch holds.
func (d *demo) tickets(ctx context.Context, dm *daemon.Daemon) int {
	n, err := dm.Store().CountTickets(ctx)
	if err != nil {
		return -1
	}
	return n
}

func (d *demo) allClosed(ctx context.Context, dm *daemon.Daemon) bool {
	cases, err := dm.Store().ListCases(ctx, 10)
	if err != nil || len(cases) != 3 {
		return false
	}
	for _, c := range cases {
		if c.Open() {
			return false
		}
	}
	return true
}

func (d *demo) printAudit(ctx context.Context, dm *daemon.Daemon) error {
	cases, err := dm.Store().ListCases(ctx, 10)
	if err != nil {
		return err
	}
	d.say("The audit trail in SQLite:")
	for i := len(cases) - 1; i >= 0; i-- {
		_, decisions, err := dm.Service().Case(ctx, cases[i].ID)
		if err != nil {
			return err
		}
		c := cases[i]
		d.say("case %d: %s of vk%d by %s: %s", c.ID, c.Kind, c.UserVKID, orUnknown(c.Operator, c.ActorVKID), c.Resolution)
		for _, dc := range decisions {
			d.say("    %s  %-14s by %-14s %s", dc.At.Format("15:04:05"), dc.Action, dc.Actor, dc.Detail)
		}
	}
	return nil
}

func orUnknown(name string, vkID int64) string {
	if name == "" {
		return fmt.Sprintf("unknown admin vk%d", vkID)
	}
	return name
}
