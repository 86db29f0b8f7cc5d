package vktest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Place is where a comment lives, with the same names as justify.Place so callers can
// convert (vktest.Place(justify.PlaceWallComment)).
type Place string

// Comment places. Each has its own long-poll event family and restore method.
const (
	WallComment   Place = "wall_comment"
	PhotoComment  Place = "photo_comment"
	VideoComment  Place = "video_comment"
	MarketComment Place = "market_comment"
	BoardPost     Place = "board_post"
)

// eventPrefix is the family of long-poll events of a place: <prefix>_new, _edit, ...
func (p Place) eventPrefix() string {
	switch p {
	case WallComment:
		return "wall_reply"
	case PhotoComment, VideoComment, MarketComment, BoardPost:
		return string(p)
	}
	panic(fmt.Sprintf("vktest: unknown place %q", p))
}

// wallPost is a wall post of the content model.
type wallPost struct {
	ownerID, id, fromID int64
	text, postType      string
	date                int64
	removed             bool
}

// comment is a comment or board post of the content model. parentID is the post, photo,
// video, market item or topic.
type comment struct {
	place                   Place
	ownerID, parentID, id   int64
	fromID                  int64
	text                    string
	date                    int64
	replyToComment, replyTo int64 // reply_to_comment, reply_to_user
	// root is the top-level comment of the thread a reply sits in (VK threads are one
	// level deep: a reply to a reply joins the same thread); 0 for top-level comments.
	root    int64
	deleted bool
}

// message is a community conversation message.
type message struct {
	id, peerID, fromID, adminAuthorID int64
	text                              string
	date                              int64
	out                               bool
}

// Message and content ids start high so they never look like the small user ids of tests.
const (
	firstPostID    = 100
	firstCommentID = 1000
	firstMessageID = 5000
)

func (g *group) newPostID() int64 {
	if g.nextPostID == 0 {
		g.nextPostID = firstPostID
	}
	g.nextPostID++
	return g.nextPostID
}

func (g *group) newCommentID() int64 {
	if g.nextCommentID == 0 {
		g.nextCommentID = firstCommentID
	}
	g.nextCommentID++
	return g.nextCommentID
}

func (g *group) newMessageID() int64 {
	if g.nextMessageID == 0 {
		g.nextMessageID = firstMessageID
	}
	g.nextMessageID++
	return g.nextMessageID
}

func (g *group) post(ownerID, id int64) *wallPost {
	for _, p := range g.posts {
		if p.ownerID == ownerID && p.id == id {
			return p
		}
	}
	return nil
}

func (g *group) comment(place Place, ownerID, id int64) *comment {
	for _, c := range g.comments {
		if c.place == place && c.ownerID == ownerID && c.id == id {
			return c
		}
	}
	return nil
}

// wallOwner is the community's wall: VK writes communities as negative owner ids.
func wallOwner(groupID, ownerID int64) int64 {
	if ownerID == 0 {
		return -groupID
	}
	return ownerID
}

// addPostLocked stores a post; fromID < 0 is the community itself.
func (s *Server) addPostLocked(g *group, fromID int64, text, postType string) *wallPost {
	p := &wallPost{ownerID: -g.id, id: g.newPostID(), fromID: fromID, text: text, postType: postType, date: s.Now().Unix()}
	g.posts = append(g.posts, p)
	return p
}

// Post publishes a post on community groupID's wall by fromID (a user, or -groupID for the
// community) and pushes wall_post_new, as VK does for posts by anyone. It returns the post id.
func (s *Server) Post(groupID, fromID int64, text string) int64 {
	return s.publishPost(groupID, fromID, text, "post", fmt.Sprintf("VK: %d posted on the wall of group %d: %q", fromID, groupID, text))
}

// SuggestPost proposes a post to community groupID (post_type "suggest"), pushing
// wall_post_new. It returns the post id.
func (s *Server) SuggestPost(groupID, fromID int64, text string) int64 {
	return s.publishPost(groupID, fromID, text, "suggest", fmt.Sprintf("VK: %d suggested a post to group %d: %q", fromID, groupID, text))
}

// publishPost stores a post of postType, pushes wall_post_new and tells observers note.
func (s *Server) publishPost(groupID, fromID int64, text, postType, note string) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	p := s.addPostLocked(g, fromID, text, postType)
	s.pushLocked(g, "wall_post_new", p.wire())
	s.unlockAndObserve(note)
	return p.id
}

// AddPostSilently stores a post that existed before the daemon ran: no event. It returns
// the post id.
func (s *Server) AddPostSilently(groupID, fromID int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addPostLocked(s.groupLocked(groupID), fromID, text, "post").id
}

// RemovePost deletes a post from the community's wall. VK sends no event for it: only
// wall.getById and wall.get stop returning it. It reports false for an unknown post.
func (s *Server) RemovePost(groupID, postID int64) bool {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	p := g.post(-groupID, postID)
	if p == nil || p.removed {
		s.mu.Unlock()
		return false
	}
	p.removed = true
	s.unlockAndObserve(fmt.Sprintf("VK: an admin deleted post %d from the wall of group %d (VK sends no event)", postID, groupID))
	return true
}

// addCommentLocked stores a comment. A wall comment on a post the model does not know
// creates that post silently, so tests need not set up every post.
func (s *Server) addCommentLocked(g *group, place Place, ownerID, parentID, fromID int64, text string) *comment {
	place.eventPrefix() // panics early on an unknown place
	ownerID = wallOwner(g.id, ownerID)
	if place == WallComment && g.post(ownerID, parentID) == nil {
		g.posts = append(g.posts, &wallPost{ownerID: ownerID, id: parentID, fromID: -g.id, postType: "post", date: s.Now().Unix()})
		if parentID > g.nextPostID {
			g.nextPostID = parentID
		}
	}
	c := &comment{place: place, ownerID: ownerID, parentID: parentID, id: g.newCommentID(), fromID: fromID, text: text, date: s.Now().Unix()}
	g.comments = append(g.comments, c)
	return c
}

// Comment writes a comment as fromID under item parentID of ownerID (0 means the
// community, -groupID) in community groupID, pushing <place>_new (wall_reply_new,
// photo_comment_new, ...) in VK's shape. It returns the comment id.
func (s *Server) Comment(groupID int64, place Place, ownerID, parentID, fromID int64, text string) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	c := s.addCommentLocked(g, place, ownerID, parentID, fromID, text)
	s.pushLocked(g, place.eventPrefix()+"_new", c.wire())
	s.unlockAndObserve(fmt.Sprintf("VK: %d wrote %s %d in group %d: %q", fromID, place, c.id, groupID, text))
	return c.id
}

// AddCommentSilently stores a comment written before the daemon ran: no event. It returns
// the comment id.
func (s *Server) AddCommentSilently(groupID int64, place Place, ownerID, parentID, fromID int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addCommentLocked(s.groupLocked(groupID), place, ownerID, parentID, fromID, text).id
}

// wire is the post as wall.get, wall.getById and wall_post_new carry it.
func (p *wallPost) wire() map[string]any {
	m := map[string]any{
		"id": p.id, "owner_id": p.ownerID, "from_id": p.fromID, "date": p.date, "text": p.text,
		"post_type": p.postType, "attachments": []any{},
		"comments":    map[string]any{"count": 0, "can_post": 1, "groups_can_post": true},
		"likes":       map[string]any{"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
		"reposts":     map[string]any{"count": 0, "user_reposted": 0},
		"post_source": map[string]any{"type": "vk"},
		"can_delete":  1, "can_edit": 0, "can_pin": 1, "is_favorite": false, "marked_as_ads": 0,
		"hash": fmt.Sprintf("h%d", p.id),
	}
	return m
}

// wire is the comment as its place's *_new, *_edit and *_restore events carry it (and, for
// wall comments, wall.getComments).
func (c *comment) wire() map[string]any {
	m := map[string]any{"id": c.id, "from_id": c.fromID, "date": c.date, "text": c.text}
	stack := []int64{}
	if c.root != 0 {
		stack = []int64{c.root}
	}
	switch c.place {
	case WallComment:
		m["post_id"], m["owner_id"], m["post_owner_id"] = c.parentID, c.ownerID, c.ownerID
		m["parents_stack"] = stack
		m["thread"] = map[string]any{"count": 0, "items": []any{}, "can_post": true, "show_reply_button": true, "groups_can_post": true}
	case PhotoComment:
		m["photo_id"], m["photo_owner_id"] = c.parentID, c.ownerID
		m["parents_stack"] = stack
	case VideoComment:
		m["video_id"], m["video_owner_id"] = c.parentID, c.ownerID
		m["parents_stack"] = stack
	case MarketComment:
		m["item_id"], m["market_owner_id"] = c.parentID, c.ownerID
	case BoardPost:
		m["topic_id"], m["topic_owner_id"] = c.parentID, c.ownerID
	}
	if c.replyToComment != 0 {
		m["reply_to_comment"] = c.replyToComment
	}
	if c.replyTo != 0 {
		m["reply_to_user"] = c.replyTo
	}
	return m
}

// ReplyAsCommunity writes the community's answer (from_id -groupID) under the same item,
// replying to comment replyTo when it is not 0, and pushes <place>_new. It returns the
// answer's id.
func (s *Server) ReplyAsCommunity(groupID int64, place Place, ownerID, parentID, replyTo int64, text string) int64 {
	return s.Reply(groupID, place, ownerID, parentID, -groupID, replyTo, text)
}

// Reply writes fromID's reply to comment replyTo (0: a top-level comment) and pushes
// <place>_new with reply_to_comment, reply_to_user and parents_stack as VK does; in a
// board topic, which has no threads, the text starts with "[post<replyTo>|Name], " instead.
// It returns the reply's id.
func (s *Server) Reply(groupID int64, place Place, ownerID, parentID, fromID, replyTo int64, text string) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	if place == BoardPost && replyTo != 0 {
		// Board topics have no threads: VK's interface starts the text with a mention.
		name := "id"
		if orig := g.comment(place, wallOwner(groupID, ownerID), replyTo); orig != nil {
			name, _ = s.nameLocked(orig.fromID)
		}
		text = fmt.Sprintf("[post%d|%s], %s", replyTo, name, text)
		replyTo = 0
	}
	c := s.addCommentLocked(g, place, ownerID, parentID, fromID, text)
	if replyTo != 0 {
		c.replyToComment, c.root = replyTo, replyTo
		if orig := g.comment(place, c.ownerID, replyTo); orig != nil {
			c.replyTo = orig.fromID
			if orig.root != 0 {
				c.root = orig.root
			}
		}
	}
	s.pushLocked(g, place.eventPrefix()+"_new", c.wire())
	s.unlockAndObserve(fmt.Sprintf("VK: %d answered in %s %d of group %d: %q", fromID, place, c.id, groupID, text))
	return c.id
}

// EditComment changes a comment's text as its author would and pushes <place>_edit. It
// reports false for an unknown or deleted comment.
func (s *Server) EditComment(groupID int64, place Place, ownerID, commentID int64, text string) bool {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	c := g.comment(place, wallOwner(groupID, ownerID), commentID)
	if c == nil || c.deleted {
		s.mu.Unlock()
		return false
	}
	c.text = text
	s.pushLocked(g, place.eventPrefix()+"_edit", c.wire())
	s.unlockAndObserve(fmt.Sprintf("VK: %d edited %s %d in group %d: %q", c.fromID, place, commentID, groupID, text))
	return true
}

// DeleteComment deletes a comment as deleterID (an admin, or the author) and pushes
// <place>_delete in that family's own shape (see deleteWire). parentID 0 matches any parent.
// It reports false for an unknown or already deleted comment.
func (s *Server) DeleteComment(groupID int64, place Place, ownerID, parentID, commentID, deleterID int64) bool {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	c := g.comment(place, wallOwner(groupID, ownerID), commentID)
	if c == nil || c.deleted || (parentID != 0 && c.parentID != parentID) {
		s.mu.Unlock()
		return false
	}
	c.deleted = true
	s.pushLocked(g, place.eventPrefix()+"_delete", c.deleteWire(deleterID))
	s.unlockAndObserve(fmt.Sprintf("VK: %d deleted %s %d in group %d", deleterID, place, commentID, groupID))
	return true
}

// CommentDeleted reports whether a comment is currently deleted; false for unknown ones.
func (s *Server) CommentDeleted(groupID int64, place Place, ownerID, commentID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.groupLocked(groupID).comment(place, wallOwner(groupID, ownerID), commentID)
	return c != nil && c.deleted
}

// deleteWire is the *_delete object as VK sends it for each family: who is named differs
// (real wall_reply_delete payloads carry deleter_id, photo_comment_delete both user_id,
// the author, and deleter_id, market_comment_delete only user_id, the deleter).
func (c *comment) deleteWire(deleterID int64) map[string]any {
	switch c.place {
	case WallComment:
		return map[string]any{"owner_id": c.ownerID, "id": c.id, "deleter_id": deleterID, "post_id": c.parentID}
	case PhotoComment:
		return map[string]any{"owner_id": c.ownerID, "id": c.id, "user_id": c.fromID, "deleter_id": deleterID, "photo_id": c.parentID}
	case VideoComment:
		return map[string]any{"owner_id": c.ownerID, "id": c.id, "deleter_id": deleterID, "video_id": c.parentID}
	case MarketComment:
		return map[string]any{"owner_id": c.ownerID, "id": c.id, "user_id": deleterID, "item_id": c.parentID}
	default: // BoardPost
		return map[string]any{"topic_owner_id": c.ownerID, "topic_id": c.parentID, "id": c.id, "deleter_id": deleterID}
	}
}

// clientInfo is what message_new tells a bot about the customer's app.
var clientInfo = map[string]any{
	"button_actions":  []string{"text", "vkpay", "open_app", "location", "open_link", "callback"},
	"keyboard":        true,
	"inline_keyboard": true,
	"carousel":        true,
	"lang_id":         0,
}

func (s *Server) addMessageLocked(g *group, peerID, fromID, adminID int64, text string, out bool) *message {
	return s.addMessageAtLocked(g, peerID, fromID, adminID, text, out, s.Now())
}

// addMessageAtLocked adds a message dated date and keeps the conversation's place in the
// list of unanswered conversations as VK does: a customer's message puts it there, any
// message from the community (a bot's too) takes it off.
func (s *Server) addMessageAtLocked(g *group, peerID, fromID, adminID int64, text string, out bool, date time.Time) *message {
	m := &message{id: g.newMessageID(), peerID: peerID, fromID: fromID, adminAuthorID: adminID, text: text, date: date.Unix(), out: out}
	g.messages = append(g.messages, m)
	g.conversation(peerID).add(m)
	return m
}

func (m *message) wire() map[string]any {
	out := 0
	if m.out {
		out = 1
	}
	w := map[string]any{
		"id": m.id, "date": m.date, "peer_id": m.peerID, "from_id": m.fromID, "text": m.text, "out": out,
		"attachments": []any{}, "fwd_messages": []any{}, "conversation_message_id": m.id - firstMessageID,
		"important": false, "is_hidden": false, "random_id": 0, "version": m.id,
	}
	if m.adminAuthorID != 0 {
		w["admin_author_id"] = m.adminAuthorID
	}
	return w
}

// Message delivers a customer's message to the community and pushes message_new
// ({message, client_info}, API 5.103 and later). It returns the message id.
func (s *Server) Message(groupID, fromID int64, text string) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	m := s.addMessageLocked(g, fromID, fromID, 0, text, false)
	s.pushLocked(g, "message_new", map[string]any{"message": m.wire(), "client_info": clientInfo})
	s.unlockAndObserve(fmt.Sprintf("VK: %d wrote to group %d: %q", fromID, groupID, text))
	return m.id
}

// MessageReply sends the community's answer to customer peerID, written by admin adminID
// (0: VK does not say, e.g. a bot), and pushes message_reply. It returns the message id.
func (s *Server) MessageReply(groupID, peerID, adminID int64, text string) int64 {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	m := s.addMessageLocked(g, peerID, -groupID, adminID, text, true)
	s.pushLocked(g, "message_reply", m.wire())
	s.unlockAndObserve(fmt.Sprintf("VK: group %d answered %d: %q", groupID, peerID, text))
	return m.id
}

// EditMessage changes the text of a customer's message as its author would and pushes
// message_edit. It reports false for an unknown message or one the community sent.
func (s *Server) EditMessage(groupID, messageID int64, text string) bool {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	for _, m := range g.messages {
		if m.id == messageID && !m.out {
			m.text = text
			w := m.wire()
			w["update_time"] = s.Now().Unix()
			s.pushLocked(g, "message_edit", w)
			s.unlockAndObserve(fmt.Sprintf("VK: %d edited message %d to group %d: %q", m.fromID, messageID, groupID, text))
			return true
		}
	}
	s.mu.Unlock()
	return false
}

// ChangeOfficers changes userID's level among the community's officers (0 none,
// 1 moderator, 2 editor, 3 administrator) as adminID, pushing group_officers_edit. It
// returns the event_id.
func (s *Server) ChangeOfficers(groupID, adminID, userID int64, oldLevel, newLevel int) string {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	id := s.pushLocked(g, "group_officers_edit", map[string]any{
		"admin_id": adminID, "user_id": userID, "level_old": oldLevel, "level_new": newLevel,
	})
	s.unlockAndObserve(fmt.Sprintf("VK: %d changed the level of %d in group %d from %d to %d", adminID, userID, groupID, oldLevel, newLevel))
	return id
}

// Events returns the community's kept long-poll updates, oldest first, as VK would deliver
// them: tests decode them without running a long poll.
func (s *Server) Events(groupID int64) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupLocked(groupID)
	out := make([]json.RawMessage, 0, len(g.updates))
	for _, u := range g.updates {
		out = append(out, append(json.RawMessage(nil), u.raw...))
	}
	return out
}

// Delivered counts a community's long-poll answers that carried updates, counted as they
// are written: a test knows an answer is on its way to the watcher.
func (s *Server) Delivered(groupID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered[groupID]
}
