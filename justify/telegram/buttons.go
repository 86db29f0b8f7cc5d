package telegram

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Button actions: what a button does once its token is looked up in Buttons.
const (
	actReason         = "reason"          // record Button.Reason, or ask for a text for ReasonOther
	actExplain        = "explain"         // ask the operator for a text on the reason given
	actApprove        = "approve"         // let the action stand
	actReverse        = "reverse"         // ask the manager to confirm the reversal
	actConfirmReverse = "confirm_reverse" // reverse for real
	actCancel         = "cancel"          // back to the review buttons
)

// tokenBytes gives 128 random bits: unguessable, and 22 characters of callback data, far
// below Telegram's 64-byte limit.
const tokenBytes = 16

var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// newToken returns a fresh random button token. Telegram only ever carries this token, so
// a forged or replayed callback can at most name a button that exists and is checked.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random button token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// parseToken checks callback data before it reaches the store: anything that is not a
// token this bot could have issued is refused at once.
func parseToken(data string) (string, bool) {
	if len(data) != tokenLen {
		return "", false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(data)
	if err != nil || len(raw) != tokenBytes {
		return "", false
	}
	return data, true
}
