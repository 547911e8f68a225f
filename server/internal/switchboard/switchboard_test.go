package switchboard

import (
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

type dropSender struct{}

func (dropSender) Send(cc.Command) {}

func newBoard(t *testing.T) (*Switchboard, *sqlite.DB) {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	s := New(Config{Store: db, Sender: dropSender{}, Clock: clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)),
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
	if err := s.CreateQueue(ctx, cc.Queue{ID: "q", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, IsDefault: true}); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestRetriesAreCarriedOutOnce: a cloud request id seen before gets its first reply whether it
// is remembered in memory, forgotten there (then the store answers), or sent many times at
// once; a new call is registered once for each id.
func TestRetriesAreCarriedOutOnce(t *testing.T) {
	s, _ := newBoard(t)
	ctx := t.Context()
	register := func(id string) cc.Reply {
		t.Helper()
		r, err := s.RegisterCall(ctx, id, routing.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"})
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
