package daemon

import (
	"fmt"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram"
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
		TemplateMinCustomers: cfg.Conversations.TemplateMinCustomers, Examples: report.DefaultExamples}
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
