package justify

import "time"

// Settings are the Service's rules that come from the config: who is who, the watched
// communities, the deadlines and the thresholds. They may change while the service runs
// (the daemon reloads its config), so the service never reads them from its fields once it
// is running: each operation takes one snapshot (settings) and keeps to it, and Configure
// swaps the whole snapshot at once. A Settings value is never changed after it is handed
// over.
type Settings struct {
	People      *Directory
	Communities map[int64]Community
	// Deadline is how long an operator has to justify an action.
	Deadline time.Duration
	// RemindBefore is how long before the deadline the operator is reminded; 0 disables it.
	RemindBefore time.Duration
	// Wave is when one admin's bans or deletions become an alert; zero Count disables it.
	Wave WaveRule
	// AlertWindow groups repeated alerts of one key into one message; DefaultAlertWindow
	// when zero.
	AlertWindow time.Duration
	// SignsPerDay: more signs of shirking than this by one operator in one community in
	// one day are an alert (signsalert.go); 0 turns it off.
	SignsPerDay int
	// Location is the team's time zone: the day of an operator without shifts; UTC when nil.
	Location *time.Location
	// Grouping turns an operator's wave of bans or deletions into one batch prompt.
	Grouping GroupRule
	// AlertsChat is the team chat of alerts about no community in particular; unset, they
	// go privately (chats.go).
	AlertsChat Chat
	// ReversalTimeout is how long a case may stay reversing before SweepReversals settles
	// it; DefaultReversalTimeout when zero.
	ReversalTimeout time.Duration
	// Conversations builds dialogs and finds signs of shirking (conversations.go); nil
	// keeps no conversations.
	Conversations *Conversations
	// QA is when managers are sent dialogs to spot-check (qa.go); a zero Every sends no
	// rounds.
	QA QARule
}

// Configure replaces the service's settings from now on. An operation already running
// finishes with the settings it started with; the next one sees set. It is safe to call
// while the service runs.
func (s *Service) Configure(set Settings) {
	if set.People == nil {
		set.People = NewDirectory(nil)
	}
	s.live.Store(&set)
}

// Settings returns the settings in force.
func (s *Service) Settings() Settings { return *s.settings() }

// settings is the snapshot in force: the one last given to Configure, or, before any, the
// one the Service's fields were set to when it was built.
func (s *Service) settings() *Settings {
	if set := s.live.Load(); set != nil {
		return set
	}
	people := s.People
	if people == nil {
		people = NewDirectory(nil)
	}
	first := &Settings{People: people, Communities: s.Communities, Deadline: s.Deadline, RemindBefore: s.RemindBefore,
		Wave: s.Wave, AlertWindow: s.AlertWindow, Grouping: s.Grouping, AlertsChat: s.AlertsChat,
		ReversalTimeout: s.ReversalTimeout, Conversations: s.Conversations, SignsPerDay: s.SignsPerDay, Location: s.Location}
	// A Configure that came first wins: its snapshot is the newer one.
	if s.live.CompareAndSwap(nil, first) {
		return first
	}
	return s.live.Load()
}

// conversations are the conversation rules in force; nil when none are kept.
func (s *Service) conversations() *Conversations { return s.settings().Conversations }
