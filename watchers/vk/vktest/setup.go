package vktest

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// The community's setup as VK keeps it: the community token's rights, the Bots Long Poll
// settings, and its admins' user tokens' scopes and levels. A new community starts set
// up as modwatch needs it; tests take pieces away. The methods that read and change the
// setup answer in the shapes of VK's schema (testdata/vk/api holds samples).

// LongPollEventTypes are the event types VK's Long Poll settings list (the schema's
// groups_long_poll_events), in the schema's order.
var LongPollEventTypes = strings.Fields(`audio_new board_post_delete board_post_edit board_post_new
	board_post_restore group_change_photo group_change_settings group_join group_leave
	group_officers_edit lead_forms_new market_comment_delete market_comment_edit market_comment_new
	market_comment_restore market_order_new market_order_edit message_allow message_deny message_new
	message_read message_reply message_typing_state message_edit photo_comment_delete
	photo_comment_edit photo_comment_new photo_comment_restore photo_new poll_vote_new user_block
	user_unblock video_comment_delete video_comment_edit video_comment_new video_comment_restore
	video_new message_reaction_event wall_post_new wall_reply_delete wall_reply_edit wall_reply_new
	wall_reply_restore wall_repost wall_schedule_post_new wall_schedule_post_delete
	donut_subscription_create donut_subscription_prolonged donut_subscription_cancelled
	donut_subscription_expired donut_subscription_price_changed donut_money_withdraw
	donut_money_withdraw_error`)

// CommunityRights are the rights a community token may have, with their bits in
// getTokenPermissions' mask.
var CommunityRights = map[string]int64{
	"stories": 1, "photos": 4, "app_widget": 64, "messages": 4096, "docs": 131072, "manage": 262144,
}

// Scope bits of a user token, as account.getAppPermissions reports them.
const (
	ScopePhotos  int64 = 4
	ScopeVideo   int64 = 16
	ScopeWall    int64 = 8192
	ScopeOffline int64 = 65536
	ScopeGroups  int64 = 262144
	ScopeMarket  int64 = 134217728
	// ScopesAll are the scopes an admin's user token gets unless a test says otherwise.
	ScopesAll = ScopePhotos | ScopeVideo | ScopeWall | ScopeOffline | ScopeGroups | ScopeMarket
)

// LongPollSettings is a community's Bots Long Poll settings.
type LongPollSettings struct {
	Enabled    bool
	APIVersion string
	// Events holds every type of LongPollEventTypes: true when VK sends it.
	Events map[string]bool
}

// groupSetup is a community's setup.
type groupSetup struct {
	rights   []string // the community token's, in the order VK lists them
	longPoll LongPollSettings
	scopes   map[string]int64 // user token → its scopes
	levels   map[string]int   // user token → admin level (1 moderator, 2 editor, 3 administrator; 0 none)
	// setCalls counts groups.setLongPollSettings calls that changed something.
	setCalls int
}

// setupLocked returns a community's setup, made as modwatch needs it on first use: the
// community token has photos, messages and manage; Long Poll is on in eventVersion with
// every event type.
func (s *Server) setupLocked(g *group) *groupSetup {
	if g.setup == nil {
		events := map[string]bool{}
		for _, t := range LongPollEventTypes {
			events[t] = true
		}
		g.setup = &groupSetup{
			rights:   []string{"photos", "messages", "manage"},
			longPoll: LongPollSettings{Enabled: true, APIVersion: eventVersion, Events: events},
			scopes:   map[string]int64{}, levels: map[string]int{},
		}
	}
	return g.setup
}

// SetTokenRights sets the rights of a community's token, names of CommunityRights.
func (s *Server) SetTokenRights(groupID int64, rights ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked(s.groupLocked(groupID)).rights = append([]string(nil), rights...)
}

// SetLongPollEvent turns one event type of a community's Long Poll on or off. VK does not
// send an event type that is off: events of it are dropped, as in VK.
func (s *Server) SetLongPollEvent(groupID int64, typ string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked(s.groupLocked(groupID)).longPoll.Events[typ] = on
}

// SetLongPoll turns a community's Long Poll on or off and sets its API version.
func (s *Server) SetLongPoll(groupID int64, enabled bool, apiVersion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lp := &s.setupLocked(s.groupLocked(groupID)).longPoll
	lp.Enabled, lp.APIVersion = enabled, apiVersion
}

// LongPoll returns a community's Long Poll settings and how many
// groups.setLongPollSettings calls changed them.
func (s *Server) LongPoll(groupID int64) (LongPollSettings, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.setupLocked(s.groupLocked(groupID))
	lp := st.longPoll
	lp.Events = maps.Clone(lp.Events)
	return lp, st.setCalls
}

// SetUserScopes sets the scopes of a user token registered for a community (ScopesAll
// by default).
func (s *Server) SetUserScopes(groupID int64, token string, scopes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked(s.groupLocked(groupID)).scopes[token] = scopes
}

// SetAdminLevel sets the community admin level of a user token's account: 0 not an admin,
// 1 moderator, 2 editor, 3 administrator (the default).
func (s *Server) SetAdminLevel(groupID int64, token string, level int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setupLocked(s.groupLocked(groupID)).levels[token] = level
}

// sendsLocked reports whether the community's Long Poll sends events of typ.
func (s *Server) sendsLocked(g *group, typ string) bool {
	lp := s.setupLocked(g).longPoll
	on, known := lp.Events[typ]
	return lp.Enabled && (on || !known)
}

func (st *groupSetup) has(right string) bool {
	for _, r := range st.rights {
		if r == right {
			return true
		}
	}
	return false
}

// userLocked returns the scopes and admin level of a user token in a community.
func (s *Server) userLocked(g *group, token string) (scopes int64, level int) {
	st := s.setupLocked(g)
	scopes, level = ScopesAll, 3
	if v, ok := st.scopes[token]; ok {
		scopes = v
	}
	if v, ok := st.levels[token]; ok {
		level = v
	}
	if _, admin := g.userTokens[token]; !admin {
		level = 0
	}
	return scopes, level
}

// ownerOfLocked returns the community whose community token token is.
func (s *Server) ownerOfLocked(token string) *group {
	for _, g := range s.groups {
		if token != "" && token == g.communityToken {
			return g
		}
	}
	return nil
}

// handleSetup serves the methods that read and change a community's setup; it reports
// false for other methods.
func (s *Server) handleSetup(w http.ResponseWriter, c call) bool {
	switch c.method {
	case "groups.getById":
		s.groupsGetByID(w, c)
	case "groups.getTokenPermissions":
		s.getTokenPermissions(w, c)
	case "groups.getLongPollSettings", "groups.setLongPollSettings":
		s.longPollSettings(w, c)
	case "account.getAppPermissions":
		s.getAppPermissions(w, c)
	default:
		return false
	}
	return true
}

// groupsGetByID serves groups.getById: without group_id, a community token's own
// community; with it, that community, with is_admin and admin_level for a user token.
func (s *Server) groupsGetByID(w http.ResponseWriter, c call) {
	s.mu.Lock()
	var g *group
	var asked string
	for _, k := range []string{"group_id", "group_ids"} {
		if v := c.r.Form.Get(k); v != "" {
			asked = strings.TrimPrefix(strings.Split(v, ",")[0], "club")
		}
	}
	typ, _, known := s.tokenLocked(c.token, 0)
	if asked == "" {
		g = s.ownerOfLocked(c.token)
	} else if id, err := strconv.ParseInt(asked, 10, 64); err == nil {
		g = s.groups[id]
	}
	if !known || g == nil {
		s.mu.Unlock()
		if !known {
			c.fail(w, ErrAuth, msgAuth)
		} else {
			c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: group_ids is undefined")
		}
		return
	}
	item := map[string]any{
		"id": g.id, "name": "club" + strconv.FormatInt(g.id, 10), "screen_name": "club" + strconv.FormatInt(g.id, 10),
		"is_closed": 0, "type": "group", "photo_50": "https://vk.com/images/community_50.png",
	}
	if typ == TokenUser {
		_, level := s.userLocked(g, c.token)
		item["is_admin"] = 0
		if level > 0 {
			item["is_admin"], item["admin_level"] = 1, level
		}
	}
	s.mu.Unlock()
	// VK answers {"groups": [...], "profiles": [...]} from 5.139 on, a bare array before.
	if f, err := strconv.ParseFloat(c.r.Form.Get("v"), 64); err == nil && f >= 5.139 {
		writeJSON(w, map[string]any{"response": map[string]any{"groups": []any{item}, "profiles": []any{}}})
		return
	}
	writeJSON(w, map[string]any{"response": []any{item}})
}

// getTokenPermissions serves groups.getTokenPermissions, a community token's rights.
func (s *Server) getTokenPermissions(w http.ResponseWriter, c call) {
	s.mu.Lock()
	_, _, known := s.tokenLocked(c.token, 0)
	g := s.ownerOfLocked(c.token)
	if !known || g == nil {
		s.mu.Unlock()
		if !known {
			c.fail(w, ErrAuth, msgAuth)
		} else {
			c.fail(w, ErrAccess, "Access denied: this method is available only with group auth")
		}
		return
	}
	var mask int64
	perms := []map[string]any{}
	for _, r := range s.setupLocked(g).rights {
		mask |= CommunityRights[r]
		perms = append(perms, map[string]any{"name": r, "setting": CommunityRights[r]})
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": map[string]any{"mask": mask, "permissions": perms}})
}

// longPollSettings serves groups.getLongPollSettings and groups.setLongPollSettings: the
// community's token with the manage right, or an administrator's user token, may.
func (s *Server) longPollSettings(w http.ResponseWriter, c call) {
	groupID := c.int("group_id")
	s.mu.Lock()
	typ, _, known := s.tokenLocked(c.token, groupID)
	g, exists := s.groups[groupID]
	var allowed bool
	if exists {
		st := s.setupLocked(g)
		switch typ {
		case TokenCommunity:
			allowed = c.token == g.communityToken && st.has("manage")
		case TokenUser:
			_, level := s.userLocked(g, c.token)
			allowed = level == 3
		}
	}
	if !known || !allowed {
		s.mu.Unlock()
		if !known {
			c.fail(w, ErrAuth, msgAuth)
		} else {
			c.fail(w, ErrAccess, msgAccess)
		}
		return
	}
	st := s.setupLocked(g)
	if c.method == "groups.setLongPollSettings" {
		changed := false
		set := func(dst *bool, v string) {
			if on := v == "1" || v == "true"; v != "" && on != *dst {
				*dst, changed = on, true
			}
		}
		set(&st.longPoll.Enabled, c.r.Form.Get("enabled"))
		if v := c.r.Form.Get("api_version"); v != "" && v != st.longPoll.APIVersion {
			st.longPoll.APIVersion, changed = v, true
		}
		for _, t := range LongPollEventTypes {
			on := st.longPoll.Events[t]
			set(&on, c.r.Form.Get(t))
			st.longPoll.Events[t] = on
		}
		if changed {
			st.setCalls++
		}
		s.mu.Unlock()
		writeJSON(w, map[string]any{"response": 1})
		return
	}
	events := map[string]int{}
	for t, on := range st.longPoll.Events {
		events[t] = 0
		if on {
			events[t] = 1
		}
	}
	resp := map[string]any{"is_enabled": st.longPoll.Enabled, "api_version": st.longPoll.APIVersion, "events": events}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": resp})
}

// getAppPermissions serves account.getAppPermissions, a user token's scopes as a mask.
func (s *Server) getAppPermissions(w http.ResponseWriter, c call) {
	s.mu.Lock()
	typ, _, known := s.tokenLocked(c.token, 0)
	scopes := ScopesAll
	for _, g := range s.groups {
		if _, ok := g.userTokens[c.token]; ok {
			scopes, _ = s.userLocked(g, c.token)
			break
		}
	}
	s.mu.Unlock()
	switch {
	case !known:
		c.fail(w, ErrAuth, msgAuth)
	case typ == TokenCommunity:
		c.fail(w, ErrGroupAuth, msgGroupAuth)
	default:
		writeJSON(w, map[string]any{"response": scopes})
	}
}
