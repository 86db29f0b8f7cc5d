package loadrun

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
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

// procStatus reads fields of /proc/PID/status ("self" for this process): the kB ones
// (VmHWM, VmRSS) in MB, the others (Threads) as they are. ok is false where Linux's /proc
// is missing.
func procStatus(pid string, fields ...string) (values map[string]float64, ok bool) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return nil, false
	}
	defer f.Close()
	values = map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found || !slices.Contains(fields, k) {
			continue
		}
		v = strings.TrimSpace(v)
		kb := strings.HasSuffix(v, "kB")
		n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 64)
		if err != nil {
			continue
		}
		if kb {
			n /= 1024
		}
		values[k] = n
	}
	return values, len(values) > 0
}

// peakRSS reads this process's resident high-water mark, which Linux alone reports.
func peakRSS(wasReset, daemonInside bool) (float64, string) {
	v, ok := procStatus("self", "VmHWM")
	if !ok {
		return -1, "n/a on this system"
	}
	note := "whole process: daemon, fake VK and Telegram servers, the bench"
	if !daemonInside {
		note = "the bench's own process: fake VK and Telegram servers and the bench; the daemon ran apart"
	}
	if !wasReset {
		note += "; not reset after the preload"
	}
	return v["VmHWM"], note
}

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// architecture Go supports (sysconf would need cgo).
const clockTicks = 100

// cpuSeconds is the user and system time pid has used: /proc/PID/stat's utime and stime.
func cpuSeconds(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read the daemon's CPU time: %w", err)
	}
	// The command name, in parentheses, may hold spaces: count fields after its end.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("read the daemon's CPU time: unexpected /proc/%d/stat", pid)
	}
	// Fields 14 and 15 of stat(5); rest starts at field 3.
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("read the daemon's CPU time: %w", err)
	}
	return (utime + stime) / clockTicks, nil
}

// openSockets counts pid's open sockets: its connections and listeners.
func openSockets(pid int) int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range entries {
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
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
