package vk

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/supervise"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

const (
	knownAdmin   = int64(111) // configured operator "Olga"
	unknownAdmin = int64(999)
)

// domain is the real service over a real SQLite store.
type domain struct {
	svc *justify.Service
	db  *store.DB
}

func newDomain(t *testing.T) domain {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	people := justify.NewDirectory([]justify.Person{
		{Name: "Olga", Role: justify.RoleOperator, VKID: knownAdmin, TelegramID: 10},
		{Name: "Boss", Role: justify.RoleManager, TelegramID: 20},
	})
	svc := &justify.Service{
		Store: db, People: people, Deadline: 2 * time.Hour,
		Communities: map[int64]justify.Community{testGroup: {GroupID: testGroup, Name: "Shop"}},
		Now:         func() time.Time { return fixedNow.Add(2 * time.Hour) },
	}
	return domain{svc: svc, db: db}
}

// casesByUser returns the community's cases keyed by the user acted upon.
func (d domain) casesByUser(t *testing.T) map[int64]justify.Case {
	t.Helper()
	cs, err := d.db.ListCases(context.Background(), 0)
	require.NoError(t, err)
	out := map[int64]justify.Case{}
	for _, c := range cs {
		out[c.UserVKID] = c
	}
	return out
}

// newBanVK starts a fake VK whose ban dates are fixedNow.
func newBanVK(t *testing.T) *vktest.Server {
	t.Helper()
	srv := newVK(t)
	srv.Now = func() time.Time { return fixedNow }
	return srv
}

func newTestReconciler(t *testing.T, srv *vktest.Server, svc BanReconciler, edit func(*ReconcilerConfig)) (*Reconciler, *justifytest.SyncBuffer) {
	t.Helper()
	cfg := ReconcilerConfig{
		GroupID: testGroup, Token: communityToken, APIURL: srv.URL(),
		Backoff:   supervise.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond},
		AuthRetry: 10 * time.Millisecond, Every: time.Hour,
		// The list is read after the bans it holds were made.
		Now: func() time.Time { return fixedNow.Add(time.Hour) },
	}
	if edit != nil {
		edit(&cfg)
	}
	logs := &justifytest.SyncBuffer{}
	r, err := NewReconciler(cfg, svc, zerolog.New(logs).Level(zerolog.DebugLevel))
	require.NoError(t, err)
	return r, logs
}

func TestReconcileRecordsBansMadeDuringDowntime(t *testing.T) {
	srv := newBanVK(t)
	srv.SetName(222, "Ivan", "Petrov")
	until := fixedNow.Add(48 * time.Hour).Unix()
	srv.Ban(testGroup, knownAdmin, 222, 1, "spam links", until)
	srv.Ban(testGroup, unknownAdmin, 333, 2, "", 0)
	d := newDomain(t)
	r, _ := newTestReconciler(t, srv, d.svc, nil)

	res, err := r.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, res.New)
	assert.Len(t, res.Opened, 2)

	cases := d.casesByUser(t)
	require.Len(t, cases, 2)
	c := cases[222]
	assert.Equal(t, justify.SourceReconcile, c.Source)
	assert.Equal(t, knownAdmin, c.ActorVKID)
	assert.Equal(t, "Olga", c.Operator, "attributed to the admin VK names in ban_info")
	assert.Equal(t, "Ivan Petrov", c.UserName)
	assert.Equal(t, justify.BanSpam, c.VKReason)
	assert.Equal(t, "spam links", c.VKComment)
	assert.True(t, c.ActedAt.Equal(fixedNow), "acted at VK's ban date, got %s", c.ActedAt)
	assert.True(t, c.Until.Equal(time.Unix(until, 0)))
	assert.Equal(t, ReconcileBanKey(testGroup, 222, int(fixedNow.Unix())), c.EventKey)
	assert.Equal(t, justify.StateAwaitingReason, c.State)
	assert.Equal(t, justify.StateAwaitingReview, cases[333].State, "an unknown admin goes to the managers")

	res, err = r.Once(context.Background())
	require.NoError(t, err)
	assert.Zero(t, res.New, "a second run adds nothing")
	assert.Len(t, d.casesByUser(t), 2)
}

func TestReconcileClosesCaseOfVanishedBan(t *testing.T) {
	srv := newBanVK(t)
	srv.Ban(testGroup, knownAdmin, 222, 1, "", 0)
	srv.Ban(testGroup, knownAdmin, 223, 1, "", 0)
	d := newDomain(t)
	r, _ := newTestReconciler(t, srv, d.svc, nil)
	_, err := r.Once(context.Background())
	require.NoError(t, err)

	// Lifted while modwatch was not listening.
	srv.Unban(testGroup, knownAdmin, 222, false)
	res, err := r.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, res.New, "one unban")
	cases := d.casesByUser(t)
	assert.Equal(t, justify.StateClosed, cases[222].State)
	assert.Equal(t, justify.StateAwaitingReason, cases[223].State)
}

func TestReconcileLeavesBansNewerThanTheList(t *testing.T) {
	srv := newBanVK(t)
	d := newDomain(t)
	// The long poll records this ban while the list is being read, so the list lacks it.
	hook := &hookTransport{method: "groups.getBanned", before: func(n int) {
		if n == 1 {
			_, err := d.svc.Ingest(context.Background(), []justify.Event{{
				Key: "vk:1:lp1", GroupID: testGroup, Kind: justify.EventBan, ActorVKID: knownAdmin, UserVKID: 444,
				At: fixedNow.Add(-2 * time.Hour), Source: justify.SourceLongPoll,
			}}, "", "")
			require.NoError(t, err)
		}
	}}
	r, _ := newTestReconciler(t, srv, d.svc, func(c *ReconcilerConfig) {
		c.HTTPClient = &http.Client{Transport: hook, Timeout: 5 * time.Second}
	})
	res, err := r.Once(context.Background())
	require.NoError(t, err)
	assert.Zero(t, res.New, "the ban is not taken for lifted")
	assert.Equal(t, justify.StateAwaitingReason, d.casesByUser(t)[444].State)

	// The next round knows better: the ban is really gone from VK's list, so it was lifted.
	r2, _ := newTestReconciler(t, srv, d.svc, nil)
	res, err = r2.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, res.New, "the unban")
	assert.Equal(t, justify.StateClosed, d.casesByUser(t)[444].State)
}

func TestReconcileReadsEveryPage(t *testing.T) {
	srv := newBanVK(t)
	for u := int64(1000); u < 1450; u++ {
		srv.Ban(testGroup, knownAdmin, u, 1, "", 0)
	}
	d := newDomain(t)
	r, _ := newTestReconciler(t, srv, d.svc, nil)
	res, err := r.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 450, res.New)
	assert.Equal(t, 3, srv.Calls("groups.getBanned"), "pages of 200")
	assert.Len(t, d.casesByUser(t), 450)
}

// hookTransport runs before each request for a method, to change VK mid-read.
type hookTransport struct {
	method string
	mu     sync.Mutex
	n      int
	before func(n int)
}

func (h *hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/"+h.method) {
		h.mu.Lock()
		h.n++
		n := h.n
		h.mu.Unlock()
		h.before(n)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestReconcileRereadsListThatMovedWhilePaging(t *testing.T) {
	srv := newBanVK(t)
	for u := int64(1000); u <= 1200; u++ {
		srv.Ban(testGroup, knownAdmin, u, 1, "", 0)
	}
	d := newDomain(t)
	r, _ := newTestReconciler(t, srv, d.svc, nil)
	_, err := r.Once(context.Background())
	require.NoError(t, err)

	// Lifting a ban of the first page while the second is read shifts every later entry
	// by one: read once, user 1200 would be skipped and taken for unbanned.
	hook := &hookTransport{method: "groups.getBanned", before: func(n int) {
		if n == 2 {
			srv.Unban(testGroup, knownAdmin, 1000, false)
		}
	}}
	r2, _ := newTestReconciler(t, srv, d.svc, func(c *ReconcilerConfig) {
		c.HTTPClient = &http.Client{Transport: hook, Timeout: 5 * time.Second}
	})
	res, err := r2.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, res.New, "only the real unban")
	cases := d.casesByUser(t)
	assert.Equal(t, justify.StateClosed, cases[1000].State)
	assert.Equal(t, justify.StateAwaitingReason, cases[1200].State)
}

func TestReconcilerRunRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(*vktest.Server)
		hookCalls int32
		wantLog   string
	}{
		{
			name: "error 27: token problem reported once, retried slowly",
			fault: func(s *vktest.Server) {
				for range 3 {
					s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(27, "Group authorization failed"))
				}
			},
			hookCalls: 1, wantLog: `"level":"error"`,
		},
		{
			name: "error 5 then 15: two problems, two reports",
			fault: func(s *vktest.Server) {
				s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(5, "User authorization failed"))
				s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(15, "Access denied"))
			},
			hookCalls: 2, wantLog: `"level":"error"`,
		},
		{
			name: "transient error 10 is retried",
			fault: func(s *vktest.Server) {
				s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
			},
			wantLog: `"level":"warn"`,
		},
		{
			name: "flood control 9 is retried",
			fault: func(s *vktest.Server) {
				s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(9, "Flood control"))
			},
			wantLog: `"level":"warn"`,
		},
		{
			name:    "connection dropped",
			fault:   func(s *vktest.Server) { s.FailNext("groups.getBanned", 0, "") },
			wantLog: `"level":"warn"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newBanVK(t)
			srv.Ban(testGroup, knownAdmin, 222, 1, "", 0)
			tt.fault(srv)
			d := newDomain(t)
			var hooked atomic.Int32
			var hookErr atomic.Value
			r, logs := newTestReconciler(t, srv, d.svc, func(c *ReconcilerConfig) {
				c.OnTokenProblem = func(_ context.Context, g int64, err error) {
					assert.Equal(t, testGroup, g)
					hookErr.Store(err.Error())
					hooked.Add(1)
				}
			})
			justifytest.Run(t, r.Run)
			require.Eventually(t, func() bool { return len(d.casesByUser(t)) == 1 }, 5*time.Second, 5*time.Millisecond)
			require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"reconcile bans recovered"`) },
				5*time.Second, 5*time.Millisecond)
			assert.Equal(t, tt.hookCalls, hooked.Load())
			assert.Contains(t, logs.String(), tt.wantLog)
			assert.NotContains(t, logs.String(), communityToken)
			if s, ok := hookErr.Load().(string); ok {
				assert.NotContains(t, s, communityToken)
			}
		})
	}
}

func TestReconcilerTrigger(t *testing.T) {
	srv := newBanVK(t)
	d := newDomain(t)
	r, _ := newTestReconciler(t, srv, d.svc, nil) // Every is an hour: only triggers run it again
	justifytest.Run(t, r.Run)
	require.Eventually(t, func() bool { return srv.Calls("groups.getBanned") == 1 }, 5*time.Second, time.Millisecond)

	srv.Ban(testGroup, knownAdmin, 222, 1, "", 0)
	r.OnHistoryLost(context.Background(), testGroup)
	require.Eventually(t, func() bool { return len(d.casesByUser(t)) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, justify.SourceReconcile, d.casesByUser(t)[222].Source)
}

func TestNewReconcilerRejectsBadConfig(t *testing.T) {
	d := newDomain(t)
	tests := []struct {
		name string
		cfg  ReconcilerConfig
	}{
		{name: "no group", cfg: ReconcilerConfig{Token: "t", Every: time.Minute}},
		{name: "no token", cfg: ReconcilerConfig{GroupID: 1, Every: time.Minute}},
		{name: "negative interval", cfg: ReconcilerConfig{GroupID: 1, Token: "t", Every: -time.Second}},
		{name: "no interval", cfg: ReconcilerConfig{GroupID: 1, Token: "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReconciler(tt.cfg, d.svc, zerolog.Nop())
			assert.Error(t, err)
		})
	}
}

// A ban, an unban and a second ban made while modwatch was down, read by reconciliation
// before the long poll replays them: the replay is history, and the reconciled case stands.
func TestReplayAfterReconciliationIsHistory(t *testing.T) {
	ctx := context.Background()
	srv := newBanVK(t)
	d := newDomain(t)
	require.NoError(t, d.svc.SaveCursor(ctx, CursorKey(testGroup), srv.Ts(testGroup)), "where modwatch stopped")
	srv.Ban(testGroup, knownAdmin, 222, 1, "", 0)
	srv.Unban(testGroup, knownAdmin, 222, false)
	srv.Ban(testGroup, knownAdmin, 222, 2, "", 0)
	r, logs := newTestReconciler(t, srv, d.svc, nil)
	res, err := r.Once(ctx)
	require.NoError(t, err)
	require.Len(t, res.Opened, 1)
	assert.Contains(t, logs.String(), `"head":4`, "VK's stream was at 4 when the list was read")

	startWatcher(t, srv, d.svc, nil)
	var evs []justify.Event
	require.Eventually(t, func() bool {
		evs, err = d.db.BanEvents(ctx, testGroup, 222)
		return err == nil && len(evs) == 4
	}, 5*time.Second, 5*time.Millisecond, "the reconciled ban and the three replayed events")
	assert.Equal(t, justify.SourceReconcile, evs[0].Source)
	for i, ev := range evs[1:] {
		assert.True(t, ev.History, "replayed event %d is history", i)
		assert.Equal(t, int64(i+1), ev.Position)
	}
	cases := d.casesByUser(t)
	require.Len(t, cases, 1)
	assert.Equal(t, justify.StateAwaitingReason, cases[222].State, "the reconciled case stays open")
}
