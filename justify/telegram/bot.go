// Package telegram is modwatch's Telegram bot: it delivers the outbox (prompts to
// operators, reviews to managers, outcomes) and turns people's button presses and replies
// into calls of the justify service.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

// DefaultEndpoint is the real Bot API endpoint format.
const DefaultEndpoint = "https://api.telegram.org/bot%s/%s"

// OffsetCursor is the store cursor that keeps the next getUpdates offset.
const OffsetCursor = "telegram:offset"

// Config configures the bot. Token and PollTimeout are required; other zero fields take the
// defaults documented on each.
type Config struct {
	Token string
	// Endpoint is the Bot API endpoint format (token, method); DefaultEndpoint by default.
	Endpoint string
	// Lang is "ru" (default) or "en".
	Lang string
	// PollTimeout is the getUpdates long-poll timeout (config telegram.poll_timeout).
	PollTimeout time.Duration
	// HTTPClient is used for every call; its timeout is raised above PollTimeout if needed.
	HTTPClient *http.Client
	// Location is the time zone times are shown in; time.Local by default.
	Location *time.Location
	// Team names the brand in the refusal shown to strangers; optional.
	Team string
	// SendInterval is how often the outbox is checked without a Wake; 1s by default.
	SendInterval time.Duration
	// AlertWindow is the service's alert grouping window (justify.Service.AlertWindow),
	// named in alerts that repeat ("3 times in the last hour"); justify.DefaultAlertWindow
	// by default.
	AlertWindow time.Duration
	// Limits paces what the bot sends; TelegramLimits in production. The zero value does
	// not pace, for fake servers that do not limit.
	Limits Limits
	// RememberStrangers bounds how many refused strangers the bot remembers, so as not to
	// answer them twice; DefaultRememberStrangers by default.
	RememberStrangers int
}

// Service is the part of *justify.Service the bot uses.
type Service interface {
	Justify(ctx context.Context, tgID int64, id justify.CaseID, r justify.Reason, text string) (justify.Case, error)
	AskText(ctx context.Context, tgID int64, id justify.CaseID, r justify.Reason) error
	Text(ctx context.Context, tgID int64, text string) (justify.Case, error)
	Approve(ctx context.Context, tgID int64, id justify.CaseID) (justify.Case, error)
	Reverse(ctx context.Context, tgID int64, id justify.CaseID) (justify.Case, error)
	Case(ctx context.Context, id justify.CaseID) (justify.Case, []justify.Decision, error)
	Evidence(ctx context.Context, c justify.Case) (justify.Evidence, error)
	Alert(ctx context.Context, a justify.Alert) error
	Delivered(ctx context.Context, d justify.Delivery) error
	SentAll(ctx context.Context, ds []justify.Delivery) ([]int64, error)
	ChatMoved(ctx context.Context, from, to int64) (bool, error)
	ChatLost(ctx context.Context, id int64, why string, asked time.Time) (bool, error)
	ChatBack(ctx context.Context, id int64) (bool, error)

	Batch(ctx context.Context, id justify.BatchID, names int) (justify.Batch, []justify.Case, error)
	JustifyBatch(ctx context.Context, tgID int64, id justify.BatchID, r justify.Reason, text string) (justify.Batch, error)
	AskBatchText(ctx context.Context, tgID int64, id justify.BatchID, r justify.Reason) error
	SplitBatch(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)
	ApproveBatch(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)
	ReviewBatchOneByOne(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)

	SpotCheckView(ctx context.Context, id justify.SpotCheckID) (justify.SpotCheckView, error)
	GradeSpotCheck(ctx context.Context, tgID int64, id justify.SpotCheckID, v justify.Verdict) (justify.SpotCheck, error)
	CommentSpotCheck(ctx context.Context, tgID, chat int64, msgID int, text string) (justify.SpotCheck, error)
	SpotCheckNow(ctx context.Context, tgID int64) (int, error)
}

// StatsSource tells how the day goes so far, for /stats.
type StatsSource interface {
	// Today returns a ready Telegram HTML summary of today in lang ("ru" or "en"), of the
	// communities of a person's scope (nil: all of them).
	Today(ctx context.Context, lang string, scope []int64) (string, error)
}

var _ Service = (*justify.Service)(nil)

// Deps are the bot's collaborators.
type Deps struct {
	Service     Service
	Cursors     Cursors // keeps the update offset (OffsetCursor) and digests' progress
	Cases       Cases   // lists the cases of /pending
	Outbox      Outbox
	Buttons     Buttons
	People      *justify.Directory
	Communities map[int64]justify.Community
	Now         func() time.Time
	// Stats answers /stats; nil makes /stats say that stats are not available.
	Stats StatsSource
	// Metrics counts deliveries; nil counts nothing.
	Metrics *Metrics
}

// Bot is the Telegram adapter. Create it with New, then Run it.
type Bot struct {
	cfg  Config
	deps Deps
	api  client
	r    liveRenderer // the texts, with the settings in force (Configure)
	log  zerolog.Logger
	base zerolog.Logger // as given to New, for the supervisor's lines, which name the component
	wake chan struct{}
	pace *pacer

	refused *strangers // strangers already told, so a stranger cannot make the bot chat
	// pollCtx is the update loop's context, for the answers sent from deep in its handlers
	// (reply, answer), which are not handed one: a stop cuts them short too.
	pollCtx atomic.Pointer[context.Context]
}

// New checks the token with getMe and returns a bot ready to Run.
func New(cfg Config, deps Deps, log zerolog.Logger) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("create telegram bot: no token")
	}
	if deps.Service == nil || deps.Cursors == nil || deps.Cases == nil || deps.Outbox == nil || deps.Buttons == nil || deps.People == nil {
		return nil, errors.New("create telegram bot: missing a dependency")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.Lang == "" {
		cfg.Lang = "ru"
	}
	cat, ok := catalogs[cfg.Lang]
	if !ok {
		return nil, fmt.Errorf("create telegram bot: language %q: want ru or en", cfg.Lang)
	}
	if cfg.PollTimeout <= 0 {
		return nil, fmt.Errorf("create telegram bot: poll timeout %s is not positive", cfg.PollTimeout)
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.SendInterval <= 0 {
		cfg.SendInterval = time.Second
	}
	if cfg.AlertWindow <= 0 {
		cfg.AlertWindow = justify.DefaultAlertWindow
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	// A long poll must end on Telegram's side before the client gives up on it.
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	if least := cfg.PollTimeout + 15*time.Second; hc.Timeout < least {
		hc.Timeout = least
	}
	b := &Bot{
		cfg:     cfg,
		deps:    deps,
		r:       liveRenderer{cat: cat, team: teamCatalogs[cfg.Lang], qa: qaCatalogs[cfg.Lang]},
		log:     log.With().Str("component", "telegram").Logger(),
		base:    log,
		wake:    make(chan struct{}, 1),
		pace:    newPacer(cfg.Limits),
		refused: newStrangers(cfg.RememberStrangers),
	}
	// Deps and Config hold the settings the bot starts with; from now on it reads them
	// only through Configure's snapshot.
	b.Configure(Settings{People: deps.People, Communities: deps.Communities, Location: cfg.Location,
		AlertWindow: cfg.AlertWindow, Stats: deps.Stats})
	api, name, err := newTGClient(cfg.Token, cfg.Endpoint, hc, b.log)
	if err != nil {
		return nil, fmt.Errorf("connect to telegram: %w", err)
	}
	b.api = api
	b.log = b.log.With().Str("bot", name).Logger()
	return b, nil
}

// SetLimits changes how the bot paces what it sends, from now on.
func (b *Bot) SetLimits(l Limits) { b.pace.set(l) }

// Wake makes the sender look at the outbox now, e.g. right after events were ingested.
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Components are the bot's long-lived runs, keyed by name, for a supervisor to run and
// restart: the send loop delivers the outbox; the update loop sets the command menu and
// answers what people do. Each returns once ctx ends. A panic in one is left to the
// supervisor, which restarts it while the other goes on.
func (b *Bot) Components() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"telegram-send":    b.sendLoop,
		"telegram-updates": b.pollLoop,
	}
}

// Run runs the bot's components under a supervisor of its own until ctx ends, for a caller
// that does not supervise them itself. It returns nil on a clean stop.
func (b *Bot) Run(ctx context.Context) error {
	supervise.Supervisor{}.RunAll(ctx, b.base, b.Components())
	return nil
}

func (b *Bot) setCommands(ctx context.Context) error {
	r := b.api.SetCommands(ctx, []command{
		{"start", b.r.cat.cmdStart},
		{"help", b.r.cat.cmdHelp},
		{"pending", b.r.cat.cmdPending},
		{"case", b.r.cat.cmdCase},
		{"stats", b.r.cat.cmdStats},
		{"qa", b.r.qa.cmdQA},
	})
	if err := r.err(); err != nil {
		return fmt.Errorf("set my commands: %w", err)
	}
	return nil
}

// handlerContext is the update loop's context, for calls made where none is passed down.
func (b *Bot) handlerContext() context.Context {
	if ctx := b.pollCtx.Load(); ctx != nil {
		return *ctx
	}
	return context.Background()
}

// redact removes the token from an error that may come from somewhere other than the
// client, which redacts its own.
func (b *Bot) redact(err error) error {
	return redactToken(err, b.cfg.Token)
}
