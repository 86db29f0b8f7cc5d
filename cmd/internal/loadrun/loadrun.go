package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers/vk"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

// The bench's cast. Operators are admins of every community; customers come from two
// pools so that a prompt about a ban can never be mistaken for one about a deletion.
const (
	benchOperators     = 10
	benchOperatorVK    = 101  // operators are vk 101.., telegram 1001..
	benchOperatorTG    = 1001 //
	benchManagerTG     = 2001
	benchOwnerTG       = 3001
	benchCustomerBase  = 5_000_000 // customers whose comments get answered and deleted
	benchBannedBase    = 7_000_000 // customers who get banned, one ban each
	benchPreloadBase   = 9_000_000 // authors of preloaded tickets
	benchPreloadAuthor = 10        // preloaded tickets per author
	benchBotToken      = "424242:bench-bot-token"
	benchPostsPerGroup = 50
)

const benchConfigHead = `# Written by modwatch bench: the daemon reads it like any config.
database: %s
language: en
vk:
  api_url: %s
  long_poll_wait: 5s
  communities:
`

const benchConfigTail = `telegram:
  token_env: BENCH_TELEGRAM_TOKEN
  api_endpoint: %s
  poll_timeout: 5s
  pace: %t
justify:
  deadline: 2h
  remind_before: 30m
  check_every: 30s
  group_after: %d
log:
  level: %s
  format: json
people:
`

// benchOptions are the bench's flags.
type benchOptions struct {
	Events         int
	Communities    int
	BansShare      float64
	Dir            string
	JSON           bool
	Rate           int // events pushed per second; 0 pushes as fast as the fake VK takes them
	PreloadTickets int
	Lookups        int
	Timeout        time.Duration
	LogLevel       string
	CPUProfile     string
	MemProfile     string
	Seed           uint64
	// Pace keeps the bot within Telegram's rate limits, as in production; off by default so
	// that the latency measured is modwatch's own, not Telegram's one message a second a chat.
	Pace bool
	// GroupAfter turns an operator's wave into one batch prompt past this many actions; 0
	// (the default here) prompts every ban on its own, so that every ban has a latency.
	GroupAfter int
}

// benchResult is what one bench run measured. Durations are in milliseconds so that the
// JSON needs no unit conversion by whoever reads it.
type benchResult struct {
	Events      int     `json:"events"`
	Communities int     `json:"communities"`
	BansShare   float64 `json:"bans_share"`
	Rate        int     `json:"rate_limit_per_s"`
	Pace        bool    `json:"paced"`
	GroupAfter  int     `json:"group_after"`
	Pushed      struct {
		Comments  int `json:"comments"`
		Replies   int `json:"replies"`
		Deletions int `json:"deletions"`
		Bans      int `json:"bans"`
	} `json:"pushed"`
	// Decodable counts the pushed events this build's VK decoder turns into domain events:
	// the others (event types not handled yet) are read and skipped, never recorded.
	Decodable       int     `json:"decodable"`
	Recorded        int     `json:"recorded"`
	TicketsStored   int     `json:"tickets_stored"`
	Prompts         int     `json:"prompts"`
	IngestSeconds   float64 `json:"ingest_seconds"`
	IngestPerSec    float64 `json:"ingest_events_per_s"`
	RecordedPerSec  float64 `json:"recorded_events_per_s"`
	BaselinePerSec  float64 `json:"baseline_rows_per_s"`
	IngestRatio     float64 `json:"ingest_to_baseline"`
	LatencyP50MS    float64 `json:"prompt_latency_p50_ms"`
	LatencyP99MS    float64 `json:"prompt_latency_p99_ms"`
	LatencyMaxMS    float64 `json:"prompt_latency_max_ms"`
	PreloadedTicket int     `json:"preloaded_tickets"`
	PreloadSeconds  float64 `json:"preload_seconds"`
	LookupTickets   float64 `json:"tickets_per_lookup"`
	LookupP50MS     float64 `json:"ticket_lookup_p50_ms"`
	LookupP99MS     float64 `json:"ticket_lookup_p99_ms"`
	PeakRSSMB       float64 `json:"peak_rss_mb"` // -1 when the system does not tell
	PeakRSSNote     string  `json:"peak_rss_note"`
	// FakeServersMB is the live heap the fake VK and Telegram held at the end (every pushed
	// event, every message sent): part of the peak RSS that a real deployment does not have.
	FakeServersMB float64 `json:"fake_servers_heap_mb"`
	// GoSysMB is what the Go runtime holds from the system once every prompt arrived; the
	// rest of the RSS is SQLite's own allocations and the binary.
	GoSysMB   float64 `json:"go_runtime_sys_mb"`
	DBBytes   int64   `json:"database_bytes"`
	Cores     int     `json:"cores"`
	CPU       string  `json:"cpu"`
	GoVersion string  `json:"go_version"`
}

// cmdBench runs the real daemon in-process against the fake VK and Telegram, feeds it a
// realistic stream of events and prints what it sustained.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o benchOptions
	fs.IntVar(&o.Events, "events", 20000, "events to feed through VK's long poll")
	fs.IntVar(&o.Communities, "communities", 10, "communities watched")
	fs.Float64Var(&o.BansShare, "bans-share", 0.1, "share of the events that are bans by configured operators (0..1)")
	fs.StringVar(&o.Dir, "dir", "", "keep the bench's config and databases in this folder instead of a temporary one")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON")
	fs.IntVar(&o.Rate, "rate", 0, "push at most this many events per second; 0 pushes as fast as possible")
	fs.IntVar(&o.PreloadTickets, "preload-tickets", 0, "store this many customers' tickets before the daemon starts")
	fs.IntVar(&o.Lookups, "lookups", 2000, "ticket lookups (a customer's tickets, as a ban's prompt shows them) to time")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.StringVar(&o.LogLevel, "log-level", "info", "the daemon's log level; its log is discarded, but still written")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the feeding phase to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile, taken once every prompt arrived, to this file")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the event mix")
	fs.BoolVar(&o.Pace, "pace", false, "pace the bot within Telegram's rate limits, as in production (latency then includes the pacing)")
	fs.IntVar(&o.GroupAfter, "group-after", 0, "batch an operator's wave past this many actions, as justify.group_after; 0 prompts each ban")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := runBench(ctx, o, io.Discard)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printBench(stdout, res)
	return nil
}

func (o *benchOptions) validate() error {
	switch {
	case o.Events < 1:
		return fmt.Errorf("bench: --events %d: need at least one event", o.Events)
	case o.Communities < 1:
		return fmt.Errorf("bench: --communities %d: need at least one community", o.Communities)
	case o.BansShare < 0 || o.BansShare > 1 || math.IsNaN(o.BansShare):
		return fmt.Errorf("bench: --bans-share %v: must be between 0 and 1", o.BansShare)
	case o.Rate < 0:
		return fmt.Errorf("bench: --rate %d: must be 0 (no limit) or positive", o.Rate)
	case o.GroupAfter < 0:
		return fmt.Errorf("bench: --group-after %d: must be 0 (off) or more", o.GroupAfter)
	case o.PreloadTickets < 0:
		return fmt.Errorf("bench: --preload-tickets %d: must not be negative", o.PreloadTickets)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	return nil
}

// bench is one run: the fake servers, the running daemon and what was observed.
type bench struct {
	o     benchOptions
	vk    *vktest.Server
	tg    *telegramtest.Server
	dm    *daemon
	dbPth string
	res   benchResult

	mu       sync.Mutex
	banAt    map[int64]time.Time // pushed ban → when the fake VK got it
	latency  []time.Duration
	prompted map[int64]bool
	promptCh chan struct{} // gets a value whenever a prompt arrives
}

// runBench runs the whole bench and returns what it measured. logOut receives the
// daemon's log.
func runBench(ctx context.Context, o benchOptions, logOut io.Writer) (benchResult, error) {
	if err := o.validate(); err != nil {
		return benchResult{}, err
	}
	ctx, cancelAll := context.WithTimeout(ctx, o.Timeout)
	defer cancelAll()
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "modwatch-bench-")
		if err != nil {
			return benchResult{}, fmt.Errorf("make bench folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return benchResult{}, fmt.Errorf("make bench folder: %w", err)
	}
	b := &bench{
		o: o, vk: vktest.New(), tg: telegramtest.New(benchBotToken), dbPth: filepath.Join(dir, "modwatch.db"),
		banAt: map[int64]time.Time{}, prompted: map[int64]bool{}, promptCh: make(chan struct{}, 1),
	}
	defer func() {
		if b.vk != nil {
			b.vk.Close()
			b.tg.Close()
		}
	}()
	b.res.Events, b.res.Communities, b.res.BansShare, b.res.Rate = o.Events, o.Communities, o.BansShare, o.Rate
	b.res.Pace, b.res.GroupAfter = o.Pace, o.GroupAfter
	b.res.Cores, b.res.CPU, b.res.GoVersion = runtime.NumCPU(), cpuModel(), runtime.Version()

	// Every event stays available to the long poll: a daemon that falls behind a burst must
	// be measured as slow, not as losing events the fake VK threw away.
	b.vk.SetRetention(0)
	env := map[string]string{"BENCH_TELEGRAM_TOKEN": benchBotToken}
	for g := int64(1); g <= int64(o.Communities); g++ {
		tok := fmt.Sprintf("bench-community-token-%d", g)
		b.vk.AddGroup(g, tok)
		env[fmt.Sprintf("BENCH_VK_%d", g)] = tok
	}
	for _, id := range b.people() {
		b.tg.AddUser(id, fmt.Sprintf("Person%d", id))
	}
	b.tg.Observe = b.observe

	if o.PreloadTickets > 0 {
		start := time.Now()
		if err := preloadTickets(ctx, b.dbPth, o.PreloadTickets, o.Communities); err != nil {
			return b.res, err
		}
		b.res.PreloadedTicket, b.res.PreloadSeconds = o.PreloadTickets, time.Since(start).Seconds()
	}
	// The peak RSS is the daemon's, with its database and the fake servers, not the
	// preload's: the kernel lets a process reset its own high-water mark.
	runtime.GC()
	debug.FreeOSMemory()
	rssReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil

	cfgPath := filepath.Join(dir, "modwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(b.config()), 0o600); err != nil {
		return b.res, fmt.Errorf("write bench config: %w", err)
	}
	cfg, secrets, err := configs.Load(cfgPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return b.res, fmt.Errorf("load bench config: %w", err)
	}
	log, err := newLogger(cfg.Log, logOut)
	if err != nil {
		return b.res, err
	}
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan *daemon, 1)
	done := make(chan error, 1)
	go func() { done <- runDaemon(dctx, cfg, secrets, log, daemonHooks{Ready: func(d *daemon) { ready <- d }}) }()
	select {
	case b.dm = <-ready:
	case err := <-done:
		return b.res, fmt.Errorf("daemon did not start: %w", err)
	case <-ctx.Done():
		return b.res, fmt.Errorf("daemon did not start: %w", ctx.Err())
	}
	stopDaemon := func() error {
		stop()
		return <-done
	}
	runErr := b.measure(ctx)
	if err := stopDaemon(); err != nil && runErr == nil {
		runErr = fmt.Errorf("daemon: %w", err)
	}
	if runErr != nil {
		return b.res, runErr
	}
	b.res.PeakRSSMB, b.res.PeakRSSNote = peakRSS(rssReset)
	b.res.FakeServersMB = b.dropFakeServers()
	for _, p := range []string{b.dbPth, b.dbPth + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			b.res.DBBytes += fi.Size()
		}
	}
	if err := b.baseline(ctx, filepath.Join(dir, "baseline.db")); err != nil {
		return b.res, err
	}
	if b.res.BaselinePerSec > 0 {
		b.res.IngestRatio = b.res.IngestPerSec / b.res.BaselinePerSec
	}
	return b.res, nil
}

// measure runs the phases against the started daemon.
func (b *bench) measure(ctx context.Context) error {
	for _, id := range b.people() {
		if err := b.pressStart(ctx, id); err != nil {
			return err
		}
	}
	if b.o.CPUProfile != "" {
		f, err := os.Create(b.o.CPUProfile)
		if err != nil {
			return fmt.Errorf("create cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start cpu profile: %w", err)
		}
	}
	start := time.Now()
	pushErr := b.feed(ctx)
	if pushErr == nil {
		pushErr = b.waitIngested(ctx)
	}
	elapsed := time.Since(start)
	if b.o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if pushErr != nil {
		return pushErr
	}
	b.res.IngestSeconds = elapsed.Seconds()
	b.res.IngestPerSec = float64(b.o.Events) / elapsed.Seconds()
	if err := b.waitPrompts(ctx); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.res.GoSysMB = float64(ms.Sys) / (1 << 20)
	if b.o.MemProfile != "" {
		if err := writeHeapProfile(b.o.MemProfile); err != nil {
			return err
		}
	}
	if err := b.count(ctx); err != nil {
		return err
	}
	b.res.RecordedPerSec = float64(b.res.Recorded) / elapsed.Seconds()
	b.mu.Lock()
	lat := slices.Clone(b.latency)
	b.mu.Unlock()
	b.res.LatencyP50MS, b.res.LatencyP99MS, b.res.LatencyMaxMS = percentiles(lat)
	return b.lookups(ctx)
}

func (b *bench) people() []int64 {
	ids := []int64{benchManagerTG, benchOwnerTG}
	for i := range benchOperators {
		ids = append(ids, benchOperatorTG+int64(i))
	}
	return ids
}

func (b *bench) config() string {
	var s strings.Builder
	fmt.Fprintf(&s, benchConfigHead, b.dbPth, b.vk.URL())
	for g := 1; g <= b.o.Communities; g++ {
		fmt.Fprintf(&s, "    - {group_id: %d, name: \"Brand %d\", token_env: BENCH_VK_%d}\n", g, g, g)
	}
	fmt.Fprintf(&s, benchConfigTail, b.tg.URL(), b.o.Pace, b.o.GroupAfter, b.o.LogLevel)
	for i := range benchOperators {
		fmt.Fprintf(&s, "  - {name: Operator %d, role: operator, vk_id: %d, telegram_id: %d}\n", i+1, benchOperatorVK+i, benchOperatorTG+i)
	}
	fmt.Fprintf(&s, "  - {name: Manager, role: manager, telegram_id: %d}\n", benchManagerTG)
	fmt.Fprintf(&s, "  - {name: Owner, role: owner, telegram_id: %d}\n", benchOwnerTG)
	return s.String()
}

// pressStart has a person open the bot, as everyone must before it can write to them.
func (b *bench) pressStart(ctx context.Context, id int64) error {
	b.tg.SendText(id, "/start")
	return waitUntil(ctx, 30*time.Second, fmt.Sprintf("the greeting of %d", id), func() bool {
		for _, m := range b.tg.Messages(id) {
			if m.FromBot {
				return true
			}
		}
		return false
	})
}

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
		select {
		case b.promptCh <- struct{}{}:
		default:
		}
	}
}

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

// feed pushes the event stream into the fake VK: customers' comments, the community's
// replies, operators' deletions and bans, in a seeded random order.
func (b *bench) feed(ctx context.Context) error {
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
	start := time.Now()
	nextBanned := int64(benchBannedBase)
	for i, kind := range kinds {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("feed events: %w", err)
		}
		if o.Rate > 0 {
			if ahead := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(o.Rate))); ahead > time.Millisecond {
				time.Sleep(ahead)
			}
		}
		g := int64(i%o.Communities) + 1
		gs := &groups[g]
		if (kind == 'r' || kind == 'd') && len(gs.comments) == 0 {
			kind = 'c'
		}
		var raw []byte
		switch kind {
		case 'b':
			user := nextBanned
			nextBanned++
			admin := int64(benchOperatorVK + rng.IntN(benchOperators))
			b.mu.Lock()
			b.banAt[user] = time.Now()
			b.mu.Unlock()
			b.vk.Ban(g, admin, user, int(justify.BanSpam)+rng.IntN(4), "ссылки на сторонние магазины", 0)
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
		b.vk.PushRaw(g, raw)
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
		ts, err := b.dm.service.Cursor(ctx, vk.CursorKey(g))
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
	kinds, err := b.dm.db.EventCounts(ctx)
	if err != nil {
		return err
	}
	events := 0
	for _, n := range kinds {
		events += n
	}
	tickets, err := b.dm.db.CountTickets(ctx)
	if err != nil {
		return err
	}
	b.res.Recorded, b.res.TicketsStored = events, tickets
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
		ev, err := b.dm.service.Evidence(ctx, c)
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

func preloadGroup(author int64, communities int) int64 { return 1 + author%int64(communities) }

// preloadTickets stores n customers' tickets through the store, as years of comments
// would have left them: benchPreloadAuthor per author, half of them answered.
func preloadTickets(ctx context.Context, path string, n, communities int) error {
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
				if i%2 == 0 {
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
	return db.Close()
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

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create heap profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("write heap profile: %w", err)
	}
	return f.Close()
}

// dropFakeServers closes the fake servers and returns how much live heap they held, so the
// peak RSS can be read net of what only the bench needs.
func (b *bench) dropFakeServers() float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.vk.Close()
	b.tg.Close()
	b.tg.Observe = nil
	b.vk, b.tg, b.dm = nil, nil, nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc >= before.HeapAlloc {
		return 0
	}
	return float64(before.HeapAlloc-after.HeapAlloc) / (1 << 20)
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

// peakRSS reads the process's resident high-water mark, which Linux alone reports.
func peakRSS(wasReset bool) (float64, string) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1, "n/a on this system"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				break
			}
			note := "whole process: daemon, fake VK and Telegram servers, the bench"
			if !wasReset {
				note += "; not reset after the preload"
			}
			return kb / 1024, note
		}
	}
	return -1, "n/a on this system"
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// waitUntil polls cond until it holds.
func waitUntil(ctx context.Context, limit time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func printBench(w io.Writer, r benchResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	row("machine", "%s, %d cores, %s", r.CPU, r.Cores, r.GoVersion)
	row("workload", "%d events in %d communities: %d comments, %d replies, %d deletions, %d bans",
		r.Events, r.Communities, r.Pushed.Comments, r.Pushed.Replies, r.Pushed.Deletions, r.Pushed.Bans)
	if r.Rate > 0 {
		row("push rate limit", "%d events/s", r.Rate)
	}
	row("bot", "paced to Telegram's limits: %t; waves batched after: %d (0 = off)", r.Pace, r.GroupAfter)
	row("recorded", "%d events (%d of the pushed are of types this build records), %d tickets", r.Recorded, r.Decodable, r.TicketsStored)
	row("ingest", "%.0f events/s (%.2f s from first push to last commit; %.0f recorded/s)", r.IngestPerSec, r.IngestSeconds, r.RecordedPerSec)
	row("baseline", "%.0f rows/s (plain SQLite insert, 1000 rows a transaction)", r.BaselinePerSec)
	row("ingest / baseline", "%.2f", r.IngestRatio)
	row("prompts", "%d of %d bans", r.Prompts, r.Pushed.Bans)
	row("event→prompt p50", "%.1f ms", r.LatencyP50MS)
	row("event→prompt p99", "%.1f ms", r.LatencyP99MS)
	row("event→prompt max", "%.1f ms", r.LatencyMaxMS)
	if r.PreloadedTicket > 0 {
		row("preloaded tickets", "%d (%.1f s)", r.PreloadedTicket, r.PreloadSeconds)
	}
	row("ticket lookup p50", "%.3f ms (%.1f tickets a customer on average)", r.LookupP50MS, r.LookupTickets)
	row("ticket lookup p99", "%.3f ms", r.LookupP99MS)
	if r.PeakRSSMB < 0 {
		row("peak RSS", "n/a")
	} else {
		row("peak RSS", "%.1f MB (%s)", r.PeakRSSMB, r.PeakRSSNote)
		row("fake servers' heap", "%.1f MB of it at the end (every pushed event and sent message)", r.FakeServersMB)
		row("Go runtime", "%.1f MB from the system after the prompts (the rest is SQLite's and the binary's)", r.GoSysMB)
	}
	row("database size", "%.1f MB", float64(r.DBBytes)/(1<<20))
	_ = tw.Flush()
}
