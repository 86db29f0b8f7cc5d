// Package vk watches VK communities through Bots Long Poll, turns their admin actions into
// justify events, and reverses bans through the VK API with an admin's user token.
package vk

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/SevereCloud/vksdk/v2/events"

	"github.com/modwatch/modwatch/justify"
)

// ErrMalformed marks an update that cannot be decoded; the watcher quarantines it and goes on.
var ErrMalformed = errors.New("malformed vk update")

// quarantined is an update DecodeUpdate refused, as the store keeps it. Its kind is the
// update's type only when modwatch decodes that type, "" otherwise, so that what VK sends
// cannot invent alert keys and metric values of its own.
func quarantined(groupID int64, raw json.RawMessage, err error, at time.Time) justify.Quarantined {
	var env struct {
		Type string `json:"type"`
	}
	kind := ""
	if json.Unmarshal(raw, &env) == nil && decoderFor(env.Type) != nil {
		kind = env.Type
	}
	keep := raw
	if len(keep) > justify.MaxQuarantinedRaw {
		keep = keep[:justify.MaxQuarantinedRaw]
	}
	return justify.Quarantined{GroupID: groupID, Kind: kind, Raw: append([]byte(nil), keep...), Size: len(raw), Err: err.Error(), At: at}
}

// EventKey is the key of a long-poll event: VK's event_id is unique per community, and VK
// redelivers an event with the same id, so the store keeps it once.
func EventKey(groupID int64, eventID string) string {
	return fmt.Sprintf("vk:%d:%s", groupID, eventID)
}

// DecodeUpdate turns one long-poll update of community groupID into an event. It reports
// false, with no error, for event types (or cases of them) modwatch does not act on.
// At is VK's own time where the object carries one (comments, posts, messages when
// written); elsewhere it is left zero for the caller to stamp the time of receipt. Errors
// wrap ErrMalformed; no input panics.
func DecodeUpdate(groupID int64, raw json.RawMessage) (justify.Event, bool, error) {
	var env events.GroupEvent
	if err := json.Unmarshal(raw, &env); err != nil {
		return justify.Event{}, false, fmt.Errorf("%w: decode envelope: %v", ErrMalformed, err)
	}
	return decodeEnvelope(groupID, &env)
}

// decodeEnvelope is DecodeUpdate for an update whose envelope is decoded already.
func decodeEnvelope(groupID int64, env *events.GroupEvent) (justify.Event, bool, error) {
	if env.Type == "" {
		return justify.Event{}, false, fmt.Errorf("%w: no type", ErrMalformed)
	}
	typ := string(env.Type)
	decode := decoderFor(typ)
	if decode == nil {
		return justify.Event{}, false, nil
	}
	// A foreign group_id means the token or server belongs to another community; acting on
	// it would open cases in the wrong place.
	if env.GroupID != 0 && int64(env.GroupID) != groupID {
		return justify.Event{}, false, fmt.Errorf("%w: %s event of group %d while watching group %d",
			ErrMalformed, env.Type, env.GroupID, groupID)
	}
	if env.EventID == "" {
		return justify.Event{}, false, fmt.Errorf("%w: %s event without event_id", ErrMalformed, env.Type)
	}
	if len(env.Object) == 0 || string(env.Object) == "null" {
		return justify.Event{}, false, fmt.Errorf("%w: %s event %s without object", ErrMalformed, env.Type, env.EventID)
	}
	ev := justify.Event{
		Key:     EventKey(groupID, env.EventID),
		GroupID: groupID,
		Source:  justify.SourceLongPoll,
	}
	ok, err := decode(&ev, env.Object)
	if err != nil {
		return justify.Event{}, false, fmt.Errorf("%w: decode %s %s: %v", ErrMalformed, env.Type, env.EventID, err)
	}
	if !ok {
		return justify.Event{}, false, nil
	}
	// Go's JSON decoder already turns invalid bytes into U+FFFD; cleaning here as well
	// keeps the rule in one place whatever decodes VK's answers.
	ev.CleanTexts()
	// The domain refuses what it cannot act upon; saying so here keeps such an event from
	// failing a whole batch later.
	if err := ev.Validate(); err != nil {
		return justify.Event{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ev, true, nil
}

// fullName is a VK user's name as modwatch shows it, made valid UTF-8.
func fullName(first, last string) string {
	return justify.CleanText(strings.TrimSpace(first + " " + last))
}

type decodeFunc func(ev *justify.Event, object json.RawMessage) (bool, error)

// decoders maps every long-poll event type modwatch reads to its decoder. It is the one
// list of those types: the setup check asks VK to send exactly these (EventTypes).
var decoders = func() map[string]decodeFunc {
	m := map[string]decodeFunc{
		string(events.EventUserBlock):   decodeBan,
		string(events.EventUserUnblock): decodeUnban,
		"group_officers_edit":           decodeOfficers,
		"wall_post_new":                 decodeWallPost,
	}
	for _, typ := range []string{"message_new", "message_edit", "message_reply"} {
		m[typ] = func(ev *justify.Event, o json.RawMessage) (bool, error) { return decodeMessage(ev, typ, o) }
	}
	for prefix, fam := range commentFamilies {
		for _, action := range []string{"new", "edit", "restore"} {
			m[prefix+"_"+action] = func(ev *justify.Event, o json.RawMessage) (bool, error) {
				return decodeComment(ev, fam, action, o)
			}
		}
		m[prefix+"_delete"] = func(ev *justify.Event, o json.RawMessage) (bool, error) { return decodeDeletion(ev, fam, o) }
	}
	return m
}()

// decoderFor returns the decoder of an event type, nil for types modwatch ignores.
func decoderFor(typ string) decodeFunc { return decoders[typ] }

// EventTypes lists, sorted, the long-poll event types modwatch reads: a community that
// does not send one of them leaves a hole in what modwatch sees.
func EventTypes() []string {
	return slices.Sorted(maps.Keys(decoders))
}

func decodeBan(ev *justify.Event, raw json.RawMessage) (bool, error) {
	var o events.UserBlockObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	ev.Kind = justify.EventBan
	ev.ActorVKID, ev.UserVKID = int64(o.AdminID), int64(o.UserID)
	ev.VKReason, ev.Comment = justify.BanReason(o.Reason), o.Comment
	if o.UnblockDate > 0 {
		ev.Until = time.Unix(int64(o.UnblockDate), 0).UTC()
	}
	if ev.UserVKID == 0 {
		return false, errors.New("no user_id")
	}
	return true, nil
}

func decodeUnban(ev *justify.Event, raw json.RawMessage) (bool, error) {
	var o events.UserUnblockObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	ev.Kind = justify.EventUnban
	ev.ActorVKID, ev.UserVKID = int64(o.AdminID), int64(o.UserID)
	ev.Expired = o.ByEndDate == 1
	if ev.UserVKID == 0 {
		return false, errors.New("no user_id")
	}
	return true, nil
}
