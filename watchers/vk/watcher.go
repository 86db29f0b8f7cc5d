package vk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

// Defaults for WatcherConfig.
const (
	DefaultAuthRetry = 5 * time.Minute
	// apiTimeout bounds one API call; long polls get Wait plus pollSlack.
	apiTimeout = 30 * time.Second
	pollSlack  = 15 * time.Second
)

// Sink records events. justify.Service satisfies it.
type Sink interface {
	// Ingest records events and, in the same transaction, the cursor, so a saved cursor is
	// never ahead of what is recorded.
	Ingest(ctx context.Context, events []justify.Event, cursorKey, cursorValue string) (justify.IngestResult, error)
	// Cursor returns the saved cursor, "" when none.
	Cursor(ctx context.Context, key string) (string, error)
}

var _ Sink = (*justify.Service)(nil)

// PollSink is what the long-poll watcher records into: a Sink that also keeps the updates
// that could not be decoded, in the same transaction as the position that moves past them.
type PollSink interface {
	Sink
	// IngestPoll records one long-poll answer: its events, its undecodable updates and,
	// with the last of them, the position after it.
	IngestPoll(ctx context.Context, a justify.PollAnswer) (justify.IngestResult, error)
}

var _ PollSink = (*justify.Service)(nil)

// WatcherConfig configures a Watcher.
type WatcherConfig struct {
	GroupID int64
	// Token is the community token; it needs the manage right for Bots Long Poll.
	Token string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// Wait is how long VK may hold a long poll open, 1s..90s (config vk.long_poll_wait);
	// required.
	Wait time.Duration
	// HTTPClient makes the long polls; a client with a timeout of Wait plus a margin is made
	// when nil. API calls (groups.getLongPollServer, users.get) go through the token's shared
	// client instead, so that they count against the token's request budget.
	HTTPClient *http.Client
	// Backoff paces retries after network, server and rate-limit failures; 1s..60s when zero.
	Backoff supervise.Backoff
	// AuthRetry is the pause after VK refuses the token (revoked, missing right);
	// DefaultAuthRetry when zero.
	AuthRetry time.Duration
	// Now stamps events with their time of receipt; time.Now when nil.
	Now func() time.Time
	// OnHistoryLost is called when VK says events were lost (long poll failed 1 or 3), so a
	// reconciliation (groups.getBanned) can catch up. Optional; it must not block for long.
	OnHistoryLost func(ctx context.Context, groupID int64)
	// OnTokenProblem is told when VK refuses the token (errors 5, 7, 15, 27...), once per
	// outage and again only after the token worked or the error changed. Optional.
	OnTokenProblem TokenProblemFunc
	// OnPoll is told of every long poll VK answered, events or not, for health checks.
	// Optional; it must not block.
	OnPoll func(groupID int64)
	// Metrics counts every failed step by VK's error code; nil counts nothing.
	Metrics *Metrics
	// Answers, shared by the watchers of one daemon, bounds the long-poll answers read and
	// not recorded yet; nil bounds nothing.
	Answers AnswerSlots
}

// AnswerSlots bounds how many long-poll answers are read and held, decoded, until they
// are recorded, across the watchers that share it. A burst reaches every community's
// watcher at once: without a bound each would read and decode its whole answer, then wait
// in turn for the single writer, and the daemon would hold the burst in memory; with it,
// an answer waits unread in its connection until a slot frees, which is as soon as the
// answers before it are recorded.
type AnswerSlots chan struct{}

// NewAnswerSlots lets n answers be held at once.
func NewAnswerSlots(n int) AnswerSlots { return make(AnswerSlots, max(n, 1)) }

// take waits for a slot, or ctx's end.
func (s AnswerSlots) take(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// give frees a slot taken.
func (s AnswerSlots) give() {
	if s != nil {
		<-s
	}
}

// Watcher follows one community's Bots Long Poll and feeds its ban and unban events to a
// Sink. It owns the a_check loop so that the position only moves after events are recorded.
type Watcher struct {
	cfg    WatcherConfig
	sink   PollSink
	log    zerolog.Logger
	vk     *api.VK
	client *http.Client
	key    string // cursor key in the sink

	// Loop state, owned by Run.
	loaded  bool
	ts      string // the long-poll position to ask from next
	saved   string // the position last saved in the sink
	lpKey   string
	server  string
	pending *batch // decoded events the sink has not accepted yet
	holding bool   // the watcher holds one of cfg.Answers
}

type batch struct {
	events []justify.Event
	// quarantined are the updates that could not be decoded: kept with the batch, so the
	// position never moves past one that is not.
	quarantined []justify.Quarantined
	ts          string
}

// NewWatcher checks cfg and prepares a watcher; nothing is contacted until Run.
func NewWatcher(cfg WatcherConfig, sink PollSink, log zerolog.Logger) (*Watcher, error) {
	switch {
	case cfg.GroupID <= 0:
		return nil, fmt.Errorf("new vk watcher: group id %d is not positive", cfg.GroupID)
	case cfg.Token == "":
		return nil, fmt.Errorf("new vk watcher for group %d: no community token", cfg.GroupID)
	case sink == nil:
		return nil, fmt.Errorf("new vk watcher for group %d: no sink", cfg.GroupID)
	case cfg.Wait < time.Second || cfg.Wait > 90*time.Second:
		// VK counts wait in whole seconds: below one it answers at once and the loop spins.
		return nil, fmt.Errorf("new vk watcher for group %d: wait %s is outside 1s..90s", cfg.GroupID, cfg.Wait)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.Wait + pollSlack}
	}
	// Long polls go through client; API calls through the token's shared budget.
	vk := newClient(cfg.Token, cfg.APIURL, nil, api.LimitGroupToken)
	return &Watcher{
		cfg: cfg, sink: sink, vk: vk, client: client,
		key: CursorKey(cfg.GroupID),
		log: log.With().Str("component", "vk").Int64("group_id", cfg.GroupID).Logger(),
	}, nil
}

// CursorKey is the sink key under which a community's long-poll ts is saved.
func CursorKey(groupID int64) string { return fmt.Sprintf("vk:%d:ts", groupID) }

// Run follows the long poll until ctx ends, then returns nil. Failures are logged and
// retried, never returned: a revoked token is retried slowly so that fixing it in VK is
// enough. Run must not be called twice at once.
func (w *Watcher) Run(ctx context.Context) error {
	w.log.Info().Msg("watching")
	loop := schedule{
		groupID: w.cfg.GroupID, backoff: w.cfg.Backoff, authRetry: w.cfg.AuthRetry,
		onTokenProblem: w.cfg.OnTokenProblem, metrics: w.cfg.Metrics, log: w.log, what: "long poll",
	}
	loop.run(ctx, w.step)
	w.log.Info().Msg("stopped")
	return nil
}

// step makes one move: load the cursor, retry a pending batch, get a key, or poll once.
func (w *Watcher) step(ctx context.Context) error {
	defer w.release()
	if !w.loaded {
		ts, err := w.sink.Cursor(ctx, w.key)
		if err != nil {
			return fmt.Errorf("read cursor %s: %w", w.key, err)
		}
		w.ts, w.saved, w.loaded = ts, ts, true
		if ts != "" {
			w.log.Info().Str("ts", ts).Msg("resuming from saved position")
		}
	}
	if w.pending != nil {
		if err := w.ingest(ctx, *w.pending); err != nil {
			return err
		}
		w.pending = nil
		return nil // a step of its own, so the recovery is logged before the next long wait
	}
	if w.lpKey == "" {
		if err := w.connect(ctx); err != nil {
			return err
		}
	}
	resp, err := w.check(ctx)
	if err != nil {
		return err
	}
	if w.cfg.OnPoll != nil {
		w.cfg.OnPoll(w.cfg.GroupID)
	}
	switch resp.Failed {
	case 0:
	case 1:
		w.historyLost(ctx, "events expired before they were read", string(resp.Ts))
		w.ts = string(resp.Ts)
		return nil
	case 2:
		w.log.Debug().Msg("long poll key expired")
		w.lpKey = ""
		return nil
	case 3:
		w.historyLost(ctx, "long poll session lost", "")
		w.lpKey, w.ts = "", ""
		return nil
	default:
		w.lpKey = ""
		return fmt.Errorf("long poll of group %d: unknown failure code %d", w.cfg.GroupID, resp.Failed)
	}
	if resp.Ts == "" {
		return fmt.Errorf("long poll of group %d: answer without ts", w.cfg.GroupID)
	}
	b := batch{ts: string(resp.Ts)}
	b.events, b.quarantined = w.decodeAnswer(resp, positions(w.ts, string(resp.Ts), resp.updates()))
	if len(b.events) == 0 && len(b.quarantined) == 0 && b.ts == w.saved {
		w.ts = b.ts
		return nil
	}
	w.resolveNames(ctx, b.events)
	if err := w.ingest(ctx, b); err != nil {
		// Keep the batch: the next step offers it again before polling on, so a store
		// outage delays events but never drops them.
		w.pending = &b
		return err
	}
	return nil
}

// historyLost reports a gap in the event stream: bans made during it are only found by
// reconciliation, which OnHistoryLost triggers.
func (w *Watcher) historyLost(ctx context.Context, why, newTs string) {
	w.log.Warn().Str("from_ts", w.ts).Str("to_ts", newTs).Str("why", why).
		Msg("long poll history lost, events in between need reconciliation")
	if w.cfg.OnHistoryLost != nil {
		w.cfg.OnHistoryLost(ctx, w.cfg.GroupID)
	}
}

func (w *Watcher) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	srv, err := w.vk.GroupsGetLongPollServer(api.Params{"group_id": w.cfg.GroupID}.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("get long poll server of group %d: %w", w.cfg.GroupID, redact(err, w.cfg.Token))
	}
	if srv.Key == "" || srv.Server == "" {
		return fmt.Errorf("get long poll server of group %d: answer without key or server", w.cfg.GroupID)
	}
	w.lpKey, w.server = srv.Key, srv.Server
	if !strings.Contains(w.server, "://") {
		w.server = "https://" + w.server
	}
	if w.ts == "" {
		// Nothing saved: start from now, and save that position at once so that what happens
		// from here on is never skipped by a restart. Earlier bans are reconciliation's job.
		w.log.Info().Str("ts", srv.Ts).Msg("starting from the current position")
		return w.ingest(ctx, batch{ts: srv.Ts})
	}
	return nil
}

// errPollStatus marks a long-poll answer with a non-200 status.
var errPollStatus = errors.New("long poll http status")

func (w *Watcher) check(ctx context.Context) (pollAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Wait+pollSlack)
	defer cancel()
	q := url.Values{
		"act":  {"a_check"},
		"key":  {w.lpKey},
		"ts":   {w.ts},
		"wait": {strconv.Itoa(int(w.cfg.Wait / time.Second))},
	}
	sep := "?"
	if strings.Contains(w.server, "?") {
		sep = "&"
	}
	var out pollAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.server+sep+q.Encode(), nil)
	if err != nil {
		return out, fmt.Errorf("long poll of group %d: %w", w.cfg.GroupID, redact(err, w.lpKey, w.cfg.Token))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return out, fmt.Errorf("long poll of group %d: %w", w.cfg.GroupID, redact(err, w.lpKey, w.cfg.Token))
	}
	defer resp.Body.Close()
	// VK answered: the answer is read once a slot is free, and held until the step ends.
	if err := w.cfg.Answers.take(ctx); err != nil {
		return out, fmt.Errorf("long poll of group %d: wait to read the answer: %w", w.cfg.GroupID, err)
	}
	w.holding = true
	body, err := io.ReadAll(capAnswer(resp.Body, MaxAnswer))
	if err != nil {
		return out, fmt.Errorf("long poll of group %d: read answer: %w", w.cfg.GroupID, redact(err, w.lpKey, w.cfg.Token))
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("long poll of group %d: %w %d", w.cfg.GroupID, errPollStatus, resp.StatusCode)
	}
	if out, err = readAnswer(body); err != nil {
		return out, fmt.Errorf("long poll of group %d: decode answer: %w", w.cfg.GroupID, err)
	}
	return out, nil
}

// release gives back the answer slot the step took, if any.
func (w *Watcher) release() {
	if w.holding {
		w.holding = false
		w.cfg.Answers.give()
	}
}

// resolveNames fills in the names of banned users and of customers who wrote, with one
// users.get call. Names only make messages friendlier, so a failure is logged and the
// events go on without them.
func (w *Watcher) resolveNames(ctx context.Context, evs []justify.Event) {
	if len(evs) == 0 {
		return
	}
	seen := map[int64]bool{}
	var ids []string
	want := func(id int64) {
		// users.get takes at most 1000 ids; a bigger batch keeps the rest nameless.
		if id > 0 && !seen[id] && len(ids) < 1000 {
			seen[id] = true
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	for _, ev := range evs {
		want(ev.UserVKID)
		if ev.Ticket != nil && ev.Ticket.AuthorName == "" {
			want(ev.Ticket.AuthorVKID)
		}
	}
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	// Only the names are read: the SDK's UsersGet decodes each user into its full profile
	// type, a hundred fields, which made this call the watchers' largest allocation in a
	// burst (about 5 KB a user).
	var users []userName
	err := w.vk.RequestUnmarshal("users.get", &users, api.Params{"user_ids": strings.Join(ids, ",")}.WithContext(ctx))
	if err != nil {
		w.log.Warn().Err(redact(err, w.cfg.Token)).Int("users", len(ids)).Msg("could not resolve user names")
		return
	}
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = fullName(u.FirstName, u.LastName)
	}
	for i := range evs {
		if evs[i].UserName == "" {
			evs[i].UserName = names[evs[i].UserVKID]
		}
		if t := evs[i].Ticket; t != nil && t.AuthorName == "" {
			t.AuthorName = names[t.AuthorVKID]
		}
	}
}

// userName is what resolveNames reads of a users.get answer.
type userName struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func (w *Watcher) ingest(ctx context.Context, b batch) error {
	res, err := w.sink.IngestPoll(ctx, justify.PollAnswer{Events: b.events, Quarantined: b.quarantined, CursorKey: w.key, Cursor: b.ts})
	if err != nil {
		return fmt.Errorf("record %d events up to ts %s: %w", len(b.events), b.ts, err)
	}
	w.ts, w.saved = b.ts, b.ts
	w.cfg.Metrics.quarantined(w.cfg.GroupID, res.Quarantined)
	if len(b.events) > 0 || len(b.quarantined) > 0 {
		l := w.log.Info().Int("quarantined", res.Quarantined).Str("ts", b.ts)
		if res.Queued > 0 {
			// Kept as they came: the inbox derives them, and logs what they were.
			l = l.Int("queued", res.Queued)
		} else {
			l = l.Int("new", res.New).Int("duplicate", res.Duplicate).Int("invalid", res.Invalid).Int("history", res.History).
				Int("opened", len(res.Opened))
		}
		l.Msg("events recorded")
	}
	return nil
}
