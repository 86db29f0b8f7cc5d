package justify

import (
	"slices"
	"sort"
)

// Role is what a person may do with cases.
type Role string

// Roles, from the config's people list.
const (
	// RoleOperator moderates a community and must justify their own actions.
	RoleOperator Role = "operator"
	// RoleManager reviews cases: approves or reverses them.
	RoleManager Role = "manager"
	// RoleOwner reads digests and alerts. Owners decide a case only when no manager but
	// the one who acted could (Directory.Deciders).
	RoleOwner Role = "owner"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleOperator || r == RoleManager || r == RoleOwner
}

// Person is someone modwatch talks to in Telegram.
type Person struct {
	Name string
	Role Role
	// VKID is the VK account the person acts with as a community admin, whatever their
	// role: operators need one, and a manager or owner who also moderates has one, so that
	// their actions are attributed to them too. 0 for none.
	VKID       int64
	TelegramID int64
	// Communities are the group ids of the communities the person works for: they are
	// sent, and may act on, only what concerns these (their scope). Nil means every
	// community, as for a team that serves one brand.
	Communities []int64
}

// Covers reports whether community groupID is in p's scope: whether p may be sent what
// concerns it, and act on it.
func (p Person) Covers(groupID int64) bool {
	return p.Communities == nil || slices.Contains(p.Communities, groupID)
}

// SharesScope reports whether p and q work for a community in common, so that what is
// said of one may be said to the other.
func (p Person) SharesScope(q Person) bool {
	switch {
	case p.Communities == nil:
		return q.Communities == nil || len(q.Communities) > 0
	case q.Communities == nil:
		return len(p.Communities) > 0
	}
	for _, g := range p.Communities {
		if q.Covers(g) {
			return true
		}
	}
	return false
}

// IsActor reports whether p took the action of a case or batch: the person named actor,
// or the one acting from VK account actorVK (which still names them on a case opened
// before their vk_id was configured).
func (p Person) IsActor(actor string, actorVK int64) bool {
	return (actor != "" && p.Name == actor) || (actorVK != 0 && p.VKID == actorVK)
}

// Directory answers who is who. It is built once from the config and never changes.
type Directory struct {
	people []Person
	byTG   map[int64]Person
	byVK   map[int64]Person
}

// NewDirectory indexes people by Telegram id and, whatever their role, by VK id. The
// config has already refused duplicates, so a later entry simply wins here.
func NewDirectory(people []Person) *Directory {
	d := &Directory{byTG: map[int64]Person{}, byVK: map[int64]Person{}}
	for _, p := range people {
		d.people = append(d.people, p)
		d.byTG[p.TelegramID] = p
		if p.VKID != 0 {
			d.byVK[p.VKID] = p
		}
	}
	sort.SliceStable(d.people, func(i, j int) bool { return d.people[i].Name < d.people[j].Name })
	return d
}

// ByTelegram finds the person writing from a Telegram account.
func (d *Directory) ByTelegram(id int64) (Person, bool) {
	p, ok := d.byTG[id]
	return p, ok
}

// ByVK finds the configured person who acts in VK with an account: an operator, or a
// manager or owner who moderates too.
func (d *Directory) ByVK(id int64) (Person, bool) {
	p, ok := d.byVK[id]
	return p, ok
}

// ActorIn finds the configured person who acts in community groupID from VK account id.
// A person acting outside their scope is not found: for that community they are an admin
// it does not know, reviewed by its own managers at once, and never asked, as the person's
// team has nothing to do with it.
func (d *Directory) ActorIn(groupID, id int64) (Person, bool) {
	p, ok := d.ByVK(id)
	if !ok || !p.Covers(groupID) {
		return Person{}, false
	}
	return p, true
}

// Deciders lists, by name, who decides cases in community groupID about an action of the
// person named actor, taken from VK account actorVK (actor is empty for an admin unknown
// to the config): the managers whose scope covers the community, other than the actor;
// when there is none, such owners. Nobody decides about their own action, nor about a
// community outside their scope. A nil Directory has nobody.
func (d *Directory) Deciders(groupID int64, actor string, actorVK int64) []Person {
	if d == nil {
		return nil
	}
	for _, role := range []Role{RoleManager, RoleOwner} {
		var out []Person
		for _, p := range d.InScope(groupID, role) {
			if !p.IsActor(actor, actorVK) {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// MayDecide tells whether p may approve or reverse a case (or a batch) in community
// groupID about an action of actor from actorVK: nil when p is one of its Deciders,
// ErrOwnAction when p took the action, ErrOutOfScope when the community is not in p's
// scope, ErrNotDecider otherwise (an operator, or an owner while a manager can decide).
// This is the one rule for every press, private or in a team chat.
func (d *Directory) MayDecide(p Person, groupID int64, actor string, actorVK int64) error {
	if p.IsActor(actor, actorVK) {
		return ErrOwnAction
	}
	if !p.Covers(groupID) {
		return ErrOutOfScope
	}
	for _, q := range d.Deciders(groupID, actor, actorVK) {
		if q.Name == p.Name {
			return nil
		}
	}
	return ErrNotDecider
}

// ByName finds a person by their configured name.
func (d *Directory) ByName(name string) (Person, bool) {
	for _, p := range d.people {
		if p.Name == name {
			return p, true
		}
	}
	return Person{}, false
}

// WithRole lists the people with role r, by name.
func (d *Directory) WithRole(r Role) []Person {
	if d == nil {
		return nil
	}
	var out []Person
	for _, p := range d.people {
		if p.Role == r {
			out = append(out, p)
		}
	}
	return out
}

// Community is a watched VK community.
type Community struct {
	GroupID int64
	Name    string
	// CanReverse is true when an admin's user token is configured: VK accepts groups.unban
	// only with a user token, so without one reversals are done by hand.
	CanReverse bool
	// ReviewChat, when set, is the team chat where the community's reviews go, one message
	// for all its deciders; AlertsChat the same for its alerts (chats.go).
	ReviewChat Chat
	AlertsChat Chat
}

// InScope lists, by name, the people with one of roles (any role when none is given)
// whose scope covers community groupID: who is told about it. Reviews, alerts and digests
// go by it; spot checks, when they come, are to ask the same people.
func (d *Directory) InScope(groupID int64, roles ...Role) []Person {
	if d == nil {
		return nil
	}
	var out []Person
	for _, p := range d.people {
		if p.Covers(groupID) && (len(roles) == 0 || slices.Contains(roles, p.Role)) {
			out = append(out, p)
		}
	}
	return out
}

// All lists everyone, by name.
func (d *Directory) All() []Person { return append([]Person(nil), d.people...) }
