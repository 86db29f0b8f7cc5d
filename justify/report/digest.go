package report

import (
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report/chart"
)

// Digest renders a report as an owner's digest in a language: Caption is the headline
// (period and totals) that goes with the chart, Text the Telegram HTML of RenderHTML with
// the signs of shirking shown per operator, the worst of each kind (render_digest.go; cut
// it with SplitHTML before sending), Chart the hourly heatmap of actions and replies, with
// the hours on shift outlined (PNG) named
// "activity-<from date>.png". Dates and times are shown in loc (UTC when nil), which
// should be the Input.Location the report's activity was counted in.
//
// It lives here rather than in package chart because chart knows nothing of reports:
// report imports chart, never the other way round.
func Digest(r Report, language string, loc *time.Location) (justify.Digest, error) {
	if loc == nil {
		loc = time.UTC
	}
	w := lang(language)
	r.From, r.To = r.From.In(loc), r.To.In(loc)
	dw := digestLang(language)
	png, err := chart.Render(r.Activity, chart.Options{Title: w.chartTitle, Empty: w.chartEmpty, Location: loc,
		Replies: r.Replies, Shifts: r.Shifts, Actions: dw.chartActions, RepliesLabel: dw.chartReplies,
		ShiftsLabel: dw.chartShifts})
	if err != nil {
		return justify.Digest{}, fmt.Errorf("draw digest chart for %s: %w", r.From.Format(time.DateOnly), err)
	}
	return justify.Digest{
		Caption:   Caption(r, language),
		Text:      render(r, language, format{html: true, worst: true}),
		Chart:     png,
		ChartName: "activity-" + r.From.Format(time.DateOnly) + ".png",
	}, nil
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
