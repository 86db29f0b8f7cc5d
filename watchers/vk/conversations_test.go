package vk

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/report"
	"github.com/modwatch/modwatch/store"
)

// The signs of shirking, each found (and each near miss left alone) on VK's real message
// shapes: message_new, message_reply with and without admin_author_id, message_edit of the
// community's own message, user_block, decoded as the watcher decodes them and recorded by
// the real service in a real store.

const (
	convIvan    = int64(111) // operator, on shift 09:00-18:00 UTC on weekdays when shifts are on
	convPetr    = int64(112) // operator, on shift 14:00-23:00 UTC on weekdays when shifts are on
	convUnknown = int64(999) // an admin unknown to the config
	convMaria   = int64(5001)
)

// convT0 is Monday 2026-11-23 10:00 UTC.
var convT0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// convStep is one thing that happens in a conversation, dated by VK at convT0+at.
type convStep struct {
	kind  string // in, out, auto, edit_in, edit_out, ban, list (the unanswered list as read at at)
	peer  int64
	admin int64
	text  string
	at    time.Duration
	// edited is when an edit_out happened; id names the message (edit_out edits it).
	edited time.Duration
	id     int64
	list   []int64 // list: the peers in the unanswered list
}

type convWorld struct {
	t    *testing.T
	svc  *justify.Service
	db   *store.DB
	now  time.Time
	seq  int
	msgs map[int64]int64 // message id → its date, for list steps
}

func newConvWorld(t *testing.T, shifts bool) *convWorld {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	rules := justify.DialogRules{AnswerWithin: 4 * time.Hour, StallAfter: 24 * time.Hour, RepeatWithin: 168 * time.Hour,
		NewDialogAfter: time.Hour}
	if shifts {
		ivan, err := justify.ParseShift([]string{"mon", "tue", "wed", "thu", "fri"}, "09:00", "18:00", time.UTC)
		require.NoError(t, err)
		petr, err := justify.ParseShift([]string{"mon", "tue", "wed", "thu", "fri"}, "14:00", "23:00", time.UTC)
		require.NoError(t, err)
		rules.Shifts = map[int64]justify.Schedule{convIvan: {ivan}, convPetr: {petr}}
	}
	w := &convWorld{t: t, db: db, msgs: map[int64]int64{}}
	w.svc = &justify.Service{
		Store: db, Deadline: 2 * time.Hour,
		People: justify.NewDirectory([]justify.Person{
			{Name: "Ivan", Role: justify.RoleOperator, VKID: convIvan, TelegramID: 10},
			{Name: "Petr", Role: justify.RoleOperator, VKID: convPetr, TelegramID: 11},
			{Name: "Olga", Role: justify.RoleManager, TelegramID: 20},
		}),
		Communities:   map[int64]justify.Community{testGroup: {GroupID: testGroup, Name: "Shop"}},
		Now:           func() time.Time { return w.now },
		Conversations: &justify.Conversations{Lexicon: justify.NewLexicon(justify.LexiconWords{}), Rules: rules, IdleAfter: time.Hour},
	}
	return w
}

// update is a real payload of the given file with its object's fields replaced.
func (w *convWorld) update(file string, fields map[string]any) json.RawMessage {
	var env map[string]any
	require.NoError(w.t, json.Unmarshal(payload(w.t, file), &env))
	w.seq++
	env["event_id"] = fmt.Sprintf("conv%04d", w.seq)
	obj := env["object"].(map[string]any)
	if m, ok := obj["message"].(map[string]any); ok {
		obj = m
	}
	for k, v := range fields {
		obj[k] = v
	}
	raw, err := json.Marshal(env)
	require.NoError(w.t, err)
	return raw
}

// play makes each step happen, the daemon's clock at the step's time, as the watcher and
// the unanswered poller would deliver it.
func (w *convWorld) play(steps ...convStep) {
	w.t.Helper()
	for i, s := range steps {
		date := convT0.Add(s.at)
		w.now = date
		id := s.id
		if id == 0 {
			id = int64(1000 + w.seq)
		}
		var raw json.RawMessage
		switch s.kind {
		case "in":
			raw = w.update("message_new.json", map[string]any{"id": id, "from_id": s.peer, "peer_id": s.peer,
				"text": s.text, "date": date.Unix(), "attachments": []any{}})
			w.msgs[s.peer] = id
		case "out":
			raw = w.update("message_reply.json", map[string]any{"id": id, "peer_id": s.peer, "admin_author_id": s.admin,
				"text": s.text, "date": date.Unix()})
		case "auto":
			raw = w.update("message_reply_no_admin.json", map[string]any{"id": id, "peer_id": s.peer, "text": s.text,
				"date": date.Unix()})
		case "edit_in":
			w.now = convT0.Add(s.edited)
			raw = w.update("message_edit.json", map[string]any{"id": id, "from_id": s.peer, "peer_id": s.peer,
				"text": s.text, "date": date.Unix(), "update_time": convT0.Add(s.edited).Unix()})
		case "edit_out":
			w.now = convT0.Add(s.edited)
			raw = w.update("message_edit_out.json", map[string]any{"id": id, "peer_id": s.peer, "admin_author_id": s.admin,
				"text": s.text, "date": date.Unix(), "update_time": convT0.Add(s.edited).Unix()})
		case "ban":
			raw = w.update("user_block.json", map[string]any{"admin_id": s.admin, "user_id": s.peer})
		case "list":
			var list []justify.UnansweredConv
			for _, p := range s.list {
				list = append(list, justify.UnansweredConv{PeerID: p, MessageID: w.msgs[p], At: date})
			}
			_, err := w.svc.SyncUnanswered(context.Background(), testGroup, list, date)
			require.NoError(w.t, err, "step %d", i)
			continue
		default:
			w.t.Fatalf("unknown step %q", s.kind)
		}
		ev, ok, err := DecodeUpdate(testGroup, raw)
		require.NoError(w.t, err, "step %d", i)
		require.True(w.t, ok, "step %d decodes to an event", i)
		if ev.At.IsZero() {
			ev.At = w.now // the watcher stamps events VK does not date with their receipt
		}
		res, err := w.svc.Ingest(context.Background(), []justify.Event{ev}, "", "")
		require.NoError(w.t, err, "step %d", i)
		require.Equal(w.t, 1, res.New, "step %d is recorded", i)
	}
}

// signsAt runs the daemon's tick at convT0+at and lists the signs found, as "kind/operator/customer".
func (w *convWorld) signsAt(at time.Duration) []string {
	w.t.Helper()
	w.now = convT0.Add(at)
	require.NoError(w.t, w.svc.TickConversations(context.Background()))
	signs, err := w.db.SignsBetween(context.Background(), convT0.Add(-30*24*time.Hour), convT0.Add(30*24*time.Hour))
	require.NoError(w.t, err)
	out := []string{}
	for _, s := range signs {
		d := fmt.Sprintf("%s/%d/%d", s.Kind, s.OperatorVKID, s.CustomerVKID)
		if s.Kind == justify.SignIdle {
			d += fmt.Sprintf("/%dm", s.Minutes)
		}
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func in(at time.Duration, text string) convStep {
	return convStep{kind: "in", peer: convMaria, text: text, at: at}
}

func out(at time.Duration, admin int64, text string) convStep {
	return convStep{kind: "out", peer: convMaria, admin: admin, text: text, at: at}
}

const (
	question = "Где мой заказ? Жду уже неделю"
	answer   = "Ваш заказ передан курьеру, доставка завтра до 18:00"
)

func TestConversationSigns(t *testing.T) {
	m, h, d := time.Minute, time.Hour, 24*time.Hour
	tests := []struct {
		name   string
		shifts bool
		steps  []convStep
		now    time.Duration
		want   []string
	}{
		// bare greetings
		{name: "a bare «Здравствуйте!» and nothing more", steps: []convStep{in(0, question), out(m, convIvan, "Здравствуйте!")},
			now: 5 * h, want: []string{"bare_greeting/111/5001"}},
		{name: "a greeting, and the answer only after the deadline",
			steps: []convStep{in(0, question), out(m, convIvan, "Добрый день, Мария!"), out(6*h, convIvan, answer)},
			now:   7 * h, want: []string{"bare_greeting/111/5001"}},
		{name: "near miss: a greeting followed by an answer within the deadline",
			steps: []convStep{in(0, question), out(m, convIvan, "Здравствуйте!"), out(2*h, convIvan, answer)},
			now:   2 * d, want: []string{}},
		{name: "near miss: a greeting that opens a real answer",
			steps: []convStep{in(0, question), out(5*m, convIvan, "Здравствуйте! "+answer)}, now: 2 * d, want: []string{}},
		{name: "near miss: greeting back a customer who only greeted",
			steps: []convStep{in(0, "Добрый день"), out(m, convIvan, "Здравствуйте! Чем могу помочь?")}, now: 2 * d, want: []string{}},
		{name: "a greeting edited into an answer within the deadline (message_edit)",
			steps: []convStep{in(0, question), {kind: "out", peer: convMaria, admin: convIvan, text: "Здравствуйте!", at: m, id: 50},
				{kind: "edit_out", peer: convMaria, admin: convIvan, text: "Здравствуйте! " + answer, at: m, edited: 30 * m, id: 50}},
			now: 2 * d, want: []string{}},
		{name: "a greeting edited into an answer after the deadline counts from the edit",
			steps: []convStep{in(0, question), {kind: "out", peer: convMaria, admin: convIvan, text: "Здравствуйте!", at: m, id: 50},
				{kind: "edit_out", peer: convMaria, admin: convIvan, text: "Здравствуйте! " + answer, at: m, edited: 5 * h, id: 50}},
			now: 2 * d, want: []string{"bare_greeting/111/5001"}},
		{name: "an admin unknown to the config is attributed as such",
			steps: []convStep{in(0, question), out(m, convUnknown, "Hello! How can I help?")}, now: 5 * h,
			want: []string{"bare_greeting/999/5001"}},
		// stalls
		{name: "English: \"Checking, please wait\" and nothing after",
			steps: []convStep{in(0, "Where is my order?"), out(10*m, convIvan, "Hi! Checking, please wait.")}, now: 25 * h,
			want: []string{"stall/111/5001"}},
		{name: "near miss: a holding reply answered within stall_after, past the answer deadline",
			steps: []convStep{in(0, question), out(10*m, convIvan, "Уточняю информацию"), out(20*h, convIvan, answer)},
			now:   3 * d, want: []string{}},
		{name: "«Уточняю информацию, ожидайте» and nothing after",
			steps: []convStep{in(0, question), out(10*m, convIvan, "Уточняю информацию, ожидайте")}, now: 25 * h,
			want: []string{"stall/111/5001"}},
		{name: "near miss: a holding reply followed by an answer",
			steps: []convStep{in(0, question), out(10*m, convIvan, "Передал специалистам, разбираемся"), out(3*h, convPetr, answer)},
			now:   3 * d, want: []string{}},
		{name: "near miss: «Уточняю», and the customer found it themselves",
			steps: []convStep{in(0, question), out(10*m, convIvan, "Уточняю информацию по вашему заказу"),
				in(2*h, "Спасибо, уже нашёл!")}, now: 2 * d, want: []string{}},
		{name: "«Уточняю», and the customer's polite thanks: still waiting",
			steps: []convStep{in(0, question), out(10*m, convIvan, "Уточняю информацию по вашему заказу"), in(11*m, "Спасибо")},
			now:   2 * d, want: []string{"stall/111/5001"}},
		{name: "a second holding reply is no follow-up",
			steps: []convStep{in(0, question), out(10*m, convIvan, "В работе"), out(20*h, convIvan, "Всё ещё уточняю")},
			now:   30 * h, want: []string{"stall/111/5001"}},
		// one-word replies
		{name: "«Нет.»", steps: []convStep{in(0, "Можно вернуть товар без чека?"), out(5*m, convPetr, "Нет.")}, now: d,
			want: []string{"one_word/112/5001"}},
		{name: "near miss: no with a reason", steps: []convStep{in(0, "Можно вернуть товар без чека?"),
			out(5*m, convPetr, "Нет, только с чеком в течение 14 дней")}, now: d, want: []string{}},
		{name: "«Нет» after «Уточняю» is the answer, in one word",
			steps: []convStep{in(0, "Можно вернуть товар без чека?"), out(5*m, convPetr, "Уточняю"), out(30*m, convPetr, "Нет")},
			now:   d, want: []string{"one_word/112/5001"}},
		{name: "near miss: «Ок» to the customer's thanks after an answer",
			steps: []convStep{in(0, question), out(10*m, convIvan, answer), in(15*m, "Спасибо!"), out(16*m, convIvan, "Ок")},
			now:   d, want: []string{}},
		{name: "English: \"No.\"", steps: []convStep{in(0, "Can I return it without a receipt?"), out(5*m, convPetr, "No.")},
			now: d, want: []string{"one_word/112/5001"}},
		// skipped requests
		{name: "no shifts: a request past the deadline is skipped by the community",
			steps: []convStep{in(0, question)}, now: 5 * h, want: []string{"skipped/0/5001"}},
		{name: "near miss: answered within the deadline", steps: []convStep{in(0, question), out(3*h, convIvan, answer)},
			now: d, want: []string{}},
		{name: "near miss: the deadline has not passed yet", steps: []convStep{in(0, question)}, now: 3 * h, want: []string{}},
		{name: "near miss: the customer edited the question into a thanks (message_edit)",
			steps: []convStep{{kind: "in", peer: convMaria, text: question, id: 60},
				{kind: "edit_in", peer: convMaria, text: "Спасибо, уже нашёл!", edited: 30 * m, id: 60}},
			now: 5 * h, want: []string{}},
		{name: "a customer's greeting edited into a question waits like one (message_edit)",
			steps: []convStep{{kind: "in", peer: convMaria, text: "Добрый день", id: 61},
				out(m, convIvan, "Здравствуйте!"),
				{kind: "edit_in", peer: convMaria, text: "Добрый день! " + question, edited: 2 * m, id: 61}},
			now: 5 * h, want: []string{"bare_greeting/111/5001"}},
		{name: "an automatic reply is no answer",
			steps: []convStep{in(0, question), {kind: "auto", peer: convMaria, text: "Спасибо! Мы ответим в течение дня", at: time.Second}},
			now:   5 * h, want: []string{"skipped/0/5001"}},
		{name: "with shifts: skipped by each operator on shift until the deadline", shifts: true,
			steps: []convStep{in(0, question)}, now: 5 * h,
			// Nobody touched it all the while: idle time for both, from the start of each shift.
			want: []string{"idle/111/0/300m", "idle/112/0/60m", "skipped/111/5001"}},
		{name: "near miss: a request at night answered before the morning deadline, outside shifts", shifts: true,
			steps: []convStep{in(13*h+30*m, question), out(22*h, convIvan, answer)}, now: 2 * d, want: []string{}},
		// repeat contacts
		{name: "the customer writes again two days after the answer",
			steps: []convStep{in(0, question), out(10*m, convIvan, answer), in(2*d, "Так и не пришёл")},
			now:   2*d + h, want: []string{"repeat_contact/111/5001"}},
		{name: "near miss: only thanks the next day",
			steps: []convStep{in(0, question), out(10*m, convIvan, answer), in(d, "Спасибо!")}, now: 2 * d, want: []string{}},
		{name: "near miss: a follow-up question within the dialog",
			steps: []convStep{in(0, question), out(10*m, convIvan, answer), in(20*m, "А доставка платная?"),
				out(30*m, convIvan, "Бесплатная, заказ больше 1000 рублей")}, now: 2 * d, want: []string{}},
		{name: "near miss: writing again after eight days",
			steps: []convStep{in(0, question), out(10*m, convIvan, answer), in(8*d, "Новый вопрос: есть ли размер M?")},
			now:   8*d + h, want: []string{}},
		// closed without reply
		{name: "marked answered without a word",
			steps: []convStep{in(0, question), {kind: "list", at: m, list: []int64{convMaria}}, {kind: "list", at: 2 * h}},
			now:   2 * h, want: []string{"closed_without_reply/0/5001"}},
		{name: "near miss: the conversation left the list because it was answered",
			steps: []convStep{in(0, question), {kind: "list", at: m, list: []int64{convMaria}}, out(30*m, convIvan, answer),
				{kind: "list", at: h}}, now: d, want: []string{}},
		{name: "near miss: the answer that made it leave the list arrives late",
			steps: []convStep{in(0, question), {kind: "list", at: m, list: []int64{convMaria}}, {kind: "list", at: h},
				out(30*m, convIvan, answer)}, now: d, want: []string{}},
		{name: "near miss: back on the list with the same message (read while it changed)",
			steps: []convStep{in(0, question), {kind: "list", at: m, list: []int64{convMaria}}, {kind: "list", at: 2 * m},
				{kind: "list", at: 3 * m, list: []int64{convMaria}}, out(30*m, convIvan, answer)}, now: d, want: []string{}},
		// idle time
		{name: "an hour and a half on shift without touching a waiting request", shifts: true,
			steps: []convStep{in(-30*m, question), out(h, convIvan, answer)}, now: d,
			want: []string{"idle/111/0/90m"}},
		{name: "near miss: a ban in between is an action", shifts: true,
			steps: []convStep{in(-30*m, question), {kind: "ban", admin: convIvan, peer: 7001, at: 15 * m}, out(h, convIvan, answer)},
			now:   d, want: []string{}},
		{name: "near miss: requests waiting at night are no one's idle time", shifts: true,
			steps: []convStep{in(14*h+30*m, question), out(22*h+50*m, convIvan, answer)}, now: 2 * d, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newConvWorld(t, tt.shifts)
			w.play(tt.steps...)
			assert.Equal(t, tt.want, w.signsAt(tt.now))
		})
	}
}

func TestConversationOutOfOrder(t *testing.T) {
	m, h := time.Minute, time.Hour
	// VK delivered the answer before the question (a reconnect): each is placed by its own
	// date, so the question was answered in ten minutes and nothing is due.
	w := newConvWorld(t, false)
	w.play(out(10*m, convIvan, answer))
	w.now = convT0.Add(20 * m)
	w.play(convStep{kind: "in", peer: convMaria, text: question, at: 0})
	assert.Equal(t, []string{}, w.signsAt(6*h))

	f, err := w.db.ConversationFacts(context.Background(), convT0.Add(-h), convT0.Add(h))
	require.NoError(t, err)
	require.Len(t, f.Dialogs, 1)
	ds := f.Dialogs
	assert.Equal(t, 10*m, ds[0].FirstTouch)
	assert.Equal(t, 10*m, ds[0].FirstAnswer)
	assert.Equal(t, convIvan, ds[0].FirstAnswerBy)
	assert.Equal(t, 2, ds[0].Messages)
}

func TestConversationTemplates(t *testing.T) {
	tests := []struct {
		name      string
		customers int
		wantUses  int
	}{
		{name: "a phrase pasted to five customers can be a template", customers: 5, wantUses: 5},
		{name: "near miss: a common phrase sent to four customers", customers: 4, wantUses: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newConvWorld(t, false)
			// The same words with names, capitals and punctuation of their own.
			texts := []string{"Спасибо за отзыв!", "Мария, спасибо за отзыв!", "спасибо за отзыв, Анна", "СПАСИБО ЗА ОТЗЫВ",
				"Спасибо  за отзыв..."}
			for i := range tt.customers {
				peer := int64(6000 + i)
				at := time.Duration(i) * time.Hour
				w.play(convStep{kind: "in", peer: peer, text: "Не понравилось качество", at: at},
					convStep{kind: "out", peer: peer, admin: convIvan, text: texts[i], at: at + time.Minute})
			}
			// The first customer was not satisfied.
			w.play(convStep{kind: "in", peer: 6000, text: "И это всё? Верните деньги", at: 10 * time.Hour})
			// What the report counts: the replies' facts, and the uses of the texts sent to
			// five customers in the period.
			from, to := convT0.Add(-time.Hour), convT0.Add(24*time.Hour)
			f, err := w.db.ConversationFacts(context.Background(), from, to)
			require.NoError(t, err)
			r := report.Compute(report.Input{From: from, To: to, Facts: f, TemplateMinCustomers: 5,
				People: w.svc.People.All(), Communities: []justify.Community{{GroupID: testGroup}}})
			assert.Equal(t, tt.wantUses, r.Communities[0].Total.Current.TemplateReplies)
			phrases := map[justify.Phrase]bool{}
			for _, rf := range f.Replies {
				phrases[justify.Phrase{GroupID: rf.GroupID, OperatorVKID: rf.OperatorVKID, Hash: rf.Hash}] = true
			}
			require.Len(t, phrases, 1, "one text, whatever the names, capitals and punctuation")
			var keys []justify.Phrase
			for k := range phrases {
				keys = append(keys, k)
			}
			uses, err := w.db.TemplateExamples(context.Background(), from, to, keys, 0)
			require.NoError(t, err)
			require.Len(t, uses, tt.customers)
			wrote := 0
			for _, u := range uses {
				assert.Equal(t, convIvan, u.OperatorVKID)
				assert.Equal(t, "спасибо за отзыв", u.Template)
				if u.WroteAfter {
					wrote++
					assert.Equal(t, int64(6000), u.CustomerVKID, "the customer who wrote again")
				}
			}
			assert.Equal(t, 1, wrote)
		})
	}
}

// A greeting, a holding reply or a «Да» sent to every customer is no template: each has
// a sign of its own, and their words are the same by nature.
func TestGreetingsAreNoTemplates(t *testing.T) {
	for _, text := range []string{"Здравствуйте!", "Уточняю информацию, ожидайте", "Да"} {
		t.Run(text, func(t *testing.T) {
			w := newConvWorld(t, false)
			for i := range 6 {
				peer := int64(6000 + i)
				at := time.Duration(i) * time.Hour
				w.play(convStep{kind: "in", peer: peer, text: "Можно оплатить картой?", at: at},
					convStep{kind: "out", peer: peer, admin: convIvan, text: text, at: at + time.Minute})
			}
			f, err := w.db.ConversationFacts(context.Background(), convT0.Add(-time.Hour), convT0.Add(24*time.Hour))
			require.NoError(t, err)
			assert.Empty(t, f.Replies, "no reply is a template candidate")
		})
	}
}

// The community's answer in a comment thread delivered before the question it answers
// (a reconnect): VK's reply_to_user names the customer, so the question is answered in a
// minute and nothing is due.
func TestCommentAnswerBeforeItsQuestion(t *testing.T) {
	w := newConvWorld(t, false)
	ingest := func(file string, fields map[string]any, at time.Duration) {
		t.Helper()
		w.now = convT0.Add(time.Hour)
		fields["date"] = convT0.Add(at).Unix()
		ev, ok, err := DecodeUpdate(testGroup, w.update(file, fields))
		require.NoError(t, err)
		require.True(t, ok)
		_, err = w.svc.Ingest(context.Background(), []justify.Event{ev}, "", "")
		require.NoError(t, err)
	}
	ingest("wall_reply_new_community.json", map[string]any{"id": 32, "text": answer, "reply_to_comment": 31,
		"reply_to_user": 5001}, time.Minute)
	ingest("wall_reply_new.json", map[string]any{"id": 31, "from_id": 5001, "text": question}, 0)
	assert.Equal(t, []string{}, w.signsAt(6*time.Hour))
	f, err := w.db.ConversationFacts(context.Background(), convT0.Add(-time.Hour), convT0.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, f.Dialogs, 1)
	assert.True(t, f.Dialogs[0].Answered)
	assert.Equal(t, time.Minute, f.Dialogs[0].FirstAnswer)
}

func TestConversationInCommentThreads(t *testing.T) {
	w := newConvWorld(t, false)
	comment := func(file string, fields map[string]any, at time.Duration) {
		w.t.Helper()
		w.now = convT0.Add(at)
		fields["date"] = convT0.Add(at).Unix()
		ev, ok, err := DecodeUpdate(testGroup, w.update(file, fields))
		require.NoError(t, err)
		require.True(t, ok)
		_, err = w.svc.Ingest(context.Background(), []justify.Event{ev}, "", "")
		require.NoError(t, err)
	}
	// Two customers ask under one post; the community greets the first and leaves the
	// second waiting. Comments name no admin: both count for the community.
	comment("wall_reply_new.json", map[string]any{"id": 21, "from_id": 5001, "text": question}, 0)
	comment("wall_reply_new.json", map[string]any{"id": 22, "from_id": 5002, "text": "А мне ответите?"}, time.Minute)
	comment("wall_reply_new_community.json", map[string]any{"id": 23, "text": "Добрый день!", "reply_to_comment": 21,
		"reply_to_user": 5001}, 2*time.Minute)
	assert.Equal(t, []string{"bare_greeting/0/5001", "skipped/0/5002"}, w.signsAt(5*time.Hour))

	// The second customer deleted their question: nothing waits for an answer any more.
	ev, ok, err := DecodeUpdate(testGroup, w.update("wall_reply_delete.json", map[string]any{"id": 22, "deleter_id": 5002}))
	require.NoError(t, err)
	require.True(t, ok)
	ev.At = convT0.Add(5 * time.Hour)
	_, err = w.svc.Ingest(context.Background(), []justify.Event{ev}, "", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"bare_greeting/0/5001"}, w.signsAt(6*time.Hour))
}

// A chat bot's reply (message_reply without admin_author_id) answers nobody: the ticket
// keeps waiting, in the SLA figures as in the dialogs; an admin's reply answers it.
func TestAutomaticReplyLeavesTheTicketWaiting(t *testing.T) {
	w := newConvWorld(t, false)
	w.play(convStep{kind: "in", peer: convMaria, text: question, id: 70},
		convStep{kind: "auto", peer: convMaria, text: "Спасибо! Мы ответим в течение дня", at: 5 * time.Second})
	key := justify.Ref{GroupID: testGroup, Place: justify.PlaceMessage, OwnerID: convMaria, ItemID: 70}.Key()
	answered := func() (time.Time, int64) {
		t.Helper()
		var tk justify.Ticket
		require.NoError(t, w.svc.Store.View(context.Background(), func(tx justify.Tx) error {
			var err error
			tk, err = tx.Ticket(key)
			return err
		}))
		return tk.AnsweredAt, tk.AnsweredBy
	}
	at, _ := answered()
	assert.True(t, at.IsZero(), "the chat bot answered nobody")

	w.play(out(20*time.Minute, convIvan, answer))
	at, by := answered()
	assert.Equal(t, convT0.Add(20*time.Minute), at.UTC())
	assert.Equal(t, convIvan, by)
}
