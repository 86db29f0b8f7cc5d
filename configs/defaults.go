package configs

import "time"

// Digest periods, the values of people[].digest.every.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Defaults returns what every key is when the file does not set it; the lists
// (vk.communities, people) start empty. This is the one place defaults are written: the
// example config is checked against it, and adapters get the values from cmd/modwatch.
func Defaults() Config {
	groupAfter, pace := 5, true
	return Config{
		Database: "modwatch.db",
		Language: "ru",
		VK: VKConfig{
			APIURL:           "https://api.vk.com/method/",
			LongPollWait:     25 * time.Second,
			ReconcileEvery:   10 * time.Minute,
			PostCheckEvery:   15 * time.Minute,
			BackfillPosts:    20,
			BackfillComments: 100,
		},
		Telegram: TelegramConfig{
			APIEndpoint: "https://api.telegram.org",
			PollTimeout: 30 * time.Second,
			Pace:        &pace,
		},
		Justify: JustifyConfig{
			Deadline:     2 * time.Hour,
			RemindBefore: 30 * time.Minute,
			CheckEvery:   30 * time.Second,
			// An operator's first five bans in a row get a prompt each; the rest of the
			// wave is asked about as one batch.
			GroupAfter:  &groupAfter,
			GroupWithin: 2 * time.Minute,
		},
		Alerts: AlertsConfig{
			WaveCount:   10,
			WaveWithin:  10 * time.Minute,
			GroupWithin: time.Hour,
		},
		Tickets: TicketsConfig{
			Retention:    90 * 24 * time.Hour,
			AnswerWithin: 4 * time.Hour,
		},
		Log: LogConfig{Level: "info", Format: "json"},
	}
}

// DefaultDigest returns what each key of a person's digest is when it is not set.
func DefaultDigest() DigestConfig {
	return DigestConfig{Every: Daily, Weekday: "monday", At: "09:00"}
}

// setDefaults gives every key left at its zero value its default.
func (c *Config) setDefaults() {
	d := Defaults()
	orDefault(&c.Database, d.Database)
	orDefault(&c.Language, d.Language)
	orDefault(&c.VK.APIURL, d.VK.APIURL)
	orDefault(&c.VK.LongPollWait, d.VK.LongPollWait)
	orDefault(&c.VK.ReconcileEvery, d.VK.ReconcileEvery)
	orDefault(&c.VK.PostCheckEvery, d.VK.PostCheckEvery)
	orDefault(&c.VK.BackfillPosts, d.VK.BackfillPosts)
	orDefault(&c.VK.BackfillComments, d.VK.BackfillComments)
	orDefault(&c.Telegram.APIEndpoint, d.Telegram.APIEndpoint)
	orDefault(&c.Telegram.PollTimeout, d.Telegram.PollTimeout)
	orDefault(&c.Telegram.Pace, d.Telegram.Pace)
	orDefault(&c.Justify.Deadline, d.Justify.Deadline)
	orDefault(&c.Justify.RemindBefore, d.Justify.RemindBefore)
	orDefault(&c.Justify.CheckEvery, d.Justify.CheckEvery)
	orDefault(&c.Justify.GroupAfter, d.Justify.GroupAfter)
	orDefault(&c.Justify.GroupWithin, d.Justify.GroupWithin)
	orDefault(&c.Alerts.WaveCount, d.Alerts.WaveCount)
	orDefault(&c.Alerts.WaveWithin, d.Alerts.WaveWithin)
	orDefault(&c.Alerts.GroupWithin, d.Alerts.GroupWithin)
	orDefault(&c.Tickets.Retention, d.Tickets.Retention)
	orDefault(&c.Tickets.AnswerWithin, d.Tickets.AnswerWithin)
	orDefault(&c.Log.Level, d.Log.Level)
	orDefault(&c.Log.Format, d.Log.Format)
	dd := DefaultDigest()
	for _, p := range c.People {
		if p.Digest != nil {
			orDefault(&p.Digest.Every, dd.Every)
			orDefault(&p.Digest.Weekday, dd.Weekday)
			orDefault(&p.Digest.At, dd.At)
		}
	}
}

func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
