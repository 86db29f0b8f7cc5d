package justify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// RecordMark is a position in the record, taken with Mark before a community's ban list is
// fetched: bans recorded after it may be missing from the list without having been lifted.
type RecordMark int64

// Mark returns the current position in the record, once every event the long poll
// delivered of the community before it is derived from the inbox: a ban still kept there
// would otherwise look missing from the record, and be found again by the reconciliation
// of the community's ban list without who made it.
func (s *Service) Mark(ctx context.Context, groupID int64) (RecordMark, error) {
	if err := s.inbox.waitDerived(ctx, groupID); err != nil {
		return 0, fmt.Errorf("wait for the inbox: %w", err)
	}
	var id int64
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		id, err = tx.LastEventID()
		return err
	})
	return RecordMark(id), err
}

// BanList is a community's ban list as VK gave it, with where the record and VK's event
// stream stood before it was read.
type BanList struct {
	GroupID int64
	// Mark is the record's position, taken before the list was read.
	Mark RecordMark
	// Head is the position VK's event stream had reached before the list was read (VK's
	// long-poll ts), 0 when unknown: every event placed before it happened before the
	// list was read, so the list already holds its effect.
	Head int64
	// FetchedAt is when the list was read.
	FetchedAt time.Time
	// Bans holds one EventBan event per banned user, Source reconcile.
	Bans []Event
}

// ReconciledKey is the cursor under which the head of a community's last reconciled ban
// list is saved: long-poll bans and unbans placed before it are history.
func ReconciledKey(groupID int64) string { return fmt.Sprintf("reconciled:%d:head", groupID) }

// Reconcile brings the recorded bans of a community in line with its ban list. A ban
// modwatch has not recorded is ingested like one from the long poll; a recorded ban that
// is no longer listed becomes an unban, unless it was recorded after the list's mark: the
// list cannot know it yet. Positions, not times, decide, so that VK's clock and ours need
// not agree. The list's head is saved with it: from then on, a ban or unban the long poll
// delivers from before the head is recorded as history and not acted upon, whatever order
// it arrives in (a replay after downtime comes after the reconciliation that already
// counted it).
func (s *Service) Reconcile(ctx context.Context, list BanList) (IngestResult, error) {
	var res IngestResult
	groupID := list.GroupID
	// The long poll's events kept while the list was read go first, as they would have
	// had they been recorded at once: a ban among them is then known, not found again.
	if err := s.inbox.waitDerived(ctx, groupID); err != nil {
		return res, fmt.Errorf("wait for the inbox of group %d: %w", groupID, err)
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = IngestResult{}
		active, err := tx.ActiveBans(groupID)
		if err != nil {
			return fmt.Errorf("list recorded bans of group %d: %w", groupID, err)
		}
		listed := make(map[int64]bool, len(list.Bans))
		for _, ev := range list.Bans {
			listed[ev.UserVKID] = true
			if _, ok := active[ev.UserVKID]; ok {
				continue
			}
			if err := s.ingestOne(tx, ev, &res); err != nil {
				return err
			}
		}
		for user, id := range active {
			if listed[user] || id > int64(list.Mark) {
				continue
			}
			unban := Event{
				Key:     fmt.Sprintf("vk:%d:reconcile:unban:%d:%d", groupID, user, list.FetchedAt.UnixMilli()),
				GroupID: groupID, Kind: EventUnban, UserVKID: user, At: list.FetchedAt, Source: SourceReconcile,
			}
			if err := s.ingestOne(tx, unban, &res); err != nil {
				return err
			}
		}
		if list.Head <= 0 {
			return nil
		}
		// The newest list's head, not the highest ever: reconciliations of a community run
		// one after another, and a stream VK restarted lower must not turn every later
		// event into history.
		return tx.SaveCursor(ReconciledKey(groupID), strconv.FormatInt(list.Head, 10))
	})
	if err != nil {
		return res, fmt.Errorf("reconcile bans of group %d: %w", groupID, err)
	}
	return res, nil
}

// isHistory reports whether ev is a long-poll ban or unban placed before the head of the
// ban list last reconciled: that list already holds its effect. Acting on it would undo
// the reconciled state: after downtime, a replayed ban, unban and ban again of one user
// would close the reconciled case as unbanned and open a second one.
func (s *Service) isHistory(tx Tx, ev Event) (bool, error) {
	if (ev.Kind != EventBan && ev.Kind != EventUnban) || ev.Source != SourceLongPoll || ev.Position <= 0 {
		return false, nil
	}
	v, err := tx.Cursor(ReconciledKey(ev.GroupID))
	if err != nil || v == "" {
		return false, err
	}
	head, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false, fmt.Errorf("read reconciled head of group %d: %q is not a position", ev.GroupID, v)
	}
	return ev.Position < head, nil
}

// alreadyReconciled reports whether ev is a long-poll ban or unban that reconciliation
// recorded first: a ban made (or lifted) while modwatch was down is in both
// groups.getBanned and the resumed long poll, under different keys, and is one action.
// (A change of a ban's terms made before its long-poll event arrives is lost; the case is
// the same either way.)
func (s *Service) alreadyReconciled(tx Tx, ev Event) (bool, error) {
	if (ev.Kind != EventBan && ev.Kind != EventUnban) || ev.Source != SourceLongPoll {
		return false, nil
	}
	last, err := tx.LastBanEvent(ev.GroupID, ev.UserVKID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find recorded ban of user %d in group %d: %w", ev.UserVKID, ev.GroupID, err)
	}
	return last.Kind == ev.Kind && last.Source == SourceReconcile, nil
}
