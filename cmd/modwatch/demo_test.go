package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demoLanguage is what the demo's digest calls each sign and the template's count in
// one language.
type demoLanguage struct {
	lang                        string
	bareGreeting, stall, pasted string
	// templateCount is how the templates list counts the five customers.
	templateCount string
}

var demoLanguages = []demoLanguage{
	{lang: "en", bareGreeting: "bare greeting", stall: "stall", pasted: "template", templateCount: "5 customers"},
	{lang: "ru", bareGreeting: "пустое приветствие", stall: "«уточняю» без продолжения", pasted: "шаблон",
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
	assert.Equal(t, 1, count(l.bareGreeting, "«Здравствуйте!»"), "Ivan's bare greeting, with its words:\n%s", digest)
	assert.Equal(t, 1, count(l.stall, "«Уточняю информацию, ожидайте»"), "Ivan's stall, with its words:\n%s", digest)
	assert.Positive(t, count(l.pasted, "«Спасибо за отзыв!»"), "the template's uses, with their words:\n%s", digest)
	assert.Equal(t, 1, count("спасибо за отзыв", l.templateCount), "the template, pasted to five customers:\n%s", digest)
	for _, figure := range []string{`"bare_greetings":1,`, `"stalls":1,`, `"template_replies":5,`} {
		assert.Contains(t, out, figure, "Ivan's figures as the JSON report gives them")
	}
}
