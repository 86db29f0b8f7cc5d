package justify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// The rounds of spot checks (spotchecks.go): which dialogs, to whom, and the verdicts.

// maxSpotComment bounds a manager's comment on a spot check, in characters: a comment is a
// note, not a report, and it is shown back in Telegram.
const maxSpotComment = 2000

// SpotRound says what a round of spot checks did.
type SpotRound struct {
	// At is the end of the round's period; zero when no round was due.
	At time.Time
	// Sent counts the dialogs sent to managers.
	Sent int
	// Uncovered counts, per community, the dialogs of the period that could not be
	// spot-checked because no manager covers the community.
	Uncovered map[int64]int
}

// roundSpec is what one round samples.
type roundSpec struct {
	from, to time.Time // the dialogs started in [from, to)
	sample   int       // dialogs per operator
	// only is the one manager or owner the round is for (/qa): only the communities of
	// their scope, and every dialog goes to them.
	only *Person
}

// TickSpotChecks runs the scheduled round of spot checks when one is due. The schedule is
// kept in the store (SpotCheckCursor) in the same transaction as the round, so a restart
// never sends a round twice, and after downtime only the latest round missed is sent, not
// every one. The first call only starts the schedule: the first round comes qa.every later.
func (s *Service) TickSpotChecks(ctx context.Context) (SpotRound, error) {
	set := s.settings()
	if set.QA.Every <= 0 || set.QA.Sample <= 0 {
		return SpotRound{}, nil
	}
	now := s.now()
	var out SpotRound
	err := s.Store.Update(ctx, func(tx Tx) error {
		last, err := tx.Cursor(SpotCheckCursor)
		if err != nil {
			return err
		}
		if last == "" {
			return tx.SaveCursor(SpotCheckCursor, now.UTC().Format(time.RFC3339Nano))
		}
		lastAt, err := time.Parse(time.RFC3339Nano, last)
		if err != nil {
			return fmt.Errorf("read the time of the last spot checks %q: %w", last, err)
		}
		at, due := nextRound(lastAt, now, set.QA.Every)
		if !due {
			return nil
		}
		if out, err = s.round(tx, set, roundSpec{from: at.Add(-set.QA.Every), to: at, sample: set.QA.Sample}); err != nil {
			return err
		}
		out.At = at
		return tx.SaveCursor(SpotCheckCursor, at.UTC().Format(time.RFC3339Nano))
	})
	if err != nil {
		return SpotRound{}, fmt.Errorf("send spot checks: %w", err)
	}
	return out, nil
}

// nextRound returns the latest round time due by now, last plus a whole number of periods,
// and whether any is due: rounds keep to their times, and a missed round is sent once.
func nextRound(last, now time.Time, every time.Duration) (time.Time, bool) {
	if now.Before(last.Add(every)) {
		return time.Time{}, false
	}
	return last.Add(now.Sub(last) / every * every), true
}

// SpotCheckNow sends the manager or owner behind tgID one more sample at once (/qa): one
// dialog of each operator of their scope from the last qa.every (DefaultQAPeriod when
// rounds are off) not spot-checked before. It returns how many were sent.
func (s *Service) SpotCheckNow(ctx context.Context, tgID int64) (int, error) {
	set := s.settings()
	p, ok := set.People.ByTelegram(tgID)
	if !ok || (p.Role != RoleManager && p.Role != RoleOwner) {
		return 0, ErrForbidden
	}
	period := set.QA.Every
	if period <= 0 {
		period = DefaultQAPeriod
	}
	now := s.now()
	var out SpotRound
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		out, err = s.round(tx, set, roundSpec{from: now.Add(-period), to: now, sample: 1, only: &p})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("send spot checks to %s: %w", p.Name, err)
	}
	return out.Sent, nil
}

// round samples each operator's dialogs of the period and sends each to a manager.
func (s *Service) round(tx Tx, set *Settings, spec roundSpec) (SpotRound, error) {
	out := SpotRound{Uncovered: map[int64]int{}}
	now := s.now()
	assigned := map[string]int{}
	for _, op := range spotOperators(set.People) {
		if spec.only != nil && spec.only.Name == op.Name {
			continue // nobody grades their own dialogs
		}
		cands, err := tx.SpotCandidates(op.VKID, spec.from, spec.to)
		if err != nil {
			return out, err
		}
		cands = slices.DeleteFunc(cands, func(d Dialog) bool {
			_, watched := set.Communities[d.GroupID]
			switch {
			case !watched || (spec.only != nil && !spec.only.Covers(d.GroupID)):
				return true
			case spec.only == nil && len(spotManagers(set.People, d.GroupID, op.Name)) == 0:
				out.Uncovered[d.GroupID]++
				return true
			}
			return false
		})
		s.shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		picked := 0
		for _, d := range cands {
			if picked == spec.sample {
				break
			}
			m := spec.only
			if m == nil {
				m = leastAssigned(spotManagers(set.People, d.GroupID, op.Name), assigned)
			}
			assigned[m.Name]++
			sc := SpotCheck{RoundAt: spec.to, GroupID: d.GroupID, Conv: d.Conv, Place: d.Place, CustomerVKID: d.CustomerVKID,
				Link: d.Link, StartedAt: d.StartedAt, LastAt: d.LastAt, OperatorVKID: op.VKID, Operator: op.Name, Created: now}
			if spec.only != nil {
				sc.RequestedBy = spec.only.Name
			}
			if err := s.sendSpotCheck(tx, &sc, *m); err != nil {
				return out, err
			}
			picked++
			out.Sent++
		}
	}
	return out, s.alertUncovered(tx, set, out.Uncovered)
}

// spotOperators are the people whose dialogs are spot-checked: everyone who answers
// customers from a VK account (operators, and managers or owners who moderate too).
func spotOperators(people *Directory) []Person {
	var out []Person
	for _, p := range people.All() {
		if p.VKID != 0 {
			out = append(out, p)
		}
	}
	return out
}

// spotManagers are the managers who may grade an operator's dialog in a community: those
// whose scope covers it, but not the operator themselves.
func spotManagers(people *Directory, groupID int64, operator string) []Person {
	return slices.DeleteFunc(people.InScope(groupID, RoleManager), func(p Person) bool { return p.Name == operator })
}

// leastAssigned is the manager given the fewest dialogs so far in the round, the first by
// name among equals: a round spreads evenly.
func leastAssigned(ms []Person, assigned map[string]int) *Person {
	best := 0
	for i := range ms {
		if assigned[ms[i].Name] < assigned[ms[best].Name] {
			best = i
		}
	}
	return &ms[best]
}

// shuffle puts a round's candidates in random order; Service.Shuffle replaces it in tests.
func (s *Service) shuffle(n int, swap func(i, j int)) {
	if s.Shuffle != nil {
		s.Shuffle(n, swap)
		return
	}
	rand.Shuffle(n, swap)
}

// sendSpotCheck stores a spot check for manager m and queues its message.
func (s *Service) sendSpotCheck(tx Tx, sc *SpotCheck, m Person) error {
	sc.Manager, sc.ManagerTG = m.Name, m.TelegramID
	if err := tx.CreateSpotCheck(sc); err != nil {
		return fmt.Errorf("create spot check of %s: %w", sc.Conv, err)
	}
	detail := "to " + m.Name
	if sc.RequestedBy != "" {
		detail += " (asked for with /qa)"
	}
	if err := tx.AddSpotCheckEntry(SpotCheckEntry{SpotCheckID: sc.ID, Action: SpotSent, Actor: "modwatch", At: sc.Created,
		Detail: detail}); err != nil {
		return err
	}
	_, err := tx.Enqueue(Message{ChatID: m.TelegramID, Kind: MsgSpotCheck, Created: sc.Created, Payload: spotPayload(sc.ID)})
	return err
}

func spotPayload(id SpotCheckID) string { return strconv.FormatInt(int64(id), 10) }

// ParseSpotPayload reads the spot check an outbox message shows.
func ParseSpotPayload(payload string) (SpotCheckID, error) {
	n, err := strconv.ParseInt(payload, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("spot check message payload %q: not a spot check id", payload)
	}
	return SpotCheckID(n), nil
}

// alertUncovered tells the owners of each community no manager covers that its dialogs
// were not spot-checked; they are left for a later round, once someone covers it.
func (s *Service) alertUncovered(tx Tx, set *Settings, uncovered map[int64]int) error {
	groups := make([]int64, 0, len(uncovered))
	for g := range uncovered {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i] < groups[j] })
	for _, g := range groups {
		name := set.Communities[g].Name
		if name == "" {
			name = fmt.Sprintf("club%d", g)
		}
		owners := set.People.InScope(g, RoleOwner)
		a := Alert{Kind: AlertSpotCheck, GroupID: g, Key: fmt.Sprintf("spot_check_uncovered:%d", g), Subject: name, Count: 1,
			Detail: fmt.Sprintf("%d dialogs of the period were not spot-checked: no manager covers this community", uncovered[g]),
			At:     s.now()}
		if len(owners) == 0 {
			owners = nil // whoever alerts of the community reach
		}
		if err := s.alertTo(tx, a, owners); err != nil {
			return err
		}
	}
	return nil
}

// GradeSpotCheck records the verdict of the manager behind tgID on a spot check sent to
// them. The same manager may change it later (the trail keeps both); a press on someone
// else's spot check is ErrNotYours. It returns the spot check as saved.
func (s *Service) GradeSpotCheck(ctx context.Context, tgID int64, id SpotCheckID, v Verdict) (SpotCheck, error) {
	if !v.Valid() {
		return SpotCheck{}, fmt.Errorf("verdict %q: %w", v, ErrForbidden)
	}
	return s.changeSpotCheck(ctx, tgID, func(tx Tx) (SpotCheck, error) { return tx.SpotCheck(id) },
		func(tx Tx, p Person, sc *SpotCheck) (*SpotCheckEntry, error) {
			if sc.Verdict == v {
				return nil, nil
			}
			e := &SpotCheckEntry{Action: SpotGraded, Detail: string(v)}
			if sc.Graded() {
				e.Action, e.Detail = SpotRegraded, fmt.Sprintf("%s → %s", sc.Verdict, v)
			}
			sc.Verdict, sc.VerdictBy, sc.VerdictTG, sc.VerdictAt = v, p.Name, tgID, s.now()
			return e, nil
		})
}

// CommentSpotCheck records the comment the manager behind tgID gave by replying to the
// spot check shown as message msgID of chat. A message that shows no spot check is
// ErrNotFound; another's spot check ErrNotYours.
func (s *Service) CommentSpotCheck(ctx context.Context, tgID, chat int64, msgID int, text string) (SpotCheck, error) {
	if utf8.RuneCountInString(text) > maxSpotComment {
		text = string([]rune(text)[:maxSpotComment]) + "…"
	}
	return s.changeSpotCheck(ctx, tgID, func(tx Tx) (SpotCheck, error) { return tx.SpotCheckAt(chat, msgID) },
		func(tx Tx, p Person, sc *SpotCheck) (*SpotCheckEntry, error) {
			sc.Comment = text
			return &SpotCheckEntry{Action: SpotCommented, Detail: text}, nil
		})
}

// changeSpotCheck loads a spot check, lets fn change it as its manager, and saves it with
// the trail entry fn returns (nil: nothing changed), in one transaction.
func (s *Service) changeSpotCheck(ctx context.Context, tgID int64, load func(Tx) (SpotCheck, error),
	fn func(Tx, Person, *SpotCheck) (*SpotCheckEntry, error)) (SpotCheck, error) {
	p, ok := s.settings().People.ByTelegram(tgID)
	if !ok {
		return SpotCheck{}, ErrForbidden
	}
	var out SpotCheck
	err := s.Store.Update(ctx, func(tx Tx) error {
		sc, err := load(tx)
		if err != nil {
			return err
		}
		out = sc
		if sc.ManagerTG != tgID {
			return ErrNotYours
		}
		e, err := fn(tx, p, &sc)
		if err != nil || e == nil {
			return err
		}
		if err := tx.SaveSpotCheck(sc); err != nil {
			return err
		}
		e.SpotCheckID, e.Actor, e.TelegramID, e.At = sc.ID, p.Name, tgID, s.now()
		out = sc
		return tx.AddSpotCheckEntry(*e)
	})
	return out, err
}

// spotDelivered records where a spot check was shown, or, when it reached nobody, passes it
// to another manager of the community (one not lost before); with none left it stays
// ungraded, and the alert of the lost message (alertLost) tells managers and owners.
func (s *Service) spotDelivered(tx Tx, d Delivery) error {
	id, err := ParseSpotPayload(d.Message.Payload)
	if err != nil {
		return nil // nothing to record of a message that names no spot check
	}
	sc, err := tx.SpotCheck(id)
	if errors.Is(err, ErrNotFound) || (err == nil && sc.ManagerTG != d.Message.ChatID) {
		return nil // a copy to a manager it was passed on from
	}
	if err != nil {
		return err
	}
	if !d.Lost {
		sc.ChatID, sc.TelegramMessageID = d.Message.ChatID, d.TelegramMessageID
		return tx.SaveSpotCheck(sc)
	}
	if err := tx.AddSpotCheckEntry(SpotCheckEntry{SpotCheckID: sc.ID, Action: SpotLost, Actor: "modwatch",
		TelegramID: sc.ManagerTG, At: d.At, Detail: fmt.Sprintf("to %s: %s", sc.Manager, d.Refused)}); err != nil {
		return err
	}
	trail, err := tx.SpotCheckTrail(sc.ID)
	if err != nil {
		return err
	}
	lost := map[int64]bool{}
	for _, e := range trail {
		if e.Action == SpotLost {
			lost[e.TelegramID] = true
		}
	}
	set := s.settings()
	ms := slices.DeleteFunc(spotManagers(set.People, sc.GroupID, sc.Operator), func(p Person) bool { return lost[p.TelegramID] })
	if len(ms) == 0 {
		sc.Manager, sc.ManagerTG = "", 0
		if err := tx.SaveSpotCheck(sc); err != nil {
			return err
		}
		return tx.AddSpotCheckEntry(SpotCheckEntry{SpotCheckID: sc.ID, Action: SpotLost, Actor: "modwatch", At: d.At,
			Detail: "no other manager of the community to pass it on to: left ungraded"})
	}
	from := sc.Manager
	sc.Manager, sc.ManagerTG = ms[0].Name, ms[0].TelegramID
	if err := tx.SaveSpotCheck(sc); err != nil {
		return err
	}
	if err := tx.AddSpotCheckEntry(SpotCheckEntry{SpotCheckID: sc.ID, Action: SpotPassedOn, Actor: "modwatch", At: d.At,
		Detail: fmt.Sprintf("from %s to %s", from, sc.Manager)}); err != nil {
		return err
	}
	_, err = tx.Enqueue(Message{ChatID: sc.ManagerTG, Kind: MsgSpotCheck, Created: s.now(), Payload: spotPayload(sc.ID)})
	return err
}

// SpotCheckView loads a spot check with its dialog's messages, the customer's words
// included, for the bot to show.
func (s *Service) SpotCheckView(ctx context.Context, id SpotCheckID) (SpotCheckView, error) {
	people := s.settings().People
	var v SpotCheckView
	err := s.Store.View(ctx, func(tx Tx) error {
		sc, err := tx.SpotCheck(id)
		if err != nil {
			return err
		}
		v.SpotCheck = sc
		if v.CustomerName, err = tx.CustomerName(sc.GroupID, sc.CustomerVKID); err != nil {
			return err
		}
		ms, err := tx.ConvMessages(sc.Conv, sc.StartedAt)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.At.After(sc.LastAt) || m.Side == SideClosed {
				continue
			}
			l := SpotLine{Side: m.Side, AdminVKID: m.AdminVKID, Automatic: m.Automatic, Text: m.Text, At: m.At,
				Edited: !m.EditedAt.IsZero(), Deleted: !m.DeletedAt.IsZero()}
			if p, ok := people.ByVK(m.AdminVKID); ok && m.AdminVKID != 0 {
				l.Who = p.Name
			}
			if m.Side == SideCustomer && m.TicketKey != "" {
				t, err := tx.Ticket(m.TicketKey)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				l.Text = t.Text
			}
			v.Lines = append(v.Lines, l)
		}
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("load spot check %d: %w", id, err)
	}
	return v, nil
}

// SpotCheck loads a spot check with its audit trail.
func (s *Service) SpotCheck(ctx context.Context, id SpotCheckID) (SpotCheck, []SpotCheckEntry, error) {
	var sc SpotCheck
	var trail []SpotCheckEntry
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if sc, err = tx.SpotCheck(id); err != nil {
			return err
		}
		trail, err = tx.SpotCheckTrail(id)
		return err
	})
	return sc, trail, err
}
