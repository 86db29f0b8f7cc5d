package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// convEvents builds VK-shaped events for the batching tests.
type convEvents struct{ n int }

func (c *convEvents) key(kind string) string { c.n++; return fmt.Sprintf("ev-%s-%d", kind, c.n) }

// message is a customer's community message (message_new), or its edit.
func (c *convEvents) message(customer, id int64, at time.Time, text string, edit bool) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: customer, ItemID: id}
	kind := justify.EventWrite
	if edit {
		kind = justify.EventEdit
	}
	return justify.Event{Key: c.key("msg"), GroupID: 1, Kind: kind, Item: ref, At: at, UserVKID: customer,
		Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, AuthorName: "Мария Иванова", Text: text, CreatedAt: at}}
}

// reply is the community's message (message_reply) by admin (0: a chat bot).
func (c *convEvents) reply(customer, id int64, admin int64, at time.Time, text string) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceMessage, OwnerID: customer, ItemID: id}
	return justify.Event{Key: c.key("reply"), GroupID: 1, Kind: justify.EventAnswer, Item: ref, ActorVKID: admin, At: at,
		Reply: &justify.Reply{Text: text, WrittenAt: at}}
}

// comment is a customer's comment under post (wall_reply_new).
func (c *convEvents) comment(customer, post, id int64, at time.Time, text string) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: post, ItemID: id}
	return justify.Event{Key: c.key("comment"), GroupID: 1, Kind: justify.EventWrite, Item: ref, At: at, UserVKID: customer,
		Ticket: &justify.Ticket{Key: ref.Key(), Ref: ref, AuthorVKID: customer, Text: text, CreatedAt: at}}
}

// answer is the community's comment under post replying to comment to.
func (c *convEvents) answer(post, id, to int64, at time.Time, text string) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: post, ItemID: id}
	ev := justify.Event{Key: c.key("answer"), GroupID: 1, Kind: justify.EventAnswer, Item: ref, At: at,
		Reply: &justify.Reply{Text: text, WrittenAt: at}}
	if to != 0 {
		ev.ReplyTo = ref
		ev.ReplyTo.ItemID = to
	}
	return ev
}

// deletion is an admin's deletion of comment id under post (wall_reply_delete).
func (c *convEvents) deletion(post, id, admin int64, at time.Time) justify.Event {
	ref := justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: post, ItemID: id}
	return justify.Event{Key: c.key("delete"), GroupID: 1, Kind: justify.EventDelete, Item: ref, ActorVKID: admin, At: at}
}

func (c *convEvents) ban(user, admin int64, at time.Time) justify.Event {
	return justify.Event{Key: c.key("ban"), GroupID: 1, Kind: justify.EventBan, UserVKID: user, ActorVKID: admin, At: at,
		Source: justify.SourceLongPoll}
}

// recorded is what the store holds of conversations, tickets and cases, without the
// row IDs two ways of recording may number differently.
func recorded(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	dump := func(query string) []string {
		rows, err := db.read.QueryContext(ctx, query)
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out = append(out, fmt.Sprint(vals...))
		}
		require.NoError(t, rows.Err())
		sort.Strings(out)
		return out
	}
	return map[string][]string{
		"conv_messages": dump(`SELECT key, conv, customer_vk_id, side, admin_vk_id, automatic, text, class, first_class, hash,
			at, edited_at, deleted_at, wrote_after FROM conv_messages`),
		"dialogs": dump(`SELECT group_id, conv, place, customer_vk_id, start_key, started_at, last_at, messages, request_at,
			first_touch_at, first_touch_by, first_answer_at, first_answer_by, closing_at, closing_by, reactions,
			waiting_since, closed, check_at FROM dialogs`),
		"waits": dump(`SELECT d.conv, d.started_at, w.from_at, w.to_at FROM dialog_waits w JOIN dialogs d ON d.id = w.dialog_id`),
		"signs": dump(`SELECT s.key, s.kind, s.operator_vk_id, s.on_shift, s.customer_vk_id, s.message_key, s.ticket_key, s.at,
			s.minutes, s.secondary, COALESCE(d.conv, ''), COALESCE(d.started_at, 0) FROM signs s LEFT JOIN dialogs d ON d.id = s.dialog_id`),
		"tickets": dump(`SELECT key, author_vk_id, text, answered_at, answered_by, deleted_at, deleted_by FROM tickets`),
		"cases":   dump(`SELECT event_key, kind, user_vk_id, actor_vk_id, state, severe FROM cases`),
		"events":  dump(`SELECT key, kind FROM events`),
	}
}

// TestBatchRebuildsLikeOneByOne checks that a long-poll answer recorded as one batch
// (conversations rebuilt once at its end, cases first) leaves exactly what recording its
// events one at a time leaves: messages, dialogs, waits, signs, tickets and cases. So does
// the inbox: the answers kept as they came, then derived with cases first across them.
func TestBatchRebuildsLikeOneByOne(t *testing.T) {
	base := t0.Add(-6 * time.Hour)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	const ivan, olga = 111, 112
	tests := []struct {
		name   string
		events func(c *convEvents) []justify.Event
	}{
		{name: "several messages of one conversation", events: func(c *convEvents) []justify.Event {
			return []justify.Event{
				c.message(5001, 1, at(0), "Здравствуйте, где мой заказ 123?", false),
				c.reply(5001, 2, ivan, at(2), "Здравствуйте!"),
				c.message(5001, 3, at(5), "Алло?", false),
				c.message(5001, 1, at(6), "Здравствуйте, где мой заказ 124?", true),
				c.reply(5001, 4, 0, at(7), "Ваше обращение принято"),
				c.reply(5001, 5, ivan, at(90), "Заказ 124 передан в доставку, придёт завтра."),
				c.message(5001, 6, at(200), "Спасибо!", false),
				c.message(5002, 7, at(1), "Не работает промокод", false),
				c.reply(5002, 8, olga, at(3), "Уточняю информацию, ожидайте"),
			}
		}},
		{name: "dates out of order", events: func(c *convEvents) []justify.Event {
			return []justify.Event{
				c.reply(5003, 12, ivan, at(30), "Спасибо за отзыв!"),
				c.message(5003, 11, at(10), "Курьер не приехал", false),
				c.message(5003, 13, at(400), "Опять не приехал", false),
				c.reply(5003, 14, ivan, at(20), "Да"),
				c.message(5003, 11, at(401), "Курьер не приехал, деньги списали", true),
			}
		}},
		{name: "a comment thread with a deletion and a ban in the middle", events: func(c *convEvents) []justify.Event {
			return []justify.Event{
				c.comment(6001, 1, 101, at(0), "Почему не работает приложение?"),
				c.comment(6002, 1, 102, at(1), "Купите у нас дешевле: example.com"),
				c.answer(1, 103, 101, at(3), "Здравствуйте! Проверяем."),
				c.deletion(1, 102, ivan, at(4)),
				c.ban(6002, ivan, at(4)),
				c.comment(6001, 1, 104, at(5), "Так что с приложением?"),
				c.deletion(1, 104, olga, at(6)),
				c.answer(1, 105, 0, at(7), "Обновите приложение, пожалуйста"),
				c.comment(6003, 2, 201, at(8), "А доставка в Казань есть?"),
				c.ban(6004, olga, at(9)),
			}
		}},
		{name: "a deletion after an answer to the whole thread", events: func(c *convEvents) []justify.Event {
			// The deletion depends on the answer (was the comment answered?), and the
			// answer on every comment before it, of anyone: it marks them answered.
			return []justify.Event{
				c.comment(6005, 3, 301, at(0), "Когда откроется магазин?"),
				c.comment(6006, 3, 302, at(1), "Где чек за заказ?"),
				c.answer(3, 303, 0, at(2), "Магазин откроется в понедельник, чеки приходят на почту."),
				c.deletion(3, 302, ivan, at(3)),
				c.ban(6006, ivan, at(3)),
			}
		}},
		{name: "a comment in the same second as an answer before it", events: func(c *convEvents) []justify.Event {
			// VK's times are whole seconds: the answer marks what was written up to its
			// second, so the banned customer's comment must not go before it.
			return []justify.Event{
				c.comment(6007, 4, 401, at(0), "Где мой заказ?"),
				c.answer(4, 402, 0, at(2), "Заказ в пути."),
				c.comment(6008, 4, 403, at(2), "А мой?"),
				c.ban(6008, ivan, at(3)),
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < 8; seed++ {
				evs := tc.events(&convEvents{})
				if seed > 0 {
					// Long-poll answers come in any order VK chose: shuffle, keep each item's own order.
					r := rand.New(rand.NewPCG(seed, 7))
					r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
					sortEachItem(evs)
				}
				now := t0
				oneDB, batchDB, inboxDB := openTest(t), openTest(t), openTest(t)
				one, batch, inbox := convService(oneDB, &now), convService(batchDB, &now), convService(inboxDB, &now)
				for _, s := range []*justify.Service{one, batch, inbox} {
					s.People = justify.NewDirectory([]justify.Person{
						{Name: "Ivan", Role: justify.RoleOperator, VKID: ivan, TelegramID: 1001},
						{Name: "Olga", Role: justify.RoleOperator, VKID: olga, TelegramID: 1002},
						{Name: "Anna", Role: justify.RoleManager, TelegramID: 2001}})
				}
				ctx := context.Background()
				// A third is known before the answer, so that the batch rebuilds dialogs
				// already stored, not only new ones.
				known := len(evs) / 3
				for i, ev := range evs {
					_, err := one.IngestPoll(ctx, justify.PollAnswer{Events: []justify.Event{ev}, CursorKey: "vk:1:ts", Cursor: fmt.Sprint(i + 1)})
					require.NoError(t, err)
					if i < known {
						_, err := batch.IngestPoll(ctx, justify.PollAnswer{Events: []justify.Event{ev}, CursorKey: "vk:1:ts", Cursor: fmt.Sprint(i + 1)})
						require.NoError(t, err)
					}
				}
				res, err := batch.IngestPoll(ctx, justify.PollAnswer{Events: evs[known:], CursorKey: "vk:1:ts", Cursor: fmt.Sprint(len(evs))})
				require.NoError(t, err)
				assert.Equal(t, len(evs)-known, res.New, "seed %d", seed)
				// The inbox keeps answers of one to three events and derives them all at once.
				for i := 0; i < len(evs); i += 1 + i%3 {
					j := min(len(evs), i+1+i%3)
					_, err := inbox.RecordPoll(ctx, justify.PollAnswer{Events: evs[i:j], CursorKey: "vk:1:ts", Cursor: fmt.Sprint(j)})
					require.NoError(t, err)
				}
				deriveAll(t, inbox)
				want, got, derived := recorded(t, oneDB), recorded(t, batchDB), recorded(t, inboxDB)
				require.NotEmpty(t, want["dialogs"])
				for table := range want {
					assert.Equal(t, want[table], got[table], "%s, seed %d", table, seed)
					assert.Equal(t, want[table], derived[table], "%s through the inbox, seed %d", table, seed)
				}
			}
		})
	}
}

// deriveAll has the inbox's deriver derive everything svc kept, then stop.
func deriveAll(t *testing.T, svc *justify.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, svc.OpenInbox(ctx))
	done := make(chan error, 1)
	go func() { done <- svc.RunInbox(ctx) }()
	require.Eventually(t, func() bool { return svc.InboxPending() == 0 }, 10*time.Second, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}

// sortEachItem keeps the events of each item (a message and its edit, a comment and its
// deletion) in the order they were made, wherever a shuffle put them.
func sortEachItem(evs []justify.Event) {
	byItem := map[string][]int{}
	for i, ev := range evs {
		k := ev.Item.Key()
		if ev.Kind == justify.EventBan {
			k = fmt.Sprint("ban", ev.UserVKID)
		}
		byItem[k] = append(byItem[k], i)
	}
	for _, idx := range byItem {
		items := make([]justify.Event, len(idx))
		for j, i := range idx {
			items[j] = evs[i]
		}
		sort.SliceStable(items, func(a, b int) bool { return keyNum(items[a].Key) < keyNum(items[b].Key) })
		for j, i := range idx {
			evs[i] = items[j]
		}
	}
}

func keyNum(k string) int {
	var n int
	_, _ = fmt.Sscanf(k[strings.LastIndex(k, "-")+1:], "%d", &n)
	return n
}

// failingBulk is a store whose bulk transactions fail, as a crash after an answer's
// cases were committed and before its rest was would leave it.
type failingBulk struct{ *DB }

func (f failingBulk) Update(ctx context.Context, fn func(justify.Tx) error) error {
	if justify.IsBulk(ctx) {
		return fmt.Errorf("disk gone")
	}
	return f.DB.Update(ctx, fn)
}

// burst is an answer of many comments with a ban in the middle.
func burst(c *convEvents, comments int) []justify.Event {
	var evs []justify.Event
	for i := range comments {
		evs = append(evs, c.comment(int64(7000+i%50), int64(1+i%20), int64(1000+i), t0.Add(-time.Hour), "Где мой заказ?"))
		if i == comments/2 {
			evs = append(evs, c.ban(6001, 111, t0.Add(-time.Hour)))
		}
	}
	return evs
}

// TestCasesFirstThenTheRest checks the order an answer is recorded in: the ban's case and
// prompt are committed, and OnCases told, before any of the comments around it or the
// position; then the comments and the position follow.
func TestCasesFirstThenTheRest(t *testing.T) {
	db := openTest(t)
	now := t0
	svc := convService(db, &now)
	svc.People = justify.NewDirectory([]justify.Person{{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: 1001}})
	ctx := context.Background()
	evs := burst(&convEvents{}, 600)
	told := 0
	svc.OnCases = func() {
		told++
		if told > 1 {
			return
		}
		var prompts, tickets int
		require.NoError(t, db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt'").Scan(&prompts))
		require.NoError(t, db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&tickets))
		cursor, err := svc.Cursor(ctx, "vk:1:ts")
		require.NoError(t, err)
		assert.Equal(t, 1, prompts, "the ban's prompt is committed first")
		assert.Zero(t, tickets, "no comment is committed yet")
		assert.Empty(t, cursor, "nor the position")
	}
	res, err := svc.IngestPoll(ctx, justify.PollAnswer{Events: evs, CursorKey: "vk:1:ts", Cursor: "601"})
	require.NoError(t, err)
	assert.Equal(t, 601, res.New)
	assert.Len(t, res.Opened, 1)
	assert.Positive(t, told)
	cursor, err := svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Equal(t, "601", cursor)
}

// TestCrashBetweenCasesAndTheRestLosesNothing checks that an answer whose cases were
// committed but whose rest was not leaves the position where it was, and that the same
// answer delivered again records the rest once, without a second case.
func TestCrashBetweenCasesAndTheRestLosesNothing(t *testing.T) {
	db := openTest(t)
	now := t0
	svc := convService(db, &now)
	svc.People = justify.NewDirectory([]justify.Person{{Name: "Ivan", Role: justify.RoleOperator, VKID: 111, TelegramID: 1001}})
	ctx := context.Background()
	evs := burst(&convEvents{}, 300)
	answer := justify.PollAnswer{Events: evs, CursorKey: "vk:1:ts", Cursor: "301"}

	svc.Store = failingBulk{db}
	_, err := svc.IngestPoll(ctx, answer)
	require.Error(t, err)
	cursor, err := svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Empty(t, cursor, "the position stays before the answer")
	count := func(query string) int {
		var n int
		require.NoError(t, db.read.QueryRowContext(ctx, query).Scan(&n))
		return n
	}
	assert.Equal(t, 1, count("SELECT COUNT(*) FROM cases"), "the ban's case was committed")

	svc.Store = db // the daemon again, and VK delivering the answer again
	res, err := svc.IngestPoll(ctx, answer)
	require.NoError(t, err)
	assert.Equal(t, 300, res.New)
	assert.Equal(t, 1, res.Duplicate, "the ban is known")
	assert.Equal(t, 1, count("SELECT COUNT(*) FROM cases"))
	assert.Equal(t, 1, count("SELECT COUNT(*) FROM outbox WHERE kind = 'prompt'"))
	assert.Equal(t, 300, count("SELECT COUNT(*) FROM tickets"))
	assert.Equal(t, 301, count("SELECT COUNT(*) FROM events"))
	cursor, err = svc.Cursor(ctx, "vk:1:ts")
	require.NoError(t, err)
	assert.Equal(t, "301", cursor)
}
