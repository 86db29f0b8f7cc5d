package vktest

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// conversation is a customer's conversation with the community, as VK's list of
// conversations shows it.
type conversation struct {
	peerID     int64
	unanswered bool
	deleted    bool
	last       *message
}

func (g *group) conversation(peerID int64) *conversation {
	if g.convs == nil {
		g.convs = map[int64]*conversation{}
	}
	c, ok := g.convs[peerID]
	if !ok {
		c = &conversation{peerID: peerID}
		g.convs[peerID] = c
	}
	return c
}

func (c *conversation) add(m *message) {
	c.last, c.deleted, c.unanswered = m, false, !m.out
}

// MessageAt is Message with the message dated date by VK, as messages delivered late
// after a reconnect are.
func (s *Server) MessageAt(groupID, fromID int64, text string, date time.Time) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	m := s.addMessageAtLocked(g, fromID, fromID, 0, text, false, date)
	s.pushLocked(g, "message_new", map[string]any{"message": m.wire(), "client_info": clientInfo})
	s.unlockAndObserve(fmt.Sprintf("VK: %d wrote to group %d, dated %s: %q", fromID, groupID, date.UTC().Format(observedDate), text))
	return m.id
}

// observedDate is how the observer is told a message's own date.
const observedDate = "2006-01-02 15:04 UTC"

// MessageReplyAt is MessageReply with the message dated date by VK.
func (s *Server) MessageReplyAt(groupID, peerID, adminID int64, text string, date time.Time) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	m := s.addMessageAtLocked(g, peerID, -groupID, adminID, text, true, date)
	s.pushLocked(g, "message_reply", m.wire())
	who := fmt.Sprintf("admin %d of group %d", adminID, groupID)
	if adminID == 0 {
		who = fmt.Sprintf("group %d (no admin: a bot)", groupID)
	}
	s.unlockAndObserve(fmt.Sprintf("VK: %s answered %d, dated %s: %q", who, peerID, date.UTC().Format(observedDate), text))
	return m.id
}

// EditReply changes the text of a message the community sent, as its admin would, and
// pushes message_edit with the admin and update_time (now). It reports false for an
// unknown message or one a customer sent.
func (s *Server) EditReply(groupID, messageID int64, text string) bool {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	for _, m := range g.messages {
		if m.id == messageID && m.out {
			m.text = text
			w := m.wire()
			w["update_time"] = s.Now().Unix()
			s.pushLocked(g, "message_edit", w)
			s.unlockAndObserve(fmt.Sprintf("VK: group %d edited its message %d: %q", groupID, messageID, text))
			return true
		}
	}
	s.mu.Unlock()
	return false
}

// Unanswered lists the customers whose conversations with the community wait for an answer.
func (s *Server) Unanswered(groupID int64) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, c := range s.groupLocked(groupID).unansweredLocked() {
		out = append(out, c.peerID)
	}
	return out
}

// unansweredLocked lists the unanswered conversations newest first, as VK sorts them.
func (g *group) unansweredLocked() []*conversation {
	var out []*conversation
	for _, c := range g.convs {
		if c.unanswered && !c.deleted && c.last != nil {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].last.id > out[j].last.id })
	return out
}

// getConversations serves messages.getConversations for a community token: filter
// unanswered or all, paged by offset and count.
func (s *Server) getConversations(w http.ResponseWriter, c call) {
	offset, count, ok := pageParams(c, 20, 200)
	if !ok {
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: offset or count out of range")
		return
	}
	s.mu.Lock()
	g, known := s.communityLocked(c)
	if !known {
		s.mu.Unlock()
		c.fail(w, ErrAuth, msgAuth)
		return
	}
	var convs []*conversation
	switch c.r.Form.Get("filter") {
	case "unanswered":
		convs = g.unansweredLocked()
	case "", "all":
		for _, cv := range g.convs {
			if !cv.deleted && cv.last != nil {
				convs = append(convs, cv)
			}
		}
		sort.Slice(convs, func(i, j int) bool { return convs[i].last.id > convs[j].last.id })
	default:
		s.mu.Unlock()
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: filter is invalid")
		return
	}
	items := []map[string]any{}
	for i := offset; i < int64(len(convs)) && i < offset+count; i++ {
		cv := convs[i]
		items = append(items, map[string]any{
			"conversation": map[string]any{
				"peer":            map[string]any{"id": cv.peerID, "type": "user", "local_id": cv.peerID},
				"last_message_id": cv.last.id, "in_read": cv.last.id, "out_read": cv.last.id,
				"sort_id":                      map[string]any{"major_id": 0, "minor_id": cv.last.id},
				"last_conversation_message_id": cv.last.id - firstMessageID,
				"is_marked_unread":             false, "important": false, "unanswered": cv.unanswered,
				"can_write": map[string]any{"allowed": true}, "version": cv.last.id,
			},
			"last_message": cv.last.wire(),
		})
	}
	total := len(convs)
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": map[string]any{"count": total, "items": items}})
}

// changeConversation serves messages.markAsAnsweredConversation (peer_id, answered: 1 or
// 0) and messages.deleteConversation (peer_id): what an admin does in VK's interface
// without writing a word, and VK sends no event for.
func (s *Server) changeConversation(w http.ResponseWriter, c call) {
	peer := c.int("peer_id")
	s.mu.Lock()
	g, known := s.communityLocked(c)
	if !known {
		s.mu.Unlock()
		c.fail(w, ErrAuth, msgAuth)
		return
	}
	cv, exists := g.convs[peer]
	if !exists || cv.deleted {
		s.mu.Unlock()
		c.fail(w, ErrNotFound, msgNotFound)
		return
	}
	what := "deleted"
	if c.method == "messages.deleteConversation" {
		cv.deleted, cv.unanswered = true, false
	} else {
		cv.unanswered = c.r.Form.Get("answered") == "0"
		what = fmt.Sprintf("marked answered=%t", !cv.unanswered)
	}
	s.unlockAndObserve(fmt.Sprintf("VK: the conversation of group %d with %d was %s", g.id, peer, what))
	writeJSON(w, map[string]any{"response": 1})
}

// communityLocked finds the community a call's community token belongs to (or the
// group_id it names, for a user token of one of its admins).
func (s *Server) communityLocked(c call) (*group, bool) {
	if id := c.int("group_id"); id != 0 {
		g, ok := s.groups[id]
		if ok && (g.communityToken == c.token || hasToken(g, c.token)) {
			return g, true
		}
		return nil, false
	}
	for _, g := range s.groups {
		if g.communityToken == c.token && c.token != "" {
			return g, true
		}
	}
	return nil, false
}
