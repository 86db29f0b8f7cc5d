package vk

import (
	"fmt"
	"strings"
)

// What modwatch needs of a community's setup, and why: the rights of its community token,
// the scopes of an admin's user token, the Bots Long Poll settings. The setup check
// (setup.go) compares VK's answers with these lists and words its findings from them.

// LongPollVersion is the API version of the events modwatch reads: its decoders and their
// test payloads follow this version's schema. `config check --online --fix` sets it.
const LongPollVersion = "5.199"

// MinLongPollVersion is the oldest events version modwatch accepts: vksdk, whose event
// types modwatch decodes, is written for 5.131, and older versions shape objects
// differently (a message_new before 5.103 is the bare message).
const MinLongPollVersion = "5.131"

// Need is one right or scope modwatch needs of a token, and why.
type Need struct {
	// Name is VK's name of the right or scope, as getTokenPermissions names it.
	Name string
	// Bit is the scope's bit in a user token's permission mask (account.getAppPermissions);
	// 0 for community rights, which VK lists by name.
	Bit int64
	// Required: without it modwatch misses events or cannot act; otherwise it works with less.
	Required bool
	// Why says what modwatch does with it.
	Why string
}

// CommunityRights are the rights modwatch needs of a community token. Only these two:
// every other call it makes with the community token (users.get) needs none.
var CommunityRights = []Need{
	{Name: "manage", Required: true, Why: "reading the ban list (groups.getBanned) to catch bans made while modwatch was down, " +
		"restoring deleted board posts (board.restoreComment), and reading and fixing the Long Poll settings"},
	{Name: "messages", Required: true, Why: "receiving customers' private messages and the community's answers " +
		"(message_new, message_reply, message_edit), which modwatch keeps as tickets"},
}

// UserScopes are the scopes modwatch needs of an admin's user token, with their bits in
// VK's permission mask.
var UserScopes = []Need{
	{Name: "groups", Bit: 1 << 18, Required: true, Why: "lifting bans that managers reverse (groups.unban)"},
	{Name: "wall", Bit: 1 << 13, Required: true, Why: "restoring deleted wall comments, finding deleted wall posts and reading the wall at start"},
	{Name: "offline", Bit: 1 << 16, Required: true, Why: "keeping the token valid: without it VK expires the token within a day"},
	{Name: "photos", Bit: 1 << 2, Why: "restoring deleted photo comments; without it they are restored by hand"},
	{Name: "video", Bit: 1 << 4, Why: "restoring deleted video comments; without it they are restored by hand"},
	{Name: "market", Bit: 1 << 27, Why: "restoring deleted product comments; without it they are restored by hand"},
}

// Where things are in VK's community management, for the fixes the check suggests.
const (
	pathTokens   = "Manage community → API usage → Access tokens"
	pathLongPoll = "Manage community → API usage → Long Poll API"
	pathEvents   = pathLongPoll + " → Event types"
)

// family is how VK's interface and modwatch's texts name a kind of comment.
type family struct{ section, item, plural string }

var families = map[string]family{
	"wall_reply":     {"Wall", "comment", "wall comments"},
	"photo_comment":  {"Photos", "comment", "photo comments"},
	"video_comment":  {"Videos", "comment", "video comments"},
	"market_comment": {"Products", "comment", "product comments"},
	"board_post":     {"Discussions", "post", "discussion posts"},
}

var actionLabels = map[string]string{"new": "added", "edit": "edited", "delete": "deleted", "restore": "restored"}

// singleEvents are the event types that are not one of a family's four.
var singleEvents = map[string]struct{ label, lost string }{
	"user_block":          {"Users: added to the blacklist", "bans open no case: operators ban unseen"},
	"user_unblock":        {"Users: removed from the blacklist", "unbans made in VK, and bans that ran out, are not seen: their cases stay open"},
	"group_officers_edit": {"Management: managers changed", "changes of the community's admins raise no alert"},
	"message_new":         {"Messages: incoming message", "customers' private messages are not kept as tickets"},
	"message_reply":       {"Messages: outgoing message", "the community's answers are not seen: customers' messages look unanswered"},
	"message_edit":        {"Messages: message edited", "edits of messages are not kept"},
	"wall_post_new":       {"Wall: post added", "customers' wall posts are not kept, so a deleted one is never found"},
}

// eventText returns the label of an event type in VK's settings ("Wall: comment
// deleted") and what modwatch loses while VK does not send it.
func eventText(typ string) (label, lost string) {
	if e, ok := singleEvents[typ]; ok {
		return e.label, e.lost
	}
	i := strings.LastIndexByte(typ, '_')
	f, ok := families[typ[:max(i, 0)]]
	if i < 0 || !ok {
		return typ, "modwatch does not receive these events"
	}
	action := typ[i+1:]
	label = fmt.Sprintf("%s: %s %s", f.section, f.item, actionLabels[action])
	switch action {
	case "new":
		lost = fmt.Sprintf("customers' %s are not kept as tickets, so a deleted one shows no words", f.plural)
	case "edit":
		lost = fmt.Sprintf("edits of %s are not kept", f.plural)
	case "delete":
		lost = fmt.Sprintf("deleted %s open no case: an operator can delete them unseen", f.plural)
	case "restore":
		lost = fmt.Sprintf("%s restored in VK are not seen: their cases stay open", f.plural)
	}
	return label, lost
}

// versionAtLeast reports whether VK API version v ("5.199") is min or later; a version that
// does not read as one is not.
func versionAtLeast(v, min string) bool {
	parse := func(s string) (int, int, bool) {
		var major, minor int
		if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d.%d", &major, &minor); n != 2 || err != nil {
			return 0, 0, false
		}
		return major, minor, true
	}
	vMaj, vMin, ok := parse(v)
	mMaj, mMin, _ := parse(min)
	return ok && (vMaj > mMaj || (vMaj == mMaj && vMin >= mMin))
}
