package configs

import (
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// Location is the team's time zone; UTC if time_zone is not one (Load refuses such a config).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Directory builds the domain's view of the people.
func (c *Config) Directory() *justify.Directory {
	people := make([]justify.Person, 0, len(c.People))
	for _, pc := range c.People {
		people = append(people, justify.Person{Name: pc.Name, Role: justify.Role(pc.Role), VKID: pc.VKID, TelegramID: pc.TelegramID,
			Communities: pc.Communities})
	}
	return justify.NewDirectory(people)
}

// Communities builds the domain's view of the watched communities; a community can
// reverse actions when s holds an admin's user token for it. Each has its team chats,
// its own or telegram's.
func (c *Config) Communities(s Secrets) map[int64]justify.Community {
	out := map[int64]justify.Community{}
	for _, cm := range c.VK.Communities {
		name := cm.Name
		if name == "" {
			name = fmt.Sprintf("club%d", cm.GroupID)
		}
		_, canReverse := s.CommunityAdmin[cm.GroupID]
		out[cm.GroupID] = justify.Community{GroupID: cm.GroupID, Name: name, CanReverse: canReverse,
			ReviewChat: teamChat(cm.ReviewChat, cm.ReviewTopic, c.Telegram.ReviewChat, c.Telegram.ReviewTopic),
			AlertsChat: teamChat(cm.AlertsChat, cm.AlertsTopic, c.Telegram.AlertsChat, c.Telegram.AlertsTopic)}
	}
	return out
}

// AlertsChat is the team chat of alerts about no community in particular.
func (c *Config) AlertsChat() justify.Chat {
	return justify.Chat{ID: c.Telegram.AlertsChat, Topic: c.Telegram.AlertsTopic}
}

// teamChat picks a community's chat: its own, else telegram's. A topic of its own with
// no chat of its own is a topic of telegram's chat: one forum, a topic per community.
func teamChat(chat int64, topic int, teamChat int64, teamTopic int) justify.Chat {
	switch {
	case chat != 0:
		return justify.Chat{ID: chat, Topic: topic}
	case teamChat == 0:
		return justify.Chat{}
	case topic != 0:
		return justify.Chat{ID: teamChat, Topic: topic}
	}
	return justify.Chat{ID: teamChat, Topic: teamTopic}
}

// GroupRule is the service's batching rule from justify.group_after and group_within.
func (c *Config) GroupRule() justify.GroupRule {
	return justify.GroupRule{After: c.Justify.GroupAfter, Within: c.Justify.GroupWithin}
}

// MethodURL is api_url ending with a slash, as VK clients append method names to it.
func (v VKConfig) MethodURL() string {
	return strings.TrimRight(v.APIURL, "/") + "/"
}

// EndpointFormat is api_endpoint as a Bot API endpoint format with two %s (token,
// method): a base URL gets "/bot%s/%s" appended, a format is kept as written.
func (t TelegramConfig) EndpointFormat() string {
	if strings.Contains(t.APIEndpoint, "%s") {
		return t.APIEndpoint
	}
	return strings.TrimRight(t.APIEndpoint, "/") + "/bot%s/%s"
}

// ZerologLevel is log.level as a zerolog level, or an error saying which levels exist.
func (l LogConfig) ZerologLevel() (zerolog.Level, error) {
	level, err := zerolog.ParseLevel(l.Level)
	if err != nil || l.Level == "" {
		return 0, fmt.Errorf("%q is not a level: use debug, info, warn or error", l.Level)
	}
	return level, nil
}

// DigestTiming is a checked digest schedule in the standard library's terms.
type DigestTiming struct {
	Every    string // Daily or Weekly
	Weekday  time.Weekday
	At       string // "HH:MM", 24-hour
	Location *time.Location
}

// Timing returns the digest's schedule, or Problems naming its bad keys (relative to the
// digest, like "at").
func (d DigestConfig) Timing() (DigestTiming, error) {
	t, ps := d.timing()
	if len(ps) > 0 {
		return t, ps
	}
	return t, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func (d DigestConfig) timing() (DigestTiming, Problems) {
	var p Problems
	t := DigestTiming{Every: d.Every, At: d.At, Location: time.UTC}
	if d.Every != Daily && d.Every != Weekly {
		p.add("every", "%q: use %s or %s", d.Every, Daily, Weekly)
	}
	if wd, ok := weekdays[strings.ToLower(d.Weekday)]; ok {
		t.Weekday = wd
	} else {
		p.add("weekday", "%q is not a day of the week (monday ... sunday)", d.Weekday)
	}
	if !isClock(d.At) {
		p.add("at", "%q: write the time as HH:MM, like 09:00", d.At)
	}
	if loc, err := time.LoadLocation(d.TimeZone); err == nil {
		t.Location = loc
	} else {
		p.add("time_zone", "%q is not a known time zone (use an IANA name like Europe/Moscow)", d.TimeZone)
	}
	return t, p
}

// isClock reports whether s is a 24-hour "HH:MM", two digits each.
func isClock(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	for i, c := range s {
		if i != 2 && (c < '0' || c > '9') {
			return false
		}
	}
	return s[:2] <= "23" && s[3:] <= "59"
}
