package loadrun

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
)

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
