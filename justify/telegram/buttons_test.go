package telegram

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := newToken()
		require.NoError(t, err)
		assert.LessOrEqual(t, len(tok), 64, "callback_data is 64 bytes at most")
		got, ok := parseToken(tok)
		require.True(t, ok, tok)
		assert.Equal(t, tok, got)
		assert.False(t, seen[tok])
		seen[tok] = true
	}
}

func TestParseTokenRefuses(t *testing.T) {
	for _, data := range []string{"", "approve:1", "reason:spam:7", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAA+", "AAAAAAAAAAAAAAAAAAAAAAA", "ЯЯЯЯЯЯЯЯЯЯЯ"} {
		_, ok := parseToken(data)
		assert.False(t, ok, "%q", data)
	}
}

// FuzzButtonData feeds arbitrary callback data to the parser: it never panics, accepts
// only canonical tokens, and whatever it accepts fits in Telegram's callback_data.
func FuzzButtonData(f *testing.F) {
	for _, s := range []string{"", "approve:1", "AAAAAAAAAAAAAAAAAAAAAA", "_-_-_-_-_-_-_-_-_-_-_A", "ЯЯЯЯЯЯЯЯЯЯЯ", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		tok, ok := parseToken(data)
		if !ok {
			return
		}
		if tok != data || len(tok) != tokenLen || len(tok) > 64 {
			t.Fatalf("accepted %q as %q", data, tok)
		}
	})
}
