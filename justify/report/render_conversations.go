package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// conversationLines are the figure lines of dialogs and signs of shirking; a line with
// nothing in either period is left out, and so are idle time and spot checks while zero
// (idle time needs shifts: without them it is not counted, and the line does not pretend).
func conversationLines(f Figures, w words, language string) []string {
	c, p := f.Current.ConversationCounts, f.Previous.ConversationCounts
	dur := func(label string, median, p90 int64, prevMedian, prevP90 int64) item {
		it := item{label: label, cur: int(median + p90), prev: int(prevMedian + prevP90)}
		if median+p90 > 0 {
			// The median's change, when both periods have one: "5m (-25m; p90 20m)".
			change := ""
			if d := time.Duration(median-prevMedian) * time.Second; prevMedian+prevP90 > 0 && d.Round(time.Minute) != 0 {
				change = signed(HumanDuration(d, language)) + "; "
			}
			it.text = HumanDuration(time.Duration(median)*time.Second, language) + " (" + change + w.p90 + " " +
				HumanDuration(time.Duration(p90)*time.Second, language) + ")"
		} else {
			it.text = "—"
		}
		return it
	}
	idle := item{label: w.signNames["idle"], cur: c.IdleMinutes, prev: p.IdleMinutes,
		text: HumanDuration(time.Duration(c.IdleMinutes)*time.Minute, language)}
	if d := c.IdleMinutes - p.IdleMinutes; d != 0 {
		idle.change = signed(HumanDuration(time.Duration(d)*time.Minute, language))
	}
	lines := []string{
		line(w.dialogs, item{cur: c.Dialogs, prev: p.Dialogs},
			item{label: w.dialogsAnswered, cur: c.DialogsAnswered, prev: p.DialogsAnswered},
			item{label: w.dialogsUnanswered, cur: c.DialogsUnanswered, prev: p.DialogsUnanswered},
			item{label: w.dialogLength, cur: c.DialogLengthMedian, prev: p.DialogLengthMedian}),
		line(w.times, dur(w.firstTouch, c.FirstTouchMedianSeconds, c.FirstTouchP90Seconds, p.FirstTouchMedianSeconds, p.FirstTouchP90Seconds),
			dur(w.firstAnswer, c.FirstAnswerMedianSeconds, c.FirstAnswerP90Seconds, p.FirstAnswerMedianSeconds, p.FirstAnswerP90Seconds),
			dur(w.reaction, c.ReactionMedianSeconds, c.ReactionP90Seconds, p.ReactionMedianSeconds, p.ReactionP90Seconds)),
		line(w.signs,
			item{label: w.signNames["bare_greeting"], cur: c.BareGreetings, prev: p.BareGreetings},
			item{label: w.signNames["stall"], cur: c.Stalls, prev: p.Stalls},
			item{label: w.signNames["template"], cur: c.TemplateReplies, prev: p.TemplateReplies},
			item{label: w.signNames["one_word"], cur: c.OneWordReplies, prev: p.OneWordReplies},
			item{label: w.signNames["skipped"], cur: c.Skipped, prev: p.Skipped},
			item{label: w.signNames["closed_without_reply"], cur: c.ClosedWithoutReply, prev: p.ClosedWithoutReply},
			item{label: w.signNames["repeat_contact"], cur: c.RepeatContacts, prev: p.RepeatContacts},
			idle),
		line(w.qa, item{label: w.qaGood, cur: c.QAGood, prev: p.QAGood}, item{label: w.qaBad, cur: c.QABad, prev: p.QABad}),
	}
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// conversationLists are a community's signs with their evidence and its templates, as
// paragraphs; Telegram gets maxListed of each.
func conversationLists(c CommunityReport, r Report, f format, language string) []string {
	w := lang(language)
	loc := r.From.Location()
	var paras []string
	if len(c.Signs) > 0 {
		var entries []string
		for _, s := range c.Signs {
			who := signWho(s.Operator, s.ActorVKID, w)
			if s.ActorVKID == 0 && len(s.OnShift) > 0 {
				who += " (" + fmt.Sprintf(w.onShift, strings.Join(s.OnShift, ", ")) + ")"
			}
			what := w.signOne[s.Kind]
			var words string
			if s.Kind == string(justify.SignIdle) {
				words = f.esc(HumanDuration(time.Duration(s.Minutes)*time.Minute, language))
			} else {
				author := ""
				if s.CustomerVKID != 0 {
					author = fmt.Sprintf("id%d", s.CustomerVKID)
				}
				words = quote(s.Excerpt, author, f, w)
			}
			entries = append(entries, fmt.Sprintf("%s, %s, %s: %s%s", s.At.In(loc).Format(w.shortTime), f.esc(who),
				f.esc(what), words, f.link(s.Link, w)))
		}
		paras = append(paras, f.list(w.signs, entries, w))
	}
	if len(c.Templates) > 0 {
		var entries []string
		for _, t := range c.Templates {
			who := signWho(t.Operator, t.ActorVKID, w)
			entries = append(entries, f.esc(who+": «"+Excerpt(t.Text, excerptRunes)+"» — "+
				fmt.Sprintf(w.templateLine, t.Customers, t.Replies, t.WroteAgain)))
		}
		paras = append(paras, f.list(w.templates, entries, w))
	}
	return paras
}
