package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Erasure counts what an erasure changed.
type Erasure struct {
	// Tickets had their text, subject and author name emptied and were marked forgotten;
	// Edits are the earlier texts of those tickets, deleted.
	Tickets, Edits int
	// Cases lost the customer's name and the ban comment; Events the same.
	Cases, Events int
	// Alerts are alert groups and outbox messages (Alert payloads) whose Detail, the
	// deleted request's words, was emptied.
	Alerts int
	// Digests are sent owners' digests whose payload was emptied (PurgeTexts only).
	Digests int
	// Quarantined are updates that could not be decoded, deleted: too old, or mentioning
	// the person.
	Quarantined int
	// Inbox are events kept and not recorded yet whose words about the person were
	// erased (or, undecodable and mentioning them, deleted).
	Inbox int
	// Replies are the community's messages and comments in the person's conversations (or,
	// for PurgeTexts, older than retention) whose words were emptied: they may quote them.
	Replies int
}

// ForgetPersonDetail erases a customer's words everywhere modwatch keeps them, in one
// transaction, and says what it changed. Running it again changes nothing new.
//
// Erased: the text, subject and author name of every ticket the person wrote (all
// communities and imports; forgotten is set, so redeliveries and re-imports do not bring the
// words back) and all earlier texts of those tickets; the person's name and the admin's ban
// comment (which may quote them) on their cases and on the events about them; the Detail
// (the deleted request's words) of the alerts about their cases, in the alert groups and in
// every queued or sent outbox message; the quarantined updates that mention their VK id.
//
// Kept, because they are facts about the moderation and not the person's words: the
// person's VK id, the tickets' times, places, links, statuses and answer times; the cases'
// kind, operator, times, state, resolution and the operator's reason; the decisions (the
// audit trail is append-only, and its details never hold a customer's words: they name the
// operator or admin, the reason code with the operator's own explanation, and what VK
// answered); Telegram messages already delivered, which modwatch cannot recall; and owners'
// digests already sent, which may quote up to 160 characters of a deleted request until
// PurgeTexts empties them.
func (db *DB) ForgetPersonDetail(ctx context.Context, vkID int64) (Erasure, error) {
	var e Erasure
	if vkID <= 0 {
		return e, fmt.Errorf("forget person: vk id %d is not a person's", vkID)
	}
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		if e.Tickets, e.Edits, err = tx.eraseTickets("author_vk_id = ?", vkID); err != nil {
			return err
		}
		if e.Replies, err = tx.affected("UPDATE conv_messages SET text = '' WHERE customer_vk_id = ? AND text != ''",
			vkID); err != nil {
			return fmt.Errorf("erase replies: %w", err)
		}
		// Bumping version makes a save from a copy loaded before the erasure fail with
		// ErrConflict instead of writing the name back.
		if e.Cases, err = tx.affected(`UPDATE cases SET user_name = '', vk_comment = '', version = version + 1
			WHERE user_vk_id = ? AND (user_name != '' OR vk_comment != '')`, vkID); err != nil {
			return fmt.Errorf("erase cases: %w", err)
		}
		// No index leads with user_vk_id on events (the daemon's lookups are per group): this
		// scans events once per request, acceptable for a rare command.
		if e.Events, err = tx.affected(`UPDATE events SET user_name = '', comment = ''
			WHERE user_vk_id = ? AND (user_name != '' OR comment != '')`, vkID); err != nil {
			return fmt.Errorf("erase events: %w", err)
		}
		if e.Quarantined, err = tx.forgetQuarantined(vkID); err != nil {
			return err
		}
		if e.Inbox, err = tx.forgetInbox(vkID); err != nil {
			return err
		}
		cases, err := tx.caseIDs("SELECT id FROM cases WHERE user_vk_id = ?", vkID)
		if err != nil {
			return err
		}
		e.Alerts, err = tx.scrubAlerts(func(id justify.CaseID) (bool, error) { return cases[id], nil })
		return err
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("forget vk user %d: %w", vkID, err)
	}
	return e, nil
}

// PurgeTexts applies the retention period: the words of tickets written before `before` are
// erased as by ForgetPersonDetail (text, subject, author name, earlier texts), and so are
// the alert details quoting them and the payloads of owners' digests sent (or given up on)
// before `before`, and the quarantined updates received before it are deleted. Cases and events keep their names and comments: retention is about what
// customers wrote. It returns how many tickets it erased; tickets already forgotten are not
// counted again, so running it often is cheap.
func (db *DB) PurgeTexts(ctx context.Context, before time.Time) (int, error) {
	e, err := db.PurgeTextsDetail(ctx, before)
	return e.Tickets, err
}

// PurgeTextsDetail is PurgeTexts, saying what it changed.
func (db *DB) PurgeTextsDetail(ctx context.Context, before time.Time) (Erasure, error) {
	var e Erasure
	cut := ms(before)
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		// Tickets already forgotten are skipped: a purge runs often and they have nothing left.
		if e.Tickets, e.Edits, err = tx.eraseTickets("created_at < ? AND forgotten = 0", cut); err != nil {
			return err
		}
		if e.Quarantined, err = tx.purgeQuarantine(cut); err != nil {
			return err
		}
		if e.Replies, err = tx.affected("UPDATE conv_messages SET text = '' WHERE text != '' AND at < ?", cut); err != nil {
			return fmt.Errorf("erase replies: %w", err)
		}
		if e.Digests, err = tx.affected(`UPDATE outbox SET payload = '{}' WHERE kind = ? AND created_at < ?
			AND (sent_at != 0 OR failed = 1) AND payload != '{}'`, justify.MsgDigest, cut); err != nil {
			return fmt.Errorf("erase sent digests: %w", err)
		}
		e.Alerts, err = tx.scrubAlerts(func(id justify.CaseID) (bool, error) {
			c, err := tx.Case(id)
			if errors.Is(err, justify.ErrNotFound) || (err == nil && c.Item.Place == "") {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			tk, err := tx.Ticket(c.Item.Key())
			if errors.Is(err, justify.ErrNotFound) {
				return false, nil
			}
			return tk.Forgotten, err
		})
		return err
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("purge texts written before %s: %w", before.Format(time.RFC3339), err)
	}
	return e, nil
}

// eraseTickets empties the words of the tickets where selects (text, subject, author name,
// earlier texts) and marks them forgotten, so that redeliveries and re-imports do not bring
// the words back. A ticket already erased is not counted again.
func (t *Tx) eraseTickets(where string, args ...any) (tickets, edits int, err error) {
	if edits, err = t.affected("DELETE FROM ticket_edits WHERE ticket_id IN (SELECT id FROM tickets WHERE "+where+")",
		args...); err != nil {
		return 0, 0, fmt.Errorf("delete earlier texts: %w", err)
	}
	if tickets, err = t.affected(`UPDATE tickets SET text = '', subject = '', author_name = '', forgotten = 1
		WHERE `+where+` AND (forgotten = 0 OR text != '' OR subject != '' OR author_name != '')`, args...); err != nil {
		return 0, 0, fmt.Errorf("erase tickets: %w", err)
	}
	return tickets, edits, nil
}

// caseIDs collects the case ids a query selects.
func (t *Tx) caseIDs(query string, args ...any) (map[justify.CaseID]bool, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[justify.CaseID]bool{}
	for rows.Next() {
		var id justify.CaseID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read case id: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// scrubAlerts empties the Detail of every deleted-request alert whose case match selects,
// in the alert groups and in the outbox, and returns how many rows it changed. Only
// deleted-request alerts quote a customer: the others' details are event kinds or admins'
// level changes. match is asked once per case: a case's alert group and its messages (one
// per manager, plus edits) share the answer.
func (t *Tx) scrubAlerts(match func(justify.CaseID) (bool, error)) (int, error) {
	kind := string(justify.AlertDeletedRequest)
	type row struct {
		noun, update string // names the row in errors; rewrites its payload by id
		id           any    // an alert group's key or a message's id
		payload      string
	}
	var list []row
	collect := func(noun, update, query string, args ...any) error {
		rows, err := t.tx.QueryContext(t.ctx, query, args...)
		if err != nil {
			return fmt.Errorf("list %ss: %w", noun, err)
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			r := row{noun: noun, update: update}
			if err := rows.Scan(&r.id, &r.payload); err != nil {
				return fmt.Errorf("read %s: %w", noun, err)
			}
			list = append(list, r)
		}
		return rows.Err()
	}
	// Collect first: SQLite's single writer connection cannot update while a query on it
	// is still open.
	if err := collect("alert", "UPDATE alerts SET alert = ? WHERE key = ?",
		"SELECT key, alert FROM alerts WHERE key LIKE ?", kind+":%"); err != nil {
		return 0, err
	}
	if err := collect("alert message", "UPDATE outbox SET payload = ? WHERE id = ?",
		"SELECT id, payload FROM outbox WHERE kind = ? AND payload LIKE ?", justify.MsgAlert, "%"+kind+"%"); err != nil {
		return 0, err
	}
	matched := map[justify.CaseID]bool{}
	n := 0
	for _, r := range list {
		a, err := justify.ParseAlert(r.payload)
		if err != nil || a.Kind != justify.AlertDeletedRequest || a.Detail == "" {
			// An undecodable payload cannot be rewritten safely; it is left as it is.
			continue
		}
		ok, seen := matched[a.CaseID]
		if !seen {
			if ok, err = match(a.CaseID); err != nil {
				return n, fmt.Errorf("erase %s %v: %w", r.noun, r.id, err)
			}
			matched[a.CaseID] = ok
		}
		if !ok {
			continue
		}
		a.Detail = ""
		if _, err := t.exec(r.update, a.Payload(), r.id); err != nil {
			return n, fmt.Errorf("erase %s %v: %w", r.noun, r.id, err)
		}
		n++
	}
	return n, nil
}
