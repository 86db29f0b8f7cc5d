package telegram

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// alert renders an alert to managers and owners. It has no buttons: the case it names is
// one /case away.
func (r renderer) alert(a justify.Alert) view {
	var b strings.Builder
	if a.Kind == justify.AlertSpotCheck {
		return r.uncoveredAlert(a) // spotcheck.go
	}
	if a.Kind == justify.AlertChatLost {
		r.chatLostAlert(&b, a) // teampress.go
		return view{text: strings.TrimRight(b.String(), "\n")}
	}
	title, ok := r.cat.alertTitles[a.Kind]
	if !ok {
		title = "⚠️ <b>" + esc(string(a.Kind), maxName) + "</b>"
	}
	b.WriteString(title + "\n")
	if a.GroupID != 0 {
		fmt.Fprintf(&b, "%s: %s\n", r.cat.alertCommunity, r.community(justify.Case{GroupID: a.GroupID}))
	}
	who := esc(a.Subject, maxName)
	if a.ActorVKID > 0 && (a.Subject == "" || a.Subject == fmt.Sprintf("vk%d", a.ActorVKID)) {
		who = vkAdmin(a.ActorVKID)
	}
	switch a.Kind {
	case justify.AlertWave:
		count := r.cat.waveDeletions
		if a.Detail == string(justify.EventBan) {
			count = r.cat.waveBans
		}
		fmt.Fprintf(&b, "%s: %s — %s\n", r.cat.alertWho, who, count(max(a.Count, 1)))
	case justify.AlertDeletedRequest:
		switch {
		case a.Vanished:
			b.WriteString(r.cat.vanished.severe + "\n" + r.cat.deletedVanished + "\n")
		case who == "":
			who = r.deleter(justify.Case{Kind: justify.EventDelete, ActorVKID: a.ActorVKID})
			fallthrough
		default:
			fmt.Fprintf(&b, "%s: %s\n", r.cat.deletedBy, who)
		}
		if a.Detail != "" {
			fmt.Fprintf(&b, "%s:\n<blockquote>%s</blockquote>\n", r.cat.text, esc(a.Detail, maxComment))
		}
	case justify.AlertUnreachable, justify.AlertUndelivered:
		fmt.Fprintf(&b, "%s: %s\n", r.cat.alertWho, who)
		if name, ok := r.cat.delivery.kinds[a.MessageKind]; ok {
			fmt.Fprintf(&b, "%s: %s\n", r.cat.delivery.message, name)
		}
		hint := r.cat.alertUnreachableHint
		if a.Kind == justify.AlertUndelivered {
			hint = r.cat.delivery.undeliveredHint
			if a.Detail != "" {
				hint += fmt.Sprintf("\n%s: %s", r.cat.delivery.telegramSaid, esc(a.Detail, maxNote))
			}
		}
		b.WriteString(hint + "\n")
	case justify.AlertSigns:
		r.signsAlert(&b, a, who)
	case justify.AlertConfig:
		// Detail is what `modwatch config check` says of the file, a problem a line.
		fmt.Fprintf(&b, "<pre>%s</pre>\n%s\n", esc(a.Detail, maxText), r.cat.alertConfigHint)
	case justify.AlertQuarantined:
		// Subject is the event's type: what was lost, not who acted.
		fmt.Fprintf(&b, "%s: <code>%s</code> — %s\n<code>modwatch events quarantined</code>\n",
			r.cat.alertDetail, esc(a.Subject, maxName), esc(a.Detail, maxText))
	case justify.AlertSetup:
		// Subject is what is missing, as VK or Telegram names it; Detail, how to fix it.
		fmt.Fprintf(&b, "<code>%s</code>: %s\n%s\n", esc(a.Subject, maxName), esc(a.Detail, maxText), r.cat.alertSetupHint)
	default:
		if who != "" {
			fmt.Fprintf(&b, "%s: %s\n", r.cat.alertWho, who)
		}
		if a.Detail != "" {
			fmt.Fprintf(&b, "%s: %s\n", r.cat.alertDetail, esc(a.Detail, maxText))
		}
	}
	// A wave's count is its size, said above, and so is a day's signs; for the rest it
	// counts repeats of the key.
	if a.Count > 1 && a.Kind != justify.AlertWave && a.Kind != justify.AlertSigns {
		b.WriteString(r.cat.repeated(a.Count, r.window()) + "\n")
	}
	if !a.At.IsZero() {
		fmt.Fprintf(&b, "%s: %s\n", r.cat.when, r.time(a.At))
	}
	if a.CaseID != 0 {
		fmt.Fprintf(&b, "%s: <code>/case %d</code>\n", r.cat.alertCase, a.CaseID)
	}
	return view{text: strings.TrimRight(b.String(), "\n")}
}

// window names the alert grouping window: "in the last hour", or "in the last 30 min".
func (r renderer) window() string {
	w := r.alertWindow
	if w <= 0 || w == time.Hour {
		return r.cat.lastHour
	}
	var d string
	switch {
	case w < time.Hour:
		d = r.cat.minutes(int(w / time.Minute))
	case w < 48*time.Hour:
		d = r.cat.hours(int(w / time.Hour))
	default:
		d = r.cat.days(int(w / (24 * time.Hour)))
	}
	return r.cat.within(d)
}

// signsAlert writes who piled up signs of shirking, how many of each kind that day, and
// the worst example with its link to VK.
func (r renderer) signsAlert(b *strings.Builder, a justify.Alert, who string) {
	total := 0
	var parts []string
	for _, k := range justify.SignKinds {
		if n := a.Signs[k]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", r.cat.signKinds[k], n))
		}
	}
	fmt.Fprintf(b, "%s: %s\n%s — %s\n", r.cat.alertWho, who, esc(r.cat.signsOfDay(a.Day, total), maxName),
		esc(strings.Join(parts, ", "), maxText))
	if a.Detail != "" || a.Link != "" {
		fmt.Fprintf(b, "%s (%s):", r.cat.signsWorst, esc(r.cat.signKinds[a.WorstKind], maxName))
		if a.Detail != "" {
			fmt.Fprintf(b, "\n<blockquote>%s</blockquote>", esc(a.Detail, maxComment))
		}
		if a.Link != "" {
			fmt.Fprintf(b, "\n%s", html.EscapeString(a.Link))
		}
		b.WriteString("\n")
	}
}
