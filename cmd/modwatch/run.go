package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram"
	"github.com/modwatch/modwatch/store"
	"github.com/modwatch/modwatch/watchers"
	"github.com/modwatch/modwatch/watchers/vk"
)

// daemonHooks lets the demo and tests observe and steer a running daemon.
type daemonHooks struct {
	Now func() time.Time
	// Ready is called once everything is wired and running.
	Ready func(*daemon)
}

// daemon is the wired set of components of one running modwatch.
type daemon struct {
	db      *store.DB
	service *justify.Service
	bot     *telegram.Bot
}

// wakingSink tells the bot to look at the outbox as soon as new events are committed, so a
// prompt leaves within the same second as the ban.
type wakingSink struct {
	*justify.Service
	bot *telegram.Bot
}

func (s wakingSink) Ingest(ctx context.Context, evs []justify.Event, key, value string) (justify.IngestResult, error) {
	res, err := s.Service.Ingest(ctx, evs, key, value)
	if err == nil && res.New > 0 {
		s.bot.Wake()
	}
	return res, err
}

// runDaemon runs modwatch until ctx ends, then stops every component and closes the store.
func runDaemon(ctx context.Context, cfg *Config, secrets Secrets, log zerolog.Logger, hooks daemonHooks) error {
	now := hooks.Now
	if now == nil {
		now = time.Now
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()

	people := cfg.directory()
	communities := cfg.communities(secrets)
	vkClient := &http.Client{Timeout: cfg.VK.LongPollWait + 15*time.Second}
	reverser := vk.NewReverser(cfg.vkMethodURL(), secrets.CommunityAdmin, &http.Client{Timeout: 20 * time.Second})
	// board.restoreComment is the one reversal VK allows with the community's own token.
	reverser.UseCommunityTokens(secrets.Community)
	svc := &justify.Service{
		Store:        db,
		People:       people,
		Communities:  communities,
		Reverser:     reverser,
		Now:          now,
		Deadline:     cfg.Justify.Deadline,
		RemindBefore: cfg.Justify.RemindBefore,
		Wave:         justify.WaveRule{Count: cfg.Alerts.WaveCount, Within: cfg.Alerts.WaveWithin},
		AlertWindow:  cfg.Alerts.GroupWithin,
	}
	if err := svc.Recover(ctx); err != nil {
		return fmt.Errorf("recover interrupted work: %w", err)
	}
	bot, err := telegram.New(telegram.Config{
		Token:       secrets.Telegram,
		Endpoint:    cfg.telegramEndpoint(),
		Lang:        cfg.Language,
		PollTimeout: cfg.Telegram.PollTimeout,
	}, telegram.Deps{
		Service: svc, Store: db, Outbox: db, Buttons: db,
		People: people, Communities: communities, Now: now,
	}, log)
	if err != nil {
		return fmt.Errorf("start telegram bot: %w", err)
	}
	sink := wakingSink{Service: svc, bot: bot}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	goRun := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }

	for _, cm := range cfg.VK.Communities {
		wlog := log.With().Str("component", "vk").Int64("group_id", cm.GroupID).Logger()
		w, err := vk.NewWatcher(vk.WatcherConfig{
			GroupID: cm.GroupID, Token: secrets.Community[cm.GroupID],
			APIURL: cfg.vkMethodURL(), Wait: cfg.VK.LongPollWait, HTTPClient: vkClient,
		}, sink, wlog)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("watch community %d: %w", cm.GroupID, err)
		}
		goRun(func() { watchers.Supervise(ctx, fmt.Sprintf("vk-%d", cm.GroupID), wlog, w.Run) })
	}
	botLog := log.With().Str("component", "telegram").Logger()
	goRun(func() { watchers.Supervise(ctx, "telegram", botLog, bot.Run) })
	goRun(func() {
		runDeadlines(ctx, svc, bot, cfg.Justify.CheckEvery, log.With().Str("component", "deadlines").Logger())
	})

	log.Info().Int("communities", len(cfg.VK.Communities)).Int("people", len(cfg.People)).Str("version", version).Msg("modwatch started")
	if hooks.Ready != nil {
		// Ready means watching: every community has a saved long-poll position, so an action
		// taken from now on reaches modwatch even across a restart.
		for _, cm := range cfg.VK.Communities {
			for ctx.Err() == nil {
				if ts, err := svc.Cursor(ctx, vk.CursorKey(cm.GroupID)); err == nil && ts != "" {
					break
				}
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Millisecond):
				}
			}
		}
		hooks.Ready(&daemon{db: db, service: svc, bot: bot})
	}
	<-ctx.Done()
	wg.Wait()
	log.Info().Msg("modwatch stopped")
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// runDeadlines sends reminders and escalates overdue cases on a ticker.
func runDeadlines(ctx context.Context, svc *justify.Service, bot *telegram.Bot, every time.Duration, log zerolog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	failures := 0
	for {
		if err := svc.Tick(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			log.Warn().Err(err).Int("consecutive_errors", failures).Msg("check deadlines")
		} else {
			if failures > 0 {
				log.Info().Msg("deadline checks recovered")
			}
			failures = 0
			bot.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
