package vktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	msgAuth       = "User authorization failed: invalid access_token (4)."
	msgGroupAuth  = "Group authorization failed: method is unavailable with group auth."
	msgAccess     = "Access denied: no access to this group"
	msgNotFound   = "Not found"
	msgNotDeleted = "Comment has not been deleted"
)

// apiError is VK's error object.
type apiError struct {
	Code          int            `json:"error_code"`
	Msg           string         `json:"error_msg"`
	RequestParams []requestParam `json:"request_params"`
}

type requestParam struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type call struct {
	method string
	r      *http.Request
	token  string
}

func (c call) int(name string) int64 {
	v, _ := strconv.ParseInt(c.r.Form.Get(name), 10, 64)
	return v
}

// fail answers with a VK error, echoing the request parameters except the token, as VK does.
func (c call) fail(w http.ResponseWriter, code int, msg string) {
	params := []requestParam{{Key: "method", Value: c.method}, {Key: "oauth", Value: "1"}}
	for _, k := range sortedKeys(c.r.Form) {
		if k == "access_token" {
			continue
		}
		params = append(params, requestParam{Key: k, Value: c.r.Form.Get(k)})
	}
	writeJSON(w, map[string]any{"error": apiError{Code: code, Msg: msg, RequestParams: params}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeFault(w http.ResponseWriter, f fault) {
	if f.status == 0 {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.size > 0 {
		writeOversized(w, f.size)
		return
	}
	if json.Valid([]byte(f.body)) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(f.status)
	_, _ = w.Write([]byte(f.body))
}

// popFaultLocked takes the next queued fault for name, if any.
func (s *Server) popFaultLocked(name string) (fault, bool) {
	q := s.faults[name]
	if len(q) == 0 {
		return fault{}, false
	}
	s.faults[name] = q[1:]
	return q[0], true
}

// tokenLocked says what a token is for a community: a user token of one of its admins, its
// community token, a valid token for something else (ok but neither), or unknown.
func (s *Server) tokenLocked(token string, groupID int64) (typ TokenType, adminID int64, known bool) {
	if g, ok := s.groups[groupID]; ok {
		if token == g.communityToken && token != "" {
			return TokenCommunity, 0, true
		}
		if id, ok := g.userTokens[token]; ok {
			return TokenUser, id, true
		}
	}
	for _, g := range s.groups {
		if token == g.communityToken && token != "" {
			return TokenCommunity, 0, true
		}
		if _, ok := g.userTokens[token]; ok {
			return TokenUser, 0, true
		}
	}
	return "", 0, false
}

func (s *Server) handleMethod(w http.ResponseWriter, r *http.Request) {
	c := call{method: r.PathValue("method"), r: r}
	s.mu.Lock()
	s.calls[c.method]++
	gate := s.holds[c.method]
	f, faulty := s.popFaultLocked(c.method)
	if q := s.garbles[c.method]; len(q) > 0 && !faulty {
		s.garbles[c.method] = q[1:]
		w = gzipLabelled{w}
		if !q[0] {
			faulty, f = true, fault{status: http.StatusOK, body: `{"response":1}`}
		}
	}
	s.mu.Unlock()
	if !s.waitHeld(r, gate) {
		return
	}
	if faulty {
		writeFault(w, f)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	// vksdk sends the token as a bearer header; other clients use the access_token parameter.
	c.token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.token == "" {
		c.token = r.Form.Get("access_token")
	}
	switch c.method {
	case "groups.getLongPollServer":
		s.getLongPollServer(w, c)
	case "groups.unban":
		s.unban(w, c)
	case "groups.getBanned":
		s.getBanned(w, c)
	case "users.get":
		s.usersGet(w, c)
	case "wall.restoreComment", "photos.restoreComment", "video.restoreComment", "market.restoreComment",
		"board.restoreComment":
		s.restoreComment(w, c)
	case "wall.getById":
		s.wallGetByID(w, c)
	case "wall.get":
		s.wallGet(w, c)
	case "wall.getComments":
		s.wallGetComments(w, c)
	case "wall.getComment":
		s.wallGetComment(w, c)
	case "messages.getConversations":
		s.getConversations(w, c)
	case "messages.markAsAnsweredConversation", "messages.deleteConversation":
		s.changeConversation(w, c)
	default:
		if !s.handleSetup(w, c) {
			c.fail(w, 3, "Unknown method passed")
		}
	}
}

func (s *Server) getLongPollServer(w http.ResponseWriter, c call) {
	groupID := c.int("group_id")
	s.mu.Lock()
	_, _, known := s.tokenLocked(c.token, groupID)
	g, exists := s.groups[groupID]
	var key, ts string
	if exists {
		key, ts = g.key, strconv.FormatInt(g.nextSeq, 10)
	}
	s.mu.Unlock()
	switch {
	case !known:
		c.fail(w, ErrAuth, msgAuth)
	case !exists || !(c.token == g.communityToken || hasToken(g, c.token)):
		c.fail(w, ErrAccess, msgAccess)
	default:
		writeJSON(w, map[string]any{"response": map[string]string{
			"key": key, "server": s.srv.URL + "/lp/" + strconv.FormatInt(groupID, 10), "ts": ts,
		}})
	}
}

func (s *Server) unban(w http.ResponseWriter, c call) {
	groupID, userID := c.int("group_id"), c.int("owner_id")
	s.mu.Lock()
	typ, adminID, known := s.tokenLocked(c.token, groupID)
	g, exists := s.groups[groupID]
	rec := UnbanCall{GroupID: groupID, UserID: userID, TokenType: typ}
	var code int
	var msg string
	switch {
	case !known:
		code, msg = ErrAuth, msgAuth
	case typ == TokenCommunity:
		code, msg = ErrGroupAuth, msgGroupAuth
	case !exists || !hasToken(g, c.token):
		code, msg = ErrAccess, msgAccess
	case userID == 0:
		code, msg = ErrParam, "One of the parameters specified was missing or invalid: owner_id is undefined"
	}
	rec.ErrorCode = code
	s.unbans = append(s.unbans, rec)
	if code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	// VK reports an unban made through the API like one made by hand.
	if g.removeBan(userID) {
		s.pushUnblockLocked(g, adminID, userID, false)
	}
	s.unlockAndObserve("VK: modwatch unbanned user " + strconv.FormatInt(userID, 10) +
		" in group " + strconv.FormatInt(groupID, 10) + " with an admin's user token")
	writeJSON(w, map[string]any{"response": 1})
}

func hasToken(g *group, token string) bool {
	_, ok := g.userTokens[token]
	return ok
}

func (s *Server) getBanned(w http.ResponseWriter, c call) {
	groupID := c.int("group_id")
	offset, count, ok := pageParams(c, 20, 200)
	if !ok {
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: offset or count out of range")
		return
	}
	s.mu.Lock()
	typ, _, known := s.tokenLocked(c.token, groupID)
	g, exists := s.groups[groupID]
	if !known || !exists || (typ == TokenCommunity && g.communityToken != c.token) ||
		(typ == TokenUser && !hasToken(g, c.token)) {
		s.mu.Unlock()
		if !known {
			c.fail(w, ErrAuth, msgAuth)
		} else {
			c.fail(w, ErrAccess, msgAccess)
		}
		return
	}
	// owner_id asks about one user: the list holds that user's ban, or nothing.
	bans := g.bans
	if c.r.Form.Has("owner_id") {
		bans = nil
		for _, b := range g.bans {
			if b.UserID == c.int("owner_id") {
				bans = append(bans, b)
			}
		}
	}
	items := []map[string]any{}
	for i := offset; i < int64(len(bans)) && i < offset+count; i++ {
		b := bans[i]
		first, last := s.nameLocked(b.UserID)
		items = append(items, map[string]any{
			"type": "profile",
			"profile": map[string]any{
				"id": b.UserID, "first_name": first, "last_name": last,
				"can_access_closed": true, "is_closed": false,
			},
			"ban_info": map[string]any{
				"admin_id": b.AdminID, "date": b.Date, "end_date": b.EndDate,
				"reason": b.Reason, "comment": b.Comment, "comment_visible": false,
			},
		})
	}
	total := len(bans)
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": map[string]any{"count": total, "items": items}})
}

func (s *Server) usersGet(w http.ResponseWriter, c call) {
	ids, err := splitIDs(c.r.Form.Get("user_ids"))
	if err != nil {
		c.fail(w, 113, "Invalid user id")
		return
	}
	s.mu.Lock()
	_, _, known := s.tokenLocked(c.token, 0)
	users := []map[string]any{}
	for _, id := range ids {
		first, last := s.nameLocked(id)
		users = append(users, map[string]any{
			"id": id, "first_name": first, "last_name": last,
			"can_access_closed": true, "is_closed": false,
		})
	}
	s.mu.Unlock()
	if !known {
		c.fail(w, ErrAuth, msgAuth)
		return
	}
	writeJSON(w, map[string]any{"response": users})
}

// waitHeld waits until a held call may answer (at once when gate is nil), and reports
// false when its client gave up or the server closed first.
func (s *Server) waitHeld(r *http.Request, gate chan struct{}) bool {
	if gate == nil {
		return true
	}
	select {
	case <-gate:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// handleLongPoll serves Bots Long Poll: GET {server}?act=a_check&key=K&ts=T&wait=W.
func (s *Server) handleLongPoll(w http.ResponseWriter, r *http.Request) {
	groupID, _ := strconv.ParseInt(r.PathValue("group"), 10, 64)
	q := r.URL.Query()
	wait, _ := strconv.Atoi(q.Get("wait"))
	wait = min(max(wait, 0), 90)
	timer := time.NewTimer(time.Duration(wait) * time.Second)
	defer timer.Stop()
	key, tsParam := q.Get("key"), q.Get("ts")
	s.mu.Lock()
	s.calls["a_check"]++
	gate := s.holds["a_check"]
	s.mu.Unlock()
	if !s.waitHeld(r, gate) {
		return
	}
	for {
		s.mu.Lock()
		if f, ok := s.popFaultLocked("a_check"); ok {
			s.mu.Unlock()
			writeFault(w, f)
			return
		}
		g, exists := s.groups[groupID]
		if len(s.lpFaults) > 0 {
			code := s.lpFaults[0]
			s.lpFaults = s.lpFaults[1:]
			resp := map[string]any{"failed": code}
			if exists {
				switch code {
				case 1:
					resp["ts"] = g.nextSeq
				case 2, 3:
					g.rotateKey()
				}
			}
			s.mu.Unlock()
			writeJSON(w, resp)
			return
		}
		if !exists || key != g.key || q.Get("act") != "a_check" {
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 2})
			return
		}
		ts, err := strconv.ParseInt(tsParam, 10, 64)
		if err != nil || ts < g.oldestTs() || ts > g.nextSeq {
			// ts is a number here, unlike in successful answers: VK's own inconsistency.
			resp := map[string]any{"failed": 1, "ts": g.nextSeq}
			s.mu.Unlock()
			writeJSON(w, resp)
			return
		}
		var updates []json.RawMessage
		for _, u := range g.updates {
			if u.seq >= ts {
				updates = append(updates, u.raw)
			}
		}
		if len(updates) > 0 || wait == 0 {
			resp := map[string]any{"ts": strconv.FormatInt(g.nextSeq, 10), "updates": updates}
			if updates == nil {
				resp["updates"] = []json.RawMessage{}
			} else {
				s.delivered[groupID]++
			}
			s.mu.Unlock()
			writeJSON(w, resp)
			return
		}
		changed, arrived := s.changed, g.arrived
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-timer.C:
			writeJSON(w, map[string]any{"ts": tsParam, "updates": []json.RawMessage{}})
			return
		case <-changed:
		case <-arrived:
		}
	}
}

// userTokenLocked checks a token for a method VK reserves for user (or service) tokens,
// returning the VK error to answer with, 0 when the call may go on.
func (s *Server) userTokenLocked(token string, groupID int64) (int, string) {
	typ, _, known := s.tokenLocked(token, groupID)
	switch {
	case !known:
		return ErrAuth, msgAuth
	case typ == TokenCommunity:
		return ErrGroupAuth, msgGroupAuth
	}
	return 0, ""
}

// newShapeGetByID reports whether wall.getById answers {"items": [...]} rather than a bare
// array: VK changed the shape in 5.137, and vksdk v2.17.0 still sends 5.131 and expects
// the array.
func newShapeGetByID(v string) bool {
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f >= 5.137
}

const maxGetByID = 100

// wallGetByID serves wall.getById: posts=owner_post,... (up to 100). It returns the posts
// that still exist, in the order asked; removed or unknown ones are left out, as VK does.
func (s *Server) wallGetByID(w http.ResponseWriter, c call) {
	var refs [][2]int64
	for _, part := range strings.Split(c.r.Form.Get("posts"), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		owner, id, ok := strings.Cut(strings.TrimPrefix(part, "wall"), "_")
		o, err1 := strconv.ParseInt(owner, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: posts is invalid")
			return
		}
		refs = append(refs, [2]int64{o, i})
	}
	if len(refs) == 0 || len(refs) > maxGetByID {
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: posts should contain from 1 to 100 items")
		return
	}
	s.mu.Lock()
	if code, msg := s.userTokenLocked(c.token, -refs[0][0]); code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	items := []map[string]any{}
	for _, r := range refs {
		g, ok := s.groups[-r[0]]
		if !ok {
			continue
		}
		if p := g.post(r[0], r[1]); p != nil && !p.removed {
			items = append(items, s.postWireLocked(g, p))
		}
	}
	s.mu.Unlock()
	switch {
	case c.r.Form.Get("extended") == "1":
		writeJSON(w, map[string]any{"response": map[string]any{"items": items, "profiles": []any{}, "groups": []any{}}})
	case newShapeGetByID(c.r.Form.Get("v")):
		writeJSON(w, map[string]any{"response": map[string]any{"items": items}})
	default:
		writeJSON(w, map[string]any{"response": items})
	}
}

// postWireLocked is a post with its live comment count.
func (s *Server) postWireLocked(g *group, p *wallPost) map[string]any {
	m := p.wire()
	n := 0
	for _, c := range g.comments {
		if c.place == WallComment && c.ownerID == p.ownerID && c.parentID == p.id && !c.deleted {
			n++
		}
	}
	m["comments"].(map[string]any)["count"] = n
	return m
}

// pageParams reads offset and count, VK's pagination, with count's default and maximum.
func pageParams(c call, def, maxCount int64) (offset, count int64, ok bool) {
	offset, count = c.int("offset"), def
	if c.r.Form.Has("count") {
		count = c.int("count")
	}
	return offset, count, offset >= 0 && count >= 0 && count <= maxCount
}

// wallGet serves wall.get for community walls: owner_id (or domain clubN), offset, count
// (default 20, at most 100), filter (all: everything but suggestions; owner; others;
// suggests). Newest first.
func (s *Server) wallGet(w http.ResponseWriter, c call) {
	ownerID := c.int("owner_id")
	if ownerID == 0 {
		// Only the prefix goes: "clubb5" is no community's address, so it must not read 5's wall.
		d := c.r.Form.Get("domain")
		for _, prefix := range []string{"club", "public"} {
			if rest, ok := strings.CutPrefix(d, prefix); ok {
				id, _ := strconv.ParseInt(rest, 10, 64)
				ownerID = -id
				break
			}
		}
	}
	offset, count, ok := pageParams(c, 20, 100)
	if !ok {
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: offset or count out of range")
		return
	}
	filter := c.r.Form.Get("filter")
	s.mu.Lock()
	if code, msg := s.userTokenLocked(c.token, -ownerID); code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	g, exists := s.groups[-ownerID]
	if ownerID >= 0 || !exists {
		s.mu.Unlock()
		c.fail(w, ErrAccess, msgAccess)
		return
	}
	var matched []*wallPost
	for i := len(g.posts) - 1; i >= 0; i-- { // posts are kept oldest first
		p := g.posts[i]
		if p.removed || p.ownerID != ownerID {
			continue
		}
		suggest := p.postType == "suggest"
		switch filter {
		case "suggests":
			if !suggest {
				continue
			}
		case "owner":
			if suggest || p.fromID != ownerID {
				continue
			}
		case "others":
			if suggest || p.fromID == ownerID {
				continue
			}
		default:
			if suggest {
				continue
			}
		}
		matched = append(matched, p)
	}
	items := []map[string]any{}
	people := map[int64]bool{}
	for i := offset; i < int64(len(matched)) && i < offset+count; i++ {
		items = append(items, s.postWireLocked(g, matched[i]))
		people[matched[i].fromID] = true
	}
	resp := map[string]any{"count": len(matched), "items": items}
	if c.r.Form.Get("extended") == "1" {
		resp["profiles"], resp["groups"] = s.extendedLocked(people)
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": resp})
}

// wallGetComments serves wall.getComments: owner_id, post_id, offset, count (default 10,
// at most 100), sort (asc, the default, or desc), comment_id (list that comment's thread
// instead), thread_items_count (replies to include in each thread, at most 10) and
// extended (adds profiles and groups). As in VK, top-level comments are listed and replies
// sit in their thread; count counts both, current_level_count the listed level. Deleted
// comments are left out. A post that does not exist (or was removed) is error 100.
func (s *Server) wallGetComments(w http.ResponseWriter, c call) {
	ownerID, postID, rootID := c.int("owner_id"), c.int("post_id"), c.int("comment_id")
	offset, count, ok := pageParams(c, 10, 100)
	threadItems := c.int("thread_items_count")
	if !ok || threadItems < 0 || threadItems > 10 {
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: offset, count or thread_items_count out of range")
		return
	}
	desc := c.r.Form.Get("sort") == "desc"
	s.mu.Lock()
	if code, msg := s.userTokenLocked(c.token, -ownerID); code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	g, exists := s.groups[-ownerID]
	var p *wallPost
	if exists {
		p = g.post(ownerID, postID)
	}
	if p == nil || p.removed {
		s.mu.Unlock()
		c.fail(w, ErrParam, "One of the parameters specified was missing or invalid: post_id is invalid")
		return
	}
	var all, level []*comment
	replies := map[int64][]*comment{}
	for _, cm := range g.comments {
		if cm.place != WallComment || cm.ownerID != ownerID || cm.parentID != postID || cm.deleted {
			continue
		}
		all = append(all, cm)
		if cm.root != 0 {
			replies[cm.root] = append(replies[cm.root], cm)
		}
		if cm.root == rootID {
			level = append(level, cm)
		}
	}
	if desc {
		slices.Reverse(level)
	}
	people := map[int64]bool{}
	items := []map[string]any{}
	for i := offset; i < int64(len(level)) && i < offset+count; i++ {
		cm := level[i]
		people[cm.fromID] = true
		m := cm.wire()
		delete(m, "post_owner_id") // only events carry it
		if rootID == 0 {
			th := replies[cm.id]
			shown := []map[string]any{}
			for _, r := range th[:min(int64(len(th)), threadItems)] {
				people[r.fromID] = true
				rm := r.wire()
				delete(rm, "post_owner_id")
				delete(rm, "thread")
				shown = append(shown, rm)
			}
			m["thread"] = map[string]any{"count": len(th), "items": shown, "can_post": true, "show_reply_button": true, "groups_can_post": true}
		} else {
			delete(m, "thread")
		}
		items = append(items, m)
	}
	resp := map[string]any{
		"count": len(all), "items": items, "current_level_count": len(level),
		"can_post": true, "show_reply_button": true, "groups_can_post": true,
	}
	if c.r.Form.Get("extended") == "1" {
		resp["profiles"], resp["groups"] = s.extendedLocked(people)
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"response": resp})
}

// restoreMethods maps each restore method to the comments it restores.
var restoreMethods = map[string]Place{
	"wall.restoreComment":   WallComment,
	"photos.restoreComment": PhotoComment,
	"video.restoreComment":  VideoComment,
	"market.restoreComment": MarketComment,
	"board.restoreComment":  BoardPost,
}

// restoreComment serves the five restore methods. All but board.restoreComment take only
// an admin's user token (owner_id, comment_id); board.restoreComment (group_id, topic_id,
// comment_id) also takes the community token. A comment that is not deleted is error
// 243, as VK answers when someone restored it first. Success pushes <place>_restore.
func (s *Server) restoreComment(w http.ResponseWriter, c call) {
	place := restoreMethods[c.method]
	rec := RestoreCall{Method: c.method, Place: place, CommentID: c.int("comment_id")}
	if place == BoardPost {
		rec.GroupID, rec.TopicID = c.int("group_id"), c.int("topic_id")
		rec.OwnerID = -rec.GroupID
	} else {
		rec.OwnerID = c.int("owner_id")
		rec.GroupID = -rec.OwnerID
	}
	s.mu.Lock()
	typ, _, known := s.tokenLocked(c.token, rec.GroupID)
	rec.TokenType = typ
	g, exists := s.groups[rec.GroupID]
	var code int
	var msg string
	var cm *comment
	switch {
	case !known:
		code, msg = ErrAuth, msgAuth
	case typ == TokenCommunity && place != BoardPost:
		code, msg = ErrGroupAuth, msgGroupAuth
	case !exists || (typ == TokenCommunity && g.communityToken != c.token) || (typ == TokenUser && !hasToken(g, c.token)):
		code, msg = ErrAccess, msgAccess
	case rec.CommentID == 0:
		code, msg = ErrParam, "One of the parameters specified was missing or invalid: comment_id is undefined"
	default:
		cm = g.comment(place, rec.OwnerID, rec.CommentID)
		switch {
		case cm == nil || (place == BoardPost && cm.parentID != rec.TopicID):
			code, msg = ErrNotFound, msgNotFound
		case !cm.deleted:
			code, msg = ErrNotDeleted, msgNotDeleted
		}
	}
	rec.ErrorCode = code
	s.restores = append(s.restores, rec)
	if code != 0 {
		s.mu.Unlock()
		c.fail(w, code, msg)
		return
	}
	cm.deleted = false
	s.pushLocked(g, place.eventPrefix()+"_restore", cm.wire())
	s.unlockAndObserve(fmt.Sprintf("VK: modwatch restored %s %d in group %d", place, cm.id, rec.GroupID))
	writeJSON(w, map[string]any{"response": 1})
}

// Restores lists the restore calls received, in order.
func (s *Server) Restores() []RestoreCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RestoreCall(nil), s.restores...)
}

// extendedLocked is the profiles and groups an extended answer adds for the authors it
// lists, communities being the negative ids.
func (s *Server) extendedLocked(people map[int64]bool) (profiles, groups []map[string]any) {
	profiles, groups = []map[string]any{}, []map[string]any{}
	for _, id := range slices.Sorted(maps.Keys(people)) {
		if id < 0 {
			groups = append(groups, map[string]any{"id": -id, "name": fmt.Sprintf("Community %d", -id),
				"screen_name": fmt.Sprintf("club%d", -id), "is_closed": 0, "type": "group"})
			continue
		}
		first, last := s.nameLocked(id)
		profiles = append(profiles, map[string]any{"id": id, "first_name": first, "last_name": last,
			"can_access_closed": true, "is_closed": false})
	}
	return profiles, groups
}
