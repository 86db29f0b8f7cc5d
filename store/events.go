package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.EventStore = (*Tx)(nil)

const eventColumns = `key, group_id, kind, actor_vk_id, actor_name, user_vk_id, user_name, vk_reason, comment,
	until, expired, at, source, item_group, item_place, item_owner, item_parent, item_id,
	reply_group, reply_place, reply_owner, reply_parent, reply_item_id, ticket_key, position, history`

// insertEvent stores one event; a key already stored writes nothing.
const insertEvent = `INSERT INTO events (` + eventColumns + `, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`

// eventValues are insertEvent's arguments for ev, received at received.
func eventValues(ev justify.Event, received time.Time) []any {
	// The words go to tickets only; the event keeps the link.
	var ticketKey string
	if ev.Ticket != nil {
		ticketKey = ev.Ticket.Key
	}
	return []any{ev.Key, ev.GroupID, ev.Kind, ev.ActorVKID, ev.ActorName, ev.UserVKID, ev.UserName, int(ev.VKReason), ev.Comment,
		ms(ev.Until), b2i(ev.Expired), ms(ev.At), ev.Source,
		ev.Item.GroupID, ev.Item.Place, ev.Item.OwnerID, ev.Item.ParentID, ev.Item.ItemID,
		ev.ReplyTo.GroupID, ev.ReplyTo.Place, ev.ReplyTo.OwnerID, ev.ReplyTo.ParentID, ev.ReplyTo.ItemID,
		ticketKey, ev.Position, b2i(ev.History), ms(received)}
}

// InsertEvent stores ev and reports whether it was new; an event whose key is already
// stored writes nothing and returns false.
func (t *Tx) InsertEvent(ev justify.Event) (bool, error) {
	res, err := t.exec(insertEvent, eventValues(ev, t.now())...)
	if err != nil {
		return false, fmt.Errorf("insert event %s: %w", ev.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert event %s: %w", ev.Key, err)
	}
	return n == 1, nil
}

// event loads a stored event by key, with the time modwatch received it. A ticket comes
// back as its key only: the words are in tickets.
func (t *Tx) event(key string) (justify.Event, time.Time, error) {
	ev, received, err := scanEvent(t.queryRow("SELECT "+eventColumns+", received_at FROM events WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return ev, time.Time{}, fmt.Errorf("event %s: %w", key, justify.ErrNotFound)
	}
	if err != nil {
		return ev, time.Time{}, fmt.Errorf("load event %s: %w", key, err)
	}
	return ev, received, nil
}

// scanEvent reads a row selected with eventColumns and received_at.
func scanEvent(s scanner) (justify.Event, time.Time, error) {
	var ev justify.Event
	var vkReason, expired, history int
	var until, at, received int64
	var ticketKey string
	err := s.Scan(
		&ev.Key, &ev.GroupID, &ev.Kind, &ev.ActorVKID, &ev.ActorName, &ev.UserVKID, &ev.UserName, &vkReason, &ev.Comment,
		&until, &expired, &at, &ev.Source,
		&ev.Item.GroupID, &ev.Item.Place, &ev.Item.OwnerID, &ev.Item.ParentID, &ev.Item.ItemID,
		&ev.ReplyTo.GroupID, &ev.ReplyTo.Place, &ev.ReplyTo.OwnerID, &ev.ReplyTo.ParentID, &ev.ReplyTo.ItemID,
		&ticketKey, &ev.Position, &history, &received)
	if err != nil {
		return ev, time.Time{}, err
	}
	ev.VKReason, ev.Expired, ev.History = justify.BanReason(vkReason), expired == 1, history == 1
	ev.Until, ev.At = fromMS(until), fromMS(at)
	if ticketKey != "" {
		ev.Ticket = &justify.Ticket{Key: ticketKey}
	}
	return ev, fromMS(received), nil
}

// LastBanEvent returns the newest ban or unban event of a user in a group that was acted
// upon: history is left out.
func (t *Tx) LastBanEvent(groupID, userVKID int64) (justify.Event, error) {
	ev, _, err := scanEvent(t.queryRow("SELECT "+eventColumns+`, received_at FROM events WHERE group_id = ? AND user_vk_id = ?
		AND kind IN ('ban', 'unban') AND history = 0 ORDER BY id DESC LIMIT 1`, groupID, userVKID))
	if errors.Is(err, sql.ErrNoRows) {
		return justify.Event{}, fmt.Errorf("ban of user %d in group %d: %w", userVKID, groupID, justify.ErrNotFound)
	}
	if err != nil {
		return justify.Event{}, fmt.Errorf("find ban of user %d in group %d: %w", userVKID, groupID, err)
	}
	return ev, nil
}

// ActiveBans maps the users of a group whose latest ban or unban event is a ban to the ID
// of that ban event. History is left out: the reconciled list already holds its effect.
func (t *Tx) ActiveBans(groupID int64) (map[int64]int64, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT user_vk_id, kind, id FROM events e
		WHERE group_id = ? AND kind IN ('ban', 'unban') AND history = 0 AND id = (
			SELECT MAX(id) FROM events WHERE user_vk_id = e.user_vk_id AND group_id = e.group_id
				AND kind IN ('ban', 'unban') AND history = 0)`,
		groupID)
	if err != nil {
		return nil, fmt.Errorf("list bans of group %d: %w", groupID, err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int64]int64{}
	for rows.Next() {
		var user, id int64
		var kind string
		if err := rows.Scan(&user, &kind, &id); err != nil {
			return nil, fmt.Errorf("read ban of group %d: %w", groupID, err)
		}
		if kind == string(justify.EventBan) {
			out[user] = id
		}
	}
	return out, rows.Err()
}

// LastEventID is the ID of the newest recorded event, 0 when none.
func (t *Tx) LastEventID() (int64, error) {
	var id int64
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM events").Scan(&id); err != nil {
		return 0, fmt.Errorf("find the newest event: %w", err)
	}
	return id, nil
}

// RecentActions counts an admin's events of kind in a group at or after since, history
// left out: it is stamped with the time it arrived, not the time it happened.
func (t *Tx) RecentActions(groupID, actorVKID int64, kind justify.EventKind, since time.Time) (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM events
		WHERE group_id = ? AND actor_vk_id = ? AND kind = ? AND at >= ? AND history = 0`, groupID, actorVKID, kind, ms(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s by %d in group %d: %w", kind, actorVKID, groupID, err)
	}
	return n, nil
}

// adminActedOn is AdminActedOn's query. Arguments: user, group, the ban kind, since,
// until, user, group, since, until.
const adminActedOn = `SELECT EXISTS (SELECT 1 FROM events WHERE user_vk_id = ? AND group_id = ? AND kind = ?
		AND at >= ? AND at <= ?)
	OR EXISTS (SELECT 1 FROM tickets WHERE author_vk_id = ? AND group_id = ? AND deleted_at >= ? AND deleted_at <= ?
		AND deleted_by != 0 AND deleted_by != author_vk_id)`

// AdminActedOn reports whether, in a group, the user was banned or one of the user's
// tickets was deleted by someone else than the user (an admin VK named), at a time in
// [since, until]. A deletion VK did not attribute, or one since restored, does not count.
func (t *Tx) AdminActedOn(groupID, userVKID int64, since, until time.Time) (bool, error) {
	var n int
	err := t.queryRow(adminActedOn,
		userVKID, groupID, justify.EventBan, ms(since), ms(until), userVKID, groupID, ms(since), ms(until)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for admins' actions on user %d in group %d: %w", userVKID, groupID, err)
	}
	return n == 1, nil
}

// EventCounts counts the stored events by community (its id in decimal) and kind, for
// /metrics: {"123", "ban"} → 7.
func (db *DB) EventCounts(ctx context.Context) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	err := countRows(ctx, db.read, "SELECT CAST(group_id AS TEXT), kind, COUNT(*) FROM events GROUP BY group_id, kind",
		func(rows *sql.Rows) error {
			var k [2]string
			var n int
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				return err
			}
			out[k] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return out, nil
}

// BanEvents lists the ban and unban events of a user in a group as they were recorded,
// history included, oldest first: what VK reported about that user, and what was acted on.
func (db *DB) BanEvents(ctx context.Context, groupID, userVKID int64) ([]justify.Event, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+eventColumns+`, received_at FROM events
		WHERE group_id = ? AND user_vk_id = ? AND kind IN ('ban', 'unban') ORDER BY id`, groupID, userVKID)
	if err != nil {
		return nil, fmt.Errorf("list bans of user %d in group %d: %w", userVKID, groupID, err)
	}
	defer func() { _ = rows.Close() }()
	var out []justify.Event
	for rows.Next() {
		ev, _, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("read ban of user %d in group %d: %w", userVKID, groupID, err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
