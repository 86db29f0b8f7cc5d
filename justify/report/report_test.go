package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// Fixture: one day in Moscow, 2026-11-23 00:00 MSK (2026-11-22 21:00 UTC) to the next
// midnight, the previous day before it, SLA four hours.
var (
	dayFrom = utc("2026-11-22T21:00:00Z")
	dayTo   = utc("2026-11-23T21:00:00Z")
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

var fixturePeople = []justify.Person{
	{Name: "Анна", Role: justify.RoleOperator, VKID: 101, TelegramID: 1},
	{Name: "Борис", Role: justify.RoleOperator, VKID: 102, TelegramID: 2},
	{Name: "Вера", Role: justify.RoleOperator, VKID: 103, TelegramID: 3},
	{Name: "Maria", Role: justify.RoleManager, TelegramID: 4},
	{Name: "Olga", Role: justify.RoleOwner, TelegramID: 5},
}

// deletedRef is the customer's comment operator Борис deleted unanswered (case 3).
var deletedRef = justify.Ref{GroupID: 1, Place: justify.PlaceWallComment, OwnerID: -1, ParentID: 10, ItemID: 77}

// vanishedRef is the customer's wall post found gone (case 12).
var vanishedRef = justify.Ref{GroupID: 1, Place: justify.PlaceWallPost, OwnerID: -1, ItemID: 12}

// caseAt builds a case opened when it was acted on, due two hours later.
func caseAt(id int64, group int64, kind justify.EventKind, op string, actor int64, acted string) justify.Case {
	at := utc(acted)
	return justify.Case{ID: justify.CaseID(id), GroupID: group, EventKey: "e" + acted, Kind: kind, Operator: op,
		ActorVKID: actor, UserVKID: 500 + id, ActedAt: at, OpenedAt: at, Deadline: at.Add(2 * time.Hour),
		State: justify.StateAwaitingReason}
}

func justified(c justify.Case, at string) justify.Case {
	c.Reason, c.JustifiedAt, c.State = justify.ReasonSpam, utc(at), justify.StateAwaitingReview
	return c
}

func overdue(c justify.Case) justify.Case {
	c.Overdue, c.State = true, justify.StateAwaitingReview
	return c
}

func resolved(c justify.Case, r justify.Resolution) justify.Case {
	c.State, c.Resolution = justify.StateClosed, r
	return c
}

// reviewed is a case that went straight to managers: nobody to ask for a reason.
func reviewed(c justify.Case) justify.Case {
	c.State = justify.StateAwaitingReview
	return c
}

func severe(c justify.Case, item justify.Ref) justify.Case {
	c.Severe, c.Item = true, item
	return c
}

func ticket(id int64, group int64, created string) justify.Ticket {
	ref := justify.Ref{GroupID: group, Place: justify.PlaceWallComment, OwnerID: -group, ParentID: 10, ItemID: id}
	return justify.Ticket{ID: id, Key: ref.Key(), Ref: ref, AuthorVKID: 900 + id, AuthorName: "Клиент",
		Text: "вопрос", CreatedAt: utc(created)}
}

func answered(t justify.Ticket, at string, by int64) justify.Ticket {
	t.AnsweredAt, t.AnsweredBy = utc(at), by
	return t
}

func helpdesk(id int64, group int64, created, status string) justify.Ticket {
	t := ticket(id, group, created)
	t.Ref.Place, t.Key, t.ExternalID, t.Status, t.Link = justify.PlaceHelpDesk, "import:hd-"+status, "hd-"+status, status, "https://help.example/"+status
	return t
}

// fixtureCases are the current day's cases, then the previous day's.
func fixtureCases() (cur, prevDay []justify.Case) {
	cur = []justify.Case{
		// 10:05 MSK, reason in time, approved.
		resolved(justified(caseAt(1, 1, justify.EventBan, "Анна", 101, "2026-11-23T07:05:00Z"), "2026-11-23T07:30:00Z"), justify.ResolutionApproved),
		// Reason 50 minutes after the deadline, reversed through VK.
		resolved(justified(overdue(caseAt(2, 1, justify.EventBan, "Анна", 101, "2026-11-23T07:10:00Z")), "2026-11-23T10:00:00Z"), justify.ResolutionReversed),
		// An unanswered request deleted, never justified.
		severe(overdue(caseAt(3, 1, justify.EventDelete, "Борис", 102, "2026-11-23T12:00:00Z")), deletedRef),
		// An unknown admin's deletion, undone in VK.
		resolved(overdue(caseAt(4, 1, justify.EventDelete, UnknownOperator, 999, "2026-11-23T13:00:00Z")), justify.ResolutionRestoredInVK),
		// 23:59 MSK; the reason comes after the period: counted in time, no activity hour.
		justified(caseAt(5, 1, justify.EventBan, "Борис", 102, "2026-11-23T20:59:00Z"), "2026-11-23T21:30:00Z"),
		// An unanswered post vanished the day its author was banned: severe, still nobody's.
		severe(reviewed(caseAt(12, 1, justify.EventVanished, UnknownOperator, 0, "2026-11-23T15:00:00Z")), vanishedRef),
		// Community 2 is not configured.
		resolved(justified(caseAt(8, 2, justify.EventBan, "Анна", 101, "2026-11-23T06:00:00Z"), "2026-11-23T06:30:00Z"), justify.ResolutionReversedByHand),
		resolved(justified(caseAt(9, 2, justify.EventBan, "Борис", 102, "2026-11-23T03:00:00Z"), "2026-11-23T03:20:00Z"), justify.ResolutionExpired),
	}
	prevDay = []justify.Case{
		// Opened the day before, justified in time after midnight MSK: activity at 00.
		resolved(justified(caseAt(6, 1, justify.EventBan, "Анна", 101, "2026-11-22T20:00:00Z"), "2026-11-22T21:30:00Z"), justify.ResolutionApproved),
		// A customer's post found gone, nobody knowing who deleted it; a manager let it be.
		resolved(reviewed(caseAt(10, 1, justify.EventVanished, UnknownOperator, 0, "2026-11-22T05:00:00Z")), justify.ResolutionApproved),
		// Before both periods: ignored.
		resolved(justified(caseAt(11, 1, justify.EventBan, "Анна", 101, "2026-11-20T05:00:00Z"), "2026-11-20T05:10:00Z"), justify.ResolutionApproved),
	}
	return cur, prevDay
}

func fixtureTickets() (cur, prevDay []justify.Ticket) {
	t6 := ticket(6, 1, "2026-11-23T11:00:00Z")
	t6.Key, t6.Ref, t6.Text, t6.AuthorName = deletedRef.Key(), deletedRef, "Где мой заказ?\nЖду неделю", "Иван"
	t6.DeletedAt, t6.DeletedBy = utc("2026-11-23T12:00:00Z"), 102
	// Written the day before, answered today: a breach of the previous day.
	t7 := answered(ticket(7, 1, "2026-11-22T10:00:00Z"), "2026-11-23T01:00:00Z", 101)
	t12 := ticket(12, 1, "2026-11-23T14:00:00Z")
	t12.Key, t12.Ref, t12.Text, t12.AuthorName = vanishedRef.Key(), vanishedRef, "Курьер нагрубил", "Пётр"
	t12.DeletedAt = utc("2026-11-23T15:00:00Z") // by nobody VK named
	t4 := ticket(4, 1, "2026-11-23T10:00:00Z")
	t4.Text = "Верните деньги <срочно> & быстро"
	cur = []justify.Ticket{
		answered(ticket(1, 1, "2026-11-23T05:00:00Z"), "2026-11-23T05:30:00Z", 101),
		answered(ticket(2, 1, "2026-11-23T06:00:00Z"), "2026-11-23T08:00:00Z", 102),
		answered(ticket(3, 1, "2026-11-23T07:00:00Z"), "2026-11-23T07:45:00Z", 888),
		t4,                                   // waiting 11 h at the end: a breach
		ticket(5, 1, "2026-11-23T19:00:00Z"), // waiting 2 h: within the SLA
		t6,                                   // deleted: not a breach
		t12,                                  // vanished: not a breach
		t7,
		helpdesk(8, 1, "2026-11-23T00:00:00Z", "closed"), // closed elsewhere: not a breach
		helpdesk(9, 1, "2026-11-23T01:00:00Z", "open"),   // waiting 20 h: a breach
	}
	prevDay = []justify.Ticket{
		answered(ticket(21, 1, "2026-11-22T01:00:00Z"), "2026-11-22T02:00:00Z", 102),
		// The previous day's copy of t7, still unanswered when loaded then.
		ticket(7, 1, "2026-11-22T10:00:00Z"),
	}
	return cur, prevDay
}

func fixtureInput(t testing.TB) Input {
	cases, prevCases := fixtureCases()
	tickets, prevTickets := fixtureTickets()
	return Input{From: dayFrom, To: dayTo, SLA: 4 * time.Hour, People: fixturePeople,
		Communities: []justify.Community{{GroupID: 1, Name: "Shop"}, {GroupID: 3, Name: "Quiet"}},
		Cases:       cases, PrevCases: prevCases, Tickets: tickets, PrevTickets: prevTickets,
		Location: mustLoad(t, "Europe/Moscow")}
}

func counts(c Counts) Counts {
	c.MedianFirstResponseSeconds = int64(c.MedianFirstResponse / time.Second)
	return c
}

func TestComputeFigures(t *testing.T) {
	r := Compute(fixtureInput(t))
	require.Len(t, r.Communities, 3)
	assert.Equal(t, []int64{1, 3, 2}, []int64{r.Communities[0].GroupID, r.Communities[1].GroupID, r.Communities[2].GroupID},
		"configured communities first, in config order")
	assert.Equal(t, []string{"Shop", "Quiet", "club2"}, []string{r.Communities[0].Name, r.Communities[1].Name, r.Communities[2].Name})
	assert.Equal(t, int64(4*3600), r.SLASeconds)

	shop := r.Communities[0]
	tests := []struct {
		name     string
		got      Figures
		cur, old Counts
	}{
		{
			name: "shop total",
			got:  shop.Total,
			cur: counts(Counts{Bans: 3, Deletions: 2, VanishedPosts: 1, JustifiedInTime: 2, JustifiedLate: 1, NeverJustified: 1,
				Approved: 1, Reversed: 1, ReversedInVK: 1, DeletedRequests: 2, SLABreaches: 2, Answered: 4,
				MedianFirstResponse: time.Hour + 22*time.Minute + 30*time.Second}),
			old: counts(Counts{Bans: 1, VanishedPosts: 1, JustifiedInTime: 1, Approved: 2, SLABreaches: 1, Answered: 1,
				MedianFirstResponse: time.Hour}),
		},
		{
			name: "Анна in shop",
			got:  shop.Operators[0].Figures,
			cur: counts(Counts{Bans: 2, JustifiedInTime: 1, JustifiedLate: 1, Approved: 1, Reversed: 1, Answered: 2,
				MedianFirstResponse: 7*time.Hour + 45*time.Minute}),
			old: counts(Counts{Bans: 1, JustifiedInTime: 1, Approved: 1}),
		},
		{
			name: "Борис in shop",
			got:  shop.Operators[1].Figures,
			cur: counts(Counts{Bans: 1, Deletions: 1, JustifiedInTime: 1, NeverJustified: 1, DeletedRequests: 1,
				Answered: 1, MedianFirstResponse: 2 * time.Hour}),
			// The vanished post of the day before is not Борис's, whatever VK would say.
			old: counts(Counts{Answered: 1, MedianFirstResponse: time.Hour}),
		},
		{name: "Вера in shop, nothing to count", got: shop.Operators[2].Figures},
		{
			name: "unknown admin in shop",
			got:  shop.Operators[3].Figures,
			cur:  counts(Counts{Deletions: 1, ReversedInVK: 1}),
		},
		{name: "quiet community", got: r.Communities[1].Total},
		{
			name: "unconfigured community",
			got:  r.Communities[2].Total,
			cur:  counts(Counts{Bans: 2, JustifiedInTime: 2, Reversed: 1}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.cur, tt.got.Current, "current")
			assert.Equal(t, tt.old, tt.got.Previous, "previous")
			assert.Equal(t, diff(tt.cur, tt.old), tt.got.Change, "change")
		})
	}

	var names []string
	for _, o := range shop.Operators {
		names = append(names, o.Operator)
	}
	assert.Equal(t, []string{"Анна", "Борис", "Вера", UnknownOperator}, names, "by name, unknown admins last")
	assert.Equal(t, Counts{Bans: 2, Deletions: 2, JustifiedInTime: 1, JustifiedLate: 1, NeverJustified: 1, Approved: -1,
		Reversed: 1, ReversedInVK: 1, DeletedRequests: 2, SLABreaches: 1, Answered: 3,
		MedianFirstResponse: 22*time.Minute + 30*time.Second, MedianFirstResponseSeconds: 1350}, shop.Total.Change)

	assert.Equal(t, []DeletedRequest{
		{CaseID: 3, Operator: "Борис", ActorVKID: 102, Author: "Иван", AuthorVK: 503,
			Excerpt: "Где мой заказ? Жду неделю", Link: "https://vk.com/wall-1_10?reply=77", At: utc("2026-11-23T12:00:00Z")},
		{CaseID: 12, Vanished: true, AuthorVK: 512, Author: "Пётр", Excerpt: "Курьер нагрубил",
			Link: "https://vk.com/wall-1_12", At: utc("2026-11-23T15:00:00Z")},
	}, shop.DeletedRequests)
	assert.Equal(t, []Breach{
		{TicketID: 9, Author: "Клиент", AuthorVK: 909, Excerpt: "вопрос", Link: "https://help.example/open",
			CreatedAt: utc("2026-11-23T01:00:00Z"), Waiting: 20 * time.Hour, WaitingSeconds: 72000},
		{TicketID: 4, Author: "Клиент", AuthorVK: 904, Excerpt: "Верните деньги <срочно> & быстро", Link: "https://vk.com/wall-1_10?reply=4",
			CreatedAt: utc("2026-11-23T10:00:00Z"), Waiting: 11 * time.Hour, WaitingSeconds: 39600},
	}, shop.SLABreaches, "longest wait first")
}

func hours(kv ...int) [24]int {
	var h [24]int
	for i := 0; i < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

func TestComputeActivity(t *testing.T) {
	tests := []struct {
		name     string
		location string
		total    map[string][24]int
		shop     map[string][24]int
	}{
		{
			name:     "Moscow",
			location: "Europe/Moscow",
			// Анна: cases 1, 2 at 10, reasons at 10 and 13, case 6's reason at 00:30, case 8 and
			// its reason at 09. Борис: case 3 at 15, case 5 at 23, case 9 and its reason at 06.
			total: map[string][24]int{"Анна": hours(0, 1, 9, 2, 10, 3, 13, 1), "Борис": hours(6, 2, 15, 1, 23, 1)},
			shop:  map[string][24]int{"Анна": hours(0, 1, 10, 3, 13, 1), "Борис": hours(15, 1, 23, 1)},
		},
		{
			name:     "Vladivostok",
			location: "Asia/Vladivostok",
			total:    map[string][24]int{"Анна": hours(7, 1, 16, 2, 17, 3, 20, 1), "Борис": hours(13, 2, 22, 1, 6, 1)},
			shop:     map[string][24]int{"Анна": hours(7, 1, 17, 3, 20, 1), "Борис": hours(22, 1, 6, 1)},
		},
		{
			name:  "UTC when no location",
			total: map[string][24]int{"Анна": hours(21, 1, 6, 2, 7, 3, 10, 1), "Борис": hours(3, 2, 12, 1, 20, 1)},
			shop:  map[string][24]int{"Анна": hours(21, 1, 7, 3, 10, 1), "Борис": hours(12, 1, 20, 1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixtureInput(t)
			in.Location = nil
			if tt.location != "" {
				in.Location = mustLoad(t, tt.location)
			}
			r := Compute(in)
			assert.Equal(t, tt.total, r.Activity)
			assert.Equal(t, tt.shop, r.Communities[0].Activity)
			one, ok := r.Community(1)
			require.True(t, ok)
			assert.Equal(t, tt.shop, one.Activity)
			assert.Len(t, one.Communities, 1)
			_, ok = r.Community(42)
			assert.False(t, ok)
		})
	}
}

// A loader may pass more than the periods need, and a case or ticket in both lists: the
// report must not change.
func TestComputeLoaderShapes(t *testing.T) {
	want := Compute(fixtureInput(t))
	tests := []struct {
		name  string
		shape func(in *Input)
	}{
		{name: "everything in the current lists", shape: func(in *Input) {
			in.Cases = append(append([]justify.Case(nil), in.PrevCases...), in.Cases...)
			in.Tickets = append(append([]justify.Ticket(nil), in.PrevTickets...), in.Tickets...)
			in.PrevCases, in.PrevTickets = nil, nil
		}},
		{name: "everything in both lists", shape: func(in *Input) {
			cases := append(append([]justify.Case(nil), in.PrevCases...), in.Cases...)
			tickets := append(append([]justify.Ticket(nil), in.PrevTickets...), in.Tickets...)
			in.Cases, in.PrevCases, in.Tickets, in.PrevTickets = cases, cases, tickets, tickets
		}},
		{name: "a stale ticket of another community", shape: func(in *Input) {
			in.Tickets = append(in.Tickets, answered(ticket(99, 7, "2026-01-01T00:00:00Z"), "2026-01-01T01:00:00Z", 101))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixtureInput(t)
			tt.shape(&in)
			assert.Equal(t, want, Compute(in))
		})
	}
}

func TestComputeEmpty(t *testing.T) {
	r := Compute(Input{From: dayFrom, To: dayTo, People: fixturePeople})
	assert.Empty(t, r.Communities)
	assert.Empty(t, r.Activity)
	assert.Equal(t, dayFrom, r.From)
}

func TestComputeNoSLA(t *testing.T) {
	in := fixtureInput(t)
	in.SLA = 0
	r := Compute(in)
	assert.Zero(t, r.Communities[0].Total.Current.SLABreaches)
	assert.Empty(t, r.Communities[0].SLABreaches)
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{name: "short", in: "привет", n: 10, want: "привет"},
		{name: "whitespace folded", in: "  a\n\n b\tc  ", n: 10, want: "a b c"},
		{name: "cut in runes", in: "абвгдеж", n: 4, want: "абв…"},
		{name: "exactly n", in: "абвг", n: 4, want: "абвг"},
		{name: "no space before the ellipsis", in: "abc def", n: 5, want: "abc…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Excerpt(tt.in, tt.n))
		})
	}
}

func TestMedian(t *testing.T) {
	assert.Zero(t, median(nil))
	assert.Equal(t, 3*time.Second, median([]time.Duration{5 * time.Second, 1 * time.Second, 3 * time.Second}))
	assert.Equal(t, 2*time.Second, median([]time.Duration{3 * time.Second, 1 * time.Second}))
}

// A deleted request written long before the period is quoted from Input.Deleted; words
// forgotten since are not quoted.
func TestComputeDeletedExcerpts(t *testing.T) {
	old := justify.Ref{GroupID: 1, Place: justify.PlacePhotoComment, OwnerID: -1, ParentID: 5, ItemID: 9}
	forgotten := justify.Ref{GroupID: 1, Place: justify.PlacePhotoComment, OwnerID: -1, ParentID: 5, ItemID: 10}
	tests := []struct {
		name    string
		item    justify.Ref
		deleted map[string]justify.Ticket
		want    DeletedRequest
	}{
		{
			name: "from Deleted", item: old,
			deleted: map[string]justify.Ticket{old.Key(): {Key: old.Key(), Ref: old, Text: "старый вопрос", AuthorName: "Пётр", Link: "https://vk.com/photo-1_5?reply=9"}},
			want: DeletedRequest{CaseID: 1, Operator: "Анна", ActorVKID: 101, Author: "Пётр", AuthorVK: 501,
				Excerpt: "старый вопрос", Link: "https://vk.com/photo-1_5?reply=9", At: utc("2026-11-23T10:00:00Z")},
		},
		{
			name: "forgotten", item: forgotten,
			deleted: map[string]justify.Ticket{forgotten.Key(): {Key: forgotten.Key(), Ref: forgotten, Forgotten: true}},
			want: DeletedRequest{CaseID: 1, Operator: "Анна", ActorVKID: 101, AuthorVK: 501,
				Link: "https://vk.com/photo-1_5", At: utc("2026-11-23T10:00:00Z")},
		},
		{
			name: "never seen", item: old,
			want: DeletedRequest{CaseID: 1, Operator: "Анна", ActorVKID: 101, AuthorVK: 501,
				Link: "https://vk.com/photo-1_5", At: utc("2026-11-23T10:00:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := severe(caseAt(1, 1, justify.EventDelete, "Анна", 101, "2026-11-23T10:00:00Z"), tt.item)
			r := Compute(Input{From: dayFrom, To: dayTo, People: fixturePeople, Cases: []justify.Case{c}, Deleted: tt.deleted})
			require.Len(t, r.Communities, 1)
			assert.Equal(t, []DeletedRequest{tt.want}, r.Communities[0].DeletedRequests)
		})
	}
}
