package justify_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
)

const teamChat = -100500

// chatService reviews brand A in a team chat, topic 7, and brand B privately.
func chatService(t *testing.T) (*justify.Service, *store.DB) {
	t.Helper()
	svc, db := testService(t)
	svc.People = justify.NewDirectory([]justify.Person{scIvan, scPetr, scOlga, scPavel, scAnna, scBoris, scMax})
	svc.Communities = map[int64]justify.Community{
		1: {GroupID: 1, Name: "Brand A", ReviewChat: justify.Chat{ID: teamChat, Topic: 7}, AlertsChat: justify.Chat{ID: teamChat}},
		2: {GroupID: 2, Name: "Brand B"},
	}
	svc.Wave = justify.WaveRule{}
	return svc, db
}

// due lists the messages waiting in the outbox.
func due(t *testing.T, db *store.DB) []justify.Message {
	t.Helper()
	ms, err := db.DueMessages(context.Background(), t0.Add(100*time.Hour), 0)
	require.NoError(t, err)
	return ms
}

func justifiedBan(t *testing.T, svc *justify.Service, key string, groupID, actor, actorTG, user int64) justify.CaseID {
	t.Helper()
	ctx := context.Background()
	res, err := svc.Ingest(ctx, []justify.Event{{Key: key, GroupID: groupID, Kind: justify.EventBan, ActorVKID: actor, UserVKID: user,
		At: t0, Source: justify.SourceLongPoll}}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Opened, 1)
	_, err = svc.Justify(ctx, actorTG, res.Opened[0], justify.ReasonSpam, "")
	require.NoError(t, err)
	return res.Opened[0]
}

// A community with a review chat gets one review there, in its topic, instead of one per
// manager; alerts go to its alerts chat; another community's stay private.
func TestReviewsGoToTheTeamChat(t *testing.T) {
	ctx := context.Background()
	svc, db := chatService(t)
	a := justifiedBan(t, svc, "vk:1:a", 1, 111, 1001, 5)
	b := justifiedBan(t, svc, "vk:2:b", 2, 112, 1002, 6)
	var reviews []justify.Message
	for _, m := range due(t, db) {
		if m.Kind == justify.MsgReview {
			reviews = append(reviews, m)
		}
	}
	require.Len(t, reviews, 3)
	assert.Equal(t, []int64{teamChat, 2003, 2002}, []int64{reviews[0].ChatID, reviews[1].ChatID, reviews[2].ChatID},
		"brand B's managers, by name: Max, who covers both, and Pavel")
	assert.Equal(t, a, reviews[0].CaseID)
	assert.Equal(t, 7, reviews[0].Topic, "in the community's topic")
	assert.Equal(t, b, reviews[1].CaseID)

	require.NoError(t, svc.Alert(ctx, justify.Alert{Kind: justify.AlertToken, GroupID: 1, Key: "token:1", Subject: "community token"}))
	require.NoError(t, svc.Alert(ctx, justify.Alert{Kind: justify.AlertToken, GroupID: 1, Key: "token:1", Subject: "community token"}))
	var alerts []justify.Message
	for _, m := range due(t, db) {
		if m.Kind == justify.MsgAlert {
			alerts = append(alerts, m)
		}
	}
	require.Len(t, alerts, 2, "one alert and its repeat, both in the chat")
	assert.Equal(t, int64(teamChat), alerts[0].ChatID)
	assert.Equal(t, alerts[0].ID, alerts[1].EditOf)

	// Max, who covers both brands, decides brand A's case from the chat; the approval edits
	// the chat's one review.
	_, err := svc.Approve(ctx, 2003, a)
	require.NoError(t, err)
	var edits int
	for _, m := range due(t, db) {
		if m.Kind == justify.MsgReview && m.EditOf == reviews[0].ID {
			edits++
			assert.Equal(t, int64(teamChat), m.ChatID)
			assert.Equal(t, 7, m.Topic, "an edit is shown where its original is")
		}
	}
	assert.Equal(t, 1, edits)
}

// A team chat the bot can no longer write to: the open cases reviewed there go to their
// deciders privately, what was queued there is given up, managers hear it once, and the
// reviews of later cases go privately until the chat is back.
func TestLostTeamChatFallsBackToPrivateReviews(t *testing.T) {
	ctx := context.Background()
	svc, db := chatService(t)
	open := justifiedBan(t, svc, "vk:1:a", 1, 111, 1001, 5)
	decided := justifiedBan(t, svc, "vk:1:b", 1, 111, 1001, 6)
	_, err := svc.Approve(ctx, 2001, decided)
	require.NoError(t, err)
	require.NoError(t, svc.Alert(ctx, justify.Alert{Kind: justify.AlertToken, GroupID: 1, Key: "token:1", Subject: "community token"}))

	news, err := svc.ChatLost(ctx, teamChat, "Forbidden: bot was kicked from the supergroup chat", t0)
	require.NoError(t, err)
	assert.True(t, news)
	news, err = svc.ChatLost(ctx, teamChat, "Forbidden: bot was kicked from the supergroup chat", t0)
	require.NoError(t, err)
	assert.False(t, news, "a second report of the same loss is no news")

	private := map[justify.CaseID][]int64{}
	var lostAlerts, tokenAlerts []int64
	for _, m := range due(t, db) {
		assert.NotEqual(t, int64(teamChat), m.ChatID, "nothing is left queued for the lost chat")
		switch m.Kind {
		case justify.MsgReview:
			private[m.CaseID] = append(private[m.CaseID], m.ChatID)
		case justify.MsgAlert:
			a, err := justify.ParseAlert(m.Payload)
			require.NoError(t, err)
			if a.Kind == justify.AlertChatLost {
				lostAlerts = append(lostAlerts, m.ChatID)
			} else {
				tokenAlerts = append(tokenAlerts, m.ChatID)
			}
		}
	}
	assert.Equal(t, map[justify.CaseID][]int64{open: {2003, 2001}}, private, "the open case goes to brand A's managers, the decided one does not")
	assert.ElementsMatch(t, []int64{2001, 2003}, lostAlerts, "brand A's managers hear it, once")
	assert.ElementsMatch(t, []int64{2001, 2003, 3001}, tokenAlerts, "the alert that never reached the chat goes to its people")

	later := justifiedBan(t, svc, "vk:1:c", 1, 111, 1001, 7)
	var laterTo []int64
	for _, m := range due(t, db) {
		if m.CaseID == later && m.Kind == justify.MsgReview {
			laterTo = append(laterTo, m.ChatID)
		}
	}
	assert.ElementsMatch(t, []int64{2001, 2003}, laterTo, "while the chat is lost, reviews are private")

	back, err := svc.ChatBack(ctx, teamChat)
	require.NoError(t, err)
	assert.True(t, back)
	again := justifiedBan(t, svc, "vk:1:d", 1, 111, 1001, 8)
	var againTo []int64
	for _, m := range due(t, db) {
		if m.CaseID == again && m.Kind == justify.MsgReview {
			againTo = append(againTo, m.ChatID)
		}
	}
	assert.Equal(t, []int64{teamChat}, againTo, "back in the chat")

	news, err = svc.ChatLost(ctx, -42, "Forbidden", t0)
	require.NoError(t, err)
	assert.False(t, news, "a chat the config does not use is not recorded")
}

// A refusal of a message sent before the bot was back in the chat is stale: the chat
// stays in use and the message is to go again; one sent after it loses the chat again.
// A membership update (no request time) always counts.
func TestStaleRefusalKeepsTheChat(t *testing.T) {
	tests := []struct {
		name  string
		asked time.Duration // when the refused request was made, from the moment the bot was back
		none  bool          // no request: the loss came as a membership update
		lost  bool          // the chat is lost again
	}{
		{name: "sent before the bot was back", asked: -time.Second},
		{name: "sent in the same millisecond", asked: 400 * time.Microsecond},
		{name: "sent after", asked: time.Second, lost: true},
		{name: "a membership update", none: true, lost: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, db := chatService(t)
			now := t0
			svc.Now = func() time.Time { return now }
			justifiedBan(t, svc, "vk:1:a", 1, 111, 1001, 5)
			_, err := svc.ChatLost(ctx, teamChat, "Forbidden: bot was kicked from the supergroup chat", time.Time{})
			require.NoError(t, err)
			now = now.Add(time.Minute)
			back, err := svc.ChatBack(ctx, teamChat)
			require.NoError(t, err)
			require.True(t, back)

			asked := now.Add(tt.asked)
			if tt.none {
				asked = time.Time{}
			}
			now = now.Add(time.Minute)
			news, err := svc.ChatLost(ctx, teamChat, "Forbidden: bot was kicked from the supergroup chat", asked)
			if !tt.lost {
				require.ErrorIs(t, err, justify.ErrChatBack)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.lost, news)
			require.NoError(t, db.View(ctx, func(tx justify.Tx) error {
				tc, err := tx.TeamChat(teamChat)
				assert.Equal(t, tt.lost, tc.Lost(), "the chat is lost")
				return err
			}))
		})
	}
}

// A group upgraded to a supergroup: what was queued moves with it, later reviews go to
// the new id, and a sent review is shown anew there at its next edit.
func TestMovedTeamChatIsFollowed(t *testing.T) {
	ctx := context.Background()
	svc, db := chatService(t)
	const super = -1001234
	sent := justifiedBan(t, svc, "vk:1:a", 1, 111, 1001, 5)
	var orig justify.Message
	for _, m := range due(t, db) {
		if m.CaseID == sent && m.Kind == justify.MsgReview {
			orig = m
		}
	}
	require.NoError(t, db.MarkSent(ctx, orig.ID, 42, t0))
	queued := justifiedBan(t, svc, "vk:1:b", 1, 111, 1001, 6)

	news, err := svc.ChatMoved(ctx, teamChat, super)
	require.NoError(t, err)
	assert.True(t, news)
	news, err = svc.ChatMoved(ctx, teamChat, super)
	require.NoError(t, err)
	assert.False(t, news)

	later := justifiedBan(t, svc, "vk:1:c", 1, 111, 1001, 7)
	to := map[justify.CaseID]int64{}
	for _, m := range due(t, db) {
		if m.Kind == justify.MsgReview {
			to[m.CaseID] = m.ChatID
			assert.Equal(t, 7, m.Topic, "the topic goes with it")
		}
	}
	assert.Equal(t, map[justify.CaseID]int64{queued: super, later: super}, to)

	moved, err := db.Message(ctx, orig.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(super), moved.ChatID)
	assert.Zero(t, moved.TelegramMessageID, "the old group's message cannot be edited in the supergroup")
	_, err = svc.Approve(ctx, 2001, sent)
	require.NoError(t, err)
	var edit justify.Message
	for _, m := range due(t, db) {
		if m.EditOf == orig.ID {
			edit = m
		}
	}
	require.NotZero(t, edit.ID)
	assert.Equal(t, int64(super), edit.ChatID)
	require.NoError(t, db.MarkSent(ctx, edit.ID, 77, t0))
	moved, err = db.Message(ctx, orig.ID)
	require.NoError(t, err)
	assert.Equal(t, 77, moved.TelegramMessageID, "the review shown anew is the one later edits edit")
}
