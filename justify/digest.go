package justify

import (
	"context"
	"encoding/json"
	"fmt"
)

// Digest is an owner's periodic summary, rendered in the owner's language before it is
// queued: the text (Telegram HTML) and an hourly activity chart (PNG).
type Digest struct {
	// Caption goes with the chart; Text follows it as its own message.
	Caption   string `json:"caption"`
	Text      string `json:"text"`
	Chart     []byte `json:"chart,omitempty"`
	ChartName string `json:"chart_name,omitempty"`
}

// Payload encodes a digest for an outbox message.
func (d Digest) Payload() string {
	b, _ := json.Marshal(d) // a Digest always encodes
	return string(b)
}

// ParseDigest decodes an outbox message's payload.
func ParseDigest(payload string) (Digest, error) {
	var d Digest
	if err := json.Unmarshal([]byte(payload), &d); err != nil {
		return d, fmt.Errorf("decode digest: %w", err)
	}
	return d, nil
}

// QueueDigest queues a digest for owner, unless the cursor key already records periodEnd
// (an RFC 3339 UTC time) or a later one: the period is recorded in the same transaction,
// so a restart neither skips nor repeats a digest. It reports whether it queued one.
func (s *Service) QueueDigest(ctx context.Context, owner Person, key, periodEnd string, d Digest) (bool, error) {
	queued := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		last, err := tx.Cursor(key)
		if err != nil {
			return err
		}
		if last >= periodEnd {
			return nil
		}
		if _, err := tx.Enqueue(Message{ChatID: owner.TelegramID, Kind: MsgDigest, Created: s.now(), Payload: d.Payload()}); err != nil {
			return err
		}
		queued = true
		return tx.SaveCursor(key, periodEnd)
	})
	if err != nil {
		return false, fmt.Errorf("queue digest for %s: %w", owner.Name, err)
	}
	return queued, nil
}
