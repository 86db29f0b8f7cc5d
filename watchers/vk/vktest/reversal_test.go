package vktest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A garbled answer is labelled gzip and is not; the call takes effect only when asked to.
func TestGarbleNext(t *testing.T) {
	for _, carryOut := range []bool{true, false} {
		t.Run(map[bool]string{true: "carried out", false: "not carried out"}[carryOut], func(t *testing.T) {
			s := newServer(t)
			s.AddUserToken(1, "user-token")
			s.Ban(1, 7, 42, 0, "", 0)
			s.GarbleNext("groups.unban", carryOut)
			// The default transport would refuse the body; ask for gzip as vksdk does.
			req, err := http.NewRequest(http.MethodPost, s.URL()+"groups.unban",
				strings.NewReader(url.Values{"group_id": {"1"}, "owner_id": {"42"}, "access_token": {"user-token"}}.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
			assert.NotEqual(t, []byte{0x1f, 0x8b}, body[:2], "not gzip")
			assert.Equal(t, carryOut, len(s.Banned(1)) == 0)

			// The next call answers as usual.
			out := post(t, s, "groups.getBanned", url.Values{"group_id": {"1"}, "access_token": {token}})
			assert.Contains(t, out, "response")
		})
	}
}

// groups.getBanned with owner_id lists that user's ban or nothing; wall.getComment shows
// whether a comment is deleted.
func TestLookUps(t *testing.T) {
	s := newServer(t)
	s.AddUserToken(1, "user-token")
	s.Ban(1, 7, 42, 0, "", 0)
	s.Ban(1, 7, 43, 0, "", 0)
	for user, want := range map[string]float64{"42": 1, "44": 0} {
		out := post(t, s, "groups.getBanned", url.Values{"group_id": {"1"}, "owner_id": {user}, "access_token": {token}})
		assert.Equal(t, want, out["response"].(map[string]any)["count"], "user %s", user)
	}

	id := s.Comment(1, WallComment, 0, 7, 42, "words")
	comment := func() map[string]any {
		out := post(t, s, "wall.getComment", url.Values{"owner_id": {"-1"}, "comment_id": {itoa(id)}, "access_token": {"user-token"}})
		items := out["response"].(map[string]any)["items"].([]any)
		require.Len(t, items, 1)
		return items[0].(map[string]any)
	}
	assert.Equal(t, "words", comment()["text"])
	assert.NotContains(t, comment(), "deleted")
	require.True(t, s.DeleteComment(1, WallComment, 0, 7, id, 7))
	assert.Equal(t, float64(1), comment()["deleted"])
	out := post(t, s, "wall.getComment", url.Values{"owner_id": {"-1"}, "comment_id": {"99999"}, "access_token": {"user-token"}})
	assert.Contains(t, out, "error")
	out = post(t, s, "wall.getComment", url.Values{"owner_id": {"-1"}, "comment_id": {itoa(id)}, "access_token": {token}})
	assert.Equal(t, float64(ErrGroupAuth), out["error"].(map[string]any)["error_code"], "a user token only")
}

// A held long poll answers only once released.
func TestHoldLongPoll(t *testing.T) {
	s := newServer(t)
	server, key, ts := longPollServer(t, s)
	release := s.Hold("a_check")
	s.Ban(1, 7, 42, 0, "", 0)
	answered := later(func() (*http.Response, error) {
		return http.Get(server + "?act=a_check&key=" + key + "&ts=" + ts + "&wait=1")
	})
	require.Eventually(t, func() bool { return s.Calls("a_check") == 1 }, 5*time.Second, time.Millisecond)
	// Another method answers while the long poll is held; the long poll answers after it.
	post(t, s, "users.get", url.Values{"user_ids": {"42"}, "access_token": {token}})
	select {
	case <-answered:
		t.Fatal("a held long poll answered before its release")
	default:
	}
	release()
	select {
	case out := <-answered:
		assert.Contains(t, out, "user_block")
	case <-time.After(5 * time.Second):
		t.Fatal("the released long poll never answered")
	}
}
