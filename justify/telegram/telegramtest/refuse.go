package telegramtest

import "strings"

// refusal is a text the server refuses, as Telegram refuses what it cannot take.
type refusal struct {
	substr, desc string
}

// RefuseText makes the server refuse with 400 and description every message and every
// edit whose text (as sent, before parsing) contains substr, as Telegram refuses a text
// it cannot take: entities it cannot parse, bytes that are not UTF-8, a link it rejects.
// Refused calls are counted by Calls like any other.
func (s *Server) RefuseText(substr, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, refusal{substr: substr, desc: description})
}

// refusedLocked returns the refusal of a call whose text RefuseText names, or nil.
func (s *Server) refusedLocked(method string, p map[string]string) *apiError {
	if method != "sendMessage" && method != "editMessageText" && method != "sendPhoto" {
		return nil
	}
	text := p["text"]
	if method == "sendPhoto" {
		text = p["caption"]
	}
	for _, r := range s.refusals {
		if strings.Contains(text, r.substr) {
			return &apiError{code: 400, desc: r.desc}
		}
	}
	return nil
}
