package justify

import (
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
	// RoleOwner reads digests and alerts; owners never decide cases.
	RoleOwner Role = "owner"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleOperator || r == RoleManager || r == RoleOwner
}

// Person is someone modwatch talks to in Telegram.
type Person struct {
	Name       string
	Role       Role
	VKID       int64 // the VK account an operator moderates with; 0 for others
	TelegramID int64
}

// Directory answers who is who. It is built once from the config and never changes.
type Directory struct {
	people []Person
	byTG   map[int64]Person
	byVK   map[int64]Person
}

// NewDirectory indexes people by Telegram id and, for operators, by VK id. The config has
// already refused duplicates, so a later entry simply wins here.
func NewDirectory(people []Person) *Directory {
	d := &Directory{byTG: map[int64]Person{}, byVK: map[int64]Person{}}
	for _, p := range people {
		d.people = append(d.people, p)
		d.byTG[p.TelegramID] = p
		if p.Role == RoleOperator && p.VKID != 0 {
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

// OperatorByVK finds the operator who moderates with a VK account.
func (d *Directory) OperatorByVK(id int64) (Person, bool) {
	p, ok := d.byVK[id]
	return p, ok
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
}

// All lists everyone, by name.
func (d *Directory) All() []Person { return append([]Person(nil), d.people...) }
