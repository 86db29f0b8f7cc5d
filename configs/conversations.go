package configs

import (
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// ConversationsConfig governs the dialogs built from community messages and comments and
// the signs of shirking found in them.
type ConversationsConfig struct {
	// StallAfter: a holding reply («Уточняю») with no real answer within this time is a stall.
	StallAfter time.Duration `yaml:"stall_after"`
	// TemplateMinCustomers: the same reply sent by one operator to at least this many
	// different customers in a report's period is a template.
	TemplateMinCustomers int `yaml:"template_min_customers"`
	// RepeatWithin: a customer writing again within this time of an operator's closing
	// reply is a repeat contact.
	RepeatWithin time.Duration `yaml:"repeat_within"`
	// IdleAfter: a stretch this long inside an operator's shift with no action of theirs
	// while requests waited is idle time.
	IdleAfter time.Duration `yaml:"idle_after"`
	// NewDialogAfter: a customer writing this long after a real answer starts a new dialog;
	// sooner, the dialog goes on.
	NewDialogAfter time.Duration `yaml:"new_dialog_after"`
	// Greetings, HoldingReplies, OneWordReplies and Thanks extend the built-in lexicons.
	Greetings      []string `yaml:"greetings"`
	HoldingReplies []string `yaml:"holding_replies"`
	OneWordReplies []string `yaml:"one_word_replies"`
	Thanks         []string `yaml:"thanks"`
}

// validateConversations checks the conversations section and every person's shifts.
func (c *Config) validateConversations(p *Problems) {
	cv := c.Conversations
	if cv.StallAfter <= 0 {
		p.add("conversations.stall_after", "%s must be positive", cv.StallAfter)
	}
	if cv.TemplateMinCustomers < 2 {
		p.add("conversations.template_min_customers", "%d is too few: a template goes to at least 2 customers", cv.TemplateMinCustomers)
	}
	if cv.RepeatWithin <= 0 {
		p.add("conversations.repeat_within", "%s must be positive", cv.RepeatWithin)
	}
	if cv.IdleAfter < time.Minute {
		p.add("conversations.idle_after", "%s is too short: at least 1m", cv.IdleAfter)
	}
	if cv.NewDialogAfter <= 0 {
		p.add("conversations.new_dialog_after", "%s must be positive", cv.NewDialogAfter)
	}
	for key, list := range map[string][]string{"greetings": cv.Greetings, "holding_replies": cv.HoldingReplies,
		"one_word_replies": cv.OneWordReplies, "thanks": cv.Thanks} {
		for i, phrase := range list {
			if strings.TrimSpace(phrase) == "" {
				p.add(fmt.Sprintf("conversations.%s[%d]", key, i), "empty phrase")
			}
		}
	}
	if c.VK.UnansweredCheckEvery < time.Second {
		p.add("vk.unanswered_check_every", "%s is too often: at least 1s", c.VK.UnansweredCheckEvery)
	}
	for i, pc := range c.People {
		for j, sc := range pc.Shifts {
			if _, err := sc.shift(c.TimeZone); err != nil {
				p.add(fmt.Sprintf("people[%d].shifts[%d]", i, j), "%v", err)
			}
		}
	}
}

// shift reads a shift; its time zone defaults to the team's.
func (sc ShiftConfig) shift(teamZone string) (justify.Shift, error) {
	zone := sc.TimeZone
	if zone == "" {
		zone = teamZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return justify.Shift{}, fmt.Errorf("time_zone %q is not a known time zone (use an IANA name like Europe/Moscow)", zone)
	}
	return justify.ParseShift(sc.Days, sc.From, sc.To, loc)
}

// Shifts maps each person with a VK id and shifts to their schedule, by VK id: an
// operator, or a manager or owner who answers customers too; people without shifts are
// absent. Load has refused bad shifts, so none is skipped here.
func (c *Config) Shifts() map[int64]justify.Schedule {
	out := map[int64]justify.Schedule{}
	for _, pc := range c.People {
		if pc.VKID == 0 {
			continue
		}
		for _, sc := range pc.Shifts {
			if s, err := sc.shift(c.TimeZone); err == nil {
				out[pc.VKID] = append(out[pc.VKID], s)
			}
		}
	}
	return out
}

// Lexicon is the built-in lexicons extended by the config's phrases.
func (c *Config) Lexicon() *justify.Lexicon {
	cv := c.Conversations
	return justify.NewLexicon(justify.LexiconWords{
		Greetings: cv.Greetings, Holding: cv.HoldingReplies, OneWord: cv.OneWordReplies, Thanks: cv.Thanks,
	})
}

// ConversationRules are the domain's rules of dialogs and signs from the config.
func (c *Config) ConversationRules() *justify.Conversations {
	cv := c.Conversations
	return &justify.Conversations{
		Lexicon: c.Lexicon(),
		Rules: justify.DialogRules{AnswerWithin: c.Tickets.AnswerWithin, StallAfter: cv.StallAfter,
			RepeatWithin: cv.RepeatWithin, NewDialogAfter: cv.NewDialogAfter, Shifts: c.Shifts()},
		IdleAfter: cv.IdleAfter,
	}
}
