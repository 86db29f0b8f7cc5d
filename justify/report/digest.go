package report

import (
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report/chart"
)

// Digest renders a report as an owner's digest in a language: Caption is the headline
// (period and totals) that goes with the chart, Text the Telegram HTML of RenderHTML (cut
// it with SplitHTML before sending), Chart the hourly activity heatmap (PNG) named
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
	png, err := chart.Render(r.Activity, chart.Options{Title: w.chartTitle, Empty: w.chartEmpty, Location: loc})
	if err != nil {
		return justify.Digest{}, fmt.Errorf("draw digest chart for %s: %w", r.From.Format(time.DateOnly), err)
	}
	return justify.Digest{
		Caption:   Caption(r, language),
		Text:      RenderHTML(r, language),
		Chart:     png,
		ChartName: "activity-" + r.From.Format(time.DateOnly) + ".png",
	}, nil
}
