package telegram

import "github.com/modwatch/modwatch/justify"

// catalog holds every text the bot shows, in one language. Strings with verbs are
// fmt formats; their arguments are already HTML-escaped.
type catalog struct {
	timeLayout string
	forever    string
	batch      *batchCatalog    // texts about a wave of actions taken as one
	self       *selfCatalog     // texts about who acted, with their role, and who decides
	closed     *closedCatalog   // answers to buttons of closed cases and batches
	vanished   *vanishedCatalog // what is known of a customer's vanished wall post
	delivery   *deliveryCatalog // short forms, operators not asked, messages lost

	reasons   map[justify.Reason]string
	vkReasons map[justify.BanReason]string

	banIn, user, when, until, vkReason, vkComment, deadline string
	chooseReason                                            string
	recorded, recordedLate, explanation                     string
	waitingManagers, undoPendingOp                          string
	btnExplain                                              string

	askText  string
	reminder string

	reviewTitle, operator, unknownAdmin, overdue, noReasonYet string
	btnApprove, btnReverse, btnRetry, btnConfirm, btnCancel   string
	undoPendingReview                                         string
	// reversingReview says who is reversing the case while VK is asked.
	reversingReview, reversingReviewDel string

	outcomeTitle string
	outcomes     map[justify.Resolution]string

	undoTitle, undoWhy, undoSteps string
	// undoProblems say why modwatch could not undo it; refused takes VK's own words.
	undoProblems map[justify.UndoProblem]string

	refusal, refusalTeam string
	greeting             map[justify.Role]string
	help                 string
	thanks               string

	ansInvalid, ansNotForYou, ansRecorded, ansAskReply, ansApproved string
	ansReversed, ansByHand, ansConfirm, ansCancelled, ansFailed     string
	errForbidden, errWrongState, errTextRequired, errNotFound       string
	errConflict                                                     string
	// ansReversing answers the confirmed reversal while VK is asked; errReversing a press
	// on a case whose reversal is under way.
	ansReversing, ansReversingDel, errReversing string

	cmdStart, cmdHelp, cmdPending, cmdCase, cmdStats string

	// Deletion cases: the same steps as a ban, about a customer's deleted words.
	delIn, reviewTitleDel, chooseReasonDel, askTextDel, reminderDel, outcomeTitleDel string
	undoPendingReviewDel, undoTitleDel, undoStepsDel                                 string
	outcomesDel                                                                      map[justify.Resolution]string
	btnKeepDeleted, btnRestore, btnRetryRestore, btnConfirmRestore                   string
	ansApprovedDel, ansReversedDel, ansByHandDel, ansConfirmDel                      string

	// Evidence: the deleted words and the customer's other requests.
	severe, author, written, answer, notAnswered, answeredBy, answeredAt string
	attachments, link, openInVK, text, textUnknown, textForgotten        string
	deletedBy, deletedVanished, deletedNoActor, unknownAdminShort        string
	userTickets, noTickets, ticketDeleted                                string
	attachmentKinds                                                      map[string]string
	// ago formats an age ("2 h"), unanswered says how many requests wait of how many.
	ago        func(string) string
	minutes    func(int) string
	hours      func(int) string
	days       func(int) string
	unanswered func(open, total int) string

	// Alerts.
	alertTitles              map[justify.AlertKind]string
	alertCommunity, alertWho string
	alertDetail, alertCase   string
	alertUnreachableHint     string
	alertSetupHint           string // how to learn more of a setup problem, and fix it
	alertConfigHint          string // what to do of a refused config
	repeated                 func(n int, window string) string
	waveBans, waveDeletions  func(n int) string
	lastHour                 string
	within                   func(d string) string
	// The alert about one operator's signs of shirking in a day.
	signKinds  map[justify.SignKind]string
	signsOfDay func(day string, n int) string
	signsWorst string

	// Commands.
	pendingTitle, pendingNone, caseTitle, caseTrail, statsNA, usageCase string
	managersOnly, ownCasesOnly                                          string
	commandsHelp                                                        string
	states                                                              map[justify.State]string
	actions                                                             map[justify.Action]string
}

// catalogs holds the catalog of each language the bot speaks; each is in a file of its own.
var catalogs = map[string]*catalog{"ru": &ru, "en": &en}
