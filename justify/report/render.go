package report

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modwatch/modwatch/justify"
)

// MaxMessageLen is Telegram's limit on a message's text. RenderHTML keeps every paragraph
// under it, so SplitHTML can always cut a digest into sendable messages.
const MaxMessageLen = 4096

// maxListed bounds the deleted requests and SLA breaches listed per community in Telegram;
// the rest are counted ("and 3 more"): owners need the pattern, the CSV has every figure.
const maxListed = 10

// MaxListed is how many of the longest waits past the SLA /stats and the digests read and
// list per community (Options.Breaches): the Telegram lists show no more.
const MaxListed = maxListed

// format is what differs between the CLI's text and Telegram's HTML.
type format struct {
	html bool
	// listAll lists every deleted request and breach (the CLI); Telegram lists maxListed.
	listAll bool
	// worst shows the signs of shirking as the digest does: per operator, the worst of
	// each kind (render_digest.go), instead of one list by time.
	worst bool
	// figuresOnly leaves the lists out: /stats, when they would not fit one message.
	figuresOnly bool
}

// esc makes text safe to show in the format: customers' and people's names and words
// pass justify.ShowText in a terminal as in Telegram, then HTML escaping for Telegram.
func (f format) esc(s string) string {
	s = justify.ShowText(s)
	if f.html {
		return html.EscapeString(s)
	}
	return s
}

func (f format) bold(s string) string {
	s = justify.ShowText(s)
	if f.html {
		return "<b>" + html.EscapeString(s) + "</b>"
	}
	return s
}

// indent starts a figure line: indented under its heading in a terminal, flush on a phone.
func (f format) indent() string {
	if f.html {
		return ""
	}
	return "  "
}

// item is one figure of a line: shown when it is not zero in one of the periods.
type item struct {
	label string
	cur   int
	prev  int
	// text replaces the number (a duration); change is the change's text, "" for none.
	text, change string
}

func (it item) String() string {
	v := it.text
	if v == "" {
		v = fmt.Sprint(it.cur)
	}
	if it.change == "" && it.text == "" && it.cur != it.prev {
		it.change = fmt.Sprintf("%+d", it.cur-it.prev)
	}
	if it.change != "" {
		v += " (" + it.change + ")"
	}
	if it.label == "" {
		return v
	}
	return it.label + " " + v
}

// line joins the items that have something to show, after an optional "Label: ".
func line(label string, items ...item) string {
	var parts []string
	for _, it := range items {
		if it.cur != 0 || it.prev != 0 {
			parts = append(parts, it.String())
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, " · ")
	if label != "" {
		s = label + ": " + s
	}
	return s
}

// figureLines are the figures of one row, grouped by what they are about; a group with
// nothing in either period is left out, so an empty row has no lines.
func figureLines(f Figures, w words, language string, sla time.Duration, total bool) []string {
	c, p := f.Current, f.Previous
	median := item{label: w.median, cur: c.Answered, prev: p.Answered}
	if c.Answered > 0 {
		median.text = HumanDuration(c.MedianFirstResponse, language)
		// A change against a period without answers means nothing.
		if p.Answered > 0 && f.Change.MedianFirstResponse.Round(time.Minute) != 0 {
			median.change = signed(HumanDuration(f.Change.MedianFirstResponse, language))
		}
	} else {
		median.text = "—"
	}
	lines := []string{
		line("", item{label: w.bans, cur: c.Bans, prev: p.Bans}, item{label: w.deletions, cur: c.Deletions, prev: p.Deletions}),
		line(w.reasons, item{label: w.inTime, cur: c.JustifiedInTime, prev: p.JustifiedInTime},
			item{label: w.late, cur: c.JustifiedLate, prev: p.JustifiedLate},
			item{label: w.never, cur: c.NeverJustified, prev: p.NeverJustified}),
		line(w.decisions, item{label: w.approved, cur: c.Approved, prev: p.Approved},
			item{label: w.reversed, cur: c.Reversed, prev: p.Reversed},
			item{label: w.reversedInVK, cur: c.ReversedInVK, prev: p.ReversedInVK}),
		line(w.answered, item{label: "", cur: c.Answered, prev: p.Answered}, median),
	}
	lines = append(lines, line("", item{label: w.deletedReqs, cur: c.DeletedRequests, prev: p.DeletedRequests}))
	// Their own line: VK does not say whether the author or an admin deleted them.
	lines = append(lines, line("", item{label: w.vanished, cur: c.VanishedPosts, prev: p.VanishedPosts}))
	if total && sla > 0 {
		lines = append(lines, line(fmt.Sprintf(w.breaches, HumanDuration(sla, language)), item{cur: c.SLABreaches, prev: p.SLABreaches}))
	}
	lines = append(lines, conversationLines(f, w, language)...) // render_conversations.go
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// signed puts a plus before a non-negative change.
func signed(s string) string {
	if strings.HasPrefix(s, "-") {
		return s
	}
	return "+" + s
}

// operatorName names a row: the person, with their role when they are not an operator.
func operatorName(name string, role justify.Role, w words) string {
	switch {
	case name == UnknownOperator:
		return w.unknown
	case role == justify.RoleManager:
		return name + " (" + w.manager + ")"
	case role == justify.RoleOwner:
		return name + " (" + w.owner + ")"
	}
	return name
}

// renderCommunity writes one community as paragraphs (separated by blank lines), none
// longer than MaxMessageLen.
func renderCommunity(c CommunityReport, r Report, f format, language string) []string {
	w := lang(language)
	loc := r.From.Location()
	totals := figureLines(c.Total, w, language, r.SLA, true)
	if len(totals) == 0 {
		totals = []string{w.noActivity}
	}
	paras := []string{f.figures(totals, c.Name, w.total)}

	var idle []string
	for _, o := range c.Operators {
		lines := figureLines(o.Figures, w, language, r.SLA, false)
		if len(lines) == 0 {
			idle = append(idle, operatorName(o.Operator, o.Role, w))
			continue
		}
		paras = append(paras, f.figures(lines, operatorName(o.Operator, o.Role, w)))
	}
	if len(idle) > 0 {
		paras = append(paras, f.esc(fmt.Sprintf(w.noActions, strings.Join(idle, ", "))))
	}

	if f.figuresOnly {
		return paras
	}
	if len(c.DeletedRequests) > 0 {
		var entries []string
		for _, d := range c.DeletedRequests {
			who := operatorName(d.Operator, d.Role, w)
			switch {
			case d.Vanished:
				who = w.vanishedWho
			case d.Operator == UnknownOperator:
				who = fmt.Sprintf(w.unknownAdmin, d.ActorVKID)
			}
			entries = append(entries, fmt.Sprintf("%s, %s: %s%s", d.At.In(loc).Format(w.shortTime), f.esc(who),
				quote(d.Excerpt, d.Author, f, w), f.link(d.Link, w)))
		}
		paras = append(paras, f.list(w.deletedList, entries, w))
	}
	if len(c.SLABreaches) > 0 {
		var entries []string
		for _, b := range c.SLABreaches {
			author := b.Author
			if author == "" {
				author = fmt.Sprintf("id%d", b.AuthorVK)
			}
			entries = append(entries, f.esc(fmt.Sprintf(w.waits, author, HumanDuration(b.Waiting, language)))+": "+
				quote(b.Excerpt, "", f, w)+f.link(b.Link, w))
		}
		// The list may hold only the longest waits: the others are counted, not read.
		paras = append(paras, f.listOf(fmt.Sprintf(w.breaches, HumanDuration(r.SLA, language)), entries, c.SLABreachesTotal, w))
	}
	if f.worst {
		paras = append(paras, digestSigns(c, r, f, language)...) // render_digest.go
	} else {
		paras = append(paras, conversationLists(c, r, f, language)...)
	}
	var out []string
	for _, p := range paras {
		out = append(out, splitLines(p, MaxMessageLen)...)
	}
	return out
}

// figures writes a paragraph of figure lines under bold headings.
func (f format) figures(lines []string, headings ...string) string {
	var p []string
	for _, h := range headings {
		p = append(p, f.bold(h))
	}
	for _, l := range lines {
		p = append(p, f.indent()+f.esc(l))
	}
	return strings.Join(p, "\n")
}

// quote writes a customer's words in guillemets, with the author after a dash.
func quote(excerpt, author string, f format, w words) string {
	s := "(" + w.noText + ")"
	if excerpt != "" {
		s = "«" + Excerpt(excerpt, excerptRunes) + "»"
	}
	if author != "" {
		s += " — " + author
	}
	return f.esc(s)
}

func (f format) link(url string, w words) string {
	switch {
	case url == "":
		return ""
	case f.html:
		return ` <a href="` + html.EscapeString(url) + `">` + w.link + `</a>`
	}
	return " " + url
}

// list writes a heading and its entries, at most maxListed in Telegram.
func (f format) list(heading string, entries []string, w words) string {
	return f.listOf(heading, entries, len(entries), w)
}

// listOf writes a heading and the first entries of total, at most maxListed in Telegram,
// and counts the ones not written.
func (f format) listOf(heading string, entries []string, total int, w words) string {
	lines := []string{f.bold(heading)}
	bullet := "  - "
	if f.html {
		bullet = "• "
	}
	shown := len(entries)
	if !f.listAll && shown > maxListed {
		shown = maxListed
	}
	for _, e := range entries[:shown] {
		lines = append(lines, bullet+e)
	}
	if total > shown {
		lines = append(lines, bullet+f.esc(fmt.Sprintf(w.more, total-shown)))
	}
	return strings.Join(lines, "\n")
}

func render(r Report, language string, f format) string {
	w := lang(language)
	paras := []string{f.bold(fmt.Sprintf(w.title, PeriodLabel(r, language)))}
	if len(r.Communities) == 0 {
		paras = append(paras, w.noActivity)
	}
	for _, c := range r.Communities {
		paras = append(paras, renderCommunity(c, r, f, language)...)
	}
	return strings.Join(paras, "\n\n") + "\n"
}

// RenderText writes a report as plain text for a terminal, every deleted request and
// breach listed. Times are shown in the location of r.From.
func RenderText(r Report, language string) string {
	return render(r, language, format{listAll: true})
}

// RenderHTML writes a report as Telegram HTML (parse_mode HTML), outside text escaped,
// lines short enough for a phone. Paragraphs are separated by blank lines and none is
// longer than MaxMessageLen, so SplitHTML cuts the text into messages Telegram accepts.
// Times are shown in the location of r.From.
func RenderHTML(r Report, language string) string {
	return render(r, language, format{html: true})
}

// SplitHTML cuts a rendered report into messages of at most limit characters, at blank
// lines (never inside a tag), packing as many paragraphs into each message as fit.
func SplitHTML(text string, limit int) []string {
	var msgs []string
	var cur string
	for _, p := range strings.Split(strings.TrimRight(text, "\n"), "\n\n") {
		for _, part := range splitLines(p, limit) {
			switch {
			case cur == "":
				cur = part
			case utf8.RuneCountInString(cur)+2+utf8.RuneCountInString(part) <= limit:
				cur += "\n\n" + part
			default:
				msgs = append(msgs, cur)
				cur = part
			}
		}
	}
	if cur != "" {
		msgs = append(msgs, cur)
	}
	return msgs
}

// splitLines cuts a paragraph longer than limit at line ends into paragraphs of whole
// lines. Rendered lines are far shorter than a message, so this is only a safety net.
func splitLines(p string, limit int) []string {
	if utf8.RuneCountInString(p) <= limit {
		return []string{p}
	}
	var out []string
	var cur string
	for _, l := range strings.Split(p, "\n") {
		if cur != "" && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(l) > limit {
			out = append(out, cur)
			cur = ""
		}
		if cur == "" {
			cur = l
		} else {
			cur += "\n" + l
		}
	}
	return append(out, cur)
}
