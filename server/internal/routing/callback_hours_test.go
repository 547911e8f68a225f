package routing

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Callbacks and business hours: a callback is never started while its queue is closed. It
// waits for the opening at its place, whether it was filed at night, waited in line when the
// queue closed, or is a retry whose spacing ends at night.

// shortThursday is open Thursday 08:00–09:30 and Friday 10:00–18:00 UTC: open at t0 (Thursday
// 09:00), closed from 09:30 to Friday 10:00.
func shortThursday() cc.Hours {
	return cc.Hours{TimeZone: "UTC", Weekly: []cc.OpenSpan{
		{Day: time.Thursday, From: 8 * time.Hour, To: 9*time.Hour + 30*time.Minute},
		{Day: time.Friday, From: 10 * time.Hour, To: 18 * time.Hour},
	}}
}

var (
	thursdayClosing = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	fridayOpening   = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
)

// quietUntil ticks at every deadline the engine names before until and fails if any of those
// steps starts a callback; the clock is left at until.
func (f *fixture) quietUntil(until time.Time) {
	f.t.Helper()
	for i := 0; ; i++ {
		due, ok := f.e.NextDeadline()
		if !ok || !due.Before(until) {
			break
		}
		if i > 1000 {
			f.t.Fatalf("the engine keeps asking for a tick at %v", due)
		}
		if due.After(f.now) {
			f.now = due
		}
		if start := commandsOf(f.e.Tick(f.now), cc.CommandStartCallback); len(start) > 0 {
			f.t.Fatalf("at %v (before %v) a callback was started: %+v", f.now, until, start)
		}
	}
	f.now = until
}

// Two callbacks wait in line with a caller when the queue closes: at the closing the callbacks
// leave the line (the caller is served: the queue serves its waiting calls), nothing starts
// them through the night though an operator is free, and at the opening they are offered in
// their order: the one whose call came first goes first, though it was filed second.
func TestCallbacksInLineWaitForTheOpening(t *testing.T) {
	f := newFixture(t, "anna")
	r := cc.DefaultRules()
	r.Hours = shortThursday()
	f.withRules(r)
	f.must(f.e.Connect(f.now, "anna")) // connected, not ready
	second := f.callback("+14155550101", f.now.Add(-2*time.Minute), 1)
	first := f.callback("+14155550102", f.now.Add(-5*time.Minute), 1)
	caller := f.intake()
	if f.e.Position(first) != 1 || f.e.Position(second) != 2 || f.e.Position(caller) != 3 {
		t.Fatalf("positions: %d %d %d", f.e.Position(first), f.e.Position(second), f.e.Position(caller))
	}
	if due, ok := f.e.NextDeadline(); !ok || due.After(thursdayClosing) {
		t.Fatalf("next deadline %v, want by the closing at %v (the callbacks leave the line)", due, thursdayClosing)
	}
	f.quietUntil(thursdayClosing)
	f.e.Tick(f.now)
	if f.e.Position(first) != 0 || f.e.Position(second) != 0 || f.e.Position(caller) != 1 {
		t.Fatalf("after closing: positions %d %d %d, want the callbacks out of the line", f.e.Position(first), f.e.Position(second), f.e.Position(caller))
	}
	f.now = f.now.Add(time.Minute)
	f.must(f.e.GoReady(f.now, "anna"))
	if f.offerOf(caller) == "" || f.offerOf(first) != "" || f.offerOf(second) != "" {
		t.Fatalf("anna ready after closing: caller offered %q, callbacks %q %q: want the caller served, not the callbacks", f.offerOf(caller), f.offerOf(first), f.offerOf(second))
	}
	f.must(f.e.Report(f.now, caller, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(caller)}))
	f.hangUp(caller)
	f.quietUntil(fridayOpening)
	if f.state("anna") != cc.OperatorReady {
		t.Fatalf("anna is %s through the night, want ready (free, and still no callback)", f.state("anna"))
	}
	start := commandsOf(f.e.Tick(f.now), cc.CommandStartCallback)
	if len(start) != 1 || start[0].Call != first || f.offerOf(first) == "" || f.e.Position(second) != 1 {
		t.Fatalf("at the opening: started %+v, second at %d: want the first callback started, the second next in line", start, f.e.Position(second))
	}
}

// A closure (a whole day) holds callbacks as the night does: the queue, open all week, closes at
// midnight for its staff day and the callback waiting in line is started the day after.
func TestCallbacksWaitThroughAClosure(t *testing.T) {
	f := newFixture(t, "anna")
	r := cc.DefaultRules()
	r.Hours = cc.Hours{TimeZone: "UTC", Closures: []cc.Closure{{First: "2026-11-27", Name: "Staff day"}}}
	f.withRules(r)
	f.must(f.e.Connect(f.now, "anna"))
	cb := f.callback("+14155550101", f.now, 1)
	friday := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if due, ok := f.e.NextDeadline(); !ok || due.After(friday) {
		t.Fatalf("next deadline %v, want by the closure at %v", due, friday)
	}
	f.quietUntil(friday.Add(8 * time.Hour))
	f.must(f.e.GoReady(f.now, "anna"))
	if f.offerOf(cb) != "" || f.e.Position(cb) != 0 {
		t.Fatalf("on the staff day: callback offered %q at position %d", f.offerOf(cb), f.e.Position(cb))
	}
	saturday := friday.AddDate(0, 0, 1)
	if due, ok := f.e.NextDeadline(); !ok || !due.Equal(saturday) {
		t.Fatalf("next deadline %v, want the end of the closure %v", due, saturday)
	}
	f.quietUntil(saturday)
	if start := commandsOf(f.e.Tick(f.now), cc.CommandStartCallback); len(start) != 1 || start[0].Call != cb {
		t.Fatalf("after the closure: %+v, want the callback started", start)
	}
}

// A retry whose spacing ends after closing waits for the opening.
func TestCallbackRetryLandingAtNightWaitsForTheOpening(t *testing.T) {
	f := newFixture(t, "anna")
	r := cc.DefaultRules()
	r.Hours = officeHours() // Monday to Friday 10:00–18:00
	r.Callback = cc.CallbackRules{OfferAfter: time.Minute, Attempts: 3, RetryAfter: 15 * time.Minute}
	f.withRules(r)
	f.now = time.Date(2026, 11, 26, 17, 50, 0, 0, time.UTC)
	f.ready("anna")
	cb := f.callback("+14155550101", f.now.Add(-time.Hour), 1)
	of := f.offerOf(cb)
	if of == "" {
		t.Fatal("the callback was not offered in open hours")
	}
	if _, _, err := f.e.AttachCallback(f.now, cb, of, "s-1", "http://cloud/cb-1"); err != nil {
		t.Fatal(err)
	}
	f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: of}))
	ch := f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudCustomerFailed, Code: 486}))
	var retry cc.Call
	for _, c := range ch.Calls {
		if c.ID != cb && c.Callback.Virtual() {
			retry = c
		}
	}
	if retry.Callback.Attempt != 2 || !retry.Callback.NotBefore.Equal(f.now.Add(15*time.Minute)) {
		t.Fatalf("the retry: %+v, want attempt 2 at 18:05", retry)
	}
	f.quietUntil(fridayOpening)
	if start := commandsOf(f.e.Tick(f.now), cc.CommandStartCallback); len(start) != 1 || start[0].Call != retry.ID {
		t.Fatalf("at the opening: %+v, want the retry started", start)
	}
}

// After a restart at night the rebuilt engine holds the callbacks as the running one did: one
// offered just before the closing whose scenario had not started is taken back (nobody's
// fault) rather than started at night, and both callbacks start at the opening, in order.
func TestCallbacksHeldAtNightAcrossARestart(t *testing.T) {
	f := newFixture(t, "anna")
	store := newMemStore()
	r := cc.DefaultRules()
	r.Hours = shortThursday()
	f.withRules(r)
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	file := func(number string, arrived time.Time) cc.CallID {
		c := f.e.fileCallback(f.now, "support", arrived, 0, "+18005550100", cc.Callback{Of: "call_inbound", Number: number, Attempt: 1})
		store.apply(f.e.finish(f.now))
		return c.ID
	}
	first := file("+14155550101", f.now.Add(-5*time.Minute))
	second := file("+14155550102", f.now.Add(-2*time.Minute))
	f.now = thursdayClosing.Add(-10 * time.Second)
	store.apply(f.e.Tick(f.now))
	ch := f.must(f.e.GoReady(f.now, "anna"))
	store.apply(ch)
	of := f.offerOf(first)
	if start := commandsOf(ch, cc.CommandStartCallback); of == "" || len(start) != 1 {
		t.Fatalf("before closing: %+v, want the first callback started", ch.Commands)
	}
	before := f.marksOf("anna")

	f.now = thursdayClosing.Add(5 * time.Second) // down across the closing, back within the lease
	ch = restartAt(t, f, store)
	store.apply(ch)
	if start := commandsOf(ch, cc.CommandStartCallback); len(start) != 0 {
		t.Fatalf("after the restart at night: %+v, want nothing started", start)
	}
	if got := settled(t, ch, of); got.State != cc.OfferWithdrawn || !strings.Contains(got.Reason, "closed") {
		t.Fatalf("the offer made before closing: %s %q, want withdrawn as the queue closed", got.State, got.Reason)
	}
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	f.unblamed("anna", before, 0)
	if f.e.Position(first) != 0 || f.e.Position(second) != 0 || f.state("anna") != cc.OperatorReady {
		t.Fatalf("after the restart: positions %d %d, anna %s", f.e.Position(first), f.e.Position(second), f.state("anna"))
	}
	// A second restart in the night: the callbacks are read back held.
	f.now = f.now.Add(10 * time.Hour)
	store.apply(restartAt(t, f, store))
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	f.quietUntil(fridayOpening)
	start := commandsOf(f.e.Tick(f.now), cc.CommandStartCallback)
	if len(start) != 1 || start[0].Call != first || f.e.Position(second) != 1 {
		t.Fatalf("at the opening: %+v, second at %d: want the first started, the second next", start, f.e.Position(second))
	}
}
