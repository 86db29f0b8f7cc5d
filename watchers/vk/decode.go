// Package vk watches VK communities through Bots Long Poll, turns their admin actions into
// justify events, and reverses bans through the VK API with an admin's user token.
package vk

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/SevereCloud/vksdk/v2/events"

	"github.com/modwatch/modwatch/justify"
)

// ErrMalformed marks an update that cannot be decoded; the watcher skips it and goes on.
var ErrMalformed = errors.New("malformed vk update")

// EventKey is the key of a long-poll event: VK's event_id is unique per community, and VK
// redelivers an event with the same id, so the store keeps it once.
func EventKey(groupID int64, eventID string) string {
	return fmt.Sprintf("vk:%d:%s", groupID, eventID)
}

// DecodeUpdate turns one long-poll update of community groupID into an event. It reports
// false, with no error, for event types modwatch does not act on. At is left zero: the
// caller stamps the time of receipt. Errors wrap ErrMalformed.
func DecodeUpdate(groupID int64, raw json.RawMessage) (justify.Event, bool, error) {
	var env events.GroupEvent
	if err := json.Unmarshal(raw, &env); err != nil {
		return justify.Event{}, false, fmt.Errorf("%w: decode envelope: %v", ErrMalformed, err)
	}
	if env.Type == "" {
		return justify.Event{}, false, fmt.Errorf("%w: no type", ErrMalformed)
	}
	if env.Type != events.EventUserBlock && env.Type != events.EventUserUnblock {
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
	switch env.Type {
	case events.EventUserBlock:
		var o events.UserBlockObject
		if err := json.Unmarshal(env.Object, &o); err != nil {
			return justify.Event{}, false, fmt.Errorf("%w: decode user_block %s: %v", ErrMalformed, env.EventID, err)
		}
		ev.Kind = justify.EventBan
		ev.ActorVKID, ev.UserVKID = int64(o.AdminID), int64(o.UserID)
		ev.VKReason, ev.Comment = justify.BanReason(o.Reason), o.Comment
		if o.UnblockDate > 0 {
			ev.Until = time.Unix(int64(o.UnblockDate), 0).UTC()
		}
	case events.EventUserUnblock:
		var o events.UserUnblockObject
		if err := json.Unmarshal(env.Object, &o); err != nil {
			return justify.Event{}, false, fmt.Errorf("%w: decode user_unblock %s: %v", ErrMalformed, env.EventID, err)
		}
		ev.Kind = justify.EventUnban
		ev.ActorVKID, ev.UserVKID = int64(o.AdminID), int64(o.UserID)
		ev.Expired = o.ByEndDate == 1
	}
	if ev.UserVKID == 0 {
		return justify.Event{}, false, fmt.Errorf("%w: %s event %s has no user_id", ErrMalformed, env.Type, env.EventID)
	}
	return ev, true, nil
}
