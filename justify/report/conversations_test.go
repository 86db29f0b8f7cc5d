package report

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// The fixture's dialogs and signs, in shop (group 1), on the fixture day (Moscow's
// 2026-11-23) and the day before: Анна (101) answers three dialogs, Борис (102) one, an
// admin unknown to the config one, and one nobody touched.
func fixtureConversations() (ds []justify.Dialog, ss []justify.Sign, us []justify.TemplateUse) {
	day := func(s string) time.Time { return utc("2026-11-23T" + s + "Z") }
	prev := func(s string) time.Time { return utc("2026-11-22T" + s + "Z") }
	m := time.Minute
	dialog := func(start time.Time, touchBy int64, touch time.Duration, answerBy int64, answer time.Duration, msgs int, rs ...justify.Reaction) justify.Dialog {
		d := justify.Dialog{GroupID: 1, StartedAt: start, Messages: msgs, Reactions: rs}
		if touch > 0 {
			d.FirstTouchAt, d.FirstTouchBy, d.FirstTouch = start.Add(touch), touchBy, touch
		}
		if answer > 0 {
			d.FirstAnswerAt, d.FirstAnswerBy, d.FirstAnswer = start.Add(answer), answerBy, answer
		}
		return d
	}
	ds = []justify.Dialog{
		dialog(day("06:00:00"), 101, 2*m, 101, 2*m, 2, justify.Reaction{By: 101, Wait: 2 * m}),
		dialog(day("07:00:00"), 101, m, 101, 50*m, 4, justify.Reaction{By: 101, Wait: m}, justify.Reaction{By: 101, Wait: 40 * m}),
		dialog(day("08:00:00"), 101, 10*m, 101, 10*m, 3, justify.Reaction{By: 101, Wait: 10 * m}),
		dialog(day("09:00:00"), 102, 5*m, 102, 30*m, 5, justify.Reaction{By: 102, Wait: 5 * m}),
		dialog(day("10:00:00"), 999, 20*m, 101, 90*m, 4, justify.Reaction{By: 999, Wait: 20 * m}, justify.Reaction{By: 101, Wait: 60 * m}),
		dialog(day("11:00:00"), 0, 0, 0, 0, 1),
		// the day before: Анна was slower
		dialog(prev("06:00:00"), 101, 30*m, 101, 30*m, 2, justify.Reaction{By: 101, Wait: 30 * m}),
	}
	sign := func(kind justify.SignKind, op, customer int64, at time.Time, key string) justify.Sign {
		return justify.Sign{GroupID: 1, Kind: kind, OperatorVKID: op, CustomerVKID: customer, At: at, Key: key,
			MessageKey: "m:" + key, Link: "https://vk.com/gim1?sel=" + key, Excerpt: "«" + key + "» <b>&</b>"}
	}
	skipped := func(op int64, at time.Time) justify.Sign {
		s := sign(justify.SignSkipped, op, 5005, at, "skipped")
		s.MessageKey, s.TicketKey = "", "t:5005"
		return s
	}
	closed := sign(justify.SignClosedWithoutReply, 0, 5006, day("12:00:00"), "closed")
	closed.OnShift = []int64{101, 102}
	idle := sign(justify.SignIdle, 102, 0, day("13:00:00"), "idle")
	idle.Minutes, idle.Excerpt = 75, ""
	ss = []justify.Sign{
		sign(justify.SignBareGreeting, 101, 5001, day("06:01:00"), "greeting"),
		sign(justify.SignStall, 101, 5002, day("07:01:00"), "stall"),
		sign(justify.SignOneWord, 102, 5003, day("09:05:00"), "oneword"),
		sign(justify.SignOneWord, 999, 5004, day("10:20:00"), "unknown-oneword"),
		// one request skipped while both were on shift: two signs, one skipped request
		skipped(101, day("11:00:00")), secondary(skipped(102, day("11:00:00"))),
		closed, idle,
		sign(justify.SignRepeatContact, 101, 5001, day("14:00:00"), "repeat"),
		sign(justify.SignStall, 101, 5009, prev("08:00:00"), "old-stall"),
	}
	for i, c := range []int64{6001, 6002, 6003, 6004, 6005, 6001} {
		us = append(us, justify.TemplateUse{GroupID: 1, OperatorVKID: 101, Hash: 42, Template: "спасибо за отзыв",
			Text: "Спасибо за отзыв!", CustomerVKID: c, At: day("15:00:00").Add(time.Duration(i) * m), WroteAfter: i == 2,
			Link: "https://vk.com/gim1?sel=" + string(rune('0'+i))})
	}
	// Борис's phrase went to four customers only: no template.
	for i, c := range []int64{6001, 6002, 6003, 6004} {
		us = append(us, justify.TemplateUse{GroupID: 1, OperatorVKID: 102, Hash: 43, Template: "ок", Text: "Ок",
			CustomerVKID: c, At: day("16:00:00").Add(time.Duration(i) * m)})
	}
	return ds, ss, us
}

func secondary(s justify.Sign) justify.Sign {
	s.Secondary = true
	return s
}

// factsOf is what the store's roll-up holds of the fixture.
func factsOf(ds []justify.Dialog, ss []justify.Sign, us []justify.TemplateUse) justify.ConversationFacts {
	var f justify.ConversationFacts
	for _, d := range ds {
		f.Dialogs = append(f.Dialogs, d.Stat())
	}
	for _, s := range ss {
		f.Signs = append(f.Signs, s.Fact())
	}
	for _, u := range us {
		f.Replies = append(f.Replies, justify.ReplyFact{GroupID: u.GroupID, OperatorVKID: u.OperatorVKID, Hash: u.Hash,
			CustomerVKID: u.CustomerVKID, At: u.At, WroteAfter: u.WroteAfter})
	}
	return f
}

func conversationInput(t *testing.T) Input {
	in := fixtureInput(t)
	ds, ss, us := fixtureConversations()
	in.Facts, in.SignExamples, in.TemplateExamples = factsOf(ds, ss, us), ss, us
	in.TemplateMinCustomers = 5
	return in
}

func TestComputeConversations(t *testing.T) {
	r := Compute(conversationInput(t))
	shop := r.Communities[0]
	require.Equal(t, int64(1), shop.GroupID)
	rows := map[string]Figures{}
	for _, o := range shop.Operators {
		rows[o.Operator] = o.Figures
	}
	tests := []struct {
		name string
		got  ConversationCounts
		want ConversationCounts
	}{
		{name: "shop total", got: shop.Total.Current.ConversationCounts, want: ConversationCounts{
			Dialogs: 6, DialogsAnswered: 5, DialogsUnanswered: 1, DialogLengthMedian: 3,
			// touches 1, 2, 5, 10, 20 min; answers 2, 10, 30, 50, 90 min
			FirstTouchMedianSeconds: 300, FirstTouchP90Seconds: 1200,
			FirstAnswerMedianSeconds: 1800, FirstAnswerP90Seconds: 5400,
			// reactions 1, 2, 5, 10, 20, 40, 60 min
			ReactionMedianSeconds: 600, ReactionP90Seconds: 3600,
			BareGreetings: 1, Stalls: 1, TemplateReplies: 6, OneWordReplies: 2, Skipped: 1, ClosedWithoutReply: 1,
			RepeatContacts: 1, IdleMinutes: 75,
		}},
		{name: "Анна", got: rows["Анна"].Current.ConversationCounts, want: ConversationCounts{
			Dialogs: 3, DialogsAnswered: 3, DialogLengthMedian: 3,
			FirstTouchMedianSeconds: 120, FirstTouchP90Seconds: 600,
			FirstAnswerMedianSeconds: 1800, FirstAnswerP90Seconds: 5400,
			ReactionMedianSeconds: 600, ReactionP90Seconds: 3600,
			BareGreetings: 1, Stalls: 1, TemplateReplies: 6, Skipped: 1, ClosedWithoutReply: 1, RepeatContacts: 1,
		}},
		{name: "Борис: four customers are no template", got: rows["Борис"].Current.ConversationCounts, want: ConversationCounts{
			Dialogs: 1, DialogsAnswered: 1, DialogLengthMedian: 5,
			FirstTouchMedianSeconds: 300, FirstTouchP90Seconds: 300, FirstAnswerMedianSeconds: 1800, FirstAnswerP90Seconds: 1800,
			ReactionMedianSeconds: 300, ReactionP90Seconds: 300,
			OneWordReplies: 1, Skipped: 1, ClosedWithoutReply: 1, IdleMinutes: 75,
		}},
		{name: "the unknown admin", got: rows[UnknownOperator].Current.ConversationCounts, want: ConversationCounts{
			Dialogs: 1, DialogsAnswered: 1, DialogLengthMedian: 4, FirstTouchMedianSeconds: 1200, FirstTouchP90Seconds: 1200,
			ReactionMedianSeconds: 1200, ReactionP90Seconds: 1200, OneWordReplies: 1,
		}},
		{name: "Анна the day before", got: rows["Анна"].Previous.ConversationCounts, want: ConversationCounts{
			Dialogs: 1, DialogsAnswered: 1, DialogLengthMedian: 2, FirstTouchMedianSeconds: 1800, FirstTouchP90Seconds: 1800,
			FirstAnswerMedianSeconds: 1800, FirstAnswerP90Seconds: 1800, ReactionMedianSeconds: 1800, ReactionP90Seconds: 1800,
			Stalls: 1,
		}},
		{name: "Анна's change", got: rows["Анна"].Change.ConversationCounts, want: ConversationCounts{
			Dialogs: 2, DialogsAnswered: 2, DialogLengthMedian: 1, FirstTouchMedianSeconds: -1680, FirstTouchP90Seconds: -1200,
			FirstAnswerP90Seconds: 3600, ReactionMedianSeconds: -1200, ReactionP90Seconds: 1800,
			BareGreetings: 1, TemplateReplies: 6, Skipped: 1, ClosedWithoutReply: 1, RepeatContacts: 1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}

	t.Run("signs with their evidence", func(t *testing.T) {
		kinds := map[string]int{}
		for _, s := range shop.Signs {
			kinds[s.Kind]++
		}
		assert.Equal(t, map[string]int{"bare_greeting": 1, "stall": 1, "one_word": 2, "skipped": 2, "closed_without_reply": 1,
			"idle": 1, "repeat_contact": 1, "template": 6}, kinds, "the day's only; each template use is one")
		for i := 1; i < len(shop.Signs); i++ {
			assert.False(t, shop.Signs[i].At.Before(shop.Signs[i-1].At), "by time")
		}
		first := shop.Signs[0]
		assert.Equal(t, Sign{Kind: "bare_greeting", Operator: "Анна", ActorVKID: 101, CustomerVKID: 5001,
			Excerpt: "«greeting» <b>&</b>", At: utc("2026-11-23T06:01:00Z"), Link: "https://vk.com/gim1?sel=greeting"}, first)
		for _, s := range shop.Signs {
			switch s.Kind {
			case "closed_without_reply":
				assert.Equal(t, []string{"Анна", "Борис"}, s.OnShift)
				assert.Equal(t, UnknownOperator, s.Operator, "the community")
				assert.Zero(t, s.ActorVKID)
			case "idle":
				assert.Equal(t, 75, s.Minutes)
			case "one_word":
				if s.CustomerVKID == 5004 {
					assert.Equal(t, int64(999), s.ActorVKID)
				}
			}
		}
	})
	t.Run("templates", func(t *testing.T) {
		assert.Equal(t, []Template{{Operator: "Анна", ActorVKID: 101, Text: "спасибо за отзыв", Customers: 5, Replies: 6,
			WroteAgain: 1}}, shop.Templates)
	})
	t.Run("one operator", func(t *testing.T) {
		b := r.Operator("Борис").Communities[0]
		var kinds []string
		for _, s := range b.Signs {
			kinds = append(kinds, s.Kind)
		}
		assert.Equal(t, []string{"one_word", "skipped", "closed_without_reply", "idle"}, kinds,
			"his own, and the closed conversation while he was on shift")
		assert.Empty(t, b.Templates)
		u := r.Operator(UnknownOperator).Communities[0]
		require.Len(t, u.Signs, 1, "unknown admins' signs, not the community's")
		assert.Equal(t, int64(999), u.Signs[0].ActorVKID)
	})
}

func TestConversationTemplatesCountPerPeriod(t *testing.T) {
	in := conversationInput(t)
	// The same five customers, spread over two days: three the day before, two in the day.
	in.Facts.Replies, in.TemplateExamples = nil, nil
	for i, at := range []string{"2026-11-22T10:00:00Z", "2026-11-22T11:00:00Z", "2026-11-22T12:00:00Z",
		"2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"} {
		in.Facts.Replies = append(in.Facts.Replies, justify.ReplyFact{GroupID: 1, OperatorVKID: 101, Hash: 7,
			CustomerVKID: int64(7000 + i), At: utc(at)})
	}
	r := Compute(in)
	assert.Zero(t, r.Communities[0].Total.Current.TemplateReplies, "five customers in all, but not in one period")
	assert.Zero(t, r.Communities[0].Total.Previous.TemplateReplies)
	in.TemplateMinCustomers = 2
	r = Compute(in)
	assert.Equal(t, 2, r.Communities[0].Total.Current.TemplateReplies)
	assert.Equal(t, 3, r.Communities[0].Total.Previous.TemplateReplies)
}

func TestLoadConversations(t *testing.T) {
	f := loadFixture()
	f.dialogs, f.signs, f.uses = fixtureConversations()
	opts := fixtureOptions
	opts.TemplateMinCustomers, opts.Examples = 5, 1
	r, err := Load(context.Background(), f, opts, dayFrom, dayTo)
	require.NoError(t, err)
	shop := r.Communities[0]
	assert.Equal(t, 6, shop.Total.Current.Dialogs)
	assert.Equal(t, 1, shop.Total.Previous.Dialogs)
	assert.Equal(t, 6, shop.Total.Current.TemplateReplies)
	assert.Equal(t, 2, shop.Total.Current.OneWordReplies, "counted in full")
	kinds := map[string]int{}
	for _, s := range shop.Signs {
		kinds[s.Kind]++
	}
	assert.Equal(t, map[string]int{"bare_greeting": 1, "stall": 1, "one_word": 2, "skipped": 2, "closed_without_reply": 1,
		"idle": 1, "repeat_contact": 1, "template": 1}, kinds, "the newest of each kind and operator listed")
	assert.Equal(t, []justify.SignKey{{GroupID: 1, Kind: "bare_greeting", OperatorVKID: 101}, {GroupID: 1, Kind: "stall", OperatorVKID: 101},
		{GroupID: 1, Kind: "one_word", OperatorVKID: 102}, {GroupID: 1, Kind: "one_word", OperatorVKID: 999},
		{GroupID: 1, Kind: "skipped", OperatorVKID: 101}, {GroupID: 1, Kind: "skipped", OperatorVKID: 102},
		{GroupID: 1, Kind: "closed_without_reply"}, {GroupID: 1, Kind: "idle", OperatorVKID: 102},
		{GroupID: 1, Kind: "repeat_contact", OperatorVKID: 101}}, f.keysOfSigns, "only the period's")
	assert.Equal(t, []justify.Phrase{{GroupID: 1, OperatorVKID: 101, Hash: 42}}, f.phrasesAsked, "only templates")

	for _, method := range []string{"ConversationFacts", "SignExamples", "TemplateExamples"} {
		f.fail = method
		_, err := Load(context.Background(), f, opts, dayFrom, dayTo)
		require.ErrorIs(t, err, errRead, method)
	}
}

func TestRenderConversations(t *testing.T) {
	r := Compute(conversationInput(t))
	text := RenderText(r, "en")
	for _, want := range []string{
		"Dialogs: 6 (+5) · answered 5 (+4) · unanswered 1 (+1) · median messages 3 (+1)",
		"Times: first touch 5m (-25m; p90 20m) · first real answer 30m (p90 1h 30m) · reaction 10m (-20m; p90 1h)",
		"Signs of shirking: bare greetings 1 (+1) · stalls 1 · templates 6 (+6) · one-word replies 2 (+2) · skipped requests 1 (+1) · closed without reply 1 (+1) · repeat contacts 1 (+1) · idle 1h 15m (+1h 15m)",
		"Template replies", "Анна: «спасибо за отзыв» — 5 customers, 6 replies, 1 wrote again",
		"the community (on shift: Анна, Борис), closed without reply",
		"unknown admin 999, one-word reply", "Борис, idle: 1h 15m https://vk.com/gim1",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "Spot checks", "no spot checks yet: the line is left out")
	html := RenderHTML(r, "ru")
	assert.Contains(t, html, "Признаки отлынивания")
	assert.Contains(t, html, "«greeting» &lt;b&gt;&amp;&lt;/b&gt;", "the words are escaped")
	for _, m := range SplitHTML(html, MaxMessageLen) {
		assert.LessOrEqual(t, len([]rune(m)), MaxMessageLen)
	}
}

// TestAnsweredWithoutWordsCountsTheSame checks that answered tickets passed without their
// words, as Load passes them, give the figures whole ones give.
func TestAnsweredWithoutWordsCountsTheSame(t *testing.T) {
	whole := fixtureInput(t)
	light := fixtureInput(t)
	light.Tickets, light.PrevTickets = nil, nil
	// A ticket in both lists counts with its copy in Tickets, as Compute merges them.
	for _, tk := range uniqueTickets(whole.PrevTickets, whole.Tickets) {
		if tk.Answered() {
			light.Answered = append(light.Answered, tk.AnsweredFact())
		} else {
			light.Tickets = append(light.Tickets, tk)
		}
	}
	require.NotEmpty(t, light.Answered)
	a, b := Compute(whole), Compute(light)
	require.Len(t, b.Communities, len(a.Communities))
	for i := range a.Communities {
		assert.Equal(t, a.Communities[i].Total, b.Communities[i].Total, a.Communities[i].Name)
		assert.Equal(t, a.Communities[i].Operators, b.Communities[i].Operators, a.Communities[i].Name)
		var waits [2][]int64
		for k, r := range []Report{a, b} {
			for _, br := range r.Communities[i].SLABreaches {
				waits[k] = append(waits[k], br.WaitingSeconds)
			}
		}
		assert.ElementsMatch(t, waits[0], waits[1], "the same breaches")
	}
}

// A dialog that got only a greeting or «уточняю» is unanswered, on the total and on the
// row of the operator who replied first: greeting at once to look fast is the trick.
func TestDialogsWithoutARealAnswerAreUnanswered(t *testing.T) {
	at := utc("2026-11-23T08:00:00Z")
	in := Input{From: dayFrom, To: dayTo, People: fixturePeople, Communities: []justify.Community{{GroupID: 1, Name: "Shop"}}}
	in.Facts.Dialogs = []justify.DialogStat{
		{GroupID: 1, StartedAt: at, Touched: true, FirstTouchBy: 101, FirstTouch: time.Minute, Messages: 2}, // «Здравствуйте!»
		{GroupID: 1, StartedAt: at.Add(time.Hour), Touched: true, Answered: true, FirstTouchBy: 101, FirstAnswerBy: 101,
			FirstTouch: time.Minute, FirstAnswer: time.Minute, Messages: 2},
		{GroupID: 1, StartedAt: at.Add(2 * time.Hour), Messages: 1}, // nobody replied
	}
	shop := Compute(in).Communities[0]
	assert.Equal(t, 3, shop.Total.Current.Dialogs)
	assert.Equal(t, 1, shop.Total.Current.DialogsAnswered)
	assert.Equal(t, 2, shop.Total.Current.DialogsUnanswered)
	for _, o := range shop.Operators {
		if o.Operator == "Анна" {
			assert.Equal(t, 2, o.Current.Dialogs)
			assert.Equal(t, 1, o.Current.DialogsAnswered)
			assert.Equal(t, 1, o.Current.DialogsUnanswered, "the dialog she only greeted in")
		}
	}
}
