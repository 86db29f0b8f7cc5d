package vk

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// An answer labelled gzip that is not gzip makes vksdk dereference a nil reader. Every
// call made through a token's budget turns that panic into an error, whichever component
// made it; a reversal's error says that whether VK did it is unknown.
func TestUnreadableAnswerIsAnError(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		carryOut bool
		call     func(t *testing.T, srv *vktest.Server, d domain, commentID int64) error
		problem  justify.UndoProblem // for reversals
		banned   bool                // the user is still banned in VK afterwards
	}{
		{name: "an unban VK carried out", method: "groups.unban", carryOut: true, problem: justify.UndoFailed,
			call: func(_ *testing.T, srv *vktest.Server, _ domain, _ int64) error {
				return NewReverser(srv.URL(), map[int64]string{testGroup: userToken}, nil).Unban(context.Background(), testGroup, 222)
			}},
		{name: "an unban VK did not carry out", method: "groups.unban", problem: justify.UndoFailed, banned: true,
			call: func(_ *testing.T, srv *vktest.Server, _ domain, _ int64) error {
				return NewReverser(srv.URL(), map[int64]string{testGroup: userToken}, nil).Unban(context.Background(), testGroup, 222)
			}},
		{name: "a restore", method: "wall.restoreComment", carryOut: true, problem: justify.UndoFailed, banned: true,
			call: func(_ *testing.T, srv *vktest.Server, _ domain, id int64) error {
				return NewReverser(srv.URL(), map[int64]string{testGroup: userToken}, nil).Restore(context.Background(),
					justify.Ref{GroupID: testGroup, Place: justify.PlaceWallComment, OwnerID: -testGroup, ParentID: 7, ItemID: id})
			}},
		{name: "a look at the ban list", method: "groups.getBanned", banned: true,
			call: func(_ *testing.T, srv *vktest.Server, _ domain, _ int64) error {
				_, err := NewReverser(srv.URL(), map[int64]string{testGroup: userToken}, nil).Banned(context.Background(), testGroup, 222)
				return err
			}},
		{name: "a reconciliation", method: "groups.getBanned", banned: true,
			call: func(t *testing.T, srv *vktest.Server, d domain, _ int64) error {
				r, _ := newTestReconciler(t, srv, d.svc, nil)
				_, err := r.Once(context.Background())
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			srv.AddUserToken(testGroup, userToken)
			srv.Ban(testGroup, 111, 222, 1, "", 0)
			id := srv.Comment(testGroup, vktest.WallComment, 0, 7, 222, "words")
			require.True(t, srv.DeleteComment(testGroup, vktest.WallComment, 0, 7, id, 111))
			srv.GarbleNext(tt.method, tt.carryOut)

			err := tt.call(t, srv, newDomain(t), id)

			require.Error(t, err)
			assert.ErrorIs(t, err, errClientFailed)
			assert.NotContains(t, err.Error(), userToken)
			if tt.problem != "" {
				assert.Equal(t, tt.problem, justify.ProblemOf(err))
				assert.Contains(t, err.Error(), "whether it was done is unknown")
			}
			assert.Equal(t, tt.banned, len(srv.Banned(testGroup)) == 1)
		})
	}
}

// Banned looks one user up in the ban list, with the community token when there is one.
func TestReverserBanned(t *testing.T) {
	tests := []struct {
		name      string
		users     map[int64]string
		community bool
		user      int64
		fault     func(*vktest.Server)
		want      bool
		wantErr   string
	}{
		{name: "banned, with the community token", community: true, user: 222, want: true},
		{name: "not banned", community: true, user: 333},
		{name: "banned, with the admin's user token", users: map[int64]string{testGroup: userToken}, user: 222, want: true},
		{name: "VK's not found means not banned", community: true, user: 222,
			fault: func(s *vktest.Server) {
				s.FailNext("groups.getBanned", http.StatusOK, vktest.ErrorBody(vktest.ErrNotFound, "Not found"))
			}},
		{name: "no token", user: 222, wantErr: "no token is configured for community 1"},
		{name: "VK unreachable", community: true, user: 222, fault: func(s *vktest.Server) { s.FailNext("groups.getBanned", 0, "") },
			wantErr: "check the ban of user 222 in community 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			srv.AddUserToken(testGroup, userToken)
			srv.Ban(testGroup, 111, 222, 1, "", 0)
			srv.Ban(testGroup, 111, 444, 1, "", 0)
			if tt.fault != nil {
				tt.fault(srv)
			}
			r := NewReverser(srv.URL(), tt.users, nil)
			if tt.community {
				r.UseCommunityTokens(map[int64]string{testGroup: communityToken})
			}
			got, err := r.Banned(context.Background(), testGroup, tt.user)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), communityToken)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// Deleted looks a wall comment up with wall.getComment; other places cannot be looked up.
func TestReverserDeleted(t *testing.T) {
	tests := []struct {
		name    string
		place   justify.Place
		restore bool // restored in VK before the look-up
		noToken bool
		want    bool
		wantErr string
	}{
		{name: "a deleted wall comment", place: justify.PlaceWallComment, want: true},
		{name: "a restored wall comment", place: justify.PlaceWallComment, restore: true},
		{name: "a photo comment cannot be looked up", place: justify.PlacePhotoComment, wantErr: "VK offers no way to look up one photo_comment"},
		{name: "no user token", place: justify.PlaceWallComment, noToken: true, wantErr: "no admin user token is configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVK(t)
			srv.AddAdminToken(testGroup, 111, userToken)
			place := vktest.Place(tt.place)
			id := srv.Comment(testGroup, place, 0, 7, 222, "my words")
			require.True(t, srv.DeleteComment(testGroup, place, 0, 7, id, 111))
			users := map[int64]string{testGroup: userToken}
			if tt.noToken {
				users = nil
			}
			r := NewReverser(srv.URL(), users, nil)
			item := justify.Ref{GroupID: testGroup, Place: tt.place, OwnerID: -testGroup, ParentID: 7, ItemID: id}
			if tt.restore {
				require.NoError(t, r.Restore(context.Background(), item))
			}
			got, err := r.Deleted(context.Background(), item)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
