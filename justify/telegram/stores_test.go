package telegram

import "github.com/modwatch/modwatch/store"

// The store implements what the bot declares it needs; the service keeps its cursors
// (checked in stores.go).
var (
	_ Outbox  = (*store.DB)(nil)
	_ Buttons = (*store.DB)(nil)
	_ Cases   = (*store.DB)(nil)
)
