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
