package telegram

import (
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// alert renders an alert to managers and owners. It has no buttons: the case it names is
// one /case away.
func (r renderer) alert(a justify.Alert) view {
	var b strings.Builder
	title, ok := r.cat.alertTitles[a.Kind]
	if a.Kind == justify.AlertConfig {
		title, ok = configAlerts[r.cat].title, true
	}
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
	case justify.AlertUnreachable:
		fmt.Fprintf(&b, "%s: %s\n%s\n", r.cat.alertWho, who, r.cat.alertUnreachableHint)
	case justify.AlertConfig:
		// Detail is what `modwatch config check` says of the file, a problem a line.
		fmt.Fprintf(&b, "<pre>%s</pre>\n%s\n", esc(a.Detail, maxText), configAlerts[r.cat].hint)
	case justify.AlertQuarantined:
		// Subject is the event's type: what was lost, not who acted.
		fmt.Fprintf(&b, "%s: <code>%s</code> — %s\n<code>modwatch events quarantined</code>\n",
			r.cat.alertDetail, esc(a.Subject, maxName), esc(a.Detail, maxText))
	default:
		if who != "" {
			fmt.Fprintf(&b, "%s: %s\n", r.cat.alertWho, who)
		}
		if a.Detail != "" {
			fmt.Fprintf(&b, "%s: %s\n", r.cat.alertDetail, esc(a.Detail, maxText))
		}
	}
	// A wave's count is its size, said above; for the rest it counts repeats of the key.
	if a.Count > 1 && a.Kind != justify.AlertWave {
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

// configAlert is what the alert about a refused config says besides the problems.
type configAlert struct{ title, hint string }

// configAlerts are the refused config's alert texts of each catalog.
var configAlerts = map[*catalog]configAlert{
	&ru: {title: "🛠 <b>Новая конфигурация отклонена</b>",
		hint: "modwatch работает с прежней конфигурацией. Исправьте файл (<code>modwatch config check</code> проверит его) и перезагрузите снова."},
	&en: {title: "🛠 <b>The new config was refused</b>",
		hint: "modwatch goes on with the config in force. Fix the file (<code>modwatch config check</code> checks it) and reload again."},
}
