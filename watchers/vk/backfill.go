package vk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

const (
	// backfillMax is what wall.get and wall.getComments give at most in one call.
	backfillMax = 100
	// backfillAttempts bounds how often Run retries a backfill that failed.
	backfillAttempts = 5
	// threadItems asks wall.getComments for replies inside threads too (VK's maximum):
	// the community mostly answers there.
	threadItems = 10
)

// BackfillConfig configures a Backfiller.
type BackfillConfig struct {
	GroupID int64
	// UserToken is an admin's user token: wall.get and wall.getComments take a user or
	// service token, never a community token (error 27).
	UserToken string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// HTTPClient makes every request; a client with a timeout is made when nil.
	HTTPClient *http.Client
	// Posts is how many of the newest wall posts to read (config vk.backfill_posts), 1..100;
	// required.
	Posts int
	// Comments is how many comments per post to read (config vk.backfill_comments), 1..100;
	// required.
	Comments int
	// Pace is the least pause between two calls; DefaultPostCheckPace when zero.
	Pace time.Duration
	// Backoff paces Run's retries; 1s..60s when zero.
	Backoff supervise.Backoff
}

// Backfiller records what customers wrote on the wall before modwatch watched (or while it
// was down), so that deleting an old comment still shows its words and whether it was
// answered.
type Backfiller struct {
	cfg  BackfillConfig
	sink Sink
	vk   *api.VK
	log  zerolog.Logger
	pace *rate.Limiter // Pace, within the token's budget
}

// BackfillResult counts what a backfill read and recorded.
type BackfillResult struct {
	Posts, Comments int // read from VK
	New             int // events recorded for the first time
}

// NewBackfiller checks cfg and prepares a backfiller; nothing is contacted until Run.
// Without a user token it returns an error wrapping ErrNoUserToken.
func NewBackfiller(cfg BackfillConfig, sink Sink, log zerolog.Logger) (*Backfiller, error) {
	switch {
	case cfg.GroupID <= 0:
		return nil, fmt.Errorf("new vk backfill: group id %d is not positive", cfg.GroupID)
	case cfg.UserToken == "":
		return nil, fmt.Errorf("backfill of community %d is off: wall.get and wall.getComments need an admin's user token: %w",
			cfg.GroupID, ErrNoUserToken)
	case sink == nil:
		return nil, fmt.Errorf("new vk backfill for group %d: no sink", cfg.GroupID)
	case cfg.Posts < 1 || cfg.Posts > backfillMax:
		return nil, fmt.Errorf("new vk backfill for group %d: posts %d is outside 1..%d", cfg.GroupID, cfg.Posts, backfillMax)
	case cfg.Comments < 1 || cfg.Comments > backfillMax:
		return nil, fmt.Errorf("new vk backfill for group %d: comments %d is outside 1..%d", cfg.GroupID, cfg.Comments, backfillMax)
	case cfg.Pace < 0:
		return nil, fmt.Errorf("new vk backfill for group %d: pace %s is negative", cfg.GroupID, cfg.Pace)
	}
	if cfg.Pace == 0 {
		cfg.Pace = DefaultPostCheckPace
	}
	vk := newClient(cfg.UserToken, cfg.APIURL, cfg.HTTPClient, api.LimitUserToken)
	return &Backfiller{
		cfg: cfg, sink: sink, vk: vk, pace: rate.NewLimiter(rate.Every(cfg.Pace), 1),
		log: log.With().Str("component", "vk_backfill").Int64("group_id", cfg.GroupID).Logger(),
	}, nil
}

// Run backfills once, retrying transient failures a few times, and returns nil when done
// or given up (a refused token is not retried: the post checker reports it). It is meant to
// run once at start; running it again records nothing twice.
func (b *Backfiller) Run(ctx context.Context) error {
	loop := supervise.Loop{
		Backoff: b.cfg.Backoff, Log: b.log, What: "backfill",
		Decide: func(_ context.Context, err error, _ int) supervise.Decision {
			return supervise.Decision{Stop: isAuthError(err)}
		},
	}
	// The loop logs a failure; a backfill that gave up is not worth a restart.
	_ = loop.Retry(ctx, backfillAttempts, func(ctx context.Context) error {
		res, err := b.Backfill(ctx)
		if err == nil {
			b.log.Info().Int("posts", res.Posts).Int("comments", res.Comments).Int("new", res.New).Msg("backfilled")
		}
		return err
	})
	return nil
}

// wallItem is what backfill needs of a post or comment; the rest goes to DecodeUpdate raw.
type wallItem struct {
	ID       int64 `json:"id"`
	FromID   int64 `json:"from_id"`
	OwnerID  int64 `json:"owner_id"`
	PostID   int64 `json:"post_id"`
	Comments struct {
		Count int `json:"count"`
	} `json:"comments"`
	Thread struct {
		Items []json.RawMessage `json:"items"`
	} `json:"thread"`
}

type wallPage struct {
	Items    []json.RawMessage `json:"items"`
	Profiles []struct {
		ID        int64  `json:"id"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"profiles"`
}

func (p wallPage) names() map[int64]string {
	out := make(map[int64]string, len(p.Profiles))
	for _, u := range p.Profiles {
		out[u.ID] = fullName(u.FirstName, u.LastName)
	}
	return out
}

// Backfill reads the newest posts of the community's wall and their comments once and
// records customers' posts and comments as tickets, and the community's comments as
// answers. Each post is recorded in one Ingest call, so a failure keeps what came before.
func (b *Backfiller) Backfill(ctx context.Context) (BackfillResult, error) {
	var res BackfillResult
	owner := -b.cfg.GroupID
	var wall wallPage
	if err := b.call(ctx, "wall.get", &wall, api.Params{"owner_id": owner, "count": b.cfg.Posts, "extended": 1}); err != nil {
		return res, err
	}
	names := wall.names()
	for _, raw := range wall.Items {
		var p wallItem
		if err := json.Unmarshal(raw, &p); err != nil || p.ID <= 0 {
			b.log.Warn().Int("size", len(raw)).Msg("skipped unreadable post")
			continue
		}
		res.Posts++
		var writes, answers []justify.Event
		if ev, ok := b.decode("wall_post_new", raw, names); ok && ev.Kind == justify.EventWrite {
			writes = append(writes, ev)
		}
		if p.Comments.Count > 0 {
			comments, err := b.comments(ctx, owner, p.ID)
			if err != nil {
				return res, err
			}
			for _, ev := range comments {
				res.Comments++
				if ev.Kind == justify.EventAnswer {
					answers = append(answers, ev)
				} else {
					writes = append(writes, ev)
				}
			}
		}
		// Questions first: an answer marks only tickets already recorded.
		ir, err := b.sink.Ingest(ctx, append(writes, answers...), "", "")
		if err != nil {
			return res, fmt.Errorf("record backfill of post %d_%d: %w", owner, p.ID, err)
		}
		res.New += ir.New
	}
	return res, nil
}

// comments reads a post's comments, replies in threads included, as events.
func (b *Backfiller) comments(ctx context.Context, owner, postID int64) ([]justify.Event, error) {
	var page wallPage
	err := b.call(ctx, "wall.getComments", &page, api.Params{
		"owner_id": owner, "post_id": postID, "count": b.cfg.Comments, "sort": "asc",
		"extended": 1, "thread_items_count": threadItems,
	})
	if err != nil {
		return nil, err
	}
	names := page.names()
	seen := map[int64]bool{}
	var out []justify.Event
	var add func(raw json.RawMessage)
	add = func(raw json.RawMessage) {
		var c wallItem
		if err := json.Unmarshal(raw, &c); err != nil || c.ID <= 0 || seen[c.ID] {
			return
		}
		seen[c.ID] = true
		// wall.getComments may leave out what the event carries: the post and its owner.
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		if c.PostID == 0 {
			obj["post_id"] = json.RawMessage(fmt.Sprint(postID))
		}
		if c.OwnerID == 0 {
			obj["owner_id"] = json.RawMessage(fmt.Sprint(owner))
		}
		delete(obj, "thread")
		fixed, err := json.Marshal(obj)
		if err != nil {
			return
		}
		if ev, ok := b.decode("wall_reply_new", fixed, names); ok {
			out = append(out, ev)
		}
		for _, r := range c.Thread.Items {
			add(r)
		}
	}
	for _, raw := range page.Items {
		add(raw)
	}
	return out, nil
}

// decode turns a post or comment into an event exactly as the long poll's typ event would
// be, so the ticket (Ref, Key, Link) is the one later events of the item refer to; only the
// key (stable across runs) and the source differ.
func (b *Backfiller) decode(typ string, object json.RawMessage, names map[int64]string) (justify.Event, bool) {
	env, err := json.Marshal(map[string]any{
		"type": typ, "group_id": b.cfg.GroupID, "event_id": "backfill", "object": object,
	})
	if err != nil {
		return justify.Event{}, false
	}
	ev, ok, err := DecodeUpdate(b.cfg.GroupID, env)
	if err != nil {
		b.log.Warn().Err(err).Str("type", typ).Msg("skipped unreadable item")
		return justify.Event{}, false
	}
	if !ok {
		return justify.Event{}, false
	}
	ev.Source = justify.SourceReconcile
	ref := ev.Item
	if ev.Ticket != nil {
		ref = ev.Ticket.Ref
		t := *ev.Ticket
		t.AuthorName = names[t.AuthorVKID]
		ev.Ticket = &t
		ev.UserName = t.AuthorName
	}
	if ref.Place == "" {
		return justify.Event{}, false
	}
	ev.Key = BackfillKey(b.cfg.GroupID, ref)
	return ev, true
}

// BackfillKey is the key of an event learned by reading the wall: one per item, so a
// second backfill records nothing new.
func BackfillKey(groupID int64, ref justify.Ref) string {
	return fmt.Sprintf("vk:%d:backfill:%s", groupID, ref.Key())
}

// call makes one paced API call with a timeout and decodes its response into out.
func (b *Backfiller) call(ctx context.Context, method string, out any, params api.Params) error {
	if err := b.pace.Wait(ctx); err != nil {
		return fmt.Errorf("backfill group %d: %s: %w", b.cfg.GroupID, method, err)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if err := b.vk.RequestUnmarshal(method, out, params.WithContext(ctx)); err != nil {
		return fmt.Errorf("backfill group %d: %s: %w", b.cfg.GroupID, method, redact(err, b.cfg.UserToken))
	}
	return nil
}
