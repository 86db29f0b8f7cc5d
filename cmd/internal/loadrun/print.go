package loadrun

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Print writes r as the table `modwatch bench` prints.
func Print(w io.Writer, r Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	row("machine", "%s, %d cores, %s", r.CPU, r.Cores, r.GoVersion)
	row("workload", "%d events in %d communities: %d comments, %d replies, %d deletions, %d bans",
		r.Events, r.Communities, r.Pushed.Comments, r.Pushed.Replies, r.Pushed.Deletions, r.Pushed.Bans)
	if r.Rate > 0 {
		row("push rate limit", "%d events/s", r.Rate)
	}
	row("bot", "paced to Telegram's limits: %t; waves batched after: %d (0 = off)", r.Pace, r.GroupAfter)
	row("recorded", "%d events (%d of the pushed are of types this build records), %d tickets", r.Recorded, r.Decodable, r.Tickets)
	row("ingest", "%.0f events/s (%.2f s from the first push until every answer was recorded with its position)", r.IngestPerSec, r.IngestSeconds)
	row("derived", "%.0f events/s (%.2f s from the first push until the inbox was empty: tickets, cases, dialogs, signs)", r.DerivedPerSec, r.DeriveSeconds)
	row("baseline", "%.0f rows/s (plain SQLite insert, 1000 rows a transaction)", r.BaselinePerSec)
	row("ingest / baseline", "%.2f", r.IngestRatio)
	row("prompts", "%d of %d bans", r.Prompts, r.Pushed.Bans)
	if r.FirstPromptMS >= 0 {
		row("first prompt", "%.1f ms after its ban (the run's first)", r.FirstPromptMS)
	}
	row("event→prompt p50", "%.1f ms", r.LatencyP50MS)
	row("event→prompt p99", "%.1f ms", r.LatencyP99MS)
	row("event→prompt max", "%.1f ms", r.LatencyMaxMS)
	if r.PreloadedTicket > 0 {
		row("preloaded tickets", "%d (%.1f s)", r.PreloadedTicket, r.PreloadSeconds)
	}
	if r.PreloadedMessages > 0 {
		row("preloaded messages", "%d community messages over 60 days (%.1f s through the domain, %.1f s to pack the report hours)",
			r.PreloadedMessages, r.PreloadMessagesSec, r.PackSec)
	}
	row("30-day report", "%.3f s: %.0f ms to load (%d dialogs in it and the 30 days before, %d signs listed), %.0f ms to write as JSON",
		r.ReportSeconds, r.ReportLoadMS, r.ReportDialogs, r.ReportSigns, r.ReportJSONMS)
	row("ticket lookup p50", "%.3f ms (%.1f tickets a customer on average)", r.LookupP50MS, r.LookupTickets)
	row("ticket lookup p99", "%.3f ms", r.LookupP99MS)
	if r.DaemonPeakRSSMB >= 0 {
		row("daemon peak RSS", "%.1f MB (the daemon's own process)", r.DaemonPeakRSSMB)
	}
	if r.ProcessPeakRSSMB < 0 {
		row("peak RSS", "n/a")
	} else {
		row("peak RSS", "%.1f MB (%s)", r.ProcessPeakRSSMB, r.PeakRSSNote)
		row("fake servers' heap", "%.1f MB of it at the end (every pushed event and sent message)", r.FakeServersMB)
		if !r.Process {
			row("Go runtime", "%.1f MB from the system after the prompts (the rest is SQLite's and the binary's)", r.GoSysMB)
		}
	}
	if i := r.Idle; i.Seconds > 0 {
		row("idle", "%.2f%% of a core over %.0f s; at most %d goroutines, %d sockets, %d threads; RSS %.1f MB at the end",
			i.CPUPercent, i.Seconds, i.Goroutines, i.Sockets, i.Threads, i.RSSMB)
	}
	row("database size", "%.1f MB", float64(r.DBBytes)/(1<<20))
	_ = tw.Flush()
}
