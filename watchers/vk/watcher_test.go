package vk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

func TestWatcherDeliversBansAndUnbans(t *testing.T) {
	srv := newVK(t)
	srv.SetName(222, "Ivan", "Petrov")
	sink := seeded(srv)
	startWatcher(t, srv, sink, nil)

	until := fixedNow.Add(24 * time.Hour).Unix()
	pos, err := strconv.ParseInt(srv.Ts(testGroup), 10, 64)
	require.NoError(t, err)
	banID := srv.Ban(testGroup, 111, 222, 1, "spam links", until)
	evs := waitEvents(t, sink, 1)
	assert.Equal(t, justify.Event{
		Key: "vk:1:" + banID, GroupID: testGroup, Kind: justify.EventBan, ActorVKID: 111, UserVKID: 222,
		UserName: "Ivan Petrov", VKReason: justify.BanSpam, Comment: "spam links",
		Until: time.Unix(until, 0).UTC(), At: fixedNow, Source: justify.SourceLongPoll, Position: pos,
	}, evs[0])
	assert.Equal(t, srv.Ts(testGroup), sink.cursor(CursorKey(testGroup)), "cursor is the answer's ts")

	unbanID := srv.Unban(testGroup, 111, 222, true)
	evs = waitEvents(t, sink, 2)
	assert.Equal(t, justify.Event{
		Key: "vk:1:" + unbanID, GroupID: testGroup, Kind: justify.EventUnban, ActorVKID: 111, UserVKID: 222,
		UserName: "Ivan Petrov", Expired: true, At: fixedNow, Source: justify.SourceLongPoll, Position: pos + 1,
	}, evs[1])

	calls := sink.Calls()
	require.NotEmpty(t, calls)
	last := calls[len(calls)-1]
	assert.Equal(t, "vk:1:ts", last.key)
	assert.Equal(t, srv.Ts(testGroup), last.value)
}

// Each update of a long-poll answer takes its place in VK's stream: VK's ts counts events.
func TestPositions(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		n        int
		want     []int64
	}{
		{name: "one place per update", from: "10", to: "13", n: 3, want: []int64{10, 11, 12}},
		{name: "numbers that do not fit: the lowest for all", from: "10", to: "20", n: 3, want: []int64{10, 10, 10}},
		{name: "a next ts that is not a number: the lowest", from: "10", to: "x", n: 2, want: []int64{10, 10}},
		{name: "a ts that is not a number: unknown", from: "abc", to: "13", n: 2, want: []int64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := positions(tt.from, tt.to, tt.n)
			var got []int64
			for i := range tt.n {
				got = append(got, pos(i))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWatcherStartsFromNowWithoutCursor(t *testing.T) {
	srv := newVK(t)
	srv.Ban(testGroup, 111, 999, 0, "before modwatch", 0)
	sink := newMemSink()
	r := startWatcher(t, srv, sink, nil)
	require.Eventually(t, func() bool { return srv.Calls("a_check") > 0 }, 5*time.Second, time.Millisecond)

	srv.Ban(testGroup, 111, 222, 1, "", 0)
	evs := waitEvents(t, sink, 1)
	assert.Len(t, evs, 1, "bans before the first start are reconciliation's job")
	assert.Equal(t, int64(222), evs[0].UserVKID)
	assert.Contains(t, r.logs.String(), "starting from the current position")
}

func TestWatcherRestartLosesNothing(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	first := startWatcher(t, srv, sink, nil)
	srv.Ban(testGroup, 111, 201, 1, "", 0)
	waitEvents(t, sink, 1)
	first.stop()

	// Pushed while no watcher runs.
	srv.Ban(testGroup, 111, 202, 2, "", 0)
	srv.Unban(testGroup, 111, 201, false)

	startWatcher(t, srv, sink, nil)
	evs := waitEvents(t, sink, 3)
	require.Len(t, evs, 3)
	assert.Equal(t, []int64{201, 202, 201}, []int64{evs[0].UserVKID, evs[1].UserVKID, evs[2].UserVKID})
	assert.Equal(t, justify.EventUnban, evs[2].Kind)
	// The two replayed in one answer keep their own places in VK's stream.
	assert.Equal(t, []int64{evs[0].Position + 1, evs[0].Position + 2}, []int64{evs[1].Position, evs[2].Position})
	assert.Equal(t, srv.Ts(testGroup), sink.cursor(CursorKey(testGroup)))
}

// Updates that cannot be decoded cost nothing of the rest of their batch, and are handed
// to the sink with it, in the same call as the position that moves past them.
func TestWatcherQuarantinesMalformedUpdateInBatch(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	badBan := `{"type":"user_block","object":{"user_id":"oops"},"group_id":1,"event_id":"bad","v":"5.199"}`
	badComment := `{"type":"wall_reply_new","object":{"id":1},"group_id":1,"event_id":"c1","v":"5.199"}`
	// All of them land in one long-poll answer because no watcher runs yet.
	srv.Ban(testGroup, 111, 301, 1, "", 0)
	srv.PushRaw(testGroup, json.RawMessage(badBan))
	srv.PushRaw(testGroup, json.RawMessage(badComment))
	srv.PushRaw(testGroup, json.RawMessage(`[1, 2]`))
	srv.Ban(testGroup, 111, 302, 1, "", 0)
	r := startWatcher(t, srv, sink, nil)

	evs := waitEvents(t, sink, 2)
	require.Len(t, evs, 2)
	assert.Equal(t, int64(301), evs[0].UserVKID)
	assert.Equal(t, int64(302), evs[1].UserVKID)
	calls := sink.Calls()
	require.Len(t, calls, 1, "one batch, one Ingest")
	assert.Equal(t, srv.Ts(testGroup), calls[0].value, "the position moves in the call that keeps them")
	q := calls[0].quarantined
	require.Len(t, q, 3)
	assert.Equal(t, []string{"user_block", "wall_reply_new", ""}, []string{q[0].Kind, q[1].Kind, q[2].Kind})
	assert.JSONEq(t, badBan, string(q[0].Raw))
	assert.Equal(t, len(q[0].Raw), q[0].Size)
	assert.Equal(t, testGroup, q[0].GroupID)
	assert.Equal(t, fixedNow, q[0].At)
	assert.Contains(t, q[0].Err, "malformed vk update")
	assert.Contains(t, r.logs.String(), "malformed update quarantined")
}

// An absurdly large update is kept cut, with its whole size.
func TestQuarantinedUpdateIsCut(t *testing.T) {
	raw := json.RawMessage(`{"type":"message_new","object":{"text":"` + strings.Repeat("x", justify.MaxQuarantinedRaw) + `"}}`)
	q := quarantined(testGroup, raw, errors.New("boom"), fixedNow)
	assert.Len(t, q.Raw, justify.MaxQuarantinedRaw)
	assert.Equal(t, len(raw), q.Size)
	assert.Equal(t, "message_new", q.Kind)
	assert.Equal(t, "", quarantined(testGroup, json.RawMessage(`{"type":"made_up_type"}`), errors.New("x"), fixedNow).Kind,
		"a type modwatch does not know is not trusted as a kind")
}

func TestWatcherPassesDuplicatesThrough(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	startWatcher(t, srv, sink, nil)
	srv.Ban(testGroup, 111, 401, 1, "", 0)
	require.True(t, srv.Duplicate(testGroup))
	evs := waitEvents(t, sink, 2)
	assert.Equal(t, evs[0].Key, evs[1].Key, "the store deduplicates by key")
}

func TestWatcherRetriesBatchWhenIngestFails(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	sink.failIngest = 1
	r := startWatcher(t, srv, sink, nil)
	srv.Ban(testGroup, 111, 501, 1, "", 0)

	evs := waitEvents(t, sink, 1)
	require.Len(t, evs, 1)
	calls := sink.Calls()
	require.GreaterOrEqual(t, len(calls), 2)
	assert.True(t, calls[0].failed)
	assert.Equal(t, calls[0].events, calls[1].events, "the same batch is offered again")
	assert.Equal(t, calls[0].value, calls[1].value)
	assert.Contains(t, r.logs.String(), `"consecutive_errors":1`)
	require.Eventually(t, func() bool { return strings.Contains(r.logs.String(), `"long poll recovered"`) },
		5*time.Second, time.Millisecond)
}

func TestWatcherLongPollFailures(t *testing.T) {
	tests := []struct {
		name        string
		code        int
		historyLost bool
	}{
		{name: "failed 1: history lost, go on with the new ts", code: 1, historyLost: true},
		{name: "failed 2: key expired, keep ts", code: 2},
		{name: "failed 3: new key and ts", code: 3, historyLost: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			sink := seeded(srv)
			var lost atomic.Int32
			startWatcher(t, srv, sink, func(c *WatcherConfig) {
				c.OnHistoryLost = func(_ context.Context, g int64) {
					assert.Equal(t, testGroup, g)
					lost.Add(1)
				}
			})
			require.Eventually(t, func() bool { return srv.Calls("a_check") > 0 }, 5*time.Second, time.Millisecond)
			srv.FailLongPoll(1, tt.code)
			// Wait for the poll after the failure: pushing before the watcher has its new ts
			// would, for failed 3, rightly skip the ban.
			require.Eventually(t, func() bool { return srv.Calls("a_check") >= 2 }, 5*time.Second, time.Millisecond)
			srv.Ban(testGroup, 111, 601, 1, "", 0)
			evs := waitEvents(t, sink, 1)
			assert.Equal(t, int64(601), evs[0].UserVKID)
			if tt.historyLost {
				assert.Equal(t, int32(1), lost.Load())
			} else {
				assert.Zero(t, lost.Load())
			}
		})
	}
}

func TestWatcherResumesPastRetention(t *testing.T) {
	srv := newVK(t)
	srv.SetRetention(2)
	sink := seeded(srv)
	for u := int64(701); u <= 705; u++ {
		srv.Ban(testGroup, 111, u, 1, "", 0)
	}
	var lost atomic.Int32
	r := startWatcher(t, srv, sink, func(c *WatcherConfig) {
		c.OnHistoryLost = func(context.Context, int64) { lost.Add(1) }
	})
	require.Eventually(t, func() bool { return lost.Load() == 1 }, 5*time.Second, time.Millisecond)
	srv.Ban(testGroup, 111, 706, 1, "", 0)
	evs := waitEvents(t, sink, 1)
	assert.Equal(t, int64(706), evs[0].UserVKID, "events older than retention are gone")
	assert.Contains(t, r.logs.String(), "long poll history lost")
}

func TestWatcherRecoversFromFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*vktest.Server)
		says  string // in the log, when the failure needs telling apart
	}{
		{name: "long poll HTTP 500", fault: func(s *vktest.Server) { s.FailNext("a_check", http.StatusInternalServerError, "oops") }},
		{name: "long poll answer too large", fault: func(s *vktest.Server) { s.OversizeNext("a_check", MaxAnswer+1) },
			says: "VK answer too large: more than 32 MiB"},
		{name: "API answer too large", fault: func(s *vktest.Server) { s.OversizeNext("groups.getLongPollServer", MaxAnswer+1) },
			says: "VK answer too large: more than 32 MiB"},
		{name: "long poll garbage body", fault: func(s *vktest.Server) { s.FailNext("a_check", http.StatusOK, "<html>bad gateway") }},
		{name: "long poll connection dropped", fault: func(s *vktest.Server) {
			// Twice: Go's transport silently retries a GET once on a reused connection.
			s.FailNext("a_check", 0, "")
			s.FailNext("a_check", 0, "")
		}},
		{name: "API connection dropped", fault: func(s *vktest.Server) { s.FailNext("groups.getLongPollServer", 0, "") }},
		{name: "VK error 10 on getLongPollServer", fault: func(s *vktest.Server) {
			s.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
		}},
		{name: "VK error 9 on getLongPollServer", fault: func(s *vktest.Server) {
			s.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(9, "Flood control"))
		}},
		{name: "API HTTP 502", fault: func(s *vktest.Server) {
			s.FailNext("groups.getLongPollServer", http.StatusBadGateway, "<html>502</html>")
		}},
		{name: "token revoked for a while", fault: func(s *vktest.Server) {
			s.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(5, "User authorization failed: invalid access_token (4)."))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			sink := seeded(srv)
			tt.fault(srv)
			srv.Ban(testGroup, 111, 801, 1, "", 0)
			r := startWatcher(t, srv, sink, nil)
			evs := waitEvents(t, sink, 1)
			assert.Equal(t, int64(801), evs[0].UserVKID)
			require.Eventually(t, func() bool { return strings.Contains(r.logs.String(), `"long poll recovered"`) },
				5*time.Second, time.Millisecond)
			assert.Contains(t, r.logs.String(), tt.says)
		})
	}
}

func TestWatcherNamesAreBestEffort(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	srv.FailNext("users.get", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
	srv.Ban(testGroup, 111, 901, 1, "", 0)
	r := startWatcher(t, srv, sink, nil)
	evs := waitEvents(t, sink, 1)
	assert.Empty(t, evs[0].UserName)
	assert.Contains(t, r.logs.String(), "could not resolve user names")
}

func TestWatcherNeverLogsTokens(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	srv.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(5, "User authorization failed: invalid access_token (4)."))
	srv.FailNext("groups.getLongPollServer", http.StatusBadGateway, "<html>502</html>")
	srv.FailNext("groups.getLongPollServer", 0, "")
	srv.FailNext("a_check", 0, "")
	srv.FailNext("a_check", 0, "")
	srv.FailNext("a_check", http.StatusInternalServerError, "oops")
	srv.FailNext("users.get", 0, "")
	srv.FailLongPoll(1, 2)
	srv.Ban(testGroup, 111, 1001, 1, "", 0)
	r := startWatcher(t, srv, sink, nil)
	waitEvents(t, sink, 1)
	require.Eventually(t, func() bool { return strings.Contains(r.logs.String(), `"long poll recovered"`) },
		5*time.Second, time.Millisecond)
	r.stop()

	logs := r.logs.String()
	assert.Contains(t, logs, `"message":"long poll"`, "the run did fail, so the check means something")
	assert.NotContains(t, logs, communityToken)
	assert.NotContains(t, logs, "COMMUNITY-SECRET")
	assert.NotContains(t, logs, "key=", "long-poll keys stay out of logs too")
}

func TestNewWatcherRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  WatcherConfig
	}{
		{name: "no group", cfg: WatcherConfig{Token: "t", Wait: 25 * time.Second}},
		{name: "no token", cfg: WatcherConfig{GroupID: 1, Wait: 25 * time.Second}},
		{name: "no wait", cfg: WatcherConfig{GroupID: 1, Token: "t"}},
		{name: "wait too long", cfg: WatcherConfig{GroupID: 1, Token: "t", Wait: 91 * time.Second}},
		{name: "wait under a second spins", cfg: WatcherConfig{GroupID: 1, Token: "t", Wait: 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWatcher(tt.cfg, newMemSink(), zerolog.Nop())
			assert.Error(t, err)
		})
	}
}

// TestWatcherLongPollFailedCodesAsDocumented checks each failed code against VK's rules:
// 1 resumes from the ts in the answer without a new key, 2 asks for a new key and keeps the
// ts, 3 asks for a new key and takes the new ts. A ban pushed before the failure shows
// which position the watcher resumed from.
func TestWatcherLongPollFailedCodesAsDocumented(t *testing.T) {
	tests := []struct {
		name        string
		code        int
		keyRequests int
		wantUsers   []int64
		historyLost bool
	}{
		{name: "failed 1", code: 1, keyRequests: 1, wantUsers: []int64{602}, historyLost: true},
		{name: "failed 2", code: 2, keyRequests: 2, wantUsers: []int64{601, 602}},
		{name: "failed 3", code: 3, keyRequests: 2, wantUsers: []int64{602}, historyLost: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			sink := seeded(srv)
			srv.Ban(testGroup, 111, 601, 1, "", 0)
			srv.FailLongPoll(1, tt.code)
			var lost atomic.Int32
			startWatcher(t, srv, sink, func(c *WatcherConfig) {
				c.OnHistoryLost = func(context.Context, int64) { lost.Add(1) }
			})
			require.Eventually(t, func() bool { return srv.Calls("a_check") >= 2 }, 5*time.Second, time.Millisecond)
			srv.Ban(testGroup, 111, 602, 1, "", 0)
			evs := waitEvents(t, sink, len(tt.wantUsers))
			var users []int64
			for _, ev := range evs {
				users = append(users, ev.UserVKID)
			}
			assert.Equal(t, tt.wantUsers, users)
			assert.Equal(t, tt.keyRequests, srv.Calls("groups.getLongPollServer"))
			if tt.historyLost {
				assert.Equal(t, int32(1), lost.Load())
			} else {
				assert.Zero(t, lost.Load())
			}
			assert.Equal(t, srv.Ts(testGroup), sink.cursor(CursorKey(testGroup)))
		})
	}
}

func TestWatcherReportsTokenProblemOncePerOutage(t *testing.T) {
	srv := newVK(t)
	sink := seeded(srv)
	for range 3 {
		srv.FailNext("groups.getLongPollServer", http.StatusOK, vktest.ErrorBody(5, "User authorization failed: invalid access_token (4)."))
	}
	srv.Ban(testGroup, 111, 1101, 1, "", 0)
	var calls atomic.Int32
	var text atomic.Value
	r := startWatcher(t, srv, sink, func(c *WatcherConfig) {
		c.OnTokenProblem = func(_ context.Context, g int64, err error) {
			assert.Equal(t, testGroup, g)
			text.Store(err.Error())
			calls.Add(1)
		}
	})
	evs := waitEvents(t, sink, 1)
	assert.Equal(t, int64(1101), evs[0].UserVKID)
	assert.Equal(t, int32(1), calls.Load(), "three refusals in a row are one problem")
	assert.Contains(t, text.Load(), "get long poll server")
	assert.NotContains(t, text.Load(), communityToken)
	assert.Equal(t, 4, srv.Calls("groups.getLongPollServer"))
	r.stop()
	assert.NotContains(t, r.logs.String(), communityToken)
}
