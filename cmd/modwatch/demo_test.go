package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demoLanguage is how the demo's digest heads each kind of sign (with its count) in
// Ivan's section, and counts the template's customers, in one language.
type demoLanguage struct {
	lang                        string
	bareGreeting, stall, pasted string
	// templateCount is how the templates list counts the five customers.
	templateCount string
}

var demoLanguages = []demoLanguage{
	{lang: "en", bareGreeting: "bare greetings — 1:", stall: "stalls — 1:", pasted: "templates — 5:", templateCount: "5 customers"},
	{lang: "ru", bareGreeting: "пустые приветствия — 1:", stall: "«уточняю» без продолжения — 1:", pasted: "шаблоны — 5:",
		templateCount: "клиентов 5"},
}

// demoEntry starts each thing the demo prints: the seconds since its start, then who.
var demoEntry = regexp.MustCompile(`(?m)^ *\d+\.\d+s  `)

// demoDigest is the text of the owner's digest as the demo printed it: the messages to
// Anna after the chart, until the demo speaks again.
func demoDigest(t *testing.T, out string) string {
	t.Helper()
	starts := demoEntry.FindAllStringIndex(out, -1)
	var digest []string
	inDigest := false
	for i, st := range starts {
		end := len(out)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		entry := out[st[1]:end]
		switch {
		case strings.HasPrefix(entry, "Telegram  bot → Anna: [photo activity-"):
			inDigest = true
		case inDigest && strings.HasPrefix(entry, "Telegram  bot → Anna: "):
			digest = append(digest, entry)
		case inDigest && strings.HasPrefix(entry, "demo "):
			return strings.Join(digest, "")
		}
	}
	require.FailNow(t, "the demo printed no digest with a chart", out)
	return ""
}

// checkDemoConversations checks that the digest shows each sign of the conversation story
// with its words, and that the report's figures count them.
func checkDemoConversations(t *testing.T, out string, l demoLanguage) {
	t.Helper()
	digest := demoDigest(t, out)
	assert.Contains(t, digest, "Ivan Petrov")
	lines := strings.Split(digest, "\n")
	// count counts the digest's lines that hold every one of parts, whatever their case.
	count := func(parts ...string) int {
		n := 0
		for _, line := range lines {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(strings.ToLower(line), strings.ToLower(p))
			}
			if ok {
				n++
			}
		}
		return n
	}
	// under counts the examples listed under a kind's heading that hold words.
	under := func(heading, words string) int {
		n := 0
		for i, line := range lines {
			if !strings.Contains(strings.ToLower(line), strings.ToLower(heading)) {
				continue
			}
			for _, ex := range lines[i+1:] {
				if !strings.HasPrefix(strings.TrimSpace(ex), "•") {
					break
				}
				if strings.Contains(ex, words) {
					n++
				}
			}
		}
		return n
	}
	assert.Equal(t, 1, under(l.bareGreeting, "«Здравствуйте!»"), "Ivan's bare greeting, with its words:\n%s", digest)
	assert.Equal(t, 1, under(l.stall, "«Уточняю информацию, ожидайте»"), "Ivan's stall, with its words:\n%s", digest)
	assert.Equal(t, 3, under(l.pasted, "«Спасибо за отзыв!»"), "the template's three worst uses, with their words:\n%s", digest)
	assert.Equal(t, 1, count("спасибо за отзыв", l.templateCount), "the template, pasted to five customers:\n%s", digest)
	for _, figure := range []string{`"bare_greetings":1,`, `"stalls":1,`, `"template_replies":5,`} {
		assert.Contains(t, out, figure, "Ivan's figures as the JSON report gives them")
	}
}
