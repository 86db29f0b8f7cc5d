package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

// conversationsPage is messages.getConversations' largest page.
const conversationsPage = 200

// UnansweredSink compares a community's unanswered conversations with the list read
// before. justify.Service satisfies it.
type UnansweredSink interface {
	SyncUnanswered(ctx context.Context, groupID int64, list []justify.UnansweredConv, seenAt time.Time) (int, error)
}

var _ UnansweredSink = (*justify.Service)(nil)

// UnansweredConfig configures an UnansweredPoller.
type UnansweredConfig struct {
	GroupID int64
	// Token is the community token: messages.getConversations of community messages needs it.
	Token string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// HTTPClient makes every request; a client with a timeout is made when nil.
	HTTPClient *http.Client
	// Every is the pause between reads (config vk.unanswered_check_every); required.
	Every time.Duration
	// Backoff paces retries after network, server and rate-limit failures; 1s..60s when zero.
	Backoff supervise.Backoff
	// AuthRetry is the pause after VK refuses the token; DefaultAuthRetry when zero.
	AuthRetry time.Duration
	// Now stamps each read; time.Now when nil.
	Now func() time.Time
	// OnTokenProblem is told when VK refuses the token. Optional.
	OnTokenProblem TokenProblemFunc
	// Metrics counts every failed read by VK's error code; nil counts nothing.
	Metrics *Metrics
}

// UnansweredPoller reads a community's list of unanswered conversations on a schedule. VK
// sends no event when someone marks a conversation answered without writing, or deletes
// it; the list is the only place that shows it, by what left it.
type UnansweredPoller struct {
	cfg  UnansweredConfig
	sink UnansweredSink
	vk   *api.VK
	log  zerolog.Logger
}

// NewUnansweredPoller checks cfg and prepares a poller; nothing is contacted until Run.
func NewUnansweredPoller(cfg UnansweredConfig, sink UnansweredSink, log zerolog.Logger) (*UnansweredPoller, error) {
	switch {
	case cfg.GroupID <= 0:
		return nil, fmt.Errorf("new vk unanswered poller: group id %d is not positive", cfg.GroupID)
	case cfg.Token == "":
		return nil, fmt.Errorf("new vk unanswered poller for group %d: no community token", cfg.GroupID)
	case sink == nil:
		return nil, fmt.Errorf("new vk unanswered poller for group %d: no sink", cfg.GroupID)
	case cfg.Every <= 0:
		return nil, fmt.Errorf("new vk unanswered poller for group %d: interval %s is not positive", cfg.GroupID, cfg.Every)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &UnansweredPoller{
		cfg: cfg, sink: sink, vk: newClient(cfg.Token, cfg.APIURL, cfg.HTTPClient, api.LimitGroupToken),
		log: log.With().Str("component", "vk_unanswered").Int64("group_id", cfg.GroupID).Logger(),
	}, nil
}

// Run reads the list at once and then every Every until ctx ends; it returns nil then.
// Failures are logged and retried, never returned.
func (p *UnansweredPoller) Run(ctx context.Context) error {
	loop := schedule{
		groupID: p.cfg.GroupID, every: p.cfg.Every, backoff: p.cfg.Backoff, authRetry: p.cfg.AuthRetry,
		onTokenProblem: p.cfg.OnTokenProblem, metrics: p.cfg.Metrics, log: p.log, what: "read unanswered conversations",
	}
	loop.run(ctx, func(ctx context.Context) error {
		_, err := p.Once(ctx)
		return err
	})
	return nil
}

// Once reads the whole list and hands it to the sink; it returns how many conversations
// left the list since the read before.
func (p *UnansweredPoller) Once(ctx context.Context) (int, error) {
	seenAt := p.cfg.Now()
	var list []justify.UnansweredConv
	var err error
	for range fetchAttempts {
		list, err = p.fetch(ctx)
		if !errors.Is(err, errListChanged) {
			break
		}
		p.log.Debug().Err(err).Msg("unanswered list moved, reading it again")
	}
	if err != nil {
		return 0, err
	}
	left, err := p.sink.SyncUnanswered(ctx, p.cfg.GroupID, list, seenAt)
	if err != nil {
		return 0, err
	}
	ev := p.log.Debug()
	if left > 0 {
		ev = p.log.Info()
	}
	ev.Int("unanswered", len(list)).Int("left", left).Msg("unanswered conversations read")
	return left, nil
}

// conversationsResponse is messages.getConversations' answer, with only what is used.
type conversationsResponse struct {
	Count int `json:"count"`
	Items []struct {
		Conversation struct {
			Peer struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"peer"`
			LastMessageID int64 `json:"last_message_id"`
			Unanswered    *bool `json:"unanswered"`
		} `json:"conversation"`
		LastMessage *struct {
			ID   int64 `json:"id"`
			Date int64 `json:"date"`
		} `json:"last_message"`
	} `json:"items"`
}

// fetch reads every page. A conversation skipped because the list moved while it was
// paged through would be taken for one that left it, so a list whose size changed is
// read again; one that shows up again later is set right by the sink.
func (p *UnansweredPoller) fetch(ctx context.Context) ([]justify.UnansweredConv, error) {
	var out []justify.UnansweredConv
	seen := map[int64]bool{}
	entries, total := 0, -1
	for offset := 0; ; offset += conversationsPage {
		page, err := p.page(ctx, offset)
		if err != nil {
			return nil, err
		}
		if total >= 0 && page.Count != total {
			return nil, fmt.Errorf("%w: %d conversations, then %d", errListChanged, total, page.Count)
		}
		total = page.Count
		for _, it := range page.Items {
			entries++
			peer := it.Conversation.Peer
			// Group chats and other communities are not customers' conversations.
			if (peer.Type != "" && peer.Type != "user") || peer.ID <= 0 || peer.ID >= chatPeerBase {
				continue
			}
			if it.Conversation.Unanswered != nil && !*it.Conversation.Unanswered {
				continue
			}
			if seen[peer.ID] {
				return nil, fmt.Errorf("%w: conversation %d listed twice", errListChanged, peer.ID)
			}
			seen[peer.ID] = true
			u := justify.UnansweredConv{PeerID: peer.ID, MessageID: it.Conversation.LastMessageID}
			if lm := it.LastMessage; lm != nil {
				if lm.ID > 0 {
					u.MessageID = lm.ID
				}
				u.At = unixTime(lm.Date)
			}
			out = append(out, u)
		}
		if len(page.Items) == 0 || entries >= total {
			break
		}
	}
	if entries != total {
		return nil, fmt.Errorf("%w: %d conversations listed, %d read", errListChanged, total, entries)
	}
	return out, nil
}

func (p *UnansweredPoller) page(ctx context.Context, offset int) (conversationsResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var raw json.RawMessage
	var resp conversationsResponse
	err := p.vk.RequestUnmarshal("messages.getConversations", &raw, api.Params{
		"group_id": p.cfg.GroupID, "filter": "unanswered", "offset": offset, "count": conversationsPage,
	}.WithContext(ctx))
	if err != nil {
		return resp, fmt.Errorf("list unanswered conversations of group %d from %d: %w", p.cfg.GroupID, offset,
			redact(err, p.cfg.Token))
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return resp, fmt.Errorf("list unanswered conversations of group %d: decode: %w", p.cfg.GroupID, err)
	}
	return resp, nil
}
