package switchboard

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/routing"
)

// batches keeps what it is given; fail makes the next Apply fail.
type batches struct {
	applied []cc.Changes
	fail    bool
}

func (b *batches) Apply(_ context.Context, ch cc.Changes) error {
	if b.fail {
		b.fail = false
		return errors.New("disk full")
	}
	b.applied = append(b.applied, ch)
	return nil
}

func newCore(store Applier) *Core {
	n := 0
	return NewCore(routing.New(routing.Config{NewID: func(p string) string { n++; return fmt.Sprintf("%s_%d", p, n) }}), store)
}

// TestCoreBatchesSteps: steps join one batch, a refused step leaves nothing in it, Commit
// stores the batch in one Apply with the tallies of a history row added up, and an empty batch
// is not stored.
func TestCoreBatchesSteps(t *testing.T) {
	store := &batches{}
	c := newCore(store)
	now := start
	step := func(fn func(e *routing.Engine) (cc.Changes, error)) (cc.Changes, error) {
		t.Helper()
		now = now.Add(time.Minute)
		return c.Step(now, fn)
	}
	must := func(ch cc.Changes, err error) cc.Changes {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	must(step(func(e *routing.Engine) (cc.Changes, error) {
		return e.CreateQueue(now, cc.Queue{ID: "q", IsDefault: true})
	}))
	must(step(func(e *routing.Engine) (cc.Changes, error) {
		return e.CreateOperator(now, cc.Operator{ID: "a", Name: "a", Contact: cc.Contact{Kind: cc.ContactUser, Target: "a"}, Queues: []cc.QueueSkill{{Queue: "q", Level: 1}}})
	}))
	if _, err := step(func(e *routing.Engine) (cc.Changes, error) { return e.CreateQueue(now, cc.Queue{ID: "q"}) }); cc.ErrorCode(err) != cc.CodeAlreadyExists {
		t.Fatalf("second queue q: %v", err)
	}
	if c.Pending() != 2 {
		t.Fatalf("%d steps pending, want 2 (the refused one adds none)", c.Pending())
	}
	// Ready, away, ready, away: each state he leaves adds its time to his history row.
	var tallies []cc.Tally
	for i := range 4 {
		ch := must(step(func(e *routing.Engine) (cc.Changes, error) {
			if i%2 == 0 {
				return e.GoReady(now, "a")
			}
			return e.GoAway(now, "a", "break")
		}))
		tallies = append(tallies, ch.Tallies...)
	}
	var want cc.Figures
	his := 0
	for _, tl := range tallies {
		if tl.Scope == cc.ScopeOperator && tl.ID == "a" {
			want.Add(tl.Figures)
			his++
		}
	}
	if his < 2 {
		t.Fatalf("the steps made %d tallies of his row; the test needs several", his)
	}

	b, err := c.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(store.applied) != 1 || c.Pending() != 0 {
		t.Fatalf("%d applies, %d pending after the commit; want 1, 0", len(store.applied), c.Pending())
	}
	if len(b.Queues) != 1 || len(b.Operators) != 1 || len(b.Statuses) != 5 {
		t.Fatalf("batch of %d queues, %d operators, %d statuses; want 1, 1, 5", len(b.Queues), len(b.Operators), len(b.Statuses))
	}
	rows := 0
	for _, tl := range b.Tallies {
		if tl.Scope == cc.ScopeOperator && tl.ID == "a" {
			rows++
			if !tl.Figures.Equal(want) {
				t.Fatalf("his row adds up to %+v, want %+v", tl.Figures, want)
			}
		}
	}
	if rows != 1 {
		t.Fatalf("his history row is in the batch %d times, want once", rows)
	}

	if _, err := c.Commit(t.Context()); err != nil || len(store.applied) != 1 {
		t.Fatalf("an empty commit: %v, %d applies; want nothing stored", err, len(store.applied))
	}

	// A failed write drops the batch: the next commit does not write it again.
	must(step(func(e *routing.Engine) (cc.Changes, error) { return e.GoReady(now, "a") }))
	store.fail = true
	if _, err := c.Commit(t.Context()); err == nil {
		t.Fatal("the failed write was not reported")
	}
	if c.Pending() != 0 || c.Applied() != 1 {
		t.Fatalf("after a failed write: %d pending, %d applied; want 0, 1", c.Pending(), c.Applied())
	}
}

// TestCoreWithoutStore: with no store the core only steps the engine, as the simulator's
// baseline does.
func TestCoreWithoutStore(t *testing.T) {
	c := newCore(nil)
	ch, err := c.Step(start, func(e *routing.Engine) (cc.Changes, error) { return e.CreateQueue(start, cc.Queue{ID: "q"}) })
	if err != nil || len(ch.Queues) != 1 || len(ch.Events) != 0 {
		t.Fatalf("step: %+v, %v", ch, err)
	}
	if b, err := c.Commit(t.Context()); err != nil || !b.Empty() || c.Pending() != 0 || c.Applied() != 0 {
		t.Fatalf("commit without a store: %+v, %v", b, err)
	}
}
