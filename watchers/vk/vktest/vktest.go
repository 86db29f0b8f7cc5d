// Package vktest is an in-process VK API and Bots Long Poll server speaking VK's wire
// format. Tests use it to drive the VK watcher and reverser; `modwatch demo` uses it to run
// the whole product without VK. It is safe for concurrent use.
package vktest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// API version stamped on pushed events, as VK does with the version the long poll was set up for.
const eventVersion = "5.199"

// DefaultRetention is how many events per community the server keeps for resuming long polls.
const DefaultRetention = 1000

// VK error codes the server produces.
const (
	ErrAuth      = 5
	ErrTooMany   = 6
	ErrServer    = 10
	ErrAccess    = 15
	ErrGroupAuth = 27
	ErrParam     = 100
	ErrNotFound  = 104
	// ErrNotDeleted answers a restore of a comment that is not deleted.
	ErrNotDeleted = 243
)

// TokenType says which kind of token made a call.
type TokenType string

// Token types.
const (
	TokenUser      TokenType = "user"
	TokenCommunity TokenType = "community"
)

// UnbanCall records one groups.unban request.
type UnbanCall struct {
	GroupID   int64
	UserID    int64
	TokenType TokenType
	ErrorCode int // 0 when the unban succeeded
}

// RestoreCall records one *.restoreComment request.
type RestoreCall struct {
	Method    string // "wall.restoreComment", "board.restoreComment", ...
	Place     Place
	GroupID   int64
	OwnerID   int64 // the owner_id parameter; -group_id for board.restoreComment
	TopicID   int64 // board.restoreComment only
	CommentID int64
	TokenType TokenType
	ErrorCode int // 0 when the comment was restored
}

// BanInfo is a ban as groups.getBanned reports it.
type BanInfo struct {
	UserID  int64
	AdminID int64
	Reason  int
	Comment string
	Date    int64 // unix seconds
	EndDate int64 // unix seconds, 0 = forever
}

type fault struct {
	status int
	body   string
	size   int64 // when not 0: a valid JSON answer of this many bytes, streamed
}

type update struct {
	seq int64
	raw json.RawMessage
}

type group struct {
	id             int64
	communityToken string
	userTokens     map[string]int64 // token → admin id that owns it
	key            string
	keySeq         int
	nextSeq        int64 // ts of the next event; long-poll ts values count events
	updates        []update
	// arrived is closed and replaced when an event is added: it wakes this group's held
	// long polls alone, so a load run's thousands of events do not wake every community's.
	arrived chan struct{}
	bans    []BanInfo // in ban order, like VK's list

	// The content model: what customers and the community wrote.
	posts                                    []*wallPost
	comments                                 []*comment
	messages                                 []*message
	convs                                    map[int64]*conversation // by the customer's id
	nextPostID, nextCommentID, nextMessageID int64

	setup *groupSetup // rights, Long Poll settings, admins' scopes (setup.go); made on first use
}

// Server is a fake VK. Create it with New and Close it when done.
type Server struct {
	srv *httptest.Server
	// Now stamps ban dates; set before use if a test needs fixed dates.
	Now func() time.Time

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever faults change (events: group.arrived)
	done      chan struct{} // closed by Close so pending long polls end
	closeOnce sync.Once
	groups    map[int64]*group
	faults    map[string][]fault
	holds     map[string]chan struct{} // method → closed when its held calls may answer
	garbles   map[string][]bool        // method → its next garbled answers: whether each call takes effect
	lpFaults  []int
	unbans    []UnbanCall
	restores  []RestoreCall
	names     map[int64][2]string
	retention int
	observe   func(string)
	lastEvent map[int64]json.RawMessage
	calls     map[string]int
	// delivered counts each community's long-poll answers that carried updates.
	delivered map[int64]int
}

// New starts a server on a loopback port.
func New() *Server {
	s := &Server{
		Now:       time.Now,
		changed:   make(chan struct{}),
		done:      make(chan struct{}),
		groups:    map[int64]*group{},
		faults:    map[string][]fault{},
		holds:     map[string]chan struct{}{},
		garbles:   map[string][]bool{},
		names:     map[int64][2]string{},
		retention: DefaultRetention,
		lastEvent: map[int64]json.RawMessage{},
		calls:     map[string]int{},
		delivered: map[int64]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/method/{method}", s.handleMethod)
	mux.HandleFunc("/lp/{group}", s.handleLongPoll)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the API method base URL, to use as vksdk's MethodURL: method names are appended to it.
func (s *Server) URL() string { return s.srv.URL + "/method/" }

// Close shuts the server down, ending any pending long poll.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Observe sets a function told in plain words about what happens in VK, for the demo.
func (s *Server) Observe(fn func(string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observe = fn
}

// SetRetention sets how many events per community are kept for resuming; older ts values
// get {"failed":1}.
func (s *Server) SetRetention(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retention = n
	for _, g := range s.groups {
		g.trim(n)
	}
}

// AddGroup registers a community and its community token.
func (s *Server) AddGroup(groupID int64, communityToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupLocked(groupID)
	g.communityToken = communityToken
}

// AddUserToken registers an admin's user token for a community; the unblock events its
// unbans cause carry admin_id 0. Use AddAdminToken to name the admin.
func (s *Server) AddUserToken(groupID int64, token string) { s.AddAdminToken(groupID, 0, token) }

// AddAdminToken registers the user token of admin adminID for a community.
func (s *Server) AddAdminToken(groupID, adminID int64, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupLocked(groupID).userTokens[token] = adminID
}

// SetName sets the name users.get returns for a user; other users get a generated name.
func (s *Server) SetName(userID int64, first, last string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[userID] = [2]string{first, last}
}

// Name returns the name users.get gives a user, as "First Last".
func (s *Server) Name(userID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, l := s.nameLocked(userID)
	return f + " " + l
}

// Ban bans a user as an admin would in VK's interface: the ban joins groups.getBanned and a
// user_block event is pushed. It returns the event_id.
func (s *Server) Ban(groupID, adminID, userID int64, reason int, comment string, unblockDate int64) string {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	g.removeBan(userID)
	g.bans = append(g.bans, BanInfo{
		UserID: userID, AdminID: adminID, Reason: reason, Comment: comment,
		Date: s.Now().Unix(), EndDate: unblockDate,
	})
	id := s.pushLocked(g, "user_block", map[string]any{
		"admin_id": adminID, "user_id": userID, "unblock_date": unblockDate,
		"reason": reason, "comment": comment,
	})
	msg := fmt.Sprintf("VK: operator %d banned user %d in group %d (reason %d", adminID, userID, groupID, reason)
	if comment != "" {
		msg += fmt.Sprintf(", comment %q", comment)
	}
	if unblockDate > 0 {
		msg += ", until " + time.Unix(unblockDate, 0).UTC().Format(time.DateTime)
	}
	s.unlockAndObserve(msg + ")")
	return id
}

// Unban lifts a ban as VK does when an admin unbans by hand (byEndDate false) or the ban
// runs out (byEndDate true), pushing user_unblock. It returns the event_id.
func (s *Server) Unban(groupID, adminID, userID int64, byEndDate bool) string {
	s.mu.Lock()
	g := s.groupLocked(groupID)
	g.removeBan(userID)
	id := s.pushUnblockLocked(g, adminID, userID, byEndDate)
	msg := fmt.Sprintf("VK: operator %d unbanned user %d in group %d", adminID, userID, groupID)
	if byEndDate {
		msg = fmt.Sprintf("VK: the ban of user %d in group %d expired", userID, groupID)
	}
	s.unlockAndObserve(msg)
	return id
}

// PushRaw delivers update as is, for malformed or unusual events. It gets the next ts.
// update must be valid JSON, being embedded in the answer; use FailNext for broken bodies.
func (s *Server) PushRaw(groupID int64, update json.RawMessage) {
	if !json.Valid(update) {
		panic("vktest: PushRaw needs valid JSON; use FailNext(\"a_check\", ...) for broken answers")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appendLocked(s.groupLocked(groupID), update)
}

// Duplicate delivers the community's last event again, same event_id, as VK sometimes does.
// It reports false when the community has no event yet.
func (s *Server) Duplicate(groupID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.lastEvent[groupID]
	if !ok {
		return false
	}
	s.appendLocked(s.groupLocked(groupID), raw)
	return true
}

// FailNext makes the next call of method answer with httpStatus and body. method is an API
// method name ("groups.getLongPollServer") or "a_check" for the long-poll endpoint. Faults
// queue. httpStatus 0 drops the connection without an answer, like a network failure.
func (s *Server) FailNext(method string, httpStatus int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{status: httpStatus, body: body})
	s.notifyLocked()
}

// Hold makes every call of method ("a_check" for long polls), from now until release is
// called, wait before it is handled, as a VK that answers late: tests hold a call for as
// long as they need instead of sleeping. A held call is counted by Calls at once, and answered normally on release; it
// ends without an answer if its client gives up or the server closes. release may be
// called more than once.
func (s *Server) Hold(method string) (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.holds[method] = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.holds[method] == gate {
				delete(s.holds, method)
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// FailLongPoll makes the next n long-poll requests answer {"failed":failedCode}. Codes 2 and
// 3 also expire the current key, as VK does, so the client must ask for a new one.
func (s *Server) FailLongPoll(n int, failedCode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.lpFaults = append(s.lpFaults, failedCode)
	}
	s.notifyLocked()
}

// ErrorBody returns a VK error response body, for FailNext.
func ErrorBody(code int, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"error_code": code, "error_msg": msg, "request_params": []any{},
	}})
	return string(b)
}

// Calls counts the requests received for method ("a_check" for long polls), faults included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Unbans lists the groups.unban calls received, in order.
func (s *Server) Unbans() []UnbanCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]UnbanCall(nil), s.unbans...)
}

// Banned lists a community's current bans, in ban order.
func (s *Server) Banned(groupID int64) []BanInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BanInfo(nil), s.groupLocked(groupID).bans...)
}

// Ts returns a community's current long-poll ts: the ts the next event will get.
func (s *Server) Ts(groupID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strconv.FormatInt(s.groupLocked(groupID).nextSeq, 10)
}

func (s *Server) groupLocked(id int64) *group {
	g, ok := s.groups[id]
	if !ok {
		g = &group{id: id, userTokens: map[string]int64{}, nextSeq: 1, arrived: make(chan struct{})}
		g.rotateKey()
		s.groups[id] = g
	}
	return g
}

func (g *group) rotateKey() {
	g.keySeq++
	sum := sha1.Sum([]byte(fmt.Sprintf("key:%d:%d", g.id, g.keySeq)))
	g.key = hex.EncodeToString(sum[:])[:32]
}

func (g *group) removeBan(userID int64) bool {
	for i, b := range g.bans {
		if b.UserID == userID {
			g.bans = append(g.bans[:i], g.bans[i+1:]...)
			return true
		}
	}
	return false
}

func (g *group) trim(retention int) {
	if retention > 0 && len(g.updates) > retention {
		g.updates = append([]update(nil), g.updates[len(g.updates)-retention:]...)
	}
}

// oldestTs is the smallest ts a client may resume from without losing events.
func (g *group) oldestTs() int64 {
	if len(g.updates) == 0 {
		return g.nextSeq
	}
	return g.updates[0].seq
}

func (s *Server) pushUnblockLocked(g *group, adminID, userID int64, byEndDate bool) string {
	by := 0
	if byEndDate {
		by = 1
	}
	return s.pushLocked(g, "user_unblock", map[string]any{
		"admin_id": adminID, "user_id": userID, "by_end_date": by,
	})
}

// pushLocked wraps object in VK's event envelope and appends it.
func (s *Server) pushLocked(g *group, typ string, object any) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("event:%d:%d", g.id, g.nextSeq)))
	id := hex.EncodeToString(sum[:])
	raw, err := json.Marshal(map[string]any{
		"type": typ, "object": object, "group_id": g.id, "event_id": id, "v": eventVersion,
	})
	if err != nil {
		panic(fmt.Sprintf("vktest: encode event: %v", err))
	}
	if !s.sendsLocked(g, typ) {
		return id // the Long Poll settings leave this type out: VK never sends it
	}
	s.lastEvent[g.id] = raw
	s.appendLocked(g, raw)
	return id
}

func (s *Server) appendLocked(g *group, raw json.RawMessage) {
	g.updates = append(g.updates, update{seq: g.nextSeq, raw: append(json.RawMessage(nil), raw...)})
	g.nextSeq++
	g.trim(s.retention)
	close(g.arrived)
	g.arrived = make(chan struct{})
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) unlockAndObserve(msg string) {
	fn := s.observe
	s.mu.Unlock()
	if fn != nil {
		fn(msg)
	}
}

var (
	firstNames = []string{"Ivan", "Maria", "Alexei", "Olga", "Dmitry", "Anna", "Sergei", "Elena"}
	lastNames  = []string{"Petrov", "Smirnova", "Ivanov", "Kuznetsova", "Popov", "Sokolova", "Volkov", "Morozova"}
)

func (s *Server) nameLocked(id int64) (string, string) {
	if n, ok := s.names[id]; ok {
		return n[0], n[1]
	}
	i := id
	if i < 0 {
		i = -i
	}
	return firstNames[i%int64(len(firstNames))], lastNames[(i/int64(len(firstNames)))%int64(len(lastNames))]
}

// sortedKeys keeps request_params stable in error bodies.
func sortedKeys(v map[string][]string) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func splitIDs(s string) ([]int64, error) {
	var ids []int64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
