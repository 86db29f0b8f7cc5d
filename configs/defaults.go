package configs

import (
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Digest periods, the values of people[].digest.every.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Defaults returns what every key is when the file does not set it; the lists
// (vk.communities, people) start empty. A key the file sets keeps the file's value, even
// zero, which for some keys means "off". This is the one place defaults are written: the
// example config is checked against it, and adapters get the values from cmd/modwatch.
func Defaults() Config {
	return Config{
		Database: "modwatch.db",
		Language: "ru",
		TimeZone: "UTC",
		VK: VKConfig{
			APIURL:               "https://api.vk.com/method/",
			LongPollWait:         25 * time.Second,
			ReconcileEvery:       10 * time.Minute,
			PostCheckEvery:       15 * time.Minute,
			BackfillPosts:        20,
			BackfillComments:     100,
			SetupCheckEvery:      6 * time.Hour,
			UnansweredCheckEvery: 5 * time.Minute,
		},
		Telegram: TelegramConfig{
			APIEndpoint: "https://api.telegram.org",
			PollTimeout: 30 * time.Second,
			Pace:        true,
			KeepSent:    90 * 24 * time.Hour,
		},
		Justify: JustifyConfig{
			Deadline:     2 * time.Hour,
			RemindBefore: 30 * time.Minute,
			CheckEvery:   30 * time.Second,
			// VK's calls give up after 30 s: five minutes in reversing means stuck.
			ReversalTimeout: justify.DefaultReversalTimeout,
			// An operator's first five bans in a row get a prompt each; the rest of the
			// wave is asked about as one batch.
			GroupAfter:  5,
			GroupWithin: 2 * time.Minute,
		},
		Alerts: AlertsConfig{
			WaveCount:   10,
			WaveWithin:  10 * time.Minute,
			GroupWithin: justify.DefaultAlertWindow,
			SignsPerDay: 10,
		},
		Tickets: TicketsConfig{
			Retention:    90 * 24 * time.Hour,
			AnswerWithin: 4 * time.Hour,
		},
		Conversations: ConversationsConfig{
			StallAfter:           24 * time.Hour,
			TemplateMinCustomers: 5,
			RepeatWithin:         7 * 24 * time.Hour,
			IdleAfter:            time.Hour,
			NewDialogAfter:       time.Hour,
		},
		QA:  QAConfig{Every: 7 * 24 * time.Hour, Sample: 10},
		Log: LogConfig{Level: "info", Format: "json"},
	}
}

// DefaultDigest returns what each key of a person's digest is when it is not set.
func DefaultDigest() DigestConfig {
	return DigestConfig{Every: Daily, Weekday: "monday", At: "09:00", TimeZone: "UTC"}
}
