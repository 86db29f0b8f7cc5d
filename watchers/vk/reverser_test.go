package vk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

func TestReverserUnban(t *testing.T) {
	const otherGroup = int64(2)
	tests := []struct {
		name    string
		tokens  map[int64]string
		group   int64
		fault   func(*vktest.Server)
		wantErr string
		code    api.ErrorType
		call    *vktest.UnbanCall // what VK should have seen, nil for no call
	}{
		{
			name: "admin user token unbans", tokens: map[int64]string{testGroup: userToken}, group: testGroup,
			call: &vktest.UnbanCall{GroupID: testGroup, UserID: 222, TokenType: vktest.TokenUser},
		},
		{
			name: "no token for the community", tokens: map[int64]string{testGroup: userToken}, group: otherGroup,
			wantErr: "no admin user token is configured for community 2",
		},
		{
			name: "community token is refused", tokens: map[int64]string{testGroup: communityToken}, group: testGroup,
			wantErr: "not an admin's user token (VK error 27)", code: api.ErrGroupAuth,
			call: &vktest.UnbanCall{GroupID: testGroup, UserID: 222, TokenType: vktest.TokenCommunity, ErrorCode: 27},
		},
		{
			name: "revoked token", tokens: map[int64]string{testGroup: "vk1.a.REVOKED-SECRET"}, group: testGroup,
			wantErr: "the admin's user token is no longer valid", code: api.ErrAuth,
			call: &vktest.UnbanCall{GroupID: testGroup, UserID: 222, ErrorCode: 5},
		},
		{
			name: "other VK refusal", tokens: map[int64]string{testGroup: userToken}, group: testGroup,
			fault: func(s *vktest.Server) {
				s.FailNext("groups.unban", http.StatusOK, vktest.ErrorBody(100, "One of the parameters specified was missing or invalid"))
			},
			wantErr: "VK refused: One of the parameters specified was missing or invalid (error 100)", code: 100,
		},
		{
			name: "VK unreachable", tokens: map[int64]string{testGroup: userToken}, group: testGroup,
			fault:   func(s *vktest.Server) { s.FailNext("groups.unban", 0, "") },
			wantErr: "could not reach VK",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			srv.AddUserToken(testGroup, userToken)
			srv.Ban(testGroup, 111, 222, 1, "", 0)
			if tt.fault != nil {
				tt.fault(srv)
			}
			r := NewReverser(srv.URL(), tt.tokens, nil)

			err := r.Unban(context.Background(), tt.group, 222)

			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Empty(t, srv.Banned(testGroup), "the ban is lifted in VK")
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				for _, tok := range tt.tokens {
					assert.NotContains(t, err.Error(), tok)
				}
				if tt.code != 0 {
					assert.Equal(t, tt.code, vkCode(err), "the VK error stays inspectable")
				}
				assert.Len(t, srv.Banned(testGroup), 1)
			}
			if tt.call == nil {
				assert.Empty(t, srv.Unbans())
			} else {
				assert.Equal(t, []vktest.UnbanCall{*tt.call}, srv.Unbans())
			}
		})
	}
}

// A reversal in VK comes back as user_unblock, which is what closes the case as undone.
func TestReverserUnbanIsSeenByWatcher(t *testing.T) {
	srv := newVK(t)
	srv.AddAdminToken(testGroup, 111, userToken)
	sink := seeded(srv)
	startWatcher(t, srv, sink, nil)
	srv.Ban(testGroup, 111, 222, 1, "", 0)
	waitEvents(t, sink, 1)

	require.NoError(t, NewReverser(srv.URL(), map[int64]string{testGroup: userToken}, nil).Unban(context.Background(), testGroup, 222))
	evs := waitEvents(t, sink, 2)
	assert.Equal(t, int64(222), evs[1].UserVKID)
	assert.Equal(t, int64(111), evs[1].ActorVKID)
	assert.False(t, evs[1].Expired)
}

func TestRedact(t *testing.T) {
	inner := &url.Error{Op: "Get", URL: "https://api.example/method/x?access_token=" + userToken + "&v=5.199", Err: errors.New("EOF")}
	tests := []struct {
		name string
		err  error
	}{
		{name: "url error", err: inner},
		{name: "wrapped url error", err: errors.Join(errors.New("call"), inner)},
		{name: "token in plain text", err: errors.New("bad token " + userToken)},
		{name: "deadline", err: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact(tt.err, userToken)
			require.Error(t, got)
			assert.NotContains(t, got.Error(), userToken)
			assert.NotContains(t, got.Error(), "access_token")
		})
	}
	assert.ErrorIs(t, redact(context.DeadlineExceeded, userToken), context.DeadlineExceeded)
}

func TestReverserRestore(t *testing.T) {
	const parent = int64(77)
	commentRef := func(place justify.Place, id int64) justify.Ref {
		return justify.Ref{GroupID: testGroup, Place: place, OwnerID: -testGroup, ParentID: parent, ItemID: id}
	}
	tests := []struct {
		name      string
		place     justify.Place
		userToken string // the reverser's user token for testGroup; "" for none
		community bool   // give the reverser the community token too
		notDelete bool   // leave the comment in place (someone restored it first)
		item      func(id int64) justify.Ref
		fault     func(*vktest.Server)
		wantErr   string
		errIs     error
		code      api.ErrorType
		call      *vktest.RestoreCall // CommentID is filled in; nil for no call
	}{
		{name: "wall comment", place: justify.PlaceWallComment, userToken: userToken,
			call: &vktest.RestoreCall{Method: "wall.restoreComment", Place: vktest.WallComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenUser}},
		{name: "photo comment", place: justify.PlacePhotoComment, userToken: userToken,
			call: &vktest.RestoreCall{Method: "photos.restoreComment", Place: vktest.PhotoComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenUser}},
		{name: "video comment", place: justify.PlaceVideoComment, userToken: userToken,
			call: &vktest.RestoreCall{Method: "video.restoreComment", Place: vktest.VideoComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenUser}},
		{name: "market comment", place: justify.PlaceMarketComment, userToken: userToken,
			call: &vktest.RestoreCall{Method: "market.restoreComment", Place: vktest.MarketComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenUser}},
		{name: "board post with the community token", place: justify.PlaceBoardPost, community: true,
			call: &vktest.RestoreCall{Method: "board.restoreComment", Place: vktest.BoardPost, GroupID: testGroup, OwnerID: -testGroup, TopicID: parent, TokenType: vktest.TokenCommunity}},
		{name: "board post without the community token", place: justify.PlaceBoardPost, userToken: userToken,
			wantErr: "no community token is configured for community 1"},
		{name: "already restored counts as done", place: justify.PlaceWallComment, userToken: userToken, notDelete: true,
			call: &vktest.RestoreCall{Method: "wall.restoreComment", Place: vktest.WallComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenUser, ErrorCode: vktest.ErrNotDeleted}},
		{name: "no user token", place: justify.PlacePhotoComment, community: true,
			wantErr: "no admin user token is configured for community 1", errIs: ErrNoUserToken},
		{name: "community token given as the user token", place: justify.PlaceVideoComment, userToken: communityToken,
			wantErr: "not an admin's user token (VK error 27)", code: api.ErrGroupAuth,
			call: &vktest.RestoreCall{Method: "video.restoreComment", Place: vktest.VideoComment, GroupID: testGroup, OwnerID: -testGroup, TokenType: vktest.TokenCommunity, ErrorCode: vktest.ErrGroupAuth}},
		{name: "revoked user token", place: justify.PlaceMarketComment, userToken: "vk1.a.REVOKED-SECRET",
			wantErr: "the admin's user token is no longer valid", code: api.ErrAuth,
			call: &vktest.RestoreCall{Method: "market.restoreComment", Place: vktest.MarketComment, GroupID: testGroup, OwnerID: -testGroup, ErrorCode: vktest.ErrAuth}},
		{name: "revoked community token", place: justify.PlaceBoardPost, community: true,
			fault: func(s *vktest.Server) {
				s.FailNext("board.restoreComment", 200, `{"error":{"error_code":5,"error_msg":"User authorization failed: invalid access_token"}}`)
			},
			wantErr: "the community token is no longer valid", code: api.ErrAuth},
		{name: "unknown comment", place: justify.PlaceWallComment, userToken: userToken,
			item:    func(int64) justify.Ref { return commentRef(justify.PlaceWallComment, 99999) },
			wantErr: "VK refused: Not found (error 104)", code: vktest.ErrNotFound,
			call: &vktest.RestoreCall{Method: "wall.restoreComment", Place: vktest.WallComment, GroupID: testGroup, OwnerID: -testGroup, CommentID: 99999, TokenType: vktest.TokenUser, ErrorCode: vktest.ErrNotFound}},
		{name: "wall post cannot come back", place: justify.PlaceWallComment, userToken: userToken,
			item: func(int64) justify.Ref {
				return justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: 5}
			},
			wantErr: "VK cannot restore a deleted wall_post; only comments and board posts come back"},
		{name: "message cannot come back", place: justify.PlaceWallComment, userToken: userToken,
			item: func(int64) justify.Ref {
				return justify.Ref{GroupID: testGroup, Place: justify.PlaceMessage, OwnerID: 222, ItemID: 5}
			},
			wantErr: "VK cannot restore a deleted message"},
		{name: "VK unreachable", place: justify.PlacePhotoComment, userToken: userToken,
			fault:   func(s *vktest.Server) { s.FailNext("photos.restoreComment", 0, "") },
			wantErr: "could not reach VK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			srv.AddAdminToken(testGroup, 111, userToken)
			place := vktest.Place(tt.place)
			id := srv.Comment(testGroup, place, 0, parent, 222, "my words")
			if !tt.notDelete {
				require.True(t, srv.DeleteComment(testGroup, place, 0, parent, id, 111))
			}
			if tt.fault != nil {
				tt.fault(srv)
			}
			users := map[int64]string{}
			if tt.userToken != "" {
				users[testGroup] = tt.userToken
			}
			r := NewReverser(srv.URL(), users, nil)
			if tt.community {
				r.UseCommunityTokens(map[int64]string{testGroup: communityToken})
			}
			item := commentRef(tt.place, id)
			if tt.item != nil {
				item = tt.item(id)
			}
			before := len(srv.Events(testGroup))

			err := r.Restore(context.Background(), item)

			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.False(t, srv.CommentDeleted(testGroup, place, 0, id), "the comment is back in VK")
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				for _, tok := range []string{userToken, communityToken, tt.userToken} {
					if tok != "" {
						assert.NotContains(t, err.Error(), tok)
					}
				}
				if tt.errIs != nil {
					assert.ErrorIs(t, err, tt.errIs)
				}
				if tt.code != 0 {
					assert.Equal(t, tt.code, vkCode(err), "the VK error stays inspectable")
				}
				assert.Equal(t, !tt.notDelete, srv.CommentDeleted(testGroup, place, 0, id))
			}
			if tt.call == nil {
				assert.Empty(t, srv.Restores())
			} else {
				want := *tt.call
				if want.CommentID == 0 {
					want.CommentID = id
				}
				assert.Equal(t, []vktest.RestoreCall{want}, srv.Restores())
			}
			// A restore made in VK comes back as <place>_restore naming the same item, which
			// is what closes the case as undone.
			evs := srv.Events(testGroup)
			if tt.wantErr == "" && !tt.notDelete {
				require.Len(t, evs, before+1)
				ev, ok, err := DecodeUpdate(testGroup, evs[len(evs)-1])
				require.NoError(t, err)
				require.True(t, ok)
				assert.Equal(t, justify.EventRestore, ev.Kind)
				assert.Equal(t, item.Key(), ev.Item.Key())
			} else {
				assert.Len(t, evs, before, "nothing was restored, so VK says nothing")
			}
		})
	}
}

// Each refusal names its problem, so the manager reads why in their own language.
func TestReverserNamesTheProblem(t *testing.T) {
	r := NewReverser("http://vk.test/method/", nil, nil)
	assert.Equal(t, justify.UndoNoToken, justify.ProblemOf(r.Unban(context.Background(), 1, 2)))
	assert.Equal(t, justify.UndoNoToken, justify.ProblemOf(r.Restore(context.Background(), justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, ItemID: 3})))
	assert.Equal(t, justify.UndoRefused, justify.ProblemOf(errors.New("anything else")))
}
