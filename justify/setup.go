package justify

import (
	"fmt"
	"strings"
	"time"
)

// SetupCheck names what a setup check looked at, for grouping its problems and keying
// their alerts.
type SetupCheck string

// What the setup checks look at, in VK and in Telegram.
const (
	// CheckCommunityToken: VK accepts the community token. The watchers also alert at
	// once when VK refuses a token (AlertToken).
	CheckCommunityToken SetupCheck = "community_token"
	// CheckTokenOwner: the community token is this community's, not another's.
	CheckTokenOwner SetupCheck = "token_owner"
	// CheckRights: the community token's rights (groups.getTokenPermissions).
	CheckRights SetupCheck = "rights"
	// CheckLongPoll: the Bots Long Poll API is on, with a recent API version.
	CheckLongPoll SetupCheck = "long_poll"
	// CheckEvents: every event type modwatch reads is sent.
	CheckEvents SetupCheck = "events"
	// CheckUserToken: VK accepts the admin's user token, as a user token.
	CheckUserToken SetupCheck = "user_token"
	// CheckUserAdmin: the user token's account is an admin of the community.
	CheckUserAdmin SetupCheck = "user_admin"
	// CheckUserScopes: the user token's scopes (account.getAppPermissions).
	CheckUserScopes SetupCheck = "user_scopes"
	// CheckBot: the Telegram bot token works.
	CheckBot SetupCheck = "bot"
	// CheckChat: a group chat the bot must write to exists and lets it write.
	CheckChat SetupCheck = "chat"
	// CheckPerson: a person the bot cannot reach (never pressed Start, or blocked it).
	CheckPerson SetupCheck = "person"
)

// SetupProblem is one thing missing from how VK or Telegram is set up for modwatch, found
// by asking them. The texts are for the people who set modwatch up: they name the missing
// thing as VK or Telegram calls it, and say where to click.
type SetupProblem struct {
	// GroupID is the community concerned; 0 for Telegram.
	GroupID int64
	Check   SetupCheck
	// Name is the missing thing as VK or Telegram names it: "wall_reply_delete", "manage",
	// "api_version", a config key like "telegram.review_chat", a person's name.
	Name string
	// Required: without it modwatch misses events or cannot act. Otherwise modwatch
	// works, with less.
	Required bool
	// Problem says what is wrong and what it costs.
	Problem string
	// Fix says what to do, down to what to click.
	Fix string
	// Fixable: modwatch can fix it itself (`config check --online --fix`).
	Fixable bool
}

// Key identifies the problem across checks: the same problem found again has the same key.
func (p SetupProblem) Key() string {
	return fmt.Sprintf("setup:%d:%s:%s", p.GroupID, p.Check, p.Name)
}

// Alert is the problem as an alert to managers and owners: Subject names the missing
// thing, Detail says what is wrong and how to fix it.
func (p SetupProblem) Alert(at time.Time) Alert {
	detail := p.Problem
	if p.Fix != "" {
		detail = strings.TrimRight(detail, ". ") + ". " + p.Fix
	}
	return Alert{Kind: AlertSetup, GroupID: p.GroupID, Key: p.Key(), Subject: p.Name, Count: 1, Detail: detail, At: at}
}

// Reach is what the outbox knows of whether the bot can write to a chat: the bot learns
// that someone never pressed Start (or blocked it) only when Telegram refuses a message.
type Reach struct {
	ChatID int64
	// LastSent is when a message last reached the chat; zero when none ever did.
	LastSent time.Time
	// Refused is Telegram's refusal of the latest message that could not be delivered
	// ("Forbidden: bot can't initiate conversation with a user"), while nothing was
	// delivered after it and the person has not pressed Start since; "" when none.
	Refused string
	// RefusedAt is when that message was written.
	RefusedAt time.Time
	// Started is when the person last pressed Start in the bot; zero when never.
	Started time.Time
}

// StartedCursorPrefix begins the keys of the cursors that record when each person last
// pressed Start (StartedCursor): the outbox alone cannot tell someone who pressed Start
// from someone who was never sent anything.
const StartedCursorPrefix = "telegram:started:"

// StartedCursor is the cursor key that records when the person with Telegram id tgID last
// pressed Start; its value is the time in RFC 3339.
func StartedCursor(tgID int64) string { return fmt.Sprintf("%s%d", StartedCursorPrefix, tgID) }
