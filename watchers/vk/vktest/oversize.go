package vktest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// OversizeNext makes the next call of method answer with a valid JSON answer of size bytes,
// streamed without being held in memory, as a VK gone wrong might. Faults queue.
func (s *Server) OversizeNext(method string, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{status: http.StatusOK, size: size})
	s.notifyLocked()
}

// writeOversized streams {"response":"xxx…"} of size bytes, until the client hangs up.
func writeOversized(w http.ResponseWriter, size int64) {
	head, tail := `{"response":"`, `"}`
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	chunk := []byte(strings.Repeat("x", 64<<10))
	for left := size - int64(len(head)+len(tail)); left > 0; {
		n := min(left, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return // the client gave up reading, as it should
		}
		left -= n
	}
	_, _ = io.WriteString(w, tail)
}
