package demo

import (
	"context"
	"strings"

	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// spotCheck is the story's spot check: Olga asks for a dialog of Ivan's to spot-check
// with /qa, reads it, grades it Bad and comments by replying. The verdict counts in the
// digest (qa_bad) and is in the trail.
func (d *demo) spotCheck(ctx context.Context) error {
	d.say("   Spot check: Olga asks for one of Ivan's dialogs with /qa (rounds come weekly, qa.every), reads it")
	d.say("   as the customer saw it, grades it Bad and, replying to it, says why.")
	d.tg.SendText(demoManagerTG, "/qa")
	spot, err := d.waitMessage(ctx, demoManagerTG, "the spot check", func(m telegramtest.Msg) bool {
		return len(buttons(m)) == 2 && strings.Contains(m.Text, "Ivan Petrov") && strings.Contains(m.Text, "🔎")
	})
	if err != nil {
		return err
	}
	d.tg.PressButton(demoManagerTG, spot.ID, buttons(spot)[1].Data)
	if err := d.waitFor(ctx, "the verdict on the message", func() bool {
		m, _ := d.tg.Message(demoManagerTG, spot.ID)
		return strings.Contains(m.Text, "Olga Smirnova,")
	}); err != nil {
		return err
	}
	d.tg.Reply(demoManagerTG, spot.ID, "No answer to the customer's question")
	return d.waitFor(ctx, "the comment on the message", func() bool {
		m, _ := d.tg.Message(demoManagerTG, spot.ID)
		return strings.Contains(m.Text, "No answer to the customer")
	})
}
