package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// bidiControls change the direction of the text after them; no message may carry one.
const bidiControls = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C"

// assertShownHarmlessly checks what Telegram would check (the test server refuses text
// that is not UTF-8 or HTML that does not parse, so the message exists only if it passed)
// and what a reader needs: no character in it may reorder the line.
func assertShownHarmlessly(t *testing.T, m telegramtest.Msg) {
	t.Helper()
	assert.True(t, utf8.ValidString(m.HTML), "Telegram refuses text that is not UTF-8")
	_, err := telegramtest.ParseHTML(m.HTML)
	assert.NoError(t, err, "Telegram must be able to parse the HTML")
	assert.False(t, strings.ContainsAny(m.Text, bidiControls), "a bidi control reached Telegram: %q", m.Text)
}

// A help desk's Windows-1251 export: imported as UTF-8 it is refused with the line and the
// fix; imported with --encoding windows-1251, the customer's words reach the operator's
// prompt about her ban letter for letter, and Telegram accepts it.
func TestWindows1251ImportReachesTheBanPrompt(t *testing.T) {
	h := newHarness(t)
	importCSV := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		args = append([]string{"tickets", "import"}, append(args, "--config", h.configPath())...)
		code := runCLI(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, _, errOut := importCSV(fixture("cp1251.csv"))
	require.Equal(t, 1, code)
	assert.Contains(t, errOut, "cp1251.csv:2: not UTF-8")
	assert.Contains(t, errOut, "add --encoding windows-1251")
	assert.Contains(t, errOut, "nothing was imported")

	code, out, errOut := importCSV("--encoding", "windows-1251", fixture("cp1251.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "imported 2 new, updated 0\n", out)

	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 2, "", 0)
	prompt := h.waitMessage(operatorTG, "the operator's prompt", isPrompt)
	assert.Contains(t, prompt.Text, "Заказ №123: Заказ так и не пришёл — верните деньги, пожалуйста")
	assert.Contains(t, prompt.Text, "Возврат: Ёлка «Зимняя» сломана. Чек приложил.")
	assert.Contains(t, prompt.Text, "1 unanswered question of 2")
	assertShownHarmlessly(t, prompt)
}

// A VK comment with bytes that are not UTF-8, by a customer whose VK name hides a
// right-to-left override, is deleted by an operator. The record keeps her name as VK
// gave it and the words as valid UTF-8; every message Telegram gets about it is accepted
// and shows the override as a visible marker, so the name cannot reverse the line.
func TestHostileVKTextIsShownHarmlessly(t *testing.T) {
	h := newHarness(t)
	// "Мария \u202Eавонави" reads "Мария ивановa" backwards from the override on.
	h.vk.SetName(customer2, "Мария", "\u202Eавонави")
	h.startTeam()
	post := h.vk.AddPostSilently(group, -group, "Our new delivery terms")
	const commentID = 9001
	// Two stray bytes and a word in Windows-1251, raw in VK's JSON.
	const words = "Где мой заказ? \xff\xfe \xcf\xf0\xe8\xe2\xe5\xf2"
	h.vk.PushRaw(group, []byte(fmt.Sprintf(`{"type":"wall_reply_new","group_id":%d,"event_id":"hostile-new","v":"5.199",`+
		`"object":{"id":%d,"from_id":%d,"date":%d,"text":"%s","post_id":%d,"post_owner_id":-%d,"owner_id":-%d}}`,
		group, commentID, customer2, h.clock.Now().Unix(), words, post, group, group)))
	item := justify.Ref{GroupID: group, Place: justify.PlaceWallComment, OwnerID: -group, ParentID: post, ItemID: commentID}
	var tk justify.Ticket
	require.Eventually(t, func() bool {
		ts, err := h.dm.Store().TicketsByKeys(context.Background(), []string{item.Key()})
		tk = ts[item.Key()]
		return err == nil && tk.ID != 0 && tk.AuthorName != ""
	}, 15*time.Second, 10*time.Millisecond, "the comment becomes a ticket with its author's name")
	assert.Equal(t, "Где мой заказ? \uFFFD\uFFFD "+strings.Repeat("\uFFFD", 6), tk.Text, "stored as valid UTF-8")
	assert.Equal(t, "Мария \u202Eавонави", tk.AuthorName, "stored as VK gave it, for the record")

	h.vk.PushRaw(group, []byte(fmt.Sprintf(`{"type":"wall_reply_delete","group_id":%d,"event_id":"hostile-delete","v":"5.199",`+
		`"object":{"id":%d,"owner_id":-%d,"post_id":%d,"deleter_id":%d}}`, group, commentID, group, post, operatorVK)))
	prompt := h.waitMessage(operatorTG, "the operator's prompt", isDeletionPrompt)
	assertShownHarmlessly(t, prompt)
	assert.Contains(t, prompt.Text, "Мария ⟪U+202E⟫авонави", "the override shown, not obeyed")
	assert.Contains(t, prompt.Text, "Где мой заказ? \uFFFD\uFFFD")

	review := h.waitMessage(managerTG, "the managers' review of a deleted unanswered request", hasText("For review"))
	assertShownHarmlessly(t, review)
	assert.Contains(t, review.Text, "Мария ⟪U+202E⟫авонави")
	alert := h.waitMessage(ownerTG, "the owner's alert", hasText("unanswered request was deleted"))
	assertShownHarmlessly(t, alert)

	// Her ban's prompt names her the same way and lists her deleted request.
	h.vk.Ban(group, operatorVK, customer2, 1, "спам\u200B\u2066", 0)
	ban := h.waitMessage(operatorTG, "the ban's prompt", func(m telegramtest.Msg) bool {
		return isPrompt(m) && strings.Contains(m.Text, "Ban in")
	})
	assertShownHarmlessly(t, ban)
	assert.Contains(t, ban.Text, "Мария ⟪U+202E⟫авонави")
	assert.Contains(t, ban.Text, "спам⟪U+200B⟫⟪U+2066⟫", "VK's ban comment, an admin's words, the same way")

	h.settle()
	for _, chat := range []int64{operatorTG, managerTG, manager2TG, ownerTG} {
		for _, m := range h.botMessages(chat, nil) {
			assertShownHarmlessly(t, m)
		}
	}
}

// Words stored before modwatch cleaned what enters (an import of a Windows-1251 file as
// it was) still reach the operator: rendering cleans again, so Telegram accepts the
// prompt instead of refusing every message about that customer.
func TestStoredInvalidBytesStillReachTelegram(t *testing.T) {
	h := newHarness(t)
	h.startTeam()
	tk := justify.Ticket{Key: "import:OLD-1", Ref: justify.Ref{Place: justify.PlaceHelpDesk}, ExternalID: "OLD-1",
		AuthorVKID: customer, Subject: "\xc7\xe0\xea\xe0\xe7", Text: "\xcd\xe5 \xef\xf0\xe8\xf8\xb8\xeb \u202Eтекст",
		CreatedAt: h.clock.Now().Add(-time.Hour), UpdatedAt: h.clock.Now().Add(-time.Hour)}
	require.NoError(t, h.dm.Store().Update(context.Background(), func(tx justify.Tx) error {
		_, err := tx.UpsertTicket(&tk)
		return err
	}))
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	prompt := h.waitMessage(operatorTG, "the operator's prompt", isPrompt)
	assertShownHarmlessly(t, prompt)
	assert.Contains(t, prompt.Text, "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD: \uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD ⟪U+202E⟫текст")
}
