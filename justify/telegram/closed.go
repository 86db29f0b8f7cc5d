package telegram

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/modwatch/modwatch/justify"
)

// closedCatalog holds the answers to a press on a button of a closed case or batch: such a
// button does nothing any more, whatever it stood for, and says how the matter ended.
type closedCatalog struct {
	// caseClosed formats a case's number and its outcome, as plain text.
	caseClosed func(id justify.CaseID, outcome string) string
	// batchClosed formats a batch's outcome, as plain text.
	batchClosed func(outcome string) string
}

var ruClosed = closedCatalog{
	caseClosed: func(id justify.CaseID, outcome string) string {
		return fmt.Sprintf("Дело %d закрыто: %s. Эта кнопка больше не действует.", id, outcome)
	},
	batchClosed: func(outcome string) string {
		return fmt.Sprintf("Эта группа уже закрыта: %s. Эта кнопка больше не действует.", outcome)
	},
}

var enClosed = closedCatalog{
	caseClosed: func(id justify.CaseID, outcome string) string {
		return fmt.Sprintf("Case %d is closed: %s. This button no longer works.", id, outcome)
	},
	batchClosed: func(outcome string) string {
		return fmt.Sprintf("This group is closed: %s. This button no longer works.", outcome)
	},
}

// closedAnswer tells whether btn belongs to a case or batch that is closed and, if so, the
// answer to the press. It is asked before the button's action, so that a stale button
// gets the case's outcome rather than an error about a step no longer possible.
func (b *Bot) closedAnswer(ctx context.Context, btn justify.Button) (string, bool, error) {
	cc, bc := b.r.cat.closed, b.r.cat.batch
	if btn.BatchID != 0 {
		bt, _, err := b.deps.Service.Batch(ctx, btn.BatchID, 0)
		if err != nil {
			return "", false, fmt.Errorf("load batch %d of a button: %w", btn.BatchID, err)
		}
		if bt.State != justify.BatchClosed {
			return "", false, nil
		}
		outcome := bc.approvedAll(bt.Approved, esc(bt.ResolvedBy, maxName), b.r.get().time(bt.ResolvedAt))
		switch {
		case bt.Split && (bt.Reason != "" || bt.Overdue):
			outcome = bc.splitReview(esc(bt.ResolvedBy, maxName)) // a manager took it one by one
		case bt.Split:
			outcome = bc.split(esc(bt.ResolvedBy, maxName)) // the operator did, while it was open
		}
		return cc.batchClosed(plainText(outcome)), true, nil
	}
	c, _, err := b.deps.Service.Case(ctx, btn.CaseID)
	if err != nil {
		return "", false, fmt.Errorf("load case %d of a button: %w", btn.CaseID, err)
	}
	if c.Open() {
		return "", false, nil
	}
	return cc.caseClosed(c.ID, plainText(b.r.get().outcome(c))), true, nil
}

// plainText turns one of the catalog's HTML texts into the plain text a callback answer
// shows, without its final full stop, for a sentence to go on.
func plainText(s string) string {
	s = html.UnescapeString(strings.NewReplacer("<b>", "", "</b>", "").Replace(s))
	return strings.TrimSuffix(strings.TrimSpace(s), ".")
}
