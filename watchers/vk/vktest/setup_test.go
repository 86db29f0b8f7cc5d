package vktest

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const adminToken = "vk1.a.ADMIN-USER-SECRET"

// sample reads VK's answer kept in testdata/vk/api, as the setup methods must shape theirs.
func sample(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "vk", "api", name))
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// shape is the keys of every object in v, by path, with the type of each leaf: two answers
// of one shape have the same.
func shape(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			shape(e, path+"."+k, out)
		}
	case []any:
		for _, e := range x {
			shape(e, path+"[]", out)
		}
	default:
		out[path] = typeName(v)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "null"
}

func shapeOf(v any) []string {
	m := map[string]string{}
	shape(v, "", m)
	var out []string
	for k, t := range m {
		out = append(out, k+" "+t)
	}
	sort.Strings(out)
	return out
}

// The setup methods answer in the shapes of VK's samples.
func TestSetupAnswersHaveVKsShape(t *testing.T) {
	s := newServer(t)
	s.AddAdminToken(1, 100, adminToken)
	s.SetLongPollEvent(1, "wall_reply_delete", false)
	tests := []struct {
		method string
		form   url.Values
		sample string
	}{
		{"groups.getTokenPermissions", url.Values{"access_token": {token}}, "groups_getTokenPermissions.json"},
		{"groups.getLongPollSettings", url.Values{"access_token": {token}, "group_id": {"1"}}, "groups_getLongPollSettings.json"},
		{"groups.setLongPollSettings", url.Values{"access_token": {token}, "group_id": {"1"}, "enabled": {"1"}}, "groups_setLongPollSettings.json"},
		{"account.getAppPermissions", url.Values{"access_token": {adminToken}}, "account_getAppPermissions.json"},
		{"groups.getById", url.Values{"access_token": {adminToken}, "group_id": {"1"}, "fields": {"is_admin,admin_level"}, "v": {"5.131"}},
			"groups_getById_5.131.json"},
		{"groups.getById", url.Values{"access_token": {adminToken}, "group_id": {"1"}, "fields": {"is_admin,admin_level"}, "v": {"5.199"}},
			"groups_getById_5.199.json"},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			got := post(t, s, tt.method, tt.form)
			want := sample(t, tt.sample)
			// The sample community has more pictures than the fake's.
			if g, ok := want["response"].(map[string]any); ok && tt.method == "groups.getById" {
				g["groups"].([]any)[0].(map[string]any)["photo_100"] = nil
			}
			assert.Subset(t, shapeOf(want), shapeOf(got), "every key of the answer is VK's")
			if tt.method == "groups.getLongPollSettings" {
				assert.Equal(t, shapeOf(want), shapeOf(got), "every event type of VK's is listed")
				assert.Equal(t, float64(0), got["response"].(map[string]any)["events"].(map[string]any)["wall_reply_delete"])
			}
		})
	}
}

// A community token without manage, or a user token of an editor, may not touch the
// settings; the administrator's may, and an event type turned off is never sent.
func TestLongPollSettingsRulesAndEffect(t *testing.T) {
	s := newServer(t)
	s.AddAdminToken(1, 100, adminToken)
	s.SetTokenRights(1, "messages")
	out := post(t, s, "groups.setLongPollSettings", url.Values{"access_token": {token}, "group_id": {"1"}, "user_block": {"0"}})
	assert.Equal(t, float64(ErrAccess), out["error"].(map[string]any)["error_code"])
	s.SetAdminLevel(1, adminToken, 2)
	out = post(t, s, "groups.getLongPollSettings", url.Values{"access_token": {adminToken}, "group_id": {"1"}})
	assert.Equal(t, float64(ErrAccess), out["error"].(map[string]any)["error_code"])
	s.SetAdminLevel(1, adminToken, 3)
	out = post(t, s, "groups.setLongPollSettings", url.Values{"access_token": {adminToken}, "group_id": {"1"}, "user_block": {"0"}})
	assert.Equal(t, float64(1), out["response"])
	lp, calls := s.LongPoll(1)
	assert.False(t, lp.Events["user_block"])
	assert.Equal(t, 1, calls)

	// Off: the ban is made in VK but no event comes; on again, the next one does.
	server, key, ts := longPollServer(t, s)
	s.Ban(1, 7, 70, 1, "", 0)
	s.SetLongPollEvent(1, "user_block", true)
	s.Ban(1, 7, 71, 1, "", 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := get(t, ctx, server+"?act=a_check&wait=0&key="+key+"&ts="+ts)
	updates := got["updates"].([]any)
	require.Len(t, updates, 1)
	assert.Equal(t, float64(71), updates[0].(map[string]any)["object"].(map[string]any)["user_id"])
	assert.Len(t, s.Banned(1), 2, "both bans are made in VK")
}

func TestGetByIDSaysWhoseTheTokenIs(t *testing.T) {
	s := newServer(t)
	s.AddGroup(2, "vk1.a.OTHER")
	out := post(t, s, "groups.getById", url.Values{"access_token": {"vk1.a.OTHER"}})
	assert.Equal(t, float64(2), out["response"].([]any)[0].(map[string]any)["id"])
	out = post(t, s, "groups.getById", url.Values{"access_token": {"vk1.a.NOBODY"}})
	assert.Equal(t, float64(ErrAuth), out["error"].(map[string]any)["error_code"])
	out = post(t, s, "account.getAppPermissions", url.Values{"access_token": {token}})
	assert.Equal(t, float64(ErrGroupAuth), out["error"].(map[string]any)["error_code"], "a user-only method")
}
