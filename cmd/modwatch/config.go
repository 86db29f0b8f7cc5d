package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/justify/telegram"
)

// Config is the daemon's configuration file. It never holds secrets: it names the
// environment variables that do.
type Config struct {
	Database string `yaml:"database"`
	Language string `yaml:"language"`
	// TimeZone is the team's IANA time zone: times in messages and /stats' "today".
	TimeZone string         `yaml:"time_zone"`
	VK       VKConfig       `yaml:"vk"`
	Telegram TelegramConfig `yaml:"telegram"`
	Justify  JustifyConfig  `yaml:"justify"`
	People   []PersonConfig `yaml:"people"`
	Log      LogConfig      `yaml:"log"`
	Alerts   AlertsConfig   `yaml:"alerts"`
	Tickets  TicketsConfig  `yaml:"tickets"`
	Health   HealthConfig   `yaml:"health"`
}

// AlertsConfig says when managers and owners are alerted at once.
type AlertsConfig struct {
	// WaveCount actions by one admin within WaveWithin are a wave; 0 turns wave alerts off.
	WaveCount  int           `yaml:"wave_count"`
	WaveWithin time.Duration `yaml:"wave_within"`
	// GroupWithin merges repeats of one alert into one message.
	GroupWithin time.Duration `yaml:"group_within"`
}

// TicketsConfig governs what customers wrote.
type TicketsConfig struct {
	// Retention is how long customers' words are kept; 0 keeps them.
	Retention time.Duration `yaml:"retention"`
	// AnswerWithin is the service level: a ticket unanswered for longer is a breach in
	// the digests.
	AnswerWithin time.Duration `yaml:"answer_within"`
}

// HealthConfig sets where /healthz and /metrics are served.
type HealthConfig struct {
	// Listen is a local address like 127.0.0.1:9464; empty turns the endpoints off.
	Listen string `yaml:"listen"`
}

// VKConfig says where VK is and which communities to watch.
type VKConfig struct {
	APIURL       string            `yaml:"api_url"`
	LongPollWait time.Duration     `yaml:"long_poll_wait"`
	Communities  []CommunityConfig `yaml:"communities"`
	// ReconcileEvery is how often each community's ban list is compared with modwatch's.
	ReconcileEvery time.Duration `yaml:"reconcile_every"`
	// PostCheckEvery is how often customers' wall posts are checked for deletion (needs
	// the admin user token).
	PostCheckEvery time.Duration `yaml:"post_check_every"`
	// BackfillPosts recent posts, and BackfillComments comments of each, are read at start
	// so that evidence exists for what was written before modwatch ran (needs the admin user
	// token); 0 posts turns it off.
	BackfillPosts    int `yaml:"backfill_posts"`
	BackfillComments int `yaml:"backfill_comments"`
}

// CommunityConfig is one watched community.
type CommunityConfig struct {
	GroupID      int64  `yaml:"group_id"`
	Name         string `yaml:"name"`
	TokenEnv     string `yaml:"token_env"`
	UserTokenEnv string `yaml:"user_token_env"`
}

// TelegramConfig says where the Bot API is and which variable holds the bot token.
type TelegramConfig struct {
	TokenEnv    string        `yaml:"token_env"`
	APIEndpoint string        `yaml:"api_endpoint"`
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// Pace keeps the bot within Telegram's rate limits (true unless set to false; only a
	// test server that does not limit may go unpaced).
	Pace *bool `yaml:"pace"`
}

// JustifyConfig sets the operators' deadline.
type JustifyConfig struct {
	Deadline     time.Duration `yaml:"deadline"`
	RemindBefore time.Duration `yaml:"remind_before"`
	// CheckEvery is how often reminders and deadlines are looked at.
	CheckEvery time.Duration `yaml:"check_every"`
	// GroupAfter: past this many bans (or deletions) by one operator in one community
	// within GroupWithin, further ones are asked about as one batch; 0 turns it off.
	GroupAfter  *int          `yaml:"group_after"`
	GroupWithin time.Duration `yaml:"group_within"`
}

// PersonConfig is one member of the moderation team.
type PersonConfig struct {
	Name       string        `yaml:"name"`
	Role       string        `yaml:"role"`
	VKID       int64         `yaml:"vk_id"`
	TelegramID int64         `yaml:"telegram_id"`
	Digest     *DigestConfig `yaml:"digest"`
}

// DigestConfig is when a person (normally an owner) gets the digest.
type DigestConfig struct {
	// Every is daily or weekly; weekly digests come on Weekday.
	Every   string `yaml:"every"`
	Weekday string `yaml:"weekday"`
	// At is the local time, "09:00", in TimeZone (an IANA name like Europe/Moscow).
	At       string `yaml:"at"`
	TimeZone string `yaml:"time_zone"`
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// schedule turns the config into the report package's schedule, naming the bad key.
func (d DigestConfig) schedule(key string) (report.Schedule, error) {
	s := report.Schedule{Every: d.Every, At: d.At, Weekday: time.Monday}
	if s.At == "" {
		s.At = "09:00"
	}
	if d.Weekday != "" {
		wd, ok := weekdays[strings.ToLower(d.Weekday)]
		if !ok {
			return s, fmt.Errorf("%s.weekday: %q is not a day of the week (monday ... sunday)", key, d.Weekday)
		}
		s.Weekday = wd
	}
	loc := time.UTC
	if d.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(d.TimeZone); err != nil {
			return s, fmt.Errorf("%s.time_zone: %q is not a known time zone (use an IANA name like Europe/Moscow)", key, d.TimeZone)
		}
	}
	s.Location = loc
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("%s.%v", key, err)
	}
	return s, nil
}

// LogConfig sets the log output.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Defaults, in one place.
const (
	defaultVKAPIURL     = "https://api.vk.com/method/"
	defaultTelegramAPI  = "https://api.telegram.org"
	defaultDatabase     = "modwatch.db"
	defaultDeadline     = 2 * time.Hour
	defaultRemindBefore = 30 * time.Minute
)

func (c *Config) setDefaults() {
	if c.Database == "" {
		c.Database = defaultDatabase
	}
	if c.Language == "" {
		c.Language = "ru"
	}
	if c.VK.APIURL == "" {
		c.VK.APIURL = defaultVKAPIURL
	}
	if c.VK.LongPollWait == 0 {
		c.VK.LongPollWait = 25 * time.Second
	}
	if c.Telegram.APIEndpoint == "" {
		c.Telegram.APIEndpoint = defaultTelegramAPI
	}
	if c.Telegram.PollTimeout == 0 {
		c.Telegram.PollTimeout = 30 * time.Second
	}
	if c.Justify.Deadline == 0 {
		c.Justify.Deadline = defaultDeadline
	}
	if c.Justify.RemindBefore == 0 {
		c.Justify.RemindBefore = defaultRemindBefore
	}
	if c.Justify.CheckEvery == 0 {
		c.Justify.CheckEvery = 30 * time.Second
	}
	if c.Justify.GroupAfter == nil {
		n := defaultGroupAfter
		c.Justify.GroupAfter = &n
	}
	if c.Justify.GroupWithin == 0 {
		c.Justify.GroupWithin = 2 * time.Minute
	}
	if c.Telegram.Pace == nil {
		on := true
		c.Telegram.Pace = &on
	}
	if c.VK.ReconcileEvery == 0 {
		c.VK.ReconcileEvery = 10 * time.Minute
	}
	if c.VK.PostCheckEvery == 0 {
		c.VK.PostCheckEvery = 15 * time.Minute
	}
	if c.VK.BackfillPosts == 0 {
		c.VK.BackfillPosts = 20
	}
	if c.VK.BackfillComments == 0 {
		c.VK.BackfillComments = 100
	}
	if c.Alerts.WaveCount == 0 {
		c.Alerts.WaveCount = 10
	}
	if c.Alerts.WaveWithin == 0 {
		c.Alerts.WaveWithin = 10 * time.Minute
	}
	if c.Alerts.GroupWithin == 0 {
		c.Alerts.GroupWithin = time.Hour
	}
	if c.Tickets.Retention == 0 {
		c.Tickets.Retention = 90 * 24 * time.Hour
	}
	if c.Tickets.AnswerWithin == 0 {
		c.Tickets.AnswerWithin = 4 * time.Hour
	}
	for i := range c.People {
		if d := c.People[i].Digest; d != nil && d.Every == "" {
			d.Every = report.Daily
		}
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
}

// Problems lists everything wrong with a config, one problem a line, each naming the key.
type Problems []string

func (p Problems) Error() string {
	return fmt.Sprintf("the config has %d problem(s):\n  - %s", len(p), strings.Join(p, "\n  - "))
}

// LoadConfig reads and validates a config file. Unknown keys are errors, so a typo never
// silently turns a setting off. lookupEnv reads the environment (os.LookupEnv in production).
func LoadConfig(path string, lookupEnv func(string) (string, bool)) (*Config, Secrets, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Secrets{}, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(data, lookupEnv)
}

// ParseConfig parses and validates a config document.
func ParseConfig(data []byte, lookupEnv func(string) (string, bool)) (*Config, Secrets, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root)
		return nil, Secrets{}, Problems{yamlProblem(err, &root)}
	}
	c.setDefaults()
	secrets, problems := c.validate(lookupEnv)
	if len(problems) > 0 {
		return &c, Secrets{}, problems
	}
	return &c, secrets, nil
}

// yamlProblem turns yaml.v3's messages ("line 3: field foo not found in type main.Config")
// into ones that speak of keys, not Go types.
func yamlProblem(err error, root *yaml.Node) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out []string
		for _, e := range te.Errors {
			var line int
			if _, scanErr := fmt.Sscanf(e, "line %d:", &line); scanErr == nil && strings.Contains(e, "cannot unmarshal") {
				bad := ""
				if parts := strings.Split(e, "`"); len(parts) >= 3 {
					bad = parts[1]
				}
				if key, value := keyAtLine(root, line, bad, ""); key != "" {
					out = append(out, fmt.Sprintf("%s: %q is not valid here (line %d): %s", key, value, line, expected(e)))
					continue
				}
			}
			if i := strings.Index(e, "field "); i >= 0 && strings.Contains(e, "not found in type") {
				key := strings.TrimSpace(strings.SplitN(e[i+len("field "):], " not found", 2)[0])
				out = append(out, fmt.Sprintf("%sunknown key %q", strings.SplitN(e, "field ", 2)[0], key))
				continue
			}
			out = append(out, strings.ReplaceAll(e, "main.", ""))
		}
		return strings.Join(out, "; ")
	}
	return "not valid YAML: " + err.Error()
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
	return w
}

// expected says in words what a value should have been, from yaml.v3's Go type name.
func expected(msg string) string {
	switch {
	case strings.HasSuffix(msg, "time.Duration"):
		return "expected a duration like 90s, 30m or 2h"
	case strings.Contains(msg, "into int"):
		return "expected a whole number"
	case strings.Contains(msg, "into []"):
		return "expected a list"
	case strings.Contains(msg, "into main."):
		return "expected a section of keys"
	}
	return "expected a text"
}

// keyAtLine finds the dotted key whose scalar value sits on line, so a value of the wrong
// type is reported by its key rather than by a Go type.
func keyAtLine(n *yaml.Node, line int, value, prefix string) (string, string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if k, v := keyAtLine(c, line, value, prefix); k != "" {
				return k, v
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if prefix != "" {
				key = prefix + "." + key
			}
			val := n.Content[i+1]
			if val.Kind == yaml.ScalarNode && val.Line == line && (value == "" || val.Value == value) {
				return key, val.Value
			}
			if k, v := keyAtLine(val, line, value, key); k != "" {
				return k, v
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if k, v := keyAtLine(c, line, value, fmt.Sprintf("%s[%d]", prefix, i)); k != "" {
				return k, v
			}
		}
	}
	return "", ""
}

// Secrets holds the tokens read from the environment. It is never logged or stored.
type Secrets struct {
	Telegram       string
	Community      map[int64]string
	CommunityAdmin map[int64]string // admins' user tokens, for reversals
}

// String keeps tokens out of any accidental %v.
func (Secrets) String() string { return "Secrets{redacted}" }

func (c *Config) validate(lookupEnv func(string) (string, bool)) (Secrets, Problems) {
	var p Problems
	add := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }
	s := Secrets{Community: map[int64]string{}, CommunityAdmin: map[int64]string{}}

	envToken := func(key, name string, required bool) string {
		if name == "" {
			if required {
				add("%s: missing: name the environment variable that holds the token", key)
			}
			return ""
		}
		v, ok := lookupEnv(name)
		switch {
		case !ok:
			add("%s: environment variable %s is not set", key, name)
		case strings.TrimSpace(v) == "":
			add("%s: environment variable %s is empty", key, name)
		}
		return strings.TrimSpace(v)
	}

	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			add("time_zone: %q is not a known time zone (use an IANA name like Europe/Moscow)", c.TimeZone)
		}
	}
	if c.Language != "ru" && c.Language != "en" {
		add("language: %q is not supported: use ru or en", c.Language)
	}
	if err := checkURL(c.VK.APIURL); err != nil {
		add("vk.api_url: %q %v", c.VK.APIURL, err)
	}
	if c.VK.LongPollWait < time.Second || c.VK.LongPollWait > 90*time.Second {
		add("vk.long_poll_wait: %s is out of range: VK accepts 1s to 90s", c.VK.LongPollWait)
	}
	if len(c.VK.Communities) == 0 {
		add("vk.communities: no community to watch")
	}
	seenGroup := map[int64]bool{}
	for i, cm := range c.VK.Communities {
		key := fmt.Sprintf("vk.communities[%d]", i)
		if cm.GroupID <= 0 {
			add("%s.group_id: %d must be the community's positive id (without the minus sign)", key, cm.GroupID)
		} else if seenGroup[cm.GroupID] {
			add("%s.group_id: %d is listed twice", key, cm.GroupID)
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
		add("telegram.api_endpoint: %q %v", c.Telegram.APIEndpoint, err)
	}
	if c.Telegram.PollTimeout < time.Second || c.Telegram.PollTimeout > 10*time.Minute {
		add("telegram.poll_timeout: %s is out of range (1s to 10m)", c.Telegram.PollTimeout)
	}

	if c.Justify.Deadline < time.Minute {
		add("justify.deadline: %s is too short: give operators at least a minute", c.Justify.Deadline)
	}
	if c.Justify.RemindBefore < 0 || c.Justify.RemindBefore >= c.Justify.Deadline {
		add("justify.remind_before: %s must be positive and shorter than justify.deadline (%s)", c.Justify.RemindBefore, c.Justify.Deadline)
	}
	if c.Justify.CheckEvery < 100*time.Millisecond {
		add("justify.check_every: %s is too short", c.Justify.CheckEvery)
	}

	seenTG, seenVK, seenName := map[int64]string{}, map[int64]string{}, map[string]bool{}
	roles := map[justify.Role]int{}
	for i, pc := range c.People {
		key := fmt.Sprintf("people[%d]", i)
		if pc.Name == "" {
			add("%s.name: missing", key)
		} else if seenName[pc.Name] {
			add("%s.name: %q is used twice", key, pc.Name)
		}
		seenName[pc.Name] = true
		role := justify.Role(pc.Role)
		if !role.Valid() {
			add("%s.role: %q is not a role: use operator, manager or owner", key, pc.Role)
		}
		roles[role]++
		if pc.TelegramID <= 0 {
			add("%s.telegram_id: missing: the person's numeric Telegram user id (they must press Start in the bot)", key)
		} else if other, dup := seenTG[pc.TelegramID]; dup {
			add("%s.telegram_id: %d is also %s's", key, pc.TelegramID, other)
		} else {
			seenTG[pc.TelegramID] = pc.Name
		}
		switch {
		case role == justify.RoleOperator && pc.VKID <= 0:
			add("%s.vk_id: operator %q has no VK id: modwatch could not tell their actions apart", key, pc.Name)
		case pc.VKID > 0:
			if other, dup := seenVK[pc.VKID]; dup {
				add("%s.vk_id: %d is also %s's", key, pc.VKID, other)
			}
			seenVK[pc.VKID] = pc.Name
		}
	}
	for i, pc := range c.People {
		if pc.Digest != nil {
			if _, err := pc.Digest.schedule(fmt.Sprintf("people[%d].digest", i)); err != nil {
				add("%v", err)
			}
		}
	}
	if roles[justify.RoleManager] == 0 {
		add("people: no manager: somebody must review cases")
	}

	if c.VK.ReconcileEvery < time.Minute {
		add("vk.reconcile_every: %s is too often: at least 1m", c.VK.ReconcileEvery)
	}
	if c.VK.PostCheckEvery < time.Minute {
		add("vk.post_check_every: %s is too often: at least 1m", c.VK.PostCheckEvery)
	}
	if c.VK.BackfillPosts < 0 || c.VK.BackfillPosts > 100 {
		add("vk.backfill_posts: %d is out of range (0 to 100; VK returns at most 100 posts a call)", c.VK.BackfillPosts)
	}
	if c.VK.BackfillComments < 0 || c.VK.BackfillComments > 100 {
		add("vk.backfill_comments: %d is out of range (0 to 100)", c.VK.BackfillComments)
	}
	if n := c.Justify.GroupAfter; n != nil && *n < 0 {
		add("justify.group_after: %d must be 0 (off) or more", *n)
	}
	if c.Justify.GroupWithin <= 0 {
		add("justify.group_within: %s must be positive", c.Justify.GroupWithin)
	}
	if c.Alerts.WaveCount < 0 {
		add("alerts.wave_count: %d must be 0 (off) or more", c.Alerts.WaveCount)
	}
	if c.Alerts.WaveWithin <= 0 {
		add("alerts.wave_within: %s must be positive", c.Alerts.WaveWithin)
	}
	if c.Alerts.GroupWithin <= 0 {
		add("alerts.group_within: %s must be positive", c.Alerts.GroupWithin)
	}
	if c.Tickets.AnswerWithin < 0 {
		add("tickets.answer_within: %s must be positive", c.Tickets.AnswerWithin)
	}
	if c.Tickets.Retention < 0 {
		add("tickets.retention: %s must be positive, or 0 to keep customers' words", c.Tickets.Retention)
	}
	if c.Health.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Health.Listen); err != nil {
			add("health.listen: %q is not a host:port address", c.Health.Listen)
		}
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		add("log.level: %v", err)
	}
	if c.Log.Format != "json" && c.Log.Format != "console" {
		add("log.format: %q: use json or console", c.Log.Format)
	}
	if c.Database == "" {
		add("database: missing")
	}
	return s, p
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("is not an http(s) URL")
	}
	return nil
}

// location is the team's time zone, UTC when none is set.
func (c *Config) location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil && c.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// telegramEndpoint turns the configured base URL into the format the Telegram library wants.
func (c *Config) telegramEndpoint() string {
	e := c.Telegram.APIEndpoint
	if strings.Contains(e, "%s") {
		return e
	}
	return strings.TrimRight(e, "/") + "/bot%s/%s"
}

// vkMethodURL makes sure the method URL ends with a slash, as VK's client appends method names.
func (c *Config) vkMethodURL() string {
	return strings.TrimRight(c.VK.APIURL, "/") + "/"
}

// directory builds the domain's view of the people.
func (c *Config) directory() *justify.Directory {
	people := make([]justify.Person, 0, len(c.People))
	for _, pc := range c.People {
		people = append(people, justify.Person{Name: pc.Name, Role: justify.Role(pc.Role), VKID: pc.VKID, TelegramID: pc.TelegramID})
	}
	return justify.NewDirectory(people)
}

// communities builds the domain's view of the watched communities.
func (c *Config) communities(s Secrets) map[int64]justify.Community {
	out := map[int64]justify.Community{}
	for _, cm := range c.VK.Communities {
		name := cm.Name
		if name == "" {
			name = fmt.Sprintf("club%d", cm.GroupID)
		}
		_, canReverse := s.CommunityAdmin[cm.GroupID]
		out[cm.GroupID] = justify.Community{GroupID: cm.GroupID, Name: name, CanReverse: canReverse}
	}
	return out
}

// defaultGroupAfter is how many of an operator's bans in a row get a prompt each before
// the rest of the wave is asked about as one batch.
const defaultGroupAfter = 5

// groupRule is the service's batching rule from justify.group_after and group_within.
func (c *Config) groupRule() justify.GroupRule {
	if c.Justify.GroupAfter == nil {
		return justify.GroupRule{}
	}
	return justify.GroupRule{After: *c.Justify.GroupAfter, Within: c.Justify.GroupWithin}
}

// telegramLimits is how the bot paces itself: Telegram's limits unless telegram.pace is false.
func (c *Config) telegramLimits() telegram.Limits {
	if c.Telegram.Pace != nil && !*c.Telegram.Pace {
		return telegram.Limits{}
	}
	return telegram.TelegramLimits
}
