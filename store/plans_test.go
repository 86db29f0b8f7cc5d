package store

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryPlans keeps the hot and the large queries on their indexes: a full scan of
// tickets or events would go unnoticed in tests and hurt with a million rows.
func TestQueryPlans(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		name  string
		query string
		args  []any
		// want must appear in the plan; "SCAN tickets" etc. must not, unless allowed.
		want string
		// scan allows want to be a scan (of a covering index); lastSort allows the sort of
		// ties on the index's first term (ORDER BY created_at, id: the rowid breaks them).
		scan, lastSort bool
	}{
		{
			// Every report counts each community's breaches from the waiting tickets'
			// index alone, however many there are.
			name:  "BreachCounts",
			query: countBreaches,
			args:  breachArgs(t0, time.Hour),
			want:  "SCAN tickets USING COVERING INDEX tickets_waiting",
			scan:  true,
		},
		{
			// The longest waits: one community's range, read from its oldest end.
			name:     "LongestWaits",
			query:    "SELECT " + ticketColumns + " FROM tickets " + longestWaits,
			args:     append(append([]any{1}, breachArgs(t0, time.Hour)...), 10),
			want:     "SEARCH tickets USING INDEX tickets_waiting (group_id=? AND created_at<?)",
			lastSort: true,
		},
		{
			// Each half of TicketsOf reads one customer's tickets of one community newest
			// first from the index, with no sort (checked below).
			name:  "TicketsOf",
			query: "SELECT " + ticketColumns + " FROM tickets " + ticketsOfClause(true),
			args:  []any{1, 2, 10},
			want:  "SEARCH tickets USING INDEX tickets_author (author_vk_id=? AND group_id=?)",
		},
		{
			name:  "ForgetPerson's tickets",
			query: "SELECT id FROM tickets WHERE author_vk_id = ?",
			args:  []any{1},
			want:  "SEARCH tickets USING COVERING INDEX tickets_author (author_vk_id=?)",
		},
		{
			// Each answer in a thread marks the thread's waiting tickets; among a million
			// imported tickets the community's waiting ones are far too many to read.
			name:  "MarkAnsweredThread",
			query: markAnsweredThread,
			args:  []any{1, 2, 3, "wall_comment", -3, 4, 1},
			want:  "SEARCH tickets USING INDEX tickets_thread (group_id=? AND place=? AND owner_id=? AND parent_id=? AND answered_at=?)",
		},
		{
			name:  "MarkAnsweredDialog",
			query: markAnsweredDialog,
			args:  []any{1, 2, 3, "message", 5, 1},
			want:  "SEARCH tickets USING INDEX tickets_thread (group_id=? AND place=? AND owner_id=?)",
		},
		{
			name:  "MarkAnsweredOne",
			query: markAnsweredOne,
			args:  []any{1, 2, "3:wall_comment:-3_4_5"},
			want:  "SEARCH tickets USING INDEX sqlite_autoindex_tickets_1 (key=?)",
		},
		{
			// Every repeat of a wave alert (one per ban in a raid) looks its messages up.
			name:  "AlertMessages",
			query: "SELECT COALESCE(MAX(id), 0) FROM outbox WHERE alert_key = ? AND alert_key != '' AND edit_of = 0 AND kind = ?",
			args:  []any{"wave:1:2:ban", "alert"},
			want:  "USING COVERING INDEX outbox_alert (alert_key=? AND kind=?)",
		},
		{
			// Each edit of a prompt drops the unsent edits it supersedes; "+?" (Enqueue)
			// keeps the index.
			name:  "SupersededEdits",
			query: "SELECT id FROM outbox WHERE edit_of = +? AND chat_id = ? AND sent_at = 0 AND attempts = 0 AND failed = 0",
			args:  []any{7, 1001},
			want:  "SEARCH outbox USING INDEX outbox_edits (edit_of=? AND chat_id=?)",
		},
		{
			// A batch's figures come from one pass over its members, on their index.
			name:  "Batch",
			query: selectBatches + "WHERE b.id = ? GROUP BY b.id",
			args:  []any{1},
			want:  "SEARCH c USING INDEX cases_batch (batch_id=?)",
		},
		{
			// Every vanished post and every ban or deletion that may explain one asks it.
			name:  "AdminActedOn",
			query: adminActedOn,
			args:  []any{1, 2, "ban", 0, 1, 1, 2, 0, 1},
			want:  "SEARCH tickets USING INDEX tickets_author (author_vk_id=? AND group_id=?)",
		},
		{
			name:  "CasesBetween",
			query: "SELECT " + caseColumns + " FROM cases WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id",
			args:  []any{1, 2},
			want:  "SEARCH cases USING INDEX cases_opened (opened_at>? AND opened_at<?)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := strings.Join(queryPlan(t, db, tt.query, tt.args...), "\n")
			assert.Contains(t, all, tt.want)
			if !tt.scan {
				assert.NotRegexp(t, `SCAN (tickets|cases|events)\b`, all)
			}
			if !tt.lastSort {
				assert.NotContains(t, all, "TEMP B-TREE", "the index gives the order")
			} else {
				assert.NotContains(t, strings.ReplaceAll(all, "USE TEMP B-TREE FOR LAST TERM OF ORDER BY", ""), "TEMP B-TREE")
			}
		})
	}
}

// queryPlan is SQLite's plan of query, one step a line.
func queryPlan(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	return plan
}

// TicketsOf's one statement reads each of its parts from tickets_author and sorts only
// the rows the parts give (at most the limit each), never a customer's whole history.
func TestTicketsOfPlan(t *testing.T) {
	db := openTest(t)
	for _, tt := range []struct {
		name  string
		query string
		parts int
	}{
		{name: "a community and the help desk", query: ticketsOfBoth, parts: 4},
		{name: "the help desk alone", query: ticketsOfOne, parts: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]any, 0, 3*tt.parts+1)
			for range tt.parts {
				args = append(args, 1, 2, 10)
			}
			plan := queryPlan(t, db, tt.query, append(args, 10)...)
			searches, sorts := 0, 0
			for _, step := range plan {
				if step == "SEARCH tickets USING INDEX tickets_author (author_vk_id=? AND group_id=?)" {
					searches++
				}
				if strings.Contains(step, "TEMP B-TREE") {
					sorts++
					assert.Equal(t, "USE TEMP B-TREE FOR ORDER BY", step, "only the outer order sorts")
				}
				assert.NotRegexp(t, `SCAN tickets\b`, step)
			}
			assert.Equal(t, tt.parts, searches, "each part searches the index: %v", plan)
			assert.Equal(t, 1, sorts, "one sort, of the parts' few rows: %v", plan)
		})
	}
}

// TestRawReadPlans keeps the roll-up's raw reads on their indexes: one community's changed
// hour through its index on community and time, every community's span through the index
// on time; never a community's whole history, nor every community's hour for each one.
func TestRawReadPlans(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		name string
		read rawRead
		// args: the read's own, before the group's.
		args []any
		// more: rawAnswered's upper bound on time.
		more             string
		wantOne, wantAll string
	}{
		{name: "answered tickets", read: rawAnsweredRead, args: []any{1, 2}, more: " AND answered_at < ?",
			wantOne: "SEARCH tickets USING INDEX tickets_group_answered (group_id=? AND answered_at>? AND answered_at<?)",
			wantAll: "SEARCH tickets USING INDEX tickets_answered (answered_at>? AND answered_at<?)"},
		{name: "dialogs", read: rawDialogsRead, args: []any{1, 2},
			wantOne: "SEARCH dialogs USING INDEX dialogs_group_started (group_id=? AND started_at>? AND started_at<?)",
			wantAll: "SEARCH dialogs USING INDEX dialogs_started (started_at>? AND started_at<?)"},
		{name: "signs", read: rawSignsRead, args: []any{1, 2},
			wantOne: "SEARCH signs USING INDEX signs_group_at (group_id=? AND at>? AND at<?)",
			wantAll: "SEARCH signs USING INDEX signs_at (at>? AND at<?)"},
		{name: "replies", read: rawRepliesRead, args: []any{1, 2},
			wantOne: "SEARCH conv_messages USING INDEX conv_messages_group_replies (group_id=? AND at>? AND at<?)",
			wantAll: "SEARCH conv_messages USING INDEX conv_messages_replies (at>? AND at<?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one := strings.Join(queryPlan(t, db, tt.read.query(false, tt.more), append(tt.args, 7)...), "\n")
			assert.Equal(t, tt.wantOne, one)
			all := strings.Join(queryPlan(t, db, tt.read.query(true, tt.more), tt.args...), "\n")
			assert.Equal(t, tt.wantAll, all)
		})
	}
}
