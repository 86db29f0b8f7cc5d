package demo

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

func TestCheckDigest(t *testing.T) {
	want := []conversationSign{
		{kind: "bare_greeting", customer: demoGreeted, words: bareGreeting},
		{kind: "stall", customer: demoStalled, words: holdingReply},
		{kind: "template", customer: demoReviewer, words: pastedReply},
		{kind: "template", customer: demoReviewer + 1, words: pastedReply},
	}
	type entry struct {
		words    string
		customer int64
	}
	// digest is one message listing each entry's words with a link to its customer.
	digest := func(entries ...entry) []telegramtest.Msg {
		var m telegramtest.Msg
		for _, e := range entries {
			m.Text += fmt.Sprintf("Ivan Petrov: «%s» link\n", e.words)
			m.HTML += fmt.Sprintf(`Ivan Petrov: «%s» <a href="https://vk.com/gim%d?sel=%d">link</a>`+"\n", e.words, demoGroup, e.customer)
		}
		return []telegramtest.Msg{m}
	}
	tests := []struct {
		name    string
		msgs    []telegramtest.Msg
		lacking string
	}{
		{name: "every kind with its words and a link; one use of the template will do",
			msgs: digest(entry{bareGreeting, demoGreeted}, entry{holdingReply, demoStalled},
				entry{pastedReply, demoReviewer + 1})},
		{name: "the template shown normalised",
			msgs: digest(entry{bareGreeting, demoGreeted}, entry{holdingReply, demoStalled},
				entry{"спасибо за отзыв", demoReviewer})},
		{name: "no stall", lacking: `the stall "Уточняю информацию, ожидайте", a link to the conversation of the stall`,
			msgs: digest(entry{bareGreeting, demoGreeted}, entry{pastedReply, demoReviewer})},
		{name: "the greeting's link goes elsewhere", lacking: "a link to the conversation of the bare_greeting",
			msgs: digest(entry{bareGreeting, 42}, entry{holdingReply, demoStalled},
				entry{pastedReply, demoReviewer})},
		{name: "nothing", lacking: "Ivan Petrov", msgs: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDigest(tt.msgs, want)
			if tt.lacking == "" {
				assert.NoError(t, err)
				return
			}
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.lacking)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	assert.Equal(t, `"a":1, "b":2,`+"\n"+`"c":3`, wrap([]string{`"a":1`, `"b":2`, `"c":3`}, 12))
	assert.Equal(t, `"a":1`, wrap([]string{`"a":1`}, 1))
}
