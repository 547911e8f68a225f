package switchboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/routing"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// store is the SQLite store with every batch it was given kept, to see what each step stored.
type store struct {
	*sqlite.DB
	mu       sync.Mutex
	batches  []cc.Changes
	failNext bool  // the next Apply fails, as a full disk would
	refuse   error // every Apply fails with it, as when the database file is gone
}

func (s *store) Apply(ctx context.Context, ch cc.Changes) error {
	s.mu.Lock()
	if s.refuse != nil {
		s.mu.Unlock()
		return s.refuse
	}
	if s.failNext {
		s.failNext = false
		s.mu.Unlock()
		return errors.New("disk full")
	}
	s.batches = append(s.batches, ch)
	s.mu.Unlock()
	return s.DB.Apply(ctx, ch)
}

func (s *store) failOnce() {
	s.mu.Lock()
	s.failNext = true
	s.mu.Unlock()
}

// stored returns the batches stored since the last call.
func (s *store) stored() []cc.Changes {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches
	s.batches = nil
	return b
}

// sender keeps the commands sent to the cloud.
type sender struct {
	mu   sync.Mutex
	sent []cc.Command
}

func (s *sender) Send(cmd cc.Command) {
	s.mu.Lock()
	s.sent = append(s.sent, cmd)
	s.mu.Unlock()
}

func (s *sender) commands() []cc.Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]cc.Command(nil), s.sent...)
}

// board is a switchboard on a real SQLite file, a fake clock and a sender that keeps what it
// is given, with queue q (+100, the default) made.
type board struct {
	*Switchboard
	db    *store
	cloud *sender
	clock *clock.Fake
}

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newBoard(t *testing.T) (*Switchboard, *sqlite.DB) {
	b := newBoardOn(t, clock.NewFake(start))
	return b.Switchboard, b.db.DB
}

// newBoardOn starts a board on clk: a *clock.Fake, or a wrapper of one.
func newBoardOn(t *testing.T, clk clock.Clock) *board {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	st, out := &store{DB: db}, &sender{}
	s := New(Config{Store: st, Sender: out, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Routing: routing.Config{NewID: func(p string) string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return fmt.Sprintf("%s_%d", p, n)
		}}})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(); db.Close() })
	if err := s.CreateQueue(ctx, cc.Queue{ID: "q", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, IsDefault: true,
		Rules: cc.QueueRules{ManagerWait: 30 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	b := &board{Switchboard: s, db: st, cloud: out}
	switch c := clk.(type) {
	case *clock.Fake:
		b.clock = c
	case stillClock:
		b.clock = c.Fake
	}
	st.stored()
	return b
}

// TestRetriesAreCarriedOutOnce: a cloud request id seen before gets its first reply whether it
// is remembered in memory, forgotten there (then the store answers), or sent many times at
// once; a new call is registered once for each id.
func TestRetriesAreCarriedOutOnce(t *testing.T) {
	s, _ := newBoard(t)
	ctx := t.Context()
	register := func(id string) cc.Reply {
		t.Helper()
		r, err := s.RegisterCall(ctx, id, cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := register("req-1")
	if again := register("req-1"); again.Call != first.Call {
		t.Fatalf("retry in memory registered %s, first %s", again.Call, first.Call)
	}
	// Forget it in memory (as after 8 192 more requests): the store answers, before the loop.
	_ = s.do(ctx, func(time.Time) (cc.Changes, error) {
		s.answered, s.answeredBefore = map[string]cc.Reply{}, nil
		s.forgets.Add(2)
		return cc.Changes{}, nil
	})
	if again := register("req-1"); again.Call != first.Call {
		t.Fatalf("retry from the store registered %s, first %s", again.Call, first.Call)
	}
	// The same new id many times at once: one call.
	var wg sync.WaitGroup
	replies := make([]cc.Reply, 20)
	for i := range replies {
		wg.Go(func() { replies[i] = register("req-2") })
	}
	wg.Wait()
	for _, r := range replies {
		if r.Call != replies[0].Call || r.Call == first.Call {
			t.Fatalf("concurrent retries got %s and %s", r.Call, replies[0].Call)
		}
	}
	calls, err := s.Calls(ctx, "q")
	if err != nil || len(calls) != 2 {
		t.Fatalf("%d calls waiting (%v), want 2", len(calls), err)
	}
}

// TestIntakeAnnouncesThePlaceInLine: a queue that announces positions tells a caller who waits
// his place at intake (no expected wait before the queue has figures to trust), a retry gets the
// same words from the store, and a queue that does not announce says nothing.
func TestIntakeAnnouncesThePlaceInLine(t *testing.T) {
	s, _ := newBoard(t)
	ctx := t.Context()
	in := cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"}
	quiet, err := s.RegisterCall(ctx, "req-0", in)
	if err != nil || quiet.Announcement != "" || quiet.ExpectedWait != 0 {
		t.Fatalf("a queue without announcements: %+v, %v", quiet, err)
	}
	var q cc.Queue
	_ = s.do(ctx, func(time.Time) (cc.Changes, error) { q, _ = s.engine.Queue("q"); return cc.Changes{}, nil })
	q.Rules.AnnounceEvery = time.Minute
	if err := s.UpdateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	second, err := s.RegisterCall(ctx, "req-1", in)
	if err != nil || second.Position != 2 || second.Announcement != "You are number 2 in line." || second.ExpectedWait != 0 {
		t.Fatalf("second in line: %+v, %v", second, err)
	}
	_ = s.do(ctx, func(time.Time) (cc.Changes, error) { // forgotten in memory: the store answers the retry
		s.answered, s.answeredBefore = map[string]cc.Reply{}, nil
		return cc.Changes{}, nil
	})
	if again, err := s.RegisterCall(ctx, "req-1", in); err != nil || again.Announcement != second.Announcement {
		t.Fatalf("retry: %+v, %v", again, err)
	}
}
