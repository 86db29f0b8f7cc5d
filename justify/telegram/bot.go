// Package telegram is modwatch's Telegram bot: it delivers the outbox (prompts to
// operators, reviews to managers, outcomes) and turns people's button presses and replies
// into calls of the justify service.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// DefaultEndpoint is the real Bot API endpoint format.
const DefaultEndpoint = "https://api.telegram.org/bot%s/%s"

// OffsetCursor is the store cursor that keeps the next getUpdates offset.
const OffsetCursor = "telegram:offset"

// Config configures the bot. Zero fields take the defaults documented on each.
type Config struct {
	Token string
	// Endpoint is the Bot API endpoint format (token, method); DefaultEndpoint by default.
	Endpoint string
	// Lang is "ru" (default) or "en".
	Lang string
	// PollTimeout is the getUpdates long-poll timeout; 30s by default.
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
	// named in alerts that repeat ("3 times in the last hour"); 1h by default.
	AlertWindow time.Duration
	// Limits paces what the bot sends; TelegramLimits in production. The zero value does
	// not pace, for fake servers that do not limit.
	Limits Limits
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

	Batch(ctx context.Context, id justify.BatchID, names int) (justify.Batch, []justify.Case, error)
	JustifyBatch(ctx context.Context, tgID int64, id justify.BatchID, r justify.Reason, text string) (justify.Batch, error)
	AskBatchText(ctx context.Context, tgID int64, id justify.BatchID, r justify.Reason) error
	SplitBatch(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)
	ApproveBatch(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)
	ReviewBatchOneByOne(ctx context.Context, tgID int64, id justify.BatchID) (justify.Batch, error)
}

// StatsSource tells how the day goes so far, for /stats.
type StatsSource interface {
	// Today returns a ready Telegram HTML summary of today in lang ("ru" or "en").
	Today(ctx context.Context, lang string) (string, error)
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
}

// Bot is the Telegram adapter. Create it with New, then Run it.
type Bot struct {
	cfg    Config
	deps   Deps
	api    *tgbotapi.BotAPI
	client *ctxClient
	r      renderer
	log    zerolog.Logger
	wake   chan struct{}
	pace   *pacer

	mu      sync.Mutex
	refused map[int64]bool // strangers already told, so a stranger cannot make the bot chat
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
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.SendInterval <= 0 {
		cfg.SendInterval = time.Second
	}
	if cfg.AlertWindow <= 0 {
		cfg.AlertWindow = time.Hour
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
		cfg:    cfg,
		deps:   deps,
		client: &ctxClient{c: hc},
		r: renderer{cat: cat, loc: cfg.Location, communities: deps.Communities, people: deps.People,
			now: deps.Now, alertWindow: cfg.AlertWindow},
		log:     log.With().Str("component", "telegram").Logger(),
		wake:    make(chan struct{}, 1),
		pace:    newPacer(cfg.Limits),
		refused: map[int64]bool{},
	}
	registerToken(cfg.Token, b.log)
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, b.client)
	if err != nil {
		return nil, fmt.Errorf("connect to telegram: %w", b.redact(err))
	}
	b.api = api
	b.log = b.log.With().Str("bot", api.Self.UserName).Logger()
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

// Run sets the command menu, then receives updates and delivers the outbox until ctx ends.
// It returns nil on a clean stop.
func (b *Bot) Run(ctx context.Context) error {
	b.client.setContext(ctx)
	if err := b.setCommands(); err != nil {
		b.log.Warn().Err(err).Msg("set command menu")
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.pollLoop(ctx) }()
	go func() { defer wg.Done(); b.sendLoop(ctx) }()
	wg.Wait()
	return nil
}

func (b *Bot) setCommands() error {
	cfg := tgbotapi.NewSetMyCommands(
		tgbotapi.BotCommand{Command: "start", Description: b.r.cat.cmdStart},
		tgbotapi.BotCommand{Command: "help", Description: b.r.cat.cmdHelp},
		tgbotapi.BotCommand{Command: "pending", Description: b.r.cat.cmdPending},
		tgbotapi.BotCommand{Command: "case", Description: b.r.cat.cmdCase},
		tgbotapi.BotCommand{Command: "stats", Description: b.r.cat.cmdStats},
	)
	if _, err := b.api.Request(cfg); err != nil {
		return fmt.Errorf("set my commands: %w", b.redact(err))
	}
	return nil
}

// ctxClient ties every request to Run's context: the library has no context support, and
// without this a long poll would hold shutdown for up to PollTimeout.
type ctxClient struct {
	c   *http.Client
	ctx atomic.Pointer[context.Context]
}

func (c *ctxClient) setContext(ctx context.Context) { c.ctx.Store(&ctx) }

func (c *ctxClient) Do(req *http.Request) (*http.Response, error) {
	if ctx := c.ctx.Load(); ctx != nil {
		req = req.WithContext(*ctx)
	}
	return c.c.Do(req)
}

// redact removes the token from an error: the library's network errors carry the request
// URL, and the token is part of it.
func (b *Bot) redact(err error) error {
	return redactToken(err, b.cfg.Token)
}

const tokenMask = "<token>"

// redactedError keeps an error's meaning for classification while hiding the token.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactToken(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if inner != nil && strings.Contains(inner.Error(), token) {
			inner = errors.New(strings.ReplaceAll(inner.Error(), token, tokenMask))
		}
		return &redactedError{msg: strings.ReplaceAll(err.Error(), token, tokenMask), err: inner}
	}
	if strings.Contains(err.Error(), token) {
		return errors.New(strings.ReplaceAll(err.Error(), token, tokenMask))
	}
	return err
}

// The library logs through one global logger; every token any bot uses is masked there.
var libLog struct {
	sync.Mutex
	once   sync.Once
	tokens []string
	log    zerolog.Logger
}

func registerToken(token string, log zerolog.Logger) {
	libLog.Lock()
	libLog.tokens = append(libLog.tokens, token)
	libLog.log = log
	libLog.Unlock()
	libLog.once.Do(func() { _ = tgbotapi.SetLogger(redactingLogger{}) })
}

type redactingLogger struct{}

func (redactingLogger) Println(v ...any) { redactingLogger{}.write(fmt.Sprintln(v...)) }
func (redactingLogger) Printf(format string, v ...any) {
	redactingLogger{}.write(fmt.Sprintf(format, v...))
}

func (redactingLogger) write(s string) {
	libLog.Lock()
	defer libLog.Unlock()
	for _, t := range libLog.tokens {
		s = strings.ReplaceAll(s, t, tokenMask)
	}
	libLog.log.Debug().Str("library", "telegram-bot-api").Msg(strings.TrimSpace(s))
}
