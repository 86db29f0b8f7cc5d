// Package justify is modwatch's domain: moderation events, the cases they open, the
// decisions taken on them and the people who take them. It does no I/O and imports only
// the standard library: watchers feed it events, the Telegram adapter feeds it people's
// answers, the store (store.go) keeps its state, and a Reverser undoes actions in VK.
//
// The path of one event, file by file:
//
//   - event.go: a watcher turns what VK sent into an Event.
//   - inbox.go: a long-poll answer is kept as it came, with the watcher's cursor
//     (RecordPoll), and the deriver (RunInbox) takes what opens cases first, across
//     answers, then the rest in VK's order.
//   - service.go: Service.Ingest records it once (its key deduplicates redeliveries), and
//     apply hands it to its kind's rules. ingest.go records a batch: what opens cases
//     first, the rest in chunks behind it, a cursor with the last; the conversations and
//     waves a batch touched are rebuilt and checked once, at its end.
//   - bans.go, deletions.go, tickets.go: a ban or an admin's deletion opens a Case
//     (case.go) for the operator who acted (person.go); what customers write and what the
//     community answers is kept as tickets, the evidence a deletion case shows.
//   - conversations.go, dialogs.go, signs.go: every message and reply of a conversation
//     (community messages, comment threads) is kept with VK's own date, and the
//     conversation's dialogs are built again, with the signs of shirking found in them
//     (lexicon.go tells greetings and holding replies from answers, shifts.go working
//     hours, idle.go idle time, unanswered.go conversations closed without a reply);
//     facts.go is what reports count of them.
//   - waves.go, batch.go, alerts.go: many actions by one admin raise an alert, and an
//     operator's wave is asked about as one batch; unknown admins and deleted unanswered
//     requests alert managers at once.
//   - messages.go: each change queues its Telegram messages (a prompt to the operator, a
//     review to managers) in the outbox, in the same transaction; the adapter sends them.
//   - decisions.go: the operator's reason and the managers' approval, each an entry of the
//     case's audit trail; deadlines.go reminds and escalates when no reason comes.
//   - reversal.go, reversals.go: a manager's reversal is recorded at once and carried out
//     in VK in the background (RunReversals); VK's answer, or its own unban or restore
//     event, closes the case.
//   - digest.go: owners' periodic summaries.
package justify
