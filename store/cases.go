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

var _ justify.CaseStore = (*Tx)(nil)

// caseFields are the columns a case's values fill, in the order caseValues gives them.
var caseFields = []string{
	"group_id", "event_key", "kind", "actor_vk_id", "operator", "user_vk_id", "user_name", "vk_reason",
	"vk_comment", "acted_at", "until", "source", "item_group", "item_place", "item_owner", "item_parent", "item_id",
	"severe", "state", "resolution", "opened_at", "deadline", "remind_at", "reminded", "overdue", "reason",
	"reason_text", "justified_at", "resolved_at", "resolved_by", "undo_problem", "undo_note", "batch_id",
	"actor_role", "asked_at", "not_asked",
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
		c.ReasonText, ms(c.JustifiedAt), ms(c.ResolvedAt), c.ResolvedBy, c.UndoProblem, c.UndoNote, c.BatchID,
		c.ActorRole, ms(c.AskedAt), b2i(c.NotAsked)}
}

// scanCase reads a row selected with caseColumns.
func scanCase(s scanner) (justify.Case, error) {
	var c justify.Case
	var actedAt, until, openedAt, deadline, remindAt, justifiedAt, resolvedAt, askedAt int64
	var vkReason, reminded, overdue, severe, notAsked int
	err := s.Scan(&c.ID, &c.GroupID, &c.EventKey, &c.Kind, &c.ActorVKID, &c.Operator, &c.UserVKID, &c.UserName, &vkReason,
		&c.VKComment, &actedAt, &until, &c.Source, &c.Item.GroupID, &c.Item.Place, &c.Item.OwnerID, &c.Item.ParentID, &c.Item.ItemID,
		&severe, &c.State, &c.Resolution, &openedAt, &deadline, &remindAt, &reminded, &overdue, &c.Reason,
		&c.ReasonText, &justifiedAt, &resolvedAt, &c.ResolvedBy, &c.UndoProblem, &c.UndoNote, &c.BatchID,
		&c.ActorRole, &askedAt, &notAsked, &c.Version)
	if err != nil {
		return c, err
	}
	c.VKReason = justify.BanReason(vkReason)
	c.ActedAt, c.Until, c.OpenedAt, c.Deadline = fromMS(actedAt), fromMS(until), fromMS(openedAt), fromMS(deadline)
	c.RemindAt, c.JustifiedAt, c.ResolvedAt, c.AskedAt = fromMS(remindAt), fromMS(justifiedAt), fromMS(resolvedAt), fromMS(askedAt)
	c.Reminded, c.Overdue, c.Severe, c.NotAsked = reminded == 1, overdue == 1, severe == 1, notAsked == 1
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

// OpenCasesFor lists the open cases of kind about a user in a group, oldest first.
func (t *Tx) OpenCasesFor(groupID, userVKID int64, kind justify.EventKind) ([]justify.Case, error) {
	cs, err := queryCases(t.ctx, t, "WHERE group_id = ? AND user_vk_id = ? AND kind = ? AND state != ? ORDER BY id",
		groupID, userVKID, kind, justify.StateClosed)
	if err != nil {
		return nil, fmt.Errorf("list open %s cases of user %d in group %d: %w", kind, userVKID, groupID, err)
	}
	return cs, nil
}

// OpenCaseForItem returns the newest open case about an item, or ErrNotFound.
func (t *Tx) OpenCaseForItem(ref justify.Ref) (justify.Case, error) {
	c, err := scanCase(t.queryRow("SELECT "+caseColumns+` FROM cases
		WHERE item_place = ? AND item_owner = ? AND item_parent = ? AND item_id = ? AND item_group = ? AND state != ?
		ORDER BY id DESC LIMIT 1`, ref.Place, ref.OwnerID, ref.ParentID, ref.ItemID, ref.GroupID, justify.StateClosed))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("open case of %s: %w", ref.Key(), justify.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("find open case of %s: %w", ref.Key(), err)
	}
	return c, nil
}

// queryCases lists the cases a WHERE/ORDER clause selects.
func queryCases(ctx context.Context, q querier, clause string, args ...any) ([]justify.Case, error) {
	return queryAll(ctx, q, "SELECT "+caseColumns+" FROM cases "+clause, "cases", scanCase, args...)
}

// DueCases lists cases awaiting a reason whose reminder (not yet sent) or deadline is at
// or before now, oldest first. A case whose operator was not asked yet is never due: its
// deadline runs from the moment its prompt is delivered.
func (t *Tx) DueCases(now time.Time) ([]justify.Case, error) {
	at := ms(now)
	return queryCases(t.ctx, t, `WHERE state = ? AND asked_at != 0
		AND ((remind_at != 0 AND remind_at <= ? AND reminded = 0) OR deadline <= ?) ORDER BY id`,
		justify.StateAwaitingReason, at, at)
}

// CasesInState lists cases in a state, oldest first.
func (t *Tx) CasesInState(s justify.State) ([]justify.Case, error) {
	return queryCases(t.ctx, t, "WHERE state = ? ORDER BY id", s)
}

// Case loads one case, or returns an error wrapping justify.ErrNotFound.
func (db *DB) Case(ctx context.Context, id justify.CaseID) (justify.Case, error) {
	var c justify.Case
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.Case(id)
		return err
	})
	return c, err
}

// CasesInState lists the cases in a state, oldest first, as Tx.CasesInState does, in a
// read of its own: the queue that /pending shows.
func (db *DB) CasesInState(ctx context.Context, s justify.State) ([]justify.Case, error) {
	return queryCases(ctx, db.read, "WHERE state = ? ORDER BY id", s)
}

// CasesIn lists up to limit cases (all when limit <= 0) in a state, newest first; an empty
// state lists every case, like ListCases.
func (db *DB) CasesIn(ctx context.Context, state justify.State, limit int) ([]justify.Case, error) {
	if state == "" {
		return db.ListCases(ctx, limit)
	}
	return queryCases(ctx, db.read, "WHERE state = ? ORDER BY id DESC LIMIT ?", state, limitOrAll(limit))
}

// ListCases lists up to limit cases (all when limit <= 0), newest first, for the CLI.
func (db *DB) ListCases(ctx context.Context, limit int) ([]justify.Case, error) {
	return queryCases(ctx, db.read, "ORDER BY id DESC LIMIT ?", limitOrAll(limit))
}

// Stats counts cases by state, for /metrics. States with no case are absent.
func (db *DB) Stats(ctx context.Context) (map[justify.State]int, error) {
	out := map[justify.State]int{}
	err := countRows(ctx, db.read, "SELECT state, COUNT(*) FROM cases GROUP BY state", func(rows *sql.Rows) error {
		var s justify.State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		out[s] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count cases by state: %w", err)
	}
	return out, nil
}
