package telegram

// vanishedCatalog holds what a case about a customer's vanished wall post says besides
// who deleted it (catalog.deletedVanished: unknown, the author or an admin).
type vanishedCatalog struct {
	// severe says why a vanished post is severe after all: it was unanswered, and an admin
	// acted on its author about the time it vanished (justify.VanishedWithin).
	severe string
}

var ruVanished = vanishedCatalog{
	severe: "❗ <b>Пропала запись, на которую никто не ответил</b>, и в тот же день администратор забанил автора или удалил его комментарий",
}

var enVanished = vanishedCatalog{
	severe: "❗ <b>An unanswered post vanished</b> on the day an admin banned its author or deleted their comment",
}
