package vktest

import (
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
