package vk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/SevereCloud/vksdk/v2/object"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/supervise"
)

const (
	// bannedPage is groups.getBanned's largest page.
	bannedPage = 200
	// fetchAttempts bounds how often a ban list that changed while it was paged through is
	// read again before the round gives up.
	fetchAttempts = 3
)

// BanReconciler brings recorded bans in line with VK's ban list. justify.Service satisfies it.
type BanReconciler interface {
	Mark(ctx context.Context, groupID int64) (justify.RecordMark, error)
	Reconcile(ctx context.Context, list justify.BanList) (justify.IngestResult, error)
}

var _ BanReconciler = (*justify.Service)(nil)

// TokenProblemFunc is told that VK refused a token (revoked, or lacking a right): a person
// has to fix it. It is called once per problem, not once per retry; err never holds the token.
type TokenProblemFunc func(ctx context.Context, groupID int64, err error)

// ReconcilerConfig configures a Reconciler.
type ReconcilerConfig struct {
	GroupID int64
	// Token is the community token; groups.getBanned accepts it.
	Token string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// HTTPClient makes every request; a client with a timeout is made when nil.
	HTTPClient *http.Client
	// Every is the pause between reconciliations (config vk.reconcile_every); required.
	Every time.Duration
	// Backoff paces retries after network, server and rate-limit failures; 1s..60s when zero.
	Backoff supervise.Backoff
	// AuthRetry is the pause after VK refuses the token; DefaultAuthRetry when zero.
	AuthRetry time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// OnTokenProblem is told when VK refuses the token (errors 5, 15, 27...). Optional.
	OnTokenProblem TokenProblemFunc
	// Metrics counts every failed reconciliation by VK's error code; nil counts nothing.
	Metrics *Metrics
}

// Reconciler catches up with bans and unbans the long poll missed (downtime, lost history)
// by comparing a community's ban list in VK with the bans modwatch recorded.
type Reconciler struct {
	cfg  ReconcilerConfig
	svc  BanReconciler
	vk   *api.VK
	log  zerolog.Logger
	wake chan struct{}
}

// NewReconciler checks cfg and prepares a reconciler; nothing is contacted until Run.
func NewReconciler(cfg ReconcilerConfig, svc BanReconciler, log zerolog.Logger) (*Reconciler, error) {
	switch {
	case cfg.GroupID <= 0:
		return nil, fmt.Errorf("new vk reconciler: group id %d is not positive", cfg.GroupID)
	case cfg.Token == "":
		return nil, fmt.Errorf("new vk reconciler for group %d: no community token", cfg.GroupID)
	case svc == nil:
		return nil, fmt.Errorf("new vk reconciler for group %d: no service", cfg.GroupID)
	case cfg.Every <= 0:
		return nil, fmt.Errorf("new vk reconciler for group %d: interval %s is not positive", cfg.GroupID, cfg.Every)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	vk := newClient(cfg.Token, cfg.APIURL, cfg.HTTPClient, api.LimitGroupToken)
	return &Reconciler{
		cfg: cfg, svc: svc, vk: vk, wake: make(chan struct{}, 1),
		log: log.With().Str("component", "vk_reconcile").Int64("group_id", cfg.GroupID).Logger(),
	}, nil
}

// Trigger asks for a reconciliation soon, without waiting for it: the watcher calls it when
// the long poll lost events. Triggers that arrive while one is pending are merged.
func (r *Reconciler) Trigger() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// OnHistoryLost adapts Trigger to WatcherConfig.OnHistoryLost.
func (r *Reconciler) OnHistoryLost(context.Context, int64) { r.Trigger() }

// Run reconciles at once, then every Every and whenever triggered, until ctx ends; it
// returns nil then. Failures are logged and retried, never returned.
func (r *Reconciler) Run(ctx context.Context) error {
	loop := schedule{
		groupID: r.cfg.GroupID, every: r.cfg.Every, backoff: r.cfg.Backoff, authRetry: r.cfg.AuthRetry,
		onTokenProblem: r.cfg.OnTokenProblem, metrics: r.cfg.Metrics, log: r.log, wake: r.wake, what: "reconcile bans",
	}
	loop.run(ctx, func(ctx context.Context) error {
		_, err := r.Once(ctx)
		return err
	})
	return nil
}

// Once reads the whole ban list and reconciles the recorded bans with it.
func (r *Reconciler) Once(ctx context.Context) (justify.IngestResult, error) {
	// Taken before the first page: a ban recorded after this point may be missing from the
	// list without having been lifted.
	mark, err := r.svc.Mark(ctx, r.cfg.GroupID)
	if err != nil {
		return justify.IngestResult{}, fmt.Errorf("mark the record before reconciling group %d: %w", r.cfg.GroupID, err)
	}
	// Also before the first page: every event VK placed before this position happened
	// before the list was read, so the long poll's copy of it, replayed later, is history.
	head := r.head(ctx)
	fetchedAt := r.cfg.Now()
	bans, err := r.fetch(ctx, fetchedAt)
	if err != nil {
		return justify.IngestResult{}, err
	}
	res, err := r.svc.Reconcile(ctx, justify.BanList{GroupID: r.cfg.GroupID, Mark: mark, Head: head, FetchedAt: fetchedAt, Bans: bans})
	if err != nil {
		return res, err
	}
	ev := r.log.Debug()
	if res.New > 0 {
		ev = r.log.Info()
	}
	ev.Int("banned", len(bans)).Int("new", res.New).Int("invalid", res.Invalid).
		Int("opened", len(res.Opened)).Int64("head", head).Msg("bans reconciled")
	return res, nil
}

// head asks VK how far the community's event stream has come: groups.getLongPollServer's
// ts, the position the next event will take. It returns 0 when VK does not say; the
// reconciliation then goes on without telling replayed events from new ones, as the long
// poll's own events are acted on in order anyway.
func (r *Reconciler) head(ctx context.Context) int64 {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	srv, err := r.vk.GroupsGetLongPollServer(api.Params{"group_id": r.cfg.GroupID}.WithContext(ctx))
	if err != nil {
		r.cfg.Metrics.failed(r.cfg.GroupID, err)
		r.log.Warn().Err(redact(err, r.cfg.Token)).Msg("could not read the event stream's position; reconciling without it")
		return 0
	}
	ts, err := strconv.ParseInt(srv.Ts, 10, 64)
	if err != nil || ts <= 0 {
		r.log.Warn().Str("ts", srv.Ts).Msg("the event stream's position is not a number; reconciling without it")
		return 0
	}
	return ts
}

// errListChanged means the ban list changed while it was being paged through.
var errListChanged = errors.New("ban list changed while it was read")

// fetch reads every page of the ban list. Paging by offset over a list that changes can skip
// an entry, and a skipped ban would be taken for an unban, so a list whose size moved is read
// again.
func (r *Reconciler) fetch(ctx context.Context, fetchedAt time.Time) ([]justify.Event, error) {
	var err error
	for range fetchAttempts {
		var bans []justify.Event
		bans, err = r.fetchPages(ctx, fetchedAt)
		if !errors.Is(err, errListChanged) {
			return bans, err
		}
		r.log.Debug().Err(err).Msg("ban list moved, reading it again")
	}
	return nil, err
}

func (r *Reconciler) fetchPages(ctx context.Context, fetchedAt time.Time) ([]justify.Event, error) {
	var bans []justify.Event
	seen := map[int64]bool{}
	entries, total := 0, -1
	for offset := 0; ; offset += bannedPage {
		page, err := r.page(ctx, offset)
		if err != nil {
			return nil, err
		}
		if total >= 0 && page.Count != total {
			return nil, fmt.Errorf("%w: %d entries, then %d", errListChanged, total, page.Count)
		}
		total = page.Count
		for _, it := range page.Items {
			entries++
			// Communities can be banned too; bans of users are what cases are about.
			if (it.Type != "" && it.Type != "profile") || it.Profile.ID <= 0 {
				continue
			}
			if seen[int64(it.Profile.ID)] {
				return nil, fmt.Errorf("%w: user %d listed twice", errListChanged, it.Profile.ID)
			}
			seen[int64(it.Profile.ID)] = true
			bans = append(bans, r.banEvent(it, fetchedAt))
		}
		if len(page.Items) == 0 || entries >= total {
			break
		}
	}
	if entries != total {
		return nil, fmt.Errorf("%w: %d entries listed, %d read", errListChanged, total, entries)
	}
	return bans, nil
}

func (r *Reconciler) page(ctx context.Context, offset int) (api.GroupsGetBannedResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	resp, err := r.vk.GroupsGetBanned(api.Params{
		"group_id": r.cfg.GroupID, "offset": offset, "count": bannedPage,
	}.WithContext(ctx))
	if err != nil {
		return resp, fmt.Errorf("list bans of group %d from %d: %w", r.cfg.GroupID, offset, redact(err, r.cfg.Token))
	}
	return resp, nil
}

// ReconcileBanKey is the key of a ban learned from the ban list: VK's ban date tells a
// later ban of the same user apart, and the same ban read again is stored once.
func ReconcileBanKey(groupID, userID int64, date int) string {
	return fmt.Sprintf("vk:%d:reconcile:ban:%d:%d", groupID, userID, date)
}

func (r *Reconciler) banEvent(it object.GroupsOwnerXtrBanInfo, fetchedAt time.Time) justify.Event {
	user := int64(it.Profile.ID)
	ev := justify.Event{
		GroupID: r.cfg.GroupID, Kind: justify.EventBan, Source: justify.SourceReconcile,
		UserVKID: user, UserName: fullName(it.Profile.FirstName, it.Profile.LastName),
		At: fetchedAt,
	}
	date := 0
	if bi := it.BanInfo; bi != nil {
		date = bi.Date
		ev.ActorVKID, ev.VKReason, ev.Comment = int64(bi.AdminID), justify.BanReason(bi.Reason), justify.CleanText(bi.Comment)
		if bi.Date > 0 {
			ev.At = time.Unix(int64(bi.Date), 0).UTC()
		}
		if bi.EndDate > 0 {
			ev.Until = time.Unix(int64(bi.EndDate), 0).UTC()
		}
	}
	ev.Key = ReconcileBanKey(r.cfg.GroupID, user, date)
	return ev
}
