package loadrun

import (
	"fmt"
	"math"
	"time"
)

// Options are what a load run does: `modwatch bench`'s flags but --json. A zero Timeout or
// LogLevel takes the flag's default.
type Options struct {
	Events         int
	Communities    int
	BansShare      float64
	Dir            string
	Rate           int // events pushed per second; 0 pushes as fast as the fake VK takes them
	PreloadTickets int
	// PreloadAnswered is the share of preloaded tickets that were answered (0.5 when zero
	// is given through Options; the flag's default); the others wait, and a report reads
	// every waiting ticket.
	PreloadAnswered float64
	// PreloadMessages community messages are stored through the domain before the daemon
	// starts, over the sixty days before the run, and a 30-day report is timed at the end.
	PreloadMessages int
	Lookups         int
	Timeout         time.Duration
	LogLevel        string
	CPUProfile      string
	MemProfile      string
	Seed            uint64
	// Pace keeps the bot within Telegram's rate limits, as in production; off by default so
	// that the latency measured is modwatch's own, not Telegram's one message a second a chat.
	Pace bool
	// GroupAfter turns an operator's wave into one batch prompt past this many actions; 0
	// (the default here) prompts every ban on its own, so that every ban has a latency.
	GroupAfter int
	// Binary, when set, is a modwatch executable started as `modwatch run --config` in a
	// process of its own, so that its memory and CPU are the daemon's alone; the fake
	// servers stay in this process. Empty runs the daemon in this process.
	Binary string
	// Idle is how long to watch the separate daemon do nothing once the run is over: its
	// CPU, goroutines and connections when every community is quiet. It needs Binary.
	Idle time.Duration
}

func (o *Options) validate() error {
	switch {
	case o.Events < 0 || o.Events == 0 && o.Idle == 0:
		return fmt.Errorf("bench: --events %d: need at least one event (or none, with --idle)", o.Events)
	case o.Idle < 0:
		return fmt.Errorf("bench: --idle %s: must not be negative", o.Idle)
	case o.Idle > 0 && o.Binary == "":
		return fmt.Errorf("bench: --idle %s: needs the daemon in a process of its own (--process)", o.Idle)
	case o.Communities < 1:
		return fmt.Errorf("bench: --communities %d: need at least one community", o.Communities)
	case o.BansShare < 0 || o.BansShare > 1 || math.IsNaN(o.BansShare):
		return fmt.Errorf("bench: --bans-share %v: must be between 0 and 1", o.BansShare)
	case o.Rate < 0:
		return fmt.Errorf("bench: --rate %d: must be 0 (no limit) or positive", o.Rate)
	case o.GroupAfter < 0:
		return fmt.Errorf("bench: --group-after %d: must be 0 (off) or more", o.GroupAfter)
	case o.PreloadAnswered < 0 || o.PreloadAnswered > 1 || math.IsNaN(o.PreloadAnswered):
		return fmt.Errorf("bench: --preload-answered %v: must be between 0 and 1", o.PreloadAnswered)
	case o.PreloadTickets < 0:
		return fmt.Errorf("bench: --preload-tickets %d: must not be negative", o.PreloadTickets)
	case o.PreloadMessages < 0:
		return fmt.Errorf("bench: --preload-messages %d: must not be negative", o.PreloadMessages)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.PreloadAnswered == 0 {
		o.PreloadAnswered = 0.5
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	return nil
}

// Result is what one bench run measured. Durations are in milliseconds (or seconds where
// the name says so) so that the JSON needs no unit conversion by whoever reads it. A
// figure the run did not measure is -1: the daemon's own RSS without --process, idle
// figures without --idle, the first prompt of a run without bans.
type Result struct {
	Events      int     `json:"events"`
	Communities int     `json:"communities"`
	BansShare   float64 `json:"bans_share"`
	Rate        int     `json:"rate_limit_per_s"`
	Pace        bool    `json:"paced"`
	GroupAfter  int     `json:"group_after"`
	// Process says whether the daemon ran as a process of its own (--process).
	Process bool `json:"separate_process"`
	Pushed  struct {
		Comments  int `json:"comments"`
		Replies   int `json:"replies"`
		Deletions int `json:"deletions"`
		Bans      int `json:"bans"`
	} `json:"pushed"`
	// Decodable counts the pushed events this build's VK decoder turns into domain events:
	// the others (event types not handled yet) are read and skipped, never recorded.
	Decodable int `json:"decodable"`
	Recorded  int `json:"recorded"`
	// Tickets is how many tickets the database holds at the end, preloaded ones included.
	Tickets int `json:"tickets"`
	Prompts int `json:"prompts"`
	// IngestSeconds is from the first push until every community's saved position is VK's
	// newest: every answer is recorded, as it came, with its position (the inbox).
	IngestSeconds float64 `json:"ingest_seconds"`
	IngestPerSec  float64 `json:"ingest_events_per_second"`
	// DeriveSeconds is from the first push until the inbox is empty: every event is made
	// into its tickets, cases, dialogs and signs.
	DeriveSeconds float64 `json:"derive_seconds"`
	DerivedPerSec float64 `json:"derived_events_per_second"`
	// RecordedPerSec is the events recorded (derived, duplicates left out) per second of
	// DeriveSeconds.
	RecordedPerSec float64 `json:"recorded_events_per_second"`
	BaselinePerSec float64 `json:"baseline_rows_per_second"`
	IngestRatio    float64 `json:"ingest_ratio"`
	// FirstPromptMS is from the push of the run's first ban to the fake Telegram accepting
	// its prompt: what a prompt waits when it lands in front of a burst.
	FirstPromptMS   float64 `json:"first_prompt_ms"`
	LatencyP50MS    float64 `json:"prompt_p50_ms"`
	LatencyP99MS    float64 `json:"prompt_p99_ms"`
	LatencyMaxMS    float64 `json:"prompt_max_ms"`
	PreloadedTicket int     `json:"preloaded_tickets"`
	PreloadSeconds  float64 `json:"preload_seconds"`
	LookupTickets   float64 `json:"tickets_per_lookup"`
	LookupP50MS     float64 `json:"ticket_lookup_p50_ms"`
	LookupP99MS     float64 `json:"ticket_lookup_p99_ms"`
	// PreloadedMessages were stored through the domain in PreloadMessagesSec.
	PreloadedMessages  int     `json:"preloaded_messages"`
	PreloadMessagesSec float64 `json:"preload_messages_seconds"`
	PackSec            float64 `json:"pack_report_hours_seconds"`
	// ReportSeconds is the 30-day report of the run's end, as `modwatch report --since
	// 30d --format json` makes it: loaded (ReportLoadMS, both periods) and written as JSON
	// (ReportJSONMS). It counted ReportDialogs dialogs and listed ReportSigns signs.
	ReportSeconds float64 `json:"report_seconds"`
	ReportLoadMS  float64 `json:"report_30d_load_ms"`
	ReportJSONMS  float64 `json:"report_30d_json_ms"`
	ReportDialogs int     `json:"report_30d_dialogs"`
	ReportSigns   int     `json:"report_30d_signs"`
	// ProcessPeakRSSMB is this process's resident high-water mark: with the daemon
	// in-process, the daemon, the fake servers and the bench together; with --process, the
	// fake servers and the bench alone.
	ProcessPeakRSSMB float64 `json:"process_peak_rss_mb"`
	PeakRSSNote      string  `json:"peak_rss_note"`
	// DaemonPeakRSSMB is the separate daemon's own resident high-water mark (--process).
	DaemonPeakRSSMB float64 `json:"daemon_peak_rss_mb"`
	// FakeServersMB is the live heap the fake VK and Telegram held at the end (every pushed
	// event, every message sent): part of the peak RSS that a real deployment does not have.
	FakeServersMB float64 `json:"fake_servers_heap_mb"`
	// GoSysMB is what the in-process Go runtime holds from the system once every prompt
	// arrived; the rest of the RSS is SQLite's own allocations and the binary.
	GoSysMB float64 `json:"go_runtime_sys_mb"`
	// Idle is what the separate daemon cost while every community was quiet (--idle).
	Idle      IdleCost `json:"idle"`
	DBBytes   int64    `json:"database_bytes"`
	Cores     int      `json:"cores"`
	CPU       string   `json:"cpu"`
	GoVersion string   `json:"go_version"`
}

// IdleCost is a quiet daemon's cost, read from outside: /proc/PID/stat's user and system
// time over the window, the goroutines its /metrics reports, its open sockets.
type IdleCost struct {
	Seconds float64 `json:"seconds"`
	// CPUPercent is the share of one core used over the window (100 = a whole core).
	CPUPercent float64 `json:"cpu_percent_of_a_core"`
	// Goroutines is the most the daemon's /metrics reported during the window (go_goroutines).
	Goroutines int `json:"goroutines"`
	// Sockets is the most open sockets (/proc/PID/fd) seen: long polls, the bot's
	// connections, the health listener.
	Sockets int `json:"sockets"`
	// Threads is the most OS threads seen (/proc/PID/status).
	Threads int     `json:"threads"`
	RSSMB   float64 `json:"rss_mb"` // at the end of the window
}
