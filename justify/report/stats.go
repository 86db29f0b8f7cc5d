package report

import (
	"context"
	"time"
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

// Today returns today's figures so far as Telegram HTML in lang, of the communities in
// scope (nil: all).
func (s TodayStats) Today(ctx context.Context, lang string, scope []int64) (string, error) {
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
	return RenderHTML(r.Within(scope), lang), nil
}
