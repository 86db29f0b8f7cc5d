package telegram

import (
	"sync/atomic"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Settings are the bot's part of the config that may change while it runs (the daemon
// reloads its config): who is who, the communities' names, the time zone, the alert
// window and the source of /stats. Configure swaps them whole; a Settings value is never
// changed after it is handed over.
type Settings struct {
	People      *justify.Directory
	Communities map[int64]justify.Community
	// Location is the time zone times are shown in; time.Local when nil.
	Location *time.Location
	// AlertWindow is the service's alert grouping window, named in alerts that repeat;
	// justify.DefaultAlertWindow when zero.
	AlertWindow time.Duration
	// Stats answers /stats; nil makes /stats say that stats are not available.
	Stats StatsSource
}

// Configure replaces the bot's settings from now on: a message being rendered or a press
// being handled finishes with the settings it started with. It is safe to call while the
// bot runs. The language and the token are the bot's for life.
func (b *Bot) Configure(s Settings) {
	if s.People == nil {
		s.People = justify.NewDirectory(nil)
	}
	if s.Location == nil {
		s.Location = time.Local
	}
	if s.AlertWindow <= 0 {
		s.AlertWindow = justify.DefaultAlertWindow
	}
	b.r.cur.Store(&snapshot{set: s, r: renderer{cat: b.r.cat, team: b.r.team, qa: b.r.qa, loc: s.Location, communities: s.Communities,
		people: s.People, now: b.deps.Now, alertWindow: s.AlertWindow}})
}

// liveRenderer is the bot's texts: the catalog, fixed for the bot's life, and a renderer
// built from the settings in force. b.r.cat reads the catalog; b.r.get() the renderer.
type liveRenderer struct {
	cat  *catalog
	team *teamCatalog // texts of team chats and scopes, fixed like cat
	qa   *qaCatalog   // texts of spot checks (spotcheck.go), fixed like cat
	cur  atomic.Pointer[snapshot]
}

// snapshot is one Configure's settings and the renderer made of them.
type snapshot struct {
	set Settings
	r   renderer
}

// get returns the renderer of the settings in force.
func (l *liveRenderer) get() renderer { return l.cur.Load().r }

// people is the directory in force: the bot never reads deps.People, which holds the
// people it started with.
func (b *Bot) people() *justify.Directory { return b.r.cur.Load().set.People }

// statsSource is the /stats source in force, or nil.
func (b *Bot) statsSource() StatsSource { return b.r.cur.Load().set.Stats }
