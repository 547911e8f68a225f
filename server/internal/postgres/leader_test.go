package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/pgtest"
	"github.com/tandemcc/tandem/server/internal/postgres"
)

func campaign(t *testing.T, ctx context.Context, dsn, holder string) *postgres.Leadership {
	t.Helper()
	l, err := postgres.Campaign(ctx, dsn, postgres.CampaignConfig{Holder: holder, Address: "http://" + holder,
		Poll: 50 * time.Millisecond, Check: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("campaign %s: %v", holder, err)
	}
	return l
}

// One replica leads at a time; when it resigns, a waiting one takes over with a newer epoch.
func TestLeaderElection(t *testing.T) {
	db, dsn := openSchema(t)
	ctx := t.Context()
	if _, ok, err := db.CurrentLeader(ctx); ok || err != nil {
		t.Fatalf("a leader before any campaign: %v %v", ok, err)
	}
	a := campaign(t, ctx, dsn, "a")
	if a.Epoch != 1 {
		t.Fatalf("first epoch %d", a.Epoch)
	}
	won := make(chan *postgres.Leadership, 1)
	go func() {
		l, err := postgres.Campaign(ctx, dsn, postgres.CampaignConfig{Holder: "b", Poll: 50 * time.Millisecond})
		if err != nil {
			t.Error(err)
		}
		won <- l
	}()
	select {
	case <-won:
		t.Fatal("b leads while a does")
	case <-time.After(500 * time.Millisecond):
	}
	resigned := time.Now()
	a.Resign()
	var b *postgres.Leadership
	select {
	case b = <-won:
	case <-time.After(5 * time.Second):
		t.Fatal("b did not take over")
	}
	t.Logf("b took over %v after a resigned", time.Since(resigned).Round(time.Millisecond))
	defer b.Resign()
	if b.Epoch != 2 {
		t.Fatalf("b's epoch %d, want 2", b.Epoch)
	}
	cur, ok, err := db.CurrentLeader(ctx)
	if err != nil || !ok || cur.Holder != "b" || cur.Epoch != 2 {
		t.Fatalf("current leader %+v %v %v", cur, ok, err)
	}

	// Another schema (another database) has a leadership of its own.
	other := campaign(t, ctx, pgtest.Schema(t), "c")
	defer other.Resign()
	if other.Epoch != 1 {
		t.Fatalf("other schema's epoch %d", other.Epoch)
	}
}

// A leader cut off from the database without knowing (its lock session killed, as a
// partition or a long pause would) can write nothing once another replica has taken over.
func TestFencing(t *testing.T) {
	db, dsn := openSchema(t)
	ctx := t.Context()
	call := func(id string) callcenter.Changes {
		return callcenter.Changes{Calls: []callcenter.Call{{ID: callcenter.CallID(id), State: callcenter.CallWaiting, ArrivedAt: time.Now()}}}
	}
	a := campaign(t, ctx, dsn, "a")
	storeA := db.Fenced(a.Epoch)
	if err := storeA.Apply(ctx, call("c-a1")); err != nil {
		t.Fatal(err)
	}
	// a's lock session dies; b takes over.
	admin, err := sql.Open("pgx", pgtest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, int64(a.SessionPID())); err != nil {
		t.Fatal(err)
	}
	b := campaign(t, ctx, dsn, "b")
	defer b.Resign()
	storeB := db.Fenced(b.Epoch)
	err = storeA.Apply(ctx, call("c-a2"))
	if !errors.Is(err, postgres.ErrFenced) {
		t.Fatalf("the old leader's write: %v, want ErrFenced", err)
	}
	if err := storeB.Apply(ctx, call("c-b1")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Lost():
		t.Logf("a learnt it lost: %v", a.Err())
	case <-time.After(3 * time.Second):
		t.Fatal("a did not notice its lock session died")
	}
	a.Resign()
	if _, _, err := db.Call(ctx, "c-a2"); callcenter.ErrorCode(err) != callcenter.CodeNotFound {
		t.Fatalf("the fenced write was stored: %v", err)
	}
	// Unfenced writes (sessions, audit: any replica's) are not affected.
	if err := db.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
}

// A follower learns who leads at once, and of a takeover from the new leader's NOTIFY (the
// periodic reread is off here); TryLead does not take the leadership from a living leader.
func TestFollowLeader(t *testing.T) {
	defer postgres.SetFollowEvery(time.Hour)()
	db, dsn := openSchema(t)
	ctx, cancel := context.WithCancel(t.Context())
	seen := make(chan postgres.Leader, 10)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		db.FollowLeader(ctx, dsn, func(l postgres.Leader) { seen <- l })
	}()
	defer func() { cancel(); <-followed }()
	next := func(want string, epoch int64) {
		t.Helper()
		select {
		case l := <-seen:
			if l.Holder != want || l.Epoch != epoch || l.Address != "http://"+want {
				t.Fatalf("followed %+v, want %s at epoch %d", l, want, epoch)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the follower did not learn that %s leads", want)
		}
	}

	a, err := postgres.TryLead(ctx, dsn, postgres.CampaignConfig{Holder: "a", Address: "http://a"})
	if err != nil || a == nil {
		t.Fatalf("TryLead with nobody leading = %v, %v", a, err)
	}
	next("a", 1)
	if b, err := postgres.TryLead(ctx, dsn, postgres.CampaignConfig{Holder: "b", Address: "http://b"}); b != nil || err != nil {
		t.Fatalf("TryLead while a leads = %v, %v", b, err)
	}
	a.Resign()
	b := campaign(t, ctx, dsn, "b")
	defer b.Resign()
	next("b", 2)
	select {
	case l := <-seen:
		t.Fatalf("followed %+v after b, with nobody else taking over", l)
	case <-time.After(200 * time.Millisecond):
	}
}
