package justify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AlertKind names something managers and owners must hear about at once.
type AlertKind string

// Alert kinds.
const (
	// AlertWave: one admin banned or deleted many times within a short window.
	AlertWave AlertKind = "wave"
	// AlertDeletedRequest: a customer's unanswered request was deleted by an admin.
	AlertDeletedRequest AlertKind = "deleted_request"
	// AlertUnknownAdmin: an admin unknown to the config acted.
	AlertUnknownAdmin AlertKind = "unknown_admin"
	// AlertOfficers: the community's admins changed (group_officers_edit).
	AlertOfficers AlertKind = "officers"
	// AlertToken: a VK token stopped working or lacks a right.
	AlertToken AlertKind = "token"
	// AlertUnreachable: the bot cannot write to a person (never pressed Start, or blocked it).
	AlertUnreachable AlertKind = "unreachable"
	// AlertQuarantined: an update from VK could not be decoded and was kept aside
	// (Subject is its type).
	AlertQuarantined AlertKind = "quarantined"
	// AlertUndelivered: Telegram refused a message to a person in its full and its short
	// form; Detail is Telegram's reason, MessageKind what the message was.
	AlertUndelivered AlertKind = "undelivered"
	// AlertSetup: VK or Telegram is not set up as modwatch needs (a Long Poll event type
	// off, a right missing...); Subject names the missing thing (SetupProblem).
	AlertSetup AlertKind = "setup"
	// AlertChatLost: the bot can no longer write to a team chat (Subject is the chat's id,
	// Detail Telegram's words); its reviews and alerts go to people privately meanwhile.
	AlertChatLost AlertKind = "chat_lost"
	// AlertConfig: a changed config was refused and the one in force stays (Detail is
	// what `modwatch config check` says of it).
	AlertConfig AlertKind = "config"
	// AlertSigns: one operator's signs of shirking in one day passed alerts.signs_per_day
	// (Subject is the operator; Signs the count of each kind; Detail and Link the worst
	// example).
	AlertSigns AlertKind = "signs"
)

// Alert is a notification that is not a step of one case. Alerts of the same Key within
// the grouping window are merged into one message whose count grows.
type Alert struct {
	Kind    AlertKind
	GroupID int64
	// Key groups repeats: the same key within the window updates the first message.
	Key string
	// Subject is who or what the alert is about (an admin's VK id, a person's name...).
	Subject   string
	ActorVKID int64
	Count     int
	// Detail is plain text shown as is (escaped by the renderer).
	Detail string
	CaseID CaseID
	At     time.Time
	// Vanished marks a deleted-request alert about a wall post that vanished: VK does not
	// say whether its author or an admin deleted it.
	Vanished bool `json:",omitempty"`
	// MessageKind is the kind of message an alert about a delivery is about.
	MessageKind MessageKind `json:",omitempty"`
	// Signs counts an operator's signs of one day by kind; Day is that day (YYYY-MM-DD),
	// WorstKind the kind of the example in Detail, and Link its link to VK.
	Signs     map[SignKind]int `json:",omitempty"`
	Day       string           `json:",omitempty"`
	WorstKind SignKind         `json:",omitempty"`
	Link      string           `json:",omitempty"`
}

// Payload encodes an alert for an outbox message.
func (a Alert) Payload() string {
	b, _ := json.Marshal(a) // an Alert always encodes
	return string(b)
}

// ParseAlert decodes an outbox message's payload.
func ParseAlert(payload string) (Alert, error) {
	var a Alert
	if err := json.Unmarshal([]byte(payload), &a); err != nil {
		return a, fmt.Errorf("decode alert: %w", err)
	}
	return a, nil
}

// AlertGroup is what the store keeps of an alert key: when it was first and last seen,
// how often, and the messages showing it.
type AlertGroup struct {
	Key     string
	FirstAt time.Time
	LastAt  time.Time
	Count   int
	Alert   Alert // the latest, with Count set
}

// Alert sends an alert to the managers and owners it concerns, grouped with earlier ones
// of its key.
func (s *Service) Alert(ctx context.Context, a Alert) error {
	if a.At.IsZero() {
		a.At = s.now()
	}
	return s.Store.Update(ctx, func(tx Tx) error { return s.alert(tx, a) })
}

func (s *Service) alert(tx Tx, a Alert) error { return s.alertTo(tx, a, nil) }

// alertTo notes an alert and, the first time its key is seen within the window, sends it
// to private when given, else where alertTargets says; a repeat edits every message
// already showing it.
func (s *Service) alertTo(tx Tx, a Alert, private []Person) error {
	window := s.settings().AlertWindow
	if window <= 0 {
		window = DefaultAlertWindow
	}
	g, first, err := tx.NoteAlert(a, window)
	if err != nil {
		return fmt.Errorf("note alert %s: %w", a.Key, err)
	}
	now := s.now()
	if !first {
		shown, err := tx.AlertMessages(a.Key)
		if err != nil {
			return err
		}
		for _, m := range shown {
			if _, err := tx.Enqueue(Message{ChatID: m.ChatID, Kind: MsgAlert, EditOf: m.ID, Created: now, Payload: g.Alert.Payload()}); err != nil {
				return err
			}
		}
		return nil
	}
	if private == nil {
		chat, ok, err := s.usableChat(tx, s.alertsChat(a.GroupID)) // chats.go
		if err != nil {
			return err
		}
		if ok {
			_, err := tx.Enqueue(Message{ChatID: chat.ID, Topic: chat.Topic, Kind: MsgAlert, Created: now, Payload: g.Alert.Payload()})
			return err
		}
		private = s.alertRecipients(a)
	}
	for _, p := range private {
		if _, err := tx.Enqueue(Message{ChatID: p.TelegramID, Kind: MsgAlert, Created: now, Payload: g.Alert.Payload()}); err != nil {
			return err
		}
	}
	return nil
}

// alertRecipients are the managers and owners an alert concerns, to tell privately: those
// whose scope covers its community; for an alert about a person the bot cannot reach,
// those who share a community with that person; for the rest, everyone.
func (s *Service) alertRecipients(a Alert) []Person {
	var out []Person
	people := s.settings().People
	about, isPerson := people.ByName(a.Subject)
	for _, role := range []Role{RoleManager, RoleOwner} {
		for _, p := range people.WithRole(role) {
			switch {
			case a.GroupID != 0 && !p.Covers(a.GroupID):
			case a.GroupID == 0 && a.Kind == AlertUnreachable && isPerson && !p.SharesScope(about):
			default:
				out = append(out, p)
			}
		}
	}
	return out
}

// alertOfficers tells managers and owners that the community's admins changed.
func (s *Service) alertOfficers(tx Tx, ev Event) error {
	return s.alert(tx, Alert{Kind: AlertOfficers, GroupID: ev.GroupID, Key: fmt.Sprintf("officers:%d:%d", ev.GroupID, ev.UserVKID),
		Subject: fmt.Sprintf("vk%d", ev.UserVKID), ActorVKID: ev.ActorVKID, Detail: ev.Comment, At: ev.At})
}
