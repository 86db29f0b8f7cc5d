package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

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
	demoBotToken    = "123456:demo-bot-token"
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
  - {name: Anna Kuznetsova, role: owner, telegram_id: 3001}
log:
  level: %s
  format: console
`

// cmdDemo runs the real daemon against in-process VK and Telegram test servers and plays
// a scripted story, printing the conversation as it happens.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "en", "language of the bot's messages: en or ru")
	level := fs.String("log-level", "warn", "the daemon's log level (its log goes to stderr)")
	keep := fs.String("dir", "", "keep the demo's config and database in this folder instead of a temporary one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *keep
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
	cfgPath := filepath.Join(dir, "modwatch.yaml")
	body := fmt.Sprintf(demoConfig, filepath.Join(dir, "modwatch.db"), *lang, d.vk.URL(), d.tg.URL(), *level)
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write demo config: %w", err)
	}
	env := map[string]string{
		"DEMO_VK_TOKEN": demoCommunityTk, "DEMO_VK_USER_TOKEN": demoUserTk, "DEMO_TELEGRAM_TOKEN": demoBotToken,
	}
	cfg, secrets, err := LoadConfig(cfgPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return fmt.Errorf("load demo config: %w", err)
	}
	log, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan *daemon, 1)
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(ctx, cfg, secrets, log, daemonHooks{Ready: func(dm *daemon) { ready <- dm }})
	}()
	var dm *daemon
	select {
	case dm = <-ready:
	case err := <-done:
		return fmt.Errorf("daemon did not start: %w", err)
	}
	d.say("modwatch is running with config %s", cfgPath)

	storyErr := d.story(ctx, dm)
	cancel()
	if err := <-done; err != nil && storyErr == nil {
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
	out   io.Writer
	start time.Time
	mu    sync.Mutex
	vk    *vktest.Server
	tg    *telegramtest.Server
}

func newDemo(out io.Writer) *demo {
	d := &demo{out: out, start: time.Now(), vk: vktest.New(), tg: telegramtest.New(demoBotToken)}
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

func (d *demo) botMessages(chat int64) int {
	n := 0
	for _, m := range d.tg.Messages(chat) {
		if m.FromBot {
			n++
		}
	}
	return n
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

func (d *demo) story(ctx context.Context, dm *daemon) error {
	d.say("0. Everyone opens the bot and presses Start, or Telegram would not let it write to them.")
	for _, id := range []int64{demoOperatorTG, demoManagerTG, demoManager2TG, demoOwnerTG} {
		d.tg.SendText(id, "/start")
		if _, err := d.waitMessage(ctx, id, "the greeting", func(telegramtest.Msg) bool { return true }); err != nil {
			return err
		}
	}
	d.say("1. Operator Ivan bans the customer Maria in VK, and modwatch asks him why.")
	d.vk.Ban(demoGroup, demoOperatorVK, demoCustomer, int(justify.BanSpam), "links", 0)
	prompt, err := d.waitMessage(ctx, demoOperatorTG, "Ivan's prompt", hasButtons(len(justify.Reasons)))
	if err != nil {
		return err
	}

	d.say("2. Ivan picks \"Other\" and explains in a reply.")
	other := buttons(prompt)[len(justify.Reasons)-1]
	d.tg.PressButton(demoOperatorTG, prompt.ID, other.Data)
	ask, err := d.waitMessage(ctx, demoOperatorTG, "the request for a text", func(m telegramtest.Msg) bool { return m.ForceReply })
	if err != nil {
		return err
	}
	d.tg.Reply(demoOperatorTG, ask.ID, "She asked about her refund three times in one hour")

	d.say("3. Both managers get the case; Olga reverses it, and confirms.")
	review, err := d.waitMessage(ctx, demoManagerTG, "Olga's review", hasButtons(2))
	if err != nil {
		return err
	}
	if _, err := d.waitMessage(ctx, demoManager2TG, "Pavel's review", hasButtons(2)); err != nil {
		return err
	}
	d.tg.PressButton(demoManagerTG, review.ID, buttons(review)[1].Data)
	var confirm []telegramtest.Button
	if err := d.waitFor(ctx, "the confirmation", func() bool {
		m, _ := d.tg.Message(demoManagerTG, review.ID)
		confirm = buttons(m)
		return len(confirm) == 2 && confirm[0].Data != buttons(review)[0].Data
	}); err != nil {
		return err
	}
	d.tg.PressButton(demoManagerTG, review.ID, confirm[0].Data)
	if err := d.waitFor(ctx, "the unban in VK", func() bool { return len(d.vk.Unbans()) == 1 }); err != nil {
		return err
	}
	// Greeting, prompt, request for a text, thanks, and now the outcome.
	if err := d.waitFor(ctx, "Ivan to hear the outcome", func() bool { return d.botMessages(demoOperatorTG) >= 5 }); err != nil {
		return err
	}

	d.say("4. An admin who is not in the config bans Sergey: the managers see it at once.")
	d.vk.Ban(demoGroup, demoUnknownVK, demoCustomer2, int(justify.BanOther), "", 0)
	var unknownReview telegramtest.Msg
	if err := d.waitFor(ctx, "the unknown admin's case", func() bool {
		// The review comes with an alert about the unknown admin; the review has the buttons.
		for _, m := range d.tg.Messages(demoManager2TG) {
			if m.FromBot && len(buttons(m)) == 2 && strings.Contains(m.Text, "Sergey") {
				unknownReview = m
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	d.say("5. Pavel approves that ban.")
	d.tg.PressButton(demoManager2TG, unknownReview.ID, buttons(unknownReview)[0].Data)
	if err := d.waitFor(ctx, "the case to close", func() bool { return d.allClosed(ctx, dm) }); err != nil {
		return err
	}
	return d.printAudit(ctx, dm)
}

func (d *demo) allClosed(ctx context.Context, dm *daemon) bool {
	cases, err := dm.db.ListCases(ctx, 10)
	if err != nil || len(cases) != 2 {
		return false
	}
	for _, c := range cases {
		if c.Open() {
			return false
		}
	}
	return true
}

func (d *demo) printAudit(ctx context.Context, dm *daemon) error {
	cases, err := dm.db.ListCases(ctx, 10)
	if err != nil {
		return err
	}
	d.say("The audit trail in SQLite:")
	for i := len(cases) - 1; i >= 0; i-- {
		_, decisions, err := dm.service.Case(ctx, cases[i].ID)
		if err != nil {
			return err
		}
		c := cases[i]
		d.say("case %d: ban of vk%d by %s: %s", c.ID, c.UserVKID, orUnknown(c.Operator, c.ActorVKID), c.Resolution)
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
