package vk

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/supervise"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

const (
	testGroup = int64(1)
	// Tokens look like real ones so the redaction test means something.
	communityToken = "vk1.a.COMMUNITY-SECRET-0123456789abcdef"
	userToken      = "vk1.a.ADMIN-USER-SECRET-fedcba9876543210"
)

type ingestCall struct {
	events      []justify.Event
	quarantined []justify.Quarantined
	key, value  string
	failed      bool
}

// memSink keeps events and cursors in memory and records every Ingest call.
type memSink struct {
	mu         sync.Mutex
	events     []justify.Event
	cursors    map[string]string
	calls      []ingestCall
	failIngest int // fail this many Ingest calls
}

func newMemSink() *memSink { return &memSink{cursors: map[string]string{}} }

func (s *memSink) Ingest(ctx context.Context, evs []justify.Event, key, value string) (justify.IngestResult, error) {
	return s.IngestPoll(ctx, justify.PollAnswer{Events: evs, CursorKey: key, Cursor: value})
}

func (s *memSink) IngestPoll(_ context.Context, a justify.PollAnswer) (justify.IngestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, key, value := a.Events, a.CursorKey, a.Cursor
	call := ingestCall{events: append([]justify.Event(nil), evs...), key: key, value: value,
		quarantined: append([]justify.Quarantined(nil), a.Quarantined...)}
	if s.failIngest > 0 {
		s.failIngest--
		call.failed = true
		s.calls = append(s.calls, call)
		return justify.IngestResult{}, errors.New("database is locked")
	}
	s.calls = append(s.calls, call)
	s.events = append(s.events, evs...)
	s.cursors[key] = value
	return justify.IngestResult{New: len(evs), Quarantined: len(a.Quarantined)}, nil
}

func (s *memSink) Cursor(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[key], nil
}

func (s *memSink) setCursor(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[key] = value
}

func (s *memSink) cursor(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[key]
}

func (s *memSink) Events() []justify.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]justify.Event(nil), s.events...)
}

func (s *memSink) Calls() []ingestCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ingestCall(nil), s.calls...)
}

var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// newVK starts a fake VK with one community.
func newVK(t *testing.T) *vktest.Server {
	t.Helper()
	srv := vktest.New()
	t.Cleanup(srv.Close)
	srv.AddGroup(testGroup, communityToken)
	return srv
}

type running struct {
	logs *justifytest.SyncBuffer
	stop func() // cancels Run and waits for it to return
}

// startWatcher runs a watcher against srv until the test ends or stop is called.
func startWatcher(t *testing.T, srv *vktest.Server, sink PollSink, edit func(*WatcherConfig)) running {
	t.Helper()
	cfg := WatcherConfig{
		GroupID: testGroup, Token: communityToken, APIURL: srv.URL(), Wait: 2 * time.Second,
		Backoff:   supervise.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond},
		AuthRetry: 10 * time.Millisecond,
		Now:       func() time.Time { return fixedNow },
	}
	if edit != nil {
		edit(&cfg)
	}
	logs := &justifytest.SyncBuffer{}
	w, err := NewWatcher(cfg, sink, zerolog.New(logs).Level(zerolog.DebugLevel))
	require.NoError(t, err)
	return running{logs: logs, stop: justifytest.Run(t, w.Run)}
}

// seeded returns a sink whose saved position is srv's current one, so the watcher sees
// every event pushed from now on without racing its first connection.
func seeded(srv *vktest.Server) *memSink {
	s := newMemSink()
	s.setCursor(CursorKey(testGroup), srv.Ts(testGroup))
	return s
}

func waitEvents(t *testing.T, sink *memSink, n int) []justify.Event {
	t.Helper()
	require.Eventually(t, func() bool { return len(sink.Events()) >= n }, 5*time.Second, 5*time.Millisecond,
		"expected %d events", n)
	return sink.Events()
}
