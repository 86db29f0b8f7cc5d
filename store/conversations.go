package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

var _ justify.ConversationStore = (*Tx)(nil)

const convColumns = `id, key, group_id, conv, place, owner_id, parent_id, item_id, customer_vk_id, side, admin_vk_id,
	automatic, text, ticket_key, class, first_class, hash, at, edited_at, deleted_at, wrote_after`

func scanConvMessage(s scanner) (justify.ConvMessage, error) {
	var m justify.ConvMessage
	var class, first string
	var automatic, wrote int
	var at, edited, deleted int64
	err := s.Scan(&m.ID, &m.Key, &m.GroupID, &m.Conv, &m.Ref.Place, &m.Ref.OwnerID, &m.Ref.ParentID, &m.Ref.ItemID,
		&m.CustomerVKID, &m.Side, &m.AdminVKID, &automatic, &m.Text, &m.TicketKey, &class, &first, &m.Hash,
		&at, &edited, &deleted, &wrote)
	if err != nil {
		return m, err
	}
	m.Ref.GroupID = m.GroupID
	m.Automatic, m.WroteAfter = automatic == 1, wrote == 1
	if m.Side == justify.SideCustomer {
		m.Customer = justify.CustomerClass(class)
	} else {
		m.Reply, m.FirstReply = justify.ReplyClass(class), justify.ReplyClass(first)
	}
	m.At, m.EditedAt, m.DeletedAt = fromMS(at), fromMS(edited), fromMS(deleted)
	return m, nil
}

// PutConvMessage stores m under its key, new or in place of prev.
func (t *Tx) PutConvMessage(m *justify.ConvMessage, prev *justify.ConvMessage) error {
	class := string(m.Reply)
	if m.Side == justify.SideCustomer {
		class = string(m.Customer)
	}
	values := []any{m.GroupID, m.Conv, m.Ref.Place, m.Ref.OwnerID, m.Ref.ParentID, m.Ref.ItemID, m.CustomerVKID, m.Side,
		m.AdminVKID, b2i(m.Automatic), m.Text, m.TicketKey, class, string(m.FirstReply), m.Hash, ms(m.At), ms(m.EditedAt),
		ms(m.DeletedAt)}
	if prev == nil {
		res, err := t.exec(`INSERT INTO conv_messages (group_id, conv, place, owner_id, parent_id, item_id, customer_vk_id,
			side, admin_vk_id, automatic, text, ticket_key, class, first_class, hash, at, edited_at, deleted_at, key,
			received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(values, m.Key, ms(t.now()))...)
		if err != nil {
			return fmt.Errorf("insert conversation message %s: %w", m.Key, err)
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert conversation message %s: %w", m.Key, err)
		}
		t.remember(m, false)
	} else {
		m.ID = prev.ID
		if _, err := t.exec(`UPDATE conv_messages SET group_id = ?, conv = ?, place = ?, owner_id = ?, parent_id = ?,
			item_id = ?, customer_vk_id = ?, side = ?, admin_vk_id = ?, automatic = ?, text = ?, ticket_key = ?, class = ?,
			first_class = ?, hash = ?, at = ?, edited_at = ?, deleted_at = ? WHERE id = ?`, append(values, m.ID)...); err != nil {
			return fmt.Errorf("update conversation message %s: %w", m.Key, err)
		}
		t.remember(m, prev.WroteAfter)
	}
	if m.Hash != 0 && m.Template != "" {
		if _, err := t.exec(`INSERT INTO phrases (group_id, admin_vk_id, hash, text) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, m.GroupID, m.AdminVKID, m.Hash, m.Template); err != nil {
			return fmt.Errorf("keep phrase %d: %w", m.Hash, err)
		}
	}
	// A reply with a template hash is in its hour's roll-up.
	if prev != nil && prev.Hash != 0 {
		if err := t.markHour(prev.GroupID, prev.At); err != nil {
			return err
		}
	}
	if m.Hash != 0 {
		return t.markHour(m.GroupID, m.At)
	}
	return nil
}

// ConvMessage loads a conversation message by key, or returns justify.ErrNotFound.
func (t *Tx) ConvMessage(key string) (justify.ConvMessage, error) {
	if m, ok := t.convs[key]; ok {
		if m == nil {
			return justify.ConvMessage{}, fmt.Errorf("conversation message %s: %w", key, justify.ErrNotFound)
		}
		return *m, nil
	}
	m, err := scanConvMessage(t.queryRow("SELECT "+convColumns+" FROM conv_messages WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("conversation message %s: %w", key, justify.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("load conversation message %s: %w", key, err)
	}
	return m, nil
}

// PrefetchConvMessages reads the conversation messages stored under keys in a few
// queries, for the ConvMessage calls of the rest of the transaction: a batch asks for
// each of its messages, nearly always new, and a query each cost more than recording them.
// What the transaction stores afterwards keeps the read current.
func (t *Tx) PrefetchConvMessages(keys []string) error {
	if t.convs == nil {
		t.convs = map[string]*justify.ConvMessage{}
	}
	return inChunks(keys, func(placeholders string, args []any) error {
		found, err := queryAll(t.ctx, t, "SELECT "+convColumns+" FROM conv_messages WHERE key IN ("+placeholders+")",
			"conversation messages", scanConvMessage, args...)
		if err != nil {
			return err
		}
		for _, a := range args {
			t.convs[a.(string)] = nil
		}
		for i := range found {
			t.convs[found[i].Key] = &found[i]
		}
		return nil
	})
}

// remember keeps m, just stored, for ConvMessage as it would read it back.
func (t *Tx) remember(m *justify.ConvMessage, wroteAfter bool) {
	if t.convs == nil {
		return
	}
	r := justify.ConvMessage{ID: m.ID, Key: m.Key, GroupID: m.GroupID, Conv: m.Conv, Ref: m.Ref,
		CustomerVKID: m.CustomerVKID, Side: m.Side, AdminVKID: m.AdminVKID, Automatic: m.Automatic, Text: m.Text,
		TicketKey: m.TicketKey, Hash: m.Hash, At: fromMS(ms(m.At)), EditedAt: fromMS(ms(m.EditedAt)),
		DeletedAt: fromMS(ms(m.DeletedAt)), WroteAfter: wroteAfter}
	r.Ref.GroupID = r.GroupID
	if r.Side == justify.SideCustomer {
		r.Customer = m.Customer
	} else {
		r.Reply, r.FirstReply = m.Reply, m.FirstReply
	}
	t.convs[m.Key] = &r
}

// ConvMessages lists a conversation's messages dated at or after from, by date.
func (t *Tx) ConvMessages(conv string, from time.Time) ([]justify.ConvMessage, error) {
	return queryAll(t.ctx, t, "SELECT "+convColumns+" FROM conv_messages WHERE conv = ? AND at >= ? ORDER BY at, id",
		"conversation messages", scanConvMessage, conv, ms(from))
}

// ThreadConv finds the customer who last wrote in a comment thread at or before at.
func (t *Tx) ThreadConv(ref justify.Ref, at time.Time) (string, int64, error) {
	var conv string
	var customer int64
	err := t.queryRow(`SELECT conv, customer_vk_id FROM conv_messages WHERE group_id = ? AND place = ? AND owner_id = ?
		AND parent_id = ? AND at <= ? AND place != 'message' AND side = 'customer' ORDER BY at DESC, id DESC LIMIT 1`,
		ref.GroupID, ref.Place, ref.OwnerID, ref.ParentID, ms(at)).Scan(&conv, &customer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("thread %s: %w", ref.Key(), justify.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("find the customer of thread %s: %w", ref.Key(), err)
	}
	return conv, customer, nil
}

// CustomerName returns the newest name known of a customer in a group, "" when none.
func (t *Tx) CustomerName(groupID, vkID int64) (string, error) {
	var name string
	err := t.queryRow(`SELECT author_name FROM tickets WHERE author_vk_id = ? AND group_id = ? AND author_name != ''
		ORDER BY created_at DESC LIMIT 1`, vkID, groupID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the name of %d: %w", vkID, err)
	}
	return name, nil
}
