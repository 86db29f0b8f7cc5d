package loadrun

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// How often the idle window looks at the daemon. /proc costs the daemon nothing; a
// scrape of /metrics costs it a little CPU (a query of cases by state), so it is rarer.
const (
	idleProcEvery   = time.Second
	idleScrapeEvery = 30 * time.Second
)

// settle waits until the fake Telegram has had no new message for quiet (the prompts of
// deletions and the managers' alerts leave after the bans' prompts), at most limit.
func (b *bench) settle(ctx context.Context, quiet, limit time.Duration) error {
	count := func() int {
		n := 0
		for _, id := range b.people() {
			n += len(b.tg.Messages(id))
		}
		return n
	}
	last, since, deadline := count(), time.Now(), time.Now().Add(limit)
	for time.Since(since) < quiet && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the bot to fall quiet: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
		if n := count(); n != last {
			last, since = n, time.Now()
		}
	}
	return nil
}

// measureIdle watches the separate daemon for d while nothing happens: the CPU it used
// (user and system time from /proc), the most goroutines its /metrics reported, and the
// most sockets and threads it held.
func measureIdle(ctx context.Context, c *child, d time.Duration) (IdleCost, error) {
	var cost IdleCost
	pid := c.PID()
	look := func() {
		cost.Sockets = max(cost.Sockets, openSockets(pid))
		if v, ok := procStatus(fmt.Sprint(pid), "Threads", "VmRSS"); ok {
			cost.Threads = max(cost.Threads, int(v["Threads"]))
			cost.RSSMB = v["VmRSS"]
		}
	}
	scrape := func() error {
		n, err := goroutines(ctx, c.health)
		cost.Goroutines = max(cost.Goroutines, n)
		return err
	}
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return cost, err
	}
	start := time.Now()
	if err := scrape(); err != nil {
		return cost, err
	}
	procTick, scrapeTick := time.NewTicker(idleProcEvery), time.NewTicker(idleScrapeEvery)
	defer procTick.Stop()
	defer scrapeTick.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	look()
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			return cost, fmt.Errorf("measure the idle daemon: %w", ctx.Err())
		case <-c.exited:
			return cost, fmt.Errorf("the daemon exited while idle (%v)", c.waitErr)
		case <-procTick.C:
			look()
		case <-scrapeTick.C:
			if err := scrape(); err != nil {
				return cost, err
			}
		case <-end.C:
			waiting = false
		}
	}
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return cost, err
	}
	elapsed := time.Since(start).Seconds()
	look()
	if err := scrape(); err != nil {
		return cost, err
	}
	cost.Seconds = elapsed
	cost.CPUPercent = 100 * (cpu1 - cpu0) / elapsed
	return cost, nil
}

// goroutines reads go_goroutines from the daemon's /metrics.
func goroutines(ctx context.Context, addr string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, fmt.Errorf("ask the daemon's metrics: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("ask the daemon's metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("read go_goroutines %q: %w", v, err)
			}
			return int(n), nil
		}
	}
	return 0, fmt.Errorf("the daemon's /metrics has no go_goroutines (%s)", resp.Status)
}
