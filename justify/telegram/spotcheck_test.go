package telegram

import (
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

// line is one message of a seeded dialog: the customer's (admin 0, not auto) or the
// community's.
type line struct {
	admin int64
	auto  bool
	text  string
}

// seedDialog stores a dialog of customer in groupID, an hour before the clock, with its
// messages a minute apart, the first reply by Ivan.
func (e *env) seedDialog(customer int64, name string, lines ...line) {
	e.t.Helper()
	start := e.clock.Now().Add(-time.Hour)
	conv := justify.MessageConv(groupID, customer)
	require.NoError(e.t, e.store.Update(context.Background(), func(tx justify.Tx) error {
		for i, l := range lines {
			at := start.Add(time.Duration(i) * time.Minute)
			ref := justify.Ref{GroupID: groupID, Place: justify.PlaceMessage, OwnerID: customer, ItemID: customer*100 + int64(i)}
			m := justify.ConvMessage{Key: ref.Key(), GroupID: groupID, Conv: conv, Ref: ref, CustomerVKID: customer, At: at}
			if l.admin == 0 && !l.auto {
				tk := justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, AuthorName: name, Text: l.text, CreatedAt: at}
				if _, err := tx.UpsertTicket(&tk); err != nil {
					return err
				}
				m.Side, m.TicketKey = justify.SideCustomer, tk.Key
			} else {
				m.Side, m.AdminVKID, m.Automatic, m.Text = justify.SideCommunity, l.admin, l.auto, l.text
			}
			if err := tx.PutConvMessage(&m, nil); err != nil {
				return err
			}
		}
		d := justify.Dialog{GroupID: groupID, Conv: conv, Place: justify.PlaceMessage, CustomerVKID: customer,
			Link: fmt.Sprintf("https://vk.com/gim%d?sel=%d", groupID, customer), StartedAt: start,
			LastAt: start.Add(time.Duration(len(lines)-1) * time.Minute), Messages: len(lines), FirstTouchBy: ivanVK,
			FirstTouchAt: start.Add(time.Minute)}
		return tx.ReplaceDialogs(conv, start, []justify.Dialog{d}, nil)
	}))
}

// withQA gives the service spot checks of weekly rounds.
func withQA(e *env) {
	e.svc.Configure(justify.Settings{People: e.deps.People, Communities: e.deps.Communities, Deadline: 2 * time.Hour,
		QA: justify.QARule{Every: 7 * 24 * time.Hour, Sample: 10}})
}

// spotCheckMsg waits for the spot check shown to chat.
func (e *env) spotCheckMsg(chat int64) telegramtest.Msg {
	e.t.Helper()
	return e.waitMsg(chat, "Spot check of a dialog")
}

// TestSpotCheckGradedAndCommented: /qa brings a manager the dialog as a conversation,
// escaped, automatic replies marked, with Good and Bad; a press records the verdict and
// edits the message; a reply to it is the comment; the verdict can be changed; an operator
// may not ask for spot checks.
func TestSpotCheckGradedAndCommented(t *testing.T) {
	e := newEnv(t, withLang("en"), withQA)
	e.seedDialog(7001, "Vera <Petrova>",
		line{text: "Where is my order? <b>now</b> & then"},
		line{auto: true, text: "Thanks! We answer within a day"},
		line{admin: ivanVK, text: "Hello!"},
		line{admin: 999, text: "Checking"})
	e.start()
	e.startAll()

	e.srv.SendText(ivanTG, "/qa")
	e.waitMsg(ivanTG, "managers")
	e.srv.SendText(olgaTG, "/qa")
	e.waitMsg(olgaTG, "Dialogs sent to check: 1.")
	m := e.spotCheckMsg(olgaTG)
	for _, want := range []string{"Operator: Ivan", "Customer: Vera <Petrova>", "Where is my order? <b>now</b> & then",
		"auto-reply · 2026-11-23 09:01", "Ivan · 2026-11-23 09:02\nHello!", "vk999 (admin not in the config)", "Open the dialog in VK", "reply to this message"} {
		assert.Contains(t, m.Text, want)
	}
	assert.Equal(t, []string{"👍 Good", "👎 Bad"}, labels(m))
	assert.Contains(t, m.HTML, `href="https://vk.com/gim500?sel=7001"`)

	e.clock.Add(5 * time.Minute)
	a := e.press(olgaTG, m, "👎 Bad")
	assert.Contains(t, a.Text, "Recorded: Bad")
	m = e.waitEdit(olgaTG, m.ID, "Bad — Olga, 2026-11-23 10:05")
	assert.Equal(t, []string{"👍 Good", "• 👎 Bad"}, labels(m), "the buttons stay, to change the verdict")

	// The outbox forgets delivered messages after telegram.keep_sent; a reply still finds
	// the spot check it answers.
	_, err := e.store.PruneDelivered(context.Background(), e.clock.Now().Add(time.Hour))
	require.NoError(t, err)
	e.srv.Reply(olgaTG, m.ID, "Greeted & <left> the customer")
	e.waitMsg(olgaTG, "comment on the spot check is recorded")
	m = e.waitEdit(olgaTG, m.ID, "Comment: Greeted & <left> the customer")

	e.clock.Add(time.Minute)
	e.press(olgaTG, m, "👍 Good")
	e.waitEdit(olgaTG, m.ID, "Good — Olga, 2026-11-23 10:06")

	var id justify.SpotCheckID
	require.NoError(t, e.store.View(context.Background(), func(tx justify.Tx) error {
		sc, err := tx.SpotCheckAt(olgaTG, m.ID)
		id = sc.ID
		return err
	}))
	sc, trail, err := e.svc.SpotCheck(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, justify.VerdictGood, sc.Verdict)
	assert.Equal(t, "Greeted & <left> the customer", sc.Comment)
	var actions []justify.Action
	for _, en := range trail {
		actions = append(actions, en.Action)
		if en.Action != justify.SpotSent {
			assert.Equal(t, int64(olgaTG), en.TelegramID, "who, from which Telegram account")
		}
	}
	assert.Equal(t, []justify.Action{justify.SpotSent, justify.SpotGraded, justify.SpotCommented, justify.SpotRegraded}, actions)

	e.srv.SendText(olgaTG, "/help")
	e.waitMsg(olgaTG, "/qa — one more dialog")
	assert.Contains(t, e.srv.Commands(), "qa")
}

// TestSpotCheckOfAnotherIsRefused: a reply to someone else's spot check, or a forged
// press of its button, changes nothing.
func TestSpotCheckOfAnotherIsRefused(t *testing.T) {
	e := newEnv(t, withLang("en"), withQA)
	e.seedDialog(7002, "Vera", line{text: "Hi, where is my order?"}, line{admin: ivanVK, text: "Shipped today"})
	e.start()
	e.startAll()
	e.srv.SendText(olgaTG, "/qa")
	m := e.spotCheckMsg(olgaTG)
	a := e.pressData(mariaTG, m.ID, m.Buttons[0][1].Data)
	assert.NotContains(t, a.Text, "Recorded")
	id, _ := justify.ParseSpotPayload(e.firstSpot().Payload)
	sc, _, err := e.svc.SpotCheck(context.Background(), id)
	require.NoError(t, err)
	assert.False(t, sc.Graded(), "Maria's press on Olga's spot check changed nothing")
}

// TestLongSpotCheckIsClipped: a dialog too long for one message shows its start, says how
// many messages are left out and links to VK, within Telegram's limit.
func TestLongSpotCheckIsClipped(t *testing.T) {
	e := newEnv(t, withLang("en"), withQA)
	var lines []line
	for i := range 40 {
		admin := int64(0)
		if i%2 == 1 {
			admin = ivanVK
		}
		lines = append(lines, line{admin: admin, text: fmt.Sprintf("%d: %s", i, strings.Repeat("слово ", 120))})
	}
	e.seedDialog(7003, "Vera", lines...)
	e.start()
	e.startAll()
	e.srv.SendText(olgaTG, "/qa")
	m := e.spotCheckMsg(olgaTG)
	assert.LessOrEqual(t, utf8.RuneCountInString(m.Text), MaxTextLen)
	assert.Contains(t, m.Text, "more messages: read the whole dialog in VK")
	assert.Contains(t, m.Text, "Open the dialog in VK")
	assert.Equal(t, []string{"👍 Good", "👎 Bad"}, labels(m))
}

// firstSpot is the first spot check message of the outbox.
func (e *env) firstSpot() justify.Message {
	e.t.Helper()
	for _, m := range e.messages() {
		if m.Kind == justify.MsgSpotCheck {
			return m
		}
	}
	e.t.Fatal("no spot check in the outbox")
	return justify.Message{}
}

// TestSpotCheckWaitsOutARateLimit: a spot check Telegram refuses with 429 is sent again
// after the wait Telegram asked for, not dropped.
func TestSpotCheckWaitsOutARateLimit(t *testing.T) {
	e := newEnv(t, withLang("en"), withQA)
	e.seedDialog(7004, "Vera", line{text: "Where is my order?"}, line{admin: ivanVK, text: "Hello!"})
	e.start()
	e.startAll()
	e.srv.FailNext("sendMessage", 429, "Too Many Requests: retry after 30", 30)
	n, err := e.svc.SpotCheckNow(context.Background(), olgaTG)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	e.bot.Wake()
	require.Eventually(t, func() bool {
		m, err := e.store.Message(context.Background(), e.firstSpot().ID)
		return err == nil && m.Attempts == 1
	}, 5*time.Second, 5*time.Millisecond, "the first attempt is refused")
	assert.Zero(t, e.count(olgaTG, "Spot check of a dialog"))
	e.clock.Add(31 * time.Second)
	e.bot.Wake()
	e.spotCheckMsg(olgaTG)
}

// TestSpotCheckOfAManagerWithoutStart: a round's spot check for a manager who never pressed
// Start (Maria, first by name) goes to the other manager; when she presses Start later, the
// copy she gets says where it went, without buttons.
func TestSpotCheckOfAManagerWithoutStart(t *testing.T) {
	e := newEnv(t, withLang("en"), withQA)
	ctx := context.Background()
	_, err := e.svc.TickSpotChecks(ctx) // the schedule starts
	require.NoError(t, err)
	e.clock.Add(7 * 24 * time.Hour)
	e.seedDialog(7005, "Vera", line{text: "Where is my order?"}, line{admin: ivanVK, text: "Hello!"})
	e.start()
	for _, id := range []int64{ivanTG, olgaTG, annaTG} { // not Maria
		e.srv.SendText(id, "/start")
	}
	e.waitMsg(olgaTG, "Olga")
	r, err := e.svc.TickSpotChecks(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, r.Sent)
	e.bot.Wake()
	m := e.spotCheckMsg(olgaTG)
	assert.Equal(t, []string{"👍 Good", "👎 Bad"}, labels(m), "Maria's spot check went to Olga")

	e.srv.SendText(mariaTG, "/start")
	copyMsg := e.waitMsg(mariaTG, "so it went to Olga")
	assert.Empty(t, copyMsg.Buttons)
}

// TestSpotCheckRendersValidHTML: whatever the words (tags, ampersands, quotes in a link,
// invalid UTF-8), a spot check, its short form and the alert of an uncovered community
// parse as Telegram's HTML and fit one message, in both languages.
func TestSpotCheckRendersValidHTML(t *testing.T) {
	nasty := "<b>bold</b> & \"quoted\" \xff " + strings.Repeat("длинное слово ", 200)
	v := justify.SpotCheckView{SpotCheck: justify.SpotCheck{ID: 9, GroupID: groupID, CustomerVKID: 7001, Operator: "Ivan <admin>",
		Link: `https://vk.com/gim500?sel=7001&x="y"`, StartedAt: t0, Verdict: justify.VerdictBad, VerdictBy: "Olga & Co",
		VerdictAt: t0.Add(time.Hour), Comment: nasty}, CustomerName: "Vera <script>"}
	for i := range 30 {
		v.Lines = append(v.Lines, justify.SpotLine{Side: justify.SideCustomer, Text: nasty, At: t0.Add(time.Duration(i) * time.Minute)},
			justify.SpotLine{Side: justify.SideCommunity, Who: "Ivan", AdminVKID: ivanVK, Text: nasty, At: t0.Add(time.Duration(i) * time.Minute)})
	}
	for _, lang := range []string{"ru", "en"} {
		r := renderer{cat: catalogs[lang], qa: qaCatalogs[lang], loc: time.UTC,
			communities: map[int64]justify.Community{groupID: {GroupID: groupID, Name: "Кофейня «Зерно» & <Co>"}}}
		views := map[string]view{
			"spot check": r.spotCheck(v),
			"short form": r.short(justify.MsgSpotCheck, subject{spot: &v}),
			"alert":      r.alert(justify.Alert{Kind: justify.AlertSpotCheck, GroupID: groupID, Detail: nasty, At: t0}),
		}
		for name, got := range views {
			t.Run(lang+" "+name, func(t *testing.T) {
				text, err := telegramtest.ParseHTML(got.text)
				require.NoError(t, err)
				assert.LessOrEqual(t, utf8.RuneCountInString(text), MaxTextLen)
				assert.True(t, utf8.ValidString(got.text))
				if name == "short form" {
					assert.NotContains(t, text, "длинное", "the short form shows nobody's words")
					assert.NotContains(t, text, "Vera")
				}
				if name != "alert" {
					require.Len(t, got.rows, 1)
					assert.Len(t, got.rows[0], 2)
				}
			})
		}
	}
}

// TestSpotCheckMoreCountsInEnglish: one message left out is "1 more message", not
// "1 more messages".
func TestSpotCheckMoreCountsInEnglish(t *testing.T) {
	for n, want := range map[int]string{1: "… 1 more message: read", 2: "… 2 more messages: read"} {
		assert.Contains(t, enQA.more(n), want)
	}
}
