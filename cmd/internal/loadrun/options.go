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
}

func (o *Options) validate() error {
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
	case o.PreloadMessages < 0:
		return fmt.Errorf("bench: --preload-messages %d: must not be negative", o.PreloadMessages)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	return nil
}

// Result is what one bench run measured. Durations are in milliseconds so that the
// JSON needs no unit conversion by whoever reads it.
type Result struct {
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
	// PreloadedMessages were stored through the domain in PreloadMessagesSec; the 30-day
	// report over them took ReportLoadMS to load (both periods) and ReportJSONMS to write
	// as JSON, and counted ReportDialogs dialogs and listed ReportSigns signs.
	PreloadedMessages  int     `json:"preloaded_messages"`
	PreloadMessagesSec float64 `json:"preload_messages_seconds"`
	PackSec            float64 `json:"pack_report_hours_seconds"`
	ReportLoadMS       float64 `json:"report_30d_load_ms"`
	ReportJSONMS       float64 `json:"report_30d_json_ms"`
	ReportDialogs      int     `json:"report_30d_dialogs"`
	ReportSigns        int     `json:"report_30d_signs"`
	PeakRSSMB          float64 `json:"peak_rss_mb"` // -1 when the system does not tell
	PeakRSSNote        string  `json:"peak_rss_note"`
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
