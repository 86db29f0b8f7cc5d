package telegram

import (
	"fmt"
	"strings"

	"github.com/modwatch/modwatch/justify"
)

// selfCatalog holds the texts about who acted and who decides: a manager or owner who
// moderates too is named with their role, is asked like an operator, and never decides
// about their own action.
type selfCatalog struct {
	// roles name each role after a person's name: "Olga (manager)".
	roles map[justify.Role]string
	// actedBy labels the person who acted, on a review, when they are not an operator.
	actedBy string
	// ownPrompt tells a manager or owner, on the prompt about their own action, who
	// decides it instead of them.
	ownPrompt func(role, deciders string) string
	// ownersDecide tells owners why a review came to them: no manager but the one who
	// acted could decide it.
	ownersDecide string
	// errOwnAction answers a press that would decide about the presser's own action.
	errOwnAction string
}

var ruSelf = selfCatalog{
	roles: map[justify.Role]string{
		justify.RoleOperator: "модератор", justify.RoleManager: "менеджер", justify.RoleOwner: "владелец",
	},
	actedBy: "Действовал(а)",
	ownPrompt: func(role, deciders string) string {
		return fmt.Sprintf("👤 Вы действовали как %s: решение по этому делу примут другие — %s.", role, deciders)
	},
	ownersDecide: "👤 Кроме того, кто действовал, менеджеров нет, поэтому решение принимают владельцы.",
	errOwnAction: "Это ваше собственное действие: решение по нему принимают другие. Ничего не изменилось.",
}

var enSelf = selfCatalog{
	roles: map[justify.Role]string{
		justify.RoleOperator: "operator", justify.RoleManager: "manager", justify.RoleOwner: "owner",
	},
	actedBy: "Acted",
	ownPrompt: func(role, deciders string) string {
		return fmt.Sprintf("👤 Your own action as %s: it is decided by %s, not by you.", role, deciders)
	},
	ownersDecide: "👤 No manager but the one who acted could decide this, so owners decide it.",
	errOwnAction: "This is your own action: others decide it. Nothing was changed.",
}

// who names the person who acted, with their role when they are not an operator (an
// operator's role goes without saying).
func (r renderer) who(name string, role justify.Role) string {
	n := esc(name, maxName)
	if role == "" || role == justify.RoleOperator {
		return n
	}
	return n + " (" + r.roleName(role) + ")"
}

func (r renderer) roleName(role justify.Role) string {
	if s, ok := r.cat.self.roles[role]; ok {
		return s
	}
	return esc(string(role), maxName)
}

// ownAction writes, on a prompt to a manager or owner about their own action, who
// decides it instead of them. An operator's prompt needs no such line.
func (r renderer) ownAction(b *strings.Builder, groupID int64, actor string, role justify.Role, actorVK int64) {
	if role == "" || role == justify.RoleOperator {
		return
	}
	var names []string
	for _, p := range r.people.Deciders(groupID, actor, actorVK) {
		names = append(names, esc(p.Name, maxName))
	}
	deciders := "—"
	if len(names) > 0 {
		deciders = strings.Join(names, ", ")
	}
	b.WriteString("\n" + r.cat.self.ownPrompt(r.roleName(role), deciders) + "\n")
}

// ownersDecide writes, on a review, that owners decide it because no manager but the one
// who acted could.
func (r renderer) ownersDecide(b *strings.Builder, groupID int64, actor string, actorVK int64) {
	if ds := r.people.Deciders(groupID, actor, actorVK); len(ds) > 0 && ds[0].Role == justify.RoleOwner {
		b.WriteString(r.cat.self.ownersDecide + "\n")
	}
}
