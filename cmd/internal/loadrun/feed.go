package loadrun

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk"
)

// comment is a customer's comment the stream may later answer or delete.
type comment struct {
	post, id, author int64
}

// groupState is what the stream generator remembers of one community.
type groupState struct {
	nextID   int64
	comments []comment // customers' comments not deleted yet
}

var benchTexts = []string{
	"Здравствуйте! Заказ №%d оплачен неделю назад, а статус всё ещё «в обработке». Когда отправите?",
	"Третий раз пишу: курьер не приехал, деньги за доставку списали. Верните, пожалуйста.",
	"Товар пришёл с трещиной на корпусе, фото приложила. Как оформить возврат?",
	"Почему в приложении не работает промокод %d? Написано, что акция до конца месяца.",
	"Спасибо, всё пришло вовремя, но в комплекте нет зарядки. Это так и должно быть?",
	"Hello, my order %d never arrived and support does not answer the phone.",
}

var benchReplies = []string{
	"Здравствуйте! Передали ваш вопрос в службу доставки, ответим в течение дня.",
	"Добрый день! Напишите, пожалуйста, номер заказа в личные сообщения сообщества.",
	"Приносим извинения, оформили возврат, деньги придут за 3–5 рабочих дней.",
}

// item is one event of the stream: a long-poll update as VK sends it, or a ban, which
// the fake VK makes into its update and its ban list.
type item struct {
	group int64
	raw   []byte
	ban   *ban
}

type ban struct {
	admin, user int64
	reason      int
}

// stream builds the event stream before the clock starts, as VK's servers would hold it:
// customers' comments, the community's replies, operators' deletions and bans, in a
// seeded random order. What it costs to make (JSON, and decoding each update once to
// count what modwatch can act on) is the load generator's, not modwatch's, and must not
// compete with the daemon for the cores while it is measured.
func (b *bench) stream() []item {
	o := b.o
	rng := rand.New(rand.NewPCG(o.Seed, 0x6d6f64))
	bans := int(math.Round(float64(o.Events) * o.BansShare))
	kinds := make([]byte, o.Events)
	for i := range kinds {
		switch {
		case i < bans:
			kinds[i] = 'b'
		default:
			// Of the rest: 70% comments, 20% replies, 10% deletions.
			switch r := rng.IntN(10); {
			case r < 7:
				kinds[i] = 'c'
			case r < 9:
				kinds[i] = 'r'
			default:
				kinds[i] = 'd'
			}
		}
	}
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })

	groups := make([]groupState, o.Communities+1)
	now := time.Now().Unix()
	nextBanned := int64(benchBannedBase)
	out := make([]item, 0, len(kinds))
	for i, kind := range kinds {
		g := int64(i%o.Communities) + 1
		gs := &groups[g]
		if (kind == 'r' || kind == 'd') && len(gs.comments) == 0 {
			kind = 'c'
		}
		var raw []byte
		switch kind {
		case 'b':
			out = append(out, item{group: g, ban: &ban{admin: int64(benchOperatorVK + rng.IntN(benchOperators)), user: nextBanned,
				reason: int(justify.BanSpam) + rng.IntN(4)}})
			nextBanned++
			b.res.Pushed.Bans++
			b.res.Decodable++
			continue
		case 'c':
			gs.nextID++
			c := comment{post: 1 + rng.Int64N(benchPostsPerGroup), id: gs.nextID, author: benchCustomerBase + rng.Int64N(1000*int64(o.Communities))}
			gs.comments = append(gs.comments, c)
			text := benchTexts[rng.IntN(len(benchTexts))]
			if strings.Contains(text, "%d") {
				text = fmt.Sprintf(text, 100000+rng.IntN(900000))
			}
			raw = vkEvent(g, i, "wall_reply_new", map[string]any{
				"id": c.id, "from_id": c.author, "date": now, "text": text,
				"post_owner_id": -g, "post_id": c.post, "owner_id": -g,
				"parents_stack": []int64{}, "thread": map[string]any{"count": 0, "items": []any{}},
			})
			b.res.Pushed.Comments++
		case 'r':
			c := gs.comments[rng.IntN(len(gs.comments))]
			gs.nextID++
			raw = vkEvent(g, i, "wall_reply_new", map[string]any{
				"id": gs.nextID, "from_id": -g, "date": now, "text": benchReplies[rng.IntN(len(benchReplies))],
				"post_owner_id": -g, "post_id": c.post, "owner_id": -g,
				"reply_to_user": c.author, "reply_to_comment": c.id, "parents_stack": []int64{c.id},
			})
			b.res.Pushed.Replies++
		case 'd':
			k := rng.IntN(len(gs.comments))
			c := gs.comments[k]
			gs.comments[k] = gs.comments[len(gs.comments)-1]
			gs.comments = gs.comments[:len(gs.comments)-1]
			raw = vkEvent(g, i, "wall_reply_delete", map[string]any{
				"owner_id": -g, "id": c.id, "deleter_id": benchOperatorVK + rng.IntN(benchOperators), "post_id": c.post,
			})
			b.res.Pushed.Deletions++
		}
		if ev, ok, err := vk.DecodeUpdate(g, raw); err == nil && ok && ev.Validate() == nil {
			b.res.Decodable++
		}
		out = append(out, item{group: g, raw: raw})
	}
	return out
}

// feed pushes the stream into the fake VK, at o.Rate events a second or as fast as it
// can, noting when each ban was pushed.
func (b *bench) feed(ctx context.Context, stream []item) error {
	start := time.Now()
	for i, it := range stream {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("feed events: %w", err)
		}
		if b.o.Rate > 0 {
			if ahead := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(b.o.Rate))); ahead > time.Millisecond {
				time.Sleep(ahead)
			}
		}
		if it.ban == nil {
			b.vk.PushRaw(it.group, it.raw)
			continue
		}
		b.mu.Lock()
		b.banAt[it.ban.user] = time.Now()
		if b.firstBan == 0 {
			b.firstBan = it.ban.user
		}
		b.mu.Unlock()
		b.vk.Ban(it.group, it.ban.admin, it.ban.user, it.ban.reason, "ссылки на сторонние магазины", 0)
	}
	return nil
}

// vkEvent wraps object in VK's long-poll envelope.
func vkEvent(groupID int64, seq int, typ string, object map[string]any) []byte {
	sum := sha1.Sum([]byte(fmt.Sprintf("bench:%d:%d", groupID, seq)))
	raw, err := json.Marshal(map[string]any{
		"type": typ, "object": object, "group_id": groupID, "event_id": hex.EncodeToString(sum[:]), "v": "5.199",
	})
	if err != nil {
		panic(fmt.Sprintf("bench: encode %s event: %v", typ, err))
	}
	return raw
}

func preloadGroup(author int64, communities int) int64 { return 1 + author%int64(communities) }

// preloadTickets stores n customers' tickets through the store, as years of comments
// would have left them: benchPreloadAuthor per author, the share answered of them answered
// an hour after they were written, the others still waiting.
func preloadTickets(ctx context.Context, path string, n, communities int, answered float64) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("open database to preload: %w", err)
	}
	defer db.Close()
	authors := max(n/benchPreloadAuthor, 1)
	// Within the default 90-day retention, so the daemon does not start by erasing them.
	created := time.Now().Add(-80 * 24 * time.Hour)
	step := 70 * 24 * time.Hour / time.Duration(max(n, 1))
	const batch = 5000
	for from := 0; from < n; from += batch {
		err := db.Update(ctx, func(tx justify.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				a := int64(i % authors)
				g := preloadGroup(a, communities)
				at := created.Add(time.Duration(i) * step)
				t := justify.Ticket{
					Ref:        justify.Ref{GroupID: g, Place: justify.PlaceWallComment, OwnerID: -g, ParentID: int64(i/1000 + 1), ItemID: int64(i + 1)},
					AuthorVKID: benchPreloadBase + a, AuthorName: "Customer " + strconv.FormatInt(a, 10),
					Text:      fmt.Sprintf(benchTexts[0], i),
					CreatedAt: at, UpdatedAt: at,
				}
				t.Link = t.Ref.Link()
				// Spread evenly: of every 1000 tickets, the first answered*1000 by the
				// order of i's low digits are answered.
				if float64(i%1000) < answered*1000 {
					t.AnsweredAt, t.AnsweredBy = at.Add(time.Hour), -g
				}
				if _, err := tx.UpsertTicket(&t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("preload tickets %d..%d: %w", from, from+batch, err)
		}
	}
	// A daemon that has run has packed the answered tickets' hours into the roll-up that
	// reports read: pack them now, so the report is timed as it runs in the steady state.
	if _, err := db.PackReportHours(ctx, math.MaxInt); err != nil {
		return fmt.Errorf("pack the preloaded tickets' hours: %w", err)
	}
	return db.Close()
}
