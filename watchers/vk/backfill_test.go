package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// wallStory is a community wall written before modwatch ran: a customer's post, the
// community's post with a question under it, the community's answer, and a later question.
type wallStory struct {
	customerPost, newsPost int64
	answered, unanswered   int64 // comment ids
}

func writeWall(srv *vktest.Server) wallStory {
	clock := justifytest.NewClock(fixedNow)
	srv.Now = clock.Now
	var s wallStory
	s.customerPost = srv.AddPostSilently(testGroup, 501, "my order is late")
	s.newsPost = srv.AddPostSilently(testGroup, -testGroup, "new menu")
	clock.Add(time.Minute)
	s.answered = srv.AddCommentSilently(testGroup, vktest.WallComment, 0, s.newsPost, 502, "is it vegan?")
	clock.Add(time.Minute)
	srv.AddCommentSilently(testGroup, vktest.WallComment, 0, s.newsPost, -testGroup, "yes, all of it")
	clock.Add(time.Minute)
	s.unanswered = srv.AddCommentSilently(testGroup, vktest.WallComment, 0, s.newsPost, 503, "and the prices?")
	return s
}

func newTestBackfiller(t *testing.T, srv *vktest.Server, sink Sink, edit func(*BackfillConfig)) (*Backfiller, *justifytest.SyncBuffer) {
	t.Helper()
	srv.AddAdminToken(testGroup, knownAdmin, userToken)
	cfg := BackfillConfig{GroupID: testGroup, UserToken: userToken, APIURL: srv.URL(), Posts: 20, Comments: 100, Pace: time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	logs := &justifytest.SyncBuffer{}
	b, err := NewBackfiller(cfg, sink, zerolog.New(logs).Level(zerolog.DebugLevel))
	require.NoError(t, err)
	return b, logs
}

func ticketOf(t *testing.T, d domain, ref justify.Ref) (justify.Ticket, bool) {
	t.Helper()
	var tk justify.Ticket
	err := d.db.View(context.Background(), func(tx justify.Tx) error {
		var err error
		tk, err = tx.Ticket(ref.Key())
		return err
	})
	if errors.Is(err, justify.ErrNotFound) {
		return tk, false
	}
	require.NoError(t, err)
	return tk, true
}

func TestBackfillRecordsTheWall(t *testing.T) {
	srv := newVK(t)
	story := writeWall(srv)
	d := newDomain(t)
	b, _ := newTestBackfiller(t, srv, d.svc, nil)

	res, err := b.Backfill(context.Background())
	require.NoError(t, err)
	assert.Equal(t, BackfillResult{Posts: 2, Comments: 3, New: 4}, res, "customer post, two questions, one answer")

	post := justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: story.customerPost}
	tk, ok := ticketOf(t, d, post)
	require.True(t, ok, "the customer's post is a ticket")
	assert.Equal(t, int64(501), tk.AuthorVKID)
	assert.Equal(t, "my order is late", tk.Text)
	assert.Equal(t, post.Link(), tk.Link)
	_, ok = ticketOf(t, d, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: story.newsPost})
	assert.False(t, ok, "the community's own post is no ticket")

	answered := justify.Ref{GroupID: testGroup, Place: justify.PlaceWallComment, OwnerID: -testGroup, ParentID: story.newsPost, ItemID: story.answered}
	tk, ok = ticketOf(t, d, answered)
	require.True(t, ok)
	assert.Equal(t, fmt.Sprintf("https://vk.com/wall-1_%d?reply=%d", story.newsPost, story.answered), tk.Link)
	assert.Equal(t, "is it vegan?", tk.Text)
	assert.True(t, tk.Answered(), "the community answered after it")
	assert.True(t, tk.CreatedAt.Equal(fixedNow.Add(time.Minute)), "VK's date, got %s", tk.CreatedAt)

	tk, ok = ticketOf(t, d, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallComment, OwnerID: -testGroup, ParentID: story.newsPost, ItemID: story.unanswered})
	require.True(t, ok)
	assert.False(t, tk.Answered(), "written after the answer")

	res, err = b.Backfill(context.Background())
	require.NoError(t, err)
	assert.Zero(t, res.New, "a second backfill records nothing")
}

// TestBackfillTicketsMatchTheLongPoll checks that a comment learned by backfill and the
// same comment's later deletion event meet on one ticket: the deletion case shows the words.
func TestBackfillTicketsMatchTheLongPoll(t *testing.T) {
	srv := newVK(t)
	story := writeWall(srv)
	d := newDomain(t)
	b, _ := newTestBackfiller(t, srv, d.svc, nil)
	_, err := b.Backfill(context.Background())
	require.NoError(t, err)

	// A live comment decoded from the long poll has the same ticket key as a backfilled one.
	sink := seeded(srv)
	startWatcher(t, srv, sink, nil)
	live := srv.Comment(testGroup, vktest.WallComment, 0, story.newsPost, 504, "hello?")
	evs := waitEvents(t, sink, 1)
	require.NotNil(t, evs[0].Ticket)
	b2, _ := newTestBackfiller(t, srv, newMemSink(), nil)
	comments, err := b2.comments(context.Background(), -testGroup, story.newsPost)
	require.NoError(t, err)
	var backfilled *justify.Ticket
	for _, ev := range comments {
		if ev.Ticket != nil && ev.Ticket.Ref.ItemID == live {
			backfilled = ev.Ticket
		}
	}
	require.NotNil(t, backfilled)
	assert.Equal(t, evs[0].Ticket.Key, backfilled.Key)
	assert.Equal(t, evs[0].Ticket.Ref, backfilled.Ref)
	assert.Equal(t, evs[0].Ticket.Link, backfilled.Link)
}

func TestBackfillHonoursCounts(t *testing.T) {
	srv := newVK(t)
	story := writeWall(srv)
	d := newDomain(t)
	b, _ := newTestBackfiller(t, srv, d.svc, func(c *BackfillConfig) { c.Posts, c.Comments = 1, 1 })
	res, err := b.Backfill(context.Background())
	require.NoError(t, err)
	// Newest first: only the community's post, and only its first comment.
	assert.Equal(t, BackfillResult{Posts: 1, Comments: 1, New: 1}, res)
	_, ok := ticketOf(t, d, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallComment, OwnerID: -testGroup, ParentID: story.newsPost, ItemID: story.answered})
	assert.True(t, ok)
}

func TestBackfillRun(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		fault    func(*vktest.Server)
		wantNew  bool
		getCalls int
		wantLog  string
	}{
		{name: "community token is refused, not retried", token: communityToken, getCalls: 1, wantLog: "giving up"},
		{name: "transient error is retried", token: userToken, wantNew: true, getCalls: 2, wantLog: `"backfilled"`,
			fault: func(s *vktest.Server) {
				s.FailNext("wall.get", http.StatusOK, vktest.ErrorBody(10, "Internal server error"))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			story := writeWall(srv)
			if tt.fault != nil {
				tt.fault(srv)
			}
			d := newDomain(t)
			b, logs := newTestBackfiller(t, srv, d.svc, func(c *BackfillConfig) {
				c.UserToken = tt.token
				c.Backoff.Min, c.Backoff.Max = time.Millisecond, 2*time.Millisecond
			})
			require.NoError(t, b.Run(context.Background()))
			assert.Equal(t, tt.getCalls, srv.Calls("wall.get"))
			_, ok := ticketOf(t, d, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: story.customerPost})
			assert.Equal(t, tt.wantNew, ok)
			assert.Contains(t, logs.String(), tt.wantLog)
			assert.NotContains(t, logs.String(), tt.token)
		})
	}
}

func TestNewBackfillerRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  BackfillConfig
		is   error
	}{
		{name: "no user token", cfg: BackfillConfig{GroupID: 1, Posts: 20, Comments: 100}, is: ErrNoUserToken},
		{name: "no group", cfg: BackfillConfig{UserToken: "t", Posts: 20, Comments: 100}},
		{name: "too many posts", cfg: BackfillConfig{GroupID: 1, UserToken: "t", Posts: 101, Comments: 100}},
		{name: "too many comments", cfg: BackfillConfig{GroupID: 1, UserToken: "t", Posts: 20, Comments: 101}},
		{name: "no posts", cfg: BackfillConfig{GroupID: 1, UserToken: "t", Comments: 100}},
		{name: "no comments", cfg: BackfillConfig{GroupID: 1, UserToken: "t", Posts: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBackfiller(tt.cfg, newMemSink(), zerolog.Nop())
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestBackfillNamesAuthorsFromProfiles(t *testing.T) {
	srv := newVK(t)
	b, _ := newTestBackfiller(t, srv, newMemSink(), nil)
	var page wallPage
	require.NoError(t, json.Unmarshal([]byte(`{"items":[],"profiles":[{"id":502,"first_name":"Anna","last_name":"Popova"}]}`), &page))
	ev, ok := b.decode("wall_reply_new",
		json.RawMessage(`{"id":7,"from_id":502,"post_id":3,"owner_id":-1,"date":1700000000,"text":"hi"}`), page.names())
	require.True(t, ok)
	assert.Equal(t, "Anna Popova", ev.Ticket.AuthorName)
	assert.Equal(t, "Anna Popova", ev.UserName)
	assert.Equal(t, justify.SourceReconcile, ev.Source)
	assert.Equal(t, "vk:1:backfill:vk:1:wall_comment:-1_3_7", ev.Key)
}
