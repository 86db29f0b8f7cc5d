package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// The customers who write to the community in messages, and the words of the story's
// shirking: the Russian a Russian brand's operator writes, whatever the bot's language.
const (
	demoGreeted  = 5003 // gets «Здравствуйте!» and nothing more
	demoStalled  = 5004 // gets «Уточняю информацию, ожидайте» and nothing after
	demoReviewer = 5005 // the first of five whose reviews get «Спасибо за отзыв!»

	bareGreeting = "Здравствуйте!"
	holdingReply = "Уточняю информацию, ожидайте"
	pastedReply  = "Спасибо за отзыв!"
	operatorName = "Ivan Petrov"
)

// reviews are what five customers write; Ivan pastes the same thanks to each.
var reviews = []string{
	"Курьер опоздал на два часа и не позвонил",
	"Кроссовки пришли с царапиной на носке",
	"Размер не совпал с таблицей на сайте",
	"Коробка была порвана, чек внутри мокрый",
	"Промокод на скидку не сработал при оплате",
}

// conversationSign is a sign the story must show, with its evidence.
type conversationSign struct {
	kind     string
	customer int64
	words    string
	at       time.Time
}

// conversationStory plays community messages that VK dates yesterday, as it delivers
// messages late after a reconnect: the daemon takes VK's dates, so by now the answer
// deadline (tickets.answer_within) and conversations.stall_after have passed with no
// answer, and the signs are due at once. It waits until the report's figures
// show them and returns each sign with its evidence, for the digest to be checked against.
func (d *demo) conversationStory(ctx context.Context, now time.Time) ([]conversationSign, error) {
	sla, stallAfter := d.cfg.Tickets.AnswerWithin, d.cfg.Conversations.StallAfter
	// The story's first message, early enough that both deadlines passed three hours ago.
	yesterday := now.Add(-max(sla, stallAfter) - 3*time.Hour)
	at := func(minutes int) time.Time { return yesterday.Add(time.Duration(minutes) * time.Minute) }
	d.vk.SetName(demoGreeted, "Dmitry", "Volkov")
	d.vk.SetName(demoStalled, "Elena", "Sokolova")
	d.say("9. Yesterday in community messages (VK dates each message; they reach modwatch now, as after")
	d.say("   a reconnect). Dmitry (vk%d) asks about his order; Ivan answers only «%s» (\"Hello!\")", demoGreeted, bareGreeting)
	d.say("   and nothing more.")
	d.vk.MessageAt(demoGroup, demoGreeted, "Заказ 1187 пришёл без зарядки. Что мне делать?", at(0))
	d.vk.MessageReplyAt(demoGroup, demoGreeted, demoOperatorVK, bareGreeting, at(1))
	d.say("   Elena (vk%d) asks for her money back; Ivan writes «%s» (\"Checking, please wait\")", demoStalled, holdingReply)
	d.say("   and nothing after.")
	d.vk.MessageAt(demoGroup, demoStalled, "Когда вернёте деньги за возврат 2291?", at(60))
	d.vk.MessageReplyAt(demoGroup, demoStalled, demoOperatorVK, holdingReply, at(65))
	d.say("   Five customers (vk%d-vk%d) complain; Ivan pastes «%s» (\"Thanks for your feedback!\") to each.",
		demoReviewer, demoReviewer+len(reviews)-1, pastedReply)
	want := []conversationSign{
		{kind: "bare_greeting", customer: demoGreeted, words: bareGreeting, at: at(1)},
		{kind: "stall", customer: demoStalled, words: holdingReply, at: at(65)},
	}
	for i, text := range reviews {
		customer := int64(demoReviewer + i)
		d.vk.MessageAt(demoGroup, customer, text, at(120+10*i))
		d.vk.MessageReplyAt(demoGroup, customer, demoOperatorVK, pastedReply, at(122+10*i))
		want = append(want, conversationSign{kind: "template", customer: customer, words: pastedReply, at: at(122 + 10*i)})
	}
	d.say("   The answer deadline (tickets.answer_within, %s) and conversations.stall_after (%s) have",
		report.HumanDuration(sla, "en"), report.HumanDuration(stallAfter, "en"))
	d.say("   passed since: modwatch counts a bare greeting, a stall and five template replies for Ivan.")
	if err := d.waitFor(ctx, "Ivan's signs of shirking", func() bool {
		r, err := d.report(ctx, now.Add(-48*time.Hour), time.Now())
		return err == nil && checkIvansFigures(r) == nil
	}); err != nil {
		r, rerr := d.report(ctx, now.Add(-48*time.Hour), time.Now())
		if rerr != nil {
			return nil, fmt.Errorf("%w: %w", err, rerr)
		}
		return nil, fmt.Errorf("%w: %w", err, checkIvansFigures(r))
	}
	return want, nil
}

// report computes the figures of [from, to) as `modwatch report` does.
func (d *demo) report(ctx context.Context, from, to time.Time) (report.Report, error) {
	r, err := report.Load(ctx, d.db, d.reportOpts, from, to)
	if err != nil {
		return report.Report{}, fmt.Errorf("load the report: %w", err)
	}
	return r, nil
}

// checkIvansFigures checks the figures the story told of: Ivan's bare greeting, stall and
// five replies of one template, and nothing the story did not tell.
func checkIvansFigures(r report.Report) error {
	if len(r.Communities) != 1 {
		return fmt.Errorf("the report has %d communities, want 1", len(r.Communities))
	}
	c := r.Communities[0]
	for _, o := range c.Operators {
		if o.Operator != operatorName {
			continue
		}
		got := o.Current.ConversationCounts
		if got.BareGreetings != 1 || got.Stalls != 1 || got.TemplateReplies != len(reviews) || got.OneWordReplies != 0 {
			return fmt.Errorf("Ivan's signs: %d bare greetings, %d stalls, %d template replies, %d one-word replies; want 1, 1, %d, 0",
				got.BareGreetings, got.Stalls, got.TemplateReplies, got.OneWordReplies, len(reviews))
		}
		if got.Dialogs != 2+len(reviews) {
			return fmt.Errorf("Ivan has %d dialogs, want %d", got.Dialogs, 2+len(reviews))
		}
		if len(c.Templates) != 1 || c.Templates[0].Customers != len(reviews) || c.Templates[0].Operator != operatorName {
			return fmt.Errorf("templates: %+v, want Ivan's one to %d customers", c.Templates, len(reviews))
		}
		return nil
	}
	return fmt.Errorf("the report has no row for %s", operatorName)
}

// checkDigest checks that the digest's messages show each kind of sign the story told of
// with its evidence: the operator, the words and a link to a customer's conversation in VK.
// A digest may list only the worst few of a kind, so one link of each kind will do.
func checkDigest(msgs []telegramtest.Msg, want []conversationSign) error {
	var text, html strings.Builder
	for _, m := range msgs {
		text.WriteString(m.Text + "\n")
		html.WriteString(m.HTML + "\n")
	}
	var missing []string
	if !strings.Contains(text.String(), operatorName) {
		missing = append(missing, operatorName)
	}
	linked := map[string]bool{}
	for _, s := range want {
		if strings.Contains(html.String(), fmt.Sprintf(`href="https://vk.com/gim%d?sel=%d"`, demoGroup, s.customer)) {
			linked[s.kind] = true
		}
	}
	told := map[string]bool{}
	for _, s := range want {
		if told[s.kind] {
			continue
		}
		told[s.kind] = true
		// Case aside: a template may be shown as normalised.
		if !strings.Contains(strings.ToLower(text.String()), strings.ToLower(strings.TrimRight(s.words, "!"))) {
			missing = append(missing, fmt.Sprintf("the %s %q", s.kind, s.words))
		}
		if !linked[s.kind] {
			missing = append(missing, fmt.Sprintf("a link to the conversation of the %s", s.kind))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the digest lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

// printReport prints Ivan's conversation figures as `modwatch report --format json` gives
// them (his row's "current"), in Anna's time zone.
func (d *demo) printReport(ctx context.Context, from, to time.Time) error {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return fmt.Errorf("load the report's time zone: %w", err)
	}
	r, err := d.report(ctx, from.In(loc), to.In(loc))
	if err != nil {
		return err
	}
	if err := checkIvansFigures(r); err != nil {
		return err
	}
	d.say("11. The same figures for scripts: modwatch report --since 2d --operator %q --format json", operatorName)
	d.say("    gives Ivan's row; beside the moderation counts, its \"current\" holds:")
	for _, o := range r.Operator(operatorName).Communities[0].Operators {
		b, err := json.Marshal(o.Current.ConversationCounts)
		if err != nil {
			return fmt.Errorf("write Ivan's figures: %w", err)
		}
		d.line("report  ", wrap(strings.Split(strings.Trim(string(b), "{}"), ","), 90))
	}
	return nil
}

// wrap joins fields with ", " into lines of about width characters.
func wrap(fields []string, width int) string {
	var b strings.Builder
	n := 0
	for i, f := range fields {
		if i > 0 {
			b.WriteString(",")
			if n+len(f) > width {
				b.WriteString("\n")
				n = 0
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(f)
		n += len(f) + 2
	}
	return b.String()
}
