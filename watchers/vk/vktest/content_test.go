package vktest

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const adminUserToken = "vk1.a.ADMIN-USER-SECRET"

func newAPI(s *Server, token string) *api.VK {
	vk := api.NewVK(token)
	vk.MethodURL = s.URL()
	return vk
}

func vkErrorCode(err error) api.ErrorType {
	if e, ok := err.(*api.Error); ok {
		return e.Code
	}
	return 0
}

func TestWallReadMethods(t *testing.T) {
	s := newServer(t)
	s.AddAdminToken(1, 111, adminUserToken)
	old := s.AddPostSilently(1, 222, "written before modwatch")
	p1 := s.Post(1, 333, "my order is late")
	p2 := s.SuggestPost(1, 444, "please publish")
	gone := s.Post(1, 555, "spam")
	require.True(t, s.RemovePost(1, gone))
	require.False(t, s.RemovePost(1, gone), "a removed post cannot be removed again")
	c1 := s.AddCommentSilently(1, WallComment, 0, p1, 666, "me too")
	c2 := s.Comment(1, WallComment, -1, p1, 777, "and me")
	user := newAPI(s, adminUserToken)

	t.Run("getById returns existing posts only, in vksdk's array shape", func(t *testing.T) {
		posts, err := user.WallGetByID(api.Params{"posts": "-1_" + itoa(old) + ",-1_" + itoa(gone) + ",-1_" + itoa(p1) + ",-1_999999"})
		require.NoError(t, err)
		require.Len(t, posts, 2)
		assert.Equal(t, int(old), posts[0].ID)
		assert.Equal(t, 222, posts[0].FromID)
		assert.Equal(t, "written before modwatch", posts[0].Text)
		assert.Equal(t, int(p1), posts[1].ID)
		assert.Equal(t, -1, posts[1].OwnerID)
		assert.Equal(t, 2, posts[1].Comments.Count)
	})
	t.Run("getById answers items from 5.137 on", func(t *testing.T) {
		var out struct {
			Items []struct {
				ID int `json:"id"`
			} `json:"items"`
		}
		vk := newAPI(s, adminUserToken)
		vk.Version = "5.199"
		require.NoError(t, vk.RequestUnmarshal("wall.getById", &out, api.Params{"posts": "-1_" + itoa(p2)}))
		require.Len(t, out.Items, 1)
		assert.Equal(t, int(p2), out.Items[0].ID)
	})
	t.Run("get lists newest first without suggestions or removed posts", func(t *testing.T) {
		res, err := user.WallGet(api.Params{"owner_id": -1, "count": 10})
		require.NoError(t, err)
		require.Equal(t, 2, res.Count)
		assert.Equal(t, int(p1), res.Items[0].ID)
		assert.Equal(t, int(old), res.Items[1].ID)
		page, err := user.WallGet(api.Params{"owner_id": -1, "count": 1, "offset": 1})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, int(old), page.Items[0].ID)
		sug, err := user.WallGet(api.Params{"owner_id": -1, "filter": "suggests"})
		require.NoError(t, err)
		require.Len(t, sug.Items, 1)
		assert.Equal(t, "suggest", sug.Items[0].PostType)
	})
	t.Run("getComments", func(t *testing.T) {
		res, err := user.WallGetComments(api.Params{"owner_id": -1, "post_id": p1, "sort": "desc"})
		require.NoError(t, err)
		require.Equal(t, 2, res.Count)
		assert.Equal(t, int(c2), res.Items[0].ID)
		assert.Equal(t, 777, res.Items[0].FromID)
		assert.Equal(t, int(c1), res.Items[1].ID)
		assert.Equal(t, int(p1), res.Items[1].PostID)
		_, err = user.WallGetComments(api.Params{"owner_id": -1, "post_id": gone})
		assert.Equal(t, api.ErrorType(ErrParam), vkErrorCode(err))
	})
	t.Run("a comment on an unknown post creates it", func(t *testing.T) {
		s.AddCommentSilently(1, WallComment, 0, 4242, 888, "hello")
		res, err := user.WallGetComments(api.Params{"owner_id": -1, "post_id": 4242})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Count)
	})
	tokens := []struct {
		name  string
		token string
		code  api.ErrorType
	}{
		{"community token", token, ErrGroupAuth},
		{"unknown token", "vk1.a.NOPE", ErrAuth},
	}
	for _, tt := range tokens {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			vk := newAPI(s, tt.token)
			_, err := vk.WallGetByID(api.Params{"posts": "-1_" + itoa(p1)})
			assert.Equal(t, tt.code, vkErrorCode(err))
			_, err = vk.WallGet(api.Params{"owner_id": -1})
			assert.Equal(t, tt.code, vkErrorCode(err))
			_, err = vk.WallGetComments(api.Params{"owner_id": -1, "post_id": p1})
			assert.Equal(t, tt.code, vkErrorCode(err))
		})
	}
}

// wall.get by domain takes a community's address, club<id> or public<id>; anything else
// after the prefix names no community, even when stripping more letters would leave an id.
func TestWallGetByDomain(t *testing.T) {
	s := newServer(t)
	s.AddAdminToken(1, 111, adminUserToken)
	p := s.Post(1, 333, "my order is late")
	user := newAPI(s, adminUserToken)
	tests := []struct {
		name   string
		domain string
		code   api.ErrorType // 0: the wall of community 1
	}{
		{name: "club address", domain: "club1"},
		{name: "public address", domain: "public1"},
		{name: "letters after club", domain: "clubb1", code: ErrAccess},
		{name: "two prefixes", domain: "publicclub1", code: ErrAccess},
		{name: "letters after public", domain: "publicc1", code: ErrAccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := user.WallGet(api.Params{"domain": tt.domain})
			if tt.code != 0 {
				assert.Equal(t, tt.code, vkErrorCode(err))
				return
			}
			require.NoError(t, err)
			require.Len(t, res.Items, 1)
			assert.Equal(t, int(p), res.Items[0].ID)
		})
	}
}

// lastObject returns the type and object of the community's last pushed event.
func lastObject(t *testing.T, s *Server) (string, map[string]any) {
	t.Helper()
	evs := s.Events(1)
	require.NotEmpty(t, evs)
	var env struct {
		Type    string         `json:"type"`
		GroupID int64          `json:"group_id"`
		EventID string         `json:"event_id"`
		V       string         `json:"v"`
		Object  map[string]any `json:"object"`
	}
	require.NoError(t, json.Unmarshal(evs[len(evs)-1], &env))
	assert.Equal(t, int64(1), env.GroupID)
	assert.NotEmpty(t, env.EventID)
	assert.Equal(t, eventVersion, env.V)
	return env.Type, env.Object
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The pushed objects follow each family's real shape, VK's inconsistencies included.
func TestCommentEventShapes(t *testing.T) {
	tests := []struct {
		place             Place
		newType, delType  string
		parentKey, ownKey string
		delKeys           []string
	}{
		{WallComment, "wall_reply_new", "wall_reply_delete", "post_id", "post_owner_id", []string{"deleter_id", "id", "owner_id", "post_id"}},
		{PhotoComment, "photo_comment_new", "photo_comment_delete", "photo_id", "photo_owner_id", []string{"deleter_id", "id", "owner_id", "photo_id", "user_id"}},
		{VideoComment, "video_comment_new", "video_comment_delete", "video_id", "video_owner_id", []string{"deleter_id", "id", "owner_id", "video_id"}},
		{MarketComment, "market_comment_new", "market_comment_delete", "item_id", "market_owner_id", []string{"id", "item_id", "owner_id", "user_id"}},
		{BoardPost, "board_post_new", "board_post_delete", "topic_id", "topic_owner_id", []string{"deleter_id", "id", "topic_id", "topic_owner_id"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.place), func(t *testing.T) {
			s := newServer(t)
			id := s.Comment(1, tt.place, 0, 77, 222, "hi")
			typ, obj := lastObject(t, s)
			assert.Equal(t, tt.newType, typ)
			assert.Equal(t, float64(id), obj["id"])
			assert.Equal(t, float64(222), obj["from_id"])
			assert.Equal(t, float64(77), obj[tt.parentKey])
			assert.Equal(t, float64(-1), obj[tt.ownKey])

			require.True(t, s.EditComment(1, tt.place, 0, id, "hi again"))
			typ, obj = lastObject(t, s)
			assert.Equal(t, strings.Replace(tt.newType, "_new", "_edit", 1), typ)
			assert.Equal(t, "hi again", obj["text"])

			require.True(t, s.DeleteComment(1, tt.place, -1, 77, id, 111))
			typ, obj = lastObject(t, s)
			assert.Equal(t, tt.delType, typ)
			assert.Equal(t, tt.delKeys, keys(obj))
			assert.False(t, s.EditComment(1, tt.place, 0, id, "gone"), "a deleted comment cannot be edited")
		})
	}
}

func TestMessagesAndOfficers(t *testing.T) {
	s := newServer(t)
	id := s.Message(1, 333, "hello")
	typ, obj := lastObject(t, s)
	assert.Equal(t, "message_new", typ)
	msg := obj["message"].(map[string]any)
	assert.Equal(t, float64(id), msg["id"])
	assert.Equal(t, float64(333), msg["peer_id"])
	assert.Equal(t, float64(0), msg["out"])
	assert.NotNil(t, obj["client_info"])

	require.True(t, s.EditMessage(1, id, "hello?"))
	typ, obj = lastObject(t, s)
	assert.Equal(t, "message_edit", typ)
	assert.Equal(t, "hello?", obj["text"])

	rid := s.MessageReply(1, 333, 111, "hi")
	typ, obj = lastObject(t, s)
	assert.Equal(t, "message_reply", typ)
	assert.Equal(t, float64(rid), obj["id"])
	assert.Equal(t, float64(1), obj["out"])
	assert.Equal(t, float64(-1), obj["from_id"])
	assert.Equal(t, float64(111), obj["admin_author_id"])
	assert.False(t, s.EditMessage(1, rid, "x"), "the community's message is not the customer's to edit")

	s.ChangeOfficers(1, 111, 555, 0, 2)
	typ, obj = lastObject(t, s)
	assert.Equal(t, "group_officers_edit", typ)
	assert.Equal(t, map[string]any{"admin_id": float64(111), "user_id": float64(555), "level_old": float64(0), "level_new": float64(2)}, obj)

	n := len(s.Events(1))
	s.AddPostSilently(1, 222, "old")
	s.AddCommentSilently(1, PhotoComment, 0, 9, 222, "old")
	assert.Len(t, s.Events(1), n, "silent content pushes nothing")
}

func TestRestoreCommentTokens(t *testing.T) {
	tests := []struct {
		name   string
		method string
		params url.Values
		token  string
		delete bool
		code   int
		msg    string
	}{
		{name: "wall with admin token", method: "wall.restoreComment", token: adminUserToken, delete: true},
		{name: "wall with community token", method: "wall.restoreComment", token: token, delete: true, code: ErrGroupAuth, msg: msgGroupAuth},
		{name: "wall with unknown token", method: "wall.restoreComment", token: "vk1.a.NOPE", delete: true, code: ErrAuth, msg: msgAuth},
		{name: "wall with another community's admin", method: "wall.restoreComment", token: "vk1.a.OTHER-ADMIN", delete: true, code: ErrAccess, msg: msgAccess},
		{name: "wall not deleted", method: "wall.restoreComment", token: adminUserToken, code: ErrNotDeleted, msg: "Comment has not been deleted"},
		{name: "board with community token", method: "board.restoreComment", token: token, delete: true},
		{name: "board with admin token", method: "board.restoreComment", token: adminUserToken, delete: true},
		{name: "board with another community's token", method: "board.restoreComment", token: "vk1.a.OTHER-COMMUNITY", delete: true, code: ErrAccess, msg: msgAccess},
		{name: "board in the wrong topic", method: "board.restoreComment", token: token, delete: true,
			params: url.Values{"topic_id": {"78"}}, code: ErrNotFound, msg: msgNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			s.AddAdminToken(1, 111, adminUserToken)
			s.AddGroup(2, "vk1.a.OTHER-COMMUNITY")
			s.AddAdminToken(2, 999, "vk1.a.OTHER-ADMIN")
			place := restoreMethods[tt.method]
			id := s.Comment(1, place, 0, 77, 222, "hi")
			if tt.delete {
				require.True(t, s.DeleteComment(1, place, 0, 77, id, 111))
			}
			form := url.Values{"access_token": {tt.token}, "comment_id": {itoa(id)}, "v": {"5.199"}}
			if place == BoardPost {
				form.Set("group_id", "1")
				form.Set("topic_id", "77")
			} else {
				form.Set("owner_id", "-1")
			}
			for k, v := range tt.params {
				form[k] = v
			}
			n := len(s.Events(1))
			out := post(t, s, tt.method, form)
			calls := s.Restores()
			require.Len(t, calls, 1)
			assert.Equal(t, tt.code, calls[0].ErrorCode)
			if tt.code != 0 {
				e := out["error"].(map[string]any)
				assert.Equal(t, float64(tt.code), e["error_code"])
				assert.Equal(t, tt.msg, e["error_msg"])
				assert.NotContains(t, toJSON(t, out), tt.token, "VK never echoes the token")
				assert.Equal(t, tt.delete, s.CommentDeleted(1, place, 0, id))
				assert.Len(t, s.Events(1), n)
				return
			}
			assert.Equal(t, float64(1), out["response"])
			assert.False(t, s.CommentDeleted(1, place, 0, id))
			typ, obj := lastObject(t, s)
			assert.Equal(t, place.eventPrefix()+"_restore", typ)
			assert.Equal(t, float64(id), obj["id"])
		})
	}
}

func toJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestWallGetCommentsThreads(t *testing.T) {
	s := newServer(t)
	s.AddAdminToken(1, 111, adminUserToken)
	s.SetName(222, "Ivan", "Buyer")
	p := s.AddPostSilently(1, -1, "news")
	q := s.AddCommentSilently(1, WallComment, 0, p, 222, "question")
	a := s.ReplyAsCommunity(1, WallComment, 0, p, q, "answer")
	f := s.Reply(1, WallComment, 0, p, 222, a, "follow-up") // a reply to a reply joins the thread
	other := s.Comment(1, WallComment, 0, p, 333, "another question")
	typ, obj := lastObject(t, s)
	require.Equal(t, "wall_reply_new", typ)
	assert.Equal(t, []any{}, obj["parents_stack"])
	user := newAPI(s, adminUserToken)

	var page struct {
		Count             int `json:"count"`
		CurrentLevelCount int `json:"current_level_count"`
		Items             []struct {
			ID             int64   `json:"id"`
			ParentsStack   []int64 `json:"parents_stack"`
			ReplyToComment int64   `json:"reply_to_comment"`
			Thread         struct {
				Count int `json:"count"`
				Items []struct {
					ID             int64   `json:"id"`
					FromID         int64   `json:"from_id"`
					ParentsStack   []int64 `json:"parents_stack"`
					ReplyToComment int64   `json:"reply_to_comment"`
				} `json:"items"`
			} `json:"thread"`
		} `json:"items"`
		Profiles []struct {
			ID        int64  `json:"id"`
			FirstName string `json:"first_name"`
		} `json:"profiles"`
		Groups []struct {
			ID int64 `json:"id"`
		} `json:"groups"`
	}
	require.NoError(t, user.RequestUnmarshal("wall.getComments", &page, api.Params{
		"owner_id": -1, "post_id": p, "extended": 1, "thread_items_count": 10,
	}))
	assert.Equal(t, 4, page.Count)
	assert.Equal(t, 2, page.CurrentLevelCount)
	require.Len(t, page.Items, 2)
	assert.Equal(t, q, page.Items[0].ID)
	assert.Equal(t, other, page.Items[1].ID)
	assert.Equal(t, 2, page.Items[0].Thread.Count)
	require.Len(t, page.Items[0].Thread.Items, 2)
	assert.Equal(t, a, page.Items[0].Thread.Items[0].ID)
	assert.Equal(t, int64(-1), page.Items[0].Thread.Items[0].FromID)
	assert.Equal(t, []int64{q}, page.Items[0].Thread.Items[0].ParentsStack)
	assert.Equal(t, f, page.Items[0].Thread.Items[1].ID)
	assert.Equal(t, a, page.Items[0].Thread.Items[1].ReplyToComment)
	assert.Equal(t, []int64{q}, page.Items[0].Thread.Items[1].ParentsStack)
	require.Len(t, page.Profiles, 2)
	assert.Equal(t, "Ivan", page.Profiles[0].FirstName)
	require.Len(t, page.Groups, 1)
	assert.Equal(t, int64(1), page.Groups[0].ID)

	// Without thread_items_count VK leaves the replies out; comment_id lists one thread.
	require.NoError(t, user.RequestUnmarshal("wall.getComments", &page, api.Params{"owner_id": -1, "post_id": p}))
	require.Len(t, page.Items, 2)
	assert.Empty(t, page.Items[0].Thread.Items)
	assert.Equal(t, 2, page.Items[0].Thread.Count)
	require.NoError(t, user.RequestUnmarshal("wall.getComments", &page, api.Params{"owner_id": -1, "post_id": p, "comment_id": q, "sort": "desc"}))
	require.Len(t, page.Items, 2)
	assert.Equal(t, f, page.Items[0].ID)
	assert.Equal(t, a, page.Items[1].ID)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
