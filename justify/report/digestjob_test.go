package report

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// fakeQueue keeps cursors and queued digests like the service: a digest and its period
// are recorded together.
type fakeQueue struct {
	mu      sync.Mutex
	cursors map[string]string
	queued  []queuedDigest
	fail    error
}

type queuedDigest struct {
	owner  justify.Person
	key    string
	end    string
	digest justify.Digest
}

func newFakeQueue() *fakeQueue { return &fakeQueue{cursors: map[string]string{}} }

func (q *fakeQueue) Cursor(_ context.Context, key string) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.cursors[key], q.fail
}

func (q *fakeQueue) SaveCursor(_ context.Context, key, value string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.cursors[key] = value
	return nil
}

func (q *fakeQueue) QueueDigest(_ context.Context, owner justify.Person, key, end string, d justify.Digest) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cursors[key] >= end {
		return false, nil
	}
	q.cursors[key] = end
	q.queued = append(q.queued, queuedDigest{owner: owner, key: key, end: end, digest: d})
	return true, nil
}

func (q *fakeQueue) keys() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, d := range q.queued {
		out = append(out, d.key)
	}
	return out
}

// digestFixture is Olga's daily digest at 09:00 in Moscow over the fixture's store.
func digestFixture(t *testing.T, q *fakeQueue, now *time.Time) (*DigestJob, *int) {
	t.Helper()
	queued := 0
	olga := fixturePeople[4]
	return &DigestJob{
		Reader: loadFixture(), Options: fixtureOptions, Queue: q, Language: "en",
		Recipients: []Recipient{{Person: olga, Schedule: Schedule{Every: Daily, At: "09:00", Location: mustLoad(t, "Europe/Moscow")}}},
		Now:        func() time.Time { return *now }, Log: zerolog.Nop(), OnQueued: func() { queued++ },
	}, &queued
}

// The first scheduled period after an install is only marked done; each later one is
// queued once per community, and once only.
func TestDigestJobQueuesOncePerPeriod(t *testing.T) {
	q := newFakeQueue()
	now := utc("2026-11-23T06:00:30Z") // 09:00:30 in Moscow
	j, onQueued := digestFixture(t, q, &now)
	ctx := context.Background()

	require.NoError(t, j.QueueDue(ctx))
	assert.Empty(t, q.keys(), "no digest of a period before the first start")
	assert.Equal(t, map[string]string{"digest:Olga:1": "2026-11-23T06:00:00Z", "digest:Olga:3": "2026-11-23T06:00:00Z"}, q.cursors)

	now = utc("2026-11-24T06:00:30Z")
	require.NoError(t, j.QueueDue(ctx))
	require.Equal(t, []string{"digest:Olga:1", "digest:Olga:3"}, q.keys(), "one digest per watched community")
	assert.Equal(t, 2, *onQueued)
	for _, d := range q.queued {
		assert.Equal(t, fixturePeople[4], d.owner)
		assert.Equal(t, "2026-11-24T06:00:00Z", d.end)
	}

	// The figures are Load's of the period in the person's zone: those of the CLI's report.
	msk := mustLoad(t, "Europe/Moscow")
	want, err := Load(ctx, loadFixture(), fixtureOptions, utc("2026-11-23T06:00:00Z").In(msk), utc("2026-11-24T06:00:00Z").In(msk))
	require.NoError(t, err)
	shop, ok := want.Community(1)
	require.True(t, ok)
	wantDigest, err := Digest(shop, "en", msk)
	require.NoError(t, err)
	assert.Equal(t, wantDigest, q.queued[0].digest)

	now = now.Add(time.Minute)
	require.NoError(t, j.QueueDue(ctx))
	assert.Len(t, q.keys(), 2, "not again within the period")
}

// A crash between two communities' digests leaves one to send: only that one is sent.
func TestDigestJobSendsTheMissingCommunity(t *testing.T) {
	q := newFakeQueue()
	q.cursors["digest:Olga:1"] = "2026-11-24T06:00:00Z"
	q.cursors["digest:Olga:3"] = "2026-11-23T06:00:00Z"
	now := utc("2026-11-24T06:00:30Z")
	j, _ := digestFixture(t, q, &now)
	require.NoError(t, j.QueueDue(context.Background()))
	assert.Equal(t, []string{"digest:Olga:3"}, q.keys())
}

func TestDigestJobSendNow(t *testing.T) {
	tests := []struct {
		name     string
		person   string
		wantKeys []string
		wantErr  string
	}{
		{name: "a recipient's digest at once, even before any scheduled one", person: "Olga",
			wantKeys: []string{"digest:Olga:1", "digest:Olga:3"}},
		{name: "someone without a digest", person: "Maria", wantErr: "Maria has no digest in the config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFakeQueue()
			now := utc("2026-11-23T06:00:30Z")
			j, _ := digestFixture(t, q, &now)
			err := j.SendNow(context.Background(), tt.person, dayFrom, dayTo)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				assert.Empty(t, q.keys())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantKeys, q.keys())
		})
	}
}

func TestDigestJobFails(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*DigestJob, *fakeQueue)
		target error
	}{
		{name: "the cursor cannot be read", target: errRead,
			setup: func(_ *DigestJob, q *fakeQueue) { q.fail = errRead }},
		{name: "the figures cannot be loaded", target: errRead,
			setup: func(j *DigestJob, _ *fakeQueue) { j.Reader.(*fakeReader).fail = "CasesBetween" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFakeQueue()
			q.cursors["digest:Olga:1"] = "2026-11-23T06:00:00Z"
			now := utc("2026-11-24T06:00:30Z")
			j, onQueued := digestFixture(t, q, &now)
			tt.setup(j, q)
			err := j.QueueDue(context.Background())
			require.ErrorIs(t, err, tt.target)
			assert.Contains(t, err.Error(), "digest for Olga")
			assert.Zero(t, *onQueued)
		})
	}
}

// A person whose scope is one community gets that community's digest only, and no
// cursor is kept for the others.
func TestDigestJobKeepsToTheScope(t *testing.T) {
	q := newFakeQueue()
	now := utc("2026-11-23T06:00:30Z")
	j, _ := digestFixture(t, q, &now)
	j.Recipients[0].Person.Communities = []int64{3}
	require.NoError(t, j.SendNow(context.Background(), "Olga", dayFrom, dayTo))
	assert.Equal(t, []string{"digest:Olga:3"}, q.keys())
	require.NoError(t, j.QueueDue(context.Background()))
	assert.NotContains(t, q.cursors, "digest:Olga:1")
}
