package report

import (
	"context"
	"html"
	"time"
	"unicode/utf8"
)

// TodayStats answers the bot's /stats with the figures of today so far: from midnight in
// Location until now.
type TodayStats struct {
	Reader  Reader
	Options Options
	// Location is the team's time zone; UTC when nil.
	Location *time.Location
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Today returns today's figures so far as Telegram HTML in language, of the communities in
// scope (nil: all), in one message: when the lists of examples would make it longer, only
// the figures, with a line saying where the lists are.
func (s TodayStats) Today(ctx context.Context, language string, scope []int64) (string, error) {
	loc, now := s.Location, time.Now
	if loc == nil {
		loc = time.UTC
	}
	if s.Now != nil {
		now = s.Now
	}
	to := now().In(loc)
	from := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)
	r, err := Load(ctx, s.Reader, s.Options, from, to)
	if err != nil {
		return "", err
	}
	r = r.Within(scope)
	text := RenderHTML(r, language)
	if utf8.RuneCountInString(text) <= MaxMessageLen {
		return text, nil
	}
	// /stats is one message: every community's figures matter more than the examples of
	// the first one, which the digest and the CLI show in full.
	return render(r, language, format{html: true, figuresOnly: true}) + "\n" + html.EscapeString(lang(language).listsLeftOut) + "\n", nil
}
