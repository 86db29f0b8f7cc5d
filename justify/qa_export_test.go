package justify

// NextRound exposes nextRound to the external tests.
var NextRound = nextRound
