package telegram

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modwatch/modwatch/justify"
)

// evidenceMark stands where the customer's words go until the rest of the message is
// known: they get whatever room the message leaves, so a long comment is cut, never the
// message refused.
const evidenceMark = "\x00evidence\x00"

const (
	// maxEvidence caps the customer's words even when the message has room for more.
	maxEvidence = 3000
	// maxExcerpt is the longest excerpt of one of a banned user's requests.
	maxExcerpt = 150
	// maxTicketsShown is how many of a banned user's requests a message lists.
	maxTicketsShown = 5
	// fitMargin keeps a few characters spare under MaxTextLen for the cut mark.
	fitMargin = 8
)

// fitEvidence replaces evidenceMark in text with fill's output, given the characters the
// rest of the message leaves under MaxTextLen.
func fitEvidence(text string, fill func(budget int) string) string {
	if fill == nil || !strings.Contains(text, evidenceMark) {
		return strings.Replace(text, evidenceMark, "", 1)
	}
	budget := MaxTextLen - plainLen(strings.Replace(text, evidenceMark, "", 1)) - fitMargin
	return strings.Replace(text, evidenceMark, fill(min(budget, maxEvidence)), 1)
}

// plainLen counts the characters Telegram counts in our own HTML: tags are not text and
// an entity is one character. Outside text is always escaped, so every '<' opens a tag.
func plainLen(s string) int {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		s = s[i+j+1:]
	}
	return utf8.RuneCountInString(html.UnescapeString(b.String()))
}

// evidence writes what a prompt or review shows besides the action: for a deletion, the
// deleted words and their story; for a ban, the user's requests. It returns the filler of
// evidenceMark, or nil when it wrote none.
func (r renderer) evidence(b *strings.Builder, c justify.Case, ev justify.Evidence) func(int) string {
	if r.plain {
		r.plainEvidence(b, c)
		return nil
	}
	if !c.IsDeletion() {
		r.details(b, c)
		return r.tickets(b, ev.UserTickets)
	}
	switch {
	case c.Severe && c.Kind == justify.EventVanished:
		b.WriteString(r.cat.vanished.severe + "\n")
	case c.Severe:
		b.WriteString(r.cat.severe + "\n")
	}
	t := ev.Ticket
	fmt.Fprintf(b, "%s: %s\n", r.cat.author, r.userLink(c))
	if t != nil {
		fmt.Fprintf(b, "%s: %s (%s)\n", r.cat.written, r.time(t.CreatedAt), r.cat.ago(r.age(t.CreatedAt)))
		fmt.Fprintf(b, "%s: %s\n", r.cat.answer, r.answered(*t))
		if len(t.Attachments) > 0 {
			kinds := make([]string, 0, len(t.Attachments))
			for _, k := range t.Attachments {
				if name, ok := r.cat.attachmentKinds[k]; ok {
					kinds = append(kinds, name)
				} else {
					kinds = append(kinds, esc(k, 30))
				}
			}
			fmt.Fprintf(b, "%s: %s\n", r.cat.attachments, strings.Join(kinds, ", "))
		}
	}
	if link := r.itemLink(c, t); link != "" {
		fmt.Fprintf(b, "%s: %s\n", r.cat.link, link)
	}
	if c.Kind == justify.EventVanished {
		b.WriteString(r.cat.deletedVanished + "\n") // a sentence of its own: nobody to name
	} else {
		fmt.Fprintf(b, "%s: %s\n", r.cat.deletedBy, r.deleter(c))
	}
	fmt.Fprintf(b, "%s: %s\n", r.cat.when, r.time(c.ActedAt))
	switch {
	case t == nil:
		b.WriteString(r.cat.textUnknown + "\n")
	case t.Forgotten:
		b.WriteString(r.cat.textForgotten + "\n")
	case t.Text != "":
		fmt.Fprintf(b, "%s:\n<blockquote>%s</blockquote>\n", r.cat.text, evidenceMark)
		text := t.Text
		return func(budget int) string { return esc(text, max(budget, 1)) }
	}
	return nil
}

// itemLink links the item in VK, or "" when it has no address.
func (r renderer) itemLink(c justify.Case, t *justify.Ticket) string {
	link := c.Item.Link()
	if link == "" && t != nil {
		link = t.Link
	}
	// Imported tickets carry whatever link their system gave; only web links are shown.
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return ""
	}
	return fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(link), r.cat.openInVK)
}

// deleter says who deleted the item, as far as anyone knows.
func (r renderer) deleter(c justify.Case) string {
	switch {
	case c.Kind == justify.EventVanished:
		return r.cat.deletedVanished
	case c.Operator != "":
		return r.who(c.Operator, c.ActorRole)
	case c.ActorVKID > 0:
		return fmt.Sprintf(r.cat.unknownAdminShort, vkAdmin(c.ActorVKID))
	}
	return r.cat.deletedNoActor
}

// answered says whether, when and by whom the community answered a ticket.
func (r renderer) answered(t justify.Ticket) string {
	if !t.Answered() {
		return r.cat.notAnswered
	}
	if t.AnsweredBy > 0 {
		who := vkAdmin(t.AnsweredBy)
		if r.people != nil {
			if p, ok := r.people.ByVK(t.AnsweredBy); ok {
				who = r.who(p.Name, p.Role)
			}
		}
		return fmt.Sprintf(r.cat.answeredBy, who, r.time(t.AnsweredAt))
	}
	return fmt.Sprintf(r.cat.answeredAt, r.time(t.AnsweredAt))
}

// tickets lists a banned user's requests, open ones first as the store orders them. The
// list goes in evidenceMark's place so that its excerpts share the room left.
func (r renderer) tickets(b *strings.Builder, ts []justify.Ticket) func(int) string {
	if len(ts) == 0 {
		fmt.Fprintf(b, "\n%s\n", r.cat.noTickets)
		return nil
	}
	open := 0
	for _, t := range ts {
		if t.Open() {
			open++
		}
	}
	fmt.Fprintf(b, "\n<b>%s</b>: %s\n%s\n", r.cat.userTickets, r.cat.unanswered(open, len(ts)), evidenceMark)
	return func(budget int) string {
		shown := min(len(ts), maxTicketsShown)
		// Each line spends about 40 characters besides its excerpt.
		per := min(maxExcerpt, budget/shown-40)
		for per < 20 && shown > 1 {
			shown--
			per = min(maxExcerpt, budget/shown-40)
		}
		per = max(per, 1)
		var out strings.Builder
		for _, t := range ts[:shown] {
			mark := "✓"
			if t.Open() {
				mark = "❗"
			}
			words := t.Text
			if t.Subject != "" {
				words = t.Subject + ": " + words
			}
			excerpt := esc(strings.Join(strings.Fields(words), " "), per)
			if t.Forgotten {
				excerpt = r.cat.textForgotten
			}
			l := t.Ref.Link()
			if l == "" {
				l = t.Link
			}
			link := ""
			if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
				link = fmt.Sprintf(` <a href="%s">→</a>`, html.EscapeString(l))
			}
			deleted := ""
			if !t.DeletedAt.IsZero() {
				deleted = " (" + r.cat.ticketDeleted + ")"
			}
			fmt.Fprintf(&out, "%s %s%s: %s%s\n", mark, r.cat.ago(r.age(t.CreatedAt)), deleted, excerpt, link)
		}
		return strings.TrimRight(out.String(), "\n")
	}
}

// age says how long ago t was, roughly: minutes, hours or days.
func (r renderer) age(t time.Time) string {
	now := time.Now
	if r.now != nil {
		now = r.now
	}
	d := now().Sub(t)
	switch {
	case d < time.Hour:
		return r.cat.minutes(max(int(d/time.Minute), 0))
	case d < 48*time.Hour:
		return r.cat.hours(int(d / time.Hour))
	}
	return r.cat.days(int(d / (24 * time.Hour)))
}
