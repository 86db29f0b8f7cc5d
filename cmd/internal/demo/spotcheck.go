package demo

import (
	"context"
	"strings"
	"time"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/justify"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// demoSpotCustomer writes to the community in the spot check's dialog.
const demoSpotCustomer = 5003

// spotCheck is the story's spot check: a customer writes in community messages and Ivan
// only greets her; Olga asks for a dialog to spot-check with /qa, reads it, grades it Bad
// and comments by replying. The verdict counts in the digest (qa_bad) and is in the trail.
func (d *demo) spotCheck(ctx context.Context, dm *daemon.Daemon) error {
	d.say("Spot check: Nina writes in community messages; Ivan only greets her.")
	d.vk.SetName(demoSpotCustomer, "Nina", "Volkova")
	d.vk.Message(demoGroup, demoSpotCustomer, "Hello! The parcel came damaged, what do I do?")
	d.vk.MessageReply(demoGroup, demoSpotCustomer, demoOperatorVK, "Hello!")
	if err := d.waitFor(ctx, "Nina's dialog to be built", func() bool { return d.ivansDialogs(ctx, dm) > 0 }); err != nil {
		return err
	}
	d.say("   Olga asks for a dialog to spot-check with /qa (the schedule sends them weekly, qa.every).")
	d.tg.SendText(demoManagerTG, "/qa")
	spot, err := d.waitMessage(ctx, demoManagerTG, "the spot check", func(m telegramtest.Msg) bool {
		return len(buttons(m)) == 2 && strings.Contains(m.Text, "Ivan Petrov") && strings.Contains(m.Text, "🔎")
	})
	if err != nil {
		return err
	}
	d.say("   Olga grades it Bad and, replying to it, says why.")
	d.tg.PressButton(demoManagerTG, spot.ID, buttons(spot)[1].Data)
	if err := d.waitFor(ctx, "the verdict on the message", func() bool {
		m, _ := d.tg.Message(demoManagerTG, spot.ID)
		return strings.Contains(m.Text, "Olga Smirnova,")
	}); err != nil {
		return err
	}
	d.tg.Reply(demoManagerTG, spot.ID, "Greeted and never answered the question")
	return d.waitFor(ctx, "the comment on the message", func() bool {
		m, _ := d.tg.Message(demoManagerTG, spot.ID)
		return strings.Contains(m.Text, "Greeted and never answered")
	})
}

// ivansDialogs counts the dialogs of the last day Ivan replied to first and nobody
// spot-checked yet.
func (d *demo) ivansDialogs(ctx context.Context, dm *daemon.Daemon) int {
	n := 0
	err := dm.Store().View(ctx, func(tx justify.Tx) error {
		ds, err := tx.SpotCandidates(demoOperatorVK, time.Now().Add(-24*time.Hour), time.Now().Add(time.Minute))
		n = len(ds)
		return err
	})
	if err != nil {
		return -1
	}
	return n
}
