package vk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/SevereCloud/vksdk/v2/object"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

const (
	// DefaultPostCheckPace keeps the checker at one call a second, a third of what VK
	// allows a user token, which reversals share.
	DefaultPostCheckPace = time.Second
	// postBatch is wall.getById's largest batch.
	postBatch = 100
)

// ErrPostChecksOff means post checks cannot run for a community: wall.getById needs an
// admin's user token and none is configured.
var ErrPostChecksOff = errors.New("post checks are off")

// PostStore lists captured posts and records what became of them. justify.Service
// satisfies it.
type PostStore interface {
	Sink
	// PostsAfter lists a community's captured customer posts not known to be deleted, with a
	// ticket ID above afterID, by ID.
	PostsAfter(ctx context.Context, groupID, afterID int64, limit int) ([]justify.Ticket, error)
	// SaveCursor saves a position with no events: the end of a round that found nothing.
	SaveCursor(ctx context.Context, key, value string) error
}

var _ PostStore = (*justify.Service)(nil)

// PostCheckerConfig configures a PostChecker.
type PostCheckerConfig struct {
	GroupID int64
	// UserToken is an admin's user token: wall.getById refuses community tokens.
	UserToken string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// HTTPClient makes every request; a client with a timeout is made when nil.
	HTTPClient *http.Client
	// Every is the pause between rounds (config vk.post_check_every); required.
	Every time.Duration
	// Pace is the least pause between two wall.getById calls; DefaultPostCheckPace when zero.
	Pace time.Duration
	// Backoff paces retries after network, server and rate-limit failures; 1s..60s when zero.
	Backoff supervise.Backoff
	// AuthRetry is the pause after VK refuses the token; DefaultAuthRetry when zero.
	AuthRetry time.Duration
	// Now stamps vanished events; time.Now when nil.
	Now func() time.Time
	// OnTokenProblem is told when VK refuses the user token. Optional.
	OnTokenProblem TokenProblemFunc
	// Metrics counts every failed round by VK's error code; nil counts nothing.
	Metrics *Metrics
}

// PostChecker finds customers' wall posts that were deleted: VK sends no event for that, so
// it asks VK, in rounds, which of the captured posts still exist.
type PostChecker struct {
	cfg   PostCheckerConfig
	store PostStore
	vk    *api.VK
	log   zerolog.Logger
	key   string
	pace  *rate.Limiter // Pace, within the token's budget
}

// PostCursorKey is the store key of the post checker's position: the last ticket ID
// checked in the current round, "0" between rounds.
func PostCursorKey(groupID int64) string { return fmt.Sprintf("vk:%d:posts", groupID) }

// VanishedKey is the key of the event saying a captured post is gone.
func VanishedKey(groupID int64, ref justify.Ref) string {
	return fmt.Sprintf("vk:%d:vanished:%d_%d", groupID, ref.OwnerID, ref.ItemID)
}

// NewPostChecker checks cfg and prepares a checker; nothing is contacted until Run. Without
// a user token it returns an error wrapping ErrPostChecksOff, which the caller logs once.
func NewPostChecker(cfg PostCheckerConfig, store PostStore, log zerolog.Logger) (*PostChecker, error) {
	switch {
	case cfg.GroupID <= 0:
		return nil, fmt.Errorf("new vk post checker: group id %d is not positive", cfg.GroupID)
	case cfg.UserToken == "":
		return nil, fmt.Errorf("%w for community %d: deleted wall posts are only found with an admin's user token (%w)",
			ErrPostChecksOff, cfg.GroupID, ErrNoUserToken)
	case store == nil:
		return nil, fmt.Errorf("new vk post checker for group %d: no store", cfg.GroupID)
	case cfg.Every <= 0:
		return nil, fmt.Errorf("new vk post checker for group %d: interval %s is not positive", cfg.GroupID, cfg.Every)
	case cfg.Pace < 0:
		return nil, fmt.Errorf("new vk post checker for group %d: pace %s is negative", cfg.GroupID, cfg.Pace)
	}
	if cfg.Pace == 0 {
		cfg.Pace = DefaultPostCheckPace
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	vk := newClient(cfg.UserToken, cfg.APIURL, cfg.HTTPClient, api.LimitUserToken)
	return &PostChecker{
		cfg: cfg, store: store, vk: vk, key: PostCursorKey(cfg.GroupID), pace: rate.NewLimiter(rate.Every(cfg.Pace), 1),
		log: log.With().Str("component", "vk_posts").Int64("group_id", cfg.GroupID).Logger(),
	}, nil
}

// Run checks posts at once and then every Every until ctx ends; it returns nil then.
// Failures are logged and retried; a round that failed resumes where it stopped.
func (c *PostChecker) Run(ctx context.Context) error {
	loop := schedule{
		groupID: c.cfg.GroupID, every: c.cfg.Every, backoff: c.cfg.Backoff, authRetry: c.cfg.AuthRetry,
		onTokenProblem: c.cfg.OnTokenProblem, metrics: c.cfg.Metrics, log: c.log, what: "check posts",
	}
	loop.run(ctx, func(ctx context.Context) error {
		_, err := c.Round(ctx)
		return err
	})
	return nil
}

// Round checks every captured post once, from the saved position, and reports how many
// were found gone. Each batch's vanished events and position are saved together, so an
// interrupted round resumes without checking a batch twice or skipping one.
func (c *PostChecker) Round(ctx context.Context) (int, error) {
	cur, err := c.store.Cursor(ctx, c.key)
	if err != nil {
		return 0, fmt.Errorf("read cursor %s: %w", c.key, err)
	}
	after, _ := strconv.ParseInt(cur, 10, 64) // a missing or odd cursor starts a new round
	checked, vanished := 0, 0
	for {
		tickets, err := c.store.PostsAfter(ctx, c.cfg.GroupID, after, postBatch)
		if err != nil {
			return vanished, fmt.Errorf("list posts of group %d after ticket %d: %w", c.cfg.GroupID, after, err)
		}
		if len(tickets) == 0 {
			if after != 0 {
				if err := c.store.SaveCursor(ctx, c.key, "0"); err != nil {
					return vanished, fmt.Errorf("end round of post checks of group %d: %w", c.cfg.GroupID, err)
				}
			}
			break
		}
		gone, err := c.missing(ctx, tickets)
		if err != nil {
			return vanished, err
		}
		now := c.cfg.Now()
		evs := make([]justify.Event, 0, len(gone))
		for _, t := range gone {
			item := t.Ref
			item.GroupID = c.cfg.GroupID
			evs = append(evs, justify.Event{
				Key: VanishedKey(c.cfg.GroupID, item), GroupID: c.cfg.GroupID, Kind: justify.EventVanished,
				Item: item, UserVKID: t.AuthorVKID, UserName: t.AuthorName, At: now, Source: justify.SourceReconcile,
			})
		}
		after = tickets[len(tickets)-1].ID
		next := strconv.FormatInt(after, 10)
		last := len(tickets) < postBatch
		if last {
			next = "0"
		}
		res, err := c.store.Ingest(ctx, evs, c.key, next)
		if err != nil {
			return vanished, fmt.Errorf("record %d vanished posts of group %d: %w", len(evs), c.cfg.GroupID, err)
		}
		checked += len(tickets)
		vanished += res.New
		if last {
			break
		}
	}
	ev := c.log.Debug()
	if vanished > 0 {
		ev = c.log.Info()
	}
	ev.Int("checked", checked).Int("vanished", vanished).Msg("posts checked")
	return vanished, nil
}

// missing asks VK which of tickets' posts still exist and returns the others.
func (c *PostChecker) missing(ctx context.Context, tickets []justify.Ticket) ([]justify.Ticket, error) {
	ids := make([]string, len(tickets))
	for i, t := range tickets {
		ids[i] = fmt.Sprintf("%d_%d", t.Ref.OwnerID, t.Ref.ItemID)
	}
	posts, err := c.getByID(ctx, strings.Join(ids, ","))
	if err != nil {
		return nil, err
	}
	alive := make(map[[2]int64]bool, len(posts))
	for _, p := range posts {
		if !bool(p.IsDeleted) {
			alive[[2]int64{int64(p.OwnerID), int64(p.ID)}] = true
		}
	}
	var gone []justify.Ticket
	for _, t := range tickets {
		if !alive[[2]int64{t.Ref.OwnerID, t.Ref.ItemID}] {
			gone = append(gone, t)
		}
	}
	if len(gone) > 0 && len(gone) == len(tickets) {
		// VK answers "nothing" also when the token lost sight of the wall; make sure the wall
		// is readable before calling every post deleted, even a batch of one (a community
		// with a single captured post, or a round's last post).
		if err := c.probeWall(ctx); err != nil {
			return nil, err
		}
	}
	return gone, nil
}

// getByID calls wall.getById, paced, and accepts both answer shapes: a bare array (API
// versions before 5.137, which vksdk sends) and {"items": [...]} (later ones, and the schema).
func (c *PostChecker) getByID(ctx context.Context, posts string) ([]object.WallWallpost, error) {
	if err := c.pace.Wait(ctx); err != nil {
		return nil, fmt.Errorf("check posts of group %d: %w", c.cfg.GroupID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var raw json.RawMessage
	err := c.vk.RequestUnmarshal("wall.getById", &raw, api.Params{"posts": posts}.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("check posts of group %d: %w", c.cfg.GroupID, redact(err, c.cfg.UserToken))
	}
	var out []object.WallWallpost
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var wrapped struct {
			Items []object.WallWallpost `json:"items"`
		}
		err = json.Unmarshal(raw, &wrapped)
		out = wrapped.Items
	} else {
		err = json.Unmarshal(raw, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("check posts of group %d: decode wall.getById: %w", c.cfg.GroupID, err)
	}
	return out, nil
}

// probeWall fails when the token cannot read the community's wall.
func (c *PostChecker) probeWall(ctx context.Context) error {
	if err := c.pace.Wait(ctx); err != nil {
		return fmt.Errorf("check that the wall of group %d is readable: %w", c.cfg.GroupID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var raw json.RawMessage
	err := c.vk.RequestUnmarshal("wall.get", &raw, api.Params{"owner_id": -c.cfg.GroupID, "count": 1}.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("check that the wall of group %d is readable: %w", c.cfg.GroupID, redact(err, c.cfg.UserToken))
	}
	return nil
}
