package configs

import (
	"time"

	"github.com/modwatch/modwatch/justify"
)

// QAConfig says when managers are sent dialogs to spot-check.
type QAConfig struct {
	// Every is how often a round of spot checks is sent, each of the dialogs of the period
	// before it; 0 turns the rounds off (/qa still works).
	Every time.Duration `yaml:"every"`
	// Sample is how many dialogs of each operator a round sends.
	Sample int `yaml:"sample"`
}

// maxQASample bounds qa.sample: each dialog is a Telegram message to a manager, and a
// round of a hundred per operator already floods a chat.
const maxQASample = 100

// validateQA checks the qa section.
func (c *Config) validateQA(p *Problems) {
	q := c.QA
	if q.Every < 0 || (q.Every > 0 && q.Every < time.Hour) {
		p.add("qa.every", "%s: 0 turns spot checks off; otherwise at least 1h", q.Every)
	}
	if q.Sample < 1 || q.Sample > maxQASample {
		p.add("qa.sample", "%d: between 1 and %d dialogs per operator", q.Sample, maxQASample)
	}
}

// QARule is the service's rule of spot checks.
func (c *Config) QARule() justify.QARule {
	return justify.QARule{Every: c.QA.Every, Sample: c.QA.Sample}
}
