package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

const (
	// maxPendingShown caps /pending's list; the count in its title is always complete.
	maxPendingShown = 30
	// maxTrailShown is how many of a case's latest decisions /case shows.
	maxTrailShown = 15
)

// command answers a known person's command. Only people in the directory get here:
// strangers and group chats were refused before.
func (b *Bot) command(ctx context.Context, m *tgbotapi.Message, p justify.Person, log zerolog.Logger) {
	cmd, arg := m.Command(), strings.TrimSpace(m.CommandArguments())
	// "/case_12" is the form Telegram makes clickable in a text.
	if n, ok := strings.CutPrefix(cmd, "case_"); ok {
		cmd, arg = "case", n
	}
	log = log.With().Str("command", cmd).Logger()
	reader := p.Role == justify.RoleManager || p.Role == justify.RoleOwner
	var text string
	var err error
	switch {
	case cmd == "start":
		log.Info().Msg("person started the bot")
		text = fmt.Sprintf(b.r.cat.greeting[p.Role], esc(p.Name, maxName))
		// Remembered for the setup check: the greeting does not go through the outbox.
		if err := b.deps.Cursors.SaveCursor(ctx, justify.StartedCursor(p.TelegramID), b.deps.Now().UTC().Format(time.RFC3339)); err != nil {
			log.Error().Err(err).Msg("could not record that the person pressed Start")
		}
		// What could not reach them before they pressed Start (prompts, reviews, alerts)
		// goes out now, after the greeting.
		if n, rerr := b.deps.Outbox.RetryUnreachable(ctx, p.TelegramID); rerr != nil {
			log.Error().Err(rerr).Msg("could not requeue messages that did not reach the person")
		} else if n > 0 {
			log.Info().Int("messages", n).Msg("requeued messages that did not reach the person before Start")
			defer b.Wake()
		}
	case cmd == "case":
		text, err = b.caseCommand(ctx, p, arg)
	case cmd == "pending" && reader:
		text, err = b.pending(ctx, p)
	case cmd == "stats" && reader:
		text, err = b.stats(ctx, p)
	case cmd == "qa" && reader:
		text, err = b.qaCommand(ctx, p) // spotcheck.go
	case cmd == "pending" || cmd == "stats" || cmd == "qa":
		text = b.r.cat.managersOnly
	default:
		text = b.help(p)
	}
	if err != nil {
		text = b.errText(err, log)
	}
	log.Debug().Bool("ok", err == nil).Msg("command answered")
	b.reply(m.Chat.ID, text)
}

// help explains the bot; managers and owners also learn their commands.
func (b *Bot) help(p justify.Person) string {
	if p.Role == justify.RoleManager || p.Role == justify.RoleOwner {
		return b.r.cat.help + "\n\n" + b.r.cat.commandsHelp + "\n" + b.r.qa.help
	}
	return b.r.cat.help
}

// pending lists the cases of p's scope waiting for a manager, oldest first.
func (b *Bot) pending(ctx context.Context, p justify.Person) (string, error) {
	all, err := b.deps.Cases.CasesInState(ctx, justify.StateAwaitingReview)
	if err != nil {
		return "", fmt.Errorf("list pending cases: %w", err)
	}
	var cases []justify.Case
	for _, c := range all {
		if p.Covers(c.GroupID) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return b.r.cat.pendingNone, nil
	}
	var out strings.Builder
	fmt.Fprintf(&out, b.r.cat.pendingTitle+"\n", len(cases))
	for i, c := range cases {
		if i == maxPendingShown {
			out.WriteString("…")
			break
		}
		who := b.r.get().who(c.Operator, c.ActorRole)
		if c.UnknownAdmin() {
			who = fmt.Sprintf(b.r.cat.unknownAdminShort, fmt.Sprintf("vk%d", c.ActorVKID))
			if c.Kind == justify.EventVanished || c.ActorVKID == 0 {
				who = "?"
			}
		}
		kind := pick(c, "🚫", "🗑")
		if c.Severe {
			kind += "❗"
		}
		fmt.Fprintf(&out, "%s /case_%d — %s, %s · %s · %s\n", kind, c.ID, esc(userName(c), 40), b.r.get().community(c), who,
			b.r.cat.ago(b.r.get().age(c.ActedAt)))
	}
	return strings.TrimRight(out.String(), "\n"), nil
}

// caseCommand shows a case with its evidence and audit trail. Operators see only their
// own cases; managers and owners those of their scope.
func (b *Bot) caseCommand(ctx context.Context, p justify.Person, arg string) (string, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || n <= 0 {
		return b.r.cat.usageCase, nil
	}
	c, ds, err := b.deps.Service.Case(ctx, justify.CaseID(n))
	if err != nil {
		return "", err
	}
	if p.Role == justify.RoleOperator && (c.Operator == "" || c.Operator != p.Name) {
		return b.r.cat.ownCasesOnly, nil
	}
	if !p.Covers(c.GroupID) {
		return b.r.team.caseOutOfScope, nil
	}
	ev, err := b.deps.Service.Evidence(ctx, c)
	if err != nil {
		return "", err
	}
	return b.r.get().caseCard(c, ds, ev), nil
}

// caseCard is /case's answer: the case as managers review it, its state and its trail.
func (r renderer) caseCard(c justify.Case, ds []justify.Decision, ev justify.Evidence) string {
	var b strings.Builder
	title := fmt.Sprintf(pick(c, r.cat.banIn, r.cat.delIn), r.community(c))
	fmt.Fprintf(&b, r.cat.caseTitle+"\n", c.ID, title)
	state := r.cat.states[c.State]
	if c.State == justify.StateClosed {
		state = r.outcome(c)
	}
	b.WriteString(state + "\n")
	r.actor(&b, c)
	if c.Overdue {
		b.WriteString(r.cat.overdue + "\n")
	}
	if c.NotAsked {
		b.WriteString(r.cat.delivery.notAsked + "\n")
	}
	fill := r.evidence(&b, c, ev)
	r.reason(&b, c)
	if c.State == justify.StateUndoPending {
		b.WriteString("\n" + r.undoPending(c) + "\n")
	}
	if len(ds) > 0 {
		fmt.Fprintf(&b, "\n%s\n", r.cat.caseTrail)
		if len(ds) > maxTrailShown {
			b.WriteString("…\n")
			ds = ds[len(ds)-maxTrailShown:]
		}
		for _, d := range ds {
			action, ok := r.cat.actions[d.Action]
			if !ok {
				action = esc(string(d.Action), 40)
			}
			fmt.Fprintf(&b, "• %s — %s: %s", r.time(d.At), esc(d.Actor, 40), action)
			if d.Detail != "" {
				fmt.Fprintf(&b, " (%s)", esc(d.Detail, 120))
			}
			b.WriteString("\n")
		}
	}
	return fitEvidence(strings.TrimRight(b.String(), "\n"), fill)
}

// stats asks the stats source for today's summary of p's scope.
func (b *Bot) stats(ctx context.Context, p justify.Person) (string, error) {
	src := b.statsSource()
	if src == nil {
		return b.r.cat.statsNA, nil
	}
	text, err := src.Today(ctx, b.cfg.Lang, p.Communities)
	if err != nil {
		b.log.Error().Err(err).Msg("compute today's stats")
		return b.r.cat.statsNA, nil
	}
	if strings.TrimSpace(text) == "" {
		return b.r.cat.statsNA, nil
	}
	if parts := splitLines(text, MaxTextLen); len(parts) > 1 {
		text = parts[0]
	}
	return text, nil
}
