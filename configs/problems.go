package configs

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a config document.
type Problem struct {
	// Key is the dotted path of the key concerned, like "vk.communities[0].token_env";
	// empty for the document as a whole (and for unknown keys at the top level).
	Key string
	// Line is where the key is written, or the nearest section that is when the key is
	// missing; 0 when the document says nothing of it.
	Line int
	// Message says what is wrong, in words that speak of keys rather than Go types.
	Message string
}

// String is "key: message (line N)", leaving out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	return b.String()
}

// Problems lists everything wrong with a config, in the order found. Load and Parse return
// it as their error, so that `config check` can name every bad key at once.
type Problems []Problem

// Error lists the problems, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("the config has %d problem(s):\n  - %s", len(ps), strings.Join(lines, "\n  - "))
}

// add records a problem with key; the line is found later, from the document.
func (ps *Problems) add(key, format string, a ...any) {
	*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf(format, a...)})
}
