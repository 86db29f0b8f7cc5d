package vk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// fileKey is the event key of a testdata payload, from its own event_id.
func fileKey(t *testing.T, file string) string {
	t.Helper()
	var env struct {
		EventID string `json:"event_id"`
	}
	require.NoError(t, json.Unmarshal(payload(t, file), &env))
	return EventKey(1, env.EventID)
}

func ref(place justify.Place, owner, parent, id int64) justify.Ref {
	return justify.Ref{GroupID: 1, Place: place, OwnerID: owner, ParentID: parent, ItemID: id}
}

func tk(r justify.Ref, author int64, text string, date int64, atts ...string) *justify.Ticket {
	return &justify.Ticket{Key: r.Key(), Ref: r, AuthorVKID: author, Text: text, Attachments: atts,
		Link: r.Link(), CreatedAt: time.Unix(date, 0).UTC()}
}

func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// reply is the community's words in a testdata payload, as the decoder should keep them.
func reply(t *testing.T, file string, date int64) *justify.Reply {
	t.Helper()
	var env struct {
		Object struct {
			Text string `json:"text"`
		} `json:"object"`
	}
	require.NoError(t, json.Unmarshal(payload(t, file), &env))
	return &justify.Reply{Text: env.Object.Text, WrittenAt: at(date)}
}

func TestDecodeContentEvents(t *testing.T) {
	wallC := ref(justify.PlaceWallComment, -1, 3, 6)
	photoC := ref(justify.PlacePhotoComment, -1, 457239020, 21)
	videoC := ref(justify.PlaceVideoComment, -1, 456239017, 31)
	marketC := ref(justify.PlaceMarketComment, -1, 7001, 41)
	boardP := ref(justify.PlaceBoardPost, -1, 30001, 51)
	msg := ref(justify.PlaceMessage, 777, 0, 901)
	post := ref(justify.PlaceWallPost, -1, 0, 61)
	suggest := ref(justify.PlaceWallPost, -1, 0, 62)
	tests := []struct {
		file    string
		want    justify.Event // Key, GroupID and Source are filled in
		ignored bool
		wantErr bool
	}{
		// wall comments
		{file: "wall_reply_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 222, At: at(1700000000),
			Item: ref(justify.PlaceWallComment, -1, 3, 5), Ticket: tk(ref(justify.PlaceWallComment, -1, 3, 5), 222, "hello", 1700000000)}},
		{file: "wall_reply_new_attachments.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 222, At: at(1700000100),
			Item: wallC, Ticket: tk(wallC, 222, "Where is my order #123?", 1700000100, "photo", "doc")}},
		{file: "wall_reply_new_invalid_utf8.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 222, At: at(1700000900),
			Item:   ref(justify.PlaceWallComment, -1, 3, 9),
			Ticket: tk(ref(justify.PlaceWallComment, -1, 3, 9), 222, "Где заказ? \uFFFD\uFFFD \uFFFD \uFFFD\uFFFD\uFFFD", 1700000900)}},
		{file: "wall_reply_new_community.json", want: justify.Event{Kind: justify.EventAnswer, UserVKID: 222, At: at(1700000200),
			Item: ref(justify.PlaceWallComment, -1, 3, 7), ReplyTo: wallC,
			Reply: &justify.Reply{Text: "We are sorry, your order ships tomorrow.", WrittenAt: at(1700000200)}}},
		{file: "wall_reply_new_community_top.json", want: justify.Event{Kind: justify.EventAnswer, At: at(1700000300),
			Item: ref(justify.PlaceWallComment, -1, 3, 8), Reply: reply(t, "wall_reply_new_community_top.json", 1700000300)}},
		{file: "wall_reply_new_other_community.json", ignored: true},
		{file: "wall_reply_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 222,
			Item: wallC, Ticket: tk(wallC, 222, "Where is my order #123? Still nothing.", 1700000100)}},
		{file: "wall_reply_edit_community.json", want: justify.Event{Kind: justify.EventAnswerEdit,
			Item: ref(justify.PlaceWallComment, -1, 3, 7), ReplyTo: wallC,
			Reply: &justify.Reply{Text: "Ships today.", WrittenAt: at(1700000200)}}},
		{file: "wall_reply_delete.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, Item: wallC}},
		{file: "wall_reply_delete_user_id.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, Item: wallC}},
		{file: "wall_reply_delete_nobody.json", want: justify.Event{Kind: justify.EventDelete, Item: wallC}},
		{file: "wall_reply_restore.json", want: justify.Event{Kind: justify.EventRestore, UserVKID: 222, Item: wallC}},
		// photo comments
		{file: "photo_comment_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 333, At: at(1700001000),
			Item: photoC, Ticket: tk(photoC, 333, "The colour is not like in the photo", 1700001000)}},
		{file: "photo_comment_new_community.json", want: justify.Event{Kind: justify.EventAnswer, UserVKID: 333, At: at(1700001100),
			Item: ref(justify.PlacePhotoComment, -1, 457239020, 22), ReplyTo: photoC,
			Reply: reply(t, "photo_comment_new_community.json", 1700001100)}},
		{file: "photo_comment_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 333,
			Item: photoC, Ticket: tk(photoC, 333, "The colour is wrong", 1700001000)}},
		{file: "photo_comment_delete.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, UserVKID: 333, Item: photoC}},
		{file: "photo_comment_delete_by_author.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 333, UserVKID: 333, Item: photoC}},
		{file: "photo_comment_restore.json", want: justify.Event{Kind: justify.EventRestore, UserVKID: 333, Item: photoC}},
		// video comments
		{file: "video_comment_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 444, At: at(1700002000),
			Item: videoC, Ticket: tk(videoC, 444, "The video does not show the size", 1700002000)}},
		{file: "video_comment_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 444,
			Item: videoC, Ticket: tk(videoC, 444, "What size is it?", 1700002000)}},
		{file: "video_comment_delete.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, Item: videoC}},
		{file: "video_comment_restore.json", want: justify.Event{Kind: justify.EventRestore, UserVKID: 444, Item: videoC}},
		// market comments
		{file: "market_comment_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 555, At: at(1700003000),
			Item: marketC, Ticket: tk(marketC, 555, "Broke after two days", 1700003000)}},
		{file: "market_comment_new_photo_id.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 555, At: at(1700003050),
			Item: ref(justify.PlaceMarketComment, -1, 7001, 42), Ticket: tk(ref(justify.PlaceMarketComment, -1, 7001, 42), 555, "Schema shape", 1700003050)}},
		{file: "market_comment_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 555,
			Item: marketC, Ticket: tk(marketC, 555, "Broke after two days, want a refund", 1700003000)}},
		{file: "market_comment_delete.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, Item: marketC}},
		{file: "market_comment_restore.json", want: justify.Event{Kind: justify.EventRestore, UserVKID: 555, Item: marketC}},
		// board posts
		{file: "board_post_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 666, At: at(1700004000),
			Item: boardP, Ticket: tk(boardP, 666, "Is there a warranty?", 1700004000)}},
		{file: "board_post_new_community.json", want: justify.Event{Kind: justify.EventAnswer, At: at(1700004100),
			Item: ref(justify.PlaceBoardPost, -1, 30001, 52), Reply: reply(t, "board_post_new_community.json", 1700004100)}},
		{file: "board_post_new_community_reply.json", want: justify.Event{Kind: justify.EventAnswer, At: at(1700004200),
			Item: ref(justify.PlaceBoardPost, -1, 30001, 53), ReplyTo: boardP,
			Reply: reply(t, "board_post_new_community_reply.json", 1700004200)}},
		{file: "board_post_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 666,
			Item: boardP, Ticket: tk(boardP, 666, "Is there a warranty for the blue one?", 1700004000)}},
		{file: "board_post_delete.json", want: justify.Event{Kind: justify.EventDelete, ActorVKID: 111, Item: boardP}},
		{file: "board_post_delete_positive_owner.json", want: justify.Event{Kind: justify.EventDelete, Item: boardP}},
		{file: "board_post_restore.json", want: justify.Event{Kind: justify.EventRestore, UserVKID: 666, Item: boardP}},
		// community messages
		{file: "message_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 777, At: at(1700005000),
			Item: msg, Ticket: tk(msg, 777, "Hello, my parcel is lost", 1700005000, "photo")}},
		{file: "message_new_legacy.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 777, At: at(1700005000),
			Item: msg, Ticket: tk(msg, 777, "Hello, my parcel is lost", 1700005000)}},
		{file: "message_new_chat.json", ignored: true},
		{file: "message_reply.json", want: justify.Event{Kind: justify.EventAnswer, ActorVKID: 111, At: at(1700005100),
			Item: ref(justify.PlaceMessage, 777, 0, 902), Reply: &justify.Reply{Text: "We will find it", WrittenAt: at(1700005100)}}},
		{file: "message_reply_no_admin.json", want: justify.Event{Kind: justify.EventAnswer, At: at(1700005200),
			Item: ref(justify.PlaceMessage, 777, 0, 903), Reply: &justify.Reply{Text: "Automatic answer", WrittenAt: at(1700005200)}}},
		{file: "message_edit.json", want: justify.Event{Kind: justify.EventEdit, UserVKID: 777, At: at(1700005050),
			Item: msg, Ticket: tk(msg, 777, "Hello, my parcel #55 is lost", 1700005000)}},
		{file: "message_edit_out.json", want: justify.Event{Kind: justify.EventAnswerEdit, ActorVKID: 111, At: at(1700005150),
			Item: ref(justify.PlaceMessage, 777, 0, 902), Reply: &justify.Reply{Text: "We will find it today",
				WrittenAt: at(1700005100), EditedAt: at(1700005150)}}},
		// wall posts
		{file: "wall_post_new.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 888, At: at(1700006000),
			Item: post, Ticket: tk(post, 888, "Nobody answers my messages!", 1700006000, "photo")}},
		{file: "wall_post_new_suggest.json", want: justify.Event{Kind: justify.EventWrite, UserVKID: 888, At: at(1700006000),
			Item: suggest, Ticket: tk(suggest, 888, "Please publish my review", 1700006000)}},
		{file: "wall_post_new_community.json", ignored: true},
		{file: "wall_post_new_published_suggestion.json", ignored: true},
		// officers
		{file: "group_officers_edit.json", want: justify.Event{Kind: justify.EventOfficers, ActorVKID: 111, UserVKID: 555,
			Comment: "level 0 → 1 (none → moderator)"}},
		{file: "group_officers_edit_removed.json", want: justify.Event{Kind: justify.EventOfficers, ActorVKID: 111, UserVKID: 555,
			Comment: "level 3 → 0 (administrator → none)"}},
		// other types, broken objects
		{file: "group_join.json", ignored: true},
		{file: "malformed_comment_no_id.json", wantErr: true},
		{file: "malformed_comment_no_from.json", wantErr: true},
		{file: "malformed_delete_no_parent.json", wantErr: true},
		{file: "malformed_post_id_string.json", wantErr: true},
		{file: "malformed_message_no_id.json", wantErr: true},
		{file: "malformed_officers_no_user.json", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev, ok, err := DecodeUpdate(1, payload(t, tt.file))
			if tt.wantErr {
				require.ErrorIs(t, err, ErrMalformed)
				assert.False(t, ok)
				return
			}
			require.NoError(t, err)
			if tt.ignored {
				assert.False(t, ok)
				assert.Equal(t, justify.Event{}, ev)
				return
			}
			require.True(t, ok)
			want := tt.want
			want.Key, want.GroupID, want.Source = fileKey(t, tt.file), 1, justify.SourceLongPoll
			assert.Equal(t, want, ev)
			assert.NoError(t, ev.Validate())
		})
	}
}

// TestDecodeRefsMatchAcrossEvents: the domain finds a deleted or restored comment's ticket
// by Ref.Key(), so every event of one comment must name the same Ref whatever VK calls
// its fields.
func TestDecodeRefsMatchAcrossEvents(t *testing.T) {
	families := []struct {
		name  string
		files []string
	}{
		{"wall", []string{"wall_reply_new_attachments.json", "wall_reply_edit.json", "wall_reply_delete.json",
			"wall_reply_delete_user_id.json", "wall_reply_delete_nobody.json", "wall_reply_restore.json"}},
		{"photo", []string{"photo_comment_new.json", "photo_comment_edit.json", "photo_comment_delete.json", "photo_comment_restore.json"}},
		{"video", []string{"video_comment_new.json", "video_comment_edit.json", "video_comment_delete.json", "video_comment_restore.json"}},
		{"market", []string{"market_comment_new.json", "market_comment_edit.json", "market_comment_delete.json", "market_comment_restore.json"}},
		{"board", []string{"board_post_new.json", "board_post_edit.json", "board_post_delete.json",
			"board_post_delete_positive_owner.json", "board_post_restore.json"}},
		{"message", []string{"message_new.json", "message_edit.json"}},
	}
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			created, ok, err := DecodeUpdate(1, payload(t, fam.files[0]))
			require.NoError(t, err)
			require.True(t, ok)
			require.NotNil(t, created.Ticket)
			for _, f := range fam.files[1:] {
				ev, ok, err := DecodeUpdate(1, payload(t, f))
				require.NoError(t, err, f)
				require.True(t, ok, f)
				assert.Equal(t, created.Ticket.Key, ev.Item.Key(), f)
				if ev.Ticket != nil {
					assert.Equal(t, created.Ticket.Key, ev.Ticket.Key, f)
				}
			}
		})
	}
}

// decodeAll decodes every update the fake VK holds for testGroup.
func decodeAll(t *testing.T, srv *vktest.Server) []justify.Event {
	t.Helper()
	var evs []justify.Event
	for _, raw := range srv.Events(testGroup) {
		ev, ok, err := DecodeUpdate(testGroup, raw)
		require.NoError(t, err, string(raw))
		require.True(t, ok, string(raw))
		evs = append(evs, ev)
	}
	return evs
}

// TestDecodeVKTestContent: what the fake VK pushes decodes into events whose Refs line up,
// so end-to-end tests built on vktest exercise the same keys real VK produces.
func TestDecodeVKTestContent(t *testing.T) {
	places := []vktest.Place{vktest.WallComment, vktest.PhotoComment, vktest.VideoComment, vktest.MarketComment, vktest.BoardPost}
	for _, place := range places {
		t.Run(string(place), func(t *testing.T) {
			srv := vktest.New()
			t.Cleanup(srv.Close)
			srv.AddGroup(testGroup, communityToken)
			id := srv.Comment(testGroup, place, 0, 77, 222, "where is my order?")
			answer := srv.ReplyAsCommunity(testGroup, place, 0, 77, id, "tomorrow")
			require.True(t, srv.EditComment(testGroup, place, 0, id, "where is my order #5?"))
			require.True(t, srv.DeleteComment(testGroup, place, 0, 77, id, 111))
			require.False(t, srv.DeleteComment(testGroup, place, 0, 77, id, 111), "already deleted")
			require.True(t, srv.CommentDeleted(testGroup, place, 0, id))

			evs := decodeAll(t, srv)
			require.Len(t, evs, 4)
			want := justify.Ref{GroupID: testGroup, Place: justify.Place(place), OwnerID: -testGroup, ParentID: 77, ItemID: id}
			assert.Equal(t, justify.EventWrite, evs[0].Kind)
			require.NotNil(t, evs[0].Ticket)
			assert.Equal(t, want, evs[0].Ticket.Ref)
			assert.Equal(t, int64(222), evs[0].Ticket.AuthorVKID)
			assert.Equal(t, "where is my order?", evs[0].Ticket.Text)

			assert.Equal(t, justify.EventAnswer, evs[1].Kind)
			assert.Equal(t, answer, evs[1].Item.ItemID)
			assert.Equal(t, want, evs[1].ReplyTo)

			assert.Equal(t, justify.EventEdit, evs[2].Kind)
			assert.Equal(t, want.Key(), evs[2].Ticket.Key)
			assert.Equal(t, "where is my order #5?", evs[2].Ticket.Text)

			assert.Equal(t, justify.EventDelete, evs[3].Kind)
			assert.Equal(t, want, evs[3].Item)
			assert.Equal(t, int64(111), evs[3].ActorVKID)
		})
	}
	t.Run("messages, posts and officers", func(t *testing.T) {
		srv := vktest.New()
		t.Cleanup(srv.Close)
		srv.AddGroup(testGroup, communityToken)
		mid := srv.Message(testGroup, 333, "hello?")
		rid := srv.MessageReply(testGroup, 333, 111, "hi!")
		pid := srv.Post(testGroup, 444, "complaint")
		sid := srv.SuggestPost(testGroup, 555, "review")
		srv.Post(testGroup, -testGroup, "news") // the community's own post: no ticket
		srv.AddPostSilently(testGroup, 666, "old")
		srv.ChangeOfficers(testGroup, 111, 777, 0, 3)
		require.True(t, srv.EditMessage(testGroup, mid, "hello??"))

		var evs []justify.Event
		for _, raw := range srv.Events(testGroup) {
			ev, ok, err := DecodeUpdate(testGroup, raw)
			require.NoError(t, err)
			if ok {
				evs = append(evs, ev)
			}
		}
		require.Len(t, evs, 6)
		assert.Equal(t, justify.EventWrite, evs[0].Kind)
		assert.Equal(t, justify.Ref{GroupID: testGroup, Place: justify.PlaceMessage, OwnerID: 333, ItemID: mid}, evs[0].Ticket.Ref)
		assert.Equal(t, justify.EventAnswer, evs[1].Kind)
		assert.Equal(t, justify.Ref{GroupID: testGroup, Place: justify.PlaceMessage, OwnerID: 333, ItemID: rid}, evs[1].Item)
		assert.Equal(t, int64(111), evs[1].ActorVKID)
		assert.Equal(t, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: pid}, evs[2].Ticket.Ref)
		assert.Equal(t, justify.Ref{GroupID: testGroup, Place: justify.PlaceWallPost, OwnerID: -testGroup, ItemID: sid}, evs[3].Ticket.Ref)
		assert.Equal(t, justify.EventOfficers, evs[4].Kind)
		assert.Equal(t, int64(777), evs[4].UserVKID)
		assert.Equal(t, "level 0 → 3 (none → administrator)", evs[4].Comment)
		assert.Equal(t, justify.EventEdit, evs[5].Kind)
		assert.Equal(t, evs[0].Ticket.Key, evs[5].Ticket.Key)
		assert.Equal(t, "hello??", evs[5].Ticket.Text)
	})
}
