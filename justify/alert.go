package justify

import (
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
