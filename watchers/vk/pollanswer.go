package vk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/SevereCloud/vksdk/v2/events"

	"github.com/modwatch/modwatch/justify"
)

// How a long-poll answer is read: its position, its updates decoded into events, and the
// malformed ones quarantined as VK sent them.

// pollTs is a long-poll ts: a string in normal answers, a number in failed ones.
type pollTs string

func (t *pollTs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = pollTs(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("ts %s is neither a string nor a number", b)
	}
	*t = pollTs(n.String())
	return nil
}

type pollResponse struct {
	Ts      pollTs            `json:"ts"`
	Updates []json.RawMessage `json:"updates"`
	Failed  int               `json:"failed"`
}

// pollAnswer is a long-poll answer as check read it. Its updates' envelopes are decoded in
// the same pass as the answer (envs), which spares reading every update twice more; when
// that fails (an update VK sent is malformed), they are kept as they came (raws), so
// that the malformed one is quarantined as it is while the others go on. body is kept for
// that too, until the step ends.
type pollAnswer struct {
	Ts     pollTs
	Failed int
	envs   []events.GroupEvent
	raws   []json.RawMessage
	body   []byte
}

// rawUpdates returns the answer's updates as VK sent them: read again from the body,
// update by update, so that a malformed one is quarantined as it came.
func (a pollAnswer) rawUpdates() []json.RawMessage {
	if a.raws != nil {
		return a.raws
	}
	var raw pollResponse
	if err := json.Unmarshal(a.body, &raw); err == nil && len(raw.Updates) == len(a.envs) {
		return raw.Updates
	}
	// Not reached (the body decoded as a whole once, so it does again); should it be,
	// the envelopes as decoded still carry every update.
	out := make([]json.RawMessage, len(a.envs))
	for i := range a.envs {
		out[i], _ = json.Marshal(&a.envs[i])
	}
	return out
}

// updates is how many updates the answer holds.
func (a pollAnswer) updates() int { return max(len(a.envs), len(a.raws)) }

// readAnswer decodes a long-poll answer's body.
func readAnswer(body []byte) (pollAnswer, error) {
	var fast struct {
		Ts      pollTs              `json:"ts"`
		Updates []events.GroupEvent `json:"updates"`
		Failed  int                 `json:"failed"`
	}
	if json.Unmarshal(body, &fast) == nil {
		return pollAnswer{Ts: fast.Ts, Failed: fast.Failed, envs: fast.Updates, body: body}, nil
	}
	var slow pollResponse
	if err := json.Unmarshal(body, &slow); err != nil {
		return pollAnswer{}, err
	}
	return pollAnswer{Ts: slow.Ts, Failed: slow.Failed, raws: slow.Updates}, nil
}

// positions places the updates of a long-poll answer in the community's event stream: VK's
// ts counts events, so the n updates of an answer to a poll from ts from, which says to
// poll next from to, hold positions from to to-1. When the numbers do not fit (not
// numbers, or not one per update) every update gets from, the lowest it can have: an
// event taken for older than it is waits at worst for the next reconciliation, while one
// taken for newer would be acted on after the reconciled state already holds it.
func positions(from, to string, n int) func(i int) int64 {
	f, err1 := strconv.ParseInt(from, 10, 64)
	t, err2 := strconv.ParseInt(to, 10, 64)
	switch {
	case err1 != nil || f <= 0:
		return func(int) int64 { return 0 }
	case err2 != nil || t-f != int64(n):
		return func(int) int64 { return f }
	}
	return func(i int) int64 { return f + int64(i) }
}

// decodeAnswer turns an answer's updates into events, placing update i at position(i).
func (w *Watcher) decodeAnswer(a pollAnswer, position func(i int) int64) ([]justify.Event, []justify.Quarantined) {
	if a.envs == nil {
		return w.decode(a.raws, position)
	}
	now := w.cfg.Now()
	evs := make([]justify.Event, 0, len(a.envs))
	for i := range a.envs {
		ev, ok, err := decodeEnvelope(w.cfg.GroupID, &a.envs[i])
		if err != nil {
			return w.decode(a.rawUpdates(), position)
		}
		if !ok {
			w.log.Debug().Str("type", string(a.envs[i].Type)).Msg("ignored event type")
			continue
		}
		evs = append(evs, stamp(ev, now, position(i)))
	}
	return evs, nil
}

// stamp places a decoded event in the community's event stream.
func stamp(ev justify.Event, now time.Time, position int64) justify.Event {
	// VK dates what customers write; bans and deletions carry no time of their own.
	if ev.At.IsZero() {
		ev.At = now
	}
	ev.Position = position
	return ev
}

// decode turns updates into events, placing update i at position(i). What cannot be
// decoded is quarantined, kept as VK sent it, so that one bad update never costs the rest
// of the batch nor is lost itself.
func (w *Watcher) decode(updates []json.RawMessage, position func(i int) int64) ([]justify.Event, []justify.Quarantined) {
	now := w.cfg.Now()
	evs := make([]justify.Event, 0, len(updates))
	var bad []justify.Quarantined
	for i, raw := range updates {
		ev, ok, err := DecodeUpdate(w.cfg.GroupID, raw)
		if err != nil {
			q := quarantined(w.cfg.GroupID, raw, err, now)
			w.log.Warn().Err(err).Str("type", q.KindOrUnreadable()).Int("size", len(raw)).Msg("malformed update quarantined")
			bad = append(bad, q)
			continue
		}
		if !ok {
			if e := w.log.Debug(); e.Enabled() {
				var env struct {
					Type string `json:"type"`
				}
				_ = json.Unmarshal(raw, &env)
				e.Str("type", env.Type).Msg("ignored event type")
			}
			continue
		}
		evs = append(evs, stamp(ev, now, position(i)))
	}
	return evs, bad
}
