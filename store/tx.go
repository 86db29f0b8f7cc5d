package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Tx is one transaction, from Update or View; it implements justify.Tx. It is valid only
// inside the function it was given to.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	now func() time.Time
	// stmts are the statements prepared in this transaction: a long-poll batch runs the
	// same few statements a hundred times, and parsing them each time cost more than
	// running them. They close with the transaction.
	stmts map[string]*sql.Stmt
	// cache is the pool's statements, prepared once; nil while the database opens.
	cache *stmtCache
	// fresh are the queries this transaction prepared that the pool has not.
	fresh []string
}

// stmt prepares query once per transaction.
func (t *Tx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	// A statement the pool has prepared is used as is; a new one is prepared in this
	// transaction and, once the transaction is over and its connection free, on the pool
	// (preparing on the pool now could wait for the very connection this transaction
	// holds: the writer has only one).
	var st *sql.Stmt
	if shared := t.cache.lookup(query); shared != nil {
		st = t.tx.StmtContext(t.ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.fresh = append(t.fresh, query)
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

// queryRow runs a one-row query through the transaction's prepared statements.
func (t *Tx) queryRow(query string, args ...any) scanner {
	st, err := t.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

// QueryContext runs a query through the prepared statements, so that the list readers
// (queryAll) given a Tx parse nothing twice.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// errRow is a row whose query could not be prepared: Scan returns the error.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var _ justify.Tx = (*Tx)(nil)

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

const eventColumns = `key, group_id, kind, actor_vk_id, actor_name, user_vk_id, user_name, vk_reason, comment,
	until, expired, at, source, item_group, item_place, item_owner, item_parent, item_id,
	reply_group, reply_place, reply_owner, reply_parent, reply_item_id, ticket_key`

// InsertEvent stores ev and reports whether it was new; an event whose key is already
// stored writes nothing and returns false.
func (t *Tx) InsertEvent(ev justify.Event) (bool, error) {
	// The words go to tickets only; the event keeps the link.
	var ticketKey string
	if ev.Ticket != nil {
		ticketKey = ev.Ticket.Key
	}
	res, err := t.exec(`INSERT INTO events (`+eventColumns+`, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`,
		ev.Key, ev.GroupID, ev.Kind, ev.ActorVKID, ev.ActorName, ev.UserVKID, ev.UserName, int(ev.VKReason), ev.Comment,
		ms(ev.Until), b2i(ev.Expired), ms(ev.At), ev.Source,
		ev.Item.GroupID, ev.Item.Place, ev.Item.OwnerID, ev.Item.ParentID, ev.Item.ItemID,
		ev.ReplyTo.GroupID, ev.ReplyTo.Place, ev.ReplyTo.OwnerID, ev.ReplyTo.ParentID, ev.ReplyTo.ItemID,
		ticketKey, ms(t.now()))
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
	var vkReason, expired int
	var until, at, received int64
	var ticketKey string
	err := s.Scan(
		&ev.Key, &ev.GroupID, &ev.Kind, &ev.ActorVKID, &ev.ActorName, &ev.UserVKID, &ev.UserName, &vkReason, &ev.Comment,
		&until, &expired, &at, &ev.Source,
		&ev.Item.GroupID, &ev.Item.Place, &ev.Item.OwnerID, &ev.Item.ParentID, &ev.Item.ItemID,
		&ev.ReplyTo.GroupID, &ev.ReplyTo.Place, &ev.ReplyTo.OwnerID, &ev.ReplyTo.ParentID, &ev.ReplyTo.ItemID,
		&ticketKey, &received)
	if err != nil {
		return ev, time.Time{}, err
	}
	ev.VKReason, ev.Expired = justify.BanReason(vkReason), expired == 1
	ev.Until, ev.At = fromMS(until), fromMS(at)
	if ticketKey != "" {
		ev.Ticket = &justify.Ticket{Key: ticketKey}
	}
	return ev, fromMS(received), nil
}

// Cursor returns a watcher's saved position, "" when none.
func (t *Tx) Cursor(key string) (string, error) {
	var v string
	err := t.queryRow("SELECT value FROM cursors WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read cursor %s: %w", key, err)
	}
	return v, nil
}

// SaveCursor saves a watcher's position, replacing the previous one.
func (t *Tx) SaveCursor(key, value string) error {
	_, err := t.exec(`INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, ms(t.now()))
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", key, err)
	}
	return nil
}

// caseFields are the columns a case's values fill, in the order caseValues gives them.
var caseFields = []string{
	"group_id", "event_key", "kind", "actor_vk_id", "operator", "user_vk_id", "user_name", "vk_reason",
	"vk_comment", "acted_at", "until", "source", "item_group", "item_place", "item_owner", "item_parent", "item_id",
	"severe", "state", "resolution", "opened_at", "deadline", "remind_at", "reminded", "overdue", "reason",
	"reason_text", "justified_at", "resolved_at", "resolved_by", "undo_problem", "undo_note", "batch_id",
}

// The case statements are built once from caseFields so that a new column is added in one
// place, not in three statements that must agree.
var (
	caseColumns = "id, " + strings.Join(caseFields, ", ") + ", version"
	insertCase  = "INSERT INTO cases (" + strings.Join(caseFields, ", ") + ", version) VALUES (" +
		strings.Repeat("?, ", len(caseFields)) + "1)"
	updateCase = "UPDATE cases SET " + strings.Join(caseFields, " = ?, ") +
		" = ?, version = version + 1 WHERE id = ? AND version = ?"
)

func caseValues(c *justify.Case) []any {
	return []any{c.GroupID, c.EventKey, c.Kind, c.ActorVKID, c.Operator, c.UserVKID, c.UserName, int(c.VKReason),
		c.VKComment, ms(c.ActedAt), ms(c.Until), c.Source, c.Item.GroupID, c.Item.Place, c.Item.OwnerID, c.Item.ParentID, c.Item.ItemID,
		b2i(c.Severe), c.State, c.Resolution, ms(c.OpenedAt), ms(c.Deadline), ms(c.RemindAt), b2i(c.Reminded), b2i(c.Overdue), c.Reason,
		c.ReasonText, ms(c.JustifiedAt), ms(c.ResolvedAt), c.ResolvedBy, c.UndoProblem, c.UndoNote, c.BatchID}
}

type scanner interface{ Scan(dest ...any) error }

// scanCase reads a row selected with caseColumns.
func scanCase(s scanner) (justify.Case, error) {
	var c justify.Case
	var actedAt, until, openedAt, deadline, remindAt, justifiedAt, resolvedAt int64
	var vkReason, reminded, overdue, severe int
	err := s.Scan(&c.ID, &c.GroupID, &c.EventKey, &c.Kind, &c.ActorVKID, &c.Operator, &c.UserVKID, &c.UserName, &vkReason,
		&c.VKComment, &actedAt, &until, &c.Source, &c.Item.GroupID, &c.Item.Place, &c.Item.OwnerID, &c.Item.ParentID, &c.Item.ItemID,
		&severe, &c.State, &c.Resolution, &openedAt, &deadline, &remindAt, &reminded, &overdue, &c.Reason,
		&c.ReasonText, &justifiedAt, &resolvedAt, &c.ResolvedBy, &c.UndoProblem, &c.UndoNote, &c.BatchID, &c.Version)
	if err != nil {
		return c, err
	}
	c.VKReason = justify.BanReason(vkReason)
	c.ActedAt, c.Until, c.OpenedAt, c.Deadline = fromMS(actedAt), fromMS(until), fromMS(openedAt), fromMS(deadline)
	c.RemindAt, c.JustifiedAt, c.ResolvedAt = fromMS(remindAt), fromMS(justifiedAt), fromMS(resolvedAt)
	c.Reminded, c.Overdue, c.Severe = reminded == 1, overdue == 1, severe == 1
	return c, nil
}

// CreateCase stores a new case, setting its ID and Version (1). The ID given is ignored.
func (t *Tx) CreateCase(c *justify.Case) error {
	res, err := t.exec(insertCase, caseValues(c)...)
	if err != nil {
		return fmt.Errorf("insert case for event %s: %w", c.EventKey, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert case for event %s: %w", c.EventKey, err)
	}
	c.ID, c.Version = justify.CaseID(id), 1
	return nil
}

// SaveCase writes c if nobody saved it since it was loaded, and bumps c.Version. A stale
// copy (or an unknown ID) writes nothing and returns an error wrapping justify.ErrConflict.
func (t *Tx) SaveCase(c *justify.Case) error {
	res, err := t.exec(updateCase, append(caseValues(c), c.ID, c.Version)...)
	if err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("save case %d at version %d: %w", c.ID, c.Version, justify.ErrConflict)
	}
	c.Version++
	return nil
}

// Case loads a case, or returns an error wrapping justify.ErrNotFound.
func (t *Tx) Case(id justify.CaseID) (justify.Case, error) {
	c, err := scanCase(t.queryRow("SELECT "+caseColumns+" FROM cases WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("case %d: %w", id, justify.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load case %d: %w", id, err)
	}
	return c, nil
}

// OpenCaseFor returns the newest open case of kind about a user in a group, or an error
// wrapping justify.ErrNotFound.
func (t *Tx) OpenCaseFor(groupID, userVKID int64, kind justify.EventKind) (justify.Case, error) {
	c, err := scanCase(t.queryRow("SELECT "+caseColumns+` FROM cases
		WHERE group_id = ? AND user_vk_id = ? AND kind = ? AND state != ? ORDER BY id DESC LIMIT 1`,
		groupID, userVKID, kind, justify.StateClosed))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("open %s case of user %d in group %d: %w", kind, userVKID, groupID, justify.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("find open %s case of user %d in group %d: %w", kind, userVKID, groupID, err)
	}
	return c, nil
}

// queryCases lists the cases a WHERE/ORDER clause selects.
func queryCases(ctx context.Context, q querier, clause string, args ...any) ([]justify.Case, error) {
	return queryAll(ctx, q, "SELECT "+caseColumns+" FROM cases "+clause, "cases", scanCase, args...)
}

// queryAll runs a query and reads every row with scan; what names the rows in errors.
func queryAll[T any](ctx context.Context, q querier, query, what string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// DueCases lists cases awaiting a reason whose reminder (not yet sent) or deadline is at
// or before now, oldest first.
func (t *Tx) DueCases(now time.Time) ([]justify.Case, error) {
	at := ms(now)
	return queryCases(t.ctx, t, `WHERE state = ?
		AND ((remind_at != 0 AND remind_at <= ? AND reminded = 0) OR deadline <= ?) ORDER BY id`,
		justify.StateAwaitingReason, at, at)
}

// CasesInState lists cases in a state, oldest first.
func (t *Tx) CasesInState(s justify.State) ([]justify.Case, error) {
	return queryCases(t.ctx, t, "WHERE state = ? ORDER BY id", s)
}

// AddDecision appends d to its case's audit trail; d.ID is ignored. The case must exist.
func (t *Tx) AddDecision(d justify.Decision) error {
	_, err := t.exec("INSERT INTO decisions (case_id, action, actor, telegram_id, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
		d.CaseID, d.Action, d.Actor, d.TelegramID, ms(d.At), d.Detail)
	if err != nil {
		return fmt.Errorf("add %s decision to case %d: %w", d.Action, d.CaseID, err)
	}
	return nil
}

// Decisions lists a case's audit trail in the order it was written.
func (t *Tx) Decisions(id justify.CaseID) ([]justify.Decision, error) {
	ds, err := queryDecisions(t.ctx, t, "WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("decisions of case %d: %w", id, err)
	}
	return ds, nil
}

// queryDecisions lists the decisions a WHERE/ORDER clause selects.
func queryDecisions(ctx context.Context, q querier, clause string, args ...any) ([]justify.Decision, error) {
	return queryAll(ctx, q, "SELECT id, case_id, action, actor, telegram_id, at, detail FROM decisions "+clause,
		"decisions", scanDecision, args...)
}

func scanDecision(s scanner) (justify.Decision, error) {
	var d justify.Decision
	var at int64
	err := s.Scan(&d.ID, &d.CaseID, &d.Action, &d.Actor, &d.TelegramID, &at, &d.Detail)
	d.At = fromMS(at)
	return d, err
}

// Enqueue adds m to the outbox, with whatever delivery state it carries (normally none),
// and returns its ID; m.ID is ignored.
func (t *Tx) Enqueue(m justify.Message) (int64, error) {
	var alertKey string
	if m.Kind == justify.MsgAlert {
		a, err := justify.ParseAlert(m.Payload)
		if err != nil {
			return 0, fmt.Errorf("enqueue alert: %w", err)
		}
		alertKey = a.Key
	}
	if m.EditOf != 0 && m.SentAt.IsZero() {
		// Edits render the latest state (or carry the latest payload), so an unsent edit of
		// the same message is superseded: a wave of repeats costs one edit, not one each.
		if _, err := t.exec(`DELETE FROM outbox WHERE edit_of = ? AND chat_id = ? AND sent_at = 0 AND attempts = 0
			AND failed = 0`, m.EditOf, m.ChatID); err != nil {
			return 0, fmt.Errorf("drop superseded edits of message %d: %w", m.EditOf, err)
		}
	}
	res, err := t.exec(`INSERT INTO outbox (case_id, chat_id, kind, edit_of, created_at, sent_at, tg_msg_id, attempts,
		next_attempt, last_error, failed, payload, alert_key, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.CaseID, m.ChatID, m.Kind, m.EditOf, ms(m.Created), ms(m.SentAt), m.TelegramMessageID, m.Attempts,
		ms(m.NextAttempt), m.LastError, b2i(m.Failed), m.Payload, alertKey, m.BatchID)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s message of case %d: %w", m.Kind, m.CaseID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("enqueue %s message of case %d: %w", m.Kind, m.CaseID, err)
	}
	return id, nil
}

// MessagesOf lists a case's original (not edit) messages of a kind, oldest first.
func (t *Tx) MessagesOf(id justify.CaseID, kind justify.MessageKind) ([]justify.Message, error) {
	return queryMessages(t.ctx, t, "WHERE case_id = ? AND kind = ? AND edit_of = 0 ORDER BY id", id, kind)
}

// SetPendingInput remembers what the bot asked a person for, replacing an earlier request.
func (t *Tx) SetPendingInput(in justify.PendingInput) error {
	_, err := t.exec(`INSERT INTO pending_inputs (telegram_id, case_id, reason, batch_id, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (telegram_id) DO UPDATE SET case_id = excluded.case_id, reason = excluded.reason,
		batch_id = excluded.batch_id, created_at = excluded.created_at`,
		in.TelegramID, in.CaseID, in.Reason, in.BatchID, ms(in.Created))
	if err != nil {
		return fmt.Errorf("save pending input of %d: %w", in.TelegramID, err)
	}
	return nil
}

// PendingInput returns what the bot asked a person for, or an error wrapping
// justify.ErrNotFound.
func (t *Tx) PendingInput(telegramID int64) (justify.PendingInput, error) {
	var in justify.PendingInput
	var created int64
	err := t.queryRow("SELECT telegram_id, case_id, reason, batch_id, created_at FROM pending_inputs WHERE telegram_id = ?",
		telegramID).Scan(&in.TelegramID, &in.CaseID, &in.Reason, &in.BatchID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("pending input of %d: %w", telegramID, justify.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("load pending input of %d: %w", telegramID, err)
	}
	in.Created = fromMS(created)
	return in, nil
}

// ClearPendingInput forgets what the bot asked a person for; clearing nothing is not an error.
func (t *Tx) ClearPendingInput(telegramID int64) error {
	if _, err := t.exec("DELETE FROM pending_inputs WHERE telegram_id = ?", telegramID); err != nil {
		return fmt.Errorf("clear pending input of %d: %w", telegramID, err)
	}
	return nil
}
