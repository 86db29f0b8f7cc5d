package report

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxMessageLen is Telegram's limit on a message's text. RenderHTML keeps every paragraph
// under it, so SplitHTML can always cut a digest into sendable messages.
const MaxMessageLen = 4096

// maxListed bounds the deleted requests and SLA breaches listed per community in Telegram;
// the rest are counted ("and 3 more"): owners need the pattern, the CSV has every figure.
const maxListed = 10

// words are one language's texts of a report.
type words struct {
	title        string // "Moderation for %s"
	total        string
	unknown      string // the row of admins who are not configured operators
	noActions    string // "%s: no actions"
	noActivity   string
	bans         string
	deletions    string
	reasons      string
	inTime       string
	late         string
	never        string
	decisions    string
	approved     string
	reversed     string
	reversedInVK string
	answered     string
	median       string
	breaches     string // "Unanswered over %s": the figure on the total line and the list's heading
	deletedReqs  string
	deletedList  string
	waits        string // "%s waits %s"
	unknownAdmin string // "unknown admin %d"
	noText       string
	more         string // "and %d more"
	link         string
	date         string // time.Format layout of a date
	dateTime     string
	shortTime    string
	day, hour    string // duration units
	minute       string
	unitSpace    string // between a number and its unit
	caption      string // "%s: bans %d, deletions %d"
	captionRev   string
	captionNever string
	captionDel   string
	chartTitle   string
	chartEmpty   string
}

var ru = words{
	title: "Модерация за %s", total: "Итого", unknown: "Неизвестные админы",
	noActions: "Без действий: %s", noActivity: "Действий не было.",
	bans: "Баны", deletions: "Удаления",
	reasons: "Причины", inTime: "вовремя", late: "с опозданием", never: "не указаны",
	decisions: "Решения", approved: "одобрено", reversed: "отменено", reversedInVK: "отменено в VK",
	answered: "Ответы", median: "медиана", breaches: "Без ответа дольше %s",
	deletedReqs: "Удалены неотвеченные обращения", deletedList: "Удалённые неотвеченные обращения",
	waits: "%s ждёт %s", unknownAdmin: "неизвестный админ %d",
	noText: "текст не сохранён", more: "и ещё %d", link: "ссылка",
	date: "02.01.2006", dateTime: "02.01.2006 15:04", shortTime: "02.01 15:04",
	day: "д", hour: "ч", minute: "мин", unitSpace: " ",
	caption: "Модерация за %s: баны %s, удаления %s", captionRev: "отменено %s",
	captionNever: "без причины %s", captionDel: "удалены неотвеченные %s",
	chartTitle: "Действия операторов по часам", chartEmpty: "Действий не было",
}

var en = words{
	title: "Moderation for %s", total: "Total", unknown: "Unknown admins",
	noActions: "No actions: %s", noActivity: "No actions.",
	bans: "Bans", deletions: "Deletions",
	reasons: "Reasons", inTime: "in time", late: "late", never: "never given",
	decisions: "Decisions", approved: "approved", reversed: "reversed", reversedInVK: "undone in VK",
	answered: "Answered", median: "median", breaches: "Unanswered over %s",
	deletedReqs: "Unanswered requests deleted", deletedList: "Unanswered requests deleted",
	waits: "%s waits %s", unknownAdmin: "unknown admin %d",
	noText: "text not kept", more: "and %d more", link: "link",
	date: "2006-01-02", dateTime: "2006-01-02 15:04", shortTime: "01-02 15:04",
	day: "d", hour: "h", minute: "m", unitSpace: "",
	caption: "Moderation for %s: bans %s, deletions %s", captionRev: "reversed %s",
	captionNever: "no reason %s", captionDel: "unanswered deleted %s",
	chartTitle: "Operators' actions by hour", chartEmpty: "No actions",
}

// lang picks the texts of a language: English for "en" (and "en-US", ...), Russian for
// anything else, Russian being the bot's default.
func lang(l string) words {
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return en
	}
	return ru
}

// HumanDuration writes d the way people say it, rounded to the minute: "2 ч 15 мин" or
// "2h 15m"; days and hours from a day on ("1 д 3 ч"); "<1 мин" for less than a minute.
func HumanDuration(d time.Duration, language string) string {
	w := lang(language)
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	unit := func(n int64, u string) string { return fmt.Sprintf("%d%s%s", n, w.unitSpace, u) }
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case d == 0:
		return unit(0, w.minute)
	case m == 0:
		return sign + "<" + unit(1, w.minute)
	case m >= 24*60:
		// Minutes do not matter once the wait is in days.
		h := int64(d.Round(time.Hour) / time.Hour)
		parts := []string{unit(h/24, w.day)}
		if h%24 != 0 {
			parts = append(parts, unit(h%24, w.hour))
		}
		return sign + strings.Join(parts, " ")
	}
	var parts []string
	if m >= 60 {
		parts = append(parts, unit(m/60, w.hour))
	}
	if m%60 != 0 {
		parts = append(parts, unit(m%60, w.minute))
	}
	return sign + strings.Join(parts, " ")
}

// PeriodLabel names a report's period in the location of its From: one date for a day
// from midnight to midnight, two dates (the last one included) for longer midnight
// periods, dates and times otherwise; followed by the zone.
func PeriodLabel(r Report, language string) string {
	w := lang(language)
	loc := r.From.Location()
	from, to := r.From, r.To.In(loc)
	var s string
	switch {
	case midnight(from) && midnight(to) && to.Equal(from.AddDate(0, 0, 1)):
		s = from.Format(w.date)
	case midnight(from) && midnight(to):
		s = from.Format(w.date) + " – " + to.AddDate(0, 0, -1).Format(w.date)
	default:
		s = from.Format(w.dateTime) + " – " + to.Format(w.dateTime)
	}
	return s + " (" + zoneName(from) + ")"
}

func midnight(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 }

// zoneName is the zone's abbreviation, or UTC±h when the zone has only an offset ("+10").
func zoneName(t time.Time) string {
	name, off := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	s := fmt.Sprintf("UTC%+d", off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", abs(m))
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// format is what differs between the CLI's text and Telegram's HTML.
type format struct {
	html bool
	// listAll lists every deleted request and breach (the CLI); Telegram lists maxListed.
	listAll bool
}

func (f format) esc(s string) string {
	if f.html {
		return html.EscapeString(s)
	}
	return s
}

func (f format) bold(s string) string {
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
	if total && sla > 0 {
		lines = append(lines, line(fmt.Sprintf(w.breaches, HumanDuration(sla, language)), item{cur: c.SLABreaches, prev: p.SLABreaches}))
	}
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

func operatorName(name string, w words) string {
	if name == UnknownOperator {
		return w.unknown
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
			idle = append(idle, operatorName(o.Operator, w))
			continue
		}
		paras = append(paras, f.figures(lines, operatorName(o.Operator, w)))
	}
	if len(idle) > 0 {
		paras = append(paras, f.esc(fmt.Sprintf(w.noActions, strings.Join(idle, ", "))))
	}

	if len(c.DeletedRequests) > 0 {
		var entries []string
		for _, d := range c.DeletedRequests {
			who := d.Operator
			if who == UnknownOperator {
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
		paras = append(paras, f.list(fmt.Sprintf(w.breaches, HumanDuration(r.SLA, language)), entries, w))
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
	lines := []string{f.bold(heading)}
	bullet := "  - "
	if f.html {
		bullet = "• "
	}
	for i, e := range entries {
		if !f.listAll && i == maxListed {
			lines = append(lines, bullet+f.esc(fmt.Sprintf(w.more, len(entries)-maxListed)))
			break
		}
		lines = append(lines, bullet+e)
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

// Caption is a digest's one-line headline: the period and the figures an owner looks at
// first. It has no markup.
func Caption(r Report, language string) string {
	w := lang(language)
	var c, p Counts
	for _, cr := range r.Communities {
		c, p = add(c, cr.Total.Current), add(p, cr.Total.Previous)
	}
	withChange := func(cur, prev int) string {
		if cur == prev {
			return fmt.Sprint(cur)
		}
		return fmt.Sprintf("%d (%+d)", cur, cur-prev)
	}
	s := fmt.Sprintf(w.caption, PeriodLabel(r, language), withChange(c.Bans, p.Bans), withChange(c.Deletions, p.Deletions))
	for _, x := range []struct {
		text      string
		cur, prev int
	}{
		{w.captionRev, c.Reversed, p.Reversed},
		{w.captionNever, c.NeverJustified, p.NeverJustified},
		{w.captionDel, c.DeletedRequests, p.DeletedRequests},
	} {
		if x.cur != 0 {
			s += ", " + fmt.Sprintf(x.text, withChange(x.cur, x.prev))
		}
	}
	return s
}

// add sums the counts that add up across communities (not the medians).
func add(a, b Counts) Counts {
	a.Bans += b.Bans
	a.Deletions += b.Deletions
	a.Reversed += b.Reversed
	a.NeverJustified += b.NeverJustified
	a.DeletedRequests += b.DeletedRequests
	return a
}
