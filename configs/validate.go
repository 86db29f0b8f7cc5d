package configs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// validate checks every value, naming the key, the value and what is wrong, and reads
// the tokens the config names from the environment.
func (c *Config) validate(lookupEnv func(string) (string, bool)) (Secrets, Problems) {
	var p Problems
	s := Secrets{Community: map[int64]string{}, CommunityAdmin: map[int64]string{}}

	envToken := func(key, name string, required bool) string {
		if name == "" {
			if required {
				p.add(key, "missing: name the environment variable that holds the token")
			}
			return ""
		}
		v, ok := lookupEnv(name)
		switch {
		case !ok:
			p.add(key, "environment variable %s is not set", name)
		case strings.TrimSpace(v) == "":
			p.add(key, "environment variable %s is empty", name)
		}
		return strings.TrimSpace(v)
	}

	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		p.add("time_zone", "%q is not a known time zone (use an IANA name like Europe/Moscow)", c.TimeZone)
	}
	if c.Language != "ru" && c.Language != "en" {
		p.add("language", "%q is not supported: use ru or en", c.Language)
	}
	if err := checkURL(c.VK.APIURL); err != nil {
		p.add("vk.api_url", "%q %v", c.VK.APIURL, err)
	}
	if c.VK.LongPollWait < time.Second || c.VK.LongPollWait > 90*time.Second {
		p.add("vk.long_poll_wait", "%s is out of range: VK accepts 1s to 90s", c.VK.LongPollWait)
	}
	if len(c.VK.Communities) == 0 {
		p.add("vk.communities", "no community to watch")
	}
	seenGroup := map[int64]bool{}
	for i, cm := range c.VK.Communities {
		key := fmt.Sprintf("vk.communities[%d]", i)
		if cm.GroupID <= 0 {
			p.add(key+".group_id", "%d must be the community's positive id (without the minus sign)", cm.GroupID)
		} else if seenGroup[cm.GroupID] {
			p.add(key+".group_id", "%d is listed twice", cm.GroupID)
		}
		seenGroup[cm.GroupID] = true
		if tok := envToken(key+".token_env", cm.TokenEnv, true); tok != "" {
			s.Community[cm.GroupID] = tok
		}
		if tok := envToken(key+".user_token_env", cm.UserTokenEnv, false); tok != "" {
			s.CommunityAdmin[cm.GroupID] = tok
		}
	}

	if tok := envToken("telegram.token_env", c.Telegram.TokenEnv, true); tok != "" {
		s.Telegram = tok
	}
	if err := checkURL(strings.ReplaceAll(c.Telegram.APIEndpoint, "%s", "x")); err != nil {
		p.add("telegram.api_endpoint", "%q %v", c.Telegram.APIEndpoint, err)
	}
	if c.Telegram.PollTimeout < time.Second || c.Telegram.PollTimeout > 10*time.Minute {
		p.add("telegram.poll_timeout", "%s is out of range (1s to 10m)", c.Telegram.PollTimeout)
	}

	if c.Justify.Deadline < time.Minute {
		p.add("justify.deadline", "%s is too short: give operators at least a minute", c.Justify.Deadline)
	}
	if c.Justify.RemindBefore < 0 || c.Justify.RemindBefore >= c.Justify.Deadline {
		p.add("justify.remind_before", "%s must be positive and shorter than justify.deadline (%s)", c.Justify.RemindBefore, c.Justify.Deadline)
	}
	if c.Justify.CheckEvery < 100*time.Millisecond {
		p.add("justify.check_every", "%s is too short", c.Justify.CheckEvery)
	}
	if c.Justify.ReversalTimeout < time.Minute {
		// Shorter would settle reversals whose VK call (30 s at most) is still under way.
		p.add("justify.reversal_timeout", "%s is too short: at least 1m", c.Justify.ReversalTimeout)
	}

	c.validatePeople(&p)
	c.validateTeams(&p) // teams.go
	c.validateConversations(&p)
	c.validateQA(&p) // qa.go

	if c.VK.ReconcileEvery < time.Minute {
		p.add("vk.reconcile_every", "%s is too often: at least 1m", c.VK.ReconcileEvery)
	}
	if c.VK.PostCheckEvery < time.Minute {
		p.add("vk.post_check_every", "%s is too often: at least 1m", c.VK.PostCheckEvery)
	}
	if c.VK.SetupCheckEvery != 0 && c.VK.SetupCheckEvery < time.Minute {
		p.add("vk.setup_check_every", "%s is too often: at least 1m, or 0 to turn the check off", c.VK.SetupCheckEvery)
	}
	if c.VK.BackfillPosts < 0 || c.VK.BackfillPosts > 100 {
		p.add("vk.backfill_posts", "%d is out of range (0 to 100; VK returns at most 100 posts a call)", c.VK.BackfillPosts)
	}
	if c.VK.BackfillComments < 1 || c.VK.BackfillComments > 100 {
		p.add("vk.backfill_comments", "%d is out of range (1 to 100)", c.VK.BackfillComments)
	}
	if c.Justify.GroupAfter < 0 {
		p.add("justify.group_after", "%d must be 0 (off) or more", c.Justify.GroupAfter)
	}
	if c.Justify.GroupWithin <= 0 {
		p.add("justify.group_within", "%s must be positive", c.Justify.GroupWithin)
	}
	if c.Alerts.WaveCount < 0 {
		p.add("alerts.wave_count", "%d must be 0 (off) or more", c.Alerts.WaveCount)
	}
	if c.Alerts.WaveWithin <= 0 {
		p.add("alerts.wave_within", "%s must be positive", c.Alerts.WaveWithin)
	}
	if c.Alerts.SignsPerDay < 0 {
		p.add("alerts.signs_per_day", "%d must be 0 (off) or more", c.Alerts.SignsPerDay)
	}
	if c.Alerts.GroupWithin <= 0 {
		p.add("alerts.group_within", "%s must be positive", c.Alerts.GroupWithin)
	}
	if c.Tickets.AnswerWithin <= 0 {
		p.add("tickets.answer_within", "%s must be positive", c.Tickets.AnswerWithin)
	}
	if c.Telegram.KeepSent < 24*time.Hour || c.Telegram.KeepSent < c.Alerts.GroupWithin {
		p.add("telegram.keep_sent", "%s is too short: at least 24h and alerts.group_within (%s), or repeats of an alert lose its message",
			c.Telegram.KeepSent, c.Alerts.GroupWithin)
	}
	if c.Tickets.Retention < 0 {
		p.add("tickets.retention", "%s must be positive, or 0 to keep customers' words", c.Tickets.Retention)
	}
	if c.Health.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Health.Listen); err != nil {
			p.add("health.listen", "%q is not a host:port address", c.Health.Listen)
		}
	}
	if _, err := c.Log.ZerologLevel(); err != nil {
		p.add("log.level", "%v", err)
	}
	if c.Log.Format != "json" && c.Log.Format != "console" {
		p.add("log.format", "%q: use json or console", c.Log.Format)
	}
	if c.Database == "" {
		p.add("database", "missing")
	}
	return s, p
}

// validatePeople checks the team: names, roles, ids that must be unique, digests, and
// that someone reviews cases.
func (c *Config) validatePeople(p *Problems) {
	seenTG, seenVK, seenName := map[int64]string{}, map[int64]string{}, map[string]bool{}
	roles := map[justify.Role]int{}
	for i, pc := range c.People {
		key := fmt.Sprintf("people[%d]", i)
		if pc.Name == "" {
			p.add(key+".name", "missing")
		} else if seenName[pc.Name] {
			p.add(key+".name", "%q is used twice", pc.Name)
		}
		seenName[pc.Name] = true
		role := justify.Role(pc.Role)
		if !role.Valid() {
			p.add(key+".role", "%q is not a role: use operator, manager or owner", pc.Role)
		}
		roles[role]++
		if pc.TelegramID <= 0 {
			p.add(key+".telegram_id", "missing: the person's numeric Telegram user id (they must press Start in the bot)")
		} else if other, dup := seenTG[pc.TelegramID]; dup {
			p.add(key+".telegram_id", "%d is also %s's", pc.TelegramID, other)
		} else {
			seenTG[pc.TelegramID] = pc.Name
		}
		switch {
		case role == justify.RoleOperator && pc.VKID <= 0:
			p.add(key+".vk_id", "operator %q has no VK id: modwatch could not tell their actions apart", pc.Name)
		case pc.VKID < 0:
			p.add(key+".vk_id", "%d must be the person's positive VK user id", pc.VKID)
		case pc.VKID > 0:
			// Everyone's VK id is looked up, whatever their role: one account, one person.
			if other, dup := seenVK[pc.VKID]; dup {
				p.add(key+".vk_id", "%d is both %s's and %s's: a VK account can act for one person only", pc.VKID, other, pc.Name)
			}
			seenVK[pc.VKID] = pc.Name
		}
	}
	if roles[justify.RoleManager] > 0 {
		// Nobody decides about their own action: a manager or owner who moderates needs
		// someone else to decide about it, in each community they work for.
		people := c.Directory()
		for i, pc := range c.People {
			role := justify.Role(pc.Role)
			if pc.VKID <= 0 || role == justify.RoleOperator {
				continue
			}
			for _, cm := range c.VK.Communities {
				if covers(pc.Communities, cm.GroupID) && len(people.Deciders(cm.GroupID, pc.Name, pc.VKID)) == 0 {
					p.add(fmt.Sprintf("people[%d].vk_id", i), "nobody but %s could decide about %s's own actions in VK: add another manager or an owner, or remove vk_id",
						pc.Name, pc.Name)
					break
				}
			}
		}
	}
	for i, pc := range c.People {
		if pc.Digest == nil {
			continue
		}
		_, ps := pc.Digest.timing()
		for _, q := range ps {
			q.Key = fmt.Sprintf("people[%d].digest.%s", i, q.Key)
			*p = append(*p, q)
		}
	}
	if roles[justify.RoleManager] == 0 {
		p.add("people", "no manager: somebody must review cases")
	}
}

// Warnings lists what works but works less than it could, for `config check` to say.
func (c *Config) Warnings(s Secrets) []string {
	var w []string
	for i, cm := range c.VK.Communities {
		if _, ok := s.CommunityAdmin[cm.GroupID]; !ok {
			w = append(w, fmt.Sprintf("vk.communities[%d].user_token_env: not set: in community %d, reversals of bans and of deleted comments (all but board posts) will have to be done by hand in VK, deleted wall posts will not be detected, and comments written before modwatch started will not be read", i, cm.GroupID))
		}
	}
	if c.Health.Listen == "" {
		w = append(w, "health.listen: not set: /healthz and /metrics are off")
	}
	return append(w, c.teamWarnings()...)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("is not an http(s) URL")
	}
	return nil
}
