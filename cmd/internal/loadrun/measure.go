package loadrun

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk"
)

var vkUserLink = regexp.MustCompile(`vk\.com/id(\d+)`)

// observe timestamps prompts as they reach Telegram: a ban is prompted when a message to
// an operator first links the banned customer. Edits count too, as a batch prompt for a
// wave of bans grows by editing.
func (b *bench) observe(e telegramtest.Event) {
	if (e.Kind != telegramtest.EventSent && e.Kind != telegramtest.EventEdited) ||
		e.ChatID < benchOperatorTG || e.ChatID >= benchOperatorTG+benchOperators {
		return
	}
	now := time.Now()
	m, ok := b.tg.Message(e.ChatID, e.MessageID)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, sub := range vkUserLink.FindAllStringSubmatch(m.HTML, -1) {
		id, _ := strconv.ParseInt(sub[1], 10, 64)
		at, pushed := b.banAt[id]
		if !pushed || b.prompted[id] {
			continue
		}
		b.prompted[id] = true
		b.latency = append(b.latency, now.Sub(at))
		if id == b.firstBan {
			b.res.FirstPromptMS = millis(now.Sub(at))
		}
		select {
		case b.promptCh <- struct{}{}:
		default:
		}
	}
}

// waitIngested waits until every community's saved long-poll position is the fake VK's
// newest: the position is saved in the transaction that records the events before it,
// so then every pushed event has been committed (or read and skipped).
func (b *bench) waitIngested(ctx context.Context) error {
	pending := make([]int64, 0, b.o.Communities)
	for g := int64(1); g <= int64(b.o.Communities); g++ {
		pending = append(pending, g)
	}
	for len(pending) > 0 {
		g := pending[0]
		ts, err := b.dm.Service().Cursor(ctx, vk.CursorKey(g))
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("read position of community %d: %w", g, err)
		}
		if ts == b.vk.Ts(g) {
			pending = pending[1:]
			continue
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %d communities' events to be recorded: %w", len(pending), ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}

// waitDerived waits until the inbox is empty: every recorded event is derived. It looks
// every 25 ms: each look is a query compiled afresh in the bench's process, which shares
// the daemon's cores while its prompts go out; every 5 ms that was about 5% of a core.
func (b *bench) waitDerived(ctx context.Context) error {
	for {
		empty, err := b.dm.Store().InboxEmpty(ctx)
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("look for events not derived yet: %w", err)
		}
		if err == nil && empty {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the recorded events to be derived: %w", ctx.Err())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// waitReconciled waits until every community's start-up reconciliation of bans is saved.
// A reconciliation that read the ban list after the feed began would record some of the
// run's bans a second time, as found by reconciliation, and the counts would depend on
// timing.
func (b *bench) waitReconciled(ctx context.Context) error {
	for g := int64(1); g <= int64(b.o.Communities); g++ {
		err := waitUntil(ctx, 2*time.Minute, fmt.Sprintf("the reconciliation of community %d", g), func() bool {
			head, err := b.dm.Service().Cursor(ctx, justify.ReconciledKey(g))
			return err == nil && head != ""
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// waitPrompts waits until every ban's prompt reached Telegram, or no prompt came for 30s.
func (b *bench) waitPrompts(ctx context.Context) error {
	idle := time.NewTimer(30 * time.Second)
	defer idle.Stop()
	for {
		b.mu.Lock()
		n := len(b.latency)
		b.mu.Unlock()
		b.res.Prompts = n
		if n >= b.res.Pushed.Bans {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for prompts (%d of %d arrived): %w", n, b.res.Pushed.Bans, ctx.Err())
		case <-idle.C:
			// Not an error: the table reports how many prompts came.
			return nil
		case <-b.promptCh:
			if !idle.Stop() {
				<-idle.C
			}
			idle.Reset(30 * time.Second)
		}
	}
}

// count reads what the database holds.
func (b *bench) count(ctx context.Context) error {
	kinds, err := b.dm.Store().EventCounts(ctx)
	if err != nil {
		return err
	}
	events := 0
	for _, n := range kinds {
		events += n
	}
	tickets, err := b.dm.Store().CountTickets(ctx)
	if err != nil {
		return err
	}
	b.res.Recorded, b.res.Tickets = events, tickets
	return nil
}

// lookups times what a ban's prompt and review load: the customer's tickets. With
// preloaded tickets the customers are their authors (benchPreloadAuthor tickets each).
func (b *bench) lookups(ctx context.Context) error {
	if b.o.Lookups <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(b.o.Seed, 0x6c6f6f6b))
	authors := int64(b.o.PreloadTickets / benchPreloadAuthor)
	times := make([]time.Duration, 0, b.o.Lookups)
	users := 0
	for range b.o.Lookups {
		c := justify.Case{ID: 1, Kind: justify.EventBan}
		if authors > 0 {
			a := rng.Int64N(authors)
			c.UserVKID, c.GroupID = benchPreloadBase+a, preloadGroup(a, b.o.Communities)
		} else {
			c.UserVKID, c.GroupID = benchCustomerBase+rng.Int64N(1000*int64(b.o.Communities)), 1+rng.Int64N(int64(b.o.Communities))
		}
		start := time.Now()
		ev, err := b.dm.Service().Evidence(ctx, c)
		times = append(times, time.Since(start))
		if err != nil {
			return fmt.Errorf("look up tickets of vk%d: %w", c.UserVKID, err)
		}
		users += len(ev.UserTickets)
	}
	b.res.LookupTickets = float64(users) / float64(b.o.Lookups)
	b.res.LookupP50MS, b.res.LookupP99MS, _ = percentiles(times)
	return nil
}

// baseline measures what SQLite alone does with as many rows: a fresh database with
// modwatch's schema, the store's event insert, one transaction per 1000 rows.
func (b *bench) baseline(ctx context.Context, path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
	defer func() {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			_ = os.Remove(p)
		}
	}()
	n := b.o.Events
	took, err := store.BaselineInsert(ctx, path, n, func(i int) justify.Event {
		g := int64(i%b.o.Communities) + 1
		sum := sha1.Sum([]byte(fmt.Sprintf("bench:%d:%d", g, i)))
		return justify.Event{
			Key: vk.EventKey(g, hex.EncodeToString(sum[:])), GroupID: g, Kind: justify.EventWrite,
			UserVKID: benchCustomerBase + int64(i), UserName: "Maria Ivanova", At: time.Now(), Source: justify.SourceLongPoll,
			Item: justify.Ref{Place: justify.PlaceWallComment, OwnerID: -g, ParentID: int64(1 + i%benchPostsPerGroup), ItemID: int64(i)},
		}
	})
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	b.res.BaselinePerSec = float64(n) / took.Seconds()
	return nil
}

// percentiles returns p50, p99 and max in milliseconds, by the nearest-rank method.
func percentiles(ds []time.Duration) (p50, p99, maxMS float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return float64(ds[max(i, 0)]) / float64(time.Millisecond)
	}
	return rank(0.50), rank(0.99), float64(ds[len(ds)-1]) / float64(time.Millisecond)
}
