package vk

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// How the comment events of each place are named and decoded. VK names the parent item and
// its owner differently in every family, and the deletion objects differ again; a table
// keeps the Ref of an item's *_new, *_edit, *_restore and *_delete events identical, which
// is what lets the domain find the stored ticket by Ref.Key().
type commentFamily struct {
	place justify.Place
	// parent and owner read the parent item and its owner from a comment object.
	parent, owner func(o *commentObject) int64
	// delParent and delOwner do the same for the deletion object.
	delParent, delOwner func(o *deleteObject) int64
}

var commentFamilies = map[string]commentFamily{
	"wall_reply": {
		place:     justify.PlaceWallComment,
		parent:    func(o *commentObject) int64 { return o.PostID },
		owner:     func(o *commentObject) int64 { return first(o.PostOwnerID, o.OwnerID) },
		delParent: func(o *deleteObject) int64 { return o.PostID },
		delOwner:  func(o *deleteObject) int64 { return o.OwnerID },
	},
	"photo_comment": {
		place:     justify.PlacePhotoComment,
		parent:    func(o *commentObject) int64 { return o.PhotoID },
		owner:     func(o *commentObject) int64 { return first(o.PhotoOwnerID, o.OwnerID) },
		delParent: func(o *deleteObject) int64 { return o.PhotoID },
		delOwner:  func(o *deleteObject) int64 { return o.OwnerID },
	},
	"video_comment": {
		place:     justify.PlaceVideoComment,
		parent:    func(o *commentObject) int64 { return o.VideoID },
		owner:     func(o *commentObject) int64 { return first(o.VideoOwnerID, o.OwnerID) },
		delParent: func(o *deleteObject) int64 { return o.VideoID },
		delOwner:  func(o *deleteObject) int64 { return o.OwnerID },
	},
	"market_comment": {
		place: justify.PlaceMarketComment,
		// VK sends item_id; the schema's callback_market_comment names it photo_id.
		parent:    func(o *commentObject) int64 { return first(o.ItemID, o.PhotoID) },
		owner:     func(o *commentObject) int64 { return first(o.MarketOwnerID, o.OwnerID) },
		delParent: func(o *deleteObject) int64 { return o.ItemID },
		delOwner:  func(o *deleteObject) int64 { return o.OwnerID },
	},
	"board_post": {
		place:     justify.PlaceBoardPost,
		parent:    func(o *commentObject) int64 { return o.TopicID },
		owner:     func(o *commentObject) int64 { return o.TopicOwnerID },
		delParent: func(o *deleteObject) int64 { return o.TopicID },
		delOwner:  func(o *deleteObject) int64 { return o.TopicOwnerID },
	},
}

// commentObject is a comment or board post as the *_new, *_edit and *_restore events carry
// it. vksdk's typed objects drop board topics' ids, so modwatch reads its own.
type commentObject struct {
	ID             int64        `json:"id"`
	FromID         int64        `json:"from_id"`
	Date           int64        `json:"date"`
	Text           string       `json:"text"`
	OwnerID        int64        `json:"owner_id"`
	PostID         int64        `json:"post_id"`
	PostOwnerID    int64        `json:"post_owner_id"`
	PhotoID        int64        `json:"photo_id"`
	PhotoOwnerID   int64        `json:"photo_owner_id"`
	VideoID        int64        `json:"video_id"`
	VideoOwnerID   int64        `json:"video_owner_id"`
	ItemID         int64        `json:"item_id"`
	MarketOwnerID  int64        `json:"market_owner_id"`
	TopicID        int64        `json:"topic_id"`
	TopicOwnerID   int64        `json:"topic_owner_id"`
	ReplyToComment int64        `json:"reply_to_comment"`
	ReplyToUser    int64        `json:"reply_to_user"`
	Attachments    []attachment `json:"attachments"`
}

// deleteObject is any *_delete object. VK's schema and real payloads disagree on who is
// named: see deletionPeople.
type deleteObject struct {
	ID           int64 `json:"id"`
	OwnerID      int64 `json:"owner_id"`
	PostID       int64 `json:"post_id"`
	PhotoID      int64 `json:"photo_id"`
	VideoID      int64 `json:"video_id"`
	ItemID       int64 `json:"item_id"`
	TopicID      int64 `json:"topic_id"`
	TopicOwnerID int64 `json:"topic_owner_id"`
	DeleterID    int64 `json:"deleter_id"`
	UserID       int64 `json:"user_id"`
}

type attachment struct {
	Type string `json:"type"`
}

// postObject is a wall post as wall_post_new carries it.
type postObject struct {
	ID          int64        `json:"id"`
	OwnerID     int64        `json:"owner_id"`
	FromID      int64        `json:"from_id"`
	CreatedBy   int64        `json:"created_by"`
	Date        int64        `json:"date"`
	Text        string       `json:"text"`
	PostType    string       `json:"post_type"`
	Attachments []attachment `json:"attachments"`
}

// messageObject is a community conversation message.
type messageObject struct {
	ID            int64        `json:"id"`
	Date          int64        `json:"date"`
	PeerID        int64        `json:"peer_id"`
	FromID        int64        `json:"from_id"`
	Text          string       `json:"text"`
	Out           int          `json:"out"`
	AdminAuthorID int64        `json:"admin_author_id"`
	UpdateTime    int64        `json:"update_time"`
	Attachments   []attachment `json:"attachments"`
	ReplyMessage  *struct {
		ID int64 `json:"id"`
	} `json:"reply_message"`
}

// chatPeerBase: peer ids from here on are group chats, not a customer's conversation.
const chatPeerBase = 2000000000

func first(vs ...int64) int64 {
	for _, v := range vs {
		if v != 0 {
			return v
		}
	}
	return 0
}

func unixTime(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func kinds(as []attachment) []string {
	var out []string
	for _, a := range as {
		if a.Type != "" {
			out = append(out, a.Type)
		}
	}
	return out
}

func ticket(ref justify.Ref, author int64, text string, as []attachment, date int64) *justify.Ticket {
	return &justify.Ticket{
		Key: ref.Key(), Ref: ref, AuthorVKID: author, Text: text, Attachments: kinds(as),
		Link: ref.Link(), CreatedAt: unixTime(date),
	}
}

// itemRef builds the Ref of a comment-like item, refusing one VK could not have sent.
// Comment events only concern the community's own content, so a missing owner is the
// community; board topics exist only in communities, and VK writes their owner either
// way, so it is normalised to the negative community id.
func itemRef(groupID int64, place justify.Place, owner, parent, id int64) (justify.Ref, error) {
	if owner == 0 {
		owner = -groupID
	}
	if place == justify.PlaceBoardPost && owner > 0 {
		owner = -owner
	}
	if id <= 0 || parent <= 0 {
		return justify.Ref{}, fmt.Errorf("no %s id or parent (id %d, parent %d)", place, id, parent)
	}
	return justify.Ref{GroupID: groupID, Place: place, OwnerID: owner, ParentID: parent, ItemID: id}, nil
}

// decodeComment handles <family>_new, _edit and _restore. A comment by the community
// (negative from_id) is its answer, not a ticket; the community editing its own answer is
// of no interest.
func decodeComment(ev *justify.Event, fam commentFamily, action string, raw json.RawMessage) (bool, error) {
	var o commentObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	ref, err := itemRef(ev.GroupID, fam.place, fam.owner(&o), fam.parent(&o), o.ID)
	if err != nil {
		return false, err
	}
	if o.FromID == 0 {
		return false, fmt.Errorf("%s %d has no from_id", fam.place, o.ID)
	}
	ev.Item = ref
	switch action {
	case "new":
		ev.At = unixTime(o.Date)
		if o.FromID < 0 && o.FromID != -ev.GroupID {
			// Another community's page speaking: neither a customer nor this community's answer.
			return false, nil
		}
		if o.FromID < 0 {
			ev.Kind = justify.EventAnswer
			communityReply(ev, fam.place, ref, &o)
			return true, nil
		}
		ev.Kind, ev.UserVKID = justify.EventWrite, o.FromID
		ev.Ticket = ticket(ref, o.FromID, o.Text, o.Attachments, o.Date)
	case "edit":
		if o.FromID < 0 && o.FromID == -ev.GroupID {
			// The community edited its answer: what it says now may be an answer at last.
			ev.Kind = justify.EventAnswerEdit
			communityReply(ev, fam.place, ref, &o)
			return true, nil
		}
		if o.FromID < 0 { // another community's comment
			return false, nil
		}
		// date is when the comment was written, not edited: At stays for the receipt time.
		ev.Kind, ev.UserVKID = justify.EventEdit, o.FromID
		ev.Ticket = ticket(ref, o.FromID, o.Text, o.Attachments, o.Date)
	case "restore":
		// date is the comment's own, not the restoration's; VK does not say who restored.
		ev.Kind, ev.UserVKID = justify.EventRestore, o.FromID
	}
	return true, nil
}

// communityReply fills in what the community's comment says and what it replies to.
func communityReply(ev *justify.Event, place justify.Place, ref justify.Ref, o *commentObject) {
	if to := replyTarget(place, o); to > 0 {
		ev.ReplyTo = ref
		ev.ReplyTo.ItemID = to
		// Whom the community answered: an answer delivered before the question still
		// finds its customer's conversation.
		if o.ReplyToUser > 0 {
			ev.UserVKID = o.ReplyToUser
		}
	}
	ev.Reply = &justify.Reply{Text: o.Text, Attachments: kinds(o.Attachments), WrittenAt: unixTime(o.Date)}
}

// boardReply is how VK's interface marks a reply in a board topic: the text starts with a
// mention of the post answered, "[post51|Ivan], ...", as board posts have no
// reply_to_comment.
var boardReply = regexp.MustCompile(`^\[post(\d{1,18})\|`)

// replyTarget is the id of the comment a comment replies to, 0 when VK does not say.
func replyTarget(place justify.Place, o *commentObject) int64 {
	if o.ReplyToComment > 0 {
		return o.ReplyToComment
	}
	if place == justify.PlaceBoardPost {
		if m := boardReply.FindStringSubmatch(o.Text); m != nil {
			id, err := strconv.ParseInt(m[1], 10, 64)
			if err == nil {
				return id
			}
		}
	}
	return 0
}

// decodeDeletion handles <family>_delete. Who is named varies: wall_reply_delete carries
// deleter_id in real payloads but user_id in the schema (and sometimes neither),
// photo_comment_delete both, video_comment_delete deleter_id, market_comment_delete user_id
// in the schema, board_post_delete optionally deleter_id. The rule:
//   - deleter_id, when present, is the one who deleted (ActorVKID); a user_id next to it
//     is the comment's author (UserVKID), which is what photo_comment_delete means by it;
//   - a lone user_id is the deleter: where VK names one person only, it is the deleter
//     (real wall_reply_delete payloads call that same field deleter_id). The author stays
//     0: the domain knows it from the ticket the *_new event stored, and guessing it
//     would make an admin's deletion look like the author's own.
func decodeDeletion(ev *justify.Event, fam commentFamily, raw json.RawMessage) (bool, error) {
	var o deleteObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	ref, err := itemRef(ev.GroupID, fam.place, fam.delOwner(&o), fam.delParent(&o), o.ID)
	if err != nil {
		return false, err
	}
	ev.Kind, ev.Item = justify.EventDelete, ref
	ev.ActorVKID, ev.UserVKID = deletionPeople(o.DeleterID, o.UserID)
	return true, nil
}

func deletionPeople(deleterID, userID int64) (actor, author int64) {
	if deleterID != 0 {
		return deleterID, userID
	}
	return userID, 0
}

// decodeWallPost makes a ticket of a post a customer wrote or suggested. Posts by the
// community, or published by an admin (created_by), are the community's own words.
func decodeWallPost(ev *justify.Event, raw json.RawMessage) (bool, error) {
	var o postObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	if o.ID <= 0 {
		return false, fmt.Errorf("wall post has no id")
	}
	if o.FromID <= 0 || o.CreatedBy != 0 || (o.PostType != "post" && o.PostType != "suggest") {
		return false, nil
	}
	owner := o.OwnerID
	if owner == 0 {
		owner = -ev.GroupID
	}
	ref := justify.Ref{GroupID: ev.GroupID, Place: justify.PlaceWallPost, OwnerID: owner, ItemID: o.ID}
	ev.Kind, ev.Item, ev.UserVKID, ev.At = justify.EventWrite, ref, o.FromID, unixTime(o.Date)
	ev.Ticket = ticket(ref, o.FromID, o.Text, o.Attachments, o.Date)
	return true, nil
}

// decodeMessage handles message_new ({message, client_info}; before API 5.103 the object
// was the message itself), message_edit and message_reply (the message itself). A
// customer's message is keyed by the conversation (OwnerID = the customer) and its id,
// so that an answer in the same conversation marks it answered.
func decodeMessage(ev *justify.Event, typ string, raw json.RawMessage) (bool, error) {
	var m messageObject
	if typ == "message_new" {
		var wrapped struct {
			Message *messageObject `json:"message"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return false, err
		}
		if wrapped.Message != nil {
			m = *wrapped.Message
		} else if err := json.Unmarshal(raw, &m); err != nil {
			return false, err
		}
	} else if err := json.Unmarshal(raw, &m); err != nil {
		return false, err
	}
	if m.ID <= 0 {
		return false, fmt.Errorf("%s has no message id", typ)
	}
	if m.PeerID >= chatPeerBase {
		return false, nil // a group chat, not a customer's conversation with the community
	}
	if typ == "message_reply" {
		if m.PeerID <= 0 {
			return false, fmt.Errorf("message_reply %d has no peer_id", m.ID)
		}
		ev.Kind, ev.ActorVKID, ev.At = justify.EventAnswer, m.AdminAuthorID, unixTime(m.Date)
		ev.Item = justify.Ref{GroupID: ev.GroupID, Place: justify.PlaceMessage, OwnerID: m.PeerID, ItemID: m.ID}
		if m.ReplyMessage != nil && m.ReplyMessage.ID > 0 {
			ev.ReplyTo = ev.Item
			ev.ReplyTo.ItemID = m.ReplyMessage.ID
		}
		ev.Reply = &justify.Reply{Text: m.Text, Attachments: kinds(m.Attachments), WrittenAt: unixTime(m.Date)}
		return true, nil
	}
	if typ == "message_edit" && (m.Out == 1 || m.FromID < 0) {
		// The community edited its own message: a greeting edited into an answer hours
		// later is an answer from the edit on. update_time is VK's time of the edit.
		if m.PeerID <= 0 {
			return false, fmt.Errorf("message_edit %d has no peer_id", m.ID)
		}
		ev.Kind, ev.ActorVKID, ev.At = justify.EventAnswerEdit, m.AdminAuthorID, unixTime(m.UpdateTime)
		ev.Item = justify.Ref{GroupID: ev.GroupID, Place: justify.PlaceMessage, OwnerID: m.PeerID, ItemID: m.ID}
		ev.Reply = &justify.Reply{Text: m.Text, Attachments: kinds(m.Attachments), WrittenAt: unixTime(m.Date),
			EditedAt: unixTime(m.UpdateTime)}
		return true, nil
	}
	if m.Out == 1 || m.FromID <= 0 {
		return false, nil // the community's own message
	}
	ref := justify.Ref{GroupID: ev.GroupID, Place: justify.PlaceMessage, OwnerID: m.FromID, ItemID: m.ID}
	ev.Item, ev.UserVKID = ref, m.FromID
	ev.Ticket = ticket(ref, m.FromID, m.Text, m.Attachments, m.Date)
	if typ == "message_edit" {
		// VK's time of the edit; zero (the watcher's receipt) when VK leaves it out.
		ev.Kind, ev.At = justify.EventEdit, unixTime(m.UpdateTime)
		return true, nil
	}
	ev.Kind, ev.At = justify.EventWrite, unixTime(m.Date)
	return true, nil
}

// officerLevels are VK's names of group_officers_edit levels.
var officerLevels = map[int]string{0: "none", 1: "moderator", 2: "editor", 3: "administrator"}

func decodeOfficers(ev *justify.Event, raw json.RawMessage) (bool, error) {
	var o struct {
		AdminID  int64 `json:"admin_id"`
		UserID   int64 `json:"user_id"`
		LevelOld int   `json:"level_old"`
		LevelNew int   `json:"level_new"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, err
	}
	if o.UserID == 0 {
		return false, fmt.Errorf("group_officers_edit has no user_id")
	}
	ev.Kind, ev.ActorVKID, ev.UserVKID = justify.EventOfficers, o.AdminID, o.UserID
	ev.Comment = fmt.Sprintf("level %d → %d", o.LevelOld, o.LevelNew)
	if from, ok := officerLevels[o.LevelOld]; ok {
		if to, ok := officerLevels[o.LevelNew]; ok {
			ev.Comment += fmt.Sprintf(" (%s → %s)", from, to)
		}
	}
	return true, nil
}
