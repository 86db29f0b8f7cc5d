// Package configs is modwatch's configuration: the types of the YAML file, their defaults,
// strict loading that names every bad key with its line, and validation. The example
// config, modwatch.example.yaml, is embedded and documents every key.
//
// The package knows the domain (justify) but no adapter: cmd/modwatch turns the config
// into the adapters' own settings, so that adapters never depend on the file's shape.
package configs

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the daemon's configuration file. It never holds secrets: it names the
// environment variables that do.
type Config struct {
	// Database is the SQLite file's path.
	Database string `yaml:"database"`
	// Litestream says Litestream replicates the database: modwatch then leaves the WAL's
	// checkpoints to it, as Litestream's documentation asks of applications.
	Litestream bool `yaml:"litestream"`
	// Language is the bot's language, ru or en.
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
	// Conversations governs dialogs in community messages and comments and the signs of
	// shirking found in them.
	Conversations ConversationsConfig `yaml:"conversations"`
	// QA says when managers are sent dialogs to spot-check (qa.go).
	QA     QAConfig     `yaml:"qa"`
	Health HealthConfig `yaml:"health"`
}

// AlertsConfig says when managers and owners are alerted at once.
type AlertsConfig struct {
	// WaveCount actions by one admin within WaveWithin are a wave; 0 turns wave alerts off.
	WaveCount  int           `yaml:"wave_count"`
	WaveWithin time.Duration `yaml:"wave_within"`
	// GroupWithin merges repeats of one alert into one message.
	GroupWithin time.Duration `yaml:"group_within"`
	// SignsPerDay: more signs of shirking than this by one operator in one community in
	// one day (in their shifts' time zone, else the team's) are an alert; 0 turns it off.
	SignsPerDay int `yaml:"signs_per_day"`
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
	// APIURL is VK's method URL; see MethodURL.
	APIURL string `yaml:"api_url"`
	// LongPollWait is how long one Bots Long Poll request may wait for events, 1s to 90s.
	LongPollWait time.Duration `yaml:"long_poll_wait"`
	// Communities are the communities watched; at least one.
	Communities []CommunityConfig `yaml:"communities"`
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
	// SetupCheckEvery is how often the daemon asks VK (and Telegram) whether each
	// community is still set up as modwatch needs, alerting managers once per problem; it
	// also checks at start. 0 turns it off.
	SetupCheckEvery time.Duration `yaml:"setup_check_every"`
	// UnansweredCheckEvery is how often each community's list of unanswered conversations
	// (messages.getConversations, filter=unanswered) is read, to notice conversations
	// marked answered or deleted without a reply.
	UnansweredCheckEvery time.Duration `yaml:"unanswered_check_every"`
}

// CommunityConfig is one watched community.
type CommunityConfig struct {
	// GroupID is the community's positive id.
	GroupID int64 `yaml:"group_id"`
	// Name is shown in messages; club<GroupID> when empty.
	Name string `yaml:"name"`
	// TokenEnv names the variable holding the community token; required.
	TokenEnv string `yaml:"token_env"`
	// UserTokenEnv names the variable holding an admin's user token, which reversals,
	// post checks and the backfill need; optional.
	UserTokenEnv string `yaml:"user_token_env"`
	// ReviewChat and ReviewTopic override telegram.review_chat and review_topic for this
	// community; a topic alone picks a topic of telegram.review_chat. AlertsChat and
	// AlertsTopic do the same for alerts.
	ReviewChat  int64 `yaml:"review_chat"`
	ReviewTopic int   `yaml:"review_topic"`
	AlertsChat  int64 `yaml:"alerts_chat"`
	AlertsTopic int   `yaml:"alerts_topic"`
}

// TelegramConfig says where the Bot API is and which variable holds the bot token.
type TelegramConfig struct {
	// TokenEnv names the variable holding the bot token; required.
	TokenEnv string `yaml:"token_env"`
	// APIEndpoint is the Bot API base URL or endpoint format; see EndpointFormat.
	APIEndpoint string `yaml:"api_endpoint"`
	// PollTimeout is the getUpdates long-poll timeout, 1s to 10m.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// Pace keeps the bot within Telegram's rate limits; only a test server that does not
	// limit may go unpaced.
	Pace bool `yaml:"pace"`
	// KeepSent is how long messages already sent (or given up on), and the buttons of
	// closed cases, are kept before the daemon deletes them; at least a day.
	KeepSent time.Duration `yaml:"keep_sent"`
	// ReviewChat is a group or supergroup (its negative id) where reviews go as one
	// message for the managers instead of one to each; ReviewTopic a forum topic of it
	// (message_thread_id). 0 keeps reviews private.
	ReviewChat  int64 `yaml:"review_chat"`
	ReviewTopic int   `yaml:"review_topic"`
	// AlertsChat and AlertsTopic do the same for alerts, instead of one to each manager
	// and owner.
	AlertsChat  int64 `yaml:"alerts_chat"`
	AlertsTopic int   `yaml:"alerts_topic"`
}

// JustifyConfig sets the operators' deadline.
type JustifyConfig struct {
	// Deadline is how long an operator has to give a reason, at least 1m.
	Deadline time.Duration `yaml:"deadline"`
	// RemindBefore is when, before the deadline, the operator is reminded; 0 does not remind.
	RemindBefore time.Duration `yaml:"remind_before"`
	// CheckEvery is how often reminders, deadlines and stuck reversals are looked at.
	CheckEvery time.Duration `yaml:"check_every"`
	// ReversalTimeout is how long a reversal may wait for VK before it is settled by what
	// VK shows, or handed back to the manager; at least 1m.
	ReversalTimeout time.Duration `yaml:"reversal_timeout"`
	// GroupAfter: past this many bans (or deletions) by one operator in one community
	// within GroupWithin, further ones are asked about as one batch; 0 turns it off.
	GroupAfter  int           `yaml:"group_after"`
	GroupWithin time.Duration `yaml:"group_within"`
}

// PersonConfig is one member of the moderation team.
type PersonConfig struct {
	// Name is unique in the team.
	Name string `yaml:"name"`
	// Role is operator, manager or owner (justify.Role).
	Role string `yaml:"role"`
	// VKID is the VK id the person moderates with, unique in the team. Operators need
	// one; a manager or owner who also acts in VK sets one so that their actions are
	// theirs: asked about like an operator's, and decided by the other managers (or, with
	// none, the owners), never by themselves.
	VKID int64 `yaml:"vk_id"`
	// TelegramID is the person's Telegram user id, unique in the team.
	TelegramID int64 `yaml:"telegram_id"`
	// Communities are the group ids the person works for (their scope): they are sent,
	// and may act on, only what concerns these. Absent: every community.
	Communities []int64 `yaml:"communities"`
	// Digest, when set, sends the person digests.
	Digest *DigestConfig `yaml:"digest"`
	// Shifts are the person's working hours; without them the figures that need shifts
	// (idle time, requests skipped while on shift) are left out for the person.
	Shifts []ShiftConfig `yaml:"shifts"`
}

// ShiftConfig is one weekly shift: on Days, From to To (HH:MM) in TimeZone. A To at or
// before From ends the next day.
type ShiftConfig struct {
	// Days are mon, tue, wed, thu, fri, sat, sun.
	Days []string `yaml:"days"`
	From string   `yaml:"from"`
	To   string   `yaml:"to"`
	// TimeZone is an IANA name; the team's time_zone when empty.
	TimeZone string `yaml:"time_zone"`
}

// DigestConfig is when a person (normally an owner) gets the digest. Keys a digest leaves
// out take their values from DefaultDigest.
type DigestConfig struct {
	// Every is Daily or Weekly.
	Every string `yaml:"every"`
	// Weekday is the day weekly digests come on, monday ... sunday.
	Weekday string `yaml:"weekday"`
	// At is the local time, "09:00", in TimeZone (an IANA name like Europe/Moscow).
	At string `yaml:"at"`
	// TimeZone is At's time zone, which is UTC unless set: not the team's time zone.
	TimeZone string `yaml:"time_zone"`
}

// UnmarshalYAML starts a digest from DefaultDigest, so that the keys it leaves out keep
// their defaults while those it sets, even to zero, keep the file's value.
func (d *DigestConfig) UnmarshalYAML(n *yaml.Node) error {
	*d = DefaultDigest()
	type plain DigestConfig // the same fields without this method, so Decode does not recurse
	return n.Decode((*plain)(d))
}

// LogConfig sets the log output.
type LogConfig struct {
	// Level is a zerolog level: debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is json or console.
	Format string `yaml:"format"`
}

// Secrets holds the tokens read from the environment. It is never logged or stored.
type Secrets struct {
	// Telegram is the bot token.
	Telegram string
	// Community holds each community's token by group id.
	Community map[int64]string
	// CommunityAdmin holds admins' user tokens by group id, for reversals, post checks
	// and the backfill; a community without one is missing.
	CommunityAdmin map[int64]string
}

// String keeps tokens out of any accidental %v.
func (Secrets) String() string { return "Secrets{redacted}" }
