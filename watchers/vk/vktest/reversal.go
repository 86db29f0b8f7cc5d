package vktest

import "net/http"

// What the tests of reversals need beyond VK's ordinary answers: answers that cannot be
// read, and the look-ups that tell whether an undo happened.

// GarbleNext makes the next call of API method be answered with a body labelled
// Content-Encoding: gzip that is not gzip, as a broken proxy may send. With carryOut the
// call takes effect as usual before its answer is garbled; without, it does nothing and
// answers {"response":1} garbled. Garbles queue.
func (s *Server) GarbleNext(method string, carryOut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.garbles[method] = append(s.garbles[method], carryOut)
}

// gzipLabelled labels an answer gzip without compressing it.
type gzipLabelled struct{ http.ResponseWriter }

func (g gzipLabelled) WriteHeader(status int) {
	g.Header().Set("Content-Encoding", "gzip")
	g.ResponseWriter.WriteHeader(status)
}

func (g gzipLabelled) Write(b []byte) (int, error) {
	g.Header().Set("Content-Encoding", "gzip")
	return g.ResponseWriter.Write(b)
}

// wallGetComment serves wall.getComment (owner_id, comment_id; a user token): the comment
// as items[0], marked deleted: 1 with no text when it is deleted. An unknown comment is
// error 100.
func (s *Server) wallGetComment(w http.ResponseWriter, c call) {
	ownerID, id := c.int("owner_id"), c.int("comment_id")
	s.mu.Lock()
	if code, msg := s.userTokenLocked(c.token, -ownerID); code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	var cm *comment
	if g, ok := s.groups[-ownerID]; ok {
		cm = g.comment(WallComment, ownerID, id)
	}
	if cm == nil {
		s.mu.Unlock()
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: comment_id is invalid")
		return
	}
	item := cm.wire()
	delete(item, "post_owner_id") // only events carry it
	if cm.deleted {
		item["deleted"], item["text"] = 1, ""
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": map[string]any{"items": []any{item},
		"can_post": true, "show_reply_button": true, "groups_can_post": true}})
}
