// Package loadrun is `modwatch bench`: it runs the real daemon in-process against the fake
// VK and Telegram, feeds it a realistic stream of events and measures what it sustained:
// ingest rate against plain SQLite, event-to-prompt latency, ticket lookups and memory.
package loadrun

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/store"
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
%s  communities:
`

const benchConfigTail = `telegram:
  token_env: BENCH_TELEGRAM_TOKEN
  api_endpoint: %s
%s  pace: %t
justify:
  deadline: 2h
  remind_before: 30m
  check_every: 30s
  group_after: %d
log:
  level: %s
  format: json
%speople:
`

// bench is one run: the fake servers, the running daemon and what was observed.
type bench struct {
	o     Options
	cfg   *configs.Config
	vk    *vktest.Server
	tg    *telegramtest.Server
	dm    underLoad
	dbPth string
	res   Result
	// health is the separate daemon's health address, where its /metrics are.
	health string

	mu       sync.Mutex
	banAt    map[int64]time.Time // pushed ban → when the fake VK got it
	latency  []time.Duration
	firstBan int64 // the customer of the run's first ban, whose latency is first_prompt_ms
	prompted map[int64]bool
	promptCh chan struct{} // gets a value whenever a prompt arrives
}

// Run runs the whole bench and returns what it measured. logOut receives the
// daemon's log.
func Run(ctx context.Context, o Options, logOut io.Writer) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	ctx, cancelAll := context.WithTimeout(ctx, o.Timeout)
	defer cancelAll()
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "modwatch-bench-")
		if err != nil {
			return Result{}, fmt.Errorf("make bench folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("make bench folder: %w", err)
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
	b.res.FirstPromptMS, b.res.DaemonPeakRSSMB = -1, -1
	b.res.Idle = IdleCost{CPUPercent: -1, Goroutines: -1, Sockets: -1, Threads: -1, RSSMB: -1}
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
		if err := preloadTickets(ctx, b.dbPth, o.PreloadTickets, o.Communities, o.PreloadAnswered); err != nil {
			return b.res, err
		}
		b.res.PreloadedTicket, b.res.PreloadSeconds = o.PreloadTickets, time.Since(start).Seconds()
	}
	if o.Binary != "" {
		addr, err := freeAddr()
		if err != nil {
			return b.res, err
		}
		b.health, b.res.Process = addr, true
	}
	cfgPath := filepath.Join(dir, "modwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(b.config()), 0o600); err != nil {
		return b.res, fmt.Errorf("write bench config: %w", err)
	}
	cfg, secrets, err := configs.Load(cfgPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return b.res, fmt.Errorf("load bench config: %w", err)
	}
	b.cfg = cfg
	if o.PreloadMessages > 0 {
		if err := b.preloadMessages(ctx, secrets); err != nil {
			return b.res, err
		}
	}
	// The peak RSS is the daemon's, with its database and the fake servers, not the
	// preload's: the kernel lets a process reset its own high-water mark.
	runtime.GC()
	debug.FreeOSMemory()
	rssReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil

	if o.Binary != "" {
		c, err := startChild(ctx, o.Binary, dir, cfgPath, b.dbPth, b.health, env, o.Communities)
		if err != nil {
			return b.res, err
		}
		b.dm = c
	} else {
		log, err := daemon.NewLogger(cfg.Log, logOut)
		if err != nil {
			return b.res, err
		}
		dm, err := daemon.Start(ctx, cfg, secrets, log, daemon.Options{})
		if err != nil {
			return b.res, fmt.Errorf("daemon did not start: %w", err)
		}
		b.dm = dm
	}
	if ctx.Err() != nil {
		_ = b.dm.Stop() // the timeout is the error to report
		return b.res, fmt.Errorf("daemon did not start: %w", ctx.Err())
	}
	runErr := b.measure(ctx)
	if err := b.dm.Stop(); err != nil && runErr == nil {
		runErr = fmt.Errorf("daemon: %w", err)
	}
	if runErr != nil {
		return b.res, runErr
	}
	b.res.ProcessPeakRSSMB, b.res.PeakRSSNote = peakRSS(rssReset, o.Binary == "")
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
	if err := b.waitReconciled(ctx); err != nil {
		return err
	}
	stream := b.stream()
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
	pushErr := b.feed(ctx, stream)
	if pushErr == nil {
		pushErr = b.waitIngested(ctx)
	}
	elapsed := time.Since(start)
	if pushErr == nil {
		pushErr = b.waitDerived(ctx)
	}
	derived := time.Since(start)
	if pushErr == nil {
		pushErr = b.waitPrompts(ctx)
	}
	if b.o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if pushErr != nil {
		return pushErr
	}
	b.res.IngestSeconds = elapsed.Seconds()
	b.res.IngestPerSec = float64(b.o.Events) / elapsed.Seconds()
	b.res.DeriveSeconds = derived.Seconds()
	b.res.DerivedPerSec = float64(b.o.Events) / derived.Seconds()
	if _, ok := b.dm.(*child); !ok {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.res.GoSysMB = float64(ms.Sys) / (1 << 20)
	}
	if b.o.MemProfile != "" {
		if err := writeHeapProfile(b.o.MemProfile); err != nil {
			return err
		}
	}
	if err := b.count(ctx); err != nil {
		return err
	}
	b.res.RecordedPerSec = float64(b.res.Recorded) / derived.Seconds()
	b.mu.Lock()
	lat := slices.Clone(b.latency)
	b.mu.Unlock()
	b.res.LatencyP50MS, b.res.LatencyP99MS, b.res.LatencyMaxMS = percentiles(lat)
	if err := b.lookups(ctx); err != nil {
		return err
	}
	t, err := timeReport(ctx, b.dm.Store(), daemon.ReportOptions(b.cfg), time.Now())
	if err != nil {
		return err
	}
	b.res.ReportSeconds = (t.load + t.json).Seconds()
	b.res.ReportLoadMS, b.res.ReportJSONMS = millis(t.load), millis(t.json)
	b.res.ReportDialogs, b.res.ReportSigns = t.dialogs, t.signs
	c, ok := b.dm.(*child)
	if !ok {
		return nil
	}
	if b.o.Idle > 0 {
		if err := b.settle(ctx, 3*time.Second, time.Minute); err != nil {
			return err
		}
		if b.res.Idle, err = measureIdle(ctx, c, b.o.Idle); err != nil {
			return err
		}
	}
	// Read just before the daemon stops: the peak over the whole run, the idle window
	// included, since a quiet daemon must not creep up either.
	if v, ok := procStatus(fmt.Sprint(c.PID()), "VmHWM"); ok {
		b.res.DaemonPeakRSSMB = v["VmHWM"]
	}
	return nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// preloadMessages stores the run's community messages through the domain, with the
// config's rules, before the daemon starts.
func (b *bench) preloadMessages(ctx context.Context, secrets configs.Secrets) error {
	start := time.Now()
	db, err := store.Open(ctx, b.dbPth)
	if err != nil {
		return fmt.Errorf("open database to preload messages: %w", err)
	}
	defer db.Close()
	now := time.Now()
	svc := &justify.Service{Store: db, People: b.cfg.Directory(), Communities: b.cfg.Communities(secrets),
		Now: func() time.Time { return now }, Deadline: b.cfg.Justify.Deadline, Conversations: b.cfg.ConversationRules()}
	n, err := preloadConversations(ctx, svc, b.o.PreloadMessages, b.o.Communities, now, b.o.Seed)
	if err != nil {
		return err
	}
	b.res.PreloadedMessages, b.res.PreloadMessagesSec = n, time.Since(start).Seconds()
	// A daemon that has run packs each hour's figures as it goes: pack the sixty days at
	// once, so that the report is timed as it runs in the steady state.
	start = time.Now()
	if _, err := db.PackReportHours(ctx, math.MaxInt); err != nil {
		return err
	}
	b.res.PackSec = time.Since(start).Seconds()
	return db.Close()
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
	// Short waits let a load run stop quickly; an idle run keeps the defaults, which decide
	// how often a quiet daemon wakes.
	vkWait, tgWait, health := "  long_poll_wait: 5s\n", "  poll_timeout: 5s\n", ""
	if b.o.Idle > 0 {
		vkWait, tgWait = "", ""
	}
	if b.health != "" {
		health = fmt.Sprintf("health:\n  listen: %s\n", b.health)
	}
	fmt.Fprintf(&s, benchConfigHead, b.dbPth, b.vk.URL(), vkWait)
	for g := 1; g <= b.o.Communities; g++ {
		fmt.Fprintf(&s, "    - {group_id: %d, name: \"Brand %d\", token_env: BENCH_VK_%d}\n", g, g, g)
	}
	fmt.Fprintf(&s, benchConfigTail, b.tg.URL(), tgWait, b.o.Pace, b.o.GroupAfter, b.o.LogLevel, health)
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
