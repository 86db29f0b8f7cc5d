package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// isDeletionPrompt recognises the operator's prompt about deleted words: reason buttons and
// the original text quoted.
func isDeletionPrompt(m telegramtest.Msg) bool {
	return isPrompt(m) && strings.Contains(m.Text, "Deleted by")
}

func hasText(s string) func(telegramtest.Msg) bool {
	return func(m telegramtest.Msg) bool { return strings.Contains(m.Text, s) }
}

// The story of issue 3: a customer asks, nobody answers, an operator deletes the question.
// The operator is asked why with the words in front of them, the managers see it at once
// as a deleted unanswered request, the owner is alerted, and a manager's reversal really
// restores the comment in VK.
func TestDeletedUnansweredRequestIsRestored(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	post := h.vk.AddPostSilently(group, -group, "Our new delivery terms")
	words := `Where is my refund? Order <b>#42</b> & "express" </a> — 3 weeks!`
	comment := h.vk.Comment(group, vktest.WallComment, -group, post, customer, words)
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE place = 'wall_comment'") == 1
	}, 15*time.Second, 10*time.Millisecond, "the comment becomes a ticket")

	require.True(t, h.vk.DeleteComment(group, vktest.WallComment, -group, post, comment, operatorVK))
	prompt := h.waitMessage(operatorTG, "the operator's prompt", isDeletionPrompt)
	assert.Contains(t, prompt.Text, words, "the customer's words, shown literally")
	assert.Contains(t, prompt.Text, "Deleted unanswered request")
	assert.Contains(t, prompt.HTML, "https://vk.com/wall-10_")

	c := onlyCase(t, h)
	assert.Equal(t, justify.EventDelete, c.Kind)
	assert.True(t, c.Severe)
	assert.Equal(t, "Ivan", c.Operator)
	assert.Equal(t, int64(customer), c.UserVKID)

	assert.Contains(t, prompt.Text, "Maria Ivanova", "the author, named")

	// Severe: managers see it before any reason, and managers and the owner are alerted.
	review := h.waitMessage(managerTG, "the review at once", func(m telegramtest.Msg) bool {
		return strings.Contains(m.Text, "For review") && strings.Contains(m.Text, words)
	})
	assert.Contains(t, review.Text, "No reason given yet")
	h.waitMessage(managerTG, "the alert", hasText("unanswered request was deleted"))
	h.waitMessage(ownerTG, "the owner's alert", hasText("unanswered request was deleted"))
	h.settle()
	assert.Empty(t, h.botMessages(ownerTG, hasText("For review")), "owners read, they do not decide")

	// Ivan's reason turns the managers' early copy into a review with the decision buttons.
	h.press(operatorTG, prompt, 4) // other: needs a text
	ask := h.waitMessage(operatorTG, "the request for a text", func(m telegramtest.Msg) bool { return m.ForceReply })
	h.tg.Reply(operatorTG, ask.ID, "It was a duplicate of a message")
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		review = m
		return isReview(m)
	}, 15*time.Second, 10*time.Millisecond, "the review gets its buttons")
	assert.Contains(t, review.Text, "It was a duplicate of a message")

	h.press(managerTG, review, 1) // Restore: asks to confirm
	require.Eventually(t, func() bool {
		m, _ := h.tg.Message(managerTG, review.ID)
		return len(buttons(m)) == 2 && buttons(m)[0].Data != buttons(review)[0].Data
	}, 15*time.Second, 10*time.Millisecond, "confirmation")
	h.press(managerTG, review, 0)

	c = h.waitCase(c.ID, "the restore", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionRestored, c.Resolution)
	require.Len(t, h.vk.Restores(), 1)
	r := h.vk.Restores()[0]
	assert.Equal(t, "wall.restoreComment", r.Method)
	assert.Equal(t, vktest.TokenUser, r.TokenType, "VK restores comments only with an admin's user token")
	assert.Equal(t, comment, r.CommentID)
	assert.False(t, h.vk.CommentDeleted(group, vktest.WallComment, -group, comment), "the comment is back in VK")
	h.waitMessage(operatorTG, "the outcome", hasText("Olga"))
}

// An answered comment's deletion is an ordinary case: the prompt says who answered, the
// managers wait for the operator.
func TestDeletedAnsweredCommentShowsTheAnswer(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	post := h.vk.AddPostSilently(group, -group, "Sale")
	comment := h.vk.Comment(group, vktest.WallComment, -group, post, customer, "Does the sale include shoes?")
	h.vk.ReplyAsCommunity(group, vktest.WallComment, -group, post, comment, "Yes, all of them.")
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE answered_at != 0") == 1
	}, 15*time.Second, 10*time.Millisecond, "the reply marks the ticket answered")

	h.vk.DeleteComment(group, vktest.WallComment, -group, post, comment, operatorVK)
	prompt := h.waitMessage(operatorTG, "the prompt", isDeletionPrompt)
	assert.Contains(t, prompt.Text, "Does the sale include shoes?")
	assert.NotContains(t, prompt.Text, "Deleted unanswered request")
	c := onlyCase(t, h)
	assert.False(t, c.Severe)
	h.settle()
	assert.Empty(t, h.botMessages(managerTG, hasText("For review")), "an ordinary case waits for the reason")
}

// A customer deleting their own words is recorded and opens nothing; an unknown admin's
// deletion goes to managers; a board post restored in VK closes its case.
func TestDeletionsByWhom(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	post := h.vk.AddPostSilently(group, -group, "News")
	own := h.vk.Comment(group, vktest.WallComment, -group, post, customer, "oops, wrong post")
	other := h.vk.Comment(group, vktest.WallComment, -group, post, customer2, "Why was my order cancelled?")
	require.Eventually(t, func() bool { return countRows(t, h, "SELECT COUNT(*) FROM tickets") == 2 }, 15*time.Second, 10*time.Millisecond)

	h.vk.DeleteComment(group, vktest.WallComment, -group, post, own, customer)
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE deleted_at != 0") == 1
	}, 15*time.Second, 10*time.Millisecond, "self-deletion recorded")

	h.vk.DeleteComment(group, vktest.WallComment, -group, post, other, unknownVK)
	review := h.waitMessage(managerTG, "the unknown admin's deletion", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Why was my order cancelled?")
	})
	assert.Contains(t, review.Text, "999")
	cs := h.cases()
	require.Len(t, cs, 1, "the self-deletion opened no case")
	assert.Empty(t, cs[0].Operator)
	h.settle()
	assert.Empty(t, h.botMessages(operatorTG, isAnyPrompt), "no operator is asked about an unknown admin's deletion")

	// Board posts: deleted by an operator, restored by someone directly in VK.
	topic := int64(7)
	bp := h.vk.Comment(group, vktest.BoardPost, -group, topic, customer, "Warranty question")
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE place = 'board_post'") == 1
	}, 15*time.Second, 10*time.Millisecond)
	h.vk.DeleteComment(group, vktest.BoardPost, -group, topic, bp, operatorVK)
	h.waitMessage(operatorTG, "the board prompt", func(m telegramtest.Msg) bool {
		return isDeletionPrompt(m) && strings.Contains(m.Text, "Warranty question")
	})
	var boardCase justify.Case
	require.Eventually(t, func() bool {
		for _, c := range h.cases() {
			if c.Item.Place == justify.PlaceBoardPost {
				boardCase = c
				return true
			}
		}
		return false
	}, 15*time.Second, 10*time.Millisecond)
	require.NoError(t, restoreInVK(h, bp))
	c := h.waitCase(boardCase.ID, "restored in VK", func(c justify.Case) bool { return !c.Open() })
	assert.Equal(t, justify.ResolutionRestoredInVK, c.Resolution)
}

// restoreInVK restores a board post the way an admin would in VK's interface: through the
// API with the community token, which VK accepts for boards.
func restoreInVK(h *harness, commentID int64) error {
	return h.callVK("board.restoreComment", vkToken, map[string]string{
		"group_id": "10", "topic_id": "7", "comment_id": itoa(commentID),
	})
}

// A banned customer's open questions are in the ban prompt and the review.
func TestBanListsTheCustomersQuestions(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	post := h.vk.AddPostSilently(group, -group, "Delivery")
	h.vk.Comment(group, vktest.WallComment, -group, post, customer, "Refund for order 17, please")
	h.vk.Message(group, customer, "I wrote on the wall too: where is my refund?")
	require.Eventually(t, func() bool { return countRows(t, h, "SELECT COUNT(*) FROM tickets") == 2 }, 15*time.Second, 10*time.Millisecond)

	h.vk.Ban(group, operatorVK, customer, int(justify.BanFlood), "", 0)
	prompt := h.waitMessage(operatorTG, "the ban prompt", isPrompt)
	assert.Contains(t, prompt.Text, "2 unanswered questions")
	assert.Contains(t, prompt.Text, "Refund for order 17")
	h.press(operatorTG, prompt, 3)
	review := h.waitMessage(managerTG, "the review", isReview)
	assert.Contains(t, review.Text, "2 unanswered questions")
}

// VK sends nothing when a wall post is deleted: a customer's post that vanished while
// modwatch was down is found by the post check at the next start.
func TestVanishedPostGoesToManagers(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	postID := h.vk.Post(group, customer, "Your courier was rude to me")
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE place = 'wall_post'") == 1
	}, 15*time.Second, 10*time.Millisecond)
	h.stop()

	require.True(t, h.vk.RemovePost(group, postID))
	h.startTeam()
	review := h.waitMessage(managerTG, "the vanished post", func(m telegramtest.Msg) bool {
		return isReview(m) && strings.Contains(m.Text, "Your courier was rude to me")
	})
	assert.Contains(t, review.Text, "Unknown who deleted it: the author or an admin")
	c := onlyCase(t, h)
	assert.Equal(t, justify.EventVanished, c.Kind)
	assert.Equal(t, justify.StateAwaitingReview, c.State)
}

// Comments written before modwatch ran are read at start, so their deletion shows the words.
func TestBackfilledCommentIsEvidence(t *testing.T) {
	h := newHarness(t)
	post := h.vk.AddPostSilently(group, -group, "Old post")
	old := h.vk.AddCommentSilently(group, vktest.WallComment, -group, post, customer, "Written before modwatch ran")
	h.startTeam()
	require.Eventually(t, func() bool {
		return countRows(t, h, "SELECT COUNT(*) FROM tickets WHERE text = 'Written before modwatch ran'") == 1
	}, 15*time.Second, 10*time.Millisecond, "the backfill reads it")
	h.vk.DeleteComment(group, vktest.WallComment, -group, post, old, operatorVK)
	prompt := h.waitMessage(operatorTG, "the prompt", isDeletionPrompt)
	assert.Contains(t, prompt.Text, "Written before modwatch ran")
}
