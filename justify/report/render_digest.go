package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// The digest's "signs of shirking": for each operator (and the community as a whole, for
// what VK does not attribute), the worst examples of each sign (justify.SignSeverity) with
// the words, escaped and clipped, and a link to VK; then the operator's top templates.

// digestTemplates bounds the templates shown per operator: the most used ones.
const digestTemplates = 5

// digestExcerpt bounds the quoted words of a digest's example: three examples of eight
// kinds for each operator must stay readable on a phone.
const digestExcerpt = 120

// digestWords are the words of the digest's section, by language.
type digestWords struct {
	heading   string // "Signs of shirking: %s"
	waited    string // "waited %s"
	waiting   string // "unanswered for %s"
	cameBack  string // "wrote again after %s"
	wroteMore string // "the customer wrote again"
	topTpl    string
	// The chart's legend: its two scales and the outline of shifts.
	chartActions, chartReplies, chartShifts string
}

var digestRU = digestWords{heading: "Признаки отлынивания: %s", waited: "ждал %s", waiting: "без ответа уже %s",
	cameBack: "написал снова через %s", wroteMore: "клиент написал снова", topTpl: "Частые шаблоны",
	chartActions: "действия модерации", chartReplies: "ответы", chartShifts: "рамка: смена"}

var digestEN = digestWords{heading: "Signs of shirking: %s", waited: "waited %s", waiting: "unanswered for %s",
	cameBack: "wrote again after %s", wroteMore: "the customer wrote again", topTpl: "Top templates",
	chartActions: "moderation actions", chartReplies: "replies", chartShifts: "outlined: on shift"}

func digestLang(language string) digestWords {
	if lang(language).title == en.title {
		return digestEN
	}
	return digestRU
}

// signWho names whom a sign or template counts for, as the lists show it.
func signWho(operator string, actor int64, w words) string {
	switch {
	case actor == 0:
		return w.community
	case operator == UnknownOperator:
		return fmt.Sprintf(w.unknownAdmin, actor)
	}
	return operator
}

// digestSigns writes the section as paragraphs, one per operator, in the order of the
// community's operator rows, the community's own signs last.
func digestSigns(c CommunityReport, r Report, f format, language string) []string {
	w, dw := lang(language), digestLang(language)
	type bucket struct {
		signs     map[string][]Sign
		templates []Template
		counts    *ConversationCounts
	}
	buckets := map[string]*bucket{}
	var order []string
	get := func(who string) *bucket {
		b, ok := buckets[who]
		if !ok {
			b = &bucket{signs: map[string][]Sign{}}
			buckets[who] = b
			order = append(order, who)
		}
		return b
	}
	for _, o := range c.Operators {
		if o.Operator != UnknownOperator {
			counts := o.Current.ConversationCounts
			get(o.Operator).counts = &counts
		}
	}
	for _, s := range c.Signs {
		b := get(signWho(s.Operator, s.ActorVKID, w))
		b.signs[s.Kind] = append(b.signs[s.Kind], s)
	}
	for _, t := range c.Templates {
		b := get(signWho(t.Operator, t.ActorVKID, w))
		b.templates = append(b.templates, t)
	}
	var paras []string
	for _, who := range order {
		b := buckets[who]
		if len(b.signs) == 0 && len(b.templates) == 0 {
			continue
		}
		lines := []string{f.bold(fmt.Sprintf(dw.heading, who))}
		for _, kind := range justify.SignKinds {
			ss := rankSigns(b.signs[string(kind)], r.To)
			if len(ss) == 0 {
				continue
			}
			head := w.signNames[string(kind)]
			switch n := kindCount(b.counts, kind); {
			case kind == justify.SignIdle && n > 0:
				head += " — " + HumanDuration(time.Duration(n)*time.Minute, language)
			case n > 0:
				head += fmt.Sprintf(" — %d", n)
			}
			lines = append(lines, f.esc(head)+":")
			for _, s := range ss {
				lines = append(lines, "• "+digestEntry(s, r, f, language, dw))
			}
		}
		if len(b.templates) > 0 {
			lines = append(lines, f.esc(dw.topTpl)+":")
			ts := b.templates
			if len(ts) > digestTemplates {
				ts = ts[:digestTemplates]
			}
			for _, t := range ts {
				lines = append(lines, "• "+f.esc("«"+Excerpt(t.Text, digestExcerpt)+"» — "+
					fmt.Sprintf(w.templateLine, t.Customers, t.Replies, t.WroteAgain)))
			}
		}
		paras = append(paras, strings.Join(lines, "\n"))
	}
	return paras
}

// rankSigns orders one kind's signs worst first and keeps DigestWorst of them: the report
// was loaded with the worst, but a scoped or merged report may hold more.
func rankSigns(ss []Sign, end time.Time) []Sign {
	type ranked struct {
		s Sign
		j justify.Sign
	}
	rs := make([]ranked, len(ss))
	for i, s := range ss {
		rs[i] = ranked{s, justify.Sign{Kind: justify.SignKind(s.Kind), At: s.At, Until: s.Until, Minutes: s.Minutes,
			WroteAfter: s.WroteAfter, ID: int64(-i)}}
	}
	sort.SliceStable(rs, func(i, j int) bool { return justify.Worse(rs[i].j, rs[j].j, end) })
	var out []Sign
	for i := 0; i < len(rs) && i < DigestWorst; i++ {
		out = append(out, rs[i].s)
	}
	return out
}

// kindCount is an operator's count of a kind of sign in the period (idle time in
// minutes); 0 when unknown.
func kindCount(c *ConversationCounts, kind justify.SignKind) int {
	if c == nil {
		return 0
	}
	if n := c.field(kind); n != nil {
		return *n
	}
	return 0
}

// digestEntry is one example: when, what makes it bad, the words and a link to VK.
func digestEntry(s Sign, r Report, f format, language string, dw digestWords) string {
	w := lang(language)
	dur := func(d time.Duration) string { return HumanDuration(d, language) }
	var why string
	end := func(t time.Time) time.Time {
		if t.IsZero() || t.After(r.To) {
			return r.To
		}
		return t
	}
	switch justify.SignKind(s.Kind) {
	case justify.SignBareGreeting, justify.SignStall, justify.SignSkipped:
		if s.Until.IsZero() {
			why = fmt.Sprintf(dw.waiting, dur(end(s.Until).Sub(s.At)))
		} else {
			why = fmt.Sprintf(dw.waited, dur(end(s.Until).Sub(s.At)))
		}
	case justify.SignClosedWithoutReply:
		if !s.Until.IsZero() {
			why = fmt.Sprintf(dw.waited, dur(s.At.Sub(s.Until)))
		}
		if len(s.OnShift) > 0 {
			why = strings.TrimPrefix(why+", "+fmt.Sprintf(w.onShift, strings.Join(s.OnShift, ", ")), ", ")
		}
	case justify.SignRepeatContact:
		if !s.Until.IsZero() {
			why = fmt.Sprintf(dw.cameBack, dur(s.At.Sub(s.Until)))
		}
	case justify.SignOneWord, justify.SignTemplate:
		if s.WroteAfter {
			why = dw.wroteMore
		}
	case justify.SignIdle:
		why = dur(time.Duration(s.Minutes) * time.Minute)
	}
	head := s.At.In(r.From.Location()).Format(w.shortTime)
	if why != "" {
		head += ", " + why
	}
	if justify.SignKind(s.Kind) == justify.SignIdle {
		return f.esc(head) + f.link(s.Link, w)
	}
	author := ""
	if s.CustomerVKID != 0 {
		author = fmt.Sprintf("id%d", s.CustomerVKID)
	}
	words := "(" + w.noText + ")"
	if s.Excerpt != "" {
		words = "«" + Excerpt(s.Excerpt, digestExcerpt) + "»"
	}
	if author != "" {
		words += " — " + author
	}
	return f.esc(head+": "+words) + f.link(s.Link, w)
}
