package justify

import (
	"errors"
	"fmt"
	"time"
)

// VanishedWithin is how close to the moment a customer's wall post was found gone an
// admin's action on its author makes it severe. VK sends no event for a deleted wall post
// and cannot say who deleted it: the author taking back their own post is as likely as an
// admin hiding it. Only when an admin banned the author, or deleted another of their
// comments, within this time of it (before or after) is an unanswered vanished post treated
// as a deleted request: managers see it as severe and managers and owners are alerted.
const VanishedWithin = 24 * time.Hour

// vanishedSevere tells whether a vanished unanswered post of a user, found gone at at, is
// severe: an admin acted on the user within VanishedWithin of at. Actions recorded later
// are caught by adminActed; looking past at as well covers those recorded first but dated
// a little after (VK's clock and ours need not agree).
func (s *Service) vanishedSevere(tx Tx, groupID, userVKID int64, at time.Time) (bool, error) {
	if userVKID == 0 {
		return false, nil
	}
	acted, err := tx.AdminActedOn(groupID, userVKID, at.Add(-VanishedWithin), at.Add(VanishedWithin))
	if err != nil {
		return false, fmt.Errorf("check admins' actions on the author of a vanished post: %w", err)
	}
	return acted, nil
}

// adminActed looks, after a ban or an admin's deletion of a customer's words, for the
// customer's vanished unanswered posts found gone within VanishedWithin of it, and makes
// their open cases severe: the admin's action is the reason to think an admin deleted
// the post too.
func (s *Service) adminActed(tx Tx, ev Event) error {
	user := ev.UserVKID
	switch ev.Kind {
	case EventBan:
	case EventDelete:
		t, err := tx.Ticket(ev.Item.Key())
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.ActorVKID == 0 || ev.ActorVKID == t.AuthorVKID {
			return nil // nobody named, or the author's own deletion: no admin acted
		}
		user = t.AuthorVKID
	default:
		return nil
	}
	if user == 0 {
		return nil
	}
	cs, err := tx.OpenCasesFor(ev.GroupID, user, EventVanished)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Severe || ev.At.Sub(c.ActedAt).Abs() > VanishedWithin {
			continue
		}
		t, err := tx.Ticket(c.Item.Key())
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !t.Open() {
			continue
		}
		c.Severe = true
		d := Decision{Action: ActionSevere, Actor: "modwatch",
			Detail: fmt.Sprintf("an admin acted on the author (%s, event %s) within %s of the post vanishing", ev.Kind, ev.Key, VanishedWithin)}
		if err := s.save(tx, &c, d); err != nil {
			return err
		}
		if err := s.alertDeletedRequest(tx, c, t.Text); err != nil {
			return err
		}
	}
	return nil
}
