package daemon

import (
	"fmt"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/watchers/vk"
)

// This file turns the config into adapters' settings: configs knows no adapter, so the
// conversions that need an adapter's types live here.

// TelegramLimits is how the bot paces itself: Telegram's limits unless telegram.pace is false.
func TelegramLimits(c configs.TelegramConfig) telegram.Limits {
	if !c.Pace {
		return telegram.Limits{}
	}
	return telegram.TelegramLimits
}

// digestSchedule turns a person's digest into the report package's schedule; key names
// the digest in errors, like "people[2].digest".
func digestSchedule(key string, d configs.DigestConfig) (report.Schedule, error) {
	t, err := d.Timing()
	if err != nil {
		return report.Schedule{}, fmt.Errorf("%s: %w", key, err)
	}
	s := report.Schedule{Every: t.Every, Weekday: t.Weekday, At: t.At, Location: t.Location}
	if err := s.Validate(); err != nil {
		return report.Schedule{}, fmt.Errorf("%s.%w", key, err)
	}
	return s, nil
}

// ReportOptions are what every report takes from the config: the CLI's report, /stats and
// the digests pass the same.
func ReportOptions(cfg *configs.Config) report.Options {
	o := report.Options{People: cfg.Directory().All(), SLA: cfg.Tickets.AnswerWithin,
		TemplateMinCustomers: cfg.Conversations.TemplateMinCustomers, Examples: report.DefaultExamples,
		Breaches: report.MaxListed, Shifts: cfg.Shifts()}
	byID := cfg.Communities(configs.Secrets{})
	for _, c := range cfg.VK.Communities {
		o.Communities = append(o.Communities, byID[c.GroupID])
	}
	return o
}

// digestRecipients are the people with a digest in the config, in its order, with their
// schedules.
func digestRecipients(cfg *configs.Config) ([]report.Recipient, error) {
	dir := cfg.Directory()
	var out []report.Recipient
	for i, pc := range cfg.People {
		if pc.Digest == nil {
			continue
		}
		sch, err := digestSchedule(fmt.Sprintf("people[%d].digest", i), *pc.Digest)
		if err != nil {
			return nil, err
		}
		p, _ := dir.ByName(pc.Name)
		out = append(out, report.Recipient{Person: p, Schedule: sch})
	}
	return out, nil
}

// serviceSettings are the justify service's rules from the config: who is who, the
// communities, the deadlines and the thresholds. Start and every reload build them here,
// so that whatever the config gives the service reaches it on a reload too.
func serviceSettings(cfg *configs.Config, secrets configs.Secrets) justify.Settings {
	return justify.Settings{
		People:       cfg.Directory(),
		Communities:  cfg.Communities(secrets),
		Deadline:     cfg.Justify.Deadline,
		RemindBefore: cfg.Justify.RemindBefore,
		Wave:         justify.WaveRule{Count: cfg.Alerts.WaveCount, Within: cfg.Alerts.WaveWithin},
		AlertWindow:  cfg.Alerts.GroupWithin,
		SignsPerDay:  cfg.Alerts.SignsPerDay,
		Location:     cfg.Location(),
		Grouping:     cfg.GroupRule(),
		AlertsChat:   cfg.AlertsChat(),

		ReversalTimeout: cfg.Justify.ReversalTimeout,
		// Dialogs and signs of shirking in community messages and comments.
		Conversations: cfg.ConversationRules(),
		// Spot checks of dialogs by managers (justify/qa.go).
		QA: cfg.QARule(),
	}
}

// botSettings are the bot's part of the config, built at start and at every reload like
// serviceSettings.
func botSettings(cfg *configs.Config, secrets configs.Secrets, db report.Reader, now func() time.Time) telegram.Settings {
	return telegram.Settings{
		People:      cfg.Directory(),
		Communities: cfg.Communities(secrets),
		Location:    cfg.Location(),
		AlertWindow: cfg.Alerts.GroupWithin,
		Stats:       report.TodayStats{Reader: db, Options: ReportOptions(cfg), Location: cfg.Location(), Now: now},
	}
}

// newReverser undoes bans and deletions in VK with the tokens of secrets. It has no HTTP
// client of its own: it shares each token's request budget with the communities' other
// VK work.
func newReverser(cfg *configs.Config, secrets configs.Secrets) *vk.Reverser {
	rev := vk.NewReverser(cfg.VK.MethodURL(), secrets.CommunityAdmin, nil)
	// board.restoreComment is the one reversal VK allows with the community's own token.
	rev.UseCommunityTokens(secrets.Community)
	return rev
}

// staleAfter is how long a watcher may go without completing a poll before /healthz
// calls it unhealthy: two long-poll waits and a margin.
func staleAfter(cfg *configs.Config) time.Duration { return 2*cfg.VK.LongPollWait + 30*time.Second }
