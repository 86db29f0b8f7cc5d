package vk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/justifytest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// listSink records what the poller hands over.
type listSink struct {
	mu    sync.Mutex
	lists [][]justify.UnansweredConv
}

func (s *listSink) SyncUnanswered(_ context.Context, _ int64, list []justify.UnansweredConv, _ time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = append(s.lists, list)
	return 0, nil
}

func TestUnansweredPollerReadsVKsShape(t *testing.T) {
	var asked url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		asked = r.Form
		require.True(t, strings.HasSuffix(r.URL.Path, "/messages.getConversations"), r.URL.Path)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(payload(t, "messages_getConversations_unanswered.json"))
	}))
	defer srv.Close()
	sink := &listSink{}
	p, err := NewUnansweredPoller(UnansweredConfig{GroupID: testGroup, Token: communityToken, APIURL: srv.URL + "/method/",
		HTTPClient: srv.Client(), Every: time.Minute}, sink, zerolog.Nop())
	require.NoError(t, err)
	_, err = p.Once(context.Background())
	require.NoError(t, err)

	assert.Equal(t, "unanswered", asked.Get("filter"))
	assert.Equal(t, "1", asked.Get("group_id"))
	require.Len(t, sink.lists, 1)
	assert.Equal(t, []justify.UnansweredConv{
		{PeerID: 777, MessageID: 905, At: time.Unix(1700006000, 0).UTC()},
		{PeerID: 778, MessageID: 870, At: time.Unix(1700005000, 0).UTC()},
	}, sink.lists[0], "customers only: the group chat is left out")
}

func TestUnansweredPollerPagesAndRefuses(t *testing.T) {
	vk := vktest.New()
	defer vk.Close()
	vk.AddGroup(testGroup, communityToken)
	for i := range 250 {
		vk.Message(testGroup, int64(10_000+i), "Где заказ?")
	}
	vk.MessageReply(testGroup, 10_000, 111, "Отправлен вчера")

	sink := &listSink{}
	p, err := NewUnansweredPoller(UnansweredConfig{GroupID: testGroup, Token: communityToken, APIURL: vk.URL(),
		Every: time.Minute}, sink, zerolog.Nop())
	require.NoError(t, err)
	_, err = p.Once(context.Background())
	require.NoError(t, err)
	require.Len(t, sink.lists, 1)
	assert.Len(t, sink.lists[0], 249, "two pages; the answered conversation is not in the list")
	assert.Equal(t, 2, vk.Calls("messages.getConversations"))

	bad, err := NewUnansweredPoller(UnansweredConfig{GroupID: testGroup, Token: "vk1.a.REVOKED", APIURL: vk.URL(),
		Every: time.Minute}, sink, zerolog.Nop())
	require.NoError(t, err)
	_, err = bad.Once(context.Background())
	require.Error(t, err)
	assert.True(t, isAuthError(err), "a refused token is told apart: %v", err)
	assert.NotContains(t, err.Error(), "REVOKED")

	for _, cfg := range []UnansweredConfig{
		{Token: communityToken, Every: time.Minute},
		{GroupID: testGroup, Every: time.Minute},
		{GroupID: testGroup, Token: communityToken},
	} {
		_, err := NewUnansweredPoller(cfg, sink, zerolog.Nop())
		assert.Error(t, err)
	}
}

// TestClosedWithoutReplyThroughThePoller marks a conversation answered in VK's interface
// (no event) and deletes another: the poller notices both left the list, and only the one
// nobody wrote to is a sign.
func TestClosedWithoutReplyThroughThePoller(t *testing.T) {
	vk := vktest.New()
	defer vk.Close()
	vk.AddGroup(testGroup, communityToken)
	clock := justifytest.NewClock(convT0)
	vk.Now = clock.Now

	w := newConvWorld(t, false)
	w.now = convT0
	w.svc.Now = clock.Now
	w.svc.Communities = map[int64]justify.Community{testGroup: {GroupID: testGroup}}
	deliver := func() {
		for _, raw := range vk.Events(testGroup)[w.seq:] {
			w.seq++
			ev, ok, err := DecodeUpdate(testGroup, raw)
			require.NoError(t, err)
			if ok {
				_, err = w.svc.Ingest(context.Background(), []justify.Event{ev}, "", "")
				require.NoError(t, err)
			}
		}
	}
	p, err := NewUnansweredPoller(UnansweredConfig{GroupID: testGroup, Token: communityToken, APIURL: vk.URL(),
		Every: time.Minute, Now: clock.Now}, w.svc, zerolog.Nop())
	require.NoError(t, err)

	vk.Message(testGroup, 5001, "Где мой заказ?")
	vk.Message(testGroup, 5002, "Верните деньги")
	vk.Message(testGroup, 5003, "Есть размер M?")
	deliver()
	_, err = p.Once(context.Background())
	require.NoError(t, err)

	clock.Add(10 * time.Minute)
	vk.MessageReply(testGroup, 5003, convIvan, "Да, есть, уже в корзине")
	deliver()
	for _, call := range []struct {
		method string
		peer   int64
	}{{"messages.markAsAnsweredConversation", 5001}, {"messages.deleteConversation", 5002}} {
		form := url.Values{"access_token": {communityToken}, "peer_id": {strconv.FormatInt(call.peer, 10)}, "answered": {"1"}, "v": {"5.199"}}
		resp, err := http.PostForm(vk.URL()+call.method, form)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	clock.Add(5 * time.Minute)
	left, err := p.Once(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, left, "all three left the list")
	assert.Equal(t, []string{"closed_without_reply/0/5001", "closed_without_reply/0/5002"}, w.signsAt(15*time.Minute))
}
