package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// Reach says, for every chat the outbox ever wrote to or whose person pressed Start, when a
// message last reached it, when they last pressed Start, and whether Telegram refuses the
// bot there now: a message it refused with 403 (never pressed Start, or blocked the bot)
// that was not sent since, with nothing delivered after it. That is how the bot itself
// knows; `config check --online` reports it.
func (db *DB) Reach(ctx context.Context) (map[int64]justify.Reach, error) {
	out := map[int64]justify.Reach{}
	err := db.view(ctx, func(tx *Tx) error {
		type row struct {
			chat, at int64
			err      string
		}
		scan := func(s scanner) (row, error) {
			var r row
			return r, s.Scan(&r.chat, &r.at, &r.err)
		}
		sent, err := queryAll(ctx, tx, `SELECT chat_id, MAX(sent_at), '' FROM outbox WHERE sent_at != 0 GROUP BY chat_id`,
			"delivered chats", scan)
		if err != nil {
			return err
		}
		// The same refusal RetryUnreachable undoes when the person presses Start.
		refused, err := queryAll(ctx, tx, `SELECT chat_id, created_at, last_error FROM outbox
			WHERE failed = 1 AND sent_at = 0 AND last_error LIKE 'Forbidden%' ORDER BY created_at, id`,
			"refused messages", scan)
		if err != nil {
			return err
		}
		// When each person last pressed Start, which the bot records as a cursor.
		starts, err := queryAll(ctx, tx, `SELECT key, value FROM cursors WHERE key LIKE ? ESCAPE '\'`, "starts",
			func(s scanner) ([2]string, error) {
				var kv [2]string
				return kv, s.Scan(&kv[0], &kv[1])
			}, strings.ReplaceAll(justify.StartedCursorPrefix, "_", `\_`)+"%")
		if err != nil {
			return err
		}
		for _, r := range sent {
			out[r.chat] = justify.Reach{ChatID: r.chat, LastSent: fromMS(r.at)}
		}
		for _, r := range refused {
			reach := out[r.chat]
			reach.ChatID = r.chat
			// A message delivered after the refused one was written shows the bot may write
			// again (the person unblocked it).
			if at := fromMS(r.at); !reach.LastSent.After(at) {
				reach.Refused, reach.RefusedAt = r.err, at
			}
			out[r.chat] = reach
		}
		for _, kv := range starts {
			chat, err := strconv.ParseInt(strings.TrimPrefix(kv[0], justify.StartedCursorPrefix), 10, 64)
			at, terr := time.Parse(time.RFC3339, kv[1])
			if err != nil || terr != nil {
				continue // not a mark this version wrote
			}
			reach := out[chat]
			reach.ChatID, reach.Started = chat, at.UTC()
			out[chat] = reach
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read whom the bot reaches: %w", err)
	}
	return out, nil
}
