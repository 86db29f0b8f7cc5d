package vktest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "vk1.a.COMMUNITY-SECRET"

func post(t *testing.T, s *Server, method string, form url.Values) map[string]any {
	t.Helper()
	resp, err := http.PostForm(s.URL()+method, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func get(t *testing.T, ctx context.Context, u string) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return out
}

// later makes a request in the background and delivers its body, or its error, when it
// answers; not post or get: require must not stop the test from another goroutine.
func later(do func() (*http.Response, error)) <-chan string {
	answered := make(chan string, 1)
	go func() {
		resp, err := do()
		if err != nil {
			answered <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	return answered
}

func newServer(t *testing.T) *Server {
	s := New()
	t.Cleanup(s.Close)
	s.AddGroup(1, token)
	return s
}

func longPollServer(t *testing.T, s *Server) (server, key, ts string) {
	out := post(t, s, "groups.getLongPollServer", url.Values{"group_id": {"1"}, "access_token": {token}})
	r := out["response"].(map[string]any)
	return r["server"].(string), r["key"].(string), r["ts"].(string)
}

func TestErrorsFollowVKFormat(t *testing.T) {
	s := newServer(t)
	out := post(t, s, "groups.unban", url.Values{"group_id": {"1"}, "owner_id": {"5"}, "access_token": {token}})
	e := out["error"].(map[string]any)
	assert.Equal(t, float64(27), e["error_code"])
	assert.Equal(t, "Group authorization failed: method is unavailable with group auth.", e["error_msg"])
	raw, _ := json.Marshal(e["request_params"])
	assert.Contains(t, string(raw), `{"key":"method","value":"groups.unban"}`)
	assert.NotContains(t, string(raw), "access_token")
	assert.NotContains(t, string(raw), token)

	out = post(t, s, "groups.getLongPollServer", url.Values{"group_id": {"1"}, "access_token": {"wrong"}})
	assert.Equal(t, float64(5), out["error"].(map[string]any)["error_code"])

	s.AddGroup(2, "other-community")
	out = post(t, s, "groups.getLongPollServer", url.Values{"group_id": {"1"}, "access_token": {"other-community"}})
	assert.Equal(t, float64(15), out["error"].(map[string]any)["error_code"], "another community's token")
}

func TestLongPollWireFormat(t *testing.T) {
	s := newServer(t)
	server, key, ts := longPollServer(t, s)
	_, err := strconv.Atoi(ts)
	require.NoError(t, err, "ts is a numeric string")
	check := func(key, ts string) string {
		return server + "?" + url.Values{"act": {"a_check"}, "key": {key}, "ts": {ts}, "wait": {"0"}}.Encode()
	}
	ctx := context.Background()

	id := s.Ban(1, 111, 222, 1, "spam", 0)
	out := get(t, ctx, check(key, ts))
	assert.Equal(t, "2", out["ts"], "ts is a string in a normal answer")
	ups := out["updates"].([]any)
	require.Len(t, ups, 1)
	up := ups[0].(map[string]any)
	assert.Equal(t, "user_block", up["type"])
	assert.Equal(t, id, up["event_id"])
	assert.Equal(t, float64(1), up["group_id"])
	assert.NotEmpty(t, up["v"])
	assert.Equal(t, map[string]any{"admin_id": 111.0, "user_id": 222.0, "unblock_date": 0.0, "reason": 1.0, "comment": "spam"}, up["object"])

	assert.Equal(t, map[string]any{"failed": 2.0}, get(t, ctx, check("wrong", ts)))
	assert.Equal(t, map[string]any{"failed": 1.0, "ts": 2.0}, get(t, ctx, check(key, "99")), "ts is a number when failed")

	s.FailLongPoll(1, 3)
	assert.Equal(t, map[string]any{"failed": 3.0}, get(t, ctx, check(key, ts)))
	assert.Equal(t, map[string]any{"failed": 2.0}, get(t, ctx, check(key, ts)), "failed 3 expires the key")
}

func TestLongPollBlocksUntilEvent(t *testing.T) {
	s := newServer(t)
	server, key, ts := longPollServer(t, s)
	u := server + "?" + url.Values{"act": {"a_check"}, "key": {key}, "ts": {ts}, "wait": {"60"}}.Encode()
	var wg sync.WaitGroup
	var out map[string]any
	wg.Go(func() { out = get(t, context.Background(), u) })
	require.Eventually(t, func() bool { return s.Calls("a_check") == 1 }, 5*time.Second, time.Millisecond)
	s.Unban(1, 111, 222, true)
	wg.Wait()
	require.Len(t, out["updates"], 1)
	obj := out["updates"].([]any)[0].(map[string]any)["object"].(map[string]any)
	assert.Equal(t, 1.0, obj["by_end_date"])
}

func TestLongPollEndsWithRequest(t *testing.T) {
	s := newServer(t)
	server, key, ts := longPollServer(t, s)
	u := server + "?" + url.Values{"act": {"a_check"}, "key": {key}, "ts": {ts}, "wait": {"90"}}.Encode()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return s.Calls("a_check") == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	assert.Error(t, <-done)
}

func TestGetBannedPaginates(t *testing.T) {
	s := newServer(t)
	for u := int64(1); u <= 5; u++ {
		s.Ban(1, 111, 100+u, int(u%5), "c", 0)
	}
	s.Unban(1, 111, 103, false)
	var users []float64
	for offset := 0; ; offset += 2 {
		out := post(t, s, "groups.getBanned", url.Values{"group_id": {"1"}, "offset": {strconv.Itoa(offset)}, "count": {"2"}, "access_token": {token}})
		r := out["response"].(map[string]any)
		assert.Equal(t, 4.0, r["count"])
		items := r["items"].([]any)
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			m := it.(map[string]any)
			assert.Equal(t, "profile", m["type"])
			bi := m["ban_info"].(map[string]any)
			assert.Equal(t, 111.0, bi["admin_id"])
			users = append(users, m["profile"].(map[string]any)["id"].(float64))
		}
	}
	assert.Equal(t, []float64{101, 102, 104, 105}, users)
}

func TestUsersGetAndObserve(t *testing.T) {
	s := newServer(t)
	s.SetName(222, "Ivan", "Petrov")
	var seen []string
	var mu sync.Mutex
	s.Observe(func(m string) { mu.Lock(); seen = append(seen, m); mu.Unlock() })
	out := post(t, s, "users.get", url.Values{"user_ids": {"222,333"}, "access_token": {token}})
	us := out["response"].([]any)
	require.Len(t, us, 2)
	assert.Equal(t, "Ivan", us[0].(map[string]any)["first_name"])
	assert.NotEmpty(t, us[1].(map[string]any)["last_name"], "unknown users get a generated name")

	s.Ban(1, 111, 222, 1, "", 0)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 1)
	assert.True(t, strings.HasPrefix(seen[0], "VK: operator 111 banned user 222 in group 1"), seen[0])
}

// A held method answers only once released; other methods answer meanwhile.
func TestHoldDelaysAMethodUntilReleased(t *testing.T) {
	s := newServer(t)
	s.AddUserToken(1, "user-token")
	s.Ban(1, 7, 42, 0, "", 0)
	release := s.Hold("groups.unban")
	release2 := s.Hold("users.get") // a second hold of another method is independent
	release2()

	answered := later(func() (*http.Response, error) {
		return http.PostForm(s.URL()+"groups.unban", url.Values{"group_id": {"1"}, "owner_id": {"42"}, "access_token": {"user-token"}})
	})
	require.Eventually(t, func() bool { return s.Calls("groups.unban") == 1 }, 5*time.Second, time.Millisecond)
	// users.get answers while the unban is held; the unban answers after it.
	post(t, s, "users.get", url.Values{"user_ids": {"42"}, "access_token": {token}})
	select {
	case <-answered:
		t.Fatal("a held call answered before its release")
	default:
	}
	assert.Empty(t, s.Unbans(), "a held call is not handled yet")
	assert.Len(t, s.Banned(1), 1)

	release()
	release() // idempotent
	select {
	case out := <-answered:
		assert.JSONEq(t, `{"response":1}`, out)
	case <-time.After(5 * time.Second):
		t.Fatal("the released call never answered")
	}
	assert.Empty(t, s.Banned(1))
	// Later calls are not held.
	s.Ban(1, 7, 43, 0, "", 0)
	out := post(t, s, "groups.unban", url.Values{"group_id": {"1"}, "owner_id": {"43"}, "access_token": {"user-token"}})
	assert.Equal(t, float64(1), out["response"])
}
