package vk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/justify/supervise"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// capturePosts publishes posts by customers (one per author) silently in VK and records
// them as tickets, as the long poll would have; it returns the post ids.
func capturePosts(t *testing.T, srv *vktest.Server, d domain, authors ...int64) []int64 {
	t.Helper()
	var ids []int64
	var evs []justify.Event
	for _, a := range authors {
		id := srv.AddPostSilently(testGroup, a, "where is my order?")
		ids = append(ids, id)
		ref := justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: id}
		tk := justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: a, Text: "where is my order?", Link: ref.Link(), CreatedAt: fixedNow}
		evs = append(evs, justify.Event{Key: "vk:1:post:" + tk.Key, GroupID: testGroup, Kind: justify.EventWrite,
			UserVKID: a, At: fixedNow, Source: justify.SourceLongPoll, Ticket: &tk})
	}
	res, err := d.svc.Ingest(context.Background(), evs, "", "")
	require.NoError(t, err)
	require.Equal(t, len(authors), res.New)
	return ids
}

func newTestPostChecker(t *testing.T, srv *vktest.Server, store PostStore, edit func(*PostCheckerConfig)) (*PostChecker, *justifytest.SyncBuffer) {
	t.Helper()
	srv.AddAdminToken(testGroup, knownAdmin, userToken)
	cfg := PostCheckerConfig{
		GroupID: testGroup, UserToken: userToken, APIURL: srv.URL(), Pace: time.Millisecond, Every: time.Hour,
		Backoff:   supervise.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond},
		AuthRetry: 10 * time.Millisecond,
		Now:       func() time.Time { return fixedNow.Add(time.Hour) },
	}
	if edit != nil {
		edit(&cfg)
	}
	logs := &justifytest.SyncBuffer{}
	c, err := NewPostChecker(cfg, store, zerolog.New(logs).Level(zerolog.DebugLevel))
	require.NoError(t, err)
	return c, logs
}

func TestPostCheckerFindsDeletedPosts(t *testing.T) {
	tests := []struct {
		name    string
		version string // the API version asked for decides wall.getById's answer shape
	}{
		{name: "array answer (vksdk's 5.131)"},
		{name: "items answer (5.199)", version: "5.199"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			d := newDomain(t)
			ids := capturePosts(t, srv, d, 501, 502, 503)
			c, _ := newTestPostChecker(t, srv, d.svc, nil)
			if tt.version != "" {
				c.vk.Version = tt.version
			}
			require.True(t, srv.RemovePost(testGroup, ids[1]))

			n, err := c.Round(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			cases := d.casesByUser(t)
			require.Len(t, cases, 1)
			cs := cases[502]
			assert.Equal(t, justify.EventVanished, cs.Kind)
			assert.Equal(t, justify.SourceReconcile, cs.Source)
			assert.Equal(t, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: ids[1]}, cs.Item)
			assert.Equal(t, VanishedKey(testGroup, cs.Item), cs.EventKey)
			cur, err := d.svc.Cursor(context.Background(), PostCursorKey(testGroup))
			require.NoError(t, err)
			assert.Equal(t, "0", cur, "the round ended")

			n, err = c.Round(context.Background())
			require.NoError(t, err)
			assert.Zero(t, n, "a second round adds nothing")
			assert.Len(t, d.casesByUser(t), 1)
		})
	}
}

func TestPostCheckerBatchesAndResumes(t *testing.T) {
	srv := newVK(t)
	d := newDomain(t)
	authors := make([]int64, 250)
	for i := range authors {
		authors[i] = int64(2000 + i)
	}
	ids := capturePosts(t, srv, d, authors...)
	for _, i := range []int{5, 150, 249} {
		require.True(t, srv.RemovePost(testGroup, ids[i]))
	}
	// The second wall.getById call fails like a network outage.
	c, _ := newTestPostChecker(t, srv, d.svc, func(cfg *PostCheckerConfig) {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second, Transport: &failNth{n: 2, method: "wall.getById"}}
	})
	n, err := c.Round(context.Background())
	require.Error(t, err)
	assert.Equal(t, 1, n, "the first batch was recorded")
	cur, err := d.svc.Cursor(context.Background(), PostCursorKey(testGroup))
	require.NoError(t, err)
	assert.NotEqual(t, "0", cur, "the round stopped in the middle")

	n, err = c.Round(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 3, srv.Calls("wall.getById"), "three batches, none checked twice (the failed call never reached VK)")
	cases := d.casesByUser(t)
	assert.Len(t, cases, 3)
	for _, i := range []int{5, 150, 249} {
		assert.Equal(t, justify.EventVanished, cases[authors[i]].Kind)
	}
}

// failNth fails the n-th call of method before it reaches the server.
type failNth struct {
	n      int32
	method string
	calls  atomic.Int32
}

func (f *failNth) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/"+f.method) && f.calls.Add(1) == f.n {
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestPostCheckerEveryPostGoneChecksTheWall(t *testing.T) {
	srv := newVK(t)
	d := newDomain(t)
	ids := capturePosts(t, srv, d, 501, 502)
	for _, id := range ids {
		require.True(t, srv.RemovePost(testGroup, id))
	}
	c, _ := newTestPostChecker(t, srv, d.svc, nil)
	n, err := c.Round(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, srv.Calls("wall.get"), "the wall was readable, so the posts are gone")
}

func TestPostCheckerWallUnreadableRecordsNothing(t *testing.T) {
	tests := []struct {
		name    string
		authors []int64
	}{
		{name: "two posts", authors: []int64{501, 502}},
		{name: "a lone post", authors: []int64{501}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			d := newDomain(t)
			ids := capturePosts(t, srv, d, tt.authors...)
			for _, id := range ids {
				require.True(t, srv.RemovePost(testGroup, id))
			}
			srv.FailNext("wall.get", http.StatusOK, vktest.ErrorBody(15, "Access denied: this wall is available to members only"))
			c, _ := newTestPostChecker(t, srv, d.svc, nil)
			_, err := c.Round(context.Background())
			require.Error(t, err)
			assert.Empty(t, d.casesByUser(t))
		})
	}
}

func TestPostCheckerRunReportsTokenProblemOnce(t *testing.T) {
	srv := newVK(t)
	d := newDomain(t)
	ids := capturePosts(t, srv, d, 501)
	require.True(t, srv.RemovePost(testGroup, ids[0]))
	for range 3 {
		srv.FailNext("wall.getById", http.StatusOK, vktest.ErrorBody(27, "Group authorization failed: method is unavailable with group auth."))
	}
	var hooked atomic.Int32
	c, logs := newTestPostChecker(t, srv, d.svc, func(cfg *PostCheckerConfig) {
		cfg.OnTokenProblem = func(_ context.Context, g int64, err error) {
			assert.NotContains(t, err.Error(), userToken)
			hooked.Add(1)
		}
	})
	justifytest.Run(t, c.Run)
	require.Eventually(t, func() bool { return len(d.casesByUser(t)) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, int32(1), hooked.Load())
	assert.NotContains(t, logs.String(), userToken)
}

func TestNewPostCheckerWithoutUserToken(t *testing.T) {
	d := newDomain(t)
	_, err := NewPostChecker(PostCheckerConfig{GroupID: testGroup}, d.svc, zerolog.Nop())
	require.ErrorIs(t, err, ErrPostChecksOff)
	assert.ErrorIs(t, err, ErrNoUserToken)
	assert.Contains(t, err.Error(), "post checks are off")
}

func TestNewPostCheckerRejectsBadConfig(t *testing.T) {
	d := newDomain(t)
	tests := []struct {
		name string
		cfg  PostCheckerConfig
	}{
		{name: "no interval", cfg: PostCheckerConfig{GroupID: testGroup, UserToken: "t"}},
		{name: "negative interval", cfg: PostCheckerConfig{GroupID: testGroup, UserToken: "t", Every: -time.Second}},
		{name: "negative pace", cfg: PostCheckerConfig{GroupID: testGroup, UserToken: "t", Every: time.Minute, Pace: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPostChecker(tt.cfg, d.svc, zerolog.Nop())
			assert.Error(t, err)
		})
	}
	_, err := NewPostChecker(PostCheckerConfig{GroupID: testGroup, UserToken: "t", Every: time.Minute}, d.svc, zerolog.Nop())
	assert.NoError(t, err, "the rows above fail for their own reason only")
}
