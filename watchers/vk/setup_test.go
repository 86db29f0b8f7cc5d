package vk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

const (
	otherGroup          = int64(2)
	otherCommunityToken = "vk1.a.OTHER-COMMUNITY-SECRET-0123456789"
)

// apiSample reads one of VK's answers kept in testdata/vk/api.
func apiSample(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vk", "api", name))
	require.NoError(t, err)
	var env struct {
		Response json.RawMessage `json:"response"`
	}
	require.NoError(t, json.Unmarshal(b, &env))
	return env.Response
}

// named lists problems as "check name", for short assertions.
func named(ps []justify.SetupProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p.Check)+" "+p.Name)
	}
	return out
}

func setupServer(t *testing.T) (*vktest.Server, SetupConfig) {
	t.Helper()
	srv := vktest.New()
	t.Cleanup(srv.Close)
	srv.AddGroup(testGroup, communityToken)
	srv.AddGroup(otherGroup, otherCommunityToken)
	srv.AddAdminToken(testGroup, 100, userToken)
	return srv, SetupConfig{GroupID: testGroup, Token: communityToken, UserToken: userToken, APIURL: srv.URL()}
}

func TestCheckSetup(t *testing.T) {
	tests := []struct {
		name   string
		change func(srv *vktest.Server, cfg *SetupConfig)
		want   []string
		// required lists which of want are required; the rest are warnings.
		required []string
	}{
		{name: "set up as modwatch needs", change: func(*vktest.Server, *SetupConfig) {}},
		{name: "no user token, no check of it", change: func(_ *vktest.Server, cfg *SetupConfig) { cfg.UserToken = "" }},
		{
			name:   "an event type is off",
			change: func(srv *vktest.Server, _ *SetupConfig) { srv.SetLongPollEvent(testGroup, "wall_reply_delete", false) },
			want:   []string{"events wall_reply_delete"}, required: []string{"events wall_reply_delete"},
		},
		{
			name:   "long poll off, in an old version",
			change: func(srv *vktest.Server, _ *SetupConfig) { srv.SetLongPoll(testGroup, false, "5.92") },
			want:   []string{"long_poll is_enabled", "long_poll api_version"}, required: []string{"long_poll is_enabled", "long_poll api_version"},
		},
		{
			name:   "a later version is fine",
			change: func(srv *vktest.Server, _ *SetupConfig) { srv.SetLongPoll(testGroup, true, "5.238") },
		},
		{
			name:   "another community's token",
			change: func(_ *vktest.Server, cfg *SetupConfig) { cfg.Token = otherCommunityToken },
			want:   []string{"token_owner community token"}, required: []string{"token_owner community token"},
		},
		{
			name:   "a refused community token",
			change: func(_ *vktest.Server, cfg *SetupConfig) { cfg.Token = "vk1.a.REVOKED" },
			want:   []string{"community_token community token"}, required: []string{"community_token community token"},
		},
		{
			name:   "the messages right is missing",
			change: func(srv *vktest.Server, _ *SetupConfig) { srv.SetTokenRights(testGroup, "photos", "manage") },
			want:   []string{"rights messages"}, required: []string{"rights messages"},
		},
		{
			// The administrator's user token reads the Long Poll settings instead.
			name: "manage is missing, the user token reads the settings",
			change: func(srv *vktest.Server, _ *SetupConfig) {
				srv.SetTokenRights(testGroup, "messages")
				srv.SetLongPollEvent(testGroup, "user_block", false)
			},
			want: []string{"rights manage", "events user_block"}, required: []string{"rights manage", "events user_block"},
		},
		{
			name:   "the user token is not an admin's",
			change: func(srv *vktest.Server, _ *SetupConfig) { srv.SetAdminLevel(testGroup, userToken, 0) },
			want:   []string{"user_admin user token"}, required: []string{"user_admin user token"},
		},
		{
			name:   "the user token is a community token",
			change: func(_ *vktest.Server, cfg *SetupConfig) { cfg.UserToken = otherCommunityToken },
			want:   []string{"user_token user token"}, required: []string{"user_token user token"},
		},
		{
			name: "scopes are missing",
			change: func(srv *vktest.Server, _ *SetupConfig) {
				srv.SetUserScopes(testGroup, userToken, vktest.ScopesAll&^vktest.ScopeWall&^vktest.ScopeVideo)
			},
			want: []string{"user_scopes wall", "user_scopes video"}, required: []string{"user_scopes wall"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg := setupServer(t)
			tt.change(srv, &cfg)
			problems, err := CheckSetup(t.Context(), cfg)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, named(problems))
			for _, p := range problems {
				assert.Equal(t, slices.Contains(tt.required, string(p.Check)+" "+p.Name), p.Required, p.Name)
				assert.Equal(t, testGroup, p.GroupID)
				assert.NotEmpty(t, p.Problem)
				assert.NotEmpty(t, p.Fix)
				for _, secret := range []string{communityToken, userToken, otherCommunityToken} {
					assert.NotContains(t, p.Problem+p.Fix, secret)
				}
			}
		})
	}
}

// A missing event type is named, with where to click, and FixSetup turns it on in one
// call; the next check finds nothing.
func TestFixSetupTurnsOnWhatIsMissing(t *testing.T) {
	tests := []struct {
		name   string
		change func(srv *vktest.Server, cfg *SetupConfig)
	}{
		{name: "with the community token", change: func(*vktest.Server, *SetupConfig) {}},
		{name: "with the admin's user token, the community token lacking manage", change: func(srv *vktest.Server, _ *SetupConfig) {
			srv.SetTokenRights(testGroup, "messages")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg := setupServer(t)
			tt.change(srv, &cfg)
			srv.SetLongPoll(testGroup, false, "5.81")
			srv.SetLongPollEvent(testGroup, "wall_reply_delete", false)
			srv.SetLongPollEvent(testGroup, "message_reply", false)

			problems, err := CheckSetup(t.Context(), cfg)
			require.NoError(t, err)
			byName := map[string]justify.SetupProblem{}
			for _, p := range problems {
				byName[p.Name] = p
			}
			require.Contains(t, byName, "wall_reply_delete")
			assert.Equal(t, "Manage community → API usage → Long Poll API → Event types → Wall: comment deleted", byName["wall_reply_delete"].Fix)
			assert.Contains(t, byName["wall_reply_delete"].Problem, "deleted wall comments open no case")

			changed, err := FixSetup(t.Context(), cfg, problems)
			require.NoError(t, err)
			assert.Equal(t, []string{"api_version", "is_enabled", "message_reply", "wall_reply_delete"}, changed)
			lp, calls := srv.LongPoll(testGroup)
			assert.Equal(t, 1, calls, "one call changes everything")
			assert.True(t, lp.Enabled)
			assert.Equal(t, LongPollVersion, lp.APIVersion)
			assert.True(t, lp.Events["wall_reply_delete"])
			assert.True(t, lp.Events["message_reply"])

			again, err := CheckSetup(t.Context(), cfg)
			require.NoError(t, err)
			for _, p := range again {
				assert.Equal(t, justify.CheckRights, p.Check, "only the manage right is left, which a person must give")
			}
		})
	}
}

func TestFixSetupNeedsTheManageRight(t *testing.T) {
	srv, cfg := setupServer(t)
	cfg.UserToken = ""
	srv.SetTokenRights(testGroup, "messages")
	srv.SetLongPollEvent(testGroup, "wall_reply_delete", false)
	problems := []justify.SetupProblem{{GroupID: testGroup, Check: justify.CheckEvents, Name: "wall_reply_delete", Fixable: true}}
	_, err := FixSetup(t.Context(), cfg, problems)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the right manage")
	lp, calls := srv.LongPoll(testGroup)
	assert.Zero(t, calls)
	assert.False(t, lp.Events["wall_reply_delete"])

	changed, err := FixSetup(t.Context(), cfg, nil)
	require.NoError(t, err)
	assert.Empty(t, changed, "nothing to fix, nothing asked")
}

// A VK that cannot be reached is an error, not a problem of the setup.
func TestCheckSetupUnreachable(t *testing.T) {
	srv, cfg := setupServer(t)
	srv.FailNext("groups.getById", 0, "")
	problems, err := CheckSetup(t.Context(), cfg)
	require.Error(t, err)
	assert.Empty(t, problems)
	assert.NotContains(t, err.Error(), communityToken)
}

// Every event type modwatch decodes is one VK's Long Poll settings list, so the check asks
// for nothing VK does not have; the sample, with wall_reply_delete off, reads as such.
func TestEventTypesAreVKs(t *testing.T) {
	var lp longPollSettings
	require.NoError(t, json.Unmarshal(apiSample(t, "groups_getLongPollSettings.json"), &lp))
	assert.True(t, lp.enabled())
	assert.Equal(t, LongPollVersion, lp.APIVersion)
	types := EventTypes()
	assert.Len(t, types, len(decoders))
	assert.True(t, slices.IsSorted(types))
	var off []string
	for _, typ := range types {
		v, ok := lp.Events[typ]
		assert.True(t, ok, "VK's settings have no %s", typ)
		if v == 0 {
			off = append(off, typ)
		}
		label, lost := eventText(typ)
		assert.NotEqual(t, typ, label, "%s has a label", typ)
		assert.NotEmpty(t, lost)
		assert.NotNil(t, decoderFor(typ))
	}
	assert.Equal(t, []string{"wall_reply_delete"}, off)
	assert.Contains(t, types, "user_block")
	assert.Contains(t, types, "board_post_restore")
	assert.Contains(t, types, "message_reply")
}

func TestParseGetByIDBothShapes(t *testing.T) {
	for _, name := range []string{"groups_getById_5.131.json", "groups_getById_5.199.json"} {
		t.Run(name, func(t *testing.T) {
			got, err := parseGetByID(apiSample(t, name))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, communityInfo{ID: 123456, Name: "Brand support", IsAdmin: 1, AdminLevel: 3}, got[0])
		})
	}
	_, err := parseGetByID(json.RawMessage(`"nonsense"`))
	assert.Error(t, err)
}

func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{{"5.131", true}, {"5.199", true}, {"5.238", true}, {"6.0", true}, {"5.92", false}, {"5.130", false}, {"", false}, {"five", false}}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) { assert.Equal(t, tt.want, versionAtLeast(tt.v, MinLongPollVersion)) })
	}
}

// The scopes' bits are VK's: the sample of a token with all six reads as having them.
func TestUserScopeBits(t *testing.T) {
	var mask int64
	require.NoError(t, json.Unmarshal(apiSample(t, "account_getAppPermissions.json"), &mask))
	for _, sc := range UserScopes {
		assert.NotZero(t, mask&sc.Bit, sc.Name)
	}
	assert.Equal(t, vktest.ScopesAll, mask)
	var names []string
	for _, r := range CommunityRights {
		names = append(names, r.Name)
	}
	assert.Equal(t, "manage, messages", strings.Join(names, ", "))
}
